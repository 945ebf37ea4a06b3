"""Article body: the main content container, minus furniture, as paragraphs.

Structured hints come first (``itemprop=articleBody``, platform containers such as WordPress's
``entry-content``); every candidate is scored by the prose it holds, so a "related posts" card
that happens to match a selector first never wins over the article. A readability-style score
over all paragraphs is the fallback and the referee: a structured container far smaller than
the page's densest block is not taken.

One pass over the page's text blocks feeds every score (``BodyAnalysis``): the page is parsed
once and walked once, whatever the number of candidates.
"""
from __future__ import annotations

import re
from collections.abc import Container
from functools import cached_property, lru_cache
from typing import NamedTuple

from lxml import etree
from lxml import html as lxml_html

from ..text import SKIP_TAGS, drop_chrome, paragraphs
from ..urls import host_of
from .page import Page
from .regions import (ATTRIBUTES_JUDGED, FURNITURE_ROLES, HIDING_STYLES, NAME_CACHE_SIZE, TAGS_JUDGED_BY_NAME,
                      TERM_CLASS, camel_furniture_parts, furniture_label, furniture_name_parts, is_boilerplate,
                      is_widget, never_article_label)
from .walk import (body_blocks, children_of, dropped_sections, holders_of, is_link, judged_link_walk,
                   labelled_within_holding, linked_heading_counts, node_key, own_text_chars)
from .walk import link_chars as _link_chars
from .walk import normalized_length_below as _normalized_length_below

# Class names of content containers, most specific group first.
CONTAINER_CLASSES = (
    ("entry-content", "wp-block-post-content", "post-entry"),
    ("post-content", "post-body", "post__content", "postBody"),
    ("article-content", "article-body", "article__body", "article__content", "articleBody",
     "article-text"),
    ("story-body", "story-content", "td-post-content", "single-post-content", "content-body",
     "body-content", "rich-text", "blog-content", "entry-body", "text-content"),
)
CONTAINER_TAGS = ("article", "main")
BLOCK_TAGS = ("p", "pre", "blockquote", "li", "h2", "h3", "h4", "td", "dd")
PROSE_TAGS = ("p", "pre", "blockquote")
MIN_PARAGRAPH = 25
# Wrapped text with no paragraph markup counts as prose only at a rich-text field's length: a
# short one is an interface's box ("Benachrichtigung aktivieren …", a user's name and date).
INLINE_PROSE_MIN_CHARS = 200
STRUCTURED_SHARE = 0.6  # a structured container holds its place unless far smaller than the densest block
WIDEN_FACTOR = 1.3
WIDEN_LEVELS = 6
FAR_WIDEN_LEVELS = 12  # the real pages that need it nest their sections 7 and 8 levels deep
FAR_WIDEN_FACTOR = 2.0
LINK_SHARE = 0.7
LINK_LIST_MAX_CHARS = 2000
ARTICLE_MIN_CHARS = 500  # prose typed straight into <body> that outweighs the blocks below it
SHORT_POST_CHARS = 300  # a post of a few sentences is still a post (a 317-character news item)
TEASER_PROSE = 400  # prose per linked heading below which a block is a grid of teasers
LISTICLE_FACTOR = 3
# A div whose prose is wrapped in <span>s (or <font>s) with no block below them: a CMS's rich
# text field printed as "<div><span><span>text<br><br>text</span></span></div>".
_BLOCKS_BELOW = ("div", "section", "p", "li", "ul", "ol", "table", "blockquote", "pre", "h1", "h2", "h3", "h4",
                 "h5", "h6", "dl", "form", "article", "header", "footer", "nav", "aside")
_MARKUP = re.compile(r"</?(p|div|br|span|a|strong|em|h[1-6]|ul|ol|li|body)\b[^>]*>", re.I)
# A comment area's class or id word ("comment-list", a theme's "vhb-comments", "post-comments",
# a shop's customer reviews widget, "product-reviews"): the readers' text, never the article's,
# however much prose it holds. A "review" (singular) is what a reviewer wrote: the article; a
# bare "reviews" is a custom post type's name.
COMMENT_AREA_NAME = re.compile(r"(^|[-_])(comments|comment-list|commentlist|comments-area|comment-content|"
                               r"comment-section|comments-section|comments-container)([-_]|$)|^comments?$|"
                               r"[-_]reviews([-_]|$)", re.I)
# Names that say something about comments without being the comment area: a state
# ("comments-open", "has-comments", "no-comments"), a link or a counter ("comments-link").
_COMMENT_STATE = re.compile(r"(^|[-_])(has|no|with|without|open|closed|allowed|disabled|enabled|hide|show|count|"
                            r"number|link|links|icon|title|toggle|button|btn)([-_]|$)", re.I)


def _has_own_text(el: etree._Element) -> bool:
    """Text written straight into ``el`` (XPath's ``text()[normalize-space()]``)."""
    return bool((el.text or "").strip(" \t\n\r")) or any((c.tail or "").strip(" \t\n\r") for c in el)


# Elements that hold prose of their own, and the children that may wrap a div's prose.
_OWN_TEXT_HOLDERS = ("div", "section")
_PROSE_WRAPPERS = ("span", "font")


def _wraps_prose(el: etree._Element) -> bool:
    """A div of wrapped prose: no text of its own, a <span> or <font> child, no block below it,
    and a rich-text field's length (``INLINE_PROSE_MIN_CHARS``)."""
    return (any(el.find(tag) is not None for tag in _PROSE_WRAPPERS) and not _has_own_text(el)
            and next(el.iterdescendants(*_BLOCKS_BELOW), None) is None
            and len(el.text_content().strip()) >= INLINE_PROSE_MIN_CHARS)


# Characters of text written straight into an element, not into its children (compiled where
# it could be built: <body>'s children are many on a hand-written page, and no proxy is made).
_own_prose = own_text_chars


# Elements that break a div's own text into pieces: their text is a block of its own.
_BREAKING_TAGS = frozenset({*BLOCK_TAGS, "div", "section", "article", "main", "header", "footer", "aside", "nav",
                            "ul", "ol", "table", "form", "figure", "h1", "h5", "h6", *SKIP_TAGS})


def _own_text(el: etree._Element) -> tuple[str, int]:
    """A div's own text: its text and its inline children's (links, emphasis), not what its
    block children hold; and how much of it is link text."""
    parts, links = [el.text or ""], 0
    for child in el:
        if isinstance(child.tag, str) and child.tag not in _BREAKING_TAGS:
            text = child.text_content()
            parts.append(text)
            links += len(text) if is_link(child) else _link_chars(child)
        parts.append(child.tail or " ")
    return "".join(parts), links


def is_comment_area(el: etree._Element) -> bool:
    label, ident = el.get("class"), el.get("id")
    return bool(label and _comment_area_label(label)) or bool(ident and _comment_area_name(ident))


def _outside_content(el: etree._Element) -> bool:
    """A widget (not holding the page's main content) or a comment area: what ``in_widget``
    and ``_in_comment_area`` look for up the ancestors."""
    return is_widget(el) or is_comment_area(el)


def _in_comment_area(el: etree._Element) -> bool:
    node = el
    while node is not None and node.tag not in ("body", "html"):
        if is_comment_area(node):
            return True
        node = node.getparent()
    return False


@lru_cache(maxsize=NAME_CACHE_SIZE)
def _comment_area_label(label: str) -> bool:
    """A class string with a comment area's name; every element of the content is asked, and
    class strings repeat within a page and across a site's pages: each is decided once."""
    return _MAYBE_COMMENT_AREA.search(label) is not None and any(_comment_area_name(name) for name in label.split())


# Every name ``COMMENT_AREA_NAME`` finds holds one of these: a string without them names no comment area.
_MAYBE_COMMENT_AREA = re.compile("comment|reviews", re.I)


@lru_cache(maxsize=NAME_CACHE_SIZE)
def _comment_area_name(name: str) -> bool:
    """Class names and ids repeat across a site's pages: each is decided once."""
    return bool(COMMENT_AREA_NAME.search(name)) and not TERM_CLASS.match(name) and not _COMMENT_STATE.search(name)


class TextBlock(NamedTuple):
    """A block of text as the body analysis read it."""
    element: etree._Element
    text: str  # its text: ``folded`` where the walk folded it, else as read
    link_chars: int
    furniture: etree._Element | None  # the nearest furniture holding it (a comment area, a bio box ...)
    folded: str | None = None  # its words one space apart, where the walk read them (else None)


def _read_block(el: etree._Element) -> tuple[str, int, int, int] | None:
    """A block the walk leaves to the rules here, ``(text, size, link characters, own link
    characters)``, or None where it holds no block: a div's prose written straight into it (no
    <p>), or wrapped prose read like a paragraph; a block tag the walk read no text of."""
    if el.tag in _OWN_TEXT_HOLDERS:
        size, links = _own_prose(el), 0
        if size >= MIN_PARAGRAPH:
            text, own_links = _own_text(el)
        elif size == 0 and _wraps_prose(el):  # read like a paragraph, credited to the div too
            text = el.text_content()
            size, links = len(text.strip()), _link_chars(el)
            own_links = links
        else:
            return None
        return text, size, links, own_links
    text = el.text_content()
    size = len(text.strip())
    if size >= MIN_PARAGRAPH and not _normalized_length_below(text, MIN_PARAGRAPH):
        links = _link_chars(el)
        return text, size, links, links
    return None


class BodyAnalysis:
    """Prose weight of every element of one page, from one walk over its text blocks."""

    def __init__(self, page: Page):
        self.page = page
        # One walk (``walk.body_blocks``, compiled where it could be built) reads every text block
        # and credits its prose up its climb: from the element it starts from (a block's parent,
        # a div's own text: the div) through each ancestor up to the first furniture (included)
        # or <body> (excluded). ``text_blocks``: every block read, in document order, what the
        # paragraph classifier (blocks.py) judges, so the page's text is read once; ``_size``:
        # the prose below each element, furniture between excluded; ``_dense``: the readability
        # score (parent 1, grandparent 1/2, ...), ``_nodes`` its elements; both by ``node_key``
        # (a node's address in the compiled walk: the tree is not changed after the analysis).
        self.text_blocks: list[TextBlock]
        self.text_blocks, self._size, self._dense, self._nodes = body_blocks(
            page.root, BLOCK_TAGS, _OWN_TEXT_HOLDERS, _PROSE_WRAPPERS, _BLOCKS_BELOW, MIN_PARAGRAPH,
            INLINE_PROSE_MIN_CHARS, PROSE_TAGS, _read_block,
            is_boilerplate, furniture_label, furniture_label, _FURNITURE_NAMES, TAGS_JUDGED_BY_NAME, ATTRIBUTES_JUDGED,
            TextBlock, _BREAKING_TAGS)

        self._outside: dict[etree._Element, bool] = {}  # in a widget or a comment area (``_eligible``)

    def content_size(self, el: etree._Element | None) -> float:
        return self._size.get(node_key(el), 0.0) if el is not None else 0.0

    # -- choosing the container ------------------------------------------------------
    def _eligible(self, el: etree._Element) -> bool:
        """Not in a widget (``in_widget``) nor in a comment area (``_in_comment_area``): each
        element up to <body> decided once for the page, the candidates sharing their ancestors."""
        known = self._outside
        path = []
        node = el
        while node is not None and node.tag not in ("body", "html"):
            outside = known.get(node)
            if outside is not None:
                break
            path.append(node)
            node = node.getparent()
        else:
            outside = False
        for node in reversed(path):  # from the top down: each on what holds it
            outside = known[node] = outside or _outside_content(node)
        return not outside

    def _structured(self) -> tuple[etree._Element | None, float]:
        best, best_size = None, 0.0
        groups = [self.page.with_attribute("itemprop", "articleBody")]
        groups += [self.page.with_class(*names) for names in CONTAINER_CLASSES]
        groups += [self.page.tagged(tag) for tag in CONTAINER_TAGS]
        groups.append(self.page.with_attribute("role", "main"))
        for group in groups:
            for el in group:
                size = self.content_size(el)
                if size > best_size * 1.2 and self._eligible(el):  # earlier groups win near-ties
                    best, best_size = el, size
            if best_size >= 200:
                break
        return best, best_size

    def _densest(self) -> etree._Element | None:
        ranked = sorted(self._dense, key=self._dense.get, reverse=True)
        for key in ranked[:10]:
            node = self._nodes[key]
            if self._eligible(node) and not is_boilerplate(node) and not self._in_never_article(node):
                return node
        return None

    def _in_never_article(self, el: etree._Element) -> bool:
        """Inside an author's bio box, a carousel, a consent notice or the page footer: the
        densest prose of a short post can be its author's description, a strip of testimonials,
        a cookie notice or the site's legal notice, never the article. (A footer that holds the
        headline is broken markup wrapping the page.)"""
        # <body>'s classes describe the page ("cookies-not-set"), not a region of it.
        return any((a.tag == "footer" and a not in self._headline_holders)
                   or (a.tag not in ("body", "html") and never_article_label(a.get("class")))
                   for a in (el, *el.iterancestors()))

    @cached_property
    def _headline_holders(self) -> set[etree._Element]:
        """The elements that hold an <h1> (``el.find(".//h1") is not None``): the ancestors of
        the page index's headlines, a page's one or two, rather than a search below each
        <article>, <main> and <footer> the choice climbs through (all of a <main> without one)."""
        holders: set[etree._Element] = set()
        for headline in self.page.tagged("h1"):
            for node in headline.iterancestors():
                if node in holders:
                    break  # and so are the elements above it
                holders.add(node)
        return holders

    def _widen(self, el: etree._Element) -> etree._Element:
        """Climb while an ancestor holds clearly more prose: content split over sibling blocks
        (page-builder sections, several rich-text modules) belongs together. Single-child
        wrappers are passed through on the way. Past ``WIDEN_LEVELS`` (the far climb) an
        ancestor must hold ``FAR_WIDEN_FACTOR`` times the prose (the sections of a listicle, each
        deep in a page builder's wrappers), and there is no far climb beyond the <article> or
        <main> that holds the headline."""
        best, best_size = el, self.content_size(el)
        teasers = self.linked_headings(el)
        node, limit = el.getparent(), FAR_WIDEN_LEVELS
        for level in range(FAR_WIDEN_LEVELS):
            if (level >= limit or node is None or node.tag in ("body", "html") or is_boilerplate(node)
                    or never_article_label(node.get("class"))):
                break
            size = self.content_size(node)
            if not self._eligible(node) or self._adds_teasers(node, teasers, size, best_size):
                break  # what the ancestor adds is a sidebar, comments or a list of other posts
            if size >= best_size * (WIDEN_FACTOR if level < WIDEN_LEVELS else FAR_WIDEN_FACTOR):
                best, best_size = node, size
            if node.tag in CONTAINER_TAGS and node in self._headline_holders:
                limit = WIDEN_LEVELS  # the page's own article: no far climb beyond it
            node = node.getparent()
        return self._body_of_sibling_blocks(best, best_size, teasers)

    def _body_of_sibling_blocks(self, best: etree._Element, best_size: float, teasers: int) -> etree._Element:
        """<body> itself, where the block is one of the blocks a hand-written page puts straight
        into it (sections indented with <blockquote>, one after another) and they hold clearly
        more prose together: the climb stops below <body>, which holds every page's menus."""
        body = best.getparent()
        if body is None or body.tag != "body":
            return best
        size = self._children_prose(body)  # its own text is the other rule's (_body_with_own_prose)
        if size >= best_size * WIDEN_FACTOR and not self._adds_teasers(body, teasers, size, best_size):
            return body
        return best

    def body_prose(self) -> float:
        """Prose written straight into <body> and held by its children that are not furniture
        (blocks credit their prose up to <body>'s children, never to <body>)."""
        body = self.page.root.find("body")
        return 0.0 if body is None else _own_prose(body) + self._children_prose(body)

    def _children_prose(self, el: etree._Element) -> float:
        return sum(self.content_size(child) for child in el
                   if isinstance(child.tag, str) and not is_boilerplate(child))

    def _adds_teasers(self, node: etree._Element, teasers: int, size: float, best: float) -> bool:
        """Linked headings the ancestor adds, with little prose for each: teasers of other
        posts. A listicle links its item headings too, but writes paragraphs under each, and
        then holds several times the prose of any one of its sections."""
        linked = self.linked_headings(node)
        return linked - teasers >= 3 and (size < TEASER_PROSE * linked or size < LISTICLE_FACTOR * best)

    @cached_property
    def container(self) -> etree._Element | None:
        chosen = self._chosen_block()
        body = self._body_with_own_prose(chosen)
        return chosen if body is None else body

    def _chosen_block(self) -> etree._Element | None:
        structured, size = self._structured()
        dense = self._densest()
        if dense is not None:
            dense = self._widen(dense)
        if dense is None or structured is None:
            return structured if dense is None else dense
        if structured is dense or structured in dense.iterancestors():
            return structured  # the dense block sits inside the structured one: keep the whole
        return structured if size >= STRUCTURED_SHARE * self.content_size(dense) else dense

    def _body_with_own_prose(self, chosen: etree._Element | None) -> etree._Element | None:
        """<body> itself, where a hand-written page puts its prose straight into it (``<P>`` as a
        separator, no containers) and more of it than any block below holds: <body> then holds
        that block too, so nothing the page says is lost. Both sides count prose outside links."""
        body = self.page.root.find("body")
        if body is None:
            return None
        own = _own_prose(body)
        if own < ARTICLE_MIN_CHARS or own <= self.content_size(chosen):
            return None
        return body

    @cached_property
    def _linked_heading_counts(self) -> tuple[dict[int, int], list | None]:
        """For each element (by ``node_key``), how many headings that link elsewhere (h2-h4
        holding a link, more than 15 characters) are below it: of the headings the page index
        found, counted up their ancestors (``walk.linked_heading_counts``)."""
        return linked_heading_counts(self.page.tagged(*_SECTION_HEADINGS), _LINKED_HEADINGS, _LINKED_HEADING_MIN_CHARS,
                                     _long_heading)

    def linked_headings(self, el: etree._Element) -> int:
        """Headings that link elsewhere below ``el``: the mark of teasers for other posts."""
        return self._linked_heading_counts[0].get(node_key(el), 0)

    # -- what the container says ------------------------------------------------------
    def looks_like_article(self) -> bool:
        """One dominant block of prose, not a grid of teasers for other posts."""
        container = self.container
        if container is None:
            return False
        size = self.body_prose() if container.tag == "body" else self.content_size(container)
        teasers = self.linked_headings(container)
        return size >= SHORT_POST_CHARS and not (teasers >= 5 and size < TEASER_PROSE * teasers)

    def section_headings(self) -> SectionHeadings:
        """The text of the container's section headings (h2-h6), as paragraphs print them."""
        return SectionHeadings(self.container)

    def paragraphs(self, also_skip: list[etree._Element] | None = None) -> list[str]:
        container = self.container
        if container is None:
            return []  # the arbiter turns to the page's structured data
        skip = not_content_within(container, self.page.url) + list(also_skip or [])
        own_address = {self.page.url.rstrip("/"), (self.page.link("canonical") or "").rstrip("/")}
        found = paragraphs(container, skip=skip)
        lead = self.standfirst(container)
        if lead and not (found and lead[0][:80] in found[0]):  # an excerpt repeating the first paragraph
            found = lead + found
        # A page that prints its own address (a share box's "copy link" field) says nothing.
        return [p for p in drop_chrome(found) if p.rstrip("/") not in own_address]

    def standfirst(self, container: etree._Element) -> list[str]:
        """The article's lead, where the page prints it just before the container, outside it
        (a news page's "article__lead", "leader" or "teaser-intro" above its body): the
        container's nearest preceding siblings, or its parents' up to ``STANDFIRST_LEVELS``."""
        node = container
        for _ in range(STANDFIRST_LEVELS):
            if node.tag in ("body", "html"):
                break
            for sibling in _preceding_elements(node, STANDFIRST_SIBLINGS):
                if is_boilerplate(sibling):
                    continue
                # the sibling itself, or the last lead inside it (the article's header block)
                leads = labelled_within_holding(sibling, _standfirst_label, _STANDFIRST_WORDS)
                if leads and _reads_as_lead(leads[-1]):
                    return paragraphs(leads[-1])
            node = node.getparent()
            if node is None:
                break
        lead = _unnamed_lead(container)
        return paragraphs(lead) if lead is not None else []


class SectionHeadings(Container[str]):
    """The text of a container's section headings (h2-h6), as paragraphs print them, read at
    the first question: the arbiter asks only about a short first line the classifier dropped,
    and most pages have none, so their headings' text is never read."""
    __slots__ = ("_container", "_texts")

    def __init__(self, container: etree._Element | None):
        self._container = container
        self._texts: frozenset[str] | None = None

    def __contains__(self, text: object) -> bool:
        if self._texts is None:
            self._texts = frozenset() if self._container is None else frozenset(
                " ".join(h.text_content().split()) for h in self._container.iter(*_SECTION_HEADINGS))
        return text in self._texts


# Headings that link elsewhere, the mark of teasers: of these tags, with this much text.
_LINKED_HEADINGS = ("h2", "h3", "h4")
_LINKED_HEADING_MIN_CHARS = 16


def _long_heading(heading: etree._Element) -> bool:
    return not _normalized_length_below(heading.text_content(), _LINKED_HEADING_MIN_CHARS)


# The lead printed above the article body: its class word, how far from the container it may
# sit, and the size of a lead (a sentence or a short paragraph, not a teaser of links).
_STANDFIRST_NAME = re.compile(r"(^|[-_])(lead|leader|standfirst|intro|teaser-intro|article-intro|dek|deck)($|[-_])",
                              re.I)
STANDFIRST_LEVELS = 3
STANDFIRST_SIBLINGS = 3
STANDFIRST_MIN_CHARS = 40
STANDFIRST_MAX_CHARS = 1000
MAX_STANDFIRST_LINK_SHARE = 0.3


# Bootstrap's bare "lead" is also a typographic style (a site's tagline above the headline): it
# counts below the headline only. An author's or a site's intro is no lead of this article.
_NOT_STANDFIRST_NAME = re.compile(r"^(author|site|blog|about|bio|profile)[-_]", re.I)
_AFTER_HEADLINE = etree.XPath("boolean(preceding::h1)")
_SENTENCE_END = (".", "!", "?", "…", '"', "“", "”", "»", "«")


# Every name ``_STANDFIRST_NAME`` finds holds one of these: a class string without them (most of
# those of a page, each asked about) names no lead, and is told by one search, not one per name
# (in C, ASCII case aside, where the compiled walks were built: ``walk.labelled_within_holding``).
_STANDFIRST_WORDS = ("lead", "standfirst", "intro", "dek", "deck")
_MAYBE_STANDFIRST = re.compile("|".join(_STANDFIRST_WORDS), re.I)


@lru_cache(maxsize=4096)
def _standfirst_label(label: str | None) -> bool:
    return bool(label) and _MAYBE_STANDFIRST.search(label) is not None and any(
        _STANDFIRST_NAME.search(name) and not _NOT_STANDFIRST_NAME.match(name) for name in label.split())


def _bare_lead(el: etree._Element) -> bool:
    names = (el.get("class") or "").split()
    return "lead" in (n.lower() for n in names) and not any(n.lower() != "lead" and _standfirst_label(n) for n in names)


def _reads_as_lead(el: etree._Element) -> bool:
    text = " ".join(el.text_content().split())
    return (STANDFIRST_MIN_CHARS <= len(text) <= STANDFIRST_MAX_CHARS and not is_boilerplate(el)
            and _link_chars(el) <= MAX_STANDFIRST_LINK_SHARE * len(text)
            and (not _bare_lead(el) or _AFTER_HEADLINE(el)))


_LEAD_BLOCKS = etree.XPath("count(.//p) = 1 and not(.//h1 or .//h2 or .//h3 or .//h4 or .//ul or .//ol or "
                           ".//table or .//figure or .//img or .//blockquote)")


def _unnamed_lead(container: etree._Element) -> etree._Element | None:
    """A lead with no class name saying so: the one paragraph right before the container,
    below the headline, a sentence or a few (a lead in bold above the article's sections)."""
    before, text = next(((el, text) for el in _preceding_elements(container, STANDFIRST_SIBLINGS)
                         if (text := el.text_content().strip())), (None, ""))
    if before is None or before.tag not in ("p", "div") or not (before.tag == "p" or _LEAD_BLOCKS(before)):
        return None
    if not text.endswith(_SENTENCE_END) or not _reads_as_lead(before) or not _AFTER_HEADLINE(before):
        return None
    return before


def _preceding_elements(el: etree._Element, limit: int) -> list[etree._Element]:
    """Up to ``limit`` elements before ``el`` among its siblings, nearest first."""
    found = []
    for sibling in el.itersiblings(preceding=True):
        if isinstance(sibling.tag, str) and sibling.tag not in SKIP_TAGS:
            found.append(sibling)
            if len(found) == limit:
                break
    return found


def article_body_paragraphs(page: Page) -> list[str]:
    """The article body the page's JSON-LD states, as paragraphs; some sites put the HTML
    there, which is read as HTML."""
    text = (page.jsonld_article or {}).get("articleBody")
    if not text or not isinstance(text, str):
        return []
    if _MARKUP.search(text):
        try:
            return paragraphs(lxml_html.fragment_fromstring(text, create_parent="div"))
        except (etree.ParserError, ValueError):  # not HTML after all: read as text
            pass
    return [p.strip() for p in text.split("\n") if p.strip()]


LINK_LIST_TAGS = frozenset({"ul", "ol", "p", "div", "table", "dl", "nav"})


def _is_furniture(el: etree._Element) -> bool:
    return is_boilerplate(el) or is_comment_area(el)


# ``_is_furniture`` of an element whose only attributes it reads are a class and an id (of a tag
# not judged by its name): each of the two decides alone.
def _furniture_or_comment_label(label: str) -> bool:
    return furniture_label(label) or _comment_area_label(label)


def _furniture_or_comment_id(ident: str) -> bool:
    return furniture_label(ident) or bool(ident and _comment_area_name(ident))


# What the compiled walks need not ask the rules of (``walk.judged_link_walk``): an ASCII class
# or id none of whose names starts or ends with a part of a furniture word, nor holds a comment
# area's word (every name ``COMMENT_AREA_NAME`` finds holds one), case aside, and, where it has
# upper-case letters, none of what a camelCase furniture name needs; and the roles and hiding
# styles ``is_boilerplate`` reads, which they read in C as it does.
_FURNITURE_NAMES = (*furniture_name_parts, (), FURNITURE_ROLES, HIDING_STYLES, *camel_furniture_parts)
_FURNITURE_OR_COMMENT_NAMES = (*furniture_name_parts, ("comment", "reviews"), FURNITURE_ROLES, HIDING_STYLES,
                               *camel_furniture_parts)


def not_content_within(container: etree._Element, url: str = "") -> list[etree._Element]:
    """Furniture (share bars, related posts, captions ...) and blocks that are mostly links
    (menus, "read more" lists, tag clouds) inside the content, found in one post-order walk;
    furniture is not entered, and does not count towards its parent's link share."""
    skip = judged_link_walk(container, _is_furniture, _furniture_or_comment_label, _furniture_or_comment_id,
                            _FURNITURE_OR_COMMENT_NAMES, TAGS_JUDGED_BY_NAME, ATTRIBUTES_JUDGED, LINK_LIST_TAGS,
                            LINK_LIST_MAX_CHARS, LINK_SHARE)
    skip.extend(_teaser_lists(container, url))
    skip.extend(_orphaned_headings(container, skip))
    return [el for el in skip if el is not container]


TEASER_LIST_MIN_ITEMS = 2
TEASER_LIST_SHARE = 0.8
TEASER_LIST_MAX_SHARE = 0.5  # of the container's text
TEASER_ITEM_MAX_CHARS = 600  # median: a title, a date, a sentence; a list of reviews says more
_LINKED_HEADING = etree.XPath(".//*[self::h2 or self::h3 or self::h4 or self::h5 or self::h6]"
                              "[ancestor::a[@href] or descendant::a[@href]]")


def _teaser_lists(container: etree._Element, url: str) -> list[etree._Element]:
    """Lists whose items are each the linked title of another page of the same site, with a
    date, a byline or a sentence beside it: teasers of other posts, whatever share of their text
    the links are. A list of linked titles to other sites (events, products) is what the
    article lists; so is a list whose items each say a lot."""
    found = []
    host = host_of(url)
    container_chars = None
    # Only lists with a heading: with none, no item links from one (most lists).
    for listing in holders_of(container, ("ul", "ol"), _SECTION_HEADINGS):
        items = [li for li in listing if li.tag == "li"]
        if len(items) < TEASER_LIST_MIN_ITEMS:
            continue
        needed, same_site, left = TEASER_LIST_SHARE * len(items), 0, len(items)
        for li in items:
            if same_site + left < needed:
                break  # the items left cannot make the share: most lists, told by their first items
            left -= 1
            same_site += any(host_of(href, url) == host for href in _heading_links(li))
        if same_site >= needed:
            sizes = sorted(len(" ".join(li.text_content().split())) for li in items)
            if container_chars is None:
                container_chars = len(" ".join(container.text_content().split()))
            # A list that is most of the container is what the post is: a roundup of its own posts.
            if sizes[len(sizes) // 2] <= TEASER_ITEM_MAX_CHARS and sum(sizes) <= TEASER_LIST_MAX_SHARE * container_chars:
                found.append(listing)
    return found


def _heading_links(item: etree._Element) -> list[str]:
    """The addresses the item's headings link to (a link inside the heading, or around it)."""
    hrefs = []
    for heading in _LINKED_HEADING(item):
        link = heading.find(".//a[@href]")
        if link is None:
            link = next(heading.iterancestors("a"), None)
        if link is not None:
            hrefs.append(link.get("href") or "")
    return hrefs


_SECTION_HEADINGS = ("h2", "h3", "h4", "h5", "h6")
ORPHAN_HEADING_MAX_CHARS = 150


def _orphaned_headings(container: etree._Element, skip: list[etree._Element]) -> list[etree._Element]:
    """Headings whose whole section is furniture or a list of links ("More from the DWI" over
    teasers, "Related topics" over tags): with what they headed gone, they head nothing."""
    dropped = {id(el) for el in skip}
    # A heading heads a dropped element only beside it: among the children of the parent of
    # one, so those are the headings read (each parent once, in the order of ``skip``), not every
    # heading of the container. (The container's own parent holds no heading of the container.)
    holding = dict.fromkeys(el.getparent() for el in skip if el is not container)
    orphans = []
    # the cheap conditions first (``walk.dropped_sections``): most headings head no dropped
    # element, or text between, and their text is not read
    headings = children_of(list(holding), _SECTION_HEADINGS)
    for heading, section in dropped_sections(headings, _SECTION_HEADINGS, skip):
        if (all(id(el) in dropped or not el.text_content().strip() for el in section)
                # broken markup: a "heading" that runs on into the text below
                and _normalized_length_below(heading.text_content(), ORPHAN_HEADING_MAX_CHARS) is not False):
            orphans.append(heading)
    return orphans
