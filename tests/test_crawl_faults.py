"""Bad input during a crawl: a clear logged error, and the crawl goes on with the rest.
Interrupted crawls leave only complete Parquet files."""
from __future__ import annotations

import json
import signal
import subprocess
import time
from pathlib import Path

import pyarrow.parquet as pq
import pytest

from scraper.replay import ReplaySite

from conftest import WORDPRESS, manifest_files, truth_posts
from crawl_helpers import ROOT, crawl_command, crawl_env, read_table, run_crawl

THEME = "twentytwentyone"
START = "http://blog.example.test:8081/"
QUIET = START + "2016/04/a-quiet-note-on-archive-formats/"
SYRIA = START + "2016/03/syria-audio-analysis-why-palmyra-is-not-quite-assads-victory/"
MAILBAG_API = START + "wp-json/wp/v2/comments?post=8&per_page=100"


@pytest.fixture
def site_dir():
    path = WORDPRESS / "site" / THEME
    if not (path / "manifest.json").exists():
        pytest.skip(f"shared WordPress corpus not found at {WORDPRESS}")
    return path


def _broken_comments(html: bytes) -> bytes:
    """Cut the page inside its comment list and drop closing tags: markup a crash could leave."""
    cut = html.index(b'<li id="comment-9"')
    return html[:cut].replace(b"</ol>", b"").replace(b"</li>", b"") + b"<li id='comment-9' class='comment"


def test_bad_responses_are_logged_and_the_crawl_goes_on(site_dir, tmp_path):
    with ReplaySite(site_dir) as site:
        site.override(QUIET, status=500, body=b"<html><body>Internal error</body></html>")
        site.override(START + "tag/isis/", body=b"%PDF-1.4 binary", content_type="application/pdf")
        site.override(START + "tag/audio/", body=b"\x00\x01\x02" * 2000, content_type="text/html")
        site.override(MAILBAG_API, body=b'[{"id": 34, "parent": 0', content_type="application/json")
        site.override(SYRIA, body=_broken_comments(manifest_files(THEME)[SYRIA].read_bytes()))
        proc = run_crawl(START, tmp_path, "faults", site.proxy_url)
    assert proc.returncode == 3, proc.stderr[-3000:]  # finished, with failed requests listed
    log = proc.stderr
    assert f"Request failed (HTTP 500): {QUIET}" in log
    assert "Skipped non-HTML response http://blog.example.test:8081/tag/isis/" in log
    assert "Skipped binary body served as HTML: http://blog.example.test:8081/tag/audio/" in log
    assert f"Invalid REST comments JSON at {MAILBAG_API}" in log

    articles = {a["canonical_url"]: a for a in read_table(tmp_path, "faults", "articles")}
    assert set(articles) == {p["url"] for p in truth_posts()} - {QUIET}
    comments = read_table(tmp_path, "faults", "comments")
    mailbag = [c for c in comments if "reader-mailbag" in c["article_url"]]
    assert len(mailbag) == 27 and {c["parent_source"] for c in mailbag} == {"html"}
    # The broken page still gives its article; the REST API fills in the comments it lost.
    syria = [c for c in comments if c["article_url"] == SYRIA]
    assert len(syria) == 22 and all(c["parent_source"] == "api" for c in syria)
    manifest = json.loads((tmp_path / "faults" / "crawl.json").read_text())
    recorded = json.dumps(manifest["errors"])
    for url in (QUIET, START + "tag/isis/", START + "tag/audio/", MAILBAG_API):
        assert url in recorded, f"{url} missing from the manifest's errors"
    assert "Incomplete thread" not in log  # the REST API made the broken thread whole


def test_a_thread_cut_short_is_reported_not_silently_stored(site_dir, tmp_path):
    """Broken comment markup and no REST API to fill the gap: the comments the markup still
    holds are stored, and the crawl says the thread is short of what the page states."""
    syria_api = START + "wp-json/wp/v2/comments?post=4&per_page=100"
    with ReplaySite(site_dir) as site:
        site.override(SYRIA, body=_broken_comments(manifest_files(THEME)[SYRIA].read_bytes()))
        site.override(syria_api, status=404, body=b"{}", content_type="application/json")
        proc = run_crawl(START, tmp_path, "cut", site.proxy_url)
    assert proc.returncode == 3, proc.stderr[-3000:]
    syria = [c for c in read_table(tmp_path, "cut", "comments") if c["article_url"] == SYRIA]
    assert 0 < len(syria) < 22
    message = f"Incomplete thread at {SYRIA}: the page states 22 comments, {len(syria)} were found"
    assert message in proc.stderr
    manifest = json.loads((tmp_path / "cut" / "crawl.json").read_text())
    assert message in json.dumps(manifest["errors"], ensure_ascii=False)
    assert manifest["counts"]["articles"] == len(truth_posts())


def _visible_parquet(folder: Path) -> list[Path]:
    return [p for p in folder.rglob("*.parquet") if not p.name.startswith(".")]


@pytest.mark.parametrize("sig", [signal.SIGINT, signal.SIGTERM, signal.SIGKILL], ids=["ctrl-c", "sigterm", "kill-9"])
def test_interrupted_crawl_leaves_only_complete_parquet(site_dir, tmp_path, sig):
    # PARQUET_COMMIT_INTERVAL=0: an article's rows are final before "Scraped from" is logged, so
    # the signal comes after at least one commit and there are finished parts to check.
    slow = ["-s", "DOWNLOAD_DELAY=0.25", "-s", "CONCURRENT_REQUESTS_PER_DOMAIN=1",
            "-s", "PARQUET_ROW_GROUP_SIZE=5", "-s", "PARQUET_COMMIT_INTERVAL=0", "-s", "LOG_LEVEL=DEBUG"]
    with ReplaySite(site_dir) as site:
        cmd = crawl_command(START, tmp_path, "stopped", *slow)  # later -s values win
        proc = subprocess.Popen(cmd, cwd=ROOT, env=crawl_env(site.proxy_url),
                                stderr=subprocess.PIPE, text=True)
        deadline = time.monotonic() + 60
        scraped = False
        for line in proc.stderr:  # stop once the first article has been stored
            scraped = "Scraped from" in line
            if scraped or time.monotonic() > deadline:
                break
        proc.send_signal(sig)
        proc.stderr.read()
        proc.wait(timeout=60)
    assert scraped, "no article was stored before the deadline"
    visible = _visible_parquet(tmp_path)
    assert {p.parent.name for p in visible} >= {"articles", "comments"}
    for path in visible:
        pq.read_table(path)  # complete files only: every visible file reads in full
    assert read_table(tmp_path, "stopped", "articles")
    if sig != signal.SIGKILL:
        assert proc.returncode == 5  # interrupted: resumable
        manifest = json.loads((tmp_path / "stopped" / "crawl.json").read_text())
        assert manifest["finish_reason"] == "shutdown"
        assert (manifest["outcome"], manifest["exit_code"]) == ("interrupted", 5)
        assert 1 <= manifest["counts"]["articles"] < len(truth_posts())
        assert not [p for p in (tmp_path / "stopped").rglob(".*")]
        rows = read_table(tmp_path, "stopped", "articles")
        assert len(rows) == manifest["counts"]["articles"]


def test_rest_answers_of_the_wrong_shape_lose_nothing(site_dir, tmp_path):
    """Valid JSON that is not what the API documents: logged, and every article still stored."""
    users = START + "wp-json/wp/v2/users"
    with ReplaySite(WORDPRESS / "site" / "twentytwentytwo") as site:
        site.override(MAILBAG_API, body=b'[{"id": 34, "content": "not an object"}]',
                      content_type="application/json")
        site.override(users, body=b'[{"id": 1, "name": 5}]', content_type="application/json")
        proc = run_crawl(START, tmp_path, "shapes", site.proxy_url)
    assert proc.returncode == 3, proc.stderr[-3000:]
    assert f"Invalid REST comments JSON at {MAILBAG_API}" in proc.stderr
    assert f"Invalid REST users JSON at {users}" in proc.stderr
    articles = read_table(tmp_path, "shapes", "articles")
    assert len(articles) == len(truth_posts())
    mailbag = [c for c in read_table(tmp_path, "shapes", "comments") if "reader-mailbag" in c["article_url"]]
    assert len(mailbag) == 27


def test_a_link_to_another_posts_comment_page_is_not_part_of_this_thread(site_dir, tmp_path):
    """One post linking another post's comment page: both articles stored, each with its own
    comments only (the two threads never merge)."""
    mailbag_page2 = START + "2016/10/reader-mailbag-long-comment-threads/comment-page-2/"
    html = manifest_files(THEME)[SYRIA].read_bytes().replace(
        b"<p>PHOTO:", f'<p><a href="{mailbag_page2}">see page 2 there</a></p><p>PHOTO:'.encode(), 1)
    with ReplaySite(site_dir) as site:
        site.override(SYRIA, body=html)
        proc = run_crawl(START, tmp_path, "crosslink", site.proxy_url)
    assert proc.returncode == 0, proc.stderr[-3000:]
    comments = read_table(tmp_path, "crosslink", "comments")
    by_article = {}
    for c in comments:
        by_article.setdefault(c["article_url"], set()).add(c["comment_id"])
    truth = {p["url"]: {str(c["id"]) for c in p["comments"]} for p in truth_posts()}
    assert by_article == {url: ids for url, ids in truth.items() if ids}
