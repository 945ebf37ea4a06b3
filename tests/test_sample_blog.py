"""The sample blog that ships in the package: generated, self-consistent, and crawled to its truth."""
from __future__ import annotations

import json
import re
import subprocess
import sys
import time
from collections import Counter
from datetime import datetime
from pathlib import Path

import pytest

from scraper.replay import SAMPLE_BLOG

from crawl_helpers import ROOT, crawl_env, read_table

GENERATOR = ROOT / "scripts" / "make_sample_blog.py"
BASE = "http://sample-blog.test"
HREF = re.compile(r"""\b(?:href|src|action)=["']([^"']*)["']""")


def _tree(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


@pytest.fixture(scope="module")
def truth() -> dict:
    return json.loads((SAMPLE_BLOG / "truth.json").read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def manifest() -> dict:
    return json.loads((SAMPLE_BLOG / "manifest.json").read_text(encoding="utf-8"))


def test_committed_site_is_what_the_generator_writes(tmp_path):
    out = tmp_path / "site"
    subprocess.run([sys.executable, str(GENERATOR), "--out", str(out)], check=True, capture_output=True)
    committed, generated = _tree(SAMPLE_BLOG), _tree(out)
    assert sorted(committed) == sorted(generated)
    changed = [name for name in committed if committed[name] != generated[name]]
    assert not changed, f"run {GENERATOR.relative_to(ROOT)} and commit the result; differs: {changed}"


def test_site_is_small(manifest):
    assert sum(len(b) for b in _tree(SAMPLE_BLOG).values()) < 300_000


def test_manifest_entries_exist_with_their_sizes(manifest):
    assert manifest["base"] == BASE
    urls = [e["url"] for e in manifest["entries"]]
    assert len(urls) == len(set(urls))
    for e in manifest["entries"]:
        assert e["url"].startswith(BASE + "/") and e["status"] == 200
        assert (SAMPLE_BLOG / e["file"]).stat().st_size == e["bytes"]


def test_pages_link_root_relative_and_every_internal_link_is_captured(manifest):
    captured = {e["url"].removeprefix(BASE) for e in manifest["entries"]}
    dead = set()
    for e in manifest["entries"]:
        if not e["content_type"].startswith("text/html"):
            continue
        html = (SAMPLE_BLOG / e["file"]).read_text(encoding="utf-8")
        assert "sample-blog.test" not in html, e["url"]
        for href in HREF.findall(html):
            if not href.startswith("/") or href.startswith("//"):
                continue
            path = href.split("#")[0]
            # The comment form's target and reply links are actions, not pages.
            if path and path != "/wp-comments-post.php" and "replytocom=" not in path and path not in captured:
                dead.add(path)
    assert not dead


def test_truth_threads_are_consistent(truth, manifest):
    urls = {e["url"] for e in manifest["entries"]}
    ids = Counter(c["id"] for p in truth["posts"] for c in p["comments"])
    assert max(ids.values()) == 1, "comment ids are unique across the site"
    for post in truth["posts"]:
        assert post["url"] in urls and post["url"] == BASE + post["url_path"]
        assert datetime.fromisoformat(post["published"]).utcoffset() is not None
        by_id = {c["id"]: c for c in post["comments"]}
        for c in post["comments"]:
            if c["parent_id"] is None:
                assert c["depth"] == 1
            else:
                parent = by_id[c["parent_id"]]  # the parent is a comment of the same post
                assert c["depth"] == parent["depth"] + 1
                assert datetime.fromisoformat(parent["published"]) < datetime.fromisoformat(c["published"])
            assert c["displayed_depth"] == min(c["depth"], truth["site"]["thread_depth"])
            assert c["kind"] in ("comment", "pingback")
            assert datetime.fromisoformat(c["published"]).utcoffset() is not None
        assert post["comment_count"] == len(post["comments"])
        assert post["max_depth"] == max((c["depth"] for c in post["comments"]), default=0)


def test_truth_covers_what_the_sample_is_for(truth):
    assert [(p["url_path"], p["content"]) for p in truth["pages"]] == [("/about/", "prose"), ("/links/", "links")]
    posts = {p["slug"]: p for p in truth["posts"]}
    assert len(posts) == 4 and len({p["author"] for p in posts.values()}) == 2
    assert {p["author_bio_source"] for p in posts.values()} == {"html", "api"}
    kinds = Counter(c["kind"] for p in posts.values() for c in p["comments"])
    assert kinds["pingback"] == 1
    assert any(c["by_post_author"] for p in posts.values() for c in p["comments"])
    assert sorted(p["max_depth"] for p in posts.values()) == [0, 2, 4, 6]
    assert sorted(p["comment_pages"] for p in posts.values()) == [0, 1, 1, 2]
    assert [p["comments_closed"] for p in posts.values()].count(True) == 1


def test_rest_api_matches_truth(truth):
    for post in truth["posts"]:
        api = SAMPLE_BLOG / "wp-json/wp/v2/comments" / f"_q_post={post['post_id']}&per_page=100" / "index.json"
        rows = json.loads(api.read_text(encoding="utf-8"))
        expected = {c["id"]: c for c in post["comments"] if c["kind"] == "comment"}  # no pingbacks
        assert {r["id"] for r in rows} == set(expected)
        for r in rows:
            assert (r["parent"] or None) == expected[r["id"]]["parent_id"]
            assert r["author_name"] == expected[r["id"]]["author"] and r["status"] == "approved"


def test_demo_crawls_the_sample_blog_to_its_truth(tmp_path, truth):
    proc = subprocess.run([sys.executable, "-m", "scrapy.cmdline", "demo", "--out", str(tmp_path)],
                          cwd=ROOT, env=crawl_env(None), capture_output=True, text=True, timeout=180)
    assert proc.returncode == 0, proc.stderr[-3000:]
    total = sum(p["comment_count"] for p in truth["posts"])
    assert re.search(r"articles:\s+6 stored \(4 posts, 2 pages\)", proc.stdout)
    assert re.search(rf"comments:\s+{total}\b", proc.stdout)
    assert re.search(r"max thread depth:\s+6\b", proc.stdout)
    (crawl,) = [p.parent.name for p in tmp_path.glob("*/crawl.json")]
    articles = {a["canonical_url"].split("/", 3)[3]: a for a in read_table(tmp_path, crawl, "articles")}
    comments = read_table(tmp_path, crawl, "comments")
    for post in truth["posts"]:
        a = articles[post["url_path"].lstrip("/")]
        assert a["page_kind"] == "post"
        assert (a["title"], a["author_name"], a["author_bio"]) == (post["title"], post["author"], post["author_bio"])
        assert a["published"] == datetime.fromisoformat(post["published"])
        assert a["body_text"].split("\n\n") == post["body_paragraphs"]
        assert a["comments_open"] is not post["comments_closed"]
        got = {c["comment_id"]: c for c in comments if c["article_id"] == a["article_id"]}
        assert set(got) == {str(c["id"]) for c in post["comments"]}
        for c in post["comments"]:
            row = got[str(c["id"])]
            assert row["parent_id"] == (str(c["parent_id"]) if c["parent_id"] else None)
            assert (row["depth"], row["author_name"], row["kind"]) == (c["depth"], c["author"], c["kind"])
            if c["kind"] == "comment":
                assert row["text"] == c["text"]
                assert row["published"] == datetime.fromisoformat(c["published"])


def test_crawl_stores_the_blogs_pages_as_pages_and_no_listing(tmp_path, truth, manifest):
    proc = subprocess.run([sys.executable, "-m", "scrapy.cmdline", "demo", "--out", str(tmp_path)],
                          cwd=ROOT, env=crawl_env(None), capture_output=True, text=True, timeout=180)
    assert proc.returncode == 0, proc.stderr[-3000:]
    (crawl,) = [p.parent.name for p in tmp_path.glob("*/crawl.json")]
    stored = {a["canonical_url"].split("/", 3)[3]: a for a in read_table(tmp_path, crawl, "articles")}
    for page in truth["pages"]:  # the About page (prose) and the Links page (a list of links)
        row = stored.pop(page["url_path"].lstrip("/"))
        assert (row["page_kind"], row["title"], row["published"]) == ("page", page["title"], None)
        assert row["body_text"].split("\n\n") == page["body_paragraphs"]
        assert row["comment_count"] == 0
    assert {a["page_kind"] for a in stored.values()} == {"post"}
    assert sorted(stored) == sorted(p["url_path"].lstrip("/") for p in truth["posts"])  # no listing
    fetched = {r["url"] for r in read_table(tmp_path, crawl, "pages")}
    listings = [e["url"] for e in manifest["entries"] if re.search(r"/(category|tag|author|page)/|test/$", e["url"])]
    assert listings and set(listings) <= fetched  # followed, but never a record
    counts = json.loads((tmp_path / crawl / "crawl.json").read_text())["counts"]
    assert counts["articles_by_kind"] == {"page": 2, "post": 4}


def test_a_second_demo_is_a_recrawl_that_shows_the_whole_root(tmp_path, truth):
    def demo() -> str:
        proc = subprocess.run([sys.executable, "-m", "scrapy.cmdline", "demo", "--out", str(tmp_path)],
                              cwd=ROOT, env=crawl_env(None), capture_output=True, text=True, timeout=180)
        assert proc.returncode == 0, proc.stderr[-3000:]
        return proc.stdout
    demo()
    time.sleep(1.1)  # crawl ids are per second
    again = demo()
    total = sum(p["comment_count"] for p in truth["posts"])
    assert re.search(r"articles:\s+0 stored", again)
    assert re.search(rf"dataset root:\s+6 articles \(4 posts, 2 pages\), {total} comments across 2 crawls", again)
