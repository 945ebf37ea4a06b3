"""A parsed page: the lxml tree plus the lookups every extractor part shares (meta tags, JSON-LD,
body classes). Built once per page; extractors never parse again."""
from __future__ import annotations

import codecs
import json
import math
import re
import unicodedata
import weakref
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from functools import cached_property, lru_cache, wraps
from typing import TypeVar

from lxml import etree, html
from w3lib.encoding import html_to_unicode, read_bom

from ..text import collapse
from .streaming import place_streamed_segments
from .walk import index_walk

# Bound the work per page. The crawler downloads at most DOWNLOAD_MAXSIZE (scraper/settings.py)
# and every byte it downloads is read; only larger input handed in directly is cut, and the
# result says so (``Page.truncated``).
MAX_HTML_BYTES = 64 * 1024 * 1024
# Real pages nest a few dozen levels. A page parsed deeper than MAX_DEPTH is parsed again from
# its markup unnested past UNNEST_DEPTH (``unnest_markup``: every element and every character
# kept); anything still deeper is flattened into its ancestor at MAX_DEPTH (text stays, tags
# go), so that no tree walk of any extractor part recurses without bound.
MAX_DEPTH = 200
UNNEST_DEPTH = 100
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


# -- single-byte code pages whose every high byte is a letter --------------------------------
# Cyrillic or Arabic text read with another Cyrillic or Arabic code page comes out as letters
# too, so it looks like text to charset_normalizer's mess ratio: KOI8-R read as windows-1251 is
# Cyrillic with the case of every letter turned round ("бТИЙЧ ВМПЗБ"). What tells the code
# pages apart is which letters the text uses, and how often: each candidate's reading is scored
# by how often its letters occur in the script's running text.
_LETTER_PAGES = {"cp1251": "cyrillic", "koi8-r": "cyrillic", "koi8-u": "cyrillic",
                 "iso8859-5": "cyrillic", "cp866": "cyrillic",
                 "cp1256": "arabic", "iso8859-6": "arabic"}
# Letters per thousand letters of running text (Russian; Modern Standard Arabic). Letters of the
# other languages written in the script (Ukrainian "і", Serbian "ђ", Persian "پ") get ``_RARE``:
# their pages are read with the same code pages and must not lose to a wrong one.
_LETTER_FREQUENCIES = {
    "cyrillic": "о110 е85 а80 и74 н67 т63 с55 р47 в45 л44 к35 м32 д30 п28 у26 я20 ы19 ь17 г17 "
                "з17 б16 ч14 й12 х10 ж9 ш7 ю6 ц5 щ4 э3 ф3 ъ0.4 ё0.4",
    "arabic": "ا130 ل110 ي75 م62 و60 ن58 ر46 ه43 ت42 ب39 ع36 ة30 د29 ف26 ق25 أ23 س23 ك20 ح19 ج13 "
              "إ10 ى10 ش9 ص9 ط8 خ8 ض5 ز5 ث5 غ4 ذ4 ئ3 ظ2 ؤ2 آ2 ء2",
}
_SCRIPT_OF = {"cyrillic": "CYRILLIC", "arabic": "ARABIC"}
_RARE = 3.0            # per mille: a letter of the script the table does not list
_CAPITAL = 0.04        # capitals are about one letter in twenty-five of running text
_OTHER_LETTER = 5.0    # per mille: a Latin letter ("é" in a French quote on an Arabic page)
_PUNCTUATION = 10.0    # per mille: no-break space, « », dashes, typographic quotes, "№"
_NOISE = 0.1           # per mille: box drawing, controls, symbols, undefined bytes
_MIN_LETTER_BYTES = 16  # fewer high bytes than this say too little to overrule a declaration
_LETTER_MARGIN = 1.0   # mean log-likelihood per high byte (nats) another code page must win by
_ASCII = bytes(range(128))


@lru_cache(maxsize=None)
def _letter_frequencies(script: str) -> dict[str, float]:
    return {item[0]: float(item[1:]) for item in _LETTER_FREQUENCIES[script].split()}


def _char_weight(char: str, script: str) -> float:
    """Log of how often (per mille) ``char`` occurs in running text of ``script``."""
    category = unicodedata.category(char)
    if category[0] == "L" or category == "Mn":
        name = unicodedata.name(char, "")
        lower = char.lower()
        if name.startswith(_SCRIPT_OF[script]):
            per_mille = _letter_frequencies(script).get(lower, _RARE)
        elif name.startswith("LATIN"):
            per_mille = _OTHER_LETTER
        else:
            per_mille = _NOISE
        return math.log(per_mille * (_CAPITAL if char != lower else 1.0))
    if category[0] in "PZ" or char == "№":
        return math.log(_PUNCTUATION)
    return math.log(_NOISE)


@lru_cache(maxsize=None)
def _byte_weights(codepage: str) -> tuple[float, ...]:
    """Per byte 0x80-0xFF: the weight of the character ``codepage`` reads it as."""
    script = _LETTER_PAGES[codepage]
    return tuple(_char_weight(bytes([b]).decode(codepage, "replace"), script) for b in range(128, 256))


def _letter_code_page(sample: bytes, declared: str) -> str | None:
    """The single-byte Cyrillic or Arabic code page whose reading of ``sample`` (text, no markup)
    has by far the likeliest letters, where that is not ``declared``; else None."""
    high = Counter(sample.translate(None, _ASCII))
    total = sum(high.values())
    if total < _MIN_LETTER_BYTES:
        return None
    scores = {}
    for codepage in _LETTER_PAGES:
        weights = _byte_weights(codepage)
        scores[codepage] = sum(weights[byte - 128] * n for byte, n in high.items()) / total
    best = max(scores, key=scores.get)
    return best if best != declared and scores[best] - scores[declared] >= _LETTER_MARGIN else None


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
    if declared in _LETTER_PAGES:
        letters = _letter_code_page(sample, declared)
        if letters is not None:
            return data.decode(letters, "replace")
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


def _cut_reason(size: int, unit: str) -> str:
    return f"body cut: the page is {size:,} {unit}, only the first {MAX_HTML_BYTES:,} were read"


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


# -- markup nested too deep to keep ---------------------------------------------------------------
# libxml2 stops reading a document at 2048 open elements and drops everything after that point;
# the extractor parts walk trees of bounded depth. Markup that nests deeper than that is nearly
# always one structure repeated: a reply chain (``li.comment > ol.children > li.comment …``) or
# boxes in boxes. ``unnest_markup`` moves each repeated element up to where the repetition
# began, closing its ancestors just before it: every element and every character stays, once,
# in document order, and each moved element names the element that was its parent in the
# markup (``UNNESTED_PARENT`` → ``UNNESTED_ID``; ``Page.markup_parent`` follows it), so the
# comment thread keeps its true parents and depths.
UNNESTED_PARENT = "data-unnested-parent"
UNNESTED_ID = "data-unnested-id"
_UNNEST_HARD_DEPTH = 160  # past this any element moves up, repeated or not
_MIN_REPEATS = 3          # a structure repeated fewer times along the path is no chain
_MARKUP = re.compile(r"<!--.*?(?:-->|\Z)|<![^>]*>?|<\?[^>]*>?"
                     r"|<(/?)([A-Za-z][^\s/>]*)((?:[^>\"']|\"[^\"]*\"|'[^']*')*)>", re.S)
_CLASS_ATTRIBUTE = re.compile(r"""(?:^|\s)class\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s"'>]+))""", re.I)
_DIGITS = re.compile(r"\d+")
# Elements whose content is text to the parser, never markup.
_RAW_TEXT = frozenset({"script", "style", "textarea", "title", "xmp", "iframe", "noembed", "noframes",
                       "plaintext"})
_VOID = frozenset({"area", "base", "basefont", "bgsound", "br", "col", "embed", "frame", "hr", "img",
                   "input", "keygen", "link", "meta", "param", "source", "track", "wbr"})
# An open <p> ends where one of these starts, as the parser ends it.
_ENDS_P = frozenset({"address", "article", "aside", "blockquote", "details", "dialog", "div", "dl",
                     "fieldset", "figcaption", "figure", "footer", "form", "h1", "h2", "h3", "h4", "h5",
                     "h6", "header", "hgroup", "main", "menu", "nav", "ol", "p", "pre", "section",
                     "table", "ul", "li", "dd", "dt"})
# Elements that end an open sibling of theirs: a new <li> ends the <li> before it.
_ENDS_SIBLING = {"li": ("li",), "dt": ("dt", "dd"), "dd": ("dt", "dd"), "option": ("option",),
                 "tr": ("td", "th", "tr"), "td": ("td", "th"), "th": ("td", "th")}


class _OpenElement:
    """An element the markup has opened and not yet closed, and whether the output has."""
    __slots__ = ("tag", "attributes", "piece", "name_end", "in_output", "anchor", "_signature")

    def __init__(self, tag: str, attributes: str, piece: int, name_end: int):
        self.tag, self.attributes, self.piece, self.name_end = tag, attributes, piece, name_end
        self.in_output = True
        self.anchor: str | None = None
        self._signature: tuple[str, str] | None = None

    @property
    def signature(self) -> tuple[str, str]:
        """Tag and first class name without its numbers: what stays the same from one level of
        a repeated structure to the next (``li`` ``comment``, while ``depth-7`` changes)."""
        if self._signature is None:
            m = _CLASS_ATTRIBUTE.search(self.attributes)
            names = next((g for g in m.groups() if g is not None), "").split() if m else []
            self._signature = (self.tag, _DIGITS.sub("", names[0]) if names else "")
        return self._signature


def _repetition(path: list[_OpenElement]) -> tuple[tuple[str, str], int] | None:
    """The structure repeated most often along ``path`` (the open elements, outermost first) and
    the position of its outermost element; None where nothing repeats."""
    counts = Counter(el.signature for el in path[2:])  # never html or body
    if not counts:
        return None
    most = max(counts.values())
    if most < _MIN_REPEATS:
        return None
    position = next(i for i in range(2, len(path)) if counts[path[i].signature] == most)
    return path[position].signature, position


def unnest_markup(text: str) -> tuple[str, bool]:
    """``text`` with no element nested deeper than about ``UNNEST_DEPTH``, and whether any
    element moved.

    Once a path of open elements reaches ``UNNEST_DEPTH``, the structure repeated most along it
    is the chain; from then on each element of that structure opened inside the chain's first
    element moves up beside it, and past ``_UNNEST_HARD_DEPTH`` any element moves up. A moved
    element's former ancestors are closed just before it, and their own end tags dropped later.
    """
    pieces: list[str] = []
    stack: list[_OpenElement] = []   # open in the markup, outermost first
    path: list[_OpenElement] = []    # of those, the ones still open in the output
    open_tags: Counter = Counter()   # tag → how many of ``stack`` have it
    chain: tuple[str, str] | None = None  # the repeated structure, while its place is open
    chain_at = 0  # position in ``path`` of the chain's outermost element
    looked_at = 0  # length of ``path`` when the chain was last looked for: not again each tag
    anchors = 0
    moved = False

    def pop() -> None:
        nonlocal chain
        el = stack.pop()
        open_tags[el.tag] -= 1
        if el.in_output:
            pieces.append(f"</{el.tag}>")
            path.pop()
            if len(path) < chain_at:
                chain = None  # the element the chain hangs from is closed

    def anchor_of(el: _OpenElement) -> str:
        nonlocal anchors
        if el.anchor is None:
            anchors += 1
            el.anchor = str(anchors)
            start = pieces[el.piece]
            pieces[el.piece] = f'{start[:el.name_end]} {UNNESTED_ID}="{el.anchor}"{start[el.name_end:]}'
        return el.anchor

    position, end = 0, len(text)
    while position < end:
        m = _MARKUP.search(text, position)
        if m is None:
            pieces.append(text[position:])
            break
        pieces.append(text[position:m.start()])
        position = m.end()
        name = m.group(2)
        if name is None:  # a comment, doctype or processing instruction
            pieces.append(m.group(0))
            continue
        tag = name.lower()
        if m.group(1):  # an end tag
            if open_tags[tag]:
                while stack[-1].tag != tag:
                    pop()
                pop()
            else:
                pieces.append(m.group(0))  # a stray: the parser's to judge
            continue
        attributes = m.group(3)
        if stack and stack[-1].tag == "p" and tag in _ENDS_P:
            pop()
        while stack and stack[-1].tag in _ENDS_SIBLING.get(tag, ()):
            pop()
        start = m.group(0)
        if tag in _VOID or attributes.rstrip().endswith("/"):
            pieces.append(start)
            continue
        el = _OpenElement(tag, attributes, 0, 1 + len(name))
        if len(path) >= UNNEST_DEPTH and abs(len(path) - looked_at) >= 16:
            found = _repetition(path)
            looked_at = len(path)
            if found is not None:
                chain, chain_at = found
        target = None
        if chain is not None and el.signature == chain and len(path) > chain_at:
            target = chain_at  # beside the chain's outermost element
        elif len(path) >= _UNNEST_HARD_DEPTH:
            target = UNNEST_DEPTH // 2
            if target < chain_at:
                chain = None  # its element is closed now
        if target is not None:
            for closed in reversed(path[target:]):
                pieces.append(f"</{closed.tag}>")
                closed.in_output = False
            del path[target:]
        parent = stack[-1] if stack else None
        if parent is not None and not parent.in_output:
            start = f'{start[:el.name_end]} {UNNESTED_PARENT}="{anchor_of(parent)}"{start[el.name_end:]}'
            moved = True
        el.piece = len(pieces)
        pieces.append(start)
        stack.append(el)
        path.append(el)
        open_tags[tag] += 1
        if tag in _RAW_TEXT:  # up to its end tag, which comes next as an ordinary end tag
            close = re.compile(rf"</{re.escape(tag)}[\s/>]", re.I).search(text, position)
            stop = close.start() if close else end
            pieces.append(text[position:stop])
            position = stop
    return "".join(pieces), moved


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


def _finish(root: html.HtmlElement, text: str) -> None:
    _adopt_strays(root)
    if "<template" in text:
        place_streamed_segments(root)


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
        document, itself = _decoded(raw, content_type)
        # The bytes as they came, where encoding the text again would give them back.
        utf8 = raw if itself and b"\x00" not in raw else None
    elif len(document) > MAX_HTML_BYTES:
        notes.truncated.append(_cut_reason(len(document), "characters"))
    text = document[:MAX_HTML_BYTES].replace("\x00", "")  # libxml2 ends the document at a NUL
    root, too_deep = _parse(utf8 or text.encode("utf-8", "replace"))
    if root is None:
        root = html.document_fromstring("<html><body></body></html>")
        _NOTES[root] = notes
        return root
    _finish(root, text)
    if too_deep or _AT_MAX_DEPTH(root):
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
        notes = parse_notes(root)
        self.truncated: list[str] = list(notes.truncated)  # why part of the page was not read
        # Elements were moved up out of markup nested too deep: ``markup_parent`` differs
        # from the tree's parent for some.
        self.unnested = notes.unnested
        self._tagged: dict[tuple[str, ...], list] = {}
        self._answers: dict[Callable, object] = {}  # what ``per_page`` functions worked out

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
