"""What a crawl remembers per URL, kept compact: the sets keep exactly what was added (nothing
dropped, nothing taken as seen that was not), across the merges of their sorted runs."""
from __future__ import annotations

import hashlib

import pytest
from scrapy import Request
from scrapy.utils.test import get_crawler

from pipelines.ledger import Ledger, StoredKeys
from scraper import digests
from scraper.digests import DigestSet, text_digest
from scraper.dupefilter import CompactDupeFilter
from scraper.spiders.links import ArticleIds


def digest(n: int) -> bytes:
    return hashlib.sha1(str(n).encode()).digest()


def test_a_digest_set_holds_exactly_what_was_added_across_merges(monkeypatch):
    monkeypatch.setattr(digests, "MERGE_AT", 16)  # many merges of the sorted run
    found = DigestSet(20)
    added = [digest(n) for n in range(0, 3000, 2)]
    for d in added:
        assert found.add(d) is True
    assert found.add(added[7]) is False  # already there, before and after merges
    assert len(found) == len(added)
    assert all(d in found for d in added)
    assert not any(digest(n) in found for n in range(1, 3000, 2))
    assert sorted(found) == sorted(added)


def test_a_digest_set_refuses_a_digest_of_another_width():
    with pytest.raises(ValueError):
        DigestSet(20).add(b"short")


def test_the_compact_filter_drops_what_scrapys_drops(tmp_path):
    crawler = get_crawler(settings_dict={"JOBDIR": str(tmp_path)})
    df = CompactDupeFilter.from_crawler(crawler)
    urls = [f"https://blog.example.org/{n}/" for n in range(20_000)]
    assert not any(df.request_seen(Request(u)) for u in urls)
    assert all(df.request_seen(Request(u)) for u in urls)
    assert df.request_seen(Request("https://blog.example.org/1/?")) is True  # the same request
    df.close("shutdown")
    # A resumed job reads requests.seen, as Scrapy's filter does.
    again = CompactDupeFilter.from_crawler(crawler)
    assert isinstance(again._fingerprints, DigestSet) and len(again._fingerprints) == 20_000
    assert again.request_seen(Request(urls[123])) and not again.request_seen(Request("https://blog.example.org/new/"))
    again.close("finished")


def test_stored_keys_tell_keys_apart():
    keys = StoredKeys([("https://blog.example.org/a/",), ("None",)])
    assert ("https://blog.example.org/a/",) in keys and ("None",) in keys
    assert (None,) not in keys and ("https://blog.example.org/a",) not in keys
    keys.update([("https://blog.example.org/a/",), ("b",)])
    assert len(keys) == 3


def test_the_ledger_keeps_articles_and_pages_as_digests():
    ledger = Ledger(stored={"articles": {("abc",)}, "comments": set(), "pages": set()})
    assert isinstance(ledger.stored["articles"], StoredKeys)
    assert ledger.is_stored("articles", {"article_id": "abc"})
    assert not ledger.keep("articles", {"article_id": "abc"}) and ledger.keep("articles", {"article_id": "abd"})
    ledger.mark_stored("pages", [{"url": "https://blog.example.org/"}])
    assert ledger.is_stored("pages", {"url": "https://blog.example.org/"})
    assert not ledger.is_stored("pages", {"url": "https://blog.example.org/x"})


def test_article_ids():
    ids = ArticleIds(["0123456789abcdef"])
    ids.add("fedcba9876543210")
    assert "0123456789abcdef" in ids and "fedcba9876543210" in ids and "0123456789abcdee" not in ids
    assert len(ids) == 2 and text_digest("x") != text_digest("y")
