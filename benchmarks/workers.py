"""Shared crawls: throughput by number of workers, Redis memory of the duplicate filter, crawl RSS.

Prints figures; it is not a test. Three parts, each optional (``--only``):

``crawl``
    Serves a collection of generated blogs on 127.0.0.1 (``benchmarks/collection_server.py``:
    ``--blogs`` blogs on as many ports, ``--posts`` posts in all, paged homes, threaded comments,
    sitemaps; every page rendered into memory, served by a process of its own) and crawls it
    with the seed list ``-a seeds=FILE``: once by one plain process (no Redis; the baseline),
    then by N worker processes sharing one crawl over Redis (``-s REDIS_URL=... -s
    WORKER_ID=wK``), a fresh Redis database and a fresh output folder each time. Politeness is
    off (loopback, our own server). Pages per minute are ``pages`` rows (one per response) over
    the time from the first to the last response those rows record ("fetch span") and over the
    wall time from starting the first worker to the last one's exit; articles per minute
    likewise; each as a ratio to the one plain process of the same run. It then checks that
    every article served was stored exactly once across the workers. The server's own CPU time
    per request is read, to show it is not what limits the crawl.

``dupefilter``
    Redis memory of the duplicate filter per million URLs: scrapy-redis's set of request
    fingerprints (``request_seen`` on ``--dupe-urls`` distinct URLs, ``MEMORY USAGE`` and
    ``INFO memory``; below a million the figure is extrapolated linearly, and says so), and a
    Bloom filter: ``scraper.shared.BloomDupeFilter`` where the code has it (sized by
    ``BLOOMFILTER_CAPACITY`` / ``BLOOMFILTER_ERROR_RATE``), else scrapy-redis-bloomfilter's
    filter sized the same way. The Bloom filter is filled to its capacity (``--bloom-urls``) and
    then asked about as many URLs never inserted: the share it calls seen is the measured false
    positive rate. (Asking inserts what is new, so the filter is restored from a snapshot every
    ``capacity/1000`` questions: the fill never drifts more than 0.1 % above capacity.) Its
    memory per million is read off a second filter sized for 1,000,000 URLs.

``rss``
    One plain crawl of one large generated blog, its resident memory (``VmRSS``) sampled while
    the server counts the pages it has fetched: RSS at 1k, 10k and 50k pages (the thresholds up
    to ``--rss-pages``; 50k only with ``--rss-pages 50000``, which takes a while), and the ratio
    of the last to the first. The crawl is killed once it has fetched ``--rss-pages`` pages.
    Each point is the median of the samples (every 0.2 s) over the last tenth of the pages up to
    it, with their lowest and highest: one sample swings by tens of MB with what the allocator
    holds freed until the crawl's next heap trim, which a point should not hang on.

    .venv/bin/python benchmarks/workers.py [--quick] [--posts N] [--blogs B] [--workers 1,2,4]
        [--repeats R] [--no-redis-single] [--shared-dupefilter set|bloom] [--dupe-urls N]
        [--bloom-urls N] [--bloom-error-rate P] [--bloom-fallback] [--rss-pages N]
        [--only crawl,dupefilter,rss] [--keep] [--code DIR]

Defaults: 5,000 posts on 5 blogs; 1 plain process, then 1, 2 and 4 workers over Redis; 1,000,000
URLs for the set filter, 200,000 for the Bloom filter; RSS up to 10,000 pages; about 20 minutes on
2 cores. ``--quick``: 300 posts, 1 and 2 workers, 20,000 URLs for the set filter, 5,000 for the
Bloom filter, RSS up to 1,000 pages; about a minute. Every part that needs Redis starts its own
``redis-server`` on a free loopback port (nothing saved to disk) and stops it at the end; without
``redis-server`` those parts are skipped with a message. ``--code DIR`` runs the crawls with the
scraper of another tree (``git archive`` of a commit), as ``benchmarks/faults.py`` does.
"""
from __future__ import annotations

import argparse
import contextlib
import io
import json
import math
import os
import resource
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from urllib.parse import urlsplit
from dataclasses import dataclass, field
from pathlib import Path

import pyarrow.parquet as pq

sys.path.insert(0, str(Path(__file__).resolve().parent))

import faults  # noqa: E402
from collection_server import STATS_PATH, Collection  # noqa: E402
from faults import CrawlProcess, clip, duplicates, print_table, refusal_line, status_mb  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
PYTHON = ROOT / ".venv" / "bin" / "python"
COLLECTION_SERVER = Path(__file__).resolve().parent / "collection_server.py"
# A local benchmark: no politeness, WARC capture on as in a real crawl.
CRAWL_SETTINGS = {"AUTOTHROTTLE_ENABLED": "False", "DOWNLOAD_DELAY": "0", "CONCURRENT_REQUESTS_PER_DOMAIN": "16",
                  "CONCURRENT_REQUESTS": "32", "ROBOTSTXT_OBEY": "False", "LOG_LEVEL": "WARNING",
                  "WARC_ENABLED": "True", "DOWNLOAD_TIMEOUT": "30"}
RSS_THRESHOLDS = (1_000, 10_000, 50_000)
CORES = os.cpu_count() or 1
MIB = 1024 * 1024


def say(text: str) -> None:
    print(f"… {text}", file=sys.stderr, flush=True)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def number(value: float | None, digits: int = 0) -> str:
    return "-" if value is None else f"{value:,.{digits}f}"


def ratio(value: float | None, base: float | None) -> str:
    return "-" if not value or not base else f"{value / base:.2f}x"


# -- the servers ------------------------------------------------------------------------------------
class ServedCollection:
    """``collection_server.py`` in a child process: started, asked for its stats, stopped."""

    def __init__(self, blogs: int, posts: int, seed: int, timeout: float = 300.0) -> None:
        command = [str(PYTHON), str(COLLECTION_SERVER), "--blogs", str(blogs), "--posts", str(posts),
                   "--seed", str(seed)]
        self.process = subprocess.Popen(command, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                        env=faults.crawl_environment(), start_new_session=True)
        ready: dict = {}
        reader = threading.Thread(target=lambda: ready.update(json.loads(self.process.stdout.readline() or "{}")),
                                  daemon=True)
        reader.start()
        reader.join(timeout)
        if not ready:
            self.stop()
            raise RuntimeError(f"the collection server did not start within {timeout:.0f} s")
        self.start_urls: list[str] = ready["start_urls"]
        self.posts: int = ready["posts"]
        self.comments: int = ready["comments"]
        self.request_estimate: int = ready["request_estimate"]
        self._stats_url = self.start_urls[0].rstrip("/") + STATS_PATH
        self._opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))  # loopback, no proxy

    def stats(self) -> dict:
        with self._opener.open(self._stats_url, timeout=10) as answer:
            return json.loads(answer.read())

    def requests(self) -> int:
        return int(self.stats()["requests"])

    def write_seeds(self, path: Path) -> Path:
        path.write_text("# a generated collection of blogs on loopback (benchmarks/workers.py)\n"
                        + "\n".join(self.start_urls) + "\n", encoding="utf-8")
        return path

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.stdin.close()  # the server stops when its standard input closes
            try:
                self.process.wait(10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()


class RedisServer:
    """A throwaway ``redis-server`` on a free loopback port: no RDB, no AOF, stopped at the end."""

    def __init__(self, binary: str) -> None:
        import redis
        self.port = free_port()
        self.process = subprocess.Popen([binary, "--port", str(self.port), "--bind", "127.0.0.1", "--save", "",
                                         "--appendonly", "no", "--daemonize", "no"],
                                        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                                        stdin=subprocess.DEVNULL, start_new_session=True)
        self.client = redis.Redis(host="127.0.0.1", port=self.port)
        deadline = time.monotonic() + 10
        while True:
            try:
                self.client.ping()
                break
            except redis.ConnectionError:
                if self.process.poll() is not None or time.monotonic() > deadline:
                    self.stop()
                    raise RuntimeError(f"redis-server did not start on port {self.port}") from None
                time.sleep(0.05)
        self.version = self.client.info("server").get("redis_version")

    def url(self, db: int = 0) -> str:
        return f"redis://127.0.0.1:{self.port}/{db}"

    def db(self, db: int):
        import redis
        return redis.Redis(host="127.0.0.1", port=self.port, db=db)

    def used_memory(self) -> int:
        return int(self.client.info("memory")["used_memory"])

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()


# -- crawls -----------------------------------------------------------------------------------------
class WorkerProcess(CrawlProcess):
    """``scrapy crawl blog -a seeds=FILE`` in a child process; polling, peak RSS, kill and wait
    are ``faults.CrawlProcess``'s."""

    def __init__(self, seeds: Path, out: Path, crawl_id: str, log_path: Path, settings: dict[str, str]) -> None:
        command = [str(faults.SCRAPY), "crawl", "blog", "-a", f"seeds={seeds}", "-a", f"out={out}",
                   "-a", f"crawl={crawl_id}"]
        for name, value in settings.items():
            command += ["-s", f"{name}={value}"]
        self.log_path = log_path
        self.exit_code = None
        self.wall = None
        self.peak_rss_mb = None
        self._high_water_mb = None
        self.hung = False
        self.timeout: float | None = None
        with open(log_path, "ab") as log:
            self.process = subprocess.Popen(command, cwd=faults.CODE_ROOT, env=faults.crawl_environment(),
                                            stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                                            start_new_session=True)
        self.started = time.monotonic()
        faults._LIVE.add(self)
        threading.Thread(target=self._sample_high_water, daemon=True).start()

    def wait(self, timeout: float = faults.CASE_TIMEOUT) -> WorkerProcess:
        self.timeout = timeout
        return super().wait(timeout)

    @property
    def exit_text(self) -> str:
        if self.hung:
            return f"hung>{self.timeout or 0:.0f}s"
        return super().exit_text


def rss_mb(pid: int) -> float | None:
    return status_mb(pid, "VmRSS")


class RedisWatch:
    """Samples a Redis server while a crawl runs: peak ``used_memory`` and peak key count."""

    def __init__(self, redis_server: RedisServer | None, db: int = 0) -> None:
        self.peak_memory = 0
        self.peak_keys = 0
        self.baseline = redis_server.used_memory() if redis_server else 0
        self._stop = threading.Event()
        self._thread = None
        if redis_server is not None:
            client = redis_server.db(db)
            self._thread = threading.Thread(target=self._run, args=(redis_server, client), daemon=True)
            self._thread.start()

    def _run(self, redis_server: RedisServer, client) -> None:
        while not self._stop.wait(0.25):
            try:
                self.peak_memory = max(self.peak_memory, redis_server.used_memory())
                self.peak_keys = max(self.peak_keys, int(client.dbsize()))
            except Exception:  # noqa: BLE001 - a sample lost is no finding
                pass

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(2)


@dataclass
class CrawlResult:
    label: str
    workers: int
    redis: bool
    wall: float
    exits: list[str]
    pages: int
    articles: int
    distinct_articles: int
    comments: int
    comments_duplicated: int
    pages_duplicated: int
    missing_articles: int
    extra_articles: int
    fetch_span: float | None
    finish: str
    parts: int  # Parquet part files of the articles table
    warcs: int
    manifests: int
    peak_rss_mb: float
    redis_peak_mb: float | None
    redis_keys: int | None
    server_requests: int
    server_cpu: float
    crawl_cpu: float  # CPU seconds of the crawl processes together (user + system)
    notes: list[str] = field(default_factory=list)

    @property
    def pages_per_min(self) -> float | None:
        return self.pages / self.fetch_span * 60 if self.fetch_span else None

    @property
    def pages_per_min_wall(self) -> float | None:
        return self.pages / self.wall * 60 if self.wall else None

    @property
    def articles_per_min(self) -> float | None:
        return self.articles / self.fetch_span * 60 if self.fetch_span else None

    @property
    def articles_per_min_wall(self) -> float | None:
        return self.articles / self.wall * 60 if self.wall else None

    @property
    def stored_once(self) -> bool:
        return (self.articles == self.distinct_articles and not self.missing_articles and not self.extra_articles
                and not self.comments_duplicated)


def column(folder: Path, names: list[str]) -> dict[str, list]:
    """``names`` of every visible part of a table folder, concatenated."""
    found: dict[str, list] = {n: [] for n in names}
    for path in sorted(folder.glob("part-*.parquet")) if folder.is_dir() else []:
        table = pq.read_table(path, columns=names)
        for name in names:
            found[name].extend(table[name].to_pylist())
    return found


def read_crawl(folder: Path) -> dict:
    """What a crawl folder holds: rows, duplicates, the fetch span, the manifests' end."""
    pages = column(folder / "pages", ["url", "fetched_at"])
    articles = column(folder / "articles", ["article_id", "url"])
    comments = column(folder / "comments", ["article_id", "comment_id"])
    fetched = [t for t in pages["fetched_at"] if t is not None]
    span = (max(fetched) - min(fetched)).total_seconds() if len(fetched) > 1 else None
    article_urls = {(urlsplit(u).netloc, urlsplit(u).path) for u in articles["url"]}
    manifests = []
    for path in sorted(folder.glob("crawl*.json")):
        try:
            manifests.append(json.loads(path.read_text(encoding="utf-8")))
        except (OSError, ValueError):
            manifests.append({"finish_reason": f"{path.name} unreadable"})
    finishes = sorted({str(m.get("finish_reason")) for m in manifests}) or ["no crawl.json"]
    return {
        "pages": len(pages["url"]), "pages_duplicated": duplicates(pages["url"]),
        "articles": len(articles["article_id"]), "distinct_articles": len(set(articles["article_id"])),
        "article_paths": article_urls,
        "comments": len(comments["comment_id"]),
        "comments_duplicated": duplicates(zip(comments["article_id"], comments["comment_id"])),
        "span": span, "finish": ", ".join(finishes), "manifests": len(manifests),
        "parts": len(list((folder / "articles").glob("part-*.parquet"))),
        "warcs": len(list((folder / "warc").glob("*.warc.gz"))) if (folder / "warc").is_dir() else 0,
    }


def crawl_once(served: ServedCollection, truth: set[tuple[str, str]], workers: int, redis_server: RedisServer | None,
               work: Path, label: str, extra: dict[str, str], timeout: float) -> CrawlResult:
    """One crawl of the collection by ``workers`` processes (Redis when ``redis_server``)."""
    out = work / label
    shutil.rmtree(out, ignore_errors=True)
    out.mkdir(parents=True)
    seeds = served.write_seeds(work / "seeds.txt")
    crawl_id = "collection"
    if redis_server is not None:
        redis_server.client.flushall()
    watch = RedisWatch(redis_server)
    before = served.stats()
    children_before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.monotonic()
    processes = []
    for n in range(1, workers + 1):
        settings = {**CRAWL_SETTINGS, **extra}
        if redis_server is not None:
            settings.update(REDIS_URL=redis_server.url(0), WORKER_ID=f"w{n}")
        processes.append(WorkerProcess(seeds, out, crawl_id, work / f"{label}-w{n}.log", settings))
    for process in processes:
        process.wait(max(1.0, timeout - (time.monotonic() - started)))
    wall = time.monotonic() - started
    children = resource.getrusage(resource.RUSAGE_CHILDREN)  # the workers, reaped by now
    crawl_cpu = (children.ru_utime - children_before.ru_utime) + (children.ru_stime - children_before.ru_stime)
    after = served.stats()
    watch.stop()
    data = read_crawl(out / crawl_id)
    notes = []
    for n, process in enumerate(processes, 1):
        if process.exit_code != 0:
            line = refusal_line(process)
            notes.append(f"worker {n} exit {process.exit_text}"
                         + (f": {clip(line.split('] ', 1)[-1].replace(str(out), '<out>'), 110)}" if line else ""))
    paths = data["article_paths"]
    missing = len(truth - paths)
    extra_rows = len(paths - truth)
    result = CrawlResult(
        label=label, workers=workers, redis=redis_server is not None, wall=wall,
        exits=[p.exit_text for p in processes], pages=data["pages"], articles=data["articles"],
        distinct_articles=data["distinct_articles"], comments=data["comments"],
        comments_duplicated=data["comments_duplicated"], pages_duplicated=data["pages_duplicated"],
        missing_articles=missing, extra_articles=extra_rows, fetch_span=data["span"], finish=data["finish"],
        parts=data["parts"], warcs=data["warcs"], manifests=data["manifests"],
        peak_rss_mb=max((p.peak_rss_mb or 0) for p in processes),
        redis_peak_mb=(watch.peak_memory - watch.baseline) / MIB if redis_server else None,
        redis_keys=watch.peak_keys if redis_server else None,
        server_requests=after["requests"] - before["requests"], server_cpu=after["cpu_seconds"] - before["cpu_seconds"],
        crawl_cpu=crawl_cpu, notes=notes)
    if redis_server is not None and workers > 1 and not watch.peak_keys:
        result.notes.append("Redis held no key during the crawl: the workers did not share it "
                            "(shared-crawl mode not in this code?)")
    if result.finish != "finished":
        result.notes.append(f"crawl.json finish_reason: {result.finish}")
    if result.pages_duplicated:
        result.notes.append(f"{result.pages_duplicated} URL(s) fetched more than once across workers")
    return result


def run_crawls(args: argparse.Namespace, work: Path, redis_server: RedisServer | None) -> list[CrawlResult]:
    say(f"rendering {args.posts:,} posts on {args.blogs} blogs")
    served = ServedCollection(args.blogs, args.posts, args.seed)
    results: list[CrawlResult] = []
    try:
        truth = set()
        # The articles served: every post path of every blog (the generator's own truth).
        shadow = Collection(args.blogs, args.posts, args.seed)  # same seeds: the same paths, not served
        for url, blog in zip(served.start_urls, shadow.blogs):
            truth |= {(urlsplit(url).netloc, post.path) for post in blog.posts}
        del shadow
        print(f"Collection: {args.blogs} blogs on 127.0.0.1, {served.posts:,} posts, {served.comments:,} comments, "
              f"about {served.request_estimate:,} requests for a complete crawl")
        timeout = 300 + served.request_estimate / 5  # at 5 pages/s something is wrong anyway
        plan: list[tuple[int, bool]] = []
        for n in args.workers:
            if n == 1:
                plan.append((1, False))
                if args.redis_single and redis_server is not None:
                    plan.append((1, True))
            elif redis_server is not None:
                plan.append((n, True))
        skipped = [n for n in args.workers if n > 1 and redis_server is None]
        if skipped:
            print(f"Workers {', '.join(map(str, skipped))}: skipped, no redis-server to share the crawl through")
        unshared = False
        for repeat in range(args.repeats):
            for workers, shared in plan:
                if unshared and shared and workers > 1:
                    continue
                label = f"{workers}{'r' if shared else ''}w-{repeat + 1}"
                say(f"crawl: {workers} worker(s){' over Redis' if shared else ', plain'}, run {repeat + 1}")
                extra = {"SHARED_DUPEFILTER": args.shared_dupefilter} if shared and args.shared_dupefilter else {}
                result = crawl_once(served, truth, workers, redis_server if shared else None, work, label, extra,
                                    timeout)
                results.append(result)
                if shared and workers > 1 and not result.redis_keys:
                    unshared = True  # the larger counts would only repeat it
    finally:
        served.stop()
    return results


def print_crawls(results: list[CrawlResult], posts: int) -> dict[str, str]:
    """The per-run table, the medians by worker count, and the summary cells."""
    print("\nCrawls of the collection (pages: rows of the pages table, one per response; per minute over the "
          "fetch span, first to last response, and over the wall time, first start to last exit)\n")
    rows = []
    for r in results:
        rows.append([r.label, "Redis" if r.redis else "plain", ",".join(r.exits), f"{r.wall:.1f}s",
                     f"{r.fetch_span:.1f}s" if r.fetch_span else "-", f"{r.pages:,}", f"{r.articles:,}",
                     f"{r.distinct_articles:,}", f"{r.missing_articles}/{r.extra_articles}",
                     f"{r.comments:,}/{r.comments_duplicated}", f"{r.pages_duplicated}", f"{r.parts}/{r.warcs}/{r.manifests}",
                     f"{r.peak_rss_mb:.0f}", "-" if r.redis_peak_mb is None else f"{r.redis_peak_mb:.1f}",
                     f"{r.server_cpu / r.wall * 100:.0f}%" if r.wall else "-",
                     f"{r.crawl_cpu / r.pages * 1000:.1f}" if r.pages else "-",
                     f"{(r.crawl_cpu + r.server_cpu) / (r.wall * CORES) * 100:.0f}%" if r.wall else "-"])
    print_table(["run", "mode", "exit", "wall", "fetch span", "pages", "articles", "distinct", "miss/extra",
                 "comments/dup", "pages dup", "parts/warc/json", "peak RSS MB", "Redis MB", "server CPU",
                 "crawl CPU-s/1k pages", "machine busy"], rows)
    print(f"\n(crawl CPU-s/1k pages: the crawl processes' CPU time per 1,000 pages, all workers together; "
          f"machine busy: crawl and server CPU time over wall time x {CORES} core(s), Redis and the "
          f"kernel's share of loopback not counted)")
    notes = [(r.label, note) for r in results for note in r.notes]
    if notes:
        print()
        for label, note in notes:
            print(f"{label}: {note}")
    requests = sum(r.server_requests for r in results)
    cpu = sum(r.server_cpu for r in results)
    if requests and cpu:
        fastest = max((r.server_requests / r.wall for r in results if r.wall), default=0)
        print(f"\nServer: {requests:,} requests in {cpu:.1f} CPU-s, {cpu / requests * 1000:.2f} ms each: about "
              f"{requests / cpu:,.0f} requests/s on one core, against at most {fastest:,.0f}/s asked by a crawl.")
    # Medians by (workers, mode) over the repeats; ratios to the plain single process.
    groups: dict[tuple[int, bool], list[CrawlResult]] = {}
    for r in results:
        groups.setdefault((r.workers, r.redis), []).append(r)

    def median(values: list[float | None]) -> float | None:
        values = [v for v in values if v]
        return statistics.median(values) if values else None

    base = groups.get((1, False), [])
    base_pages, base_pages_wall = median([r.pages_per_min for r in base]), median([r.pages_per_min_wall for r in base])
    base_articles, base_articles_wall = (median([r.articles_per_min for r in base]),
                                         median([r.articles_per_min_wall for r in base]))
    print(f"\nPer minute (median of {max(len(g) for g in groups.values())} run(s)); x: ratio to 1 plain process "
          f"of this run\n")
    rows, summary = [], {}
    for (workers, redis), group in sorted(groups.items()):
        pages, pages_wall = median([r.pages_per_min for r in group]), median([r.pages_per_min_wall for r in group])
        arts, arts_wall = median([r.articles_per_min for r in group]), median([r.articles_per_min_wall for r in group])
        once = all(r.stored_once and r.articles == posts for r in group)
        name = f"{workers} {'over Redis' if redis else 'plain'}"
        check = (f"yes: {group[0].distinct_articles:,} ids = {group[0].articles:,} rows = {posts:,} posts"
                 if once else "NO: " + "; ".join(f"{r.distinct_articles:,} ids, {r.articles:,} rows, "
                                                 f"{r.missing_articles} missing, {r.extra_articles} extra, "
                                                 f"{r.comments_duplicated} comment dups" for r in group))
        rows.append([name, number(pages), ratio(pages, base_pages), number(pages_wall), ratio(pages_wall, base_pages_wall),
                     number(arts), ratio(arts, base_articles), number(arts_wall), ratio(arts_wall, base_articles_wall),
                     check])
        summary[name] = (f"{number(pages)} pages/min ({ratio(pages, base_pages)}), {number(arts)} articles/min "
                         f"({ratio(arts, base_articles)}); wall: {number(pages_wall)} ({ratio(pages_wall, base_pages_wall)}); "
                         f"stored once: {'yes' if once else 'NO'}")
    print_table(["workers", "pages/min", "x", "pages/min wall", "x", "articles/min", "x", "articles/min wall", "x",
                 "every article stored exactly once"], rows)
    return summary


# -- the duplicate filter ---------------------------------------------------------------------------
class _Spider:
    """What scrapy-redis's ``from_spider`` reads of a spider: its name and settings."""

    def __init__(self, settings) -> None:
        self.name = "blog"
        self.settings = settings


def request_urls(start: int, count: int):
    """Distinct article-like URLs over 200 blogs (``start`` apart: disjoint ranges)."""
    from scrapy import Request
    for i in range(start, start + count):
        blog = i % 200
        yield Request(f"https://blog-{blog}.example.org/{2010 + i % 15}/{1 + i % 12:02d}/"
                      f"notes-on-the-workshop-{i}/")


# Constructor parameters of a duplicate filter, and the settings that give them in a crawl.
FILTER_PARAMETERS = {"capacity": "BLOOMFILTER_CAPACITY", "error_rate": "BLOOMFILTER_ERROR_RATE",
                     "bit": "BLOOMFILTER_BIT", "hash_number": "BLOOMFILTER_HASH_NUMBER"}
FILTER_KEY = "blog-archiver:dupefilter-bench:seen"


def make_filter(path: str, redis_url: str, settings: dict):
    """A duplicate filter configured by ``settings`` as a crawl would configure it: through the
    class's own ``from_spider`` where it defines one, else its constructor, given the server, a
    key and the parameters its signature names (``capacity`` from BLOOMFILTER_CAPACITY ...).
    scrapy-redis's inherited ``from_spider`` would ignore the sizing settings."""
    import inspect
    from scrapy.settings import Settings
    from scrapy.utils.misc import load_object
    from scrapy_redis import connection
    from scrapy_redis.dupefilter import RFPDupeFilter
    cls = load_object(path)
    values = Settings({"REDIS_URL": redis_url, "CRAWL_ID": "dupefilter-bench",
                       "SCHEDULER_DUPEFILTER_KEY": FILTER_KEY, **settings})
    own = next((klass for klass in cls.__mro__ if "from_spider" in vars(klass)), RFPDupeFilter)
    if cls is RFPDupeFilter or own is not RFPDupeFilter:
        with contextlib.redirect_stdout(io.StringIO()):  # scrapy-redis-bloomfilter prints its key
            return cls.from_spider(_Spider(values))
    parameters = inspect.signature(cls.__init__).parameters
    kwargs = {name: values[setting] for name, setting in FILTER_PARAMETERS.items()
              if name in parameters and setting in settings}
    if "debug" in parameters:
        kwargs["debug"] = False
    return cls(connection.from_settings(values), FILTER_KEY + ":bloom", **kwargs)


def filter_sizing(df) -> str:
    """What the filter says of its own size, where it keeps it in attributes."""
    found = [f"{name}={getattr(df, name):,}" for name in ("capacity", "bits", "hashes", "m", "bit", "hash_number")
             if isinstance(getattr(df, name, None), int)]
    bf = getattr(df, "bf", None)  # scrapy-redis-bloomfilter keeps m and its hash maps here
    if bf is not None and isinstance(getattr(bf, "m", None), int):
        found.append(f"m={bf.m:,} bits, k={len(getattr(bf, 'maps', []))}")
    return ", ".join(found) or "no size attributes"


def db_memory(client) -> int:
    """``MEMORY USAGE`` of every key of the database, counted exactly (SAMPLES 0)."""
    return sum(int(client.memory_usage(key, samples=0) or 0) for key in client.scan_iter(count=1000))


@dataclass
class FilterResult:
    name: str
    urls: int
    seconds: float
    bytes_measured: int
    info_delta: int
    per_million: float  # bytes
    per_million_how: str
    false_positives: int | None = None
    queried: int | None = None
    target_rate: float | None = None
    detail: str = ""

    @property
    def fp_rate(self) -> float | None:
        return self.false_positives / self.queried if self.queried else None


def measure_set(redis_server: RedisServer, urls: int) -> FilterResult:
    client = redis_server.db(1)
    client.flushdb()
    before = redis_server.used_memory()
    df = make_filter("scrapy_redis.dupefilter.RFPDupeFilter", redis_server.url(1), {})
    started = time.perf_counter()
    seen_twice = sum(df.request_seen(r) for r in request_urls(0, urls))
    seconds = time.perf_counter() - started
    measured = db_memory(client)
    delta = redis_server.used_memory() - before
    per_million = measured * 1_000_000 / urls
    encoding = client.object("encoding", df.key)
    client.flushdb()
    return FilterResult("set (scrapy-redis RFPDupeFilter)", urls, seconds, measured, delta, per_million,
                        "measured" if urls == 1_000_000 else f"extrapolated linearly from {urls:,}",
                        detail=f"{urls - seen_twice:,} fingerprints, encoding {encoding.decode() if encoding else '?'}; "
                               f"{seconds / urls * 1e6:.0f} us per request_seen")


FALLBACK_BLOOM = "scrapy_redis_bloomfilter.dupefilter.RFPDupeFilter"


def bloom_filter_choice() -> tuple[str, str]:
    """The project's Bloom filter when the code has it, else scrapy-redis-bloomfilter's."""
    code = str(faults.CODE_ROOT)
    if code not in sys.path:
        sys.path.insert(0, code)
    try:
        from scraper import shared
        if hasattr(shared, "BloomDupeFilter"):
            return "scraper.shared.BloomDupeFilter", "project"
    except Exception as exc:  # noqa: BLE001 - a tree mid-edit: the fallback is measured instead
        say(f"scraper.shared not importable ({type(exc).__name__}: {exc}); measuring scrapy-redis-bloomfilter")
    return FALLBACK_BLOOM, "fallback"


def bloom_settings(kind: str, capacity: int, error_rate: float) -> dict:
    """Settings sizing the filter for ``capacity`` at ``error_rate``; the fallback library is
    sized by bits (a power of two) and hash count, worked out the textbook way."""
    if kind == "project":
        return {"BLOOMFILTER_CAPACITY": capacity, "BLOOMFILTER_ERROR_RATE": error_rate}
    bits_needed = -capacity * math.log(error_rate) / math.log(2) ** 2
    bit = max(10, math.ceil(math.log2(bits_needed)))
    return {"BLOOMFILTER_BIT": bit, "BLOOMFILTER_HASH_NUMBER": max(1, round((1 << bit) / capacity * math.log(2)))}


def measure_bloom(redis_server: RedisServer, urls: int, error_rate: float, fallback: bool = False) -> FilterResult:
    path, kind = (FALLBACK_BLOOM, "fallback") if fallback else bloom_filter_choice()
    client = redis_server.db(2)

    def build(capacity: int):
        settings = bloom_settings(kind, capacity, error_rate)
        return make_filter(path, redis_server.url(2), settings), settings

    # Memory of a filter for a million URLs: its bitmap, once bits near its end are set.
    client.flushdb()
    before = redis_server.used_memory()
    df, settings_million = build(1_000_000)
    for request in request_urls(10_000_000, 2_000):
        df.request_seen(request)
    million_sizing = filter_sizing(df)
    million_bytes = db_memory(client)
    million_delta = redis_server.used_memory() - before
    # False positives: filled to capacity, then asked about URLs it never held.
    client.flushdb()
    df, settings = build(urls)
    sizing = filter_sizing(df)
    started = time.perf_counter()
    new = sum(not df.request_seen(r) for r in request_urls(0, urls))
    seconds = time.perf_counter() - started
    filled_bytes = db_memory(client)
    snapshot = {key: client.dump(key) for key in client.scan_iter()}

    def restore() -> None:
        pipe = client.pipeline()
        for key, value in snapshot.items():
            pipe.restore(key, 0, value, replace=True)
        pipe.execute()

    batch = max(1, urls // 1000)
    false_positives = 0
    for n, request in enumerate(request_urls(50_000_000, urls)):
        if n and n % batch == 0:
            restore()
        false_positives += bool(df.request_seen(request))
    client.flushdb()
    name = BLOOM_NAMES[kind]
    configured = ", ".join(f"{k}={v:g}" for k, v in settings.items())
    ideal = -1_000_000 * math.log(error_rate) / math.log(2) ** 2 / 8 / MIB
    detail = (f"filter for {urls:,} ({configured}; {sizing}): {filled_bytes / MIB:.2f} MiB, "
              f"{filled_bytes * 8 / urls:.1f} bits per URL; {urls - new:,} of {urls:,} inserts already 'seen'; "
              f"{seconds / urls * 1e6:.0f} us per request_seen; for 1M: "
              f"{', '.join(f'{k}={v:g}' for k, v in settings_million.items())} ({million_sizing}): "
              f"{million_bytes / MIB:.2f} MiB in Redis, against {ideal:.2f} MiB of optimal bits")
    return FilterResult(name, urls, seconds, million_bytes, million_delta, million_bytes,
                        "measured on a filter sized for 1,000,000", false_positives, urls, error_rate, detail)


BLOOM_NAMES = {"project": "Bloom (scraper.shared.BloomDupeFilter)", "fallback": "Bloom (scrapy-redis-bloomfilter)"}


def run_dupefilters(args: argparse.Namespace, redis_server: RedisServer) -> list[FilterResult]:
    import logging
    # Asking about fresh URLs inserts them (until the snapshot is restored): the filter's warning
    # that it went past its capacity is expected here, not news.
    logging.getLogger("scraper.shared").setLevel(logging.ERROR)
    results = []
    say(f"dupefilter: set, {args.dupe_urls:,} URLs")
    results.append(measure_set(redis_server, args.dupe_urls))
    say(f"dupefilter: Bloom, {args.bloom_urls:,} URLs in, {args.bloom_urls:,} fresh URLs asked")
    results.append(measure_bloom(redis_server, args.bloom_urls, args.bloom_error_rate))
    if args.bloom_fallback and results[-1].name != BLOOM_NAMES["fallback"]:
        say(f"dupefilter: scrapy-redis-bloomfilter, {args.bloom_urls:,} URLs in, {args.bloom_urls:,} fresh URLs asked")
        results.append(measure_bloom(redis_server, args.bloom_urls, args.bloom_error_rate, fallback=True))
    print(f"\nRedis memory of the duplicate filter (Redis {redis_server.version}; MEMORY USAGE ... SAMPLES 0 of "
          f"its keys; INFO used_memory delta beside it)\n")
    rows = []
    for r in results:
        fp = "-" if r.fp_rate is None else (f"{r.fp_rate:.5f} ({r.false_positives:,}/{r.queried:,}; "
                                            f"target {r.target_rate:g})")
        rows.append([r.name, f"{r.urls:,}", f"{r.per_million / MIB:.2f}", r.per_million_how,
                     f"{r.info_delta / MIB:.2f}", fp])
    print_table(["filter", "URLs", "MiB per 1M URLs", "how", "INFO delta MiB", "false-positive rate"], rows)
    print()
    for r in results:
        print(f"{r.name}: {r.detail}")
    return results


# -- RSS of one crawl -----------------------------------------------------------------------------
@dataclass
class RssResult:
    target: int
    points: list[tuple[int, int, float, float, float]]  # threshold, samples, median, lowest, highest RSS MB
    peak_mb: float | None
    seconds: float
    reached: int
    exit: str


def run_rss(args: argparse.Namespace, work: Path) -> RssResult:
    target = args.rss_pages
    # About 1.4 requests a post (comment pages): a blog with as many posts as pages wanted has
    # enough pages, and its sitemap lists every post at once, as a real one does.
    posts = max(200, target)
    say(f"rss: rendering one blog of {posts:,} posts")
    served = ServedCollection(1, posts, args.seed + 100)
    thresholds = [t for t in RSS_THRESHOLDS if t <= target] or [target]
    if thresholds[-1] != target and target not in RSS_THRESHOLDS:
        thresholds.append(target)
    samples: list[tuple[int, float]] = []  # (pages fetched, RSS MB)
    points: list[tuple[int, int, float, float, float]] = []
    try:
        seeds = served.write_seeds(work / "rss-seeds.txt")
        say(f"rss: crawling until {target:,} pages are fetched (RSS at {', '.join(f'{t:,}' for t in thresholds)})")
        before = served.requests()
        crawl = WorkerProcess(seeds, work / "rss", "rss", work / "rss.log", dict(CRAWL_SETTINGS))
        pending = list(thresholds)
        pages = 0
        deadline = time.monotonic() + 600 + target / 5
        while pending and not crawl.poll() and time.monotonic() < deadline:
            pages = served.requests() - before
            resident = rss_mb(crawl.process.pid)
            if resident is not None:
                samples.append((pages, resident))
            while pending and pages >= pending[0] and samples:
                points.append(_rss_point(pending.pop(0), samples))
            time.sleep(0.2)
        seconds = time.monotonic() - crawl.started
        peak = faults.high_water_rss_mb(crawl.process.pid)
        crawl.kill()
        return RssResult(target, points, peak, seconds, pages, "killed at target" if not pending else crawl.exit_text)
    finally:
        served.stop()


def _rss_point(threshold: int, samples: list[tuple[int, float]]) -> tuple[int, int, float, float, float]:
    """(threshold, samples, median, lowest, highest MB) of the samples over the last tenth of
    the pages up to ``threshold`` (at least the last sample)."""
    window = [mb for pages, mb in samples if pages >= threshold * 0.9] or [samples[-1][1]]
    return threshold, len(window), statistics.median(window), min(window), max(window)


def print_rss(result: RssResult) -> str:
    print(f"\nRSS of one plain crawl process (one generated blog, sitemap listing every post; pages counted "
          f"at the server; sampled every 0.2 s; each point the median over the last tenth of its pages)\n")
    rows = [[f"{threshold:,}", f"{n:,}", f"{mb:.0f}", f"{low:.0f}-{high:.0f}"]
            for threshold, n, mb, low, high in result.points]
    print_table(["pages", "samples", "VmRSS MB (median)", "lowest-highest"], rows)
    first, last = (result.points[0], result.points[-1]) if result.points else (None, None)
    grown = f"{last[2] / first[2]:.2f}" if first and last and last is not first else "-"
    growth = f"; RSS at {last[0]:,} / at {first[0]:,} pages: {grown}" if first and last is not first else ""
    print(f"\n{result.reached:,} pages in {result.seconds:.0f}s ({result.exit}); peak (VmHWM) "
          f"{number(result.peak_mb)} MB{growth}"
          if first else f"\nno threshold reached ({result.reached:,} pages fetched, {result.exit})")
    if result.target < 50_000:
        rate = result.reached / result.seconds if result.seconds else 0
        print(f"(up to {result.target:,} pages only: --rss-pages 50000 measures the 50k point"
              + (f", about {50_000 / rate / 60:.0f} minutes at this crawl's {rate:.0f} pages/s)" if rate else ")"))
    text = ", ".join(f"{mb:.0f} MB at {t:,} ({low:.0f}-{high:.0f})" for t, _, mb, low, high in result.points) \
        or "no threshold reached"
    return text + (f"; ratio {last[0]:,}/{first[0]:,}: {grown}" if first and last is not first else "")


# -- main ------------------------------------------------------------------------------------------
PARTS = ("crawl", "dupefilter", "rss")


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true",
                        help="a smoke run: 300 posts, 1 and 2 workers, 20k/5k dupefilter URLs, RSS to 1k pages")
    parser.add_argument("--posts", type=int, help="posts of the collection, all blogs together (default 5000)")
    parser.add_argument("--blogs", type=int, default=5, help="blogs of the collection, one port each (default 5)")
    parser.add_argument("--workers", help="worker counts, comma-separated; 1 is the plain process (default 1,2,4)")
    parser.add_argument("--repeats", type=int, default=1, help="crawl each worker count this many times, "
                                                                "interleaved; medians are printed (default 1)")
    parser.add_argument("--redis-single", action=argparse.BooleanOptionalAction, default=None,
                        help="also crawl with 1 worker over Redis, for Redis's own cost (default: on, off in --quick)")
    parser.add_argument("--shared-dupefilter", choices=("set", "bloom"),
                        help="-s SHARED_DUPEFILTER for the Redis crawls (default: the crawler's own default)")
    parser.add_argument("--dupe-urls", type=int, help="URLs for the set filter (default 1,000,000)")
    parser.add_argument("--bloom-urls", type=int, help="capacity and URLs of the Bloom filter's false-positive "
                                                       "measurement (default 200,000)")
    parser.add_argument("--bloom-fallback", action="store_true",
                        help="also measure scrapy-redis-bloomfilter's filter (slow: 2k Redis calls per URL, k = hash functions)")
    parser.add_argument("--bloom-error-rate", type=float, default=0.001, help="Bloom filter target (default 0.001)")
    parser.add_argument("--rss-pages", type=int, help="pages of the RSS crawl (default 10,000; 50000 for the 50k point)")
    parser.add_argument("--only", help=f"comma-separated parts: {', '.join(PARTS)} (default: all)")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--redis-server", default=shutil.which("redis-server"), help="the redis-server binary")
    parser.add_argument("--keep", action="store_true", help="keep the scratch folder (datasets, logs)")
    parser.add_argument("--code", type=Path, default=ROOT,
                        help="crawl with the scraper in this folder (a copy of the repository at another commit)")
    args = parser.parse_args(argv)
    quick = args.quick
    args.posts = args.posts or (300 if quick else 5000)
    args.workers = sorted({int(n) for n in (args.workers or ("1,2" if quick else "1,2,4")).split(",") if n.strip()})
    if 1 not in args.workers:
        args.workers.insert(0, 1)  # the baseline every ratio is to
    args.redis_single = (not quick) if args.redis_single is None else args.redis_single
    args.dupe_urls = args.dupe_urls or (20_000 if quick else 1_000_000)
    args.bloom_urls = args.bloom_urls or (5_000 if quick else 200_000)
    args.rss_pages = args.rss_pages or (1_000 if quick else 10_000)
    args.parts = [p.strip() for p in args.only.split(",")] if args.only else list(PARTS)
    unknown = [p for p in args.parts if p not in PARTS]
    if unknown:
        parser.error(f"unknown part(s) {', '.join(unknown)}; parts: {', '.join(PARTS)}")
    return args


def main(argv: list[str] | None = None) -> None:
    args = parse_args(argv)
    if not faults.SCRAPY.exists():
        sys.exit(f"{faults.SCRAPY} not found: create the virtualenv first (see README.md)")
    faults.CODE_ROOT = args.code.resolve()
    if not (faults.CODE_ROOT / "scrapy.cfg").exists():
        sys.exit(f"{faults.CODE_ROOT} holds no scrapy.cfg: not a copy of this repository")
    work = Path(tempfile.mkdtemp(prefix="workers-"))
    started = time.monotonic()
    load = os.getloadavg()
    print(f"{os.cpu_count()} CPU(s), load average {load[0]:.2f} at the start; "
          f"{'quick mode' if args.quick else 'full mode'}; code {faults.CODE_ROOT}")
    redis_server = None
    summary: list[tuple[str, str]] = []
    needs_redis = "dupefilter" in args.parts or ("crawl" in args.parts and (args.redis_single or max(args.workers) > 1))
    try:
        if needs_redis:
            if not args.redis_server:
                print("redis-server not found: the Redis parts (N>1 workers, duplicate filter memory) are skipped")
            else:
                redis_server = RedisServer(args.redis_server)
                print(f"redis-server {redis_server.version} on 127.0.0.1:{redis_server.port}")
        if "crawl" in args.parts:
            results = run_crawls(args, work, redis_server)
            for name, text in print_crawls(results, args.posts).items():
                summary.append((f"crawl, {name}", text))
        if "dupefilter" in args.parts and redis_server is not None:
            for r in run_dupefilters(args, redis_server):
                fp = f"; FP {r.fp_rate:.5f} (target {r.target_rate:g}, {r.queried:,} asked)" if r.fp_rate is not None else ""
                summary.append((f"Redis per 1M URLs, {r.name}", f"{r.per_million / MIB:.2f} MiB ({r.per_million_how}){fp}"))
        if "rss" in args.parts:
            rss = run_rss(args, work)
            summary.append((f"RSS of one crawl (to {args.rss_pages:,} pages)", print_rss(rss)))
    finally:
        for crawl in list(faults._LIVE):
            crawl.kill()
        if redis_server is not None:
            redis_server.stop()
        if args.keep:
            print(f"Datasets and logs kept in {work}", file=sys.stderr)
        else:
            shutil.rmtree(work, ignore_errors=True)
    if summary:
        print("\nSummary\n")
        print_table(["figure", "value"], [[name, value] for name, value in summary])
    print(f"\nTotal time {time.monotonic() - started:.0f}s; load average {os.getloadavg()[0]:.2f} at the end")


if __name__ == "__main__":
    main()
