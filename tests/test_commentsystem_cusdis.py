"""Cusdis from fixtures built on its published source (djyde/cusdis, GPL-3.0):

- the answers ``fixtures/commentsystems/cusdis/comments_page{1,2}.json`` have the shape the
  GET branch of pages/api/open/comments.ts @ 0a1370f4 sends: ``{data: CommentWrapper}``, where
  ``getComments`` in service/comment.service.ts @ 07b0a412 builds ``{commentCount, pageSize: 10,
  pageCount, data}`` of comments (``id, createdAt, content, by_nickname, moderatorId, page``)
  newest first, each with ``replies`` (the same wrapper, first page only), ``parsedContent``
  (markdown-it HTML) and ``parsedCreatedAt``; the older answer of service/comment.service.ts
  @ 9536580f (bare lists, ``replies: []``) is read too;
- the page is the embed the widget reads: ``#cusdis_thread`` with ``data-host``,
  ``data-app-id``, ``data-page-id`` (widget/index.js @ 161e29b9, and the request of
  ``getComments`` in widget/Widget.svelte @ 07b0a412: ``/api/open/comments?page&appId&pageId``).
"""
from __future__ import annotations

from pathlib import Path

import pytest

from scraper.commentsystems.base import CommentSystemError, Embed, Fetch
from scraper.commentsystems.cusdis import Cusdis
from scraper.extractors.page import Page, parse_html

FIXTURES = Path(__file__).parent / "fixtures" / "commentsystems" / "cusdis"
PAGE_URL = "https://blog.test/2024/03/trying-cusdis/"
APP = "0c9a8b7e-6d5c-4b3a-9f8e-7d6c5b4a3f2e"
ANN = "c7e5a3f1-2b4d-4c6e-8a0b-1c3d5e7f9a2b"
OWNER = "d8f6b4a2-3c5e-4d7f-9b1c-2d4e6f8a0b3c"


def page(html: str | bytes, url: str = PAGE_URL) -> Page:
    return Page(parse_html(html), url)


def embed() -> Embed:
    return Cusdis().detect(page((FIXTURES / "page.html").read_bytes()))


def test_detect_and_first_fetch():
    assert embed() == Embed("cusdis", {"host": "https://cusdis.blog.test", "app_id": APP, "page_id": "trying-cusdis"})
    assert Cusdis().first_fetch(embed(), {}) == Fetch(
        f"https://cusdis.blog.test/api/open/comments?appId={APP}&pageId=trying-cusdis&page=1")


def test_detect_old_id_and_default_host():
    html = '<html><body><div id="cusdis" data-app-id="abc" data-page-id="42"></div></body></html>'
    assert Cusdis().detect(page(html)).params == {"host": "https://cusdis.com", "app_id": "abc", "page_id": "42"}


@pytest.mark.parametrize("html", [
    "<html><body><p>No comments.</p></body></html>",
    '<html><body><div id="cusdis_thread" data-host="https://cusdis.com" data-app-id="abc"></div></body></html>',
    '<html><body><div class="cusdis_thread" data-app-id="abc" data-page-id="1"></div></body></html>',
])
def test_pages_without_cusdis_detect_nothing(html):
    assert Cusdis().detect(page(html)) is None


def test_parse_pages_to_rows():
    batch = Cusdis().parse(embed(), Cusdis().first_fetch(embed(), {}),
                           (FIXTURES / "comments_page1.json").read_bytes(), {})
    assert batch.next == Fetch(f"https://cusdis.blog.test/api/open/comments?appId={APP}&pageId=trying-cusdis&page=2")
    # Cy's reply is the first of twelve under the owner's: the open API serves no more of them.
    assert batch.incomplete == "11 replies past the first page of their parent's"
    last = Cusdis().parse(embed(), batch.next, (FIXTURES / "comments_page2.json").read_bytes(), {})
    assert last.next is None and last.incomplete is None
    rows = [(r["comment_id"], r["parent_id"], r["author_name"], r["published"], r["text"], r["by_post_author"])
            for r in batch.comments + last.comments]
    assert rows == [
        (ANN, None, "Ann", "2024-03-05T09:30:00+00:00", "Newest top-level comment", None),
        (OWNER, ANN, "Blog Owner", "2024-03-05T10:00:00+00:00", "Thanks, Ann!", True),
        ("e9a7c5b3-4d6f-4e8a-8c2d-3e5f7a9b1c4d", OWNER, "Cy", "2024-03-05T11:15:00+00:00", "A reply to the reply",
         None),
        ("a1b2c3d4-e5f6-4a7b-8c9d-0e1f2a3b4c5d", None, "Dee", "2024-03-01T08:00:00+00:00",
         "Oldest comment.\n\nTwo paragraphs.", None),
    ]
    assert batch.comments[0]["published_raw"] == "2024-03-05T09:30:00.000Z"


def test_parse_older_answer_of_bare_lists():
    body = (b'{"data": [{"id": "x1", "createdAt": "2021-05-01T10:00:00.000Z", "content": "Hi", "by_nickname": "Ann",'
            b' "parsedContent": "<p>Hi</p>\\n", "replies": [{"id": "x2", "createdAt": "2021-05-02T10:00:00.000Z",'
            b' "content": "Yo", "by_nickname": "Bob", "parsedContent": "<p>Yo</p>\\n", "replies": []}]}]}')
    batch = Cusdis().parse(embed(), Cusdis().first_fetch(embed(), {}), body, {})
    rows = [(r["comment_id"], r["parent_id"], r["text"]) for r in batch.comments]
    assert rows == [("x1", None, "Hi"), ("x2", "x1", "Yo")]
    assert batch.next is None and batch.incomplete is None


@pytest.mark.parametrize("body", [
    b"<!DOCTYPE html><html><body>This page could not be found.</body></html>",
    b'{"data": {"commentCount": 1, "pageCount": 1, "data": [{"id": "a"',
    b'{"data": "none"}',
    b'{"message": "Project not found"}',
    b'{"data": {"commentCount": 1, "pageCount": "1", "data": []}}',
    b'{"data": {"pageCount": 1, "data": [{"id": 5, "createdAt": "2024-01-01T00:00:00Z", "content": "x"}]}}',
    b'{"data": {"pageCount": 1, "data": [{"id": "a", "createdAt": null, "content": "x"}]}}',
    b'{"data": {"pageCount": 1, "data": [{"id": "a", "createdAt": "2024-01-01T00:00:00Z", "content": "x",'
    b' "replies": "none"}]}}',
])
def test_bad_answers_raise(body):
    with pytest.raises(CommentSystemError):
        Cusdis().parse(embed(), Cusdis().first_fetch(embed(), {}), body, {})
