"""``blog-archiver``, the installed console command, run from a directory that is not the
project's: every command found, crawl's options listed and passed on, crawl limits and the
contact in the User-Agent applied to a real crawl of the sample blog served on 127.0.0.1."""
from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest
from warcio.archiveiterator import ArchiveIterator

from crawl_helpers import read_table
from scraper.cli import COMMANDS, crawl_arguments, user_agent
from scraper.replay import SAMPLE_BLOG, ReplaySite, subprocess_env

SAMPLE = "http://sample-blog.test/"
SAMPLE_POST = SAMPLE_BLOG / "2024" / "04" / "reader-questions-dial-cords-hum" / "index.html"
TOOL = Path(sys.executable).with_name("blog-archiver")
pytestmark = pytest.mark.skipif(not TOOL.exists(), reason="blog-archiver is not installed in this "
                                "environment (pip install -e . installs it)")


def run_tool(*args: str, cwd: Path, proxy: str | None = None, timeout: float = 180):
    env = subprocess_env(proxy)
    env.pop("PYTHONPATH")  # the installed package alone, as a user has it
    env.pop("SCRAPY_SETTINGS_MODULE", None)
    return subprocess.run([str(TOOL), *args], cwd=cwd, env=env, capture_output=True, text=True,
                          timeout=timeout)


def test_help_lists_every_command_and_crawls_options(tmp_path):
    overview = run_tool("--help", cwd=tmp_path)
    assert overview.returncode == 0
    for name in COMMANDS:
        assert f"  {name} " in overview.stdout
    crawl_help = run_tool("crawl", "--help", cwd=tmp_path)
    assert crawl_help.returncode == 0
    for flag in ("--seeds", "--out", "--crawl", "--hosts", "--contact", "--max-pages",
                 "--max-pages-per-site", "--depth", "--jobdir", "--redis-url", "-s NAME=VALUE"):
        assert flag in crawl_help.stdout
    unknown = run_tool("crawl-everything", cwd=tmp_path)
    assert unknown.returncode == 2 and "unknown command 'crawl-everything'" in unknown.stderr


def test_a_project_command_works_outside_the_project(tmp_path):
    # `scrapy extract` from here says "Unknown command": scrapy.cfg is in the repository root.
    proc = run_tool("extract", str(SAMPLE_POST), cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr[-2000:]
    record = json.loads(proc.stdout)
    assert record["article"]["title"] == "Reader Questions: Dial Cords, Hum and That Hot Smell"


def test_crawl_options_become_spider_arguments_and_settings():
    args = crawl_arguments(["https://blog.example.org/", "--out", "d", "--max-pages-per-site", "5",
                            "--depth", "3", "--wacz", "-s", "LOG_LEVEL=DEBUG"])
    assert args == ["crawl", "blog", "-a", "url=https://blog.example.org/", "-a", "out=d",
                    "-s", "MAX_PAGES_PER_SITE=5", "-s", "DEPTH_LIMIT=3", "-s", "WACZ=True",
                    "-s", "LOG_LEVEL=DEBUG"]
    assert user_agent("me@example.org").endswith("(archival crawler; +mailto:me@example.org)")
    with pytest.raises(SystemExit):  # neither a URL nor a seed file
        crawl_arguments(["--out", "d"])


def _user_agents(folder: Path) -> set[str]:
    """The User-Agent of every request the WARC files recorded."""
    agents = set()
    for warc in folder.glob("warc/*.warc.gz"):
        with warc.open("rb") as f:
            agents |= {r.http_headers.get_header("User-Agent") for r in ArchiveIterator(f)
                       if r.rec_type == "request"}
    return agents


def test_crawl_from_another_directory_with_a_page_limit_and_a_contact(tmp_path):
    work = tmp_path / "elsewhere"
    work.mkdir()
    with ReplaySite(SAMPLE_BLOG) as site:
        proc = run_tool("crawl", SAMPLE, "--out", "data", "--crawl", "limited", "--max-pages-per-site", "3",
                        "--contact", "archivist@example.org", "-s", "AUTOTHROTTLE_ENABLED=False",
                        "-s", "DOWNLOAD_DELAY=0", cwd=work, proxy=site.proxy_url)
        full = run_tool("crawl", SAMPLE, "--out", "data", "--crawl", "whole", "--no-warc",
                        "-s", "AUTOTHROTTLE_ENABLED=False", "-s", "DOWNLOAD_DELAY=0",
                        cwd=work, proxy=site.proxy_url)
    assert proc.returncode == 0, proc.stderr[-3000:]
    folder = work / "data" / "limited"
    (seed,) = json.loads((folder / "crawl.json").read_text())["seeds"]
    pages = read_table(work / "data", "limited", "pages")
    # Three of the blog's pages fetched (the start page among them), the rest counted, not lost.
    # (robots.txt, sitemaps, feeds and REST calls are not the blog's pages and do not count)
    site_pages = {p["url"] for p in pages if not re.search(r"robots\.txt|sitemap|/feed/|wp-json", p["url"])}
    assert len(site_pages) == 3 and seed["pages_skipped_by_limit"] > 0
    assert "MAX_PAGES_PER_SITE (3) reached for http://sample-blog.test/" in proc.stderr
    assert "names no contact" not in proc.stderr
    assert _user_agents(folder) == {user_agent("archivist@example.org")}

    assert full.returncode == 0, full.stderr[-3000:]
    whole = json.loads((work / "data" / "whole" / "crawl.json").read_text())
    assert whole["seeds"][0]["pages_skipped_by_limit"] == 0
    assert len(read_table(work / "data", "whole", "articles")) > len(read_table(work / "data", "limited", "articles"))
    # No contact given: the crawl says so (and still runs).
    assert "The User-Agent ('blog-archiver/" in full.stderr and "names no contact" in full.stderr


def test_scrapy_crawl_help_lists_the_spiders_arguments_and_settings():
    proc = subprocess.run([sys.executable, "-m", "scrapy.cmdline", "crawl", "-h"], cwd=Path(__file__).parents[1],
                          env=subprocess_env(None), capture_output=True, text=True, timeout=60)
    assert proc.returncode == 0, proc.stderr[-2000:]
    for line in ("-a seeds=...  (--seeds)", "-a out=...", "-a crawl=...", "-a hosts=...",
                 "-s MAX_PAGES_PER_SITE=...  (--max-pages-per-site)", "-s USER_AGENT=...  (--contact)"):
        assert line in proc.stdout
