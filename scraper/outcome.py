"""How a crawl ended, in one word and one exit code: written to ``crawl.json`` and returned by
``scrapy crawl``, ``scrapy reextract`` and ``scrapy demo``, so a script or a scheduler can tell a
complete archive from a partial or failed one without reading the log. README lists the codes."""
from __future__ import annotations

import asyncio
import logging
import sys
from typing import TYPE_CHECKING, Any

from scrapy.utils.defer import deferred_from_coro
from twisted.internet.defer import Deferred
from twisted.python.failure import Failure

if TYPE_CHECKING:
    from scrapy.crawler import Crawler, CrawlerProcessBase

log = logging.getLogger(__name__)

# outcome → (exit code, what it means). Codes 1 and 2 are Scrapy's own for a crawl that could not
# start and for a command line it could not read; ours follow them.
OUTCOMES: dict[str, tuple[int, str]] = {
    "finished": (0, "the crawl finished: every page was fetched and stored, or is gone from the site "
                    "(404, 410: listed in crawl.json's errors all the same)"),
    "setup_error": (1, "the crawl could not start (no start URL, its folder in use or not writable, ...)"),
    "finished_with_errors": (3, "the crawl finished, but some requests failed or some pages could not be "
                                "stored: crawl.json's errors lists each with its URL"),
    "failed": (4, "nothing was fetched: the start URL (and every other request) failed"),
    "interrupted": (5, "stopped before the end (Ctrl-C, SIGTERM, a shutdown): run it again with the "
                       "same JOBDIR to resume"),
    "write_error": (6, "stopped because the dataset or the WARC files could not be written (a full "
                       "disk?): the rows stored so far are whole"),
}
WRITE_ERROR_REASONS = frozenset({"dataset_write_error", "warc_write_error"})


class CrawlSetupError(Exception):
    """The crawl cannot start; the message says what is wrong and what to do, in one line."""


def outcome(finish_reason: str | None, fetched: int, failures: int, listed: int,
            write_failed: bool = False) -> str:
    """The outcome of a crawl closed with ``finish_reason`` (Scrapy's), which received
    ``fetched`` answers that were not errors, listed ``listed`` errors of which ``failures``
    cost content (requests that failed, pages not stored, threads known to be incomplete; not a
    404), and whose dataset could (not) be written."""
    if write_failed or finish_reason in WRITE_ERROR_REASONS:
        return "write_error"
    # A limit the user set (CLOSESPIDER_PAGECOUNT, ...) ends the crawl as asked.
    if finish_reason != "finished" and not (finish_reason or "").startswith("closespider_"):
        return "interrupted"
    if fetched == 0 and listed:  # everything it tried failed, a 404 start page too
        return "failed"
    return "finished_with_errors" if failures else "finished"


def exit_code(name: str) -> int:
    return OUTCOMES[name][0]


def run(process: CrawlerProcessBase, crawler: Crawler, **spider_args: Any) -> int:
    """Run ``crawler`` on ``process`` to its end; its exit code. A crawl that cannot start
    prints one line saying why (no traceback) and gives ``setup_error``'s code."""
    from .progress import quiet_preamble

    quiet_preamble()  # Scrapy's start-up lists at DEBUG
    setup_errors: list[CrawlSetupError] = []
    started = process.crawl(crawler, **spider_args)
    _keep_setup_errors(started, setup_errors)
    process.start()
    if setup_errors:
        print(f"Error: {setup_errors[0]}", file=sys.stderr)
        return exit_code("setup_error")
    if process.bootstrap_failed:
        return exit_code("setup_error")
    name = crawler.stats.get_value("crawl/outcome") if crawler.stats else None
    if name in OUTCOMES:
        return exit_code(name)
    # No outcome: a crawl that writes no dataset (Scrapy's 0), or one stopped before its
    # pipeline could write crawl.json (a second Ctrl-C forces an unclean shutdown).
    return exit_code("interrupted") if _writes_dataset(crawler) else 0


def _writes_dataset(crawler: Crawler) -> bool:
    return any(str(path).endswith("ParquetDatasetPipeline")
               for path, order in crawler.settings.getdict("ITEM_PIPELINES").items() if order is not None)


def _keep_setup_errors(started: Deferred | asyncio.Task, found: list[CrawlSetupError]) -> None:
    """Take a ``CrawlSetupError`` out of the crawl's result, so Scrapy neither logs it with a
    traceback nor loses the message; any other error is left for Scrapy to report."""
    if isinstance(started, Deferred):
        def keep(failure: Failure) -> Failure | None:
            if failure.check(CrawlSetupError):
                found.append(failure.value)
                return None
            return failure
        started.addErrback(keep)
        return

    def done(task: asyncio.Task) -> None:
        exc = None if task.cancelled() else task.exception()
        if isinstance(exc, CrawlSetupError):
            found.append(exc)
        elif exc is not None:
            log.error("The crawl failed to start", exc_info=exc)
    started.add_done_callback(done)


def stop_crawl(crawler: Crawler | None, reason: str) -> None:
    """Close the running crawl with ``reason``; nothing when it is not running."""
    try:
        engine = crawler.engine if crawler is not None else None
    except RuntimeError:  # Scrapy >= 2.19 raises before the crawl starts
        engine = None
    if engine is None or not getattr(engine, "running", False):
        return
    if hasattr(engine, "close_spider_async"):  # Scrapy >= 2.14
        deferred_from_coro(engine.close_spider_async(reason=reason))
    else:
        engine.close_spider(crawler.spider, reason)
