"""Resuming a crawl (``-s JOBDIR=DIR``) that was killed, even with ``kill -9``.

Scrapy's job directory keeps the request queue and the seen-requests set, but after a kill the
queue files are half-written, and requests that were in flight, or articles whose thread was
being assembled in memory, are marked seen and never finished. So a run that did not finish
starts discovery again from the start URL with a fresh queue and seen set; what makes the
result exactly-once is the dataset itself: articles in finished Parquet parts are not assembled
again (the spider) and their rows are not stored again (``pipelines.ledger``).
"""
from __future__ import annotations

import logging
import shutil
from datetime import datetime, timezone
from pathlib import Path
from typing import TYPE_CHECKING

from scrapy.core.scheduler import Scheduler
from scrapy.utils.job import job_dir

if TYPE_CHECKING:
    from scrapy.crawler import Crawler
    from twisted.internet.defer import Deferred

log = logging.getLogger(__name__)

MARKER = "blog-archiver.running"  # present while a run has not finished


class ResumableScheduler(Scheduler):
    @classmethod
    def from_crawler(cls, crawler: Crawler) -> ResumableScheduler:
        jobdir = job_dir(crawler.settings)
        if jobdir:
            prepare_jobdir(Path(jobdir))
        return super().from_crawler(crawler)

    def close(self, reason: str) -> Deferred[None] | None:
        result = super().close(reason)
        jobdir = job_dir(self.crawler.settings) if getattr(self, "crawler", None) else None
        if jobdir and reason == "finished":
            (Path(jobdir) / MARKER).unlink(missing_ok=True)
        return result


def prepare_jobdir(jobdir: Path) -> None:
    marker = jobdir / MARKER
    if marker.exists():
        log.warning("JOBDIR %s: the last run did not finish (%s); discovery starts again from the "
                    "start URL, stored articles are skipped", jobdir, marker.read_text().strip())
        shutil.rmtree(jobdir / "requests.queue", ignore_errors=True)
        (jobdir / "requests.seen").unlink(missing_ok=True)
    jobdir.mkdir(parents=True, exist_ok=True)
    marker.write_text(f"started {datetime.now(timezone.utc).isoformat()}\n")
