"""Article metadata: title, author, dates, tags, categories, canonical URL, platform ids."""
from __future__ import annotations

import re

from lxml import etree

from ..text import collapse
from ..urls import absolute
from .page import Page, cls

_POST_ID = re.compile(r"(?:^|\s)postid-(\d+)(?:\s|$)")
_REST_POST = re.compile(r"/wp/v2/posts/(\d+)")

TITLE_QUERIES = (
    f"//*[{cls('entry-title')} or {cls('post-title')} or {cls('wp-block-post-title')}"
    f" or {cls('article-title')} or {cls('headline')}][self::h1 or self::h2]",
    "//*[@itemprop='headline']",
    "//article//h1",
    "//h1",
)
AUTHOR_QUERIES = (
    f"//*[{cls('byline')}]//a[@rel='author']",
    f"//*[{cls('byline')}]//*[{cls('fn')} or {cls('author')}]",
    "//a[@rel='author']",
    f"//*[{cls('wp-block-post-author__name')}]",
    f"//*[{cls('author-title')}]",
    "//*[@itemprop='author']//*[@itemprop='name']",
    "//*[@itemprop='author']",
    f"//*[{cls('entry-author')} or {cls('post-author')} or {cls('author-name')}]",
    f"//*[{cls('byline')}]",
)
PUBLISHED_QUERIES = (
    f"//*[{cls('entry-date')} or {cls('published')}]/@datetime",
    f"//*[{cls('wp-block-post-date')}]//time/@datetime",
    "//*[@itemprop='datePublished']/@datetime",
    "//*[@itemprop='datePublished']/@content",
    "//article//time/@datetime",
)
MODIFIED_QUERIES = (
    f"//time[{cls('updated')} and not({cls('published')})]/@datetime",
    "//*[@itemprop='dateModified']/@datetime",
    "//*[@itemprop='dateModified']/@content",
)
TAG_QUERIES = (
    f"//*[{cls('tags-links')} or {cls('taxonomy-post_tag')} or {cls('post-tags')}"
    f" or {cls('entry-tags')}]//a",
    "//a[@rel='tag' and contains(@href, '/tag/')]",
)
CATEGORY_QUERIES = (
    f"//*[{cls('cat-links')} or {cls('taxonomy-category')} or {cls('post-categories')}"
    f" or {cls('entry-categories')}]//a",
    "//a[contains(concat(' ', @rel, ' '), ' category ')]",
)
OUTSIDE_COMMENTS_AND_WIDGETS = (
    "not(ancestor::*[@id='comments' or self::aside or " + " or ".join(cls(c) for c in (
        "comment", "comments-area", "comment-list", "commentlist", "comment-body",
        "wp-block-comments", "wp-block-post-comments", "widget", "sidebar", "widget-area",
        "wp-block-latest-comments", "wp-block-latest-posts")) + "])"
)


def _scoped(query: str) -> str:
    return f"({query})[{OUTSIDE_COMMENTS_AND_WIDGETS}]" if not query.endswith(("/@datetime", "/@content")) else query


def _first_text(page: Page, queries: tuple[str, ...], accept=lambda s: True) -> tuple[str | None, etree._Element | None]:
    for query in queries:
        for el in page.xpath(_scoped(query)):
            text = collapse(el.text_content())
            if text and accept(text):
                return text, el
    return None, None


def _jsonld_name(value: object) -> str | None:
    if isinstance(value, list):
        value = value[0] if value else None
    if isinstance(value, dict):
        value = value.get("name")
    return collapse(str(value)) if value else None


def title(page: Page) -> str | None:
    text, _ = _first_text(page, TITLE_QUERIES)
    if text:
        return text
    for candidate in (page.meta.get("og:title"), (page.jsonld_article or {}).get("headline")):
        if candidate:
            return collapse(str(candidate))
    raw = page.first("//title")
    return collapse(raw.text_content()) if raw is not None else None


_MONTH = r"(?:jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*\.?"
# Labels a byline prints before the name ("By", "Written by:", "Posted by", "Author").
_BYLINE_LABEL = re.compile(
    r"^\s*(?:(?:written|posted|authored|text|words|story|article|reviewed|published)\s+by|by|"
    r"authors?|the author)\s*[:\-–—]?\s*|^By(?=[A-Z])", re.I)
# Where the name ends and the rest of the byline (dates, reading time, roles) begins.
_BYLINE_TAIL = re.compile(
    r"\s*(?:[|•·/]|\s[-–—]\s|[-–—]\s*$|(?:last\s+)?updated\b|updated:|published\b|fact[- ]checked|"
    r"reviewed by|\bon\s+(?:" + _MONTH + r"\s*\d|\d)|" + _MONTH + r"\s+\d{1,2}(?:st|nd|rd|th)?,?\s+\d{4}|"
    r"\d{1,2}\s+" + _MONTH + r"\s+\d{4}|\d{1,4}[-/.]\d{1,2}[-/.]\d{1,4}|\d+\s+min\b).*$", re.I | re.S)
_NOT_A_NAME = re.compile(r"^(view all|all posts|more posts|email|posts by|author|admin|by|"
                         r"written by|posted by|share|follow)\b|https?:|www\.|@|^\W|\d{3}", re.I)


def _author_name(text: str | None, site_name: str | None = None) -> str | None:
    """A byline's text reduced to the name, or None when what is left is not a name."""
    name = _BYLINE_TAIL.sub("", _BYLINE_LABEL.sub("", collapse(text)))
    name = _BYLINE_LABEL.sub("", name).strip(" ,;:|·-–—")
    if not name or len(name) > 80 or _NOT_A_NAME.search(name) or len(name.split()) > 12:
        return None
    if site_name and name.casefold() == site_name.casefold():
        return None
    return name


def join_names(names: list[str]) -> str | None:
    """Several authors as one string, "A, B, C" (the form most multi-author bylines print)."""
    unique = list(dict.fromkeys(n for n in names if n))
    return ", ".join(unique) or None


def _jsonld_people(page: Page, value: object) -> list[str]:
    """Names in a JSON-LD ``author``: a name, a Person, a list, or ``{"@id": ...}`` pointing
    at a Person elsewhere in the ``@graph``."""
    if isinstance(value, list):
        return [n for item in value for n in _jsonld_people(page, item)]
    if isinstance(value, dict):
        if not value.get("name") and value.get("@id"):
            value = page.jsonld_by_id.get(str(value["@id"]), {})
        value = value.get("name")
    name = _author_name(str(value), page.site_name) if isinstance(value, str) else None
    return [name] if name else []


def _meta_author(page: Page) -> str | None:
    for key in ("author", "article:author", "article_author", "parsely-author", "sailthru.author",
                "dc.creator", "byl"):
        name = _author_name(page.meta.get(key), page.site_name)
        if name:
            return name
    return None


def _markup_author(page: Page, queries: tuple[str, ...]) -> tuple[str | None, etree._Element | None]:
    for query in queries:
        for el in page.xpath(_scoped(query)):
            name = _author_name(el.text_content(), page.site_name)
            if name:
                return name, el
    return None, None


def author(page: Page) -> tuple[str | None, str | None]:
    """Name and profile URL of the article's author (never a commenter's).

    Several authors are joined as "A, B, C" (``join_names``). Sources, most trusted first: a
    theme's byline markup (what readers see), the article's JSON-LD ``author`` (Person, list,
    or ``@id`` into the ``@graph``), ``<meta name=author>`` and kin (when not a URL or handle),
    then looser markup (``itemprop=author``, classes naming an author).
    """
    name, el = _markup_author(page, AUTHOR_QUERIES)
    if not name:
        name = join_names(_jsonld_people(page, (page.jsonld_article or {}).get("author")))
    name = name or _meta_author(page)
    if not name:
        name, el = _markup_author(page, LOOSE_AUTHOR_QUERIES)
    if not name:
        return None, author_link(page)
    link = None
    if el is not None:
        link = el if el.tag == "a" else (el.xpath(".//a[@href]") or [None])[0]
    url = absolute(page.url, link.get("href")) if link is not None else None
    return name, url or author_link(page)


def published_raw(page: Page) -> str | None:
    return _first_value(page, PUBLISHED_QUERIES, ("article:published_time", "datepublished",
                                                  "date", "dc.date"), "datePublished")


def modified_raw(page: Page) -> str | None:
    return _first_value(page, MODIFIED_QUERIES, ("article:modified_time", "og:updated_time",
                                                 "datemodified"), "dateModified")


def _first_value(page: Page, queries: tuple[str, ...], meta_keys: tuple[str, ...],
                 jsonld_key: str) -> str | None:
    ld = (page.jsonld_article or {}).get(jsonld_key)
    if ld:
        return str(ld).strip()
    for key in meta_keys:
        if page.meta.get(key):
            return page.meta[key].strip()
    for query in queries:
        for value in page.xpath(query):
            if str(value).strip():
                return str(value).strip()
    return None


def _terms(page: Page, queries: tuple[str, ...]) -> list[str]:
    for query in queries:
        names = [collapse(a.text_content()) for a in page.xpath(_scoped(query))]
        names = list(dict.fromkeys(n for n in names if n))
        if names:
            return names
    return []


def tags(page: Page) -> list[str]:
    found = _terms(page, TAG_QUERIES)
    return found or [collapse(v) for k, v in page.meta.items() if k == "article:tag" and v]


def categories(page: Page) -> list[str]:
    found = _terms(page, CATEGORY_QUERIES)
    section = page.meta.get("article:section")
    return found or ([collapse(section)] if section else [])


def canonical_url(page: Page) -> str:
    href = page.link("canonical") or page.meta.get("og:url")
    return absolute(page.url, href) or page.url


def post_id(page: Page) -> str | None:
    """The platform's own id of the post (WordPress), where the page states it."""
    m = _POST_ID.search(" ".join(page.body_classes).join("  "))
    if m:
        return m.group(1)
    rest = page.link("alternate", "application/json")
    m = _REST_POST.search(rest or "")
    if m:
        return m.group(1)
    value = page.first("//input[@name='comment_post_ID']/@value")
    return str(value) if value else None


def rest_api_root(page: Page) -> str | None:
    href = page.link("https://api.w.org/")
    return absolute(page.url, href) if href else None


def comments_open(page: Page, has_comments: bool) -> bool | None:
    """True with a comment form, False with a closed notice or a thread shown without a form,
    None when the page says nothing either way."""
    if page.xpath("//form[@id='commentform' or contains(@class, 'comment-form')] | //*[@id='respond']"):
        return True
    if page.xpath(f"//*[{cls('no-comments')} or {cls('comments-closed')}]"):
        return False
    return False if has_comments else None
