"""Article metadata on pages never seen: author names (never a commenter, a label, a date or a
URL), publication dates (structured, from the URL, or printed), and author bios that never stay
in the body. Real pages come from ../shared/corpus/; those tests skip where it is absent."""
from __future__ import annotations

import gzip
import json

import pytest

from scraper import dates
from scraper.extractors import extract_page
from scraper.extractors.metadata import _author_name, url_date
from scraper.text import collapse

from conftest import SHARED

CORPUS = SHARED / "corpus"
URL = "https://blog.example.org/2024/05/07/a-post/"


def page(head: str = "", body: str = "", url: str = URL, after: str = "") -> dict:
    html = (f'<html><head><meta property="og:type" content="article">{head}</head><body>'
            f"<article><h1>A post</h1>{body}<p>{'Some words of the article. ' * 40}</p>{after}</article>"
            "</body></html>")
    return extract_page(html, url)["article"]


def jsonld(obj: dict) -> str:
    return f'<script type="application/ld+json">{json.dumps(obj)}</script>'


# -- authors ----------------------------------------------------------------------------------
@pytest.mark.parametrize("byline, name", [
    ("By Jane Doe", "Jane Doe"),
    ("Posted by Jane Doe on March 2, 2024", "Jane Doe"),
    ("Written by: Jane Doe | 5 min read", "Jane Doe"),
    ("Jane Doe Last Updated: Dec 17, 2025", "Jane Doe"),
    ("BySummer Swann-June 12, 2025", "Summer Swann"),
    ("Jane Doe, Staff Writer", "Jane Doe"),
    ("Keith Barry Senior Autos Reporter", "Keith Barry"),
    ("Maria &amp; Katerina", "Maria & Katerina"),
    ("https://www.facebook.com/janedoe", None),
    ("@janedoe", None),
    ("View all posts by Jane Doe", None),
    ("By", None),
])
def test_byline_text_is_reduced_to_the_name(byline, name):
    assert _author_name(byline) == name


def test_jsonld_authors_are_joined_and_followed_by_id():
    graph = {"@context": "https://schema.org", "@graph": [
        {"@type": "BlogPosting", "headline": "A post",
         "author": [{"@id": "#jane"}, {"@type": "Person", "name": "John Roe"}]},
        {"@type": "Person", "@id": "#jane", "name": "Jane Doe"},
    ]}
    assert page(jsonld(graph))["author_name"] == "Jane Doe, John Roe"


def test_a_visible_byline_beats_structured_data():
    ld = jsonld({"@type": "BlogPosting", "author": {"@type": "Person", "name": "admin-account"}})
    article = page(ld, '<div class="byline">By <a rel="author" href="/author/jane/">Jane Doe</a></div>')
    assert (article["author_name"], article["author_url"]) == ("Jane Doe", "https://blog.example.org/author/jane/")


def test_an_organization_is_the_author_only_when_no_person_is_named():
    ld = jsonld({"@type": "BlogPosting", "author": {"@type": "Organization", "name": "Example Inc"}})
    assert page(ld)["author_name"] == "Example Inc"
    assert page(ld, '<p class="post-author-name">Jane Doe</p>')["author_name"] == "Jane Doe"


def test_meta_author_that_is_a_url_is_not_a_name():
    head = ('<meta property="article:author" content="https://www.facebook.com/jane">'
            '<meta name="author" content="Jane Doe">')
    assert page(head)["author_name"] == "Jane Doe"


def test_a_commenter_is_never_the_author():
    comments = ('<div id="comments"><div class="comment"><span class="comment-author">'
                '<a rel="author" href="/u/x">Troll McTroll</a></span><p>First!</p></div></div>')
    assert page(body=comments)["author_name"] is None


def test_a_label_followed_by_the_name_in_the_next_element():
    assert page(body="<div><p>Written by</p><p>Edzel Tabing</p></div>")["author_name"] == "Edzel Tabing"


@pytest.mark.parametrize("byline", ['<span>By <a href="/author/jane">Jane Doe</a></span>',
                                    '<p class="meta">By\n  <a href="/author/jane">Jane Doe</a></p>'])
def test_by_then_the_name_in_a_link(byline):
    article = page(body=byline + "<p>" + "What the post says at some length. " * 20 + "</p>")
    assert article["author_name"] == "Jane Doe"
    assert article["author_url"] == "https://blog.example.org/author/jane"


@pytest.mark.parametrize("credit", ['<p>By</p><p>Jane Doe</p>',
                                    '<p><a href="/apps">RuffRuff Apps</a> <span>by</span> <a href="/t">Tsun</a></p>',
                                    '<footer><p>Theme <span>by</span> <a href="https://example.com">Kadence WP</a></p></footer>'])
def test_a_bare_by_before_another_element_is_no_byline(credit):
    assert page(body=credit)["author_name"] is None


def _dated(before_title: str, outside: str = "") -> str | None:
    html = (f'<html><head><meta property="og:type" content="article"></head><body>{outside}<div class="wrap">'
            f'<article><header>{before_title}<h1>A post</h1></header><p>{"Some words of the article. " * 40}</p>'
            "</article></div></body></html>")
    return extract_page(html, "https://blog.example.org/a-post/")["article"]["published_raw"]


def test_a_date_line_above_the_headline_is_the_published_date():
    assert _dated('<div class="meta">Travel · March 3, 2024</div>') == "March 3, 2024"


@pytest.mark.parametrize("before_title, outside", [
    ("", '<div class="masthead">Tuesday, March 3, 2026</div>'),          # the site's "today"
    ('<aside class="widget">Recent posts 12/01/2019</aside>', ""),
    ("", '<script>window.BUILD = "2023.11.02";</script>'),
])
def test_dates_of_the_site_around_the_headline_are_not_the_published_date(before_title, outside):
    assert _dated(before_title, outside) is None


def test_modified_date_meta():
    article = page(head='<meta name="published-date" content="2021-02-16"><meta name="modified-date" content="2024-07-30">')
    assert (article["published_raw"], article["modified_raw"]) == ("2021-02-16", "2024-07-30")


# -- dates --------------------------------------------------------------------------------------
@pytest.mark.parametrize("url, day", [
    ("https://blog.rust-lang.org/2025/12/19/what-do-people-love", "2025-12-19"),
    ("https://lmsys.org/blog/2025-12-17-minisgl/", "2025-12-17"),
    ("https://blog.guillaume-gomez.fr/articles/2025-12-15+Rust+GCC", "2025-12-15"),
    ("https://example.org/2024/13/40/not-a-date/", None),
    ("https://www.wsetglobal.com/knowledge-centre/blog/2023/october/03/how-many-wine-types/", "2023-10-03"),
    ("https://example.org/2024/Sept/5/a-post", "2024-09-05"),
    ("https://example.org/2024/maybe/03/not-a-month/", None),
    ("https://example.org/2024/dec-25-gift-guide/", None),  # a slug's words, not a date
    ("https://example.org/2023/jan-6-committee-report/", None),
    ("https://example.org/posts/12345/", None),
])
def test_url_dates(url, day):
    assert url_date(url) == day


def test_the_printed_day_is_the_local_one_and_the_timestamp_utc():
    raw = "2020-04-12T18:00:00-07:00"
    assert dates.printed_date(raw) == "2020-04-12"
    assert dates.iso_utc(raw) == "2020-04-13T01:00:00+00:00"


def test_published_from_the_url_when_the_page_states_none():
    article = page(url="https://blog.example.org/2024/05/07/a-post/")
    assert (article["published_raw"], article["published"]) == ("2024-05-07", "2024-05-07T00:00:00+00:00")


def test_published_from_a_date_printed_under_the_title():
    article = page(body="<div><span>Jane Doe</span><span>March 2, 2026</span></div>",
                   url="https://example.org/posts/a-post")
    assert article["published_raw"] == "March 2, 2026"
    assert article["published"] == "2026-03-02T00:00:00+00:00"


def test_published_in_the_pages_language():
    html = page(body='<time>19 décembre 2025</time>', url="https://example.org/p/x")
    assert html["published"] is None or html["published"].startswith("2025-12-19")
    article = extract_page(
        '<html lang="fr"><head><meta property="og:type" content="article"></head><body><article>'
        f"<h1>Titre</h1><time>19 décembre 2025</time><p>{'Des mots. ' * 80}</p></article></body></html>",
        "https://example.org/p/x")["article"]
    assert article["published"] == "2025-12-19T00:00:00+00:00"


# -- bios ---------------------------------------------------------------------------------------
def test_a_bio_heading_section_is_the_bio_and_leaves_the_body():
    bio = "Jane Doe is a writer who covers radio restoration and the history of broadcasting."
    article = page(body='<p class="byline">By Jane Doe</p>', after=f"<h3>About the author</h3><p>{bio}</p>")
    assert article["author_bio"] == bio
    assert bio not in article["body_text"]


def test_a_name_or_job_title_alone_is_no_bio():
    article = page(body='<div class="author-box"><p>Jane Doe</p><p>Senior Content Writer</p></div>')
    assert article["author_bio"] is None


def test_jsonld_description_of_the_author_only():
    graph = {"@graph": [
        {"@type": "BlogPosting", "author": {"@id": "#jane"}},
        {"@type": "Person", "@id": "#jane", "name": "Jane Doe",
         "description": "Jane Doe writes about valve radios and the people who repair them."},
        {"@type": "Person", "name": "Someone Else", "description": "Someone else entirely, with a long story."},
    ]}
    assert page(jsonld(graph))["author_bio"].startswith("Jane Doe writes about valve radios")


# -- real pages ---------------------------------------------------------------------------------
def wcxb(key: str) -> tuple[dict, dict]:
    folder = CORPUS / "wcxb-articles"
    if not folder.exists():
        pytest.skip(f"shared corpus not found at {folder}")
    truth = json.loads((folder / "ground-truth" / f"{key}.json").read_text())
    html = gzip.open(folder / "html" / f"{key}.html.gz").read()
    return extract_page(html, truth["url"])["article"], truth["ground_truth"]


@pytest.mark.parametrize("key", [
    "0009",  # JSON-LD name HTML-escaped twice
    "0057",  # byline running on into the date and reading time
    "0058",  # "Written by" label, the name in the next element
    "0191",  # JSON-LD author by @id into the @graph; meta author is a user name
    "0221",  # byline with a job title and date
    "0380",  # scholarly citation_author "Last, First"
])
def test_real_page_authors(key):
    article, truth = wcxb(key)
    assert collapse(article["author_name"]).casefold() == collapse(truth["author"]).casefold()


def test_real_page_multiple_authors_are_joined_with_commas():
    article, _ = wcxb("0010")
    assert article["author_name"] == "Danielle DeSiato, Donna Enzmann, Natalie Nguyen"


@pytest.mark.parametrize("key", [
    "0011", "0058", "0184", "0221", "0380",
    "0490",  # the only date is printed above the headline, beside a calendar icon
    "4456",  # Blogger's date header, inside the "Blog" widget that holds the posts
    "4512",  # <meta name="published-date">
    "2381",  # a date-classed line run together with its tags: "Posted on April 13, 2023Tags: …"
    "0233", "0433",  # the date printed in the byline's author box, far from the headline
    "4690",  # /2023/october/03/ in the URL; the page prints 03/10/2023
])
def test_real_page_published_day(key):
    article, truth = wcxb(key)
    assert dates.printed_date(article["published_raw"], article["language"]) == truth["publish_date"][:10]


@pytest.mark.parametrize("key, start", [
    ("0037", "Trevor Jackins is a Senior Digital Marketing Manager at Splashtop."),
    ("0057", "Ryan Carrigan is a co-founder of moveBuddha."),
    ("0184", "Summer is Yeti's Marketing Manager."),
    ("0221", "Elaine Chen covers biotech"),
])
def test_real_page_bios_leave_the_body(key, start):
    article, _ = wcxb(key)
    assert article["author_bio"].startswith(start)
    assert start not in article["body_text"]


def test_real_page_simple_author_box():
    path = CORPUS / "threads" / "html" / "trafilatura-tests__tests__eval__0a962f6bcd5649f7a7e6effa338df80d.html.gz"
    if not path.exists():
        pytest.skip(f"shared corpus page not found: {path}")
    article = extract_page(gzip.open(path).read(), "https://example.org/a-post/")["article"]
    assert article["author_bio"].startswith("Patrick Ludolph, Fotograf aus Hamburg")
    assert "Patrick Ludolph, Fotograf aus Hamburg" not in article["body_text"]


@pytest.mark.parametrize("printed", [
    "March 2, 2026", "2 Mar 2026, 22:15", "April 10, 2018 10:14 PM", "Tuesday, March 29, 2016 at 9:15 am",
    "12 October 2016 at 12:05 am", "Sept. 3, 2019", "December 31st, 2020 @ 11:59 pm", "1st of May 2021",
    "June 5, 2024 12:00 pm", "Feb 29, 2024",
])
def test_english_dates_read_without_dateparser_as_dateparser_reads_them(printed):
    from scraper import dates
    assert dates._english(printed) is not None
    assert dates._english(printed) == dates._human(printed, ("en",))


@pytest.mark.parametrize("printed", ["Junk 3, 2020", "Feb 30, 2023", "March 2, 2026 13:15 pm", "2. März 2024"])
def test_what_is_not_a_plain_english_date_is_left_to_dateparser(printed):
    from scraper import dates
    assert dates._english(printed) is None


@pytest.mark.parametrize("printed", [
    # as the shared pages print them
    "12.18.2025", "Thu, 09/25/2025 - 11:38", "Thu, 09/25/2025 - 00:00", "2013-08-22 21:43:53 UTC",
    "13/11/2025 09:21:40", "01/23/2026", "23.07.2025", "2025/12/18", "02-12-2025", "2025.12.17", "2019/1/22",
    "10/31/2024", "6/2/2025", "09/11/25", "3/4/2025", "17.05.2021", "03-09-2026", "03/10/2023",
    # and around them: a day that cannot be a month, a year of two digits on either side of 1969,
    # a leap day, a weekday that is not the date's, seconds, the zone
    "31/12/2025", "12/13/99", "3.14.68", "3.14.69", "02/29/2024", "29.02.2024", "Mon, 09/25/2025, 23:59:59",
    "Thursday 2025-1-5 at 7:05", "2025/02/28 @ 00:00 GMT", "1/1/1999 12:30",
])
def test_numeric_dates_read_without_dateparser_as_dateparser_reads_them(printed):
    from scraper import dates
    assert dates._numeric(printed) is not None
    assert dates._numeric(printed) == dates._human(printed, ("en",))
    assert (dates._numeric(printed).tzinfo is None) == (dates._human(printed, ("en",)).tzinfo is None)


@pytest.mark.parametrize("printed", [
    "00/01/2025", "02/29/2025", "13/13/2025", "09/25/2025 24:00", "09/25/2025 11:60", "09/25/2025 11:38 pm",
    "2025/13/01", "1/2/3", "monkey 09/25/2025", "09/25-2025", "1850/01/02",
])
def test_what_is_not_a_plain_numeric_date_is_left_to_dateparser(printed):
    from scraper import dates
    assert dates._numeric(printed) is None


def test_lookups_in_document_order_whatever_python_frees():
    """Elements with an empty class are indexed but held by no lookup: their proxies must not
    be freed while the page is read, or a new proxy could take an indexed one's place."""
    from scraper.extractors.metadata import visible_date
    from scraper.extractors.page import Page, parse_html

    found = set()
    for n in range(100):
        html = ("<html><body>" + '<b class="">.</b>' * (n % 7 + 1)
                + '<div class="posted-on">Posted on March 3, 2024</div>'
                "<header><time>January 5, 2020</time></header></body></html>")
        page = Page(parse_html(html), "https://example.org/a")
        page.with_class("posted-on")
        junk = [object() for _ in range(n % 5)]  # noqa: F841 - moves what Python allocates next
        found.add(visible_date(page))
    assert found == {"March 3, 2024"}


@pytest.mark.parametrize("heading, count", [
    ("27 comments", 27), ("27", 27), ("52Comments", 52), ("2 Gedanken zu „Folge 70“", 2),
    ("One thought on “A post”", 1), ("No comments", 0), ("1,234 responses to “x”", 1234),
    ("Leave a Reply", None),
])
def test_the_comment_count_a_thread_heading_states(heading, count):
    from scraper.extractors.metadata import declared_comment_count
    from scraper.extractors.page import Page, parse_html

    html = (f'<html><body><article><p>Text.</p></article><div class="teaser"><span class="comment-count">'
            f'16</span></div><div id="comments"><h2 class="comments-title">{heading}</h2></div></body></html>')
    assert declared_comment_count(Page(parse_html(html), URL)) == count


def test_a_blogger_post_title_is_its_entry_title_not_a_heading_of_its_body():
    article, _ = wcxb("0441")
    assert article["title"] == "Small adventures with small language models"


_FAR_FROM_THE_HEADLINE = "".join(f"<p>Point {i}</p>" for i in range(70))


@pytest.mark.parametrize("row, published", [
    ('<div class="meta"><a rel="author" href="/about/">Jane Doe</a><span>·</span><span>May 7, 2024</span></div>',
     "May 7, 2024"),
    # A sentence that mentions a date is no date line.
    ('<div class="meta"><a rel="author" href="/about/">Jane Doe</a></div><p>The law took effect on March 3, 2021.</p>',
     None),
])
def test_the_date_line_beside_the_byline(row, published):
    undated = "https://blog.example.org/a-post/"
    assert page(body=_FAR_FROM_THE_HEADLINE + row, url=undated)["published_raw"] == published


def test_a_date_beside_the_name_in_the_site_masthead_is_not_the_published_date():
    html = ('<html><head><meta property="og:type" content="article"></head><body><header><p class="site-title">'
            '<a rel="author" href="/">Jane Doe</a></p><span>Monday, March 3, 2025</span></header><main><article>'
            f"{_FAR_FROM_THE_HEADLINE}<p>{'Some words of the article. ' * 40}</p></article></main></body></html>")
    assert extract_page(html, "https://blog.example.org/a-post/")["article"]["published_raw"] is None


def test_only_a_date_named_element_gives_the_first_line_of_a_long_text():
    note = ('<div class="post-update"><strong>Update, June 2, 2024:</strong> we corrected the figures in the '
            "second table after readers wrote in, and thank them for it.</div>")
    assert page(body=_FAR_FROM_THE_HEADLINE + note, url="https://blog.example.org/a-post/")["published_raw"] is None


@pytest.mark.parametrize("stated, count", [
    ("9" * 5000, None),  # past int()'s 4,300 digits
    ("99999999999999999999999", None),  # more than the int32 column holds
    ("2147483647", 2147483647), ("12", 12), (12.0, 12), (12.5, None), (float("inf"), None), (True, None),
])
def test_a_stated_comment_count_no_thread_can_hold_is_no_count(stated, count):
    import json

    from scraper.extractors.metadata import declared_comment_count
    from scraper.extractors.page import Page, parse_html

    jsonld = json.dumps({"@type": "BlogPosting", "commentCount": stated})
    html = f'<html><head><script type="application/ld+json">{jsonld}</script></head><body><p>Text.</p></body></html>'
    assert declared_comment_count(Page(parse_html(html), URL)) == count
    heading = f'<html><body><h2 class="comments-title">{stated} comments</h2></body></html>'
    if isinstance(stated, str):
        assert declared_comment_count(Page(parse_html(heading), URL)) == count
