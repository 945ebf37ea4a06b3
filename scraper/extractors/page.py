"""A parsed page: the lxml tree plus the lookups every extractor part shares (meta tags, JSON-LD,
body classes). Built once per page; extractors never parse again."""
from __future__ import annotations

import codecs
import json
import re
from collections.abc import Callable
from functools import cached_property, wraps
from typing import TypeVar

from lxml import etree, html
from w3lib.encoding import html_to_unicode, read_bom

from ..text import collapse
from .streaming import place_streamed_segments
from .walk import index_walk

MAX_HTML_BYTES = 20_000_000  # bound the work per page: parsing past this gains nothing
# Real pages nest a few dozen levels. Deeper markup is flattened into its ancestor at this depth,
# so that no tree walk of any extractor part recurses without bound (text stays, tags go).
MAX_DEPTH = 200
_AT_MAX_DEPTH = etree.XPath("/*" * MAX_DEPTH)


class ExtractionError(ValueError):
    """The input cannot be read as an HTML page; the message says why (binary data, ...)."""


def cls(name: str) -> str:
    """XPath predicate: the element has CSS class ``name``.

    The cheap substring test runs first, so the costly token test (which builds a string per
    element) only runs on the few elements that can match.
    """
    return (f"(contains(@class, '{name}') and "
            f"contains(concat(' ', normalize-space(@class), ' '), ' {name} '))")


_MAGIC = (
    (b"\x89PNG", "a PNG image"), (b"GIF8", "a GIF image"), (b"\xff\xd8\xff", "a JPEG image"),
    (b"%PDF", "a PDF document"), (b"PK\x03\x04", "a ZIP archive"), (b"\x1f\x8b", "gzip data"),
    (b"RIFF", "RIFF media (WebP, WAV, AVI)"), (b"OggS", "Ogg media"), (b"ID3", "MP3 audio"),
    (b"\x7fELF", "an executable"), (b"wOFF", "a web font"), (b"wOF2", "a web font"),
)
# Control bytes that text in any ASCII-compatible charset never holds.
_CONTROL = bytes(c for c in range(32) if c not in b"\t\n\x0b\x0c\r\x1b")
_SAMPLE = 8192
_MAX_CONTROL_SHARE = 0.05  # a stray NUL in a page is damage; one byte in twenty is not text
_TAGS = re.compile(rb"<script.*?</script>|<style.*?</style>|<[^>]*>", re.S | re.I)
_SNIFF_BYTES = 65536
_MESS_OK = 0.2  # charset_normalizer's own threshold for "reads as text"


def _utf16_order(head: bytes) -> str | None:
    """``utf-16-le``/``-be`` for UTF-16 text (with or without a BOM): every other byte NUL."""
    if len(head) < 64:
        return None
    even, odd = head[0::2], head[1::2]
    if odd.count(0) > 0.9 * len(odd) and even.count(0) < 0.1 * len(even):
        return "utf-16-le"
    if even.count(0) > 0.9 * len(even) and odd.count(0) < 0.1 * len(odd):
        return "utf-16-be"
    return None


def binary_reason(data: bytes) -> str | None:
    """What ``data`` is when it is not text (``"a PNG image"``, ``"binary data"``), else None.

    Looks at the first 8 KiB only: magic numbers, then the share of control bytes."""
    head = data[:_SAMPLE]
    for magic, what in _MAGIC:
        if head.startswith(magic):
            return what
    if _utf16_order(head):
        return None
    control = len(head) - len(head.translate(None, _CONTROL))
    return "binary data" if control > _MAX_CONTROL_SHARE * len(head) else None


def _looks_misdecoded(data: bytes, encoding: str, text: str) -> bool:
    """Cheap test on the common path: UTF-8 that needed many replacements, or a legacy charset
    on a page that uses bytes beyond ASCII (only then can the declaration be wrong)."""
    if codecs.lookup(encoding).name == "utf-8":
        return text.count("\ufffd") - data.count(b"\xef\xbf\xbd") >= 8
    return not data.isascii()


def _redecode(data: bytes, declared: str) -> str | None:
    """The page decoded with the charset its bytes show, when the declared one reads as
    mojibake; None to keep the declared one."""
    try:
        return data.decode("utf-8")  # strict UTF-8 success on non-ASCII bytes is near proof
    except UnicodeDecodeError:
        pass
    from charset_normalizer import from_bytes
    from charset_normalizer.md import mess_ratio

    sample = _TAGS.sub(b" ", data[:_SNIFF_BYTES])  # the text only: markup dilutes the statistics
    declared = codecs.lookup(declared).name
    # Replacement characters are no "mess" to charset_normalizer: UTF-8 that needed many of
    # them (``_looks_misdecoded``) is wrong whatever its score.
    current = float("inf") if declared == "utf-8" else mess_ratio(sample.decode(declared, "replace"))
    if current < _MESS_OK:
        return None
    best = from_bytes(sample).best()
    if best is None or best.encoding == declared or min(current, _MESS_OK) <= mess_ratio(str(best)):
        return None
    return data.decode(best.encoding, "replace")


def decode_html(data: bytes, content_type: str | None = None) -> str:
    """Bytes to text: by BOM, Content-Type header, ``<meta charset>``, else UTF-8; when the
    result reads as mojibake (a wrong or missing declaration), by what the bytes show.

    Raises ``ExtractionError`` for binary data (an image or archive served as text/html).
    """
    return _decoded(data, content_type)[0]


def _replaced_none(text: str, data: bytes) -> bool:
    replacements = text.count("\ufffd")  # none: then ``data`` held no U+FFFD of its own either
    return replacements == 0 or replacements == data.count(b"\xef\xbf\xbd")


def _decoded(data: bytes, content_type: str | None) -> tuple[str, bool]:
    """``decode_html``'s text, and whether its UTF-8 bytes are ``data`` itself: a page sent
    in UTF-8, cut nowhere, with no byte replaced."""
    whole = len(data) <= MAX_HTML_BYTES
    data = data[:MAX_HTML_BYTES]
    reason = binary_reason(data)
    if reason:
        raise ExtractionError(f"not an HTML page: the body is {reason}")
    utf16 = _utf16_order(data[:_SAMPLE])
    if utf16 and read_bom(data)[0] is None:
        return data.decode(utf16, "replace"), False
    encoding, text = html_to_unicode(content_type, data)
    if _looks_misdecoded(data, encoding, text):
        redecoded = _redecode(data, encoding)
        if redecoded is not None:
            return redecoded, False
    # Every byte that is not UTF-8 becomes a U+FFFD; none did where the counts agree.
    itself = (whole and codecs.lookup(encoding).name == "utf-8" and not data.startswith(codecs.BOM_UTF8)
              and _replaced_none(text, data))
    return text, itself


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


def parse_html(document: str | bytes, content_type: str | None = None) -> html.HtmlElement:
    """Decode (``decode_html``) and parse leniently into lxml; NUL bytes are dropped and
    markup nested deeper than ``MAX_DEPTH`` is flattened. Raises ``ExtractionError`` for
    binary input."""
    utf8 = None
    if isinstance(document, bytes):
        raw = document
        document, itself = _decoded(raw, content_type)
        # The bytes as they came, where encoding the text again would give them back.
        utf8 = raw if itself and b"\x00" not in raw else None
    text = document[:MAX_HTML_BYTES].replace("\x00", "")  # libxml2 ends the document at a NUL
    parser = etree.HTMLParser(recover=True, encoding="utf-8", huge_tree=True)
    # Every element an HtmlElement (text_content() and kin) chosen in C: lxml.html's own
    # lookup calls Python for each element proxy, a twentieth of the extraction's time.
    parser.set_element_class_lookup(_HTML_CLASSES)
    try:
        root = html.document_fromstring(utf8 or text.encode("utf-8", "replace"), parser=parser)
    except (etree.ParserError, ValueError):
        root = None
    if root is None:
        return html.document_fromstring("<html><body></body></html>")
    _adopt_strays(root)
    if "<template" in text:
        place_streamed_segments(root)
    _flatten_deep(root)
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
    ``published_raw`` and the page's UTC offset all read the date)."""
    @wraps(compute)
    def once(page: Page) -> T:
        answers = page._answers
        if compute not in answers:
            answers[compute] = compute(page)
        return answers[compute]  # type: ignore[return-value]
    return once


# The attributes besides the class that the page index looks elements up by.
_INDEXED_ATTRIBUTES = frozenset({"id", "itemprop", "rel", "role", "property", "type"})


class Page:
    def __init__(self, root: html.HtmlElement, url: str):
        self.root = root
        self.url = url
        self._tagged: dict[tuple[str, ...], list] = {}
        self._answers: dict[Callable, object] = {}  # what ``per_page`` functions worked out

    def xpath(self, query: str, node: etree._Element | None = None) -> list:
        return (self.root if node is None else node).xpath(query)

    def first(self, query: str, node: etree._Element | None = None):
        found = self.xpath(query, node)
        return found[0] if found else None

    @cached_property
    def _index(self) -> tuple[dict[str, list], dict[tuple[str, str], list], dict[int, int]]:
        """Class name → elements, (attribute, value) → elements and document order, built in
        one walk (``walk.index_walk``, compiled where it could be built): the parts look elements
        up here rather than each scanning the page."""
        # Held for the page's lifetime: an id in ``order`` must never be reused by another proxy.
        held, labels, attributes = self._indexed = index_walk(self.root, _INDEXED_ATTRIBUTES)
        order = dict(zip(map(id, held), range(len(held))))
        classes: dict[str, list] = {}
        for label, group in labels.items():
            for token in label.split():
                known = classes.get(token)
                if known is None:
                    classes[token] = group[:]  # a copy: the next label's elements join it
                else:
                    known.extend(group)
        return classes, attributes, order

    @cached_property
    def _full_order(self) -> dict[int, int]:
        """Document order of every element, for the rare merge of unindexed elements."""
        self._elements = list(self.root.iter())  # keeps the proxies, so their ids stay unique
        return {id(el): position for position, el in enumerate(self._elements)}

    def in_order(self, groups) -> list:
        """The elements of ``groups`` (lists from the lookups below), once each, in document order."""
        found = {id(el): el for group in groups for el in group}
        order = self._index[2]
        if any(key not in order for key in found):
            order = self._full_order
        return sorted(found.values(), key=lambda el: order[id(el)])

    def with_class(self, *names: str) -> list:
        """Elements carrying any of the class ``names``, in document order."""
        classes = self._index[0]
        return self.in_order(classes.get(name, ()) for name in names)

    def with_class_where(self, test: Callable[[str], bool]) -> list:
        """Elements carrying a class name that passes ``test`` (``"author-bio-box"`` for a
        test looking for ``"author-bio"``), in document order: themes' own class names."""
        return self.with_class(*(name for name in self._index[0] if test(name)))

    def with_attribute(self, name: str, *values: str) -> list:
        """Elements whose attribute ``name`` (one of ``id``, ``itemprop``, ``rel``, ``role``,
        ``property``, ``type``) equals one of ``values``, in document order; ``rel~`` matches
        one word of ``rel`` (``rel="category tag"``)."""
        attributes = self._index[1]
        return self.in_order(attributes.get((name, value), ()) for value in values)

    def tagged(self, *tags: str) -> list:
        """Elements of ``tags``, in document order (libxml2 filters: no Python per element).
        Several parts ask for the same tags (``h1``, ``time``, ``body``): each is found once."""
        found = self._tagged.get(tags)
        if found is None:
            found = self._tagged[tags] = list(self.root.iter(*tags))
        return list(found)

    @cached_property
    def meta(self) -> dict[str, str]:
        """<meta name|property|itemprop=...> content, first occurrence wins, keys lower-cased."""
        out: dict[str, str] = {}
        for m in self.root.iter("meta"):
            key = m.get("property") or m.get("name") or m.get("itemprop")
            if key and m.get("content") is not None:
                out.setdefault(key.lower(), m.get("content"))
        return out

    @cached_property
    def jsonld(self) -> list[dict]:
        out: list[dict] = []
        for script in self.with_attribute("type", "application/ld+json"):
            if script.tag != "script":
                continue
            try:
                _flatten_jsonld(json.loads(script.text or "", strict=False), out)
            except ValueError:
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
