"""A crawl with JOBDIR killed with ``kill -9`` at different moments, then started again with the
same command: every article and comment exactly once, equal to the truth, and only complete
Parquet and WARC files visible."""
from __future__ import annotations

import json

import signal
import subprocess
from collections import Counter
from datetime import datetime, timezone

import pyarrow.parquet as pq
import pytest

from scraper.replay import ReplaySite
from scraper.text import collapse
from scraper.warc import iter_records

from conftest import WORDPRESS, truth_posts
from crawl_helpers import ROOT, crawl_command, crawl_env, read_table, run_crawl, warcio

THEME = "twentytwentyone"
START = "http://blog.example.test:8081/"
SLOW = ["-s", "DOWNLOAD_DELAY=0.2", "-s", "CONCURRENT_REQUESTS_PER_DOMAIN=1",
        "-s", "PARQUET_COMMIT_INTERVAL=0", "-s", "LOG_LEVEL=DEBUG"]


def _utc(value: str) -> datetime:
    return datetime.fromisoformat(value).astimezone(timezone.utc)


def _kill_after(site: ReplaySite, out, jobdir, marker: str, count: int) -> int:
    """Start the slowed crawl and kill -9 it once ``marker`` was logged ``count`` times."""
    cmd = crawl_command(START, out, "job", *SLOW, "-s", f"JOBDIR={jobdir}")
    proc = subprocess.Popen(cmd, cwd=ROOT, env=crawl_env(site.proxy_url), stderr=subprocess.PIPE, text=True)
    seen = 0
    for line in proc.stderr:
        seen += marker in line
        if seen >= count:
            break
    proc.send_signal(signal.SIGKILL)
    proc.stderr.close()
    proc.wait(timeout=30)
    return seen


def _files(out) -> dict:
    return {p: (p.stat().st_size, p.stat().st_mtime_ns) for p in out.rglob("*") if p.is_file()}


def _assert_truth(out) -> None:
    articles = read_table(out, "job", "articles")
    comments = read_table(out, "job", "comments")
    assert max(Counter(a["article_id"] for a in articles).values()) == 1, "duplicate article rows"
    assert max(Counter((c["article_id"], c["comment_id"]) for c in comments).values()) == 1, \
        "duplicate comment rows"
    by_url = {a["canonical_url"]: a for a in articles}
    posts = truth_posts()
    assert set(by_url) == {p["url"] for p in posts}
    for post in posts:
        a = by_url[post["url"]]
        assert a["title"] == post["title"] and a["comment_count"] == len(post["comments"])
        assert collapse(a["author_bio"] or "") == collapse(post["author_bio"] or "")
        got = {c["comment_id"]: c for c in comments if c["article_url"] == post["url"]}
        assert set(got) == {str(c["id"]) for c in post["comments"]}
        for c in post["comments"]:
            row = got[str(c["id"])]
            assert row["parent_id"] == (str(c["parent_id"]) if c["parent_id"] else None)
            assert row["depth"] == c["depth"] and row["author_name"] == c["author"]
            if c["type"] == "comment":
                assert row["published"] == _utc(c["published"])


def _assert_files_complete(out) -> None:
    folder = out / "job"
    assert not [p for p in folder.rglob("*") if p.name.startswith(".") or p.name.endswith(".open")]
    for path in folder.rglob("*.parquet"):
        pq.read_table(path)
    captures = {}
    for path in sorted((folder / "warc").glob("*.warc.gz")):
        assert warcio("check", path).returncode == 0, path
        captures.update({r.rec_headers.get_header("WARC-Record-ID"): path.name
                         for _, r, _ in iter_records(path) if r.rec_type == "response"})
    for table in ("articles", "comments"):
        for row in read_table(out, "job", table):
            assert captures.get(row["warc_record_id"]) == row["warc_file"], row


@pytest.mark.parametrize("marker,count", [
    ("Crawled (200)", 2),                 # robots.txt and the start page only
    ("Crawled (200)", 12),                # listing pages done, an article's thread half-assembled
    ("Scraped from", 1),                  # one article stored
    ("Scraped from", 3),                  # most articles stored
], ids=["at-start", "mid-thread", "after-1-article", "after-3-articles"])
def test_kill_9_then_resume_stores_everything_once(marker, count, tmp_path):
    if not (WORDPRESS / "site" / THEME / "manifest.json").exists():
        pytest.skip(f"shared WordPress corpus not found at {WORDPRESS}")
    out, jobdir = tmp_path / "data", tmp_path / "job"
    with ReplaySite(WORDPRESS / "site" / THEME) as site:
        assert _kill_after(site, out, jobdir, marker, count) == count
        assert not (out / "job" / "crawl.json").exists()
        stored_before = len(read_table(out, "job", "articles")) if (out / "job" / "articles").exists() else 0
        proc = run_crawl(START, out, "job", site.proxy_url, "-s", f"JOBDIR={jobdir}")
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert "the last run did not finish" in proc.stderr
    counts = json.loads((out / "job" / "crawl.json").read_text())["counts"]
    assert counts["already_stored"] == stored_before
    _assert_truth(out)
    _assert_files_complete(out)
    # Every page a stored comment was shown on has its pages row, once (a resumed run skips the
    # comment pages of articles the killed run stored).
    pages = [p["url"] for p in read_table(out, "job", "pages")]
    assert len(pages) == len(set(pages))
    assert {c["page_url"] for c in read_table(out, "job", "comments") if c["page_url"]} <= set(pages)


def test_a_finished_job_is_not_crawled_again(tmp_path):
    if not (WORDPRESS / "site" / THEME / "manifest.json").exists():
        pytest.skip(f"shared WordPress corpus not found at {WORDPRESS}")
    out, jobdir = tmp_path / "data", tmp_path / "job"
    with ReplaySite(WORDPRESS / "site" / THEME) as site:
        first = run_crawl(START, out, "job", site.proxy_url, "-s", f"JOBDIR={jobdir}")
        assert first.returncode == 0, first.stderr[-3000:]
        before = _files(out)
        site.requests.clear()
        again = run_crawl(START, out, "job", site.proxy_url, "-s", f"JOBDIR={jobdir}")
        fetched = list(site.requests)
    assert again.returncode == 0, again.stderr[-3000:]
    assert "the last run did not finish" not in again.stderr
    assert fetched == []
    # Nothing written but the manifest of the (empty) run and its card: no new part, no new WARC file.
    manifests = {"crawl.json", "README.md", "datapackage.json"}
    assert {p: s for p, s in _files(out).items() if p.name not in manifests} == \
        {p: s for p, s in before.items() if p.name not in manifests}
    _assert_truth(out)
    _assert_files_complete(out)
