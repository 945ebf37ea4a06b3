"""Isso against a real Isso 0.14 server (``isso_server.py``): a thread is posted through Isso's
own API, the page embedding it is detected, and the very request ``first_fetch`` names is sent
to the server and parsed back into rows.

What the server does is Isso's (isso-comments/isso 0.14.0, MIT): ``isso/views/comments.py``
``fetch`` (the thread, whole when neither ``limit`` nor ``nested_limit`` is given; text rendered
unless ``plain=1``) and ``new`` (author and website stored HTML-escaped), and
``isso/db/comments.py`` ``add`` (a reply to a reply is stored under the top-level comment).
"""
from __future__ import annotations

import time
import urllib.request
from datetime import datetime, timezone

import pytest

from isso_server import isso  # noqa: F401  (the module-scoped server fixture)
from scraper.commentsystems import registry
from scraper.commentsystems.base import CommentSystemError, Embed, Fetch
from scraper.commentsystems.isso import Isso
from scraper.extractors.page import Page, parse_html

THREAD = "/2024/01/a-post/"
PAGE_URL = "http://blog.test" + THREAD

PAGE = """<!doctype html><html><head><title>A post</title></head><body>
<article><h1>A post</h1><p>Words.</p></article>
<section id="isso-thread" data-title="A post"><noscript>Javascript is needed.</noscript></section>
<script data-isso="{server}/" src="{server}/js/embed.min.js"></script>
</body></html>"""


def page(html: str, url: str = PAGE_URL) -> Page:
    return Page(parse_html(html), url)


def utc(created: float) -> str:
    return datetime.fromtimestamp(created, timezone.utc).isoformat()


@pytest.fixture(scope="module")
def thread(isso):  # noqa: F811
    """Four comments: a top-level one, a reply, a reply to that reply (which Isso files under
    the top-level comment), a second top-level one; then a deleted comment with a reply."""
    before = time.time()
    ann = isso.post(THREAD, "Hello **world**\n\nSecond paragraph.", author="Ann & Bob",
                    website="https://ann.example/?a=1&b=2")
    bob = isso.post(THREAD, "Reply to Ann", author="Bob", parent=ann["id"])
    cy = isso.post(THREAD, "Reply to *Bob*", author="Cy", parent=bob["id"])
    dee = isso.post(THREAD, "Another top-level comment", author=None, website="dee.example")
    gone = isso.post(THREAD, "Soon deleted", author="Eve")
    kept = isso.post(THREAD, "A reply that outlives its parent", author="Fay", parent=gone["id"])
    isso.delete(gone["id"])
    isso.post("/another-post/", "Not in this thread", author="Gus")
    return {"before": before, "after": time.time(),
            "ann": ann, "bob": bob, "cy": cy, "dee": dee, "gone": gone, "kept": kept}


def fetch_thread(isso, thread):  # noqa: F811
    system = Isso()
    embed = system.detect(page(PAGE.format(server=isso.url)))
    fetch = system.first_fetch(embed, {})
    with urllib.request.urlopen(urllib.request.Request(fetch.url, method=fetch.method), timeout=10) as response:
        assert response.status == 200
        return system.parse(embed, fetch, response.read(), dict(response.headers))


def test_detect_reads_the_server_and_thread(isso):  # noqa: F811
    embed = Isso().detect(page(PAGE.format(server=isso.url)))
    assert embed == Embed("isso", {"server": isso.url, "uri": THREAD})
    assert Isso().first_fetch(embed, {}) == Fetch(f"{isso.url}/?uri=%2F2024%2F01%2Fa-post%2F")


def test_reply_to_a_reply_is_stored_under_the_top_level_comment(thread):
    assert thread["bob"]["parent"] == thread["ann"]["id"]
    assert thread["cy"]["parent"] == thread["ann"]["id"]  # not bob: Isso keeps one level


def test_the_whole_thread_is_parsed_from_the_real_server(isso, thread):  # noqa: F811
    batch = fetch_thread(isso, thread)
    assert batch.next is None and batch.incomplete is None
    ann, bob, cy, dee, gone, kept = (thread[k] for k in ("ann", "bob", "cy", "dee", "gone", "kept"))
    expected = [
        (ann, None, "Ann & Bob", "https://ann.example/?a=1&b=2", "Hello world\n\nSecond paragraph."),
        (bob, ann, "Bob", None, "Reply to Ann"),
        (cy, ann, "Cy", None, "Reply to Bob"),
        (dee, None, None, "http://dee.example", "Another top-level comment"),
        (gone, None, None, None, None),  # deleted, kept for its reply: no author, no text
        (kept, gone, "Fay", None, "A reply that outlives its parent"),
    ]
    assert [r["comment_id"] for r in batch.comments] == [str(c["id"]) for c, *_ in expected]
    for row, (c, parent, author, website, text) in zip(batch.comments, expected):
        assert row["parent_id"] == (str(parent["id"]) if parent else None)
        assert row["author_name"] == author
        assert row["author_url"] == website
        assert row["text"] == text
        assert row["published"] == utc(c["created"])
        assert row["published_raw"] == repr(c["created"])
        assert thread["before"] - 5 <= datetime.fromisoformat(row["published"]).timestamp() <= thread["after"] + 5
        assert row["parent_source"] == "api" and row["kind"] == "comment"


def test_data_isso_id_and_script_src_fallback(isso):  # noqa: F811
    html = ('<html><body><div id="isso-thread" data-isso-id="/legacy/42"></div>'
            '<script src="/isso/js/embed.min.js"></script></body></html>')
    assert Isso().detect(page(html)) == Embed("isso", {"server": "http://blog.test/isso", "uri": "/legacy/42"})


@pytest.mark.parametrize("html", [
    "<html><body><p>No comments here.</p></body></html>",
    # a server but no thread: Isso's count.js on an index page
    '<html><body><script data-isso="https://c.example/" src="https://c.example/js/count.min.js"></script>'
    '</body></html>',
    # a thread element but nothing says where the server is
    '<html><body><section id="isso-thread"></section><script src="/js/app.js"></script></body></html>',
])
def test_pages_without_isso_detect_nothing(html):
    assert Isso().detect(page(html)) is None


def test_registered_and_found_by_the_registry(isso):  # noqa: F811
    assert registry.systems()["isso"].name == "isso"
    found = registry.detect(page(PAGE.format(server=isso.url)))
    assert found is not None and found.system == "isso"


@pytest.mark.parametrize("body", [
    b"<!doctype html><html><body>502 Bad Gateway</body></html>",
    b'{"id": null, "total_replies": 1, "replies": [{"id": 1, "parent": null',
    b'{"id": null, "replies": {"id": 1}}',
    b'{"id": null, "replies": [{"id": "1", "parent": null, "created": 1.0, "text": "x"}]}',
    b'{"id": null, "replies": [{"id": 1, "parent": null, "created": "yesterday", "text": "x"}]}',
    b'{"id": null, "replies": [{"id": 1, "parent": null, "created": 1.0, "text": "x", "replies": [3]}]}',
    b'{"id": null, "replies": [{"id": 1, "parent": null, "created": 1e300, "text": "x"}]}',
    b"[]",
])
def test_bad_answers_raise(body):
    embed = Embed("isso", {"server": "http://c.test", "uri": "/"})
    with pytest.raises(CommentSystemError):
        Isso().parse(embed, Isso().first_fetch(embed, {}), body, {})


def test_answers_that_leave_comments_out_say_so():
    body = (b'{"id": null, "total_replies": 5, "hidden_replies": 3, "replies": [{"id": 1, "parent": null,'
            b' "created": 0, "text": "<p>x</p>", "hidden_replies": 1, "replies": []}]}')
    embed = Embed("isso", {"server": "http://c.test", "uri": "/"})
    batch = Isso().parse(embed, Isso().first_fetch(embed, {}), body, {})
    assert [r["comment_id"] for r in batch.comments] == ["1"]
    assert batch.comments[0]["published"] == "1970-01-01T00:00:00+00:00"
    assert batch.incomplete == "4 comments left out by the server"
