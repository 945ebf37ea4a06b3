"""A link the spider already asked for is not built into a request again: the duplicate filter
would drop it. Links past DEPTH_LIMIT never reach the filter, so they are not remembered."""
from __future__ import annotations

from scrapy.http import HtmlResponse, Request
from scrapy.utils.test import get_crawler

from scraper.spiders.blog import BlogSpider
from scraper.spiders.links import FollowedLinks

HOME = "https://blog.example.org/"
NAV = [HOME, "https://blog.example.org/category/notes/", "https://blog.example.org/2024/05/"]


def spider(tmp_path, **settings) -> BlogSpider:
    s = BlogSpider(url=HOME, crawl="links")
    s._set_crawler(get_crawler(BlogSpider, settings_dict={"DATASET_ROOT": str(tmp_path), **settings}))
    return s


def urls(requests) -> list[str]:
    return [r.url for r in requests]


def page(url: str, depth: int) -> HtmlResponse:
    return HtmlResponse(url, body=b"<html></html>", request=Request(url, meta={"depth": depth}))


def test_links_followed_once_are_not_built_again(tmp_path):
    s = spider(tmp_path)
    first = urls(s._follow(NAV + ["https://blog.example.org/2024/05/post-1/"]))
    assert first == NAV + ["https://blog.example.org/2024/05/post-1/"]
    # The next page links the same navigation, a variant of a page already asked for (a fragment,
    # a tracking parameter: the same request once normalised), and one new post.
    again = NAV + ["https://blog.example.org/2024/05/post-1/#comments",
                   "https://blog.example.org/2024/05/post-1/?utm_source=feed",
                   "https://blog.example.org/2024/05/post-2/"]
    assert urls(s._follow(again)) == ["https://blog.example.org/2024/05/post-2/"]


def test_links_refused_by_the_spider_are_not_remembered(tmp_path):
    s = spider(tmp_path)
    assert urls(s._follow(["https://blog.example.org/wp-admin/", "https://elsewhere.org/x/"])) == []
    assert len(s._followed) == 0


def test_links_past_the_depth_limit_are_built_but_not_remembered(tmp_path):
    s = spider(tmp_path, DEPTH_LIMIT=2)
    deep, shallow = page(NAV[1], depth=2), page(HOME, depth=0)
    assert not s._below_depth_limit(deep) and s._below_depth_limit(shallow)
    # DepthMiddleware drops these before the duplicate filter sees them ...
    assert urls(s._follow(NAV[1:], s._below_depth_limit(deep))) == NAV[1:]
    # ... so found again nearer the start, they are followed.
    assert urls(s._follow(NAV[1:], s._below_depth_limit(shallow))) == NAV[1:]
    assert urls(s._follow(NAV[1:], s._below_depth_limit(shallow))) == []


def test_the_cache_is_bounded_oldest_half_out():
    links = FollowedLinks(size=2)
    for url in ("a", "b", "c"):
        links.add(url)
    assert "a" not in links and "b" in links and "c" in links and len(links) == 2


def test_comment_permalinks_are_one_entry_for_their_page(tmp_path):
    s = spider(tmp_path)
    post = "https://blog.example.org/2024/05/post-1/"
    assert urls(s._follow([f"{post}#comment-{n}" for n in range(50)])) == [post]
    assert len(s._followed) == 1


def test_a_large_cache_keeps_at_least_the_latest_half_and_forgets_the_oldest():
    links = FollowedLinks(size=10_000)
    added = [f"https://blog.example.org/{n}/" for n in range(30_000)]
    for url in added:
        links.add(url)
    assert len(links) <= 10_000
    assert all(url in links for url in added[-5_000:])
    assert not any(url in links for url in added[:20_000])
