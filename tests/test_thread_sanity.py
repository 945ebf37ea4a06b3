"""Thread sanity: parents that go round in a circle, and different comments that share an id.

The threads are real ones: the WordPress 6.1.9 renders and REST answers of
``../shared/corpus/wordpress`` and a Slashdot discussion of ``../shared/corpus/threads``
(skipped where absent); the crawl runs on the sample blog that ships in the package. Each is
changed only where the fault under test needs it (a REST ``parent``, an id in the markup).
"""
from __future__ import annotations

import gzip
import json
import logging
import re

import pytest
from scrapy.utils.test import get_crawler

from pipelines.validation import ThreadValidationPipeline
from scraper import wordpress
from scraper.extractors import extract_page
from scraper.items import ArticleItem
from scraper.replay import SAMPLE_BLOG, ReplaySite
from scraper.threads import REPAIRS_KEY, CommentThread

from conftest import SHARED, WORDPRESS, manifest_files
from crawl_helpers import read_table, run_crawl

THEME = "twentytwentyone"
MAILBAG = "http://blog.example.test:8081/2016/10/reader-mailbag-long-comment-threads/"
MAILBAG_API = "http://blog.example.test:8081/wp-json/wp/v2/comments?post=8&per_page=100"
SLASHDOT_PAGE = SHARED / "corpus" / "threads" / "html" / "wcxb__dev__html__0570.html.gz"
SLASHDOT = ("https://linux.slashdot.org/story/24/01/12/169219/"
            "a-2024-discussion-whether-to-convert-the-linux-kernel-from-c-to-modern-c")
SAMPLE = "http://sample-blog.test/"
SAMPLE_POST = SAMPLE + "2024/03/recapping-a-1950s-mains-set/"
SAMPLE_API = SAMPLE + "wp-json/wp/v2/comments?post=11&per_page=100"
CYCLE_STAT = "threads/parent_cycles_broken"
SHARED_ID_STAT = "threads/shared_ids_derived"


# -- real threads, and the one change each test makes to them --------------------------------
@pytest.fixture
def mailbag_pages(wordpress_corpus) -> dict[str, bytes]:
    """The mailbag post's pages as captured: the article URL and comment pages 1 to 3."""
    files = manifest_files(THEME)
    urls = [MAILBAG] + [f"{MAILBAG}comment-page-{n}/" for n in (1, 2, 3)]
    return {url: files[url].read_bytes() for url in urls} | {MAILBAG_API: files[MAILBAG_API].read_bytes()}


def _with_parents(rest_answer: bytes, parents: dict[int, int]) -> list[dict]:
    """A REST comments answer with some comments' ``parent`` changed, read as the spider reads it."""
    comments = json.loads(rest_answer)
    for c in comments:
        c["parent"] = parents.get(c["id"], c["parent"])
    return wordpress.parse_comments(comments)


def _mailbag_thread(pages: dict[str, bytes], api_rows: list[dict] | None) -> list[dict]:
    """The mailbag thread as the spider assembles it: the article URL, every comment page, and
    the REST answer."""
    thread = CommentThread()
    thread.add_page(None, extract_page(pages[MAILBAG], MAILBAG)["comments"])
    for n in (1, 2, 3):
        url = f"{MAILBAG}comment-page-{n}/"
        thread.add_page(n, extract_page(pages[url], url)["comments"])
    if api_rows is not None:
        thread.add_api(api_rows)
    return thread.rows()


def _slashdot(mutate=lambda html: html) -> list[dict]:
    if not SLASHDOT_PAGE.exists():
        pytest.skip(f"shared thread pages not found at {SLASHDOT_PAGE.parent}")
    thread = CommentThread()
    thread.add_page(None, extract_page(mutate(gzip.open(SLASHDOT_PAGE).read()), SLASHDOT)["comments"])
    return thread.rows()


def _validated(comments: list[dict], url: str) -> tuple[list[dict], dict]:
    """``comments`` through the validation pipeline, as a crawl's items go; its stats."""
    crawler = get_crawler(settings_dict={"EXTENSIONS_BASE": {}})
    article = {"article_id": "0123456789abcdef", "url": url, "canonical_url": url}
    item = ThreadValidationPipeline.from_crawler(crawler).process_item(ArticleItem(article, comments))
    return item.comments, crawler.stats.get_stats()


def _shape(rows: list[dict]) -> dict[str, tuple]:
    return {r["comment_id"]: (r["parent_id"], r["depth"]) for r in rows}


def _thread_warnings(caplog) -> list[str]:
    return [r.getMessage() for r in caplog.records
            if r.levelno == logging.WARNING and r.name == "pipelines.validation"]


# -- parent cycles ---------------------------------------------------------------------------
def test_rest_parent_cycle_goes_to_top_level_with_its_replies_below(mailbag_pages, caplog):
    """REST says 35 replies to 36 and 36 to 35. Before: both stored at depth 1 with a parent,
    and their replies 37..41 at depth 1 too, without a word."""
    api = _with_parents(mailbag_pages[MAILBAG_API], {35: 36})
    rows = _mailbag_thread(mailbag_pages, api)
    shape = _shape(rows)
    assert shape["35"] == (None, 1) and shape["36"] == (None, 1)
    assert [shape[str(i)] for i in range(37, 42)] == [("36", 2), ("37", 3), ("38", 4), ("39", 5), ("40", 6)]
    assert len(rows) == 27 and [r["position"] for r in rows] == list(range(27))
    order = [r["comment_id"] for r in rows]
    assert order.index("36") < order.index("37") < order.index("41") < order.index("42")

    with caplog.at_level(logging.WARNING):
        stored, stats = _validated(rows, MAILBAG)
    assert _thread_warnings(caplog) == [
        f"Article {MAILBAG}: parent cycle 35 → 36 → 35 broken: 35, 36 stored at top level, "
        "replies below them"]
    assert stats[CYCLE_STAT] == 1 and SHARED_ID_STAT not in stats
    assert "validation/orphan_comments" not in stats and "validation/fixed_depths" not in stats
    assert _shape(stored) == shape
    assert not any(REPAIRS_KEY in r for r in stored)


def test_a_comment_named_as_its_own_parent_is_a_cycle_of_one(mailbag_pages, caplog):
    api = _with_parents(mailbag_pages[MAILBAG_API], {42: 42})
    shape = _shape(_mailbag_thread(mailbag_pages, api))
    assert shape["42"] == (None, 1)
    with caplog.at_level(logging.WARNING):
        _, stats = _validated(_mailbag_thread(mailbag_pages, api), MAILBAG)
    assert _thread_warnings(caplog) == [
        f"Article {MAILBAG}: parent cycle 42 → 42 broken: 42 stored at top level, replies below them"]
    assert stats[CYCLE_STAT] == 1


def test_a_parent_outside_the_thread_is_kept_and_said(mailbag_pages, caplog):
    """Unchanged rule, held here beside the cycle rule: a reply whose parent is not in the
    thread (a page that failed) keeps its parent_id, sits at depth 2 or more where its source
    put it, and validation says so; it is not a cycle."""
    api = _with_parents(mailbag_pages[MAILBAG_API], {43: 999})
    rows = _mailbag_thread(mailbag_pages, api)
    assert _shape(rows)["43"] == ("999", 2)
    with caplog.at_level(logging.WARNING):
        _, stats = _validated(rows, MAILBAG)
    assert _thread_warnings(caplog) == [
        f"Article {MAILBAG}, comment 43: parent 999 is not a comment of this article (row kept)"]
    assert stats["validation/orphan_comments"] == 1 and CYCLE_STAT not in stats


def test_validation_breaks_a_cycle_in_an_item_assembled_elsewhere(mailbag_pages, caplog):
    """Items that did not come through CommentThread get the same rule from validation."""
    rows = _with_parents(mailbag_pages[MAILBAG_API], {35: 36})
    for r in rows:
        r["depth"] = 1 if r["parent_id"] is None else 2  # what a source without depths might say
    with caplog.at_level(logging.WARNING):
        stored, stats = _validated(rows, MAILBAG)
    shape = _shape(stored)
    assert shape["35"] == (None, 1) and shape["36"] == (None, 1)
    assert [shape[str(i)] for i in range(37, 42)] == [("36", 2), ("37", 3), ("38", 4), ("39", 5), ("40", 6)]
    assert stats[CYCLE_STAT] == 1 and len(_thread_warnings(caplog)) == 1


# -- comments sharing an id ------------------------------------------------------------------
def _slashdot_reply_takes_its_parents_id(html: bytes) -> bytes:
    """serviscope_minor's reply 64154237 to Cassini2's 64154089 given Cassini2's id, in every
    id of its markup (tree_, comment_, comment_top_, commtree_ ...)."""
    return html.replace(b"_64154237", b"_64154089")


def test_different_comments_sharing_an_id_on_one_page_are_all_kept(caplog):
    """Before: the reply was dropped and its own replies hung under Cassini2."""
    original, mutated = _slashdot(), _slashdot(_slashdot_reply_takes_its_parents_id)
    assert len(mutated) == len(original) == 109
    by_id = {r["comment_id"]: r for r in mutated}
    assert "64154237" not in by_id
    cassini, derived = by_id["64154089"], by_id["64154089~2"]
    assert (cassini["author_name"], derived["author_name"]) == ("Cassini2", "serviscope_minor")
    # The reply sits under the comment whose id it took; each later reply under the comment the
    # page nests it in: Spazmania under serviscope_minor, LostMyBeaver under Cassini2.
    assert (derived["parent_id"], derived["depth"]) == ("64154089", 4)
    assert (by_id["64154701"]["parent_id"], by_id["64154701"]["depth"]) == ("64154089~2", 5)
    assert (by_id["64155059"]["parent_id"], by_id["64155059"]["depth"]) == ("64154089", 4)
    unchanged = {r["comment_id"]: r for r in original}
    for cid, row in by_id.items():
        before = unchanged["64154237" if cid == "64154089~2" else cid]
        assert (row["author_name"], row["text"], row["depth"], row["position"]) == \
            (before["author_name"], before["text"], before["depth"], before["position"])

    with caplog.at_level(logging.WARNING):
        stored, stats = _validated(mutated, SLASHDOT)
    assert _thread_warnings(caplog) == [
        f"Article {SLASHDOT}: comment id 64154089 is shown on different comments: "
        "the later one stored as 64154089~2"]
    assert stats[SHARED_ID_STAT] == 1 and "validation/duplicate_comments" not in stats
    assert len(stored) == 109 and not any(REPAIRS_KEY in r for r in stored)


def _mailbag_page_two_reuses_an_id(pages: dict[str, bytes]) -> dict[str, bytes]:
    """reader-54's comment 51 on comment page 2 printed with the id of reader-41's comment 34
    on page 1."""
    url = f"{MAILBAG}comment-page-2/"
    html = re.sub(rb"comment-51\b", b"comment-34", pages[url])
    html = re.sub(rb'(commentid|replytocom)(="|=)51\b', rb"\g<1>\g<2>34", html)
    return pages | {url: html}


def test_a_comment_page_reusing_an_id_of_an_earlier_page_keeps_both(mailbag_pages, caplog):
    rows = _mailbag_thread(_mailbag_page_two_reuses_an_id(mailbag_pages), api_rows=None)
    by_id = {r["comment_id"]: r for r in rows}
    assert len(rows) == 27 and "51" not in by_id
    assert (by_id["34"]["author_name"], by_id["34~2"]["author_name"]) == ("reader-41", "reader-54")
    assert (by_id["34~2"]["parent_id"], by_id["34~2"]["depth"]) == (None, 1)
    unchanged = [r["comment_id"] for r in _mailbag_thread(mailbag_pages, None)]
    assert [r["comment_id"] for r in rows].index("34~2") == unchanged.index("51")  # in its place
    with caplog.at_level(logging.WARNING):
        _, stats = _validated(rows, MAILBAG)
    assert stats[SHARED_ID_STAT] == 1 and len(_thread_warnings(caplog)) == 1


def test_the_same_comment_seen_twice_is_stored_once(mailbag_pages, caplog):
    """Page 1 is shown at the article URL and at comment-page-1; here page 2 also repeats
    reader-41's comment 34 exactly: one row each, no derived id, no warning."""
    page_one = mailbag_pages[f"{MAILBAG}comment-page-1/"]
    start = page_one.index(b'<li id="comment-34"')
    end = page_one.index(b"</li><!-- #comment-## -->", start) + len(b"</li><!-- #comment-## -->")
    url = f"{MAILBAG}comment-page-2/"
    at = mailbag_pages[url].index(b'<li id="comment-51"')
    repeated = mailbag_pages | {url: mailbag_pages[url][:at] + page_one[start:end] + mailbag_pages[url][at:]}
    assert extract_page(repeated[url], url)["comments"][0]["comment_id"] == "34"
    rows = _mailbag_thread(repeated, api_rows=None)
    assert [r["comment_id"] for r in rows] == [r["comment_id"] for r in _mailbag_thread(mailbag_pages, None)]
    with caplog.at_level(logging.WARNING):
        _, stats = _validated(rows, MAILBAG)
    assert _thread_warnings(caplog) == [] and SHARED_ID_STAT not in stats


def test_wordpress_comments_sharing_an_id_on_one_page_reach_the_thread(mailbag_pages):
    url = f"{MAILBAG}comment-page-1/"
    html = re.sub(rb"comment-43\b", b"comment-42", mailbag_pages[url])
    html = re.sub(rb'(commentid|replytocom)(="|=)43\b', rb"\g<1>\g<2>42", html)
    thread = CommentThread()
    thread.add_page(1, extract_page(html, url)["comments"])
    authors = {r["comment_id"]: r["author_name"] for r in thread.rows()}
    assert (authors.get("42"), authors.get("42~2")) == ("reader-47", "reader-48")


# -- a normal thread ---------------------------------------------------------------------------
def test_a_sound_thread_is_unchanged_and_nothing_is_said(mailbag_pages, caplog):
    truth = json.loads((WORDPRESS / "truth" / "reader-mailbag-long-comment-threads.json").read_text())
    rows = _mailbag_thread(mailbag_pages, wordpress.parse_comments(json.loads(mailbag_pages[MAILBAG_API])))
    assert _shape(rows) == {str(c["id"]): (str(c["parent_id"]) if c["parent_id"] else None, c["depth"])
                            for c in truth["comments"]}
    with caplog.at_level(logging.WARNING):
        stored, stats = _validated(rows, MAILBAG)
    assert _thread_warnings(caplog) == []
    assert not [key for key in stats if key.startswith(("threads/", "validation/"))]
    assert _shape(stored) == _shape(rows)


# -- a crawl ----------------------------------------------------------------------------------
def test_crawl_stores_a_rest_cycle_at_top_level_and_says_so(tmp_path):
    """The sample blog, its post 11's REST answer saying 22 replies to 23 and 23 to 22."""
    truth = json.loads((SAMPLE_BLOG / "truth.json").read_text(encoding="utf-8"))
    answer = json.loads((SAMPLE_BLOG / "wp-json/wp/v2/comments/_q_post=11&per_page=100/index.json").read_bytes())
    for c in answer:
        c["parent"] = 23 if c["id"] == 22 else c["parent"]
    with ReplaySite(SAMPLE_BLOG) as site:
        site.override(SAMPLE_API, body=json.dumps(answer).encode(), content_type="application/json")
        proc = run_crawl(SAMPLE, tmp_path, "cycle", site.proxy_url)
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert (f"Article {SAMPLE_POST}: parent cycle 22 → 23 → 22 broken: 22, 23 stored at top level, "
            "replies below them") in proc.stderr
    manifest = json.loads((tmp_path / "cycle" / "crawl.json").read_text())
    assert manifest["stats"][CYCLE_STAT] == 1  # Scrapy's stats, kept in crawl.json
    assert manifest["log_counts"]["WARNING"] >= 1
    assert manifest["counts"]["thread_repairs"] == {"parent_cycles_broken": 1, "shared_ids_derived": 0}

    rows = read_table(tmp_path, "cycle", "comments")
    post = {r["comment_id"]: r for r in rows if r["article_url"] == SAMPLE_POST}
    assert {cid: (post[cid]["parent_id"], post[cid]["depth"]) for cid in ("22", "23", "25")} == {
        "22": (None, 1), "23": (None, 1), "25": ("23", 2)}
    # Every other comment of the blog as its truth says.
    expected = {str(c["id"]): (str(c["parent_id"]) if c["parent_id"] else None, c["depth"])
                for p in truth["posts"] for c in p["comments"] if c["id"] not in (22, 23, 25)}
    assert {r["comment_id"]: (r["parent_id"], r["depth"]) for r in rows
            if r["comment_id"] not in ("22", "23", "25")} == expected
