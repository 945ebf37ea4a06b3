"""Fault injection: what a real crawl does with hostile servers, hostile pages and being killed.

Starts a hostile HTTP server on 127.0.0.1 (``benchmarks/hostile_server.py``) serving a small
WordPress-like blog plus one misbehaving URL per case, runs ``scrapy crawl blog`` against it as
a subprocess for each case, and reads what the crawl left behind: the Parquet tables and
``crawl.json``. One table row per case says whether the hostile page became an article row
(and whether that row is marked ``truncated``, schema 1.4), whether ``crawl.json`` lists an
error for it, whether the blog's normal articles were still stored, the exit code, the
``finish_reason``, the wall time and the crawl process's peak RSS.

A second table measures integrity: two crawls into the same dataset at once, and a generated
blog crawled with ``-s JOBDIR`` while being killed (SIGKILL) at seeded random moments and resumed
until it finishes, then stopped once by SIGTERM and once by SIGINT; each dataset is compared
with what the generated blog holds (articles, comments) and with an uninterrupted crawl's
``pages``.

The script reports what happens today; it assumes no column or ``crawl.json`` key beyond the
ones it checks for, so it keeps working while the crawler changes.

    .venv/bin/python benchmarks/faults.py [--only CASE[,CASE]] [--kills K] [--posts N] [--seed S] [--keep]

Against the last commit, without touching the working tree:

    mkdir /tmp/head && git archive HEAD | tar -x -C /tmp/head
    cp scraper/extractors/_walk.*.so /tmp/head/scraper/extractors/    # the built extension, if any
    .venv/bin/python benchmarks/faults.py --code /tmp/head
"""
from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime, timezone
from html import escape
from http.server import BaseHTTPRequestHandler
from pathlib import Path
from typing import Callable, Iterable
from urllib.parse import urlsplit

import pyarrow.parquet as pq

sys.path.insert(0, str(Path(__file__).resolve().parent))

from hostile_server import (  # noqa: E402
    Comment, GeneratedBlog, HostileServer, Route, article_page, listing_page, page_route, redirect_route,
    reset_connection, send, short_body_route, slow_route,
)

ROOT = Path(__file__).resolve().parents[1]
SCRAPY = ROOT / ".venv" / "bin" / "scrapy"
# The code the crawls run: this repository, or with --code another tree of it (``git archive``
# of an earlier commit, say), run with this repository's virtualenv for a before/after table.
CODE_ROOT = ROOT
# Every crawl here: no politeness delays (the server is ours, on loopback), and a download
# timeout of seconds so one stuck request cannot cost minutes; the timeout case lowers it to 2.
BASE_SETTINGS = {"DOWNLOAD_DELAY": "0", "AUTOTHROTTLE_ENABLED": "False", "DOWNLOAD_TIMEOUT": "10",
                 "LOG_LEVEL": "INFO"}
CASE_TIMEOUT = 120.0  # a crawl still running after this is killed and reported as hung
SIGNAL_GRACE = 60.0  # how long a crawl may take to stop after SIGTERM / SIGINT
HUGE_PAGE_BYTES = 50 * 1024 * 1024
NORMAL_POSTS = 3
TABLES = ("articles", "comments", "pages")

# Crawl processes still running: killed (by pid) if the script itself is interrupted.
_LIVE: set[CrawlProcess] = set()


# -- running one crawl ------------------------------------------------------------------------
def crawl_environment() -> dict[str, str]:
    """The crawl must reach 127.0.0.1 directly: no proxy from the caller's environment."""
    env = {k: v for k, v in os.environ.items() if k.lower() not in ("http_proxy", "https_proxy", "no_proxy")}
    # Ahead of the editable install's import hook, so CODE_ROOT's packages are the ones imported.
    env["PYTHONPATH"] = str(CODE_ROOT) + os.pathsep + env.get("PYTHONPATH", "")
    return env


def status_mb(pid: int, field: str) -> float | None:
    """A memory figure of ``/proc/<pid>/status`` in MB (``VmRSS``, ``VmHWM`` ...), where ``/proc``
    has it (Linux)."""
    try:
        with open(f"/proc/{pid}/status", encoding="ascii") as status:
            for line in status:
                if line.startswith(f"{field}:"):
                    return int(line.split()[1]) / 1024
    except (OSError, ValueError, IndexError):
        pass
    return None


def high_water_rss_mb(pid: int) -> float | None:
    """The process's peak RSS so far (``VmHWM``)."""
    return status_mb(pid, "VmHWM")


class CrawlProcess:
    """``scrapy crawl blog`` in a child process (its own session, so signals reach only it).

    Peak RSS: Linux keeps, in a child's ``ru_maxrss``, the RSS its parent had when it forked
    (exec carries the old high-water mark over), so after this script has held a 50 MB page the
    rusage of every later crawl would read at least that. ``VmHWM`` belongs to the crawl's own
    address space: it is polled while the crawl runs, and ``ru_maxrss`` (from ``os.wait4``, this
    child alone) is only the fallback where ``/proc`` is missing. A thread samples it, so a
    crawl is measured while the script waits on another one."""

    def __init__(self, start_url: str, out: Path, crawl_id: str, log_path: Path,
                 settings: dict[str, str] | None = None, jobdir: Path | None = None) -> None:
        command = [str(SCRAPY), "crawl", "blog", "-a", f"url={start_url}", "-a", f"out={out}",
                   "-a", f"crawl={crawl_id}"]
        merged = {**BASE_SETTINGS, **(settings or {})}
        if jobdir is not None:
            merged["JOBDIR"] = str(jobdir)
        for name, value in merged.items():
            command += ["-s", f"{name}={value}"]
        self.log_path = log_path
        self.exit_code: int | None = None
        self.wall: float | None = None
        self.peak_rss_mb: float | None = None
        self._high_water_mb: float | None = None
        self.hung = False  # still running at its deadline, killed by us
        with open(log_path, "ab") as log:
            self.process = subprocess.Popen(command, cwd=CODE_ROOT, env=crawl_environment(), stdout=log,
                                            stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                                            start_new_session=True)
        self.started = time.monotonic()
        _LIVE.add(self)
        threading.Thread(target=self._sample_high_water, daemon=True).start()

    def _sample_high_water(self) -> None:
        while self.exit_code is None:
            high_water = high_water_rss_mb(self.process.pid)  # None once the process has exited
            if high_water is not None:
                self._high_water_mb = max(high_water, self._high_water_mb or 0)
            time.sleep(0.02)

    def poll(self) -> bool:
        """True once the process has ended (it is then reaped, with its resource usage)."""
        if self.exit_code is not None:
            return True
        pid, status, usage = os.wait4(self.process.pid, os.WNOHANG)
        if pid == 0:
            return False
        self._reaped(status, usage)
        return True

    def _reaped(self, status: int, usage: os.struct_rusage) -> None:
        self.exit_code = os.waitstatus_to_exitcode(status)
        self.process.returncode = self.exit_code  # reaped here: Popen must not wait for it again
        self.wall = time.monotonic() - self.started
        # ru_maxrss is in kilobytes on Linux, in bytes on macOS.
        self.peak_rss_mb = self._high_water_mb or usage.ru_maxrss / (1024 * 1024 if sys.platform == "darwin" else 1024)
        _LIVE.discard(self)

    def send_signal(self, sig: int) -> None:
        if not self.poll():
            os.kill(self.process.pid, sig)

    def kill(self) -> None:
        """SIGKILL and reap."""
        if self.poll():
            return
        os.kill(self.process.pid, signal.SIGKILL)
        _, status, usage = os.wait4(self.process.pid, 0)
        self._reaped(status, usage)

    def wait(self, timeout: float = CASE_TIMEOUT) -> CrawlProcess:
        """Until the crawl ends; past ``timeout`` it is killed and marked hung."""
        deadline = time.monotonic() + timeout
        while not self.poll():
            if time.monotonic() > deadline:
                self.hung = True
                self.kill()
                break
            time.sleep(0.05)
        return self

    def wait_for(self, condition: Callable[[], bool], timeout: float = CASE_TIMEOUT) -> bool:
        """Until ``condition`` holds (True) or the crawl ends first (False)."""
        deadline = time.monotonic() + timeout
        while not self.poll():
            if condition():
                return True
            if time.monotonic() > deadline:
                return False
            time.sleep(0.02)
        return False

    @property
    def exit_text(self) -> str:
        if self.hung:
            return f"hung>{CASE_TIMEOUT:.0f}s"
        return "-" if self.exit_code is None else str(self.exit_code)

    def log_lines(self) -> list[str]:
        try:
            return self.log_path.read_text(encoding="utf-8", errors="replace").splitlines()
        except OSError:
            return []


# -- reading what a crawl stored ----------------------------------------------------------------
@dataclass
class Dataset:
    """One crawl folder as a reader sees it: only the visible ``part-*.parquet`` files count."""
    folder: Path
    tables: dict[str, list[dict]] = field(default_factory=lambda: {name: [] for name in TABLES})
    unreadable: list[str] = field(default_factory=list)  # part files pyarrow cannot read
    warc_unreadable: list[str] | None = None  # None: not checked
    hidden_leftovers: list[str] = field(default_factory=list)  # .part-*.tmp, .open WARC files
    manifest: dict | None = None
    manifest_problem: str | None = None

    @property
    def articles(self) -> list[dict]:
        return self.tables["articles"]

    @property
    def comments(self) -> list[dict]:
        return self.tables["comments"]

    @property
    def pages(self) -> list[dict]:
        return self.tables["pages"]

    @property
    def finish_reason(self) -> str:
        """``finish_reason``, and the crawl's ``outcome`` where crawl.json gives one that says more."""
        if self.manifest is None:
            return self.manifest_problem or "no crawl.json"
        reason = str(self.manifest.get("finish_reason") or "-")
        outcome = self.manifest.get("outcome")
        return f"{reason} ({outcome})" if outcome and outcome != reason else reason

    def truncation_entries(self, fragments: Iterable[str]) -> list[str]:
        """Entries of crawl.json's ``truncated`` list (where it has one) naming one of ``fragments``."""
        entries = (self.manifest or {}).get("truncated") or []
        texts = [e if isinstance(e, str) else json.dumps(e) for e in entries]
        fragments = [f for f in fragments if f]
        return [text for text in texts if any(f in text for f in fragments)]

    def errors(self) -> list[dict]:
        entries = (self.manifest or {}).get("errors") or []
        return [e for e in entries if isinstance(e, dict)]

    def errors_mentioning(self, fragments: Iterable[str]) -> list[str]:
        """Messages of the ``errors`` entries whose URL or message names one of ``fragments``."""
        fragments = [f for f in fragments if f]
        found = []
        for entry in self.errors():
            text = f"{entry.get('url') or ''} {entry.get('message') or ''}"
            if any(fragment in text for fragment in fragments):
                found.append(str(entry.get("message") or entry.get("url")))
        return found


def unreadable_warcs(paths: list[Path]) -> list[str] | None:
    """WARC files warcio cannot read to the end (None without warcio)."""
    try:
        from warcio.archiveiterator import ArchiveIterator
    except ImportError:
        return None
    bad = []
    for path in paths:
        try:
            with open(path, "rb") as stream:
                for record in ArchiveIterator(stream):
                    record.content_stream().read()
        except Exception as exc:  # noqa: BLE001 - any failure to read is the finding
            bad.append(f"{path.name}: {type(exc).__name__}")
    return bad


def read_dataset(folder: Path, check_warc: bool = False) -> Dataset:
    """The visible Parquet parts, crawl.json and leftovers of a crawl folder; ``check_warc``
    also reads every finished WARC file through."""
    data = Dataset(folder)
    for name in TABLES:
        table_folder = folder / name
        if not table_folder.is_dir():
            continue
        for path in sorted(table_folder.glob("part-*.parquet")):
            try:
                data.tables[name].extend(pq.read_table(path).to_pylist())
            except Exception as exc:  # noqa: BLE001 - any failure to read is the finding
                data.unreadable.append(f"{name}/{path.name}: {type(exc).__name__}")
        data.hidden_leftovers += [f"{name}/{p.name}" for p in table_folder.glob(".part-*")]
    warc = folder / "warc"
    if warc.is_dir():
        data.hidden_leftovers += [f"warc/{p.name}" for p in warc.glob("*.open")]
        if check_warc:
            data.warc_unreadable = unreadable_warcs(sorted(warc.glob("*.warc.gz")))
    manifest = folder / "crawl.json"
    try:
        data.manifest = json.loads(manifest.read_text(encoding="utf-8"))
    except FileNotFoundError:
        data.manifest_problem = "no crawl.json"
    except (OSError, ValueError) as exc:
        data.manifest_problem = f"crawl.json unreadable ({type(exc).__name__})"
    return data


def rows_at(rows: list[dict], fragments: Iterable[str]) -> list[dict]:
    """Article rows whose URL or canonical URL contains one of ``fragments``."""
    fragments = [f for f in fragments if f]
    return [r for r in rows if any(f in f"{r.get('url') or ''} {r.get('canonical_url') or ''}" for f in fragments)]


def truncation_of(row: dict) -> str | None:
    """The row's ``truncated`` marker (schema 1.4); a missing column counts as not marked."""
    value = row.get("truncated")
    return str(value) if value not in (None, "", False) else None


def clip(text: str, width: int) -> str:
    text = " ".join(str(text).split())
    return text if len(text) <= width else text[:width - 1] + "…"


# -- the single-page cases ----------------------------------------------------------------------
@dataclass
class CaseRow:
    case: str
    stored: str
    listed: str
    went_on: str
    exit: str
    finish: str
    wall: str
    rss: str
    want: str
    got: str


@dataclass
class CaseRun:
    crawl: CrawlProcess
    data: Dataset
    hostile_rows: list[dict]
    listed: list[str]
    normal_stored: int | None  # None: the case has no normal articles to store
    fragments: list[str]  # what names the hostile URL


class Bench:
    """The servers and the scratch folder shared by the cases."""

    def __init__(self, work: Path, seed: int) -> None:
        self.work = work
        self.seed = seed
        self.server = HostileServer().start()
        # The redirect target: another server, reached by another host name (localhost).
        self.other = HostileServer().start()
        self.normal = GeneratedBlog(NORMAL_POSTS, seed)
        self.normal.install(self.server)

    def close(self) -> None:
        self.server.stop()
        self.other.stop()

    @property
    def normal_paths(self) -> list[str]:
        return [post.path for post in self.normal.posts]

    def case_home(self, name: str, hostile_links: list[tuple[str, str]]) -> str:
        """``/c/<name>/``: a listing of the normal posts and the case's hostile URLs."""
        entries = [(p.path, p.title, "A note from the bench.") for p in self.normal.posts]
        entries += [(path, title, "Read this one too.") for path, title in hostile_links]
        home = f"/c/{name}/"
        self.server.page(home, listing_page(f"Case {name}", entries))
        return self.server.address(home)

    def run(self, name: str, hostile_links: list[tuple[str, str]], match: list[str] | None = None,
            settings: dict[str, str] | None = None, start_url: str | None = None,
            timeout: float = CASE_TIMEOUT) -> CaseRun:
        """One crawl of the case home (or ``start_url``); ``match``: what names the hostile URL
        in article rows and in crawl.json's errors (default: the hostile paths)."""
        # A dataset root per case: crawls of the same blog into one root are re-crawls, which
        # store only what changed, and the normal articles would be stored by the first case only.
        out = self.work / "cases" / name
        out.mkdir(parents=True, exist_ok=True)
        url = start_url or self.case_home(name, hostile_links)
        crawl = CrawlProcess(url, out, name, self.work / f"{name}.log", settings).wait(timeout)
        data = read_dataset(out / name)
        fragments = match if match is not None else [path for path, _ in hostile_links]
        normal = None if start_url else len(rows_at(data.articles, self.normal_paths))
        return CaseRun(crawl, data, rows_at(data.articles, fragments), data.errors_mentioning(fragments), normal,
                       fragments)


def hostile_article(path: str, title: str, body_html: str | None = None, comments: list[Comment] | None = None,
                    post_id: int = 500, **options: object) -> str:
    """An ordinary article page (two comments unless given), the base of most cases."""
    when = datetime(2024, 5, 6, 10, 0, tzinfo=timezone.utc)
    if comments is None:
        comments = [Comment(post_id * 10 + 1, "Ruth Abara", "A first reader comment on this page.", when,
                            [Comment(post_id * 10 + 2, "Kenji Sato", "And a reply to it.", when)])]
    body_html = body_html or ("<p>This article is served by the hostile bench. It has an ordinary body of "
                              "a few sentences, so that an extractor has something to read.</p>"
                              "<p>A second paragraph follows the first one, as in any blog post.</p>")
    return article_page(title=title, path=path, post_id=post_id, published=when, author="Margo Okafor",
                        body_html=body_html, comments=comments, **options)


def case_row(name: str, want: str, run: CaseRun, got: str) -> CaseRow:
    if run.hostile_rows:
        marks = [truncation_of(r) for r in run.hostile_rows]
        marked = [m for m in marks if m]
        stored = "yes" + (f", truncated: {clip(marked[0], 24)}" if marked else ", not marked truncated")
        if len(run.hostile_rows) > 1:
            stored = f"{len(run.hostile_rows)} rows, " + stored
    else:
        stored = "no"
    listed = f"yes: {clip(run.listed[0], 44)}" if run.listed else "no"
    went_on = "n/a" if run.normal_stored is None else f"{run.normal_stored}/{NORMAL_POSTS}"
    truncation_listed = run.data.truncation_entries(run.fragments)
    if truncation_listed:
        got += f"; crawl.json truncated: {clip(truncation_listed[0], 40)}"
    crawl = run.crawl
    return CaseRow(name, stored, listed, went_on, crawl.exit_text, run.data.finish_reason,
                   f"{crawl.wall:.1f}s" if crawl.wall is not None else "-",
                   f"{crawl.peak_rss_mb:.0f} MB" if crawl.peak_rss_mb is not None else "-", want, got)


def comment_rows(run: CaseRun) -> list[dict]:
    ids = {r.get("article_id") for r in run.hostile_rows}
    return [c for c in run.data.comments if c.get("article_id") in ids]


def served(server: HostileServer, prefix: str) -> int:
    return len(server.hits_under(prefix))


CaseFunction = Callable[[Bench], CaseRow]
CASES: dict[str, CaseFunction] = {}


def case(name: str) -> Callable[[CaseFunction], CaseFunction]:
    def register(function: CaseFunction) -> CaseFunction:
        CASES[name] = function
        return function
    return register


@case("redirect-offsite")
def redirect_offsite(bench: Bench) -> CaseRow:
    evil = bench.other.address("/evil/", host="localhost")
    bench.server.route("/h/redirect-offsite/go", redirect_route(evil))
    bench.other.page("/evil/", hostile_article("/evil/", "A page of another host"))
    run = bench.run("redirect-offsite", [("/h/redirect-offsite/go", "Go elsewhere")],
                    match=["/h/redirect-offsite/go", "/evil/"])
    got = (f"redirect to {evil}; that host was asked {served(bench.other, '/evil/')}x; "
           f"{len(comment_rows(run))} of its comments stored")
    return case_row("redirect-offsite", "not stored (another host); listed", run, got)


@case("deep-markup")
def deep_markup(bench: Bench) -> CaseRow:
    path = "/h/deep-markup/"
    marker = "AFTERDEEPMARKUP"
    body = ("<p>The nesting below is 5,000 elements deep.</p>" + "<div>" * 5000 + "deep inside"
            + "</div>" * 5000 + f"<p>{marker}: this paragraph comes after the nesting and is part of the article.</p>")
    bench.server.page(path, hostile_article(path, "Markup nested 5,000 deep", body))
    run = bench.run("deep-markup", [(path, "Deep markup")])
    text = " ".join(str(r.get("body_text") or "") for r in run.hostile_rows)
    got = (f"text after the nesting kept: {'yes' if marker in text else 'no'}; "
           f"comments {len(comment_rows(run))}/2" if run.hostile_rows else "no row")
    return case_row("deep-markup", "stored with the text after the nesting, or marked truncated", run, got)


@case("deep-thread")
def deep_thread(bench: Bench) -> CaseRow:
    path = "/h/deep-thread/"
    when = datetime(2024, 5, 6, 12, 0, tzinfo=timezone.utc)
    root = Comment(20000, "Reader 0", "Level 1 of a 500-level thread.", when)
    innermost = root
    for level in range(2, 501):
        reply = Comment(20000 + level - 1, f"Reader {level - 1}", f"Level {level} of a 500-level thread.", when)
        innermost.replies.append(reply)
        innermost = reply
    bench.server.page(path, hostile_article(path, "A thread 500 levels deep", comments=[root]))
    run = bench.run("deep-thread", [(path, "Deep thread")])
    comments = comment_rows(run)
    deepest = max((int(c.get("depth") or 0) for c in comments), default=0)
    got = f"comment rows {len(comments)}/500, deepest level {deepest}" if run.hostile_rows else "no row"
    return case_row("deep-thread", "500 comments, depth 500 (or marked truncated)", run, got)


@case("huge-page")
def huge_page(bench: Bench) -> CaseRow:
    path = "/h/huge-page/"
    filler = "This paragraph repeats to make the page fifty megabytes long, the way a runaway page would. " * 2
    shell = hostile_article(path, "A 50 MB page", "<p>BODY</p>").encode()
    paragraph_bytes = len(filler) + 20
    count = (HUGE_PAGE_BYTES - len(shell)) // paragraph_bytes
    body = "".join(f"<p>{i:09d} {filler}</p>\n" for i in range(count))
    page = hostile_article(path, "A 50 MB page", body).encode()
    bench.server.route(path, page_route(page))
    del body
    run = bench.run("huge-page", [(path, "Huge page")], timeout=CASE_TIMEOUT * 2)
    del bench.server.routes[path]  # 50 MB this script need not hold for the other cases
    stored_text = sum(len(str(r.get("body_text") or "")) for r in run.hostile_rows)
    for row in run.hostile_rows:
        row["body_text"] = None
    got = (f"served {len(page) / 2**20:.1f} MB; body text stored {stored_text / 2**20:.1f} MB; "
           f"comments {len(comment_rows(run))}/2")
    return case_row("huge-page", "refused and listed, or stored marked truncated; bounded memory", run, got)


def mislabelled_charset_case(bench: Bench, name: str, lang: str, title: str, text: str, encoding: str,
                             label: str) -> CaseRow:
    """A page whose bytes are in ``encoding`` while header and ``<meta charset>`` say ``label``."""
    path = f"/h/{name}/"
    body = "".join(f"<p>{escape(text)} {escape(text)}</p>" for _ in range(4))
    html = hostile_article(path, title, body, charset=label, lang=lang)
    page = html.encode(encoding, "xmlcharrefreplace")  # the template's dashes, as a server would write them
    bench.server.route(path, page_route(page, f"text/html; charset={label}"))
    run = bench.run(name, [(path, title)])
    if not run.hostile_rows:
        return case_row(name, f"text read as {encoding}", run, "no row")
    row = run.hostile_rows[0]
    right = text in str(row.get("body_text") or "") and title in str(row.get("title") or "")
    got = f"decoded right: {'yes' if right else 'no'}; title read as {clip(repr(row.get('title')), 40)}"
    return case_row(name, f"text read as {encoding}", run, got)


@case("koi8r-as-cp1251")
def koi8r_as_cp1251(bench: Bench) -> CaseRow:
    return mislabelled_charset_case(
        bench, "koi8r-as-cp1251", "ru", "Проверка кодировки страницы",
        "Съешь же ещё этих мягких французских булок, да выпей чаю. Мастерская и паяльник ждут.",
        "koi8-r", "windows-1251")


@case("cp1256-as-koi8r")
def cp1256_as_koi8r(bench: Bench) -> CaseRow:
    return mislabelled_charset_case(
        bench, "cp1256-as-koi8r", "ar", "اختبار ترميز الصفحة",
        "هذا نص عربي لاختبار قراءة الصفحة بترميز خاطئ في الرأس والوسم، والمقالة عادية تماما.",
        "cp1256", "koi8-r")


@case("bad-canonical")
def bad_canonical(bench: Bench) -> CaseRow:
    path = "/h/bad-canonical/"
    bench.server.page(path, hostile_article(path, "A malformed canonical link",
                                            head='\n<link rel="canonical" href="http://[::1" />'))
    run = bench.run("bad-canonical", [(path, "Bad canonical")])
    got = (f"canonical_url {clip(repr(run.hostile_rows[0].get('canonical_url')), 50)}; comments "
           f"{len(comment_rows(run))}/2" if run.hostile_rows else "no row")
    return case_row("bad-canonical", "stored under its own URL; no crash", run, got)


@case("bad-link")
def bad_link(bench: Bench) -> CaseRow:
    path = "/h/bad-link/"
    body = ('<p>A paragraph with <a href="http://[::1/broken">a malformed link</a> in it, and the '
            'article goes on after it with more words.</p>')
    bench.server.page(path, hostile_article(path, "A malformed link", body))
    run = bench.run("bad-link", [(path, "Bad link")])
    got = f"comments {len(comment_rows(run))}/2" if run.hostile_rows else "no row"
    return case_row("bad-link", "stored, the link skipped; no crash", run, got)


def failing_url_case(bench: Bench, name: str, want: str, route: Route | None,
                     settings: dict[str, str] | None = None, extra: str = "") -> CaseRow:
    """An article link whose answer is an error of some kind; ``route`` None: a plain 404."""
    path = f"/h/{name}/"
    if route is not None:
        bench.server.route(path, route)
    run = bench.run(name, [(path, name)], settings=settings)
    got = f"the URL was asked {served(bench.server, path)}x" + extra
    return case_row(name, want, run, got)


@case("http-500")
def http_500(bench: Bench) -> CaseRow:
    error_page = b"<!doctype html><html><body><h1>Internal Server Error</h1></body></html>"
    return failing_url_case(bench, "http-500", "not stored; listed", page_route(error_page, status=500))


@case("http-404")
def http_404(bench: Bench) -> CaseRow:
    return failing_url_case(bench, "http-404", "not stored; listed", None)


@case("reset")
def connection_reset(bench: Bench) -> CaseRow:
    return failing_url_case(bench, "reset", "not stored; listed", reset_connection)


@case("data-loss")
def data_loss(bench: Bench) -> CaseRow:
    path = "/h/data-loss/"
    page = hostile_article(path, "A page cut off mid-body").encode()
    return failing_url_case(bench, "data-loss", "not stored or stored marked truncated; listed",
                            short_body_route(page[:len(page) // 2]),
                            extra=f"; Content-Length {len(page) // 2 + 10_000}, {len(page) // 2} bytes sent")


@case("bad-gzip")
def bad_gzip(bench: Bench) -> CaseRow:
    garbage = random.Random(bench.seed).randbytes(4096)
    route = page_route(garbage, headers={"Content-Encoding": "gzip"})
    return failing_url_case(bench, "bad-gzip", "not stored; listed", route)


@case("timeout")
def timeout(bench: Bench) -> CaseRow:
    path = "/h/timeout/"
    page = hostile_article(path, "A page that takes too long").encode()
    return failing_url_case(bench, "timeout", "not stored; listed", slow_route(page, 4.0),
                            settings={"DOWNLOAD_TIMEOUT": "2"}, extra=" (answers after 4 s; DOWNLOAD_TIMEOUT=2)")


@case("redirect-loop")
def redirect_loop(bench: Bench) -> CaseRow:
    a, b = "/h/redirect-loop/a/", "/h/redirect-loop/b/"
    bench.server.route(a, redirect_route(b))
    bench.server.route(b, redirect_route(a))
    run = bench.run("redirect-loop", [(a, "Redirect loop")], match=["/h/redirect-loop/"])
    got = f"a asked {served(bench.server, a)}x, b asked {served(bench.server, b)}x"
    return case_row("redirect-loop", "not stored; listed", run, got)


@case("too-many-redirects")
def too_many_redirects(bench: Bench) -> CaseRow:
    hops = 30
    prefix = "/h/too-many-redirects/hop/"
    for n in range(hops):
        bench.server.route(f"{prefix}{n}/", redirect_route(f"{prefix}{n + 1}/"))
    bench.server.page(f"{prefix}{hops}/", hostile_article(f"{prefix}{hops}/", "Thirty redirects away"))
    run = bench.run("too-many-redirects", [(f"{prefix}0/", "Many redirects")], match=["/h/too-many-redirects/"])
    got = f"{served(bench.server, prefix)} of {hops + 1} hops asked (the article is behind {hops} redirects)"
    return case_row("too-many-redirects", "not stored; listed", run, got)


@case("retry-after")
def retry_after(bench: Bench) -> CaseRow:
    path = "/h/retry-after/"
    page = hostile_article(path, "Busy at first").encode()
    asked: list[int] = []

    def busy_once(handler: BaseHTTPRequestHandler) -> None:
        asked.append(1)
        if len(asked) == 1:
            send(handler, 503, b"<html><body>Busy, come back later</body></html>", headers={"Retry-After": "3"})
        else:
            send(handler, 200, page)

    bench.server.route(path, busy_once)
    run = bench.run("retry-after", [(path, "Retry after")])
    hits = bench.server.hits_under(path)
    waited = f"{hits[1].at - hits[0].at:.2f}s" if len(hits) > 1 else "never asked again"
    got = f"second request {waited} after the 503 (Retry-After: 3); asked {len(hits)}x"
    return case_row("retry-after", "asked again >= 3 s later; stored", run, got)


@case("rest-parent-cycle")
def rest_parent_cycle(bench: Bench) -> CaseRow:
    path = "/h/rest-parent-cycle/"
    api = "/h/rest-parent-cycle/wp-json/"
    when = datetime(2024, 5, 6, 10, 0, tzinfo=timezone.utc)
    # The page shows three flat comments; the REST API says 701 → 702 → 703 → 701.
    comments = [Comment(701 + i, f"Reader {i}", f"Comment {i} of a parent cycle.", when) for i in range(3)]
    parents = {701: 703, 702: 701, 703: 702}
    rest = [{"id": cid, "parent": parent, "post": 777, "author_name": f"Reader {cid - 701}",
             "date_gmt": "2024-05-06T10:00:00", "content": {"rendered": f"<p>Comment {cid - 701} of a parent cycle.</p>"},
             "link": bench.server.address(f"{path}#comment-{cid}"), "type": "comment"} for cid, parent in parents.items()]
    head = f'\n<link rel="canonical" href="{path}" />\n<link rel="https://api.w.org/" href="{api}" />'
    bench.server.page(path, hostile_article(path, "Comments whose REST parents form a cycle", comments=comments,
                                            post_id=777, head=head))
    bench.server.route(f"{api}wp/v2/comments", page_route(json.dumps(rest).encode(), "application/json",
                                                          headers={"X-WP-Total": "3", "X-WP-TotalPages": "1"}))
    bench.server.route(f"{api}wp/v2/users", page_route(b"[]", "application/json"))
    run = bench.run("rest-parent-cycle", [(path, "REST parent cycle")])
    rows = comment_rows(run)
    shape = ", ".join(f"{c.get('comment_id')}→{c.get('parent_id')}@{c.get('depth')}"
                      for c in sorted(rows, key=lambda c: str(c.get("comment_id"))))
    got = (f"REST asked {served(bench.server, api + 'wp/v2/comments')}x; {len(rows)}/3 rows "
           f"(id→parent@depth: {shape or '-'})" if run.hostile_rows else "no row")
    return case_row("rest-parent-cycle", "3 comment rows, none lost; no hang", run, got)


@case("duplicate-comment-ids")
def duplicate_comment_ids(bench: Bench) -> CaseRow:
    path = "/h/duplicate-comment-ids/"
    when = datetime(2024, 5, 6, 10, 0, tzinfo=timezone.utc)
    comments = [Comment(901 + i // 2, f"Reader {i}", f"Comment number {i}, distinct text.", when) for i in range(6)]
    bench.server.page(path, hostile_article(path, "Six comments, three ids", comments=comments))
    run = bench.run("duplicate-comment-ids", [(path, "Duplicate comment ids")])
    rows = comment_rows(run)
    texts = {str(c.get("text")) for c in rows}
    got = (f"6 comments on the page, 3 ids: {len(rows)} rows, {len(texts)} distinct texts"
           if run.hostile_rows else "no row")
    return case_row("duplicate-comment-ids", "6 comments kept, or the collision listed", run, got)


@case("unreachable-start")
def unreachable_start(bench: Bench) -> CaseRow:
    with socket.socket() as probe:  # a port nobody listens on: bound, then released
        probe.bind(("127.0.0.1", 0))
        closed_port = probe.getsockname()[1]
    start = f"http://127.0.0.1:{closed_port}/"
    run = bench.run("unreachable-start", [], match=[f"127.0.0.1:{closed_port}"], start_url=start)
    errors = run.data.manifest.get("errors_total") if run.data.manifest else None
    got = f"errors_total {errors}; articles stored {len(run.data.articles)}"
    row = case_row("unreachable-start", "exit code != 0 or finish_reason not 'finished'; listed", run, got)
    row.stored = "n/a"
    return row


# -- integrity: concurrent crawls, kills, signals ----------------------------------------------------
@dataclass
class IntegrityRow:
    run: str
    exit: str
    finish: str
    articles: str  # missing/duplicated
    comments: str
    pages: str
    unreadable: str
    wall: str
    rss: str
    note: str


@dataclass
class Comparison:
    articles_missing: int
    articles_duplicated: int
    articles_extra: int
    comments_missing: int
    comments_duplicated: int
    pages_missing: int | None  # None: nothing to compare with
    pages_duplicated: int
    examples: list[str]  # a few of the missing rows, to start looking from
    unreadable: list[str]
    warc_unreadable: list[str] | None
    leftovers: list[str]

    def cells(self) -> tuple[str, str, str, str]:
        pages = "-" if self.pages_missing is None else str(self.pages_missing)
        warc = "-" if self.warc_unreadable is None else str(len(self.warc_unreadable))
        return (f"{self.articles_missing}/{self.articles_duplicated}",
                f"{self.comments_missing}/{self.comments_duplicated}",
                f"{pages}/{self.pages_duplicated}",
                f"{len(self.unreadable)}/{warc}")


def duplicates(keys: Iterable[object]) -> int:
    """Rows beyond the first for each key."""
    return sum(n - 1 for n in Counter(keys).values() if n > 1)


def compare(data: Dataset, truth: dict[str, set[str]], expected_pages: set[str] | None) -> Comparison:
    """``data`` against the generated blog's ``truth`` (article path → comment ids) and, for
    ``pages``, the URLs an uninterrupted crawl recorded."""
    ids_by_path: dict[str, set[str]] = {}
    for row in data.articles:
        ids_by_path.setdefault(urlsplit(str(row.get("url") or "")).path, set()).add(str(row.get("article_id")))
    comments_by_article: dict[str, set[str]] = {}
    for c in data.comments:
        comments_by_article.setdefault(str(c.get("article_id")), set()).add(str(c.get("comment_id")))
    comments_missing = 0
    comment_examples: list[str] = []
    for path, comment_ids in truth.items():
        found: set[str] = set()
        for article_id in ids_by_path.get(path, ()):
            found |= comments_by_article.get(article_id, set())
        comments_missing += len(comment_ids - found)
        if path in ids_by_path:  # comments of a missing article are counted, not listed
            comment_examples += [f"comment {path}#{cid}" for cid in sorted(comment_ids - found)]
    page_urls = [str(p.get("url")) for p in data.pages]
    missing_articles = [path for path in truth if path not in ids_by_path]
    missing_pages = sorted(expected_pages - set(page_urls)) if expected_pages is not None else []
    examples = ([f"article {path}" for path in missing_articles[:2]] + comment_examples[:2]
                + [f"page {urlsplit(url).path}" for url in missing_pages[:2]])
    return Comparison(
        articles_missing=len(missing_articles),
        articles_duplicated=duplicates(r.get("article_id") for r in data.articles),
        articles_extra=sum(1 for path in ids_by_path if path not in truth),
        comments_missing=comments_missing,
        comments_duplicated=duplicates((c.get("article_id"), c.get("comment_id")) for c in data.comments),
        pages_missing=None if expected_pages is None else len(missing_pages),
        pages_duplicated=duplicates(page_urls),
        examples=examples,
        unreadable=data.unreadable,
        warc_unreadable=data.warc_unreadable,
        leftovers=data.hidden_leftovers)


def integrity_row(name: str, crawl: CrawlProcess | None, data: Dataset, comparison: Comparison, note: str,
                  exit_text: str | None = None, wall: float | None = None, rss: float | None = None) -> IntegrityRow:
    articles, comments, pages, unreadable = comparison.cells()
    notes = [note] if note else []
    if comparison.articles_extra:
        notes.append(f"{comparison.articles_extra} rows of URLs that are no article")
    unreadable_files = comparison.unreadable + (comparison.warc_unreadable or [])
    if unreadable_files:
        notes.append("unreadable: " + ", ".join(unreadable_files[:3]))
    missing = comparison.articles_missing + comparison.comments_missing + (comparison.pages_missing or 0)
    if comparison.examples and missing <= 20:  # a stopped run misses hundreds: examples would not help
        notes.append("missing: " + ", ".join(comparison.examples))
    if comparison.leftovers:
        notes.append(f"{len(comparison.leftovers)} hidden leftover file(s)")
    wall = wall if wall is not None else (crawl.wall if crawl else None)
    rss = rss if rss is not None else (crawl.peak_rss_mb if crawl else None)
    return IntegrityRow(name, exit_text or (crawl.exit_text if crawl else "-"), data.finish_reason,
                        articles, comments, pages, unreadable,
                        f"{wall:.1f}s" if wall is not None else "-", f"{rss:.0f} MB" if rss is not None else "-",
                        "; ".join(notes))


def refusal_line(crawl: CrawlProcess) -> str:
    """The log line that says why a crawl stopped or refused, if one does: an ERROR or CRITICAL
    record naming a lock or another crawl, else the last such record, else a command's
    ``Error:`` line."""
    errors = [line for line in crawl.log_lines()
              if "] ERROR: " in line or "] CRITICAL: " in line or line.startswith(("Error:", "error:"))]
    words = ("lock", "already", "in use", "another crawl", "running")
    for line in errors:
        if any(word in line.lower() for word in words):
            return line
    return errors[-1] if errors else ""


@dataclass
class Campaign:
    """The generated blog and the uninterrupted crawl that the interrupted ones compare with."""
    server: HostileServer
    blog: GeneratedBlog
    work: Path
    seed: int
    reference_pages: set[str] = field(default_factory=set)
    reference_requests: int = 0
    reference_row: IntegrityRow | None = None

    # PARQUET_COMMIT_INTERVAL=1: parts are finished every second, as they would be every minute
    # in a long crawl; with the default (60 s) a crawl of seconds finishes no part before it
    # closes, and a kill would only ever test "nothing stored yet".
    SETTINGS = {"PARQUET_COMMIT_INTERVAL": "1"}

    @property
    def start_url(self) -> str:
        return self.server.address("/")

    def crawl(self, name: str, out: Path, jobdir: Path | None = None) -> CrawlProcess:
        return CrawlProcess(self.start_url, out, name, self.work / f"{name}.log", self.SETTINGS, jobdir)

    def run_reference(self) -> None:
        out = self.work / "reference"
        before = self.server.request_count()
        crawl = self.crawl("reference", out).wait()
        served_hits = self.server.hits_since(before)
        self.reference_requests = len(served_hits)
        data = read_dataset(out / "reference", check_warc=True)
        self.reference_pages = {str(p.get("url")) for p in data.pages}
        comparison = compare(data, self.blog.truth(), self.reference_pages)
        requested = {self.server.address(h.path + (f"?{h.query}" if h.query else "")) for h in served_hits}
        unrecorded = len(requested - self.reference_pages)
        self.reference_row = integrity_row(
            "reference", crawl, data, comparison,
            f"{len(self.blog.posts)} posts, {sum(map(len, self.blog.truth().values()))} comments, "
            f"{self.reference_requests} requests; {unrecorded} URL(s) served but not in pages")


def kill_resume(campaign: Campaign, kills: int) -> IntegrityRow:
    """SIGKILL at ``kills`` seeded moments (after a random number of served requests), resuming
    with the same command each time, then one run to the end."""
    rng = random.Random(campaign.seed)
    out, jobdir = campaign.work / "kill", campaign.work / "kill-job"
    landed: list[str] = []
    runs: list[CrawlProcess] = []
    last: CrawlProcess | None = None
    for _ in range(kills + 5):  # every kill, one run to the end, and a few spare for runs that fail
        before = campaign.server.request_count()
        crawl = campaign.crawl("kill", out, jobdir)
        runs.append(crawl)
        last = crawl
        if len(landed) < kills:
            threshold = rng.randint(5, max(6, int(campaign.reference_requests * 0.7)))
            # A request count places the kill in the crawl's work rather than in its start-up;
            # the jitter lets it land anywhere in what follows (parsing, a part being finished).
            jitter = rng.uniform(0, 0.5)
            if crawl.wait_for(lambda: campaign.server.request_count() - before >= threshold):
                time.sleep(jitter)
                if not crawl.poll():
                    crawl.kill()
                    landed.append(f"{threshold} req+{jitter:.2f}s = {crawl.wall:.1f}s")
                    continue
        crawl.wait()
        if read_dataset(out / "kill").finish_reason == "finished" or crawl.hung:
            break
    data = read_dataset(out / "kill", check_warc=True)
    comparison = compare(data, campaign.blog.truth(), campaign.reference_pages)
    note = (f"{len(runs)} runs (exits {', '.join(c.exit_text for c in runs)}), {len(landed)}/{kills} kills "
            f"landed (after {', '.join(landed) or '-'})")
    return integrity_row(f"kill-resume x{kills}", last, data, comparison, note,
                         exit_text=f"{last.exit_text if last else '-'} (last)",
                         wall=sum(c.wall or 0 for c in runs), rss=max((c.peak_rss_mb or 0 for c in runs), default=None))


def stop_and_resume(campaign: Campaign, sig: signal.Signals) -> list[IntegrityRow]:
    """One crawl stopped by ``sig`` midway, then resumed to the end with the same command."""
    name = sig.name.lower()
    out, jobdir = campaign.work / name, campaign.work / f"{name}-job"
    truth = campaign.blog.truth()
    before = campaign.server.request_count()
    crawl = campaign.crawl(name, out, jobdir)
    threshold = max(5, int(campaign.reference_requests * 0.4))
    reached = crawl.wait_for(lambda: campaign.server.request_count() - before >= threshold)
    signalled = time.monotonic()
    if reached:
        crawl.send_signal(sig)
    crawl.wait(SIGNAL_GRACE)
    stop_time = time.monotonic() - signalled
    data = read_dataset(out / name, check_warc=True)
    note = (f"{sig.name} after {threshold} requests; exited {stop_time:.1f}s later" if reached
            else f"ended before {threshold} requests; no signal sent")
    if crawl.hung:
        note = f"{sig.name} after {threshold} requests; still running {SIGNAL_GRACE:.0f}s later, killed"
    rows = [integrity_row(f"{name} stop", crawl, data, compare(data, truth, campaign.reference_pages), note)]
    resumed = campaign.crawl(name, out, jobdir).wait()
    data = read_dataset(out / name, check_warc=True)
    rows.append(integrity_row(f"{name} + resume", resumed, data, compare(data, truth, campaign.reference_pages), ""))
    return rows


def concurrent_crawls(work: Path, seed: int) -> IntegrityRow:
    """Two crawls into the same out and crawl id, started together, on a slow-ish server so that
    they overlap for seconds."""
    blog = GeneratedBlog(40, seed + 1)
    with HostileServer(delay=0.02) as server:
        blog.install(server)
        out = work / "concurrent"
        first = CrawlProcess(server.address("/"), out, "same", work / "concurrent-1.log")
        second = CrawlProcess(server.address("/"), out, "same", work / "concurrent-2.log")
        first.wait()
        second.wait()
    data = read_dataset(out / "same", check_warc=True)
    comparison = compare(data, blog.truth(), None)
    refusals = [f"run {n} log: " + clip(line.split("] ", 1)[-1].replace(str(out), "<out>"), 80)
                for n, line in ((1, refusal_line(first)), (2, refusal_line(second))) if line]
    errors_total = data.manifest.get("errors_total") if data.manifest else None
    note = (" | ".join(refusals) if refusals else "neither log has an error") + f"; crawl.json errors_total {errors_total}"
    return integrity_row("concurrent x2", None, data, comparison, note,
                         exit_text=f"{first.exit_text} / {second.exit_text}",
                         wall=max(first.wall or 0, second.wall or 0),
                         rss=max(first.peak_rss_mb or 0, second.peak_rss_mb or 0))


INTEGRITY_CASES = ("concurrent", "kill-resume", "sigterm", "sigint")


# -- output -----------------------------------------------------------------------------------
def print_table(headers: list[str], rows: list[list[str]]) -> None:
    widths = [max([len(h)] + [len(r[i]) for r in rows]) for i, h in enumerate(headers)]
    print("  ".join(h.ljust(w) for h, w in zip(headers, widths)).rstrip())
    print("  ".join("-" * w for w in widths))
    for row in rows:
        print("  ".join(cell.ljust(w) for cell, w in zip(row, widths)).rstrip())


def print_case_table(rows: list[CaseRow]) -> None:
    print_table(["case", "stored", "listed in crawl.json errors", "went on", "exit", "finish_reason", "wall",
                 "peak RSS"],
                [[r.case, r.stored, r.listed, r.went_on, r.exit, r.finish, r.wall, r.rss] for r in rows])
    print()
    width = max(len(r.case) for r in rows)
    for r in rows:
        print(f"{r.case.ljust(width)}  want: {r.want}")
        print(f"{''.ljust(width)}  got:  {r.got}")


def print_integrity_table(rows: list[IntegrityRow]) -> None:
    print_table(["run", "exit", "finish_reason", "articles miss/dup", "comments miss/dup", "pages miss/dup",
                 "unreadable parquet/warc", "wall", "peak RSS"],
                [[r.run, r.exit, r.finish, r.articles, r.comments, r.pages, r.unreadable, r.wall, r.rss] for r in rows])
    print()
    width = max(len(r.run) for r in rows)
    for r in rows:
        if r.note:
            print(f"{r.run.ljust(width)}  {r.note}")


# -- main ------------------------------------------------------------------------------------------
def parse_args(argv: list[str] | None) -> argparse.Namespace:
    every = list(CASES) + list(INTEGRITY_CASES)
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                     epilog="cases: " + ", ".join(every))
    parser.add_argument("--only", help="comma-separated cases to run (default: all)")
    parser.add_argument("--kills", type=int, default=5, help="SIGKILLs in the kill/resume campaign (default 5)")
    parser.add_argument("--posts", type=int, default=300, help="posts of the generated blog (default 300)")
    parser.add_argument("--seed", type=int, default=1, help="seed of the generated blog and the kill moments")
    parser.add_argument("--keep", action="store_true", help="keep the scratch folder (datasets, crawl logs)")
    parser.add_argument("--code", type=Path, default=ROOT,
                        help="crawl with the scraper in this folder (a copy of the repository at another "
                             "commit) instead of this one; this repository's virtualenv runs it")
    args = parser.parse_args(argv)
    args.cases = [c.strip() for c in args.only.split(",") if c.strip()] if args.only else every
    unknown = [c for c in args.cases if c not in every]
    if unknown:
        parser.error(f"unknown case(s) {', '.join(unknown)}; cases: {', '.join(every)}")
    return args


def main(argv: list[str] | None = None) -> None:
    global CODE_ROOT
    args = parse_args(argv)
    if not SCRAPY.exists():
        sys.exit(f"{SCRAPY} not found: create the virtualenv first (see README.md)")
    CODE_ROOT = args.code.resolve()
    if not (CODE_ROOT / "scrapy.cfg").exists():
        sys.exit(f"{CODE_ROOT} holds no scrapy.cfg: not a copy of this repository")
    work = Path(tempfile.mkdtemp(prefix="faults-"))
    started = time.monotonic()
    case_rows: list[CaseRow] = []
    integrity_rows: list[IntegrityRow] = []
    try:
        single = [name for name in args.cases if name in CASES]
        if single:
            bench = Bench(work, args.seed)
            try:
                for name in single:
                    print(f"… {name}", file=sys.stderr, flush=True)
                    case_rows.append(CASES[name](bench))
            finally:
                bench.close()
        if "concurrent" in args.cases:
            print("… concurrent", file=sys.stderr, flush=True)
            integrity_rows.append(concurrent_crawls(work, args.seed))
        campaign_cases = [c for c in ("kill-resume", "sigterm", "sigint") if c in args.cases]
        if campaign_cases:
            blog = GeneratedBlog(args.posts, args.seed)
            with HostileServer() as server:
                blog.install(server)
                campaign = Campaign(server, blog, work, args.seed)
                print(f"… reference crawl of {args.posts} posts", file=sys.stderr, flush=True)
                campaign.run_reference()
                integrity_rows.append(campaign.reference_row)
                if "kill-resume" in campaign_cases:
                    print(f"… kill-resume x{args.kills}", file=sys.stderr, flush=True)
                    integrity_rows.append(kill_resume(campaign, args.kills))
                for sig in (signal.SIGTERM, signal.SIGINT):
                    if sig.name.lower() in campaign_cases:
                        print(f"… {sig.name.lower()}", file=sys.stderr, flush=True)
                        integrity_rows.extend(stop_and_resume(campaign, sig))
    finally:
        for crawl in list(_LIVE):
            crawl.kill()
        if args.keep:
            print(f"Datasets and crawl logs kept in {work}", file=sys.stderr)
        else:
            shutil.rmtree(work, ignore_errors=True)
    if case_rows:
        print("\nHostile pages and servers (went on: the blog's normal articles stored)\n")
        print_case_table(case_rows)
    if integrity_rows:
        print(f"\nDataset integrity (miss/dup: rows missing / duplicated; articles and comments against the "
              f"generated blog, pages against the uninterrupted reference crawl)\n")
        print_integrity_table(integrity_rows)
    code = "" if CODE_ROOT == ROOT else f" (crawler code from {CODE_ROOT})"
    print(f"\nTotal time {time.monotonic() - started:.0f}s{code}")


if __name__ == "__main__":
    main()
