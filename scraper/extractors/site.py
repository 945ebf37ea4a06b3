"""``SiteExtractor``: the base of site extractors. A ``GenericExtractor`` that says which URLs
it serves, with helpers for overrides. A site fixes one field (or the rule that finds a
comment's parent) and keeps the generic answer for the others.

Article fields are overridden as on ``GenericExtractor`` (``body_text()``, ``author_name()``,
...). Comment fields take one comment element:

    comment_elements()            the comment elements, in document order
    comment_id(el)                the platform's id; None gives a synthetic one
    comment_parent(el)            the comment ``el`` replies to (default: a parent hint, then
                                  WordPress depth-N classes, then nesting)
    comment_author(el)            (name, url)
    comment_published_raw(el)     the date as printed; comment_published(el) reads it
    comment_text(el), comment_kind(el), comment_by_post_author(el), comment_is_public(el)

The comment methods live on ``GenericExtractor`` (backed by ``comments.CommentFields``), so
as long as a site overrides none of them, its comments are exactly the generic extractor's.
"""
from __future__ import annotations

from collections.abc import Iterable

from lxml import etree

from ..text import collapse, join_paragraphs, paragraphs
from .generic import GenericExtractor


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
        markup = self.comment_fields.markup
        return markup.own(markup.index(el), query)

    def first_own(self, el: etree._Element, query: str):
        found = self.own(el, query)
        return found[0] if found else None
