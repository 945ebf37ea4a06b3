"""Extraction from HTML, with no Scrapy in sight: usable from spiders, scripts and notebooks.

``extract_page(html, url)`` is the one entry point every caller goes through.
"""
from __future__ import annotations

from lxml import html as lxml_html

from .generic import GenericExtractor
from .page import Page, parse_html
from .registry import extractor_for

__all__ = ["extract_page", "GenericExtractor", "Page", "parse_html", "extractor_for"]


def extract_page(html: str | bytes | lxml_html.HtmlElement, url: str,
                 content_type: str | None = None) -> dict:
    """Extract one page: ``{"article": {...} | None, "comments": [...], "page": {...}}``.

    ``html`` may be text, raw bytes (decoded by header, BOM or ``<meta charset>``), or an lxml
    tree already parsed (what a Scrapy response's selector holds), so a page is parsed once.
    Field names are the Parquet column names; dates are ISO 8601 strings in UTC.
    """
    root = html if isinstance(html, lxml_html.HtmlElement) else parse_html(html, content_type)
    page = Page(root, url)
    return extractor_for(url)(page).extract()
