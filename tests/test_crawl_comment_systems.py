"""A crawl of a blog served on 127.0.0.1 whose posts keep their comments elsewhere: one post is a
real Blogger page with its real comment feed, the other embeds a real Isso server started by the
test. Every comment must be stored with its true parent, the articles name their comment system,
and re-extraction from the WARC files (no network) gives the same thread."""
from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from conftest import ROOT, SHARED
from crawl_helpers import read_table, run_crawl, run_reextract
from isso_server import isso  # noqa: F401 - the fixture
from scraper.commentsystems import Embed, system_named
from scraper.extractors import extract_page
from scraper.replay import ReplaySite

BLOGGER = SHARED / "corpus" / "comment-systems" / "blogger"
POST_ID = "4019061590701079681"
BLOGGER_PATH = "/2011/06/hradisko-velky-vrch-divinka.html"
ISSO_PATH = "/2024/01/isso-post/"
# Only the blog's index, its two posts and Blogger's feeds: the real page links hundreds of
# other posts of the blog, which this site does not hold.
ROBOTS = f"User-agent: *\nAllow: /$\nAllow: {BLOGGER_PATH}\nAllow: {ISSO_PATH}\nAllow: /feeds/\nDisallow: /\n"
PROSE = " ".join(["The receiver came out of a barn with its dial glass cracked and its cabinet sound."] * 12)


def isso_page(server: str) -> str:
    return f"""<!doctype html><html lang="en"><head><title>Restoring a barn find</title></head><body>
<article><h1>Restoring a barn find</h1><p>{PROSE}</p><p>{PROSE}</p></article>
<script data-isso="{server}/" src="{server}/js/embed.min.js"></script>
<section id="isso-thread" data-isso-id="{ISSO_PATH}"></section></body></html>"""


def blog_site(folder: Path, isso_url: str) -> Path:
    folder.mkdir()
    shutil.copy(BLOGGER / "hradiska_divinka_page.html", folder / "post.html")
    shutil.copy(BLOGGER / "hradiska_divinka_feed_atom.xml", folder / "feed.xml")
    (folder / "isso.html").write_text(isso_page(isso_url))
    (folder / "index.html").write_text(f'<html><body><a href="{BLOGGER_PATH}">Divinka</a>'
                                       f'<a href="{ISSO_PATH}">Barn find</a></body></html>')
    (folder / "robots.txt").write_text(ROBOTS)
    html = "text/html; charset=utf-8"
    entries = [("/", "index.html", html), (BLOGGER_PATH, "post.html", html), (ISSO_PATH, "isso.html", html),
               (f"/feeds/{POST_ID}/comments/default?max-results=100", "feed.xml", "application/atom+xml"),
               ("/robots.txt", "robots.txt", "text/plain")]
    manifest = {"base": "http://www.hradiska.sk",
                "entries": [{"url": "http://www.hradiska.sk" + u, "file": f, "content_type": c} for u, f, c in entries]}
    (folder / "manifest.json").write_text(json.dumps(manifest))
    return folder


@pytest.fixture(scope="module")
def crawled(isso, tmp_path_factory):  # noqa: F811 - the fixture imported above
    if not BLOGGER.exists():
        pytest.skip(f"comment-system captures not found at {BLOGGER}")
    posted = {}
    first = isso.post(ISSO_PATH, "Which capacitors did you replace first?", author="Ana", title="Barn find")
    reply = isso.post(ISSO_PATH, "The wax ones, all of them.", author="Ben", parent=first["id"], title="Barn find")
    deeper = isso.post(ISSO_PATH, "Same here, and the filter cans.", author="Cleo", parent=reply["id"], title="Barn find")
    other = isso.post(ISSO_PATH, "Lovely cabinet.", author="Dan", title="Barn find")
    posted.update({c["id"]: c for c in (first, reply, deeper, other)})
    tmp = tmp_path_factory.mktemp("blog")
    site_dir = blog_site(tmp / "site", isso.url)
    with ReplaySite(site_dir) as site:
        proc = run_crawl(site.url + "/", tmp / "out", "mixed")
    assert proc.returncode == 0, proc.stderr[-3000:]
    return {"out": tmp / "out", "posted": posted, "stderr": proc.stderr}


def _by_system(out: Path) -> dict[str, dict]:
    return {a["comment_system"]: a for a in read_table(out, "mixed", "articles")}


def test_every_comment_of_a_blogger_feed_is_stored_with_its_true_parent(crawled):
    article = _by_system(crawled["out"])["blogger"]
    feed = system_named("blogger").parse(Embed("blogger", {}), None, (BLOGGER / "hradiska_divinka_feed_atom.xml").read_bytes(), {})
    truth = {c["comment_id"]: c["parent_id"] for c in feed.comments}
    rows = [c for c in read_table(crawled["out"], "mixed", "comments") if c["article_id"] == article["article_id"]]
    assert {c["comment_id"]: c["parent_id"] for c in rows} == truth
    assert len(rows) == 23 and sum(p is not None for p in truth.values()) == 10
    assert all(c["parent_source"] == "api" and c["published"] is not None for c in rows)  # the feed's exact times
    assert article["comments_complete"] is True and article["comment_count"] == 23


def test_an_isso_thread_is_fetched_from_its_server(crawled):
    article = _by_system(crawled["out"])["isso"]
    rows = {int(c["comment_id"]): c for c in read_table(crawled["out"], "mixed", "comments")
            if c["article_id"] == article["article_id"]}
    posted = crawled["posted"]
    assert set(rows) == set(posted)
    for cid, answer in posted.items():
        # Isso keeps one level of nesting: a reply to a reply is stored under the top comment.
        assert rows[cid]["parent_id"] == (str(answer["parent"]) if answer["parent"] else None)
        assert rows[cid]["author_name"] == answer["author"]
    assert sorted(c["depth"] for c in rows.values()) == [1, 1, 2, 2]
    assert article["comments_complete"] is True and article["comment_count"] == 4


def test_the_crawl_json_counts_articles_by_comment_system(crawled):
    manifest = json.loads((crawled["out"] / "mixed" / "crawl.json").read_text())
    assert manifest["counts"]["articles_by_comment_system"] == {"blogger": 1, "isso": 1}
    assert manifest["counts"]["incomplete_threads"] == 0


def test_reextract_answers_the_comment_endpoints_from_the_warc(crawled, tmp_path):
    proc = run_reextract([crawled["out"] / "mixed" / "warc"], tmp_path / "again")
    assert proc.returncode == 0, proc.stderr[-3000:]
    key = lambda c: (c["article_id"], c["comment_id"], c["parent_id"], c["depth"], c["text"])  # noqa: E731
    before = sorted(map(key, read_table(crawled["out"], "mixed", "comments")))
    assert sorted(map(key, read_table(tmp_path / "again", "mixed", "comments"))) == before
    assert len(before) == 27


def test_a_thread_that_cannot_be_fetched_is_marked_incomplete_with_its_reason(tmp_path):
    """A real page with Facebook's comment plugin: the comments live in Facebook's iframe, which
    needs a browser or a token. The article says so, and crawl.json says why."""
    page = SHARED / "corpus" / "comment-systems" / "facebook" / "page_skateboardmsm.de_fb-comments.html"
    if not page.exists():
        pytest.skip(f"comment-system captures not found at {page.parent}")
    site = tmp_path / "site"
    site.mkdir()
    shutil.copy(page, site / "post.html")
    (site / "robots.txt").write_text("User-agent: *\nAllow: /post/$\nDisallow: /\n")
    (site / "manifest.json").write_text(json.dumps({"base": "http://fb.test", "entries": [
        {"url": "http://fb.test/post/", "file": "post.html", "content_type": "text/html"},
        {"url": "http://fb.test/robots.txt", "file": "robots.txt", "content_type": "text/plain"}]}))
    with ReplaySite(site) as served:
        proc = run_crawl(served.url + "/post/", tmp_path / "out", "fb")
    assert proc.returncode == 3, proc.stderr[-3000:]
    [article] = read_table(tmp_path / "out", "fb", "articles")
    assert article["comment_system"] == "facebook" and article["comments_complete"] is False
    manifest = json.loads((tmp_path / "out" / "fb" / "crawl.json").read_text())
    assert manifest["counts"]["incomplete_threads"] == 1
    assert any("Incomplete thread" in e["message"] and "Facebook comments need a browser or an access token"
               in e["message"] for e in manifest["errors"])


def test_a_page_without_a_comment_system_names_none_and_is_complete(crawled):
    """The negative: the blog's index is no article, and nothing else is guessed."""
    assert set(_by_system(crawled["out"])) == {"blogger", "isso"}


def test_an_endpoint_answering_html_keeps_the_pages_comments_and_says_so(tmp_path):
    """Bad input from a comment system (an HTML page where its JSON should be): the comments
    the page prints are stored, the error is logged with its URL and listed in crawl.json, the
    thread is marked incomplete, and the crawl goes on."""
    sample = ROOT / "scraper" / "sample_blog" / "2024" / "04" / "reader-questions-dial-cords-hum" / "index.html"
    html = sample.read_bytes().replace(
        b"</body>", b'<script data-isso="/isso/" src="/isso/js/embed.min.js"></script>'
                    b'<section id="isso-thread"></section></body>')
    site = tmp_path / "site"
    site.mkdir()
    (site / "post.html").write_bytes(html)
    (site / "isso.html").write_text("<!doctype html><html><body><h1>Maintenance</h1></body></html>")
    (site / "robots.txt").write_text("User-agent: *\nAllow: /post/$\nAllow: /isso/\nDisallow: /\n")
    (site / "manifest.json").write_text(json.dumps({"base": "http://bad.test", "entries": [
        {"url": "http://bad.test/post/", "file": "post.html", "content_type": "text/html"},
        {"url": "http://bad.test/isso/?uri=/post/", "file": "isso.html", "content_type": "text/html"},
        {"url": "http://bad.test/robots.txt", "file": "robots.txt", "content_type": "text/plain"}]}))
    with ReplaySite(site) as served:
        proc = run_crawl(served.url + "/post/", tmp_path / "out", "bad", None, "-s", "WORDPRESS_REST_API=False")
        asked = list(served.requests)
        page_url = served.url + "/post/"
    assert proc.returncode == 3, proc.stderr[-3000:]
    assert any("/isso/?uri=" in url for url in asked)
    [article] = read_table(tmp_path / "out", "bad", "articles")
    comments = read_table(tmp_path / "out", "bad", "comments")
    assert article["comment_system"] == "isso" and article["comments_complete"] is False
    assert len(comments) == len(extract_page(html, page_url)["comments"]) > 0
    errors = json.loads((tmp_path / "out" / "bad" / "crawl.json").read_text())["errors"]
    assert any(e["message"].startswith("Invalid answer at ") and "from the isso comment system" in e["message"] and "HTML instead of JSON" in e["message"]
               and "/isso/?uri=" in e["url"] for e in errors)


@pytest.mark.parametrize("endpoint, refused", [
    ("file:///etc/hostname#/?uri=/post/", "not an http(s) URL"),
    ("http://169.254.169.254/latest/?uri=/post/", "a private or local address"),
    ("http://127.0.0.1:8080/?uri=/post/", "a private or local address"),
    ("http://[::1]/?uri=/post/", "a private or local address"),
    ("https://comments.example.org/?uri=/post/", None),
])
def test_a_public_blog_never_makes_the_crawler_read_files_or_local_addresses(endpoint, refused):
    """The endpoint comes from the page (``data-isso``): a page must not turn the crawler on the
    machine's files or its own network. A blog that is itself on a local address (the tests',
    an intranet's) may name local endpoints."""
    from scraper.spiders.blog import BlogSpider
    reason = BlogSpider(url="https://blog.example.org/")._refused_endpoint(endpoint)
    assert reason is None if refused is None else refused in reason
    assert BlogSpider(url="http://127.0.0.1:8000/")._refused_endpoint("http://127.0.0.1:9000/?uri=/") is None
    assert "not an http(s) URL" in BlogSpider(url="http://127.0.0.1:8000/")._refused_endpoint("file:///etc/passwd")
