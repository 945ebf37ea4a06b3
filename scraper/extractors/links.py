"""A page of links (a blogroll, a "links" or "friends" page): its content is a list of links to
other sites, which the prose path (``body``) rightly drops as menus elsewhere. Here the links are
the text: each item as the reader sees it, followed by the addresses it links to.

A list of links to the site's own pages is an archive or a menu, not a page of links: only
links to other hosts count towards one.
"""
from __future__ import annotations

from dataclasses import dataclass

from lxml import etree

from ..text import collapse
from ..urls import absolute, host_of
from .body import CONTAINER_CLASSES, CONTAINER_TAGS
from .page import Page
from .regions import in_widget, is_boilerplate

MIN_LINKS = 5  # fewer external links is a paragraph's citations, not a page of them
EXTERNAL_SHARE = 0.6
MAX_LINKED_HEADINGS = 2  # more is a grid of teasers
ITEM_TAGS = ("li", "dd", "p", "h2", "h3", "h4", "blockquote")
LIST_ITEMS = ("li", "dd")


@dataclass
class LinkList:
    items: list[etree._Element]


def _hrefs(el: etree._Element, base: str) -> list[str]:
    """The links' absolute addresses; a link the page wrote malformed is left out."""
    out = []
    for a in el.iter("a"):
        href = a.get("href")
        url = absolute(base, href) if href and not href.lstrip().startswith("#") else None
        if url:
            out.append(url)
    return out


def _regions(page: Page) -> list[etree._Element]:
    """Where a theme puts a page's content, most specific first (the body's own hints)."""
    groups = [page.with_class(*names) for names in CONTAINER_CLASSES]
    groups += [page.tagged(tag) for tag in reversed(CONTAINER_TAGS)]  # <main> holds the <article>
    groups.append(page.with_attribute("role", "main"))
    return [el for group in groups for el in group if not in_widget(el)]


def _items(region: etree._Element) -> list[etree._Element]:
    """Innermost text blocks of the region, in order, outside furniture (menus, share bars)."""
    return [el for el in region.iter(*ITEM_TAGS)
            if el.find(".//li") is None and el.find(".//p") is None and not _in_furniture(el, region)]


def _in_furniture(el: etree._Element, region: etree._Element) -> bool:
    node = el
    while node is not None and node is not region:
        if is_boilerplate(node):
            return True
        node = node.getparent()
    return False


def find(page: Page) -> LinkList | None:
    """The page's list of links to other sites, when its content is one."""
    own = host_of(page.url)
    for region in _regions(page):
        items = _items(region)
        # Links of list items: a paragraph's inline links are its citations, not a list.
        hrefs = [h for el in items if el.tag in LIST_ITEMS for h in _hrefs(el, page.url)]
        external = [h for h in hrefs if host_of(h) not in ("", own)]
        headings = sum(1 for el in items if el.tag in ("h2", "h3", "h4") and _hrefs(el, page.url))
        if len(external) >= MIN_LINKS and len(external) >= EXTERNAL_SHARE * len(hrefs) \
                and headings <= MAX_LINKED_HEADINGS:
            return LinkList(items)
    return None


def paragraphs(found: LinkList, base: str) -> list[str]:
    """One paragraph per item: its text, then the addresses it links to (the page's content)."""
    out = []
    for el in found.items:
        text = collapse(el.text_content())
        targets = [h for h in dict.fromkeys(_hrefs(el, base)) if h not in text]
        line = " ".join([text, *targets]).strip()
        if line:
            out.append(line)
    return out
