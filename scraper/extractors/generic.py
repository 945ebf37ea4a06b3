"""The generic extractor: one method per field, composed from the body, metadata, bio and
comments parts. Site extractors subclass it and override only the fields they get wrong."""
from __future__ import annotations

import unicodedata
from functools import cached_property

from lxml import etree

from .. import commentsystems, dates
from ..text import drop_chrome, join_paragraphs
from ..urls import article_id, normalize_url, site_of
from . import arbiter, bio, blocks, body, comments, interstitial, kind, links, metadata
from .page import Page

LISTING_CLASSES = frozenset({"home", "archive", "category", "tag", "author", "date",
                             "search", "search-results", "error404", "paged"})
SINGULAR_CLASSES = frozenset({"single", "single-post", "singular", "page-template-default"})
ARTICLE_OG_TYPES = frozenset({"article", "blog", "blogposting"})


def _drupal_node_page(classes: set[str]) -> bool:
    """Drupal's page of one node ("path-node page-node-type-article"); its listings are views
    ("path-frontpage", "path-taxonomy", and the bare "path-node" of ``/node``)."""
    return "path-node" in classes and any(c.startswith("page-node-type-") for c in classes)


class GenericExtractor:
    name = "generic"
    version = "3"

    def __init__(self, page: Page):
        self.page = page

    # -- page kind --------------------------------------------------------------------
    def is_article(self) -> bool:
        """A record: a page with main content that is not a listing. Main content is prose
        (``_is_prose_record``) or, on a page that is not a listing, a list of links to other sites."""
        return self._is_prose_record() or (not self._listing_classes() and self._links_page is not None)

    def page_kind(self) -> str:
        """``post`` or ``page`` (``kind``: evidence of a post wins, a page needs a marker)."""
        return kind.page_kind(self.page, bool(self._comments), self._links_page is not None)

    def _listing_classes(self) -> bool:
        classes = self.page.body_classes
        if classes >= {"blog", "home"}:  # WordPress's posts index
            return True
        listing = classes & LISTING_CLASSES
        if listing == {"home"}:
            # "home" only says the page is the site's front page: a blog's front page lists its
            # posts (linked headings), a club's or a firm's is a page of prose.
            return self.container is None or self._body.linked_headings(self.container) > 0
        return bool(listing)

    def _is_prose_record(self) -> bool:
        """Platform and structured signals first; without any, the shape of the content: one
        dominant block of prose is an article, a grid of teasers is a listing."""
        classes = self.page.body_classes
        if classes & SINGULAR_CLASSES or _drupal_node_page(classes):
            return True
        # What the page says of itself beats what its theme's body classes suggest.
        if self.page.jsonld_article is not None:
            return True
        if (self.page.meta.get("og:type") or "").lower() in ARTICLE_OG_TYPES:
            return True
        if self._listing_classes():
            return False
        if self.container is None:
            return False
        if self._comments:
            return True  # a page that carries its own comment thread is a post
        return self._body.looks_like_article()

    # -- shared intermediate results ----------------------------------------------------
    @cached_property
    def _body(self) -> body.BodyAnalysis:
        return body.BodyAnalysis(self.page)

    @property
    def container(self) -> etree._Element | None:
        return self._body.container

    @cached_property
    def _links_page(self) -> links.LinkList | None:
        """The page's list of links to other sites, where its content is that and not prose."""
        return None if self._body.looks_like_article() else links.find(self.page)

    @cached_property
    def _bio_markup(self) -> tuple[str | None, list[etree._Element]]:
        return bio.bio_from_markup(self.page, self.author_name())

    @cached_property
    def _body_choice(self) -> arbiter.BodyChoice:
        """The container's paragraphs, checked against the independent strategies."""
        container = self._body.paragraphs(also_skip=self._bio_markup[1])
        choice = arbiter.choose(container, self._block_paragraphs(), body.article_body_paragraphs(self.page),
                                self._body.section_headings())
        if choice.source == "container":
            return choice
        # Another strategy's text passes the same interface-line filter as the container's.
        return arbiter.BodyChoice(drop_chrome(choice.paragraphs), choice.source, choice.confidence)

    def _block_paragraphs(self) -> list[str]:
        """The classifier's text, never a comment's, a comment area's or the bio box's: a block
        is left out when it or the furniture holding it is one of those."""
        readers = {id(el) for el in [*self._bio_markup[1], *self.comment_elements()]}
        return blocks.good_block_texts(self._body.text_blocks, self.language(), readers, body.is_comment_area)

    @cached_property
    def _body_and_trailing_bio(self) -> tuple[list[str], str | None]:
        paras = self._body_choice.paragraphs
        if self._bio_markup[0]:
            return bio.without_bio(paras, self._bio_markup[0]), None
        return bio.split_trailing_bio(paras, self.author_name())

    @cached_property
    def _author(self) -> tuple[str | None, str | None]:
        return metadata.author(self.page)

    @cached_property
    def _date_offset(self):
        return dates.utc_offset(self.published_raw())

    # -- fields -----------------------------------------------------------------------
    def url(self) -> str:
        return self.page.url

    def canonical_url(self) -> str:
        return normalize_url(metadata.canonical_url(self.page))

    def site(self) -> str:
        return site_of(self.canonical_url())

    def post_id(self) -> str | None:
        return metadata.post_id(self.page)

    def title(self) -> str | None:
        return metadata.title(self.page)

    def author_name(self) -> str | None:
        return self._author[0]

    def author_url(self) -> str | None:
        return self._author[1]

    def author_bio(self) -> str | None:
        bio_text = self._bio_markup[0] or self._body_and_trailing_bio[1]
        return unicodedata.normalize("NFC", bio_text) if bio_text else None

    def published_raw(self) -> str | None:
        return metadata.published_raw(self.page)

    def published(self) -> str | None:
        return dates.iso_utc(self.published_raw(), self.language())

    def modified_raw(self) -> str | None:
        return metadata.modified_raw(self.page)

    def modified(self) -> str | None:
        return dates.iso_utc(self.modified_raw(), self.language(), self._date_offset)

    def body_text(self) -> str | None:
        if self._links_page is not None:  # the prose path drops lists of links as menus
            paras = links.paragraphs(self._links_page, self.page.url)
        else:
            paras = self._body_and_trailing_bio[0]
        # NFC: the same words are the same code points whichever way the page composed them.
        return unicodedata.normalize("NFC", join_paragraphs(paras)) or None

    def body_confidence(self) -> float | None:
        """How far the independent strategies agree on the body (0-1); None without a body,
        where no other strategy has text to compare, and on a page of links, which the prose
        strategies do not read."""
        if self._links_page is not None or not self.body_text():
            return None
        return self._body_choice.confidence

    def body_source(self) -> str | None:
        """Which way gave the body: container, blocks, articleBody or links."""
        if not self.body_text():
            return None
        return "links" if self._links_page is not None else self._body_choice.source

    def tags(self) -> list[str]:
        return metadata.tags(self.page)

    def categories(self) -> list[str]:
        return metadata.categories(self.page)

    def language(self) -> str | None:
        return self.page.language

    def comments_open(self) -> bool | None:
        return metadata.comments_open(self.page, bool(self._comments))

    @cached_property
    def _comments(self) -> list[dict]:
        return comments.build_thread(self)

    # -- comment fields: one method per field, each taking one comment element ----------
    @cached_property
    def _generic_comment_fields(self) -> comments.CommentFields:
        return comments.CommentFields(self.page, self.language(), self._date_offset)

    @cached_property
    def comment_fields(self) -> comments.CommentFields:
        """The generic rules over this extractor's comment elements."""
        elements = self.comment_elements()
        generic = self._generic_comment_fields
        if elements is generic.markup.elements:
            return generic
        return comments.CommentFields(self.page, self.language(), self._date_offset, elements)

    def comment_elements(self) -> list[etree._Element]:
        return self._generic_comment_fields.comment_elements()

    def comment_id(self, el: etree._Element) -> str | None:
        return self.comment_fields.comment_id(el)

    def comment_parent(self, el: etree._Element) -> etree._Element | None:
        return self.comment_fields.comment_parent(el)

    def comment_kind(self, el: etree._Element) -> str:
        return self.comment_fields.comment_kind(el)

    def comment_author(self, el: etree._Element) -> tuple[str | None, str | None]:
        return self.comment_fields.comment_author(el)

    def comment_text(self, el: etree._Element) -> str | None:
        return self.comment_fields.comment_text(el)

    def comment_published_raw(self, el: etree._Element) -> str | None:
        return self.comment_fields.comment_published_raw(el)

    def comment_published(self, el: etree._Element) -> str | None:
        return self.comment_fields.comment_published(el)

    def comment_by_post_author(self, el: etree._Element) -> bool | None:
        return self.comment_fields.comment_by_post_author(el)

    def comment_is_public(self, el: etree._Element) -> bool:
        return self.comment_fields.comment_is_public(el)

    def comments(self) -> list[dict]:
        return [dict(c) for c in self._comments]

    def declared_comment_count(self) -> int | None:
        return metadata.declared_comment_count(self.page)

    def comment_page_urls(self) -> list[str]:
        return comments.comment_page_urls(self.page)

    def rest_api_root(self) -> str | None:
        return metadata.rest_api_root(self.page)

    @cached_property
    def _comment_embed(self) -> commentsystems.Embed | None:
        return commentsystems.detect(self.page)

    def comment_system(self) -> str | None:
        """The comment system the page embeds or is built on (``scraper/commentsystems``)."""
        return self._comment_embed.system if self._comment_embed else None

    # -- the record -------------------------------------------------------------------
    ARTICLE_FIELDS = ("url", "canonical_url", "site", "page_kind", "post_id", "title", "author_name",
                      "author_url", "author_bio", "published", "published_raw", "modified",
                      "modified_raw", "body_text", "body_confidence", "body_source", "tags", "categories", "language",
                      "comments_open", "comment_system", "declared_comment_count")

    def article(self) -> dict:
        record = {name: getattr(self, name)() for name in self.ARTICLE_FIELDS}
        record["article_id"] = article_id(record["canonical_url"])
        record["bio_source"] = "html" if record["author_bio"] else None
        return record

    def extract(self) -> dict:
        """``{"article": {...} | None, "comments": [...], "page": {...}}``."""
        served_instead = interstitial.interstitial(self.page)
        is_article = served_instead is None and self.is_article()
        article = self.article() if is_article else None
        thread = self.comments() if is_article else []
        tag = f"{self.name}/{self.version}"  # which code made each row, to re-extract its rows later
        if article is not None:
            article["comment_count"] = len(thread)
            article["extractor"] = tag
            # Why the stored text is not the whole page, for people: "; "-joined reasons.
            article["truncated"] = "; ".join(self.page.truncated) or None
            for row in thread:
                row["article_id"] = article["article_id"]
                row["article_url"] = article["canonical_url"]
                row["extractor"] = tag
        return {
            "article": article,
            "comments": thread,
            "page": {
                "is_article": is_article,
                "extractor": tag,
                "comment_page_urls": self.comment_page_urls() if is_article else [],
                "declared_comment_count": article["declared_comment_count"] if article else None,
                "rest_api_root": self.rest_api_root(),
                # What the spider asks the comment system for (its endpoint's parameters).
                "comment_system": self._comment_embed.as_dict() if is_article and self._comment_embed else None,
                "interstitial": served_instead,  # a challenge or block page served instead
                "truncated": list(self.page.truncated),  # why part of the page was not read
            },
        }
