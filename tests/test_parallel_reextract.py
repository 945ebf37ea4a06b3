"""``scrapy reextract -a processes=N`` and ``-a scheduler=tcp://...``: one task per WARC file, on
local processes or a Dask cluster, gives the rows of a single-process rebuild, and a task that
dies is listed in crawl.json with a non-zero exit code.

The WARC files come from a real crawl of a collection on 127.0.0.1: the sample blog (with one
post also served under a second URL, found later than the post), where ``../shared/`` holds it
the WordPress capture, and a blog that is gone; files rotate every 40 kB, so threads span files."""
from __future__ import annotations

import contextlib
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from datetime import datetime
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from scrapy.settings import Settings

from pipelines.merge import TaskOutput, merge
from pipelines.schema import TABLES
from scraper.parallel import Runner, plan, run_task
from scraper.replay import SAMPLE_BLOG, ReplaySite
from scraper.warc import warc_paths

from conftest import WORDPRESS
from crawl_helpers import FAST, ROOT, crawl_env, read_table, run_reextract

KEYS = {"articles": ("article_id",), "comments": ("article_id", "comment_id"), "pages": ("url",)}
ALIAS = "/?p=17"  # the same post as POST, on the sample blog
POST = "/2024/05/a-drawer-of-valves/"


def _sample_with_alias(folder: Path) -> Path:
    """The sample blog, with one post also served at ``ALIAS``, linked from the second listing
    page only: a crawl reaches the post first."""
    site = folder / "sample"
    shutil.copytree(SAMPLE_BLOG, site)
    manifest = json.loads((site / "manifest.json").read_text())
    post = next(e for e in manifest["entries"] if e["url"] == manifest["base"] + POST)
    manifest["entries"].append({**post, "url": manifest["base"] + ALIAS})
    (site / "manifest.json").write_text(json.dumps(manifest))
    listing = site / "page" / "2" / "index.html"
    listing.write_text(listing.read_text().replace("</body>", f'<a href="{ALIAS}">#17</a></body>'))
    return site


def _rows(out: Path, crawl: str, table: str) -> list[dict]:
    return sorted(read_table(out, crawl, table), key=lambda r: tuple(r[k] for k in KEYS[table]))


def _manifest(out: Path, crawl: str) -> dict:
    return json.loads((out / crawl / "crawl.json").read_text())


def _closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _comparable(table: str, row: dict) -> dict:
    """Every column, but the time a rebuild answered a URL the files do not hold (a 404)."""
    return {k: v for k, v in row.items() if not (table == "pages" and k == "fetched_at" and not row["warc_record_id"])}


def _assert_same_dataset(single: Path, parallel: Path) -> None:
    for table in KEYS:
        expected, got = _rows(single, "community", table), _rows(parallel, "community", table)
        assert len(got) == len(expected) > 0, table
        for a, b in zip(expected, got):  # crawl_id and the captures' fetched_at included
            assert _comparable(table, a) == _comparable(table, b), table
    one, many = _manifest(single, "community"), _manifest(parallel, "community")
    assert many["counts"] == one["counts"] and many["seeds"] == one["seeds"]
    assert (many["outcome"], many["exit_code"], many["started_at"]) == (one["outcome"], one["exit_code"], one["started_at"])
    assert sorted((e["url"], e["message"]) for e in many["errors"]) == \
        sorted((e["url"], e["message"]) for e in one["errors"])
    folder = parallel / "community"
    assert not (folder / ".tasks").exists() and not list(folder.rglob(".*.tmp")) and not (folder / ".lock").exists()


@pytest.fixture(scope="module")
def crawled(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("parallel")
    folders = [_sample_with_alias(tmp)]
    if (WORDPRESS / "site" / "twentytwentyone" / "manifest.json").exists():
        folders.append(WORDPRESS / "site" / "twentytwentyone")
    with contextlib.ExitStack() as stack:
        sites = [stack.enter_context(ReplaySite(folder)) for folder in folders]
        listing = tmp / "blogs.txt"
        # A blog that is gone: the files hold no answer for it, a rebuild answers 404.
        dead = f"http://127.0.0.1:{_closed_port()}/"
        listing.write_text("".join(f"{s.url}/\n" for s in sites) + f"{dead}\n")
        cmd = [sys.executable, "-m", "scrapy.cmdline", "crawl", "blog", "-a", f"seeds={listing}",
               "-a", f"out={tmp / 'crawl'}", "-a", "crawl=community", *FAST, "-s", "WARC_MAX_SIZE=40000"]
        proc = subprocess.run(cmd, cwd=ROOT, env=crawl_env(None), capture_output=True, text=True, timeout=300)
    assert proc.returncode == 3, proc.stderr[-3000:]  # the dead blog's start page failed
    warc = tmp / "crawl" / "community" / "warc"
    single = run_reextract([warc], tmp / "single")
    assert single.returncode == 0, single.stderr[-3000:]
    return {"warc": warc, "single": tmp / "single", "tmp": tmp, "sample": sites[0].url, "dead": dead}


def test_the_crawl_spans_files_and_meets_an_article_twice(crawled):
    assert len(warc_paths([crawled["warc"]])) >= 4
    articles = {a["article_id"]: a for a in _rows(crawled["single"], "community", "articles")}
    comments = _rows(crawled["single"], "community", "comments")
    # Threads whose comment pages or REST answers sit in another file than their article page.
    assert any(c["warc_file"] != articles[c["article_id"]]["warc_file"] for c in comments)
    # The alias is read as the post it is; the post's own URL, read first, is the one stored.
    post, alias = crawled["sample"] + POST, crawled["sample"] + ALIAS
    assert post in {a["url"] for a in articles.values()} and alias not in {a["url"] for a in articles.values()}
    pages = _rows(crawled["single"], "community", "pages")
    assert alias in {p["url"] for p in pages}
    # The dead blog's start page, robots.txt and sitemaps: answered 404, held by no file.
    missing = {p["url"]: p["status"] for p in pages if not p["warc_record_id"]}
    assert crawled["dead"] in missing and {u[:len(crawled["dead"])] for u in missing} == {crawled["dead"]}
    assert set(missing.values()) == {404}


def test_two_processes_give_the_single_process_rows(crawled, tmp_path):
    proc = run_reextract([crawled["warc"]], tmp_path, "-a", "processes=2")
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert "on 2 process(es)" in proc.stderr
    _assert_same_dataset(crawled["single"], tmp_path)
    tasks = _manifest(tmp_path, "community")["tasks"]
    assert [t["warc_file"] for t in tasks] == [p.name for p in warc_paths([crawled["warc"]])]
    assert all(t["outcome"] in ("finished", "finished_with_errors") and t["error"] is None for t in tasks)


def test_a_dask_cluster_gives_the_single_process_rows(crawled, tmp_path):
    distributed = pytest.importorskip("distributed")
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True, host="127.0.0.1",
                                  dashboard_address=None) as cluster:
        proc = run_reextract([crawled["warc"]], tmp_path, "-a", f"scheduler={cluster.scheduler_address}")
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert f"worker(s) of {cluster.scheduler_address}" in proc.stderr
    _assert_same_dataset(crawled["single"], tmp_path)


def test_a_task_reads_only_its_files_pages_and_follows_no_link(crawled, tmp_path):
    paths = warc_paths([crawled["warc"]])
    settings = {"WARC_REPLAY_FILES": [str(p) for p in paths], "WARC_ENABLED": False, "INCREMENTAL_ENABLED": False,
                "AUTOTHROTTLE_ENABLED": False, "DOWNLOAD_DELAY": 0, "RETRY_ENABLED": False}
    listing = crawled["tmp"] / "blogs.txt"
    tasks = plan(paths, tmp_path, Runner(1), {"seeds": str(listing), "crawl": "community"}, settings)
    articles = _rows(crawled["single"], "community", "articles")
    for task in tasks:
        holds = {a["article_id"] for a in articles if a["warc_file"] == Path(task.warc).name}
        if holds:
            break
    result = run_task(task)
    assert result.ok, result.error
    stored = read_table(Path(task.folder), "community", "articles")
    assert {a["article_id"] for a in stored} == holds  # its own pages' articles, none reached by a link
    expected = {a["article_id"]: a for a in articles}
    for a in stored:
        assert a == expected[a["article_id"]]


def _task_pid(marker: str, timeout: float = 60) -> int:
    """The pid of a rebuild task whose command line names ``marker``."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        for entry in Path("/proc").iterdir():
            try:
                cmdline = (entry / "cmdline").read_bytes()
            except (OSError, ValueError):
                continue
            if b"scraper.parallel" in cmdline and marker.encode() in cmdline:
                return int(entry.name)
        time.sleep(0.02)
    raise AssertionError("no task process started")


def test_a_killed_task_is_listed_and_the_exit_code_says_so(crawled, tmp_path):
    if not Path("/proc/self/cmdline").exists():
        pytest.skip("needs /proc to find the task's process")
    cmd = [sys.executable, "-m", "scrapy.cmdline", "reextract", str(crawled["warc"]), "-a", f"out={tmp_path}",
           "-a", "processes=2"]
    proc = subprocess.Popen(cmd, cwd=ROOT, env=crawl_env(None), stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            text=True)
    os.kill(_task_pid(str(tmp_path / "community" / ".tasks" / "task-00000")), signal.SIGKILL)
    _, stderr = proc.communicate(timeout=300)
    first = warc_paths([crawled["warc"]])[0].name
    assert proc.returncode == 3, stderr[-3000:]  # finished with errors: not every file was read
    manifest = _manifest(tmp_path, "community")
    assert (manifest["outcome"], manifest["exit_code"]) == ("finished_with_errors", 3)
    [listed] = [e for e in manifest["errors"] if e["message"].startswith("Re-extraction of")]
    assert listed["message"].startswith(f"Re-extraction of {first} did not finish (killed by signal 9")
    assert [t["error"] is not None for t in manifest["tasks"]] == [True] + [False] * (len(manifest["tasks"]) - 1)
    # What the other tasks stored is whole and there, and nothing hidden is left behind.
    assert manifest["counts"]["articles"] == len(read_table(tmp_path, "community", "articles")) > 0
    assert not (tmp_path / "community" / ".tasks").exists()


def test_a_processes_argument_that_is_no_count_is_a_usage_error(crawled, tmp_path):
    proc = run_reextract([crawled["warc"]], tmp_path, "-a", "processes=two")
    assert proc.returncode == 2 and "-a processes= takes a number of processes" in proc.stderr


# -- the merge, on its own: which of two tasks' copies of an article is kept ----------------
def _task_dataset(folder: Path, articles: list[dict], comments: list[dict], pages: list[dict],
                  finish_reason: str = "finished") -> TaskOutput:
    crawl = folder / "community"
    for name, rows in (("articles", articles), ("comments", comments), ("pages", pages)):
        (crawl / name).mkdir(parents=True)
        pq.write_table(pa.Table.from_pylist([{f.name: r.get(f.name) for f in TABLES[name]} for r in rows],
                                            schema=TABLES[name]), crawl / name / "part-00000.parquet")
    (crawl / "crawl.json").write_text(json.dumps({"finish_reason": finish_reason, "outcome": "finished",
                                                  "errors_total": 1, "errors": [
                                                      {"time": "2024-01-01T00:00:00+00:00", "url": "http://b.test/x",
                                                       "message": "HTTP 404"}]}))
    return TaskOutput(str(folder / f"{folder.name}.warc.gz"), crawl, None)


def _at(clock: str) -> datetime:
    return datetime.fromisoformat(f"2024-01-01T{clock}+00:00")


def _article(url: str, fetched: datetime, warc: str) -> dict:
    return {"article_id": "a1", "url": url, "canonical_url": "http://b.test/post/", "site": "b.test",
            "page_kind": "post", "fetched_at": fetched, "warc_file": warc, "crawl_id": "community",
            "comment_count": 1}


def _comment(text: str) -> dict:
    return {"comment_id": "1", "article_id": "a1", "article_url": "http://b.test/post/", "depth": 0, "position": 0,
            "text": text, "kind": "comment", "parent_source": "html", "crawl_id": "community"}


def _page(url: str) -> dict:
    return {"url": url, "status": 200, "unchanged": False, "fetched_at": _at("00:00:00"),
            "crawl_id": "community"}


def _settings(tmp_path: Path) -> Settings:
    return Settings({"CRAWL_ID": "community", "DATASET_ROOT": str(tmp_path / "out"), "PARQUET_COMMIT_INTERVAL": 0,
                     "INCREMENTAL_ENABLED": False, "CRAWL_SEEDS": ["http://b.test/"], "CRAWL_START_URL": "http://b.test/"})


@pytest.mark.parametrize("order", [(0, 1), (1, 0)])
def test_an_article_two_tasks_stored_is_kept_once_from_its_earliest_capture(tmp_path, order):
    tasks = [_task_dataset(tmp_path / "t0", [_article("http://b.test/?p=1", _at("00:00:05"), "c-00000.warc.gz")],
                           [_comment("late")], [_page("http://b.test/?p=1"), _page("http://b.test/robots.txt")]),
             _task_dataset(tmp_path / "t1", [_article("http://b.test/post/", _at("00:00:01"), "c-00001.warc.gz")],
                           [_comment("early")], [_page("http://b.test/post/"), _page("http://b.test/robots.txt")])]
    manifest = merge(_settings(tmp_path), [tasks[i] for i in order])
    [article] = read_table(tmp_path / "out", "community", "articles")
    [comment] = read_table(tmp_path / "out", "community", "comments")
    assert (article["url"], comment["text"]) == ("http://b.test/post/", "early")
    assert sorted(p["url"] for p in read_table(tmp_path / "out", "community", "pages")) == [
        "http://b.test/?p=1", "http://b.test/post/", "http://b.test/robots.txt"]
    # Counts from the merged parts; an error both tasks met is listed once (a 404: no failure).
    assert (manifest["counts"]["articles"], manifest["counts"]["comments"], manifest["counts"]["pages"]) == (1, 1, 3)
    assert manifest["errors_total"] == 1 and manifest["counts"]["http_errors"] == {"404": 1}
    assert (manifest["outcome"], manifest["exit_code"]) == ("finished", 0)


def test_a_task_that_was_interrupted_makes_the_rebuild_interrupted(tmp_path):
    ended = [_task_dataset(tmp_path / "t0", [], [], [_page("http://b.test/")]),
             _task_dataset(tmp_path / "t1", [], [], [_page("http://b.test/a/")], finish_reason="shutdown")]
    manifest = merge(_settings(tmp_path), ended)
    assert (manifest["finish_reason"], manifest["outcome"], manifest["exit_code"]) == ("shutdown", "interrupted", 5)
