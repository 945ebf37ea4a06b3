"""The allocator extension: wired by settings, off where both its settings are 0, and its trim
leaves every live object as it was."""
from __future__ import annotations

import pytest
from scrapy.exceptions import NotConfigured
from scrapy.utils.test import get_crawler

from scraper.memory import AllocatorTrim
from scraper.signals import dataset_committed


def test_off_when_both_settings_are_zero():
    with pytest.raises(NotConfigured):
        AllocatorTrim.from_crawler(get_crawler(settings_dict={"MEMORY_TRIM_INTERVAL": 0, "MALLOC_MMAP_THRESHOLD": 0}))


def test_a_commit_trims_and_live_data_stays(monkeypatch):
    crawler = get_crawler(settings_dict={"MEMORY_TRIM_INTERVAL": 5, "MALLOC_MMAP_THRESHOLD": 256 * 1024})
    extension = AllocatorTrim.from_crawler(crawler)
    trims = []
    real = extension.libc.malloc_trim
    monkeypatch.setattr(extension.libc, "malloc_trim", lambda pad: trims.append(pad) or real(pad))
    kept = [bytes([n % 256]) * 300_000 for n in range(8)]  # large blocks, each in a mapping of its own
    freed = [bytearray(1000) for _ in range(50_000)]
    del freed
    crawler.signals.send_catch_log(dataset_committed, article_ids=["a"])
    assert trims == [0]
    assert all(block == bytes([n % 256]) * 300_000 for n, block in enumerate(kept))
