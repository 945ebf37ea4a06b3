"""One crawl shared by many worker processes over Redis (``-s REDIS_URL=redis://host:port/db``).

scrapy-redis gives the shared frontier (a priority queue in Redis) and the shared duplicate
filter. What it leaves out, and an archive cannot, is added here:

- **Leases.** A request a worker takes moves, in one step, from the queue to the worker's
  in-flight set, and leaves it only once everything it led to is durable: its rows in a published
  Parquet part, the links it found in the queue. A worker that stops renewing its heartbeat
  (``kill -9``, a lost machine) has its in-flight set put back in the queue by the others, so
  nothing it had taken is lost; a worker stopped cleanly hands its own back.
- **Article claims.** Two URLs can lead to one article (a comment page, a ``?replytocom=`` link):
  the first worker to claim its id assembles it, and the claim turns into "stored" as its part is
  published. A dead worker's open claims become orphans: the next worker to meet one looks for
  the article in the crawl folder's parts (the dead worker may have published it in the instant
  before it died) and takes the claim over only if it is not there.
- **Threads stay on their worker.** An article's comment pages, REST and comment-system calls
  carry the partial thread in memory (``cb_kwargs``); serialising it into Redis on every page
  would cost a thread of N pages N copies of itself. So these requests (``meta["local"]``) are
  scheduled on the worker that holds the thread, and the article page's lease covers them: if
  that worker dies, the page is taken again elsewhere and the thread assembled from the start.
- **The end.** A worker with nothing to do waits while the queue or any worker's in-flight set
  holds a request (another worker may still find links); the crawl is finished when neither does.

Keys: ``blog-archiver:<crawl id>:<name>``; the crawl id (``-a crawl=NAME``) is what workers share.
"""
from __future__ import annotations

import heapq
import itertools
import logging
import math
import secrets
import threading
import time
from hashlib import sha1
from pathlib import Path
from typing import TYPE_CHECKING, Any

import redis
from scrapy import signals
from scrapy.core.scheduler import BaseScheduler
from scrapy.exceptions import DontCloseSpider, NotConfigured
from scrapy_redis import connection
from scrapy_redis.dupefilter import RFPDupeFilter
from scrapy_redis.queue import PriorityQueue
from twisted.internet import reactor, task

from pipelines.ledger import stored_article_ids

from . import warc
from .outcome import CrawlSetupError, stop_crawl
from .resume import ResumableScheduler
from .signals import article_claim, commit_requested, dataset_committed
from .workers import worker_id

if TYPE_CHECKING:
    from scrapy import Request, Spider
    from scrapy.crawler import Crawler
    from scrapy.settings import BaseSettings

log = logging.getLogger(__name__)

KEY_PREFIX = "blog-archiver"
STORED = "stored"  # a claim's value once its article's part is published


class Scheduler(ResumableScheduler):
    """``SCHEDULER``: the resumable single-process scheduler (``JOBDIR``), or a worker of a
    shared crawl when ``REDIS_URL`` is set."""

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> ResumableScheduler | SharedScheduler:  # type: ignore[override]
        if crawler.settings.get("REDIS_URL"):
            return SharedScheduler.from_crawler(crawler)
        return ResumableScheduler.from_crawler(crawler)


class Keys:
    def __init__(self, crawl_id: str, worker: str) -> None:
        self.prefix = f"{KEY_PREFIX}:{crawl_id}"
        self.crawl_id = crawl_id
        self.worker = worker
        self.queue, self.seen = self.key("queue"), self.key("seen")
        self.workers, self.claims, self.finished = self.key("workers"), self.key("claims"), self.key("finished")

    def key(self, name: str) -> str:
        return f"{self.prefix}:{name}"

    def inflight(self, worker: str | None = None) -> str:
        return self.key(f"inflight:{worker or self.worker}")

    def alive(self, worker: str | None = None) -> str:
        return self.key(f"alive:{worker or self.worker}")

    def claimed(self, worker: str | None = None) -> str:
        return self.key(f"claimed:{worker or self.worker}")


# Lua runs atomically in Redis: no other worker sees a request between the queue and a lease.
_TAKE = """
local r = redis.call('ZRANGE', KEYS[1], 0, 0, 'WITHSCORES')
if #r == 0 then return false end
redis.call('ZREM', KEYS[1], r[1])
redis.call('ZADD', KEYS[2], r[2], r[1])
return r[1]
"""
# The set duplicate filter and the queue in one step. KEYS: seen, queue; ARGV: fingerprint,
# score, request.
_PUSH_IF_NEW = """
if redis.call('SADD', KEYS[1], ARGV[1]) == 0 then return 0 end
redis.call('ZADD', KEYS[2], ARGV[2], ARGV[3])
return 1
"""
# KEYS: inflight, queue, claims, claimed, alive, workers; ARGV: worker, force.
_HAND_BACK = """
if ARGV[2] ~= '1' and redis.call('EXISTS', KEYS[5]) == 1 then return -1 end
local m = redis.call('ZRANGE', KEYS[1], 0, -1, 'WITHSCORES')
for i = 1, #m, 2 do redis.call('ZADD', KEYS[2], m[i + 1], m[i]) end
redis.call('DEL', KEYS[1])
for _, id in ipairs(redis.call('SMEMBERS', KEYS[4])) do
  if redis.call('HGET', KEYS[3], id) == ARGV[1] then redis.call('HSET', KEYS[3], id, 'orphan') end
end
redis.call('DEL', KEYS[4])
redis.call('SREM', KEYS[6], ARGV[1])
return #m / 2
"""
# The crawl is over when the queue and every worker's in-flight set are empty, read in one step:
# read one by one, a worker could move a request from its in-flight set to the queue between two
# reads (it stores a page, queues the links it found, then releases the lease) and both would
# look empty. ARGV[2], where given, is written to KEYS[3] (the finished marker) in that step.
# KEYS: queue, workers, finished; ARGV: the in-flight key prefix, the finishing time.
_CRAWL_DONE = """
if redis.call('ZCARD', KEYS[1]) > 0 then return 0 end
for _, worker in ipairs(redis.call('SMEMBERS', KEYS[2])) do
  if redis.call('ZCARD', ARGV[1] .. worker) > 0 then return 0 end
end
if ARGV[2] then redis.call('SET', KEYS[3], ARGV[2]) end
return 1
"""
# 1: claimed; 0: another worker's, or stored; 2: a dead worker's, which may have stored it.
# ARGV[3] '1' takes over an orphan (only while it still is one).
_CLAIM = """
local owner = redis.call('HGET', KEYS[1], ARGV[1])
if (not owner) or (owner == 'orphan' and ARGV[3] == '1') then
  redis.call('HSET', KEYS[1], ARGV[1], ARGV[2])
  redis.call('SADD', KEYS[2], ARGV[1])
  return 1
end
if owner == 'orphan' then return 2 end
return 0
"""


def hand_back(server: redis.Redis, keys: Keys, worker: str, force: bool = False) -> int:
    """Queue ``worker``'s in-flight requests again and drop its open claims, if its heartbeat
    stopped (or ``force``); how many requests, -1 when it is alive."""
    return server.eval(_HAND_BACK, 6, keys.inflight(worker), keys.queue, keys.claims, keys.claimed(worker),
                       keys.alive(worker), keys.workers, worker, "1" if force else "0")


def crawl_done(server: redis.Redis, keys: Keys, finishing_at: str | None = None) -> bool:
    """True when the shared queue and every worker's in-flight set are empty, read in one step;
    with ``finishing_at``, the crawl is marked finished at that time in the same step."""
    args = [keys.key("inflight:")] + ([finishing_at] if finishing_at else [])
    return server.eval(_CRAWL_DONE, 3, keys.queue, keys.workers, keys.finished, *args) == 1


class Membership:
    """An extension: this process joins the shared crawl before the engine starts, so that
    what stops it (Redis out of reach, a crawl already finished, a worker name in use) is a
    one-line error; it keeps the worker's heartbeat until the engine stops."""

    def __init__(self, settings: BaseSettings) -> None:
        self.worker = worker_id(settings)
        self.keys = Keys(settings["CRAWL_ID"], self.worker)
        self.timeout = settings.getfloat("SHARED_WORKER_TIMEOUT", 60.0)
        self.server = connection.from_settings(settings)
        duplicate_filter_size(settings)  # a wrong setting stops the start, in one line
        token = secrets.token_hex(8)  # tells this process from a dead one of the same name
        try:
            finished = self.server.get(self.keys.finished)
            if finished:
                raise CrawlSetupError(f"the shared crawl {settings['CRAWL_ID']} finished at {finished.decode()}: "
                                      f"choose another -a crawl=NAME, or delete its keys in Redis "
                                      f"({self.keys.prefix}:*) to crawl it again")
            if not self.server.set(self.keys.alive(), token, nx=True, px=int(self.timeout * 1000)):
                raise CrawlSetupError(f"worker {self.worker} is already running in this shared crawl: give this "
                                      f"one another -s WORKER_ID=NAME (a killed worker's name is free after "
                                      f"SHARED_WORKER_TIMEOUT, {self.timeout:.0f} s)")
            hand_back(self.server, self.keys, self.worker, force=True)  # an earlier run under this name
            self.server.sadd(self.keys.workers, self.worker)
        except redis.RedisError as exc:
            raise CrawlSetupError(f"cannot reach Redis at {settings['REDIS_URL']}: {exc}") from None
        self.heartbeat = _Heartbeat(self.server, self.keys.alive(), token, self.timeout)
        self.heartbeat.start()

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Membership:
        if not crawler.settings.get("REDIS_URL"):
            raise NotConfigured
        member = cls(crawler.settings)
        crawler.signals.connect(member.leave, signal=signals.engine_stopped)
        return member

    def leave(self) -> None:
        self.heartbeat.stop()
        if self.heartbeat.owned():
            self.server.delete(self.keys.alive())


class SharedQueue(PriorityQueue):
    """scrapy-redis's priority queue, taken from into an in-flight set instead of plainly popped."""

    def push(self, request: Request) -> None:
        request.meta.pop("lease", None)  # a lease is one worker's, never the queue's
        super().push(request)

    def _encode_request(self, request: Request) -> bytes:
        """scrapy-redis's encoding, with each callback's name read off the method itself:
        Scrapy's ``to_dict`` finds it by listing every member of the spider, twice a request
        (~0.5 ms, more than the rest of a push)."""
        data = request.replace(callback=None, errback=None).to_dict()
        data["callback"], data["errback"] = self._method_name(request.callback), self._method_name(request.errback)
        return self.serializer.dumps(data)

    def _method_name(self, method: Any) -> Any:
        if not callable(method):
            return method  # None, or a name already
        func = getattr(method, "__func__", None)
        name = getattr(func, "__name__", "")
        if func is None or getattr(getattr(self.spider, name, None), "__func__", None) is not func:
            raise ValueError(f"Function {method} is not an instance method in: {self.spider}")
        return name

    def push_if_new(self, seen: str, fingerprint: str, request: Request) -> bool:
        """Add ``fingerprint`` to the set ``seen`` and, if it was not there, queue ``request``:
        one round trip to Redis where the filter and the push took two."""
        if not hasattr(self, "_push_if_new"):
            self._push_if_new = self.server.register_script(_PUSH_IF_NEW)
        request.meta.pop("lease", None)
        return self._push_if_new(keys=[seen, self.key],
                                 args=[fingerprint, -request.priority, self._encode_request(request)]) == 1

    def take(self, inflight: str) -> tuple[bytes, Request] | None:
        if not hasattr(self, "_take"):
            self._take = self.server.register_script(_TAKE)  # sent once, then called by its hash
        data = self._take(keys=[self.key, inflight])
        return (data, self._decode_request(data)) if data else None


class BloomDupeFilter(RFPDupeFilter):
    """scrapy-redis's duplicate filter on a Redis bitmap: a fixed ``m`` bits for
    ``BLOOMFILTER_CAPACITY`` URLs at ``BLOOMFILTER_ERROR_RATE`` false positives (a URL wrongly
    taken as seen, so not crawled). Up to capacity that rate holds; past it the rate grows, and
    the filter says so once. The check and the insert are one Lua call, so two workers never
    both take one URL as new. (scrapy-redis-bloomfilter checks, then inserts, in k+k calls.)"""

    _ADD = """
local new = 0
for i = 1, #ARGV do
  if redis.call('SETBIT', KEYS[1], ARGV[i], 1) == 0 then new = 1 end
end
if new == 1 then return redis.call('INCR', KEYS[2]) end
return 0
"""

    def __init__(self, server: redis.Redis, key: str, debug: bool = False, capacity: int = 10_000_000,
                 error_rate: float = 1e-6) -> None:
        super().__init__(server, key, debug)
        self._add = server.register_script(self._ADD)
        self.capacity = capacity
        self.bits, self.hashes = bloom_size(capacity, error_rate)
        self._warned = False

    def request_seen(self, request: Request) -> bool:
        return self.fingerprint_seen(self.request_fingerprint(request))

    def fingerprint_seen(self, fingerprint: str) -> bool:
        """``request_seen`` for a fingerprint already computed."""
        added = self._add(keys=[self.key, self.key + ":count"], args=self.positions(fingerprint))
        if added > self.capacity and not self._warned:
            self._warned = True
            log.warning("The Bloom duplicate filter holds more URLs (%d) than its capacity (%d): "
                        "more new URLs are taken as seen; raise BLOOMFILTER_CAPACITY", added, self.capacity)
        return added == 0

    def seen_before(self, request: Request) -> bool:
        """Whether ``request`` would be taken as seen, without adding it: how the false-positive
        rate is measured."""
        pipe = self.server.pipeline(transaction=False)
        for position in self.positions(self.request_fingerprint(request)):
            pipe.getbit(self.key, position)
        return all(pipe.execute())

    def positions(self, fingerprint: str) -> list[int]:
        # Double hashing (Kirsch-Mitzenmacher): k positions from two 64-bit halves of a SHA-1.
        digest = sha1(fingerprint.encode()).digest()
        h1, h2 = int.from_bytes(digest[:8], "big"), int.from_bytes(digest[8:16], "big") | 1
        return [(h1 + i * h2) % self.bits for i in range(self.hashes)]

    def clear(self) -> None:
        self.server.delete(self.key, self.key + ":count")


def bloom_size(capacity: int, error_rate: float) -> tuple[int, int]:
    """Bits and hash functions of a Bloom filter for ``capacity`` items at ``error_rate``."""
    if capacity < 1 or not 0 < error_rate < 1:
        raise CrawlSetupError("BLOOMFILTER_CAPACITY must be at least 1 and BLOOMFILTER_ERROR_RATE between 0 and 1")
    bits = math.ceil(-capacity * math.log(error_rate) / math.log(2) ** 2)
    if bits > 1 << 32:  # one Redis string holds at most 2^32 bits (512 MiB)
        raise CrawlSetupError("BLOOMFILTER_CAPACITY x BLOOMFILTER_ERROR_RATE needs more than 512 MiB: "
                              "lower the capacity or raise the error rate")
    return bits, max(1, round(bits / capacity * math.log(2)))


def duplicate_filter_size(settings: BaseSettings) -> tuple[int, int] | None:
    """The Bloom filter's bits and hashes (None for the set); CrawlSetupError for a wrong setting."""
    kind = settings.get("SHARED_DUPEFILTER", "set")
    if kind not in ("set", "bloom"):
        raise CrawlSetupError(f"SHARED_DUPEFILTER is {kind!r}: use set or bloom")
    if kind == "set":
        return None
    return bloom_size(settings.getint("BLOOMFILTER_CAPACITY"), settings.getfloat("BLOOMFILTER_ERROR_RATE"))


def duplicate_filter(server: redis.Redis, keys: Keys, settings: BaseSettings) -> RFPDupeFilter:
    """``SHARED_DUPEFILTER``: scrapy-redis's set of fingerprints ("set"), or a Bloom filter."""
    kind, debug = settings.get("SHARED_DUPEFILTER", "set"), settings.getbool("DUPEFILTER_DEBUG")
    if kind == "set":
        return RFPDupeFilter(server, keys.seen, debug)
    if kind == "bloom":
        return BloomDupeFilter(server, keys.seen + ":bloom", debug, settings.getint("BLOOMFILTER_CAPACITY"),
                               settings.getfloat("BLOOMFILTER_ERROR_RATE"))
    raise CrawlSetupError(f"SHARED_DUPEFILTER is {kind!r}: use set or bloom")


class SharedScheduler(BaseScheduler):
    """A worker's scheduler: the crawl's queue and duplicate filter in Redis, its thread
    requests local, its leases released once what they led to is stored."""

    def __init__(self, crawler: Crawler, member: Membership) -> None:
        self.crawler, self.member = crawler, member
        self.server, self.worker, self.keys = member.server, member.worker, member.keys
        self.timeout = member.timeout
        self.idle_poll = crawler.settings.getfloat("SHARED_IDLE_POLL", 0.5)
        self._poll: Any = None  # the pending look at the shared queue of an idle worker
        self.folder = Path(crawler.settings.get("DATASET_ROOT") or "datasets") / crawler.settings["CRAWL_ID"]
        self._claim = self.server.register_script(_CLAIM)
        self._local: list = []  # the threads this worker assembles: (-priority, n, request)
        self._order = itertools.count()
        self._leases: dict[int, bytes] = {}  # lease → the request as the in-flight set holds it
        self._lease_ids = itertools.count(1)
        self._stored: set[str] = set()  # articles through the pipelines since the last commit
        self._reaper: task.LoopingCall | None = None
        self.spider: Spider | None = None
        self.queue: SharedQueue | None = None
        self.df: Any = None

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> SharedScheduler:
        member = crawler.get_extension(Membership)
        if member is None:
            raise RuntimeError("a shared crawl needs the scraper.shared.Membership extension (EXTENSIONS)")
        scheduler = cls(crawler, member)
        for handler, signal in ((scheduler.on_idle, signals.spider_idle),
                                (scheduler.on_committed, dataset_committed),
                                (scheduler.on_claim, article_claim),
                                (scheduler.on_item_done, signals.item_scraped),
                                (scheduler.on_item_done, signals.item_dropped)):
            crawler.signals.connect(handler, signal=signal)
        return scheduler

    # -- the engine's side ------------------------------------------------------------------
    def open(self, spider: Spider) -> None:
        self.spider = spider
        self.queue = SharedQueue(self.server, spider, self.keys.queue)
        self.df = duplicate_filter(self.server, self.keys, self.crawler.settings)
        queued = len(self.queue)
        log.info("Worker %s of the shared crawl %s (%s): %d request(s) queued", self.worker,
                 spider.settings["CRAWL_ID"], self.crawler.settings["REDIS_URL"], queued)
        self._reaper = task.LoopingCall(self.hand_back_dead)
        self._reaper.start(max(1.0, self.timeout / 4), now=True)

    def close(self, reason: str) -> None:
        if self._reaper is not None and self._reaper.running:
            self._reaper.stop()
        if self._poll is not None and self._poll.active():
            self._poll.cancel()
        if reason == "finished":
            self._crawl_done(finishing_at=time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()))
        # What was not released at the last commit goes back for the others (or the next run).
        handed = self._hand_back(self.worker, force=True)
        if handed:
            log.info("Worker %s handed %d unfinished request(s) back to the shared queue", self.worker, handed)

    def __len__(self) -> int:
        return len(self._local) + (len(self.queue) if self.queue is not None else 0)

    def has_pending_requests(self) -> bool:
        return bool(self._local) or (self.queue is not None and len(self.queue) > 0)

    def enqueue_request(self, request: Request) -> bool:
        if request.meta.get("local"):
            heapq.heappush(self._local, (-request.priority, next(self._order), request))
            return True
        if request.dont_filter:
            self.queue.push(request)
        elif not self._queued_if_new(request):
            self.df.log(request, self.spider)
            return False
        self.crawler.stats.inc_value("scheduler/enqueued/redis")
        return True

    def _queued_if_new(self, request: Request) -> bool:
        """Queue ``request`` unless the shared duplicate filter has seen it; True if queued."""
        # Links this worker already sent here are not built again by the spider
        # (spiders/links.py's FollowedLinks): what arrives is asked of Redis.
        fingerprint = self.df.request_fingerprint(request)
        if isinstance(self.df, BloomDupeFilter):  # its check and insert are a script of their own
            if self.df.fingerprint_seen(fingerprint):
                return False
            self.queue.push(request)
            return True
        return self.queue.push_if_new(self.df.key, fingerprint, request)

    def next_request(self) -> Request | None:
        if self._local:
            return heapq.heappop(self._local)[2]
        taken = self.queue.take(self.keys.inflight())
        if taken is None:
            return None
        data, request = taken
        lease = next(self._lease_ids)
        self._leases[lease] = data
        request.meta["lease"] = lease
        self.crawler.stats.inc_value("scheduler/dequeued/redis")
        return request

    # -- leases -----------------------------------------------------------------------------
    def _active_leases(self) -> set[int]:
        """Leases with work still going on here: a request of theirs downloading or being
        processed (its items through the pipelines, its links queued), or a thread the spider
        is still assembling."""
        # The engine's set of requests between the scheduler and the end of their callback's
        # work; without it a lease would be released before its rows are stored.
        inprogress = getattr(getattr(self.crawler.engine, "_slot", None), "inprogress", None)
        if inprogress is None:
            raise RuntimeError("this Scrapy's engine keeps no set of requests in progress: a shared "
                               "crawl cannot tell when a request's work is stored")
        active = {r.meta.get("lease") for r in inprogress}
        active.update(r.meta.get("lease") for _, _, r in self._local)
        active.update(getattr(self.spider, "held_leases", lambda: ())())
        return active

    def on_committed(self, article_ids: list[str] = ()) -> None:
        """The pipeline published its parts (with ``article_ids``): those articles are stored,
        and the leases whose work is all in the parts are released."""
        active = self._active_leases()
        done = [lease for lease in self._leases if lease not in active]
        stored, self._stored = self._stored | set(article_ids), set()
        if not done and not stored:
            return
        pipe = self.server.pipeline()
        if done:
            pipe.zrem(self.keys.inflight(), *(self._leases.pop(lease) for lease in done))
        for article_id in stored:
            pipe.hset(self.keys.claims, article_id, STORED)
        if stored:
            pipe.srem(self.keys.claimed(), *stored)
        pipe.execute()

    def on_item_done(self, item: Any, **kwargs: Any) -> None:
        article = getattr(item, "article", None)
        if article and article.get("article_id"):
            self._stored.add(article["article_id"])

    def on_claim(self, article_id: str) -> bool:
        """True when this worker is the one to assemble ``article_id``."""
        claim = self._claim(keys=[self.keys.claims, self.keys.claimed()], args=[article_id, self.worker, "0"])
        if claim != 2:
            return claim == 1
        if article_id in stored_article_ids(self.folder):  # published by the dead worker after all
            self.server.hset(self.keys.claims, article_id, STORED)
            return False
        return self._claim(keys=[self.keys.claims, self.keys.claimed()], args=[article_id, self.worker, "1"]) == 1

    def _hand_back(self, worker: str, force: bool = False) -> int:
        return hand_back(self.server, self.keys, worker, force)

    def hand_back_dead(self) -> None:
        """Put the in-flight requests of workers whose heartbeat stopped back in the queue."""
        if not self.member.heartbeat.owned():
            log.error("Worker %s missed its heartbeat for over %.0f s and its requests were handed to the "
                      "other workers; it stops", self.worker, self.timeout)
            stop_crawl(self.crawler, "shared_lease_lost")
            return
        for member in self.server.smembers(self.keys.workers):
            worker = member.decode()
            if worker == self.worker or (n := self._hand_back(worker)) < 0:
                continue
            log.warning("Worker %s stopped answering: %d request(s) it had taken are queued again", worker, n)
            self.crawler.stats.inc_value("shared/requests_handed_back", n)
            # Its rows point at records of the WARC file it had open: finalise it, as a restart
            # under its name would (in a folder of its own, that restart or a merge does).
            warc.recover_open_files(self.folder / "warc", warc.file_prefix(self.keys.crawl_id, worker))

    # -- the end ----------------------------------------------------------------------------
    def on_idle(self) -> None:
        """Idle here: store what is pending (so its leases go), then wait while another worker
        may still find work."""
        self.crawler.signals.send_catch_log(commit_requested)
        self.hand_back_dead()
        if not self._crawl_done():
            self._look_again()
            raise DontCloseSpider

    def _look_again(self) -> None:
        """Ask the engine for the next request again in ``idle_poll`` seconds. An idle engine
        looks at its scheduler only on its own heartbeat, every 5 s: links another worker queues
        in the meantime would wait that long here, and so would the end of the crawl."""
        if self._poll is not None and self._poll.active():
            return
        slot = getattr(self.crawler.engine, "_slot", None)
        if slot is not None:
            self._poll = reactor.callLater(self.idle_poll, slot.nextcall.schedule)

    def _crawl_done(self, finishing_at: str | None = None) -> bool:
        """True when no worker holds or may still find work; with ``finishing_at``, the crawl
        is marked finished at that time in the same step."""
        return not self._local and crawl_done(self.server, self.keys, finishing_at)


class _Heartbeat:
    """Renews the worker's ``alive`` key from a thread, so that a long parse holding the reactor
    is not taken for a dead worker."""

    def __init__(self, server: redis.Redis, key: str, token: str, timeout: float) -> None:
        self.server, self.key, self.token, self.timeout = server, key, token, timeout
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="shared-crawl-heartbeat", daemon=True)

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        if self._thread.is_alive():
            self._thread.join(timeout=5)

    def owned(self) -> bool:
        value = self.server.get(self.key)
        return value is not None and value.decode() == self.token

    def _run(self) -> None:
        while not self._stop.wait(self.timeout / 4):
            try:
                # Only while the key is still ours: once handed back, this worker must not revive.
                self.server.set(self.key, self.token, xx=True, px=int(self.timeout * 1000))
            except redis.RedisError as exc:
                log.warning("Heartbeat to Redis failed: %s", exc)
