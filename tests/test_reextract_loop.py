"""``scrapy reextract`` without the crawl engine (``scraper/warc_loop.py``) gives the rows and the
``crawl.json`` of the engine path (``-s REEXTRACT_ENGINE=scrapy``), table by table, row by row.

The WARC files are real: a crawl of the sample blog (files rotated, so threads span files), the
wget captures of the shared WordPress corpus, and a crawl of a collection on 127.0.0.1 whose
threads are split over comment pages (a generated blog), kept by comment systems (a real Isso
server, a real Blogger feed) or gone (a blog that no longer answers); then the same files with a
comment page missing (a 404 in replay) or a record cut short.

A parallel rebuild (``-a processes=2``), whose tasks run the loop, is held to the same tasks on the engine.

Only one value records when a rebuild ran rather than what it read: a ``pages`` row's
``fetched_at`` for a URL the files do not hold (answered 404 at the rebuild's time). In
``crawl.json`` the times (``finished_at``, ``rebuilt_at``, each error's ``time``) and Scrapy's own
``stats`` (the engine's scheduler and downloader counters) are left out; the errors are compared
as a set of (URL, message), since the two paths may meet them in a different order.
"""
from __future__ import annotations

import contextlib
import json
import shutil
import socket
import subprocess
import sys
from pathlib import Path

import pytest

from scraper.replay import SAMPLE_BLOG, ReplaySite
from scraper.warc import iter_records, warc_paths

from conftest import SHARED, WORDPRESS
from crawl_helpers import FAST, ROOT, crawl_env, read_table, run_crawl, run_reextract
from isso_server import isso  # noqa: F401 - the fixture

sys.path.insert(0, str(ROOT / "benchmarks"))
from hostile_server import GeneratedBlog, HostileServer  # noqa: E402

KEYS = {"articles": ("article_id",), "comments": ("article_id", "comment_id"), "pages": ("url",)}
MANIFEST_KEYS = ("crawl_id", "start_url", "started_at", "finish_reason", "outcome", "exit_code", "counts",
                 "truncated", "seeds", "errors_total", "log_counts", "schema_version")
BLOGGER = SHARED / "corpus" / "comment-systems" / "blogger"


def _closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _comparable(table: str, row: dict) -> dict:
    if table == "pages" and not row["warc_record_id"]:
        return {k: v for k, v in row.items() if k != "fetched_at"}  # the rebuild's own clock
    return row


def _rows(out: Path, crawl: str, table: str) -> list[dict]:
    rows = [_comparable(table, r) for r in read_table(out, crawl, table)]
    return sorted(rows, key=lambda r: (tuple(str(r[k]) for k in KEYS[table]), repr(sorted(r.items()))))


def rebuild_both(sources: list[Path], tmp: Path, *extra: str) -> tuple[Path, Path]:
    """The same files rebuilt on Scrapy's engine and by the loop; both must exit alike."""
    engine = run_reextract(sources, tmp / "engine", "-s", "REEXTRACT_ENGINE=scrapy", *extra)
    loop = run_reextract(sources, tmp / "loop", "-s", "REEXTRACT_ENGINE=loop", *extra)
    if "processes=2" not in extra:  # a parallel rebuild's tasks log apart
        assert "without the crawl engine" in loop.stderr and "without the crawl engine" not in engine.stderr
    assert loop.returncode == engine.returncode, (engine.stderr[-2000:], loop.stderr[-2000:])
    return tmp / "engine", tmp / "loop"


def assert_same_rebuild(engine: Path, loop: Path, crawl: str) -> dict:
    for table in KEYS:
        expected, got = _rows(engine, crawl, table), _rows(loop, crawl, table)
        assert len(got) == len(expected), table
        for a, b in zip(expected, got):
            assert a == b, table
    one = json.loads((engine / crawl / "crawl.json").read_text())
    other = json.loads((loop / crawl / "crawl.json").read_text())
    for key in MANIFEST_KEYS:
        assert other.get(key) == one.get(key), key
    assert sorted((e["url"], e["message"]) for e in other["errors"]) == \
        sorted((e["url"], e["message"]) for e in one["errors"])
    return one


# -- the sample blog, crawled with small WARC files -------------------------------------------
@pytest.fixture(scope="module")
def sample_warc(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("sample-crawl")
    with ReplaySite(SAMPLE_BLOG) as site:
        proc = run_crawl(site.base + "/", out, "sample", site.proxy_url, "-s", "WARC_MAX_SIZE=60000")
    assert proc.returncode == 0, proc.stderr[-3000:]
    return out / "sample" / "warc"


def test_the_sample_blogs_crawl_rebuilds_alike(sample_warc, tmp_path):
    assert len(warc_paths([sample_warc])) >= 2
    engine, loop = rebuild_both([sample_warc], tmp_path)
    manifest = assert_same_rebuild(engine, loop, "sample")
    assert manifest["outcome"] == "finished" and manifest["counts"]["articles"] > 0
    assert manifest["counts"]["comments_by_parent_source"].get("api")  # REST answers paired too


def test_a_rebuild_by_the_loop_imports_no_extension_it_has_off(sample_warc, tmp_path):
    """The remote control (aiohttp) and a shared crawl's membership (redis) are off in a
    rebuild by the loop: never imported, and the rebuild is whole."""
    cmd = [sys.executable, "-X", "importtime", "-m", "scrapy.cmdline", "reextract", str(sample_warc),
           "-a", f"out={tmp_path}"]
    proc = subprocess.run(cmd, cwd=ROOT, env=crawl_env(None), capture_output=True, text=True, timeout=180)
    assert proc.returncode == 0, proc.stderr[-2000:]
    imported = {line.rsplit("|", 1)[-1].strip() for line in proc.stderr.splitlines() if line.startswith("import time:")}
    assert "scrapy" in imported and "pipelines.parquet" in imported
    assert not imported & {"aiohttp", "redis", "scrapy_redis", "scraper.shared", "scrapy.extensions.remote_control"}
    assert json.loads((tmp_path / "sample" / "crawl.json").read_text())["outcome"] == "finished"


def test_a_record_cut_short_rebuilds_alike(sample_warc, tmp_path):
    cut = tmp_path / "cut"
    shutil.copytree(sample_warc, cut)
    last = warc_paths([cut])[-1]
    offsets = [o for o, _, _ in iter_records(last)]
    last.write_bytes(last.read_bytes()[:offsets[-2] + 200])
    engine, loop = rebuild_both([cut], tmp_path)
    assert_same_rebuild(engine, loop, "sample")


# -- the shared WordPress corpus: wget's WARC files --------------------------------------------
@pytest.mark.parametrize("theme", ["twentytwentyone", "twentytwentytwo"])
def test_a_wget_warc_rebuilds_alike(theme, tmp_path):
    path = WORDPRESS / "warc" / f"{theme}.warc.gz"
    if not path.exists():
        pytest.skip(f"shared WARC not found at {path}")
    engine, loop = rebuild_both([path], tmp_path, "-a", "crawl=wget")
    manifest = assert_same_rebuild(engine, loop, "wget")
    assert manifest["counts"]["http_errors"].get("404")  # the REST answers wget did not fetch


# -- a collection: comment pages, comment systems, a blog that is gone -------------------------
@pytest.fixture(scope="module")
def collection_warc(isso, tmp_path_factory) -> Path:  # noqa: F811 - the fixture imported above
    tmp = tmp_path_factory.mktemp("collection")
    blog = GeneratedBlog(12, seed=7, first_comment_id=5000)
    with contextlib.ExitStack() as stack:
        server = stack.enter_context(HostileServer())
        blog.install(server)
        starts = [server.address("/")]
        if BLOGGER.exists():
            from test_crawl_comment_systems import ISSO_PATH, blog_site

            first = isso.post(ISSO_PATH, "Which valves did you keep?", author="Ana", title="Barn find")
            isso.post(ISSO_PATH, "All of them.", author="Ben", parent=first["id"], title="Barn find")
            site = stack.enter_context(ReplaySite(blog_site(tmp / "systems", isso.url)))
            starts.append(site.url + "/")
        starts.append(f"http://127.0.0.1:{_closed_port()}/")  # gone: its start page fails
        seeds = tmp / "blogs.txt"
        seeds.write_text("".join(f"{s}\n" for s in starts))
        cmd = [sys.executable, "-m", "scrapy.cmdline", "crawl", "blog", "-a", f"seeds={seeds}",
               "-a", f"out={tmp / 'crawl'}", "-a", "crawl=collection", *FAST, "-s", "WARC_MAX_SIZE=50000"]
        proc = subprocess.run(cmd, cwd=ROOT, env=crawl_env(None), capture_output=True, text=True, timeout=300)
    assert proc.returncode == 3, proc.stderr[-3000:]  # the gone blog's start page failed
    return tmp / "crawl" / "collection" / "warc"


def test_a_collection_with_comment_pages_and_comment_systems_rebuilds_alike(collection_warc, tmp_path):
    engine, loop = rebuild_both([collection_warc], tmp_path)
    manifest = assert_same_rebuild(engine, loop, "collection")
    comments = read_table(loop, "collection", "comments")
    assert any("/comment-page-" in (c["page_url"] or "") for c in comments)  # threads over pages
    if BLOGGER.exists():
        assert set(manifest["counts"]["articles_by_comment_system"]) >= {"isso", "blogger"}
    assert any(s["start_failed"] for s in manifest["seeds"])


def _without(folder: Path, target: Path, drop: str) -> str:
    """A copy of ``folder``'s WARC files without the response (and request) records of the
    first URL that contains ``drop``; that URL."""
    shutil.copytree(folder, target)
    for path in warc_paths([target]):
        records = [(o, r.rec_type, r.rec_headers.get_header("WARC-Target-URI") or "") for o, r, _ in iter_records(path)]
        urls = [u for _, t, u in records if t == "response" and drop in u]
        if not urls:
            continue
        data = path.read_bytes()
        ends = [o for o, _, _ in records[1:]] + [len(data)]
        path.write_bytes(b"".join(data[o:end] for (o, _, u), end in zip(records, ends) if u != urls[0]))
        return urls[0]
    raise AssertionError(f"no response for a URL with {drop!r}")


def test_a_missing_comment_page_rebuilds_alike(collection_warc, tmp_path):
    missing = _without(collection_warc, tmp_path / "warc", "comment-page-2")
    engine, loop = rebuild_both([tmp_path / "warc"], tmp_path)
    manifest = assert_same_rebuild(engine, loop, "collection")
    pages = {p["url"]: p for p in read_table(loop, "collection", "pages")}
    assert pages[missing]["status"] == 404 and not pages[missing]["warc_record_id"]
    assert manifest["counts"]["http_errors"]["404"] >= 1


def test_a_parallel_rebuild_by_the_loop_gives_the_engines_rows(collection_warc, tmp_path):
    """Each task of ``-a processes=2`` (``scraper/parallel.py``) runs the loop as a single-process
    rebuild does; merged, their rows and crawl.json are those of the same tasks on the engine."""
    engine, loop = rebuild_both([collection_warc], tmp_path, "-a", "processes=2")
    manifest = assert_same_rebuild(engine, loop, "collection")
    assert [t["warc_file"] for t in manifest["tasks"]] == [p.name for p in warc_paths([collection_warc])]


def test_a_parallel_rebuild_lists_the_errors_a_single_process_lists(collection_warc, tmp_path):
    """A task reads as a page only what the single-process rebuild reads as one: a Blogger comment
    feed (``/feeds/<post>/comments/default``) is a comment system's answer, not a page, so no
    task reports it as a non-HTML page the single process never read."""
    if not BLOGGER.exists():
        pytest.skip(f"needs the shared Blogger capture ({BLOGGER})")
    single = run_reextract([collection_warc], tmp_path / "single")
    parallel = run_reextract([collection_warc], tmp_path / "parallel", "-a", "processes=2")
    assert parallel.returncode == single.returncode, (single.stderr[-2000:], parallel.stderr[-2000:])
    one = json.loads((tmp_path / "single" / "collection" / "crawl.json").read_text())
    many = json.loads((tmp_path / "parallel" / "collection" / "crawl.json").read_text())
    assert sorted((e["url"], e["message"]) for e in many["errors"]) == \
        sorted((e["url"], e["message"]) for e in one["errors"])
    assert many["counts"] == one["counts"]
