"""Disqus: detection on real pages, the API 3.0 answer and the no-key embed page.

The real captures live in ../shared/corpus/comment-systems/disqus/ (see PROVENANCE.md there);
tests that need them skip where it is absent. The API capture is a fixture dict keyed by the
request's query string: its one value is the answer Disqus sent.
"""
from __future__ import annotations

import json
from pathlib import Path

import pytest

from conftest import ROOT, SHARED
from scraper.commentsystems import CommentSystemError, Embed, Fetch, Unavailable, detect, system_named
from scraper.commentsystems.disqus import NO_KEY
from scraper.extractors.page import Page, parse_html

CAPTURES = SHARED / "corpus" / "comment-systems"
DISQUS = CAPTURES / "disqus"
EMBED_FIXTURE = ROOT / "tests" / "fixtures" / "commentsystems" / "disqus_embed_threadData.html"
BREITBART = "http://www.breitbart.com/tech/2016/12/22/neutral-snopes-fact-checker-david-emery-un-angry-trump-supporters/"
THREAD = Embed("disqus", {"shortname": "disqus", "identifier": "4889630000",
                          "url": "https://blog.disqus.com/protecting-users-privacy-on-disqus"})


def capture(name: str) -> Path:
    path = CAPTURES / name
    if not path.exists():
        pytest.skip(f"comment-system captures not found at {CAPTURES}")
    return path


def page_of(name: str, url: str = "https://blog.example/post/") -> Page:
    return Page(parse_html(capture(name).read_bytes()), url)


def html_page(markup: str, url: str = "https://blog.example/post/") -> Page:
    return Page(parse_html(markup), url)


@pytest.fixture
def disqus():
    return system_named("disqus")


@pytest.fixture
def api_answer() -> dict:
    """The listPosts answer from the real capture (the fixture dict's one value)."""
    wrapped = json.loads(capture("disqus/api3_threads_listPosts__disqus-sdk-net.json").read_bytes().decode("utf-8-sig"))
    (answer,) = wrapped.values()
    return answer


def api_fetch(disqus) -> Fetch:
    return disqus.first_fetch(THREAD, {"DISQUS_API_KEY": "KEY"})


# -- detection ---------------------------------------------------------------------------------
def test_detects_the_shortname_variable(disqus):
    embed = disqus.detect(page_of("disqus/page_caktusgroup.com_disqus_shortname.html"))
    assert embed == Embed("disqus", {
        "shortname": "wwwcaktusblog",
        "url": "http://www.caktusgroup.com/blog/2015/06/08/testing-client-side-applications-django-post-mortem/"})


def test_detects_disqus_url_and_the_legacy_forum_script(disqus):
    embed = disqus.detect(page_of("disqus/page_gregoryszorc.com_disqus_url.html"))
    assert embed.params == {
        "shortname": "gregoryszorc",
        "url": "http://gregoryszorc.com/blog/2020/01/13/mercurial's-journey-to-and-reflections-on-python-3"}


def test_disqus_on_a_blogger_blog_wins_over_blogger(disqus):
    page = page_of("disqus/page_blog.python.org_blogger+disqus.html",
                   "http://blog.python.org/2016/12/python-360-is-now-available.html")
    assert system_named("blogger").detect(page) is not None  # the platform is Blogger ...
    embed = detect(page)  # ... but its comments are in Disqus
    assert embed == Embed("disqus", {"shortname": "pythoninsider",
                                     "url": "http://blog.python.org/2016/12/python-360-is-now-available.html"})


def test_detects_the_rendered_iframe_and_page_variables(disqus):
    embed = disqus.detect(page_of("disqus/page_breitbart_rendered_dsq-iframe.html", BREITBART))
    assert embed.params == {
        "shortname": "breitbartproduction",  # only in the iframe's f= (and the count script)
        "identifier": "5765662",
        "url": BREITBART,
        "title": "&#8216;Neutral&#8217; Snopes Fact-Checker David Emery: "
                 "&#8216;Are There Any Un-Angry Trump Supporters?&#8217;"}
    fetch = disqus.first_fetch(embed, {})
    # The same thread parameters the iframe itself was loaded with.
    assert fetch.url.startswith("https://disqus.com/embed/comments/?base=default&f=breitbartproduction&t_i=5765662"
                                "&t_u=http%3A%2F%2Fwww.breitbart.com%2Ftech%2F2016%2F12%2F22%2F")
    assert fetch.url.endswith("&s_o=default")


@pytest.mark.parametrize("name", ["wordpress/page_lemire.me_threaded.html", "wordpress/page_netzpolitik.org_threaded.html",
                                  "blogger/hradiska_divinka_page.html", "blogger/page_derpapierplanet.de_threaded.html"])
def test_pages_without_disqus(disqus, name):
    assert disqus.detect(page_of(name)) is None


def test_config_function_and_thread_attributes():
    config = html_page("""<div id="disqus_thread"></div><script>
        var disqus_config = function () { this.page.url = PAGE_URL; this.page.identifier = "post-42"; };
        (function() { var s = document.createElement('script'); s.src = 'https://myblog.disqus.com/embed.js';
        (document.head || document.body).appendChild(s); })();</script>""")
    assert system_named("disqus").detect(config).params == {
        "identifier": "post-42", "shortname": "myblog", "url": "https://blog.example/post/"}  # PAGE_URL is no literal
    div = html_page('<div id="disqus_thread" data-disqus-identifier="7" data-disqus-url="https://b.example/7"></div>'
                    '<script src="//other.disqus.com/embed.js"></script>')
    assert system_named("disqus").detect(div).params == {"identifier": "7", "url": "https://b.example/7",
                                                         "shortname": "other"}


def test_a_count_script_alone_is_no_thread(disqus):
    listing = html_page('<a href="/p/#disqus_thread">3 comments</a><script src="//myblog.disqus.com/count.js"></script>')
    assert disqus.detect(listing) is None


def test_thread_without_shortname_is_unavailable(disqus):
    embed = disqus.detect(html_page('<div id="disqus_thread"></div>'))
    assert embed == Embed("disqus", {"url": "https://blog.example/post/"})
    with pytest.raises(Unavailable, match="shortname"):
        disqus.first_fetch(embed, {"DISQUS_API_KEY": "KEY"})


# -- first fetch ---------------------------------------------------------------------------------
def test_first_fetch_with_and_without_key(disqus):
    assert api_fetch(disqus).url == ("https://disqus.com/api/3.0/threads/listPosts.json?api_key=KEY&forum=disqus"
                                     "&thread=ident%3A4889630000&limit=100&order=asc")
    by_link = Embed("disqus", {"shortname": "disqus", "url": "https://blog.disqus.com/p"})
    assert disqus.first_fetch(by_link, {"DISQUS_API_KEY": "KEY"}).url == (
        "https://disqus.com/api/3.0/threads/listPosts.json?api_key=KEY&forum=disqus"
        "&thread=link%3Ahttps%3A%2F%2Fblog.disqus.com%2Fp&limit=100&order=asc")
    assert disqus.first_fetch(THREAD, {"DISQUS_API_KEY": ""}).url == (
        "https://disqus.com/embed/comments/?base=default&f=disqus&t_i=4889630000"
        "&t_u=https%3A%2F%2Fblog.disqus.com%2Fprotecting-users-privacy-on-disqus&s_o=default")


# -- the API answer -------------------------------------------------------------------------------
def test_parses_the_real_listposts_page(disqus, api_answer):
    fetch = api_fetch(disqus)
    batch = disqus.parse(THREAD, fetch, json.dumps(api_answer).encode(), {})
    rows = batch.comments
    assert len(rows) == 25
    assert len({r["comment_id"] for r in rows}) == 25
    assert rows[0] == {
        "comment_id": "3201259657", "parent_id": None, "author_name": "earnestunsmoked",
        "author_url": "http://limitlesspavingandconcrete.com/", "published": "2017-03-13T03:02:34+00:00",
        "published_raw": "2017-03-13T03:02:34", "text": "Nice", "kind": "comment", "by_post_author": None,
        "parent_source": "api", "page_url": None}
    assert rows[-1]["comment_id"] == "3186973836"
    assert rows[-1]["text"] == "How can I unlock my Disqus account?\nThank you."
    # No site of their own: the Disqus profile is the author's page.
    assert rows[2]["author_name"] == "Nou Cha" and rows[2]["author_url"] == "https://disqus.com/by/nou_cha/"
    # The one reply's parent is on the thread's other page: kept as stated (the thread code
    # walks it as a root until that page arrives).
    replies = [r for r in rows if r["parent_id"]]
    assert [(r["comment_id"], r["parent_id"], r["author_name"]) for r in replies] == [
        ("3190093000", "3187842936", "Leomel")]
    assert "3187842936" in {r["comment_id"] for r in rows}  # here it is on the page, too
    assert all(r["published"].endswith("+00:00") for r in rows)
    assert batch.incomplete is None
    assert batch.next == Fetch("https://disqus.com/api/3.0/threads/listPosts.json?api_key=KEY&forum=disqus"
                               "&thread=ident%3A4889630000&limit=100&order=asc&cursor=1488666260387249%3A0%3A0")


def test_the_bom_of_a_saved_answer_is_no_error(disqus, api_answer):
    body = b"\xef\xbb\xbf" + json.dumps(api_answer).encode()
    assert len(disqus.parse(THREAD, api_fetch(disqus), body, {}).comments) == 25


def test_last_page_has_no_next(disqus, api_answer):
    api_answer["cursor"]["hasNext"] = False
    assert disqus.parse(THREAD, api_fetch(disqus), json.dumps(api_answer).encode(), {}).next is None


def test_spam_is_dropped_and_deleted_posts_kept_empty(disqus, api_answer):
    api_answer["response"][0]["isSpam"] = True
    api_answer["response"][1]["isDeleted"] = True
    rows = disqus.parse(THREAD, api_fetch(disqus), json.dumps(api_answer).encode(), {}).comments
    assert len(rows) == 24
    assert rows[0]["comment_id"] == "3201099336"
    assert (rows[0]["author_name"], rows[0]["text"], rows[0]["published"]) == (None, None, "2017-03-13T00:01:56+00:00")


@pytest.mark.parametrize("body, message", [
    (b"<!DOCTYPE html><html><body>Rate limited</body></html>", "HTML instead of JSON"),
    (b'{"cursor": {"hasNext": false}, "code": 0, "response": [{"id": "1"', "invalid JSON"),
    (b'{"code": 2, "response": "Invalid argument, \'thread\': Unable to find thread"}', "Disqus API error 2: Invalid argument"),
    (b'{"code": 0, "cursor": {}, "response": {"posts": []}}', "'response' is dict"),
    (b'{"code": "0", "cursor": {}, "response": []}', "'code' is str"),
])
def test_bad_answers(disqus, body, message):
    with pytest.raises(CommentSystemError, match=message):
        disqus.parse(THREAD, Fetch("https://disqus.com/api/3.0/threads/listPosts.json?api_key=K"), body, {})


@pytest.mark.parametrize("field, value", [("createdAt", 1489374154), ("parent", ["3187842936"]),
                                          ("author", "earnestunsmoked"), ("message", {"html": "x"})])
def test_a_field_of_the_wrong_type(disqus, api_answer, field, value):
    api_answer["response"][0][field] = value
    with pytest.raises(CommentSystemError, match=repr(field)):
        disqus.parse(THREAD, api_fetch(disqus), json.dumps(api_answer).encode(), {})


# -- the no-key embed page ----------------------------------------------------------------------------
def embed_fetch(disqus) -> Fetch:
    return disqus.first_fetch(THREAD, {})


def test_parses_the_embed_page(disqus):
    """No real embed page with posts was found; the fixture is the documented shape (a
    ``disqus-threadData`` script holding cursor, code and response.posts, see ENDPOINTS.md)
    filled with three posts, fields trimmed, and the thread object from the real API captures."""
    batch = disqus.parse(THREAD, embed_fetch(disqus), EMBED_FIXTURE.read_bytes(), {})
    assert [(r["comment_id"], r["parent_id"], r["author_name"], r["published"]) for r in batch.comments] == [
        ("3187842936", None, "Your Teacher", "2017-03-05T18:38:56+00:00"),
        ("3190093000", "3187842936", "Leomel", "2017-03-07T01:51:39+00:00"),
        ("3201099336", None, "Sunder Thadani", "2017-03-13T00:01:56+00:00")]
    assert batch.comments[2]["text"] == "One World, One language, and peace."
    assert batch.next is None  # later pages need the API
    assert batch.incomplete == NO_KEY


def test_embed_page_of_a_whole_thread_is_complete(disqus):
    body = EMBED_FIXTURE.read_bytes().replace(b'"hasNext": true', b'"hasNext": false')
    assert disqus.parse(THREAD, embed_fetch(disqus), body, {}).incomplete is None


def test_embed_page_without_thread_data(disqus):
    with pytest.raises(CommentSystemError, match="no disqus-threadData"):
        disqus.parse(THREAD, embed_fetch(disqus), capture("disqus/page_caktusgroup.com_disqus_shortname.html").read_bytes(), {})
    with pytest.raises(CommentSystemError, match="not JSON"):
        disqus.parse(THREAD, embed_fetch(disqus), EMBED_FIXTURE.read_bytes().replace(b'"code": 0,', b'"code": 0'), {})
    with pytest.raises(CommentSystemError):
        disqus.parse(THREAD, embed_fetch(disqus), b"", {})
