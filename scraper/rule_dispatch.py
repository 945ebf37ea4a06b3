"""Whole-line rules tried only where they can match. A table of patterns, each anchored at a
line's start, is one combined pattern to the reader; to the machine it is many smaller ones,
one for each first character of a line, holding only the rules a line starting with it can
match. What a rule can start with and how long a line it can match are read from the rule's
own parsed pattern (``re._parser``), never written down twice: a new rule is dispatched as
soon as it is in the table. Rules that could start anywhere and look through the whole line
name words they need, and run only on lines of their length holding one."""
from __future__ import annotations

import re
from collections.abc import Sequence
from functools import lru_cache
from re import _constants as sre
from re import _parser as sre_parse

UNBOUNDED = float("inf")
# The only characters but ASCII letters that ``re`` matches to an ASCII letter when blind to case,
# and the only ones whose ``str.lower`` holds one: in a line without them, ``str.lower`` finds
# the ASCII words case-blind ``re`` finds (tests/test_text_rules.py checks every code point).
ASCII_LOOKALIKES = "\u0130\u0131\u017f\u212a"  # İ ı ſ K (Kelvin)
_ASCII_LOOKALIKE = re.compile(f"[{ASCII_LOOKALIKES}]")

_CATEGORIES = {sre.CATEGORY_DIGIT: r"\d", sre.CATEGORY_NOT_DIGIT: r"\D", sre.CATEGORY_SPACE: r"\s",
               sre.CATEGORY_NOT_SPACE: r"\S", sre.CATEGORY_WORD: r"\w", sre.CATEGORY_NOT_WORD: r"\W"}
_ZERO_WIDTH = (sre.AT, sre.ASSERT, sre.ASSERT_NOT)
_REPEATS = (sre.MAX_REPEAT, sre.MIN_REPEAT, sre.POSSESSIVE_REPEAT)


class _NotRead(Exception):
    """A construct the first-character reading does not know: its rule is tried on every line."""


def _char(code: int) -> str:
    return re.escape(chr(code))


def _class_source(items) -> str:
    """A parsed character class written back as a pattern."""
    out = []
    for op, av in items:
        if op is sre.NEGATE:
            out.append("^")
        elif op is sre.LITERAL:
            out.append(_char(av))
        elif op is sre.RANGE:
            out.append(f"{_char(av[0])}-{_char(av[1])}")
        elif op is sre.CATEGORY and av in _CATEGORIES:
            out.append(_CATEGORIES[av])
        else:
            raise _NotRead(op)
    return "[" + "".join(out) + "]"


def _first_of_sequence(items, ignore_case: bool) -> tuple[list[str], bool]:
    """The one-character patterns a match of ``items`` can start with, and whether it can
    match the empty string."""
    atoms: list[str] = []
    for op, av in items:
        first, nullable = _first_of_item(op, av, ignore_case)
        atoms += first
        if not nullable:
            return atoms, False
    return atoms, True


def _first_of_item(op, av, ignore_case: bool) -> tuple[list[str], bool]:
    case = "(?i:{})" if ignore_case else "(?-i:{})"  # each atom keeps the case rule it was written under
    if op in _ZERO_WIDTH:  # an anchor or a lookaround: a further condition on a line, no character of it
        return [], True
    if op is sre.LITERAL:
        return [case.format(_char(av))], False
    if op is sre.NOT_LITERAL:
        return [case.format(f"[^{_char(av)}]")], False
    if op is sre.IN:
        return [case.format(_class_source(av))], False
    if op is sre.ANY:
        return ["."], False
    if op is sre.SUBPATTERN:
        _group, add, remove, sub = av
        ignore_case = bool((ignore_case or add & sre.SRE_FLAG_IGNORECASE) and not remove & sre.SRE_FLAG_IGNORECASE)
        return _first_of_sequence(sub, ignore_case)
    if op is sre.ATOMIC_GROUP:
        return _first_of_sequence(av, ignore_case)
    if op is sre.BRANCH:
        atoms: list[str] = []
        nullable = False
        for branch in av[1]:
            first, empty = _first_of_sequence(branch, ignore_case)
            atoms += first
            nullable = nullable or empty
        return atoms, nullable
    if op in _REPEATS:
        least, _most, sub = av
        first, empty = _first_of_sequence(sub, ignore_case)
        return first, empty or least == 0
    raise _NotRead(op)


def first_characters(pattern: str, flags: int = re.I) -> re.Pattern | None:
    """One character's pattern that matches the first character of every line ``pattern``
    matches; None where any line may do (the rule can match the empty string, or is written
    with a construct not read here)."""
    try:
        atoms, nullable = _first_of_sequence(sre_parse.parse(pattern, flags), bool(flags & re.I))
    except _NotRead:
        return None
    if nullable or not atoms:
        return None
    return re.compile("|".join(dict.fromkeys(atoms)), flags & ~re.I)


def _ends_line(items) -> bool:
    return bool(items) and items[-1] == (sre.AT, sre.AT_END)


def longest_line(pattern: str, flags: int = re.I) -> float:
    """The longest line ``pattern`` can match: what it consumes before the ``$`` it ends in, or
    what a lookahead ``(?=.{0,N}$)`` allows, plus one for the line break ``$`` matches before;
    UNBOUNDED where neither limits it."""
    parsed = sre_parse.parse(pattern, flags)
    items = list(parsed)
    longest = parsed.getwidth()[1] + 1 if _ends_line(items) else UNBOUNDED
    for at, (op, av) in enumerate(items):
        if op is sre.ASSERT and av[0] == 1 and _ends_line(list(av[1])):  # a lookahead to the line's end
            before = sre_parse.SubPattern(parsed.state, items[:at])
            longest = min(longest, before.getwidth()[1] + av[1].getwidth()[1] + 1)
    return longest if longest < sre_parse.MAXWIDTH else UNBOUNDED


class LineRules:
    """Rules matched at a line's start as one alternation (``plain``), each line tried only
    against the rules its first character allows (``match``), and a rule that needs a word only
    on a line of its length holding one. Both answer the same: tests/test_text_rules.py holds
    them to it on the lines of real pages."""

    def __init__(self, rules: Sequence[tuple[str, Sequence[str]]], flags: int = re.I) -> None:
        """``rules``: each a pattern and the words (lower-case ASCII) one of which every line
        it matches holds, or none."""
        self.patterns = tuple(pattern for pattern, _needs in rules)
        self.needs = tuple(tuple(needs) for _pattern, needs in rules)
        assert all(word.isascii() and word == word.lower() for needs in self.needs for word in needs)
        self.plain = re.compile("|".join(f"(?:{p})" for p in self.patterns), flags)
        self._flags = flags
        self._first = tuple(first_characters(p, flags) for p in self.patterns)
        self._longest = tuple(longest_line(p, flags) for p in self.patterns)
        # A line holding an ASCII look-alike looks for the words as the rule would: by ``re``.
        self._needs_pattern = tuple(re.compile("|".join(map(re.escape, needs)), flags) if needs else None
                                    for needs in self.needs)
        self._rule = tuple(re.compile(p, flags) for p in self.patterns)
        # Bounded: a page of Chinese text brings a new first character on every line. The first
        # characters share a few dozen sets of rules: each is compiled once (a few ms each).
        self._for_first = lru_cache(maxsize=4096)(self._rules_for)
        self._by_first: dict[str, tuple] = {}
        self._combined = lru_cache(maxsize=512)(self._combine)

    def match(self, line: str) -> bool:
        """``plain.match(line)``, trying only the rules that can match ``line``."""
        if not line:
            return self.plain.match(line) is not None
        found = self._by_first.get(line[0])  # a dict before the bounded cache: most lines start alike
        if found is None:
            found = self._by_first[line[0]] = self._for_first(line[0])
            if len(self._by_first) > 4096:
                self._by_first.clear()
        pattern, needing_words, words = found
        if pattern is not None and pattern.match(line) is not None:
            return True
        if not needing_words:
            return False
        if line.isascii() or _ASCII_LOOKALIKE.search(line) is None:  # most lines: the words looked for in place
            lowered = line.lower()
            for word in words:
                if word in lowered:
                    break
            else:
                return False
        return any(self._rule[at].match(line) is not None
                   for at in self._holding_their_words(line, needing_words, words))

    def _holding_their_words(self, line: str, rules: tuple[int, ...], words: tuple[str, ...]) -> list[int]:
        """Of ``rules``, those whose words ``line`` holds and whose length they allow;
        ``words``: all their words."""
        if not line.isascii() and _ASCII_LOOKALIKE.search(line):
            return [at for at in rules if len(line) <= self._longest[at]
                    and self._needs_pattern[at].search(line) is not None]
        lowered = line.lower()  # here, an ASCII word in it is an ASCII word in the line, case-blind
        for word in words:  # most lines hold none: one loop, no generator per rule
            if word in lowered:
                break
        else:
            return []
        return [at for at in rules if len(line) <= self._longest[at] and any(word in lowered for word in self.needs[at])]

    def _rules_for(self, first: str) -> tuple[re.Pattern | None, tuple[int, ...], tuple[str, ...]]:
        """The rules a line starting with ``first`` can match: those needing no word as one
        pattern, those needing one, and all the words they need."""
        possible = [at for at, start in enumerate(self._first) if start is None or start.match(first)]
        needing = tuple(at for at in possible if self.needs[at])
        return (self._combined(tuple(at for at in possible if not self.needs[at])), needing,
                tuple(dict.fromkeys(word for at in needing for word in self.needs[at])))

    def _combine(self, rules: tuple[int, ...]) -> re.Pattern | None:
        if not rules:
            return None
        return re.compile("|".join(f"(?:{self.patterns[at]})" for at in rules), self._flags)
