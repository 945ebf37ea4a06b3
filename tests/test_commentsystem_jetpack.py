"""WordPress.com / Jetpack comments: detected, nothing fetched, the thread read from the page.

The real page (../shared/corpus/comment-systems/jetpack-wpcom/, see PROVENANCE.md there) is a
WordPress.com post with 6 comments, 4 of them replies, one chain 491 > 494 > 495 > 496.
"""
from __future__ import annotations

import pytest

from conftest import SHARED
from scraper.commentsystems import Embed, detect, system_named
from scraper.extractors import extract_page
from scraper.extractors.page import Page, parse_html

CAPTURES = SHARED / "corpus" / "comment-systems"
ZULANG = CAPTURES / "jetpack-wpcom" / "page_zulang.wordpress.com_depth4.html"
URL = "https://zulang.wordpress.com/2015/12/12/3-jahre-legalisierte-genitalverstuemmelung/"


def capture(path) -> bytes:
    if not path.exists():
        pytest.skip(f"comment-system captures not found at {CAPTURES}")
    return path.read_bytes()


def test_detected_with_nothing_to_fetch():
    jetpack = system_named("jetpack")
    assert jetpack.priority == 0
    embed = detect(Page(parse_html(capture(ZULANG)), URL))
    assert embed == Embed("jetpack", {"source": "wordpress.com"})
    assert jetpack.first_fetch(embed, {}) is None


def test_the_page_holds_the_thread():
    rows = {r["comment_id"]: r for r in extract_page(capture(ZULANG), URL)["comments"]}
    assert len(rows) == 6
    assert [rows[c]["parent_id"] for c in ("491", "494", "495", "496")] == [None, "491", "494", "495"]
    assert [rows[c]["depth"] for c in ("491", "494", "495", "496")] == [1, 2, 3, 4]
    assert rows["493"]["parent_id"] == "492"


def test_jetpack_comments_on_a_self_hosted_site():
    markup = ('<div id="respond"><iframe src="https://jetpack.wordpress.com/jetpack-comment/?blogid=1&postid=2" '
              'id="jetpack_remote_comment" class="jetpack_remote_comment"></iframe></div>')
    assert system_named("jetpack").detect(Page(parse_html(markup), "https://blog.example/post/")) == \
        Embed("jetpack", {"source": "jetpack"})


def test_other_pages_are_not_jetpack():
    jetpack = system_named("jetpack")
    # boingboing loads Jetpack's devicepx script, which has nothing to do with comments.
    for name in ("wordpress/page_lemire.me_threaded.html", "discourse/page_boingboing.net_wp-discourse.html"):
        assert jetpack.detect(Page(parse_html(capture(CAPTURES / name)), "https://blog.example/")) is None
