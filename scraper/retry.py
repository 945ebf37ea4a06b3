"""Retries that honour a server's ``Retry-After``, wired in ``scraper/settings.py`` in place of
Scrapy's ``RetryMiddleware``.

A 429 or 503 that says ``Retry-After: 120`` (or an HTTP-date) is retried no earlier than that:
the retry waits in this middleware, on the reactor, while every other request goes on. A server
asking for more than ``RETRY_AFTER_MAX`` seconds is not asked again for that request: the
response is handed on as it is (the spider logs it as a failed page) with an error saying why.
Any other retryable response, or one without a usable ``Retry-After``, is retried as Scrapy's
``RetryMiddleware`` retries it.
"""
from __future__ import annotations

import logging
from datetime import datetime, timezone
from time import monotonic
from typing import TYPE_CHECKING

from scrapy.downloadermiddlewares.retry import RetryMiddleware
from scrapy.utils.defer import maybe_deferred_to_future
from scrapy.utils.response import response_status_message
from twisted.internet.task import deferLater

from .dates import rfc2822

if TYPE_CHECKING:
    from scrapy import Request, Spider
    from scrapy.http import Response
    from scrapy.settings import BaseSettings

log = logging.getLogger(__name__)

RETRY_AFTER_STATUSES = frozenset({429, 503})
# The wait is slept in steps this long, so a crawl stopped meanwhile (Ctrl-C) is not held up.
WAIT_STEP = 1.0


def retry_after_seconds(value: str | bytes | None, date: str | bytes | None = None,
                        now: datetime | None = None) -> float | None:
    """Seconds a ``Retry-After`` value asks to wait: delay-seconds, or an HTTP-date counted from
    the response's own ``Date`` (so a skewed local clock does not matter), else from ``now``.
    None for a missing or unreadable value; a date already past is 0."""
    text = _text(value)
    if not text:
        return None
    if text.isascii() and text.isdigit():
        return float(text)
    retry_at = _http_date(text)
    if retry_at is None:
        return None
    since = _http_date(_text(date)) or now or datetime.now(timezone.utc)
    return max(0.0, (retry_at - since).total_seconds())


def _text(value: str | bytes | None) -> str:
    if isinstance(value, bytes):
        value = value.decode("latin-1")
    return (value or "").strip()


def _http_date(text: str) -> datetime | None:
    parsed = rfc2822(text)
    return parsed if parsed is None or parsed.tzinfo else parsed.replace(tzinfo=timezone.utc)


class RetryAfterMiddleware(RetryMiddleware):
    """``RetryMiddleware`` that waits out a 429's or 503's ``Retry-After`` before the retry, up
    to ``RETRY_AFTER_MAX`` seconds."""

    def __init__(self, settings: BaseSettings) -> None:
        super().__init__(settings)
        self.retry_after_max = settings.getfloat("RETRY_AFTER_MAX", 300.0)

    async def process_response(self, request: Request, response: Response,
                               spider: Spider | None = None) -> Request | Response:
        if (request.meta.get("dont_retry", False) or response.status not in self.retry_http_codes
                or response.status not in RETRY_AFTER_STATUSES):
            return super().process_response(request, response)
        delay = retry_after_seconds(response.headers.get("Retry-After"), response.headers.get("Date"))
        if delay is None:
            return super().process_response(request, response)
        stats = self.crawler.stats
        if delay > self.retry_after_max:
            stats.inc_value("retry/retry_after_too_long")
            log.error("Gave up on %s: its HTTP %d asks to retry after %.0f s, longer than "
                      "RETRY_AFTER_MAX (%.0f s)", request.url, response.status, delay, self.retry_after_max)
            return response
        retry = self._retry(request, response_status_message(response.status))
        if retry is None:  # retries used up; get_retry_request logged it
            return response
        log.info("Retrying %s in %.0f s, as its HTTP %d's Retry-After asks", request.url, delay,
                 response.status)
        stats.inc_value("retry/retry_after_waits")
        await self._wait(delay)
        return retry

    async def _wait(self, seconds: float) -> None:
        """Sleep without blocking the reactor. A crawl that stops meanwhile ends the wait: the
        retry then goes back to the scheduler, which keeps it (JOBDIR) but sends nothing more."""
        from twisted.internet import reactor

        deadline = monotonic() + seconds
        while (left := deadline - monotonic()) > 0 and self._crawl_running():
            await maybe_deferred_to_future(deferLater(reactor, min(left, WAIT_STEP)))

    def _crawl_running(self) -> bool:
        engine = getattr(self.crawler, "engine", None)
        return bool(engine is None or engine.running)
