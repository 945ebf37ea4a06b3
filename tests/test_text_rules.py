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
        text.paragraphs_by_pieces(root)  # the rule as written: the compiled walk joins the pieces itself
        for node in root.iter():
            for value in (node.text, node.tail):
                if value and text.collapse(value) != text._ANY_SPACE.sub(" ", value).strip():
                    differ.append([value])
    assert seen > 10_000 and not differ[:5]


# -- chrome lines ---------------------------------------------------------------------------
def _lines_of(roots) -> list[str]:
    """Every paragraph of each page (menus, footers and comments too), each line of it, and
    each as ``is_chrome`` reads a line in parentheses."""
    lines: list[str] = []
    for root in roots:
        for para in text.paragraphs(root):
            lines.append(para)
            lines += para.split("\n")
    return lines + [line[1:-1].strip() for line in lines if line.startswith("(") and line.endswith(")")]


def _edge_lines() -> list[str]:
    """Each rule's example as printed, shouted, at its length's edge, with a line break after,
    and with the letters ``re`` matches to ASCII ones case-blind; and lines of nothing."""
    lines = ["", "\n", " ", "\n\n", "-", "a", "5", "(", "…", "Ж", "広告\n"]
    for rule in text.CHROME_RULES:
        example = rule.example
        lines += [example, example.upper(), example.lower(), example + "\n", example + " x" * 200,
                  example[:-1], example[1:], "x" + example]
        for plain, lookalike in (("i", "\u0130"), ("i", "\u0131"), ("s", "\u017f"), ("k", "\u212a")):
            lines.append(example.replace(plain, lookalike))
    return lines


def test_every_rule_names_its_example_chrome():
    for rule in text.CHROME_RULES:
        assert re.match(rule.pattern, rule.example, re.I), rule.name
        assert text.is_chrome(rule.example), rule.name
    assert len({rule.name for rule in text.CHROME_RULES}) == len(text.CHROME_RULES)


def test_a_rule_that_needs_a_word_only_matches_lines_holding_it():
    for rule in text.CHROME_RULES:
        assert not rule.needs or any(word in rule.example.lower() for word in rule.needs), rule.name


def test_the_dispatched_rules_decide_the_edge_lines_as_the_one_pattern():
    differ = [line for line in _edge_lines() if text._CHROME.match(line) != (text._CHROME.plain.match(line) is not None)]
    assert not differ


def test_the_dispatched_rules_decide_real_lines_as_the_one_pattern():
    lines = _lines_of(_real_pages_or_skip())
    differ = [line for line in lines if text._CHROME.match(line) != (text._CHROME.plain.match(line) is not None)]
    assert len(lines) > 50_000 and not differ[:5]
    assert sum(map(text._CHROME.match, lines)) > 1000  # the sample holds chrome to tell apart


def test_the_one_pattern_is_every_rule_of_the_table():
    assert text._CHROME.patterns == tuple(rule.pattern for rule in text.CHROME_RULES)
    assert text._CHROME.plain.pattern == "|".join(f"(?:{rule.pattern})" for rule in text.CHROME_RULES)


def test_rules_are_compiled_only_when_a_line_needs_them():
    """A table is parsed when built and each rule compiled when a line first needs it (start-up
    of every run); the compiled dispatch answers as the one pattern, compiled last."""
    from scraper.rule_dispatch import LineRules

    rules = LineRules([(rule.pattern, rule.needs) for rule in text.CHROME_RULES])
    assert rules._rule == [None] * len(text.CHROME_RULES) and "plain" not in rules.__dict__
    lines = ["Leave a Reply", "By Jane Doe", "A paragraph of the post, as long as any other.", "1.2K Shares"]
    answers = [rules.match(line) for line in lines]
    compiled = sum(rule is not None for rule in rules._rule)
    assert 0 < compiled < len(text.CHROME_RULES) and "plain" not in rules.__dict__
    assert answers == [rules.plain.match(line) is not None for line in lines] == [True, True, False, True]


def test_the_ascii_lookalikes_are_all_there_are():
    """Of all code points past ASCII, only these match an ASCII letter case-blind in ``re``,
    and only these hold one once lower-cased: elsewhere ``str.lower`` finds a rule's words."""
    from scraper.rule_dispatch import ASCII_LOOKALIKES
    beyond_ascii = "".join(chr(c) for c in range(0x80, 0x110000) if not 0xD800 <= c <= 0xDFFF)
    assert set(re.findall("[a-z]", beyond_ascii, re.I)) == set(ASCII_LOOKALIKES)
    assert {c for c in beyond_ascii if not c.lower().isascii() and re.search("[a-z]", c.lower())} <= set(ASCII_LOOKALIKES)


# -- what the dispatch reads from a pattern ---------------------------------------------------
@pytest.mark.parametrize("pattern, opens, never", [
    (r"^(ab|c)d", ["ab", "AB", "cd", "Cd", "a", "c"], ["ad", "b", "ca", "x", " a", "\n"]),
    (r"^\d+ comments", ["05", "1 ", "٣٣", "7"], ["a", " 1", "1a"]),
    (r"^(?-i:More [A-Z])", ["Mo", "M"], ["mo", "MO", "x"]),
    (r"^(?=.{0,9}$)(photo|bild)", ["ph", "PH", "bI", "b"], ["pb", "x"]),
    (r"^\(?(additional )?reporting", ["(a", "(r", "ad", "re", "R"], ["x", ")a", "(x", "rx"]),
    (r"^[\d\s()+./-]{7,24}$", ["1 ", "(5", "\n1", "-"], ["ax", "1a"]),
    (r"^(copyright|©)", ["co", "©x", "© "], ["(c", "cx"]),
    (r"^.{0,4}x", ["ab", "xy", "  "], ["\n", "a\n"]),
    (r"^[^\]]x", ["ax", "bx"], ["]x", "ab"]),
    # A line's end: nothing past it but the one line break ``$`` matches before.
    (r"^\W*(?:\d{1,4}\W*)?$", ["* ", "--", "1 ", "\n", "—3", "12"], ["a", "*a", "1a", "\na"]),
    (r"^a$", ["a", "a\n", "A"], ["ab", "a "]),
    (r"^(?:a|b)*+c", ["ac", "bb", "c"], ["d", "ad"]),
])
def test_the_opening_of_a_rule(pattern, opens, never):
    from scraper.rule_dispatch import opening_pattern
    opening = opening_pattern(pattern)
    assert all(opening.match(line) for line in opens) and not any(opening.match(line) for line in never)


@pytest.mark.parametrize("pattern", [r"^(a|)", r"^(?P<x>a?)(?P=x)c", r"^x?", r"^(a?)*b"])
def test_a_rule_that_can_open_anyhow_is_tried_on_every_line(pattern):
    from scraper.rule_dispatch import opening_pattern
    opening = opening_pattern(pattern)
    assert all(opening.match(line) for line in ["zz", "\n\n", "-", "€x"])


def test_each_rule_opens_every_real_line_it_matches():
    """The ground the dispatch stands on, rule by rule: a line a rule matches is one whose
    opening and length the rule allows; and the openings turn most lines away from most rules.
    (An empty line, which has no opening, is tried against the one pattern.)"""
    from scraper.rule_dispatch import OPENING_CHARS, longest_line, opening_pattern
    lines = [line for line in _lines_of(_real_pages_or_skip()) + _edge_lines() if line]
    tried = turned_away = 0
    for rule in text.CHROME_RULES:
        opening, longest, matcher = opening_pattern(rule.pattern), longest_line(rule.pattern), re.compile(rule.pattern, re.I)
        for line in lines:
            allowed = opening.match(line[:OPENING_CHARS]) is not None
            tried += 1
            turned_away += not allowed
            if matcher.match(line):
                assert allowed and len(line) <= longest, (rule.name, line)
    assert turned_away > 0.8 * tried


@pytest.mark.parametrize("pattern, longest", [
    (r"^comments are closed\.?$", 21),
    (r"^have a (news )?tip\?.{0,300}$", 317),
    (r"^(?=.{0,140}$)(?=.*\bnewsletters?\b).*\binbox\b.*$", 141),
    (r"^join (us|our)\b(?=.{0,300}$).*$", 309),
    (r"^by\s+\S+$", float("inf")),
    (r"^loading\b.*", float("inf")),
    (r"^(?=.{0,40})x.*", float("inf")),  # a lookahead not to the line's end bounds nothing
])
def test_the_longest_line_a_rule_matches(pattern, longest):
    from scraper.rule_dispatch import longest_line
    assert longest_line(pattern) == longest


# -- furniture names ------------------------------------------------------------------------
def _class_names(roots) -> list[str]:
    """Every class name and id of every element of the pages."""
    names: set[str] = set()
    for root in roots:
        for el in root.iter():
            if isinstance(el.tag, str):
                for attribute in ("class", "id"):
                    names.update((el.get(attribute) or "").split())
    return sorted(names)


_EDGE_NAMES = [
    "", "-", "_-_", "share", "Share", "SHARE-bar", "x-share", "x_share", "share-", "-ads", "_ad", "ad_",
    "comment_respond", "comment-respond", "x-comment-respond", "x_comment-respond", "wp-block-post-comments-x",
    "ſhare", "x-ſhare", "ads-\u212a", "\u0130con-share", "relatedPosts", "imageEmbedCaption", "dialogCookieWarning",
    "PromoSmall", "promosmall", "CAPTION", "x\u00e9-share", "share\n", "elementor-widget-share", "has-share-bar",
    "social-media-embed", "twitter-embed", "ad-embed", "tag-cookies", "author-bio", "has-author-box",
]


def test_furniture_names_are_decided_as_the_patterns_decide_them():
    from scraper.extractors import regions
    names = _EDGE_NAMES + _class_names(_real_pages_or_skip())
    assert len(names) > 20_000
    differ = [name for name in names
              if regions.names_furniture_word(name) != (regions.FURNITURE_NAME.search(name) is not None)
              or regions._camel_furniture(name) != (regions._CAMEL_FURNITURE.search(name) is not None)
              or regions._furniture_name.__wrapped__(name) != regions._furniture_name_by_patterns(name)]
    assert not differ[:5]
    assert sum(map(regions.names_furniture_word, names)) > 1000


def _class_strings(roots) -> list[str]:
    """Every class string and id of every element of the pages, whole."""
    found: set[str] = set()
    for root in roots:
        for el in root.iter():
            if isinstance(el.tag, str):
                found.update(value for value in (el.get("class"), el.get("id")) if value)
    return sorted(found)


def test_class_strings_the_first_search_passes_over_name_no_comment_area():
    """``_MAYBE_COMMENT_AREA`` only passes over strings whose names each say no to."""
    from scraper.extractors import body
    strings = _class_strings(_real_pages_or_skip())
    strings += _EDGE_NAMES + [f"{a} {b}" for a in _EDGE_NAMES for b in ("x", "\tSHARE", "\u00a0ad")] + ["a\nshare"]
    assert len(strings) > 20_000
    differ = [label for label in strings
              if body._comment_area_label.__wrapped__(label)
              != any(body._comment_area_name.__wrapped__(n) for n in label.split())]
    assert not differ[:5]
    passed_over = [label for label in strings if body._MAYBE_COMMENT_AREA.search(label) is None]
    assert len(passed_over) > len(strings) / 2  # most: what the search is for


@pytest.mark.parametrize("name, furniture", [
    ("share", True), ("Social-Share", True), ("share_buttons", True), ("post-share", True), ("comment-respond", True),
    ("x_comment-respond", True), ("ſhare", True), ("elementor-widget-wrap", False), ("shared-content", False),
    ("adsense-x", True), ("readers", False), ("x-comment_respondent", False), ("x-comment_respond", True), ("", False),
])
def test_furniture_words_at_a_names_start_or_end(name, furniture):
    from scraper.extractors import regions
    assert regions.names_furniture_word(name) is furniture
    assert (regions.FURNITURE_NAME.search(name) is not None) is furniture


def test_the_furniture_words_hold_no_underscore():
    """What the first and last parts of a name are cut at: a word with "_" would be missed."""
    from scraper.extractors import regions
    assert not any("_" in word for word in regions._FURNITURE_WORDS)


# -- dates in a line ------------------------------------------------------------------------
@pytest.mark.parametrize("line", [
    "", "March 3, 2020", "3rd March 2020", "Mar. 3 2020 at 10:15", "March 3, 20", "March 3, ٢٠٢٠",
    "1234", "By Jane Doe on Monday, November 18th, 2019", "in 2019 and 2020", "Sept 31st, 12345",
])
def test_a_date_is_found_where_the_pattern_finds_it(line):
    assert text.holds_date(line) is (text._DATE_IN_LINE.search(line) is not None)


def test_dates_are_found_in_real_lines_where_the_pattern_finds_them():
    lines = _lines_of(_real_pages_or_skip())
    assert not [line for line in lines if text.holds_date(line) is not (text._DATE_IN_LINE.search(line) is not None)][:5]
    assert sum(map(text.holds_date, lines)) > 100
