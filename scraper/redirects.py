"""Redirects that keep the crawl in scope and say when they loop.

Scrapy's redirect middlewares follow a redirect anywhere, and a loop ends silently in the
duplicate filter. Here a redirect is followed only where the spider's ``redirect_refused``
allows it (the blog spider: its own hosts), and a redirect back to a URL of the same chain is
refused as a loop; both reach the request's errback, so the failure is listed in crawl.json.
"""
from __future__ import annotations

import logging
from typing import Any

from scrapy.downloadermiddlewares.redirect import MetaRefreshMiddleware, RedirectMiddleware
from scrapy.exceptions import IgnoreRequest
from scrapy.http import Request

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


class ScopedMetaRefreshMiddleware(_ScopedRedirects, MetaRefreshMiddleware):
    """``<meta http-equiv="refresh">`` redirects, kept in the crawl's scope."""
