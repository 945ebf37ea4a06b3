"""``extract_page`` pauses Python's cyclic garbage collector while it works: sound only while
an extraction makes no reference cycles, which these tests hold on real pages of every corpus
and thread page."""
from __future__ import annotations

import gc
import gzip
import weakref

import pytest

from conftest import SHARED
from scraper.extractors import ExtractionError, extract_page

CORPUS = SHARED / "corpus"


def _real_pages(every: int = 9) -> list:
    pages = []
    for folder in ("aeb/html", "wcxb-articles/html", "trafilatura-eval/html", "threads/html"):
        pages += sorted((CORPUS / folder).glob("*.gz"))[::every]
    if not pages:
        pytest.skip(f"shared corpora not found at {CORPUS}")
    return pages


def test_an_extraction_leaves_no_reference_cycles():
    """With the collector off, extracting real pages a second time leaves nothing for it to
    find: each extraction's objects are freed by their reference counts alone. (The first
    time, a module imported on first use, dateparser's data for a language, can leave the
    cycles of its class definitions.)"""
    pages = [gzip.open(path).read() for path in _real_pages()]
    for data in pages:
        extract_page(data, "https://blog.example.org/2020/01/post/")
    gc.collect()
    gc.disable()
    try:
        for data in pages:
            extract_page(data, "https://blog.example.org/2020/01/post/")
        assert gc.collect() == 0
    finally:
        gc.enable()
    assert len(pages) > 100


def test_the_collector_is_on_after_an_extraction_also_after_an_error_and_off_where_the_caller_left_it():
    page = gzip.open(_real_pages()[0]).read()
    extract_page(page, "https://blog.example.org/a/")
    assert gc.isenabled()
    with pytest.raises(ExtractionError):
        extract_page(b"\x89PNG\r\n\x1a\n" + bytes(200), "https://blog.example.org/a/")
    assert gc.isenabled()
    gc.disable()
    try:
        extract_page(page, "https://blog.example.org/a/")
        assert not gc.isenabled()
    finally:
        gc.enable()


def test_cycles_made_before_an_extraction_are_collected_after_it():
    """What the caller left for the collector is still collected, by the collector on its own
    once it is on again: a cycle made before the extraction."""
    class Node:
        pass

    page = gzip.open(_real_pages()[0]).read()
    gc.collect()
    node = Node()
    node.me = node
    alive = weakref.ref(node)
    del node
    extract_page(page, "https://blog.example.org/a/")
    for _ in range(10):
        [[] for _ in range(1000)]  # allocations: the collector runs when its count says so
    assert alive() is None
