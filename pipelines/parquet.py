"""Parquet storage: one dataset folder per crawl, written so that readers only see complete files.

Layout: ``<DATASET_ROOT>/<CRAWL_ID>/{articles,comments}/part-NNNNN.parquet`` and ``crawl.json``.
Each part is written to a hidden ``.part-NNNNN.parquet.tmp`` next to it, fsync'ed and renamed
when complete, so a killed crawl leaves only dot-files that pyarrow, pandas, polars and duckdb
globs all skip. See ``datasets/README.md`` for the columns.
"""
from __future__ import annotations

import hashlib
import json
import logging
import os
import platform
import re
import time
from collections import Counter
from datetime import datetime, timezone
from importlib import metadata
from pathlib import Path
from typing import TYPE_CHECKING, Any, Callable

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq
from scrapy import signals
from scrapy.exceptions import DropItem
from scrapy.utils.defer import deferred_from_coro

import scraper
from scraper.items import ArticleItem

from . import ledger as ledger_
from .ledger import MANIFEST
from .schema import SCHEMA_VERSION, TABLES, TIMESTAMP_COLUMNS
from .validation import coerce_value

if TYPE_CHECKING:
    from scrapy.crawler import Crawler
    from scrapy.settings import BaseSettings

log = logging.getLogger(__name__)

MANIFEST_SETTINGS = ("ROBOTSTXT_OBEY", "AUTOTHROTTLE_ENABLED", "AUTOTHROTTLE_TARGET_CONCURRENCY",
                     "DOWNLOAD_DELAY", "CONCURRENT_REQUESTS_PER_DOMAIN", "USER_AGENT", "DEPTH_LIMIT")
VERSIONED_PACKAGES = ("scrapy", "pyarrow", "lxml", "dateparser", "warcio")
_PART = re.compile(r"^\.?part-(\d+)\.parquet(\.tmp)?$")
_CRAWL_ID = re.compile(r"^\w[\w.-]*$")
# Pyarrow raises OSError subclasses for I/O failures and ArrowException for the rest.
WRITE_ERRORS = (OSError, pa.ArrowException)


def utc_now() -> datetime:
    return datetime.now(timezone.utc)


def parse_timestamp(value: Any) -> datetime | None:
    """An aware UTC datetime from an ISO 8601 string or a datetime; ValueError otherwise.
    A value without an offset is taken as UTC, as the item contract promises UTC."""
    if value is None or value == "":
        return None
    if isinstance(value, str):
        value = datetime.fromisoformat(value.strip())
    if not isinstance(value, datetime):
        raise ValueError(f"{value!r} is not a date-time")
    if value.tzinfo is None:
        value = value.replace(tzinfo=timezone.utc)
    return value.astimezone(timezone.utc)


def to_table(rows: list[dict], schema: pa.Schema, labels: list[str]) -> pa.Table:
    """Rows (extra keys ignored) as a table of ``schema``. An unreadable optional value becomes
    null with a warning; a missing required value raises ValueError."""
    columns: dict[str, list] = {f.name: [] for f in schema}
    for row, label in zip(rows, labels):
        for f in schema:
            value = _cell(row.get(f.name), f, label)
            if value is None and not f.nullable:
                raise ValueError(f"{label}: required column {f.name} is empty")
            columns[f.name].append(value)
    return pa.Table.from_pydict(columns, schema=schema)


def _cell(value: Any, f: pa.Field, label: str) -> Any:
    try:
        if f.name in TIMESTAMP_COLUMNS:
            return parse_timestamp(value)
        return coerce_value(value, f.type)
    except (ValueError, TypeError, OverflowError) as exc:
        log.warning("%s: unreadable %s %r stored as null (%s)", label, f.name, value, exc)
        return None


def durable_replace(temp: Path, final: Path) -> None:
    """Rename ``temp`` to ``final`` only once its bytes are on disk, so a crash never leaves a
    truncated file under the final name."""
    with open(temp, "rb") as f:
        os.fsync(f.fileno())
    os.replace(temp, final)
    try:
        fd = os.open(final.parent, os.O_RDONLY)
    except OSError:  # directories cannot be opened on every platform
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def stop_crawl(crawler: Crawler | None, reason: str) -> None:
    """Close the running crawl with ``reason``; nothing when it is not running."""
    try:
        engine = crawler.engine if crawler is not None else None
    except RuntimeError:  # Scrapy >= 2.19 raises before the crawl starts
        engine = None
    if engine is None or not getattr(engine, "running", False):
        return
    if hasattr(engine, "close_spider_async"):  # Scrapy >= 2.14
        deferred_from_coro(engine.close_spider_async(reason=reason))
    else:
        engine.close_spider(crawler.spider, reason)


def write_json(path: Path, data: dict) -> None:
    temp = path.with_name(f".{path.name}.tmp")
    temp.write_text(json.dumps(data, indent=2, ensure_ascii=False, default=str) + "\n", encoding="utf-8")
    durable_replace(temp, path)


class PartWriter:
    """One table's part files. Holds at most one row group in memory; rotates files after
    ``file_rows`` rows. ``before_finalise`` runs before a part is renamed, so that parts another
    table's rows depend on are finished first."""

    def __init__(self, folder: Path, schema: pa.Schema, row_group_size: int, file_rows: int,
                 compression: str | None, before_finalise: Callable[[], None] | None = None) -> None:
        self.folder, self.schema, self.compression = folder, schema, compression
        self.row_group_size, self.file_rows = row_group_size, file_rows
        self.before_finalise = before_finalise
        self.files: list[Path] = []
        self.existing = sorted(folder.glob("part-*.parquet"))
        for leftover in folder.glob(".part-*.parquet.tmp"):
            # The unfinished part of a killed run: no footer, unreadable, its rows not stored.
            log.warning("Removed %s, the unfinished part of an interrupted crawl", leftover)
            leftover.unlink()
        self._part = max((int(m[1]) for p in folder.iterdir() if (m := _PART.match(p.name))),
                         default=-1) + 1
        self._pending: list[pa.Table] = []
        self._pending_rows = 0
        self._writer: pq.ParquetWriter | None = None
        self._rows_in_file = 0

    @property
    def temp_path(self) -> Path:
        return self.folder / f".part-{self._part:05d}.parquet.tmp"

    @property
    def final_path(self) -> Path:
        return self.folder / f"part-{self._part:05d}.parquet"

    def add(self, table: pa.Table) -> None:
        if table.num_rows:
            self._pending.append(table)
            self._pending_rows += table.num_rows
        while self._pending_rows and self._pending_rows >= self._room():
            self._write(self._take(self._room()))

    def close(self) -> None:
        """Write what is buffered and finalise the open file; an empty table still gets one
        (empty) file so that globs over the folder work."""
        if self._pending_rows:
            self._write(self._take(self._pending_rows))
        if self._writer is None and not self.files and not self.existing:
            self._open()  # closed with no row group: a valid, empty file
        if self._writer is not None:
            self._finalise()

    def commit(self) -> None:
        """Finish the open part now (all buffered rows in it), so its rows survive a kill."""
        if self._pending_rows:
            self._write(self._take(self._pending_rows))
        if self._writer is not None:
            self._finalise()

    def abort(self) -> None:
        """After a write error: drop the unfinished temp file (it has no footer, so no reader
        could use it) and keep every finalised part."""
        self._pending, self._pending_rows = [], 0
        writer, self._writer = self._writer, None
        try:
            if writer is not None:
                writer.close()
        except WRITE_ERRORS:
            pass
        self.temp_path.unlink(missing_ok=True)

    def _room(self) -> int:
        return min(self.row_group_size, self.file_rows - self._rows_in_file)

    def _take(self, n: int) -> pa.Table:
        table = pa.concat_tables(self._pending)
        rest = table.slice(n)
        self._pending = [rest] if rest.num_rows else []
        self._pending_rows = rest.num_rows
        return table.slice(0, n)

    def _write(self, group: pa.Table) -> None:
        writer = self._writer or self._open()
        writer.write_table(group, row_group_size=group.num_rows)
        self._rows_in_file += group.num_rows
        if self._rows_in_file >= self.file_rows:
            self._finalise()

    def _open(self) -> pq.ParquetWriter:
        self._writer = pq.ParquetWriter(self.temp_path, self.schema, compression=self.compression)
        return self._writer

    def _finalise(self) -> None:
        if self.before_finalise is not None:
            self.before_finalise()
        if self._writer is not None:
            self._writer.close()
            self._writer = None
        durable_replace(self.temp_path, self.final_path)
        self.files.append(self.final_path)
        self._part += 1
        self._rows_in_file = 0


class ParquetDatasetPipeline:
    def __init__(self, settings: BaseSettings, crawler: Crawler | None = None) -> None:
        self.crawler = crawler
        self.settings = settings
        self.crawl_id = settings.get("CRAWL_ID") or utc_now().strftime("crawl-%Y%m%dT%H%M%SZ")
        if not _CRAWL_ID.match(self.crawl_id):
            raise ValueError(f"CRAWL_ID {self.crawl_id!r} cannot name a folder: use letters, "
                             "digits, '.', '_' and '-'")
        self.folder = Path(settings.get("DATASET_ROOT") or "datasets") / self.crawl_id
        self.row_group_size = max(1, settings.getint("PARQUET_ROW_GROUP_SIZE", 1000))
        self.file_rows = max(1, settings.getint("PARQUET_FILE_ROWS", 100_000))
        self.compression = settings.get("PARQUET_COMPRESSION", "zstd")
        self.max_errors = settings.getint("MANIFEST_MAX_ERRORS", 1000)
        self.commit_interval = settings.getfloat("PARQUET_COMMIT_INTERVAL", 60.0)
        self._last_commit = time.monotonic()
        self.ledger = ledger_.Ledger()
        self.writers: dict[str, PartWriter] = {}
        self.counts: Counter = Counter()
        self.kinds: Counter = Counter()
        self.parent_sources: Counter = Counter()
        self.http_errors: Counter = Counter()
        self.max_depth = 0
        self.errors: list[dict] = []
        self.errors_total = 0
        self.write_failed = False
        self.started_at: str | None = None
        self.finished_at: str | None = None
        self.finish_reason: str | None = None
        self.closed = False
        self.summary: dict = {}

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> ParquetDatasetPipeline:
        pipe = cls(crawler.settings, crawler)
        for handler, signal in ((pipe.on_spider_error, signals.spider_error),
                                (pipe.on_item_dropped, signals.item_dropped),
                                (pipe.on_item_error, signals.item_error),
                                (pipe.on_response, signals.response_received),
                                (pipe.on_spider_closed, signals.spider_closed)):
            crawler.signals.connect(handler, signal=signal)
        return pipe

    # -- lifecycle ----------------------------------------------------------------------
    def open_spider(self, spider: Any = None) -> None:
        self.started_at = utc_now().isoformat()
        for name, schema in TABLES.items():
            folder = self.folder / name
            folder.mkdir(parents=True, exist_ok=True)
            writer = PartWriter(folder, schema, self.row_group_size, self.file_rows, self.compression)
            if writer.existing:
                # A resumed crawl (same CRAWL_ID, e.g. with JOBDIR) adds parts, never overwrites.
                log.warning("%s already holds %d part file(s); new parts are added after them",
                            folder, len(writer.existing))
            self.writers[name] = writer
        # An article counts as stored once its part is final: its comments must be final first.
        self.writers["articles"].before_finalise = self.writers["comments"].commit
        self.ledger = ledger_.load(self.folder, self.settings.get("CRAWL_START_URL"),
                                   self.settings.getbool("INCREMENTAL_ENABLED", True))
        if self.ledger.previous_crawls:
            log.info("Re-crawl: only rows new or changed since %s are stored",
                     ", ".join(self.ledger.previous_crawls))

    def process_item(self, item: Any, spider: Any = None) -> Any:
        if not isinstance(item, ArticleItem):
            return item
        if self.write_failed:
            raise DropItem(f"Not stored, the dataset is not writable: {item.article.get('url')}")
        try:
            articles, comments = self._tables(item)
        except (ValueError, TypeError, pa.ArrowException) as exc:
            raise DropItem(f"Article not storable ({exc}): {item.article.get('url')}") from exc
        if self.ledger.is_stored("articles", articles.to_pylist()[0]):
            # Resumed crawl: stored before the interruption, with all its comments.
            self.counts["already_stored"] += 1
            return item
        articles, comments = self._new_rows("articles", articles), self._new_rows("comments", comments)
        try:
            # Comments first: a kill between the two leaves comments whose article is fetched
            # again (and their keys skipped), never an article that lost its comments.
            self.writers["comments"].add(comments)
            self.writers["articles"].add(articles)
            if time.monotonic() - self._last_commit >= self.commit_interval:
                self.commit()
        except WRITE_ERRORS as exc:
            self._write_error(exc, item.article.get("url"))
            raise DropItem(f"Not stored, write error: {item.article.get('url')}") from exc
        self._count(articles, comments)
        return item

    def _new_rows(self, name: str, table: pa.Table) -> pa.Table:
        """The rows of ``table`` neither stored by this crawl nor unchanged since the last one."""
        rows = table.to_pylist()
        keep = [self.ledger.keep(name, r) for r in rows]
        self.counts[f"unchanged_{name}"] += sum(not self.ledger.is_stored(name, r) and not k
                                                for r, k in zip(rows, keep))
        self.ledger.mark_stored(name, (r for r, k in zip(rows, keep) if k))
        return table if all(keep) else table.filter(pa.array(keep, type=pa.bool_()))

    def commit(self) -> None:
        """Finish the open parts: their rows are then stored even if the crawl is killed."""
        self._last_commit = time.monotonic()
        for name in ("comments", "articles", "pages"):
            self.writers[name].commit()

    def close_spider(self, spider: Any = None) -> None:
        if self.closed:
            return
        self.closed = True
        for writer in self.writers.values():
            if self.write_failed:
                writer.abort()
                continue
            try:
                writer.close()
            except WRITE_ERRORS as exc:
                self._write_error(exc, None, stop=False)
        self.finished_at = utc_now().isoformat()
        self.summary = self._summary()
        self._write_manifest()
        log.info("Dataset %s: %d articles, %d comments, max thread depth %d, in %s",
                 self.crawl_id, self.counts["articles"], self.counts["comments"], self.max_depth,
                 self.summary["dataset"])

    def on_spider_closed(self, spider: Any = None, reason: str | None = None) -> None:
        # The reason reaches pipelines only through this signal, sent after close_spider.
        self.finish_reason = reason
        if self.closed:
            self.summary["finish_reason"] = reason
            self._write_manifest()

    # -- rows -----------------------------------------------------------------------------
    def _tables(self, item: ArticleItem) -> tuple[pa.Table, pa.Table]:
        article = dict(item.article)
        article["crawl_id"] = article.get("crawl_id") or self.crawl_id
        label = f"Article {article.get('url')}"
        if _cell(article.get("fetched_at"), TABLES["articles"].field("fetched_at"), label) is None:
            article["fetched_at"] = utc_now()
        comments = [{**c, "article_id": c.get("article_id") or article.get("article_id"),
                     "article_url": c.get("article_url") or article.get("canonical_url"),
                     "crawl_id": c.get("crawl_id") or article["crawl_id"]} for c in item.comments]
        labels = [f"{label}, comment {c.get('comment_id')}" for c in comments]
        return (to_table([article], TABLES["articles"], [label]),
                to_table(comments, TABLES["comments"], labels))

    def _count(self, articles: pa.Table, comments: pa.Table) -> None:
        self.counts["articles"] += articles.num_rows
        self.counts["comments"] += comments.num_rows
        self.kinds.update(comments.column("kind").to_pylist())
        self.parent_sources.update(comments.column("parent_source").to_pylist())
        if comments.num_rows:
            self.max_depth = max(self.max_depth, pc.max(comments.column("depth")).as_py())

    # -- errors -----------------------------------------------------------------------------
    def record_error(self, url: str | None, message: str) -> None:
        self.errors_total += 1
        if len(self.errors) < self.max_errors:
            self.errors.append({"time": utc_now().isoformat(), "url": url, "message": message})

    def on_spider_error(self, failure: Any, response: Any = None, spider: Any = None) -> None:
        self.record_error(getattr(response, "url", None),
                          f"{failure.type.__name__}: {failure.getErrorMessage()}")

    def on_item_dropped(self, item: Any, exception: BaseException, response: Any = None,
                        spider: Any = None) -> None:
        url = item.article.get("url") if isinstance(item, ArticleItem) else getattr(response, "url", None)
        self.record_error(url, f"Item dropped: {exception}")

    def on_item_error(self, item: Any, failure: Any, response: Any = None, spider: Any = None) -> None:
        url = item.article.get("url") if isinstance(item, ArticleItem) else getattr(response, "url", None)
        self.record_error(url, f"Item pipeline error: {failure.getErrorMessage()}")

    def on_response(self, response: Any, request: Any = None, spider: Any = None) -> None:
        # Discovery probes (sitemap.xml, feeds) are expected to be missing on many sites.
        self._page(response, request)
        if request is not None and request.meta.get("optional"):
            return
        if response.status >= 400:
            self.http_errors[str(response.status)] += 1
            self.record_error(response.url, f"HTTP {response.status}")

    def _page(self, response: Any, request: Any) -> None:
        """One ``pages`` row per response: what the next crawl of the site compares against."""
        if self.write_failed or "pages" not in self.writers:
            return
        meta = request.meta if request is not None else {}
        sha1 = hashlib.sha1(response.body).hexdigest()
        previous = self.ledger.previous_pages.get(response.url)
        row = {"url": response.url, "status": meta.get("revalidated", response.status),
               "etag": _header(response, b"ETag"), "last_modified": _header(response, b"Last-Modified"),
               "sha1": sha1, "fetched_at": meta.get("fetched_at") or utc_now(),
               "unchanged": bool(meta.get("revalidated") == 304
                                 or (previous is not None and previous.get("sha1") == sha1)),
               **{k: meta.get(k) for k in ("warc_file", "warc_record_id", "warc_offset")},
               "crawl_id": self.crawl_id}
        if row["unchanged"] and previous is not None:  # a 304 may omit the validators
            row["etag"] = row["etag"] or previous.get("etag")
            row["last_modified"] = row["last_modified"] or previous.get("last_modified")
        if self.ledger.is_stored("pages", row):
            return
        self.ledger.mark_stored("pages", [row])
        self.counts["pages"] += 1
        self.counts["unchanged_pages"] += row["unchanged"]
        try:
            self.writers["pages"].add(to_table([row], TABLES["pages"], [f"Page {response.url}"]))
        except (ValueError, pa.ArrowException) as exc:
            log.error("Page %s not recorded: %s", response.url, exc)
        except WRITE_ERRORS as exc:
            self._write_error(exc, response.url)

    def _write_error(self, exc: BaseException, url: str | None, stop: bool = True) -> None:
        """Stop writing (and crawling: pages that cannot be stored are not worth fetching);
        the parts already finalised stay untouched."""
        log.error("Dataset write failed in %s: %s. Finalised parts are kept; the crawl stops.",
                  self.folder, exc)
        self.record_error(url, f"Dataset write error: {exc}")
        self.write_failed = True
        for writer in self.writers.values():
            writer.abort()
        if stop:
            stop_crawl(self.crawler, "dataset_write_error")

    # -- manifest -----------------------------------------------------------------------------
    def _summary(self) -> dict:
        return {"crawl_id": self.crawl_id, "dataset": str(self.folder.resolve()),
                "articles": self.counts["articles"], "comments": self.counts["comments"],
                "max_depth": self.max_depth, "errors": self.errors_total,
                "files": {n: [str(p.relative_to(self.folder)) for p in w.files]
                          for n, w in self.writers.items()},
                "finish_reason": self.finish_reason}

    def manifest(self) -> dict:
        stats = self.crawler.stats if self.crawler is not None else None
        names = list(MANIFEST_SETTINGS) + [n for n in self.settings.getlist("MANIFEST_SETTINGS")
                                           if n not in MANIFEST_SETTINGS]
        return {
            "crawl_id": self.crawl_id,
            "schema_version": SCHEMA_VERSION,
            "start_url": self.settings.get("CRAWL_START_URL"),
            "started_at": self.started_at,
            "finished_at": self.finished_at,
            "finish_reason": self.finish_reason,
            "settings": {n: self.settings.get(n) for n in names},
            "versions": _versions(),
            "counts": {
                "articles": self.counts["articles"],
                "comments": self.counts["comments"],
                "comments_by_kind": dict(sorted(self.kinds.items())),
                "comments_by_parent_source": dict(sorted(self.parent_sources.items())),
                "max_depth": self.max_depth,
                "pages": self.counts["pages"],
                "unchanged_pages": self.counts["unchanged_pages"],
                "unchanged_articles": self.counts["unchanged_articles"],
                "unchanged_comments": self.counts["unchanged_comments"],
                "already_stored": self.counts["already_stored"],
                "files_written": {n: len(w.files) for n, w in self.writers.items()},
                "http_errors": dict(sorted(self.http_errors.items())),
            },
            "files": self.summary.get("files", {}),
            "log_counts": {level: stats.get_value(f"log_count/{level}", 0) if stats else None
                           for level in ("ERROR", "WARNING")},
            "previous_crawls": self.ledger.previous_crawls,
            "errors_total": self.errors_total,
            "errors": self.errors,
        }

    def _write_manifest(self) -> None:
        try:
            self.folder.mkdir(parents=True, exist_ok=True)
            write_json(self.folder / MANIFEST, self.manifest())
        except OSError as exc:
            log.error("Could not write %s: %s", self.folder / MANIFEST, exc)


def _header(response: Any, name: bytes) -> str | None:
    value = response.headers.get(name)
    return value.decode("latin-1") if value else None


def _versions() -> dict[str, str | None]:
    versions: dict[str, str | None] = {"python": platform.python_version()}
    for name in VERSIONED_PACKAGES:
        try:
            versions[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            versions[name] = None
    versions["blog_archiver"] = scraper.__version__
    return versions
