"""The body's arbiter: the container scoring's text checked against the independent
strategies, the way a person would check it — does it hold the page's prose, or another block?

Strategies (each blind to the others' mistakes):
- ``container``: the best-scoring content container (``body.py``), minus its furniture;
- ``blocks``: every text block of the page classified on its own (``blocks.py``, jusText-style);
- ``articleBody``: the text the page's JSON-LD states as its article body.

The container wins unless the checks below say it is the wrong block; every body gets a
confidence (0–1): how far the strategies agree on it. Texts are compared line by line: all
strategies read the same page, so a line one of them keeps is found verbatim in another's.
"""
from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

from .walk import found_chars, text_lines

# The checks, as numbers (the evidence is in tests/test_arbiter.py). The container is the wrong
# block when the classifier's text is an article's worth, at least twice the container's, and
# either
# - most of the container is text the classifier calls boilerplate (a comment list, a cookie
#   notice, a match's data table won over the article), or
# - the container is a sliver of the page's prose and holds little of it (a teaser, a lead).
WRONG_BLOCK_MIN_CHARS = 400
WRONG_BLOCK_SIZE_RATIO = 2.0
BOILERPLATE_SHARE = 0.5           # the container's text the classifier also keeps: less is wrong
SLIVER_RATIO = 6.0                # the classifier's text this many times the container's ...
SLIVER_COVERAGE = 0.35            # ... of which the container holds less than this share
ARTICLE_BODY_MIN_CHARS = 400      # structured text long enough to stand in for the body
# Where the strategies agree on the container, its first and last lines that the classifier
# calls boilerplate and that are no longer than a label ("Schlagworte", "Temas Relacionados",
# "zurück zur Listenansicht"; "Promis" above) are the page's furniture around the article.
LABEL_MAX_CHARS = 40
TRAILING_LABELS_MAX = 5           # a few labels; a longer run of short lines is a list
LEADING_LABELS_MAX = 2            # a kicker and a time stamp; three short lines open the article
_SENTENCE_ENDS = (".", "!", "?", "…", "。", "！", "？", '"', "”", "»", ")")
# A line that is not one of the other text's lines is looked for inside them: only if it is
# long enough to mean something ("Tags" is in any text), and near where the last one was.
MIN_SEARCHED_LINE = 12
SEARCH_WINDOW = 20_000


@dataclass(frozen=True)
class BodyChoice:
    paragraphs: list[str]
    source: str        # "container", "blocks" or "articleBody"
    confidence: float | None  # 0-1: agreement of the independent strategies; None: nothing to compare


class Text:
    """One strategy's paragraphs, as lines with single spaces, and all of them joined."""

    def __init__(self, paragraphs: list[str]):
        self.paragraphs = paragraphs
        # Paragraphs come with single spaces (``text.paragraphs``, the classifier's blocks); the
        # JSON-LD's text is the one that needs folding, and is short (``walk.text_lines``).
        self.lines = lines = text_lines(paragraphs)
        self.size = sum(map(len, lines))
        self.grams = bytearray()  # ``walk.found_chars``' store, filled when this text is first searched

    @cached_property
    def joined(self) -> str:
        return "\0".join(self.lines)

    @cached_property
    def line_set(self) -> frozenset[str]:
        return frozenset(self.lines)

    def found_in(self, other: Text) -> int:
        """Characters of this text's lines that the other text holds verbatim. Most are one of
        its lines (the set answers); the rest are looked for from where the last one was found
        on, within ``SEARCH_WINDOW`` characters, both texts being in the page's order: bounded
        work, however many lines a page has (``walk.found_chars``, which keeps what makes the
        other text's failed searches cheap in its ``grams``)."""
        return found_chars(self.lines, other.line_set, other.joined, other.grams, MIN_SEARCHED_LINE, SEARCH_WINDOW)


def shared(a: Text, b: Text) -> int:
    """Characters the two texts share, read from the side cut finer: one strategy may cut at
    <br> where the other keeps one block, and a whole line is only found in the coarser text.
    What ``b`` finds of itself in ``a`` is at most its size: where ``a`` finds that much, ``b``
    is not asked (two texts that agree cost one reading)."""
    found = a.found_in(b)
    return found if found >= b.size else max(found, b.found_in(a))


def agreement(a: Text, b: Text) -> float:
    """F1 of two texts' shared lines: 1 when they say the same, 0 when they share nothing."""
    if not a.size or not b.size:
        return 0.0
    common = shared(a, b)
    precision, recall = min(1.0, common / a.size), min(1.0, common / b.size)
    return 2 * precision * recall / (precision + recall) if precision + recall else 0.0


def choose(container: list[str], blocks: list[str], article_body: list[str],
           headings: frozenset[str] = frozenset()) -> BodyChoice:
    """The container's paragraphs unless they are a sliver of the page's stated ``articleBody``
    or the wrong block (or there are none); then the structured ``articleBody`` where the page
    states one, else the classifier's blocks.
    ``headings``: the container's section headings, never taken for a label above the article."""
    c, j, s = Text(container), Text(blocks), Text(article_body)
    # A container SLIVER_RATIO times smaller than the article the page states in its JSON-LD is
    # what a script-rendered page prints before the script runs: a caption and a standfirst.
    if s.size >= ARTICLE_BODY_MIN_CHARS and s.size >= SLIVER_RATIO * c.size:
        return BodyChoice(article_body, "articleBody", _confidence(s, [c, j]))
    if c.size and not _wrong_block(c, j):
        trimmed = without_leading_labels(without_trailing_labels(container, j), j, headings)
        kept = c if len(trimmed) == len(container) else Text(trimmed)  # most lose no label: c is their text
        return BodyChoice(trimmed, "container", _confidence(kept, [j, s]))
    if s.size and (not c.size or (s.size >= ARTICLE_BODY_MIN_CHARS and s.size > c.size)):
        return BodyChoice(article_body, "articleBody", _confidence(s, [c, j]))
    if j.size:
        return BodyChoice(blocks, "blocks", _confidence(j, [c, s]))
    return BodyChoice(container, "container", None)


def without_trailing_labels(paragraphs: list[str], blocks: Text | list[str]) -> list[str]:
    """The container's paragraphs less the short lines after its last one the classifier keeps."""
    kept = blocks if isinstance(blocks, Text) else Text(blocks)
    if not kept.size:
        return paragraphs
    end = len(paragraphs)
    while (end and len(paragraphs) - end < TRAILING_LABELS_MAX and _label(paragraphs[end - 1])
           and not _kept(paragraphs[end - 1], kept)):
        end -= 1
    return paragraphs[:end] if end else paragraphs


def without_leading_labels(paragraphs: list[str], blocks: Text | list[str],
                           headings: frozenset[str] = frozenset()) -> list[str]:
    """The container's paragraphs less the one or two short lines before its first one the
    classifier keeps: a kicker, a category, a time stamp above the article ("Promis", "05:28
    Uhr"). A section heading is the article's (its first deal, its first question), kept or not."""
    kept = blocks if isinstance(blocks, Text) else Text(blocks)
    if not kept.size:
        return paragraphs
    start = 0
    while (start < len(paragraphs) - 1 and _label(paragraphs[start])
           and not _kept(paragraphs[start], kept) and paragraphs[start] not in headings):
        start += 1
    # A longer run of short lines opens the article itself: a recipe's "Serves 4", a poem.
    return paragraphs[start:] if start <= LEADING_LABELS_MAX else paragraphs


def _label(paragraph: str) -> bool:
    """Short, and not a sentence: a sentence ends the way sentences do."""
    return len(paragraph) <= LABEL_MAX_CHARS and not paragraph.rstrip().endswith(_SENTENCE_ENDS)


def _kept(paragraph: str, kept: Text) -> bool:
    """The classifier kept this paragraph (its blocks are cut at <br> too, so a paragraph of
    several lines counts when its first line was kept)."""
    return " ".join(paragraph.split("\n", 1)[0].split()) in kept.joined


def _wrong_block(c: Text, j: Text) -> bool:
    if j.size < WRONG_BLOCK_MIN_CHARS or j.size < WRONG_BLOCK_SIZE_RATIO * c.size:
        return False
    common = shared(c, j)
    if common < BOILERPLATE_SHARE * c.size:
        return True
    return j.size >= SLIVER_RATIO * c.size and common < SLIVER_COVERAGE * j.size


def _confidence(chosen: Text, others: list[Text]) -> float | None:
    """The best agreement of the chosen text with another strategy's; None where no other
    strategy has any text to compare with (a short page the classifier rejects whole, a
    page without structured data): then nothing was checked."""
    scores = [agreement(chosen, other) for other in others if other.size]
    return round(max(scores), 3) if scores and chosen.size else None
