"""giscus: detection, the term the client computes, the discussion answer, paging, and
replies cut by giscus.

No real giscus capture exists; the fixture answers in tests/fixtures/commentsystems/giscus/ follow
the shape giscus.app serves: ``IGiscussion`` in giscus/giscus lib/types/adapter.ts, built by
lib/adapter.ts (adaptDiscussion / adaptComment / adaptReply) from the query in
services/github/getDiscussion.ts (``replies(last: 100)``); query names from
pages/api/discussions/index.ts, paging as in services/giscus/discussions.ts.
"""
from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import pytest

from conftest import ROOT, SHARED
from scraper.commentsystems import CommentSystemError, Embed, detect, system_named
from scraper.extractors.page import Page, parse_html

FIXTURES = ROOT / "tests" / "fixtures" / "commentsystems" / "giscus"
WORDPRESS = SHARED / "corpus" / "comment-systems" / "wordpress" / "page_lemire.me_threaded.html"
URL = "https://blog.example/posts/notes-on-caching.html?ref=feed#top"


@pytest.fixture
def giscus():
    return system_named("giscus")


def page(markup: bytes | str, url: str = URL) -> Page:
    return Page(parse_html(markup), url)


def fixture_page() -> Page:
    return page((FIXTURES / "page.html").read_bytes())


def answer(name: str) -> bytes:
    return (FIXTURES / name).read_bytes()


def test_detects_the_client_script_and_computes_the_pathname_term(giscus):
    embed = detect(fixture_page())
    assert embed == Embed("giscus", {"repo": "example/blog-comments", "category": "Announcements",
                                     "strict": "false", "term": "posts/notes-on-caching"})


@pytest.mark.parametrize("mapping, term, expected", [
    ("url", "", {"term": "https://blog.example/posts/notes-on-caching.html?ref=feed"}),
    ("title", "", {"term": "Notes on caching"}),
    ("og:title", "", {"term": "Notes on caching (og)"}),
    ("specific", "my-term", {"term": "my-term"}),
    ("number", "42", {"number": "42"}),
])
def test_other_mappings(giscus, mapping, term, expected):
    markup = (FIXTURES / "page.html").read_text().replace('data-mapping="pathname"',
                                                          f'data-mapping="{mapping}" data-term="{term}"')
    params = giscus.detect(page(markup)).params
    assert {k: params[k] for k in expected} == expected
    assert "term" not in params if mapping == "number" else "number" not in params


def test_root_path_is_index(giscus):
    assert giscus.detect(page((FIXTURES / "page.html").read_bytes(), "https://blog.example/")).params["term"] == "index"


def test_a_wordpress_page_is_not_giscus(giscus):
    if not WORDPRESS.exists():
        pytest.skip(f"comment-system captures not found at {WORDPRESS.parent}")
    assert giscus.detect(page(WORDPRESS.read_bytes())) is None


def test_first_fetch_uses_giscus_query_names(giscus):
    fetch = giscus.first_fetch(detect(fixture_page()), {})
    parts = urlsplit(fetch.url)
    assert f"{parts.scheme}://{parts.netloc}{parts.path}" == "https://giscus.app/api/discussions"
    assert parse_qs(parts.query) == {"repo": ["example/blog-comments"], "term": ["posts/notes-on-caching"],
                                     "category": ["Announcements"], "strict": ["false"], "first": ["100"]}


def test_rows_and_next_page(giscus):
    embed = detect(fixture_page())
    fetch = giscus.first_fetch(embed, {})
    batch = giscus.parse(embed, fetch, answer("discussion_page1.json"), {})
    rows = {r["comment_id"]: r for r in batch.comments}
    assert list(rows) == ["DC_kwDOE001", "DC_kwDOE002", "DC_kwDOE003"]
    first, reply, ghost = rows.values()
    assert (first["parent_id"], first["author_name"], first["published"]) == (None, "alice", "2023-05-01T10:00:00+00:00")
    assert first["text"] == "Great post.\n\nOne question: why LRU?"
    assert first["author_url"] == "https://github.com/alice"
    assert (reply["parent_id"], reply["author_name"], reply["text"]) == ("DC_kwDOE001", "blogowner", "Because it is simple.")
    assert (ghost["author_name"], ghost["parent_source"]) == (None, "api")  # a deleted account
    assert batch.incomplete is None
    assert parse_qs(urlsplit(batch.next.url).query)["after"] == ["Y3Vyc29yOjI="]


def test_last_page_and_replies_giscus_leaves_out(giscus):
    embed = detect(fixture_page())
    batch = giscus.parse(embed, giscus.first_fetch(embed, {}), answer("discussion_page2.json"), {})
    assert batch.next is None
    assert [(r["comment_id"], r["parent_id"]) for r in batch.comments] == [("DC_kwDOE004", None), ("DC_kwDOE005", "DC_kwDOE004")]
    assert batch.comments[0]["published"] == "2023-05-03T07:15:00+00:00"
    assert "last 100 replies" in batch.incomplete and "DC_kwDOE004 (100 of 101)" in batch.incomplete


def test_no_discussion_yet(giscus):
    embed = detect(fixture_page())
    assert giscus.parse(embed, giscus.first_fetch(embed, {}), b'{"viewer": null, "discussion": null}', {}).comments == []


@pytest.mark.parametrize("body", [
    b"<!DOCTYPE html><html><body>Rate limited</body></html>",
    b'{"viewer": {}, "discussion": {"comments": [',
    b'{"discussion": {"comments": "none", "pageInfo": {"hasNextPage": false}}}',
    b'{"discussion": {"comments": [{"id": 7, "replies": []}], "pageInfo": {"hasNextPage": false}}}',
    b'{"discussion": {"comments": [], "pageInfo": {"hasNextPage": "yes"}}}',
])
def test_bad_answers(giscus, body):
    embed = detect(fixture_page())
    with pytest.raises(CommentSystemError):
        giscus.parse(embed, giscus.first_fetch(embed, {}), body, {})
