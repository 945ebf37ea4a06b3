"""A malformed address inside a page ("http://[::1", an unclosed IPv6 host) is skipped where it
is read, never raised: the canonical URL falls back, a bad link is left out, the article stays.
The helpers in ``scraper/urls.py`` are the one place that decides what is malformed."""
from __future__ import annotations

import pytest

from scraper import commentsystems
from scraper.extractors import ExtractionError, extract_page
from scraper.extractors.page import Page, parse_html
from scraper.spiders.discovery import is_page_link
from scraper.urls import absolute, absolute_links, host_of, normalize_url, safe_join, site_of, split_or_none

from conftest import SHARED, WORDPRESS, manifest_files

BAD_HOST = "http://[::1"  # an IPv6 host whose bracket never closes
# Each raises ValueError in urllib: an unclosed or invalid bracketed host, a host whose
# characters turn into URL delimiters under NFKC normalisation.
MALFORMED = [BAD_HOST, "http://[::1/broken", "http://[2001:db8::1/x", "http://[not-an-ip]/x",
             "https://exa\uff03mple.org/x", "//[::1/x"]

BASE = "https://blog.example.org/2024/05/a-post/"


# -- the helpers ----------------------------------------------------------------------------
@pytest.mark.parametrize("href", MALFORMED)
def test_a_malformed_address_joins_and_splits_to_none(href):
    assert safe_join(BASE, href) is None
    assert split_or_none(href) is None
    assert absolute(BASE, href) is None
    assert host_of(href, BASE) == ""


def test_a_malformed_base_joins_to_none():
    assert safe_join(BAD_HOST, "/about/") is None


# Addresses at the edges of what absolute_links resolves once per origin: empty hosts, paths
# that need the base's, white space urllib drops, malformed hosts, other schemes.
EDGES = ["//", "//?x", "//#f", "//\t?x", "///x", "/", "/../a/./b", "/\t/x", "http://", "http:foo", "http:///x",
         "https:", "HTTP://Blog.Example.org/A", "https://blog.example.org", "https://other.example/x?y#z",
         "  /padded ", "?q=1", "#top", "", "mailto:a@b.org", "javascript:void(0)", "ftp://example.org/x",
         "x/y", "../z", "//other.example", *MALFORMED,
         # Absolute addresses next to the plainest kind absolute_links keeps as they are: each
         # with what urljoin changes (parameters, an empty query or fragment, an empty port, an
         # upper-case scheme, white space inside) and the plain ones it gives back unchanged.
         "http://blog.example.org/a;p", "http://blog.example.org/x?", "http://blog.example.org/x#",
         "http://blog.example.org:/x", "Http://blog.example.org/x", "http://blog.example.org/a b",
         "http://blog.example.org/a\tb", "http://blog.example.org/a/../b/./c", "https://Blog.Example.ORG:8443//x",
         "http://blog.example.org", "https://blog.example.org/~u/a%20b/(c)/d=e&f@g:h,i!j*k+l$m'n",
         "https://xn--bcher-kva.example/x", "http://blög.example/x", "http://blog.example.org\\x",
         "http://blog.example.org/x?q=1&r=2#comment-3", "http://blog.example.org/x?#f", "http://blog.example.org?x=1",
         "http://blog.example.org/x#a#b", "http://blog.example.org/x;p?q#f",
         # Fragments alone: plain ones are the base's address with them.
         "#", "#content", "#a b", "#a#b", "#x?y=1", "#a\t", "#ü"]


def test_links_resolved_once_per_origin_are_those_absolute_gives():
    """``absolute_links`` answers from what it resolved before on the same origin: on the
    links of every page of a real blog, under bases of other paths, schemes and hosts too, and
    on addresses at the edges, what ``absolute`` gives each link anew."""
    files = manifest_files("twentytwentyone")
    pages = [(url, parse_html(path.read_bytes())) for url, path in sorted(files.items())
             if path.suffix in (".html", ".gz") or path.name.endswith(".html.gz")]
    pages = [(url, root) for url, root in pages if root is not None][:40]
    assert len(pages) > 10
    bases = [url for url, _ in pages] + ["http://blog.example.org/a/b?c=d#e", "https://blog.example.org/",
                                          "https://other.example/deep/path/", BAD_HOST, "http://blog.example.org/a/b?",
                                          "http://blog.example.org/a/b#", "https://blog.example.org/x?p=1",
                                          "http://blog.example.org", "http://blog.example.org/a;p"]
    for round_ in range(2):  # the second round answers from memory
        for n, base in enumerate(bases):
            hrefs = [str(h) for h in pages[n % len(pages)][1].xpath("//a/@href")] + EDGES
            expected = [url for h in hrefs if (url := absolute(base, h))]
            assert absolute_links(base, hrefs) == expected, (round_, base)


def test_well_formed_addresses_join_and_split_as_urllib_does():
    assert safe_join(BASE, "../other/?p=1#c") == "https://blog.example.org/2024/05/other/?p=1#c"
    assert safe_join(BASE, "http://[2001:db8::1]/x") == "http://[2001:db8::1]/x"
    assert split_or_none("https://blog.example.org:8443/x?y=1").port == 8443
    assert split_or_none(None) is None
    assert absolute(BASE, "javascript:void(0)") is None and absolute(BASE, "mailto:a@b.org") is None


@pytest.mark.parametrize("url", MALFORMED)
def test_normalising_a_malformed_address_gives_it_back_without_its_fragment(url):
    assert normalize_url(url + "#top") == url
    assert site_of(url) == ""


def test_normalize_url_keeps_doing_what_it_did():
    assert normalize_url("HTTPS://Blog.Example.org:443/x?utm_source=a&p=2#c") == "https://blog.example.org/x?p=2"
    assert normalize_url("http://blog.example.org:99999/x#c") == "http://blog.example.org:99999/x"


def test_a_malformed_page_url_is_refused_with_an_extraction_error():
    with pytest.raises(ExtractionError, match="not a valid page URL"):
        extract_page("<html><body><p>Text</p></body></html>", BAD_HOST)


@pytest.mark.parametrize("url", MALFORMED)
def test_the_spider_does_not_follow_a_malformed_address(url):
    assert not is_page_link(url, {"[::1", "blog.example.org"})


# -- pages with malformed addresses ------------------------------------------------------------
def _page(head: str = "", body: str = "") -> str:
    prose = "<p>" + "The archive keeps every post and every comment the blog printed. " * 8 + "</p>"
    return (f'<html><head><meta property="og:type" content="article">{head}</head>'
            f"<body><article><h1>A post</h1>{body}{prose * 3}</article></body></html>")


@pytest.mark.parametrize("head", [f'<link rel="canonical" href="{BAD_HOST}">',
                                  f'<meta property="og:url" content="{BAD_HOST}">'])
def test_a_malformed_canonical_falls_back_to_the_page_url(head):
    article = extract_page(_page(head), BASE)["article"]
    assert article["canonical_url"] == BASE and article["site"] == "blog.example.org"


def test_a_malformed_canonical_link_gives_way_to_a_good_og_url():
    head = f'<link rel="canonical" href="{BAD_HOST}"><meta property="og:url" content="https://blog.example.org/p/5/">'
    assert extract_page(_page(head), BASE)["article"]["canonical_url"] == "https://blog.example.org/p/5/"


def test_a_malformed_author_link_gives_no_author_url():
    byline = '<p class="byline">By <a rel="author" class="author" href="http://[::1/author/jo/">Jo Writer</a></p>'
    article = extract_page(_page(body=byline), BASE)["article"]
    assert article["author_name"] == "Jo Writer" and article["author_url"] is None


@pytest.mark.parametrize("markup", [
    '<div id="isso-thread"></div><script data-isso="http://[::1/isso" src="/js/embed.min.js"></script>',
    '<div id="cusdis_thread" data-app-id="a" data-page-id="p" data-host="http://[::1"></div>',
    '<script src="http://[::1/js/commento.js"></script>',
    '<div class="fb-comments" data-href="http://[::1/post"></div>',
    '<script>var remark_config = {host: "http://[::1", site_id: "s"};</script>',
    "<script>Waline.init({el: '#waline', serverURL: 'http://[::1'});</script>",
    '<div data-responses-to-url="https://[::1/@a/123"></div>',
    '<iframe id="dsq-app1" src="https://[::1/embed/comments/?f=x"></iframe><div id="disqus_thread"></div>',
])
def test_a_comment_system_named_by_a_malformed_address_is_skipped_without_an_error(markup, caplog):
    page = Page(parse_html(_page(body=markup)), BASE)
    embed = commentsystems.detect(page)
    assert not [r for r in caplog.records if r.exc_info], "a detector raised"
    if embed is not None:  # what is left must hold no malformed address
        assert all("[::1" not in str(value) or value == BASE for value in embed.params.values())


def test_a_discourse_topic_link_that_is_malformed_is_skipped(caplog):
    markup = ('<script src="/wp-content/plugins/wp-discourse/js/x.js"></script><a href="http://[::1/t/x/7">bad</a>'
              '<a class="wpdc-join-discussion-link" href="https://forum.example.org/t/a-topic/42">Join</a>')
    embed = commentsystems.detect(Page(parse_html(_page(body=markup)), BASE))
    assert not [r for r in caplog.records if r.exc_info]
    assert embed.system == "discourse" and embed.params["topic_id"] == "42"


# -- a real page with malformed addresses injected -----------------------------------------
LONG_THREAD = "http://blog.example.test:8081/2016/10/reader-mailbag-long-comment-threads/"
BAD_PAGE_LINK = f'<a class="page-numbers" href="{BAD_HOST}/comment-page-4/#comments"></a>'


def _with_malformed_addresses(html: str) -> str:
    """The page with a malformed canonical link read before its own, a malformed link to a
    further comment page, and its first commenter's link made malformed."""
    assert '<a class="next page-numbers"' in html and "class='url'" in html
    html = html.replace("<head>", f'<head><link rel="canonical" href="{BAD_HOST}">', 1)
    html = html.replace('<a class="next page-numbers"', BAD_PAGE_LINK + '<a class="next page-numbers"', 1)
    link_at = html.index("class='url'")
    href_at = html.rindex("href='", 0, link_at) + len("href='")
    return html[:href_at] + "http://[::1/broken" + html[html.index("'", href_at):]


def test_a_real_page_with_malformed_addresses_keeps_its_article(wordpress_corpus):
    path = manifest_files("twentytwentyone").get(LONG_THREAD)
    if path is None or not path.exists():
        pytest.skip(f"{LONG_THREAD} not captured in {WORDPRESS}")
    html = path.read_text(encoding="utf-8")
    untouched = extract_page(html, LONG_THREAD)
    damaged = extract_page(_with_malformed_addresses(html), LONG_THREAD)

    article, expected = damaged["article"], untouched["article"]
    assert article is not None and article["body_text"] == expected["body_text"]
    # The bad canonical link is skipped: the page's own URL is the canonical one, as it was.
    assert article["canonical_url"] == expected["canonical_url"] == LONG_THREAD
    assert article["article_id"] == expected["article_id"]
    # The bad comment-page link is left out, the good ones stay.
    assert damaged["page"]["comment_page_urls"] == untouched["page"]["comment_page_urls"]
    assert len(untouched["page"]["comment_page_urls"]) == 2
    # The commenter whose link is malformed keeps the comment, without the link.
    changed = [(a, b) for a, b in zip(damaged["comments"], untouched["comments"]) if a != b]
    assert len(damaged["comments"]) == len(untouched["comments"]) and len(changed) == 1
    (bad, good), = changed
    assert good["author_url"] and bad["author_url"] is None
    assert {**bad, "author_url": good["author_url"]} == good


BLOGGER_PAGE = SHARED / "corpus" / "comment-systems" / "blogger" / "hradiska_divinka_page.html"


def test_a_blogger_feed_path_is_not_followed_as_a_page_and_a_post_is():
    """Blogger's feeds are paths (``/feeds/posts/default``, a post's ``/feeds/<id>/comments/default``),
    linked from every page: they are feeds and a comment system's answer, never pages to read."""
    if not BLOGGER_PAGE.exists():
        pytest.skip(f"needs the shared Blogger page ({BLOGGER_PAGE})")
    root = parse_html(BLOGGER_PAGE.read_bytes())
    hosts = {"www.hradiska.sk"}
    links = absolute_links("http://www.hradiska.sk/", root.xpath("//a/@href|//link/@href"))
    feeds = [u for u in links if "www.hradiska.sk/feeds/" in u]
    assert len(feeds) >= 3 and not any(is_page_link(u, hosts) for u in feeds)
    posts = [u for u in links if "www.hradiska.sk/20" in u and u.endswith(".html")]
    assert posts and all(is_page_link(u, hosts) for u in posts)
    # a post or a label named for feeds is still a page
    assert is_page_link("http://www.hradiska.sk/2020/05/feeds-and-speeds.html", hosts)
    assert is_page_link("http://www.hradiska.sk/search/label/feeds", hosts)
