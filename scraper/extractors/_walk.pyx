# cython: language_level=3, boundscheck=False, wraparound=False
"""The compiled twins of the walks in ``walk.py`` (the page index, the body's candidate blocks,
the furniture and link-list walk, the holders of a word in an attribute, the text pieces of
an element): libxml2's tree is read directly, and a Python element proxy
is made only for the elements a walk returns or asks a Python rule about. Same elements, same
order as the pure-Python walks."""
from cpython.unicode cimport Py_UNICODE_ISSPACE
from libc.string cimport memcpy, strchr, strcmp, strlen, strstr

from lxml.includes cimport tree
from lxml.includes.etreepublic cimport (_Document, _Element, _getNs, attributeValue, elementFactory,
                                        import_lxml__etree)

import_lxml__etree()

cdef inline tree.xmlNode* _after(tree.xmlNode* node, tree.xmlNode* top) noexcept:
    """The node after ``node`` and all below it in document order, never above ``top``;
    NULL past the end."""
    while node is not top and node.next is NULL:
        node = node.parent
    return NULL if node is top else node.next


cdef inline tree.xmlNode* _next_in_order(tree.xmlNode* node, tree.xmlNode* top) noexcept:
    """The node after ``node`` in document order, below it first where it is an element with
    children; never above ``top``, NULL past the end."""
    if node.type == tree.XML_ELEMENT_NODE and node.children is not NULL:
        return node.children
    return _after(node, top)


cdef inline int _append(dict groups, key, el) except -1:
    group = groups.get(key)
    if group is None:
        groups[key] = [el]
    else:
        (<list>group).append(el)
    return 0


cdef class _Names:
    """Tag or attribute names as C strings, for ``strcmp`` against libxml2's names."""
    cdef list texts, encoded
    cdef const char* names[64]
    cdef int count
    # The names by first byte, each chain in the names' order: a name is compared only with
    # those that start as it does (most tags and attributes of a page start as none does).
    cdef int starting[256]
    cdef int next_starting[64]

    def __init__(self, names):
        self.texts = list(names)
        self.encoded = [name.encode("ascii") for name in self.texts]
        if len(self.encoded) > 64:
            raise ValueError(f"at most 64 names, not {len(self.encoded)}")
        self.count = len(self.encoded)
        cdef int i
        for i in range(256):
            self.starting[i] = -1
        for i in range(self.count - 1, -1, -1):
            self.names[i] = <bytes>self.encoded[i]
            self.next_starting[i] = self.starting[<unsigned char>self.names[i][0]]
            self.starting[<unsigned char>self.names[i][0]] = i

    cdef bint named(self, const char* name) noexcept:
        return self.position(name) >= 0

    cdef int position(self, const char* name) noexcept:
        """The name's place among the names (in ``texts`` too), -1 for none."""
        cdef int i = self.starting[<unsigned char>name[0]]
        while i >= 0:
            if strcmp(name, self.names[i]) == 0:
                return i
            i = self.next_starting[i]
        return -1

    cdef bint has(self, tree.xmlNode* node) noexcept:
        """An element of one of the names, in no namespace (as ``iter("p")`` matches)."""
        return node.ns is NULL and self.named(<const char*>node.name)


cdef inline Py_ssize_t _code_points(const unsigned char* text) noexcept:
    """Characters in UTF-8 ``text``: every byte but the continuation bytes."""
    cdef Py_ssize_t count = 0
    if text is NULL:
        return 0
    while text[0]:
        if (text[0] & 0xC0) != 0x80:
            count += 1
        text += 1
    return count


cdef inline bint _is_text(tree.xmlNode* node) noexcept:
    return node.type == tree.XML_TEXT_NODE or node.type == tree.XML_CDATA_SECTION_NODE


cdef Py_ssize_t _text_chars(tree.xmlNode* top, Py_ssize_t enough) noexcept:
    """Characters of all the text below ``top`` (``text_content()``'s length), counted until
    ``enough``; an entity reference, whose text lives elsewhere, counts as ``enough``."""
    cdef Py_ssize_t count = 0
    cdef tree.xmlNode* node = top.children
    while node is not NULL and count < enough:
        if _is_text(node):
            count += _code_points(<const unsigned char*>node.content)
        elif node.type == tree.XML_ENTITY_REF_NODE:
            return enough
        elif node.type == tree.XML_ELEMENT_NODE and node.children is not NULL:
            node = node.children
            continue
        node = _after(node, top)
    return count


cdef Py_ssize_t _own_text_chars(tree.xmlNode* element) noexcept:
    """Characters of the text written straight into ``element``: its text and each of its
    children's tails, each stripped (``len(text.strip())``, as ``body._own_prose`` counts:
    a div indented with white space holds none)."""
    cdef tree.xmlNode* node = element.children
    cdef Py_ssize_t count = _stripped_run(&node)  # its text; ``node`` moves to its first child
    while node is not NULL:
        node = node.next
        count += _stripped_run(&node)  # the child's tail
    return count


cdef bint _has_child(tree.xmlNode* element, _Names names) noexcept:
    cdef tree.xmlNode* node = element.children
    while node is not NULL:
        if node.type == tree.XML_ELEMENT_NODE and names.has(node):
            return True
        node = node.next
    return False


cdef struct _Run:
    Py_ssize_t chars       # all characters of the run
    Py_ssize_t leading     # white space before its first other character
    Py_ssize_t trailing    # white space after its last other character
    bint seen              # a character other than white space


cdef void _add_to_run(_Run* run, const unsigned char* s) noexcept:
    """Characters of UTF-8 ``s`` onto ``run``, white space as ``str.strip()`` sees it."""
    cdef Py_UCS4 cp
    cdef unsigned char b
    if s is NULL:
        return
    while s[0]:
        b = s[0]
        if b < 0x80:
            cp, s = b, s + 1
        elif b < 0xE0 and s[1]:
            cp, s = ((b & 0x1F) << 6) | (s[1] & 0x3F), s + 2
        elif b < 0xF0 and s[1] and s[2]:
            cp, s = ((b & 0x0F) << 12) | ((s[1] & 0x3F) << 6) | (s[2] & 0x3F), s + 3
        elif s[1] and s[2] and s[3]:
            cp, s = ((b & 0x07) << 18) | ((s[1] & 0x3F) << 12) | ((s[2] & 0x3F) << 6) | (s[3] & 0x3F), s + 4
        else:
            cp, s = 0xFFFD, s + 1
        run.chars += 1
        if Py_UNICODE_ISSPACE(cp):
            if run.seen:
                run.trailing += 1
            else:
                run.leading += 1
        else:
            run.seen, run.trailing = True, 0


cdef Py_ssize_t _stripped_run(tree.xmlNode** at) noexcept:
    """``len(text.strip())`` of the run of text nodes starting at ``*at`` (an element's text or
    a child's tail, as lxml joins them); ``*at`` moves to the node after the run."""
    cdef _Run run = _Run(0, 0, 0, False)
    while at[0] is not NULL and _is_text(at[0]):
        _add_to_run(&run, <const unsigned char*>at[0].content)
        at[0] = at[0].next
    return run.chars - run.leading - run.trailing if run.seen else 0


cdef inline bint _has_upper(const char* name) noexcept:
    while name[0]:
        if b"A"[0] <= name[0] <= b"Z"[0]:
            return True
        name += 1
    return False


cdef inline bint _is_link(tree.xmlNode* el) noexcept:
    """``walk.is_link``'s twin: an <a>, unless it is a named anchor (a ``name`` and no ``href``)."""
    if el.ns is not NULL or strcmp(<const char*>el.name, b"a") != 0:
        return False
    cdef tree.xmlAttr* attr = el.properties
    cdef bint named = False
    while attr is not NULL:
        if attr.ns is NULL:
            if strcmp(<const char*>attr.name, b"href") == 0:
                return True
            named = named or strcmp(<const char*>attr.name, b"name") == 0
        attr = attr.next
    return not named


cdef class _LinkWalk:
    cdef _Document doc
    cdef object is_furniture
    cdef _Names judged_by_tag, judged_by_attribute, link_lists
    cdef Py_ssize_t max_chars
    cdef double share
    cdef list skip

    cdef bint _furniture(self, tree.xmlNode* node) except -1:
        """``is_furniture`` asked only where it can say yes: an element with an attribute it
        reads, or of a tag judged by its name alone."""
        if (not self.judged_by_tag.has(node) and not _has_upper(<const char*>node.name)
                and not self._judged_attribute(node)):
            return False
        el = elementFactory(self.doc, node)
        if self.is_furniture(el):
            self.skip.append(el)
            return True
        return False

    cdef bint _judged_attribute(self, tree.xmlNode* node) noexcept:
        cdef tree.xmlAttr* attr = node.properties
        while attr is not NULL:
            if attr.ns is NULL and self.judged_by_attribute.named(<const char*>attr.name):
                return True
            attr = attr.next
        return False

    cdef int walk(self, tree.xmlNode* el, bint in_link, Py_ssize_t* text, Py_ssize_t* links) except -1:
        cdef bint link = in_link or _is_link(el)
        cdef tree.xmlNode* child = el.children
        cdef Py_ssize_t t = _stripped_run(&child), n, child_text, child_links, tail
        n = t if link else 0
        while child is not NULL:
            if child.type == tree.XML_ELEMENT_NODE and not self._furniture(child):
                child_text = child_links = 0
                self.walk(child, link, &child_text, &child_links)
                t, n = t + child_text, n + child_links
            child = child.next
            tail = _stripped_run(&child)
            t += tail
            if link:
                n += tail
        if self.link_lists.has(el) and 0 < t < self.max_chars and n >= self.share * t:
            self.skip.append(elementFactory(self.doc, el))
        text[0], links[0] = t, n
        return 0


cdef int _attribute_holds(tree.xmlNode* element, tree.xmlAttr* attr, const char* word, str word_text) except -1:
    """``word`` in the attribute's value: its one text node read in place; any other value
    (none, or split across nodes) read as lxml reads it."""
    cdef tree.xmlNode* text = attr.children
    if text is not NULL and text.next is NULL and text.type == tree.XML_TEXT_NODE:
        return strstr(<const char*>text.content, word) is not NULL
    return word_text in attributeValue(element, attr)


cdef inline bint _visited(tree.xmlNode* node) noexcept:
    """A node ``etree.iterwalk`` reports: an element, a comment, an entity or a PI."""
    return (node.type == tree.XML_ELEMENT_NODE or node.type == tree.XML_COMMENT_NODE
            or node.type == tree.XML_ENTITY_REF_NODE or node.type == tree.XML_PI_NODE)


cdef inline tree.xmlNode* _first_visited(tree.xmlNode* node) noexcept:
    while node is not NULL and not _visited(node):
        node = node.next
    return node


cdef object _text_run(tree.xmlNode* node):
    """lxml's ``.text`` (from an element's first child) or ``.tail`` (from its next sibling):
    the text of the run of text nodes starting at ``node``; None where it is empty."""
    cdef tree.xmlNode* first = NULL
    cdef list parts = None
    while node is not NULL:
        if node.type == tree.XML_TEXT_NODE or node.type == tree.XML_CDATA_SECTION_NODE:
            if node.content is not NULL and node.content[0] != 0:
                if first is NULL:
                    first = node
                else:
                    if parts is None:
                        parts = [<bytes>(<const char*>first.content)]
                    parts.append(<bytes>(<const char*>node.content))
        elif node.type != tree.XML_XINCLUDE_START and node.type != tree.XML_XINCLUDE_END:
            break
        node = node.next
    if first is NULL:
        return None
    if parts is None:
        return (<bytes>(<const char*>first.content)).decode("utf-8")
    return b"".join(parts).decode("utf-8")


# What ``_Pieces`` makes of an element, by its lower-cased tag.
cdef enum _Kind:
    OTHER, SKIPPED, BLOCK, CELL, LINE


cdef class _Pieces:
    """The state of one ``text_pieces`` walk."""
    cdef _Document doc
    cdef tree.xmlNode* top
    cdef set skip, block_cells  # node addresses: the elements left out, the cells read as blocks
    cdef object in_data_table, line_break, code_line_break
    cdef _Names skip_tags, block_tags, cell_tags
    cdef object skip_set, block_set, cell_set  # the same names, for a tag that is not ASCII
    cdef list out
    cdef Py_ssize_t pre  # depth inside <pre>

    cdef _Kind kind(self, tree.xmlNode* node, bint* is_pre) except *:
        """The element's kind by ``tag.lower()``, and whether it is a <pre>."""
        cdef char lowered[16]
        cdef const unsigned char* name = <const unsigned char*>node.name
        cdef Py_ssize_t i = 0
        is_pre[0] = False
        if _getNs(node) is not NULL:
            return OTHER  # "{namespace}name": none of the names
        while name[i]:
            if name[i] >= 0x80:  # lower() as Python does it (the Kelvin sign is a "k")
                return self.kind_of_text((<bytes>(<const char*>name)).decode("utf-8").lower(), is_pre)
            i += 1
        if i >= 16:
            return OTHER  # longer than any of the names
        for i in range(i + 1):
            lowered[i] = name[i] + 32 if b"A"[0] <= name[i] <= b"Z"[0] else name[i]
        is_pre[0] = strcmp(lowered, b"pre") == 0
        if self.skip_tags.named(lowered):
            return SKIPPED
        if self.block_tags.named(lowered):
            return BLOCK
        if self.cell_tags.named(lowered):
            return CELL
        return LINE if strcmp(lowered, b"br") == 0 else OTHER

    cdef _Kind kind_of_text(self, str tag, bint* is_pre) except *:
        is_pre[0] = tag == "pre"
        if tag in self.skip_set:
            return SKIPPED
        if tag in self.block_set:
            return BLOCK
        if tag in self.cell_set:
            return CELL
        return LINE if tag == "br" else OTHER

    cdef bint skipped(self, tree.xmlNode* node) except -1:
        return bool(self.skip) and <size_t>node in self.skip

    cdef int add_text(self, text) except -1:
        if not text:
            return 0
        if not self.pre:
            self.out.append(text)
            return 0
        for i, line in enumerate((<str>text).split("\n")):  # a newline in <pre> breaks the line
            if i:
                self.out.append(self.code_line_break)
            if line:
                self.out.append(line)
        return 0

    cdef bint start(self, tree.xmlNode* node) except -1:
        """An element's "start": its mark and its text; False where its subtree is skipped."""
        cdef bint is_pre
        cdef _Kind kind = self.kind(node, &is_pre)
        if kind == SKIPPED or self.skipped(node):
            return False
        if kind == BLOCK:
            self.out.append(None)
        elif kind == CELL:
            if self.in_data_table(elementFactory(self.doc, node)):
                self.out.append(" ")
            else:
                self.block_cells.add(<size_t>node)
                self.out.append(None)
        elif kind == LINE:
            self.out.append(self.line_break)
        self.pre += is_pre
        self.add_text(_text_run(node.children))
        return True

    cdef int end(self, tree.xmlNode* node) except -1:
        """A node's "end": a block's closing mark, and its tail."""
        cdef bint is_pre, skipped
        cdef _Kind kind
        if node.type == tree.XML_ELEMENT_NODE:
            kind, skipped = self.kind(node, &is_pre), self.skipped(node)
            if (kind == BLOCK and not skipped) or (self.block_cells and <size_t>node in self.block_cells):
                self.out.append(None)
            if is_pre and not skipped:
                self.pre -= 1
        if node is not self.top:
            self.add_text(_text_run(node.next))
        return 0

    cdef int walk(self) except -1:
        cdef tree.xmlNode* node = self.top
        cdef tree.xmlNode* child
        cdef bint enter = self.start(node)
        while True:
            if enter:
                child = _first_visited(node.children)
                if child is not NULL:
                    node = child
                    enter = node.type == tree.XML_ELEMENT_NODE and self.start(node)
                    continue
            self.end(node)  # all below it done
            if node is self.top:
                return 0
            child = _first_visited(node.next)
            if child is not NULL:
                node = child
                enter = node.type == tree.XML_ELEMENT_NODE and self.start(node)
            else:
                node, enter = node.parent, False


def text_pieces(_Element el, skip, in_data_table, skip_tags, block_tags, cell_tags, line_break, code_line_break):
    """``walk.text_pieces_python``'s twin: the same pieces, read from libxml2's tree; a Python
    proxy is made only for a table cell, to ask ``in_data_table``."""
    if el._c_node.type != tree.XML_ELEMENT_NODE:
        return []
    cdef _Pieces walker = _Pieces()
    walker.doc, walker.top, walker.out, walker.pre = el._doc, el._c_node, [], 0
    walker.skip = {<size_t>(<_Element>s)._c_node for s in skip}
    walker.block_cells = set()
    walker.in_data_table, walker.line_break, walker.code_line_break = in_data_table, line_break, code_line_break
    walker.skip_tags, walker.block_tags, walker.cell_tags = _names_of(skip_tags), _names_of(block_tags), _names_of(cell_tags)
    walker.skip_set, walker.block_set, walker.cell_set = skip_tags, block_tags, cell_tags
    walker.walk()
    return walker.out


# -- the body analysis's text blocks --------------------------------------------------------
cdef inline Py_UCS4 _decode(const unsigned char** at) noexcept:
    """The code point at ``*at`` in UTF-8 text (U+FFFD for a broken sequence); ``*at`` moves past it."""
    cdef const unsigned char* s = at[0]
    cdef unsigned char b = s[0]
    if b < 0x80:
        at[0] = s + 1
        return b
    if b < 0xE0 and s[1]:
        at[0] = s + 2
        return ((b & 0x1F) << 6) | (s[1] & 0x3F)
    if b < 0xF0 and s[1] and s[2]:
        at[0] = s + 3
        return ((b & 0x0F) << 12) | ((s[1] & 0x3F) << 6) | (s[2] & 0x3F)
    if s[1] and s[2] and s[3]:
        at[0] = s + 4
        return ((b & 0x07) << 18) | ((s[1] & 0x3F) << 12) | ((s[2] & 0x3F) << 6) | (s[3] & 0x3F)
    at[0] = s + 1
    return 0xFFFD


cdef struct _Measure:
    _Run run                # the whole text, white space as ``str.strip()`` sees it
    Py_ssize_t normalized   # ``len(normalize-space(text))`` so far, less a pending space
    bint normalized_seen    # a character that is not an XML space
    bint space_pending      # XML spaces after it: one space, if more text follows
    Py_ssize_t utf8_bytes   # the text's length in UTF-8
    bint entity             # an entity reference below: its text lives elsewhere


cdef void _measure(_Measure* m, const unsigned char* s) noexcept:
    """Characters of UTF-8 ``s`` onto ``m``: its stripped length (``str.strip()``'s white
    space) and its length as XPath's ``normalize-space()`` gives it (spaces, tabs, newlines and
    carriage returns only)."""
    cdef Py_UCS4 cp
    while s[0]:
        cp = _decode(&s)
        m.run.chars += 1
        if Py_UNICODE_ISSPACE(cp):
            if m.run.seen:
                m.run.trailing += 1
            else:
                m.run.leading += 1
        else:
            m.run.seen, m.run.trailing = True, 0
        if cp == 32 or cp == 9 or cp == 10 or cp == 13:
            m.space_pending = m.normalized_seen
        else:
            m.normalized += 1 + m.space_pending
            m.normalized_seen, m.space_pending = True, False


cdef void _measure_subtree(_Measure* m, tree.xmlNode* top) noexcept:
    """All the text below ``top`` (``text_content()``) onto ``m``."""
    cdef tree.xmlNode* node = top.children
    while node is not NULL:
        if _is_text(node):
            if node.content is not NULL:
                _measure(m, <const unsigned char*>node.content)
                m.utf8_bytes += strlen(<const char*>node.content)
        elif node.type == tree.XML_ENTITY_REF_NODE:
            m.entity = True
        elif node.type == tree.XML_ELEMENT_NODE and node.children is not NULL:
            node = node.children
            continue
        node = _after(node, top)


cdef tuple _subtree_texts(tree.xmlNode* top, Py_ssize_t utf8_bytes):
    """``text_content()`` of ``top``, whose text (no entity reference in it) is ``utf8_bytes``
    long in UTF-8: its text nodes joined, in document order; and that text folded, as
    ``" ".join(text.split())`` gives it (white space as ``str.split()`` sees it)."""
    cdef bytearray joined = bytearray(utf8_bytes), folded = bytearray(utf8_bytes)
    cdef char* out = joined
    cdef char* fold = folded
    cdef Py_ssize_t at = 0, folded_at = 0, size
    cdef bint space_pending = False
    cdef const unsigned char* s
    cdef const unsigned char* character
    cdef Py_UCS4 cp
    cdef tree.xmlNode* node = top.children
    while node is not NULL:
        if _is_text(node):
            if node.content is not NULL:
                size = strlen(<const char*>node.content)
                memcpy(out + at, node.content, size)
                at += size
                s = <const unsigned char*>node.content
                while s[0]:
                    character = s
                    cp = _decode(&s)  # apart: Py_UNICODE_ISSPACE is a macro that reads its argument twice
                    if Py_UNICODE_ISSPACE(cp):
                        space_pending = folded_at > 0
                        continue
                    if space_pending:
                        fold[folded_at] = b" "[0]
                        folded_at += 1
                        space_pending = False
                    memcpy(fold + folded_at, character, s - character)
                    folded_at += s - character
        elif node.type == tree.XML_ELEMENT_NODE and node.children is not NULL:
            node = node.children
            continue
        node = _after(node, top)
    return joined.decode("utf-8"), fold[:folded_at].decode("utf-8")


cdef Py_ssize_t _link_chars(tree.xmlNode* top, bint* entity) noexcept:
    """``body._link_chars``'s twin: characters of the text of every link (``_is_link``) at or
    below ``top``, a link inside a link counted again."""
    cdef Py_ssize_t count = 0
    cdef tree.xmlNode* node = top
    cdef _Measure m
    while node is not NULL:
        if node.type == tree.XML_ELEMENT_NODE:
            if _is_link(node):
                m = _Measure(_Run(0, 0, 0, False), 0, False, False, 0, False)
                _measure_subtree(&m, node)
                count += m.run.chars
                entity[0] = entity[0] or m.entity
            if node.children is not NULL:
                node = node.children
                continue
        if node is top:
            break
        node = _after(node, top)
    return count


# -- XML white space, as text rules strip it -------------------------------------------------
cdef inline bint _is_xml_space(unsigned char c) noexcept:
    return c == b" "[0] or c == b"\t"[0] or c == b"\n"[0] or c == b"\r"[0]


def has_attribute(_Element root, str name):
    """``walk.has_attribute_python``'s twin: an element of ``root``'s whole document (strays
    beside the root included, as ``//`` reads it) has an attribute of local name ``name``."""
    cdef bytes encoded = name.encode("utf-8")
    cdef const char* wanted = encoded
    cdef tree.xmlNode* top = <tree.xmlNode*>root._doc._c_doc
    cdef tree.xmlNode* node = top.children
    cdef tree.xmlAttr* attr
    while node is not NULL:
        if node.type == tree.XML_ELEMENT_NODE:
            attr = node.properties
            while attr is not NULL:
                if strcmp(<const char*>attr.name, wanted) == 0:
                    return True
                attr = attr.next
        node = _next_in_order(node, top)
    return False


cdef bint _holds_any(tree.xmlNode* element, tree.xmlAttr* attr, list encoded, words) except -1:
    cdef Py_ssize_t i
    for i in range(len(encoded)):
        if _attribute_holds(element, attr, <bytes>encoded[i], words[i]):
            return True
    return False


# -- page index walks ------------------------------------------------------------------------
def label_holders(_Element root, labels):
    """``walk.label_holders_python``'s twin: a Python proxy only for the elements returned."""
    cdef _Document doc = root._doc
    cdef tree.xmlNode* top = root._c_node
    cdef tree.xmlNode* node = top.children
    cdef tree.xmlAttr* attr
    cdef tree.xmlAttr* label_attr
    cdef Py_ssize_t position = -1
    cdef list found = [], positions = []
    while node is not NULL:
        if node.type == tree.XML_ELEMENT_NODE:
            position += 1
            attr, label_attr = node.properties, NULL
            while attr is not NULL:
                if attr.ns is NULL and strcmp(<const char*>attr.name, b"class") == 0:
                    label_attr = attr
                attr = attr.next
            if label_attr is not NULL and attributeValue(node, label_attr) in labels:
                found.append(elementFactory(doc, node))
                positions.append(position)
            if node.children is not NULL:
                node = node.children
                continue
        node = _after(node, top)
    return found, positions


def attributes_present(_Element root, names):
    """``walk.attributes_present_python``'s twin: the names of ``names`` that an element of
    ``root``'s whole document has an attribute of, all looked for in one walk."""
    cdef _Names wanted = _Names(names)
    cdef tree.xmlNode* top = <tree.xmlNode*>root._doc._c_doc
    cdef tree.xmlNode* node = top.children
    cdef tree.xmlAttr* attr
    cdef int i, left = wanted.count
    cdef list seen = [False] * wanted.count
    while node is not NULL and left:
        if node.type == tree.XML_ELEMENT_NODE:
            attr = node.properties
            while attr is not NULL:
                i = wanted.position(<const char*>attr.name)
                if i >= 0 and not seen[i]:
                    seen[i] = True
                    left -= 1
                attr = attr.next
            if node.children is not NULL:
                node = node.children
                continue
        node = _after(node, top)
    return [name for name, present in zip(wanted.texts, seen) if present]


# -- body analysis walks --------------------------------------------------------------------
from cpython.unicode cimport PyUnicode_DecodeUTF8
from libc.stdlib cimport free, malloc, realloc
from libc.string cimport memcmp


cdef inline bint _named(tree.xmlNode* node, const char* name) noexcept:
    return node.ns is NULL and strcmp(<const char*>node.name, name) == 0


cdef class _Words:
    """ASCII words as C strings, for comparing with a part of a libxml2 string."""
    cdef list encoded
    cdef const char** words
    cdef Py_ssize_t* lengths
    cdef Py_ssize_t count
    # The words by first byte, as ``_Names`` keeps them: a part is compared only with the words
    # that start as it does (``holds`` is asked of every part of every class name).
    cdef Py_ssize_t starting[256]
    cdef Py_ssize_t* next_starting
    cdef bint empty  # "" is one of the words
    # Bit n of a byte's mask: a word of n bytes (below 64) starts with it. Most parts asked
    # about have no word of their length and first byte: told without walking the chain.
    cdef unsigned long long length_mask[256]

    def __cinit__(self, words):
        self.encoded = [word.encode("ascii") for word in words]
        self.count = len(self.encoded)
        self.words = <const char**>malloc(max(1, self.count) * sizeof(const char*))
        self.lengths = <Py_ssize_t*>malloc(max(1, self.count) * sizeof(Py_ssize_t))
        self.next_starting = <Py_ssize_t*>malloc(max(1, self.count) * sizeof(Py_ssize_t))
        if self.words is NULL or self.lengths is NULL or self.next_starting is NULL:
            raise MemoryError()
        cdef Py_ssize_t i
        for i in range(256):
            self.starting[i] = -1
            self.length_mask[i] = 0
        self.empty = False
        for i in range(self.count - 1, -1, -1):
            self.words[i] = <bytes>self.encoded[i]
            self.lengths[i] = len(<bytes>self.encoded[i])
            if self.lengths[i] == 0:
                self.empty = True
            else:
                self.next_starting[i] = self.starting[<unsigned char>self.words[i][0]]
                self.starting[<unsigned char>self.words[i][0]] = i
                if self.lengths[i] < 64:
                    self.length_mask[<unsigned char>self.words[i][0]] |= 1ULL << self.lengths[i]

    def __dealloc__(self):
        free(self.words)
        free(self.lengths)
        free(self.next_starting)

    cdef bint holds(self, const char* part, Py_ssize_t size) noexcept:
        """``part[:size]`` is one of the words."""
        if size == 0:
            return self.empty
        if size < 64 and not (self.length_mask[<unsigned char>part[0]] >> size) & 1:
            return False
        cdef Py_ssize_t i = self.starting[<unsigned char>part[0]]
        while i >= 0:
            if self.lengths[i] == size and memcmp(self.words[i], part, size) == 0:
                return True
            i = self.next_starting[i]
        return False

    cdef bint within(self, const char* text) noexcept:
        """One of the words is in ``text``."""
        cdef Py_ssize_t i
        for i in range(self.count):
            if strstr(text, self.words[i]) is not NULL:
                return True
        return False


cdef inline bint _is_ascii_space(unsigned char c) noexcept:
    """``str.isspace`` of an ASCII character: where ``str.split()`` splits."""
    return c == 32 or 9 <= c <= 13 or 28 <= c <= 31


cdef inline bint _is_part_edge(char c) noexcept:
    return c == b"-"[0] or c == b"_"[0]


cdef class _PlainNames:
    """Class strings (and ids) a name rule surely says no to, told in C: ASCII, no upper-case
    letter, none of ``needles`` in them, and no name (``str.split()``'s) that starts with one of
    ``firsts`` before its end or a "-" or "_", nor ends with one of ``lasts`` after its start or
    a "-" or "_". Which those are is the rule's to say (``regions.furniture_name_parts``).
    With ``camel_words`` and ``camel_openings`` (``regions.camel_furniture_parts``), a string
    with upper-case letters is told too, lower-cased, where none of its names holds one of the
    first (case-sensitively) nor opens with one of the second (case aside)."""
    cdef _Words firsts, lasts, needles
    cdef list camel_words  # bytes; None: no string with an upper-case letter is plain
    cdef list camel_openings

    def __cinit__(self, firsts, lasts, needles, camel_words=None, camel_openings=None):
        self.firsts, self.lasts, self.needles = _Words(firsts), _Words(lasts), _Words(needles)
        if camel_words is not None:
            self.camel_words = [word.encode("ascii") for word in camel_words]
            self.camel_openings = [word.encode("ascii").lower() for word in camel_openings]

    cdef bint plain(self, tree.xmlAttr* attr) noexcept:
        cdef tree.xmlNode* value = attr.children
        if value is NULL or value.next is not NULL or value.type != tree.XML_TEXT_NODE or value.content is NULL:
            return False  # a value lxml joins from several nodes: the rule reads it
        cdef const unsigned char* text = <const unsigned char*>value.content
        cdef const unsigned char* at = text
        cdef const unsigned char* start
        cdef const unsigned char* edge
        cdef bint upper = False
        cdef unsigned char lowered[256]
        while at[0]:
            if at[0] >= 0x80:
                return False
            if b"A"[0] <= at[0] <= b"Z"[0]:
                upper = True
            at += 1
        if upper:
            if not _camel_plain(self.camel_words, text, at - text, lowered):
                return False
            text = lowered
        if self.needles.within(<const char*>text):
            return False
        at = text
        while True:
            while at[0] and _is_ascii_space(at[0]):
                at += 1
            if not at[0]:
                return True
            start = at
            while at[0] and not _is_ascii_space(at[0]):
                at += 1
            if upper and _opens_with_any(self.camel_openings, start, at - start):
                return False
            edge = start
            while edge <= at:  # each part from the name's start, up to a "-", a "_" or its end
                if (edge == at or _is_part_edge(edge[0])) and self.firsts.holds(<const char*>start, edge - start):
                    return False
                edge += 1
            edge = start
            while edge < at:  # each part to the name's end, from its start or after a "-" or "_"
                if ((edge == start or _is_part_edge((edge - 1)[0]))
                        and self.lasts.holds(<const char*>edge, at - edge)):
                    return False
                edge += 1


cdef class _Judge:
    """A furniture rule asked in C: ``rule`` of the element where its tag (``by_tag``, or a name
    with an upper-case letter) or an attribute of ``by_attribute`` other than one class and one
    id can decide; else ``label_rule`` of its class or ``id_rule`` of its id, each decided once
    a walk, and not asked of a class or id ``plain`` names plain; no for an element with
    neither."""
    cdef _Document doc
    cdef object rule, label_rule, id_rule
    cdef _Names by_tag, by_attribute
    cdef _PlainNames plain
    cdef dict labels, ids
    cdef _NameDecisions label_decisions, id_decisions  # kept from page to page (``_name_decisions``)

    cdef int setup(self, _Document doc, rule, label_rule, id_rule, by_tag, by_attribute, plain_names) except -1:
        self.doc, self.rule, self.label_rule, self.id_rule = doc, rule, label_rule, id_rule
        self.by_tag, self.by_attribute = _names_of(by_tag), _names_of(by_attribute)
        self.plain = _name_rules_of(plain_names)[0]
        self.labels, self.ids = {}, {}
        self.label_decisions = _name_decisions(label_rule, plain_names, self.plain)
        self.id_decisions = _name_decisions(id_rule, plain_names, self.plain)
        return 0

    cdef bint judge(self, tree.xmlNode* node) except -1:
        cdef tree.xmlAttr* attr = node.properties
        cdef tree.xmlAttr* label = NULL
        cdef tree.xmlAttr* ident = NULL
        cdef bint other = self.by_tag.has(node) or _has_upper(<const char*>node.name)
        while attr is not NULL and not other:
            if attr.ns is NULL and self.by_attribute.named(<const char*>attr.name):
                if label is NULL and strcmp(<const char*>attr.name, b"class") == 0:
                    label = attr
                elif ident is NULL and strcmp(<const char*>attr.name, b"id") == 0:
                    ident = attr
                else:  # any other attribute it reads, or one read twice: the whole rule decides
                    other = True
            attr = attr.next
        if other:
            return bool(self.rule(elementFactory(self.doc, node)))
        if label is not NULL and self.label_decisions.decide(node, label, self.labels):
            return True
        return ident is not NULL and self.id_decisions.decide(node, ident, self.ids)


cdef inline bint _decided(dict known, rule, str name) except -1:
    decision = known.get(name)
    if decision is None:
        decision = known[name] = bool(rule(name))
    return decision is True


cdef _Judge _judge(_Document doc, rule, label_rule, id_rule, by_tag, by_attribute, plain_names):
    """A ``_Judge``; an ``_AttributeJudge`` where ``plain_names`` holds the rule's roles and
    hiding styles after its names (``body._FURNITURE_NAMES``)."""
    cdef _Judge judge
    cdef _AttributeJudge attribute_judge
    if len(plain_names) > 3:
        judge = attribute_judge = _AttributeJudge()
        _, attribute_judge.roles, attribute_judge.styles = _name_rules_of(plain_names)
    else:
        judge = _Judge()
    judge.setup(doc, rule, label_rule, id_rule, by_tag, by_attribute, plain_names)
    return judge


cdef class _JudgedLinkWalk(_LinkWalk):
    """``_LinkWalk`` with its furniture rule asked through a ``_Judge``."""
    cdef _Judge judging

    cdef bint _furniture(self, tree.xmlNode* node) except -1:
        if self.judging.judge(node):
            self.skip.append(elementFactory(self.doc, node))
            return True
        return False


def judged_link_walk(_Element container, is_furniture, label_rule, id_rule, plain_names, judged_by_tag,
                     judged_by_attribute, link_lists, Py_ssize_t max_chars, double share):
    """``walk.judged_link_walk_python``'s twin: the walk of ``walk.link_walk_python`` with
    ``is_furniture`` asked as a ``_Judge`` asks it: ``label_rule`` of a class, ``id_rule`` of an id, each once a walk and
    not of a plain one (``plain_names``: firsts, lasts, needles), where no other attribute
    ``is_furniture`` reads is there."""
    cdef _JudgedLinkWalk walker = _JudgedLinkWalk()
    cdef Py_ssize_t text = 0, links = 0
    walker.doc, walker.is_furniture, walker.skip = container._doc, is_furniture, []
    walker.judging = _judge(container._doc, is_furniture, label_rule, id_rule, judged_by_tag, judged_by_attribute,
                            plain_names)
    walker.link_lists = _names_of(link_lists)
    walker.max_chars, walker.share = max_chars, share
    walker.walk(container._c_node, False, &text, &links)
    return walker.skip


def node_key(_Element el):
    """The key of ``el`` in what ``body_blocks`` returns: its node's address."""
    return <size_t>el._c_node


cdef struct _Buffer:
    char* data
    Py_ssize_t size, capacity


cdef int _reserve(_Buffer* b, Py_ssize_t more) except -1:
    cdef Py_ssize_t capacity
    cdef char* grown
    if b.size + more > b.capacity:
        capacity = max(2 * b.capacity, b.size + more, 256)
        grown = <char*>realloc(b.data, capacity)
        if grown is NULL:
            raise MemoryError()
        b.data, b.capacity = grown, capacity
    return 0


cdef inline Py_ssize_t _put_text(_Buffer* b, tree.xmlNode* node) except -1:
    """A text node's UTF-8 content appended to ``b``; its bytes, returned."""
    cdef Py_ssize_t size = strlen(<const char*>node.content)
    _reserve(b, size)
    memcpy(b.data + b.size, node.content, size)
    b.size += size
    return size


# The state of an element on the walk's stack, as the climbs from blocks below it found it.
cdef enum _Reach:
    UNREACHED, REACHED, FURNITURE, CLIMB_END  # CLIMB_END: <body> or <html>, where every climb stops


cdef struct _Level:
    tree.xmlNode* node
    _Reach reach
    bint in_link              # a link from here up to the climb's end
    tree.xmlNode* furniture   # the furniture the climb from here stops at (NULL: none)
    double size               # prose credited here and passed up from below
    double dense              # the readability score
    bint scored               # in ``dense`` (with 0.0 too)


cdef class _BodyWalk:
    """The state of one ``body_blocks`` walk: the stack of the walk's node and its ancestors,
    each with what the climbs from blocks below it found."""
    cdef _Document doc
    cdef _Level* levels
    cdef Py_ssize_t depth, capacity
    cdef _Judge judging
    cdef _Names prose
    cdef object read_block, text_block
    cdef list blocks
    cdef dict sizes, dense, nodes
    cdef _Buffer text, folded  # a block's text and its folded text, read into these

    def __dealloc__(self):
        free(self.levels)
        free(self.text.data)
        free(self.folded.data)

    cdef Py_ssize_t read_block_text(self, tree.xmlNode* top, _Measure* m) except -1:
        """In one pass below ``top``: its text measured onto ``m`` (``_measure_subtree``) and read,
        folded, into ``self.folded`` (``_subtree_texts``; the text as read is never asked for);
        and its link
        characters (``_link_chars``: a text's characters once for each link above it, ``top``
        included), which it returns."""
        cdef Py_ssize_t links = 0, link_depth = _is_link(top), size, chars
        cdef bint space_pending = False
        cdef const unsigned char* s
        cdef const unsigned char* character
        cdef Py_UCS4 cp
        cdef tree.xmlNode* node = top.children
        # The counts of the character loop, kept in locals while it runs (not written through
        # ``m`` and ``self`` at each character), and an ASCII character copied as one byte.
        cdef Py_ssize_t leading, trailing, normalized, folded_size
        cdef bint seen, normalized_seen, normalized_pending
        cdef char* fold
        self.folded.size = 0
        while node is not NULL:
            if _is_text(node):
                if node.content is not NULL:
                    size = strlen(<const char*>node.content)
                    _reserve(&self.folded, size + 1)
                    m.utf8_bytes += size
                    chars = 0
                    leading, trailing, seen = m.run.leading, m.run.trailing, m.run.seen
                    normalized, normalized_seen, normalized_pending = m.normalized, m.normalized_seen, m.space_pending
                    fold, folded_size = self.folded.data, self.folded.size
                    s = <const unsigned char*>node.content
                    while s[0]:
                        character = s
                        if s[0] < 0x80:
                            cp = s[0]
                            s += 1
                        else:
                            cp = _decode(&s)
                        chars += 1
                        if cp == 32 or cp == 9 or cp == 10 or cp == 13:
                            normalized_pending = normalized_seen
                        else:
                            normalized += 1 + normalized_pending
                            normalized_seen, normalized_pending = True, False
                        if Py_UNICODE_ISSPACE(cp):
                            if seen:
                                trailing += 1
                            else:
                                leading += 1
                            space_pending = folded_size > 0
                            continue
                        seen, trailing = True, 0
                        if space_pending:
                            fold[folded_size] = b" "[0]
                            folded_size += 1
                            space_pending = False
                        if s - character == 1:
                            fold[folded_size] = character[0]
                            folded_size += 1
                        else:
                            memcpy(fold + folded_size, character, s - character)
                            folded_size += s - character
                    m.run.chars += chars
                    m.run.leading, m.run.trailing, m.run.seen = leading, trailing, seen
                    m.normalized, m.normalized_seen, m.space_pending = normalized, normalized_seen, normalized_pending
                    self.folded.size = folded_size
                    links += chars * link_depth
            elif node.type == tree.XML_ENTITY_REF_NODE:
                m.entity = True
            elif node.type == tree.XML_ELEMENT_NODE and node.children is not NULL:
                link_depth += _is_link(node)
                node = node.children
                continue
            while node is not top and node.next is NULL:  # all below the parent done: leave it
                node = node.parent
                if node is not top:
                    link_depth -= _is_link(node)
            if node is top:
                break
            node = node.next
        return links

    cdef int push(self, tree.xmlNode* node) except -1:
        cdef _Level* grown
        if self.depth == self.capacity:
            self.capacity = max(64, 2 * self.capacity)
            grown = <_Level*>realloc(self.levels, self.capacity * sizeof(_Level))
            if grown is NULL:
                raise MemoryError()
            self.levels = grown
        self.levels[self.depth] = _Level(node, UNREACHED, False, NULL, 0.0, 0.0, False)
        self.depth += 1
        return 0

    cdef int pop(self) except -1:
        """The top element is done: its size and score are whole; its size passes up its climb."""
        self.depth -= 1
        cdef _Level* level = &self.levels[self.depth]
        cdef size_t key = <size_t>level.node
        if level.reach == REACHED or level.reach == FURNITURE:
            if level.size != 0.0:
                self.sizes[key] = level.size
            if level.reach == REACHED and self.depth > 0 and self.levels[self.depth - 1].reach != CLIMB_END:
                self.levels[self.depth - 1].size += level.size
        if level.scored:
            self.dense[key] = level.dense
        return 0

    cdef int reach(self, Py_ssize_t start) except -1:
        """The climb from the element at ``start``: each element up to the first furniture
        (included) or <body> (excluded) judged, where no earlier climb has."""
        cdef Py_ssize_t i = start, k
        cdef _Level* level
        cdef _Level* above
        while i >= 0 and self.levels[i].reach == UNREACHED:
            level = &self.levels[i]
            if _named(level.node, b"body") or _named(level.node, b"html"):
                level.reach = CLIMB_END
                break
            if self.judging.judge(level.node):
                level.reach, level.in_link, level.furniture = FURNITURE, _is_link(level.node), level.node
                break
            i -= 1
        for k in range(i + 1, start + 1):  # judged, and no furniture: they take the climb above them
            level = &self.levels[k]
            level.reach, level.in_link, level.furniture = REACHED, _is_link(level.node), NULL
            if k > 0:
                above = &self.levels[k - 1]
                if above.reach != CLIMB_END:
                    level.in_link = level.in_link or above.in_link
                    level.furniture = above.furniture
        return 0

    cdef int credit(self, Py_ssize_t start, bint scored, el, str text, Py_ssize_t chars, Py_ssize_t size,
                    Py_ssize_t links, Py_ssize_t own_links, folded) except -1:
        """A block's prose to the climb from ``start`` (its parent's level, or its own), and the
        block to the text blocks; to the readability score too where ``scored`` (prose, or a
        holder of its own). ``chars``: the characters of the text as read (all links where its
        climb holds a link), ``text`` being the folded one where the walk folded it."""
        cdef double weight = max(0.0, <double>(size - 2 * links))
        cdef double share = 1.0
        cdef Py_ssize_t i, end
        cdef bint in_link = False
        cdef tree.xmlNode* furniture = NULL
        cdef _Level* level
        if start >= 0:
            self.reach(start)
            level = &self.levels[start]
            if level.reach != CLIMB_END:
                level.size += weight
                in_link, furniture = level.in_link, level.furniture
                if scored:
                    i, end = start, max(start - 4, -1)
                    while i > end and self.levels[i].reach != CLIMB_END:
                        level = &self.levels[i]
                        if not level.scored:
                            level.scored = True
                            self.dense[<size_t>level.node] = 0.0  # its place in the order of first credits
                        level.dense += weight * share
                        share /= 2
                        if level.reach == FURNITURE:
                            break
                        i -= 1
        self.blocks.append(tuple.__new__(self.text_block, (
            el, text, chars if in_link else own_links,
            None if furniture is NULL else elementFactory(self.doc, furniture), folded)))
        return 0

    cdef int read(self, tree.xmlNode* node, Py_ssize_t start, bint scored) except -1:
        """A block the rules read in Python (a holder of its own text, a block with an entity)."""
        el = elementFactory(self.doc, node)
        found = self.read_block(el)
        if found is not None:
            text, size, links, own_links = found
            self.credit(start, scored, el, text, len(text), size, links, own_links, None)
        return 0


def body_blocks(_Element root, blocks, own_text_holders, wrappers, blocks_below, Py_ssize_t min_chars,
                Py_ssize_t wrapped_min_chars, prose_tags, read_block, is_furniture, label_rule, id_rule, plain_names,
                judged_by_tag, judged_by_attribute, text_block, holder_breaks=None):
    """``walk.body_blocks_python``'s twin: one walk of libxml2's tree, the climbs kept on its
    stack; Python is asked only for the furniture rule where a ``_Judge`` asks it, and for the
    blocks ``read_block`` reads: of the holders, only those with ``min_chars`` of their own
    text, or with none but a ``wrappers`` child, no descendant of ``blocks_below`` and
    ``wrapped_min_chars`` of text (stripped). With ``holder_breaks`` (``body._BREAKING_TAGS``), a
    holder of ``min_chars`` of its own text is read here (``_credited_own_text``), not asked."""
    cdef _Names breaking = None if holder_breaks is None else _names_of(holder_breaks)
    cdef _Names block_names = _names_of(blocks), holder_names = _names_of(own_text_holders)
    cdef _Names wrapper_names = _names_of(wrappers), below_names = _names_of(blocks_below)
    cdef Py_ssize_t own
    cdef _BodyWalk w = _BodyWalk()
    cdef tree.xmlNode* top = root._c_node
    cdef tree.xmlNode* node
    cdef tree.xmlNode* next_node
    cdef list ancestors = []
    cdef _Measure m
    cdef Py_ssize_t stripped, links, d
    cdef bint entity, scored
    w.doc, w.levels, w.depth, w.capacity = root._doc, NULL, 0, 0
    w.judging = _judge(root._doc, is_furniture, label_rule, id_rule, judged_by_tag, judged_by_attribute, plain_names)
    w.prose, w.read_block, w.text_block = _names_of(prose_tags), read_block, text_block
    w.blocks, w.sizes, w.dense, w.nodes = [], {}, {}, {}
    w.text, w.folded = _Buffer(NULL, 0, 0), _Buffer(NULL, 0, 0)
    node = top.parent  # the climbs go on above ``root``
    while node is not NULL and node.type == tree.XML_ELEMENT_NODE:
        ancestors.append(<size_t>node)
        node = node.parent
    for d in range(len(ancestors) - 1, -1, -1):
        w.push(<tree.xmlNode*><size_t>ancestors[d])
    node = top
    while True:
        w.push(node)
        d = w.depth - 1
        if block_names.has(node):
            m = _Measure(_Run(0, 0, 0, False), 0, False, False, 0, False)
            links = w.read_block_text(node, &m)
            stripped = m.run.chars - m.run.leading - m.run.trailing if m.run.seen else 0
            scored = w.prose.has(node)
            if m.entity:  # an entity's text lives elsewhere: read in Python
                w.read(node, d - 1, scored)
            elif stripped >= min_chars and m.normalized >= min_chars:
                folded = PyUnicode_DecodeUTF8(w.folded.data, w.folded.size, NULL)
                w.credit(d - 1, scored, elementFactory(w.doc, node), folded, m.run.chars, stripped, links, links,
                         folded)
        elif holder_names.has(node):
            own = _own_text_chars(node)
            if own >= min_chars and breaking is not None and _credited_own_text(w, node, d, own, breaking):
                pass
            elif own >= min_chars or (own == 0 and _has_child(node, wrapper_names)
                                    and not _has_descendant(node, below_names)
                                    and _stripped_text_reaches(node, wrapped_min_chars)):
                w.read(node, d, True)
        next_node = _next_element(node.children)
        if next_node is not NULL:
            node = next_node
            continue
        while True:  # below ``node`` all done: on to the next element, up as far as it takes
            w.pop()
            if node is top:
                break
            next_node = _next_element(node.next)
            if next_node is not NULL:
                break
            node = node.parent
        if node is top:
            break
        node = next_node
    while w.depth > 0:
        w.pop()
    return w.blocks, w.sizes, w.dense, _NodesAt(w.doc)


cdef bint _has_descendant(tree.xmlNode* top, _Names names) noexcept:
    """An element below ``top`` of one of ``names`` (as ``iterdescendants(*names)`` finds)."""
    cdef tree.xmlNode* node = top.children
    while node is not NULL:
        if node.type == tree.XML_ELEMENT_NODE:
            if names.has(node):
                return True
            if node.children is not NULL:
                node = node.children
                continue
        node = _after(node, top)
    return False


cdef bint _stripped_text_reaches(tree.xmlNode* top, Py_ssize_t enough) noexcept:
    """``len(text_content().strip()) >= enough`` below ``top``; yes where an entity reference
    keeps the text elsewhere."""
    cdef _Measure m = _Measure(_Run(0, 0, 0, False), 0, False, False, 0, False)
    _measure_subtree(&m, top)
    return m.entity or (m.run.chars - m.run.leading - m.run.trailing if m.run.seen else 0) >= enough


cdef inline tree.xmlNode* _next_element(tree.xmlNode* node) noexcept:
    while node is not NULL and node.type != tree.XML_ELEMENT_NODE:
        node = node.next
    return node


cdef class _Paragraphs(_Pieces):
    """``_Pieces`` joined as they come, as ``text._join_pieces`` joins them: each line's white
    space folded (``" ".join(line.split())``), lines one line break apart, an empty line (or a
    block's edge) ending a paragraph. Read from libxml2's UTF-8 text, with no piece made."""
    cdef _Buffer line       # the line being read, folded
    cdef _Buffer paragraph  # the paragraph's lines before it, "\n" apart
    cdef bint space_pending, blank_line  # white space after the line's last character; none since the last break
    cdef list paragraphs

    def __dealloc__(self):
        free(self.line.data)
        free(self.paragraph.data)

    cdef int feed(self, const unsigned char* s) except -1:
        """Text onto the line: white space (``str.isspace``) one space between characters; in
        <pre>, a newline breaks the line."""
        cdef const unsigned char* character
        cdef Py_UCS4 cp
        while s[0]:
            character = s
            if _ascii_word_byte(s[0]):  # a run of ASCII letters and marks, copied at once
                s = _paragraph_ascii_run(self, s)
                continue
            cp = _decode(&s)
            if cp == 10 and self.pre:
                self.break_code_line()
            elif Py_UNICODE_ISSPACE(cp):
                self.space_pending = True
            else:
                self.put(character, s - character)
        return 0

    cdef inline int put(self, const unsigned char* s, Py_ssize_t n) except -1:
        """``n`` bytes of a word onto the line, after the space pending before them."""
        _reserve(&self.line, 1 + n)
        if self.space_pending and self.line.size:
            self.line.data[self.line.size] = b" "[0]
            self.line.size += 1
        memcpy(self.line.data + self.line.size, s, n)
        self.line.size += n
        self.space_pending = self.blank_line = False
        return 0

    cdef int feed_run(self, tree.xmlNode* node) except -1:
        """The run of text nodes from ``node`` (``_text_run``'s), fed."""
        while node is not NULL:
            if node.type == tree.XML_TEXT_NODE or node.type == tree.XML_CDATA_SECTION_NODE:
                if node.content is not NULL:
                    self.feed(<const unsigned char*>node.content)
            elif node.type != tree.XML_XINCLUDE_START and node.type != tree.XML_XINCLUDE_END:
                break
            node = node.next
        return 0

    cdef int end_line(self) except -1:
        """The line onto the paragraph; an empty one ends it."""
        if self.line.size:
            _reserve(&self.paragraph, self.line.size + 1)
            if self.paragraph.size:
                self.paragraph.data[self.paragraph.size] = b"\n"[0]
                self.paragraph.size += 1
            memcpy(self.paragraph.data + self.paragraph.size, self.line.data, self.line.size)
            self.paragraph.size += self.line.size
            self.line.size = 0
        else:
            self.end_paragraph()
        self.space_pending = False
        return 0

    cdef int end_paragraph(self) except -1:
        if self.paragraph.size:
            self.paragraphs.append(self.paragraph.data[:self.paragraph.size].decode("utf-8"))
            self.paragraph.size = 0
        return 0

    cdef int break_line(self) except -1:  # a <br>
        self.end_line()
        self.blank_line = True
        return 0

    cdef int break_code_line(self) except -1:  # a newline in <pre>: no blank line in a code block
        if not self.blank_line:
            self.break_line()
        return 0

    cdef int block_edge(self) except -1:
        self.end_line()
        self.end_paragraph()
        self.blank_line = True
        return 0

    cdef bint start(self, tree.xmlNode* node) except -1:
        cdef bint is_pre
        cdef _Kind kind = self.kind(node, &is_pre)
        if kind == SKIPPED or self.skipped(node):
            return False
        if kind == BLOCK:
            self.block_edge()
        elif kind == CELL:
            if self.in_data_table(elementFactory(self.doc, node)):
                self.space_pending = True
            else:
                self.block_cells.add(<size_t>node)
                self.block_edge()
        elif kind == LINE:
            self.break_line()
        self.pre += is_pre
        self.feed_run(node.children)
        return True

    cdef int end(self, tree.xmlNode* node) except -1:
        cdef bint is_pre, skipped
        cdef _Kind kind
        if node.type == tree.XML_ELEMENT_NODE:
            kind, skipped = self.kind(node, &is_pre), self.skipped(node)
            if (kind == BLOCK and not skipped) or (self.block_cells and <size_t>node in self.block_cells):
                self.block_edge()
            if is_pre and not skipped:
                self.pre -= 1
        if node is not self.top:
            self.feed_run(node.next)
        return 0


def text_paragraphs(_Element el, skip, in_data_table, skip_tags, block_tags, cell_tags, line_break, code_line_break,
                    join):
    """``walk.text_paragraphs_python``'s twin: ``text_pieces`` joined in the one walk, as
    ``join`` (``text._join_pieces``) joins them; ``line_break``, ``code_line_break`` and
    ``join`` are not called."""
    if el._c_node.type != tree.XML_ELEMENT_NODE:
        return []
    cdef _Paragraphs walker = _Paragraphs()
    walker.doc, walker.top, walker.out, walker.pre = el._doc, el._c_node, None, 0
    walker.skip = {<size_t>(<_Element>s)._c_node for s in skip}
    walker.block_cells = set()
    walker.in_data_table = in_data_table
    walker.skip_tags, walker.block_tags, walker.cell_tags = _names_of(skip_tags), _names_of(block_tags), _names_of(cell_tags)
    walker.skip_set, walker.block_set, walker.cell_set = skip_tags, block_tags, cell_tags
    walker.line = _Buffer(NULL, 0, 0)
    walker.paragraph = _Buffer(NULL, 0, 0)
    walker.space_pending, walker.blank_line, walker.paragraphs = False, True, []
    walker.walk()
    walker.block_edge()
    return walker.paragraphs


# -- comment candidates, comment-system markers and thread page links: one walk of the attributes --
cdef inline bint _at_or_below(tree.xmlNode* node, tree.xmlNode* top) noexcept:
    while node is not NULL:
        if node is top:
            return True
        node = node.parent
    return False


def comment_walk(_Element root, str word, names, str tag, str attribute, words, word_attributes=None):
    """``walk.comment_walk_python``'s twin: ``word_holders(root, word)`` (of ``word_attributes``
    alone where given), ``attributes_present(root, names)`` and ``attribute_holders(root, tag,
    attribute, words)`` read in one walk of the document's attributes."""
    cdef _Names word_names = None if word_attributes is None else _Names(word_attributes)
    cdef bytes encoded = word.encode("utf-8")
    cdef bytes tag_name = tag.encode("utf-8"), attribute_name = attribute.encode("utf-8")
    cdef list encoded_words = [w.encode("utf-8") for w in words]
    cdef _Document doc = root._doc
    cdef _Names wanted = _Names(names)
    cdef tree.xmlNode* top = <tree.xmlNode*>doc._c_doc
    cdef tree.xmlNode* node = top.children
    cdef tree.xmlAttr* attr
    cdef list found = [], links = []
    cdef list seen = [False] * wanted.count
    cdef int i, left = wanted.count
    cdef bint held, linked
    while node is not NULL:
        if node.type == tree.XML_ELEMENT_NODE:
            held = False
            # Only elements of ``tag`` are read for links: the others count as read already.
            linked = not (node.ns is NULL and strcmp(<const char*>node.name, tag_name) == 0)
            attr = node.properties
            while attr is not NULL:
                if not held and _word_read(word_names, attr) and _attribute_holds(node, attr, encoded, word):
                    found.append(elementFactory(doc, node))
                    held = True
                if not linked and attr.ns is NULL and strcmp(<const char*>attr.name, attribute_name) == 0:
                    linked = True  # the first such attribute is the one ``get`` reads
                    if _holds_any(node, attr, encoded_words, words) and _at_or_below(node, root._c_node):
                        links.append(elementFactory(doc, node))
                if left:
                    i = wanted.position(<const char*>attr.name)
                    if i >= 0 and not seen[i]:
                        seen[i] = True
                        left -= 1
                elif held and linked:
                    break
                attr = attr.next
            if node.children is not NULL:
                node = node.children
                continue
        node = _after(node, top)
    return found, [name for name, present in zip(wanted.texts, seen) if present], links


# -- text paragraphs: runs of ASCII text -------------------------------------------------------
# Most of a page's text is ASCII: a run of it with no white space is copied onto the line at
# once, where character by character cost a decoding, a test and a copy each.

cdef inline bint _ascii_word_byte(unsigned char b) noexcept:
    """An ASCII character ``str.isspace`` says no to (its white space: 9-13, 28-32)."""
    return 32 < b < 0x80 or (0 < b < 28 and not 9 <= b <= 13)


cdef const unsigned char* _paragraph_ascii_run(_Paragraphs walker, const unsigned char* s) except NULL:
    """The run of ``_ascii_word_byte`` characters at ``s`` onto ``walker``'s line, as its
    ``feed`` puts each (a pending space before it); where the run ends."""
    cdef const unsigned char* end = s + 1
    while _ascii_word_byte(end[0]):
        end += 1
    walker.put(s, end - s)
    return end


# -- the page walk: the page index, the tags read together and the attributes watched ---------
cdef class _FirstBytes:
    """Which first bytes some of a set of names start with: a name whose first byte none
    starts with is no name of the set, without a ``strcmp`` against each."""
    cdef bint starts[256]

    def __init__(self, names):
        cdef int i
        for i in range(256):
            self.starts[i] = False
        for name in names:
            encoded = name.encode("utf-8")
            if encoded:
                self.starts[<unsigned char>encoded[0]] = True

    cdef inline bint may_start(self, const char* name) noexcept:
        return self.starts[<unsigned char>name[0]]


cdef inline int _tag_group(tree.xmlNode* node, _Names tag_names, _FirstBytes tag_starts,
                           int* group_of) noexcept:
    """The group of the element's tag (in no namespace, as ``iter("p")`` matches), -1 for none."""
    cdef int i
    if node.ns is not NULL or not tag_starts.may_start(<const char*>node.name):
        return -1
    i = tag_names.position(<const char*>node.name)
    return group_of[i] if i >= 0 else -1


cdef int _watch_attributes(tree.xmlNode* node, _Names watched, _FirstBytes watched_starts,
                           list seen) except -1:
    """Marks in ``seen`` the watched names among the element's attributes (any namespace, by
    local name); returns how many it newly marked."""
    cdef tree.xmlAttr* attr = node.properties
    cdef int i, marked = 0
    while attr is not NULL:
        if watched_starts.may_start(<const char*>attr.name):
            i = watched.position(<const char*>attr.name)
            if i >= 0 and not seen[i]:
                seen[i] = True
                marked += 1
        attr = attr.next
    return marked


cdef int _watch_beside(tree.xmlNode* document, tree.xmlNode* skipped, _Names watched,
                       _FirstBytes watched_starts, list seen, int unseen) except -1:
    """The watched names on the document's elements outside ``skipped`` and all below it."""
    cdef tree.xmlNode* node = document.children
    while node is not NULL and unseen:
        if node is skipped:
            node = _after(node, document)
            continue
        if node.type == tree.XML_ELEMENT_NODE:
            unseen -= _watch_attributes(node, watched, watched_starts, seen)
            if node.children is not NULL:
                node = node.children
                continue
        node = _after(node, document)
    return 0


# -- the parsed tree's check: depth and streamed markup ------------------------------------
def depth_and_tags(_Element root, int depth, tags):
    """``walk.depth_and_tags_python``'s twin: whether an element of ``root``'s whole document
    lies ``depth`` elements deep (the top element 1), and whether an element of one of
    ``tags`` is in it, in one walk that makes no element proxy."""
    cdef _Names names = _Names(tags)
    cdef tree.xmlNode* document = <tree.xmlNode*>root._doc._c_doc
    cdef tree.xmlNode* node = document.children
    cdef int level = 1  # of ``node``
    cdef bint deep = False, tagged = False
    while node is not NULL and not (deep and tagged):
        if node.type == tree.XML_ELEMENT_NODE:
            if level >= depth:
                deep = True
            if not tagged and names.named(<const char*>node.name):
                tagged = True
            if node.children is not NULL:
                node = node.children
                level += 1
                continue
        while node is not document and node.next is NULL:
            node = node.parent
            level -= 1
        node = NULL if node is document else node.next
    return deep, tagged


# -- the paragraph classifier's stopword shares ----------------------------------------------
from cpython.unicode cimport PyUnicode_DATA, PyUnicode_GET_LENGTH, PyUnicode_KIND, PyUnicode_READ
from libc.stdint cimport uint64_t


cdef inline uint64_t _mix(uint64_t h, uint64_t code_point) noexcept:
    """FNV-1a, a code point at a time."""
    return (h ^ code_point) * <uint64_t>1099511628211


cdef inline Py_ssize_t _next_word(int kind, const void* data, Py_ssize_t n, Py_ssize_t* i, uint64_t* h) noexcept:
    """The start of the first word (split as ``str.split()`` splits) at or after ``i[0]``, with its
    end left in ``i[0]`` and its hash in ``h[0]``; -1 where no word is left."""
    cdef Py_ssize_t j = i[0], start
    cdef Py_UCS4 cp
    cdef uint64_t hash = <uint64_t>14695981039346656037
    while j < n and Py_UNICODE_ISSPACE(PyUnicode_READ(kind, data, j)):
        j += 1
    if j >= n:
        i[0] = j
        return -1
    start = j
    while j < n:
        cp = PyUnicode_READ(kind, data, j)
        if Py_UNICODE_ISSPACE(cp):
            break
        hash = _mix(hash, <uint64_t>cp)
        j += 1
    i[0], h[0] = j, hash
    return start


cdef class _WordTable:
    """A set of words as an open-addressing table of their code points: a word of a text is
    looked up where it lies in the text, without a string made for it."""
    cdef list words
    cdef Py_ssize_t* slots     # a word's place in ``words`` (-1: empty), at its hash's slot or after
    cdef uint64_t* hashes
    cdef uint64_t mask

    def __cinit__(self, words):
        self.words = [w for w in words if isinstance(w, str)]
        cdef Py_ssize_t size = 8, i, n = len(self.words)
        while size < 2 * n:
            size *= 2
        self.mask = size - 1
        self.slots = <Py_ssize_t*>malloc(size * sizeof(Py_ssize_t))
        self.hashes = <uint64_t*>malloc(max(1, n) * sizeof(uint64_t))
        if self.slots is NULL or self.hashes is NULL:
            raise MemoryError()
        for i in range(size):
            self.slots[i] = -1
        cdef uint64_t h, slot
        cdef str word
        for i in range(n):
            word = self.words[i]
            h = _word_hash(PyUnicode_KIND(word), PyUnicode_DATA(word), 0, PyUnicode_GET_LENGTH(word))
            self.hashes[i] = h
            slot = h & self.mask
            while self.slots[slot] != -1:
                slot = (slot + 1) & self.mask
            self.slots[slot] = i

    def __dealloc__(self):
        free(self.slots)
        free(self.hashes)

    cdef bint holds(self, int kind, void* data, Py_ssize_t start, Py_ssize_t size, uint64_t h) noexcept:
        """``text[start:start + size]`` (``kind`` and ``data`` its str's) is one of the words."""
        cdef uint64_t slot = h & self.mask
        cdef Py_ssize_t i, k, place
        cdef str word
        cdef int word_kind
        cdef void* word_data
        while True:
            place = self.slots[slot]
            if place == -1:
                return False
            if self.hashes[place] == h:
                word = <str>self.words[place]
                if PyUnicode_GET_LENGTH(word) == size:
                    word_kind, word_data = PyUnicode_KIND(word), PyUnicode_DATA(word)
                    k = 0
                    while k < size and PyUnicode_READ(word_kind, word_data, k) == PyUnicode_READ(kind, data, start + k):
                        k += 1
                    if k == size:
                        return True
            slot = (slot + 1) & self.mask


cdef inline uint64_t _word_hash(int kind, void* data, Py_ssize_t start, Py_ssize_t end) noexcept:
    cdef uint64_t h = <uint64_t>14695981039346656037
    cdef Py_ssize_t i
    for i in range(start, end):
        h = _mix(h, <uint64_t>PyUnicode_READ(kind, data, i))
    return h


_word_tables = {}  # a stoplist → its table; a few dozen stoplists, each made once


# --- page index ---
# The page index's one walk keeps only what the parts ask for: elements with an (attribute,
# value) pair asked for, compared in C; with a class string holding a class name asked for or a
# part of a theme's class name; and of the tags read together. Proxies for no other element.
from libc.string cimport strncmp

cdef enum:
    _MAX_PAIRS = 256  # pairs one walk compares


cdef inline bint _is_split_space(unsigned char c) noexcept:
    """An ASCII character ``str.split()`` splits at (``str.isspace``: 9-13 and 28-32)."""
    return 9 <= c <= 13 or 28 <= c <= 32


cdef inline bint _ascii(const unsigned char* s) noexcept:
    while s[0]:
        if s[0] >= 0x80:
            return False
        s += 1
    return True


cdef class _WantedPairs:
    """(attribute, value) pairs as C strings, each value compared with libxml2's in C; a pair
    ("rel~", word) matches a word of ``rel`` (split as ``str.split()`` splits)."""
    cdef list keys, encoded
    cdef _Names attributes  # the pairs' attribute names, "rel" for "rel~"
    cdef int count
    cdef int attribute_of[_MAX_PAIRS]
    cdef bint word_of[_MAX_PAIRS]
    cdef const char* values[_MAX_PAIRS]
    cdef Py_ssize_t lengths[_MAX_PAIRS]

    def __init__(self, pairs):
        self.keys = list(pairs)
        if len(self.keys) > _MAX_PAIRS:
            raise ValueError(f"at most {_MAX_PAIRS} pairs, not {len(self.keys)}")
        names = list(dict.fromkeys("rel" if name == "rel~" else name for name, _ in self.keys))
        self.attributes = _Names(names)
        self.encoded = [value.encode("utf-8") for _, value in self.keys]
        self.count = len(self.keys)
        cdef int i
        for i in range(self.count):
            name = self.keys[i][0]
            self.word_of[i] = name == "rel~"
            self.attribute_of[i] = names.index("rel" if name == "rel~" else name)
            self.values[i] = <bytes>self.encoded[i]
            self.lengths[i] = len(<bytes>self.encoded[i])


cdef int _add_match(dict found, key, el) except -1:
    """``el`` under ``key``, once however often its attributes match it."""
    group = found.get(key)
    if group is None:
        found[key] = [el]
    elif (<list>group)[len(<list>group) - 1] is not el:  # no [-1]: this module reads no negative index
        (<list>group).append(el)
    return 0


cdef _Element _match_pairs(_Document doc, tree.xmlNode* node, _WantedPairs pairs, dict found, _Element el):
    """Files the element under each wanted pair among its attributes; its proxy, made at the
    first match (``el`` when there is one already), or None without a match."""
    cdef tree.xmlAttr* attr = node.properties
    cdef const unsigned char* value
    cdef const unsigned char* start
    cdef bytes encoded
    cdef int a, i
    cdef Py_ssize_t length
    while attr is not NULL:
        if attr.ns is not NULL:
            attr = attr.next
            continue
        a = pairs.attributes.position(<const char*>attr.name)
        if a < 0:
            attr = attr.next
            continue
        if attr.children is NULL:
            value = <const unsigned char*>b""
        elif (attr.children.type == tree.XML_TEXT_NODE and attr.children.next is NULL
              and attr.children.content is not NULL):
            value = <const unsigned char*>attr.children.content
        else:
            encoded = attributeValue(node, attr).encode("utf-8")
            value = <const unsigned char*>encoded
        for i in range(pairs.count):
            if pairs.attribute_of[i] != a:
                continue
            if not pairs.word_of[i]:
                if strcmp(<const char*>value, pairs.values[i]) == 0:
                    if el is None:
                        el = elementFactory(doc, node)
                    _add_match(found, pairs.keys[i], el)
            elif not _ascii(value):  # a word split at white space beyond ASCII: as Python splits
                if (<str>pairs.keys[i][1]) in attributeValue(node, attr).split():
                    if el is None:
                        el = elementFactory(doc, node)
                    _add_match(found, pairs.keys[i], el)
            else:
                start = value
                while True:
                    while _is_split_space(start[0]):
                        start += 1
                    if not start[0]:
                        break
                    length = 0
                    while start[length] and not _is_split_space(start[length]):
                        length += 1
                    if length == pairs.lengths[i] and strncmp(<const char*>start, pairs.values[i], length) == 0:
                        if el is None:
                            el = elementFactory(doc, node)
                        _add_match(found, pairs.keys[i], el)
                        break
                    start += length
        attr = attr.next
    return el


cdef bint _label_kept(str label, wanted_names, parts) except -1:
    """The class string holds a class name of ``wanted_names`` or a part of ``parts``."""
    for part in parts:
        if part in label:
            return True
    for token in label.split():
        if token in wanted_names:
            return True
    return False


def page_index(_Element root, pairs, wanted_names, parts, tag_groups, watched_attributes, comment_walk_args=None):
    """``walk.page_index_python``'s twin, in one walk of the page (and a walk of what lies
    beside ``root``, only while a watched name is still unseen): a proxy only for an element
    it returns. ``comment_walk``'s answer besides, read in the same walk (``_CommentAttributes``)."""
    cdef _CommentAttributes comment = None
    if comment_walk_args is not None:
        comment = _CommentAttributes(root, *comment_walk_args)
        if not comment.beside(True):  # the root is no top element: the comment walk a walk of its own
            return (*page_index(root, pairs, wanted_names, parts, tag_groups, watched_attributes),
                    comment_walk(root, *comment_walk_args))
    cdef _IndexQuery query = _index_query(pairs, wanted_names, parts, tag_groups, watched_attributes)
    cdef _WantedPairs wanted_pairs = query.pairs
    cdef _Names tag_names = query.tag_names
    cdef _FirstBytes tag_starts = query.tag_starts
    cdef _Names watched = query.watched
    cdef _FirstBytes watched_starts = query.watched_starts
    cdef int* group_of = query.group_of
    cdef int g, unseen = watched.count
    cdef _ByteTable seen_labels = _ByteTable()
    cdef list kept_labels = []
    cdef list groups = [[] for _ in tag_groups]
    cdef list seen = [False] * watched.count
    cdef _Document doc = root._doc
    cdef tree.xmlNode* top = root._c_node
    cdef tree.xmlNode* node
    cdef tree.xmlAttr* attr
    cdef tree.xmlAttr* label_attr
    cdef bint some_pairs = wanted_pairs.count > 0
    cdef Py_ssize_t position = -1
    cdef list held = [], positions = []
    cdef dict labels = {}, found = {}, verdicts = {}
    cdef _Element el
    g = _tag_group(top, tag_names, tag_starts, group_of)
    if g >= 0:
        (<list>groups[g]).append(root)
    if unseen:
        unseen -= _watch_attributes(top, watched, watched_starts, seen)
    if comment is not None:
        comment.visit(top, True)
    node = top.children
    while node is not NULL:
        if node.type == tree.XML_ELEMENT_NODE:
            position += 1
            el = None
            if comment is not None and node.properties is not NULL:
                comment.visit(node, True)
            if node.properties is not NULL:
                if unseen:
                    unseen -= _watch_attributes(node, watched, watched_starts, seen)
                attr, label_attr = node.properties, NULL
                while attr is not NULL:
                    if attr.ns is NULL and strcmp(<const char*>attr.name, b"class") == 0:
                        label_attr = attr
                        break
                    attr = attr.next
                if label_attr is not NULL:
                    label = query.kept_label(seen_labels, kept_labels, node, label_attr, verdicts)
                    if label is not None:
                        el = elementFactory(doc, node)
                        _append(labels, label, el)
                if some_pairs:
                    el = _match_pairs(doc, node, wanted_pairs, found, el)
            g = _tag_group(node, tag_names, tag_starts, group_of)
            if g >= 0:
                if el is None:
                    el = elementFactory(doc, node)
                (<list>groups[g]).append(el)
            if el is not None:
                held.append(el)
                positions.append(position)
            if node.children is not NULL:
                node = node.children
                continue
        node = _after(node, top)
    if unseen:
        _watch_beside(<tree.xmlNode*>doc._c_doc, top, watched, watched_starts, seen, unseen)
    present = [name for name, found_name in zip(watched.texts, seen) if found_name]
    if comment is not None:
        comment.beside(False)
        return held, positions, labels, found, groups, present, verdicts, comment.answer()
    return held, positions, labels, found, groups, present, verdicts


# --- body ---
# -- the body analysis's linked headings ------------------------------------------------------
cdef bint _holds_address_link(tree.xmlNode* top) noexcept:
    """An <a> with an ``href`` below ``top`` (``a.get("href") is not None``)."""
    cdef tree.xmlNode* node = top.children
    cdef tree.xmlAttr* attr
    while node is not NULL:
        if node.type == tree.XML_ELEMENT_NODE:
            if _named(node, b"a"):
                attr = node.properties
                while attr is not NULL:
                    if attr.ns is NULL and strcmp(<const char*>attr.name, b"href") == 0:
                        return True
                    attr = attr.next
            if node.children is not NULL:
                node = node.children
                continue
        node = _after(node, top)
    return False


cdef bint _linked_heading(_Document doc, tree.xmlNode* node, _Names headings, Py_ssize_t min_chars,
                          long_enough) except -1:
    """One of ``headings`` holding a link with an address and ``min_chars`` of text (XPath's
    ``normalize-space``); ``long_enough`` decides the length where an entity keeps text elsewhere."""
    if not headings.has(node) or not _holds_address_link(node):
        return False
    cdef _Measure m = _Measure(_Run(0, 0, 0, False), 0, False, False, 0, False)
    _measure_subtree(&m, node)
    if m.entity:
        return bool(long_enough(elementFactory(doc, node)))
    return m.normalized >= min_chars


cdef struct _Counted:
    tree.xmlNode* node
    Py_ssize_t count


cdef int _add_counts(dict counts, _Counted* levels, Py_ssize_t start, Py_ssize_t end) except -1:
    cdef Py_ssize_t i
    cdef size_t key
    for i in range(start, end):
        key = <size_t>levels[i].node
        counts[key] = counts.get(key, 0) + levels[i].count
    return 0


def linked_heading_counts(headings, tags, Py_ssize_t min_chars, long_enough):
    """``walk.linked_heading_counts_python``'s twin: the counts kept on a stack of the last
    heading's ancestors, each written to the dict once, when a heading below another branch
    leaves it; no element proxy made. ``(counts, None)``."""
    cdef _Names names = _names_of(tags)
    cdef dict counts = {}
    cdef _Element heading
    cdef tree.xmlNode* node
    cdef Py_ssize_t depth = 0, chain_size, capacity = 64, i
    cdef _Counted* levels = <_Counted*>malloc(capacity * sizeof(_Counted))  # the last heading's ancestors, top first
    cdef tree.xmlNode** chain = <tree.xmlNode**>malloc(capacity * sizeof(tree.xmlNode*))  # this one's, nearest first
    cdef void* grown
    if levels is NULL or chain is NULL:
        free(levels)
        free(chain)
        raise MemoryError()
    try:
        for heading in headings:
            if not _linked_heading(heading._doc, heading._c_node, names, min_chars, long_enough):
                continue
            chain_size = 0
            node = heading._c_node.parent
            while node is not NULL and node.type == tree.XML_ELEMENT_NODE:
                if chain_size == capacity:
                    capacity *= 2
                    grown = realloc(chain, capacity * sizeof(tree.xmlNode*))
                    if grown is NULL:
                        raise MemoryError()
                    chain = <tree.xmlNode**>grown
                    grown = realloc(levels, capacity * sizeof(_Counted))
                    if grown is NULL:
                        raise MemoryError()
                    levels = <_Counted*>grown
                chain[chain_size] = node
                chain_size += 1
                node = node.parent
            i = 0  # the ancestors this heading shares with the last
            while i < depth and i < chain_size and levels[i].node is chain[chain_size - 1 - i]:
                i += 1
            _add_counts(counts, levels, i, depth)
            while i < chain_size:
                levels[i] = _Counted(chain[chain_size - 1 - i], 0)
                i += 1
            depth = chain_size
            for i in range(depth):
                levels[i].count += 1
        _add_counts(counts, levels, 0, depth)
    finally:
        free(levels)
        free(chain)
    return counts, None


# -- the furniture judge: the attributes besides a class and an id, told in C ------------------
cdef bint _simple_value(tree.xmlAttr* attr, const char** value) noexcept:
    """The attribute's value as one C string (an empty value: ""), where libxml2 holds it as one
    text node; False where lxml would join it from several nodes."""
    cdef tree.xmlNode* text = attr.children
    if text is NULL:
        value[0] = b""
        return True
    if text.next is not NULL or text.type != tree.XML_TEXT_NODE or text.content is NULL:
        return False
    value[0] = <const char*>text.content
    return True


cdef inline unsigned char _ascii_lower(unsigned char c) noexcept:
    return c + 32 if b"A"[0] <= c <= b"Z"[0] else c


cdef bint _starts_blind(const unsigned char* text, const unsigned char* word) noexcept:
    """``text`` starts with ``word`` (lower-case ASCII), ASCII case aside."""
    while word[0]:
        if _ascii_lower(text[0]) != word[0]:
            return False
        text += 1
        word += 1
    return True


cdef class _AttributeJudge(_Judge):
    """``_Judge`` that also tells in C what ``regions.is_boilerplate`` reads of a role, a style,
    ``aria-hidden`` and ``hidden``, from the rule's own data (``roles``: the roles that make an
    element furniture; ``styles``: the (property, value) pairs of a hiding style, each
    ``property\\s*:\\s*value`` anywhere in it, blind to ASCII case): furniture by its role; else
    a hidden element (an accordion's folded panel is not furniture) goes to the rule; else its
    class and id decide as ``_Judge`` has them decide. A style that is not ASCII, an attribute
    read twice or a value lxml joins from several nodes goes to the rule."""
    cdef _Names roles
    cdef list styles  # (property, value) as lower-case ASCII bytes

    cdef bint hiding_style(self, const unsigned char* style) except -1:
        """``HIDDEN_STYLE.search(style)`` of an ASCII style."""
        cdef const unsigned char* at
        cdef const unsigned char* after
        cdef bytes name, value
        for name, value in self.styles:
            at = style
            while at[0]:
                if _starts_blind(at, <const unsigned char*>name):
                    after = at + len(name)
                    while after[0] and _is_ascii_space(after[0]):
                        after += 1
                    if after[0] == b":"[0]:
                        after += 1
                        while after[0] and _is_ascii_space(after[0]):
                            after += 1
                        if _starts_blind(after, <const unsigned char*>value):
                            return True
                at += 1
        return False

    cdef bint judge(self, tree.xmlNode* node) except -1:
        cdef tree.xmlAttr* attr = node.properties
        cdef tree.xmlAttr* label = NULL
        cdef tree.xmlAttr* ident = NULL
        cdef const char* name
        cdef const char* value
        cdef const unsigned char* s
        cdef bint other = self.by_tag.has(node) or _has_upper(<const char*>node.name)
        cdef bint role_seen = False, style_seen = False, aria_seen = False, hidden_seen = False
        cdef bint furniture_role = False, hidden = False
        while attr is not NULL and not other:
            name = <const char*>attr.name
            if attr.ns is NULL and self.by_attribute.named(name):
                if strcmp(name, b"class") == 0 and label is NULL:
                    label = attr
                elif strcmp(name, b"id") == 0 and ident is NULL:
                    ident = attr
                elif strcmp(name, b"hidden") == 0 and not hidden_seen:
                    hidden_seen = hidden = True
                elif strcmp(name, b"role") == 0 and not role_seen and _simple_value(attr, &value):
                    role_seen = True
                    furniture_role = self.roles.named(value)
                elif strcmp(name, b"aria-hidden") == 0 and not aria_seen and _simple_value(attr, &value):
                    aria_seen = True
                    hidden = hidden or strcmp(value, b"true") == 0
                elif strcmp(name, b"style") == 0 and not style_seen and _simple_value(attr, &value):
                    style_seen = True
                    s = <const unsigned char*>value
                    while s[0] and s[0] < 0x80:
                        s += 1
                    if s[0]:  # not ASCII: ``re`` folds some other letters to ASCII ones
                        other = True
                    else:
                        hidden = hidden or self.hiding_style(<const unsigned char*>value)
                else:  # an attribute it does not know, read twice, or joined: the whole rule decides
                    other = True
            attr = attr.next
        if other or (hidden and not furniture_role):
            return bool(self.rule(elementFactory(self.doc, node)))
        if furniture_role:
            return True
        if label is not NULL and self.label_decisions.decide(node, label, self.labels):
            return True
        return ident is not NULL and self.id_decisions.decide(node, ident, self.ids)


# --- comments ---
# -- the words comment-system detectors look for in the page's inline scripts --------------------
cdef inline bint _text_or_cdata(tree.xmlNode* node) noexcept:
    return node is not NULL and (node.type == tree.XML_TEXT_NODE or node.type == tree.XML_CDATA_SECTION_NODE)


# Bytes of inline scripts, the most common first (counted on the shared pages): a word is looked
# for by the two adjacent bytes of it least likely to be anywhere, so that few places of a script
# are compared with the whole word.
cdef bytes _COMMON_BYTES = b'e "taniosr\\cl,d.u0:pmh1g-23f5/b64_yw789xv)({}=k;C[]STA\'\nILME'


cdef inline int _rarity(unsigned char b) noexcept:
    cdef const char* common = _COMMON_BYTES
    cdef const char* at = strchr(common, b) if b else NULL
    return <int>(at - common) if at is not NULL else len(_COMMON_BYTES)


cdef class _WordScan:
    """Words (at most 64, none holding a NUL) looked for in a text in one pass: each by its
    anchor, its rarest pair of adjacent bytes, found through a bitmap of the anchors."""
    cdef tuple texts
    cdef list encoded
    cdef const unsigned char* words[64]
    cdef Py_ssize_t lengths[64], anchors[64]
    cdef unsigned int pairs[64]
    cdef uint64_t bitmap[1024]  # bit (second byte << 8 | first byte) set: some word's anchor
    cdef uint64_t short_words, every
    cdef int count

    def __init__(self, tuple texts):
        self.texts = texts
        self.encoded = [text.encode("utf-8") for text in texts]
        self.count = len(self.encoded)
        if self.count > 64:
            raise ValueError(f"at most 64 words, not {self.count}")
        cdef int j
        cdef Py_ssize_t k, best
        cdef const unsigned char* word
        cdef unsigned int pair
        self.short_words = self.every = 0
        for j in range(1024):
            self.bitmap[j] = 0
        for j in range(self.count):
            word = <const unsigned char*><const char*><bytes>self.encoded[j]
            self.words[j], self.lengths[j] = word, len(<bytes>self.encoded[j])
            self.every |= (<uint64_t>1) << j
            if self.lengths[j] < 2 or b"\0" in <bytes>self.encoded[j]:
                self.short_words |= (<uint64_t>1) << j  # looked for with strstr
                continue
            best = 0
            for k in range(1, self.lengths[j] - 1):
                if _rarity(word[k]) + _rarity(word[k + 1]) > _rarity(word[best]) + _rarity(word[best + 1]):
                    best = k
            pair = word[best] | (<unsigned int>word[best + 1] << 8)
            self.anchors[j], self.pairs[j] = best, pair
            self.bitmap[pair >> 6] |= (<uint64_t>1) << (pair & 63)

    cdef uint64_t held_in(self, const unsigned char* text) noexcept:
        """The words ``text`` (NUL-terminated, not empty) holds, bit ``j`` for word ``j``."""
        cdef uint64_t held = 0
        cdef int j
        cdef Py_ssize_t i = 0, start, k
        cdef unsigned int pair
        cdef const unsigned char* word
        for j in range(self.count):
            if self.short_words >> j & 1 and strstr(<const char*>text, <const char*>self.words[j]) is not NULL:
                held |= (<uint64_t>1) << j
        while text[i + 1] != 0:
            pair = text[i] | (<unsigned int>text[i + 1] << 8)
            if self.bitmap[pair >> 6] >> (pair & 63) & 1:
                for j in range(self.count):
                    if self.pairs[j] != pair or held >> j & 1 or self.short_words >> j & 1:
                        continue
                    start = i - self.anchors[j]
                    if start < 0:
                        continue
                    word = self.words[j]
                    k = 0
                    while k < self.lengths[j] and text[start + k] == word[k]:  # stops at the text's NUL
                        k += 1
                    if k == self.lengths[j]:
                        held |= (<uint64_t>1) << j
                        if held == self.every:
                            return held
            i += 1
        return held


cdef _WordScan _last_scan = None  # the words change only while the first pages teach them


def script_words(list scripts, words):
    """``walk.script_words_python``'s twin: a script's text is read where libxml2 keeps it
    (one text node: nearly every script), all the words in one pass, and made a string only
    where it is not in one node."""
    global _last_scan
    cdef tuple texts = tuple(words)
    if _last_scan is None or _last_scan.texts != texts:
        _last_scan = _WordScan(texts)
    cdef _WordScan scan = _last_scan
    cdef list found = []
    cdef _Element script
    cdef tree.xmlNode* first
    cdef const unsigned char* content
    cdef uint64_t held
    cdef Py_ssize_t position, i
    for position in range(len(scripts)):
        script = scripts[position]
        if _attribute_set(script._c_node, b"src"):
            continue
        first = script._c_node.children
        held = 0
        if _text_or_cdata(first) and not _text_or_cdata(first.next) and (
                first.next is NULL or (first.next.type != tree.XML_XINCLUDE_START
                                       and first.next.type != tree.XML_XINCLUDE_END)):
            content = <const unsigned char*>first.content  # the whole of ``script.text``, as lxml reads it
            if content is NULL or content[0] == 0:
                continue
            held = scan.held_in(content)
        else:
            text = script.text
            if not text:
                continue
            for i in range(len(texts)):
                if texts[i] in text:
                    held |= (<uint64_t>1) << i
        if held:
            found.append((position, held))
    return found


def any_attribute_holds(list elements, str name, str word):
    """``walk.any_attribute_holds_python``'s twin: each value read where libxml2 keeps it."""
    cdef bytes encoded_name = name.encode("utf-8"), encoded_word = word.encode("utf-8")
    cdef const char* c_name = encoded_name
    cdef _Element el
    cdef tree.xmlAttr* attr
    if not word:
        return len(elements) > 0  # "" is in every value, and in the "" of a missing one
    for el in elements:
        attr = el._c_node.properties
        while attr is not NULL:
            if attr.ns is NULL and strcmp(<const char*>attr.name, c_name) == 0:  # the one ``get`` reads
                if _attribute_holds(el._c_node, attr, encoded_word, word):
                    return True
                break
            attr = attr.next
    return False


# -- the comment rules' queries, asked of a whole thread: one walk per query -----------------------
from libc.stdlib cimport qsort

cdef enum _TestKind:
    _TOKEN, _CONTAINS, _EQUALS, _HAS

cdef inline bint _is_xml_space_byte(unsigned char c) noexcept:
    return c == 32 or c == 9 or c == 13 or c == 10


cdef bint _holds_token(const unsigned char* value, const unsigned char* token, Py_ssize_t size) noexcept:
    """``token`` (no XML white space in it) is one of the names of ``value`` split at XML white space."""
    cdef const unsigned char* at = <const unsigned char*>strstr(<const char*>value, <const char*>token)
    while at is not NULL:
        if (at == value or _is_xml_space_byte(at[-1])) and (at[size] == 0 or _is_xml_space_byte(at[size])):
            return True
        at = <const unsigned char*>strstr(<const char*>(at + 1), <const char*>token)
    return False


cdef class _StepTest:
    """``walk.parse_step``'s test in C arrays."""
    cdef list held  # the bytes the arrays point into
    cdef const char* tag
    cdef int alternatives, ends[17]
    cdef int kinds[64]
    cdef const char* names[64]
    cdef const unsigned char* values[64]
    cdef Py_ssize_t sizes[64]

    def __init__(self, step):
        cdef bytes name_bytes, value_bytes
        cdef int count = 0
        tag, alternatives = step
        self.held = []
        self.tag = NULL
        if tag is not None:
            name_bytes = tag.encode("utf-8")
            self.held.append(name_bytes)
            self.tag = name_bytes
        if len(alternatives) > 16 or sum(len(tests) for tests in alternatives) > 64:
            raise ValueError("at most 16 alternatives and 64 tests")
        self.alternatives = len(alternatives)
        self.ends[0] = 0
        for j, tests in enumerate(alternatives):
            for kind, name, value in tests:
                self.kinds[count] = {"token": _TOKEN, "contains": _CONTAINS, "equals": _EQUALS, "has": _HAS}[kind]
                name_bytes, value_bytes = name.encode("utf-8"), value.encode("utf-8")
                self.held += [name_bytes, value_bytes]
                self.names[count] = name_bytes
                self.values[count] = <const unsigned char*><const char*>value_bytes
                self.sizes[count] = len(value_bytes)
                count += 1
            self.ends[j + 1] = count

    cdef int passes(self, tree.xmlNode* node) except -1:
        if self.tag is not NULL and (node.ns is not NULL or strcmp(<const char*>node.name, self.tag) != 0):
            return False
        cdef int j, k
        cdef bint ok
        for j in range(self.alternatives):
            ok = True
            for k in range(self.ends[j], self.ends[j + 1]):
                if not self._test(node, k):
                    ok = False
                    break
            if ok:
                return True
        return False

    cdef int _test(self, tree.xmlNode* node, int k) except -1:
        cdef tree.xmlAttr* attr = node.properties
        while attr is not NULL:
            if attr.ns is NULL and strcmp(<const char*>attr.name, self.names[k]) == 0:  # the one ``get`` reads
                break
            attr = attr.next
        if attr is NULL:
            return False
        if self.kinds[k] == _HAS:
            return True
        cdef tree.xmlNode* text = attr.children
        cdef bytes whole
        cdef const unsigned char* value
        if text is NULL:
            value = <const unsigned char*>b""
        elif text.next is NULL and text.type == tree.XML_TEXT_NODE:
            value = <const unsigned char*>text.content
        else:  # a value in several nodes: read as lxml reads it
            whole = attributeValue(node, attr).encode("utf-8")
            return self._test_value(whole, k)
        return self._test_value(value, k)

    cdef inline int _test_value(self, const unsigned char* value, int k) noexcept:
        if self.kinds[k] == _EQUALS:
            return strcmp(<const char*>value, <const char*>self.values[k]) == 0
        if self.kinds[k] == _CONTAINS:
            return strstr(<const char*>value, <const char*>self.values[k]) is not NULL
        return _holds_token(value, self.values[k], self.sizes[k])


cdef struct _Owner:
    tree.xmlNode* node
    Py_ssize_t position


cdef int _by_node(const void* a, const void* b) noexcept nogil:
    cdef size_t x = <size_t>(<_Owner*>a).node, y = <size_t>(<_Owner*>b).node
    return -1 if x < y else (1 if x > y else 0)


cdef Py_ssize_t _owner_at(_Owner* owners, Py_ssize_t count, tree.xmlNode* node) noexcept:
    """The position of the comment that is ``node``, -1 where none is."""
    cdef Py_ssize_t low = 0, high = count - 1, middle
    cdef size_t key = <size_t>node, at
    while low <= high:
        middle = (low + high) >> 1
        at = <size_t>owners[middle].node
        if at == key:
            return owners[middle].position
        if at < key:
            low = middle + 1
        else:
            high = middle - 1
    return -1


def owned_step_hits(list scopes, list comments, inner, outer):
    """``walk.owned_step_hits_python``'s twin: the tests read libxml2's attributes in place,
    and an element proxy is made only for the elements found."""
    cdef _StepTest test = _StepTest(inner)
    cdef _StepTest around = _StepTest(outer) if outer is not None else None
    cdef Py_ssize_t count = len(comments), i, owner
    cdef _Owner* owners = <_Owner*>malloc(max(count, 1) * sizeof(_Owner))
    if owners is NULL:
        raise MemoryError()
    cdef _Element el, scope
    cdef tree.xmlNode* top
    cdef tree.xmlNode* node
    cdef tree.xmlNode* up
    cdef bint inside
    cdef list found = []
    try:
        for i in range(count):
            el = comments[i]
            owners[i].node, owners[i].position = el._c_node, i
        qsort(owners, count, sizeof(_Owner), _by_node)
        for scope in scopes:
            top = scope._c_node
            node = top.children
            while node is not NULL:
                if node.type == tree.XML_ELEMENT_NODE:
                    if test.passes(node):
                        owner, up, inside = -1, node, around is None
                        while up is not NULL:
                            owner = _owner_at(owners, count, up)
                            if owner >= 0:
                                break
                            if not inside and up is not node and around.passes(up):
                                inside = True
                            up = up.parent
                        if owner >= 0 and up is not node and inside:
                            found.append((owner, elementFactory(scope._doc, node)))
                    if node.children is not NULL:
                        node = node.children
                        continue
                node = _after(node, top)
    finally:
        free(owners)
    return found


# --- page ---
# -- the article's own elements: no ancestor marks comments, a sidebar or a widget -------------
cdef tree.xmlAttr* _plain_attribute(tree.xmlNode* node, const char* name) noexcept:
    """The element's attribute ``name`` in no namespace (the one ``get(name)`` reads), or NULL."""
    cdef tree.xmlAttr* attr = node.properties
    while attr is not NULL:
        if attr.ns is NULL and strcmp(<const char*>attr.name, name) == 0:
            return attr
        attr = attr.next
    return NULL


cdef inline const char* _simple_content(tree.xmlAttr* attr) noexcept:
    """The attribute's value read in place where it is one text node; NULL otherwise."""
    cdef tree.xmlNode* text = attr.children
    if text is not NULL and text.next is NULL and text.type == tree.XML_TEXT_NODE and text.content is not NULL:
        return <const char*>text.content
    return NULL


cdef inline const unsigned char* _class_name(const unsigned char** s, Py_ssize_t* length,
                                            bint stop_beyond_ascii) noexcept:
    """The next class name of the class string at ``s[0]``, split as ``str.split()`` splits at
    ASCII white space: its start, its length in ``length``, ``s[0]`` moved past it. NULL past
    the last name (``s[0]`` at the string's end) or, with ``stop_beyond_ascii``, at a byte
    beyond ASCII (``s[0]`` at it), where only Python splits as Python does (a no-break space).
    What ``_may_hold_name`` and the page index's ``kept_in_c`` split a class string with."""
    cdef const unsigned char* at = s[0]
    cdef const unsigned char* start
    while _is_split_space(at[0]):
        at += 1
    s[0] = at
    if not at[0]:
        return NULL
    start = at
    while at[0] and not _is_split_space(at[0]):
        if stop_beyond_ascii and at[0] >= 0x80:
            s[0] = at
            return NULL
        at += 1
    length[0] = at - start
    s[0] = at
    return start


cdef bint _may_hold_name(const unsigned char* s, tuple names) except -1:
    """A class string holds one of ``names`` (in UTF-8) as a whole class name, or may: a byte
    beyond ASCII leaves the splitting to Python (``str.split`` splits at a no-break space)."""
    cdef const unsigned char* start
    cdef Py_ssize_t length
    while True:
        start = _class_name(&s, &length, True)
        if start is NULL:
            return s[0] != 0  # stopped at a byte beyond ASCII, not at the end
        for name in names:
            if len(<bytes>name) == length and memcmp(start, <const char*><bytes>name, length) == 0:
                return True


cdef dict _encoded_sets = {}  # a set of names → the names in UTF-8: the same few sets asked each time


def outside_of(_Element el, str tag, str ident, classes, str unless):
    """``walk.outside_of_python``'s twin: the ancestors read in libxml2's tree, no element proxy;
    a class string is split in Python only where it holds one of ``classes`` (``_may_hold_name``)."""
    cdef bytes tag_name = tag.encode("utf-8"), ident_name = ident.encode("utf-8")
    cdef tuple encoded = _encoded_sets.get(classes)
    if encoded is None:
        encoded = _encoded_sets[classes] = tuple(name.encode("utf-8") for name in classes)
    cdef tree.xmlNode* node = el._c_node.parent
    cdef tree.xmlAttr* attr
    cdef const char* value
    while node is not NULL and node.type == tree.XML_ELEMENT_NODE:
        if node.ns is NULL and strcmp(<const char*>node.name, tag_name) == 0:
            return False
        if node.properties is not NULL:
            attr = _plain_attribute(node, b"id")
            if attr is not NULL:
                value = _simple_content(attr)
                if (strcmp(value, ident_name) == 0) if value is not NULL else attributeValue(node, attr) == ident:
                    return False
            attr = _plain_attribute(node, b"class")
            if attr is not NULL:
                value = _simple_content(attr)
                if value is NULL or _may_hold_name(<const unsigned char*>value, encoded):
                    names = attributeValue(node, attr).split()
                    if not classes.isdisjoint(names) and unless not in names:
                        return False
        node = node.parent
    return True


# --- text ---
from cpython.unicode cimport Py_UNICODE_ISDECIMAL, PyUnicode_READ_CHAR


cdef extern from "Python.h":
    bint PyUnicode_IS_ASCII(object text)


def dispatched_matches(rules, list lines):
    """``walk.dispatched_matches_python``'s twin: ``rules.match`` (``rule_dispatch.LineRules``)
    of each line, its tables read here; a line whose opening or band of length no line has
    shown yet, or that holds a word a rule needs, is handed to the rules' own methods."""
    cdef dict by_opening = rules._by_opening
    cdef list band_of_length = rules._band_of_length
    cdef Py_ssize_t last_length = len(band_of_length) - 1, bands_count = len(rules._limits)
    cdef Py_ssize_t opening_chars = rules.opening_chars, size
    cdef list out = []
    cdef bint hit
    lookalike = rules.ascii_lookalike.search
    for line in lines:
        size = len(<str>line)
        if size == 0:
            out.append(rules.match(line))
            continue
        bands = by_opening.get((<str>line)[:opening_chars])
        found = None
        if bands is not None:
            found = (<list>bands)[<Py_ssize_t>band_of_length[size] if size <= last_length else bands_count]
        if found is None:
            found = rules._found(line)
        matchers, needing, words = <tuple>found
        hit = False
        for match in <tuple>matchers:
            if match(line) is not None:
                hit = True
                break
        if not hit and needing:
            if PyUnicode_KIND(<str>line) == PyUnicode_1BYTE_KIND or lookalike(line) is None:
                if _holds_word_folded(<str>line, <tuple>words):
                    hit = rules._match_needing(line, needing, (<str>line).lower())
            else:
                hit = rules._match_needing(line, needing, None)
        out.append(hit)
    return out


cdef bint _digit_run(str line, Py_ssize_t run, Py_ssize_t max_chars) noexcept:
    """``run`` decimal digits in a row in ``line`` (``\\d`` as ``re`` reads it in a str
    pattern: a Unicode decimal digit), on a line of at most ``max_chars``."""
    cdef Py_ssize_t size = PyUnicode_GET_LENGTH(line), at, row = 0
    if size > max_chars:
        return False
    for at in range(size):
        if Py_UNICODE_ISDECIMAL(PyUnicode_READ_CHAR(line, at)):
            row += 1
            if row >= run:
                return True
        else:
            row = 0
    return False


def digit_runs(list lines, Py_ssize_t run, Py_ssize_t max_chars):
    """``walk.digit_runs_python``'s twin: the characters read in C."""
    return [_digit_run(<str>line, run, max_chars) for line in lines]


# --- blocks ---
# The paragraph classifier's (blocks.py) passes over every text block of the page.
from cpython.unicode cimport PyUnicode_FindChar

def classifier_texts(list text_blocks, readers, readers_furniture, heading_tags):
    """``walk.classifier_texts_python``'s twin: the texts, link characters, elements and whether
    each is a heading of the page's blocks that are not the readers', nor empty or a part of
    the block before them kept; the heading test reads the element's name in C."""
    cdef list texts = [], links = [], elements = [], headings = []
    cdef dict furniture_decided = {}
    cdef str previous = "", text
    cdef _Names heading_names = _names_of(heading_tags)
    cdef bint any_readers = len(readers) > 0
    cdef tuple block
    cdef Py_ssize_t length
    cdef tree.xmlNode* node
    for item in text_blocks:
        block = <tuple>item
        element = block[0]
        if any_readers and id(element) in readers:
            continue
        furniture = block[3]
        if furniture is not None:
            key = id(furniture)
            skipped = furniture_decided.get(key)
            if skipped is None:
                skipped = furniture_decided[key] = key in readers or readers_furniture(furniture)
            if skipped:
                continue
        folded = block[4]
        text = " ".join(block[1].split()) if folded is None else <str>folded
        length = PyUnicode_GET_LENGTH(text)
        if length and text in previous:
            continue
        texts.append(text)
        link_chars = block[2]
        links.append(link_chars if link_chars < length else length)
        elements.append(element)
        node = (<_Element>element)._c_node
        headings.append(node.type == tree.XML_ELEMENT_NODE and heading_names.has(node))
        previous = text
    return texts, links, elements, headings


cdef enum:
    _BAD = 0
    _GOOD = 1
    _NEAR_GOOD = 2
    _SHORT = 3


cdef void _nearest(const int* kinds, Py_ssize_t count, bint near_counts, int* before, int* after) noexcept:
    """For each block, the kind of the nearest block before and after it that is good or bad
    (or near-good, with ``near_counts``); bad past either end."""
    cdef Py_ssize_t i
    cdef int last = _BAD, kind
    for i in range(count):
        before[i] = last
        kind = kinds[i]
        if kind == _GOOD or kind == _BAD or (near_counts and kind == _NEAR_GOOD):
            last = kind
    last = _BAD
    for i in range(count - 1, -1, -1):
        after[i] = last
        kind = kinds[i]
        if kind == _GOOD or kind == _BAD or (near_counts and kind == _NEAR_GOOD):
            last = kind


def good_block_flags(list texts, list links, list headings, list densities, bint has_stoplist, tuple limits):
    """``walk.good_block_flags_python``'s twin: jusText's two steps, the classes as numbers."""
    cdef Py_ssize_t length_low = limits[0], length_high = limits[1]
    cdef double stopwords_low = limits[2], stopwords_high = limits[3], max_link_density = limits[4]
    cdef Py_ssize_t max_heading_distance = limits[5]
    cdef Py_ssize_t count = len(texts), i, j, length, distance, link_chars
    cdef double density
    cdef str text
    cdef int* kinds = <int*>malloc(max(1, count) * 6 * sizeof(int))
    if kinds is NULL:
        raise MemoryError()
    cdef int* settled = kinds + count
    cdef int* before = kinds + 2 * count
    cdef int* after = kinds + 3 * count
    cdef int* before_any = kinds + 4 * count
    cdef int* after_any = kinds + 5 * count
    cdef list flags
    try:
        for i in range(count):
            text = <str>texts[i]
            length = PyUnicode_GET_LENGTH(text)
            link_chars = links[i]
            density = densities[i]
            if ((<double>link_chars / <double>length if length else 1.0) > max_link_density
                    or PyUnicode_FindChar(text, 0xA9, 0, length, 1) >= 0):
                kinds[i] = _BAD
            elif length < length_low:
                kinds[i] = _BAD if link_chars else _SHORT
            elif not has_stoplist or density >= stopwords_high:
                kinds[i] = _GOOD if length > length_high else _NEAR_GOOD
            else:
                kinds[i] = _NEAR_GOOD if density >= stopwords_low else _BAD
        for i in range(count):
            if kinds[i] == _SHORT and headings[i]:
                distance, j = 0, i + 1
                while j < count and distance <= max_heading_distance:
                    if kinds[j] == _GOOD:
                        kinds[i] = _NEAR_GOOD
                        break
                    distance += PyUnicode_GET_LENGTH(<str>texts[j])
                    j += 1
        _nearest(kinds, count, False, before, after)
        _nearest(kinds, count, True, before_any, after_any)
        for i in range(count):
            settled[i] = kinds[i]
            if kinds[i] == _SHORT:
                if before[i] == after[i]:
                    settled[i] = before[i]
                elif before[i] == _BAD or after[i] == _BAD:
                    settled[i] = (_GOOD if (before_any[i] == _NEAR_GOOD or after_any[i] == _NEAR_GOOD)
                                  and (before[i] == _GOOD or after[i] == _GOOD) else _BAD)
                else:
                    settled[i] = _GOOD
        _nearest(settled, count, False, before, after)
        flags = [settled[i] == _GOOD or (settled[i] == _NEAR_GOOD and not (before[i] == _BAD and after[i] == _BAD))
                 for i in range(count)]
    finally:
        free(kinds)
    return flags


# --- body ---
def own_text_chars(_Element el):
    """``walk.own_text_chars_python``'s twin: read in place, with no proxy for the children."""
    return _own_text_chars(el._c_node)


# -- the comment walk read in the page index's walk --------------------------------------------
cdef class _CommentAttributes:
    """What ``comment_walk`` reads of each element's attributes, for ``page_index`` to read in
    its own walk: the elements with ``word`` in an attribute's value, the attribute ``names``
    present and the ``tag`` elements at or below the root whose ``attribute`` holds one of
    ``words``; the elements beside the root (``beside``) read in walks of their own."""
    cdef _Document doc
    cdef tree.xmlNode* top
    cdef bytes encoded, tag_name, attribute_name
    cdef str word
    cdef list encoded_words, found, links, seen
    cdef object words
    cdef _Names wanted, word_names
    cdef int left

    def __init__(self, _Element root, str word, names, str tag, str attribute, words, word_attributes=None):
        self.doc = root._doc
        self.top = root._c_node
        self.word, self.encoded = word, word.encode("utf-8")
        self.tag_name, self.attribute_name = tag.encode("utf-8"), attribute.encode("utf-8")
        self.words, self.encoded_words = words, [w.encode("utf-8") for w in words]
        self.wanted = _Names(names)
        self.word_names = None if word_attributes is None else _Names(word_attributes)
        self.seen = [False] * self.wanted.count
        self.left = self.wanted.count
        self.found, self.links = [], []

    cdef int visit(self, tree.xmlNode* node, bint inside) except -1:
        """``comment_walk``'s reading of one element; ``inside``: at or below the root."""
        cdef bint held = False
        # Only elements of ``tag`` at or below the root are read for links.
        cdef bint linked = not (inside and node.ns is NULL and strcmp(<const char*>node.name, self.tag_name) == 0)
        cdef tree.xmlAttr* attr = node.properties
        cdef int i
        while attr is not NULL:
            if not held and _word_read(self.word_names, attr) and _attribute_holds(node, attr, self.encoded, self.word):
                self.found.append(elementFactory(self.doc, node))
                held = True
            if not linked and attr.ns is NULL and strcmp(<const char*>attr.name, self.attribute_name) == 0:
                linked = True  # the first such attribute is the one ``get`` reads
                if _holds_any(node, attr, self.encoded_words, self.words):
                    self.links.append(elementFactory(self.doc, node))
            if self.left:
                i = self.wanted.position(<const char*>attr.name)
                if i >= 0 and not self.seen[i]:
                    self.seen[i] = True
                    self.left -= 1
            elif held and linked:
                break
            attr = attr.next
        return 0

    cdef bint beside(self, bint before) except -1:
        """Reads the elements before the root (``before``) or after it, at the document's top
        level and all below them; False where the root is not at the document's top level."""
        cdef tree.xmlNode* document = <tree.xmlNode*>self.doc._c_doc
        if self.top.parent is not document:
            return False
        cdef tree.xmlNode* node = document.children if before else self.top.next
        while node is not NULL and node is not self.top:
            if node.type == tree.XML_ELEMENT_NODE:
                if node.properties is not NULL:
                    self.visit(node, False)
                if node.children is not NULL:
                    node = node.children
                    continue
            node = _after(node, document)
        return True

    cdef tuple answer(self):
        return self.found, [name for name, present in zip(self.wanted.texts, self.seen) if present], self.links


# --- page ---
# -- the page index's class strings, read in place ---------------------------------------------
# Most elements of a page carry a class string, and most of those strings recur: each is
# decoded and judged (``_label_kept``) once per page, found again by its bytes in libxml2's
# tree, where a dict keyed by the decoded string decoded it at every element.
from libc.stdlib cimport calloc
from libc.string cimport memset


cdef inline uint64_t _fnv(const unsigned char* s, Py_ssize_t* length, bint* ascii) noexcept:
    """The FNV-1a hash of the C string ``s``; its length and whether it is all ASCII besides."""
    cdef uint64_t h = <uint64_t>14695981039346656037
    cdef Py_ssize_t i = 0
    cdef unsigned char high = 0
    while s[i]:
        h = (h ^ s[i]) * <uint64_t>1099511628211
        high |= s[i]
        i += 1
    length[0] = i
    ascii[0] = high < 0x80
    return h


cdef inline uint64_t _fnv_part(const unsigned char* s, Py_ssize_t length) noexcept:
    cdef uint64_t h = <uint64_t>14695981039346656037
    cdef Py_ssize_t i
    for i in range(length):
        h = (h ^ s[i]) * <uint64_t>1099511628211
    return h


cdef class _ByteTable:
    """Byte strings (a pointer and a length, the bytes held elsewhere) → a number, by open
    addressing on their hash (``_fnv``)."""
    cdef const char** keys
    cdef Py_ssize_t* lengths
    cdef uint64_t* hashes
    cdef Py_ssize_t* values
    cdef Py_ssize_t size, count
    cdef list held  # bytes that keys point into, where no one else holds them

    def __cinit__(self):
        self.size, self.count, self.held = 0, 0, []
        self.allocate(64)

    def __dealloc__(self):
        free(self.keys)
        free(self.lengths)
        free(self.hashes)
        free(self.values)

    cdef int allocate(self, Py_ssize_t size) except -1:
        self.keys = <const char**>calloc(size, sizeof(const char*))
        self.lengths = <Py_ssize_t*>calloc(size, sizeof(Py_ssize_t))
        self.hashes = <uint64_t*>calloc(size, sizeof(uint64_t))
        self.values = <Py_ssize_t*>calloc(size, sizeof(Py_ssize_t))
        if self.keys is NULL or self.lengths is NULL or self.hashes is NULL or self.values is NULL:
            raise MemoryError()
        self.size = size
        return 0

    cdef Py_ssize_t get(self, const char* key, Py_ssize_t length, uint64_t h) noexcept:
        """The number of ``key[:length]``, -1 where it has none."""
        cdef Py_ssize_t slot = <Py_ssize_t>(h & <uint64_t>(self.size - 1))
        while self.keys[slot] is not NULL:
            if (self.hashes[slot] == h and self.lengths[slot] == length
                    and memcmp(self.keys[slot], key, length) == 0):
                return self.values[slot]
            slot = (slot + 1) & (self.size - 1)
        return -1

    cdef int put(self, const char* key, Py_ssize_t length, uint64_t h, Py_ssize_t value) except -1:
        """``key[:length]`` (not in the table yet) numbered ``value``."""
        cdef const char** keys = self.keys
        cdef Py_ssize_t* lengths = self.lengths
        cdef uint64_t* hashes = self.hashes
        cdef Py_ssize_t* values = self.values
        cdef Py_ssize_t old = self.size, i
        if 2 * (self.count + 1) > self.size:  # at most half full: short probes
            self.allocate(2 * old)
            self.count = 0
            for i in range(old):
                if keys[i] is not NULL:
                    self.put(keys[i], lengths[i], hashes[i], values[i])
            free(keys)
            free(lengths)
            free(hashes)
            free(values)
        cdef Py_ssize_t slot = <Py_ssize_t>(h & <uint64_t>(self.size - 1))
        while self.keys[slot] is not NULL:
            slot = (slot + 1) & (self.size - 1)
        self.keys[slot], self.lengths[slot], self.hashes[slot], self.values[slot] = key, length, h, value
        self.count += 1
        return 0


cdef class _IndexQuery:
    """What ``page_index`` is asked, prepared once for all the pages that ask the same: the
    pairs, the tags and the attributes watched as C strings, and the class names and parts
    asked for, for judging an ASCII class string in C."""
    cdef _WantedPairs pairs
    cdef _Names tag_names, watched
    cdef _FirstBytes tag_starts, watched_starts
    cdef int group_of[64]
    cdef object wanted_names, parts
    cdef bint plain  # every class name and part asked for is ASCII: judged in C
    cdef list encoded  # the names' and parts' bytes, which ``names`` and ``part_texts`` point into
    cdef _ByteTable names
    cdef list part_texts
    # The parts' first two bytes, one bit each: a class string is compared with the parts only
    # where two of its bytes in a row start one (``strstr`` of each part at each string cost
    # most of the judging). ``short_part``: a part of fewer bytes, where each is looked for.
    cdef unsigned char part_starts[8192]
    cdef const char* parts_c[64]
    cdef Py_ssize_t part_lengths[64]
    cdef int part_count
    cdef bint short_part

    def __init__(self, pairs, wanted_names, parts, tag_groups, watched_attributes):
        self.pairs = _WantedPairs(pairs)
        flat = [tag for group in tag_groups for tag in group]
        self.tag_names, self.tag_starts = _Names(flat), _FirstBytes(flat)
        self.watched, self.watched_starts = _Names(watched_attributes), _FirstBytes(watched_attributes)
        cdef int i = 0
        for g, group in enumerate(tag_groups):
            for _ in group:
                self.group_of[i] = g
                i += 1
        self.wanted_names, self.parts = wanted_names, parts
        self.plain = all(name.isascii() for name in wanted_names) and all(part.isascii() for part in parts)
        self.names = _ByteTable()
        self.encoded, self.part_texts = [], []
        if self.plain:
            for name in wanted_names:
                encoded = name.encode("ascii")
                self.encoded.append(encoded)
                self.names.put(<const char*><bytes>encoded, len(encoded),
                               _fnv_part(<const unsigned char*><bytes>encoded, len(encoded)), 1)
            self.part_texts = [part.encode("ascii") for part in parts]
        self.part_count = len(self.part_texts)
        self.short_part = self.part_count > 64
        memset(self.part_starts, 0, sizeof(self.part_starts))
        for i in range(min(self.part_count, 64)):
            self.parts_c[i] = <bytes>self.part_texts[i]
            self.part_lengths[i] = len(<bytes>self.part_texts[i])
            if self.part_lengths[i] < 2:
                self.short_part = True
            else:
                g = (<unsigned char>self.parts_c[i][0]) << 8 | <unsigned char>self.parts_c[i][1]
                self.part_starts[g >> 3] |= 1 << (g & 7)

    cdef bint holds_part(self, const unsigned char* label) except -1:
        """``any(part in label for part in parts)`` of an ASCII class string."""
        cdef int i
        cdef unsigned int g
        if self.short_part:
            for part in self.part_texts:
                if strstr(<const char*>label, <const char*><bytes>part) is not NULL:
                    return True
            return False
        while label[0] and label[1]:
            g = label[0] << 8 | label[1]
            if self.part_starts[g >> 3] & (1 << (g & 7)):
                for i in range(self.part_count):
                    if strncmp(<const char*>label, self.parts_c[i], self.part_lengths[i]) == 0:
                        return True
            label += 1
        return False

    cdef bint kept_in_c(self, const unsigned char* label) except -1:
        """``_label_kept`` of an ASCII class string, its names split as ``str.split()`` splits."""
        cdef const unsigned char* start
        cdef Py_ssize_t length
        if self.part_count and self.holds_part(label):
            return True
        while True:
            start = _class_name(&label, &length, False)
            if start is NULL:
                return False
            if self.names.get(<const char*>start, length, _fnv_part(start, length)) >= 0:
                return True

    cdef object kept_label(self, _ByteTable seen, list kept, tree.xmlNode* node, tree.xmlAttr* attr, dict verdicts):
        """The element's class string where ``_label_kept`` says yes to it, else None; every
        class string first seen is added to ``verdicts`` with its verdict. ``seen`` numbers the
        page's class strings by their bytes (an index into ``kept``: the string, or None)."""
        cdef const unsigned char* value = <const unsigned char*>_simple_content(attr)
        cdef Py_ssize_t length, number
        cdef bint ascii
        cdef uint64_t h
        cdef bytes encoded
        label = None
        if value is NULL:  # a value split across nodes: read as lxml reads it, its bytes held
            label = attributeValue(node, attr)
            encoded = label.encode("utf-8")
            seen.held.append(encoded)
            value = <const unsigned char*>encoded
        h = _fnv(value, &length, &ascii)
        number = seen.get(<const char*>value, length, h)
        if number >= 0:
            return kept[number]
        if label is None:
            label = PyUnicode_DecodeUTF8(<const char*>value, length, NULL)
        # Bytes not seen: a string not seen (``seen`` holds every class string of ``verdicts``).
        if ascii and self.plain:
            verdict = True if self.kept_in_c(value) else False
        else:
            verdict = _label_kept(label, self.wanted_names, self.parts)
        verdicts[label] = verdict
        seen.put(<const char*>value, length, h, len(kept))
        kept.append(label if verdict is True else None)
        return kept[len(kept) - 1]


cdef dict _index_queries = {}  # (the arguments) → their _IndexQuery: the same few asked each time


cdef _IndexQuery _index_query(pairs, wanted_names, parts, tag_groups, watched_attributes):
    key = (pairs, wanted_names, parts, tag_groups, watched_attributes)
    cdef _IndexQuery query
    try:
        query = _index_queries.get(key)
    except TypeError:  # asked with a list: prepared for this walk alone
        return _IndexQuery(pairs, wanted_names, parts, tag_groups, watched_attributes)
    if query is None:
        if len(_index_queries) >= 64:  # what the parts ask for grows and settles: old sets go
            _index_queries.clear()
        query = _index_queries[key] = _IndexQuery(pairs, wanted_names, parts, tag_groups, watched_attributes)
    return query


# -- the text after an element -----------------------------------------------------------------
def following_texts(_Element el, Py_ssize_t limit):
    """``walk.following_texts_python``'s twin: the nodes after ``el`` in document order, as
    libxml2's ``following`` axis steps through them, until ``limit`` text nodes are read."""
    cdef tree.xmlNode* document = <tree.xmlNode*>el._doc._c_doc
    cdef tree.xmlNode* node = _after(el._c_node, document)
    cdef list found = []
    while node is not NULL and len(found) < limit:
        if node.type == tree.XML_TEXT_NODE or node.type == tree.XML_CDATA_SECTION_NODE:
            found.append(PyUnicode_DecodeUTF8(<const char*>node.content, strlen(<const char*>node.content), NULL)
                         if node.content is not NULL else "")
        if node.children is not NULL and node.type != tree.XML_ATTRIBUTE_NODE:
            node = node.children
        else:
            node = _after(node, document)
    return found


def box_texts(_Element el, _Element box, Py_ssize_t limit):
    """``walk.box_texts_python``'s twin: the nodes from ``el``'s first child on in document
    order, until ``limit`` text nodes are read or one lies outside ``box``; a text node's
    element found as lxml finds it (the element-like node before it, else its parent)."""
    cdef tree.xmlNode* document = <tree.xmlNode*>el._doc._c_doc
    cdef tree.xmlNode* node = el._c_node.children if el._c_node.children is not NULL else _after(el._c_node, document)
    cdef tree.xmlNode* holder
    cdef list found = []
    while node is not NULL and len(found) < limit:
        if node.type == tree.XML_TEXT_NODE or node.type == tree.XML_CDATA_SECTION_NODE:
            holder = node.prev
            while holder is not NULL and not _visited(holder):
                holder = holder.prev
            if holder is NULL:
                holder = node.parent
                while holder is not NULL and not _visited(holder):
                    holder = holder.parent
            if holder is NULL or not _at_or_below(holder, box._c_node):
                break
            found.append(PyUnicode_DecodeUTF8(<const char*>node.content, strlen(<const char*>node.content), NULL)
                         if node.content is not NULL else "")
        if node.children is not NULL and node.type != tree.XML_ATTRIBUTE_NODE:
            node = node.children
        else:
            node = _after(node, document)
    return found


# --- body ---
# The name tables of the rules' constants, made once each, not at every walk: a ``_Names`` and
# a ``_PlainNames`` (a hundred words encoded and indexed) cost more to build than a short walk.
cdef dict _kept_tables = {}  # id of a collection → (the collection, its table): it is kept alive, so its id stays its own
cdef Py_ssize_t _KEPT_TABLES = 256  # a bound, should a caller pass a new collection at each call


cdef object _kept(object names):
    """The table kept for ``names`` (the same object), or None."""
    cdef tuple kept = _kept_tables.get(id(names))
    if kept is not None and kept[0] is names:
        return kept[1]
    return None


cdef int _keep(object names, object table) except -1:
    """Keeps ``table`` for ``names`` where it cannot change: a tuple or a frozenset (of tuples and frozensets)."""
    if (type(names) is tuple or type(names) is frozenset) and len(_kept_tables) < _KEPT_TABLES:
        _kept_tables[id(names)] = (names, table)
    return 0


cdef _Names _names_of(names):
    """``_Names(names)``, made once for a tuple or frozenset of names."""
    cdef _Names table = _kept(names)
    if table is None:
        table = _Names(names)
        _keep(names, table)
    return table


cdef tuple _name_rules_of(plain_names):
    """What a ``_Judge`` reads of ``plain_names``, made once for each tuple: its ``_PlainNames``
    (firsts, lasts, needles); and where it holds them, an ``_AttributeJudge``'s roles
    (``plain_names[3]``) as ``_Names`` and its hiding styles (``plain_names[4]``) as lower-case
    ASCII bytes (else None, None)."""
    cdef tuple rules = _kept(plain_names)
    if rules is None:
        rules = (_PlainNames(*plain_names[:3], *plain_names[5:7]), None, None)
        if len(plain_names) > 3:
            rules = (rules[0], _Names(plain_names[3]),
                     [(name.encode("ascii").lower(), value.encode("ascii").lower()) for name, value in plain_names[4]])
        _keep(plain_names, rules)
    return rules


def figure_text_chars(_Element figure):
    """``walk.figure_text_chars_python``'s twin, read in place: the runs of text nodes are the
    pieces ``itertext()`` gives (an element's text, a child's tail: a comment's text is none),
    and a text's characters count once for each ``figcaption`` around it below ``figure``. A
    figure with an entity reference, whose text lives elsewhere, is read in Python."""
    cdef tree.xmlNode* top = figure._c_node
    cdef tree.xmlNode* node = top.children
    cdef Py_ssize_t pieces = 0, captions = 0, before
    cdef Py_ssize_t inside = _named(top, b"figcaption")  # the figcaptions around ``node`` (``iter`` includes ``figure``)
    cdef _Run run = _Run(0, 0, 0, False)
    while node is not NULL:
        if _is_text(node):
            before = run.chars
            _add_to_run(&run, <const unsigned char*>node.content)
            captions += (run.chars - before) * inside
            if node.next is NULL or not _is_text(node.next):  # the piece ends here
                if run.seen:
                    pieces += run.chars
                run = _Run(0, 0, 0, False)
        elif node.type == tree.XML_ENTITY_REF_NODE:
            from .walk import figure_text_chars_python
            return figure_text_chars_python(figure)
        elif node.type == tree.XML_ELEMENT_NODE and node.children is not NULL:
            inside += _named(node, b"figcaption")
            node = node.children
            continue
        while node is not top and node.next is NULL:  # all below the parent done: leave it
            node = node.parent
            if node is not top:
                inside -= _named(node, b"figcaption")
        if node is top:
            break
        node = node.next
    return pieces - captions


def texts_opening_with(list elements, tuple openings):
    """``walk.texts_opening_with_python``'s twin: the first bytes of each element's text read in
    place (past white space as ``str.strip()`` sees it), no string made; an element with an
    entity reference before them is read in Python."""
    cdef list found = [], encoded = [opening.encode("ascii") for opening in openings]
    cdef Py_ssize_t longest = max([len(opening) for opening in encoded] or [0]), size
    cdef Py_UCS4 cp
    cdef unsigned char head[64]
    cdef _Element el
    cdef tree.xmlNode* top
    cdef tree.xmlNode* node
    cdef const unsigned char* s
    cdef const unsigned char* character
    cdef bint entity
    if longest > 64:
        raise ValueError("openings of at most 64 characters")
    for el in elements:
        top, size, entity = el._c_node, 0, False
        node = top.children
        while node is not NULL and size < longest:
            if _is_text(node):
                s = <const unsigned char*>node.content
                if s is not NULL:
                    while s[0] and size < longest:
                        if size == 0:  # white space before the text: skipped
                            character = s
                            cp = _decode(&s)  # apart: Py_UNICODE_ISSPACE reads its argument twice
                            if Py_UNICODE_ISSPACE(cp):
                                continue
                            s = character
                        head[size] = s[0]
                        size += 1
                        s += 1
            elif node.type == tree.XML_ENTITY_REF_NODE:
                entity = True
                break
            elif node.type == tree.XML_ELEMENT_NODE and node.children is not NULL:
                node = node.children
                continue
            node = _after(node, top)
        if entity:  # its text lives elsewhere: read in Python
            from .walk import texts_opening_with_python
            found += texts_opening_with_python([el], openings)
        elif _may_open(head, size, encoded):
            found.append(el)
    return found


cdef bint _may_open(const unsigned char* head, Py_ssize_t size, list encoded) noexcept:
    """``head[:size]`` opens with one of ``encoded`` (lower-case ASCII), ASCII case aside, or may:
    a byte that is not ASCII where it is compared."""
    cdef bytes opening
    cdef const unsigned char* word
    cdef Py_ssize_t i, length
    for opening in encoded:
        word, length = <const unsigned char*>opening, len(opening)
        i = 0
        while i < length:
            if i >= size:
                break
            if head[i] >= 0x80:
                return True
            if _ascii_lower(head[i]) != word[i]:
                break
            i += 1
        if i == length:
            return True
    return False


cdef bint _may_hold(const unsigned char* text, list encoded) noexcept:
    """``text`` holds one of ``encoded`` (lower-case ASCII), ASCII case aside, or may: it holds
    a byte that is not ASCII (``re``'s case-blind search folds some such letters to ASCII)."""
    cdef const unsigned char* at = text
    cdef bytes word
    while at[0]:
        if at[0] >= 0x80:
            return True
        at += 1
    for word in encoded:
        at = text
        while at[0]:
            if _starts_blind(at, <const unsigned char*>word):
                return True
            at += 1
    return False


def labelled_within_holding(_Element top, rule, tuple words):
    """``walk.labelled_within_holding_python``'s twin: ``walk.labelled_within_python``, with a class whose
    value libxml2 holds as one string told in place, no string made, where it holds none of
    ``words``."""
    cdef _Document doc = top._doc
    cdef tree.xmlNode* root = top._c_node
    cdef tree.xmlNode* node = root
    cdef tree.xmlAttr* attr
    cdef const char* value
    cdef dict decided = {}
    cdef list found = [], encoded = [word.encode("ascii") for word in words]
    while node is not NULL:
        if node.type == tree.XML_ELEMENT_NODE:
            attr = node.properties
            while attr is not NULL:
                if attr.ns is NULL and strcmp(<const char*>attr.name, b"class") == 0:
                    if ((not _simple_value(attr, &value) or _may_hold(<const unsigned char*>value, encoded))
                            and _decided(decided, rule, attributeValue(node, attr))):
                        found.append(elementFactory(doc, node))
                    break  # the first such attribute is the one ``get`` reads
                attr = attr.next
            if node.children is not NULL:
                node = node.children
                continue
        if node is root:
            break
        node = _after(node, root)
    return found


def children_of(list parents, tuple tags):
    """``walk.children_of_python``'s twin: each parent's children read in place, a proxy made
    only for those of ``tags``."""
    cdef _Names names = _names_of(tags)
    cdef list found = []
    cdef _Element parent
    cdef tree.xmlNode* node
    for item in parents:
        if item is None:
            continue
        parent = item
        node = parent._c_node.children
        while node is not NULL:
            if node.type == tree.XML_ELEMENT_NODE and names.has(node):
                found.append(elementFactory(parent._doc, node))
            node = node.next
    return found


def holders_of(_Element top, tuple holder_tags, tuple held_tags):
    """``walk.holders_of_python``'s twin: one walk below ``top``, a proxy made only for the
    holders returned."""
    cdef _Names holders = _names_of(holder_tags), held = _names_of(held_tags)
    cdef tree.xmlNode* root = top._c_node
    cdef tree.xmlNode* node = root
    cdef list found = []
    while node is not NULL:
        if node.type == tree.XML_ELEMENT_NODE:
            if holders.has(node) and (held.has(node) or _has_descendant(node, held)):
                found.append(elementFactory(top._doc, node))
            if node.children is not NULL:
                node = node.children
                continue
        if node is root:
            break
        node = _after(node, root)
    return found


def dropped_sections(list headings, tuple heading_tags, list dropped):
    """``walk.dropped_sections_python``'s twin: each heading's following siblings read in place,
    a proxy made only for the sections returned; ``dropped`` told by node."""
    cdef _Names tags = _names_of(heading_tags)
    cdef set dropped_nodes = {<size_t>(<_Element>el)._c_node for el in dropped}
    cdef list found = [], section
    cdef _Element heading
    cdef tree.xmlNode* node
    cdef tree.xmlNode* start
    cdef bint text_between, any_dropped
    cdef Py_ssize_t elements
    for heading in headings:
        text_between, any_dropped, elements = False, False, 0
        node = heading._c_node.next
        while node is not NULL and not text_between:
            if _is_text(node):
                text_between = _stripped_run(&node) > 0
                continue
            if node.type == tree.XML_ELEMENT_NODE:
                if tags.has(node):
                    break
                elements += 1
                any_dropped = any_dropped or <size_t>node in dropped_nodes
            node = node.next
        if elements and any_dropped and not text_between:
            section = []
            node = heading._c_node.next
            while node is not NULL and not (node.type == tree.XML_ELEMENT_NODE and tags.has(node)):
                if node.type == tree.XML_ELEMENT_NODE:
                    section.append(elementFactory(heading._doc, node))
                node = node.next
            found.append((heading, section))
    return found


# --- text ---
cdef dict _cell_names = {}  # cell tags → their ``_Names``: one set of names, made once


cdef int _short_cells(tree.xmlNode* table, _Names cells, Py_ssize_t max_chars) noexcept:
    """1 where no table is nested in ``table`` and each of its cells holds at most ``max_chars``
    characters of text, 0 where not, -1 where an entity reference (whose text lives elsewhere)
    leaves a cell's length to Python."""
    cdef tree.xmlNode* node = table.children
    cdef tree.xmlNode* text
    cdef Py_ssize_t count
    while node is not NULL:
        if node.type == tree.XML_ELEMENT_NODE:
            if node.ns is NULL and strcmp(<const char*>node.name, "table") == 0:
                return 0
            if cells.has(node):
                count, text = 0, node.children
                while text is not NULL:  # the cell's text, counted until it is too long
                    if _is_text(text):
                        count += _code_points(<const unsigned char*>text.content)
                        if count > max_chars:
                            return 0
                    elif text.type == tree.XML_ENTITY_REF_NODE:
                        return -1
                    elif text.type == tree.XML_ELEMENT_NODE:
                        if text.ns is NULL and strcmp(<const char*>text.name, "table") == 0:
                            return 0
                        if text.children is not NULL:
                            text = text.children
                            continue
                    text = _after(text, node)
                node = _after(node, table)  # the cell's elements are read: on past it
                continue
            if node.children is not NULL:
                node = node.children
                continue
        node = _after(node, table)
    return 1


def short_cells_table(_Element table, cell_tags, Py_ssize_t max_chars):
    """``walk.short_cells_table_python``'s twin: the table's elements and text read in C, in one
    pass that stops at the first nested table or long cell."""
    cdef _Names cells = _cell_names.get(cell_tags)
    if cells is None:
        cells = _cell_names[cell_tags] = _Names(cell_tags)
    cdef int short = _short_cells(table._c_node, cells, max_chars)
    if short < 0:
        return table.find(".//table") is None and all(len(c.text_content()) <= max_chars
                                                      for c in table.iter(*cell_tags))
    return bool(short)


from cpython.unicode cimport PyUnicode_1BYTE_KIND, PyUnicode_FindChar


cdef extern from "Python.h":
    bint PyUnicode_IS_ASCII(object text)


cdef double _unicode_share(_WordTable table, str lowered) noexcept:
    """The share of ``lowered``'s words (split as ``str.split()`` splits) that ``table`` holds."""
    cdef int kind = PyUnicode_KIND(lowered)
    cdef void* data = PyUnicode_DATA(lowered)
    cdef Py_ssize_t n = PyUnicode_GET_LENGTH(lowered), i = 0, start, words = 0, found = 0
    cdef Py_UCS4 cp
    cdef uint64_t h
    while True:
        start = _next_word(kind, data, n, &i, &h)
        if start < 0:
            break
        words += 1
        found += table.holds(kind, data, start, i - start, h)
    return <double>found / <double>words if words else 0.0


cdef double _ascii_share(_WordTable table, const unsigned char* text, Py_ssize_t n, unsigned char* lowered) noexcept:
    """``_unicode_share`` of an ASCII text, lowered here into ``lowered`` (``n`` bytes) as it is
    read: ``str.lower()`` of ASCII changes A-Z alone."""
    cdef Py_ssize_t i = 0, start, words = 0, found = 0
    cdef unsigned char c
    cdef uint64_t h
    while True:
        while i < n and Py_UNICODE_ISSPACE(text[i]):
            i += 1
        if i >= n:
            break
        start, h = i, <uint64_t>14695981039346656037
        while i < n:
            c = text[i]
            if Py_UNICODE_ISSPACE(c):
                break
            if 65 <= c <= 90:
                c += 32
            lowered[i] = c
            h = (h ^ c) * <uint64_t>1099511628211
            i += 1
        words += 1
        found += table.holds(PyUnicode_1BYTE_KIND, lowered, start, i - start, h)
    return <double>found / <double>words if words else 0.0


def judged_stopword_shares(list texts, list links, stopwords, Py_ssize_t min_chars, double max_link_density,
                           str excluded):
    """``walk.judged_stopword_shares_python``'s twin: the texts tested and their words counted
    in C, an ASCII text read where it lies, lowered as it is read."""
    cdef Py_ssize_t count = len(texts), i, n, size = 0
    cdef list shares = [0.0] * count
    if not stopwords:
        return shares
    cdef _WordTable table = _word_tables.get(stopwords)
    if table is None:
        table = _word_tables[stopwords] = _WordTable(stopwords)
    cdef Py_UCS4 mark = ord(excluded)
    cdef str text
    cdef unsigned char* lowered = NULL
    cdef Py_UCS4* folded = NULL
    cdef Py_ssize_t folded_size = 0
    try:
        for i in range(count):
            text = <str>texts[i]
            n = PyUnicode_GET_LENGTH(text)
            if n < min_chars or <double>links[i] > max_link_density * <double>n:
                continue
            if PyUnicode_IS_ASCII(text):
                if mark < 128 and PyUnicode_FindChar(text, mark, 0, n, 1) >= 0:
                    continue
                if n > size:
                    free(lowered)
                    size = max(n, 4096)
                    lowered = <unsigned char*>malloc(size)
                    if lowered is NULL:
                        raise MemoryError()
                shares[i] = _ascii_share(table, <const unsigned char*>PyUnicode_DATA(text), n, lowered)
            elif PyUnicode_FindChar(text, mark, 0, n, 1) < 0:
                shares[i] = _share_lowered_as_read(table, text, &folded, &folded_size)
                if shares[i] < 0:  # a character ``str.lower`` lowers by its context or to two
                    shares[i] = _unicode_share(table, text.lower())
    finally:
        free(lowered)
        free(folded)
    return shares


# The words of the paragraph classifier's language sample, counted in C (``frequent_words``).
from cpython.unicode cimport PyUnicode_Substring


cdef struct _WordCount:
    Py_ssize_t start, size, count, first  # ``first``: its place among the distinct words
    uint64_t hash


cdef int _by_frequency(const void* a, const void* b) noexcept nogil:
    """More often first, then the first seen first: ``sorted(..., reverse=True)``'s stable order."""
    cdef const _WordCount* x = <const _WordCount*>a
    cdef const _WordCount* y = <const _WordCount*>b
    if x.count != y.count:
        return -1 if x.count > y.count else 1
    return -1 if x.first < y.first else (1 if x.first > y.first else 0)


def frequent_words(str sample, Py_ssize_t most):
    """``walk.frequent_words_python``'s twin: the words found where they lie in ``sample`` and
    counted in one table, a str made only for the ``most`` returned."""
    cdef int kind = PyUnicode_KIND(sample)
    cdef char* data = <char*>PyUnicode_DATA(sample)
    cdef Py_ssize_t n = PyUnicode_GET_LENGTH(sample), i = 0, start, distinct = 0, size = 8, k
    cdef uint64_t h, slot
    while size < n + 2:  # at most n / 2 + 1 words: the table stays at most half full
        size *= 2
    cdef _WordCount* words = <_WordCount*>malloc((n // 2 + 1) * sizeof(_WordCount))
    cdef Py_ssize_t* slots = <Py_ssize_t*>malloc(size * sizeof(Py_ssize_t))
    cdef list found = []
    cdef Py_UCS4 cp
    try:
        if words is NULL or slots is NULL:
            raise MemoryError()
        for k in range(size):
            slots[k] = -1
        while True:
            start = _next_word(kind, data, n, &i, &h)
            if start < 0:
                break
            slot = h & (size - 1)
            while slots[slot] != -1:
                k = slots[slot]
                if (words[k].hash == h and words[k].size == i - start
                        and memcmp(data + words[k].start * kind, data + start * kind, (i - start) * kind) == 0):
                    words[k].count += 1
                    break
                slot = (slot + 1) & (size - 1)
            else:
                slots[slot] = distinct
                words[distinct].start, words[distinct].size, words[distinct].count = start, i - start, 1
                words[distinct].first, words[distinct].hash = distinct, h
                distinct += 1
        qsort(words, distinct, sizeof(_WordCount), _by_frequency)
        for k in range(min(most, distinct)):
            found.append(PyUnicode_Substring(sample, words[k].start, words[k].start + words[k].size))
    finally:
        free(words)
        free(slots)
    return found


# --- text (round 7) ---
from cpython.tuple cimport PyTuple_GET_ITEM, PyTuple_GET_SIZE


cdef inline unsigned int _folded(unsigned int c) noexcept:
    """An ASCII capital as its lower case; any other code point as it is."""
    return c + 32 if 65 <= c <= 90 else c


cdef bint _holds_word_folded(str line, tuple words) noexcept:
    """One of ``words`` (lower-case ASCII, none empty) is in ``line.lower()``, for a line holding
    no ASCII look-alike (``rule_dispatch.ASCII_LOOKALIKES``): there only an ASCII character
    lowers to one, and to its ASCII lower case, so the words are found in one pass over the line
    as it lies, its letters folded as read, no lowered copy made. A 1-byte line (most) is read
    as bytes; it holds no look-alike."""
    cdef int kind = PyUnicode_KIND(line)
    cdef void* data = PyUnicode_DATA(line)
    cdef const unsigned char* chars = <const unsigned char*>data
    cdef Py_ssize_t n = PyUnicode_GET_LENGTH(line), count = PyTuple_GET_SIZE(words), i, j, k, size
    cdef uint64_t firsts[2]
    cdef unsigned int c
    cdef const unsigned char* spelled
    cdef object word
    firsts[0] = firsts[1] = 0
    for j in range(count):
        c = (<const unsigned char*>PyUnicode_DATA(<object>PyTuple_GET_ITEM(words, j)))[0]
        firsts[c >> 6] |= (<uint64_t>1) << (c & 63)
    for i in range(n):
        c = _folded(chars[i] if kind == PyUnicode_1BYTE_KIND else <unsigned int>PyUnicode_READ(kind, data, i))
        if c >= 128 or not (firsts[c >> 6] >> (c & 63)) & 1:
            continue
        for j in range(count):
            word = <object>PyTuple_GET_ITEM(words, j)
            spelled = <const unsigned char*>PyUnicode_DATA(word)
            size = PyUnicode_GET_LENGTH(word)
            if spelled[0] != c or size > n - i:
                continue
            k = 1
            if kind == PyUnicode_1BYTE_KIND:
                while k < size and _folded(chars[i + k]) == spelled[k]:
                    k += 1
            else:
                while k < size and _folded(<unsigned int>PyUnicode_READ(kind, data, i + k)) == spelled[k]:
                    k += 1
            if k == size:
                return True
    return False


def text_lines(list paragraphs):
    """``walk.text_lines_python``'s twin: each paragraph's lines read where they lie, with no
    joined copy of them all; a line with nothing to strip or fold (most: a paragraph of one
    clean line) is the paragraph itself, no copy made."""
    cdef list lines = []
    cdef str para
    cdef int kind
    cdef void* data
    cdef Py_ssize_t n, start, end, a, b
    cdef unsigned int c, previous
    cdef bint fold
    for item in paragraphs:
        para = <str>item
        kind, data, n = PyUnicode_KIND(para), PyUnicode_DATA(para), PyUnicode_GET_LENGTH(para)
        start = 0
        while True:
            fold = False
            previous = 0
            end = start
            while end < n:
                c = <unsigned int>PyUnicode_READ(kind, data, end)
                if c == 10:
                    break
                if c == 9 or (c == 32 and previous == 32):
                    fold = True
                previous = c
                end += 1
            if fold:
                lines.append(" ".join(PyUnicode_Substring(para, start, end).split()))
            else:
                a, b = start, end
                while a < b and Py_UNICODE_ISSPACE(PyUnicode_READ(kind, data, a)):
                    a += 1
                while b > a and Py_UNICODE_ISSPACE(PyUnicode_READ(kind, data, b - 1)):
                    b -= 1
                lines.append(para if a == 0 and b == n else PyUnicode_Substring(para, a, b))
            if end >= n:
                break
            start = end + 1
    return lines


# --- body (round 7) ---
# -- a holder's own text, read in the body walk ---------------------------------------------------
cdef inline void _text_run_into(_Buffer* b, tree.xmlNode* node) except *:
    """lxml's ``.text`` or ``.tail`` from ``node`` (``_text_run``), appended to ``b`` as UTF-8."""
    while node is not NULL:
        if _is_text(node):
            if node.content is not NULL:
                _put_text(b, node)
        elif node.type != tree.XML_XINCLUDE_START and node.type != tree.XML_XINCLUDE_END:
            break
        node = node.next


cdef Py_ssize_t _subtree_text_into(_Buffer* b, tree.xmlNode* top, bint* entity) except -1:
    """``top``'s ``text_content()`` appended to ``b`` as UTF-8; its characters, returned. An
    entity reference, whose text lives elsewhere, sets ``entity``."""
    cdef Py_ssize_t chars = 0
    cdef tree.xmlNode* node = top.children
    while node is not NULL:
        if _is_text(node):
            if node.content is not NULL:
                _put_text(b, node)
                chars += _code_points(<const unsigned char*>node.content)
        elif node.type == tree.XML_ENTITY_REF_NODE:
            entity[0] = True
        elif node.type == tree.XML_ELEMENT_NODE and node.children is not NULL:
            node = node.children
            continue
        node = _after(node, top)
    return chars


cdef bint _credited_own_text(_BodyWalk w, tree.xmlNode* holder, Py_ssize_t start, Py_ssize_t own,
                             _Names breaking) except -1:
    """``body._own_text`` of a holder read in C and credited as ``body._read_block`` credits it
    (``own`` characters of prose, no links, its inline children's link characters as its own):
    its text, then each child's, where the child is an element of no ``breaking`` tag, and each
    child's tail (" " where it has none). False, and nothing credited, where an entity reference
    keeps some of the text elsewhere: the rules read that holder in Python."""
    cdef tree.xmlNode* child = holder.children
    cdef Py_ssize_t links = 0, chars, before
    cdef bint entity = False
    w.text.size = 0
    _text_run_into(&w.text, child)
    while child is not NULL:
        if child.type == tree.XML_ENTITY_REF_NODE:
            return False
        if child.type == tree.XML_ELEMENT_NODE or child.type == tree.XML_COMMENT_NODE or child.type == tree.XML_PI_NODE:
            if child.type == tree.XML_ELEMENT_NODE and not breaking.has(child):
                chars = _subtree_text_into(&w.text, child, &entity)
                links += chars if _is_link(child) else _link_chars(child, &entity)
                if entity:
                    return False
            before = w.text.size
            _text_run_into(&w.text, child.next)
            if w.text.size == before:
                _reserve(&w.text, 1)
                w.text.data[w.text.size] = b" "[0]
                w.text.size += 1
        child = child.next
    text = PyUnicode_DecodeUTF8(w.text.data, w.text.size, NULL)
    w.credit(start, True, elementFactory(w.doc, holder), text, len(text), own, 0, links, None)
    return True


# -- class strings with upper-case letters told plain in C ------------------------------------
cdef bint _camel_plain(list camel_words, const unsigned char* text, Py_ssize_t size,
                       unsigned char* lowered) noexcept:
    """A class string with an upper-case letter that a name rule may tell as its lower-cased
    copy: camel words given (``_PlainNames``), none of them in it, and short enough for
    ``lowered`` (256 bytes), where its copy is written."""
    cdef bytes word
    cdef Py_ssize_t i
    if camel_words is None or size >= 256:
        return False
    for word in camel_words:
        if strstr(<const char*>text, word) is not NULL:
            return False
    for i in range(size):
        lowered[i] = _ascii_lower(text[i])
    lowered[size] = 0
    return True


cdef bint _opens_with_any(list openings, const unsigned char* name, Py_ssize_t size) noexcept:
    """The (lower-cased) name opens with one of ``openings``."""
    cdef bytes opening
    for opening in openings:
        if len(opening) <= size and memcmp(<const char*>opening, name, len(opening)) == 0:
            return True
    return False


# --- comments (round 7) ---
# -- the comment walk's word, looked for in the attributes the comment finder reads --------
cdef inline bint _word_read(_Names word_names, tree.xmlAttr* attr) noexcept:
    """The attribute is one whose value ``comment_walk`` searches for its word: any, without
    ``word_names``; else one of them in no namespace (as ``el.get`` reads it). Most attributes
    of a page (``href``, ``src``, ``style``) are then told by their name, their value unread."""
    return word_names is None or (attr.ns is NULL and word_names.named(<const char*>attr.name))


# -- the parsed tree's check: streamed segments ------------------------------------------------
def has_id_starting(_Element root, str prefix):
    """``walk.has_id_starting_python``'s twin: an element of ``root``'s whole document whose
    ``id`` (its first, in no namespace, as XPath's ``@id`` reads it) starts with ``prefix``,
    found in one walk with no element proxy and no string made per element."""
    cdef bytes encoded = prefix.encode("utf-8")
    cdef const char* wanted = encoded
    cdef Py_ssize_t length = len(encoded)
    cdef tree.xmlNode* top = <tree.xmlNode*>root._doc._c_doc
    cdef tree.xmlNode* node = top.children
    cdef tree.xmlAttr* attr
    cdef const char* value
    while node is not NULL:
        if node.type == tree.XML_ELEMENT_NODE:
            attr = node.properties
            while attr is not NULL:
                if attr.ns is NULL and strcmp(<const char*>attr.name, b"id") == 0:
                    value = _simple_content(attr)
                    if value is NULL:  # split across nodes, or empty: read as lxml reads it
                        if attributeValue(node, attr).startswith(prefix):
                            return True
                    elif strncmp(value, wanted, length) == 0:
                        return True
                    break
                attr = attr.next
        node = _next_in_order(node, top)
    return False


# -- elements by how their text opens ------------------------------------------------------------
cdef const unsigned char* _run_at(tree.xmlNode* node, tree.xmlNode** at, bint* empty) noexcept:
    """The run of text nodes from ``node`` (``.text`` or ``.tail`` as lxml joins them), as a place:
    its first byte that is not an XML space and the node holding it (``at``), NULL for none;
    ``empty``: the run is empty (lxml's None)."""
    cdef const unsigned char* s
    empty[0] = True
    while node is not NULL:
        if _is_text(node):
            s = <const unsigned char*>node.content
            if s is not NULL and s[0] != 0:
                empty[0] = False
                while s[0] and _is_xml_space(s[0]):
                    s += 1
                if s[0]:
                    at[0] = node
                    return s
        elif node.type != tree.XML_XINCLUDE_START and node.type != tree.XML_XINCLUDE_END:
            break
        node = node.next
    return NULL


cdef const unsigned char* _first_text_at(tree.xmlNode* element, tree.xmlNode** at) noexcept:
    """The element's first text that is not empty (its ``.text``, else the first ``.tail`` of its
    children, comments too), as a place (``_run_at``): NULL where that text is none or spaces."""
    cdef bint empty
    cdef const unsigned char* s = _run_at(element.children, at, &empty)
    cdef tree.xmlNode* child = element.children
    while empty and child is not NULL:
        if _visited(child):
            s = _run_at(child.next, at, &empty)
        child = child.next
    return s


cdef bint _run_opens_with(tree.xmlNode* node, const unsigned char* s, const unsigned char* prefix) noexcept:
    """The run's text from ``s`` (in ``node``) on starts with ``prefix``, read on into the
    run's next text nodes where ``node``'s ends first."""
    while prefix[0]:
        while s[0] == 0:
            node = node.next
            while node is not NULL and not _is_text(node):
                if node.type != tree.XML_XINCLUDE_START and node.type != tree.XML_XINCLUDE_END:
                    return False
                node = node.next
            if node is NULL:
                return False
            s = <const unsigned char*>node.content if node.content is not NULL else <const unsigned char*>b""
        if s[0] != prefix[0]:
            return False
        s += 1
        prefix += 1
    return True


def text_openers(_Element top, tuple openings):
    """``walk.text_openers_python``'s twin: each element's first text read where libxml2
    keeps it, a proxy only for the elements returned."""
    cdef list encoded = [opening.encode("ascii") for opening in openings]
    cdef bint starts[256]
    cdef bint every = False  # "" opens every text, and no text
    cdef Py_ssize_t i, count = len(encoded)
    for i in range(256):
        starts[i] = False
    for i in range(count):
        if not len(<bytes>encoded[i]):
            every = True
        starts[(<const unsigned char*><bytes>encoded[i])[0]] = True
    cdef _Document doc = top._doc
    cdef tree.xmlNode* root = top._c_node
    cdef tree.xmlNode* node = root.children
    cdef tree.xmlNode* at = NULL
    cdef const unsigned char* s
    cdef list found = []
    while node is not NULL:
        if node.type == tree.XML_ELEMENT_NODE:
            s = _first_text_at(node, &at)
            if every:
                found.append(elementFactory(doc, node))
            elif s is not NULL and starts[s[0]]:
                for i in range(count):
                    if _run_opens_with(at, s, <const unsigned char*><bytes>encoded[i]):
                        found.append(elementFactory(doc, node))
                        break
            if node.children is not NULL:
                node = node.children
                continue
        node = _after(node, root)
    return found


# --- text (round 7, continued) ---
def chrome_line_flags(rules, list lines, dated, Py_ssize_t max_dated_chars):
    """``walk.chrome_line_flags_python``'s twin: the parentheses, the length and the four digits
    read in C, and ``dated`` asked only of a line the rules do not match that passes both."""
    cdef list read = [], out = []
    cdef str line
    cdef Py_ssize_t n, i
    for item in lines:
        line = <str>item
        n = PyUnicode_GET_LENGTH(line)
        if n > 1 and PyUnicode_READ_CHAR(line, 0) == 40 and PyUnicode_READ_CHAR(line, n - 1) == 41:
            line = PyUnicode_Substring(line, 1, n - 1).strip()
        read.append(line)
    cdef list hits = dispatched_matches(rules, read)
    for i in range(len(read)):
        if hits[i] is True:
            out.append(True)
            continue
        line = <str>read[i]
        out.append(dated(line) if _digit_run(line, 4, max_dated_chars) else False)
    return out


# --- body (round 8) ---
from cpython.bytes cimport PyBytes_FromStringAndSize

cdef Py_ssize_t _MAX_NAME_DECISIONS = 1 << 12  # class strings and ids kept for one rule, then forgotten: ids
# differ on each page ("comment-1234"), so a long crawl fills the table: bounded at ~0.5 MB a rule


cdef class _NameDecisions:
    """A ``_Judge``'s decisions on class strings (or ids), by their bytes, kept from page to
    page for one name rule and one set of plain names: a site's class strings repeat on each of
    its pages, and one told once is neither decoded nor told plain again (a rule of names is a
    function of the name: ``regions.furniture_label`` and its kin)."""
    cdef object rule
    cdef _PlainNames plain
    cdef _ByteTable table

    cdef bint decide(self, tree.xmlNode* node, tree.xmlAttr* attr, dict known) except -1:
        """Not plain and the rule says yes (``_decided``, in ``known`` for a value lxml joins
        from several nodes)."""
        cdef tree.xmlNode* value = attr.children
        cdef Py_ssize_t length, found
        cdef bint ascii, decision
        cdef uint64_t h
        cdef bytes key
        if value is NULL or value.next is not NULL or value.type != tree.XML_TEXT_NODE or value.content is NULL:
            return not self.plain.plain(attr) and _decided(known, self.rule, attributeValue(node, attr))
        h = _fnv(<const unsigned char*>value.content, &length, &ascii)
        found = self.table.get(<const char*>value.content, length, h)
        if found >= 0:
            return found == 1
        decision = not self.plain.plain(attr) and _decided(known, self.rule, attributeValue(node, attr))
        if self.table.count >= _MAX_NAME_DECISIONS:
            self.table = _ByteTable()
        key = PyBytes_FromStringAndSize(<const char*>value.content, length)
        self.table.held.append(key)
        self.table.put(<const char*>key, length, h, decision)
        return decision


cdef dict _decisions_kept = {}  # (id of the rule, id of the plain names) → (rule, plain names, their _NameDecisions)


cdef _NameDecisions _name_decisions(rule, plain_names, _PlainNames plain):
    """The ``_NameDecisions`` of ``rule`` and ``plain_names`` (the same objects), made once."""
    key = (id(rule), id(plain_names))
    cdef tuple kept = _decisions_kept.get(key)
    if kept is not None and kept[0] is rule and kept[1] is plain_names:
        return kept[2]
    cdef _NameDecisions decisions = _NameDecisions()
    decisions.rule, decisions.plain, decisions.table = rule, plain, _ByteTable()
    if len(_decisions_kept) < _KEPT_TABLES:
        _decisions_kept[key] = (rule, plain_names, decisions)
    return decisions


cdef class _NodesAt:
    """The elements of ``body_blocks``'s node keys (their nodes' addresses), each proxy made
    when asked: the body analysis asks for the ten best scored at most, of the many scored."""
    cdef _Document doc

    def __cinit__(self, _Document doc):
        self.doc = doc

    def __getitem__(self, size_t key):
        return elementFactory(self.doc, <tree.xmlNode*>key)


# --- text (round 8) ---
# The arbiter's search of one strategy's lines in another's text (``found_chars``). Most lines
# looked for are not there (a strategy's menu, a comment list), and ``str.find`` learns that by
# reading the whole window; every run of ``_GRAM`` characters of a line found in the text is one
# of the text's, so a bitmap of the text's runs says at the first run it lacks that the line is
# not there: no search made, and never a line turned away that the search finds.
from cpython.bytearray cimport PyByteArray_AS_STRING, PyByteArray_GET_SIZE, PyByteArray_Resize
from cpython.set cimport PySet_Contains
from cpython.unicode cimport PyUnicode_Find

cdef enum:
    _GRAM = 8  # characters of a run: a line looked for is at least 12 long (``arbiter.MIN_SEARCHED_LINE``)

cdef uint64_t _GRAM_BASE = 1099511628211  # odd: the runs' polynomial hash, rolled a character at a time


cdef uint64_t _base_to_the_gram() noexcept:
    cdef uint64_t power = 1
    for _ in range(_GRAM):
        power *= _GRAM_BASE
    return power


cdef uint64_t _GRAM_DROP = _base_to_the_gram()  # what the character leaving a run weighs in its hash


cdef inline uint64_t _rolled(uint64_t h, int kind, const void* data, Py_ssize_t i) noexcept:
    """The hash of the run ending at character ``i`` of a text, from that of the run before."""
    h = h * _GRAM_BASE + <uint64_t>PyUnicode_READ(kind, data, i)
    if i >= _GRAM:
        h -= _GRAM_DROP * <uint64_t>PyUnicode_READ(kind, data, i - _GRAM)
    return h


cdef inline uint64_t _gram_bit(uint64_t h, int shift) noexcept:
    """A run's bit in a bitmap of ``2 ** (64 - shift)`` bits: the hash's top bits, mixed."""
    return (h * <uint64_t>0x9E3779B97F4A7C15) >> shift


cdef int _fill_grams(bytearray grams, str text) except -1:
    """``grams`` (empty) sized to a power of two of at least eight bits a character of ``text``,
    and the bit of each of the text's runs set."""
    cdef int kind = PyUnicode_KIND(text)
    cdef void* data = PyUnicode_DATA(text)
    cdef Py_ssize_t n = PyUnicode_GET_LENGTH(text), i, bits = 64
    cdef int shift = 58
    cdef uint64_t h = 0, h_bit
    while bits < 8 * n:
        bits *= 2
        shift -= 1
    PyByteArray_Resize(grams, bits // 8)
    cdef unsigned char* bitmap = <unsigned char*>PyByteArray_AS_STRING(grams)
    memset(bitmap, 0, bits // 8)
    for i in range(n):
        h = _rolled(h, kind, data, i)
        if i >= _GRAM - 1:
            h_bit = _gram_bit(h, shift)
            bitmap[h_bit >> 3] |= <unsigned char>(1 << (h_bit & 7))
    return 0


cdef bint _runs_held(const unsigned char* bitmap, Py_ssize_t bits, str line) noexcept:
    """Every run of ``_GRAM`` characters of ``line`` has its bit set in ``bitmap``."""
    cdef int kind = PyUnicode_KIND(line)
    cdef void* data = PyUnicode_DATA(line)
    cdef Py_ssize_t n = PyUnicode_GET_LENGTH(line), i
    cdef int shift = 64
    cdef uint64_t h = 0, h_bit
    while bits > 1:
        bits //= 2
        shift -= 1
    for i in range(n):
        h = _rolled(h, kind, data, i)
        if i >= _GRAM - 1:
            h_bit = _gram_bit(h, shift)
            if not (bitmap[h_bit >> 3] >> (h_bit & 7)) & 1:
                return False
    return True


def found_chars(list lines, other_lines, str other_joined, bytearray other_grams, Py_ssize_t min_searched,
                Py_ssize_t window):
    """``walk.found_chars_python``'s twin: a line looked for is first checked against the bitmap
    of the other text's runs (``other_grams``, filled on the first line looked for and kept for
    the next calls), and searched only where each of its runs is one of the text's."""
    cdef Py_ssize_t found = 0, position = 0, size, at, bits = 0
    cdef const unsigned char* bitmap = NULL
    cdef str line
    for item in lines:
        line = <str>item
        size = PyUnicode_GET_LENGTH(line)
        if PySet_Contains(other_lines, line):
            found += size
            continue
        if size < min_searched:
            continue
        if size >= _GRAM:
            if bitmap is NULL:
                if PyByteArray_GET_SIZE(other_grams) == 0:
                    _fill_grams(other_grams, other_joined)
                bitmap = <const unsigned char*>PyByteArray_AS_STRING(other_grams)
                bits = PyByteArray_GET_SIZE(other_grams) * 8
            if not _runs_held(bitmap, bits, line):
                continue
        at = PyUnicode_Find(other_joined, line, position, position + window + size, 1)
        if at == -2:
            raise RuntimeError("str.find failed")
        if at >= 0:
            found += size
            position = at + size
    return found


# The stopword share of a text that is not ASCII (``judged_stopword_shares``), its characters
# lowered as they are read, with no lowered copy of the text made by ``str.lower``: that lowers
# each character as ``Py_UNICODE_TOLOWER`` does, to one character, but for two, İ (to two) and Σ
# (by the letters around it), left to it.
from cpython.unicode cimport Py_UNICODE_TOLOWER, PyUnicode_4BYTE_KIND


cdef double _share_lowered_as_read(_WordTable table, str text, Py_UCS4** buffer, Py_ssize_t* size) except? -2:
    """The share of ``text``'s words (split as ``str.split()`` splits) that ``table`` holds, the
    text lowered into ``buffer`` (grown to ``size`` as needed, kept for the next text) as it is
    read; -1.0 for a text holding İ or Σ."""
    cdef int kind = PyUnicode_KIND(text)
    cdef void* data = PyUnicode_DATA(text)
    cdef Py_ssize_t n = PyUnicode_GET_LENGTH(text), i = 0, start, words = 0, found = 0
    cdef unsigned int c  # not a Py_UCS4, which Cython adds to as to a str
    cdef uint64_t h
    cdef Py_UCS4* lowered
    if n > size[0]:
        free(buffer[0])
        size[0] = 0
        buffer[0] = <Py_UCS4*>malloc(max(n, 4096) * sizeof(Py_UCS4))
        if buffer[0] is NULL:
            raise MemoryError()
        size[0] = max(n, 4096)
    lowered = buffer[0]
    while True:
        while i < n and Py_UNICODE_ISSPACE(PyUnicode_READ(kind, data, i)):
            i += 1
        if i >= n:
            break
        start, h = i, <uint64_t>14695981039346656037
        while i < n:
            c = <unsigned int>PyUnicode_READ(kind, data, i)
            if c < 128:
                if 65 <= c <= 90:
                    c += 32
                elif Py_UNICODE_ISSPACE(c):
                    break
            elif c == 0x130 or c == 0x3A3:
                return -1.0
            elif Py_UNICODE_ISSPACE(c):
                break
            else:
                c = <unsigned int>Py_UNICODE_TOLOWER(<Py_UCS4>c)
            lowered[i] = <Py_UCS4>c
            h = _mix(h, c)
            i += 1
        words += 1
        found += table.holds(PyUnicode_4BYTE_KIND, lowered, start, i - start, h)
    return <double>found / <double>words if words else 0.0


# --- comments (round 8) ---
# -- the page's <meta> tags, read in place ------------------------------------------------------
cdef enum:
    _META_PROPERTY, _META_NAME, _META_ITEMPROP, _META_CONTENT


cdef inline int _meta_attribute(const char* name) noexcept:
    """Which of the attributes ``meta_contents`` reads ``name`` is, -1 for none."""
    if strcmp(name, b"content") == 0:
        return _META_CONTENT
    if strcmp(name, b"property") == 0:
        return _META_PROPERTY
    if strcmp(name, b"name") == 0:
        return _META_NAME
    if strcmp(name, b"itemprop") == 0:
        return _META_ITEMPROP
    return -1


def meta_contents(list metas):
    """``walk.meta_contents_python``'s twin: each element's attributes walked once in C, a
    string made only for the key and the content kept."""
    cdef dict out = {}
    cdef _Element meta
    cdef tree.xmlNode* node
    cdef tree.xmlAttr* attr
    cdef tree.xmlAttr* read[4]
    cdef int which, i
    for item in metas:
        meta = <_Element>item
        node = meta._c_node
        read[0] = read[1] = read[2] = read[3] = NULL
        attr = node.properties
        while attr is not NULL:
            if attr.ns is NULL:  # as ``get`` reads a name without a namespace: the first such
                which = _meta_attribute(<const char*>attr.name)
                if which >= 0 and read[which] is NULL:
                    read[which] = attr
            attr = attr.next
        if read[_META_CONTENT] is NULL:
            continue
        key = None
        for i in range(_META_CONTENT):
            if read[i] is not NULL:
                key = attributeValue(node, read[i])
                if key:
                    break
        if key:
            key = (<str>key).lower()
            if key not in out:
                out[key] = attributeValue(node, read[_META_CONTENT])
    return out


# -- an attribute's value, told set or not in place ----------------------------------------------
cdef bint _attribute_set(tree.xmlNode* node, const char* name) except -1:
    """``bool(el.get(name))``: the element's first attribute ``name`` in no namespace has a value
    that is not empty, read in place where it is one text node (nearly always)."""
    cdef tree.xmlAttr* attr = _plain_attribute(node, name)
    if attr is NULL or attr.children is NULL:
        return False
    cdef tree.xmlNode* text = attr.children
    if text.next is NULL and (text.type == tree.XML_TEXT_NODE or text.type == tree.XML_CDATA_SECTION_NODE):
        return text.content is not NULL and text.content[0] != 0
    return len(attributeValue(node, attr)) > 0


def attribute_values(list elements, str name):
    """``walk.attribute_values_python``'s twin: a string made only for a value that is kept."""
    cdef bytes encoded = name.encode("utf-8")
    cdef const char* wanted = encoded
    cdef list out = []
    cdef tree.xmlNode* node
    cdef tree.xmlAttr* attr
    for item in elements:
        node = (<_Element>item)._c_node
        attr = _plain_attribute(node, wanted)
        if attr is not NULL and attr.children is not NULL:  # no children: an empty value
            value = attributeValue(node, attr)
            if value:
                out.append(value)
    return out
