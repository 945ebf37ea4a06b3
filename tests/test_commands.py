"""Input the project commands cannot use is refused with one line and a non-zero exit, never a
traceback or a made-up result; a saved page without ``--url`` is read as its canonical URL where
a site extractor serves it."""
from __future__ import annotations

import gzip
import json
import subprocess
import sys

import pytest
from scrapy import Request
from scrapy.http import HtmlResponse

from scraper.fixtures import Fixture, diff, stable
from scraper.replay import SAMPLE_BLOG
from scraper.warc import WarcFileWriter, warcinfo

from conftest import ROOT, SHARED
from crawl_helpers import crawl_env

SAMPLE_POST = SAMPLE_BLOG / "2024" / "04" / "reader-questions-dial-cords-hum" / "index.html"
SAMPLE_URL = "http://sample-blog.test/2024/04/reader-questions-dial-cords-hum/"
ACLU_FIXTURE = (ROOT / "tests" / "fixtures" / "sites" / "www.aclu.org"
                / "facebook-tracking-me-even-though-im-not-facebook.expected.json")


def scrapy(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "scrapy.cmdline", *args], cwd=ROOT, env=crawl_env(None),
                          capture_output=True, text=True, timeout=60)


def assert_one_line_error(proc: subprocess.CompletedProcess, *phrases: str) -> None:
    assert proc.returncode != 0, proc.stdout[-500:]
    assert proc.stdout == ""
    assert len(proc.stderr.strip().splitlines()) == 1, proc.stderr[-2000:]
    for phrase in phrases:
        assert phrase in proc.stderr


@pytest.fixture
def sample_warc(tmp_path):
    """A WARC file as a crawl writes it: the project's writer, one captured article page."""
    request = Request(SAMPLE_URL)
    response = HtmlResponse(SAMPLE_URL, status=200, body=SAMPLE_POST.read_bytes(), request=request,
                            headers={"Content-Type": "text/html; charset=utf-8"})
    writer = WarcFileWriter(tmp_path / "warc", "sample", 1024 ** 3,
                            warcinfo("sample", SAMPLE_URL, "blog-archiver/test", True))
    writer.write_exchange(request, response)
    writer.close()
    (path,) = writer.files
    return path


@pytest.mark.parametrize("compressed", [True, False], ids=["warc.gz", "warc"])
def test_extract_refuses_a_warc_file_and_names_reextract(sample_warc, compressed):
    path = sample_warc
    if not compressed:
        path = sample_warc.with_name("sample-00000.warc")
        path.write_bytes(gzip.decompress(sample_warc.read_bytes()))
    proc = scrapy("extract", str(path))
    assert_one_line_error(proc, f"{path}: a WARC file, not a saved page",
                          f"`scrapy reextract {path} -a out=DIR`")


def test_savefixture_keeps_an_existing_fixture_unless_forced(tmp_path):
    reviewed = tmp_path / "sample-blog.test" / "post.expected.json"
    reviewed.parent.mkdir()
    reviewed.write_text('{"reviewed": "by hand"}\n')
    refused = scrapy("savefixture", str(SAMPLE_POST), "--url", SAMPLE_URL, "--dir", str(tmp_path),
                     "--name", "post")
    assert_one_line_error(refused, "post.expected.json already exists", "--force")
    assert reviewed.read_text() == '{"reviewed": "by hand"}\n'
    forced = scrapy("savefixture", str(SAMPLE_POST), "--url", SAMPLE_URL, "--dir", str(tmp_path),
                    "--name", "post", "--force")
    assert forced.returncode == 0, forced.stderr[-2000:]
    assert Fixture.load(reviewed).url == SAMPLE_URL


def test_extract_without_url_reads_a_saved_page_as_its_canonical_url():
    """The ACLU fixture's page, saved from the site: its canonical URL picks the ACLU extractor
    and the output is the reviewed fixture's, as with ``--url``."""
    fixture = Fixture.load(ACLU_FIXTURE)
    page = fixture.page_path(ROOT)
    if not page.exists():
        pytest.skip(f"shared page not found at {SHARED}")
    proc = scrapy("extract", str(page))
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert proc.stderr == (f"No --url: read as the page's canonical URL {fixture.url}, which picks the "
                           "aclu/1 extractor (--url or --extractor to choose)\n")
    result = json.loads(proc.stdout)
    assert result["page"]["extractor"] == "aclu/1"
    assert diff(fixture.expected, stable(result)) == []


def test_command_modules_leave_other_commands_modules_unimported():
    """Scrapy imports every command module before it runs one (a rebuild's start-up): what
    only the report, pack, demo, export and savefixture commands need (and the WACZ extension,
    which most crawls have off) is imported when they run."""
    code = ("import sys, pkgutil, importlib, scraper.commands, scraper.wacz_extension\n"
            "for m in pkgutil.iter_modules(scraper.commands.__path__):\n"
            "    importlib.import_module('scraper.commands.' + m.name)\n"
            "print(' '.join(sorted(sys.modules)))")
    proc = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=crawl_env(None), capture_output=True,
                          text=True, timeout=60)
    assert proc.returncode == 0, proc.stderr[-2000:]
    loaded = set(proc.stdout.split())
    assert "scraper.commands.reextract" in loaded
    assert loaded.isdisjoint({"scraper.report", "scraper.fixtures", "scraper.wacz", "scraper.replay"})
