"""Whole-line rules tried only where they can match. A table of patterns, each anchored at a
line's start, is one combined pattern to the reader; to the machine it is, for each opening
of a line (its first three characters) and band of length, the few rules such a line can match.
How a rule can open and how long a line it can match are read from the rule's own parsed
pattern (``re._parser``), never written down twice: a new rule is dispatched as soon as it is
in the table. Rules that could start anywhere and look through the whole line name words
they need, and run only on lines of their length holding one."""
from __future__ import annotations

import re
from bisect import bisect_left
from collections.abc import Callable, Sequence
from functools import cached_property
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
    """A construct the reading of a rule's opening does not know: its rule is tried on every line."""


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


def _atom(op, av, ignore_case: bool) -> str:
    """A pattern of one character of the line, as the parsed item matches it."""
    case = "(?i:{})" if ignore_case else "(?-i:{})"  # each atom keeps the case rule it was written under
    if op is sre.LITERAL:
        return case.format(_char(av))
    if op is sre.NOT_LITERAL:
        return case.format(f"[^{_char(av)}]")
    if op is sre.IN:
        return case.format(_class_source(av))
    return "."


# A line's opening is read this many characters deep: the first two tell most rules apart ("Th",
# "Re", "Sh") where the first alone leaves a dozen to try on every line starting with a "T"; the
# third parts "The" and "This" (three rules start "this"), and leaves a third of the rules to try.
OPENING_CHARS = 3
_NEVER = "(?!)"  # no character: the line has ended


def _openings(items: tuple, depth: int) -> set[tuple[str, ...]]:
    """The ways a match of ``items`` (parsed items, each with its case rule) can open, each as
    a tuple of up to ``depth`` one-character patterns; a shorter tuple leaves what follows open.
    Every line the items match opens as one of them (more may be given, never fewer): what the
    reading does not know, it leaves open."""
    if depth == 0 or not items:
        return {()}
    (op, av, ignore_case), rest = items[0], items[1:]
    if op is sre.AT and av is sre.AT_END:  # the line's end, or a line break and then its end
        return {("\\n", _NEVER)[:depth]}
    if op in _ZERO_WIDTH:
        return _openings(rest, depth)
    if op in (sre.LITERAL, sre.NOT_LITERAL, sre.IN, sre.ANY):
        atom = _atom(op, av, ignore_case)
        return {(atom, *tail) for tail in _openings(rest, depth - 1)}
    if op is sre.SUBPATTERN:
        _group, add, remove, sub = av
        inner = bool((ignore_case or add & sre.SRE_FLAG_IGNORECASE) and not remove & sre.SRE_FLAG_IGNORECASE)
        return _openings(_with_case(sub, inner) + rest, depth)
    if op is sre.ATOMIC_GROUP:  # read as a plain group: it matches no line a plain group would not
        return _openings(_with_case(av, ignore_case) + rest, depth)
    if op is sre.BRANCH:
        return set().union(*(_openings(_with_case(branch, ignore_case) + rest, depth) for branch in av[1]))
    if op in _REPEATS:  # read as greedy: a lazy or possessive repeat matches no line more
        least, most, sub = av
        if sre_parse.SubPattern(sub.state, list(sub)).getwidth()[0] == 0:
            return {()}  # a repeat of what can match nothing: left open
        openings = _openings(rest, depth) if least == 0 else set()
        if most:
            again = (sre.MAX_REPEAT, (max(least - 1, 0), most if most is sre.MAXREPEAT else most - 1, sub), ignore_case)
            openings |= _openings(_with_case(sub, ignore_case) + (again,) + rest, depth)
        return openings
    return {()}


def _with_case(items, ignore_case: bool) -> tuple:
    return tuple((op, av, ignore_case) for op, av in items)


def opening_pattern(pattern: str, flags: int = re.I, depth: int = OPENING_CHARS,
                    parsed: sre_parse.SubPattern | None = None) -> re.Pattern:
    """A pattern matching the first ``depth`` characters of every line ``pattern`` matches (and
    of lines shorter than that, their whole): a line whose opening it turns away cannot match.
    ``parsed``: ``pattern`` parsed with ``flags`` already."""
    if parsed is None:
        parsed = sre_parse.parse(pattern, flags)
    try:
        openings = _openings(_with_case(parsed, bool(flags & re.I)), depth)
    except _NotRead:
        openings = {()}
    # The ways as a tree, each character's pattern written once for all the ways it starts: a
    # line's opening is tried against a handful of first characters, not against every way.
    tree: dict = {}
    for atoms in openings:
        node = tree
        for atom in atoms:
            node = node.setdefault(atom, {})
        node[None] = {}  # the way ends here: whatever follows is allowed
    return re.compile(_written(tree, top=True), flags & ~re.I)


def _written(node: dict, top: bool = False) -> str:
    """A tree of openings as a pattern: a way that ends allows whatever follows; elsewhere each
    next character, or the opening's end (a short line), but not before its first character."""
    if None in node:
        return ""
    ways = [atom + _written(below) for atom, below in sorted(node.items())]
    return "(?:" + "|".join(ways if top else [*ways, "\\Z"]) + ")"


def _ends_line(items) -> bool:
    return bool(items) and items[-1] == (sre.AT, sre.AT_END)


def longest_line(pattern: str, flags: int = re.I, parsed: sre_parse.SubPattern | None = None) -> float:
    """The longest line ``pattern`` can match: what it consumes before the ``$`` it ends in, or
    what a lookahead ``(?=.{0,N}$)`` allows, plus one for the line break ``$`` matches before;
    UNBOUNDED where neither limits it. ``parsed``: ``pattern`` parsed with ``flags`` already."""
    if parsed is None:
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
    against the rules its opening characters and its length allow (``match``), and a rule that
    needs a word only on a line holding one. Both answer the same: tests/test_text_rules.py holds
    them to it on the lines of real pages."""

    # For ``walk.dispatched_matches``, which reads the tables as ``match`` does.
    opening_chars = OPENING_CHARS
    ascii_lookalike = _ASCII_LOOKALIKE

    def __init__(self, rules: Sequence[tuple[str, Sequence[str]]], flags: int = re.I) -> None:
        """``rules``: each a pattern and the words (lower-case ASCII) one of which every line
        it matches holds, or none."""
        self.patterns = tuple(pattern for pattern, _needs in rules)
        self.needs = tuple(tuple(needs) for _pattern, needs in rules)
        assert all(word.isascii() and word == word.lower() for needs in self.needs for word in needs)
        self._flags = flags
        # Each rule parsed once, for both readings; compiled only when a line first needs it
        # (``_compiled``): most of a table's patterns cost more to compile at start-up than
        # their dispatch to read, and a short run meets few of them.
        parsed = [sre_parse.parse(p, flags) for p in self.patterns]
        self._opening = tuple(opening_pattern(p, flags, parsed=tree) for p, tree in zip(self.patterns, parsed))
        self._longest = tuple(longest_line(p, flags, parsed=tree) for p, tree in zip(self.patterns, parsed))
        # The lengths where a rule stops matching: a line's length is one of the bands between them,
        # looked up by length up to the last limit (a list, not a bisection on every line).
        self._limits = sorted({longest for longest in self._longest if longest != UNBOUNDED})
        self._band_of_length = [bisect_left(self._limits, length) for length in range(self._limits[-1] + 1)]
        self._rule: list[re.Pattern | None] = [None] * len(self.patterns)
        # By opening, the rules for each band of length, filled as lines come. Bounded: a page of
        # Chinese text brings new openings on every line. A line is tried against its few rules
        # one by one: a combined pattern for each of the hundred-odd sets of them would cost
        # more to compile (a few ms each) than it saves over the pages of a run.
        self._by_opening: dict[str, list] = {}
        self._bands_of_rules: dict[tuple[int, ...], list] = {}
        self._by_prefix: dict[str, tuple[int, ...]] = {}  # the rules a line's first characters allow

    @cached_property
    def plain(self) -> re.Pattern:
        """The rules as one alternation: what ``match`` answers (the empty line, the tests)."""
        return re.compile("|".join(f"(?:{p})" for p in self.patterns), self._flags)

    @cached_property
    def _needs_pattern(self) -> tuple[re.Pattern | None, ...]:
        """For a line holding an ASCII look-alike: each rule's words looked for as the rule
        would, by ``re``."""
        return tuple(re.compile("|".join(map(re.escape, needs)), self._flags) if needs else None
                     for needs in self.needs)

    def _compiled(self, at: int) -> re.Pattern:
        rule = self._rule[at]
        if rule is None:
            rule = self._rule[at] = re.compile(self.patterns[at], self._flags)
        return rule

    def match(self, line: str) -> bool:
        """``plain.match(line)``, trying only the rules that can match ``line``."""
        size = len(line)
        if not size:
            return self.plain.match(line) is not None
        bands = self._by_opening.get(line[:OPENING_CHARS])
        found = bands[self._band_of_length[size] if size <= self._limits[-1] else len(self._limits)] \
            if bands is not None else None
        if found is None:
            found = self._found(line)
        matchers, needing_words, words = found
        for match in matchers:
            if match(line) is not None:
                return True
        if not needing_words:
            return False
        if line.isascii() or _ASCII_LOOKALIKE.search(line) is None:
            # Here, an ASCII word in the lower-cased line is one in the line, case-blind.
            lowered = line.lower()
            for word in words:  # most lines hold none: one loop, no generator per rule
                if word in lowered:
                    return self._match_needing(line, needing_words, lowered)
            return False
        return self._match_needing(line, needing_words, None)

    def _found(self, line: str) -> tuple:
        """The rules a line (not empty) can match, as ``_rules_for`` sorts them: read from the
        tables, filled on the first line of its opening and band of length."""
        opening = line[:OPENING_CHARS]
        bands = self._by_opening.get(opening)
        if bands is None:
            if len(self._by_opening) >= 8192:
                self._by_opening.clear()
                self._by_prefix.clear()
            bands = self._by_opening[opening] = self._bands_for(opening)
        size = len(line)
        band = self._band_of_length[size] if size <= self._limits[-1] else len(self._limits)
        found = bands[band]
        if found is None:
            found = bands[band] = self._rules_for(bands[-1], self._limits[band - 1] + 1 if band else 0)
        return found

    def _match_needing(self, line: str, needing_words: tuple[int, ...], lowered: str | None) -> bool:
        """Whether a rule of ``needing_words`` matches ``line``, tried where the line holds one of
        its words: found in ``lowered`` (the line lower-cased, holding no ASCII look-alike), or
        by ``re`` where that is None."""
        if lowered is not None:
            return any(self._compiled(at).match(line) is not None
                       for at in needing_words if any(word in lowered for word in self.needs[at]))
        return any(self._compiled(at).match(line) is not None
                   for at in needing_words if self._needs_pattern[at].search(line) is not None)

    def _bands_for(self, opening: str) -> list:
        """For a line's opening, a slot for each band of length, and last the rules it allows:
        one list for all the openings that allow the same rules (a few dozen sets of them), so
        that each band's rules are sorted out once for them all."""
        # The rules its opening allows, read a character deeper at each step from those its
        # shorter prefix allows (each prefix's kept): an opening pattern matching a line's
        # opening matches each prefix of it (``opening_pattern`` admits a line ending after any
        # of its characters), so none is lost, and a new opening tries only a few rules.
        allowed = tuple(range(len(self._opening)))
        for size in range(1, len(opening) + 1):
            prefix = opening[:size]
            known = self._by_prefix.get(prefix)
            if known is None:
                known = tuple(at for at in allowed if self._opening[at].match(prefix))
                if size < len(opening):
                    self._by_prefix[prefix] = known
            allowed = known
        bands = self._bands_of_rules.get(allowed)
        if bands is None:
            bands = self._bands_of_rules[allowed] = [None] * (len(self._limits) + 1) + [allowed]
        return bands

    def _rules_for(self, allowed: tuple[int, ...],
                   length: int) -> tuple[tuple[Callable, ...], tuple[int, ...], tuple[str, ...]]:
        """Of the rules an opening allows, those a line ``length`` long (the shortest of its band
        of length) can match: those needing no word (their patterns' ``match``), those needing
        one, and all the words they need."""
        possible = [at for at in allowed if length <= self._longest[at]]
        needing = tuple(at for at in possible if self.needs[at])
        return (tuple(self._compiled(at).match for at in possible if not self.needs[at]), needing,
                tuple(dict.fromkeys(word for at in needing for word in self.needs[at])))
