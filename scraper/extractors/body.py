"""Article body: the main content container, minus furniture, as paragraphs.

Structured hints come first (``itemprop=articleBody``, platform containers such as WordPress's
``entry-content``); every candidate is scored by the paragraph text it holds, so a "related
posts" card that happens to match a selector first never wins over the article. A
readability-style score over all paragraphs is the fallback and the referee: a structured
container far smaller than the page's densest block is not taken.
"""
from __future__ import annotations

from lxml import etree

from ..text import drop_chrome, paragraphs
from .page import Page, cls
from .regions import boilerplate_within, in_widget, is_boilerplate

CONTAINER_QUERIES = (
    "//*[@itemprop='articleBody']",
    f"//*[{cls('entry-content')} or {cls('wp-block-post-content')} or {cls('post-entry')}]",
    f"//*[{cls('post-content')} or {cls('post-body')} or {cls('post__content')} or {cls('postBody')}]",
    f"//*[{cls('article-content')} or {cls('article-body')} or {cls('article__body')}"
    f" or {cls('article__content')} or {cls('articleBody')} or {cls('article-text')}]",
    f"//*[{cls('story-body')} or {cls('story-content')} or {cls('td-post-content')}"
    f" or {cls('single-post-content')} or {cls('content-body')} or {cls('body-content')}"
    f" or {cls('rich-text')} or {cls('blog-content')} or {cls('entry-body')} or {cls('text-content')}]",
    "//article",
    "//main",
    "//*[@role='main']",
)
PARAGRAPH_TAGS = ("p", "pre", "blockquote", "li", "h2", "h3", "h4", "td", "dd")
MIN_PARAGRAPH = 25
# A structured container keeps its place unless the densest block holds this much more text.
STRUCTURED_SHARE = 0.6
WIDEN_FACTOR = 1.3
WIDEN_LEVELS = 6
LINK_SHARE = 0.7
LINK_LIST_MAX_CHARS = 2000


def _outside_comments(el: etree._Element) -> bool:
    return not el.xpath(
        "ancestor-or-self::*[not(self::body or self::html) and (@id='comments' or "
        "contains(@class, 'comment-list') or contains(@class, 'commentlist') or "
        "contains(@class, 'comments-area') or contains(@class, 'comment-content'))]"
    )


def _link_chars(el: etree._Element) -> int:
    return sum(len(a.text_content()) for a in el.iter("a"))


def _furniture_ancestor(el: etree._Element, stop: etree._Element | None = None) -> bool:
    node = el.getparent()
    while node is not None and node is not stop and node.tag not in ("body", "html"):
        if is_boilerplate(node):
            return True
        node = node.getparent()
    return False


class ParagraphScores:
    """Text weight of every element, from the paragraphs below it (readability's idea: a
    paragraph credits its parent fully, its grandparent half, and so on up)."""

    def __init__(self, page: Page):
        self.score: dict[int, float] = {}
        self.nodes: dict[int, etree._Element] = {}
        for tag in ("p", "pre", "blockquote"):
            for el in page.root.iter(tag):
                self._credit(el)
        for el in page.root.iter("div", "td", "section"):
            if el.text and len(el.text.strip()) >= MIN_PARAGRAPH:  # text straight in a div
                self._credit(el, own=len(el.text.strip()))

    def _credit(self, el: etree._Element, own: int | None = None) -> None:
        size = own if own is not None else len(el.text_content().strip())
        if size < MIN_PARAGRAPH:
            return
        links = _link_chars(el) if own is None else 0
        weight = max(0.0, size - 2 * links)
        node, share = el.getparent(), 1.0
        for _ in range(4):
            if node is None or node.tag in ("body", "html"):
                break
            self.score[id(node)] = self.score.get(id(node), 0.0) + weight * share
            self.nodes[id(node)] = node
            node, share = node.getparent(), share / 2

    def best(self) -> tuple[etree._Element | None, float]:
        ranked = sorted(self.score.items(), key=lambda kv: kv[1], reverse=True)
        for key, score in ranked[:10]:
            node = self.nodes[key]
            if not in_widget(node) and _outside_comments(node) and not is_boilerplate(node):
                return node, score
        return None, 0.0


def _text_blocks(el: etree._Element):
    """Paragraph-like elements, and divs that hold prose directly (sites that skip <p>)."""
    for node in el.iter(*PARAGRAPH_TAGS, "div", "section"):
        if node.tag in ("div", "section"):
            own = (node.text or "").strip() + "".join((c.tail or "").strip() for c in node)
            if len(own) >= MIN_PARAGRAPH:
                yield node, len(own), 0
        else:
            text = node.text_content().strip()
            if len(text) >= MIN_PARAGRAPH:
                yield node, len(text), _link_chars(node)


def content_size(el: etree._Element) -> int:
    """Non-link characters in the text blocks of ``el``, furniture excluded."""
    return sum(max(0, size - 2 * links) for node, size, links in _text_blocks(el)
               if not _furniture_ancestor(node, stop=el))


def _structured(page: Page) -> tuple[etree._Element | None, int]:
    best, best_size = None, 0
    for query in CONTAINER_QUERIES:
        for el in page.xpath(query):
            if in_widget(el) or not _outside_comments(el):
                continue
            size = content_size(el)
            if size > best_size * 1.2:  # earlier (more specific) queries win near-ties
                best, best_size = el, size
        if best_size >= 200:
            return best, best_size
    return best, best_size


def _widen(el: etree._Element) -> etree._Element:
    """Climb while an ancestor holds clearly more prose: content split over sibling blocks
    (page-builder sections, several rich-text modules) belongs together. Single-child wrappers
    are passed through on the way."""
    best, best_size = el, content_size(el)
    teasers = _linked_headings(el)
    node = el.getparent()
    for _ in range(WIDEN_LEVELS):
        if node is None or node.tag in ("body", "html") or is_boilerplate(node):
            break
        if in_widget(node) or not _outside_comments(node):
            break
        if _linked_headings(node) - teasers >= 3:
            break  # what the parent adds is a list of other posts
        size = content_size(node)
        if size >= best_size * WIDEN_FACTOR:
            best, best_size = node, size
        node = node.getparent()
    return best


def find_container(page: Page) -> etree._Element | None:
    structured, size = _structured(page)
    dense, _ = ParagraphScores(page).best()
    if dense is not None:
        dense = _widen(dense)
    if dense is None:
        return structured
    if structured is None:
        return dense
    if structured is dense or structured in dense.iterancestors():
        return structured  # the dense block sits inside the structured one: keep the whole
    if size >= STRUCTURED_SHARE * content_size(dense):
        return structured
    return dense


def _linked_headings(el: etree._Element) -> int:
    """Headings that link elsewhere: the mark of teasers for other posts."""
    return len(el.xpath(".//*[self::h2 or self::h3 or self::h4][.//a[@href]]"
                        "[string-length(normalize-space()) > 15]"))


def is_teaser_grid(container: etree._Element) -> bool:
    """Many linked headings with little prose each, inside the main block: an index of posts
    (a sidebar's "recent posts" elsewhere on the page does not count)."""
    linked = _linked_headings(container)
    return linked >= 5 and content_size(container) < 400 * linked


def body_paragraphs(page: Page, container: etree._Element | None,
                    also_skip: list[etree._Element] | None = None) -> list[str]:
    if container is None:
        text = (page.jsonld_article or {}).get("articleBody")
        return [p.strip() for p in str(text).split("\n") if p.strip()] if text else []
    skip = boilerplate_within(container) + link_lists_within(container) + list(also_skip or [])
    return drop_chrome(paragraphs(container, skip=skip))


def link_lists_within(container: etree._Element) -> list[etree._Element]:
    """Blocks that are mostly links (menus, "read more" lists, tag clouds) inside the content."""
    found = []
    for el in container.iter("ul", "ol", "p", "div", "table", "dl"):
        text = el.text_content()
        size = len(text.strip())
        if 0 < size < LINK_LIST_MAX_CHARS and _link_chars(el) >= LINK_SHARE * size:
            if not any(a in found for a in el.iterancestors()):
                found.append(el)
    return found
