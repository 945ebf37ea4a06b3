"""Comment threads from markup: every comment with its id, parent, depth and position.

Nesting in the markup is the reference: a comment's parent is the nearest enclosing comment,
its depth the number of enclosing comments plus one. Where the markup names a comment's parent
outright (a hint: ``data-parent``, a ``parent-N`` class, an ``in-reply-to`` link, microdata
``parentItem``) the hint wins, because flat lists and themes that cap their nesting depth print
replies where their parent is not. Next comes WordPress's ``depth-N`` class (the parent is
the nearest earlier comment a level up), then nesting. Drupal prints replies in a
``div.indented`` *after* the comment they answer, and some themes close a comment before its
``children`` list; such a box of replies counts as nesting under the comment before it.

Ways to find comments, tried in order: elements with platform ids (WordPress ``comment-123``,
Blogger ``li.comment#c123``, Drupal ``<a id="comment-123">`` before its ``div.comment``),
schema.org ``Comment`` in microdata or RDFa, schema.org ``Comment`` in JSON-LD, and generic
``comment`` blocks inside a comments area. Widgets that list comments of other posts ("Recent
Comments") are never part of a thread.
"""
from __future__ import annotations

import hashlib
import re
from collections.abc import Iterator
from datetime import timedelta
from functools import lru_cache
from urllib.parse import urlsplit

from lxml import etree, html

from ..dates import iso_utc
from ..text import collapse, paragraphs, xml_safe
from ..urls import absolute, normalize_url
from .page import Page, cls, jsonld_types, per_page, read_in_index
from .regions import in_widget, is_widget
from .unnest import UNNESTED_PARENT
from .walk import COMPILED, owned_step_hits, parse_step

_ID = re.compile(r"^(?:li-)?comment-(\d+)$")
_BLOGGER_ID = re.compile(r"^c(\d{6,})$")
_PAGE_LINK = re.compile(r"/comment-page-(\d+)/?|[?&]cpage=(\d+)")
_PAGE_PATH = re.compile(r"/comment-page-\d+/?$")
_SAYS = re.compile(r"\s*(says|said|wrote)\s*:?\s*$", re.I)
_MODERATION = re.compile(r"awaiting moderation", re.I)
_PINGBACK_LABEL = re.compile(r"^\s*(pingback|trackback)\s*:?\s*", re.I)
_DEPTH_CLASS = re.compile(r"(?:^|\s)depth-(\d+)(?:\s|$)")
_TRAILING_NUMBER = re.compile(r"(\d+)\D*$")
_REPLY_TO_COMMENT = re.compile(r"[?&]replytocom=(\d+)")
_HINT_CLASS = re.compile(r"^(?:parent|reply-to|replyto|in-reply-to)-(?:comment-)?(\d+)$")
HINT_ATTRIBUTES = ("data-parent", "data-parent-id", "data-parent-comment-id", "data-reply-to",
                   "data-replyto", "data-in-reply-to")
# Links naming the comment replied to (microformats, microdata); one pass over the page.
_HINT_LINKS = etree.XPath("//*[@itemprop='parentItem' or (self::a and"
                          " (contains(@rel, 'in-reply-to') or contains(@class, 'in-reply-to')))]")
_SCOPE_HINT_LINKS = etree.XPath(_HINT_LINKS.path.replace("//*", "descendant-or-self::*", 1))
REPLY_BOXES = frozenset({"indented", "children"})
# Containers of a whole thread: a comment inside one is never a "Recent Comments" widget item,
# even where the theme puts the thread itself in an <aside>.
AREA_NAMES = frozenset({"comments", "comment-list", "commentlist", "comments-area", "comments-list",
                        "comment-thread", "comment-holder", "comment-wrapper"})
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
    # Drupal's comment body field (D7 themes; RDFa in D8): its .comment-content holds the name too
    f".//*[{cls('field-comment-body')} or {cls('field-name-comment-body')} or @property='schema:text']",
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
    ".//*[@property='schema:dateCreated']/@content",
    ".//*[@data-timestamp]/@data-timestamp",
)
DATE_TEXT_QUERIES = (
    f".//*[{cls('comment-metadata')}]//a",
    f".//*[{cls('comment-meta')}]//a",
    f".//*[{cls('wp-block-comment-date')}]",
    f".//*[{cls('comment-date')} or {cls('commentmetadata')} or {cls('date')}]",
    ".//time",
)
_BLOGGER_AUTHOR_ICON = f".//*[{cls('icon')} and {cls('blog-author')}]"
# Parts of a comment that are controls, not what the commenter wrote.
NOT_TEXT = (
    f".//*[{cls('reply')} or {cls('comment-reply-link')} or {cls('comment-meta')}"
    f" or {cls('comment-metadata')} or {cls('comment-author')} or {cls('edit-link')}"
    f" or {cls('comment-awaiting-moderation')} or {cls('wp-block-comment-reply-link')}"
    f" or {cls('wp-block-comment-edit-link')} or {cls('comment-likes')} or {cls('sharedaddy')}]"
)


class CommentMarkup:
    """The comment elements of one page and the thread between them."""

    def __init__(self, page: Page, elements: list | None = None, strategy: str = "site"):
        self.page = page
        if elements is None:
            self.elements, self.ids, self.strategy = self._find()
        else:  # a site extractor chose the comment elements itself
            self.elements, self.strategy = list(elements), strategy
            self.ids = [_platform_id(el) for el in self.elements]
        self._index = {id(el): i for i, el in enumerate(self.elements)}
        self._own_hits: dict[str, dict[int, list]] = {}  # query → its results by comment
        self._thread_scopes = None if self.page.unnested or not self.elements else _scopes(self.elements)
        self.ids = [cid or self._reply_link_id(i) for i, cid in enumerate(self.ids)]
        self._by_id = {_key(cid): i for i, cid in enumerate(self.ids) if cid}
        self._linked = self._hint_links() if self.elements else {}
        self._levels = [_depth_class(el) for el in self.elements]
        self.parents = [self._parent(i) for i in range(len(self.elements))]
        self.children: list[list] = [[] for _ in self.elements]
        for i, parent in enumerate(self.parents):
            if parent is not None:
                self.children[parent].append(self.elements[i])

    # -- finding the comments ----------------------------------------------------------
    def _find(self) -> tuple[list, list[str | None], str]:
        candidates = _candidates(self.page)
        widgets = _WidgetTest()
        for strategy, finder in (("platform-id", _by_platform_id),
                                 ("schema.org", _by_microdata),
                                 ("json-ld", lambda _: _from_jsonld(self.page)),
                                 ("generic", lambda found: _by_class(found, self.page))):
            found = [(el, cid) for el, cid in finder(candidates) if not _in_widget(el, self.page, widgets)]
            if found:
                return [el for el, _ in found], [cid for _, cid in found], strategy
        return [], [], "none"

    def _reply_link_id(self, i: int) -> str | None:
        """WordPress reply links (``?replytocom=N``) name the comment they sit in: an id for
        comments whose element carries none."""
        for href in self.own(i, ".//a[contains(@href, 'replytocom=')]/@href"):
            m = _REPLY_TO_COMMENT.search(href)
            if m:
                return m.group(1)
        return None

    # -- the thread ----------------------------------------------------------------------
    def _parent(self, i: int) -> int | None:
        hinted = self._hinted_parent(i)
        if hinted is not None:
            return hinted
        # WordPress prints every comment's depth, in document order, even where a theme's
        # markup nests its lists oddly: the parent is the nearest earlier comment a level up.
        level = self._levels[i]
        if level == 1:
            return None
        if level is not None:
            up = next((j for j in range(i - 1, -1, -1) if self._levels[j] == level - 1), None)
            if up is not None:
                return up
        return self._enclosing(i)

    def _enclosing(self, i: int) -> int | None:
        """The nearest enclosing comment, or the comment a box of replies follows: Drupal's
        ``div.indented``, or a ``children`` list beside the comment rather than in it."""
        up = self.page.markup_parent if self.page.unnested else etree._Element.getparent
        node = up(self.elements[i])
        while node is not None:
            j = self._index.get(id(node))
            if j is not None:
                return j
            if not REPLY_BOXES.isdisjoint((node.get("class") or "").split()):
                j = self._comment_before(node)
                if j is not None:
                    return j
            node = up(node)
        return None

    def _comment_before(self, node: etree._Element) -> int | None:
        siblings = node.itersiblings(preceding=True)
        if self.page.unnested and node.get(UNNESTED_PARENT) is not None:
            # Moved up out of deep markup: what preceded it is in the parent it was moved from.
            siblings = reversed(self.page.markup_parent(node))
        for sibling in siblings:
            if not isinstance(sibling.tag, str):
                continue
            for el in sibling.iter():  # the sibling itself, or the wrapper around the comment
                j = self._index.get(id(el))
                if j is not None:
                    return j
        return None

    def _hinted_parent(self, i: int) -> int | None:
        """The parent the markup names, if it is a comment earlier on this page."""
        for value in self._hints(i):
            j = self._by_id.get(_key(value))
            if j is not None and j < i:  # a later "parent" would make a cycle or an orphan
                return j
        return None

    def _hints(self, i: int) -> Iterator[str]:
        el = self.elements[i]
        yield from (el.get(a) for a in HINT_ATTRIBUTES if el.get(a))
        for name in (el.get("class") or "").split():
            m = _HINT_CLASS.match(name)
            if m:
                yield m.group(1)
        yield from self._linked.get(i, ())

    def _hint_links(self) -> dict[int, list[str]]:
        """Hint links by the comment they sit in: one pass over the page, not one per comment."""
        out: dict[int, list[str]] = {}
        scopes = self._thread_scopes
        if scopes is not None and scopes[0].getroottree().getroot() is self.page.root:
            # A link counts only inside a comment: the thread's scopes hold every one.
            links = [link for scope in scopes for link in _SCOPE_HINT_LINKS(scope)]
        else:
            links = _HINT_LINKS(self.page.root)
        for link in links:
            i = self.owner(link)
            value = link.get("href") or link.get("content") or link.get("itemid")
            if i is not None and value:
                out.setdefault(i, []).append(value)
        return out

    # -- lookups ---------------------------------------------------------------------------
    def owner(self, node: etree._Element) -> int | None:
        """Index of the nearest comment element enclosing ``node`` (itself included)."""
        up = self.page.markup_parent if self.page.unnested else etree._Element.getparent
        while node is not None:
            i = self._index.get(id(node))
            if i is not None:
                return i
            node = up(node)
        return None

    def parent_index(self, i: int) -> int | None:
        return self.parents[i]

    def index(self, el: etree._Element) -> int:
        return self._index[id(el)]

    def own(self, i: int, query: str) -> list:
        """``query`` results inside comment ``i`` but not inside its replies.

        Each query runs once over the whole thread, its results handed to the comments they
        sit in, where asking each comment would walk every reply once per comment above it.
        Where the markup's nesting is not the tree's (``page.unnested``), or the query has a
        shape ``_QueryShape`` does not read, each comment is asked."""
        if self._thread_scopes is None:
            return self._own_asked_of(i, query)
        by_owner = self._own_hits.get(query)
        if by_owner is None:
            shape = _QueryShape.of(query)
            if shape is None:
                return self._own_asked_of(i, query)
            by_owner = self._hits_by_step_walk(query)
            if by_owner is None:
                by_owner = self._hits_by_owner(query, shape)
            self._own_hits[query] = by_owner
        return list(by_owner.get(i, ()))

    def _own_asked_of(self, i: int, query: str) -> list:
        """``own`` by asking comment ``i`` itself."""
        out = []
        for hit in _xpath(query)(self.elements[i]):
            node = hit.getparent() if isinstance(hit, etree._ElementUnicodeResult) else hit
            if self.owner(node) == i:
                out.append(hit)
        return out

    def _hits_by_owner(self, query: str, shape: _QueryShape) -> dict[int, list]:
        """The results of ``query`` asked of the thread, by the comment whose ``own`` holds
        each: the one it sits in (``owner``, as ``own`` reads it), where asking that comment
        finds it too, i.e. the first step's element lies strictly inside the comment."""
        out: dict[int, list] = {}
        outer: set[int] | None = None
        held: list = []
        for scope in self._thread_scopes:
            hits = _xpath(query)(scope)
            if shape.outer_step is not None:
                if outer is None:
                    outer = set()
                found = _xpath(shape.outer_step)(scope)
                held.extend(found)  # keeps the proxies, so their ids stay theirs
                outer.update(map(id, found))
            for hit in hits:
                node = hit.getparent() if isinstance(hit, etree._ElementUnicodeResult) else hit
                i = self.owner(node)
                if i is None:
                    continue
                el = self.elements[i]
                if node is el:  # a comment is never inside itself
                    continue
                if shape.text_of_step and getattr(hit, "is_tail", False) and node.getparent() is el:
                    continue  # the tail of a reply's child: the step's element is the comment
                if outer is not None and not _inside_below(node, el, outer):
                    continue
                out.setdefault(i, []).append(hit)
        return out

    def _hits_by_step_walk(self, query: str) -> dict[int, list] | None:
        """``_hits_by_owner``'s answer from the compiled walk of the thread (``walk.owned_step_hits``),
        which tests each element in C where XPath builds strings for each: None where the walk
        was not built or does not read the query's steps, or where a ``text()`` query's steps
        nest within one comment (their texts interleave in document order)."""
        steps = _walked_steps(query) if COMPILED else None
        if steps is None:
            return None
        inner, outer, tail = steps
        found = owned_step_hits(self._thread_scopes, self.elements, inner, outer)
        out: dict[int, list] = {}
        if tail is None:
            for i, el in found:
                out.setdefault(i, []).append(el)
            return out
        if tail == "text()":
            stepped = {id(el) for _, el in found}
            for i, el in found:
                node = el.getparent()
                while node is not self.elements[i]:
                    if id(node) in stepped:
                        return None
                    node = node.getparent()
        read = _xpath(tail)
        for i, el in found:
            # The tail of a reply inside the step's element is the reply's, never this comment's.
            hits = [hit for hit in read(el) if not (getattr(hit, "is_tail", False) and id(hit.getparent()) in self._index)]
            if hits:
                out.setdefault(i, []).extend(hits)
        return out

    def first_own(self, i: int, queries: tuple[str, ...]):
        for q in queries:
            hits = self.own(i, q)
            if hits:
                return hits[0]
        return None

    def replies_of(self, i: int) -> list:
        return self.children[i]


def _scopes(elements: list[etree._Element]) -> list[etree._Element]:
    """Where to ask a query once for every comment of ``elements``: the nearest element
    enclosing them all, or, where they share no tree, each comment not inside another."""
    first = elements[0]
    chain = [first, *first.iterancestors()]  # nearest first
    height = {id(node): len(chain) - k for k, node in enumerate(chain)}  # the root's is 1
    reaches: dict[int, int] = {}  # id of an element passed → the height of the chain it meets
    held = []  # keeps the proxies passed, so their ids stay theirs
    lowest = len(chain)
    for el in elements[1:]:
        path, node = [], el
        while node is not None and id(node) not in height and id(node) not in reaches:
            path.append(node)
            node = node.getparent()
        if node is None:
            return _outermost(elements)
        meets = height.get(id(node)) or reaches[id(node)]
        held.extend(path)
        reaches.update((id(passed), meets) for passed in path)
        lowest = min(lowest, meets)
    return [chain[len(chain) - lowest]]


def _outermost(elements: list[etree._Element]) -> list[etree._Element]:
    """The comments of ``elements`` no other one encloses, in their order."""
    ids = {id(el) for el in elements}
    return [el for el in elements if not any(id(a) in ids for a in el.iterancestors())]


class _QueryShape:
    """What ``CommentMarkup.own`` needs to know of a query to ask it of a whole thread at once:
    ``.//STEP`` or ``.//STEP//STEP`` (element results), optionally ending in ``/@name`` or
    ``/text()``. ``outer_step``: the ``.//STEP`` a two-step query starts with, whose element
    must lie inside the comment; ``text_of_step``: the query reads text nodes, whose tails
    name a child of the step's element as their parent."""

    __slots__ = ("outer_step", "text_of_step")

    def __init__(self, outer_step: str | None, text_of_step: bool):
        self.outer_step = outer_step
        self.text_of_step = text_of_step

    @staticmethod
    @lru_cache(maxsize=None)
    def of(query: str) -> _QueryShape | None:
        if not query.startswith(".//"):
            return None
        parts = _split_path(query[3:])
        if parts is None:
            return None
        steps, tail = parts
        if not 1 <= len(steps) <= 2 or any(not s for s in steps) or (tail == "text()" and len(steps) == 2):
            return None  # a text node's tail names another parent than its step's element
        outer = ".//" + steps[0] if len(steps) == 2 else None
        return _QueryShape(outer, tail == "text()")


_STEP = re.compile(r"^(?:\*|[a-zA-Z][\w-]*)(?:\[.*\])?$", re.S)
_TAIL = re.compile(r"/(@[\w-]+|text\(\))$")


def _split_path(path: str) -> tuple[list[str], str | None] | None:
    """``STEP//STEP/tail`` as its steps and its tail (``"@"`` for an attribute, ``"text()"``),
    None for any other shape (a child step, an axis, a union, a grouped path ...)."""
    tail = _TAIL.search(path)
    if tail:
        path = path[:tail.start()]
    steps, depth, quote, start, i = [], 0, "", 0, 0
    while i < len(path):
        char = path[i]
        if quote:
            quote = "" if char == quote else quote
        elif char in "'\"":
            quote = char
        elif char == "[":
            depth += 1
        elif char == "]":
            depth -= 1
        elif depth == 0 and char in "|(/":
            if not path.startswith("//", i):
                return None  # outside a predicate only "//" between steps is read
            steps.append(path[start:i])
            i = start = i + 2
            continue
        i += 1
    if quote or depth:
        return None
    steps.append(path[start:])
    if not all(_STEP.match(s) for s in steps):
        return None
    return steps, (None if tail is None else "text()" if tail.group(1) == "text()" else "@")


@lru_cache(maxsize=None)
def _walked_steps(query: str) -> tuple[tuple, tuple | None, str | None] | None:
    """``(inner, outer, tail)`` for ``owned_step_hits`` of a query ``_QueryShape`` reads: its
    last step's test, its first step's where it has two, and what it reads of the last step's
    elements (``"@name"``, ``"text()"`` or None for the elements); None where a step holds a
    test ``walk.parse_step`` does not read."""
    parts = _split_path(query[3:])
    if parts is None:
        return None
    tests = [parse_step(step) for step in parts[0]]
    if any(test is None for test in tests):
        return None
    tail = _TAIL.search(query)
    return tests[-1], (tests[0] if len(tests) == 2 else None), (tail.group(1) if tail else None)


def _inside_below(node: etree._Element, el: etree._Element, outer: set[int]) -> bool:
    """An element of ``outer`` encloses ``node`` (a strict ancestor) and lies strictly
    inside ``el``, an ancestor of ``node``."""
    up = node.getparent()
    while up is not None and up is not el:
        if id(up) in outer:
            return True
        up = up.getparent()
    return False


@lru_cache(maxsize=None)
def _xpath(query: str) -> etree.XPath:
    """Queries run once per comment: compile each once."""
    return etree.XPath(query)


def _key(value: str) -> str:
    """``comment-12``, ``#comment-12``, ``c12`` and ``12`` name the same comment."""
    value = value.strip()
    m = _TRAILING_NUMBER.search(value.rsplit("#", 1)[-1])
    return m.group(1) if m else value


def _depth_class(el: etree._Element) -> int | None:
    m = _DEPTH_CLASS.search(el.get("class") or "")
    return int(m.group(1)) if m else None


def _classes(el: etree._Element) -> list[str]:
    return (el.get("class") or "").split()


def _candidates(page: Page) -> list[etree._Element]:
    """Elements with 'comment' in an attribute of ``CANDIDATE_ATTRIBUTES``, in document order,
    each once: one pass over the document's attributes (``_attribute_walk``, compiled where it
    could be built) finds every element any rule here could want; pages without comments pay
    for this and nothing else."""
    return _attribute_walk(page)[0]


# Attributes that mark a comment system's embed (``scraper.commentsystems``), whose mere
# presence its detector asks about first: most pages have none, and the walk that finds the
# comment candidates sees every attribute anyway.
EMBED_MARKERS = ("data-bsky-uri", "data-responses-to-url", "data-post-id")


# What links to a page of a thread hold in their address.
_PAGE_LINK_WORDS = ("comment-page-", "cpage=")


@per_page
def _attribute_walk(page: Page) -> tuple[list[etree._Element], frozenset[str], list[etree._Element]]:
    """The comment candidates, the ``EMBED_MARKERS`` some element has and the links that may
    lead to another page of the thread, from one walk of the document's attributes
    (``walk.comment_walk``, compiled where it could be built), read in the page index's walk
    (``Page.comment_attributes``)."""
    holders, present, links = page.comment_attributes(_COMMENT_WALK_ARGS)
    return holders, frozenset(present), links


# The attributes every way of finding comments reads (a platform id, a class, a microdata or
# RDFa type): a candidate without "omment" in one of them is one no way takes, and the walk
# reads no other attribute's value (a page's links, images and styles are most of its bytes).
CANDIDATE_ATTRIBUTES = ("id", "class", "itemtype", "typeof")
_COMMENT_WALK_ARGS = ("omment", EMBED_MARKERS, "a", "href", _PAGE_LINK_WORDS, CANDIDATE_ATTRIBUTES)
read_in_index(comment_walk_args=_COMMENT_WALK_ARGS)  # every page is asked: read in the page index's walk


def has_embed_marker(page: Page, name: str) -> bool:
    """Some element of the page (strays beside the root included) has attribute ``name``, one
    of ``EMBED_MARKERS``, in any namespace: where it says no, ``//@name`` finds nothing."""
    if name not in EMBED_MARKERS:
        raise ValueError(f"{name!r} is not one of the attributes looked for: {EMBED_MARKERS}")
    return name in _attribute_walk(page)[1]


def _platform_id(el: etree._Element) -> str | None:
    ident = el.get("id", "")
    m = _ID.match(ident) or (_BLOGGER_ID.match(ident) if el.tag == "li" else None)
    if m:
        return m.group(1)
    anchor = el.getprevious()  # Drupal: <a id="comment-12"></a><div class="comment">
    if anchor is not None and anchor.tag == "a":
        m = _ID.match(anchor.get("id", ""))
        if m:
            return m.group(1)
    return el.get("data-comment-id") or el.get("data-id")


def _by_platform_id(candidates: list) -> Iterator[tuple[etree._Element, str]]:
    seen: dict[str, list[etree._Element]] = {}
    for el in candidates:
        ident = el.get("id", "")
        m = _ID.match(ident)
        if m and el.tag == "a":  # Drupal's anchor: the comment is the block after it
            el = el.getnext()
            if el is None or el.tag != "div" or "comment" not in _classes(el):
                continue
        elif m and el.tag not in ("li", "div", "article", "section"):
            continue
        elif m:
            el = _list_item(el)
        elif not m:
            m = _BLOGGER_ID.match(ident) if el.tag == "li" and "comment" in _classes(el) else None
            if not m:
                continue
        # Themes that wrap li#li-comment-7 around div#comment-7: keep the outer one; pages that
        # print their thread twice (a tab and a copy): keep the first. Another comment printed
        # with a taken id is kept (the thread derives an id for it).
        kept = seen.setdefault(m.group(1), [])
        if not any(_nested(el, other) or _same_text(el, other) for other in kept):
            kept.append(el)
            yield el, m.group(1)


def _nested(a: etree._Element, b: etree._Element) -> bool:
    """``a`` is ``b``, or one holds the other."""
    return a is b or any(x is b for x in a.iterancestors()) or any(x is a for x in b.iterancestors())


def _same_text(a: etree._Element, b: etree._Element) -> bool:
    return collapse(a.text_content()) == collapse(b.text_content())


def _list_item(el: etree._Element) -> etree._Element:
    """Themes put the comment's id or Comment scope on an inner block and the replies beside
    it, in the enclosing list item: the list item is what nests, so it stands for the comment."""
    parent = el.getparent()
    return parent if el.tag != "li" and parent is not None and parent.tag == "li" else el


def _by_microdata(candidates: list) -> Iterator[tuple[etree._Element, str | None]]:
    for el in candidates:
        if "schema.org/Comment" in (el.get("itemtype") or "") or el.get("typeof") == "schema:Comment":
            el = _list_item(el)
            yield el, _platform_id(el)


def _by_class(candidates: list, page: Page) -> Iterator[tuple[etree._Element, str | None]]:
    areas = {id(el) for el in candidates if _is_area(el)}
    if not areas:
        return
    covered: dict[etree._Element, bool] = {}  # element → it or a markup ancestor is an area
    for el in candidates:
        if (el.tag in ("li", "div", "article") and "comment" in _classes(el)
                and _in_area(page.markup_parent(el), areas, page, covered)):
            yield el, _platform_id(el)


def _in_area(start: etree._Element | None, areas: set[int], page: Page,
             covered: dict[etree._Element, bool]) -> bool:
    """``start`` or one of its markup ancestors is a comment area. Each element's answer is
    kept, so a reply chain thousands deep is walked once, not once per reply."""
    chain, node = [], start
    while node is not None and node not in covered:
        if id(node) in areas:
            covered[node] = True
            break
        chain.append(node)
        node = page.markup_parent(node)
    answer = covered.get(node, False) if node is not None else False
    for passed in chain:
        covered[passed] = answer
    return answer


def _is_area(el: etree._Element) -> bool:
    return el.get("id") == "comments" or not AREA_NAMES.isdisjoint(_classes(el))


def _in_widget(el: etree._Element, page: Page, widgets: _WidgetTest) -> bool:
    return widgets.inside(el) and not any(_is_area(a) for a in page.markup_ancestors(el))


class _WidgetTest:
    """``regions.in_widget`` for the comments of one page, each ancestor judged once: the
    comments of a thread share every ancestor above it."""

    def __init__(self):
        self._inside: dict[int, bool] = {}  # id of an element passed → in_widget's answer
        self._held: list[etree._Element] = []  # keeps the proxies, so their ids stay theirs

    def inside(self, el: etree._Element) -> bool:
        """What ``in_widget(el)`` says: ``el`` or an ancestor below <body> is a widget."""
        path, node, answer = [], el, False
        while node is not None and node.tag not in ("body", "html"):
            known = self._inside.get(id(node))
            if known is not None:
                answer = known
                break
            path.append(node)
            node = node.getparent()
        # From the top down: a node is inside a widget where it is one or its parent is inside one.
        for passed in reversed(path):
            answer = answer or is_widget(passed)
            self._inside[id(passed)] = answer
        self._held.extend(path)
        return answer


# -- schema.org Comment in JSON-LD --------------------------------------------------------
def _from_jsonld(page: Page) -> list[tuple[etree._Element, str | None]]:
    """JSON-LD comments, rebuilt as a small microdata tree (nested ``comment`` arrays nest,
    ``parentItem`` becomes a parent hint), so the markup rules read every field."""
    tops, seen = [], set()
    for obj in page.jsonld:
        types = jsonld_types(obj)
        nodes = [obj] if "Comment" in types else _as_list(obj.get("comment"))
        for node in nodes:
            # {"@id": ...} alone refers to a Comment node listed elsewhere in the graph
            if isinstance(node, dict) and id(node) not in seen and set(node) - {"@id", "@type"}:
                seen.add(id(node))
                tops.append(node)
    if not tops:
        return []
    holder = html.Element("div")
    found: list[tuple[etree._Element, str | None]] = []
    for node in tops:
        _jsonld_element(node, holder, page.url, found)
    return found


def _as_list(value) -> list:
    return value if isinstance(value, list) else [value] if value else []


def _jsonld_element(node: dict, into: etree._Element, base: str, found: list) -> None:
    # JSON strings may hold what no XML text can ("\ud800", NUL): dropped before lxml sees them.
    el = etree.SubElement(into, "div", {"class": "comment", "itemscope": "",
                                        "itemtype": "https://schema.org/Comment"})
    ident = node.get("@id") or node.get("url") or node.get("identifier")
    cid = _key(xml_safe(str(ident))) if isinstance(ident, (str, int)) else None
    parent = node.get("parentItem")
    parent = parent.get("@id") or parent.get("url") if isinstance(parent, dict) else parent
    if isinstance(parent, (str, int)):
        el.set("data-parent", xml_safe(str(parent)))
    found.append((el, cid))
    author = node.get("author") or node.get("creator")
    author = author[0] if isinstance(author, list) and author else author
    name, url = (author.get("name"), author.get("url")) if isinstance(author, dict) else (author, None)
    if isinstance(name, str):
        box = etree.SubElement(el, "span", {"itemprop": "author"})
        link = etree.SubElement(box, "a" if isinstance(url, str) else "span", {"itemprop": "name"})
        if isinstance(url, str):
            link.set("href", xml_safe(absolute(base, url) or url))
        link.text = xml_safe(name)
    published = node.get("dateCreated") or node.get("datePublished")
    if isinstance(published, str):
        published = xml_safe(published)
        etree.SubElement(el, "time", {"datetime": published}).text = published
    text = etree.SubElement(el, "div", {"itemprop": "text"})
    for para in xml_safe(str(node.get("text") or node.get("commentText") or "")).split("\n\n"):
        etree.SubElement(text, "p").text = para
    replies = [r for r in _as_list(node.get("comment")) if isinstance(r, dict)]
    if replies:
        box = etree.SubElement(el, "div", {"class": "children"})
        for reply in replies:
            _jsonld_element(reply, box, base, found)


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
        if classes & {"bypostauthor", "byauthor", "blog-author", "comment-by-node-author"}:
            return True
        # Blogger marks the blog author's comments with an icon inside them.
        blogger = _BLOGGER_ID.match(el.get("id") or "")
        if blogger and self.markup.own(self.markup.index(el), _BLOGGER_AUTHOR_ICON):
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


def thread_path(url: str) -> str:
    """The article a comment page belongs to: ``/post/comment-page-2/`` → ``/post/``,
    ``/?p=5&cpage=2`` → ``/?p=5``."""
    parts = urlsplit(url)
    path = _PAGE_PATH.sub("/", parts.path) if _PAGE_PATH.search(parts.path) else parts.path.rstrip("/") + "/"
    query = "&".join(sorted(q for q in parts.query.split("&") if q and not q.startswith("cpage=")))
    return f"{path}?{query}" if query else path


def _thread_page_links(page: Page) -> Iterator[tuple[etree._Element, str]]:
    """Links whose address may name a page of a thread, with that address: found by the walk
    that finds the comment candidates (``_attribute_walk``), which reads every link's address
    and makes a Python proxy only for those that can."""
    for a in _attribute_walk(page)[2]:
        yield a, a.get("href")


def comment_page_urls(page: Page) -> list[str]:
    """Other pages of this thread (``comment-page-N/`` or ``?cpage=N``), normalised, in order.

    Only links to this article's own thread count: a post may link another post's comments.
    """
    own = thread_path(page.url)
    found: dict[str, int] = {}
    for a, href in _thread_page_links(page):  # only links that can match: most pages have hundreds
        m = _PAGE_LINK.search(href)
        if not m or in_widget(a):
            continue
        url = absolute(page.url, href)
        if url and thread_path(url) == own:
            found.setdefault(normalize_url(url), int(m.group(1) or m.group(2)))
    return [u for u, _ in sorted(found.items(), key=lambda kv: kv[1])]


def comment_page_number(url: str) -> int | None:
    m = _PAGE_LINK.search(url)
    return int(m.group(1) or m.group(2)) if m else None
