"""Walks over the whole tree that every page pays for, with a compiled twin.

``_walk.pyx`` is built by the package's own build where a C compiler is at hand (``pip
install``); where it is not, the pure-Python walks here give the same output, element for
element (``tests/test_walk.py`` holds them to it on real pages).
"""
from __future__ import annotations

import logging
import os
import re
from collections.abc import Callable, Collection
from itertools import filterfalse

from lxml import etree


# The compiled twins (``_walk.pyx``), where the build made them; ``BLOG_ARCHIVER_PURE_PYTHON=1``
# asks for the pure-Python walks instead.
try:
    if os.environ.get("BLOG_ARCHIVER_PURE_PYTHON"):
        raise ImportError("the pure-Python walks were asked for")
    from . import _walk
except ImportError:
    _walk = None
COMPILED = _walk is not None
_STALE: list[str] = []  # twins an extension built from older code lacks


def _twin(python: Callable, name: str | None = None) -> Callable:
    """The compiled twin of ``python`` (``name``, else its name less ``_python``), else ``python``
    itself. An extension built before the twin was written (a source tree changed since ``pip
    install``) lacks it: that walk runs in Python, and the first such lookup says so once."""
    if _walk is None:
        return python
    name = name or python.__name__.removesuffix("_python")
    compiled = getattr(_walk, name, None)
    if compiled is None:
        if not _STALE:
            logging.getLogger(__name__).warning(
                "The compiled walks (%s) are older than this code: some walks run in pure Python "
                "until it is rebuilt (pip install -e .)", _walk.__file__)
        _STALE.append(name)
        return python
    return compiled


def is_link(el: etree._Element) -> bool:
    """An <a> is link text, unless it is a named anchor: a ``name`` and no ``href``, the jump
    target an old page wraps around a paragraph (``<a name="q3">Question three …</a>``). An
    <a> with neither is a script's button ("Show more", a FAQ toggle): still interface."""
    return el.tag == "a" and (el.get("href") is not None or el.get("name") is None)


_XML_SPACE = re.compile(r"[ \t\r\n]+")  # what XPath's normalize-space() folds (not NBSP)


def normalized_length_below(text: str, limit: int) -> bool:
    """``len(normalize-space(text)) < limit``, without building the normalized string where
    the characters that are not XML spaces already reach ``limit``."""
    spaces = text.count(" ") + text.count("\n") + text.count("\t") + text.count("\r")
    if len(text) - spaces >= limit:
        return False
    return len(_XML_SPACE.sub(" ", text).strip(" ")) < limit


def link_chars(el: etree._Element) -> int:
    """Characters of link text (``is_link``) at or below ``el``; a link in a link counts again."""
    chars = 0
    for a in el.iter("a"):  # a loop, not sum() over a generator: every text block comes here
        if is_link(a):
            chars += len(a.text_content())
    return chars


def block_texts_python(root: etree._Element, blocks: tuple[str, ...], own_text_holders: tuple[str, ...],
                       wrappers: tuple[str, ...], min_chars: int) -> list[tuple]:
    """The body analysis's blocks, in document order: ``(element, text, stripped length, link
    characters, folded text)`` for each element of ``blocks`` whose text reaches ``min_chars``
    stripped and normalized (``normalize-space``), the folded text its words one space apart;
    ``(element, None, 0, 0, None)`` for each element of ``own_text_holders`` (divs), which the
    caller reads itself. ``body_blocks_python`` reads its blocks here; the compiled
    ``body_blocks`` reads them in C."""
    found: list[tuple] = []
    holders = frozenset(own_text_holders)
    for el in root.iter(*blocks, *own_text_holders):
        if el.tag in holders:
            found.append((el, None, 0, 0, None))
            continue
        text = el.text_content()
        size = len(text.strip())
        if size >= min_chars and not normalized_length_below(text, min_chars):
            found.append((el, text, size, link_chars(el), " ".join(text.split())))
    return found


def link_walk_python(container: etree._Element, is_furniture: Callable[[etree._Element], bool],
                     judged_by_tag: frozenset[str], judged_by_attribute: frozenset[str],
                     link_lists: frozenset[str], max_chars: int, share: float) -> list:
    """Furniture (``is_furniture``) and link lists inside ``container``, in one post-order
    walk: furniture is not entered and does not count towards its parent's link share; an
    element of ``link_lists`` whose text (below ``max_chars``) is at least ``share`` link text
    is a link list. The compiled twin asks ``is_furniture`` only of elements with one of
    ``judged_by_attribute`` or of a tag in ``judged_by_tag``: it must say no to every other
    element."""
    skip: list = []

    def walk(el: etree._Element, in_link: bool) -> tuple[int, int]:
        tag = el.tag
        link = in_link or is_link(el)
        text = len((el.text or "").strip())
        links = text if link else 0
        for child in el:
            if isinstance(child.tag, str):
                if is_furniture(child):
                    skip.append(child)
                else:
                    t, n = walk(child, link)
                    text, links = text + t, links + n
            if child.tail:
                tail = len(child.tail.strip())
                text += tail
                links += tail if link else 0
        if tag in link_lists and 0 < text < max_chars and links >= share * text:
            skip.append(el)
        return text, links

    walk(container, False)
    return skip


def text_pieces_python(el: etree._Element, skip: Collection[etree._Element],
                       in_data_table: Callable[[etree._Element], bool], skip_tags: frozenset[str],
                       block_tags: frozenset[str], cell_tags: frozenset[str], line_break: object,
                       code_line_break: object) -> list:
    """``el``'s text pieces in document order (``text.paragraphs`` joins them): None marks a
    paragraph boundary (a block of ``block_tags``), ``line_break`` a <br>, ``code_line_break``
    a newline in <pre>; a cell of ``cell_tags`` is a space where ``in_data_table`` says so, and
    a block elsewhere. ``skip`` and ``skip_tags`` are left out, their tails kept.

    One ``iterwalk`` (libxml2 drives the walk) rather than a recursive generator: the text of a
    whole article passes through here."""
    tag = el.tag
    if not isinstance(tag, str):
        return []
    skip_ids = frozenset(id(s) for s in skip)
    pieces: list = []
    pre = 0  # depth inside <pre>
    block_cells: dict[int, etree._Element] = {}  # held, so that their ids stay theirs
    walker = etree.iterwalk(el, events=("start", "end", "comment", "pi"))
    for event, node in walker:
        # Inline, and text added straight unless in <pre>: every node of the article passes
        # here twice.
        tag = node.tag
        tag = tag.lower() if isinstance(tag, str) else None
        if event == "start":
            if tag is None or tag in skip_tags or id(node) in skip_ids:
                walker.skip_subtree()  # its "end" still comes, and is skipped below
                continue
            if tag in block_tags:
                pieces.append(None)
            elif tag in cell_tags:
                if in_data_table(node):
                    pieces.append(" ")
                else:
                    block_cells[id(node)] = node
                    pieces.append(None)
            elif tag == "br":
                pieces.append(line_break)
            pre += tag == "pre"
            text = node.text
        elif event == "end":
            if (tag in block_tags and id(node) not in skip_ids) or id(node) in block_cells:
                pieces.append(None)  # block tags are never skip tags
            pre -= tag == "pre" and id(node) not in skip_ids
            text = node.tail if node is not el else None
        else:  # a comment or a processing instruction: only its tail is text
            text = node.tail
        if text:
            if pre:
                for i, line in enumerate(text.split("\n")):  # a newline in <pre> breaks the line
                    if i:
                        pieces.append(code_line_break)
                    if line:
                        pieces.append(line)
            else:
                pieces.append(text)
    return pieces


_WORD_IN_ATTRIBUTE = etree.XPath("//@*[contains(., $word)]")


def word_holders_python(root: etree._Element, word: str) -> list:
    """The elements of ``root``'s whole document with ``word`` in an attribute's value, in
    document order, each once."""
    found: list = []
    for attribute in _WORD_IN_ATTRIBUTE(root, word=word):
        el = attribute.getparent()
        if not found or found[-1] is not el:  # an element's attributes come one after another
            found.append(el)
    return found


def first_text(el: etree._Element) -> str | None:
    """The element's first text that is not empty: its text, else the first tail of its
    children (comments too)."""
    if el.text:
        return el.text
    return next((child.tail for child in el if child.tail), None)


_ATTRIBUTE_NAMED = etree.XPath("boolean(//@*[local-name() = $name])")


def has_attribute_python(root: etree._Element, name: str) -> bool:
    """An element of ``root``'s whole document has an attribute of local name ``name``."""
    return bool(_ATTRIBUTE_NAMED(root, name=name))


def attribute_holders_python(root: etree._Element, tag: str, attribute: str, words: tuple[str, ...]) -> list:
    """The elements of ``tag`` at or below ``root`` in document order whose ``attribute``
    holds one of ``words`` (``"comment-page-"`` in a link's ``href``)."""
    found = []
    for el in root.iter(tag):
        value = el.get(attribute)
        if value is not None and any(word in value for word in words):
            found.append(el)
    return found


has_attribute = _twin(has_attribute_python)
text_pieces = _twin(text_pieces_python)


# -- page index walks ------------------------------------------------------------------------
def label_holders_python(root: etree._Element, labels: Collection[str]) -> tuple[list, list[int]]:
    """The descendant elements of ``root`` whose class string is one of ``labels``, in
    document order, and the position of each among all the descendant elements (as
    ``page_index_python`` counts them)."""
    found: list = []
    positions: list[int] = []
    for position, el in enumerate(root.iterdescendants(etree.Element)):
        if el.get("class") in labels:
            found.append(el)
            positions.append(position)
    return found, positions



def attributes_present_python(root: etree._Element, names: list[str]) -> list[str]:
    """The names of ``names`` (at most 64) that an element of ``root``'s whole document has an
    attribute of (by local name), in the order of ``names``; the compiled twin looks for all
    of them in one walk."""
    return [name for name in names if has_attribute_python(root, name)]


attributes_present = _twin(attributes_present_python)
label_holders = _twin(label_holders_python)


# -- body analysis walks --------------------------------------------------------------------
def judged_link_walk_python(container: etree._Element, is_furniture: Callable[[etree._Element], bool],
                            label_rule: Callable[[str], bool], id_rule: Callable[[str], bool],
                            plain_names: tuple[Collection[str], Collection[str], Collection[str]],
                            judged_by_tag: frozenset[str], judged_by_attribute: frozenset[str],
                            link_lists: frozenset[str], max_chars: int, share: float) -> list:
    """``link_walk_python``: the compiled twin asks ``is_furniture`` of an element whose only
    attributes of ``judged_by_attribute`` are one class and one id, of a tag not in
    ``judged_by_tag``, as ``label_rule(class) or id_rule(id)``: the two must say what
    ``is_furniture`` says of such an element. It says no without asking of a class or id that
    is ASCII, holds no upper-case letter nor any of ``plain_names[2]``, and none of whose names
    (``str.split()``'s) starts with a word of ``plain_names[0]`` before its end or a "-" or "_",
    nor ends with one of ``plain_names[1]`` after its start or a "-" or "_": the rules must say
    no to those.
    Where ``plain_names`` holds two more, the roles that make an element furniture and the
    (property, value) pairs of a hiding style (``regions.FURNITURE_ROLES``, ``HIDING_STYLES``),
    it reads an element's role, style, ``aria-hidden`` and ``hidden`` itself, as
    ``regions.is_boilerplate`` does, and asks ``is_furniture`` of a hidden one. Where it holds two
    more (``regions.camel_furniture_parts``), a class or id with upper-case letters is told as
    its lower-cased copy, unless it holds one of the first words or a name opens with one of the
    second (case aside): the rules must say no to those too."""
    return link_walk_python(container, is_furniture, judged_by_tag, judged_by_attribute, link_lists, max_chars,
                            share)


node_key_python = id


def body_blocks_python(root: etree._Element, blocks: tuple[str, ...], own_text_holders: tuple[str, ...],
                       wrappers: tuple[str, ...], blocks_below: tuple[str, ...], min_chars: int,
                       wrapped_min_chars: int, prose_tags: tuple[str, ...],
                       read_block: Callable[[etree._Element], tuple | None],
                       is_furniture: Callable[[etree._Element], bool], label_rule: Callable[[str], bool],
                       id_rule: Callable[[str], bool], plain_names: tuple[Collection[str], Collection[str], Collection[str]],
                       judged_by_tag: frozenset[str],
                       judged_by_attribute: frozenset[str], text_block: type,
                       holder_breaks: Collection[str] | None = None) -> tuple[list, dict, dict, dict]:
    """The body analysis's one walk: ``(text blocks, sizes, scores, nodes)``.

    Each block of ``block_texts_python`` (a paragraph's text; ``read_block(el)`` reads a holder
    of its own text and a block the walk gave no text, returning ``(text, size, link
    characters, own link characters)`` or None) has its prose, ``size - 2 * links``, credited
    along its climb: from its parent (a holder: from itself) up to the first furniture
    (``is_furniture``, included) or <body>/<html> (excluded). ``sizes``: node key
    (``node_key``) → the prose credited at and below the element along climbs (none where 0);
    ``scores``: key → readability score of the elements of ``prose_tags`` and holders' climbs
    (the first four elements, shares 1, 1/2, 1/4, 1/8), in the order of their first credit;
    ``nodes``: key → element, for every key of ``scores`` (and perhaps more; the compiled twin's
    makes each element when asked). Each block is a
    ``text_block(element, text, link characters, furniture, folded)``, ``text`` the folded text
    where there is one (the text as read is not kept: only its length counts, as links where
    its climb holds a link, ``is_link``), and ``furniture`` is where its climb
    stopped. The compiled twin asks ``is_furniture`` as ``judged_link_walk`` does (``label_rule``,
    ``id_rule``, ``plain_names``), and ``read_block`` only of a holder with ``min_chars`` of its
    own text (stripped), or with none but a ``wrappers`` child, no descendant of
    ``blocks_below`` and ``wrapped_min_chars`` of text: it must say None to every other. With
    ``holder_breaks``, the compiled twin reads a holder of ``min_chars`` of its own text itself,
    as ``body._read_block`` does (``body._own_text``, children of those tags breaking it)."""
    climbs: dict[int, tuple] = {}  # key → (nodes, in_link, furniture): each built once, on its parent's
    credited: dict[int, float] = {}
    dense: dict[int, float] = {}
    nodes: dict[int, etree._Element] = {}
    found: list = []
    no_climb = ((), False, None)

    def climb(start: etree._Element | None) -> tuple:
        pending: list[etree._Element] = []
        node, above, at_furniture = start, no_climb, False
        while node is not None and node.tag not in ("body", "html"):
            known = climbs.get(id(node))
            if known is not None:
                above = known
                break
            pending.append(node)
            if is_furniture(node):
                at_furniture = True
                break
            node = node.getparent()
        if at_furniture:
            furniture = pending.pop()
            above = climbs[id(furniture)] = ((furniture,), is_link(furniture), furniture)
        for node in reversed(pending):
            above = climbs[id(node)] = ((node, *above[0]), above[1] or is_link(node), above[2])
        return above

    def credit(el: etree._Element, start: etree._Element | None, text: str, size: int, links: int,
               own_links: int, folded: str | None) -> None:
        weight = max(0.0, size - 2 * links)
        path, in_link, furniture = climb(start)
        if path:
            credited[id(start)] = credited.get(id(start), 0.0) + weight
        if el.tag in prose_tags or el.tag in own_text_holders:
            share = 1.0
            for node in path[:4]:
                key = id(node)
                nodes[key] = node
                dense[key] = dense.get(key, 0.0) + weight * share
                share /= 2
        found.append(text_block(el, text if folded is None else folded, len(text) if in_link else own_links, furniture,
                                folded))

    for el, text, size, links, folded in block_texts_python(root, blocks, own_text_holders, wrappers, min_chars):
        start = el if el.tag in own_text_holders else el.getparent()
        if text is None:
            read = read_block(el)
            if read is not None:
                credit(el, start, *read, None)
        else:
            credit(el, start, text, size, links, links, folded)
    # Each climb is its start on top of its parent's climb, built before it: taken latest first,
    # an element's sum is whole before it passes up, one step per element.
    sizes = dict(credited)
    for key in reversed(climbs):
        weight = sizes.get(key)
        path = climbs[key][0]
        if weight is not None and len(path) > 1:
            above = id(path[1])
            sizes[above] = sizes.get(above, 0.0) + weight
    for key, (path, _in_link, _furniture) in climbs.items():
        nodes.setdefault(key, path[0])  # every element a key stands for stays alive: its key stays its own
    return found, {key: size for key, size in sizes.items() if size}, dense, nodes


body_blocks = _twin(body_blocks_python)
judged_link_walk = _twin(judged_link_walk_python)
node_key = _twin(node_key_python, "node_key")  # the Python twin is id()


def text_paragraphs_python(el: etree._Element, skip: Collection[etree._Element],
                           in_data_table: Callable[[etree._Element], bool], skip_tags: frozenset[str],
                           block_tags: frozenset[str], cell_tags: frozenset[str], line_break: object,
                           code_line_break: object, join: Callable[[list], list[str]]) -> list[str]:
    """``el``'s paragraphs: its ``text_pieces_python`` joined by ``join`` (``text._join_pieces``).
    The compiled twin joins them as it walks, as ``join`` would."""
    return join(text_pieces_python(el, skip, in_data_table, skip_tags, block_tags, cell_tags, line_break,
                                   code_line_break))


def labelled_within_python(top: etree._Element, rule: Callable[[str | None], bool]) -> list:
    """The elements at or below ``top`` in document order whose class ``rule`` says yes to;
    ``rule(None)`` must say no. ``labelled_within_holding`` is the compiled walk's form."""
    return [el for el in top.iter() if isinstance(el.tag, str) and rule(el.get("class"))]


text_paragraphs = _twin(text_paragraphs_python)


# -- comment candidates, comment-system markers and thread page links: one walk of the attributes --
def comment_walk_python(root: etree._Element, word: str, names: list[str], tag: str, attribute: str,
                        words: tuple[str, ...], word_attributes: tuple[str, ...] | None = None) -> tuple[list, list[str], list]:
    """``word_holders(root, word)`` (``word_holders_of``, of ``word_attributes`` alone, where
    given), ``attributes_present(root, names)`` (ASCII names, at most 64) and
    ``attribute_holders(root, tag, attribute, words)``: the compiled twin reads all three in
    one walk of the document's attributes."""
    holders = word_holders_python(root, word) if word_attributes is None else word_holders_of(root, word, word_attributes)
    return (holders, attributes_present_python(root, names),
            attribute_holders_python(root, tag, attribute, words))


comment_walk = _twin(comment_walk_python)


# -- the parsed tree's check -------------------------------------------------------------------
def depth_and_tags_python(root: etree._Element, depth: int, tags: tuple[str, ...]) -> tuple[bool, bool]:
    """Whether an element of ``root``'s whole document lies ``depth`` elements deep (the top
    element 1, as ``/*/*…`` counts), and whether an element of one of ``tags`` (by local name)
    is in it. The compiled twin answers both in one walk."""
    deep = bool(root.xpath("/*" * depth))
    names = " or ".join(f"local-name() = '{tag}'" for tag in tags)
    return deep, bool(root.xpath(f"//*[{names}]")) if tags else False


depth_and_tags = _twin(depth_and_tags_python)


# --- page index ---
def _label_kept(label: str, wanted_names: frozenset[str], parts: Collection[str]) -> bool:
    """The class string holds a class name of ``wanted_names`` or a part of ``parts``."""
    return any(part in label for part in parts) or not wanted_names.isdisjoint(label.split())


def page_index_python(root: etree._Element, pairs: Collection[tuple[str, str]], wanted_names: frozenset[str],
                      parts: Collection[str], tag_groups: tuple[tuple[str, ...], ...],
                      watched_attributes: tuple[str, ...], comment_walk_args: tuple | None = None) -> tuple:
    """The page index's one walk: ``(held, positions, labels, found, groups, present, class
    strings)``. ``held``: the descendant elements of ``root`` it keeps, in document order, and
    ``positions``: the position of each among all the descendant elements; it keeps an element
    with a class string holding a name of ``wanted_names`` or a part of ``parts`` (class strings
    of no white space), filed under its class string in ``labels``; one with an attribute of
    ``pairs`` ((attribute, value); ("rel~", word) for a word of its ``rel``), filed under each
    pair in ``found``, once; and one of a tag of a group of ``tag_groups``: the elements of
    each group at or below ``root`` (``root.iter(*group)``) are in ``groups``. ``present``: the
    names of ``watched_attributes`` (ASCII, at most 64) that an element of ``root``'s whole
    document has (``attributes_present_python``). ``class strings``: every class string of the
    descendants, in the order of first sight, each with whether it was kept. With
    ``comment_walk_args``, ``comment_walk(root, *comment_walk_args)`` after them (the compiled
    twin reads it in the same walk)."""
    if comment_walk_args is not None:
        return (*page_index_python(root, pairs, wanted_names, parts, tag_groups, watched_attributes),
                comment_walk_python(root, *comment_walk_args))
    group_of = {tag: g for g, group in enumerate(tag_groups) for tag in group}
    groups: list[list] = [[] for _ in tag_groups]
    attributes = {"rel" if name == "rel~" else name for name, _ in pairs}
    held: list = []
    positions: list[int] = []
    labels: dict[str, list] = {}
    found: dict[tuple[str, str], list] = {}
    verdicts: dict[str, bool] = {}
    if root.tag in group_of:
        groups[group_of[root.tag]].append(root)
    for position, el in enumerate(root.iterdescendants(etree.Element)):
        keep = False
        label = el.get("class")
        if label is not None:
            verdict = verdicts.get(label)
            if verdict is None:
                verdict = verdicts[label] = _label_kept(label, wanted_names, parts)
            if verdict:
                labels.setdefault(label, []).append(el)
                keep = True
        if attributes and not attributes.isdisjoint(el.keys()):
            for name, value in pairs:
                actual = el.get("rel" if name == "rel~" else name)
                if actual is not None and (value in actual.split() if name == "rel~" else actual == value):
                    found.setdefault((name, value), []).append(el)
                    keep = True
        g = group_of.get(el.tag)
        if g is not None:
            groups[g].append(el)
            keep = True
        if keep:
            held.append(el)
            positions.append(position)
    return held, positions, labels, found, groups, attributes_present_python(root, list(watched_attributes)), verdicts


# --- body ---
# -- the body analysis's linked headings ------------------------------------------------------
def linked_heading_counts_python(headings: Collection[etree._Element], tags: tuple[str, ...], min_chars: int,
                                 long_enough: Callable[[etree._Element], bool]) -> tuple[dict, list | None]:
    """For each ancestor of the ``headings`` of ``tags`` that hold an <a> with an ``href`` and
    ``min_chars`` of text (``normalize-space``), how many of them are below it: ``(counts,
    held)``, ``counts`` by node key (``node_key``), ``held`` the elements the keys stand for
    (kept alive while the keys are read; None for the compiled twin, whose keys are the nodes'
    addresses). ``long_enough(heading)`` is ``min_chars`` of its text: the compiled twin asks
    it only where an entity keeps part of a heading's text elsewhere."""
    counts: dict = {}
    for heading in headings:
        if (heading.tag in tags and any(a.get("href") is not None for a in heading.iterdescendants("a"))
                and not normalized_length_below(heading.text_content(), min_chars)):
            for ancestor in heading.iterancestors():
                counts[ancestor] = counts.get(ancestor, 0) + 1
    return {id(el): count for el, count in counts.items()}, list(counts)


# --- comments ---
# -- the words comment-system detectors look for in the page's inline scripts --------------------
def script_words_python(scripts: list, words: tuple[str, ...]) -> list[tuple[int, int]]:
    """``(position, held)`` for each element of ``scripts`` with no ``src`` (or an empty one)
    whose text holds one of ``words`` (at most 64), in order: its position in ``scripts`` and
    the words it holds, bit ``i`` for ``words[i]``. The compiled twin makes no string of a
    script's text: most scripts hold none of the words."""
    if len(words) > 64:
        raise ValueError(f"at most 64 words, not {len(words)}")
    found = []
    for position, script in enumerate(scripts):
        if script.get("src"):
            continue
        text = script.text
        if not text:
            continue
        held = 0
        for i, word in enumerate(words):
            if word in text:
                held |= 1 << i
        if held:
            found.append((position, held))
    return found


def any_attribute_holds_python(elements: list, name: str, word: str) -> bool:
    """An element of ``elements`` has attribute ``name`` (``get``'s: in no namespace) holding
    ``word``: a ``<link>`` naming a comment system's CDN among a page's dozens."""
    return any(word in (el.get(name) or "") for el in elements)


page_index = _twin(page_index_python)


any_attribute_holds = _twin(any_attribute_holds_python)
script_words = _twin(script_words_python)



# -- the comment rules' queries, asked of a whole thread: one walk per query -----------------------
# A step's test as data: ``(tag or None for *, alternatives)``, the element passing where every
# test of one alternative passes; a test is ``(kind, attribute, value)``, kind one of
# "token" (``value`` is one of the attribute's names, split at XML white space: what
# ``contains(concat(' ', normalize-space(@a), ' '), ' v ')`` says), "contains", "equals" and "has".
_STEP_NAME = re.compile(r"^(\*|[a-zA-Z][\w-]*)(?:\[(.*)\])?$", re.S)
_TEST_PARTS = re.compile(r"""\s*(?:
    (?P<open>\()|(?P<close>\))|(?P<word>and|or)(?![\w-])
  | contains\(concat\('\x20',\x20normalize-space\(@(?P<token_of>[\w-]+)\),\x20'\x20'\),\x20'\x20(?P<token>[^'\s]+)\x20'\)
  | contains\(\s*@(?P<contains_of>[\w-]+)\s*,\s*(?:'(?P<contains>[^']+)'|"(?P<contains2>[^"]+)")\s*\)
  | @(?P<equals_of>[\w-]+)\s*=\s*(?:'(?P<equals>[^']*)'|"(?P<equals2>[^"]*)")
  | @(?P<has>[\w-]+)(?![\w-]|\s*[=!<>(\[])
)""", re.X)


def parse_step(step: str) -> tuple | None:
    """The test of one location step (``*[@itemprop='text' or @itemprop='description']``,
    ``time``, ``a[contains(@href, 'replytocom=')]``) as data for ``owned_step_hits``; None for
    any step it does not read (another function, a position, a comparison but ``=`` …)."""
    m = _STEP_NAME.match(step.strip())
    if m is None:
        return None
    tag = None if m.group(1) == "*" else m.group(1)
    if m.group(2) is None:
        return tag, ((),)
    parts: list = []
    text, at = m.group(2), 0
    while at < len(text):
        part = _TEST_PARTS.match(text, at)
        if part is None or part.end() == at:
            if text[at:].strip():
                return None
            break
        at = part.end()
        kind = part.lastgroup
        if kind in ("open", "close", "word"):
            parts.append(part.group(kind))
        elif part.group("token_of"):
            parts.append(("token", part.group("token_of"), part.group("token")))
        elif part.group("contains_of"):
            parts.append(("contains", part.group("contains_of"), part.group("contains") or part.group("contains2")))
        elif part.group("equals_of"):
            value = part.group("equals") if part.group("equals") is not None else part.group("equals2")
            parts.append(("equals", part.group("equals_of"), value))
        else:
            parts.append(("has", part.group("has"), ""))
    alternatives, end = _either(parts, 0)
    if alternatives is None or end != len(parts) or len(alternatives) > 16 or sum(map(len, alternatives)) > 64:
        return None
    return tag, tuple(_without_implied(alternative) for alternative in alternatives)


def _either(parts: list, at: int) -> tuple[list | None, int]:
    """``a or b or …`` from ``parts[at:]``: its alternatives (each a tuple of tests), and where it ends."""
    alternatives, at = _all_of(parts, at)
    while alternatives is not None and at < len(parts) and parts[at] == "or":
        more, at = _all_of(parts, at + 1)
        alternatives = None if more is None else alternatives + more
    return alternatives, at


def _all_of(parts: list, at: int) -> tuple[list | None, int]:
    """``a and b and …``: the alternatives of the conjunction (each operand's, crossed)."""
    alternatives, at = _operand(parts, at)
    while alternatives is not None and at < len(parts) and parts[at] == "and":
        more, at = _operand(parts, at + 1)
        alternatives = None if more is None else [a + b for a in alternatives for b in more]
    return alternatives, at


def _operand(parts: list, at: int) -> tuple[list | None, int]:
    if at >= len(parts):
        return None, at
    if parts[at] == "(":
        alternatives, at = _either(parts, at + 1)
        if alternatives is None or at >= len(parts) or parts[at] != ")":
            return None, at
        return alternatives, at + 1
    if isinstance(parts[at], tuple):
        return [(parts[at],)], at + 1
    return None, at


def _without_implied(tests: tuple) -> tuple:
    """``tests`` less each "contains" a "token" test of the same attribute implies (``cls``'s
    cheap test before its exact one)."""
    tokens = [(attribute, value) for kind, attribute, value in tests if kind == "token"]
    return tuple(test for test in tests if not (test[0] == "contains" and any(
        attribute == test[1] and test[2] in value for attribute, value in tokens)))


_XML_SPACES = " \t\r\n"


def _passes_python(el: etree._Element, step: tuple) -> bool:
    tag, alternatives = step
    if tag is not None and el.tag != tag:
        return False
    for tests in alternatives:
        for kind, attribute, value in tests:
            found = el.get(attribute)
            if found is None:
                break
            if kind == "token" and value not in found.translate(_XML_FOLD).split(" "):
                break
            if kind == "contains" and value not in found:
                break
            if kind == "equals" and found != value:
                break
        else:
            return True
    return False


_XML_FOLD = str.maketrans("\t\r\n", "   ")


def owned_step_hits_python(scopes: list, comments: list, inner: tuple, outer: tuple | None) -> list[tuple[int, etree._Element]]:
    """``(i, element)`` for each element below ``scopes`` (in order; none inside another)
    passing the step test ``inner`` (``parse_step``'s), in document order, that lies inside a
    comment of ``comments``, ``i`` the position of the nearest such comment (the element itself
    is never its own); with ``outer``, only where an element strictly between the two passes
    ``outer``: what ``.//INNER`` and ``.//OUTER//INNER``, asked of the comment, find of it."""
    index = {id(el): i for i, el in enumerate(comments)}
    found = []
    for scope in scopes:
        for el in scope.iterdescendants(etree.Element):
            if not isinstance(el.tag, str) or not _passes_python(el, inner):
                continue
            node, between = el, []
            while node is not None and id(node) not in index:
                between.append(node)
                node = node.getparent()
            if node is None or node is el:
                continue
            if outer is not None and not any(_passes_python(up, outer) for up in between[1:]):
                continue
            found.append((index[id(node)], el))
    return found


linked_heading_counts = _twin(linked_heading_counts_python)


owned_step_hits = _twin(owned_step_hits_python)


# --- page ---
def outside_of_python(el: etree._Element, tag: str, ident: str, classes: frozenset[str], unless: str) -> bool:
    """No ancestor of ``el`` is a ``tag`` element, has id ``ident``, or carries a class name of
    ``classes`` without also carrying the class ``unless``."""
    for node in el.iterancestors():
        if node.tag == tag or node.get("id") == ident:
            return False
        names = (node.get("class") or "").split()
        if classes.intersection(names) and unless not in names:
            return False
    return True


# --- text ---
def dispatched_matches_python(rules, lines: list[str]) -> list[bool]:
    """``rules.match`` (a ``rule_dispatch.LineRules``) of each line."""
    return [rules.match(line) for line in lines]


def digit_runs_python(lines: list[str], run: int, max_chars: int) -> list[bool]:
    """For each line, whether it is at most ``max_chars`` long and holds ``run`` digits in a row
    (``\\d`` as ``re`` reads it)."""
    digits = re.compile(rf"\d{{{run}}}")
    return [len(line) <= max_chars and digits.search(line) is not None for line in lines]


# --- blocks ---
# The paragraph classifier's (blocks.py) passes over every text block of the page.
def classifier_texts_python(text_blocks: list[tuple], readers: Collection[int],
                       readers_furniture: Callable[[etree._Element], bool],
                       heading_tags: Collection[str]) -> tuple[list[str], list[int], list, list[bool]]:
    """The text (words one space apart), link characters (at most its length), element and
    whether the element is a heading (its tag in ``heading_tags``) of each block of
    ``text_blocks`` (``body.TextBlock``: element, text, link characters, furniture, folded text
    or None) that is not the readers': a block whose element's ``id`` is in ``readers``, or
    whose furniture is in ``readers`` or said by ``readers_furniture`` to be theirs; nor empty
    or a part of the block before it kept. Parallel lists, not an object a block: every block
    of the page comes here, and most are bad."""
    texts: list[str] = []
    links: list[int] = []
    elements: list = []
    headings: list[bool] = []
    # Many blocks share their furniture (a comment area's paragraphs): each one is decided once.
    furniture_decided: dict[int, bool] = {}
    previous = ""
    for element, full, link_chars, furniture, text in text_blocks:
        if id(element) in readers:
            continue
        if furniture is not None:
            key = id(furniture)
            skipped = furniture_decided.get(key)
            if skipped is None:
                skipped = furniture_decided[key] = key in readers or readers_furniture(furniture)
            if skipped:
                continue
        if text is None:
            text = " ".join(full.split())
        if text and text in previous:
            continue
        texts.append(text)
        links.append(link_chars if link_chars < len(text) else len(text))
        elements.append(element)
        headings.append(element.tag in heading_tags)
        previous = text
    return texts, links, elements, headings


def good_block_flags_python(texts: list[str], links: list[int], headings: list[bool], densities: list[float],
                            has_stoplist: bool, limits: tuple[int, int, float, float, float, int]) -> list[bool]:
    """jusText's two steps over the blocks (their texts, link characters, whether each is a
    heading, its stopword share): whether each block is good. ``limits``: (length low, length
    high, stopwords low, stopwords high, most link density, most heading distance)."""
    length_low, length_high, stopwords_low, stopwords_high, max_link_density, max_heading_distance = limits
    # First step: each block's class on its own (good, near-good, short or bad).
    kinds = []
    append = kinds.append
    for text, link_chars, density in zip(texts, links, densities):
        length = len(text)
        if (link_chars / length if length else 1.0) > max_link_density or "©" in text:
            append("bad")
        elif length < length_low:
            append("bad" if link_chars else "short")
        elif not has_stoplist or density >= stopwords_high:  # no stoplist (Chinese): length alone
            append("good" if length > length_high else "near-good")
        else:
            append("near-good" if density >= stopwords_low else "bad")
    # Second step: headings near good text become near-good; then short blocks take the class
    # of their neighbours (good only between good ones), and near-good ones become good next to
    # good. Every neighbour is found in one pass each way: linear in the number of blocks.
    count = len(kinds)
    for i in range(count):
        if headings[i] and kinds[i] == "short":
            distance, j = 0, i + 1
            while j < count and distance <= max_heading_distance:  # every block has text
                if kinds[j] == "good":
                    kinds[i] = "near-good"
                    break
                distance += len(texts[j])
                j += 1
    before, after = _nearest_kinds(kinds, ("good", "bad"))
    before_any, after_any = _nearest_kinds(kinds, ("good", "bad", "near-good"))
    settled = list(kinds)
    for i, kind in enumerate(kinds):
        if kind == "short":
            if before[i] == after[i]:
                settled[i] = before[i]
            elif "bad" in (before[i], after[i]):
                near = "near-good" in (before_any[i], after_any[i])
                settled[i] = "good" if near and "good" in (before[i], after[i]) else "bad"
            else:
                settled[i] = "good"
    # near-good blocks see the short ones' new classes
    before, after = _nearest_kinds(settled, ("good", "bad"))
    return [kind == "good" or (kind == "near-good" and not before[i] == after[i] == "bad")
            for i, kind in enumerate(settled)]


def _nearest_kinds(kinds: list[str], counted: tuple[str, ...]) -> tuple[list[str], list[str]]:
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


outside_of = _twin(outside_of_python)
digit_runs = _twin(digit_runs_python)
dispatched_matches = _twin(dispatched_matches_python)
classifier_texts = _twin(classifier_texts_python)
good_block_flags = _twin(good_block_flags_python)


# --- body ---
def own_text_chars_python(el: etree._Element) -> int:
    """Characters of the text written straight into ``el``, not into its children: its text and
    each child's tail, each stripped (a div indented with white space holds none)."""
    size = len((el.text or "").strip())
    for child in el:  # a loop, not sum() over a generator: every div of the page comes here
        if child.tail:
            size += len(child.tail.strip())
    return size


own_text_chars = _twin(own_text_chars_python)


# --- page ---
def following_texts_python(el: etree._Element, limit: int) -> list[str]:
    """The first ``limit`` text nodes after ``el`` in document order, not below it
    (``following::text()[position() <= limit]``). The compiled twin walks libxml2's tree from
    ``el`` and stops at ``limit``, where the query gathers every text node after it first."""
    return [str(text) for text in el.xpath(f"following::text()[position() <= {int(limit)}]")]


following_texts = _twin(following_texts_python)


def box_texts_python(el: etree._Element, box: etree._Element, limit: int) -> list[str]:
    """The first ``limit`` text nodes in and after ``el`` in document order (``(descendant::text()
    | following::text())[position() <= limit]``), up to the first that ``box`` does not hold:
    whose element (lxml's ``getparent()`` of it: the element it is the text or tail of) is not
    ``box`` or below it. The compiled twin stops at ``limit``, where the query gathers every
    text node after ``el`` first."""
    texts = []
    for text in el.xpath(f"(descendant::text() | following::text())[position() <= {int(limit)}]"):
        holder = text.getparent()
        if holder is None or (holder is not box and not any(a is box for a in holder.iterancestors())):
            break  # past the box
        texts.append(str(text))
    return texts


box_texts = _twin(box_texts_python)
def figure_text_chars_python(figure: etree._Element) -> int:
    """Characters of a figure's text that are not its captions': the pieces ``itertext()``
    gives that hold more than white space, less each ``figcaption``'s ``text_content()`` (a
    caption inside a caption counted again), as ``regions.is_boilerplate`` weighs a figure."""
    return (len("".join(t for t in figure.itertext() if t.strip()))
            - sum(len(c.text_content()) for c in figure.iter("figcaption")))


figure_text_chars = _twin(figure_text_chars_python)


def texts_opening_with_python(elements: list, openings: tuple[str, ...]) -> list:
    """The elements whose text (``text_content()``, past white space) may open with one of
    ``openings`` (lower-case ASCII), ASCII case aside: it does, or a character not ASCII stands
    where one is compared (``re``'s case-blind match folds some of those to ASCII letters). A
    pattern that opens with those words is then tried only on them, and most headings' text is
    never read into a string."""
    found = []
    for el in elements:
        text = el.text_content().lstrip()
        for opening in openings:
            for i, letter in enumerate(opening):
                if i >= len(text) or (text[i].isascii() and text[i].lower() != letter):
                    break
                if not text[i].isascii():
                    found.append(el)
                    break
            else:
                found.append(el)
            if found and found[-1] is el:
                break
    return found


texts_opening_with = _twin(texts_opening_with_python)


def labelled_within_holding_python(top: etree._Element, rule: Callable[[str | None], bool],
                                   words: tuple[str, ...]) -> list:
    """``labelled_within(top, rule)`` for a ``rule`` that says no to every class holding none of
    ``words`` (lower-case ASCII), ASCII case aside: it is asked only of a class that holds one,
    or a character that is not ASCII (``re``'s case-blind search folds some to ASCII letters)."""
    return labelled_within_python(top, lambda label: label is not None and (
        not label.isascii() or any(word in label.lower() for word in words)) and rule(label))


labelled_within_holding = _twin(labelled_within_holding_python)


def children_of_python(parents: list, tags: tuple[str, ...]) -> list:
    """The children of ``tags`` of each of ``parents`` (None: none), parent by parent, in
    document order."""
    return [child for parent in parents if parent is not None for child in parent.iterchildren(*tags)]


children_of = _twin(children_of_python)


def holders_of_python(top: etree._Element, holder_tags: tuple[str, ...], held_tags: tuple[str, ...]) -> list:
    """The elements of ``holder_tags`` at or below ``top``, in document order, with an element
    of ``held_tags`` at or below them."""
    return [el for el in top.iter(*holder_tags) if next(el.iter(*held_tags), None) is not None]


holders_of = _twin(holders_of_python)


def dropped_sections_python(headings: list, heading_tags: tuple[str, ...], dropped: list) -> list:
    """``(heading, section)`` for each of ``headings`` whose section (its following sibling
    elements up to the next of ``heading_tags``) holds one of ``dropped``, with no text between
    them (the heading's tail and theirs white space only)."""
    dropped_ids = {id(el) for el in dropped}
    found = []
    for heading in headings:
        section, text_between = [], bool((heading.tail or "").strip())
        for sibling in heading.itersiblings():
            if isinstance(sibling.tag, str) and sibling.tag in heading_tags:
                break
            if isinstance(sibling.tag, str):
                section.append(sibling)
            text_between = text_between or bool((sibling.tail or "").strip())
        if section and not text_between and any(id(el) in dropped_ids for el in section):
            found.append((heading, section))
    return found


dropped_sections = _twin(dropped_sections_python)


# --- text ---
def short_cells_table_python(table: etree._Element, cell_tags: Collection[str], max_chars: int) -> bool:
    """No table is nested in ``table``, and each of its cells (``cell_tags``) holds at most
    ``max_chars`` characters of text."""
    return table.find(".//table") is None and all(len(c.text_content()) <= max_chars
                                                  for c in table.iter(*cell_tags))


short_cells_table = _twin(short_cells_table_python)


def judged_stopword_shares_python(texts: list[str], links: list[int], stopwords: frozenset[str], min_chars: int,
                                  max_link_density: float, excluded: str) -> list[float]:
    """For each text, its stopword share (the share of its words, its lower case split at white
    space as jusText splits, that are in ``stopwords``; 0.0 for a text of no words) where it is
    judged by its stopwords: ``min_chars`` long or more, at most ``max_link_density`` of it link
    text, without ``excluded`` (else 0.0, and 0.0 for all without stopwords)."""
    shares = [0.0] * len(texts)
    if not stopwords:
        return shares
    is_stopword = stopwords.__contains__
    for i, text in enumerate(texts):
        if len(text) >= min_chars and links[i] <= max_link_density * len(text) and excluded not in text:
            words = text.lower().split()
            if words:
                shares[i] = sum(map(is_stopword, words)) / len(words)
    return shares


judged_stopword_shares = _twin(judged_stopword_shares_python)


def frequent_words_python(sample: str, most: int) -> list[str]:
    """The ``most`` most frequent words of ``sample`` (split as ``str.split()`` splits), ties
    in the order they first appear: ``Counter.most_common``'s order."""
    from collections import Counter
    words = Counter(sample.split())
    return sorted(words, key=words.__getitem__, reverse=True)[:most]  # the keys in their first order, stable


frequent_words = _twin(frequent_words_python)


# --- text (round 7) ---
def text_lines_python(paragraphs: list[str]) -> list[str]:
    """The lines of ``paragraphs`` (each split at its line breaks), each with single spaces and
    none around it: stripped, or where it holds two spaces in a row or a tab, its words joined
    by one space (``arbiter.Text``'s lines)."""
    if not paragraphs:
        return []
    text = "\n".join(paragraphs)
    if "  " in text or "\t" in text:
        return [line.strip() if "  " not in line and "\t" not in line else " ".join(line.split())
                for line in text.split("\n")]
    return [line.strip() for line in text.split("\n")]  # most: no line to fold


text_lines = _twin(text_lines_python)


# --- comments (round 7) ---
def word_holders_of(root: etree._Element, word: str, attributes: tuple[str, ...]) -> list:
    """The elements of ``root``'s whole document with ``word`` in the value of one of
    ``attributes`` (ASCII names, at most 64, in no namespace, as ``el.get`` reads them), in
    document order, each once."""
    query = _WORD_IN_ATTRIBUTES.get(attributes)
    if query is None:
        tests = " or ".join(f"contains(@{name}, $word)" for name in attributes)
        query = _WORD_IN_ATTRIBUTES[attributes] = etree.XPath(f"//*[{tests}]")
    return query(root, word=word)


_WORD_IN_ATTRIBUTES: dict[tuple[str, ...], etree.XPath] = {}  # attribute names → their query


def has_id_starting_python(root: etree._Element, prefix: str) -> bool:
    """An element of ``root``'s whole document whose ``id`` starts with ``prefix``, as the
    query ``//*[starts-with(@id, prefix)]`` finds it."""
    return bool(_ID_STARTING(root, prefix=prefix))


_ID_STARTING = etree.XPath("//*[starts-with(@id, $prefix)]")
has_id_starting = _twin(has_id_starting_python)


def text_openers_python(top: etree._Element, openings: tuple[str, ...]) -> list:
    """The elements below ``top`` in document order whose ``first_text``, past its XML spaces
    (space, tab, newline, carriage return), starts with one of ``openings`` (ASCII): the few
    elements a rule matching the start of that text can want."""
    return [el for el in top.iterdescendants(etree.Element)
            if (first_text(el) or "").lstrip(" \t\r\n").startswith(openings)]


text_openers = _twin(text_openers_python)


# --- text (round 7, continued) ---
def chrome_line_flags_python(rules, lines: list[str], dated: Callable[[str], bool], max_dated_chars: int) -> list[bool]:
    """For each line, read without the parentheses around it (and the spaces inside them),
    whether ``rules`` (a ``rule_dispatch.LineRules``) match it, or it is at most
    ``max_dated_chars`` long, holds four digits in a row and ``dated`` says it is dated."""
    read = [line[1:-1].strip() if line.startswith("(") and line.endswith(")") else line for line in lines]
    may_be_dated = digit_runs_python(read, 4, max_dated_chars)
    return [hit or (maybe and dated(line))
            for line, hit, maybe in zip(read, dispatched_matches_python(rules, read), may_be_dated)]


chrome_line_flags = _twin(chrome_line_flags_python)


# --- text (round 8) ---
def found_chars_python(lines: list[str], other_lines: frozenset[str], other_joined: str, other_grams: bytearray,
                       min_searched: int, window: int) -> int:
    """Characters of ``lines`` that another text holds verbatim: a line that is one of its lines
    (``other_lines``), or, at least ``min_searched`` long, is found in its lines joined
    (``other_joined``) from where the last line looked for was found on, within ``window``
    characters of it. ``other_grams``: a store the compiled twin keeps its pre-check in, for
    the next calls on the same other text; here it is not read."""
    in_other = other_lines.__contains__
    found = sum(map(len, filter(in_other, lines)))  # the lines the set answers, all at once
    position = 0  # moved on only by the lines looked for
    for line in filterfalse(in_other, lines):
        if len(line) >= min_searched:
            at = other_joined.find(line, position, position + window + len(line))
            if at >= 0:
                found, position = found + len(line), at + len(line)
    return found


found_chars = _twin(found_chars_python)


# --- comments (round 8) ---
def meta_contents_python(metas: list) -> dict[str, str]:
    """The ``content`` of each ``<meta>`` element of ``metas`` by its key, its ``property``,
    else its ``name``, else its ``itemprop`` (the first that is not empty), lower-cased: the
    first element of a key wins, and one without a key or a ``content`` counts for none."""
    out: dict[str, str] = {}
    for m in metas:
        key = m.get("property") or m.get("name") or m.get("itemprop")
        if key and m.get("content") is not None:
            out.setdefault(key.lower(), m.get("content"))
    return out


meta_contents = _twin(meta_contents_python)


def attribute_values_python(elements: list, name: str) -> list[str]:
    """The value of attribute ``name`` (in no namespace, as ``el.get`` reads it) of each element
    of ``elements`` that has one that is not empty, in their order."""
    return [value for el in elements if (value := el.get(name))]


attribute_values = _twin(attribute_values_python)
