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

from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache
from operator import itemgetter

from lxml import etree

from .body import TextBlock


_HEADINGS = frozenset({"h1", "h2", "h3", "h4", "h5", "h6"})

# jusText's parameters (Pomikálek 2011), unchanged: they were set on other pages than ours.
LENGTH_LOW = 70
LENGTH_HIGH = 200
STOPWORDS_LOW = 0.30
STOPWORDS_HIGH = 0.32
MAX_LINK_DENSITY = 0.2
MAX_HEADING_DISTANCE = 200
MIN_STOPLIST_HITS = 5  # of the page's 50 (declared language) or 100 most frequent words
SAMPLE_CHARS = 4000  # of the long blocks' text, for the language check

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


@dataclass(slots=True)
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
def _all_stoplists() -> list[frozenset[str]]:
    """Every stoplist, in the order of their names."""
    import justext
    return [stoplist(name) for name in sorted(justext.get_stoplists())]


@lru_cache(maxsize=1)
def _stoplists_of_word() -> dict[str, tuple[int, ...]]:
    """Each stopword → the places (in ``_all_stoplists``) of the stoplists that hold it."""
    holders: dict[str, list[int]] = {}
    for i, words in enumerate(_all_stoplists()):
        for word in words:
            holders.setdefault(word, []).append(i)
    return {word: tuple(places) for word, places in holders.items()}


def _most_common(words: Counter) -> list[str]:
    """The words, most frequent first, ties in their first order: ``most_common()``'s order
    (``heapq.nlargest`` is ``sorted(..., reverse=True)`` cut, stable alike), sorted in C."""
    return [w for w, _ in sorted(words.items(), key=itemgetter(1), reverse=True)]


def stopwords_for(language: str | None, words: Counter) -> frozenset[str]:
    """The stoplist of the page's declared language, else of the language whose stopwords its
    most frequent words are (a page without ``lang``, or with a wrong one: the words tell)."""
    name = _STOPLIST_NAMES.get((language or "").split("-")[0].split("_")[0].lower())
    frequent = _most_common(words)
    if name:
        listed = stoplist(name)
        top = frequent[:50]
        if not top or sum(w in listed for w in top) >= MIN_STOPLIST_HITS:
            return listed
    # Most hits wins, ties to the first name in order; too few hits is no language with a
    # stoplist (Chinese, Japanese): then blocks are judged by length and links alone.
    # The top words are distinct (Counter keys): each stoplist's hits among them are counted
    # from the stoplists each word is in, one look-up a word.
    stoplists = _all_stoplists()
    hits = [0] * len(stoplists)
    places = _stoplists_of_word()
    for word in frequent[:100]:
        for i in places.get(word, ()):
            hits[i] += 1
    most, best = max(((count, -i) for i, count in enumerate(hits)), default=(0, 0))
    return stoplists[-best] if most >= MIN_STOPLIST_HITS else frozenset()


def page_blocks(text_blocks: list[TextBlock], skip: Callable[[TextBlock], bool] = lambda block: False) -> list[Block]:
    """The body analysis's text blocks, in document order, as Blocks; a block whose text its
    predecessor holds whole (a <p> in an <li>) is read once, and blocks ``skip`` names are
    left out."""
    found: list[Block] = []
    append = found.append  # a loop over every block of the page: names read once
    previous = ""
    for block in text_blocks:
        if skip(block):
            continue
        element, full, link_chars, _furniture, text = block
        if text is None:
            text = " ".join(full.split())
        if text and text in previous:
            continue
        length = len(text)
        append(Block(text, link_chars if link_chars < length else length, element, element.tag in _HEADINGS))
        previous = text
    return found


def classify(blocks: list[Block], stopwords: frozenset[str]) -> list[Block]:
    """jusText's two steps: each block on its own (context-free), then short and near-good
    blocks by the good or bad blocks around them."""
    has_stoplist = bool(stopwords)
    is_stopword = stopwords.__contains__
    for block in blocks:  # every block of the page comes here: one loop, no call per block
        text = block.text
        length, links, copyright = len(text), block.link_chars, "©" in text
        if length >= LENGTH_LOW and links <= MAX_LINK_DENSITY * length and not copyright:
            words = text.lower().split()  # jusText's words: split at spaces
            block.stopword_density = (sum(map(is_stopword, words)) / len(words)) if words and stopwords else 0.0
        if (links / length if length else 1.0) > MAX_LINK_DENSITY or copyright:
            block.kind = "bad"
        elif length < LENGTH_LOW:
            block.kind = "bad" if links else "short"
        elif not has_stoplist or block.stopword_density >= STOPWORDS_HIGH:  # no stoplist (Chinese): length alone
            block.kind = "good" if length > LENGTH_HIGH else "near-good"
        else:
            block.kind = "near-good" if block.stopword_density >= STOPWORDS_LOW else "bad"
    _context_sensitive(blocks)
    return blocks


def _needs_stopwords(block: Block) -> bool:
    return len(block.text) >= LENGTH_LOW and block.link_chars <= MAX_LINK_DENSITY * len(block.text) and "©" not in block.text


def _context_sensitive(blocks: list[Block]) -> None:
    """Headings near good text become near-good; then short blocks take the class of their
    neighbours (good only between good ones), and near-good ones become good next to good.
    Every neighbour is found in one pass each way: linear in the number of blocks."""
    for i, block in enumerate(blocks):
        if block.heading and block.kind == "short":
            distance, j = 0, i + 1
            while j < len(blocks) and distance <= MAX_HEADING_DISTANCE:  # every block has text
                if blocks[j].kind == "good":
                    block.kind = "near-good"
                    break
                distance += len(blocks[j].text)
                j += 1
    kinds = [b.kind for b in blocks]
    before, after = _neighbours(kinds, ("good", "bad"))
    before_any, after_any = _neighbours(kinds, ("good", "bad", "near-good"))
    for i, block in enumerate(blocks):
        if kinds[i] == "short":
            if before[i] == after[i]:
                block.kind = before[i]
            elif "bad" in (before[i], after[i]):
                near = "near-good" in (before_any[i], after_any[i])
                block.kind = "good" if near and "good" in (before[i], after[i]) else "bad"
            else:
                block.kind = "good"
    kinds = [b.kind for b in blocks]  # near-good blocks see the short ones' new classes
    before, after = _neighbours(kinds, ("good", "bad"))
    for i, block in enumerate(blocks):
        if kinds[i] == "near-good":
            block.kind = "bad" if before[i] == after[i] == "bad" else "good"
    for block in blocks:
        if block.kind not in ("good", "bad"):
            block.kind = "bad"


def _neighbours(kinds: list[str], counted: tuple[str, ...]) -> tuple[list[str], list[str]]:
    """For each block, the kind of the nearest block before it and after it whose kind is
    ``counted`` ("bad" past either end)."""
    before: list[str] = []
    append, last = before.append, "bad"
    for kind in kinds:
        append(last)
        if kind in counted:
            last = kind
    after: list[str] = []
    append, last = after.append, "bad"
    for kind in reversed(kinds):
        append(last)
        if kind in counted:
            last = kind
    after.reverse()
    return before, after


def good_blocks(text_blocks: list[TextBlock], language: str | None,
                skip: Callable[[TextBlock], bool] = lambda block: False) -> list[Block]:
    """The blocks jusText would keep: the page's main text by this strategy."""
    blocks = page_blocks(text_blocks, skip)
    # The language check reads the words of the long blocks only: prose, not menus; the first
    # 4,000 characters of them, joined by spaces (a block past those is not joined).
    long_texts, joined = [], -1
    for block in blocks:
        if _needs_stopwords(block):
            long_texts.append(block.text)
            joined += 1 + len(block.text)
            if joined >= SAMPLE_CHARS:
                break
    sample = " ".join(long_texts)[:SAMPLE_CHARS].lower()
    classify(blocks, stopwords_for(language, Counter(sample.split())))
    return [b for b in blocks if b.kind == "good"]
