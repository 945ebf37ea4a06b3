"""Comment threads from markup: every comment with its id, parent, depth and position.

Nesting in the markup is the reference: a comment's parent is the nearest enclosing comment,
its depth the number of enclosing comments plus one. Three ways to find comments, tried in
order: elements with platform ids (WordPress ``comment-123``, classic and block themes),
schema.org ``Comment`` microdata, and generic ``comment`` blocks inside a comments area.
Widgets that list comments of other posts ("Recent Comments") are never part of a thread.
"""
from __future__ import annotations

import hashlib
import re
from datetime import timedelta

from lxml import etree

from ..dates import iso_utc
from ..text import collapse, paragraphs
from ..urls import absolute, normalize_url
from .page import Page, cls
from .regions import in_widget

_ID = re.compile(r"^(?:li-)?comment-(\d+)$")
_PAGE_LINK = re.compile(r"/comment-page-(\d+)/?|[?&]cpage=(\d+)")
_SAYS = re.compile(r"\s*(says|said|wrote)\s*:?\s*$", re.I)
_MODERATION = re.compile(r"awaiting moderation", re.I)
_PINGBACK_LABEL = re.compile(r"^\s*(pingback|trackback)\s*:?\s*", re.I)

AUTHOR_QUERIES = (
    f".//*[{cls('comment-author')}]//*[{cls('fn')}]",
    f".//*[{cls('fn')}]",
    f".//*[{cls('wp-block-comment-author-name')}]",
    ".//*[@itemprop='author']//*[@itemprop='name']",
    ".//*[@itemprop='author' or @itemprop='creator']",
    f".//*[{cls('comment-author')}]",
    f".//*[{cls('comment-author-name')} or {cls('comment_author')} or {cls('author-name')}]",
    ".//cite",
    f".//*[{cls('author')} or {cls('user')} or {cls('username')}]",
)
TEXT_QUERIES = (
    f".//*[{cls('comment-content')}]",
    f".//*[{cls('wp-block-comment-content')}]",
    ".//*[@itemprop='text' or @itemprop='commentText' or @itemprop='description']",
    f".//*[{cls('comment-text')} or {cls('comment_text')} or {cls('comment-body-text')}]",
    f".//*[{cls('comment-entry')} or {cls('content')}]",
)
DATE_QUERIES = (
    ".//time/@datetime",
    ".//*[@itemprop='dateCreated' or @itemprop='datePublished']/@datetime",
    ".//*[@itemprop='dateCreated' or @itemprop='datePublished']/@content",
    ".//*[@data-timestamp]/@data-timestamp",
)
DATE_TEXT_QUERIES = (
    f".//*[{cls('comment-metadata')}]//a",
    f".//*[{cls('comment-meta')}]//a",
    f".//*[{cls('wp-block-comment-date')}]",
    f".//*[{cls('comment-date')} or {cls('commentmetadata')} or {cls('date')}]",
    ".//time",
)
# Parts of a comment that are controls, not what the commenter wrote.
NOT_TEXT = (
    f".//*[{cls('reply')} or {cls('comment-reply-link')} or {cls('comment-meta')}"
    f" or {cls('comment-metadata')} or {cls('comment-author')} or {cls('edit-link')}"
    f" or {cls('comment-awaiting-moderation')} or {cls('wp-block-comment-reply-link')}"
    f" or {cls('wp-block-comment-edit-link')} or {cls('comment-likes')} or {cls('sharedaddy')}]"
)


class CommentMarkup:
    """The comment elements of one page and the nesting between them."""

    def __init__(self, page: Page, elements: list | None = None, strategy: str = "site"):
        self.page = page
        if elements is None:
            self.elements, self.ids, self.strategy = self._find()
        else:  # a site extractor chose the comment elements itself
            self.elements, self.strategy = list(elements), strategy
            self.ids = [self._platform_id(el) for el in self.elements]
        self._index = {id(el): i for i, el in enumerate(self.elements)}
        self.parents = [self.owner(el.getparent()) for el in self.elements]
        self.children: list[list] = [[] for _ in self.elements]
        for i, parent in enumerate(self.parents):
            if parent is not None:
                self.children[parent].append(self.elements[i])

    def _find(self) -> tuple[list, list[str | None], str]:
        for strategy, finder in (("platform-id", self._by_platform_id),
                                 ("schema.org", self._by_microdata),
                                 ("generic", self._by_class)):
            elements = [el for el in finder() if not in_widget(el)]
            if elements:
                ids = [self._platform_id(el) for el in elements]
                return elements, ids, strategy
        return [], [], "none"

    def _by_platform_id(self) -> list:
        found = self.page.xpath("//*[starts-with(@id, 'comment-') or starts-with(@id, 'li-comment-')]")
        found = [el for el in found if _ID.match(el.get("id", ""))
                 and el.tag in ("li", "div", "article", "section")]
        # Themes that wrap li#li-comment-7 around div#comment-7: keep the outer one.
        seen: dict[str, etree._Element] = {}
        keep = []
        for el in found:
            cid = _ID.match(el.get("id")).group(1)
            if cid in seen:
                continue
            seen[cid] = el
            keep.append(el)
        return keep

    def _by_microdata(self) -> list:
        # Themes put the Comment scope on an inner block and the replies beside it, in the
        # enclosing list item: the list item is what nests, so it stands for the comment.
        found = self.page.xpath("//*[contains(@itemtype, 'schema.org/Comment')]")
        return [el.getparent() if el.getparent() is not None and el.getparent().tag == "li" else el
                for el in found]

    def _by_class(self) -> list:
        area = ("//*[@id='comments' or " + cls("comments") + " or " + cls("comment-list")
                + " or " + cls("commentlist") + " or " + cls("comments-area") + "]")
        return self.page.xpath(area + f"//*[self::li or self::div or self::article][{cls('comment')}]")

    @staticmethod
    def _platform_id(el: etree._Element) -> str | None:
        for attr in ("id", "data-comment-id", "data-id"):
            m = _ID.match(el.get(attr, "")) if attr == "id" else None
            if m:
                return m.group(1)
            if attr != "id" and el.get(attr):
                return el.get(attr)
        return None

    def owner(self, node: etree._Element) -> int | None:
        """Index of the nearest comment element enclosing ``node`` (itself included)."""
        while node is not None:
            i = self._index.get(id(node))
            if i is not None:
                return i
            node = node.getparent()
        return None

    def parent_index(self, i: int) -> int | None:
        return self.parents[i]

    def index(self, el: etree._Element) -> int:
        return self._index[id(el)]

    def own(self, i: int, query: str) -> list:
        """``query`` results inside comment ``i`` but not inside its replies."""
        el = self.elements[i]
        out = []
        for hit in el.xpath(query):
            node = hit.getparent() if isinstance(hit, etree._ElementUnicodeResult) else hit
            if self.owner(node) == i:
                out.append(hit)
        return out

    def first_own(self, i: int, queries: tuple[str, ...]):
        for q in queries:
            hits = self.own(i, q)
            if hits:
                return hits[0]
        return None

    def replies_of(self, i: int) -> list:
        return self.children[i]


def _pingback(markup: CommentMarkup, i: int, base: str) -> tuple[str | None, str | None, str | None]:
    """Pingbacks print 'Pingback: <a>source title</a>' and, in some themes, an excerpt."""
    el = markup.elements[i]
    body = markup.first_own(i, (f".//*[{cls('comment-body')}]",))
    body = el if body is None else body
    link = (body.xpath(".//a[@href]") or [None])[0]
    name = collapse(link.text_content()) if link is not None else None
    url = absolute(markup.page.url, link.get("href")) if link is not None else None
    skip = [link] if link is not None else []
    skip += markup.own(i, NOT_TEXT)
    skip += [e for e in markup.elements if e is not el]
    text = "\n\n".join(paragraphs(body, skip=skip))
    text = _PINGBACK_LABEL.sub("", text).strip()
    return name or None, url, text or None


def synthetic_id(author: str | None, published: str | None, text: str | None) -> str:
    """For markup without ids: stable across crawls as long as the comment is unchanged."""
    key = f"{author}\x00{published}\x00{(text or '')[:200]}"
    return "h" + hashlib.sha1(key.encode()).hexdigest()[:15]


class CommentFields:
    """The generic rules, one method per comment field, each taking one comment element.

    ``GenericExtractor`` delegates its ``comment_*`` methods here, so a site extractor
    overrides one field (or the parent rule) and keeps these answers for the rest.
    """

    def __init__(self, page: Page, language: str | None = None,
                 date_offset: timedelta | None = None, elements: list | None = None):
        self.page = page
        self.language = language
        self.date_offset = date_offset
        self.markup = CommentMarkup(page, elements)

    def comment_elements(self) -> list[etree._Element]:
        return self.markup.elements

    def comment_id(self, el: etree._Element) -> str | None:
        return self.markup.ids[self.markup.index(el)]

    def comment_parent(self, el: etree._Element) -> etree._Element | None:
        parent = self.markup.parent_index(self.markup.index(el))
        return self.markup.elements[parent] if parent is not None else None

    def comment_kind(self, el: etree._Element) -> str:
        classes = set((el.get("class") or "").split())
        return "pingback" if "pingback" in classes else "trackback" if "trackback" in classes else "comment"

    def comment_author(self, el: etree._Element) -> tuple[str | None, str | None]:
        i = self.markup.index(el)
        if self.comment_kind(el) != "comment":
            return _pingback(self.markup, i, self.page.url)[:2]
        found = self.markup.first_own(i, AUTHOR_QUERIES)
        if found is None:
            return None, None
        link = found if found.tag == "a" else (found.xpath(".//a[@href]") or [None])[0]
        url = absolute(self.page.url, link.get("href")) if link is not None else None
        return _SAYS.sub("", collapse(found.text_content())) or None, url

    def comment_text(self, el: etree._Element) -> str | None:
        i = self.markup.index(el)
        if self.comment_kind(el) != "comment":
            return _pingback(self.markup, i, self.page.url)[2]
        container = self.markup.first_own(i, TEXT_QUERIES)
        controls = self.markup.own(i, NOT_TEXT)
        if container is None:
            container = el
        skip = self.markup.replies_of(i) + [c for c in controls if c is not container]
        return "\n\n".join(paragraphs(container, skip=skip)) or None

    def comment_published_raw(self, el: etree._Element) -> str | None:
        i = self.markup.index(el)
        raw = self.markup.first_own(i, DATE_QUERIES)
        if raw is None:
            node = self.markup.first_own(i, DATE_TEXT_QUERIES)
            raw = collapse(node.text_content()) if node is not None else None
        return str(raw).strip() if raw else None

    def comment_published(self, el: etree._Element) -> str | None:
        return iso_utc(self.comment_published_raw(el), self.language, self.date_offset)

    def comment_by_post_author(self, el: etree._Element) -> bool | None:
        classes = set((el.get("class") or "").split())
        if classes & {"bypostauthor", "byauthor", "blog-author"}:
            return True
        # WordPress marks every post-author comment, so the absence of the class is an answer.
        return False if self.markup.strategy == "platform-id" else None

    def comment_is_public(self, el: etree._Element) -> bool:
        """Unapproved comments are shown only to their author; never archive them."""
        i = self.markup.index(el)
        if self.markup.own(i, f".//*[{cls('comment-awaiting-moderation')}]"):
            return False
        return not any(_MODERATION.search(t) for t in self.markup.own(i, ".//em/text()"))


def build_thread(fields) -> list[dict]:
    """Comment rows in document (pre-)order from an object with the ``comment_*`` methods of
    ``CommentFields`` (a ``CommentFields`` or an extractor) and a ``page``."""
    rows: list[dict] = []
    row_of: dict[int, dict] = {}
    for el in fields.comment_elements():
        if not fields.comment_is_public(el):
            continue
        parent = fields.comment_parent(el)
        parent_row = row_of.get(id(parent)) if parent is not None else None
        if parent is not None and parent_row is None:
            continue  # the reply to a comment that is not public is not public either
        name, url = fields.comment_author(el)
        raw, text = fields.comment_published_raw(el), fields.comment_text(el)
        row = {
            "comment_id": fields.comment_id(el) or synthetic_id(name, raw, text),
            "parent_id": parent_row["comment_id"] if parent_row else None,
            "depth": parent_row["depth"] + 1 if parent_row else 1,
            "author_name": name,
            "author_url": url,
            "published": fields.comment_published(el),
            "published_raw": raw,
            "text": text,
            "kind": fields.comment_kind(el),
            "by_post_author": fields.comment_by_post_author(el),
            "parent_source": "html",
            "page_url": fields.page.url,
            "position": len(rows),
        }
        row_of[id(el)] = row
        rows.append(row)
    return rows


def extract_comments(page: Page, language: str | None = None,
                     date_offset: timedelta | None = None) -> list[dict]:
    """Comments of the page in document (pre-)order, with markup-derived parents and depths."""
    return build_thread(CommentFields(page, language, date_offset))


def comment_page_urls(page: Page) -> list[str]:
    """Other pages of this thread (``comment-page-N/`` or ``?cpage=N``), normalised, in order."""
    found: dict[str, int] = {}
    for a in page.xpath("//a[@href]"):
        href = a.get("href")
        m = _PAGE_LINK.search(href or "")
        if not m or in_widget(a):
            continue
        url = absolute(page.url, href)
        if url:
            found.setdefault(normalize_url(url), int(m.group(1) or m.group(2)))
    return [u for u, _ in sorted(found.items(), key=lambda kv: kv[1])]


def comment_page_number(url: str) -> int | None:
    m = _PAGE_LINK.search(url)
    return int(m.group(1) or m.group(2)) if m else None
