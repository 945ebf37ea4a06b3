"""``crawl.json`` of a crawl shared by workers: each worker writes its own manifest to
``workers/<worker>.json``, and ``merge`` makes the crawl's one ``crawl.json`` of them.

The row counts are read from the Parquet parts themselves, not added up from the workers'
manifests: a worker killed with ``kill -9`` wrote no manifest, yet the parts it published hold
rows of the dataset. What only a manifest knows (errors, HTTP statuses, unchanged rows, thread
repairs) is summed over the manifests there are, and the workers whose parts have no manifest
are named in ``workers_without_manifest``.
"""
from __future__ import annotations

import json
import logging
import re
from collections import Counter
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from scraper.outcome import exit_code, outcome

from .ledger import parts, read_columns

log = logging.getLogger(__name__)

WORKERS = "workers"  # the folder of the workers' own manifests
_WORKER_PART = re.compile(r"^part-(.+)-\d+\.parquet$")
# Counts read from the parts: table → (count key, column) tallied by value.
_BY_VALUE = {"articles": {"articles_by_kind": "page_kind", "articles_by_comment_system": "comment_system"},
             "comments": {"comments_by_kind": "kind", "comments_by_parent_source": "parent_source"}}


def worker_manifests(folder: Path) -> list[dict]:
    found = []
    for path in sorted((folder / WORKERS).glob("*.json")):
        try:
            found.append(json.loads(path.read_text(encoding="utf-8")))
        except (OSError, ValueError) as exc:
            log.error("Unreadable worker manifest %s, left out of crawl.json: %s", path, exc)
    return found


def merge(folder: Path, manifests: list[dict]) -> dict:
    """One manifest for the crawl in ``folder`` from its workers' ``manifests``."""
    if not manifests:
        raise ValueError(f"no worker manifests in {folder / WORKERS}")
    crawls = {m.get("crawl_id") for m in manifests}
    if len(crawls) > 1:
        raise ValueError(f"the worker manifests in {folder / WORKERS} belong to several crawls: {sorted(crawls)}")
    first = min(manifests, key=lambda m: m.get("started_at") or "")
    workers = [m.get("worker") or {} for m in manifests]
    reasons = [w.get("finish_reason") for w in workers]
    reason = next((r for r in reasons if r != "finished"), "finished")
    ended = outcome(reason, sum(w.get("fetched", 0) for w in workers), sum(w.get("failures", 0) for w in workers),
                    sum(m.get("errors_total", 0) for m in manifests), any(w.get("write_failed") for w in workers))
    counts = _sum([m.get("counts", {}) for m in manifests])
    counts.update(table_counts(folder))
    finished = [m.get("finished_at") for m in manifests]
    errors = sorted((e for m in manifests for e in m.get("errors", [])), key=lambda e: e.get("time") or "")
    return {
        **first,
        "started_at": first.get("started_at"),
        "finished_at": None if None in finished else max(finished),
        "finish_reason": "failed" if ended == "failed" else reason,
        "outcome": ended,
        "exit_code": exit_code(ended),
        "counts": counts,
        "truncated": [t for m in manifests for t in m.get("truncated", [])],
        "seeds": _merge_seeds([m.get("seeds", []) for m in manifests]),
        "files": {table: sorted(p.relative_to(folder).as_posix() for p in parts(folder / table))
                  for table in ("articles", "comments", "pages")},
        "log_counts": dict(_sum([m.get("log_counts", {}) for m in manifests])),
        # The workers' Scrapy stats, numbers added up (a time or a reason: the first worker's).
        "stats": sum_stats([m.get("stats", {}) for m in manifests]),
        "previous_crawls": list(dict.fromkeys(c for m in manifests for c in m.get("previous_crawls", []))),
        "errors_total": sum(m.get("errors_total", 0) for m in manifests),
        "errors": errors,
        "workers": [{"id": w.get("id"), "outcome": m.get("outcome"), "exit_code": m.get("exit_code"),
                     "started_at": m.get("started_at"), "finished_at": m.get("finished_at"),
                     "articles": m.get("counts", {}).get("articles"), "comments": m.get("counts", {}).get("comments")}
                    for m, w in zip(manifests, workers)],
        "workers_without_manifest": sorted(part_workers(folder) - {w.get("id") for w in workers}),
    }


def table_counts(folder: Path) -> dict[str, Any]:
    """The counts of ``crawl.json`` that the rows themselves give, over every finished part."""
    counts: dict[str, Any] = {}
    tables = {name: _read(folder / name, columns) for name, columns in
              (("articles", ["page_kind", "comment_system", "comments_complete"]),
               ("comments", ["kind", "parent_source", "depth"]), ("pages", ["unchanged"]))}
    for name, table in tables.items():
        counts[name] = table.num_rows if table is not None else 0
        for key, column in _BY_VALUE.get(name, {}).items():
            values = Counter(table.column(column).to_pylist()) if table is not None else Counter()
            counts[key] = dict(sorted((k, n) for k, n in values.items() if k is not None))
    articles, comments, pages = tables["articles"], tables["comments"], tables["pages"]
    counts["incomplete_threads"] = (pc.sum(pc.invert(articles["comments_complete"])).as_py() or 0) \
        if articles is not None else 0
    counts["max_depth"] = (pc.max(comments["depth"]).as_py() or 0) if comments is not None else 0
    counts["unchanged_pages"] = (pc.sum(pages["unchanged"]).as_py() or 0) if pages is not None else 0
    counts["files_written"] = {name: len(parts(folder / name)) for name in tables}
    return counts


def part_workers(folder: Path) -> set[str]:
    """The workers whose parts are in ``folder``."""
    return {m[1] for table in ("articles", "comments", "pages") for p in parts(folder / table)
            if (m := _WORKER_PART.match(p.name))}


def _read(folder: Path, columns: list[str]):
    files = parts(folder)
    if not files:
        return None
    tables = []
    for path in files:
        try:
            tables.append(read_columns(path, columns))
        except (OSError, pa.ArrowException) as exc:
            log.error("Cannot read %s for crawl.json (its rows are not counted): %s", path, exc)
    return pa.concat_tables(tables, promote_options="default") if tables else None


def _sum(dicts: list[dict]) -> dict:
    """Numbers added up key by key, nested dicts likewise (counts a sum cannot give, such as
    ``max_depth``, are read from the parts instead)."""
    total: dict = {}
    for d in dicts:
        for key, value in d.items():
            if isinstance(value, dict):
                total[key] = _sum([total.get(key, {}), value])
            elif isinstance(value, (int, float)) and not isinstance(value, bool):
                total[key] = total.get(key, 0) + value
            else:
                total.setdefault(key, value)
    return total


def sum_stats(stats: list[dict]) -> dict:
    """Scrapy stats of several processes as one: numbers added up, other values the first's."""
    return dict(sorted(_sum(stats).items()))


def _merge_seeds(lists: list[list[dict]]) -> list[dict]:
    merged: dict[str, dict] = {}
    for seeds in lists:
        for s in seeds:
            into = merged.setdefault(s["url"], {**s, "articles": 0, "comments": 0, "errors": 0, "start_failed": None,
                                                   "pages_skipped_by_limit": 0})
            for key in ("articles", "comments", "errors", "pages_skipped_by_limit"):
                into[key] += s.get(key, 0)
            into["start_failed"] = into["start_failed"] or s.get("start_failed")
    return list(merged.values())

