"""Site extractors: which one serves a URL, extra packages, the generic fallback when one breaks,
field overrides, and the fixture tooling (``scrapy savefixture``, the diff)."""
from __future__ import annotations

import json
import logging
import os
import subprocess
import sys

import pytest

from scraper.extractors import GenericExtractor, SiteExtractor, extract_page, registry
from scraper.extractors.sites.aclu import AcluExtractor
from scraper.extractors.sites.slashdot import SlashdotExtractor
from scraper.extractors.sites.statisticsglobe import StatisticsGlobeExtractor
from scraper.fixtures import Fixture, diff, read_page, stable
from scraper.replay import ReplaySite, SAMPLE_BLOG

from conftest import ROOT, SHARED
from crawl_helpers import crawl_env, read_table, run_crawl

SAMPLE_POST = SAMPLE_BLOG / "2024" / "04" / "reader-questions-dial-cords-hum" / "index.html"
SAMPLE_URL = "http://sample-blog.test/2024/04/reader-questions-dial-cords-hum/"
THREADS = SHARED / "corpus" / "threads" / "html"


@pytest.fixture
def isolated_registry(monkeypatch):
    """Registrations made by a test end with it."""
    registry.registered()  # the built-in sites first, so they are part of the saved state
    monkeypatch.setattr(registry, "_entries", list(registry._entries))
    monkeypatch.setattr(registry, "_packages", list(registry._packages))
    return registry


# -- which extractor serves a URL -----------------------------------------------------------
@pytest.mark.parametrize("url, expected", [
    ("https://linux.slashdot.org/story/24/01/12/169219/a-2024-discussion", SlashdotExtractor),
    ("https://developers.slashdot.org/story/25/12/19/236259/stanford", SlashdotExtractor),
    ("https://slashdot.org/story/25/01/01/1/x", SlashdotExtractor),
    ("https://www.aclu.org/blog/privacy-technology/internet-privacy/facebook", AcluExtractor),
    ("https://statisticsglobe.com/change-font-size-of-ggplot2-plot-in-r/", StatisticsGlobeExtractor),
    ("https://STATISTICSGLOBE.COM./x/", StatisticsGlobeExtractor),
    ("https://notslashdot.org/story/1", GenericExtractor),        # a suffix, not a subdomain
    ("https://slashdot.org.example.com/story/1", GenericExtractor),
    ("https://blog.example.org/2024/05/a-post/", GenericExtractor),
    ("file:///tmp/page.html", GenericExtractor),
])
def test_registry_picks_the_site_extractor_or_the_generic_one(url, expected):
    assert registry.extractor_for(url) is expected


def _site(name: str, **attrs) -> type[SiteExtractor]:
    return type(name, (SiteExtractor,), {"name": name, "__module__": __name__, **attrs})


def test_rule_exact_host_then_longer_suffix_then_patterns_then_registration_order(isolated_registry):
    org = isolated_registry.register(_site("org", domains=("example.org",)))
    blog = isolated_registry.register(_site("blog", domains=("blog.example.org",)))
    deep = isolated_registry.register(_site("deep", domains=("example.org",), patterns=(r"/deep/",)))
    anywhere = isolated_registry.register(_site("anywhere", patterns=(r"/forum/thread-\d+",)))
    pick = isolated_registry.extractor_for
    assert pick("https://blog.example.org/x") is blog                  # exact host
    assert pick("https://www.blog.example.org/x") is blog              # longer suffix
    assert pick("https://shop.example.org/x") is org
    assert pick("https://shop.example.org/deep/x") is deep             # same domain, pattern matches
    assert pick("https://blog.example.org/deep/x") is blog             # the domain decides first
    assert pick("https://other.net/forum/thread-7") is anywhere        # pattern only
    assert pick("https://shop.example.org/forum/thread-7") is org      # a domain beats a pattern
    assert pick("https://other.net/forum/") is GenericExtractor
    later = isolated_registry.register(_site("later", domains=("example.org",)))
    assert pick("https://shop.example.org/x") is later                 # ties: registered last


def test_register_rejects_what_cannot_serve_a_url(isolated_registry):
    with pytest.raises(ValueError):
        isolated_registry.register(_site("nothing"))
    with pytest.raises(TypeError):
        isolated_registry.register(dict)
    with pytest.raises(Exception):
        isolated_registry.register(_site("badregex", patterns=("(",)))


def test_extractors_command_lists_name_version_module_domains_patterns():
    proc = subprocess.run([sys.executable, "-m", "scrapy.cmdline", "extractors", "--json"], cwd=ROOT,
                          env=crawl_env(None), capture_output=True, text=True, timeout=60)
    assert proc.returncode == 0, proc.stderr[-2000:]
    listed = {e["name"]: e for e in json.loads(proc.stdout)}
    assert listed["slashdot"] == {"name": "slashdot", "version": "1",
                                  "module": "scraper.extractors.sites.slashdot",
                                  "domains": ["slashdot.org"], "patterns": []}
    assert {"aclu", "statisticsglobe"} <= set(listed)


# -- extra packages ---------------------------------------------------------------------------
def test_an_extra_package_registers_through_load_packages(isolated_registry):
    from extra_extractors.sample import SampleBlogExtractor

    assert isolated_registry.extractor_for(SAMPLE_URL) is GenericExtractor
    assert isolated_registry.load_packages(["extra_extractors"]) == [SampleBlogExtractor]
    assert isolated_registry.load_packages(["extra_extractors"]) == []  # once only
    assert isolated_registry.extractor_for(SAMPLE_URL) is SampleBlogExtractor
    result = extract_page(SAMPLE_POST.read_bytes(), SAMPLE_URL)
    assert result["page"]["extractor"] == result["article"]["extractor"] == "sampleblog/2"
    assert result["article"]["title"] == extract_page(
        SAMPLE_POST.read_bytes(), SAMPLE_URL, extractor="generic")["article"]["title"].upper()
    assert {c["extractor"] for c in result["comments"]} == {"sampleblog/2"}


def test_an_unimportable_package_fails_loudly(isolated_registry):
    with pytest.raises(ModuleNotFoundError):
        isolated_registry.load_packages(["no_such_extractor_package"])


def test_the_crawl_uses_extractor_packages_from_the_setting(tmp_path):
    env_extra = os.pathsep + str(ROOT / "tests")
    with ReplaySite(SAMPLE_BLOG) as site:
        env = crawl_env(site.proxy_url)
        env["PYTHONPATH"] += env_extra
        proc = subprocess.run(
            [sys.executable, "-m", "scrapy.cmdline", "crawl", "blog", "-a", "url=http://sample-blog.test/",
             "-a", f"out={tmp_path}", "-a", "crawl=extra", "-s", "AUTOTHROTTLE_ENABLED=False",
             "-s", "DOWNLOAD_DELAY=0", "-s", "EXTRACTOR_PACKAGES=extra_extractors"],
            cwd=ROOT, env=env, capture_output=True, text=True, timeout=180)
    assert proc.returncode == 0, proc.stderr[-3000:]
    articles = read_table(tmp_path, "extra", "articles")
    comments = read_table(tmp_path, "extra", "comments")
    assert articles and {a["extractor"] for a in articles} == {"sampleblog/2"}
    assert all(a["title"] == a["title"].upper() for a in articles)
    assert {c["extractor"] for c in comments} == {"sampleblog/2"}


def test_a_missing_extractor_package_stops_the_crawl_at_start(tmp_path):
    proc = run_crawl("http://sample-blog.test/", tmp_path, "missing", None,
                     "-s", "EXTRACTOR_PACKAGES=no_such_extractor_package", timeout=60)
    assert proc.returncode != 0 and "no_such_extractor_package" in proc.stderr


# -- a broken site extractor costs nothing but a log line -------------------------------------
def test_a_failing_extractor_is_logged_and_the_generic_result_used(isolated_registry, caplog):
    class Broken(SiteExtractor):
        name, version, domains = "broken", "3", ("sample-blog.test",)

        def body_text(self):
            raise RuntimeError("the site changed its markup")

    isolated_registry.register(Broken)
    with caplog.at_level(logging.ERROR, logger="scraper.extractors"):
        result = extract_page(SAMPLE_POST.read_bytes(), SAMPLE_URL)
    generic = extract_page(SAMPLE_POST.read_bytes(), SAMPLE_URL, extractor=GenericExtractor)
    assert result["page"].pop("fallback_from") == "broken/3"
    assert result == generic and result["article"]["extractor"] == "generic/3"
    (record,) = [r for r in caplog.records if "broken/3" in r.getMessage()]
    assert SAMPLE_URL in record.getMessage() and "the site changed its markup" in record.exc_text


def test_extract_page_takes_an_extractor_by_name_or_class():
    body = SAMPLE_POST.read_bytes()
    assert extract_page(body, SAMPLE_URL, extractor="slashdot")["page"]["extractor"] == "slashdot/1"
    assert extract_page(body, SAMPLE_URL, extractor=AcluExtractor)["page"]["extractor"] == "aclu/1"
    with pytest.raises(KeyError):
        extract_page(body, SAMPLE_URL, extractor="nope")


# -- overriding single fields -----------------------------------------------------------------
def test_a_site_extractor_without_comment_overrides_keeps_the_generic_thread():
    class TitleOnly(SiteExtractor):
        name, domains = "titleonly", ("sample-blog.test",)

        def title(self):
            return "Mine"

    site = extract_page(SAMPLE_POST.read_bytes(), SAMPLE_URL, extractor=TitleOnly)
    generic = extract_page(SAMPLE_POST.read_bytes(), SAMPLE_URL, extractor="generic")
    assert site["article"]["title"] == "Mine"
    strip = lambda rows: [{k: v for k, v in r.items() if k != "extractor"} for r in rows]  # noqa: E731
    assert strip(site["comments"]) == strip(generic["comments"]) and len(generic["comments"]) > 3


def test_one_comment_field_overridden_the_rest_generic():
    class ShoutingComments(SiteExtractor):
        name, domains = "shouting", ("sample-blog.test",)

        def comment_text(self, el):
            return (super().comment_text(el) or "").upper() or None

    site = extract_page(SAMPLE_POST.read_bytes(), SAMPLE_URL, extractor=ShoutingComments)["comments"]
    generic = extract_page(SAMPLE_POST.read_bytes(), SAMPLE_URL, extractor="generic")["comments"]
    assert [c["text"] for c in site] == [(c["text"] or "").upper() or None for c in generic]
    keep = ("comment_id", "parent_id", "depth", "author_name", "published", "kind", "by_post_author")
    assert [[c[k] for k in keep] for c in site] == [[c[k] for k in keep] for c in generic]


def test_comment_parent_rule_can_be_overridden():
    class Flat(SiteExtractor):
        name, domains = "flat", ("sample-blog.test",)

        def comment_parent(self, el):
            return None

    rows = extract_page(SAMPLE_POST.read_bytes(), SAMPLE_URL, extractor=Flat)["comments"]
    assert rows and all(r["parent_id"] is None and r["depth"] == 1 for r in rows)


# -- the examples: what the site extractors fix (their fixtures hold the full output) ----------
def _shared_page(name: str) -> bytes:
    path = THREADS / name
    if not path.exists():
        pytest.skip(f"shared threads corpus not found at {THREADS}")
    return read_page(path)


def test_slashdot_tree_comes_from_its_markup():
    url = ("https://linux.slashdot.org/story/24/01/12/169219/"
           "a-2024-discussion-whether-to-convert-the-linux-kernel-from-c-to-modern-c")
    body = _shared_page("wcxb__dev__html__0570.html.gz")
    result = extract_page(body, url)
    rows = {c["comment_id"]: c for c in result["comments"]}
    assert len(rows) == 109 and max(c["depth"] for c in rows.values()) == 7
    assert all(cid.isdigit() for cid in rows)  # Slashdot's own ids, never synthetic ones
    # Each comment's "Parent" link names the comment it answers: the tree agrees with it.
    from scraper.extractors.page import parse_html
    for link in parse_html(body).xpath("//a[starts-with(@onclick, 'return D2.selectParent(')]"):
        child = link.xpath("ancestor::li[starts-with(@id, 'tree_')][1]/@id")[0].removeprefix("tree_")
        assert rows[child]["parent_id"] == link.get("onclick").split("(")[1].rstrip(")")


def test_aclu_replies_follow_drupal_indented_blocks():
    url = "https://www.aclu.org/blog/privacy-technology/internet-privacy/facebook-tracking-me-even-though-im-not-facebook"
    body = _shared_page("mozilla-readability-testpages__test__test-pages__aclu__source.html.gz")
    site = extract_page(body, url)["comments"]
    assert len(site) == 10
    assert {c["comment_id"]: c["parent_id"] for c in site if c["parent_id"]} == {
        "223672": "223421", "223761": "223424"}


# -- fixture tooling --------------------------------------------------------------------------
def test_diff_names_each_field_and_matches_comments_by_id():
    result = stable(extract_page(SAMPLE_POST.read_bytes(), SAMPLE_URL))
    expected = json.loads(json.dumps(result))
    expected["article"]["title"] = "Another title"
    expected["comments"][1]["author_name"] = "Someone else"
    expected["comments"].reverse()  # order alone is not a difference: positions are compared
    gone = expected["comments"].pop()
    lines = diff(expected, result)
    first = result["comments"][1]["comment_id"]
    assert lines[0] == ("article.title: differs at character 0\n    expected: \"Another title\"\n"
                        f"    got:      {json.dumps(result['article']['title'])}")
    assert any(line.startswith(f"comment {first}.author_name: differs at character 0\n") for line in lines)
    assert f"comments: expected {len(result['comments']) - 1}, got {len(result['comments'])}" in lines
    assert any(line.startswith(f"comment {gone['comment_id']}: extracted, not in the fixture") for line in lines)
    assert diff(result, result) == []


def _savefixture(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "scrapy.cmdline", "savefixture", *args], cwd=ROOT,
                          env=crawl_env(None), capture_output=True, text=True, timeout=60)


def test_savefixture_stores_the_page_and_its_extraction(tmp_path):
    proc = _savefixture(str(SAMPLE_POST), "--url", SAMPLE_URL, "--dir", str(tmp_path))
    assert proc.returncode == 0, proc.stderr[-2000:]
    (path,) = (tmp_path / "sample-blog.test").glob("*.expected.json")
    fixture = Fixture.load(path)
    assert path.name == "reader-questions-dial-cords-hum.expected.json"
    assert (fixture.url, fixture.extractor) == (SAMPLE_URL, "generic/3")
    assert read_page(fixture.page_path(ROOT)) == SAMPLE_POST.read_bytes()  # stored, gzipped
    assert diff(fixture.expected, stable(extract_page(SAMPLE_POST.read_bytes(), SAMPLE_URL))) == []
    assert "fetched_at" not in path.read_text()


def test_savefixture_refers_to_shared_pages_instead_of_copying_them(tmp_path):
    name = "trafilatura-tests__tests__eval__statisticsglobe.com.ggplot2.html.gz"
    _shared_page(name)
    proc = _savefixture(str(THREADS / name), "--url", "https://statisticsglobe.com/x/", "--dir",
                        str(tmp_path), "--name", "x")
    assert proc.returncode == 0, proc.stderr[-2000:]
    fixture = Fixture.load(tmp_path / "statisticsglobe.com" / "x.expected.json")
    assert fixture.page == f"../shared/corpus/threads/html/{name}" and fixture.shared
    assert sorted(p.name for p in (tmp_path / "statisticsglobe.com").iterdir()) == ["x.expected.json"]


def test_savefixture_needs_the_url_of_a_saved_page(tmp_path):
    proc = _savefixture(str(SAMPLE_POST), "--dir", str(tmp_path))
    assert proc.returncode != 0 and "--url" in proc.stderr


def _extract(*args: str, proxy: str | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "scrapy.cmdline", "extract", *args], cwd=ROOT,
                          env=crawl_env(proxy), capture_output=True, text=True, timeout=60)


def test_extract_fetches_a_url_with_its_whole_thread_and_writes_no_dataset(tmp_path):
    """A URL is read as a crawl reads it: the post's other comment pages and the REST API are
    asked too, so the thread is the one a crawl stores, not the first page's. One page to look
    at is not a crawl: nothing lands in the dataset root."""
    truth = next(p for p in json.loads((SAMPLE_BLOG / "truth.json").read_text())["posts"] if p["url"] == SAMPLE_URL)
    with ReplaySite(SAMPLE_BLOG) as site:
        proc = _extract(SAMPLE_URL, "-s", f"DATASET_ROOT={tmp_path}", proxy=site.proxy_url)
    assert proc.returncode == 0, proc.stderr[-2000:]
    result = json.loads(proc.stdout)
    assert result["article"]["canonical_url"] == SAMPLE_URL
    assert result["article"]["comments_complete"] is True
    first_page = extract_page(SAMPLE_POST.read_bytes(), SAMPLE_URL)["comments"]
    got = {c["comment_id"]: c["parent_id"] for c in result["comments"]}
    assert got == {str(c["id"]): (str(c["parent_id"]) if c["parent_id"] else None) for c in truth["comments"]}
    assert len(first_page) < len(got) == 14
    assert list(tmp_path.iterdir()) == []


def test_extract_says_what_a_binary_file_is(tmp_path):
    path = tmp_path / "image.html"
    path.write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 8)
    proc = _extract(str(path))
    assert proc.returncode == 1
    assert "not an HTML page: the body is a PNG image" in proc.stderr
    assert "Traceback" not in proc.stderr
