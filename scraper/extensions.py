"""Progress for people watching a long crawl: pages, articles, comments and errors so far."""
from __future__ import annotations

import logging

from scrapy import signals
from twisted.internet import task

log = logging.getLogger(__name__)


class CrawlProgress:
    """Logs one line every ``PROGRESS_INTERVAL`` seconds (0 turns it off)."""

    def __init__(self, stats, interval: float):
        self.stats = stats
        self.interval = interval
        self._loop: task.LoopingCall | None = None

    @classmethod
    def from_crawler(cls, crawler):
        ext = cls(crawler.stats, crawler.settings.getfloat("PROGRESS_INTERVAL", 30.0))
        crawler.signals.connect(ext.spider_opened, signal=signals.spider_opened)
        crawler.signals.connect(ext.spider_closed, signal=signals.spider_closed)
        return ext

    def spider_opened(self, spider) -> None:
        if self.interval > 0:
            self._loop = task.LoopingCall(self.report)
            self._loop.start(self.interval, now=False)

    def report(self) -> None:
        get = self.stats.get_value
        errors = sum(v for k, v in self.stats.get_stats().items()
                     if k.startswith("downloader/response_status_count/") and k[-3:] >= "400")
        log.info("Progress: %d pages fetched, %d articles, %d comments, %d HTTP errors, "
                 "%d requests queued", get("response_received_count", 0),
                 get("blog/articles", 0), get("blog/comments", 0), errors,
                 get("scheduler/enqueued", 0) - get("scheduler/dequeued", 0))

    def spider_closed(self, spider) -> None:
        if self._loop is not None and self._loop.running:
            self._loop.stop()
