"""Post or page: what kind of record a page with main content is.

A post is an entry of the blog's dated stream; a page stands outside it (About, Contact, a page
of links, a static page). The rules are the tables below, read in one order:

1. evidence of a post wins: the platform's post classes, an article type in JSON-LD, a date in
   the URL path, an OpenGraph publication time, a comment thread on the page;
2. else a page marker makes a page: the platform's page classes, a page type in JSON-LD,
   ``og:type`` profile, a static page's URL (``/about/``, Blogger's ``/p/…``), a page of links;
3. else a post: today's records, unchanged.

Marking a post as a page loses it from the stream a reader of posts selects, so a page needs a
positive marker and no post evidence. The absence of a date alone is no marker: many articles
print none. Whether the page is a record at all (listings are not) is decided elsewhere.
"""
from __future__ import annotations

import re
from urllib.parse import urlsplit

from .page import Page, jsonld_types

POST = "post"
PAGE = "page"  # the values of the articles column page_kind (pipelines/schema.py)

# Body classes a platform prints on one kind only. WordPress: posts get ``single``,
# ``single-post`` and ``postid-N``, pages ``page-id-N`` and ``page-template[-…]``; Drupal names
# the node type (``page-node-type-page`` is its "Basic page").
POST_CLASSES = frozenset({"single", "single-post"})
POST_CLASS_PREFIXES = ("postid-", "single-format-", "page-node-type-article", "page-node-type-blog",
                       "page-node-type-news", "page-node-type-post")
PAGE_CLASSES = frozenset({"page-node-type-page", "home"})  # "home": the site's front page
PAGE_CLASS_PREFIXES = ("page-id-", "page-template")
# schema.org types: the article family is a post; these say the page is about something else.
PAGE_JSONLD_TYPES = frozenset({"AboutPage", "ContactPage", "ProfilePage", "CollectionPage"})
PAGE_OG_TYPES = frozenset({"profile"})
# Meta tags only an article carries (Yoast and most plugins print them on posts, not pages).
POST_META = ("article:published_time",)
# Last path segment of a site's static pages, in the languages of the corpora.
PAGE_SLUGS = frozenset({
    "about", "about-us", "about-me", "about-the-blog", "about-this-blog", "contact", "contact-us",
    "contact-me", "links", "blogroll", "colophon", "imprint", "impressum", "privacy",
    "privacy-policy", "datenschutz", "datenschutzerklaerung", "disclaimer", "terms", "faq", "now",
    "uses", "team", "ueber-uns", "uber-uns", "über-uns", "ueber-mich", "uber-mich", "über-mich",
    "kontakt", "a-propos", "qui-sommes-nous", "chi-siamo", "contacto", "acerca-de", "sobre",
})
_DATE_PATH = re.compile(r"/(?:19|20)\d\d/(?:0?[1-9]|1[0-2])/")
_BLOGGER_PAGE = re.compile(r"/p/[^/]+\.html$")


def _has(classes: set[str], names: frozenset[str], prefixes: tuple[str, ...]) -> bool:
    return bool(classes & names) or any(c.startswith(prefixes) for c in classes)


def _slug(url: str) -> str:
    path = urlsplit(url).path.rstrip("/")
    return path.rsplit("/", 1)[-1].lower().removesuffix(".html").removesuffix(".php")


def post_evidence(page: Page, has_thread: bool) -> str | None:
    """The first sign that the page is a post, named; None without any."""
    if _has(page.body_classes, POST_CLASSES, POST_CLASS_PREFIXES):
        return "post classes"
    if page.jsonld_article is not None:
        return "JSON-LD article"
    if _DATE_PATH.search(urlsplit(page.url).path):
        return "date in URL"
    if any(page.meta.get(name) for name in POST_META):
        return "published_time meta"
    return "comment thread" if has_thread else None


def page_marker(page: Page, links_page: bool) -> str | None:
    """The first sign that the page stands outside the stream of posts, named; None without any."""
    if _has(page.body_classes, PAGE_CLASSES, PAGE_CLASS_PREFIXES):
        return "page classes"
    if any(jsonld_types(o) & PAGE_JSONLD_TYPES for o in page.jsonld):
        return "JSON-LD page type"
    if (page.meta.get("og:type") or "").lower() in PAGE_OG_TYPES:
        return "og:type profile"
    if _slug(page.url) in PAGE_SLUGS or _BLOGGER_PAGE.search(urlsplit(page.url).path):
        return "page URL"
    return "page of links" if links_page else None


def page_kind(page: Page, has_thread: bool, links_page: bool) -> str:
    """``"page"`` with a page marker and no evidence of a post, else ``"post"``."""
    if post_evidence(page, has_thread) is None and page_marker(page, links_page) is not None:
        return PAGE
    return POST

