"""``-s WACZ=True``: pack the crawl folder into ``<crawl id>.wacz`` when the crawl ends
(``scraper/wacz.py``, as ``scrapy pack`` does).

It packs on ``engine_stopped``, not ``spider_closed``: extensions are connected before the
middlewares and pipelines, so on ``spider_closed`` they would run before the WARC middleware has
finalised its ``.open`` file and before the Parquet pipeline has written ``crawl.json``. By
``engine_stopped`` the pipeline's ``close_spider`` (every part finished) and every
``spider_closed`` handler have run. The crawl's own lock is released by then (``CrawlLock``
also ends on ``engine_stopped``, and is connected first), so the folder is locked again for
the packing: a crawl started into it meanwhile is not packed half-written. A folder that cannot be packed (a WARC file left ``.open``
by a write error, another worker of a shared crawl still writing) is logged as an error; the
crawl's outcome and exit code are those of the crawl.
"""
from __future__ import annotations

import logging
from pathlib import Path

from scrapy import signals
from scrapy.crawler import Crawler
from scrapy.exceptions import NotConfigured

from .lock import FolderLock
from .outcome import CrawlSetupError

log = logging.getLogger(__name__)


class WaczOnClose:
    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> WaczOnClose:
        if not crawler.settings.getbool("WACZ"):
            raise NotConfigured()
        ext = cls(crawler)
        crawler.signals.connect(ext.engine_stopped, signal=signals.engine_stopped)
        return ext

    def folder(self) -> Path | None:
        settings = self.crawler.settings
        crawl = settings.get("CRAWL_ID")  # set by the blog spider when it opens
        return Path(settings.get("DATASET_ROOT") or "datasets") / crawl if crawl else None

    def engine_stopped(self) -> None:
        from .wacz import PackError, pack  # here: every crawl and rebuild loads this extension, most never pack

        folder = self.folder()
        if folder is None or not folder.is_dir():
            log.error("WACZ: no crawl folder to pack")
            return
        log.info("WACZ: packing %s", folder)
        lock = FolderLock(folder, "crawl folder")
        try:
            lock.acquire()
            try:
                package = pack(folder)
            finally:
                lock.release()
        except (PackError, CrawlSetupError, OSError) as exc:
            log.error("WACZ: %s could not be packed: %s", folder, exc)
            self.crawler.stats.set_value("wacz/error", str(exc))
            return
        log.info("WACZ: %s (%d files, %d pages)", package["path"], len(package["resources"]),
                 package["pages_count"])
        self.crawler.stats.set_value("wacz/file", package["path"])
