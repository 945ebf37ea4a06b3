"""Waline from fixtures built on its published source (walinejs/waline, GPL-2.0):

- the answers ``fixtures/commentsystems/waline/comment_page{1,2}.json`` have the shape of
  ``getCommentList`` in packages/server/src/controller/comment.js @ 04632851 (``{page,
  totalPages, pageSize, count, data}`` of top-level comments, each with ``children`` holding
  ``pid``/``rid``; ``formatCmt`` there sets ``time`` = insertedAt in ms and renders ``comment``
  to HTML), wrapped by ``jsonOrSuccess`` as ``{errno, errmsg, data}`` on /api/ routes; field
  names per packages/api/src/typings.ts @ 0bd7b0ab;
- the request is ``getComment`` of packages/api/src/comment.ts @ 0419a9f1
  (``<serverURL>/api/comment?path=&pageSize=&page=&sortBy=``); the page's ``init({el,
  serverURL})`` and the defaults (path = decoded location.pathname, serverURL without its
  ending slash) are ``getConfig`` in packages/client/src/utils/config.ts @ 0094a635.
"""
from __future__ import annotations

from pathlib import Path

import pytest

from scraper.commentsystems.base import CommentSystemError, Embed, Fetch
from scraper.commentsystems.waline import Waline
from scraper.extractors.page import Page, parse_html

FIXTURES = Path(__file__).parent / "fixtures" / "commentsystems" / "waline"
PAGE_URL = "https://blog.test/posts/%E4%BD%A0%E5%A5%BD/"
ANN = "65a4f0c2e1b2c3d4e5f60718"
BOB = "65a5123456789abcdef01234"


def page(html: str | bytes, url: str = PAGE_URL) -> Page:
    return Page(parse_html(html), url)


def embed() -> Embed:
    return Waline().detect(page((FIXTURES / "page.html").read_bytes()))


def test_detect_and_first_fetch():
    assert embed() == Embed("waline", {"server": "https://waline.blog.test", "path": "/posts/你好/"})
    assert Waline().first_fetch(embed(), {}) == Fetch(
        "https://waline.blog.test/api/comment?path=%2Fposts%2F%E4%BD%A0%E5%A5%BD%2F&page=1&pageSize=100"
        "&sortBy=insertedAt_asc")


def test_detect_classic_init_with_path():
    html = ("<html><body><div id='waline'></div><script src='https://unpkg.com/@waline/client@v2/dist/waline.js'>"
            "</script><script>Waline.init({ el: '#waline', path: '/fixed/path', serverURL: \"/comments\" });"
            "</script></body></html>")
    assert Waline().detect(page(html)).params == {"server": "https://blog.test/comments", "path": "/fixed/path"}


@pytest.mark.parametrize("html", [
    "<html><body><p>No comments.</p></body></html>",
    "<html><body><script>var cfg = {serverURL: 'https://api.example'};</script></body></html>",
    "<html><body><script>Waline.init({el: '#waline', serverURL: SERVER});</script></body></html>",
])
def test_pages_without_waline_detect_nothing(html):
    assert Waline().detect(page(html)) is None


def test_parse_pages_to_rows():
    first = Waline().first_fetch(embed(), {})
    batch = Waline().parse(embed(), first, (FIXTURES / "comment_page1.json").read_bytes(), {})
    assert batch.next == Fetch("https://waline.blog.test/api/comment?path=%2Fposts%2F%E4%BD%A0%E5%A5%BD%2F&page=2"
                               "&pageSize=100&sortBy=insertedAt_asc")
    last = Waline().parse(embed(), batch.next, (FIXTURES / "comment_page2.json").read_bytes(), {})
    assert last.next is None and last.incomplete is None
    rows = [(r["comment_id"], r["parent_id"], r["author_name"], r["author_url"], r["published"], r["text"])
            for r in batch.comments + last.comments]
    assert rows == [
        (ANN, None, "Ann", "https://ann.example", "2024-01-15T10:20:30.123000+00:00",
         "First comment, with markdown."),
        (BOB, ANN, "Bob", None, "2024-01-16T10:00:00+00:00", "@Ann , agreed."),
        ("65a6aa00bb11cc22dd33ee44", BOB, "Cy", "https://cy.example/", "2024-01-17T10:00:00+00:00", "Thanks both!"),
        ("65b0000000000000000000aa", None, "Dee", None, "2024-02-01T00:00:00+00:00",
         "Late to the party.\n\nTwo paragraphs."),
    ]
    assert batch.comments[0]["published_raw"] == "1705314030123"


@pytest.mark.parametrize("body", [
    b"<html><head><title>504 Gateway Time-out</title></head></html>",
    b'{"errno": 0, "errmsg": "", "data": {"page": 1, "totalPages": 1, "data": [',
    b'{"errno": 1000, "errmsg": "path is required"}',
    b'{"errno": 0, "data": {"page": 1, "totalPages": "1", "data": []}}',
    b'{"errno": 0, "data": {"page": 1, "totalPages": 1, "data": {}}}',
    b'{"errno": 0, "data": {"page": 1, "totalPages": 1, "data": [{"objectId": "a", "time": "2024-01-01",'
    b' "comment": "", "children": []}]}}',
    b'{"errno": 0, "data": {"page": 1, "totalPages": 1, "data": [{"objectId": "a", "time": 1, "comment": ""}]}}',
    b'{"errno": 0, "data": {"page": 1, "totalPages": 1, "data": [{"objectId": "a", "time": 1, "comment": "",'
    b' "children": [{"objectId": "b", "time": 2, "comment": ""}]}]}}',
    b'[1, 2]',
])
def test_bad_answers_raise(body):
    with pytest.raises(CommentSystemError):
        Waline().parse(embed(), Waline().first_fetch(embed(), {}), body, {})
