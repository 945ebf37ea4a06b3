"""React's streamed server rendering, put together as a browser shows it.

A page rendered with Suspense sends its late parts (often the article itself) after the footer,
as hidden segments (``<div hidden id="S:1">``), and inline scripts move each into its
placeholder: ``$RC("B:0","S:1")`` puts segment S:1 where the boundary's ``<template id="B:0">``
and its "Loading…" fallback stand, up to the boundary's closing ``<!--/$-->``;
``$RS("S:2","P:2")`` puts S:2 where ``<template id="P:2">`` stands. React 18 numbers boundaries
and segments apart, so the scripts say which goes where. A page saved without its scripts still
pairs ``S:n`` with ``P:n`` (one number by construction), and else with ``B:n``, as React 19
numbers them.
"""
from __future__ import annotations

import itertools
import re
from collections.abc import Iterable

from lxml import etree

from .regions import HIDDEN_STYLE

MAX_SEGMENTS = 500  # a page streams a few dozen; past this it is hostile, and the rest stays hidden
_MAX_FALLBACK_NODES = 12  # a fallback is a skeleton or two; a longer one is broken markup
_INSTRUCTION = re.compile(r'\$R([CRS])\("([BPS]:\w+)","([BPS]:\w+)"')
_SEGMENTS = etree.XPath("//*[starts-with(@id, 'S:')]")
_PLACEHOLDERS = etree.XPath("//template[starts-with(@id, 'B:') or starts-with(@id, 'P:')]")
_UNWRAP = "streamed-segment"  # no page's own tag
_OPENERS = ("$", "$?", "$!")  # a Suspense boundary's opening comments: complete, pending, failed


def place_streamed_segments(root: etree._Element) -> None:
    """Move each hidden segment's content into its placeholder, as React's scripts would."""
    segments = _by_unique_id(s for s in _SEGMENTS(root) if _is_hidden(s))
    if not segments:
        return
    placeholders = _by_unique_id(_PLACEHOLDERS(root))
    pairs = _instructions(root) or _pairs_by_number(segments, placeholders)
    dropped: set[str] = set()  # placeholders that went with another's fallback
    for segment_id, placeholder_id in itertools.islice(pairs.items(), MAX_SEGMENTS):
        segment, slot = segments.get(segment_id), placeholders.get(placeholder_id)
        if segment is None or slot is None or placeholder_id in dropped or _holds(segment, slot):
            continue
        dropped.update(_drop_fallback(slot))
        _put_in_place(segment, slot)
    # The moved segments and the stubs they left are unwrapped in one pass, in C: their text
    # joins what surrounds them however many there are.
    etree.strip_tags(root, _UNWRAP)


def _by_unique_id(elements: Iterable[etree._Element]) -> dict[str, etree._Element]:
    """Elements by id; an id given twice is ambiguous, and neither element is used."""
    found: dict[str, etree._Element | None] = {}
    for el in elements:
        key = el.get("id")
        found[key] = None if key in found else el
    return {key: el for key, el in found.items() if el is not None}


def _is_hidden(segment: etree._Element) -> bool:
    # In a table, React hides the <table> and puts the id on its <tbody> or <tr>.
    return any(el is not None and (el.get("hidden") is not None or HIDDEN_STYLE.search(el.get("style") or ""))
               for el in (segment, segment.getparent()))


def _instructions(root: etree._Element) -> dict[str, str]:
    """Segment id → placeholder id, from the inline scripts and the templates that carry them."""
    pairs: dict[str, str] = {}
    for script in root.iter("script"):
        for kind, first, second in _INSTRUCTION.findall(script.text or ""):
            if kind == "S":
                pairs[first] = second  # $RS(segment, placeholder)
            else:
                pairs[second] = first  # $RC / $RR(boundary, segment)
    for template in root.iter("template"):  # React's external runtime: data instead of scripts
        if template.get("data-rci") is not None or template.get("data-rri") is not None:
            pairs[template.get("data-sid", "")] = template.get("data-bid", "")
        elif template.get("data-rsi") is not None:
            pairs[template.get("data-sid", "")] = template.get("data-pid", "")
    return pairs


def _pairs_by_number(segments: dict, placeholders: dict) -> dict[str, str]:
    pairs = {}
    for segment_id in segments:
        number = segment_id[2:]
        placeholder_id = "P:" + number if "P:" + number in placeholders else "B:" + number
        pairs[segment_id] = placeholder_id
    return pairs


def _holds(segment: etree._Element, slot: etree._Element) -> bool:
    """Broken markup: the placeholder inside its own segment."""
    return any(template is slot for template in segment.iter("template"))


def _drop_fallback(slot: etree._Element) -> list[str]:
    """Remove a boundary's fallback: what follows its placeholder (``<!--$?--><template
    id="B:n">``) up to the boundary's closing ``<!--/$-->``. Where the comments are gone (a page
    saved without them) the fallback cannot be told from the page, and stays. Returns the ids of
    the placeholders that went with it."""
    previous = slot.getprevious()
    opened = previous is not None and previous.tag is etree.Comment and previous.text == "$?"
    if not opened or not slot.get("id", "").startswith("B:"):
        return []
    fallback, depth = [], 0
    for node in itertools.islice(slot.itersiblings(), _MAX_FALLBACK_NODES):
        if node.tag is etree.Comment and node.text == "/$":
            if depth == 0:
                slot.tail = None  # the fallback's own text
                ids = _ids_within(fallback)
                for dropped in fallback:
                    _discard(dropped)
                return ids
            depth -= 1
        elif node.tag is etree.Comment and node.text in _OPENERS:
            depth += 1
        fallback.append(node)
    return []


def _ids_within(nodes: list[etree._Element]) -> list[str]:
    return [t.get("id", "") for node in nodes if isinstance(node.tag, str) for t in node.iter("template")]


def _put_in_place(segment: etree._Element, slot: etree._Element) -> None:
    """The segment takes the placeholder's place, marked to be unwrapped; a stub marked alike
    keeps the text that followed the segment where it was."""
    stub = etree.Element(_UNWRAP)
    stub.tail, segment.tail = segment.tail, slot.tail
    segment.addprevious(stub)
    slot.getparent().replace(slot, segment)
    segment.tag = _UNWRAP


def _discard(el: etree._Element) -> None:
    """Remove ``el`` with the text after it."""
    el.getparent().remove(el)
