"""A parsed page: the lxml tree plus the lookups every extractor part shares (meta tags, JSON-LD,
body classes). Built once per page; extractors never parse again.

``parse_html`` builds the tree from bytes (decoded by ``decoding``) or text, with markup nested
too deep for the parser rewritten first (``unnest``)."""
from __future__ import annotations

import json
import re
import weakref
from collections.abc import Callable, Collection, Iterator
from dataclasses import dataclass, field, replace
from functools import cached_property, lru_cache, wraps
from typing import TypeVar

from lxml import etree, html

from ..text import collapse
from .decoding import MAX_HTML_BYTES, decode_for_parsing
from .streaming import place_streamed_segments
from .unnest import UNNESTED_ID, UNNESTED_PARENT, unnest_markup
from .walk import (attributes_present, comment_walk, depth_and_tags, has_attribute, has_id_starting, label_holders,
                   meta_contents, page_index)

# Real pages nest a few dozen levels. A page parsed deeper than MAX_DEPTH is parsed again from
# its markup unnested past ``unnest.UNNEST_DEPTH`` (``unnest_markup``: every element and every
# character kept); anything still deeper is flattened into its ancestor at MAX_DEPTH (text
# stays, tags go), so that no tree walk of any extractor part recurses without bound.
MAX_DEPTH = 200
_AT_MAX_DEPTH = etree.XPath("/*" * MAX_DEPTH)


def cls(name: str) -> str:
    """XPath predicate: the element has CSS class ``name``.

    The cheap substring test runs first, so the costly token test (which builds a string per
    element) only runs on the few elements that can match.
    """
    return (f"(contains(@class, '{name}') and "
            f"contains(concat(' ', normalize-space(@class), ' '), ' {name} '))")


_HTML_CLASSES = etree.ElementDefaultClassLookup(element=html.HtmlElement, comment=html.HtmlComment,
                                               pi=html.HtmlProcessingInstruction, entity=html.HtmlEntity)


def _adopt_strays(root: html.HtmlElement) -> None:
    """Broken markup can leave libxml2 with a second top-level ``<html>`` after the first;
    its content moves into the first one's body, so that every walk from the root sees the
    whole page."""
    strays = [el for el in root.itersiblings() if isinstance(el.tag, str) and (len(el) or el.text)]
    if not strays:
        return
    body = root.find("body")
    home = body if body is not None else root
    for stray in strays:
        for part in (list(stray) if stray.tag == "html" else [stray]):
            if part.tag == "body":
                part.tag = "div"  # its text and tails come along
            home.append(part)


def _flatten_deep(root: html.HtmlElement) -> None:
    for el in _AT_MAX_DEPTH(root):
        etree.strip_tags(el, "*")


def _cut_reason(size: int, unit: str) -> str:
    return f"body cut: the page is {size:,} {unit}, only the first {MAX_HTML_BYTES:,} were read"


# -- what parsing did to the page ---------------------------------------------------------------
@dataclass
class ParseNotes:
    """What ``parse_html`` had to do to a page: why part of it was not read (``truncated``:
    short reasons for people, none when the page was read whole), and whether elements were
    moved up out of markup nested too deep (``unnested``)."""
    truncated: list[str] = field(default_factory=list)
    unnested: bool = False


_NOTES: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()  # root element → ParseNotes


def parse_notes(root: etree._Element) -> ParseNotes:
    """The notes ``parse_html`` left for the tree it returned; a tree made elsewhere has none."""
    return _NOTES.get(root) or ParseNotes()


def _parse(data: bytes) -> tuple[html.HtmlElement | None, bool]:
    """libxml2's tree of ``data``, and whether it stopped at its nesting limit (everything
    after that point is missing then)."""
    parser = etree.HTMLParser(recover=True, encoding="utf-8", huge_tree=True)
    # Every element an HtmlElement (text_content() and kin) chosen in C: lxml.html's own
    # lookup calls Python for each element proxy, a twentieth of the extraction's time.
    parser.set_element_class_lookup(_HTML_CLASSES)
    try:
        root = html.document_fromstring(data, parser=parser)
    except (etree.ParserError, ValueError):
        root = None
    last = parser.error_log.last_error  # the limit is a fatal error: the parser's last word
    too_deep = (last is not None and last.type == etree.ErrorTypes.ERR_RESOURCE_LIMIT
                and "depth" in last.message)
    return root, too_deep


# What ``place_streamed_segments`` moves (placeholders are templates) or unwraps: without
# either in the tree it leaves the tree as it is, and the markup need not be searched.
_STREAMED_TAGS = ("template", "streamed-segment")
_SEGMENT_ID_START = "S:"  # every streamed segment's id starts so (``streaming``): no such id, none to place


def _finish(root: html.HtmlElement, text: str) -> bool:
    """The tree as a browser shows it; whether an element lies ``MAX_DEPTH`` deep in it."""
    _adopt_strays(root)
    deep, streamed = depth_and_tags(root, MAX_DEPTH, _STREAMED_TAGS)  # one walk, no proxies
    # Templates are common (web components, themes' markup); a streamed segment's id, which
    # ``place_streamed_segments`` asks every element for in XPath, is not: asked in C first.
    if streamed and "<template" in text and has_id_starting(root, _SEGMENT_ID_START):
        place_streamed_segments(root)
        deep = bool(_AT_MAX_DEPTH(root))  # segments moved: the depth again
    return deep


def parse_html(document: str | bytes, content_type: str | None = None) -> html.HtmlElement:
    """Decode (``decode_html``) and parse leniently into lxml; NUL bytes are dropped, markup
    nested deeper than ``MAX_DEPTH`` is unnested (``unnest_markup``) and past that flattened.
    Raises ``ExtractionError`` for binary input. ``parse_notes(root)`` says what was cut."""
    notes = ParseNotes()
    utf8 = None
    if isinstance(document, bytes):
        raw = document
        if len(raw) > MAX_HTML_BYTES:
            notes.truncated.append(_cut_reason(len(raw), "bytes"))
        document, itself = decode_for_parsing(raw, content_type)
        # The bytes as they came, where encoding the text again would give them back.
        utf8 = raw if itself and b"\x00" not in raw else None
    elif len(document) > MAX_HTML_BYTES:
        notes.truncated.append(_cut_reason(len(document), "characters"))
    text = document[:MAX_HTML_BYTES]
    if utf8 is None:  # bytes read as they came hold no NUL: nor then does their text
        text = text.replace("\x00", "")  # libxml2 ends the document at a NUL
    root, too_deep = _parse(utf8 or text.encode("utf-8", "replace"))
    if root is None:
        root = html.document_fromstring("<html><body></body></html>")
        _NOTES[root] = notes
        return root
    if _finish(root, text) or too_deep:
        unnested, moved = unnest_markup(text)
        if moved:
            again, again_too_deep = _parse(unnested.encode("utf-8", "replace"))
            if again is not None:
                root, too_deep, notes.unnested = again, again_too_deep, True
                _finish(root, text)
        _flatten_deep(root)  # what is still deeper: markup the unnesting misread, streamed segments
    if too_deep:
        notes.truncated.append("body cut: the markup nests deeper than the HTML parser reads (2,048 open "
                               "elements) even unnested; the rest of the page was not read")
    _NOTES[root] = notes
    return root


def _flatten_jsonld(node: object, out: list[dict]) -> None:
    if isinstance(node, list):
        for item in node:
            _flatten_jsonld(item, out)
    elif isinstance(node, dict):
        out.append(node)
        for key in ("@graph", "mainEntity", "mainEntityOfPage"):
            if isinstance(node.get(key), (list, dict)):
                _flatten_jsonld(node[key], out)


def jsonld_types(obj: dict) -> set[str]:
    t = obj.get("@type")
    return {str(x) for x in t} if isinstance(t, list) else {str(t)} if t else set()


ARTICLE_TYPES = {"Article", "BlogPosting", "NewsArticle", "Report", "TechArticle",
                 "ScholarlyArticle", "OpinionNewsArticle", "AnalysisNewsArticle", "LiveBlogPosting"}


T = TypeVar("T")


def per_page(compute: Callable[[Page], T]) -> Callable[[Page], T]:
    """``compute(page)``, worked out once per page however often it is asked for: the field
    methods ask for the publication date and the byline more than once (``published``,
    ``published_raw`` and the page's UTC offset all read the date). ``.forget(page)`` drops the
    page's answer."""
    @wraps(compute)
    def once(page: Page) -> T:
        answers = page._answers
        if compute not in answers:
            answers[compute] = compute(page)
        return answers[compute]  # type: ignore[return-value]

    def forget(page: Page) -> None:
        """Work it out again when next asked: what it read has changed since."""
        page._answers.pop(compute, None)

    once.forget = forget  # type: ignore[attr-defined]
    return once


# The tags the parts ask ``Page.tagged`` for on (nearly) every page.
_TAGS_READ_TOGETHER = ("body", "article", "main", "h1", "time", "script", "iframe", "mastodon-comments", "link",
                       "title", "input")
# What the page index's one walk finds besides (``walk.page_index``), each group in document
# order: each of those tags, the ``<meta>`` tags, the headings below ``<h1>`` (the bio's) and
# the Bluesky embeds' elements (their detector asks on every page).
_TAG_GROUPS = (*((tag,) for tag in _TAGS_READ_TOGETHER), ("meta",), ("h2", "h3", "h4", "h5", "h6"),
               ("bsky-comments", "blue-comments"))

# A branch of a whole-page query that finds nothing unless some element has attribute ``name``:
# ``//@name``, or ``//tag[@name]…`` and ``//tag[@name='value']…`` (its first test, which every
# node it finds passes).
_NEEDS_ATTRIBUTE = re.compile(r"//(?:@(?P<alone>[\w-]+)$|(?:[\w-]+|\*)\[@(?P<tested>[\w-]+)"
                              r"(?:\s*=\s*(?:'[^']*'|\"[^\"]*\"))?\])")


@lru_cache(maxsize=1024)
def _attributes_needed(query: str) -> tuple[str, ...] | None:
    """The attribute each branch of ``query`` (``a | b``) needs, where each needs one; else None."""
    names = []
    for branch in _branches(query):
        m = _NEEDS_ATTRIBUTE.match(branch.strip())
        if m is None:
            return None
        names.append(m.group("alone") or m.group("tested"))
    return tuple(names)


def _branches(query: str) -> list[str]:
    """``query`` split at each ``|`` outside brackets, parentheses and quotes."""
    branches, depth, quote, start = [], 0, "", 0
    for i, char in enumerate(query):
        if quote:
            quote = "" if char == quote else quote
        elif char in "'\"":
            quote = char
        elif char in "[(":
            depth += 1
        elif char in "])":
            depth -= 1
        elif char == "|" and depth == 0:
            branches.append(query[start:i])
            start = i + 1
    branches.append(query[start:])
    return branches


# -- what the page index's walk reads of every page ------------------------------------------
@dataclass(frozen=True)
class IndexReads:
    """What the page index's one walk (``walk.page_index``) reads of every page besides the tags
    read together: what the parts have asked for on any page, learnt as they ask (``classes``:
    class names; ``parts``: parts of themes' own class names, ``with_class_holding``;
    ``pairs``: (attribute, value) pairs; ``watched``: the attribute names whole-page queries
    have needed), and ``comment_walk_args``: the comment finder's reading of every page's
    attributes, ``walk.comment_walk``'s arguments. The walk makes element proxies only for the
    elements these find (most elements are never asked for). Replaced, never changed: a page
    keeps the one its walk read with, and so knows which of its lookups its index holds
    complete."""
    classes: frozenset[str] = frozenset()
    parts: frozenset[str] = frozenset()
    pairs: frozenset[tuple[str, str]] = frozenset()
    watched: tuple[str, ...] = ()
    comment_walk_args: tuple | None = None


_index_reads = IndexReads()  # the one registry: ``read_in_index`` adds to it
_MAX_WANTED = 4_096  # class names or parts learnt: the parts ask for about a hundred
_MAX_PAIRS = 256  # pairs learnt, as many as one walk compares: the parts ask for about thirty
_MAX_WATCHED = 64  # attribute names one walk looks for


def read_in_index(*, classes: Collection[str] = (), parts: Collection[str] = (),
                  pairs: Collection[tuple[str, str]] = (), watched: Collection[str] = (),
                  comment_walk_args: tuple | None = None) -> None:
    """The index walk of every page from the next on reads these too (``IndexReads``): lookups
    it did not find the elements for, attribute names a whole-page query needed, and the
    comment walk's arguments, which ``Page.comment_attributes`` then answers from the walk."""
    global _index_reads
    reads = _index_reads
    changes: dict[str, object] = {}
    if classes and len(reads.classes) < _MAX_WANTED:
        changes["classes"] = reads.classes.union(classes)
    if parts and len(reads.parts) < _MAX_WANTED:
        changes["parts"] = reads.parts.union(parts)
    if pairs and len(reads.pairs) + len(pairs) <= _MAX_PAIRS:
        changes["pairs"] = reads.pairs.union(pairs)
    if watched and len(reads.watched) + len(watched) <= _MAX_WATCHED:
        changes["watched"] = tuple(dict.fromkeys([*reads.watched, *watched]))
    if comment_walk_args is not None:
        changes["comment_walk_args"] = comment_walk_args
    if changes:
        _index_reads = replace(reads, **changes)


class Page:
    def __init__(self, root: html.HtmlElement, url: str):
        self.root = root
        self.url = url
        notes = parse_notes(root)
        self.truncated: list[str] = list(notes.truncated)  # why part of the page was not read
        # Elements were moved up out of markup nested too deep: ``markup_parent`` differs
        # from the tree's parent for some.
        self.unnested = notes.unnested
        self._tagged: dict[tuple[str, ...], list] = {}
        self._answers: dict[Callable, object] = {}  # what ``per_page`` functions worked out
        self._attributes_present: dict[str, bool] = {}  # attribute name → some element has it

    @cached_property
    def _unnested_ids(self) -> dict[str, etree._Element]:
        return {el.get(UNNESTED_ID): el for el in self.root.iterfind(f".//*[@{UNNESTED_ID}]")}

    def markup_parent(self, el: etree._Element) -> etree._Element | None:
        """``el``'s parent as the markup nests it: its parent in the tree, except for an element
        ``parse_html`` moved up out of markup nested too deep (``unnest_markup``)."""
        if self.unnested:
            ref = el.get(UNNESTED_PARENT)
            if ref is not None:
                parent = self._unnested_ids.get(ref)
                if parent is not None:
                    return parent
        return el.getparent()

    def markup_ancestors(self, el: etree._Element) -> Iterator[etree._Element]:
        """``el``'s ancestors as the markup nests them (``markup_parent``), nearest first."""
        return self._moved_ancestors(el) if self.unnested else el.iterancestors()

    def _moved_ancestors(self, el: etree._Element) -> Iterator[etree._Element]:
        node = self.markup_parent(el)
        while node is not None:
            yield node
            node = self.markup_parent(node)

    def xpath(self, query: str, node: etree._Element | None = None) -> list:
        if node is None and self._finds_nothing(query):
            return []  # what the query would find: the page has none of the attributes it needs
        return (self.root if node is None else node).xpath(query)

    def _finds_nothing(self, query: str) -> bool:
        """Every branch of the whole-page ``query`` needs an attribute no element of the page
        has (``//@data-bsky-uri``, ``//script[@data-repo]…``): most pages embed none of the
        comment systems whose markup is looked for. One walk of the attributes per name,
        where the query would walk every node of the page."""
        needed = _attributes_needed(query)
        if needed is None:
            return False
        self._index  # its walk finds the names asked on earlier pages
        known = self._attributes_present
        unknown = [name for name in needed if name not in known]
        if unknown:
            self._look_for_attributes(unknown)
        return not any(known[name] for name in needed)

    def _look_for_attributes(self, names: list[str]) -> None:
        """Whether some element has each attribute of ``names``, and of every name asked on
        earlier pages (they will be asked here too), in one walk (``walk.attributes_present``)."""
        known = self._attributes_present
        read_in_index(watched=names)
        asked = [name for name in dict.fromkeys([*names, *_index_reads.watched]) if name not in known]
        for name in asked:
            if not name.isascii():  # the one walk compares ASCII names
                known[name] = has_attribute(self.root, name)
        asked = [name for name in asked if name not in known]
        for start in range(0, len(asked), _MAX_WATCHED):
            batch = asked[start:start + _MAX_WATCHED]
            present = set(attributes_present(self.root, batch))
            known.update((name, name in present) for name in batch)

    def first(self, query: str, node: etree._Element | None = None):
        found = self.xpath(query, node)
        return found[0] if found else None

    @cached_property
    def _index(self) -> tuple[dict[str, list], dict[tuple[str, str], list], dict[int, int]]:
        """Class name → elements of the names first asked for on this page (filled as they
        are asked for), (attribute, value) → elements (the pairs asked for on earlier pages;
        more as asked) and document order, from one walk (``walk.page_index``, compiled where
        it could be built) that makes elements only for what was asked for on earlier pages:
        the parts look elements up here rather than each scanning the page. What is first asked
        for on this page is found by one more walk. Every list of elements in document order."""
        reads = _index_reads
        # What the walk kept whole: every element of these class names, parts and pairs.
        self._complete, self._complete_parts = reads.classes, reads.parts
        self._complete_pairs = set(reads.pairs)
        watched = tuple(name for name in reads.watched if name.isascii())
        self._comment_walked = reads.comment_walk_args
        held, positions, self._labels, pairs, groups, present, self._class_strings, *comment = page_index(
            self.root, tuple(self._complete_pairs), self._complete, tuple(self._complete_parts), _TAG_GROUPS,
            watched, reads.comment_walk_args)
        self._comment_attributes = comment[0] if comment else None
        self._tagged.update(zip(_TAG_GROUPS, groups))
        present = set(present)
        self._attributes_present.update((name, name in present) for name in watched)
        # Held for the page's lifetime: an id in ``order`` must never be reused by another proxy.
        self._held = held
        return {}, pairs, dict(zip(map(id, held), positions))

    def comment_attributes(self, comment_walk_args: tuple) -> tuple:
        """``walk.comment_walk(root, *comment_walk_args)``: read by the index's walk where these
        are the arguments it read with (``IndexReads.comment_walk_args``), else by a walk of its own."""
        self._index
        if self._comment_walked == comment_walk_args:
            return self._comment_attributes
        return comment_walk(self.root, *comment_walk_args)

    @cached_property
    def _kept_classes(self) -> dict[str, list]:
        """Class name → its elements in document order, over the class strings the index walk
        kept: every element of the names it kept whole (``_kept_whole``)."""
        order = self._index[2]
        by_name: dict[str, list[list]] = {}
        for label, elements in self._labels.items():  # an element is under its one class string
            for name in set(label.split()):
                by_name.setdefault(name, []).append(elements)
        return {name: groups[0] if len(groups) == 1
                else sorted((el for group in groups for el in group), key=lambda el: order[id(el)])
                for name, groups in by_name.items()}

    def _kept_whole(self, name: str) -> bool:
        """The index walk kept every class string holding the class ``name``."""
        return name in self._complete or any(part in name for part in self._complete_parts)

    def _class_groups(self, names: Collection[str], learn: bool) -> list:
        """The elements of each class name found on the page; names the walk did not keep found
        in one more walk (``walk.label_holders``). ``learn``: the index walks of the pages to
        come keep them."""
        kept = self._kept_classes
        if self._complete.issuperset(names):  # the names the parts ask for on every page
            return [kept[name] for name in names if name in kept]
        found = self._index[0]
        missing = [name for name in names if name not in found and not self._kept_whole(name)]
        if missing:
            self._find_classes(missing)
            if learn:
                read_in_index(classes=missing)
        return [found[name] if name in found else kept.get(name, ()) for name in names]

    def _find_classes(self, names: list[str]) -> None:
        """The elements of class ``names``, which the index walk did not keep: the class
        strings holding them found among the page's, their elements by one walk."""
        classes, _, order = self._index
        asked = set(names)
        holding: dict[str, list[str]] = {}  # class string → the names asked that it holds
        for name in names:
            classes[name] = []
        for label in self._class_strings:
            if any(name in label for name in names):  # a cheap test first: few class strings pass
                held = [name for name in dict.fromkeys(label.split()) if name in asked]
                if held:
                    holding[label] = held
        if not holding:
            return
        found, positions = label_holders(self.root, holding)
        self._held.extend(found)
        for el, position in zip(found, positions):
            order[id(el)] = position
            for name in holding[el.get("class")]:
                classes[name].append(el)

    def _find_pairs(self, pairs: list[tuple[str, str]]) -> None:
        """The elements of (attribute, value) ``pairs``, which the index walk did not look for,
        found by one walk (``walk.page_index`` asked for them alone)."""
        _, found, order = self._index
        held, positions, _, more, _, _, _ = page_index(self.root, pairs, frozenset(), (), (), ())
        self._held.extend(held)
        for el, position in zip(held, positions):
            order[id(el)] = position
        found.update(more)
        self._complete_pairs.update(pairs)

    @cached_property
    def _full_order(self) -> dict[int, int]:
        """Document order of every element, for the rare merge of unindexed elements."""
        self._elements = list(self.root.iter())  # keeps the proxies, so their ids stay unique
        return {id(el): position for position, el in enumerate(self._elements)}

    def in_order(self, groups) -> list:
        """The elements of ``groups`` (lists from the lookups below, each in document order and
        each element once), once each, in document order."""
        groups = [group for group in groups if group]
        if not groups:
            return []  # most lookups find nothing
        if len(groups) == 1:
            return list(groups[0])
        found = {id(el): el for group in groups for el in group}
        order = self._index[2]
        if any(key not in order for key in found):
            order = self._full_order
        return sorted(found.values(), key=lambda el: order[id(el)])

    def with_class(self, *names: str) -> list:
        """Elements carrying any of the class ``names``, in document order."""
        return self.in_order(self._class_groups(names, learn=True))

    def with_class_where(self, test: Callable[[str], bool]) -> list:
        """Elements carrying a class name that passes ``test``, in document order: every class
        name of the page is tested (``with_class_holding`` tests only the few holding a part)."""
        self._index
        names = dict.fromkeys(name for label in self._class_strings for name in label.split() if test(name))
        return self.in_order(self._class_groups(names, learn=False))  # the page's own names: not learnt

    def with_class_holding(self, *parts: str, where: Callable[[str], bool] | None = None) -> list:
        """Elements carrying a class name that holds one of ``parts`` (``"author-bio-box"``
        holds ``"author-bio"``; parts of no white space) and that ``where`` says yes to (any,
        without it), in document order: themes' own class names. The index walk keeps the
        class strings holding a part asked for on earlier pages: only those are searched."""
        self._index
        complete = self._complete_parts.issuperset(parts)
        if not complete:
            read_in_index(parts=parts)
        names = dict.fromkeys(
            name for label in (self._labels if complete else self._class_strings)
            if any(part in label for part in parts)
            for name in label.split() if any(part in name for part in parts) and (where is None or where(name)))
        return self.in_order(self._class_groups(names, learn=False))  # the page's own names: not learnt

    def with_attribute(self, name: str, *values: str) -> list:
        """Elements whose attribute ``name`` (one of ``id``, ``itemprop``, ``rel``, ``role``,
        ``property``, ``type``) equals one of ``values``, in document order; ``rel~`` matches
        one word of ``rel`` (``rel="category tag"``)."""
        found = self._index[1]
        if len(values) == 1:  # most lookups: one pair, nothing to merge
            pair = (name, values[0])
            if pair not in self._complete_pairs:
                self._find_pairs([pair])
                read_in_index(pairs=[pair])
            group = found.get(pair)
            return list(group) if group else []
        pairs = [(name, value) for value in values]
        if not self._complete_pairs.issuperset(pairs):
            missing = [pair for pair in pairs if pair not in self._complete_pairs]
            self._find_pairs(missing)
            read_in_index(pairs=missing)
        return self.in_order([found[pair] for pair in pairs if pair in found])

    def tagged(self, *tags: str) -> list:
        """Elements of ``tags``, in document order (libxml2 filters: no Python per element).
        Several parts ask for the same tags (``h1``, ``time``, ``body``): each is found once."""
        found = self._tagged.get(tags)
        if found is None:
            if tags in _TAG_GROUPS:
                # The tags every page is asked for: found by the page index's one walk.
                self._index
                found = self._tagged[tags]
            else:
                found = self._tagged[tags] = list(self.root.iter(*tags))
        return list(found)

    def everywhere(self, tag: str) -> list:
        """Elements of ``tag`` in the whole document, in document order, as the query ``//tag``
        finds them: ``tagged(tag)``, unless an element lies beside the root (markup after the
        parser's ``</html>``), where the query is asked."""
        return self.root.xpath(f"//{tag}") if self._beside_root else self.tagged(tag)

    @cached_property
    def _beside_root(self) -> bool:
        root = self.root
        return (next(root.itersiblings(etree.Element), None) is not None
                or next(root.itersiblings(etree.Element, preceding=True), None) is not None)

    @cached_property
    def meta(self) -> dict[str, str]:
        """<meta name|property|itemprop=...> content, first occurrence wins, keys lower-cased
        (``walk.meta_contents``, compiled where it could be built: each tag's attributes read
        once, where asking for each by name read them up to five times)."""
        return meta_contents(self.tagged("meta"))

    @cached_property
    def jsonld(self) -> list[dict]:
        out: list[dict] = []
        for script in self.with_attribute("type", "application/ld+json"):
            if script.tag != "script":
                continue
            try:
                _flatten_jsonld(json.loads(script.text or "", strict=False), out)
            except (ValueError, RecursionError):  # nested deeper than Python's parser goes
                continue  # broken JSON-LD is common; the markup still has the rest
        return out

    @cached_property
    def jsonld_by_id(self) -> dict[str, dict]:
        """JSON-LD nodes by ``@id``, to follow references such as ``"author": {"@id": ...}``."""
        return {str(o["@id"]): o for o in self.jsonld if o.get("@id") and len(o) > 1}

    @cached_property
    def site_name(self) -> str | None:
        return collapse(self.meta.get("og:site_name")) or None

    @cached_property
    def jsonld_article(self) -> dict | None:
        for obj in self.jsonld:
            if jsonld_types(obj) & ARTICLE_TYPES:
                return obj
        return None

    @cached_property
    def body_classes(self) -> set[str]:
        body = next(iter(self.tagged("body")), None)
        return set((body.get("class") or "").split()) if body is not None else set()

    @cached_property
    def language(self) -> str | None:
        lang = self.root.get("lang") or self.meta.get("og:locale") or self.meta.get("language")
        return collapse(lang).replace("_", "-") or None

    def link(self, rel: str, type_: str | None = None) -> str | None:
        for el in self.with_attribute("rel", rel):
            if el.tag == "link" and (type_ is None or el.get("type") == type_) and el.get("href") is not None:
                return el.get("href").strip() or None
        return None
