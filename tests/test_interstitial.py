"""Pages served instead of the page asked for (a bot challenge, a firewall's block page): no
record, and the crawl lists the URL with the reason. The corpora's real articles that only load
a challenge service's script are the negatives."""
from __future__ import annotations

import gzip
import json

import pytest

from scraper.extractors import extract_page
from scraper.extractors.interstitial import interstitial
from scraper.replay import ReplaySite

from conftest import SHARED, WORDPRESS, truth_posts
from crawl_helpers import read_table, run_crawl

CORPUS = SHARED / "corpus"
# Cloudflare's managed challenge as it serves it (trimmed of its inline styles and the long
# script body; the marker names and texts are Cloudflare's).
CHALLENGE = b"""<!DOCTYPE html><html lang="en-US"><head><title>Just a moment...</title>
<meta http-equiv="Content-Type" content="text/html; charset=UTF-8"><meta name="robots" content="noindex,nofollow">
</head><body><div class="main-wrapper" role="main"><div class="main-content">
<h1 class="zone-name-title h1">blog.example.test</h1>
<h2 id="challenge-running" class="h2">Checking if the site connection is secure</h2>
<noscript><div id="challenge-error-title"><div class="h2"><span class="icon-wrapper"></span>
<span id="challenge-error-text">Enable JavaScript and cookies to continue</span></div></div></noscript>
<div id="challenge-body-text" class="core-msg spacer">blog.example.test needs to review the security of your
connection before proceeding.</div>
<form id="challenge-form" action="/?__cf_chl_f_tk=aBc" method="POST" enctype="application/x-www-form-urlencoded">
<input type="hidden" name="md" value="xyz"></form></div></div>
<script>(function(){window._cf_chl_opt={cvId: '2',cZone: 'blog.example.test',cType: 'managed'};}());</script>
<div class="footer" role="contentinfo"><div class="footer-inner"><div class="clearfix diagnostic-wrapper">
<div class="ray-id">Ray ID: <code>7d1a2b3c4d5e6f70</code></div></div>
<div class="text-center" id="footer-text">Performance &amp; security by Cloudflare</div></div></div>
</body></html>"""


def test_a_bot_challenge_is_no_record():
    result = extract_page(CHALLENGE, "https://blog.example.test/2023/05/a-post/")
    assert result["article"] is None and result["comments"] == []
    assert result["page"]["interstitial"] == "Cloudflare challenge"


@pytest.mark.parametrize("relative, url", [
    ("wcxb-articles/html/0431.html.gz", "https://wcxb.invalid/0431"),
    ("wcxb-articles/html/0269.html.gz", "https://wcxb.invalid/0269"),
    ("trafilatura-eval/html/Osthessen-news.de-Buergermeisterwahl.html.gz", "https://osthessen-news.de/a"),
])
def test_an_article_that_loads_the_challenge_script_is_an_article(relative, url):
    path = CORPUS / relative
    if not path.exists():
        pytest.skip(f"shared corpus page not found: {path}")
    html = gzip.open(path).read()
    assert b"/cdn-cgi/challenge-platform/" in html
    result = extract_page(html, url)
    assert result["page"]["interstitial"] is None and result["article"] is not None


def test_a_post_titled_like_a_challenge_is_a_post():
    prose = "<p>" + "We stood there, and nobody said a word for a long while. " * 8 + "</p>"
    html = f"<html><head><title>Just a moment of silence</title></head><body><article>{prose * 3}</article></body></html>"
    result = extract_page(html, "https://blog.example.test/2023/05/silence/")
    assert result["page"]["interstitial"] is None and result["article"] is not None


def test_a_challenge_served_during_a_crawl_is_listed_not_stored(tmp_path):
    site_dir = WORDPRESS / "site" / "twentytwentyone"
    if not (site_dir / "manifest.json").exists():
        pytest.skip(f"shared WordPress corpus not found at {WORDPRESS}")
    start = "http://blog.example.test:8081/"
    quiet = start + "2016/04/a-quiet-note-on-archive-formats/"
    with ReplaySite(site_dir) as site:
        site.override(quiet, body=CHALLENGE)  # served with 200, as some CDNs and proxies do
        proc = run_crawl(start, tmp_path, "challenge", site.proxy_url)
    assert proc.returncode == 3, proc.stderr[-3000:]
    message = f"Not stored {quiet}: a Cloudflare challenge page was served instead of the page"
    assert message in proc.stderr
    manifest = json.loads((tmp_path / "challenge" / "crawl.json").read_text())
    assert message in json.dumps(manifest["errors"])
    stored = {a["canonical_url"] for a in read_table(tmp_path, "challenge", "articles")}
    assert stored == {p["url"] for p in truth_posts()} - {quiet}


@pytest.mark.parametrize("title, extra", [
    ("DDoS-Guard review: is it any good? – My blog",
     '<script type="application/ld+json">{"headline": "DDoS-Guard review", "x": "ddg_captcha"}</script>'),
    ("Sucuri Website Firewall review – My blog", '<a id="sucuri-firewall-review" href="/s/">Sucuri</a>'),
    ("Just a moment of silence", '<form id="challenge-form-signup"><input name="e"></form>'),
])
def test_a_post_about_these_services_is_a_post(title, extra):
    prose = "<p>" + "We tried the service for a month on a small blog and wrote down what we saw. " * 3 + "</p>"
    html = (f"<html><head><title>{title}</title>{extra}</head><body class='single'><article><h1>{title}</h1>"
            f"<div class='entry-content'>{prose * 3}</div>{extra}</article></body></html>")
    result = extract_page(html, "https://blog.example.org/2024/05/a-post/")
    assert result["page"]["interstitial"] is None and result["article"] is not None


def _shared_pages(count: int) -> list[tuple[bytes, str]]:
    paths = sorted((CORPUS / "wcxb-articles" / "html").glob("*.html.gz"))[:count]
    return [(gzip.open(p).read(), f"https://wcxb.invalid/{p.name.split('.')[0]}") for p in paths]


def test_the_page_the_spider_checks_is_extracted_as_its_tree_is(monkeypatch):
    """The spider checks each page for a challenge on a ``Page`` it hands on to ``extract_page``:
    the same result as extracting the tree, and the page's lookups (its one indexing walk) made
    once, not once for the check and again for the extraction."""
    from scraper.extractors import Page, page as page_module, parse_html

    pages = _shared_pages(24) + [(CHALLENGE, "https://blog.example.test/2023/05/a-post/")]
    if len(pages) == 1:
        pytest.skip(f"shared corpus not found at {CORPUS}")
    walks = []
    real_walk = page_module.page_index
    monkeypatch.setattr(page_module, "page_index", lambda *args: walks.append(1) or real_walk(*args))
    for html, url in pages:
        expected = extract_page(parse_html(html), url)
        checked = Page(parse_html(html), url)
        served_instead = interstitial(checked)
        del walks[:]
        assert extract_page(checked, url) == expected
        assert served_instead == expected["page"]["interstitial"]
        assert walks == []  # the check's walk served the extraction
