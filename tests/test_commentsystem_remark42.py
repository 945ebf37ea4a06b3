"""Remark42 from a fixture built on its published source (umputun/remark42, MIT):

- the answer ``fixtures/commentsystems/remark42/find_plain.json`` has the shape of
  ``GET /api/v1/find?format=plain``: ``commentsWithInfo{comments, info}`` in
  backend/app/rest/api/rest.go, each comment ``store.Comment`` of backend/app/store/comment.go
  @ 0050485f (``id``, ``pid``, ``text`` HTML, ``user{name,id,picture,admin}``, ``time`` RFC 3339,
  ``delete``); ``Sanitize`` there HTML-escapes user names, ``SetDeleted(HardDelete)`` empties the
  text and renames the user "deleted"; the handler is findCommentsCtrl in
  backend/app/rest/api/rest_public.go @ 01837b69;
- the page ``page.html`` carries the install snippet of site/src/docs/configuration/frontend/index.md
  @ 07b6454b (``remark_config = {host, site_id, url, components}`` and the loader of
  ``<host>/web/embed.js``).
"""
from __future__ import annotations

from pathlib import Path

import pytest

from scraper.commentsystems.base import CommentSystemError, Embed, Fetch
from scraper.commentsystems.remark42 import Remark42
from scraper.extractors.page import Page, parse_html

FIXTURES = Path(__file__).parent / "fixtures" / "commentsystems" / "remark42"
PAGE_URL = "https://blog.test/2024/01/moving/?utm_source=feed"


def page(html: str | bytes, url: str = PAGE_URL) -> Page:
    return Page(parse_html(html), url)


def test_detect_reads_remark_config():
    embed = Remark42().detect(page((FIXTURES / "page.html").read_bytes()))
    assert embed == Embed("remark42", {"host": "https://remark.blog.test", "site": "blogtest",
                                       "url": "https://blog.test/2024/01/moving/"})
    assert Remark42().first_fetch(embed, {}) == Fetch(
        "https://remark.blog.test/api/v1/find?site=blogtest&url=https%3A%2F%2Fblog.test%2F2024%2F01%2Fmoving%2F"
        "&format=plain&sort=%2Btime")


def test_detect_defaults_and_embed_script():
    # No site_id, no url: the widget's defaults ("remark"; origin + path, query dropped).
    html = ('<html><body><div id="remark42"></div><script>var remark_config = {"host": "https://r.test/"};</script>'
            '</body></html>')
    assert Remark42().detect(page(html)).params == {"host": "https://r.test", "site": "remark",
                                                    "url": "https://blog.test/2024/01/moving/"}
    # The host as a variable: the embed script's own address says where the server is.
    html = ('<html><body><script>var remark_config = {host: REMARK_HOST, site_id: "s"}</script>'
            '<script defer src="https://r.test/web/embed.js"></script></body></html>')
    assert Remark42().detect(page(html)).params["host"] == "https://r.test"


@pytest.mark.parametrize("html", [
    "<html><body><p>No comments.</p></body></html>",
    '<html><body><script>var config = {host: "https://r.test"}</script><script src="/js/embed.js"></script>'
    '</body></html>',
    '<html><body><script>var remark_config = {host: window.REMARK_HOST}</script></body></html>',
])
def test_pages_without_remark42_detect_nothing(html):
    assert Remark42().detect(page(html)) is None


def test_parse_fixture_to_rows():
    embed = Remark42().detect(page((FIXTURES / "page.html").read_bytes()))
    batch = Remark42().parse(embed, Remark42().first_fetch(embed, {}), (FIXTURES / "find_plain.json").read_bytes(), {})
    assert batch.next is None and batch.incomplete is None
    rows = [(r["comment_id"], r["parent_id"], r["author_name"], r["published"], r["text"]) for r in batch.comments]
    assert rows == [
        ("6c3f2b8e-0b5a-4d4e-9f6a-1d2e3f4a5b6c", None, "Ann & Bob", "2024-01-15T10:20:30.123456+00:00",
         "Great write-up, thanks!"),
        ("9a8b7c6d-1e2f-4a3b-8c4d-5e6f7a8b9c0d", "6c3f2b8e-0b5a-4d4e-9f6a-1d2e3f4a5b6c", "Bob",
         "2024-01-15T09:00:00+00:00", "Agreed.\n\nSecond paragraph."),
        ("0f1e2d3c-4b5a-4968-8776-655443322110", "9a8b7c6d-1e2f-4a3b-8c4d-5e6f7a8b9c0d", None,
         "2024-01-16T08:00:00+00:00", None),
        ("1a2b3c4d-5e6f-4a7b-8c9d-0e1f2a3b4c5d", "0f1e2d3c-4b5a-4968-8776-655443322110", "Cy",
         "2024-01-16T09:30:00+00:00", "Replying to a comment that is gone now."),
    ]
    assert batch.comments[0]["published_raw"] == "2024-01-15T10:20:30.123456789Z"
    assert {r["parent_source"] for r in batch.comments} == {"api"}


@pytest.mark.parametrize("body", [
    b"<html><body>Bad Gateway</body></html>",
    b'{"comments": [{"id": "a", "pid": ""',
    b'{"comments": {"id": "a"}}',
    b'{"comments": [{"id": 1, "pid": "", "user": {"name": "x"}, "time": "2024-01-01T00:00:00Z", "text": ""}]}',
    b'{"comments": [{"id": "a", "pid": "", "user": "x", "time": "2024-01-01T00:00:00Z", "text": ""}]}',
    b'{"comments": [{"id": "a", "pid": "", "user": {"name": "x"}, "time": 1700000000, "text": ""}]}',
    b'{"comments": [{"id": "a", "pid": "", "user": {"name": "x"}, "time": "2024-01-01T00:00:00Z", "text": 5}]}',
    b'{"code": 0, "details": "can\'t find comments", "error": "bad request"}',
])
def test_bad_answers_raise(body):
    embed = Embed("remark42", {"host": "https://r.test", "site": "remark", "url": "https://blog.test/"})
    with pytest.raises(CommentSystemError):
        Remark42().parse(embed, Remark42().first_fetch(embed, {}), body, {})
