"""Author bio: the bio box or "about the author" text, or a trailing "<Name> is a ..." paragraph.

The bio is a field of its own and never stays in the body text.
"""
from __future__ import annotations

import re
from collections.abc import Iterator

from lxml import etree

from ..text import collapse, paragraphs
from .metadata import BIO_HEADING as _BIO_HEADING, PRINTED_DATE
from .page import Page

_BOX_CLASSES = ("author-bio", "author-box", "about-author", "author-info", "saboxplugin-wrap",
                "author-profile", "post-author-box", "author-card", "author-details", "author-about",
                "elementor-author-box", "author-block", "authorbox", "abh_box", "m-a-box")
_DESCRIPTION_CLASSES = ("author-description", "saboxplugin-desc", "author-bio-text", "author-desc",
                        "elementor-author-box__bio", "author-bio-content", "author-text")
# Themes' own variants ("author-bio-box", "post-about-author"): tried last, as substrings.
_BOX_PARTS = ("author-bio", "about-author", "author-box")
_LINK_LINE = re.compile(r"^(view all|all posts|more posts|posts by|read more|see all|follow)\b", re.I)
_EMAIL = re.compile(r"\S@\S+\.\w")
_MIN_BIO_WORDS = 6  # a bio says something about its author; a name or a job title does not
_MIN_UNSPACED_CHARS = 30
_TRAILING_BIO_MAX_CHARS = 600
_BIO_SECTION_ELEMENTS = 2


def _outside_comments(el: etree._Element) -> bool:
    return not any(a.get("id") == "comments" or {"comment", "comment-list"} & set((a.get("class") or "").split())
                   for a in el.iterancestors())


def _bio_lines(lines: list[str], author_name: str | None) -> str | None:
    """The lines that say something about the author: no labels, links, bylines, addresses,
    nor the name alone."""
    name = re.escape(author_name or "\0")
    label = re.compile(rf"^(?:(?:about the author|about|author|written by|by)\b\W*(?:{name}\b)?|{name}$)\W*", re.I)
    kept = []
    for line in lines:
        line = "" if _BIO_HEADING.match(line) else label.sub("", line, count=1)
        short = len(line.split()) < 15
        if (line and not _LINK_LINE.match(line) and not line.startswith("@") and not _EMAIL.search(line)
                and not (short and PRINTED_DATE.search(line))):
            kept.append(line)
    text = collapse(" ".join(kept))
    return text if _says_something(text) else None


def _says_something(text: str) -> bool:
    """A sentence or two, not a name, a job title or a row of links: enough words, some of
    them lower-case (function words), or, in scripts written without spaces, enough letters."""
    words = text.split()
    if len(words) < 3:
        return len(text) >= _MIN_UNSPACED_CHARS and not text.isascii()
    return len(words) >= _MIN_BIO_WORDS and sum(w[0].islower() for w in words) >= 2


def _candidates(page: Page, boxes: list[etree._Element]) -> Iterator[etree._Element]:
    """Elements that may hold the bio, most specific first: a description inside a bio box
    beats the whole box. Lazy: most pages stop at the first."""
    box_ids = {id(b) for b in boxes}
    descriptions = page.with_class(*_DESCRIPTION_CLASSES)
    yield from (d for d in descriptions if any(id(a) in box_ids for a in d.iterancestors()))
    yield from (d for b in boxes for d in b.iterdescendants() if d.get("itemprop") == "description")
    yield from page.with_class(*_DESCRIPTION_CLASSES[:3])
    yield from (d for d in page.with_attribute("itemprop", "description")
                if any(a.get("itemprop") == "author" for a in d.iterancestors()))
    yield from boxes
    yield from page.with_class_where(lambda name: any(part in name for part in _BOX_PARTS))


def _from_boxes(page: Page, author_name: str | None) -> tuple[str | None, list[etree._Element]]:
    boxes = [b for b in page.with_class(*_BOX_CLASSES) if _outside_comments(b)]
    for el in _candidates(page, boxes):
        if not _outside_comments(el):
            continue
        text = _bio_lines(paragraphs(el), author_name)
        if text:
            return text, boxes + [el]
    return None, boxes


def _section_after(heading: etree._Element) -> list[etree._Element]:
    """The few elements after a heading, up to the next heading: a bio is a paragraph or two."""
    section = []
    for sibling in heading.itersiblings():
        if sibling.tag in ("h1", "h2", "h3", "h4", "h5", "h6") or len(section) == _BIO_SECTION_ELEMENTS:
            break
        section.append(sibling)
    return section


def _from_heading(page: Page, author_name: str | None) -> tuple[str | None, list[etree._Element]]:
    about_name = f"about {author_name}".casefold() if author_name else None
    for heading in page.root.iter("h2", "h3", "h4", "h5", "h6"):
        title = collapse(heading.text_content())
        if not (_BIO_HEADING.match(title) or title.casefold() == about_name) or not _outside_comments(heading):
            continue
        section = _section_after(heading)
        text = _bio_lines([p for el in section for p in paragraphs(el)], author_name)
        if text:
            return text, [heading, *section]
    return None, []


def _from_jsonld(page: Page, author_name: str | None) -> str | None:
    """The ``description`` of the JSON-LD Person who wrote the article (not of anyone named)."""
    author = (page.jsonld_article or {}).get("author")
    refs = {str(a.get("@id")) for a in (author if isinstance(author, list) else [author])
            if isinstance(a, dict) and a.get("@id")}
    name = (author_name or "").casefold()
    for obj in page.jsonld:
        if obj.get("@type") != "Person" or not obj.get("description"):
            continue
        if str(obj.get("@id")) in refs or collapse(str(obj.get("name"))).casefold() == name:
            return _bio_lines([collapse(str(obj["description"]))], author_name)
    return None


def bio_from_markup(page: Page, author_name: str | None = None) -> tuple[str | None, list[etree._Element]]:
    """The bio text, and the elements that hold it (so the body can leave them out).

    Sources, in order: a bio box (``.author-bio``, ``.about-author``, ``.author-box``, Simple
    Author Box's ``saboxplugin``, ``itemprop=description`` in the author ...), a section
    headed "About the author" (or "About <author name>"), the JSON-LD Person's
    ``description``. Text of fewer than six words (a name, a job title) is no bio."""
    text, holders = _from_boxes(page, author_name)
    if text:
        return text, holders
    text, section = _from_heading(page, author_name)
    if text:
        return text, holders + section
    return _from_jsonld(page, author_name), holders


def without_bio(body: list[str], bio: str | None) -> list[str]:
    """The body without paragraphs that are part of the bio, wherever the markup put them."""
    if not bio:
        return body
    folded = collapse(bio).casefold()
    return [p for p in body if collapse(p).casefold() not in folded]


def split_trailing_bio(body: list[str], author_name: str | None) -> tuple[list[str], str | None]:
    """A last paragraph that introduces the author ("Jane Doe is a writer ...") is the bio."""
    if not body or not author_name or len(body) < 2:
        return body, None
    last = body[-1]
    pattern = re.compile(rf"^{re.escape(author_name)}\s*(,[^.]*,\s*)?(is|was|has been|writes)\b", re.I)
    if pattern.match(last) and len(last) < _TRAILING_BIO_MAX_CHARS:
        return body[:-1], last
    return body, None
