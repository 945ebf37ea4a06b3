"""A crawl of a collection (``-a seeds=FILE``): several blogs on 127.0.0.1 into one dataset, each
in its own scope, one seed's failure listed against it while the others go on, and a rebuild
from the WARC files that finds every blog again."""
from __future__ import annotations

import json
import socket
import subprocess
import sys
from pathlib import Path

import pytest

from scraper.commands.demo import summary
from scraper.replay import SAMPLE_BLOG, ReplaySite
from scraper.seeds import read_seeds
from scraper.outcome import CrawlSetupError

from conftest import WORDPRESS, truth_posts
from crawl_helpers import FAST, ROOT, crawl_env, read_table, run_reextract

THEME = "twentytwentyone"


def _closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _listing(folder: Path, text: str) -> Path:
    path = folder / "one.txt"
    path.write_text(text)
    return path


def test_a_seed_list_reads_urls_hosts_and_comments(tmp_path):
    listing = tmp_path / "blogs.txt"
    listing.write_text("# a community's blogs\n\nhttps://a.example.org/  www.a.example.org, cdn.a.example.org\n"
                       "b.example.net/blog/#top   # the fragment stays, the comment goes\n"
                       "https://a.example.org/ www.a.example.org cdn.a.example.org\n")
    seeds = read_seeds(listing)
    assert [(s.url, s.hosts) for s in seeds] == [
        ("https://a.example.org/", ("a.example.org", "www.a.example.org", "cdn.a.example.org")),
        ("https://b.example.net/blog/#top", ("b.example.net", "www.b.example.net"))]
    # A host and its www. twin are one blog: example.org answering with www.example.org links.
    assert read_seeds(_listing(tmp_path, "http://www.example.test:8081/\n"))[0].hosts == (
        "www.example.test:8081", "example.test:8081")
    listing.write_text("ftp://files.example.org/\n")
    with pytest.raises(CrawlSetupError, match="line 1: not a start URL"):
        read_seeds(listing)
    listing.write_text("# nothing\n")
    with pytest.raises(CrawlSetupError, match="names no blog"):
        read_seeds(listing)


def test_a_collection_lands_in_one_dataset_with_each_blog_in_its_scope(tmp_path):
    wordpress = WORDPRESS / "site" / THEME
    if not (wordpress / "manifest.json").exists():
        pytest.skip(f"shared WordPress corpus not found at {WORDPRESS}")
    sample_truth = json.loads((SAMPLE_BLOG / "truth.json").read_text(encoding="utf-8"))
    dead = f"http://127.0.0.1:{_closed_port()}/"
    with ReplaySite(SAMPLE_BLOG) as sample, ReplaySite(wordpress) as blog:
        listing = tmp_path / "blogs.txt"
        listing.write_text(f"# two blogs and one that is gone\n{sample.url}/\n{blog.url}/\n{dead}\n")
        cmd = [sys.executable, "-m", "scrapy.cmdline", "crawl", "blog", "-a", f"seeds={listing}",
               "-a", f"out={tmp_path / 'out'}", "-a", "crawl=community", *FAST]
        proc = subprocess.run(cmd, cwd=ROOT, env=crawl_env(None), capture_output=True, text=True, timeout=300)
    assert proc.returncode == 3, proc.stderr[-3000:]  # finished; the dead seed is a listed failure
    articles = read_table(tmp_path / "out", "community", "articles")
    sites = {a["site"] for a in articles}
    assert sites == {sample.url.removeprefix("http://"), blog.url.removeprefix("http://")}
    by_site = {s: [a for a in articles if a["site"] == s] for s in sites}
    assert len(by_site[sample.url.removeprefix("http://")]) == len(sample_truth["posts"]) + len(sample_truth.get("pages", []))
    assert len(by_site[blog.url.removeprefix("http://")]) == len(truth_posts())

    manifest = json.loads((tmp_path / "out" / "community" / "crawl.json").read_text())
    seeds = {s["url"]: s for s in manifest["seeds"]}
    assert list(seeds) == [f"{sample.url}/", f"{blog.url}/", dead]
    assert seeds[dead]["start_failed"] == "Request failed: connection refused"
    assert (seeds[dead]["articles"], seeds[dead]["comments"]) == (0, 0)
    comments = read_table(tmp_path / "out", "community", "comments")
    for url, rows in ((f"{sample.url}/", by_site[sample.url.removeprefix("http://")]),
                      (f"{blog.url}/", by_site[blog.url.removeprefix("http://")])):
        ids = {a["article_id"] for a in rows}
        assert seeds[url]["articles"] == len(rows) and seeds[url]["start_failed"] is None
        assert seeds[url]["comments"] == sum(c["article_id"] in ids for c in comments) > 0

    printed = summary(tmp_path / "out" / "community" / "crawl.json")
    assert (f"    {dead}: 0 articles, 0 comments, {seeds[dead]['errors']} errors (start page: Request failed: "
            "connection refused)") in printed
    assert f"    {blog.url}/: {len(truth_posts())} articles" in printed

    # The WARC files name the seed list: a rebuild finds every blog again, each in its scope.
    rebuilt = run_reextract([tmp_path / "out" / "community" / "warc"], tmp_path / "rebuilt")
    assert rebuilt.returncode in (0, 3), rebuilt.stderr[-3000:]
    again = read_table(tmp_path / "rebuilt", "community", "articles")
    assert sorted(a["article_id"] for a in again) == sorted(a["article_id"] for a in articles)


def test_a_blog_closed_to_crawlers_is_listed_against_its_seed(tmp_path):
    """robots.txt disallowing everything: the seed yields nothing, and says why."""
    site = tmp_path / "closed"
    site.mkdir()
    (site / "index.html").write_bytes((SAMPLE_BLOG / "index.html").read_bytes())
    (site / "robots.txt").write_text("User-agent: *\nDisallow: /\n")
    (site / "manifest.json").write_text(json.dumps({"base": "http://closed.test", "entries": [
        {"url": "http://closed.test/", "file": "index.html", "content_type": "text/html"},
        {"url": "http://closed.test/robots.txt", "file": "robots.txt", "content_type": "text/plain"}]}))
    with ReplaySite(site) as closed:
        listing = tmp_path / "blogs.txt"
        listing.write_text(f"{closed.url}/\n")
        cmd = [sys.executable, "-m", "scrapy.cmdline", "crawl", "blog", "-a", f"seeds={listing}",
               "-a", f"out={tmp_path / 'out'}", "-a", "crawl=closed", *FAST]
        proc = subprocess.run(cmd, cwd=ROOT, env=crawl_env(None), capture_output=True, text=True, timeout=120)
    manifest = json.loads((tmp_path / "out" / "closed" / "crawl.json").read_text())
    [seed] = manifest["seeds"]
    assert seed["start_failed"] == f"Not fetched {closed.url}/: robots.txt forbids the start page"
    assert proc.returncode == 4, proc.stderr[-3000:]  # nothing fetched: the crawl failed
