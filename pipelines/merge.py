"""The datasets of a parallel rebuild's tasks (``scraper/parallel.py``), merged into the crawl
folder as one dataset with one ``crawl.json``.

Two tasks may store the same article: two URLs with one canonical URL, or a redirect to a page
that is another task's entry point. The single-process rebuild stores the first it reads, which
follows the crawl's order of fetching: here the article read from the earliest capture
(``fetched_at``, the capture's WARC-Date; then its WARC file and URL, so that no tie depends on
which task finished first) is kept, with the comments that task assembled for it. A URL fetched
by several tasks has one ``pages`` row, as in a single process, where it is fetched once.

Parts are written as the pipeline writes them (hidden until complete), comments published just
before their articles, and ``crawl.json`` last: counts are read from the merged parts, errors
are the tasks' (each listed once), and a task that did not finish is listed as an error.
"""
from __future__ import annotations

import json
import logging
from collections import Counter
from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from . import manifests
from .ledger import MANIFEST, parts
from .parquet import WRITE_ERRORS, ParquetDatasetPipeline
from .schema import TABLES

log = logging.getLogger(__name__)

_GONE = ("HTTP 404", "HTTP 410")  # listed, but no failure (as ParquetDatasetPipeline.on_response)


class TaskOutput:
    """One task's dataset folder and how it ended (``error``: it did not finish)."""

    def __init__(self, warc: str, folder: Path, error: str | None) -> None:
        self.warc, self.folder, self.error = warc, folder, error
        try:
            self.manifest: dict = json.loads((folder / MANIFEST).read_text(encoding="utf-8"))
        except (OSError, ValueError):
            self.manifest = {}
            self.error = self.error or "it wrote no crawl.json"

    def tables(self, name: str) -> list[pa.Table]:
        schema = TABLES[name]
        return [pq.read_table(p).select(schema.names).cast(schema) for p in parts(self.folder / name)]


class MergedDataset(ParquetDatasetPipeline):
    """The pipeline's writers and manifest, fed with the tasks' rows instead of items."""

    def __init__(self, settings, outputs: list[TaskOutput]) -> None:
        super().__init__(settings)
        self.outputs = outputs

    def merge(self) -> dict:
        """Write the merged parts and ``crawl.json``; the manifest."""
        self.open_spider()
        try:
            self._merge_rows()
        except WRITE_ERRORS as exc:  # a full disk: the parts finished so far stay, crawl.json says so
            self._write_error(exc, None, stop=False)
        self._errors()
        self.write_failed |= any(o.manifest.get("outcome") == "write_error" for o in self.outputs)
        self.close_spider()  # the parts finished; the manifest waits for the reason
        self.fetched = self._fetched()
        self.on_spider_closed(reason=self._finish_reason())
        return json.loads((self.folder / MANIFEST).read_text(encoding="utf-8"))

    def _merge_rows(self) -> None:
        winners = self._winners()
        seen_urls: set[str] = set()
        for n, output in enumerate(self.outputs):
            for name in ("comments", "articles"):  # comments first: they wait for their articles
                for table in output.tables(name):
                    keep = pa.array([winners.get(a) == n for a in table["article_id"].to_pylist()], pa.bool_())
                    self.writers[name].add(table.filter(keep))
            for table in output.tables("pages"):
                urls = table["url"].to_pylist()
                keep = [url not in seen_urls and not seen_urls.add(url) for url in urls]
                self.writers["pages"].add(table.filter(pa.array(keep, pa.bool_())))

    def _winners(self) -> dict[str, int]:
        """Each article's task: the one that read it from the earliest capture."""
        best: dict[str, tuple] = {}
        for n, output in enumerate(self.outputs):
            for table in output.tables("articles"):
                for row in table.select(["article_id", "fetched_at", "warc_file", "url"]).to_pylist():
                    rank = (row["fetched_at"], row["warc_file"] or "", row["url"], n)
                    if row["article_id"] not in best or rank < best[row["article_id"]]:
                        best[row["article_id"]] = rank
        return {article_id: rank[-1] for article_id, rank in best.items()}

    def _errors(self) -> None:
        """The tasks' errors, each (URL, message) once, in time order; a task that did not finish
        is one more."""
        listed = sorted((e for o in self.outputs for e in o.manifest.get("errors", [])),
                        key=lambda e: e.get("time") or "")
        seen: set[tuple] = set()
        for e in listed:
            key = (e.get("url"), e.get("message"))
            if key in seen:
                continue
            seen.add(key)
            message = e.get("message") or ""
            self.record_error(e.get("url"), message, failure=message not in _GONE)
            if message.startswith("HTTP ") and message[5:].isdigit():
                self.http_errors[message[5:]] += 1
        # Errors a task counted past MANIFEST_MAX_ERRORS are not listed: counted, as failures.
        unlisted = sum(o.manifest.get("errors_total", 0) - len(o.manifest.get("errors", [])) for o in self.outputs)
        self.errors_total += unlisted
        self.failures += unlisted
        for o in self.outputs:
            if o.error:
                self.record_error(None, f"Re-extraction of {Path(o.warc).name} did not finish ({o.error}); "
                                        "articles whose page that WARC file holds may be missing")

    def _fetched(self) -> int:
        """Answers that were not errors (robots.txt aside), as the pipeline counts them."""
        return sum(pc.sum(pc.and_(pc.less(t["status"], 400),
                                  pc.invert(pc.ends_with(t["url"], "/robots.txt")))).as_py() or 0
                   for t in self._finished("pages", ["url", "status"]))

    def _finish_reason(self) -> str:
        """``finished`` when every task that ran finished (one that fetched nothing is judged
        with the whole rebuild), else the reason of one that did not, a limit's last."""
        reasons = {o.manifest.get("finish_reason") for o in self.outputs if not o.error} - {None, "finished", "failed"}
        return min(reasons, key=lambda r: (r.startswith("closespider_"), r), default="finished")

    def manifest(self) -> dict:
        manifest = super().manifest()
        # Stats of each task's process: their sum (threads assembled twice count twice).
        repairs: Counter = Counter()
        logs: Counter = Counter()
        for o in self.outputs:
            repairs.update(o.manifest.get("counts", {}).get("thread_repairs", {}))
            logs.update({k: v or 0 for k, v in o.manifest.get("log_counts", {}).items()})
        manifest["counts"]["thread_repairs"] = {k: repairs[k] for k in manifest["counts"]["thread_repairs"]}
        manifest["log_counts"] = {k: logs[k] for k in manifest["log_counts"]}
        # The tasks' Scrapy stats, numbers added up (a time or a reason: the first task's).
        manifest["stats"] = manifests.sum_stats([o.manifest.get("stats", {}) for o in self.outputs if not o.error])
        manifest["tasks"] = [{"warc_file": Path(o.warc).name, "outcome": o.manifest.get("outcome"),
                              "error": o.error} for o in self.outputs]
        return manifest


def merge(settings, outputs: list[TaskOutput]) -> dict:
    """Merge the tasks' datasets into ``DATASET_ROOT/CRAWL_ID``; the ``crawl.json`` written."""
    return MergedDataset(settings, outputs).merge()

