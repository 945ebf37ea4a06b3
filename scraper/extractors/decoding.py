"""Bytes to text, and binary data told apart from text.

A page is decoded by what it declares (BOM, Content-Type header, ``<meta charset>``); where the
result reads as mojibake, by what its bytes show: strict UTF-8, UTF-16 without a BOM, the
single-byte Cyrillic or Arabic code page whose letters are likeliest, else charset_normalizer's
best guess. An image or archive served as text/html is refused with what it is.
"""
from __future__ import annotations

import codecs
import math
import re
import unicodedata
from collections import Counter
from dataclasses import dataclass
from functools import lru_cache

from w3lib.encoding import html_body_declared_encoding, http_content_type_encoding, read_bom, to_unicode

from .errors import ExtractionError

# Bound the work per page. The crawler downloads at most DOWNLOAD_MAXSIZE (scraper/settings.py)
# and every byte it downloads is read; only larger input handed in directly is cut, and the
# result says so (``Page.truncated``).
MAX_HTML_BYTES = 64 * 1024 * 1024

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
    if len(head) < 64 or b"\x00" not in head:  # no NUL: no byte of the pairs is one
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


@dataclass(frozen=True)
class _Replacements:
    """U+FFFD in the text decoded as UTF-8 (``in_text``), and those the bytes held themselves
    (``in_data``): the difference is what decoding replaced. The bytes are only counted where
    the text holds any (none in the text: none in the bytes either)."""
    in_text: int
    in_data: int

    @classmethod
    def of(cls, text: str, data: bytes) -> _Replacements:
        # The test first: it stops at the first one, and most pages hold none.
        in_text = text.count("\ufffd") if "\ufffd" in text else 0
        return cls(in_text, data.count(b"\xef\xbf\xbd") if in_text else 0)


def _looks_misdecoded(data: bytes, replacements: _Replacements | None) -> bool:
    """Cheap test on the common path: UTF-8 (``replacements`` counted) that needed many
    replacements, or a legacy charset (None) on a page that uses bytes beyond ASCII (only then
    can the declaration be wrong)."""
    if replacements is not None:
        return replacements.in_text - replacements.in_data >= 8
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


def _declared_text(content_type: str | None, data: bytes) -> tuple[str, str]:
    """The charset the page declares (BOM, Content-Type header, ``<meta charset>``), else
    UTF-8, and the text read with it (U+FFFD for bytes it cannot read). What the bytes show is
    ``decode_for_parsing``'s to weigh: w3lib's ``html_to_unicode`` guesses from them itself
    since w3lib 2.6 (cp1252 for UTF-8 with one stray byte), which would skip that weighing."""
    bom_encoding, bom = read_bom(data)
    if bom_encoding is not None and bom is not None:
        return bom_encoding, to_unicode(data[len(bom):], bom_encoding)
    encoding = http_content_type_encoding(content_type) or html_body_declared_encoding(data)
    if encoding is None:
        encoding = "utf-8"
    elif encoding in ("utf-16", "utf-32"):  # declared without a byte order: big-endian
        encoding += "-be"
    return encoding, to_unicode(data, encoding)


def decode_html(data: bytes, content_type: str | None = None) -> str:
    """Bytes to text: by BOM, Content-Type header, ``<meta charset>``, else UTF-8; when the
    result reads as mojibake (a wrong or missing declaration), by what the bytes show.

    Raises ``ExtractionError`` for binary data (an image or archive served as text/html).
    """
    return decode_for_parsing(data, content_type)[0]




def decode_for_parsing(data: bytes, content_type: str | None) -> tuple[str, bool]:
    """``decode_html``'s text, and whether its UTF-8 bytes are ``data`` itself: a page sent
    in UTF-8, cut nowhere, with no byte replaced (the parser then reads ``data`` as it came)."""
    whole = len(data) <= MAX_HTML_BYTES
    data = data[:MAX_HTML_BYTES]
    reason = binary_reason(data)
    if reason:
        raise ExtractionError(f"not an HTML page: the body is {reason}")
    utf16 = _utf16_order(data[:_SAMPLE])
    if utf16 and read_bom(data)[0] is None:
        return data.decode(utf16, "replace"), False
    encoding, text = _declared_text(content_type, data)
    utf8 = codecs.lookup(encoding).name == "utf-8"
    replacements = _Replacements.of(text, data) if utf8 else None
    if _looks_misdecoded(data, replacements):
        redecoded = _redecode(data, encoding)
        if redecoded is not None:
            return redecoded, False
    # Every byte that is not UTF-8 becomes a U+FFFD; none did where the counts agree.
    itself = (whole and replacements is not None and not data.startswith(codecs.BOM_UTF8)
              and replacements.in_text == replacements.in_data)
    return text, itself
