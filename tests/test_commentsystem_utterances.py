"""utterances: detection, finding the issue (by number, or by search as utterances does), and
the GitHub REST issue comments, on a real recorded answer.

The real capture (../shared/corpus/comment-systems/utterances/, see PROVENANCE.md there) is a
betamax cassette from sigmavirus24/github3.py: GET /repos/sigmavirus24/github3.py/issues/187 and
its /comments?per_page=100, the calls utterances makes; each response body is read out of it
(base64 of gzip). The search answer fixture follows ``IssueSearchResponse`` in
utterance/utterances src/github.ts.
"""
from __future__ import annotations

import base64
import gzip
import json
from urllib.parse import unquote

import pytest

from conftest import ROOT, SHARED
from scraper.commentsystems import CommentSystemError, Embed, Fetch, detect, system_named
from scraper.extractors.page import Page, parse_html

FIXTURES = ROOT / "tests" / "fixtures" / "commentsystems" / "utterances"
CAPTURES = SHARED / "corpus" / "comment-systems"
CASSETTE = CAPTURES / "utterances" / "github_rest_issue_comments__github3py_cassette.json"
URL = "https://blog.example/posts/two-factor.html"


@pytest.fixture
def utterances():
    return system_named("utterances")


@pytest.fixture
def recorded() -> dict[str, bytes]:
    """Request URL → response body, from the cassette."""
    if not CASSETTE.exists():
        pytest.skip(f"comment-system captures not found at {CAPTURES}")
    out = {}
    for interaction in json.loads(CASSETTE.read_bytes())["http_interactions"]:
        body = interaction["response"]["body"]
        raw = base64.b64decode(body["base64_string"]) if body.get("base64_string") else body["string"].encode()
        out[interaction["request"]["uri"]] = gzip.decompress(raw) if raw[:2] == b"\x1f\x8b" else raw
    return out


def page(markup: bytes | str, url: str = URL) -> Page:
    return Page(parse_html(markup), url)


def fixture_page(**replace: str) -> Page:
    markup = (FIXTURES / "page.html").read_text()
    for old, new in replace.items():
        markup = markup.replace(old, new)
    return page(markup)


def test_detects_the_client_script_with_an_issue_term(utterances):
    assert detect(fixture_page()) == Embed("utterances", {"repo": "sigmavirus24/github3.py", "term": "posts/two-factor"})


def test_terms_and_numbers(utterances):
    assert utterances.detect(fixture_page(**{'issue-term="pathname"': 'issue-term="url"'})).params["term"] == \
        "https://blog.example/posts/two-factor.html"  # the canonical link
    assert utterances.detect(fixture_page(**{'issue-term="pathname"': 'data-issue-term="title"'})).params["term"] == \
        "Two factor auth"
    assert utterances.detect(fixture_page(**{'issue-term="pathname"': 'issue-number="187"'})).params == \
        {"repo": "sigmavirus24/github3.py", "number": "187"}


def test_other_systems_pages_are_not_utterances(utterances):
    for name in ("wordpress/page_lemire.me_threaded.html", "discourse/page_boingboing.net_wp-discourse.html"):
        path = CAPTURES / name
        if not path.exists():
            pytest.skip(f"comment-system captures not found at {CAPTURES}")
        assert utterances.detect(page(path.read_bytes())) is None
    assert utterances.detect(page((ROOT / "tests/fixtures/commentsystems/giscus/page.html").read_bytes())) is None


def test_search_finds_the_issue_whose_title_holds_the_term(utterances):
    embed = detect(fixture_page())
    fetch = utterances.first_fetch(embed, {})
    assert unquote(fetch.url) == ('https://api.github.com/search/issues?q="posts/two-factor" type:issue in:title '
                                  'repo:sigmavirus24/github3.py&sort=created&order=asc')
    batch = utterances.parse(embed, fetch, (FIXTURES / "search_issues.json").read_bytes(), {})
    assert batch.comments == []
    assert batch.next.url == "https://api.github.com/repos/sigmavirus24/github3.py/issues/187/comments?per_page=100"
    assert batch.next.headers["Accept"] == "application/vnd.github.v3.html+json"
    empty = utterances.parse(embed, fetch, b'{"total_count": 0, "incomplete_results": false, "items": []}', {})
    assert (empty.comments, empty.next) == ([], None)


def test_issue_by_number_then_its_comments_from_the_recording(utterances, recorded):
    embed = Embed("utterances", {"repo": "sigmavirus24/github3.py", "number": "187"})
    fetch = utterances.first_fetch(embed, {})
    assert fetch.url == "https://api.github.com/repos/sigmavirus24/github3.py/issues/187"
    batch = utterances.parse(embed, fetch, recorded[fetch.url], {})
    assert batch.comments == [] and batch.next.url in recorded
    comments = utterances.parse(embed, batch.next, recorded[batch.next.url], {"Content-Type": "application/json"})
    assert comments.next is None
    rows = comments.comments
    assert [(r["comment_id"], r["parent_id"], r["depth"], r["author_name"], r["published"]) for r in rows] == [
        ("31799031", None, 1, "esacteksab", "2014-01-08T01:48:28+00:00"),
        ("31799190", None, 1, "sigmavirus24", "2014-01-08T01:51:45+00:00"),
        ("31799437", None, 1, "esacteksab", "2014-01-08T01:57:03+00:00"),
    ]
    assert rows[0]["text"] == ("Note to self: Don't merge without documentation :-p\n\nBut I totally thought I had some "
                               "REPL/iPython output from testing this when it was implemented that would have worked "
                               "well for an example.")
    assert rows[0]["author_url"] == "https://github.com/esacteksab"
    assert rows[1]["page_url"] == "https://github.com/sigmavirus24/github3.py/issues/187#issuecomment-31799190"


def test_next_page_from_the_link_header(utterances, recorded):
    embed = Embed("utterances", {"repo": "sigmavirus24/github3.py", "number": "187"})
    url = "https://api.github.com/repos/sigmavirus24/github3.py/issues/187/comments?per_page=100"
    link = ('<https://api.github.com/repositories/3710711/issues/187/comments?per_page=100&page=2>; rel="next", '
            '<https://api.github.com/repositories/3710711/issues/187/comments?per_page=100&page=5>; rel="last"')
    batch = utterances.parse(embed, Fetch(url), recorded[url], {"link": link})
    assert batch.next.url == "https://api.github.com/repositories/3710711/issues/187/comments?per_page=100&page=2"
    assert batch.next.headers["Accept"] == "application/vnd.github.v3.html+json"
    last = utterances.parse(embed, Fetch(url), recorded[url], {"Link": link.split(", ")[1]})
    assert last.next is None


@pytest.mark.parametrize("body", [
    b"<html><body>Service unavailable</body></html>",
    b'[{"id": 1, "user": {"login": "a"}, "created_at": "2014-01-08T01:48:28Z", "body_html": "<p>',
    b'{"message": "Not Found"}',
    b'[{"id": "31799031", "created_at": "2014-01-08T01:48:28Z"}]',
    b'[{"id": 1, "user": "esacteksab", "created_at": "2014-01-08T01:48:28Z"}]',
])
def test_bad_answers(utterances, body):
    embed = Embed("utterances", {"repo": "o/r", "number": "1"})
    with pytest.raises(CommentSystemError):
        utterances.parse(embed, Fetch("https://api.github.com/repos/o/r/issues/1/comments?per_page=100"), body, {})
