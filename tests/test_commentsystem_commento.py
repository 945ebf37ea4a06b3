"""Commento / Commento++ from a fixture built on Commento++'s source (souramoo/commentoplusplus,
MIT):

- the answer ``fixtures/commentsystems/commento/comment_list.json`` has the fields
  ``commentListHandler`` in api/comment_list.go @ 0ca2d5cb sends (``success``, ``comments``,
  ``commenters`` keyed by hex with the "anonymous" entry it always adds: name "Anonymous", link
  "undefined"; ``markdown`` blank for anyone but the author); a comment is the ``comment`` struct
  (``commentHex, commenterHex, markdown, html, parentHex`` "root" at the top, ``score,
  creationDate, direction, deleted``), a commenter the struct of api/commenter.go @ 5825db83;
  a deleted comment is what ``commentDelete`` in api/comment_delete.go leaves: html "[deleted]",
  commenter "anonymous";
- the page loads ``<origin>/js/commento.js`` into ``#commento``; the request is the one
  ``commentsGet`` in frontend/js/commento.js @ 03cb8fcf posts (``commenterToken``,
  ``domain`` = location.host, ``path`` = ``data-page-id`` or location.pathname).
"""
from __future__ import annotations

import json
from pathlib import Path

import pytest

from scraper.commentsystems.base import CommentSystemError, Embed
from scraper.commentsystems.commento import Commento
from scraper.extractors.page import Page, parse_html

FIXTURES = Path(__file__).parent / "fixtures" / "commentsystems" / "commento"
PAGE_URL = "https://blog.test:8443/2024/02/a-post/"
ANN = "3f6c0e4d2b1a09f8e7d6c5b4a392817065f4e3d2c1b0a9f8e7d6c5b4a3928170"
GONE = "c0ffee00112233445566778899aabbccddeeff00112233445566778899aabbcc"


def page(html: str | bytes, url: str = PAGE_URL) -> Page:
    return Page(parse_html(html), url)


def test_detect_and_first_fetch():
    embed = Commento().detect(page((FIXTURES / "page.html").read_bytes()))
    assert embed == Embed("commento", {"origin": "https://commento.blog.test", "domain": "blog.test:8443",
                                       "path": "/2024/02/a-post/"})
    fetch = Commento().first_fetch(embed, {})
    assert (fetch.url, fetch.method, dict(fetch.headers)) == (
        "https://commento.blog.test/api/comment/list", "POST", {"Content-Type": "application/json"})
    assert json.loads(fetch.body) == {"commenterToken": "anonymous", "domain": "blog.test:8443",
                                      "path": "/2024/02/a-post/"}


def test_data_page_id_and_hosted_commento():
    html = ('<html><body><div id="commento"></div><script defer src="https://cdn.commento.io/js/commento.js"'
            ' data-page-id="/posts/42"></script></body></html>')
    assert Commento().detect(page(html)).params == {"origin": "https://commento.io", "domain": "blog.test:8443",
                                                    "path": "/posts/42"}


@pytest.mark.parametrize("html", [
    "<html><body><p>No comments.</p></body></html>",
    '<html><body><div id="commento"></div><script src="/js/comments.js"></script></body></html>',
    '<html><body><script src="https://example.test/commento.json"></script></body></html>',
])
def test_pages_without_commento_detect_nothing(html):
    assert Commento().detect(page(html)) is None


def test_parse_fixture_to_rows():
    embed = Commento().detect(page((FIXTURES / "page.html").read_bytes()))
    batch = Commento().parse(embed, Commento().first_fetch(embed, {}),
                             (FIXTURES / "comment_list.json").read_bytes(), {})
    assert batch.next is None and batch.incomplete is None
    rows = [(r["comment_id"], r["parent_id"], r["author_name"], r["author_url"], r["published"], r["text"])
            for r in batch.comments]
    assert rows == [
        (ANN, None, "Ann Example", "https://ann.example", "2024-02-01T18:04:05.123456+00:00",
         "First! Loved the photos."),
        ("7b1d2c3e4f5a6b7c8d9e0f1a2b3c4d5e6f7a8b9c0d1e2f3a4b5c6d7e8f9a0b1c", ANN, "Anonymous", None,
         "2024-02-02T07:00:00+00:00", "Same here.\n\nLoved the photos"),
        (GONE, None, None, None, "2024-02-03T09:15:00+00:00", None),
        ("d00dfeed99887766554433221100ffeeddccbbaa99887766554433221100ffee", GONE, "Bob", None,
         "2024-02-03T08:00:00+00:00", "Replying to a deleted comment."),
    ]


@pytest.mark.parametrize("body", [
    b"<!DOCTYPE html><html><body>404 page not found</body></html>",
    b'{"success": true, "comments": [',
    b'{"success": false, "message": "This domain does not exist."}',
    b'{"success": true, "comments": {}, "commenters": {}}',
    b'{"success": true, "comments": [], "commenters": []}',
    b'{"success": true, "comments": [{"commentHex": 7, "commenterHex": "anonymous", "parentHex": "root",'
    b' "creationDate": "2024-01-01T00:00:00Z", "html": ""}], "commenters": {}}',
    b'{"success": true, "comments": [{"commentHex": "a", "commenterHex": "x", "parentHex": "root",'
    b' "creationDate": "2024-01-01T00:00:00Z", "html": ""}], "commenters": {"x": {"name": 5}}}',
    b'{"success": "yes", "comments": [], "commenters": {}}',
])
def test_bad_answers_raise(body):
    embed = Embed("commento", {"origin": "https://c.test", "domain": "blog.test", "path": "/"})
    with pytest.raises(CommentSystemError):
        Commento().parse(embed, Commento().first_fetch(embed, {}), body, {})
