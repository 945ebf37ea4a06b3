"""``SiteExtractor``: the base of site extractors. A ``GenericExtractor`` that says which URLs
it serves and adds one method per *comment* field, so a site can fix one comment field (or the
rule that finds a comment's parent) and keep the generic answer for the others.

Article fields are overridden as on ``GenericExtractor`` (``body_text()``, ``author_name()``,
...). Comment fields take one comment element:

    comment_elements()            the comment elements, in document order
    comment_id(el)                the platform's id; None gives a synthetic one
    comment_parent(el)            the comment element ``el`` replies to (default: nesting)
    comment_author(el)            (name, url)
    comment_published_raw(el)     the date as printed; comment_published(el) reads it
    comment_text(el), comment_kind(el), comment_by_post_author(el), comment_is_public(el)

As long as a site overrides none of them, its comments are exactly the generic extractor's.
"""
from __future__ import annotations

from collections.abc import Iterable
from functools import cached_property

from lxml import etree

from .. import dates
from ..text import collapse, join_paragraphs, paragraphs
from . import comments as generic_comments
from .generic import GenericExtractor
from .page import Page

COMMENT_FIELDS = ("comment_elements", "comment_id", "comment_parent", "comment_author",
                  "comment_published_raw", "comment_published", "comment_text", "comment_kind",
                  "comment_by_post_author", "comment_is_public")


class SelectedComments(generic_comments.CommentMarkup):
    """The generic comment markup model (nesting, "own" lookups) over elements a site chose."""

    def __init__(self, page: Page, elements: list[etree._Element], strategy: str):
        self._selected, self._strategy = list(elements), strategy
        super().__init__(page)

    def _find(self) -> tuple[list, list[str | None], str]:
        return self._selected, [self._platform_id(el) for el in self._selected], self._strategy


class SiteExtractor(GenericExtractor):
    #: hosts served, each with its subdomains (``"slashdot.org"`` serves ``linux.slashdot.org``)
    domains: tuple[str, ...] = ()
    #: regular expressions searched in the whole URL; see ``registry`` for how matches rank
    patterns: tuple[str, ...] = ()

    # -- helpers for overrides --------------------------------------------------------
    @staticmethod
    def text_of(el: etree._Element | None, skip: Iterable[etree._Element] = ()) -> str | None:
        """``el``'s paragraphs joined as ``body_text`` and comment ``text`` are."""
        return (join_paragraphs(paragraphs(el, skip=skip)) or None) if el is not None else None

    @staticmethod
    def line_of(el: etree._Element | None) -> str | None:
        """``el``'s text on one line, as names, titles and printed dates are stored."""
        return (collapse(el.text_content()) or None) if el is not None else None

    def own(self, el: etree._Element, query: str) -> list:
        """``query`` results inside comment ``el`` but not inside its replies."""
        return self.comment_markup.own(self._index(el), query)

    def first_own(self, el: etree._Element, query: str):
        found = self.own(el, query)
        return found[0] if found else None

    # -- comments, one method per field -----------------------------------------------
    # The defaults call the per-comment rules of ``comments.py`` itself, so a field a site does
    # not override is the generic answer by construction, not a copy of it.
    @cached_property
    def _generic_markup(self) -> generic_comments.CommentMarkup:
        return generic_comments.CommentMarkup(self.page)

    def comment_elements(self) -> list[etree._Element]:
        return self._generic_markup.elements

    @cached_property
    def comment_markup(self) -> generic_comments.CommentMarkup:
        elements = self.comment_elements()
        if elements is self._generic_markup.elements:
            return self._generic_markup
        return SelectedComments(self.page, elements, "site")

    def _index(self, el: etree._Element) -> int:
        return self.comment_markup._index[id(el)]

    def comment_id(self, el: etree._Element) -> str | None:
        return self.comment_markup.ids[self._index(el)]

    def comment_parent(self, el: etree._Element) -> etree._Element | None:
        parent = self.comment_markup.parent_index(self._index(el))
        return self.comment_markup.elements[parent] if parent is not None else None

    def comment_kind(self, el: etree._Element) -> str:
        return generic_comments._kind(el)

    def comment_author(self, el: etree._Element) -> tuple[str | None, str | None]:
        i = self._index(el)
        if self.comment_kind(el) != "comment":
            return generic_comments._pingback(self.comment_markup, i, self.page.url)[:2]
        return generic_comments._author(self.comment_markup, i, self.page.url)

    def comment_text(self, el: etree._Element) -> str | None:
        i = self._index(el)
        if self.comment_kind(el) != "comment":
            return generic_comments._pingback(self.comment_markup, i, self.page.url)[2]
        return generic_comments._text(self.comment_markup, i)

    def comment_published_raw(self, el: etree._Element) -> str | None:
        return generic_comments._published(self.comment_markup, self._index(el), None, None)[0]

    def comment_published(self, el: etree._Element) -> str | None:
        return dates.iso_utc(self.comment_published_raw(el), self.language(), self._date_offset)

    def comment_by_post_author(self, el: etree._Element) -> bool | None:
        return generic_comments._by_post_author(el, self.comment_markup.strategy, None)

    def comment_is_public(self, el: etree._Element) -> bool:
        return not generic_comments._is_moderated(self.comment_markup, self._index(el))

    # -- the thread -------------------------------------------------------------------
    def _overrides_comments(self) -> bool:
        return any(getattr(type(self), name) is not getattr(SiteExtractor, name)
                   for name in COMMENT_FIELDS)

    @cached_property
    def _comments(self) -> list[dict]:
        if not self._overrides_comments():
            return super()._comments
        rows: list[dict] = []
        row_of: dict[int, dict] = {}
        for el in self.comment_elements():
            if not self.comment_is_public(el):
                continue
            parent = self.comment_parent(el)
            parent_row = row_of.get(id(parent)) if parent is not None else None
            if parent is not None and parent_row is None:
                continue  # the reply to a comment that is not public is not public either
            name, url = self.comment_author(el)
            raw, text = self.comment_published_raw(el), self.comment_text(el)
            row = {
                "comment_id": self.comment_id(el) or generic_comments._synthetic_id(name, raw, text),
                "parent_id": parent_row["comment_id"] if parent_row else None,
                "depth": parent_row["depth"] + 1 if parent_row else 1,
                "author_name": name,
                "author_url": url,
                "published": self.comment_published(el),
                "published_raw": raw,
                "text": text,
                "kind": self.comment_kind(el),
                "by_post_author": self.comment_by_post_author(el),
                "parent_source": "html",
                "page_url": self.page.url,
                "position": len(rows),
            }
            row_of[id(el)] = row
            rows.append(row)
        return rows
