"""Markup nested too deep to keep, rewritten so that it is not.

libxml2 stops reading a document at 2048 open elements and drops everything after that point;
the extractor parts walk trees of bounded depth. Markup that nests deeper than that is nearly
always one structure repeated: a reply chain (``li.comment > ol.children > li.comment …``) or
boxes in boxes. ``unnest_markup`` moves each repeated element up to where the repetition
began, closing its ancestors just before it: every element and every character stays, once,
in document order, and each moved element names the element that was its parent in the
markup (``UNNESTED_PARENT`` → ``UNNESTED_ID``; ``Page.markup_parent`` follows it), so the
comment thread keeps its true parents and depths.
"""
from __future__ import annotations

import re
from collections import Counter

UNNESTED_PARENT = "data-unnested-parent"
UNNESTED_ID = "data-unnested-id"
# Real pages nest a few dozen levels: a path of open elements this deep is looked at for the
# structure it repeats, and its further levels move up.
UNNEST_DEPTH = 100
_UNNEST_HARD_DEPTH = 160  # past this any element moves up, repeated or not
_MIN_REPEATS = 3          # a structure repeated fewer times along the path is no chain
_MARKUP = re.compile(r"<!--.*?(?:-->|\Z)|<![^>]*>?|<\?[^>]*>?"
                     # possessive, and a run of plain characters at a time: no backtracking state
                     # kept per character of a long attribute, none at all for a tag left open
                     r"|<(/?)([A-Za-z][^\s/>]*)((?:[^>\"']+|\"[^\"]*\"|'[^']*')*+)>", re.S)
_CLASS_ATTRIBUTE = re.compile(r"""(?:^|\s)class\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s"'>]+))""", re.I)
_DIGITS = re.compile(r"\d+")
# Elements whose content is text to the parser, never markup.
_RAW_TEXT = frozenset({"script", "style", "textarea", "title", "xmp", "iframe", "noembed", "noframes",
                       "plaintext"})
_VOID = frozenset({"area", "base", "basefont", "bgsound", "br", "col", "embed", "frame", "hr", "img",
                   "input", "keygen", "link", "meta", "param", "source", "track", "wbr"})
# An open <p> ends where one of these starts, as the parser ends it.
_ENDS_P = frozenset({"address", "article", "aside", "blockquote", "details", "dialog", "div", "dl",
                     "fieldset", "figcaption", "figure", "footer", "form", "h1", "h2", "h3", "h4", "h5",
                     "h6", "header", "hgroup", "main", "menu", "nav", "ol", "p", "pre", "section",
                     "table", "ul", "li", "dd", "dt"})
# Elements that end an open sibling of theirs: a new <li> ends the <li> before it.
_ENDS_SIBLING = {"li": ("li",), "dt": ("dt", "dd"), "dd": ("dt", "dd"), "option": ("option",),
                 "tr": ("td", "th", "tr"), "td": ("td", "th"), "th": ("td", "th")}


class _OpenElement:
    """An element the markup has opened and not yet closed, and whether the output has."""
    __slots__ = ("tag", "attributes", "piece", "name_end", "in_output", "anchor", "_signature")

    def __init__(self, tag: str, attributes: str, piece: int, name_end: int):
        self.tag, self.attributes, self.piece, self.name_end = tag, attributes, piece, name_end
        self.in_output = True
        self.anchor: str | None = None
        self._signature: tuple[str, str] | None = None

    @property
    def signature(self) -> tuple[str, str]:
        """Tag and first class name without its numbers: what stays the same from one level of
        a repeated structure to the next (``li`` ``comment``, while ``depth-7`` changes)."""
        if self._signature is None:
            m = _CLASS_ATTRIBUTE.search(self.attributes)
            names = next((g for g in m.groups() if g is not None), "").split() if m else []
            self._signature = (self.tag, _DIGITS.sub("", names[0]) if names else "")
        return self._signature


def _repetition(path: list[_OpenElement]) -> tuple[tuple[str, str], int] | None:
    """The structure repeated most often along ``path`` (the open elements, outermost first) and
    the position of its outermost element; None where nothing repeats."""
    counts = Counter(el.signature for el in path[2:])  # never html or body
    if not counts:
        return None
    most = max(counts.values())
    if most < _MIN_REPEATS:
        return None
    position = next(i for i in range(2, len(path)) if counts[path[i].signature] == most)
    return path[position].signature, position



def unnest_markup(text: str) -> tuple[str, bool]:
    """``text`` with no element nested deeper than about ``UNNEST_DEPTH``, and whether any
    element moved.

    Once a path of open elements reaches ``UNNEST_DEPTH``, the structure repeated most along it
    is the chain; from then on each element of that structure opened inside the chain's first
    element moves up beside it, and past ``_UNNEST_HARD_DEPTH`` any element moves up. A moved
    element's former ancestors are closed just before it, and their own end tags dropped later.
    """
    return _Unnesting(text).run()


class _Unnesting:
    """One pass of ``unnest_markup`` over a document: the output so far, the elements open in
    the markup and in the output, and the chain whose levels move up."""
    __slots__ = ("text", "pieces", "stack", "path", "open_tags", "chain", "chain_at", "looked_at",
                 "anchors", "moved")

    def __init__(self, text: str):
        self.text = text
        self.pieces: list[str] = []
        self.stack: list[_OpenElement] = []   # open in the markup, outermost first
        self.path: list[_OpenElement] = []    # of those, the ones still open in the output
        self.open_tags: Counter = Counter()   # tag → how many of ``stack`` have it
        self.chain: tuple[str, str] | None = None  # the repeated structure, while its place is open
        self.chain_at = 0  # position in ``path`` of the chain's outermost element
        self.looked_at = 0  # length of ``path`` when the chain was last looked for: not again each tag
        self.anchors = 0  # ``UNNESTED_ID`` values handed out
        self.moved = False

    def run(self) -> tuple[str, bool]:
        text, pieces, end_tag, start_tag = self.text, self.pieces, self._end_tag, self._start_tag
        position, end = 0, len(text)
        while position < end:
            m = _MARKUP.search(text, position)
            if m is None:
                pieces.append(text[position:])
                break
            pieces.append(text[position:m.start()])
            position = m.end()
            if m.group(2) is None:  # a comment, doctype or processing instruction
                pieces.append(m.group(0))
            elif m.group(1):
                end_tag(m)
            else:
                position = start_tag(m, position)
        return "".join(pieces), self.moved

    def _end_tag(self, m: re.Match) -> None:
        """Close the element the end tag ``m`` names, and the elements still open inside it."""
        tag = m.group(2).lower()
        if self.open_tags[tag]:
            while self.stack[-1].tag != tag:
                self._pop()
            self._pop()
        else:
            self.pieces.append(m.group(0))  # a stray: the parser's to judge

    def _start_tag(self, m: re.Match, position: int) -> int:
        """Write the start tag ``m``, moved up where it nests too deep. Returns where reading
        goes on: ``position``, or past the content of a raw-text element."""
        name, attributes, start = m.group(2), m.group(3), m.group(0)
        tag = name.lower()
        self._close_implied(tag)
        if tag in _VOID or attributes.rstrip().endswith("/"):
            self.pieces.append(start)
            return position
        el = _OpenElement(tag, attributes, 0, 1 + len(name))
        self._look_for_chain()
        target = self._place_of(el)
        if target is not None:
            self._close_output_from(target)
        self._open(el, self._naming_parent(el, start))
        return self._copy_raw_text(tag, position) if tag in _RAW_TEXT else position

    def _close_implied(self, tag: str) -> None:
        """Close what a start tag ``tag`` ends without an end tag, as the parser does: an open
        <p> before a block, an open <li> before the next <li>."""
        stack = self.stack
        if stack and stack[-1].tag == "p" and tag in _ENDS_P:
            self._pop()
        while stack and stack[-1].tag in _ENDS_SIBLING.get(tag, ()):
            self._pop()

    def _look_for_chain(self) -> None:
        """Once the path is ``UNNEST_DEPTH`` deep, find the structure it repeats; again only
        after the path has grown or shrunk by 16 since the last look, not at each tag."""
        depth = len(self.path)
        if depth >= UNNEST_DEPTH and abs(depth - self.looked_at) >= 16:
            found = _repetition(self.path)
            self.looked_at = depth
            if found is not None:
                self.chain, self.chain_at = found

    def _place_of(self, el: _OpenElement) -> int | None:
        """The position in ``path`` that ``el`` moves up to, None where it stays: beside the
        chain's outermost element for a further level of the chain; halfway up to
        ``UNNEST_DEPTH`` for any element past ``_UNNEST_HARD_DEPTH``."""
        if self.chain is not None and el.signature == self.chain and len(self.path) > self.chain_at:
            return self.chain_at
        if len(self.path) >= _UNNEST_HARD_DEPTH:
            return UNNEST_DEPTH // 2
        return None

    def _close_output_from(self, target: int) -> None:
        """Close ``path[target:]`` in the output, innermost first; the markup's own end tags for
        them are dropped when they come."""
        for closed in reversed(self.path[target:]):
            self.pieces.append(f"</{closed.tag}>")
            closed.in_output = False
        del self.path[target:]
        self._drop_chain_if_closed()

    def _naming_parent(self, el: _OpenElement, start: str) -> str:
        """``el``'s start tag ``start``, naming ``el``'s parent in the markup where the output
        has closed that parent: ``el`` has moved up."""
        parent = self.stack[-1] if self.stack else None
        if parent is None or parent.in_output:
            return start
        self.moved = True
        return f'{start[:el.name_end]} {UNNESTED_PARENT}="{self._anchor_of(parent)}"{start[el.name_end:]}'

    def _anchor_of(self, el: _OpenElement) -> str:
        """``el``'s ``UNNESTED_ID``, written into its start tag the first time it is asked for."""
        if el.anchor is None:
            self.anchors += 1
            el.anchor = str(self.anchors)
            start = self.pieces[el.piece]
            self.pieces[el.piece] = f'{start[:el.name_end]} {UNNESTED_ID}="{el.anchor}"{start[el.name_end:]}'
        return el.anchor

    def _open(self, el: _OpenElement, start: str) -> None:
        el.piece = len(self.pieces)
        self.pieces.append(start)
        self.stack.append(el)
        self.path.append(el)
        self.open_tags[el.tag] += 1

    def _pop(self) -> None:
        """Close the innermost element open in the markup; in the output too, where it is open
        there."""
        el = self.stack.pop()
        self.open_tags[el.tag] -= 1
        if el.in_output:
            self.pieces.append(f"</{el.tag}>")
            self.path.pop()
            self._drop_chain_if_closed()

    def _drop_chain_if_closed(self) -> None:
        if len(self.path) < self.chain_at:
            self.chain = None  # the element the chain hangs from is closed

    def _copy_raw_text(self, tag: str, position: int) -> int:
        """Copy the content of the raw-text element ``tag`` (``<script>``, ``<style>`` …) as it
        is, up to its end tag; returns where that end tag starts, to be read as any other."""
        close = re.compile(rf"</{re.escape(tag)}[\s/>]", re.I).search(self.text, position)
        stop = close.start() if close else len(self.text)
        self.pieces.append(self.text[position:stop])
        return stop
