"""Mastodon: the two embeds found in public code, and the context answer.

No real capture exists; tests/fixtures/commentsystems/mastodon/context.json follows the Context and
Status entities of mastodon/documentation (content/en/entities/Context.md, Status.md, and
content/en/methods/statuses.md #context for the anonymous limit of 60 descendants). The embeds:
dpecos/mastodon-comments README.md (``<mastodon-comments host user tootId>``) and
UppaJung/fediverse-comments README.md (``data-responses-to-url``).
"""
from __future__ import annotations

import json

import pytest

from conftest import ROOT, SHARED
from scraper.commentsystems import CommentSystemError, Embed, detect, system_named
from scraper.extractors.page import Page, parse_html

FIXTURES = ROOT / "tests" / "fixtures" / "commentsystems" / "mastodon"
WORDPRESS = SHARED / "corpus" / "comment-systems" / "wordpress" / "page_netzpolitik.org_threaded.html"
EMBED = Embed("mastodon", {"host": "fosstodon.org", "status_id": "109574160582937075"})


@pytest.fixture
def mastodon():
    return system_named("mastodon")


def page(markup: bytes | str) -> Page:
    return Page(parse_html(markup), "https://blog.example/2022/12/25/post/")


def test_detects_the_web_component(mastodon):
    assert detect(page((FIXTURES / "page.html").read_bytes())) == EMBED
    assert mastodon.first_fetch(EMBED, {}).url == "https://fosstodon.org/api/v1/statuses/109574160582937075/context"


def test_detects_fediverse_comments(mastodon):
    markup = '<div data-responses-to-url="https://mastodon.social/@MildlyAggrievedScientist/110826278791052494"></div>'
    assert mastodon.detect(page(markup)) == Embed("mastodon", {"host": "mastodon.social", "status_id": "110826278791052494"})


def test_other_pages_are_not_mastodon(mastodon):
    if not WORDPRESS.exists():
        pytest.skip(f"comment-system captures not found at {WORDPRESS.parent}")
    assert mastodon.detect(page(WORDPRESS.read_bytes())) is None
    assert mastodon.detect(page((ROOT / "tests/fixtures/commentsystems/bluesky/page.html").read_bytes())) is None


def test_rows(mastodon):
    batch = mastodon.parse(EMBED, mastodon.first_fetch(EMBED, {}), (FIXTURES / "context.json").read_bytes(), {})
    assert (batch.next, batch.incomplete) == (None, None)
    top, reply = batch.comments
    assert (top["comment_id"], top["parent_id"], top["author_name"], top["published"], top["text"]) == (
        "109574200000000001", None, "Erin", "2022-12-25T10:00:00+00:00", "Nice setup!")
    assert top["page_url"] == "https://fosstodon.org/@erin/109574200000000001"
    assert (reply["parent_id"], reply["author_name"], reply["text"]) == ("109574200000000001", "dpecos", "Thanks @erin")


def test_a_full_anonymous_answer_is_marked_incomplete(mastodon):
    data = json.loads((FIXTURES / "context.json").read_bytes())
    data["descendants"] = [dict(data["descendants"][0], id=str(i)) for i in range(60)]
    batch = mastodon.parse(EMBED, mastodon.first_fetch(EMBED, {}), json.dumps(data).encode(), {})
    assert len(batch.comments) == 60 and "at most 60" in batch.incomplete


@pytest.mark.parametrize("body", [
    b"<html><body>This resource is private</body></html>",
    b'{"ancestors": [], "descendants": [{"id": "1"',
    b'{"ancestors": [], "descendants": {"id": "1"}}',
    b'{"ancestors": [], "descendants": [{"id": 1, "in_reply_to_id": "2", "account": {"acct": "a"}, '
    b'"created_at": "2022-12-25T10:00:00Z", "content": ""}]}',
])
def test_bad_answers(mastodon, body):
    with pytest.raises(CommentSystemError):
        mastodon.parse(EMBED, mastodon.first_fetch(EMBED, {}), body, {})
