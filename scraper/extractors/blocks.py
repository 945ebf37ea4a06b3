"""A second, independent way to find the main text: every text block of the page classified
on its own, jusText-style, by its length, its link density and the share of its words that
are stopwords of the page's language. It knows nothing of class names or containers, so it
fails where the container scoring does not, and the arbiter (``arbiter.py``) can tell when the
container scoring picked the wrong block.

The blocks are the ones the body analysis (``body.py``) already read in its one walk over the
page (paragraphs, list items, headings, cells, divs holding prose of their own, 25 characters
or more), so the page's text is read once; the stoplists are jusText's.
"""
from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache

from lxml import etree

from .body import TextBlock


_HEADINGS = frozenset({"h1", "h2", "h3", "h4", "h5", "h6"})
_WORDS = re.compile(r"\w+")

# jusText's parameters (Pomikálek 2011), unchanged: they were set on other pages than ours.
LENGTH_LOW = 70
LENGTH_HIGH = 200
STOPWORDS_LOW = 0.30
STOPWORDS_HIGH = 0.32
MAX_LINK_DENSITY = 0.2
MAX_HEADING_DISTANCE = 200

# The page's language code (``<html lang>``) → jusText's stoplist name.
_STOPLIST_NAMES = {
    "af": "Afrikaans", "ar": "Arabic", "bg": "Bulgarian", "bn": "Bengali", "ca": "Catalan", "cs": "Czech",
    "cy": "Welsh", "da": "Danish", "de": "German", "el": "Greek", "en": "English", "es": "Spanish",
    "et": "Estonian", "eu": "Basque", "fa": "Persian", "fi": "Finnish", "fr": "French", "ga": "Irish",
    "gl": "Galician", "he": "Hebrew", "hi": "Hindi", "hr": "Croatian", "hu": "Hungarian", "id": "Indonesian",
    "is": "Icelandic", "it": "Italian", "ko": "Korean", "lt": "Lithuanian", "lv": "Latvian",
    "mk": "Macedonian", "ms": "Malay", "nb": "Norwegian_Bokmal", "nl": "Dutch", "nn": "Norwegian_Nynorsk",
    "no": "Norwegian_Bokmal", "pl": "Polish", "pt": "Portuguese", "ro": "Romanian", "ru": "Russian",
    "sk": "Slovak", "sl": "Slovenian", "sq": "Albanian", "sr": "Serbian", "sv": "Swedish", "sw": "Swahili",
    "ta": "Tamil", "te": "Telugu", "tl": "Tagalog", "tr": "Turkish", "uk": "Ukrainian", "ur": "Urdu",
    "vi": "Vietnamese",
}


@dataclass
class Block:
    """One text block: its text, how much of it is link text, the element that holds it."""
    text: str
    link_chars: int
    element: etree._Element
    heading: bool
    stopword_density: float = 0.0
    kind: str = "bad"  # good, near-good, short or bad; after context, good or bad

    @property
    def link_density(self) -> float:
        return self.link_chars / len(self.text) if self.text else 1.0


@lru_cache(maxsize=None)
def stoplist(name: str) -> frozenset[str]:
    import justext  # only its stoplists: the page is never parsed again
    return frozenset(justext.get_stoplist(name))


@lru_cache(maxsize=1)
def _all_stoplists() -> dict[str, frozenset[str]]:
    import justext
    return {name: stoplist(name) for name in justext.get_stoplists()}


def stopwords_for(language: str | None, words: Counter) -> frozenset[str]:
    """The stoplist of the page's declared language, else of the language whose stopwords its
    most frequent words are (a page without ``lang``, or with a wrong one: the words tell)."""
    name = _STOPLIST_NAMES.get((language or "").split("-")[0].split("_")[0].lower())
    if name:
        listed = stoplist(name)
        top = [w for w, _ in words.most_common(50)]
        if not top or sum(w in listed for w in top) >= 5:
            return listed
    top = [w for w, _ in words.most_common(100)]
    if not top:
        return frozenset()
    best = max(_all_stoplists().items(), key=lambda item: sum(w in item[1] for w in top))
    return best[1]


def page_blocks(text_blocks: list[TextBlock], skip: Callable[[TextBlock], bool] = lambda block: False) -> list[Block]:
    """The body analysis's text blocks, in document order, as Blocks; a block whose text its
    predecessor holds whole (a <p> in an <li>) is read once, and blocks ``skip`` names are
    left out."""
    found: list[Block] = []
    previous = ""
    for block in text_blocks:
        if skip(block):
            continue
        text = " ".join(block.text.split())
        if text and text in previous:
            continue
        found.append(Block(text, min(block.link_chars, len(text)), block.element, block.element.tag in _HEADINGS))
        previous = text
    return found


def classify(blocks: list[Block], stopwords: frozenset[str]) -> list[Block]:
    """jusText's two steps: each block on its own (context-free), then short and near-good
    blocks by the good or bad blocks around them."""
    for block in blocks:
        if _needs_stopwords(block):  # only a long block without many links is judged by them
            words = block.text.lower().split()  # jusText's words: split at spaces
            block.stopword_density = (sum(map(stopwords.__contains__, words)) / len(words)) if words and stopwords else 0.0
        block.kind = _context_free(block, bool(stopwords))
    _context_sensitive(blocks)
    return blocks


def _needs_stopwords(block: Block) -> bool:
    return len(block.text) >= LENGTH_LOW and block.link_chars <= MAX_LINK_DENSITY * len(block.text) and "©" not in block.text


def _context_free(block: Block, has_stoplist: bool) -> str:
    length = len(block.text)
    if block.link_density > MAX_LINK_DENSITY or "©" in block.text:
        return "bad"
    if length < LENGTH_LOW:
        return "bad" if block.link_chars else "short"
    if not has_stoplist:  # a script without stopwords (Chinese, Japanese): length alone
        return "good" if length > LENGTH_HIGH else "near-good"
    if block.stopword_density >= STOPWORDS_HIGH:
        return "good" if length > LENGTH_HIGH else "near-good"
    return "near-good" if block.stopword_density >= STOPWORDS_LOW else "bad"


def _context_sensitive(blocks: list[Block]) -> None:
    """Headings near good text become near-good; then short blocks take the class of their
    neighbours (good only between good ones), and near-good ones become good next to good."""
    for i, block in enumerate(blocks):
        if block.heading and block.kind == "short":
            distance = 0
            for nxt in blocks[i + 1:]:
                if nxt.kind == "good":
                    block.kind = "near-good"
                    break
                distance += len(nxt.text)
                if distance > MAX_HEADING_DISTANCE:
                    break
    original = [b.kind for b in blocks]

    def neighbour(i: int, step: int, ignore_near: bool) -> str:
        j = i + step
        while 0 <= j < len(blocks):
            kind = original[j]
            if kind in ("good", "bad") or (kind == "near-good" and not ignore_near):
                return kind
            j += step
        return "bad"

    for i, block in enumerate(blocks):
        if original[i] == "short":
            before, after = neighbour(i, -1, True), neighbour(i, 1, True)
            if before == after:
                block.kind = before
            elif "bad" in (before, after):
                near = neighbour(i, -1, False) == "near-good" or neighbour(i, 1, False) == "near-good"
                block.kind = "good" if near and "good" in (before, after) else "bad"
            else:
                block.kind = "good"
    original = [b.kind for b in blocks]  # near-good blocks see the short ones' new classes
    for i, block in enumerate(blocks):
        if original[i] == "near-good":
            before, after = neighbour(i, -1, True), neighbour(i, 1, True)
            block.kind = "bad" if before == after == "bad" else "good"
    for block in blocks:
        if block.kind not in ("good", "bad"):
            block.kind = "bad"


def good_blocks(text_blocks: list[TextBlock], language: str | None,
                skip: Callable[[TextBlock], bool] = lambda block: False) -> list[Block]:
    """The blocks jusText would keep: the page's main text by this strategy."""
    blocks = page_blocks(text_blocks, skip)
    # The language check reads the words of the long blocks only: prose, not menus.
    sample = " ".join(b.text for b in blocks if _needs_stopwords(b))[:4000].lower()
    classify(blocks, stopwords_for(language, Counter(sample.split())))
    return [b for b in blocks if b.kind == "good"]
