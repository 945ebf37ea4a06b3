"""Ghost native comments: detection of comments-ui, pages, replies beyond those a comment
brings, and bad answers.

No real capture exists; the fixtures in tests/fixtures/commentsystems/ghost/ follow TryGhost/Ghost:
the request paths of apps/comments-ui/src/utils/api.ts (``comments/post/<id>/``, ``comments/<id>/replies``),
the data attributes of apps/comments-ui/src/utils/options.ts, and the fields of
ghost/core/core/server/api/endpoints/utils/serializers/output/mappers/comments.js (id, parent_id,
in_reply_to_id, status, html, created_at, member, count.replies); paging by ``meta.pagination.next``.
"""
from __future__ import annotations

from urllib.parse import unquote

import pytest

from conftest import ROOT, SHARED
from scraper.commentsystems import CommentSystemError, Embed, detect, system_named
from scraper.commentsystems.ghost import GhostFetch
from scraper.extractors.page import Page, parse_html

FIXTURES = ROOT / "tests" / "fixtures" / "commentsystems" / "ghost"
WORDPRESS = SHARED / "corpus" / "comment-systems" / "wordpress" / "page_lemire.me_threaded.html"
EMBED = Embed("ghost", {"site": "https://ghost.example", "post_id": "6502d1f24f8a2b0001c3d7e1"})
API = "https://ghost.example/members/api/comments"


@pytest.fixture
def ghost():
    return system_named("ghost")


def answer(name: str) -> bytes:
    return (FIXTURES / name).read_bytes()


def test_detects_comments_ui(ghost):
    page = Page(parse_html((FIXTURES / "page.html").read_bytes()), "https://ghost.example/a-post/")
    assert detect(page) == EMBED
    assert ghost.first_fetch(EMBED, {}).url == (f"{API}/post/6502d1f24f8a2b0001c3d7e1/"
                                                "?limit=100&order=created_at%20asc&page=1")


def test_other_pages_are_not_ghost(ghost):
    if not WORDPRESS.exists():
        pytest.skip(f"comment-system captures not found at {WORDPRESS.parent}")
    assert ghost.detect(Page(parse_html(WORDPRESS.read_bytes()), "https://lemire.me/blog/")) is None


def test_a_whole_thread_over_three_requests(ghost):
    first = ghost.parse(EMBED, ghost.first_fetch(EMBED, {}), answer("comments_page1.json"), {})
    rows = first.comments
    assert [(r["comment_id"][-1], r["parent_id"] and r["parent_id"][-1]) for r in rows] == [
        ("1", None), ("2", "1"), ("3", "2"), ("4", "1")]  # in_reply_to_id names the reply answered
    assert (rows[0]["author_name"], rows[0]["published"], rows[0]["text"]) == ("Ada", "2023-09-14T09:00:00+00:00", "Top comment.")
    assert (rows[3]["author_name"], rows[3]["text"]) == (None, None)  # deleted
    # Four replies, three came: the rest of them first, then page 2.
    assert isinstance(first.next, GhostFetch)
    assert unquote(first.next.url) == f"{API}/6502d3000000000000000001/replies/?limit=100&filter=id:>'6502d3000000000000000004'"
    assert first.next.queue == (f"{API}/post/6502d1f24f8a2b0001c3d7e1/?limit=100&order=created_at%20asc&page=2",)
    replies = ghost.parse(EMBED, first.next, answer("replies.json"), {})
    assert [(r["comment_id"][-1], r["parent_id"][-1], r["author_name"]) for r in replies.comments] == [("5", "1", "Cy")]
    assert replies.next.url == first.next.queue[0] and replies.next.queue == ()
    last = ghost.parse(EMBED, replies.next, answer("comments_page2.json"), {})
    assert [(r["comment_id"][-1], r["parent_id"], r["published"]) for r in last.comments] == [
        ("6", None, "2023-09-16T06:00:00+00:00")]
    assert last.next is None


@pytest.mark.parametrize("body", [
    b"<html><body>Not Found</body></html>",
    b'{"comments": [{"id": "1"',
    b'{"comments": {}, "meta": {"pagination": {"next": null}}}',
    b'{"comments": [], "meta": {"pagination": {"next": "2"}}}',
    b'{"comments": [{"id": 5, "created_at": "2023-09-14T09:00:00.000Z"}], "meta": {"pagination": {"next": null}}}',
])
def test_bad_answers(ghost, body):
    with pytest.raises(CommentSystemError):
        ghost.parse(EMBED, ghost.first_fetch(EMBED, {}), body, {})
