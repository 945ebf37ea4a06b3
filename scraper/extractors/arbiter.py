"""The body's arbiter: the container scoring's text checked against the independent
strategies, the way a person would check it — does it hold the page's prose, or another block?

Strategies (each blind to the others' mistakes):
- ``container``: the best-scoring content container (``body.py``), minus its furniture;
- ``blocks``: every text block of the page classified on its own (``blocks.py``, jusText-style);
- ``articleBody``: the text the page's JSON-LD states as its article body.

The container wins unless the checks below say it is the wrong block; every body gets a
confidence (0–1): how far the strategies agree on it.
"""
from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass

_WORDS = re.compile(r"\w+")
_SPACE = re.compile(r"\s+")

# The checks, as numbers (the evidence is in tests/test_arbiter.py). The container is the wrong
# block when the classifier's text is an article's worth of words, at least twice the
# container's, and either
# - most of the container is text the classifier calls boilerplate (a comment list, a cookie
#   notice, a match's data table won over the article), or
# - the container is a sliver of the page's prose and holds little of it (a teaser, a lead).
WRONG_BLOCK_MIN_WORDS = 60
WRONG_BLOCK_SIZE_RATIO = 2.0
BOILERPLATE_SHARE = 0.5           # the container's words the classifier also keeps: fewer is wrong
SLIVER_RATIO = 4.0                # the classifier's text this many times the container's ...
SLIVER_COVERAGE = 0.35            # ... of which the container holds less than this share
# Where the strategies agree on the container, its last lines that the classifier calls
# boilerplate and that are no longer than a label ("Schlagworte", "Temas Relacionados",
# "zurück zur Listenansicht") are the page's furniture after the article, in any language.
TRAILING_LABEL_MAX_CHARS = 40
_SENTENCE_ENDS = (".", "!", "?", "…", "。", "！", "？", '"', "”", "»", ")")
ARTICLE_BODY_MIN_WORDS = 60       # structured text long enough to stand in for the body


@dataclass(frozen=True)
class BodyChoice:
    paragraphs: list[str]
    source: str        # "container", "blocks" or "articleBody"
    confidence: float  # 0-1: agreement of the independent strategies on this body


def _bag(paragraphs: list[str]) -> Counter:
    return Counter(w.lower() for p in paragraphs for w in _WORDS.findall(p))


def _shared(a: Counter, b: Counter) -> int:
    return sum((a & b).values())


def agreement(a: Counter, b: Counter) -> float:
    """Bag-of-words F1 of two texts: 1 when they say the same, 0 when they share nothing."""
    total = sum(a.values()) + sum(b.values())
    return 2 * _shared(a, b) / total if total else 0.0


def choose(container: list[str], blocks: list[str], article_body: list[str]) -> BodyChoice:
    """The container's paragraphs unless they are the wrong block; then the structured
    ``articleBody`` where the page states one, else the classifier's blocks."""
    c, j, s = _bag(container), _bag(blocks), _bag(article_body)
    c_words, j_words, s_words = sum(c.values()), sum(j.values()), sum(s.values())
    if not _wrong_block(c, j, c_words, j_words):
        kept = without_trailing_labels(container, blocks)
        return BodyChoice(kept, "container", _confidence(_bag(kept), [j, s]))
    if s_words >= ARTICLE_BODY_MIN_WORDS and s_words > c_words:
        return BodyChoice(article_body, "articleBody", _confidence(s, [j]))
    # The classifier's own text, checked only against structured data: its confidence is at
    # most half, since the strategy that usually wins disagreed with it.
    return BodyChoice(blocks, "blocks", 0.5 * max([agreement(j, s)] * bool(s_words) + [min(1.0, j_words / 300)]))


def without_trailing_labels(paragraphs: list[str], blocks: list[str]) -> list[str]:
    """The container's paragraphs less the short lines after its last one the classifier keeps."""
    if not blocks:
        return paragraphs
    kept_text = "\0".join(blocks)
    end = len(paragraphs)
    while end and _label(paragraphs[end - 1]) and not _kept(paragraphs[end - 1], kept_text):
        end -= 1
    return paragraphs[:end] if end else paragraphs


def _label(paragraph: str) -> bool:
    """Short, and not a sentence: a sentence ends the way sentences do."""
    return len(paragraph) <= TRAILING_LABEL_MAX_CHARS and not paragraph.rstrip().endswith(_SENTENCE_ENDS)


def _kept(paragraph: str, kept_text: str) -> bool:
    """The classifier kept this paragraph (its blocks are cut at <br> too, so a paragraph of
    several lines counts when its first line was kept)."""
    return _SPACE.sub(" ", paragraph.split("\n", 1)[0]).strip() in kept_text


def _wrong_block(c: Counter, j: Counter, c_words: int, j_words: int) -> bool:
    if j_words < WRONG_BLOCK_MIN_WORDS or j_words < WRONG_BLOCK_SIZE_RATIO * c_words:
        return False
    shared = _shared(c, j)
    return shared < BOILERPLATE_SHARE * c_words or (j_words >= SLIVER_RATIO * c_words and shared < SLIVER_COVERAGE * j_words)


def _confidence(chosen: Counter, others: list[Counter]) -> float:
    """The best agreement with another strategy that has text; a body no other strategy
    sees anything of (a short page the classifier calls all boilerplate) gets 0.5 at most."""
    if not chosen:
        return 0.0
    scores = [agreement(chosen, o) for o in others if o]
    if not scores:
        return round(min(0.5, sum(chosen.values()) / 600), 3)
    return round(max(scores), 3)
