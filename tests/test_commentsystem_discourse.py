"""Discourse: detection on a real WP-Discourse page and on Discourse's own embed, the topic JSON,
the posts it leaves for posts.json, parents across answers, and the embed page without a topic.

The real page (../shared/corpus/comment-systems/discourse/, see PROVENANCE.md there) is
boingboing.net with the WP-Discourse plugin, linking topic 4498. No topic JSON was captured; the
fixtures in tests/fixtures/commentsystems/discourse/ use the post fields of discourse/discourse
app/serializers/post_serializer.rb and basic_post_serializer.rb (id, post_number, post_type,
reply_to_post_number, username, name, created_at, cooked) and the ``post_stream`` of
TopicsController#show / #posts; the embed keys come from public/javascripts/embed.js.
"""
from __future__ import annotations

import pytest

from conftest import ROOT, SHARED
from scraper.commentsystems import CommentSystemError, Embed, Fetch, detect, system_named
from scraper.commentsystems.discourse import DiscourseFetch
from scraper.extractors.page import Page, parse_html

FIXTURES = ROOT / "tests" / "fixtures" / "commentsystems" / "discourse"
CAPTURES = SHARED / "corpus" / "comment-systems"
BOINGBOING = CAPTURES / "discourse" / "page_boingboing.net_wp-discourse.html"
ARTICLE = "https://boingboing.net/2013/07/19/hating-millennials-the-preju.html"
TOPIC = Embed("discourse", {"forum": "https://bbs.boingboing.net", "embed_url": ARTICLE, "topic_id": "4498"})
EMBED_JS = """<html><body><div id="discourse-comments"></div><script type="text/javascript">
  DiscourseEmbed = { discourseUrl: 'https://forum.example.org/',
                     discourseEmbedUrl: 'https://blog.example/2024/05/post/' %s};
  (function() { var d = document.createElement('script'); d.src = DiscourseEmbed.discourseUrl + 'javascripts/embed.js';
    (document.getElementsByTagName('head')[0] || document.getElementsByTagName('body')[0]).appendChild(d); })();
</script></body></html>"""


@pytest.fixture
def discourse():
    return system_named("discourse")


def page(markup: bytes | str, url: str = "https://blog.example/2024/05/post/") -> Page:
    return Page(parse_html(markup), url)


def capture(path):
    if not path.exists():
        pytest.skip(f"comment-system captures not found at {CAPTURES}")
    return path.read_bytes()


def test_detects_wp_discourse_and_the_topic_it_links(discourse):
    embed = detect(page(capture(BOINGBOING), ARTICLE))
    assert embed == TOPIC
    assert discourse.first_fetch(embed, {}).url == "https://bbs.boingboing.net/t/4498.json"


def test_detects_discourse_embed_with_and_without_a_topic(discourse):
    with_topic = discourse.detect(page(EMBED_JS % ", topicId: 1234 "))
    assert with_topic.params == {"forum": "https://forum.example.org", "topic_id": "1234",
                                 "embed_url": "https://blog.example/2024/05/post/"}
    by_url = discourse.detect(page(EMBED_JS % ""))
    fetch = discourse.first_fetch(by_url, {})
    assert fetch.url == ("https://forum.example.org/embed/comments?embed_url="
                         "https%3A%2F%2Fblog.example%2F2024%2F05%2Fpost%2F")
    assert fetch.headers == {"Referer": "https://blog.example/2024/05/post/"}


def test_other_pages_are_not_discourse(discourse):
    for name in ("wordpress/page_lemire.me_threaded.html", "jetpack-wpcom/page_zulang.wordpress.com_depth4.html"):
        assert discourse.detect(page(capture(CAPTURES / name))) is None


def test_topic_rows_skip_the_article_and_notices_then_ask_for_the_rest(discourse):
    batch = discourse.parse(TOPIC, discourse.first_fetch(TOPIC, {}), (FIXTURES / "topic.json").read_bytes(), {})
    rows = batch.comments
    assert [(r["comment_id"], r["parent_id"]) for r in rows] == [("90002", None), ("90004", "90002")]
    ann, bob = rows
    assert (ann["author_name"], ann["author_url"]) == ("Ann A.", "https://bbs.boingboing.net/u/ann")
    assert (ann["published"], ann["text"]) == ("2013-07-19T16:20:31+00:00", "First reply.")
    assert ann["page_url"] == "https://bbs.boingboing.net/t/4498/2"
    assert bob["author_name"] == "bob"  # no full name: the username
    assert isinstance(batch.next, DiscourseFetch)
    assert batch.next.url == "https://bbs.boingboing.net/t/4498/posts.json?post_ids[]=90007&post_ids[]=90008"
    assert dict(batch.next.numbers)[3] == "90004" and batch.next.rest == ()


def test_later_posts_find_parents_from_earlier_answers(discourse):
    first = discourse.parse(TOPIC, discourse.first_fetch(TOPIC, {}), (FIXTURES / "topic.json").read_bytes(), {})
    batch = discourse.parse(TOPIC, first.next, (FIXTURES / "posts.json").read_bytes(), {})
    assert [(r["comment_id"], r["parent_id"], r["author_name"]) for r in batch.comments] == [
        ("90007", "90004", "Ann A."),  # replies to post 3, answered before
        ("90008", None, "Cy"),  # replies to post 1: the article, so top level
    ]
    assert batch.next is None


def test_long_topics_ask_in_chunks(discourse):
    ids = list(range(1, 251))
    body = ('{"id": 7, "post_stream": {"posts": [], "stream": %s}}' % ids).encode()
    batch = discourse.parse(TOPIC, Fetch("https://bbs.boingboing.net/t/7.json"), body, {})
    assert batch.next.url.count("post_ids[]=") == 100 and len(batch.next.rest) == 150
    second = discourse.parse(TOPIC, batch.next, b'{"id": 7, "post_stream": {"posts": []}}', {})
    assert second.next.url.startswith("https://bbs.boingboing.net/t/7/posts.json?post_ids[]=101&")
    assert len(second.next.rest) == 50


def test_embed_page_names_the_topic(discourse):
    embed = discourse.detect(page(EMBED_JS % ""))
    html = (b"<html><body><header class='discourse'><span class='replies'>2 replies</span></header>"
            b"<article class='post' id='post-55'><a class='post-date' href='https://forum.example.org/t/my-post/321/2'>1d</a>"
            b"<div class='cooked'><h3 class='username'>ann</h3><p>Hi</p></div></article></body></html>")
    batch = discourse.parse(embed, discourse.first_fetch(embed, {}), html, {})
    assert (batch.comments, batch.next.url) == ([], "https://forum.example.org/t/321.json")


@pytest.mark.parametrize("body", [b"<html><body><h1>Not found</h1></body></html>", b"\xff\xfe\x00", b""])
def test_an_embed_page_naming_no_topic_is_an_error_not_an_empty_thread(discourse, body):
    """An error page, a binary body or nothing, where the embed page should be: the thread is
    not known to be empty, so the spider marks it incomplete."""
    embed = discourse.detect(page(EMBED_JS % ""))
    with pytest.raises(CommentSystemError):
        discourse.parse(embed, discourse.first_fetch(embed, {}), body, {})


@pytest.mark.parametrize("body", [
    b"<!DOCTYPE html><html><body>Oops! That page doesn't exist or is private.</body></html>",
    b'{"id": 4498, "post_stream": {"posts": [{"id": 1',
    b'{"id": 4498, "post_stream": []}',
    b'{"id": 4498, "post_stream": {"posts": [{"id": "90002", "post_number": 2, "created_at": "2013-07-19T16:20:31Z"}]}}',
    b'{"id": 4498, "post_stream": {"posts": [], "stream": ["90002"]}}',
])
def test_bad_answers(discourse, body):
    with pytest.raises(CommentSystemError):
        discourse.parse(TOPIC, discourse.first_fetch(TOPIC, {}), body, {})
