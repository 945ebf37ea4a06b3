"""Extraction from HTML, with no Scrapy in sight: usable from spiders, scripts and notebooks.

``extract_page(html, url)`` is the one entry point every caller goes through.
"""
from __future__ import annotations

import gc
import logging
from collections.abc import Iterator
from contextlib import contextmanager

from lxml import html as lxml_html

from ..urls import split_or_none
from .generic import GenericExtractor
from .errors import ExtractionError
from .page import Page, parse_html
from .registry import extractor_for, extractor_named, load_packages, register, registered
from .site import SiteExtractor

__all__ = ["extract_page", "ExtractionError", "GenericExtractor", "SiteExtractor", "Page", "parse_html",
           "extractor_for", "extractor_named", "load_packages", "register", "registered"]

log = logging.getLogger(__name__)


def extract_page(html: str | bytes | lxml_html.HtmlElement | Page, url: str,
                 content_type: str | None = None,
                 extractor: type[GenericExtractor] | str | None = None) -> dict:
    """Extract one page: ``{"article": {...} | None, "comments": [...], "page": {...}}``.

    ``html`` may be text, raw bytes (decoded by header, BOM or ``<meta charset>``, and by what
    the bytes show when that reads as mojibake), an lxml tree already parsed (what a Scrapy
    response's selector holds), so a page is parsed once, or the ``Page`` of that tree at
    ``url`` a caller already asked something (the spider's interstitial check), so its
    lookups are made once too. Bytes that are not text (an image or
    archive served as text/html) raise ``ExtractionError``, whose message says what they are.
    Field names are the Parquet column names; dates are ISO 8601 strings in UTC.

    ``extractor`` (a class or a registered name) overrides the registry's choice for ``url``.
    A site extractor that raises is logged with the URL and the generic result is returned
    instead, with ``page["fallback_from"]`` naming the extractor that failed.

    A malformed address inside the page is skipped where it is read; a malformed ``url``
    ("http://[::1") raises ``ExtractionError``: every part reads the page's own address.
    """
    with _collector_paused():
        return _extract(html, url, content_type, extractor)


@contextmanager
def _collector_paused() -> Iterator[None]:
    """Python's cyclic garbage collector paused while a page is extracted. An extraction makes
    hundreds of thousands of short-lived objects and no reference cycles (a test holds that on
    real pages), so the collector's passes over them find nothing: 4-6 % of the time. What the
    caller left for it is collected at the first allocation after."""
    if not gc.isenabled():  # paused by the caller (or another thread's extraction): left so
        yield
        return
    gc.disable()
    try:
        yield
    finally:
        gc.enable()


def _extract(html: str | bytes | lxml_html.HtmlElement | Page, url: str, content_type: str | None,
             extractor: type[GenericExtractor] | str | None) -> dict:
    if split_or_none(url) is None:
        raise ExtractionError(f"not a valid page URL: {url[:200]!r}")
    if isinstance(html, Page):
        page, root = html, html.root
    else:
        root = html if isinstance(html, lxml_html.HtmlElement) else parse_html(html, content_type)
        page = Page(root, url)
    if extractor is None:
        chosen = extractor_for(url)
    elif isinstance(extractor, str):
        chosen = extractor_named(extractor)
    else:
        chosen = extractor
    if chosen is GenericExtractor:
        return GenericExtractor(page).extract()
    tag = f"{chosen.name}/{chosen.version}"
    try:
        return chosen(page).extract()
    except Exception:  # one broken site extractor must not cost the page: generic is the net
        log.exception("Extractor %s failed on %s; using the generic extractor", tag, url)
    result = GenericExtractor(Page(root, url)).extract()
    result["page"]["fallback_from"] = tag
    return result
