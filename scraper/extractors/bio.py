"""Author bio: the bio box or "about the author" text, or a trailing "<Name> is a ..." paragraph.

The bio is a field of its own and never stays in the body text.
"""
from __future__ import annotations

import re

from lxml import etree

from ..text import collapse, paragraphs
from .page import Page, cls

# Most specific first: a description element inside a bio box beats the whole box.
BIO_QUERIES = (
    f"//*[{cls('author-bio')} or {cls('author-box')} or {cls('about-author')} or {cls('author-info')}"
    f" or {cls('saboxplugin-wrap')} or {cls('author-profile')} or {cls('post-author-box')}]"
    f"//*[{cls('author-description')} or {cls('saboxplugin-desc')} or {cls('author-desc')}"
    f" or {cls('author-bio-text')} or @itemprop='description']",
    f"//*[{cls('author-description')} or {cls('saboxplugin-desc')} or {cls('author-bio-text')}]",
    "//*[@itemprop='author']//*[@itemprop='description']",
    f"//*[{cls('author-bio')} or {cls('about-author')} or {cls('author-box')}]//p",
)
BIO_BOXES = (
    f"//*[{cls('author-bio')} or {cls('author-box')} or {cls('about-author')} or {cls('author-info')}"
    f" or {cls('saboxplugin-wrap')} or {cls('author-profile')} or {cls('post-author-box')}]"
)
_LINK_LINE = re.compile(r"^(view all|all posts|more posts|posts by)\b", re.I)


def _outside_comments(el: etree._Element) -> bool:
    return not el.xpath(f"ancestor::*[@id='comments' or {cls('comment')} or {cls('comment-list')}]")


def bio_from_markup(page: Page) -> tuple[str | None, list[etree._Element]]:
    """The bio text, and the boxes that hold it (so the body can leave them out)."""
    boxes = [b for b in page.xpath(BIO_BOXES) if _outside_comments(b)]
    for query in BIO_QUERIES:
        for el in page.xpath(query):
            if not _outside_comments(el):
                continue
            lines = [p for p in paragraphs(el) if not _LINK_LINE.match(p)]
            text = collapse(" ".join(lines))
            if text:
                return text, boxes or [el]
    person = next((o for o in page.jsonld if o.get("@type") == "Person" and o.get("description")), None)
    return (collapse(str(person["description"])), boxes) if person else (None, boxes)


def split_trailing_bio(body: list[str], author_name: str | None) -> tuple[list[str], str | None]:
    """A last paragraph that introduces the author ("Jane Doe is a writer ...") is the bio."""
    if not body or not author_name or len(body) < 2:
        return body, None
    last = body[-1]
    pattern = re.compile(rf"^{re.escape(author_name)}\s*(,[^.]*,\s*)?(is|was|has been|writes)\b", re.I)
    if pattern.match(last) and len(last) < 600:
        return body[:-1], last
    return body, None
