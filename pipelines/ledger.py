"""What is already stored: the rows of this crawl's finished parts (a resumed crawl stores each
article and comment once) and the latest version of every row of earlier crawls of the same site
(a re-crawl stores only what is new or changed).

Only finished ``part-*.parquet`` files count: a row is stored once its part is renamed. A
finished part that cannot be read is logged as an error and its rows count as absent: this
crawl may then store them (again).
"""
from __future__ import annotations

import hashlib
import json
import logging
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Iterable
from urllib.parse import urlsplit

import pyarrow as pa
import pyarrow.parquet as pq

from scraper.digests import DigestSet, text_digest

log = logging.getLogger(__name__)

MANIFEST = "crawl.json"
# Columns that say when, where and by which run a row was read, not what it holds.
VOLATILE = frozenset({"fetched_at", "crawl_id", "warc_file", "warc_record_id", "extractor"})
# A new reply moves later comments in the thread and onto other comment pages: not a change.
VOLATILE_COMMENT = VOLATILE | {"position", "page_url"}
KEYS = {"articles": ("article_id",), "comments": ("article_id", "comment_id"), "pages": ("url",)}
# What a row of an earlier schema, written before a column existed, stands for in that column:
# compared with it, a row that only gained the column is unchanged.
# (A column that is null counts as absent: see ``row_hash``.)
BEFORE_COLUMN = {"articles": {"page_kind": "post",  # 1.2: every record was a post
                             "comments_complete": True}}  # 1.3: nothing said a thread was cut


_COMPARE_LOST = "its rows are not compared against: this crawl stores them again as new"


def row_key(table: str, row: dict) -> tuple:
    return tuple(row.get(k) for k in KEYS[table])


def table_keys(table: str, rows: pa.Table) -> list[tuple]:
    """``row_key`` of each row of an Arrow table, read from the key columns alone."""
    return list(zip(*(rows.column(k).to_pylist() for k in KEYS[table])))


def row_hash(table: str, row: dict) -> str:
    skip = VOLATILE_COMMENT if table == "comments" else VOLATILE
    # Null and absent are the same: a column added to the schema is absent from older rows.
    content = {k: v for k, v in {**BEFORE_COLUMN.get(table, {}), **row}.items() if k not in skip and v is not None}
    return hashlib.sha1(json.dumps(content, sort_keys=True, default=str).encode()).hexdigest()


def parts(folder: Path) -> list[Path]:
    return sorted(folder.glob("part-*.parquet")) if folder.exists() else []


def read_columns(path: Path, columns: list[str]) -> pa.Table:
    """``pq.read_table(path, columns=columns)`` of one part file, read without pyarrow's dataset
    layer: importing it imports pandas too, a quarter of a CPU second of a rebuild that reads
    its parts only to count them. A column the file lacks raises, as ``read_table`` does
    (``ParquetFile.read`` would leave it out)."""
    with pq.ParquetFile(path) as f:
        names = f.schema_arrow.names
        if missing := [c for c in columns if c not in names]:
            raise pa.ArrowInvalid(f"No match for column {missing[0]!r} in {path}")
        return f.read(columns=columns)


def read_rows(files: Iterable[Path], columns: list[str] | None = None,
              consequence: str = "its rows are not taken into account") -> Iterable[dict]:
    for path in files:
        try:
            schema = pq.read_schema(path)
            wanted = [c for c in columns if c in schema.names] if columns else None
            rows = pq.read_table(path, columns=wanted).to_pylist()
        except Exception as exc:  # noqa: BLE001 - an unreadable part must not stop a crawl
            log.error("Cannot read the finished part %s (%s): %s", path, exc, consequence)
            continue
        yield from rows


class CommentKeys:
    """The set of (article id, comment id) keys, kept by article: the article id once, and its
    comments' ids in one tuple (a frozenset for a long thread), instead of a tuple and a copy
    of the article id per comment: ~70 bytes a stored comment instead of ~200, for a crawl whose
    memory must not grow with what it stored."""

    LONG = 32  # ids of more comments than this are looked up in a frozenset, not a tuple

    def __init__(self, keys: Iterable[tuple] = ()) -> None:
        self._by_article: dict[str, tuple | frozenset] = {}
        self._count = 0
        self.update(keys)

    def __contains__(self, key: tuple) -> bool:
        return key[1] in self._by_article.get(key[0], ())

    def __len__(self) -> int:
        return self._count

    def __iter__(self):
        return ((article, comment) for article, ids in self._by_article.items() for comment in ids)

    def add(self, key: tuple) -> None:
        self.update((key,))

    def update(self, keys: Iterable[tuple]) -> None:
        new: dict[str, list] = {}
        for article, comment in keys:
            if (article, comment) not in self:
                ids = new.setdefault(article, [])
                if comment not in ids:
                    ids.append(comment)
        for article, ids in new.items():
            merged = (*self._by_article.get(article, ()), *ids)
            self._by_article[article] = frozenset(merged) if len(merged) > self.LONG else merged
            self._count += len(ids)


class StoredKeys:
    """The keys of stored rows (an article's id, a page's URL), each kept as the 20-byte SHA-1
    digest of the key: ~21 bytes a row instead of ~180 for a tuple and its string in a set, so
    a first crawl's memory does not grow by a Python object per page. Two of a billion keys
    share a digest with a chance of ~3e-31 (one row then taken as stored). Membership only:
    the keys themselves are not kept."""

    def __init__(self, keys: Iterable[tuple] = ()) -> None:
        self._digests = DigestSet(20)
        self.update(keys)

    @staticmethod
    def _digest(key: tuple) -> bytes:
        return text_digest(repr(key))  # repr: None and "None", ("a",) and ("a", None) differ

    def __contains__(self, key: tuple) -> bool:
        return self._digest(key) in self._digests

    def __len__(self) -> int:
        return len(self._digests)

    def add(self, key: tuple) -> None:
        self._digests.add(self._digest(key))

    def update(self, keys: Iterable[tuple]) -> None:
        for key in keys:
            self.add(key)


@dataclass
class Ledger:
    stored: dict[str, set[tuple]] = field(default_factory=lambda: {t: set() for t in KEYS})
    previous: dict[str, dict[tuple, str]] = field(default_factory=lambda: {t: {} for t in KEYS})
    previous_pages: dict[str, dict] = field(default_factory=dict)
    previous_crawls: list[str] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.stored["comments"] = CommentKeys(self.stored["comments"])
        for table in ("articles", "pages"):
            self.stored[table] = StoredKeys(self.stored[table])

    def is_stored(self, table: str, row: dict) -> bool:
        return row_key(table, row) in self.stored[table]

    def is_unchanged(self, table: str, row: dict) -> bool:
        earlier = self.previous[table].get(row_key(table, row))
        # No earlier version of the row (a first crawl, a new article or comment): nothing it
        # could equal, so it is not serialised and hashed at all (~a few % of a crawl's CPU).
        return earlier is not None and earlier == row_hash(table, row)

    def keep(self, table: str, row: dict) -> bool:
        """True when ``row`` is to be stored: not stored by this crawl, new or changed."""
        return not self.is_stored(table, row) and not self.is_unchanged(table, row)

    def mark_stored(self, table: str, rows: Iterable[dict]) -> None:
        self.stored[table].update(row_key(table, r) for r in rows)


def stored_keys(crawl_folder: Path) -> dict[str, set[tuple]]:
    """Keys of the rows in this crawl's finished parts (from an earlier, interrupted run); a copy
    the caller may change."""
    files = tuple((p, p.stat().st_mtime_ns, p.stat().st_size) for t in KEYS for p in parts(crawl_folder / t))
    return {t: set(keys) for t, keys in _stored_keys(crawl_folder, files).items()}


@lru_cache(maxsize=4)
def _stored_keys(crawl_folder: Path, files: tuple) -> dict[str, frozenset[tuple]]:
    # The spider and the pipeline both ask at start-up: the parts are read once, and again only
    # when a part was added or changed (``files`` is part of the cache key).
    consequence = ("its rows count as not stored: this run stores them again, so they may be "
                   "duplicated if the file is repaired")
    return {t: frozenset(tuple(r.get(k) for k in cols)
                         for r in read_rows(parts(crawl_folder / t), list(cols), consequence))
            for t, cols in KEYS.items()}


def stored_article_ids(crawl_folder: Path) -> set[str]:
    return {key[0] for key in stored_keys(crawl_folder)["articles"]}


def same_page(previous: dict | None, row: dict) -> bool:
    """``row`` answers as the last crawl's response did: same status and same body. A 304 then
    stands for the full response it revalidated."""
    if previous is None:
        return False
    status = 200 if previous.get("status") == 304 else previous.get("status")
    return status == row.get("status") and previous.get("sha1") == row.get("sha1")


def revalidatable(row: dict) -> bool:
    """A page whose content an earlier crawl archived, worth asking for only if changed."""
    return bool(row.get("warc_file")) and (row.get("status") == 200 or bool(row.get("unchanged")))


def earlier_crawls(root: Path, host: str, exclude: str, finished_only: bool = False) -> list[Path]:
    """Folders of earlier crawls of the same site (start URL host), oldest first; with
    ``finished_only``, only those that ran to their end (``finish_reason`` "finished")."""
    found = []
    for manifest in root.glob(f"*/{MANIFEST}"):
        try:
            data = json.loads(manifest.read_text(encoding="utf-8"))
        except (OSError, ValueError) as exc:
            log.warning("Ignored unreadable %s: %s", manifest, exc)
            continue
        if data.get("crawl_id") == exclude or manifest.parent.name == exclude:
            continue
        if finished_only and data.get("finish_reason") != "finished":
            continue
        if urlsplit(data.get("start_url") or "").netloc.lower() == host:
            found.append((data.get("started_at") or "", manifest.parent))
    return [folder for _, folder in sorted(found)]


def load(crawl_folder: Path, start_url: str | None, incremental: bool = True) -> Ledger:
    ledger = Ledger(stored=stored_keys(crawl_folder))
    if not incremental:
        return ledger
    for folder in _earlier(crawl_folder, start_url):
        ledger.previous_crawls.append(folder.name)
        for table in ("articles", "comments"):
            for row in read_rows(parts(folder / table), consequence=_COMPARE_LOST):  # latest wins
                row = {**BEFORE_COLUMN.get(table, {}), **row}
                ledger.previous[table][row_key(table, row)] = row_hash(table, row)
    ledger.previous_pages = previous_pages(crawl_folder, start_url)
    return ledger


def previous_pages(crawl_folder: Path, start_url: str | None) -> dict[str, dict]:
    """The latest ``pages`` row of each URL the earlier, finished crawls of the site fetched.

    An interrupted crawl (Ctrl-C, kill, a write error, a page limit) fetched pages whose
    article and thread it may never have stored: its pages are no proof that a page's content
    is in the dataset, so they are not revalidated but fetched and extracted again (the rows
    it did store are still compared against, and not stored twice)."""
    pages: dict[str, dict] = {}
    for folder in _earlier(crawl_folder, start_url, finished_only=True):
        for row in read_rows(parts(folder / "pages"), consequence=_COMPARE_LOST):
            pages[row["url"]] = row
    return pages


def _earlier(crawl_folder: Path, start_url: str | None, finished_only: bool = False) -> list[Path]:
    if not start_url:
        return []
    return earlier_crawls(crawl_folder.parent, urlsplit(start_url).netloc.lower(), crawl_folder.name,
                          finished_only)
