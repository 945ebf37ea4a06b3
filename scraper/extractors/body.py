"""Article body: the main content container, minus furniture, as paragraphs."""
from __future__ import annotations

from lxml import etree

from ..text import drop_chrome, paragraphs
from .page import Page, cls
from .regions import boilerplate_within, in_widget

# Structured and platform containers first, most specific first.
CONTAINER_QUERIES = (
    "//*[@itemprop='articleBody']",
    f"//*[{cls('entry-content')}]",
    f"//*[{cls('wp-block-post-content')}]",
    f"//*[{cls('post-content')} or {cls('post-body')} or {cls('post-entry')}]",
    f"//*[{cls('article-content')} or {cls('article-body')} or {cls('article__body')}]",
    f"//*[{cls('story-body')} or {cls('story-content')} or {cls('td-post-content')}]",
    f"//*[{cls('blog-post')} or {cls('single-post-content')} or {cls('content-body')}]",
    "//article",
    "//main",
    "//*[@role='main']",
)
MIN_CONTAINER_CHARS = 40


def _outside_comments(el: etree._Element) -> bool:
    return not el.xpath(
        "ancestor::*[not(self::body or self::html) and (@id='comments' or contains(@class, 'comment-list') or "
        "contains(@class, 'commentlist') or contains(@class, 'comments-area') or "
        "contains(@class, 'comment-content'))]"
    )


def find_container(page: Page) -> etree._Element | None:
    for query in CONTAINER_QUERIES:
        for el in page.xpath(query):
            if in_widget(el) or not _outside_comments(el):
                continue
            if len(el.text_content().strip()) >= MIN_CONTAINER_CHARS:
                return el
    return _densest_block(page)


def _densest_block(page: Page) -> etree._Element | None:
    """Fallback: the element holding the most paragraph text directly."""
    best, best_len = None, 0
    for el in page.xpath("//body//*[p]"):
        if in_widget(el):
            continue
        size = sum(len(p.text_content()) for p in el.iterchildren("p"))
        if size > best_len:
            best, best_len = el, size
    return best


def body_paragraphs(page: Page, container: etree._Element | None,
                    also_skip: list[etree._Element] | None = None) -> list[str]:
    if container is None:
        text = (page.jsonld_article or {}).get("articleBody")
        return [p.strip() for p in str(text).split("\n") if p.strip()] if text else []
    skip = boilerplate_within(container) + list(also_skip or [])
    return drop_chrome(paragraphs(container, skip=skip))
