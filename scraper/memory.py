"""Keeping a long crawl's resident memory flat where the allocators, not our objects, hold it.

Every page allocates and frees a parse tree, its body, Arrow buffers. glibc's malloc keeps what
is freed for reuse, and two of its defaults let that grow with a crawl:

- its mmap threshold moves up to the size of the largest block freed (up to 32 MiB), so after a
  few large pages every large buffer comes from the heap, where a long-lived block allocated
  after it keeps its pages from being given back: the heap only grows. A fixed threshold
  (``MALLOC_MMAP_THRESHOLD``) keeps large buffers in mappings of their own, returned on free;
- free pages inside the heap (not at its top) are given back only by ``malloc_trim``, which
  this extension calls every ``MEMORY_TRIM_INTERVAL`` seconds and after each Parquet commit,
  with Arrow's pool told to release what it keeps unused.

An extension (``EXTENSIONS``); where the C library is not glibc it does nothing.
"""
from __future__ import annotations

import ctypes
import ctypes.util
import logging
from typing import TYPE_CHECKING

from scrapy import signals
from scrapy.exceptions import NotConfigured
from twisted.internet import task

from .signals import dataset_committed

if TYPE_CHECKING:
    from scrapy.crawler import Crawler

log = logging.getLogger(__name__)

M_MMAP_THRESHOLD = -3  # mallopt parameters (malloc.h)


def _glibc() -> ctypes.CDLL | None:
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6")
        libc.malloc_trim.argtypes, libc.mallopt.argtypes = (ctypes.c_size_t,), (ctypes.c_int, ctypes.c_int)
        return libc
    except (OSError, AttributeError):  # not glibc (musl, macOS): nothing to tune
        return None


class AllocatorTrim:
    """Fixes glibc's mmap threshold at start; trims the heap and Arrow's pool on a timer and
    after each commit of the dataset."""

    def __init__(self, interval: float, mmap_threshold: int) -> None:
        self.libc = _glibc()
        if self.libc is None:
            raise NotConfigured("not glibc")
        if mmap_threshold > 0:
            self.libc.mallopt(M_MMAP_THRESHOLD, mmap_threshold)
        self.interval = interval
        self.loop: task.LoopingCall | None = None

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> AllocatorTrim:
        settings = crawler.settings
        interval = settings.getfloat("MEMORY_TRIM_INTERVAL")
        threshold = settings.getint("MALLOC_MMAP_THRESHOLD")
        if interval <= 0 and threshold <= 0:
            raise NotConfigured
        extension = cls(interval, threshold)
        if interval > 0:
            crawler.signals.connect(extension.start, signal=signals.engine_started)
            crawler.signals.connect(extension.stop, signal=signals.engine_stopped)
            crawler.signals.connect(extension.trim, signal=dataset_committed)
        return extension

    def start(self) -> None:
        self.loop = task.LoopingCall(self.trim)
        self.loop.start(self.interval, now=False)

    def stop(self) -> None:
        if self.loop is not None and self.loop.running:
            self.loop.stop()

    def trim(self, **kwargs: object) -> None:
        """Give the free pages of the heaps back to the system."""
        import pyarrow as pa

        pa.default_memory_pool().release_unused()
        self.libc.malloc_trim(0)
