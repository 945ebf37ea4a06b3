"""The crawl folder's dataset card (README.md), its datapackage.json and ``scrapy report``, on a
real crawl of the sample blog (one page answering 500, so that there are errors to chart); the
report is opened in headless Chromium where it is installed."""
from __future__ import annotations

import json
import re
import shutil
import struct
import subprocess
import sys
import zlib
from collections import Counter
from datetime import datetime
from pathlib import Path

import pyarrow.parquet as pq
import pytest
from lxml import html as lxml_html

from pipelines.card import frictionless_type
from pipelines.schema import DESCRIPTIONS, TABLES
from scraper import report
from scraper.replay import SAMPLE_BLOG, ReplaySite

from crawl_helpers import ROOT, crawl_env, read_table, run_crawl

START = "http://sample-blog.test/"
BROKEN = "http://sample-blog.test/links/"
CHARTS = ("articles-per-month", "comments-per-article", "thread-depth", "top-commenters",
          "comment-systems", "errors-by-kind")


@pytest.fixture(scope="module")
def crawl(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("datasets")
    with ReplaySite(SAMPLE_BLOG) as site:
        site.override(BROKEN, status=500, body=b"<h1>Internal Server Error</h1>")
        proc = run_crawl(START, out, "report", site.proxy_url)
    assert proc.returncode == 3, proc.stderr[-3000:]  # finished with errors: the 500
    return out / "report"


def _rows(folder: Path, table: str) -> list[dict]:
    return read_table(folder.parent, folder.name, table)


def _report(folder: Path, out: Path) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "scrapy.cmdline", "report", str(folder), "-o", str(out)],
                          cwd=ROOT, env=crawl_env(None), capture_output=True, text=True, timeout=120)


# -- the card ---------------------------------------------------------------------------------
def _card_value(card: str, label: str) -> str:
    match = re.search(rf"^\| {re.escape(label)} \| (.*?) \|$", card, re.M)
    assert match, f"no row {label!r} in the card"
    return match.group(1)


def test_card_describes_the_crawl_and_its_counts_match_the_parquet_rows(crawl):
    card = (crawl / "README.md").read_text(encoding="utf-8")
    manifest = json.loads((crawl / "crawl.json").read_text(encoding="utf-8"))
    articles, comments, pages = (_rows(crawl, t) for t in ("articles", "comments", "pages"))
    assert card.startswith("# report\n")
    assert f"- {START}" in card
    assert _card_value(card, "started") == manifest["started_at"]
    assert _card_value(card, "finished") == manifest["finished_at"]
    assert _card_value(card, "outcome").startswith("finished_with_errors (finished, exit code 3)")
    assert _card_value(card, "`ROBOTSTXT_OBEY`") == "True"
    assert _card_value(card, "`CLOSESPIDER_PAGECOUNT`") == "0"
    for package in ("python", "scrapy", "lxml", "blog_archiver"):
        assert _card_value(card, package) == manifest["versions"][package]

    kinds = Counter(a["page_kind"] for a in articles)
    assert _card_value(card, "articles") == f"{len(articles)} (page {kinds['page']}, post {kinds['post']})"
    assert _card_value(card, "comments").startswith(f"{len(comments)} (")
    assert _card_value(card, "pages (responses)").startswith(f"{len(pages)} (")
    assert _card_value(card, "errors").startswith(f"{manifest['errors_total']} ")
    assert manifest["errors_total"] >= 1 and _card_value(card, "HTTP errors") == "500 1"
    incomplete = sum(1 for a in articles if a["comments_complete"] is False)
    assert _card_value(card, "threads complete") == str(len(articles) - incomplete)
    assert _card_value(card, "threads incomplete").startswith(f"{incomplete} ")
    assert _card_value(card, "articles truncated").startswith(f"{sum(1 for a in articles if a['truncated'])} ")
    assert (len(articles), len(comments)) == (manifest["counts"]["articles"], manifest["counts"]["comments"])

    for table, schema in TABLES.items():  # the schema section, generated from pipelines/schema.py
        section = card.split(f"### `{table}`", 1)[1].split("###", 1)[0]
        for f in schema:
            assert f"| `{f.name}` | {f.type}{'' if f.nullable else ', not null'} | {DESCRIPTIONS[table][f.name]} |" \
                in section


def test_datapackage_lists_every_part_with_the_schemas_fields(crawl):
    package = json.loads((crawl / "datapackage.json").read_text(encoding="utf-8"))
    assert package["name"] == "report" and package["sources"][0]["path"] == START
    resources = {r["name"]: r for r in package["resources"]}
    assert sorted(resources) == sorted(TABLES)
    for name, schema in TABLES.items():
        r = resources[name]
        paths = r["path"] if isinstance(r["path"], list) else [r["path"]]
        assert sorted(paths) == sorted(p.relative_to(crawl).as_posix() for p in (crawl / name).glob("part-*.parquet"))
        assert (r["format"], r["mediatype"]) == ("parquet", "application/vnd.apache.parquet")
        assert sum(pq.read_metadata(crawl / p).num_rows for p in paths) == len(_rows(crawl, name))
        fields = r["schema"]["fields"]
        assert [f["name"] for f in fields] == schema.names
        assert [f["type"] for f in fields] == [frictionless_type(f.type) for f in schema]
        assert [f.get("constraints", {}).get("required", False) for f in fields] == [not f.nullable for f in schema]
    by_name = {f["name"]: f["type"] for f in resources["articles"]["schema"]["fields"]}
    assert (by_name["published"], by_name["tags"], by_name["comment_count"], by_name["comments_complete"],
            by_name["body_confidence"]) == ("datetime", "array", "integer", "boolean", "number")


def test_datapackage_is_a_valid_frictionless_descriptor(crawl):
    frictionless = pytest.importorskip("frictionless", reason="frictionless is in the test extra")
    report_ = frictionless.Package.validate_descriptor(str(crawl / "datapackage.json"))
    assert report_.valid, report_.flatten(["type", "note"])
    package = frictionless.Package(str(crawl / "datapackage.json"))
    assert [(r.name, r.format) for r in package.resources] == [(t, "parquet") for t in TABLES]


# -- the report -------------------------------------------------------------------------------
def test_report_of_a_missing_or_empty_folder_is_one_line_and_exit_1(tmp_path):
    for folder in (tmp_path / "missing", tmp_path):
        proc = _report(folder, tmp_path / "r.html")
        assert proc.returncode == 1, proc.stderr
        assert proc.stderr.strip().count("\n") == 0 and str(folder) in proc.stderr
        assert not (tmp_path / "r.html").exists()


def test_report_escapes_what_the_pages_say(tmp_path):
    evil = "<script>alert(1)</script>"
    crawl = report.Crawl(tmp_path, {"crawl_id": "x", "errors": [{"url": "u", "message": f"Not stored {evil}"}]},
                         articles=[{"article_id": "a", "url": 'javascript:alert(1)"', "title": evil,
                                    "published": datetime(2024, 1, 5), "comments_complete": True}],
                         comments=[{"article_id": "a", "depth": 1, "author_name": evil, "kind": "comment"}])
    page = report.render(crawl)
    assert "<script" not in page and "&lt;script&gt;" in page
    assert "javascript:" not in page  # only http(s) URLs become links


def _png_pixels(data: bytes) -> tuple[int, int, list[bytes]]:
    """Width, height and unfiltered rows of an 8-bit, non-interlaced RGB(A) PNG."""
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    pos, idat, header = 8, b"", None
    while pos < len(data):
        length, kind = struct.unpack(">I4s", data[pos:pos + 8])
        chunk = data[pos + 8:pos + 8 + length]
        if kind == b"IHDR":
            header = struct.unpack(">IIBBBBB", chunk)
        elif kind == b"IDAT":
            idat += chunk
        pos += 12 + length
    width, height, depth, colour, _, _, interlace = header
    assert depth == 8 and colour in (2, 6) and interlace == 0, header
    bpp = 3 if colour == 2 else 4
    raw, stride, rows, prev = zlib.decompress(idat), width * bpp, [], bytearray(width * bpp)
    for y in range(height):
        f, line = raw[y * (stride + 1)], bytearray(raw[y * (stride + 1) + 1:(y + 1) * (stride + 1)])
        for i in range(stride):
            a = line[i - bpp] if i >= bpp else 0
            b, c = prev[i], prev[i - bpp] if i >= bpp else 0
            if f == 1:
                line[i] = (line[i] + a) & 255
            elif f == 2:
                line[i] = (line[i] + b) & 255
            elif f == 3:
                line[i] = (line[i] + (a + b) // 2) & 255
            elif f == 4:
                p = a + b - c
                pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
                line[i] = (line[i] + (a if pa <= pb and pa <= pc else b if pb <= pc else c)) & 255
        rows.append(bytes(line))
        prev = line
    return width, height, rows


def _chromium() -> str:
    found = shutil.which("chromium") or shutil.which("chromium-browser") or shutil.which("google-chrome")
    if not found:
        pytest.skip("chromium is not installed (Debian: apt-get install chromium; .ci/run installs it)")
    return found


def _browser(chromium: str, tmp_path: Path, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([chromium, "--headless=new", "--no-sandbox", "--disable-gpu", "--enable-logging=stderr",
                           "--v=0", f"--user-data-dir={tmp_path / 'profile'}", "--no-first-run",
                           "--window-size=1100,2400", *args], capture_output=True, text=True, timeout=120)


def test_report_renders_in_a_real_browser_with_every_chart_drawn(crawl, tmp_path):
    chromium = _chromium()
    out = tmp_path / "report.html"
    proc = _report(crawl, out)
    assert proc.returncode == 0, proc.stderr[-3000:]
    page = out.read_text(encoding="utf-8")
    assert not re.search(r"""<(script|link|img|iframe)\b|\bsrc=|@import|url\(""", page)  # nothing fetched

    dumped = _browser(chromium, tmp_path, "--dump-dom", out.as_uri())
    assert dumped.returncode == 0, dumped.stderr[-3000:]
    problems = [line for line in dumped.stderr.splitlines() if "CONSOLE" in line or "Uncaught" in line]
    assert not problems, problems
    dom = lxml_html.fromstring(dumped.stdout)

    articles, comments = _rows(crawl, "articles"), _rows(crawl, "comments")
    manifest = json.loads((crawl / "crawl.json").read_text(encoding="utf-8"))
    per_article = Counter(c["article_id"] for c in comments)
    commenters = Counter(c["author_name"] for c in comments if c["kind"] == "comment")
    expected_totals = {"articles-per-month": len(articles), "comments-per-article": len(articles),
                       "thread-depth": len(comments), "top-commenters": sum(sorted(commenters.values())[::-1][:15]),
                       "comment-systems": len(articles), "errors-by-kind": len(manifest["errors"])}
    for chart in CHARTS:
        (svg,) = dom.xpath(f'//*[local-name()="svg"][@id="chart-{chart}"]')
        bars = svg.xpath('.//*[local-name()="rect"][contains(@class, "bar")]')
        assert bars, f"chart {chart} has no bars"
        assert all(float(b.get("height")) > 0 and float(b.get("width")) > 0 for b in bars), chart
        assert sum(int(b.get("data-value")) for b in bars) == expected_totals[chart], chart

    depth = {b.get("data-label"): int(b.get("data-value"))
             for b in dom.xpath('//*[@id="chart-thread-depth"]//*[local-name()="rect"]')}
    assert depth == {str(d): n for d, n in Counter(c["depth"] for c in comments).items()}
    top = dom.xpath('//*[@id="chart-top-commenters"]//*[local-name()="rect"]')
    assert int(top[0].get("data-value")) == max(commenters.values())
    assert commenters[top[0].get("data-label")] == max(commenters.values())
    errors = {b.get("data-label"): int(b.get("data-value"))
              for b in dom.xpath('//*[@id="chart-errors-by-kind"]//*[local-name()="rect"]')}
    assert errors.get("HTTP 500") == 1
    months = {b.get("data-label"): int(b.get("data-value"))
              for b in dom.xpath('//*[@id="chart-articles-per-month"]//*[local-name()="rect"]')}
    assert months == dict(Counter(a["published"].strftime("%Y-%m") if a["published"] else "undated" for a in articles))

    rows = dom.xpath('//table[@id="largest-threads"]//tr[td]')
    assert len(rows) == len(per_article)
    by_url = {a["url"]: a for a in articles}
    first = rows[0].xpath(".//a")[0]
    assert per_article[by_url[first.get("href")]["article_id"]] == max(per_article.values())
    assert int(rows[0].xpath("./td")[1].text) == max(per_article.values())

    shot = tmp_path / "report.png"
    taken = _browser(chromium, tmp_path, f"--screenshot={shot}", out.as_uri())
    assert taken.returncode == 0 and shot.exists(), taken.stderr[-3000:]
    width, height, rows_ = _png_pixels(shot.read_bytes())
    assert (width, height) == (1100, 2400)
    bpp = len(rows_[0]) // width
    pixels = Counter(bytes(r[i:i + 3]) for r in rows_[::4] for i in range(0, len(r), bpp * 4))
    assert len(pixels) > 10, "the screenshot is blank"
    bar_blue = bytes((0x4E, 0x79, 0xA7))
    assert pixels[bar_blue] > 100, "no chart bars in the screenshot"
