# cython: language_level=3, boundscheck=False, wraparound=False
"""The compiled twins of the walks in ``walk.py`` (the page index, the body's candidate blocks,
the furniture and link-list walk, the holders of a word in an attribute): libxml2's tree is read directly, and a Python element proxy
is made only for the elements a walk returns or asks a Python rule about. Same elements, same
order as the pure-Python walks."""
from cpython.pyport cimport PY_SSIZE_T_MAX
from cpython.unicode cimport Py_UNICODE_ISSPACE
from libc.string cimport strcmp, strstr

from lxml.includes cimport tree
from lxml.includes.etreepublic cimport _Document, _Element, attributeValue, elementFactory, import_lxml__etree

import_lxml__etree()

cdef inline tree.xmlNode* _after(tree.xmlNode* node, tree.xmlNode* top) noexcept:
    """The node after ``node`` and all below it in document order, never above ``top``;
    NULL past the end."""
    while node is not top and node.next is NULL:
        node = node.parent
    return NULL if node is top else node.next


def index_walk(_Element root, indexed_attributes):
    """``(held, labels, attributes)``: every descendant element of ``root`` with a class or an
    indexed attribute in document order; class string → its elements; (indexed attribute,
    value) → its elements, and ("rel~", a word of ``rel``) → its elements."""
    cdef _Names indexed_names = _Names(indexed_attributes)
    cdef _Document doc = root._doc
    cdef tree.xmlNode* top = root._c_node
    cdef tree.xmlNode* node = top.children
    cdef tree.xmlAttr* attr
    cdef tree.xmlAttr* label_attr
    cdef bint indexed
    cdef list held = []
    cdef dict labels = {}, attributes = {}
    cdef _Element el
    while node is not NULL:
        if node.type == tree.XML_ELEMENT_NODE:
            attr, label_attr, indexed = node.properties, NULL, False
            while attr is not NULL:
                if attr.ns is NULL:
                    if strcmp(<const char*>attr.name, b"class") == 0:
                        label_attr = attr
                    elif not indexed and indexed_names.named(<const char*>attr.name):
                        indexed = True
                attr = attr.next
            if label_attr is not NULL or indexed:
                el = elementFactory(doc, node)
                held.append(el)
                if indexed:
                    _index_attributes(el, indexed_names, attributes)
                if label_attr is not NULL:
                    _append(labels, attributeValue(node, label_attr), el)
            if node.children is not NULL:
                node = node.children
                continue
        node = _after(node, top)
    return held, labels, attributes


cdef inline int _append(dict groups, key, el) except -1:
    group = groups.get(key)
    if group is None:
        groups[key] = [el]
    else:
        (<list>group).append(el)
    return 0


cdef int _index_attributes(_Element el, _Names indexed_names, dict attributes) except -1:
    """The element under each of its indexed attributes' (name, value), in the order of its
    attributes; under each word of its ``rel`` too."""
    cdef tree.xmlNode* node = el._c_node
    cdef tree.xmlAttr* attr = node.properties
    cdef int i
    while attr is not NULL:
        i = indexed_names.position(<const char*>attr.name) if attr.ns is NULL else -1
        if i >= 0:
            name, value = indexed_names.texts[i], attributeValue(node, attr)
            _append(attributes, (name, value), el)
            if name == "rel":
                for word in value.split():
                    _append(attributes, ("rel~", word), el)
        attr = attr.next
    return 0


cdef class _Names:
    """Tag or attribute names as C strings, for ``strcmp`` against libxml2's names."""
    cdef list texts, encoded
    cdef const char* names[32]
    cdef int count

    def __init__(self, names):
        self.texts = list(names)
        self.encoded = [name.encode("ascii") for name in self.texts]
        if len(self.encoded) > 32:
            raise ValueError(f"at most 32 names, not {len(self.encoded)}")
        self.count = len(self.encoded)
        cdef int i
        for i in range(self.count):
            self.names[i] = <bytes>self.encoded[i]

    cdef bint named(self, const char* name) noexcept:
        return self.position(name) >= 0

    cdef int position(self, const char* name) noexcept:
        """The name's place among the names (in ``texts`` too), -1 for none."""
        cdef int i
        for i in range(self.count):
            if strcmp(name, self.names[i]) == 0:
                return i
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
    """Characters of the text written straight into ``element`` (its text and its children's
    tails); an entity reference counts as unbounded."""
    cdef Py_ssize_t count = 0
    cdef tree.xmlNode* node = element.children
    while node is not NULL:
        if _is_text(node):
            count += _code_points(<const unsigned char*>node.content)
        elif node.type == tree.XML_ENTITY_REF_NODE:
            return PY_SSIZE_T_MAX
        node = node.next
    return count


cdef bint _has_child(tree.xmlNode* element, _Names names) noexcept:
    cdef tree.xmlNode* node = element.children
    while node is not NULL:
        if node.type == tree.XML_ELEMENT_NODE and names.has(node):
            return True
        node = node.next
    return False


def block_candidates(_Element root, blocks, own_text_holders, wrappers, Py_ssize_t min_chars):
    """The elements of ``root`` (itself included) in document order, as ``root.iter(*blocks,
    *own_text_holders)`` gives them, less those that cannot hold a block of ``min_chars``
    characters: a block tag whose text is shorter, a holder of its own text (a div) with less
    text of its own and no ``wrappers`` child (a span that may wrap its prose). A bound, never
    the decision: what passes is judged in Python, by the same rules as without this walk."""
    cdef _Names block_names = _Names(blocks), holder_names = _Names(own_text_holders)
    cdef _Names wrapper_names = _Names(wrappers)
    cdef _Document doc = root._doc
    cdef tree.xmlNode* top = root._c_node
    cdef tree.xmlNode* node = top
    cdef list found = []
    while node is not NULL:
        if node.type == tree.XML_ELEMENT_NODE:
            if block_names.has(node):
                if _text_chars(node, min_chars) >= min_chars:
                    found.append(elementFactory(doc, node))
            elif holder_names.has(node):
                if _own_text_chars(node) >= min_chars or _has_child(node, wrapper_names):
                    found.append(elementFactory(doc, node))
            if node.children is not NULL:
                node = node.children
                continue
        node = _after(node, top)
    return found


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


cdef class _LinkWalk:
    cdef _Document doc
    cdef object is_furniture
    cdef _Names judged_by_tag, link_lists
    cdef Py_ssize_t max_chars
    cdef double share
    cdef list skip

    cdef bint _furniture(self, tree.xmlNode* node) except -1:
        """``is_furniture`` asked only where it can say yes: an element with attributes, or
        of a tag judged by its name alone."""
        if node.properties is NULL and not self.judged_by_tag.has(node) and not _has_upper(<const char*>node.name):
            return False
        el = elementFactory(self.doc, node)
        if self.is_furniture(el):
            self.skip.append(el)
            return True
        return False

    cdef int walk(self, tree.xmlNode* el, bint in_link, Py_ssize_t* text, Py_ssize_t* links) except -1:
        cdef bint link = in_link or (el.ns is NULL and strcmp(<const char*>el.name, b"a") == 0)
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


def link_walk(_Element container, is_furniture, judged_by_tag, link_lists, Py_ssize_t max_chars, double share):
    """``walk.link_walk_python``'s twin: furniture (``is_furniture``) and link lists found in
    one post-order walk of ``container``; a Python proxy is made only for an element that has
    attributes or a tag of ``judged_by_tag``, or that is found."""
    cdef _LinkWalk walker = _LinkWalk()
    cdef Py_ssize_t text = 0, links = 0
    walker.doc, walker.is_furniture, walker.skip = container._doc, is_furniture, []
    walker.judged_by_tag, walker.link_lists = _Names(judged_by_tag), _Names(link_lists)
    walker.max_chars, walker.share = max_chars, share
    walker.walk(container._c_node, False, &text, &links)
    return walker.skip


cdef int _attribute_holds(tree.xmlNode* element, tree.xmlAttr* attr, const char* word, str word_text) except -1:
    """``word`` in the attribute's value: its one text node read in place; any other value
    (none, or split across nodes) read as lxml reads it."""
    cdef tree.xmlNode* text = attr.children
    if text is not NULL and text.next is NULL and text.type == tree.XML_TEXT_NODE:
        return strstr(<const char*>text.content, word) is not NULL
    return word_text in attributeValue(element, attr)


def word_holders(_Element root, str word):
    """``walk.word_holders_python``'s twin: the elements of ``root``'s whole document (as
    ``//@*`` reads it, strays beside the root included) with ``word`` in an attribute's value,
    in document order, each once."""
    cdef bytes encoded = word.encode("utf-8")
    cdef _Document doc = root._doc
    cdef tree.xmlNode* top = <tree.xmlNode*>doc._c_doc
    cdef tree.xmlNode* node = top.children
    cdef tree.xmlAttr* attr
    cdef list found = []
    while node is not NULL:
        if node.type == tree.XML_ELEMENT_NODE:
            attr = node.properties
            while attr is not NULL:
                if _attribute_holds(node, attr, encoded, word):
                    found.append(elementFactory(doc, node))
                    break
                attr = attr.next
            if node.children is not NULL:
                node = node.children
                continue
        node = _after(node, top)
    return found
