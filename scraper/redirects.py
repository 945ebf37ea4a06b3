"""Redirects that keep the crawl in scope and say when they loop.

Scrapy's redirect middlewares follow a redirect anywhere, and a loop ends silently in the
duplicate filter. Here a redirect is followed only where the spider's ``redirect_refused``
allows it (the blog spider: its own hosts), and a redirect back to a URL of the same chain is
refused as a loop; both reach the request's errback, so the failure is listed in crawl.json.
"""
from __future__ import annotations

import codecs
import logging
from typing import Any

from scrapy.downloadermiddlewares.redirect import MetaRefreshMiddleware, RedirectMiddleware
from scrapy.exceptions import IgnoreRequest
from scrapy.http import HtmlResponse, Request, Response

log = logging.getLogger(__name__)


class _ScopedRedirects:
    crawler: Any

    def _redirect(self, redirected: Request, request: Request, reason: Any) -> Request:
        chain = [*request.meta.get("redirect_urls", []), request.url]
        if redirected.url in chain:
            raise IgnoreRequest(f"redirect loop: {' → '.join(chain + [redirected.url])}")
        refused = getattr(self.crawler.spider, "redirect_refused", None)
        why = refused(request.url, redirected.url) if refused else None
        if why:
            self.crawler.stats.inc_value("redirect/refused_out_of_scope")
            raise IgnoreRequest(f"{why} ({request.url} → {redirected.url})")
        return super()._redirect(redirected, request, reason)  # type: ignore[misc]


class ScopedRedirectMiddleware(_ScopedRedirects, RedirectMiddleware):
    """HTTP 3xx redirects, kept in the crawl's scope."""


# Scrapy looks for a meta refresh in the first 4,096 characters of a page's text
# (``scrapy.utils.response.get_meta_refresh``), for a tag whose lower-cased attributes hold
# "refresh" (w3lib). Those characters come from the first 4 bytes a character of UTF-8 (and
# of any encoding of ``ASCII_AS_IS``), after a byte-order mark.
META_REFRESH_CHARS = 4096
_REFRESH_BYTES = 4 * META_REFRESH_CHARS + len(codecs.BOM_UTF8)


# Encodings, as Scrapy names them (``codecs`` names), whose text holds an ASCII character only
# where the bytes hold that very byte: UTF-8, and one-byte codecs that keep ASCII and map no
# other byte into it (tests/test_meta_refresh.py decodes their 256 bytes). UTF-16, EBCDIC,
# the stateful ISO-2022 and UTF-7, and codecs of two-byte characters are left out: the word
# could be in their text and not in their bytes, and their pages get Scrapy's check.
ASCII_AS_IS = frozenset({
    "utf-8", "ascii", "cp1250", "cp1251", "cp1252", "cp1253", "cp1254", "cp1255", "cp1256", "cp1257",
    "cp1258", "iso8859-1", "iso8859-2", "iso8859-3", "iso8859-4", "iso8859-5", "iso8859-6", "iso8859-7",
    "iso8859-8", "iso8859-9", "iso8859-10", "iso8859-13", "iso8859-14", "iso8859-15", "iso8859-16",
    "koi8-r", "koi8-u", "tis-620",
})


def may_refresh(response: Response) -> bool:
    """False when ``response`` cannot declare a meta refresh Scrapy follows: the start of its
    text holds no "refresh" (in any case; no other character lower-cases to one of its
    letters), seen in the bytes where its encoding writes ASCII as itself. Most pages declare
    none; ruling it out this way spares Scrapy's check decoding the whole body."""
    if not isinstance(response, HtmlResponse) or b"refresh" in response.body[:_REFRESH_BYTES].lower():
        return True
    return response.encoding not in ASCII_AS_IS


class ScopedMetaRefreshMiddleware(_ScopedRedirects, MetaRefreshMiddleware):
    """``<meta http-equiv="refresh">`` redirects, kept in the crawl's scope."""

    def process_response(self, request: Request, response: Response, *args: Any, **kwargs: Any) -> Any:
        if not may_refresh(response):
            return response
        return super().process_response(request, response, *args, **kwargs)
