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
from collections.abc import Callable, Collection
from functools import lru_cache
from itertools import compress

from lxml import etree

from .body import TextBlock
from .walk import classifier_texts, frequent_words, good_block_flags, judged_stopword_shares


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
_LIMITS = (LENGTH_LOW, LENGTH_HIGH, STOPWORDS_LOW, STOPWORDS_HIGH, MAX_LINK_DENSITY, MAX_HEADING_DISTANCE)

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
    (``heapq.nlargest`` is ``sorted(..., reverse=True)`` cut, stable alike), sorted in C with
    no (word, count) pair made."""
    return sorted(words, key=words.__getitem__, reverse=True)  # the keys in their first order, stable


def stopwords_for(language: str | None, words: Counter) -> frozenset[str]:
    """The stoplist of the page's declared language, else of the language whose stopwords its
    most frequent words are (a page without ``lang``, or with a wrong one: the words tell)."""
    return _stopwords_of_frequent(language, _most_common(words))


def _stopwords_of_frequent(language: str | None, frequent: list[str]) -> frozenset[str]:
    """``stopwords_for`` of the words most frequent first (the first 100 are read)."""
    name = _STOPLIST_NAMES.get((language or "").split("-")[0].split("_")[0].lower())
    if name:
        listed = stoplist(name)
        top = frequent[:50]
        if not top or len(listed.intersection(top)) >= MIN_STOPLIST_HITS:  # the top words are distinct
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


def _needs_stopwords(length: int, links: int, text: str) -> bool:
    """A block long enough, with few enough links, to be judged by its stopwords."""
    return length >= LENGTH_LOW and links <= MAX_LINK_DENSITY * length and "©" not in text


def _stopword_densities(texts: list[str], links: list[int], stopwords: frozenset[str]) -> list[float]:
    """The share of each block's words that are stopwords, where it is judged by them (else 0.0):
    ``_needs_stopwords`` and every word of the page's prose looked up in one compiled loop
    (``walk.judged_stopword_shares``)."""
    return judged_stopword_shares(texts, links, stopwords, LENGTH_LOW, MAX_LINK_DENSITY, "©")


def good_block_texts(text_blocks: list[TextBlock], language: str | None, readers: Collection[int] = frozenset(),
                     readers_furniture: Callable[[etree._Element], bool] = lambda furniture: False) -> list[str]:
    """The texts of the blocks jusText would keep: the page's main text by this strategy. The
    readers' blocks are left out: a block whose element's ``id`` is in ``readers``, or whose
    furniture (``TextBlock.furniture``) is in ``readers`` or said by ``readers_furniture`` to be
    theirs (``walk.classifier_texts``)."""
    texts, flags = _judged(text_blocks, language, readers, readers_furniture)
    return list(compress(texts, flags))


def _judged(text_blocks: list[TextBlock], language: str | None, readers: Collection[int],
            readers_furniture: Callable[[etree._Element], bool]) -> tuple[list[str], list[bool]]:
    """The classifier's blocks' texts and whether each is good (by its length, its link
    characters, whether it is a heading and its stopword share)."""
    texts, links, _elements, headings = classifier_texts(text_blocks, readers, readers_furniture, _HEADINGS)
    # The language check reads the words of the long blocks only: prose, not menus; the first
    # 4,000 characters of them, joined by spaces (a block past those is not joined).
    long_texts, joined = [], -1
    for text, link_chars in zip(texts, links):  # ``_needs_stopwords`` written out
        if len(text) >= LENGTH_LOW and link_chars <= MAX_LINK_DENSITY * len(text) and "©" not in text:
            long_texts.append(text)
            joined += 1 + len(text)
            if joined >= SAMPLE_CHARS:
                break
    sample = " ".join(long_texts)[:SAMPLE_CHARS].lower()
    # ``stopwords_for(language, Counter(sample.split()))``, the words counted in one compiled pass
    stopwords = _stopwords_of_frequent(language, frequent_words(sample, 100))
    densities = _stopword_densities(texts, links, stopwords)
    flags = good_block_flags(texts, links, headings, densities, bool(stopwords), _LIMITS)
    return texts, flags
