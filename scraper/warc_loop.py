"""Re-extraction without the crawl engine: the spider's requests answered from WARC files in a
plain loop (``scrapy reextract``'s default; ``REEXTRACT_ENGINE = "scrapy"`` runs Scrapy's engine).

Every response of a rebuild is already on disk, so Scrapy's engine, scheduler, downloader and
Twisted only add cost (a live crawl's pace, ~40 responses a second). The loop keeps what
decides the rows, using the components themselves, built from the settings as Scrapy builds them,
on a crawler that is never started:

* the spider (``start``, its callbacks and errbacks, its request building) and the item
  pipelines, unchanged;
* the scheduler's order (priority, then first in first out; start requests after others of the
  same priority) and its duplicate filter (``DUPEFILTER_CLASS``, request fingerprints);
* of the downloader middlewares, those that change what a request gets in replay:
  ``SitePageLimit`` (``MAX_PAGES_PER_SITE``), robots.txt as the files hold it (parsed by
  ``ROBOTSTXT_PARSER``, ``robots_parsed`` sent: the spider asks the sitemaps it names),
  ``WarcReplayMiddleware`` (the answer, a 404 for a URL the files do not hold), then the scoped
  redirect and meta-refresh middlewares on the answer (a redirect is scheduled again, through
  the duplicate filter, as the engine does);
* of the spider middlewares: ``HttpErrorMiddleware`` (a non-2xx answer goes to the errback),
  ``DepthMiddleware`` (depth, ``DEPTH_LIMIT``, ``DEPTH_PRIORITY``) and ``UrlLengthMiddleware``;
* the signals the pipelines and extensions listen to (``response_received``, ``item_*``,
  ``spider_error``, ``spider_opened``/``spider_closed``, ``engine_started``/``engine_stopped``),
  and their timers (the dataset's periodic commit, the progress line): the reactor never runs,
  the loop runs its due timed calls every second.

Left out because nothing of a rebuild depends on them: offsite filtering (the blog spider names
no ``allowed_domains``; its scope is its own), headers (user agent, cookies, referer, auth),
retries, throttling and timeouts (replay forces them off), decompression (replayed bodies are
decoded), and the capture and conditional-request middlewares (off in replay). What the loop
does not replicate makes ``scrapy reextract`` use the engine (:func:`engine_needed`): the
``CLOSESPIDER_*`` limits, ``JOBDIR``, ``REDIS_URL``, middlewares other than the project's.
"""
from __future__ import annotations

import asyncio
import gc
import heapq
import itertools
import logging
import sys
import time
from types import SimpleNamespace
from typing import TYPE_CHECKING, Any, AsyncIterator

from pydispatch import dispatcher
from scrapy import Request, signals
from scrapy.downloadermiddlewares.robotstxt import RobotsTxtMiddleware
from scrapy.dupefilters import RFPDupeFilter
from scrapy.exceptions import DropItem, IgnoreRequest, NotConfigured
from scrapy.http import Response
from scrapy.pipelines import ItemPipelineManager
from scrapy.spidermiddlewares.depth import DepthMiddleware
from scrapy.spidermiddlewares.httperror import HttpErrorMiddleware
from scrapy.spidermiddlewares.referer import RefererMiddleware
from scrapy.spidermiddlewares.urllength import UrlLengthMiddleware
from scrapy.utils.httpobj import urlparse_cached
from scrapy.utils.log import failure_to_exc_info, logformatter_adapter
from scrapy.utils.misc import build_from_crawler, load_object
from scrapy.utils.request import RequestFingerprinter
from scrapy.utils.spider import iterate_spider_output
from twisted.python.failure import Failure

from .dupefilter import CompactDupeFilter
from .limits import SitePageLimit
from .middlewares import WarcReplayMiddleware
from .outcome import OUTCOMES, CrawlSetupError, exit_code
from .redirects import ScopedMetaRefreshMiddleware, ScopedRedirectMiddleware

if TYPE_CHECKING:
    from scrapy.crawler import Crawler

log = logging.getLogger(__name__)

ENGINE_SETTING = "REEXTRACT_ENGINE"  # "loop" (default) or "scrapy"
TIMER_PERIOD = 1.0  # seconds between two runs of the reactor's due timers
# Limits the engine's extensions enforce, and a crawl's state kept elsewhere: a rebuild with any
# of them runs on the engine.
ENGINE_LIMITS = ("CLOSESPIDER_PAGECOUNT", "CLOSESPIDER_ITEMCOUNT", "CLOSESPIDER_TIMEOUT",
                 "CLOSESPIDER_ERRORCOUNT", "CLOSESPIDER_TIMEOUT_NO_ITEM", "CLOSESPIDER_PAGECOUNT_NO_ITEM")
ENGINE_STATE = ("JOBDIR", "REDIS_URL")


# Extensions that are off in a rebuild the loop runs (their setting says so; a shared crawl's
# REDIS_URL sends the rebuild to the engine). Scrapy imports every extension its lists name,
# even one set to None, and these cost a tenth of a second of start-up or more (aiohttp,
# redis): they are taken off the lists instead.
IDLE_EXTENSIONS = {"scrapy.extensions.remote_control.RemoteControl": "REMOTE_CONTROL_ENABLED",
                   "scraper.shared.Membership": "REDIS_URL"}


def drop_idle_extensions(settings: Any) -> None:
    """Take the extensions a rebuild by the loop has off (``IDLE_EXTENSIONS``) off
    ``EXTENSIONS_BASE`` and ``EXTENSIONS``."""
    for name, setting in IDLE_EXTENSIONS.items():
        if settings.get(setting):
            continue
        for listing in ("EXTENSIONS_BASE", "EXTENSIONS"):
            if name in settings[listing]:
                settings[listing].delete(name, priority="cmdline")


def engine_needed(settings: Any) -> str | None:
    """Why this rebuild runs on Scrapy's engine, or None: the loop runs it. Middlewares other
    than the project's (``-s DOWNLOADER_MIDDLEWARES=...``) are the engine's too: the loop knows
    only those it replicates."""
    from . import settings as project

    chosen = (settings.get(ENGINE_SETTING) or "loop").lower()
    if chosen == "scrapy":
        return f"{ENGINE_SETTING}=scrapy"
    if chosen != "loop":
        raise CrawlSetupError(f"{ENGINE_SETTING} is 'loop' or 'scrapy', not {chosen!r}")
    for name in ENGINE_LIMITS:
        if settings.getfloat(name, 0) > 0:
            return f"{name} is set"
    for name in ENGINE_STATE:
        if settings.get(name):
            return f"{name} is set"
    for name in ("DOWNLOADER_MIDDLEWARES", "SPIDER_MIDDLEWARES"):
        own = getattr(project, name, {})
        other = sorted(k for k, v in settings.getdict(name).items() if v is not None and k not in own)
        if other:
            return f"{name} adds {', '.join(map(str, other))}"
    return None


class _Engine:
    """What the spider and the components ask of ``crawler.engine``, answered by the loop:
    ``crawl`` (a request made outside a callback: the robots.txt sitemaps), ``close_spider``
    (a write error stops the rebuild), the scheduler's length (the progress line) and the
    downloader's middlewares (the entries spider of a parallel task finds the WARC index there)."""

    def __init__(self, loop: WarcLoop) -> None:
        self._loop = loop
        self.running = True
        self.downloader = SimpleNamespace(middleware=SimpleNamespace(middlewares=(loop.replay,)))
        self.scheduler = loop.queue  # its length: the progress line's "queued"
        # The redirect middlewares look for the referer middleware here when the engine starts.
        self.scraper = SimpleNamespace(spidermw=SimpleNamespace(middlewares=loop.spider_middlewares))

    def crawl(self, request: Request) -> None:
        self._loop.schedule(request)

    def close_spider(self, spider: Any = None, reason: str = "cancelled") -> None:
        self._loop.stop(reason)


class _StartRequests:
    """The spider's ``start()`` (an asynchronous generator), advanced without an event loop as
    far as it goes without waiting. One that waits (the entries spider reads one page at a time)
    is resumed once what it waits for has fired."""

    def __init__(self, start: AsyncIterator[Any]) -> None:
        self._start = start
        self._step: Any = None
        self._waiting: Any = None
        self.done = False

    @property
    def blocked(self) -> bool:
        return not self.done and self._waiting is not None and not _fired(self._waiting)

    def ready(self) -> list[Any]:
        found = []
        while not self.done and not self.blocked:
            if self._step is None:
                self._step = self._start.__anext__()
            try:
                self._waiting = self._step.send(None)
            except StopIteration as got:
                self._step = self._waiting = None
                found.append(got.value)
            except StopAsyncIteration:
                self.done = True
        return found


class _RequestQueue:
    """Scrapy's priority queue order: higher priority first; at one priority, other requests
    before start requests; then first in, first out."""

    def __init__(self) -> None:
        self._heap: list[tuple[int, int, int, Request]] = []
        self._order = itertools.count()

    def push(self, request: Request, start: bool = False) -> None:
        heapq.heappush(self._heap, (-request.priority, int(start), next(self._order), request))

    def pop(self) -> Request:
        return heapq.heappop(self._heap)[3]

    def __len__(self) -> int:  # the progress line's "queued"
        return len(self._heap)


def _fired(awaited: Any) -> bool:
    if hasattr(awaited, "done"):  # an asyncio future
        return awaited.done()
    if hasattr(awaited, "called"):  # a Twisted Deferred
        return awaited.called
    return True  # a bare yield (asyncio.sleep(0)): nothing to wait for


def _run_due_timers() -> None:
    """Run the reactor's timed calls that are due: the components' own timers (the dataset's
    commit every ``PARQUET_COMMIT_INTERVAL``, the progress line, the memory check) keep their
    pace though the reactor never runs."""
    from twisted.internet import reactor

    loop = getattr(reactor, "_asyncioEventloop", None)
    if loop is None:
        reactor.runUntilCurrent()  # type: ignore[attr-defined]
    elif not loop.is_running():
        loop.run_until_complete(asyncio.sleep(0))  # one turn: its due timers, no waiting


def _optional(cls: type, crawler: Crawler) -> Any:
    try:
        return build_from_crawler(cls, crawler)
    except NotConfigured:
        return None


class WarcLoop:
    """Runs ``crawler``'s spider (created, settings applied, engine never started) against the
    WARC files of its ``WARC_REPLAY_FILES``, one request at a time."""

    def __init__(self, crawler: Crawler) -> None:
        self.crawler, self.spider, self.signals = crawler, crawler.spider, crawler.signals
        self.stats, self.logformatter = crawler.stats, crawler.logformatter
        # Downloader middlewares in the engine's order: requests ascending, answers descending.
        self.page_limit = _optional(SitePageLimit, crawler)
        self.robots: RobotsTxtMiddleware | None = _optional(RobotsTxtMiddleware, crawler)
        self.replay = WarcReplayMiddleware.from_crawler(crawler)
        self.on_answer = [mw for mw in (_optional(ScopedRedirectMiddleware, crawler),
                                        _optional(ScopedMetaRefreshMiddleware, crawler)) if mw is not None]
        self.http_errors = HttpErrorMiddleware.from_crawler(crawler)
        self.depth = DepthMiddleware.from_crawler(crawler)
        self.url_length = _optional(UrlLengthMiddleware, crawler)
        # Sets headers only; built so that the redirect middlewares find it, as in the engine.
        self.spider_middlewares = tuple(mw for mw in (self.http_errors, _optional(RefererMiddleware, crawler),
                                                      self.url_length, self.depth) if mw is not None)
        self.dupefilter = build_from_crawler(load_object(crawler.settings["DUPEFILTER_CLASS"]), crawler)
        self._plain_fingerprints = (type(self.dupefilter) in (RFPDupeFilter, CompactDupeFilter)
                                    and type(crawler.request_fingerprinter) is RequestFingerprinter)
        self._asked: set[tuple] = set()
        self.pipelines = ItemPipelineManager.from_crawler(crawler)
        self._robot_parsers: dict[str, Any] = {}
        self.queue = _RequestQueue()
        self._stop_reason: str | None = None
        crawler.engine = _Engine(self)

    # -- the scheduler ------------------------------------------------------------------------
    def schedule(self, request: Request, start: bool = False) -> None:
        # Most requests a page makes are links already seen: the two signals are sent only
        # where something listens (nothing does in this project), which saves a tenth of a rebuild.
        if self._listened(signals.request_scheduled):
            answers = self.signals.send_catch_log(signals.request_scheduled, request=request,
                                                  spider=self.spider, dont_log=IgnoreRequest)
            if any(isinstance(a, Failure) and isinstance(a.value, IgnoreRequest) for _, a in answers):
                return
        if not request.dont_filter and self._seen(request):
            self.dupefilter.log(request, self.spider)
            if self._listened(signals.request_dropped):
                self.signals.send_catch_log(signals.request_dropped, request=request, spider=self.spider)
            return
        self.queue.push(request, start)

    def _seen(self, request: Request) -> bool:
        """The duplicate filter's answer. A page links the same URLs as the pages before it (the
        menu, the archives): with Scrapy's own filter and fingerprinter, whose fingerprint is a
        function of these values, a request met before as the very same values is known seen
        without hashing it again."""
        if not self._plain_fingerprints:
            return self.dupefilter.request_seen(request)
        key = (request.method, request.url, request.body, bool(request.meta.get("verbatim_url")))
        if key in self._asked:
            return True
        self._asked.add(key)
        return self.dupefilter.request_seen(request)

    def _listened(self, signal: object) -> bool:
        return next(dispatcher.getAllReceivers(self.signals.sender, signal), None) is not None  # a generator

    def stop(self, reason: str) -> None:
        self._stop_reason = self._stop_reason or reason

    # -- the run ------------------------------------------------------------------------------
    def run(self) -> str:
        """Open, answer every request, close; the finish reason."""
        self._open()
        # What start-up made (modules, settings, the WARC index) lives as long as the rebuild:
        # out of the collector's sight, its full collections no longer walk it again and again.
        gc.freeze()
        starts = _StartRequests(self.spider.start())
        timers_run = time.monotonic()
        try:
            while self._stop_reason is None:
                for obj in starts.ready():
                    self._start_output(obj)
                if not self.queue:
                    if starts.blocked:
                        log.error("The spider's start() waits for something no request answers; "
                                  "the rebuild ends here")
                    break
                self.process(self.queue.pop())
                if time.monotonic() - timers_run >= TIMER_PERIOD:
                    _run_due_timers()
                    timers_run = time.monotonic()
        except KeyboardInterrupt:
            log.error("Interrupted: closing the dataset with what it holds")
            self.stop("shutdown")
        reason = self._stop_reason or "finished"
        self._close(reason)
        return reason

    def _open(self) -> None:
        log.info("Re-extracting without the crawl engine (%s=scrapy runs it on the engine)", ENGINE_SETTING)
        for method in self.pipelines.methods["open_spider"]:
            method()
        self.stats.open_spider()
        self.signals.send_catch_log(signals.spider_opened, spider=self.spider)
        self.signals.send_catch_log(signals.engine_started)

    def _close(self, reason: str) -> None:
        self.crawler.engine.running = False
        log.info("Closing spider (%s)", reason)
        for method in self.pipelines.methods["close_spider"]:
            try:
                method()
            except Exception:  # noqa: BLE001 - as the engine: logged, the close goes on
                log.error("Item pipeline close failure", exc_info=True)
        self.signals.send_catch_log(signals.spider_closed, spider=self.spider, reason=reason)
        self.stats.close_spider(reason=reason)
        self.signals.send_catch_log(signals.engine_stopped)

    def _start_output(self, obj: Any) -> None:
        if isinstance(obj, Request):
            obj.meta["is_start_request"] = True  # what StartSpiderMiddleware marks
            if self.url_length is not None and self.url_length.get_processed_request(obj, None) is None:
                return
            self.schedule(obj, start=True)
        elif obj is not None:
            self._item(obj, None)

    # -- one request --------------------------------------------------------------------------
    def process(self, request: Request) -> None:
        try:
            result = self.download(request)
        except Exception:  # noqa: BLE001 - the engine hands any download failure to the errback
            self._failed(Failure(), request)
            return
        if isinstance(result, Request):  # a redirect: scheduled like any request
            self.schedule(result)
            return
        self._answered(result, request)

    def download(self, request: Request) -> Response | Request:
        """The downloader middlewares that matter in replay, in the engine's order."""
        if self.page_limit is not None:
            self.page_limit.process_request(request)
        if self.robots is not None:
            self._obey_robots(request)
        response = self.replay.process_request(request)
        for mw in self.on_answer:
            result = mw.process_response(request, response)
            if isinstance(result, Request):
                return result
            response = result
        if response.request is None:
            response.request = request
        self.signals.send_catch_log(signals.response_received, response=response,
                                    request=response.request, spider=self.spider)
        return response

    def _obey_robots(self, request: Request) -> None:
        """``RobotsTxtMiddleware.process_request``, with robots.txt fetched by this loop."""
        assert self.robots is not None
        if request.meta.get("dont_obey_robotstxt") or request.url.startswith(("data:", "file:")):
            return
        url = urlparse_cached(request)
        if url.netloc not in self._robot_parsers:
            self._robot_parsers[url.netloc] = self._robots_txt(f"{url.scheme}://{url.netloc}/robots.txt", request)
            self.stats.inc_value("robotstxt/request_count")
        self.robots.process_request_2(self._robot_parsers[url.netloc], request)

    def _robots_txt(self, url: str, request: Request) -> Any:
        robots_request = Request(url, priority=RobotsTxtMiddleware.DOWNLOAD_PRIORITY,
                                 meta={"dont_obey_robotstxt": True})
        try:
            response = self.download(robots_request)
            while isinstance(response, Request):  # the engine follows its redirects at once
                response = self.download(response)
        except Exception as exc:  # noqa: BLE001 - as the middleware: no robots.txt, all allowed
            if not isinstance(exc, IgnoreRequest):
                log.error("Error downloading %s: %s", robots_request, exc, exc_info=True)
                self.stats.inc_value(f"robotstxt/exception_count/{type(exc)}")
            return None
        self.stats.inc_value("robotstxt/response_count")
        self.stats.inc_value(f"robotstxt/response_status_count/{response.status}")
        parser = build_from_crawler(self.robots._parserimpl, self.crawler, response.body)
        self.signals.send_catch_log(signals.robots_parsed, robotparser=parser, request=request)
        return parser

    # -- the spider's side ----------------------------------------------------------------------
    def _answered(self, response: Response, request: Request) -> None:
        """The callback (or, for an HTTP error, the errback) and its output, through the spider
        middlewares that matter."""
        try:
            self.http_errors.process_spider_input(response)
        except Exception:  # noqa: BLE001 - HttpError: the errback's turn
            failure = Failure()
            failure.request = request  # type: ignore[attr-defined]
            if not request.errback:
                self._spider_exception(failure, request, response)
                return
            self._iterate(lambda: request.errback(failure), request, response)
            return
        callback = request.callback or self.spider._parse
        self._iterate(lambda: callback(response, **request.cb_kwargs), request, response)

    def _iterate(self, call: Any, request: Request, response: Response) -> None:
        self.depth._init_depth(response)
        try:
            for obj in iterate_spider_output(call()):
                if isinstance(obj, Request):
                    obj = self.depth.get_processed_request(obj, response)
                    if obj is not None and self.url_length is not None:
                        obj = self.url_length.get_processed_request(obj, response)
                    if obj is not None:
                        self.schedule(obj)
                elif obj is not None:
                    self._item(obj, response)
        except Exception:  # noqa: BLE001 - a spider error is logged and listed, the rebuild goes on
            self._spider_exception(Failure(), request, response)

    def _spider_exception(self, failure: Failure, request: Request, response: Response) -> None:
        if self.http_errors.process_spider_exception(response, failure.value) is not None:
            return  # an HTTP error answer nobody handles: ignored, as the middleware says
        self._spider_error(failure, request, response)

    def _failed(self, failure: Failure, request: Request) -> None:
        """A request the middlewares refused (robots.txt, a redirect off the blog, a page limit):
        the errback, whose output goes straight to the scheduler, as in the engine."""
        failure.request = request  # type: ignore[attr-defined]
        try:
            if not request.errback:
                failure.raiseException()
            output = request.errback(failure)
            if isinstance(output, Failure):
                output.raiseException()
            for obj in iterate_spider_output(output):
                if isinstance(obj, Request):
                    self.schedule(obj)
                elif obj is not None:
                    self._item(obj, failure)
        except Exception as exc:  # noqa: BLE001
            if not failure.check(IgnoreRequest):
                logkws = self.logformatter.download_error(failure, request, self.spider)
                log.log(*logformatter_adapter(logkws), extra={"spider": self.spider},
                        exc_info=failure_to_exc_info(failure))
            if exc is not failure.value:
                self._spider_error(Failure(), request, failure)

    def _spider_error(self, failure: Failure, request: Request, response: Any) -> None:
        logkws = self.logformatter.spider_error(failure, request, response, self.spider)
        log.log(*logformatter_adapter(logkws), exc_info=failure_to_exc_info(failure),
                extra={"spider": self.spider})
        self.signals.send_catch_log(signal=signals.spider_error, failure=failure, response=response,
                                    spider=self.spider)
        self.stats.inc_value("spider_exceptions/count")
        self.stats.inc_value(f"spider_exceptions/{failure.value.__class__.__name__}")

    def _item(self, item: Any, response: Any) -> None:
        try:
            for method in self.pipelines.methods["process_item"]:
                item = method(item)
        except DropItem as exc:
            logkws = self.logformatter.dropped(item, exc, response, self.spider)
            if logkws is not None:
                log.log(*logformatter_adapter(logkws), extra={"spider": self.spider})
            self.signals.send_catch_log(signal=signals.item_dropped, item=item, response=response,
                                        spider=self.spider, exception=exc)
        except Exception as exc:  # noqa: BLE001
            logkws = self.logformatter.item_error(item, exc, response, self.spider)
            log.log(*logformatter_adapter(logkws), extra={"spider": self.spider, "item": item}, exc_info=True)
            self.signals.send_catch_log(signal=signals.item_error, item=item, response=response,
                                        spider=self.spider, failure=Failure())
        else:
            self.signals.send_catch_log(signal=signals.item_scraped, item=item, response=response,
                                        spider=self.spider)


class _PandasAbsent:
    """An import finder that makes ``import pandas`` fail (``arrow_without_pandas``)."""

    @staticmethod
    def find_spec(name: str, path: Any = None, target: Any = None) -> None:
        if name == "pandas":
            raise ModuleNotFoundError("No module named 'pandas'", name="pandas")
        return None


def arrow_without_pandas() -> None:
    """Have pyarrow take pandas as absent where it only checks for it. Its first conversion of
    Python values asks whether each is a pandas object, importing pandas to know (a third of a
    CPU second of a rebuild's start-up); a rebuild never gives it one. Anything that needs pandas
    (``Table.to_pandas``) still imports it: pyarrow tries again where pandas is required."""
    if "pandas" in sys.modules:
        return
    import pyarrow as pa

    sys.meta_path.insert(0, _PandasAbsent)
    try:
        pa.array([], type=pa.null())  # the check, answered once for the process
    finally:
        sys.meta_path.remove(_PandasAbsent)


def run(crawler: Crawler, **spider_args: Any) -> int:
    """Create ``crawler``'s spider with ``spider_args``, apply its settings (extensions,
    stats) without starting an engine, rebuild, and return the exit code
    (``scraper/outcome.py``). A rebuild that cannot start prints one line and gives
    ``setup_error``'s code."""
    from .progress import quiet_preamble

    quiet_preamble()
    arrow_without_pandas()
    try:
        crawler.spider = crawler._create_spider(**spider_args)
        crawler._apply_settings()
        loop = WarcLoop(crawler)
    except CrawlSetupError as exc:
        print(f"Error: {exc}", file=sys.stderr)
        return exit_code("setup_error")
    loop.run()
    name = crawler.stats.get_value("crawl/outcome")
    return exit_code(name) if name in OUTCOMES else exit_code("interrupted")
