"""Blogger: detection on real post pages, and the comment feed as Atom and as ``alt=json``.

The real captures live in ../shared/corpus/comment-systems/blogger/ (see PROVENANCE.md there);
tests that need them skip where it is absent.
"""
from __future__ import annotations

import json
from pathlib import Path

import pytest

from conftest import SHARED
from scraper.commentsystems import CommentSystemError, Embed, Fetch, detect, system_named
from scraper.extractors import extract_page
from scraper.extractors.page import Page, parse_html

CAPTURES = SHARED / "corpus" / "comment-systems"
DIVINKA = "http://www.hradiska.sk/2011/06/hradisko-velky-vrch-divinka.html"
DIVINKA_POST = "4019061590701079681"
HRADISKA_BLOG = "6818054921907446479"
EMBED = Embed("blogger", {"base": "http://www.hradiska.sk", "post_id": DIVINKA_POST, "blog_id": HRADISKA_BLOG})
FETCH = Fetch(f"http://www.hradiska.sk/feeds/{DIVINKA_POST}/comments/default?max-results=100")


def capture(name: str) -> Path:
    path = CAPTURES / name
    if not path.exists():
        pytest.skip(f"comment-system captures not found at {CAPTURES}")
    return path


def page_of(name: str, url: str) -> Page:
    return Page(parse_html(capture(name).read_bytes()), url)


def parse(name: str):
    return system_named("blogger").parse(EMBED, FETCH, capture(name).read_bytes(), {})


@pytest.fixture
def blogger():
    return system_named("blogger")


# -- detection ---------------------------------------------------------------------------------
@pytest.mark.parametrize("name, url, post_id, blog_id", [
    ("blogger/hradiska_divinka_page.html", DIVINKA, DIVINKA_POST, HRADISKA_BLOG),
    ("blogger/hradiska_novezamky_page.html", "http://www.hradiska.sk/2016/10/pevnost-nove-zamky-3d.html",
     "6209063737957737056", HRADISKA_BLOG),
    ("blogger/hradiska_slovania_page_171comments.html",
     "http://www.hradiska.sk/2016/12/kedy-prisli-slovania-na-slovensko.html", "1490627815934747175", HRADISKA_BLOG),
    ("blogger/page_derpapierplanet.de_threaded.html",
     "https://www.derpapierplanet.de/2015/06/through-booking-glass-juni-genre.html",
     "3644483384123728422", "6207680558116415115"),
    ("blogger/page_luxuryhaven.co_24comments_with_bloggerjs.html",
     "https://www.luxuryhaven.co/2019/05/nam-nghi-phu-quoc-unbound-collection-by-hyatt-officially-opens.html",
     "5705526651659233718", "3257097735108709678"),
])
def test_detects_blogger_post_pages(blogger, name, url, post_id, blog_id):
    page = page_of(name, url)
    base = url[:url.index("/", 8)]
    expected = Embed("blogger", {"base": base, "post_id": post_id, "blog_id": blog_id})
    assert blogger.detect(page) == expected
    assert detect(page) == expected  # no third-party system on these pages
    assert blogger.first_fetch(expected, {}) == Fetch(f"{base}/feeds/{post_id}/comments/default?max-results=100")


def test_blogger_under_disqus_is_found_but_loses(blogger):
    page = page_of("disqus/page_blog.python.org_blogger+disqus.html",
                   "http://blog.python.org/2016/12/python-360-is-now-available.html")
    assert blogger.detect(page) == Embed("blogger", {"base": "http://blog.python.org",
                                                     "post_id": "3969073602705017876", "blog_id": "3941553907430899163"})
    assert detect(page).system == "disqus"


@pytest.mark.parametrize("name", ["wordpress/page_lemire.me_threaded.html", "wordpress/page_netzpolitik.org_threaded.html",
                                  "disqus/page_caktusgroup.com_disqus_shortname.html",
                                  "jetpack-wpcom/page_zulang.wordpress.com_depth4.html"])
def test_pages_not_on_blogger(blogger, name):
    page = page_of(name, "https://blog.example/post/")
    assert blogger.detect(page) is None
    if name.startswith("wordpress/"):
        assert detect(page) is None  # neither Blogger nor Disqus


def test_a_blogger_index_page_has_no_thread(blogger):
    index = Page(parse_html("<html><head><meta name='generator' content='blogger'></head><body>"
                            "<div class='post' data-post-id='111'></div><div class='post' data-post-id='222'></div>"
                            "</body></html>"), "https://x.blogspot.com/")
    assert blogger.detect(index) is None
    single = Page(parse_html("<html><head><meta name='generator' content='Blogger'></head><body>"
                             "<div class='post' data-post-id='111'></div></body></html>"), "https://x.blogspot.com/p.html")
    assert blogger.detect(single) == Embed("blogger", {"base": "https://x.blogspot.com", "post_id": "111"})


# -- the feed ---------------------------------------------------------------------------------------
def test_parses_the_atom_feed():
    batch = parse("blogger/hradiska_divinka_feed_atom.xml")
    rows = batch.comments
    assert len(rows) == 23
    assert sum(1 for r in rows if r["parent_id"]) == 10
    assert batch.next is None and batch.incomplete is None
    assert rows[0] == {
        "comment_id": "4797113224092133129", "parent_id": "2529687043097823220", "author_name": "Anonymous",
        "author_url": None, "published": "2018-08-04T07:18:54.994000+00:00",
        "published_raw": "2018-08-04T09:18:54.994+02:00",
        "text": rows[0]["text"], "kind": "comment", "by_post_author": None, "parent_source": "api",
        "page_url": f"{DIVINKA}?showComment=1533367134994#c4797113224092133129"}
    assert rows[0]["text"].startswith("Dňa 31. 8. 2014 v rámci akcie Staroslovanská Divinka bol otvorený")
    assert rows[0]["text"].endswith("pokračuje lesnou cestou až na hradisko.")  # <br /> → a line break
    by_id = {r["comment_id"]: r for r in rows}
    zuzka = by_id["8352467741088719481"]
    assert (zuzka["parent_id"], zuzka["author_name"], zuzka["author_url"], zuzka["published"]) == (
        "6232727394147102835", "Zuzka Kuglerová", "https://www.blogger.com/profile/14788119759514433756",
        "2013-06-18T13:32:22.694000+00:00")
    assert by_id["6232727394147102835"]["parent_id"] is None
    assert rows[-1]["comment_id"] == "2529687043097823220"  # newest first: the oldest comes last
    # thr:in-reply-to names the post: never taken for a parent.
    assert DIVINKA_POST not in {r["parent_id"] for r in rows}


def test_json_feed_gives_the_same_rows_as_atom():
    atom = parse("blogger/hradiska_divinka_feed_atom.xml").comments
    assert parse("blogger/hradiska_divinka_feed_altjson.json").comments == atom


def test_feed_ids_and_parents_are_the_pages():
    """Feed rows merge with the rows the page's markup gives, by id."""
    page = extract_page(capture("blogger/hradiska_divinka_page.html").read_bytes(), DIVINKA)
    from_page = {c["comment_id"]: c["parent_id"] for c in page["comments"]}
    assert len(from_page) == 23 and "7421881825564229479" in from_page
    assert {r["comment_id"]: r["parent_id"] for r in parse("blogger/hradiska_divinka_feed_atom.xml").comments} == from_page


@pytest.mark.parametrize("name, entries, replies", [
    ("blogger/hradiska_novezamky_feed_atom.xml", 10, 6),
    ("blogger/hradiska_mikulcice_feed_altjson.json", 21, 8),
])
def test_other_feeds(name, entries, replies):
    batch = parse(name)
    assert (len(batch.comments), sum(1 for r in batch.comments if r["parent_id"]), batch.next) == (entries, replies, None)


def test_follows_the_next_link():
    batch = parse("blogger/hradiska_slovania_feed_atom_page1of7.xml")
    assert len(batch.comments) == 25
    assert sum(1 for r in batch.comments if r["parent_id"]) == 13
    assert batch.comments[0]["comment_id"] == "3690956028248397544"
    assert batch.next == Fetch("http://www.blogger.com/feeds/6818054921907446479/1490627815934747175/comments/default"
                               "?start-index=26&max-results=25")


def test_follows_the_next_link_of_a_json_feed(blogger):
    data = json.loads(capture("blogger/hradiska_divinka_feed_altjson.json").read_bytes())
    nxt = "http://www.blogger.com/feeds/1/2/comments/default?alt=json&start-index=101&max-results=100"
    data["feed"]["link"].append({"rel": "next", "type": "application/atom+xml", "href": nxt})
    assert blogger.parse(EMBED, FETCH, json.dumps(data).encode(), {}).next == Fetch(nxt)


# -- bad input ----------------------------------------------------------------------------------------
def feed_bytes() -> bytes:
    return capture("blogger/hradiska_divinka_feed_atom.xml").read_bytes()


def test_html_instead_of_a_feed(blogger):
    with pytest.raises(CommentSystemError, match="Blogger feed"):
        blogger.parse(EMBED, FETCH, capture("blogger/hradiska_divinka_page.html").read_bytes(), {})
    with pytest.raises(CommentSystemError, match="instead of an Atom feed"):
        blogger.parse(EMBED, FETCH, b"<html><body><p>Blog not found</p></body></html>", {})


def test_truncated_feeds(blogger):
    with pytest.raises(CommentSystemError, match="not XML"):
        blogger.parse(EMBED, FETCH, feed_bytes()[:20000], {})
    json_feed = capture("blogger/hradiska_divinka_feed_altjson.json").read_bytes()
    with pytest.raises(CommentSystemError, match="invalid JSON"):
        blogger.parse(EMBED, FETCH, json_feed[:20000], {})


def test_json_field_of_the_wrong_type(blogger):
    data = json.loads(capture("blogger/hradiska_divinka_feed_altjson.json").read_bytes())
    data["feed"]["entry"][0]["published"] = "2018-08-04T09:18:54.994+02:00"  # not {"$t": ...}
    with pytest.raises(CommentSystemError, match="'published' is str"):
        blogger.parse(EMBED, FETCH, json.dumps(data).encode(), {})
    data["feed"]["entry"] = {"id": "x"}
    with pytest.raises(CommentSystemError, match="'entry' is dict"):
        blogger.parse(EMBED, FETCH, json.dumps(data).encode(), {})


def test_an_entry_that_is_not_a_comment(blogger):
    body = feed_bytes().replace(b".post-4797113224092133129</id>", b".post4797113224092133129</id>", 1)
    with pytest.raises(CommentSystemError, match="not a comment's"):
        blogger.parse(EMBED, FETCH, body, {})


def test_entities_are_not_expanded(blogger):
    body = (b"<?xml version='1.0'?><!DOCTYPE feed [<!ENTITY x SYSTEM 'file:///etc/hostname'>]>"
            b"<feed xmlns='http://www.w3.org/2005/Atom'><entry><id>tag:blogger.com,1999:blog-1.post-2</id>"
            b"<content type='html'>&x;</content></entry></feed>")
    (row,) = blogger.parse(EMBED, FETCH, body, {}).comments
    assert row["comment_id"] == "2" and row["text"] is None
