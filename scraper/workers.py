"""A worker's name in a crawl shared over Redis (``scraper/shared.py``): it names the worker's
Parquet parts, WARC files, manifest and lock, so it is computed from the settings alone, by
every component that writes files, without importing the shared scheduler."""
from __future__ import annotations

import os
import re
import socket
from typing import TYPE_CHECKING

from .outcome import CrawlSetupError

if TYPE_CHECKING:
    from scrapy.settings import BaseSettings

_WORKER_ID = re.compile(r"^[\w.-]{1,64}$")


def worker_id(settings: BaseSettings) -> str | None:
    """This process's name among the workers of a shared crawl (``WORKER_ID``, else
    ``<host>-<pid>``); None when the crawl is not shared. It names the worker's files."""
    if not settings.get("REDIS_URL"):
        return None
    name = settings.get("WORKER_ID") or f"{socket.gethostname()}-{os.getpid()}"
    name = re.sub(r"[^\w.-]", "_", name)[:64]
    if not _WORKER_ID.match(name):
        raise CrawlSetupError(f"WORKER_ID {name!r} cannot name files: use letters, digits, '.', '_' and '-'")
    return name
