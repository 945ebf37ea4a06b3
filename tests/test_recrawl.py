"""Crawling the same blog again into the same dataset root: a new crawl partition holding only
what is new or changed, unchanged pages revalidated (304) and recorded in ``pages``."""
from __future__ import annotations

import json
import re
from pathlib import Path

import duckdb
import pytest

from scraper.replay import ReplaySite

from conftest import WORDPRESS, manifest_files, truth_posts
from crawl_helpers import read_table, run_crawl, run_reextract

THEME = "twentytwentyone"
START = "http://blog.example.test:8081/"
POST = START + "2016/12/a-deadly-game-of-musical-chairs-in-palmyra/"
POST_API = START + "wp-json/wp/v2/comments?post=5&per_page=100"
README = Path(__file__).resolve().parents[1] / "datasets" / "README.md"
TEXT = "A comment added after the first crawl."


def _with_new_comment(html: str) -> bytes:
    li = f"""<li id="comment-999" class="comment even thread-odd depth-1">
<article id="div-comment-999" class="comment-body"><footer class="comment-meta">
<div class="comment-author vcard"><b class="fn">late-reader</b> <span class="says">says:</span></div>
<div class="comment-metadata"><a href="{POST}#comment-999"><time datetime="2026-01-02T10:00:00+00:00">
January 2, 2026 at 10:00 am</time></a></div></footer>
<div class="comment-content"><p>{TEXT}</p></div></article></li>
"""
    end = html.rindex("</ol>", 0, html.index('id="respond"'))  # the end of the comment list
    return (html[:end] + li + html[end:]).encode()


def _api_with_new_comment(body: str) -> bytes:
    comments = json.loads(body)
    new = dict(comments[0], id=999, parent=0, author=0, author_name="late-reader", author_url="",
               date="2026-01-02T10:00:00", date_gmt="2026-01-02T10:00:00", link=f"{POST}#comment-999",
               content={"rendered": f"<p>{TEXT}</p>\n"})
    return json.dumps(comments + [new]).encode()


@pytest.fixture(scope="module")
def recrawled(tmp_path_factory):
    if not (WORDPRESS / "site" / THEME / "manifest.json").exists():
        pytest.skip(f"shared WordPress corpus not found at {WORDPRESS}")
    out = tmp_path_factory.mktemp("recrawl")
    files = manifest_files(THEME)
    with ReplaySite(WORDPRESS / "site" / THEME) as site:
        first = run_crawl(START, out, "first", site.proxy_url)
        assert first.returncode == 0, first.stderr[-3000:]
        site.override(POST, body=_with_new_comment(files[POST].read_text(encoding="utf-8")))
        site.override(POST_API, body=_api_with_new_comment(files[POST_API].read_text(encoding="utf-8")),
                      content_type="application/json")
        site.requests.clear()
        second = run_crawl(START, out, "second", site.proxy_url)
        assert second.returncode == 0, second.stderr[-3000:]
    return {"out": out, "log": second.stderr}


def test_only_new_comments_are_new_rows(recrawled):
    out = recrawled["out"]
    comments = read_table(out, "second", "comments")
    assert [(c["comment_id"], c["author_name"], c["text"]) for c in comments] == [("999", "late-reader", TEXT)]
    assert comments[0]["parent_id"] is None and comments[0]["crawl_id"] == "second"
    # The article changed (one more comment): its new version is stored, the others are not.
    articles = read_table(out, "second", "articles")
    assert [a["canonical_url"] for a in articles] == [POST]
    assert articles[0]["comment_count"] == 9
    manifest = json.loads((out / "second" / "crawl.json").read_text())
    assert manifest["previous_crawls"] == ["first"]
    assert manifest["counts"]["unchanged_pages"] >= len(truth_posts()) - 1


def test_unchanged_pages_are_revalidated_and_recorded(recrawled):
    pages = {p["url"]: p for p in read_table(recrawled["out"], "second", "pages")}
    first = {p["url"]: p for p in read_table(recrawled["out"], "first", "pages")}
    assert pages[POST]["unchanged"] is False and pages[POST]["status"] == 200
    assert pages[POST_API]["unchanged"] is False
    quiet = START + "2016/04/a-quiet-note-on-archive-formats/"
    assert pages[quiet]["unchanged"] is True and pages[quiet]["status"] == 304
    # An unchanged page points at the capture that holds its content: the first crawl's.
    assert (pages[quiet]["warc_file"], pages[quiet]["sha1"]) == (first[quiet]["warc_file"], first[quiet]["sha1"])
    assert pages[quiet]["etag"] and pages[quiet]["etag"] == first[quiet]["etag"]
    assert sum(p["unchanged"] for p in pages.values()) >= len(pages) - 10


def test_readme_latest_version_query(recrawled):
    """The query datasets/README.md gives for the latest version of every row across crawls."""
    blocks = re.findall(r"```sql\n(.*?)```", README.read_text(encoding="utf-8"), re.S)
    sql = next(b for b in blocks if "latest_comments" in b)
    root = str(recrawled["out"])
    con = duckdb.connect()
    con.execute(sql.replace("datasets/", root + "/"))
    articles = con.execute("SELECT canonical_url, crawl_id, comment_count FROM latest_articles").fetchall()
    assert len(articles) == len(truth_posts())
    assert (POST, "second", 9) in articles
    comments = con.execute("SELECT article_url, comment_id, crawl_id FROM latest_comments").fetchall()
    assert len(comments) == sum(len(p["comments"]) for p in truth_posts()) + 1
    assert (POST, "999", "second") in comments


def test_reextract_of_several_crawls_needs_a_name_whatever_the_order(recrawled, tmp_path):
    out = recrawled["out"]
    for sources in ([out / "second" / "warc", out / "first" / "warc"],
                    [out / "first" / "warc", out / "second" / "warc"]):
        proc = run_reextract(sources, tmp_path)
        assert proc.returncode != 0
        assert "belong to several crawls (first, second): name the rebuilt one with -a crawl=NAME" \
            in proc.stderr
    proc = run_reextract([out / "second" / "warc", out / "first" / "warc"], tmp_path, "-a", "crawl=both")
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert "304 Not Modified" not in proc.stderr
    assert len(read_table(tmp_path, "both", "articles")) == len(truth_posts())


def test_a_recrawl_with_the_earlier_crawl_rebuilds_in_parallel_as_in_one_process(recrawled, tmp_path):
    """The re-crawl's files are the tasks' entry points, its 304s answered from the earlier
    crawl's files, as one process reads them."""
    sources = [recrawled["out"] / "second" / "warc", recrawled["out"] / "first" / "warc"]
    for out, extra in ((tmp_path / "one", ()), (tmp_path / "two", ("-a", "processes=2"))):
        proc = run_reextract(sources, out, "-a", "crawl=both", *extra)
        assert proc.returncode == 0, proc.stderr[-3000:]
    keys = {"articles": ("article_id",), "comments": ("article_id", "comment_id"), "pages": ("url",)}
    for table, key in keys.items():
        one, two = ([sorted(read_table(out, "both", table), key=lambda r: tuple(r[k] for k in key))
                     for out in (tmp_path / "one", tmp_path / "two")])
        assert one == two and one, table


def test_reextract_of_a_recrawl_alone_says_the_earlier_warc_is_needed(recrawled, tmp_path):
    proc = run_reextract([recrawled["out"] / "second" / "warc"], tmp_path)
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert "held only as '304 Not Modified' answers of a re-crawl" in proc.stderr
    assert "WARC files of the earlier crawl(s)" in proc.stderr


def test_without_validators_unchanged_pages_are_known_by_their_content(tmp_path):
    """A server that sends no ETag or Last-Modified: the re-crawl fetches every page again, knows
    the unchanged ones by their bytes, and neither extracts them nor follows their threads again
    (no REST call for the unchanged posts); the new comment is still the one new row."""
    if not (WORDPRESS / "site" / THEME / "manifest.json").exists():
        pytest.skip(f"shared WordPress corpus not found at {WORDPRESS}")
    files = manifest_files(THEME)
    with ReplaySite(WORDPRESS / "site" / THEME, validators=False) as site:
        assert run_crawl(START, tmp_path, "first", site.proxy_url).returncode == 0
        site.override(POST, body=_with_new_comment(files[POST].read_text(encoding="utf-8")))
        site.override(POST_API, body=_api_with_new_comment(files[POST_API].read_text(encoding="utf-8")),
                      content_type="application/json")
        site.requests.clear()
        second = run_crawl(START, tmp_path, "second", site.proxy_url)
        assert second.returncode == 0, second.stderr[-3000:]
        asked = list(site.requests)
    comments = read_table(tmp_path, "second", "comments")
    assert [c["comment_id"] for c in comments] == ["999"]
    quiet_api = START + "wp-json/wp/v2/comments?post=6&per_page=100"
    assert quiet_api not in asked and POST_API in asked
    pages = {p["url"]: p for p in read_table(tmp_path, "second", "pages")}
    quiet = START + "2016/04/a-quiet-note-on-archive-formats/"
    assert pages[quiet]["unchanged"] is True and pages[quiet]["status"] == 200
    assert pages[POST]["unchanged"] is False


def _latest(root: Path) -> tuple[list, list]:
    blocks = re.findall(r"```sql\n(.*?)```", README.read_text(encoding="utf-8"), re.S)
    con = duckdb.connect()
    con.execute(next(b for b in blocks if "latest_comments" in b).replace("datasets/", str(root) + "/"))
    return (con.execute("SELECT canonical_url FROM latest_articles").fetchall(),
            con.execute("SELECT article_url, comment_id FROM latest_comments").fetchall())


def test_a_recrawl_after_an_interrupted_crawl_stores_what_it_missed(tmp_path):
    """The first crawl stops early (a page limit, as Ctrl-C would): it fetched article pages
    whose articles it never stored. Their unchanged pages must not count as stored."""
    if not (WORDPRESS / "site" / THEME / "manifest.json").exists():
        pytest.skip(f"shared WordPress corpus not found at {WORDPRESS}")
    with ReplaySite(WORDPRESS / "site" / THEME) as site:
        cut = run_crawl(START, tmp_path, "cut", site.proxy_url, "-s", "CLOSESPIDER_PAGECOUNT=12")
        assert cut.returncode == 0, cut.stderr[-3000:]
        assert json.loads((tmp_path / "cut" / "crawl.json").read_text())["finish_reason"] != "finished"
        assert len(read_table(tmp_path, "cut", "articles")) < len(truth_posts())
        again = run_crawl(START, tmp_path, "again", site.proxy_url)
        assert again.returncode == 0, again.stderr[-3000:]
    articles, comments = _latest(tmp_path)
    assert len(articles) == len(truth_posts())
    assert len(comments) == len(set(comments)) == sum(len(p["comments"]) for p in truth_posts())


def test_a_recrawl_whose_earlier_warc_is_gone_fetches_pages_again(tmp_path):
    """A 304 stands for the earlier capture; where that capture cannot be read (the WARC was
    moved away) the page is asked for again in full, and the crawl still covers the site."""
    if not (WORDPRESS / "site" / THEME / "manifest.json").exists():
        pytest.skip(f"shared WordPress corpus not found at {WORDPRESS}")
    with ReplaySite(WORDPRESS / "site" / THEME) as site:
        assert run_crawl(START, tmp_path, "first", site.proxy_url).returncode == 0
        (tmp_path / "first" / "warc").rename(tmp_path / "moved-warc")
        second = run_crawl(START, tmp_path, "second", site.proxy_url)
    assert second.returncode == 0, second.stderr[-3000:]
    assert "Cannot read the earlier capture" in second.stderr and "fetching it again in full" in second.stderr
    pages = {p["url"]: p for p in read_table(tmp_path, "second", "pages")}
    assert all(pages[p["url"]]["status"] == 200 for p in truth_posts())
    articles, comments = _latest(tmp_path)
    assert len(articles) == len(truth_posts())
