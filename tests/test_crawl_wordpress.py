"""Whole crawls of real WordPress sites replayed on 127.0.0.1, checked against exact truth."""
from __future__ import annotations

import json
from collections import Counter
from datetime import datetime, timezone

import duckdb
import pytest

from scraper.replay import ReplaySite
from scraper.text import collapse

from conftest import WORDPRESS, truth_posts, wordpress_themes
from crawl_helpers import read_table, run_crawl

THEMES = wordpress_themes() or ["(no shared corpus)"]
START = "http://blog.example.test:8081/"


def _utc(value: str) -> datetime:
    return datetime.fromisoformat(value).astimezone(timezone.utc)


@pytest.fixture(scope="module", params=THEMES)
def crawled(request, tmp_path_factory):
    """One full crawl per theme, shared by the checks below."""
    if not (WORDPRESS / "site" / request.param / "manifest.json").exists():
        pytest.skip(f"shared WordPress corpus not found at {WORDPRESS}")
    out = tmp_path_factory.mktemp(f"crawl-{request.param}")
    with ReplaySite(WORDPRESS / "site" / request.param) as site:
        proc = run_crawl(START, out, "replay", site.proxy_url)
        requested = list(site.requests)
    assert proc.returncode == 0, proc.stderr[-3000:]
    return {"theme": request.param, "out": out, "log": proc.stderr, "requested": requested}


def test_every_post_with_truth_fields(crawled):
    articles = {a["canonical_url"]: a for a in read_table(crawled["out"], "replay", "articles")}
    posts = truth_posts()
    assert set(articles) == {p["url"] for p in posts}
    for post in posts:
        a = articles[post["url"]]
        assert a["title"] == post["title"]
        assert a["author_name"] == post["author"]
        assert collapse(a["author_bio"] or "") == collapse(post["author_bio"] or "")
        assert a["published"] == _utc(post["published"])
        assert a["published"].tzinfo is not None
        assert a["comment_count"] == len(post["comments"])
        assert [collapse(p) for p in a["body_text"].split("\n\n")] == [collapse(p) for p in post["body_paragraphs"]]
        assert a["crawl_id"] == "replay"


def test_every_approved_comment_once_with_true_parents(crawled):
    rows = read_table(crawled["out"], "replay", "comments")
    keys = Counter((r["article_id"], r["comment_id"]) for r in rows)
    assert max(keys.values()) == 1, "duplicate comment rows"
    by_url: dict[str, dict[str, dict]] = {}
    for r in rows:
        by_url.setdefault(r["article_url"], {})[r["comment_id"]] = r
    matched = parents = total = 0
    for post in truth_posts():
        got = by_url.get(post["url"], {})
        unapproved = {str(i) for i in post.get("unapproved_comment_ids", [])}
        assert not unapproved & set(got), "an unapproved comment was archived"
        for c in post["comments"]:
            total += 1
            r = got.get(str(c["id"]))
            if r is None:
                continue
            matched += 1
            parents += r["parent_id"] == (str(c["parent_id"]) if c["parent_id"] else None) \
                and r["depth"] == c["depth"]
            assert r["author_name"] == c["author"]
            assert r["kind"] == c["type"]
            if c["type"] == "comment":
                assert r["published"] == _utc(c["published"])
                assert collapse(r["text"]) == collapse(c["text"])
        assert set(got) == {str(c["id"]) for c in post["comments"]}
    print(f"{crawled['theme']}: comments matched {matched}/{total}, parents correct {parents}/{total}")
    assert matched == total and parents == total


def test_no_url_fetched_twice_and_robots_obeyed(crawled):
    counts = Counter(crawled["requested"])
    assert [u for u, n in counts.items() if n > 1] == []
    assert not any("/wp-admin/" in u for u in counts)
    assert f"{START}robots.txt" in counts
    # Every comment page and every REST thread of the site was asked for.
    assert any("comment-page-3" in u for u in counts)
    assert any("/wp-json/wp/v2/comments?" in u for u in counts)


def test_duckdb_reads_and_joins(crawled):
    base = crawled["out"] / "replay"
    con = duckdb.connect()
    deepest = con.execute(f"""
        SELECT a.title, max(c.depth) FROM read_parquet('{base}/articles/*.parquet') a
        JOIN read_parquet('{base}/comments/*.parquet') c USING (article_id)
        GROUP BY a.title ORDER BY 2 DESC LIMIT 1""").fetchone()
    assert deepest == ("Reader Mailbag: Long Comment Threads", 7)
    manifest = json.loads((base / "crawl.json").read_text())
    assert manifest["crawl_id"] == "replay"
    assert manifest["counts"]["articles"] == len(truth_posts())
