"""A crawl shared by worker processes over a real Redis server (scraper/shared.py): a collection
of generated blogs on 127.0.0.1, crawled by 2-3 workers of which one is killed with ``kill -9``,
checked row by row against a single-process crawl of the same collection."""
from __future__ import annotations

import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import urlsplit

import pyarrow.dataset as ds
import pyarrow.parquet as pq
import pytest

from scraper.replay import SAMPLE_BLOG, ReplaySite

from crawl_helpers import FAST, ROOT, crawl_env

sys.path.insert(0, str(ROOT / "benchmarks"))
from hostile_server import GeneratedBlog, HostileServer  # noqa: E402

REDIS_SERVER = shutil.which("redis-server")
pytestmark = pytest.mark.skipif(REDIS_SERVER is None, reason="redis-server is not installed "
                                "(Debian: apt-get install redis-server; .ci/run installs it)")
# Columns that say which run, worker or file a row came from, not what it holds.
VOLATILE = {"crawl_id", "fetched_at", "warc_file", "warc_record_id", "warc_offset", "extractor"}
KEYS = {"articles": ("article_id",), "comments": ("article_id", "comment_id")}
FAST_SHARED = [*FAST, "-s", "SHARED_WORKER_TIMEOUT=3", "-s", "PARQUET_COMMIT_INTERVAL=1",
               "-s", "PROGRESS_INTERVAL=0", "-s", "CONCURRENT_REQUESTS_PER_DOMAIN=4"]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def redis_url():
    port = _free_port()
    server = subprocess.Popen([REDIS_SERVER, "--port", str(port), "--bind", "127.0.0.1", "--save", "",
                               "--appendonly", "no"], stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT)
    import redis  # noqa: PLC0415 - with the server only
    client = redis.Redis(port=port)
    for _ in range(100):
        try:
            client.ping()
            break
        except redis.ConnectionError:
            time.sleep(0.05)
    yield f"redis://127.0.0.1:{port}"
    server.terminate()
    server.wait(timeout=10)


_DB = iter(range(1, 16))


@pytest.fixture
def redis_db(redis_url) -> str:
    """A Redis database of its own for each test."""
    return f"{redis_url}/{next(_DB)}"


@pytest.fixture(scope="module")
def collection(tmp_path_factory):
    """Three generated blogs (threads split over comment pages), each on its own port, served
    slowly enough that a worker can be killed in the middle of the crawl, and the sample
    WordPress blog (reply targets from its REST API)."""
    servers, blogs = _GENERATED_SERVERS, {}
    for n in range(3):
        blog = GeneratedBlog(25, seed=n, first_comment_id=1000 * (n + 1))
        # Slow enough that the crawl outlasts the workers' staggered start on a loaded machine.
        server = HostileServer(delay=0.05).start()
        blog.install(server)
        servers.append(server)
        blogs[f"127.0.0.1:{server.port}"] = blog
    sample = ReplaySite(SAMPLE_BLOG).start()
    seeds = tmp_path_factory.mktemp("seeds") / "blogs.txt"
    seeds.write_text("# the collection\n" + "".join(f"{s.url}/\n" for s in [*servers, sample]))
    yield seeds, blogs
    for server in [*servers, sample]:
        server.stop()
    servers.clear()


_GENERATED_SERVERS: list[HostileServer] = []  # the collection's generated blogs, for a test to hold


@pytest.fixture
def held_collection(collection, monkeypatch):
    """The generated blogs answer nothing until the test opens the gate (``.set()``): workers
    that start seconds apart on a loaded machine all join before the crawl can end."""
    import threading  # noqa: PLC0415

    gate = threading.Event()
    for server in _GENERATED_SERVERS:
        answer = server._answer
        monkeypatch.setattr(server, "_answer", lambda handler, answer=answer: (gate.wait(120), answer(handler)))
    yield gate
    gate.set()


def _wait_for_workers(redis_url: str, crawl: str, names: set[str], timeout: float = 120) -> None:
    import redis  # noqa: PLC0415

    from scraper.shared import Keys  # noqa: PLC0415

    server, key = redis.Redis.from_url(redis_url), Keys(crawl, "").workers
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if {m.decode() for m in server.smembers(key)} >= names:
            return
        time.sleep(0.1)
    raise AssertionError(f"workers {sorted(names)} did not all join in {timeout} s")


def worker_command(seeds: Path, out: Path, crawl: str, redis: str | None, name: str, *extra: str) -> list[str]:
    shared = ["-s", f"REDIS_URL={redis}", "-s", f"WORKER_ID={name}"] if redis else []
    return [sys.executable, "-m", "scrapy.cmdline", "crawl", "blog", "-a", f"seeds={seeds}", "-a", f"out={out}",
            "-a", f"crawl={crawl}", *FAST_SHARED, *shared, *extra]


def worker(seeds: Path, out: Path, crawl: str, redis: str | None, name: str, *extra: str) -> subprocess.Popen:
    log = open(out / f"{crawl}-{name}.log", "w")
    return subprocess.Popen(worker_command(seeds, out, crawl, redis, name, *extra), cwd=ROOT,
                            env=crawl_env(None), stdout=log, stderr=subprocess.STDOUT)


def rows(folder: Path, table: str) -> list[dict]:
    data = ds.dataset(folder / table, format="parquet").to_table().to_pylist()
    return sorted(({k: v for k, v in r.items() if k not in VOLATILE} for r in data),
                  key=lambda r: tuple(str(r[k]) for k in KEYS[table]))


def assert_same_dataset(shared: Path, reference: Path) -> None:
    for table in ("articles", "comments"):
        got, want = rows(shared, table), rows(reference, table)
        keys = [tuple(r[k] for k in KEYS[table]) for r in got]
        assert len(keys) == len(set(keys)), f"{table}: a row stored twice"
        assert len(got) == len(want), f"{table}: {len(got)} rows, the single-process crawl has {len(want)}"
        for g, w in zip(got, want):
            assert g == w
    pages = {r["url"] for r in ds.dataset(shared / "pages", format="parquet").to_table(columns=["url"]).to_pylist()}
    want_pages = {r["url"] for r in ds.dataset(reference / "pages", format="parquet").to_table(columns=["url"]).to_pylist()}
    assert pages == want_pages


@pytest.fixture(scope="module")
def reference(collection, tmp_path_factory) -> Path:
    """The single-process crawl of the collection."""
    seeds, blogs = collection
    out = tmp_path_factory.mktemp("reference")
    assert worker(seeds, out, "ref", None, "single").wait(timeout=300) == 0, (out / "ref-single.log").read_text()[-3000:]
    articles, comments = rows(out / "ref", "articles"), rows(out / "ref", "comments")
    for site, blog in blogs.items():
        assert sum(a["site"] == site for a in articles) == len(blog.posts)
        assert sum(urlsplit(c["article_url"]).netloc == site for c in comments) == \
            sum(map(len, blog.truth().values()))
    assert any(c["parent_source"] == "api" for c in comments)  # the sample blog's REST answers
    return out / "ref"


def _wait_for_parts(folder: Path, name: str, timeout: float = 120) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if list((folder / "articles").glob(f"part-{name}-*.parquet")):
            return
        time.sleep(0.1)
    raise AssertionError(f"worker {name} stored nothing in {timeout} s")


def _first_to_store(folder: Path, names: tuple[str, ...], timeout: float = 120) -> str:
    """The first worker to publish rows (a worker ending with nothing writes an empty part).
    Which one gets work first depends on the order the processes start in."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        for name in names:
            if any(pq.read_metadata(p).num_rows for p in (folder / "articles").glob(f"part-{name}-*.parquet")):
                return name
        time.sleep(0.1)
    raise AssertionError(f"no worker stored anything in {timeout} s")


def test_workers_one_killed_store_every_article_once(collection, reference, redis_db, tmp_path):
    seeds, _ = collection
    names = ("w1", "w2", "w3")
    procs = {name: worker(seeds, tmp_path, "shared", redis_db, name) for name in names}
    killed = _first_to_store(tmp_path / "shared", names)
    procs[killed].send_signal(signal.SIGKILL)  # in the middle of its work: leases, claims, a thread
    assert procs[killed].wait(timeout=30) == -signal.SIGKILL, f"{killed} ended before it was killed"
    others = [n for n in names if n != killed]
    for name in others:
        assert procs[name].wait(timeout=300) == 0, (tmp_path / f"shared-{name}.log").read_text()[-3000:]
    folder = tmp_path / "shared"
    assert_same_dataset(folder, reference)
    manifest = json.loads((folder / "crawl.json").read_text())
    assert manifest["outcome"] == "finished"
    assert manifest["counts"]["articles"] == len(rows(reference, "articles"))
    assert manifest["workers_without_manifest"] == [killed]  # its parts count, its manifest never came
    assert sorted(w["id"] for w in manifest["workers"]) == others
    logs = "".join((tmp_path / f"shared-{n}.log").read_text() for n in others)
    assert f"Worker {killed} stopped answering" in logs
    # Each worker that stored rows wrote a WARC series of its own name.
    warc_workers = {p.name.removeprefix("shared@").rsplit("-", 1)[0] for p in (folder / "warc").glob("*.warc.gz")}
    part_workers = {p.name.removeprefix("part-").rsplit("-", 1)[0] for p in (folder / "articles").glob("part-*")
                    if pq.read_metadata(p).num_rows}
    assert killed in part_workers and part_workers <= warc_workers <= set(names)
    assert not list((folder / "warc").glob("*.open"))  # the killed worker's open file finalised by the others


def test_a_stopped_shared_crawl_resumes_from_redis(collection, reference, redis_db, tmp_path):
    seeds, _ = collection
    first = worker(seeds, tmp_path, "resumed", redis_db, "a")
    _wait_for_parts(tmp_path / "resumed", "a")
    first.send_signal(signal.SIGINT)  # a clean stop: its unfinished requests go back to Redis
    assert first.wait(timeout=60) == 5
    again = [worker(seeds, tmp_path, "resumed", redis_db, name) for name in ("a", "b")]
    assert [p.wait(timeout=300) for p in again] == [0, 0]
    assert_same_dataset(tmp_path / "resumed", reference)
    # A finished shared crawl is not crawled again under the same name.
    late = subprocess.run(worker_command(seeds, tmp_path, "resumed", redis_db, "c"), cwd=ROOT,
                          env=crawl_env(None), capture_output=True, text=True, timeout=60)
    assert late.returncode == 1
    assert "the shared crawl resumed finished at" in late.stderr


def test_workers_on_machines_of_their_own_merge_into_one_dataset(collection, reference, held_collection,
                                                                 redis_db, tmp_path):
    """Also with the Bloom duplicate filter: every URL still fetched by one worker."""
    seeds, _ = collection
    machines = [tmp_path / "one", tmp_path / "two"]
    for folder in machines:
        folder.mkdir()
    procs = [worker(seeds, folder, "apart", redis_db, name, "-s", "SHARED_DUPEFILTER=bloom")
             for folder, name in zip(machines, ("m1", "m2"))]
    _wait_for_workers(redis_db, "apart", {"m1", "m2"})
    held_collection.set()
    assert [p.wait(timeout=300) for p in procs] == [0, 0]
    one, two = (folder / "apart" for folder in machines)
    assert list((two / "articles").glob("part-m2-*.parquet")), "the second worker stored nothing: no merge tested"
    merge = subprocess.run([sys.executable, "-m", "scrapy.cmdline", "merge", str(one), str(two)], cwd=ROOT,
                           env=crawl_env(None), capture_output=True, text=True, timeout=120)
    assert merge.returncode == 0, merge.stderr[-2000:]
    assert_same_dataset(one, reference)
    manifest = json.loads((one / "crawl.json").read_text())
    assert sorted(w["id"] for w in manifest["workers"]) == ["m1", "m2"]
    assert manifest["counts"]["articles"] == len(rows(reference, "articles")) and manifest["outcome"] == "finished"
    assert sorted(s["url"] for s in manifest["seeds"]) == sorted(line for line in seeds.read_text().splitlines() if not line.startswith("#"))
    assert sum(s["articles"] for s in manifest["seeds"]) == manifest["counts"]["articles"]
    again = subprocess.run([sys.executable, "-m", "scrapy.cmdline", "merge", str(one), str(two)], cwd=ROOT,
                           env=crawl_env(None), capture_output=True, text=True, timeout=120)
    assert again.returncode == 0 and "0 file(s) copied" in again.stdout  # merging twice changes nothing


def test_a_shared_crawl_refuses_to_start_without_a_crawl_id_or_redis(collection, redis_db, tmp_path):
    seeds, _ = collection
    base = [sys.executable, "-m", "scrapy.cmdline", "crawl", "blog", "-a", f"seeds={seeds}", "-a", f"out={tmp_path}"]
    no_id = subprocess.run([*base, "-s", f"REDIS_URL={redis_db}"], cwd=ROOT, env=crawl_env(None),
                           capture_output=True, text=True, timeout=60)
    assert no_id.returncode == 1 and "needs a crawl id that every worker is given" in no_id.stderr
    assert "Traceback" not in no_id.stderr
    down = subprocess.run([*base, "-a", "crawl=x", "-s", f"REDIS_URL=redis://127.0.0.1:{_free_port()}/0"],
                          cwd=ROOT, env=crawl_env(None), capture_output=True, text=True, timeout=60)
    assert down.returncode == 1 and "cannot reach Redis at" in down.stderr
    assert "Traceback" not in down.stderr
    wrong = subprocess.run([*base, "-a", "crawl=x", "-s", f"REDIS_URL={redis_db}", "-s", "SHARED_DUPEFILTER=cuckoo"],
                           cwd=ROOT, env=crawl_env(None), capture_output=True, text=True, timeout=60)
    assert wrong.returncode == 1 and "SHARED_DUPEFILTER is 'cuckoo': use set or bloom" in wrong.stderr


def test_the_bloom_filter_holds_its_error_rate(redis_db):
    import redis  # noqa: PLC0415
    from scrapy import Request  # noqa: PLC0415

    from scraper.shared import BloomDupeFilter, bloom_size  # noqa: PLC0415

    server = redis.Redis.from_url(redis_db)
    bloom = BloomDupeFilter(server, "test:bloom", capacity=20_000, error_rate=1e-3)
    assert (bloom.bits, bloom.hashes) == bloom_size(20_000, 1e-3) == (287_552, 10)
    urls = [f"https://blog.example.org/2024/{n}/" for n in range(20_000)]
    assert not any(bloom.request_seen(Request(u)) for u in urls)  # each new the first time
    assert all(bloom.request_seen(Request(u)) for u in urls[::50])  # and seen after
    fresh = sum(bloom.seen_before(Request(f"https://other.example.org/{n}")) for n in range(20_000))
    assert fresh / 20_000 < 3e-3  # the rate it was sized for, with room for chance
    assert server.strlen("test:bloom") <= bloom.bits // 8 + 1  # a fixed bitmap, not a set
    bloom.clear()


def test_the_end_of_a_shared_crawl_is_read_in_one_step(redis_db):
    """A worker that stores its last page queues the links it found and then releases the page's
    lease. Read one key at a time, an idle worker could see the queue empty before the links
    came and the in-flight set empty after the lease went, and mark the crawl finished while
    another worker still had pages to crawl (found in CI: a worker starting last ended first)."""
    import redis  # noqa: PLC0415

    from scraper.shared import Keys, crawl_done  # noqa: PLC0415

    keys = Keys("ends", "idle")
    busy = keys.inflight("busy")

    class Interleaved(redis.Redis):
        """The busy worker's two steps land right after the idle worker's first command."""
        stepped = False

        def execute_command(self, *args, **options):
            result = super().execute_command(*args, **options)
            if not self.stepped:
                self.stepped = True
                helper = redis.Redis(connection_pool=self.connection_pool)
                helper.zadd(keys.queue, {b"a link found on the page": 0})
                helper.zrem(busy, b"the page")
            return result

    plain = redis.Redis.from_url(redis_db)
    plain.sadd(keys.workers, "idle", "busy")
    plain.zadd(busy, {b"the page": 0})
    assert not crawl_done(Interleaved.from_url(redis_db), keys, finishing_at="2026-12-06T00:00:00Z")
    assert plain.get(keys.finished) is None
    plain.delete(keys.queue)  # the link crawled: nothing is queued or held any more
    assert crawl_done(plain, keys) and plain.get(keys.finished) is None  # asked, not marked
    assert crawl_done(plain, keys, finishing_at="2026-12-06T00:00:00Z")
    assert plain.get(keys.finished) == b"2026-12-06T00:00:00Z"


def test_a_queued_request_keeps_its_callbacks_and_everything_else(redis_db):
    """The shared queue names a request's callbacks without listing the spider's members: the
    request read back is the one queued; a callback that is no method of the spider is refused,
    as Scrapy refuses it."""
    import redis  # noqa: PLC0415
    from scrapy import Request  # noqa: PLC0415

    from scraper.shared import SharedQueue  # noqa: PLC0415
    from scraper.spiders.blog import BlogSpider  # noqa: PLC0415

    spider = BlogSpider(url="https://blog.example.org/")
    queue = SharedQueue(redis.Redis.from_url(redis_db), spider, "test:queue")
    request = Request("https://blog.example.org/2024/05/post/", callback=spider.parse_page,
                      errback=spider.page_failed, priority=3, meta={"site_page": True, "depth": 2},
                      cb_kwargs={"n": 1}, dont_filter=True)
    back = queue._decode_request(queue._encode_request(request))
    assert back.callback == spider.parse_page and back.errback == spider.page_failed
    assert back.to_dict(spider=spider) == request.to_dict(spider=spider)
    with pytest.raises(ValueError, match="not an instance method"):
        queue._encode_request(Request("https://blog.example.org/", callback=lambda r: None))
