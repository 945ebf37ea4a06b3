"""Downloader middlewares for archival crawls, wired in ``scraper/settings.py``:

* ``WarcCaptureMiddleware`` writes every exchange (robots.txt included) to the crawl's WARC
  files, tells the spider which record holds each response, and fsyncs the open file when the
  Parquet pipeline is about to finalise a part (``scraper.signals.dataset_commit``);
* ``WarcReplayMiddleware`` answers every request from WARC files instead of the network
  (``scrapy reextract``);
* ``ConditionalRequestMiddleware`` makes a re-crawl ask with the last crawl's validators and
  answers a 304 with the content archived then.

The two WARC middlewares sit next to the downloader (order > 590, below
HttpCompressionMiddleware), so the capture holds the body as it came over the wire and a
replayed body goes through decompression, redirects and robots.txt exactly as a fetched one.
"""
from __future__ import annotations

import hashlib
import logging
import pickle
from pathlib import Path
from typing import TYPE_CHECKING, Iterable, NamedTuple

from scrapy import signals
from scrapy.exceptions import NotConfigured
from scrapy.http import Headers, Response
from scrapy.responsetypes import responsetypes
from w3lib.url import canonicalize_url

from pipelines import ledger
from pipelines.parquet import WRITE_ERRORS

from . import warc
from .outcome import stop_crawl
from .workers import worker_id
from .signals import dataset_commit

if TYPE_CHECKING:
    from scrapy import Request
    from scrapy.crawler import Crawler
    from scrapy.settings import BaseSettings

log = logging.getLogger(__name__)

# Dropped from a replayed response: its body is handed over de-chunked and decoded.
ENCODING_HEADERS = (b"Transfer-Encoding", b"Content-Encoding", b"Content-Length")


def warc_folder(settings: BaseSettings) -> Path:
    return Path(settings.get("DATASET_ROOT") or "datasets") / settings.get("CRAWL_ID") / "warc"


class WarcCaptureMiddleware:
    """``WARC_ENABLED`` (default on) writes ``<DATASET_ROOT>/<CRAWL_ID>/warc/*.warc.gz``,
    rotated after ``WARC_MAX_SIZE`` bytes."""

    def __init__(self, crawler: Crawler) -> None:
        settings = crawler.settings
        self.crawler = crawler
        folder = warc_folder(settings)
        prefix = warc.file_prefix(settings.get("CRAWL_ID"), worker_id(settings))
        # A crawl killed earlier in the same folder left its last file open: keep its records.
        warc.recover_open_files(folder, prefix)
        info = warc.warcinfo(settings.get("CRAWL_ID"), settings.get("CRAWL_START_URL"),
                             settings.get("USER_AGENT"), settings.getbool("ROBOTSTXT_OBEY"),
                             settings.getlist("CRAWL_SEEDS"))
        self.writer = warc.WarcFileWriter(folder, prefix,
                                          settings.getint("WARC_MAX_SIZE", 1 << 30), info,
                                          settings.getint("WARC_GZIP_LEVEL", warc.DEFAULT_GZIP_LEVEL))
        self.failed = False

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> WarcCaptureMiddleware:
        if not crawler.settings.getbool("WARC_ENABLED", True) or crawler.settings.getlist("WARC_REPLAY_FILES"):
            raise NotConfigured()
        if not crawler.settings.get("CRAWL_ID"):
            raise NotConfigured("WARC capture needs CRAWL_ID (set by the blog spider)")
        mw = cls(crawler)
        crawler.signals.connect(mw.spider_closed, signal=signals.spider_closed)
        crawler.signals.connect(mw.sync, signal=dataset_commit)
        return mw

    def process_response(self, request: Request, response: Response, spider=None) -> Response:
        if self.failed:
            return response
        try:
            capture = self.writer.write_exchange(request, response)
        except WRITE_ERRORS as exc:
            self._fail(exc)
            return response
        request.meta.update(warc_file=capture.file, warc_record_id=capture.record_id,
                            warc_offset=capture.offset, fetched_at=capture.date)
        self.crawler.stats.inc_value("warc/records", 2)
        return response

    def sync(self) -> None:
        """Make every record written so far durable; raises (the part waits) when it cannot."""
        if self.failed:
            return  # the file was abandoned, synced as far as it could be
        try:
            self.writer.sync()
        except WRITE_ERRORS as exc:
            self._fail(exc)
            raise

    def _fail(self, exc: BaseException) -> None:
        # Pages without their capture are not archival: stop rather than go on without.
        log.error("WARC write failed in %s: %s. Finished WARC files are kept; the crawl stops.",
                  self.writer.folder, exc)
        self.failed = True
        self.writer.abandon()
        stop_crawl(self.crawler, "warc_write_error")

    def spider_closed(self, spider=None) -> None:
        try:
            self.writer.close()
        except WRITE_ERRORS as exc:
            log.error("Could not finalise WARC file %s: %s", self.writer.open_path, exc)
        if self.writer.files:
            log.info("WARC: %d file(s) in %s", len(self.writer.files), self.writer.folder)


class Held(NamedTuple):
    """One response record, as the index knows it: its lookup key, whether it is a full answer
    (not a 304), its WARC-Date, where it is, and the request that got it."""
    key: str
    full: bool
    date: str
    path: Path
    offset: int
    url: str
    method: str
    body: bytes | None


def index_file(path: Path) -> list[Held]:
    """The response records of one WARC file, in file order. Files are read apart (in parallel,
    by ``scraper.parallel``) and combined by ``WarcIndex``."""
    found: dict[str, tuple] = {}  # response record id -> (URL, key, full, date, offset)
    posted: dict[str, bytes] = {}  # response record id -> the body its POST request sent
    plain = warc.plain_records(path)
    records = ((offset, record) for offset, record, _ in warc.iter_records(path)) if plain is None else plain
    for offset, record in records:
        if record.rec_type == "request" and hasattr(record, "post_body"):
            posted[record.rec_headers.get_header("WARC-Concurrent-To") or ""] = record.post_body
            continue
        if record.rec_type != "response" or record.http_headers is None:
            continue
        try:
            status = int(record.http_headers.get_statuscode())
        except (TypeError, ValueError):
            log.error("WARC record in %s at offset %d has no HTTP status; skipped", path, offset)
            continue
        url = record.rec_headers.get_header("WARC-Target-URI")
        found[record.rec_headers.get_header("WARC-Record-ID")] = (
            url, canonicalize_url(url), status != 304, warc.warc_date(record) or "", offset)
    held = []
    for record_id, (url, key, full, date, offset) in found.items():
        body = posted.get(record_id)
        # The answer to a POST (a comment system's query) is found by what was posted too:
        # several queries share one URL.
        if body is not None:
            key = warc.post_key(key, body)
        held.append(Held(key, full, date, path, offset, url, "GET" if body is None else "POST", body))
    return held


class WarcIndex:
    """Response records of WARC files by URL. A URL captured more than once (a resumed crawl,
    several crawls' files given together) is answered with its latest capture by WARC-Date, in
    whatever order the files come, except that a 304 never hides a full response: a re-crawl's
    files re-extract together with the earlier crawls' files.

    ``held``: each file's ``index_file``, when they were read already (in parallel)."""

    def __init__(self, paths: list[Path], held: Iterable[list[Held]] | None = None) -> None:
        self.paths = paths
        self._best: dict[str, Held] = {}
        for records in held if held is not None else map(index_file, paths):
            for h in records:
                best = self._best.get(h.key)
                if best is None or (h.full, h.date) >= (best.full, best.date):
                    self._best[h.key] = h
        self.by_url = {key: (h.path, h.offset) for key, h in self._best.items()}
        self.records = len(self.by_url)
        # URLs held only as a re-crawl's "304 Not Modified": their content is in an earlier WARC.
        self.not_modified = sorted(key for key, h in self._best.items() if not h.full)

    def lookup(self, url: str, method: str = "GET", body: bytes | None = None) -> tuple[Path, int] | None:
        key = canonicalize_url(url)
        return self.by_url.get(warc.post_key(key, body) if method == "POST" else key)

    def save(self, path: Path) -> None:
        with open(path, "wb") as f:
            pickle.dump(self, f, protocol=pickle.HIGHEST_PROTOCOL)

    @staticmethod
    def load(path: str | Path) -> WarcIndex:
        """An index ``save`` wrote (``WARC_REPLAY_INDEX``): a task of a parallel rebuild reads
        the files' index once made, instead of reading every file again."""
        with open(path, "rb") as f:
            index = pickle.load(f)
        if not isinstance(index, WarcIndex):
            raise TypeError(f"{path} holds no WARC index")
        return index


class WarcReplayMiddleware:
    """``WARC_REPLAY_FILES`` (files or folders): every request is answered from them. A URL they
    do not hold gets a 404 flagged ``replay-miss``; the network is never used."""

    def __init__(self, crawler: Crawler, index: WarcIndex) -> None:
        self.crawler = crawler
        self.index = index

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> WarcReplayMiddleware:
        sources = crawler.settings.getlist("WARC_REPLAY_FILES")
        if not sources:
            raise NotConfigured()
        saved = crawler.settings.get("WARC_REPLAY_INDEX")
        index = WarcIndex.load(saved) if saved else WarcIndex(warc.warc_paths(sources))
        log.info("Replaying %d responses from %d WARC file(s)", index.records, len(index.paths))
        if index.not_modified:
            log.error("%d URL(s) are held only as '304 Not Modified' answers of a re-crawl (e.g. %s): "
                      "their content is in the WARC files of the earlier crawl(s) the re-crawl "
                      "revalidated against. Give those files or folders too, or these pages are "
                      "re-extracted as failed requests.", len(index.not_modified), index.not_modified[0])
        mw = cls(crawler, index)
        crawler.signals.connect(mw.spider_closed, signal=signals.spider_closed)
        return mw

    def spider_closed(self, spider=None) -> None:
        misses = self.crawler.stats.get_value("warc/replay_miss", 0)
        if misses:
            log.info("%d request(s) asked for URLs the WARC files do not hold (answered 404)", misses)

    def process_request(self, request: Request, spider=None) -> Response:
        found = self.index.lookup(request.url, request.method, request.body)
        if found is not None:
            path, offset = found
            try:
                response = response_from_record(request, path, offset)
                self.crawler.stats.inc_value("warc/replayed")
                return response
            except Exception as exc:  # noqa: BLE001 - any unreadable record is a miss, logged
                log.error("Corrupt WARC record in %s at offset %d for %s (%s: %s)", path, offset,
                          request.url, type(exc).__name__, exc)
        self.crawler.stats.inc_value("warc/replay_miss")
        log.debug("Not in the WARC files: %s", request.url)
        return Response(request.url, status=404, request=request, flags=["replay-miss"])



def response_from_record(request: Request, path: Path, offset: int,
                         keep_fetch_time: bool = False) -> Response:
    """The response archived at ``offset`` of ``path``, for ``request``; the request's meta
    then points at that record."""
    record, body = warc.read_record_at(path, offset)
    headers = Headers(record.http_headers.headers)
    for name in ENCODING_HEADERS:
        headers.pop(name, None)
    url = record.rec_headers.get_header("WARC-Target-URI")
    cls = responsetypes.from_args(headers=headers, url=url, body=body)
    request.meta.update(warc_file=path.name,
                        warc_record_id=record.rec_headers.get_header("WARC-Record-ID"),
                        warc_offset=offset)
    if not keep_fetch_time:
        request.meta["fetched_at"] = warc.warc_date(record)
    response = cls(url=request.url, status=int(record.http_headers.get_statuscode()), body=body,
                   request=request, flags=["warc"], protocol=record.http_headers.protocol or None)
    # Set, not passed to the constructor: that would copy them, key by key (Scrapy takes a
    # Headers object as it is here). Nothing in the constructor reads them.
    response.headers = headers
    return response


class ConditionalRequestMiddleware:
    """A re-crawl asks with the validators (ETag, Last-Modified) the last crawl of the site got
    for each URL. A 304 is answered with the content archived then, flagged ``revalidated``, so
    the crawl follows its links and the pipeline stores nothing of it again. Off with
    ``INCREMENTAL_ENABLED = False``; without an earlier crawl it does nothing."""

    def __init__(self, root: Path, pages: dict[str, dict]) -> None:
        self.root, self.pages = root, pages

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> ConditionalRequestMiddleware:
        settings = crawler.settings
        if not settings.getbool("INCREMENTAL_ENABLED", True) or settings.getlist("WARC_REPLAY_FILES"):
            raise NotConfigured()
        root = Path(settings.get("DATASET_ROOT") or "datasets")
        pages = ledger.previous_pages(root / settings.get("CRAWL_ID", ""), settings.get("CRAWL_START_URL"))
        if not pages:
            raise NotConfigured()  # a first crawl: nothing to revalidate
        return cls(root, pages)

    def process_request(self, request: Request, spider=None) -> None:
        previous = self.pages.get(request.url)
        if previous is None or not ledger.revalidatable(previous) or request.meta.get("no_validators"):
            return None  # without the archived content a 304 could not be answered
        if previous.get("etag"):
            request.headers.setdefault("If-None-Match", previous["etag"])
        if previous.get("last_modified"):
            request.headers.setdefault("If-Modified-Since", previous["last_modified"])
        return None

    def process_response(self, request: Request, response: Response, spider=None) -> Response:
        previous = self.pages.get(request.url)
        if response.status == 200 and previous is not None and previous.get("status") == 200 \
                and previous.get("sha1") == hashlib.sha1(response.body).hexdigest():
            # No validators, or the server ignored them: the same bytes mean the same page.
            request.meta["unchanged_content"] = True
            return response
        if (response.status != 304 or previous is None or not ledger.revalidatable(previous)
                or request.meta.get("no_validators")):
            return response
        path = self.root / warc.crawl_of(previous["warc_file"]) / "warc" / previous["warc_file"]
        try:
            replayed = response_from_record(request, path, previous["warc_offset"], keep_fetch_time=True)
        except Exception as exc:  # noqa: BLE001 - a moved or damaged earlier WARC
            log.error("Cannot read the earlier capture of %s in %s at offset %s: %s; fetching it "
                      "again in full", request.url, path, previous["warc_offset"], exc)
            retry = request.replace(dont_filter=True)
            for name in (b"If-None-Match", b"If-Modified-Since"):
                retry.headers.pop(name, None)
            retry.meta["no_validators"] = True
            return retry
        request.meta["revalidated"] = 304
        return replayed
