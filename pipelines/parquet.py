"""Parquet storage: one dataset folder per crawl, written so that readers only see complete files.

Layout: ``<DATASET_ROOT>/<CRAWL_ID>/{articles,comments,pages}/part-NNNNN.parquet`` and
``crawl.json`` (the WARC files in ``warc/`` are the capture middleware's). Each part is written
to a hidden ``.part-NNNNN.parquet.tmp`` next to it, fsync'ed and renamed when complete, so a
killed crawl leaves only dot-files that pyarrow, pandas, polars and duckdb globs all skip.
Before a part is renamed, the ``dataset_commit`` signal asks the capture middleware to make the
WARC records its rows point at durable. See ``datasets/README.md`` for the columns.

Items are expected as ``ThreadValidationPipeline`` leaves them: values already of the column
types (``pipelines.validation.coerce_record``).
"""
from __future__ import annotations

import hashlib
import json
import logging
import os
import platform
import re
from collections import Counter
from contextlib import contextmanager
from datetime import date, datetime, timezone
from importlib import metadata
from pathlib import Path
from typing import TYPE_CHECKING, Any, Callable, Iterator

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq
from scrapy import signals
from scrapy.exceptions import DropItem
from twisted.internet import task
from twisted.python.failure import Failure

import scraper
from scraper.items import ArticleItem
from scraper.limits import SKIPPED_STAT
from scraper.outcome import CrawlSetupError, exit_code, outcome, stop_crawl
from scraper.seeds import parse_line, seed_of
from scraper.threads import REPAIR_RULES
from scraper.urls import site_of
from scraper.workers import worker_id
from scraper.signals import commit_requested, dataset_commit, dataset_committed, page_error

from . import card
from . import ledger as ledger_
from . import manifests
from .ledger import MANIFEST
from .schema import PAGE_FIELDS, SCHEMA_VERSION, TABLES
from .validation import Coercion

if TYPE_CHECKING:
    from scrapy.crawler import Crawler
    from scrapy.settings import BaseSettings

log = logging.getLogger(__name__)

PAGE_COERCION = Coercion(PAGE_FIELDS)  # the pages table's row checks, read from its schema once

MANIFEST_SETTINGS = ("ROBOTSTXT_OBEY", "AUTOTHROTTLE_ENABLED", "AUTOTHROTTLE_TARGET_CONCURRENCY",
                     "DOWNLOAD_DELAY", "CONCURRENT_REQUESTS_PER_DOMAIN", "USER_AGENT", "DEPTH_LIMIT",
                     "CLOSESPIDER_PAGECOUNT", "CLOSESPIDER_ITEMCOUNT", "CLOSESPIDER_TIMEOUT", "DOWNLOAD_MAXSIZE")
VERSIONED_PACKAGES = ("scrapy", "pyarrow", "lxml", "dateparser", "warcio")
_CRAWL_ID = re.compile(r"^\w[\w.-]*$")
# Room kept on the disk for crawl.json: a crawl that fills the disk frees it to write its
# manifest, so that it still says how the crawl ended and what it stored.
MANIFEST_RESERVE = ".manifest-reserve"
MANIFEST_RESERVE_BYTES = 1024 * 1024  # a manifest of 1,000 errors and thousands of part files fits
# Answers that say nothing was fetched: robots.txt is asked whether or not the site answers.
_NOT_CONTENT = ("/robots.txt",)
_GONE = (404, 410)
# Pyarrow raises OSError subclasses for I/O failures and ArrowException for the rest.
WRITE_ERRORS = (OSError, pa.ArrowException)


def utc_now() -> datetime:
    return datetime.now(timezone.utc)


def check_required(rows: list[dict], labels: list[str], schema: pa.Schema) -> None:
    """ValueError naming the first row (by its label) with a required column empty."""
    required = _required(schema)
    for row, label in zip(rows, labels):
        if missing := [name for name in required if row.get(name) is None]:
            raise ValueError(f"{label}: required column {missing[0]} is empty")


# Each schema's required columns, read from pyarrow once (every stored row is checked), by the
# schema's identity; the schema held so that the identity stays its own.
_REQUIRED: dict[int, tuple[pa.Schema, tuple[str, ...]]] = {}


def _required(schema: pa.Schema) -> tuple[str, ...]:
    known = _REQUIRED.get(id(schema))
    if known is None or known[0] is not schema:
        known = _REQUIRED[id(schema)] = (schema, tuple(f.name for f in schema if not f.nullable))
    return known[1]


def to_table(rows: list[dict], labels: list[str], schema: pa.Schema) -> pa.Table:
    """Rows (extra keys ignored, values already of the column types) as a table of ``schema``.
    ValueError for a missing required value; pyarrow raises for a value of the wrong type."""
    check_required(rows, labels, schema)
    return pa.Table.from_pylist(rows, schema=schema)  # the schema's columns only, None where absent


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


def write_json(path: Path, data: dict) -> None:
    """Replace ``path`` with ``data`` whole, or leave the earlier version as it was."""
    temp = path.with_name(f".{path.name}.{os.getpid()}.tmp")  # workers of a shared crawl write crawl.json too
    try:
        # A lone surrogate (a URL decoded with surrogateescape) is written as its JSON escape,
        # not left to make the whole file unwritable.
        temp.write_text(json.dumps(data, indent=2, ensure_ascii=False, default=str) + "\n", encoding="utf-8",
                        errors="backslashreplace")
        durable_replace(temp, path)
    except BaseException:
        temp.unlink(missing_ok=True)
        raise


class PartWriter:
    """One table's part files. Holds at most one row group in memory; rotates files after
    ``file_rows`` rows. A part is finalised in two steps: *sealed* (complete and on disk under its
    hidden temp name: a full disk fails here) and *published* (renamed, visible to readers).
    ``before_finalise`` runs before a part is sealed, so that what its rows depend on (another
    table's parts, WARC records) is durable first; ``before_publish`` runs between the two.
    A ``hold`` writer only seals when it rotates: its parts wait for ``publish()``, which the
    table whose rows they belong to calls (comments wait for their articles).

    ``tallied`` counts, for the ``tally`` columns, the values of the rows in finalised parts
    only (``("rows", None)``: all of them): rows lost to a write error are never counted.
    After a write error the writer is ``broken`` and writes nothing more.

    ``add_rows`` takes rows as Python values and keeps them so until they are written: a table
    is then made of a whole row group at once rather than of each row apart (the pages table
    gets one row a response). A row pyarrow refuses then is left out, and ``on_rejected`` told."""

    def __init__(self, folder: Path, schema: pa.Schema, row_group_size: int, file_rows: int,
                 compression: str | None, before_finalise: Callable[[], None] | None = None,
                 tally: tuple[str, ...] = (), hold: bool = False, worker: str | None = None,
                 on_rejected: Callable[[dict, Exception], None] | None = None) -> None:
        self.folder, self.schema, self.compression = folder, schema, compression
        # A worker of a shared crawl names its parts part-<worker>-NNNNN: workers share the folder.
        self.prefix = f"part-{worker}-" if worker else "part-"
        mine = re.compile(rf"^\.?{re.escape(self.prefix)}(\d+)\.parquet(\.tmp)?$")
        self.row_group_size, self.file_rows = row_group_size, file_rows
        self.before_finalise = before_finalise
        self.before_publish: Callable[[], None] | None = None
        self.hold = hold
        self._sealed: list[tuple[Path, Path, Counter]] = []  # (temp, final, its tally), in order
        self.tally = tally
        self.tallied: Counter = Counter()
        self._staged: Counter = Counter()  # the open part's tally, counted once it is final
        self.broken = False
        self.files: list[Path] = []
        self.existing = sorted(folder.glob("part-*.parquet"))
        for leftover in folder.glob(f".{self.prefix}*.parquet.tmp"):
            if mine.match(leftover.name):  # never another worker's part in the making
                # The unfinished part of a killed run: no footer, unreadable, its rows not stored.
                log.warning("Removed %s, the unfinished part of an interrupted crawl", leftover)
                leftover.unlink()
        self._part = max((int(m[1]) for p in folder.iterdir() if (m := mine.match(p.name))),
                         default=-1) + 1
        self._pending: list[pa.Table] = []
        self._rows: list[dict] = []  # added by add_rows after the tables in _pending, not yet a table
        self.on_rejected = on_rejected
        self._pending_rows = 0
        self._writer: pq.ParquetWriter | None = None
        self._rows_in_file = 0

    @property
    def temp_path(self) -> Path:
        return self.folder / f".{self.prefix}{self._part:05d}.parquet.tmp"

    @property
    def final_path(self) -> Path:
        return self.folder / f"{self.prefix}{self._part:05d}.parquet"

    @property
    def pending(self) -> bool:
        """Rows added but not yet in a finalised part."""
        return bool(self._pending_rows or self._writer is not None or self._sealed)

    def add(self, table: pa.Table) -> None:
        if table.num_rows:
            self._tabulate()  # rows added before it come before it
            self._pending.append(table)
            self._pending_rows += table.num_rows
            if len(self._pending) >= PENDING_TABLES_MAX:
                self._compact()
        self._write_due()

    def _compact(self) -> None:
        """The pending tables as one. Each table, however few its rows, holds its columns'
        arrays as C++ objects (~40 KB for an article's row): a row group of one-row tables
        held tens of MB of the heap until it was written, a long crawl's memory rising and
        falling by as much between writes."""
        table = pa.concat_tables(self._pending)
        try:
            table = table.combine_chunks()
        except pa.ArrowInvalid:  # a string column past 2 GiB: kept in its chunks
            pass
        self._pending = [table]

    def add_rows(self, rows: list[dict]) -> None:
        """Rows whose values are of the column types (extra keys ignored, required columns
        checked by the caller); written exactly when ``add`` would write them."""
        self._rows.extend(rows)
        self._pending_rows += len(rows)
        self._write_due()

    def _write_due(self) -> None:
        with self._marking_broken():
            while self._pending_rows and self._pending_rows >= self._room():
                self._tabulate()
                if self._pending_rows < self._room():  # rows pyarrow refused: no whole group now
                    break
                self._write(self._take(self._room()))

    def _tabulate(self) -> None:
        """The rows kept as Python values, as one table at the end of the pending ones."""
        if not self._rows:
            return
        rows, self._rows = self._rows, []
        try:
            table = pa.Table.from_pylist(rows, schema=self.schema)
        except (pa.ArrowException, TypeError, ValueError):
            table = self._tabulate_one_by_one(rows)
        if table.num_rows:
            self._pending.append(table)
        self._pending_rows -= len(rows) - table.num_rows

    def _tabulate_one_by_one(self, rows: list[dict]) -> pa.Table:
        """The rows pyarrow takes, each apart; the others are reported and left out."""
        tables = []
        for row in rows:
            try:
                tables.append(pa.Table.from_pylist([row], schema=self.schema))
            except (pa.ArrowException, TypeError, ValueError) as exc:
                if self.on_rejected is None:
                    raise
                self.on_rejected(row, exc)
        return pa.concat_tables(tables) if tables else self.schema.empty_table()

    def close(self) -> None:
        """Write what is buffered and finalise the open file; a table without any part still
        gets one (empty) file so that globs over the folder work."""
        self.commit()
        if not self.files and not self.existing:
            with self._marking_broken():
                self._open()  # closed with no row group: a valid, empty file
                self._finalise()

    def commit(self) -> None:
        """Finish the open part now (all buffered rows in it), so its rows survive a kill;
        nothing when no row is pending, so an idle crawl makes no new part."""
        if self.broken:
            return
        self.seal()
        self.publish()

    def seal(self) -> None:
        """Write what is buffered into the open part and complete it, still hidden."""
        if self.broken:
            return
        with self._marking_broken():
            self._tabulate()  # a row pyarrow refuses is no longer pending
            if self._pending_rows:
                self._write(self._take(self._pending_rows), rotate=False)
            if self._writer is not None:
                self._seal_open()

    def publish(self) -> None:
        """Rename the sealed parts, in order: their rows are stored from now on."""
        if self._sealed and self.before_publish is not None:
            self.before_publish()
        with self._marking_broken():
            while self._sealed:
                temp, final, staged = self._sealed[0]
                durable_replace(temp, final)
                self._sealed.pop(0)
                self.tallied += staged
                self.files.append(final)

    def abort(self) -> None:
        """After a write error: drop the unfinished temp file (it has no footer, so no reader
        could use it) and keep every finalised part."""
        self._pending, self._rows, self._pending_rows = [], [], 0
        self._staged.clear()
        self._rows_in_file = 0
        writer, self._writer = self._writer, None
        try:
            if writer is not None:
                writer.close()
        except WRITE_ERRORS:
            pass
        self.temp_path.unlink(missing_ok=True)
        for temp, _, _ in self._sealed:  # complete, but what they depend on was never stored
            temp.unlink(missing_ok=True)
        self._sealed.clear()

    @contextmanager
    def _marking_broken(self) -> Iterator[None]:
        # A ParquetWriter that failed mid-write may hold a half-written row group: never reuse it.
        try:
            yield
        except WRITE_ERRORS:
            self.broken = True
            raise

    def _room(self) -> int:
        return min(self.row_group_size, self.file_rows - self._rows_in_file)

    def _take(self, n: int) -> pa.Table:
        self._tabulate()
        table = pa.concat_tables(self._pending)
        rest = table.slice(n)
        self._pending = [rest] if rest.num_rows else []
        self._pending_rows = rest.num_rows
        return table.slice(0, n)

    def _write(self, group: pa.Table, rotate: bool = True) -> None:
        writer = self._writer or self._open()
        writer.write_table(group, row_group_size=group.num_rows)
        self._rows_in_file += group.num_rows
        self._staged[("rows", None)] += group.num_rows
        for name in self.tally:
            self._staged.update((name, v) for v in group.column(name).to_pylist())
        if rotate and self._rows_in_file >= self.file_rows:
            self._seal_open()
            if not self.hold:
                self.publish()

    def _open(self) -> pq.ParquetWriter:
        self._writer = pq.ParquetWriter(self.temp_path, self.schema, compression=self.compression)
        return self._writer

    def _finalise(self) -> None:
        self._seal_open()
        self.publish()

    def _seal_open(self) -> None:
        if self.before_finalise is not None and self._rows_in_file:  # an empty part depends on nothing
            self.before_finalise()
        if self._writer is not None:
            self._writer.close()  # the footer: a full disk fails here or in fsync, never at publish
            self._writer = None
        with open(self.temp_path, "rb") as f:
            os.fsync(f.fileno())
        self._sealed.append((self.temp_path, self.final_path, self._staged.copy()))
        self._staged.clear()
        self._part += 1
        self._rows_in_file = 0


# Rows of a table are stored once its part is final; counts and summaries are read from there.
# Tables added one item at a time (an article's row, its comments) are joined into one table this
# often (``PartWriter._compact``).
PENDING_TABLES_MAX = 64

_TALLY = {"articles": ("page_kind", "comment_system", "comments_complete", "site"), "comments": ("kind", "parent_source", "depth"), "pages": ("unchanged",)}


class ParquetDatasetPipeline:
    def __init__(self, settings: BaseSettings, crawler: Crawler | None = None) -> None:
        self.crawler = crawler
        self.settings = settings
        self.crawl_id = settings.get("CRAWL_ID") or utc_now().strftime("crawl-%Y%m%dT%H%M%SZ")
        if not _CRAWL_ID.match(self.crawl_id):
            raise ValueError(f"CRAWL_ID {self.crawl_id!r} cannot name a folder: use letters, "
                             "digits, '.', '_' and '-'")
        self.folder = Path(settings.get("DATASET_ROOT") or "datasets") / self.crawl_id
        self.worker = worker_id(settings)  # a worker of a shared crawl: its own parts and manifest
        self.row_group_size = max(1, settings.getint("PARQUET_ROW_GROUP_SIZE", 1000))
        self.file_rows = max(1, settings.getint("PARQUET_FILE_ROWS", 100_000))
        self.compression = settings.get("PARQUET_COMPRESSION", "zstd")
        self.max_errors = settings.getint("MANIFEST_MAX_ERRORS", 1000)
        self.commit_interval = settings.getfloat("PARQUET_COMMIT_INTERVAL", 60.0)
        self._commit_loop: task.LoopingCall | None = None
        self.ledger = ledger_.Ledger()
        self.writers: dict[str, PartWriter] = {}
        self._unpublished: list[str] = []  # ids of the articles added since the last commit
        self.counts: Counter = Counter()
        self.http_errors: Counter = Counter()
        self.errors: list[dict] = []
        self.errors_total = 0
        self.failures = 0  # errors that cost content: all but pages the site says are gone
        self.errors_by_site: Counter = Counter()  # every error, by the host of its URL
        self.seeds = [s for s in map(parse_line, settings.getlist("CRAWL_SEEDS")) if s is not None]
        self._seed_urls = {s.url for s in self.seeds}
        self.start_errors: dict[str, str] = {}  # a seed's start URL → why it failed
        self.fetched = 0  # answers that were not errors: none at all means the crawl failed
        self.write_failed = False
        self.started_at: str | None = None
        self.rebuilt_at: str | None = None
        self.finished_at: str | None = None
        self.finish_reason: str | None = None
        self.closed = False
        self.summary: dict = {}

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> ParquetDatasetPipeline:
        pipe = cls(crawler.settings, crawler)
        # Before the engine opens: a disk already full is a crawl that cannot start, one line.
        pipe._reserve_manifest_room()
        for handler, signal in ((pipe.on_spider_error, signals.spider_error),
                                (pipe.on_item_dropped, signals.item_dropped),
                                (pipe.on_item_error, signals.item_error),
                                (pipe.on_response, signals.response_received),
                                (pipe.on_spider_closed, signals.spider_closed),
                                (pipe.on_page_error, page_error),
                                (pipe._commit_pending, commit_requested)):
            crawler.signals.connect(handler, signal=signal)
        return pipe

    # -- lifecycle ----------------------------------------------------------------------
    def open_spider(self, spider: Any = None) -> None:
        # A dataset rebuilt from WARC (scrapy reextract) keeps the capture's start.
        now, captured = utc_now().isoformat(), self.settings.get("CRAWL_STARTED_AT")
        self.started_at = captured or now
        self.rebuilt_at = now if captured else None
        for name, schema in TABLES.items():
            folder = self.folder / name
            folder.mkdir(parents=True, exist_ok=True)
            writer = PartWriter(folder, schema, self.row_group_size, self.file_rows, self.compression,
                                before_finalise=self._sync_captures, tally=_TALLY.get(name, ()),
                                hold=name == "comments", worker=self.worker,
                                on_rejected=self._page_rejected if name == "pages" else None)
            if writer.existing:
                # A resumed crawl (same CRAWL_ID, e.g. with JOBDIR) adds parts, never overwrites.
                log.warning("%s already holds %d part file(s); new parts are added after them",
                            folder, len(writer.existing))
            self.writers[name] = writer
        # An article counts as stored once its part is published: its comments and the pages rows
        # of its responses are complete on disk first, and its comments are published just before
        # it, so that neither a kill nor a full disk leaves comments without their article.
        self.writers["articles"].before_finalise = self._before_articles
        self.writers["articles"].before_publish = self.writers["comments"].publish
        self.ledger = ledger_.load(self.folder, self.settings.get("CRAWL_START_URL"),
                                   self.settings.getbool("INCREMENTAL_ENABLED", True))
        if self.ledger.previous_crawls:
            log.info("Re-crawl: only rows new or changed since %s are stored",
                     ", ".join(self.ledger.previous_crawls))
        if self.commit_interval > 0:
            # A timer, not a check per item: pages rows of a long discovery phase are committed too.
            self._commit_loop = task.LoopingCall(self._commit_pending)
            self._commit_loop.start(self.commit_interval, now=False)

    def _reserve_manifest_room(self) -> None:
        try:
            self.folder.mkdir(parents=True, exist_ok=True)
            with open(self.folder / MANIFEST_RESERVE, "wb") as f:
                f.write(b"\0" * MANIFEST_RESERVE_BYTES)
                os.fsync(f.fileno())
        except OSError as exc:
            (self.folder / MANIFEST_RESERVE).unlink(missing_ok=True)
            raise CrawlSetupError(f"cannot write the dataset in {self.folder}: {exc.strerror or exc}; "
                                  "free some space or choose another folder with -a out=DIR") from None

    def process_item(self, item: Any, spider: Any = None) -> Any:
        if not isinstance(item, ArticleItem):
            return item
        if self.write_failed:
            raise DropItem(f"Not stored, the dataset is not writable: {item.article.get('url')}")
        try:
            articles, comments = self._tables(item)
        except (ValueError, TypeError, pa.ArrowException) as exc:
            raise DropItem(f"Article not storable ({exc}): {item.article.get('url')}") from exc
        if ledger_.table_keys("articles", articles)[0] in self.ledger.stored["articles"]:
            # Resumed crawl: stored before the interruption, with all its comments.
            self.counts["already_stored"] += 1
            return item
        articles = self._new_rows("articles", articles)
        # The keys of an article's comments are kept only where its own key is not: another item
        # of an article stored now stops at the check above, so a first crawl keeps none (they
        # were most of what its memory grew by); a re-crawl's new replies to an unchanged
        # article are kept.
        comments = self._new_rows("comments", comments, remember=not articles.num_rows)
        try:
            # Comments first: a kill between the two leaves comments whose article is fetched
            # again (and their keys skipped), never an article that lost its comments.
            self.writers["comments"].add(comments)
            self.writers["articles"].add(articles)
            self._unpublished.append(item.article.get("article_id"))
            self._commit_if_unbuffered()
        except WRITE_ERRORS as exc:
            self._write_error(exc, item.article.get("url"))
            raise DropItem(f"Not stored, write error: {item.article.get('url')}") from exc
        return item

    def _new_rows(self, name: str, table: pa.Table, remember: bool = True) -> pa.Table:
        """The rows of ``table`` neither stored by this crawl nor unchanged since the last one;
        their keys are added to the stored ones if ``remember``."""
        keys = ledger_.table_keys(name, table)
        stored = self.ledger.stored[name]
        fresh = [key not in stored for key in keys]
        if self.ledger.previous[name] and any(fresh):
            # A re-crawl compares contents with the earlier versions; a first crawl needs only
            # the keys, not every row turned back into Python (Ledger.keep's test, in two steps).
            keep = [f and not self.ledger.is_unchanged(name, r) for f, r in zip(fresh, table.to_pylist())]
        else:
            keep = fresh
        self.counts[f"unchanged_{name}"] += sum(f and not k for f, k in zip(fresh, keep))
        if remember:
            stored.update(key for key, k in zip(keys, keep) if k)
        return table if all(keep) else table.filter(pa.array(keep, type=pa.bool_()))

    def commit(self) -> None:
        """Finish the open parts: their rows are then stored even if the crawl is killed.
        A table without pending rows gets no new part."""
        # Articles first: that seals and publishes their comments with them; what is left in the
        # comments writer then belongs to articles stored before (a re-crawl's new replies).
        for name in ("articles", "comments", "pages"):
            self.writers[name].commit()

    def _commit_pending(self) -> None:
        if self.write_failed or self.closed:
            return
        try:
            self.commit()
        except WRITE_ERRORS as exc:
            self._write_error(exc, None)
        else:
            self._committed()

    def _committed(self) -> None:
        ids, self._unpublished = self._unpublished, []
        if self.crawler is not None:
            self.crawler.signals.send_catch_log(dataset_committed, article_ids=ids)

    def _commit_if_unbuffered(self) -> None:
        # PARQUET_COMMIT_INTERVAL <= 0: no timer, every row is committed as soon as it is added.
        if self.commit_interval <= 0:
            self.commit()
            self._committed()

    def _sync_captures(self) -> None:
        """Before a part is final: the WARC records its rows point at must be on disk too."""
        if self.crawler is None:
            return
        for _, result in self.crawler.signals.send_catch_log(signal=dataset_commit):
            if isinstance(result, Failure):  # already logged by send_catch_log
                raise OSError(f"WARC records could not be made durable: {result.getErrorMessage()}")

    def _before_articles(self) -> None:
        self.writers["comments"].seal()  # syncs the captures when it seals a part ...
        self.writers["pages"].commit()  # a resumed crawl skips a stored article's comment pages
        self._sync_captures()  # ... and when neither has anything pending, this does

    def close_spider(self, spider: Any = None) -> None:
        if self.closed or not self.writers:  # closed already, or never opened
            return
        self.closed = True
        if self._commit_loop is not None and self._commit_loop.running:
            self._commit_loop.stop()
        for writer in self.writers.values():
            try:
                writer.close()  # after a write error: an empty part for a table that has none
            except WRITE_ERRORS as exc:
                writer.abort()
                self._write_error(exc, None, stop=False)
        if not self.write_failed:
            self._committed()
        self.finished_at = utc_now().isoformat()
        self.summary = self._summary()
        if self.finish_reason is not None:
            self._write_manifest()
        # Else the manifest waits for spider_closed, after the WARC files are finalised: a
        # crawl.json is written only for a crawl whose files are all complete, with its reason.
        log.info("Dataset %s: %d articles, %d comments, max thread depth %d, %d incomplete thread(s), in %s",
                 self.crawl_id, self.summary["articles"], self.summary["comments"],
                 self.summary["max_depth"], self.summary["incomplete_threads"], self.summary["dataset"])

    def on_spider_closed(self, spider: Any = None, reason: str | None = None) -> None:
        # The reason reaches pipelines only through this signal, sent after close_spider.
        self.finish_reason = reason
        if self.closed and self.writers:
            self.summary["finish_reason"] = reason
            self._write_manifest()

    # -- rows -----------------------------------------------------------------------------
    def _tables(self, item: ArticleItem) -> tuple[pa.Table, pa.Table]:
        article = dict(item.article)
        article["crawl_id"] = article.get("crawl_id") or self.crawl_id
        article["fetched_at"] = article.get("fetched_at") or utc_now()
        label = f"Article {article.get('url')}"
        comments = [{**c, "article_id": c.get("article_id") or article.get("article_id"),
                     "article_url": c.get("article_url") or article.get("canonical_url"),
                     "crawl_id": c.get("crawl_id") or article["crawl_id"]} for c in item.comments]
        labels = [f"{label}, comment {c.get('comment_id')}" for c in comments]
        return (to_table([article], [label], TABLES["articles"]),
                to_table(comments, labels, TABLES["comments"]))

    def _stored(self, table: str, column: str = "rows") -> dict:
        """Rows of ``table`` in this run's finalised parts, by value of ``column``."""
        return {v: n for (c, v), n in self.writers[table].tallied.items() if c == column}

    def _rows(self, table: str) -> int:
        return self._stored(table).get(None, 0)

    def _max_depth(self) -> int:
        return max(self._stored("comments", "depth"), default=0)

    def _incomplete_threads(self) -> int:
        return self._stored("articles", "comments_complete").get(False, 0)

    # -- errors -----------------------------------------------------------------------------
    def record_error(self, url: str | None, message: str, failure: bool = True) -> None:
        self.errors_total += 1
        if self.crawler is not None:  # the progress line's errors (scraper/progress.py)
            self.crawler.stats.inc_value("crawl/errors")
        self.failures += failure
        if url:
            self.errors_by_site[site_of(url)] += 1
            if url in self._seed_urls:
                self.start_errors.setdefault(url, message)
        if len(self.errors) < self.max_errors:
            self.errors.append({"time": utc_now().isoformat(), "url": url, "message": message})

    def on_spider_error(self, failure: Any, response: Any = None, spider: Any = None) -> None:
        self.record_error(getattr(response, "url", None),
                          f"{failure.type.__name__}: {failure.getErrorMessage()}")

    def on_item_dropped(self, item: Any, exception: BaseException, response: Any = None,
                        spider: Any = None) -> None:
        url = item.article.get("url") if isinstance(item, ArticleItem) else getattr(response, "url", None)
        self.record_error(url, f"Item dropped: {exception}")

    def on_page_error(self, url: str | None = None, message: str = "") -> None:
        self.record_error(url, message)

    def on_item_error(self, item: Any, failure: Any, response: Any = None, spider: Any = None) -> None:
        url = item.article.get("url") if isinstance(item, ArticleItem) else getattr(response, "url", None)
        self.record_error(url, f"Item pipeline error: {failure.getErrorMessage()}")

    def on_response(self, response: Any, request: Any = None, spider: Any = None) -> None:
        # Discovery probes (sitemap.xml, feeds) are expected to be missing on many sites.
        self._page(response, request)
        if response.status < 400 and not response.url.endswith(_NOT_CONTENT):
            self.fetched += 1
        if request is not None and request.meta.get("optional"):
            return
        if response.url.endswith(_NOT_CONTENT) and 400 <= response.status < 500:
            return  # no robots.txt: everything is allowed, nothing is missing
        if response.status >= 400:
            self.http_errors[str(response.status)] += 1
            # A dead link (404, 410) is the site's state, listed but no failure of the crawl's.
            self.record_error(response.url, f"HTTP {response.status}", failure=response.status not in _GONE)

    def _page(self, response: Any, request: Any) -> None:
        """One ``pages`` row per response: what the next crawl of the site compares against."""
        if self.write_failed or "pages" not in self.writers:
            return
        meta = request.meta if request is not None else {}
        label = f"Page {response.url}"
        row = {"url": response.url, "status": meta.get("revalidated", response.status),
               "etag": _header(response, b"ETag"), "last_modified": _header(response, b"Last-Modified"),
               "sha1": hashlib.sha1(response.body).hexdigest(), "fetched_at": meta.get("fetched_at"),
               **{k: meta.get(k) for k in ("warc_file", "warc_record_id", "warc_offset")},
               "crawl_id": self.crawl_id}
        PAGE_COERCION(row, label)
        row["fetched_at"] = row["fetched_at"] or utc_now()
        previous = self.ledger.previous_pages.get(response.url)
        row["unchanged"] = row["status"] == 304 or ledger_.same_page(previous, row)
        if row["unchanged"] and previous is not None:  # a 304 may omit the validators
            row["etag"] = row["etag"] or previous.get("etag")
            row["last_modified"] = row["last_modified"] or previous.get("last_modified")
        if self.ledger.is_stored("pages", row):
            return
        try:
            check_required([row], [label], TABLES["pages"])
        except ValueError as exc:
            log.error("Page %s not recorded: %s", response.url, exc)
            return
        self.ledger.mark_stored("pages", [row])
        try:
            # Made a table with the rest of its row group (one table a response cost more than
            # the rest of the row); a value pyarrow refuses is reported by _page_rejected.
            self.writers["pages"].add_rows([row])
            self._commit_if_unbuffered()
        except WRITE_ERRORS as exc:
            self._write_error(exc, response.url)

    def _page_rejected(self, row: dict, exc: Exception) -> None:
        """A pages row whose value pyarrow refused when its row group was made: not recorded,
        and listed in crawl.json's errors. Its key stays marked (the stored keys are packed
        digests, membership only): the same value would be refused again."""
        log.error("Page %s not recorded: %s", row.get("url"), exc)
        self.record_error(row.get("url"), f"Page row not recorded: {exc}", failure=False)

    def _write_error(self, exc: BaseException, url: str | None, stop: bool = True) -> None:
        """Stop writing (and crawling: pages that cannot be stored are not worth fetching).
        The parts already finalised stay; what the failed writer held is lost, what the others
        hold is committed where that keeps every stored article whole."""
        log.error("Dataset write failed in %s: %s. Finalised parts are kept; the crawl stops.",
                  self.folder, exc)
        self.record_error(url, f"Dataset write error: {exc}")
        self.write_failed = True
        self._salvage()
        if stop:
            stop_crawl(self.crawler, "dataset_write_error")

    def _salvage(self) -> None:
        # Articles and their comments are stored together or not at all: once either writer
        # lost rows, the other's unpublished rows may be the lost rows' partners, so they go
        # too (the next run fetches those articles again).
        comments, articles = self.writers["comments"], self.writers["articles"]
        if comments.broken or articles.broken:
            comments.broken = articles.broken = True
        for name in ("articles", "comments", "pages"):
            writer = self.writers[name]
            try:
                writer.commit()
            except WRITE_ERRORS as exc:
                log.error("Could not commit the %s rows still buffered, they are lost: %s", name, exc)
            if writer.broken:
                if writer.pending:
                    log.error("Dataset write error: the %s rows not in a finished part are not "
                              "stored", name)
                writer.abort()

    # -- manifest -----------------------------------------------------------------------------
    def _summary(self) -> dict:
        return {"crawl_id": self.crawl_id, "dataset": str(self.folder.resolve()),
                "articles": self._rows("articles"), "comments": self._rows("comments"),
                "max_depth": self._max_depth(),
                "incomplete_threads": self._incomplete_threads(),
                "errors": self.errors_total,
                "files": {n: [str(p.relative_to(self.folder)) for p in w.files]
                          for n, w in self.writers.items()},
                "finish_reason": self.finish_reason}

    @property
    def outcome(self) -> str:
        # Articles stored from answers the pipeline never saw (rows fed directly) count as fetched.
        return outcome(self.finish_reason, self.fetched or self._rows("articles"), self.failures,
                       self.errors_total, self.write_failed)

    def manifest(self) -> dict:
        stats = self.crawler.stats if self.crawler is not None else None
        ended = self.outcome
        truncated = self._truncated()
        names = list(MANIFEST_SETTINGS) + [n for n in self.settings.getlist("MANIFEST_SETTINGS")
                                           if n not in MANIFEST_SETTINGS]
        return {
            "crawl_id": self.crawl_id,
            "schema_version": SCHEMA_VERSION,
            "start_url": self.settings.get("CRAWL_START_URL"),
            "started_at": self.started_at,
            "finished_at": self.finished_at,
            # Scrapy's reason, except that a crawl that fetched nothing "failed".
            "finish_reason": "failed" if ended == "failed" else self.finish_reason,
            "outcome": ended,
            "exit_code": exit_code(ended),
            **({"rebuilt_at": self.rebuilt_at} if self.rebuilt_at else {}),
            "settings": {n: self.settings.get(n) for n in names},
            "versions": _versions(),
            "counts": {
                "articles": self._rows("articles"),
                "comments": self._rows("comments"),
                "articles_by_kind": dict(sorted(self._stored("articles", "page_kind").items())),
                "comments_by_kind": dict(sorted(self._stored("comments", "kind").items())),
                "comments_by_parent_source": dict(sorted(self._stored("comments", "parent_source").items())),
                # Articles by the comment system their threads were asked from (since 1.3).
                "articles_by_comment_system": dict(sorted((k, n) for k, n in self._stored("articles", "comment_system").items()
                                                          if k is not None)),
                "incomplete_threads": self._incomplete_threads(),
                "max_depth": self._max_depth(),
                "pages": self._rows("pages"),
                "unchanged_pages": self._stored("pages", "unchanged").get(True, 0),
                "unchanged_articles": self.counts["unchanged_articles"],
                "unchanged_comments": self.counts["unchanged_comments"],
                # Resumed runs: the spider skips what the killed run stored before assembling it.
                "already_stored": self.counts["already_stored"]
                + (self.crawler.stats.get_value("blog/already_stored", 0) if self.crawler else 0),
                "files_written": {n: len(w.files) for n, w in self.writers.items()},
                "http_errors": dict(sorted(self.http_errors.items())),
                "truncated_articles": len(truncated),  # since 1.4
                # Threads made sound (scraper/threads.py): parent cycles broken, derived ids (since 1.4).
                "thread_repairs": {rule.stat.removeprefix("threads/"): stats.get_value(rule.stat, 0) if stats else 0
                                   for rule in REPAIR_RULES.values()},
            },
            "truncated": truncated[:self.max_errors],  # since 1.4: articles stored cut, and why
            # Per blog of the crawl (one, or a collection's seed list), since 1.4.
            "seeds": self._per_seed(),
            "files": self.summary.get("files", {}),
            "log_counts": {level: stats.get_value(f"log_count/{level}", 0) if stats else None
                           for level in ("ERROR", "WARNING")},
            "previous_crawls": self.ledger.previous_crawls,
            # Scrapy's stats of the run, in place of the dump at the end of the log.
            "stats": json_stats(stats.get_stats()) if stats else {},
            "errors_total": self.errors_total,
            "errors": self.errors,
        }

    def _per_seed(self) -> list[dict]:
        """Articles and comments this run stored, errors listed, and the start page's failure
        (if any), for each seed; rows of hosts no seed names count for none."""
        articles = self._by_seed(self._stored("articles", "site"))
        comments = self._by_seed(self._comments_by_site())
        errors = self._by_seed(self.errors_by_site)
        return [{"url": s.url, "hosts": list(s.hosts), "articles": articles[s.url], "comments": comments[s.url],
                 "errors": errors[s.url], "start_failed": self.start_errors.get(s.url),
                 # Pages not fetched because MAX_PAGES_PER_SITE was reached.
                 "pages_skipped_by_limit": self._stat(SKIPPED_STAT + s.url)} for s in self.seeds]

    def _stat(self, name: str) -> int:
        return (self.crawler.stats.get_value(name, 0) or 0) if self.crawler is not None else 0

    def _by_seed(self, by_site: dict) -> Counter:
        """Counts by site summed by the start URL of the seed whose scope holds the site."""
        by_seed: Counter = Counter()
        for site, n in by_site.items():
            if (owner := seed_of(site, self.seeds)) is not None:
                by_seed[owner.url] += n
        return by_seed

    def _truncated(self) -> list[dict]:
        """The articles this run stored cut (``truncated`` not null)."""
        return [{"url": r["url"], "reason": r["truncated"]}
                for table in self._finished("articles", ["url", "truncated"])
                for r in table.filter(pc.is_valid(table["truncated"])).to_pylist()]

    def _comments_by_site(self) -> Counter:
        """Comment rows this run stored, by their article's site."""
        by_site: Counter = Counter()
        for table in self._finished("comments", ["article_url"]):
            for url, n in zip(*(c.to_pylist() for c in table["article_url"].value_counts().flatten())):
                by_site[site_of(url)] += n
        return by_site

    def _finished(self, name: str, columns: list[str]) -> Iterator[pa.Table]:
        """``columns`` of each part this run finished of table ``name``; a part that cannot be
        read is logged and left out (its rows then count for nothing here)."""
        for path in self.writers[name].files if name in self.writers else []:
            try:
                yield ledger_.read_columns(path, columns)
            except WRITE_ERRORS as exc:
                log.error("Could not read %s for crawl.json: %s", path, exc)

    def _write_manifest(self) -> None:
        manifest = self.manifest()
        if self.worker:
            manifest["worker"] = {"id": self.worker, "fetched": self.fetched, "failures": self.failures,
                                  "write_failed": self.write_failed, "finish_reason": self.finish_reason}
        if self.crawler is not None:  # what the command's exit code is read from
            self.crawler.stats.set_value("crawl/outcome", manifest["outcome"])
        try:
            self.folder.mkdir(parents=True, exist_ok=True)
            (self.folder / MANIFEST_RESERVE).unlink(missing_ok=True)  # the room it was kept for
            if self.worker:
                # Its own, then the crawl's from every worker's (manifests.py).
                (self.folder / manifests.WORKERS).mkdir(exist_ok=True)
                write_json(self.folder / manifests.WORKERS / f"{self.worker}.json", manifest)
                manifest = manifests.merge(self.folder, manifests.worker_manifests(self.folder))
            write_json(self.folder / MANIFEST, manifest)
            if self.crawler is not None:  # where the command's closing summary reads it from
                self.crawler.stats.set_value("crawl/manifest", str(self.folder / MANIFEST))
        except OSError as exc:
            log.error("Could not write %s (an earlier version, if any, is kept): %s", self.folder / MANIFEST, exc)
            return
        write_card(self.folder, manifest)


def write_card(folder: Path, manifest: dict) -> None:
    """The folder's dataset card and datapackage.json (pipelines/card.py), after its crawl.json;
    a failure is logged, never raised: the dataset and its manifest are whole without them."""
    try:
        card.write(folder, manifest)
    except Exception as exc:  # noqa: BLE001
        log.error("Could not write the dataset card of %s (crawl.json is whole): %s", folder, exc)


def json_stats(stats: dict) -> dict:
    """Scrapy's stats as JSON values, sorted by name: times in ISO 8601, anything else that is not
    a number, a string or a bool as its text."""
    def value(v: Any) -> Any:
        if isinstance(v, (datetime, date)):
            return v.isoformat()
        if v is None or isinstance(v, (bool, int, float, str)):
            return v
        if isinstance(v, dict):
            return {str(k): value(x) for k, x in v.items()}
        if isinstance(v, (list, tuple, set)):
            return [value(x) for x in v]
        return str(v)
    return {str(k): value(v) for k, v in sorted(stats.items(), key=lambda kv: str(kv[0]))}


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
