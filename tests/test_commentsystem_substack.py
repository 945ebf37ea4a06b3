"""Substack: detection from substackcdn.com and ``window._preloads``, and the comments answer.

No real capture exists; tests/fixtures/commentsystems/substack/comments.json has the fields public
clients read from ``/api/v1/post/<id>/comments?token=&all_comments=true``: gapmiss/substack-clipper
src/comments.ts (``comments[]``: id, user_id, name, handle, body, date, status, children).
"""
from __future__ import annotations

import pytest

from conftest import ROOT, SHARED
from scraper.commentsystems import CommentSystemError, Embed, detect, system_named
from scraper.extractors.page import Page, parse_html

FIXTURES = ROOT / "tests" / "fixtures" / "commentsystems" / "substack"
WORDPRESS = SHARED / "corpus" / "comment-systems" / "wordpress" / "page_lemire.me_threaded.html"
EMBED = Embed("substack", {"site": "https://www.example-letter.com", "post_id": "123307142", "slug": "on-markets"})


@pytest.fixture
def substack():
    return system_named("substack")


def page(markup: bytes | str, url: str = "https://www.example-letter.com/p/on-markets") -> Page:
    return Page(parse_html(markup), url)


def test_detects_a_substack_post(substack):
    assert detect(page((FIXTURES / "page.html").read_bytes())) == EMBED
    assert substack.first_fetch(EMBED, {}).url == ("https://www.example-letter.com/api/v1/post/123307142/comments"
                                                   "?token=&all_comments=true&sort=oldest_first")


def test_other_pages_are_not_substack(substack):
    if not WORDPRESS.exists():
        pytest.skip(f"comment-system captures not found at {WORDPRESS.parent}")
    assert substack.detect(page(WORDPRESS.read_bytes())) is None
    # A post embedded elsewhere (substackcdn.com assets) without the post's preloads is no Substack post.
    assert substack.detect(page('<script src="https://substackcdn.com/embedjs/embed.js"></script>')) is None


def test_nested_rows(substack):
    batch = substack.parse(EMBED, substack.first_fetch(EMBED, {}), (FIXTURES / "comments.json").read_bytes(), {})
    assert [(r["comment_id"], r["parent_id"]) for r in batch.comments] == [
        ("38100001", None), ("38100002", "38100001"), ("38100003", "38100002"), ("38100004", None)]
    first, author, removed, _ = batch.comments
    assert (first["author_name"], first["published"], first["text"]) == (
        "Reader One", "2023-10-22T18:01:02.345000+00:00", "First!\n\nSecond paragraph.")
    assert first["author_url"] == "https://substack.com/profile/501-readerone"
    assert first["page_url"] == "https://www.example-letter.com/p/on-markets/comment/38100001"
    assert (removed["author_name"], removed["text"]) == (None, None)
    assert batch.next is None


@pytest.mark.parametrize("body", [
    b"<!DOCTYPE html><html><body>Too many requests</body></html>",
    b'{"comments": [{"id": 1, "body": "x"',
    b'{"comments": {"id": 1}}',
    b'{"comments": [{"id": "38100001", "date": "2023-10-22T18:01:02Z"}]}',
    b'{"comments": [{"id": 1, "date": "2023-10-22T18:01:02Z", "children": "none"}]}',
])
def test_bad_answers(substack, body):
    with pytest.raises(CommentSystemError):
        substack.parse(EMBED, substack.first_fetch(EMBED, {}), body, {})
