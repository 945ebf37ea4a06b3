"""Facebook comments plugin: detected on a real page, never fetched.

The real page (../shared/corpus/comment-systems/facebook/, see PROVENANCE.md there) carries
``<div class="fb-comments" data-href=...>`` and a ``fb-comments-count`` badge.
"""
from __future__ import annotations

import pytest

from conftest import SHARED
from scraper.commentsystems import Embed, Unavailable, detect, system_named
from scraper.extractors.page import Page, parse_html

CAPTURES = SHARED / "corpus" / "comment-systems"
SKATE = ("https://skateboardmsm.de/news/the-captains-quest-2017-contest-auf-schwimmender-miniramp-am-19-august-"
         "in-dormagen.html")


def page_of(name: str) -> Page:
    path = CAPTURES / name
    if not path.exists():
        pytest.skip(f"comment-system captures not found at {CAPTURES}")
    return Page(parse_html(path.read_bytes()), SKATE)


def test_detects_the_plugin_and_is_unavailable():
    embed = detect(page_of("facebook/page_skateboardmsm.de_fb-comments.html"))
    assert embed == Embed("facebook", {"href": SKATE, "sdk": "0"})
    with pytest.raises(Unavailable, match="Facebook comments need a browser or an access token"):
        system_named("facebook").first_fetch(embed, {})


def test_xfbml_and_the_sdk():
    markup = ('<div id="fb-root"></div><script async src="https://connect.facebook.net/en_US/sdk.js"></script>'
              '<fb:comments href="https://blog.example/post/" numposts="5"></fb:comments>')
    assert system_named("facebook").detect(Page(parse_html(markup), "https://blog.example/post/")) == \
        Embed("facebook", {"href": "https://blog.example/post/", "sdk": "1"})


def test_a_count_badge_or_the_sdk_alone_is_no_plugin():
    markup = ('<script src="https://connect.facebook.net/en_US/sdk.js"></script>'
              '<span class="fb-comments-count" data-href="https://blog.example/post/">0</span>')
    assert system_named("facebook").detect(Page(parse_html(markup), "https://blog.example/post/")) is None


def test_other_pages_are_not_facebook():
    for name in ("wordpress/page_netzpolitik.org_threaded.html", "discourse/page_boingboing.net_wp-discourse.html"):
        assert system_named("facebook").detect(page_of(name)) is None
