"""Thread validation: check an article and its comment thread before it is stored.

Only an article without ``article_id`` or ``url`` is dropped. Everything else is repaired or kept
as it is with a warning and a stats counter, because a research dataset that silently loses rows
is worse than one with a flagged oddity. That includes the repairs made while the thread was
assembled (``scraper.threads``: parent cycles broken, derived ids for comments sharing an id),
which the rows carry as notes: each becomes one warning naming the article and the comment ids,
and one count (``threads/...``).
"""
from __future__ import annotations

import logging
from datetime import datetime
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import pyarrow as pa
from scrapy.exceptions import DropItem

from scraper.dates import parse_iso, to_utc
from scraper.items import ArticleItem
from scraper.threads import REPAIRS_KEY, break_parent_cycles, describe_repair
from scraper.urls import site_of

from .schema import ARTICLE_FIELDS, COMMENT_FIELDS, COMMENT_KINDS, PAGE_KINDS, PARENT_SOURCES

if TYPE_CHECKING:
    from scrapy.crawler import Crawler

log = logging.getLogger(__name__)

_TRUE = {"true", "1", "yes", "on"}
_FALSE = {"false", "0", "no", "off", ""}


def coerce_value(value: Any, type_: pa.DataType) -> Any:
    """``value`` as a column of ``type_`` holds it; ValueError when it cannot be converted.
    The one conversion of item values: the Parquet writer stores what this returns."""
    if value is None:
        return None
    # One look-up of the type's id, not a ``pa.types.is_*`` call after another: every value of
    # every stored row comes here.
    kind = _KINDS.get(type_.id)
    if kind is _TIMESTAMP:
        return _timestamp(value)
    if kind is _STRING:
        if isinstance(value, str):
            return value
        if isinstance(value, int) and not isinstance(value, bool):  # numeric post/comment ids
            return str(value)
    elif kind is _INTEGER:
        number = _integer(value)
        limit = 2 ** (type_.bit_width - 1)
        if number is not None and -limit <= number < limit:
            return number
    elif kind is _BOOLEAN:
        if isinstance(value, bool):
            return value
        if isinstance(value, int) and value in (0, 1):
            return bool(value)
        if isinstance(value, str) and value.strip().lower() in _TRUE | _FALSE:
            return value.strip().lower() in _TRUE
    elif kind is _LIST:
        if isinstance(value, str):
            value = [value]
        if isinstance(value, (list, tuple)):
            return [coerce_value(v, type_.value_type) for v in value if v is not None]
    else:
        return value
    raise ValueError(f"{value!r} is not a {type_}")


_TIMESTAMP, _STRING, _INTEGER, _BOOLEAN, _LIST = "timestamp", "string", "integer", "boolean", "list"
# Type ids as ``pa.types.is_timestamp``, ``is_string``, ``is_integer``, ``is_boolean`` and
# ``is_list`` tell them (``is_string`` and ``is_list`` take neither the large nor the view kinds).
_KINDS = {pa.timestamp("us").id: _TIMESTAMP, pa.string().id: _STRING, pa.bool_().id: _BOOLEAN,
          pa.list_(pa.string()).id: _LIST,
          **{t().id: _INTEGER for t in (pa.int8, pa.int16, pa.int32, pa.int64,
                                        pa.uint8, pa.uint16, pa.uint32, pa.uint64)}}


def _timestamp(value: Any) -> datetime:
    """An aware UTC datetime from a datetime or an ISO 8601 string; one without an offset is
    taken as UTC, as the item contract promises UTC. Never a guess from human-written text."""
    parsed = parse_iso(value) if isinstance(value, str) else value
    if not isinstance(parsed, datetime):
        raise ValueError(f"{value!r} is not an ISO 8601 date-time")
    return to_utc(parsed)


def _integer(value: Any) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, str) and value.strip().lstrip("+-").isdigit():
        return int(value)
    return None


class Coercion:
    """How one table's columns are coerced (``coerce_value``): each column's name and
    conversion read from pyarrow once, not a property call for every value of every row."""

    def __init__(self, fields: list[pa.Field]) -> None:
        self.columns = tuple((f.name, _conversion(f.type)) for f in fields)

    def __call__(self, record: dict, label: str) -> int:
        """Coerce the columns of ``record`` in place; an unconvertible value becomes None.
        Returns how many values were nulled."""
        nulled = 0
        for name, convert in self.columns:
            value = record.get(name)
            if value is None:
                continue
            try:
                record[name] = convert(value)
            except (ValueError, OverflowError) as exc:
                log.warning("%s: unreadable %s %r stored as null (%s)", label, name, value, exc)
                record[name] = None
                nulled += 1
        return nulled


def coerce_record(record: dict, fields: list[pa.Field], label: str) -> int:
    """``Coercion(fields)(record, label)``: for one record; the pipelines keep one ``Coercion``
    per table."""
    return Coercion(fields)(record, label)


def _conversion(type_: pa.DataType) -> Callable[[Any], Any]:
    """``coerce_value(value, type_)`` for a value that is not None: a string column's strings
    (most values) kept as they are without asking the type."""
    kind = _KINDS.get(type_.id)
    if kind is _TIMESTAMP:
        return _timestamp
    if kind is _STRING:
        return lambda value: value if type(value) is str else coerce_value(value, type_)
    return lambda value: coerce_value(value, type_)


def _id_or_none(value: Any) -> Any:
    """A parent id as comment ids are compared: numeric ids as strings, an empty one as None."""
    if value in (None, ""):
        return None
    return str(value) if isinstance(value, int) and not isinstance(value, bool) else value


ARTICLE_COERCION = Coercion(ARTICLE_FIELDS)
COMMENT_COERCION = Coercion(COMMENT_FIELDS)


class ThreadValidationPipeline:
    def __init__(self, stats: Any = None) -> None:
        self.stats = stats

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> ThreadValidationPipeline:
        return cls(crawler.stats)

    def process_item(self, item: Any, spider: Any = None) -> Any:
        if not isinstance(item, ArticleItem):
            return item
        article = item.article
        missing = [k for k in ("article_id", "url") if not article.get(k)]
        if missing:
            where = article.get("canonical_url") or article.get("url") or article.get("title") or "?"
            raise DropItem(f"Article without {' and '.join(missing)} dropped: {where}")
        label = f"Article {article['url']}"
        self._fill_article(article, label)
        self._count("validation/nulled_values", ARTICLE_COERCION(article, label))
        item.comments = self._check_thread(item.comments, label)
        return item

    def _count(self, key: str, n: int = 1) -> None:
        if n and self.stats is not None:
            self.stats.inc_value(key, n)

    def _fill_article(self, article: dict, label: str) -> None:
        # Both are derivable from the URL, so a missing one is repaired rather than fatal.
        if not article.get("canonical_url"):
            log.warning("%s: no canonical_url, using the URL", label)
            article["canonical_url"] = article["url"]
        if not article.get("site"):
            article["site"] = site_of(article["canonical_url"])
        self._check_page_kind(article, label)

    def _check_page_kind(self, article: dict, label: str) -> None:
        # Records made before pages were told apart (or by an extractor that never says) are posts.
        value = article.get("page_kind")
        normal = value.strip().lower() if isinstance(value, str) else value
        if normal not in PAGE_KINDS:
            if value is not None:
                log.warning("%s: page_kind %r is not one of %s, stored as 'post'", label, value, sorted(PAGE_KINDS))
                self._count("validation/invalid_page_kind")
            normal = "post"
        article["page_kind"] = normal

    def _check_thread(self, comments: list, label: str) -> list[dict]:
        kept = self._unique(comments, label)
        for c in kept:
            c["parent_id"] = _id_or_none(c.get("parent_id"))
        # A thread assembled by CommentThread has no cycle left; any other source gets the same rule.
        break_parent_cycles(kept)
        self._report_repairs(kept, label)
        ids = {c["comment_id"] for c in kept}
        depth_of: dict[str, int] = {}
        for c in kept:
            where = f"{label}, comment {c['comment_id']}"
            self._count("validation/nulled_values", COMMENT_COERCION(c, where))
            self._check_parent(c, ids, where)
            self._check_depth(c, depth_of, where)
            self._check_vocabulary(c, where)
        self._number(kept)
        return kept

    def _unique(self, comments: list, label: str) -> list[dict]:
        kept, seen = [], set()
        for c in comments:
            if not isinstance(c, dict) or c.get("comment_id") in (None, ""):
                log.warning("%s: a comment without comment_id was skipped: %r", label, c)
                self._count("validation/invalid_comments")
                continue
            c["comment_id"] = str(c["comment_id"])
            if c["comment_id"] in seen:
                log.warning("%s: duplicate comment_id %s, the first one is kept", label, c["comment_id"])
                self._count("validation/duplicate_comments")
                continue
            seen.add(c["comment_id"])
            kept.append(c)
        return kept

    def _report_repairs(self, comments: list[dict], label: str) -> None:
        """One warning and one count per repair the thread needed (a cycle noted on each of its
        comments is one repair); the notes are not stored."""
        reported: set[tuple] = set()
        for c in comments:
            for repair in c.pop(REPAIRS_KEY, None) or []:
                key = (repair["rule"], tuple(repair["comment_ids"]))
                if key not in reported:
                    reported.add(key)
                    stat, message = describe_repair(repair)
                    log.warning("%s: %s", label, message)
                    self._count(stat)

    def _check_parent(self, c: dict, ids: set[str], where: str) -> None:
        parent = c["parent_id"]
        if parent is not None and parent not in ids:
            log.warning("%s: parent %s is not a comment of this article (row kept)", where, parent)
            self._count("validation/orphan_comments")

    def _check_depth(self, c: dict, depth_of: dict[str, int], where: str) -> None:
        if not isinstance(c.get("depth"), int) or c["depth"] < 1:
            parent = c["parent_id"]
            fixed = 1 if parent is None else depth_of.get(parent, 1) + 1
            log.warning("%s: depth %r replaced by %d", where, c.get("depth"), fixed)
            self._count("validation/fixed_depths")
            c["depth"] = fixed
        depth_of[c["comment_id"]] = c["depth"]

    def _check_vocabulary(self, c: dict, where: str) -> None:
        for key, allowed, default in (("kind", COMMENT_KINDS, "comment"),
                                      ("parent_source", PARENT_SOURCES, "html")):
            value = c.get(key)
            normal = value.strip().lower() if isinstance(value, str) else value
            if normal not in allowed:
                log.warning("%s: %s %r is not one of %s, stored as %r", where, key, value,
                            sorted(allowed), default)
                self._count(f"validation/invalid_{key}")
                normal = default
            c[key] = normal

    def _number(self, comments: list[dict]) -> None:
        # Positions are kept when they already are 0..n-1; otherwise list order is the thread order.
        positions = [c.get("position") for c in comments]
        if sorted(p for p in positions if isinstance(p, int)) != list(range(len(comments))):
            for position, c in enumerate(comments):
                c["position"] = position
