"""A crawl's promises under faults: one writer per crawl folder, redirects kept on the blog's
hosts, every failed request listed with its reason, and an exit code that tells the truth.
Crawls run in child processes against servers on 127.0.0.1 started here."""
from __future__ import annotations

import gzip
import json
import os
import signal
import subprocess
import sys
import time
from http.server import BaseHTTPRequestHandler
from pathlib import Path

import pyarrow.parquet as pq
import pytest

from scraper.lock import FolderLock
from scraper.outcome import CrawlSetupError
from scraper.replay import LoopbackServer, ReplaySite, send

from conftest import WORDPRESS, manifest_files, truth_posts
from crawl_helpers import ROOT, crawl_command, crawl_env, read_table, run_crawl

THEME = "twentytwentyone"
START = "http://blog.example.test:8081/"
QUIET = START + "2016/04/a-quiet-note-on-archive-formats/"


@pytest.fixture
def site_dir() -> Path:
    path = WORDPRESS / "site" / THEME
    if not (path / "manifest.json").exists():
        pytest.skip(f"shared WordPress corpus not found at {WORDPRESS}")
    return path


def manifest(out: Path, crawl: str) -> dict:
    return json.loads((out / crawl / "crawl.json").read_text())


def listed(m: dict, url: str) -> list[str]:
    return [e["message"] for e in m["errors"] if e["url"] == url]


# -- one writer per crawl folder ------------------------------------------------------------------
def test_a_folder_lock_names_its_holder_and_a_dead_holders_lock_is_free(tmp_path):
    first = FolderLock(tmp_path / "crawl", "crawl folder")
    first.acquire()
    with pytest.raises(CrawlSetupError, match=rf"in use by another crawl \(pid {os.getpid()}\)"):
        FolderLock(tmp_path / "crawl", "crawl folder").acquire()
    first.release()
    assert not (tmp_path / "crawl" / ".lock").exists()
    # A holder killed with SIGKILL leaves its lock file behind, but not its lock.
    holder = subprocess.Popen([sys.executable, "-c", (
        "import sys, time; from pathlib import Path; from scraper.lock import FolderLock; "
        f"FolderLock(Path({str(tmp_path / 'crawl')!r}), 'crawl folder').acquire(); print('held', flush=True); "
        "time.sleep(60)")], cwd=ROOT, env=crawl_env(None), stdout=subprocess.PIPE, text=True)
    assert holder.stdout.readline().strip() == "held"
    with pytest.raises(CrawlSetupError, match=f"pid {holder.pid}"):
        FolderLock(tmp_path / "crawl", "crawl folder").acquire()
    holder.kill()
    holder.wait()
    assert (tmp_path / "crawl" / ".lock").exists()
    taken = FolderLock(tmp_path / "crawl", "crawl folder")
    taken.acquire()
    assert (tmp_path / "crawl" / ".lock").read_text().strip() == str(os.getpid())
    taken.release()


@pytest.mark.parametrize("shared", ["crawl folder", "job directory"])
def test_a_second_crawl_into_a_folder_in_use_refuses_to_start(site_dir, tmp_path, shared):
    slow = ["-s", "DOWNLOAD_DELAY=0.2", "-s", "CONCURRENT_REQUESTS_PER_DOMAIN=1",
            "-s", f"JOBDIR={tmp_path / 'job'}"]
    second_id = "same" if shared == "crawl folder" else "other"
    with ReplaySite(site_dir) as site:
        first = subprocess.Popen(crawl_command(START, tmp_path, "same", *slow), cwd=ROOT,
                                 env=crawl_env(site.proxy_url), stderr=subprocess.PIPE, text=True)
        for line in first.stderr:  # the first crawl holds its folders once its spider is open
            if "Spider opened" in line:
                break
        second = run_crawl(START, tmp_path, second_id, site.proxy_url, *slow, timeout=120)
        rest = first.communicate(timeout=180)[1]
    assert second.returncode == 1, second.stderr[-2000:]
    errors = [line for line in second.stderr.splitlines() if line.startswith("Error:")]
    instead = "-a crawl=NAME" if shared == "crawl folder" else "-s JOBDIR=DIR"
    assert errors == [f"Error: the {shared} {tmp_path / ('same' if shared == 'crawl folder' else 'job')} "
                      f"is in use by another crawl (pid {first.pid}): wait for it to end, or give this "
                      f"crawl another {instead}"]
    assert "Traceback" not in second.stderr
    assert first.returncode in (0, 3), rest[-2000:]
    assert not (tmp_path / "other").exists() or not list((tmp_path / "other").rglob("*.parquet"))
    # The first crawl's dataset is whole and its own: every row once, no part of the second.
    articles = read_table(tmp_path, "same", "articles")
    assert sorted(a["canonical_url"] for a in articles) == sorted(p["url"] for p in truth_posts())
    comments = read_table(tmp_path, "same", "comments")
    assert len({(c["article_id"], c["comment_id"]) for c in comments}) == len(comments)
    assert len(list((tmp_path / "same" / "warc").glob("*.warc.gz"))) == 1
    assert not list((tmp_path / "same").rglob(".lock"))


# -- scope ------------------------------------------------------------------------------------------
def test_a_redirect_to_another_host_is_refused_and_listed(site_dir, tmp_path):
    evil = "http://elsewhere.example.test:8081/evil/"
    with ReplaySite(site_dir) as site:
        site.override(QUIET, status=302, headers={"Location": evil})
        site.override(evil, body=manifest_files(THEME)[QUIET].read_bytes())
        proc = run_crawl(START, tmp_path, "scope", site.proxy_url)
        asked = list(site.requests)
    assert proc.returncode == 3, proc.stderr[-3000:]
    articles = read_table(tmp_path, "scope", "articles")
    assert {a["canonical_url"] for a in articles} == {p["url"] for p in truth_posts()} - {QUIET}
    assert not [a for a in articles if "elsewhere" in a["url"]]
    assert not [u for u in asked if "elsewhere" in u]  # neither the page nor its robots.txt
    m = manifest(tmp_path, "scope")
    assert listed(m, QUIET) == [
        "Request failed: a redirect to another host (elsewhere.example.test:8081) is not followed: add it "
        f"with -a hosts=... to allow it ({QUIET} → {evil})"]


# -- failures listed, exit codes ---------------------------------------------------------------------
class HostileBlog(BaseHTTPRequestHandler):
    """One real article page and a link to each way a request can fail."""
    article: bytes = b""
    FAULTS = ("/dataloss/", "/slow/", "/gzip/", "/loop/", "/many/0/")

    def do_GET(self) -> None:  # noqa: N802 - the http.server API
        path = self.path
        if path == "/":
            links = "".join(f'<a href="{p}">{p}</a> ' for p in ("/article/", *self.FAULTS))
            feed = '<link rel="alternate" type="application/rss+xml" href="/feed/">'  # moved away
            send(self, 200, f"<html><head>{feed}</head><body><h1>A blog</h1>{links}</body></html>".encode())
        elif path == "/feed/":
            send(self, 302, b"", headers={"Location": "http://feeds.elsewhere.test/a-blog"})
        elif path == "/article/":
            send(self, 200, self.article)
        elif path == "/dataloss/":  # promises more than it sends
            self.send_response(200)
            self.send_header("Content-Type", "text/html")
            self.send_header("Content-Length", "100000")
            self.end_headers()
            self.wfile.write(self.article[:1000])
            self.wfile.flush()
            self.connection.shutdown(1)
        elif path == "/slow/":  # well past the crawl's DOWNLOAD_TIMEOUT, even on a loaded machine
            time.sleep(12)
            send(self, 200, self.article)
        elif path == "/gzip/":
            send(self, 200, b"\x1f\x8b\x08\x00 this is not deflate data at all", headers={"Content-Encoding": "gzip"})
        elif path in ("/loop/", "/loop2/"):
            send(self, 302, b"", headers={"Location": "/loop2/" if path == "/loop/" else "/loop/"})
        elif path.startswith("/many/"):
            send(self, 302, b"", headers={"Location": f"/many/{int(path.split('/')[2]) + 1}/"})
        else:
            send(self, 404, b"<html><body>Not found</body></html>")

    def log_message(self, *args) -> None:
        pass


@pytest.fixture
def hostile_blog(site_dir):
    # The real page, with a link the page wrote malformed: skipped, the article still stored.
    page = manifest_files(THEME)[QUIET].read_bytes()
    HostileBlog.article = page.replace(b"</body>", b'<a href="http://[::1/broken">a broken link</a></body>')
    with LoopbackServer(HostileBlog, name="hostile-blog") as server:
        yield server.url


def test_every_failed_request_is_listed_with_its_reason(hostile_blog, tmp_path):
    # A timeout of 3 s: every other answer comes at once, but a busy machine can hold one up
    # for over a second, and only /slow/ may time out.
    proc = run_crawl(hostile_blog + "/", tmp_path, "hostile", None, "-s", "DOWNLOAD_TIMEOUT=3",
                     "-s", "REDIRECT_MAX_TIMES=5", "-s", "ROBOTSTXT_OBEY=False")
    assert proc.returncode == 3, proc.stderr[-3000:]
    m = manifest(tmp_path, "hostile")
    assert (m["finish_reason"], m["outcome"], m["exit_code"]) == ("finished", "finished_with_errors", 3)
    assert [a["url"] for a in read_table(tmp_path, "hostile", "articles")] == [hostile_blog + "/article/"]
    reasons = {path: listed(m, hostile_blog + path) for path in HostileBlog.FAULTS}
    assert reasons["/dataloss/"] == ["Request failed: the connection closed before the whole body arrived (data loss)"]
    assert reasons["/slow/"] == ["Request failed: timed out (DOWNLOAD_TIMEOUT)"]
    assert reasons["/gzip/"] == ["Request failed: the compressed body is corrupt"]
    assert reasons["/loop/"] == [f"Request failed: redirect loop: {hostile_blog}/loop/ → {hostile_blog}/loop2/ → "
                                 f"{hostile_blog}/loop/"]
    assert reasons["/many/0/"] == ["Request failed: too many redirects (REDIRECT_MAX_TIMES)"]
    # An optional feed moved to another host (FeedBurner) is no failure of the crawl's.
    assert listed(m, hostile_blog + "/feed/") == []


def test_a_start_page_that_is_not_found_fails(hostile_blog, tmp_path):
    proc = run_crawl(hostile_blog + "/no-such-page/", tmp_path, "missing", None, "-s", "ROBOTSTXT_OBEY=False")
    assert proc.returncode == 4, proc.stderr[-3000:]
    m = manifest(tmp_path, "missing")
    assert (m["finish_reason"], m["outcome"]) == ("failed", "failed")
    assert listed(m, hostile_blog + "/no-such-page/") == ["HTTP 404"]


def test_a_crawl_folder_that_is_also_its_jobdir_runs(hostile_blog, tmp_path):
    proc = run_crawl(hostile_blog + "/article/", tmp_path, "same", None, "-s", f"JOBDIR={tmp_path / 'same'}",
                     "-s", "ROBOTSTXT_OBEY=False")
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert len(read_table(tmp_path, "same", "articles")) == 1


class SlowPage(BaseHTTPRequestHandler):
    """Every answer takes 10 s: a clean stop waits for it, so the second Ctrl-C surely comes
    while the first one's stop is still going on."""

    def do_GET(self) -> None:  # noqa: N802 - the http.server API
        time.sleep(10)
        send(self, 200, b"<html><body><p>slow</p></body></html>", "text/html")

    def log_message(self, *args) -> None:
        pass


def test_a_second_ctrl_c_forces_a_stop_that_exits_as_interrupted(tmp_path):
    with LoopbackServer(SlowPage, name="slow") as server:
        cmd = crawl_command(server.url, tmp_path, "forced", "-s", "ROBOTSTXT_OBEY=False")
        proc = subprocess.Popen(cmd, cwd=ROOT, env=crawl_env(None), stderr=subprocess.PIPE, text=True)
        for line in proc.stderr:
            if "Spider opened" in line:
                break
        time.sleep(0.5)  # the start page is being downloaded
        proc.send_signal(signal.SIGINT)
        time.sleep(0.3)
        assert proc.poll() is None, "the first Ctrl-C's stop did not wait for the download"
        proc.send_signal(signal.SIGINT)
        proc.communicate(timeout=60)
    assert proc.returncode == 5


def test_crawl_with_no_spider_prints_its_usage():
    proc = subprocess.run([sys.executable, "-m", "scrapy.cmdline", "crawl"], cwd=ROOT, env=crawl_env(None),
                          capture_output=True, text=True, timeout=60)
    assert proc.returncode == 2 and "Usage" in proc.stdout + proc.stderr and "None" not in proc.stderr


def test_an_unreachable_start_url_fails_with_its_reason(tmp_path):
    import socket
    with socket.socket() as s:  # a port nothing listens on
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    start = f"http://127.0.0.1:{port}/"
    proc = run_crawl(start, tmp_path, "unreachable", None)
    assert proc.returncode == 4, proc.stderr[-3000:]
    m = manifest(tmp_path, "unreachable")
    assert (m["finish_reason"], m["outcome"], m["exit_code"]) == ("failed", "failed", 4)
    assert listed(m, start) == ["Request failed: connection refused"]


def test_no_start_url_is_one_clear_line(tmp_path):
    cmd = [sys.executable, "-m", "scrapy.cmdline", "crawl", "blog", "-a", f"out={tmp_path}"]
    proc = subprocess.run(cmd, cwd=ROOT, env=crawl_env(None), capture_output=True, text=True, timeout=60)
    assert start_errors(proc) == [
        "Error: no start URL: give one with -a url=<URL>, e.g. scrapy crawl blog -a url=https://blog.example.org/, "
        "or a seed list with -a seeds=FILE"]


def start_errors(proc: subprocess.CompletedProcess) -> list[str]:
    """The ``Error:`` lines of a crawl that could not start: exit 1, no traceback."""
    assert proc.returncode == 1 and "Traceback" not in proc.stderr, proc.stderr[-2000:]
    return [line for line in proc.stderr.splitlines() if line.startswith("Error:")]


def _read_only_folder(tmp_path: Path) -> Path:
    folder = tmp_path / "ro"
    folder.mkdir()
    if os.geteuid() != 0:
        folder.chmod(0o555)
        return folder
    # root writes through file modes: a read-only mount is what refuses it
    done = subprocess.run(["mount", "-t", "tmpfs", "-o", "ro,size=1m", "tmpfs", str(folder)], capture_output=True)
    if done.returncode:
        pytest.skip(f"cannot make a read-only folder as root here: {done.stderr.decode().strip()}")
    return folder


def test_a_read_only_jobdir_is_one_clear_line(tmp_path):
    folder = _read_only_folder(tmp_path)
    try:
        proc = run_crawl("http://127.0.0.1:9/", tmp_path / "out", "ro-job", None, "-s", f"JOBDIR={folder / 'job'}",
                         timeout=60)
    finally:
        subprocess.run(["umount", str(folder)], capture_output=True)
    assert start_errors(proc) == [
        f"Error: cannot write to the job directory {folder / 'job'}: Read-only file system; "
        "choose a writable folder (-a out=DIR, -s JOBDIR=DIR)"]


def test_a_read_only_output_folder_is_one_clear_line(tmp_path):
    folder = _read_only_folder(tmp_path)
    try:
        proc = run_crawl("http://127.0.0.1:9/", folder, "ro-crawl", None, timeout=60)
    finally:
        subprocess.run(["umount", str(folder)], capture_output=True)
    assert start_errors(proc) == [f"Error: cannot write to the crawl folder {folder / 'ro-crawl'}: Read-only file system; "
                      "choose a writable folder (-a out=DIR, -s JOBDIR=DIR)"]


# -- a full disk ------------------------------------------------------------------------------------
def _mount_small_disk(folder: Path, size: str) -> Path:
    folder.mkdir()
    done = subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={size}", "tmpfs", str(folder)], capture_output=True)
    if done.returncode:
        pytest.skip(f"cannot mount a small tmpfs here (needs root): {done.stderr.decode().strip()}")
    return folder


@pytest.fixture
def small_disk(tmp_path):
    yield _mount_small_disk(tmp_path / "small", "1500k")
    subprocess.run(["umount", str(tmp_path / "small")], capture_output=True)


def test_a_disk_already_full_is_one_clear_line(tmp_path):
    folder = _mount_small_disk(tmp_path / "full", "512k")
    try:
        proc = run_crawl("http://127.0.0.1:9/", folder, "no-room", None, timeout=60)
    finally:
        subprocess.run(["umount", str(folder)], capture_output=True)
    assert start_errors(proc) == [
        f"Error: cannot write the dataset in {folder / 'no-room'}: No space left on device; free some "
        "space or choose another folder with -a out=DIR"]


def test_a_full_disk_stops_the_crawl_with_a_manifest_and_whole_articles(site_dir, small_disk):
    with ReplaySite(site_dir) as site:
        proc = run_crawl(START, small_disk, "full", site.proxy_url, "-s", "PARQUET_COMMIT_INTERVAL=0")
    assert proc.returncode == 6, proc.stderr[-3000:]
    m = manifest(small_disk, "full")
    assert m["finish_reason"] in ("warc_write_error", "dataset_write_error")
    assert (m["outcome"], m["exit_code"]) == ("write_error", 6)
    assert any("No space left on device" in e["message"] for e in m["errors"])
    articles = {a["article_id"] for a in read_table(small_disk, "full", "articles")}
    comments = read_table(small_disk, "full", "comments")
    assert {c["article_id"] for c in comments} <= articles  # never a comment without its article
    assert m["counts"]["articles"] == len(articles) and m["counts"]["comments"] == len(comments)
    for path in (small_disk / "full").rglob("part-*.parquet"):
        pq.read_table(path)
