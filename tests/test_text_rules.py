"""The text rules' fast paths decide as the plain rules do: whitespace folding by ``str.split``
as the regular expressions fold it, the chrome lines' dispatch on a line's first character and
length as the one combined pattern, the furniture names' token lookups as their patterns. Each is
run against its plain rule over every paragraph, line and class name of a sample of real shared
pages, and on small cases made to sit at the edges."""
from __future__ import annotations

import gzip
import re
from functools import lru_cache
from pathlib import Path

import pytest

from conftest import SHARED
from scraper import text
from scraper.extractors import parse_html

CORPUS = SHARED / "corpus"


@lru_cache(maxsize=1)
def _sample_pages() -> tuple[Path, ...]:
    """Every fifth page of each article corpus and of the comment threads: a few hundred pages
    of every language and template the corpora hold."""
    pages: list[Path] = []
    for folder in ("aeb/html", "wcxb-articles/html", "trafilatura-eval/html", "threads/html"):
        pages += sorted((CORPUS / folder).glob("*.gz"))[::5]
    return tuple(pages)


@lru_cache(maxsize=1)
def _roots() -> tuple:
    return tuple(parse_html(gzip.open(path).read()) for path in _sample_pages())


def _real_pages_or_skip() -> tuple:
    if not _sample_pages():
        pytest.skip(f"shared corpora not found at {CORPUS}")
    return _roots()


# -- whitespace -----------------------------------------------------------------------------
def test_str_split_splits_where_the_regex_sees_space():
    """The ground the fast whitespace folding stands on: ``\\s`` and ``str.isspace`` agree on
    every code point."""
    assert all((re.fullmatch(r"\s", chr(c)) is not None) is chr(c).isspace() for c in range(0x110000))


@pytest.mark.parametrize("parts", [
    [], [""], ["  "], ["\n"], [" \n \n "], ["a"], [" a  b\t c "], ["a\u00a0\u2003b\u3000"],
    ["a \n b"], ["\n\n a \r\n b \n"], ["a\x0b\x0cb\x1c\x1d\x1e\x1f\x85c"], ["a\u2028b\u2029 c"],
    ["line one ", "\n", " line two", "\n", "\n", "  "], ["x\r\ny"],
])
def test_clean_is_the_regex_rule_on_edge_cases(parts):
    assert text._clean(parts) == text._clean_by_regex(parts)


@pytest.mark.parametrize("value", [None, "", " ", "\n\t a \u00a0 b \u2028", "one", " two  words "])
def test_collapse_is_the_regex_rule_on_edge_cases(value):
    assert text.collapse(value) == text._ANY_SPACE.sub(" ", value or "").strip()


def test_clean_and_collapse_fold_real_pages_as_the_regexes_do(monkeypatch):
    roots = _real_pages_or_skip()
    differ: list[list[str]] = []
    seen = 0

    def checked_clean(parts: list[str]) -> str:
        nonlocal seen
        seen += 1
        plain = text._clean_by_regex(parts)
        if clean(parts) != plain:
            differ.append(parts)
        return plain

    clean = text._clean
    monkeypatch.setattr(text, "_clean", checked_clean)
    for root in roots:
        text.paragraphs(root)
        for node in root.iter():
            for value in (node.text, node.tail):
                if value and text.collapse(value) != text._ANY_SPACE.sub(" ", value).strip():
                    differ.append([value])
    assert seen > 10_000 and not differ[:5]
