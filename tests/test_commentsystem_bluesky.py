"""Bluesky: embeds found in public code, resolving a handle, and the getPostThread answer.

No real capture exists; tests/fixtures/commentsystems/bluesky/thread.json follows the lexicons of
bluesky-social/atproto: lexicons/app/bsky/feed/getPostThread.json (output ``thread``) and
lexicons/app/bsky/feed/defs.json (``threadViewPost``: post, replies; ``notFoundPost``), the post
record's ``reply.parent.uri`` from lexicons/app/bsky/feed/post.json. The resolveHandle answer
(``{"did": ...}``) is lexicons/com/atproto/identity/resolveHandle.json. Embeds: loueed/bsky
(``<bsky-comments post>``), aendra-rininsland/blue-comments (``<blue-comments uri>``).
"""
from __future__ import annotations

import pytest

from conftest import ROOT, SHARED
from scraper.commentsystems import CommentSystemError, Embed, detect, system_named
from scraper.extractors.page import Page, parse_html

FIXTURES = ROOT / "tests" / "fixtures" / "commentsystems" / "bluesky"
WORDPRESS = SHARED / "corpus" / "comment-systems" / "wordpress" / "page_lemire.me_threaded.html"
ROOT_URI = "at://did:plc:vjug55kidv6sye7ykr5faxxn/app.bsky.feed.post/3lbq7mxsiek2v"
XRPC = "https://public.api.bsky.app/xrpc"


@pytest.fixture
def bluesky():
    return system_named("bluesky")


def page(markup: bytes | str) -> Page:
    return Page(parse_html(markup), "https://blog.example/comments/")


def test_an_embed_naming_the_post_by_handle_needs_it_resolved(bluesky):
    embed = detect(page((FIXTURES / "page.html").read_bytes()))
    assert embed == Embed("bluesky", {"handle": "emily.example.com", "rkey": "3lbq7mxsiek2v"})
    fetch = bluesky.first_fetch(embed, {})
    assert fetch.url == f"{XRPC}/com.atproto.identity.resolveHandle?handle=emily.example.com"
    batch = bluesky.parse(embed, fetch, b'{"did": "did:plc:vjug55kidv6sye7ykr5faxxn"}', {})
    assert batch.comments == []
    assert batch.next.url == (f"{XRPC}/app.bsky.feed.getPostThread?uri=at%3A%2F%2Fdid%3Aplc%3Avjug55kidv6sye7ykr5faxxn"
                              "%2Fapp.bsky.feed.post%2F3lbq7mxsiek2v&depth=1000")


@pytest.mark.parametrize("markup", [
    f'<bsky-comments post="{ROOT_URI}"></bsky-comments>',
    f'<blue-comments uri="{ROOT_URI}"></blue-comments>',
    f'<div data-bsky-uri="{ROOT_URI}"></div>',
    '<bsky-comments post="https://bsky.app/profile/did:plc:vjug55kidv6sye7ykr5faxxn/post/3lbq7mxsiek2v"></bsky-comments>',
])
def test_embeds_naming_the_post(bluesky, markup):
    embed = bluesky.detect(page(markup))
    assert embed == Embed("bluesky", {"uri": ROOT_URI})
    assert bluesky.first_fetch(embed, {}).url.startswith(f"{XRPC}/app.bsky.feed.getPostThread?uri=at%3A%2F%2F")


def test_other_pages_are_not_bluesky(bluesky):
    if not WORDPRESS.exists():
        pytest.skip(f"comment-system captures not found at {WORDPRESS.parent}")
    assert bluesky.detect(page(WORDPRESS.read_bytes())) is None
    # A bsky.app link in the article, or in a reader's comment, is no comment thread.
    assert bluesky.detect(page('<article><a href="https://bsky.app/profile/a.b/post/3abc">see</a></article>')) is None
    assert bluesky.detect(page('<div id="comments"><ol class="comment-list"><li><p>Also <a '
                               'href="https://bsky.app/profile/ann.bsky.social/post/3kx">here</a></p></li></ol></div>')) is None


def test_rows_nested_and_without_missing_posts(bluesky):
    embed = Embed("bluesky", {"uri": ROOT_URI})
    batch = bluesky.parse(embed, bluesky.first_fetch(embed, {}), (FIXTURES / "thread.json").read_bytes(), {})
    top, reply = batch.comments
    assert (top["comment_id"], top["parent_id"], top["author_name"], top["published"], top["text"]) == (
        "at://did:plc:aaaaaa/app.bsky.feed.post/3lbqa00000001", None, "Shreyan", "2024-11-25T01:10:00+00:00",
        "This is so cool")
    assert top["page_url"] == "https://bsky.app/profile/shreyan.example.net/post/3lbqa00000001"
    assert (reply["parent_id"], reply["author_name"], reply["published"]) == (
        top["comment_id"], "bob.example.social", "2024-11-25T07:00:00+00:00")
    assert batch.next is None


@pytest.mark.parametrize("body", [
    b"<html><head><title>502</title></head></html>",
    b'{"thread": {"post": {"uri": "at://x"',
    b'{"thread": []}',
    b'{"thread": {"post": {"uri": "at://root"}, "replies": [{"post": {"uri": "at://r", "record": {"text": 5}}}]}}',
])
def test_bad_answers(bluesky, body):
    embed = Embed("bluesky", {"uri": ROOT_URI})
    with pytest.raises(CommentSystemError):
        bluesky.parse(embed, bluesky.first_fetch(embed, {}), body, {})
