"""Posts and pages on real pages: which pages are records, and of which kind (``page_kind``).

The shared corpora hold real static pages (WordPress pages, a Substack and a company About page)
and real listings (a WordPress blog's home, category, tag, author and date archives). Each test
skips with its reason where ``../shared/`` is absent."""
from __future__ import annotations

import gzip
import json
import re

import pytest

from scraper.extractors import extract_page

from conftest import SHARED, manifest_files, wordpress_themes

CORPUS = SHARED / "corpus"
THEMES = wordpress_themes() or ["(no shared corpus)"]
_DATE_ARCHIVE = re.compile(r"/\d{4}/\d{2}/$")
_POST = re.compile(r"/\d{4}/\d{2}/[^/]+/$")


def _page(relative: str) -> bytes:
    path = CORPUS / relative
    if not path.exists():
        pytest.skip(f"shared corpus page not found: {path}")
    return gzip.open(path).read()


def _wcxb(stem: str) -> tuple[bytes, str]:
    truth = CORPUS / "wcxb-articles" / "ground-truth" / f"{stem}.json"
    html = _page(f"wcxb-articles/html/{stem}.html.gz")
    return html, json.loads(truth.read_text()).get("url") or f"https://wcxb.invalid/{stem}"


# -- listings stay excluded, posts stay posts --------------------------------------------------
@pytest.mark.parametrize("theme", THEMES)
def test_wordpress_listings_give_no_record_and_posts_stay_posts(theme):
    if theme not in wordpress_themes():
        pytest.skip(f"shared WordPress corpus not found under {CORPUS / 'wordpress'}")
    kinds = {}
    for url, path in manifest_files(theme).items():
        if path.suffix == ".html":
            article = extract_page(path.read_bytes(), url)["article"]
            kinds[url] = article and article["page_kind"]
    listings = [u for u in kinds if re.search(r"/(category|tag|author)/|:8081/$", u)]
    assert len(listings) == 15 and all(kinds[u] is None for u in listings)
    posts = [u for u in kinds if _POST.search(u) or "/comment-page-" in u]
    assert len(posts) == 8 and all(kinds[u] == "post" for u in posts)


def test_wordpress_date_archives_give_no_record():
    # Only the classic theme's wget crawl reached the date archives (its calendar links them).
    warc = CORPUS / "wordpress" / "warc" / "twentytwentyone.warc.gz"
    if not warc.exists():
        pytest.skip(f"shared WordPress WARC not found: {warc}")
    from warcio.archiveiterator import ArchiveIterator

    archives = {}
    with open(warc, "rb") as f:
        for record in ArchiveIterator(f):
            url = record.rec_headers.get_header("WARC-Target-URI")
            if record.rec_type == "response" and _DATE_ARCHIVE.search(url or ""):
                archives[url] = record.content_stream().read()
    assert len(archives) == 5
    for url, html in archives.items():
        assert extract_page(html, url)["article"] is None, url


def test_benchmark_articles_stay_records_and_posts():
    """Every page of the article-extraction benchmark is a news or blog post."""
    truth_path = CORPUS / "aeb" / "ground-truth.json"
    if not truth_path.exists():
        pytest.skip(f"shared corpus not found: {truth_path}")
    kinds = [(extract_page(_page(f"aeb/html/{key}.html.gz"), item["url"])["article"] or {}).get("page_kind")
             for key, item in json.loads(truth_path.read_text()).items()]
    assert len(kinds) == 91 and set(kinds) == {"post"}


@pytest.mark.parametrize("name, url, not_in_text", [
    # A post whose one paragraph cites a few sites: its prose, not a list of links.
    ("knowledge-on-air.de.koa039.html", "https://knowledge-on-air.de/2019/12/17/koa039-live-vom-knowledgecamp-2019/",
     "https://www.xing.com/"),
    # A WordPress post (single) whose og:type says website: the platform class decides.
    ("resonator-podcast.de.res158.html", "https://resonator-podcast.de/2019/res158-kathrin-goebel/", None),
])
def test_real_posts_with_page_like_signals_stay_posts(name, url, not_in_text):
    article = extract_page(_page(f"trafilatura-eval/html/{name}.gz"), url)["article"]
    assert article["page_kind"] == "post"
    assert not_in_text is None or not_in_text not in article["body_text"]


def test_a_wordpress_page_with_a_comment_thread_is_a_post():
    # statisticsglobe publishes its tutorials as WordPress pages, with dates and comments.
    html = _page("threads/html/trafilatura-tests__tests__eval__statisticsglobe.com.ggplot2.html.gz")
    result = extract_page(html, "https://statisticsglobe.com/change-font-size-of-ggplot2-plot-in-r-axis-text-main-title-legend/")
    assert result["comments"] and result["article"]["page_kind"] == "post"


# -- real pages ----------------------------------------------------------------------------------
@pytest.mark.parametrize("stem, words", [
    ("4440", "Air Street"),                 # nathanbenaich.substack.com/about: a Substack About page
    ("4039", "coffee"),                     # a WordPress page (page-id-162), no date, no comments
    ("0138", "tutor"),                      # a WordPress page (page-template-default), no date
])
def test_real_static_pages_are_pages_with_their_text(stem, words):
    html, url = _wcxb(stem)
    article = extract_page(html, url)["article"]
    assert article["page_kind"] == "page"
    assert words.lower() in article["body_text"].lower() and len(article["body_text"]) > 500


def test_an_about_page_by_its_address():
    url = "https://www.fairkom.eu/about"
    article = extract_page(_page("trafilatura-eval/html/fairkom.eu.about.html.gz"), url)["article"]
    assert article["page_kind"] == "page" and article["published"] is None


def test_the_same_page_at_a_post_address_is_a_post():
    # The URL is one of the signals: a date path is a post's, whatever the page looks like.
    html = _page("trafilatura-eval/html/fairkom.eu.about.html.gz")
    article = extract_page(html, "https://www.fairkom.eu/2021/03/about")["article"]
    assert article["page_kind"] == "post"


def test_wcxb_pages_are_the_reviewed_ones():
    """Of the 793 WCXB article pages, the pages are those reviewed as static pages: WordPress
    pages (``page-id-N``) with no post evidence, and one About page; every other is a post,
    and no page that was a record stops being one."""
    folder = CORPUS / "wcxb-articles" / "ground-truth"
    if not folder.exists():
        pytest.skip(f"shared corpus not found: {folder}")
    kinds = {}
    for truth in sorted(folder.glob("*.json")):
        html, url = _wcxb(truth.stem)
        kinds[truth.stem] = (extract_page(html, url)["article"] or {}).get("page_kind")
    assert [k for k, v in kinds.items() if v is None] == ["4681"]  # a list page, no record before either
    assert sorted(k for k, v in kinds.items() if v == "page") == REVIEWED_WCXB_PAGES


REVIEWED_WCXB_PAGES = sorted("""
0022 0045 0097 0110 0115 0138 0226 0275 0303 0339 0353 0362 0371 0372 4039 4146 4161 4233 4251
4265 4268 4271 4440 4450 4549 4572 4601 4706 4815 4858 4863 4864 4893""".split())


# -- pages of links ----------------------------------------------------------------------------------
def _links_page(items: str, body_class: str = "", url: str = "https://blog.example.org/friends/") -> dict:
    html = f"""<html><body class="{body_class}"><header><nav><ul><li><a href="/">Home</a></li>
    <li><a href="/friends/">Friends</a></li></ul></nav></header>
    <main><article><h1>Friends of this blog</h1><div class="entry-content">
    <p>Blogs I read every week.</p><ul>{items}</ul></div></article></main></body></html>"""
    return extract_page(html, url)


_EXTERNAL = "".join(f'<li><a href="https://site{i}.example.net/">Site {i}</a> – notes on radios</li>' for i in range(6))
_INTERNAL = "".join(f'<li><a href="/2024/0{i + 1}/post-{i}/">Post number {i} of this blog</a></li>' for i in range(6))


def test_a_page_of_links_to_other_sites_is_a_page_with_its_links():
    article = _links_page(_EXTERNAL)["article"]
    assert article["page_kind"] == "page"
    paras = article["body_text"].split("\n\n")
    assert paras[0] == "Blogs I read every week."
    assert paras[1:] == [f"Site {i} – notes on radios https://site{i}.example.net/" for i in range(6)]


def test_a_list_of_the_sites_own_posts_is_an_archive_not_a_page():
    assert _links_page(_INTERNAL)["article"] is None


def test_a_listing_with_links_stays_a_listing():
    assert _links_page(_EXTERNAL, body_class="archive category")["article"] is None


# -- a site's front page ------------------------------------------------------------------------
def test_a_front_page_of_prose_is_a_page():
    # A choir's history page carries the front page's class "home" (its CMS marks the start
    # page of a one-page layout); it is one block of prose and no teaser: a page, kept.
    base = CORPUS / "trafilatura-eval"
    if not (base / "evaldata.json").exists():
        pytest.skip(f"trafilatura evaluation pages not found at {base}")
    url = "https://www.chorknaben-ulm.de/geschichte.html"
    item = json.loads((base / "evaldata.json").read_text())[url]
    article = extract_page(_page(f"trafilatura-eval/html/{item['file']}.gz"), url)["article"]
    assert article is not None and article["page_kind"] == "page"
    assert all(snippet in article["body_text"] for snippet in item["with"])


def test_a_front_page_of_teasers_is_still_a_listing():
    teasers = "".join(f'<div><h2><a href="/post-{i}">The title of post number {i} here</a></h2>'
                      f"<p>{'A teaser sentence of that post, cut short. ' * 6}</p></div>" for i in range(3))
    html = f'<html><body class="home"><main>{teasers}</main></body></html>'
    assert extract_page(html, "https://example.org/")["article"] is None
