"""``scrapy reextract <WARC files or folders> -a out=DIR``: rebuild a crawl's dataset from WARC
files, without the network, through the same spider and pipelines as a live crawl.

The start URL and crawl id come from the files' ``warcinfo`` records (``start-url``,
``isPartOf``), else from the first response record; ``-a url=`` and ``-a crawl=`` override them.
They never depend on the order the files are given in: the earliest ``warcinfo`` (by WARC-Date)
names the start URL, and files of several crawls (a re-crawl's with the earlier crawl's) need
``-a crawl=NAME``. Every request is answered by ``WarcReplayMiddleware``; a URL the files do not
hold is a 404.

``-a processes=N`` runs one task per WARC file on N processes, ``-a scheduler=tcp://HOST:PORT``
on a Dask distributed cluster (``scraper/parallel.py``); the rows are those of one process.
"""
from __future__ import annotations

import argparse
import json
import logging
import os
import tempfile
from datetime import datetime, timezone
from pathlib import Path

from scrapy.commands import BaseRunSpiderCommand
from scrapy.exceptions import UsageError
from scrapy.utils.conf import arglist_to_dict

from .. import warc_loop
from ..outcome import CrawlSetupError, run
from ..progress import quiet_preamble
from ..summary import manifest_path, print_summary
from ..warc import iter_records, warc_paths

log = logging.getLogger(__name__)


def file_info(path: Path) -> tuple[str, dict[str, str]]:
    """The WARC-Date of ``path``'s first record and its warcinfo fields plus ``first-url``, the
    first response's URL."""
    date, info = "", {}
    for _, record, fields in iter_records(path):
        date = date or record.rec_headers.get_header("WARC-Date") or ""
        if fields is not None and not info:
            info = dict(fields)
        elif record.rec_type == "response":
            info["first-url"] = record.rec_headers.get_header("WARC-Target-URI")
            break
    return date, info


def describe(paths: list[Path]) -> tuple[dict[str, str], list[str]]:
    """The earliest file's fields (by date, then name: never the argument order), with its
    first record's date as ``started``, and the crawl ids (``isPartOf``) the files name."""
    infos = sorted(((*file_info(p), p.name) for p in paths), key=lambda t: (t[0], t[2]))
    crawls = sorted({info["isPartOf"] for _, info, _ in infos if info.get("isPartOf")})
    if not infos:
        return {}, crawls
    return {**infos[0][1], "started": infos[0][0]}, crawls


def _processes(value: str) -> int:
    try:
        processes = int(value)
    except ValueError:
        processes = 0
    if processes < 1:
        raise UsageError(f"-a processes= takes a number of processes (1 or more), not {value!r}",
                         print_help=False)
    return processes


def _iso(warc_date: str) -> str | None:
    try:
        return datetime.fromisoformat(warc_date).astimezone(timezone.utc).isoformat()
    except ValueError:
        return None


class Command(BaseRunSpiderCommand):
    requires_project = True

    def syntax(self) -> str:
        return ("<WARC files or folders> [-a out=DIR] [-a crawl=NAME] [-a url=URL] [-a processes=N] "
                "[-a scheduler=tcp://HOST:PORT]")

    def short_desc(self) -> str:
        return "Rebuild the Parquet dataset from WARC files, without the network"

    def process_options(self, args: list[str], opts: argparse.Namespace) -> None:
        quiet_preamble()  # Scrapy's start-up lists at DEBUG
        super().process_options(args, opts)
        self.processes = _processes(opts.spargs.pop("processes", "1"))
        self.scheduler = opts.spargs.pop("scheduler", None)
        self.user_settings = arglist_to_dict(opts.set)  # what the tasks of a parallel run get too
        if not args:
            raise UsageError("name the WARC files or folders to re-extract", print_help=True)
        missing = [a for a in args if not Path(a).exists()]
        if missing:
            raise UsageError(f"no such file or folder: {', '.join(missing)}", print_help=False)
        self.paths = warc_paths(args)
        if not self.paths:
            raise UsageError(f"no *.warc.gz or *.warc files in {', '.join(args)}", print_help=False)
        info, crawls = describe(self.paths)
        if info.get("seeds") and not opts.spargs.get("url") and not opts.spargs.get("seeds"):
            opts.spargs["seeds"] = self._seed_list(info["seeds"])  # every blog of a collection
        opts.spargs.setdefault("url", info.get("start-url") or info.get("first-url"))
        if len(crawls) > 1 and not opts.spargs.get("crawl"):
            raise UsageError(f"the WARC files belong to several crawls ({', '.join(crawls)}): "
                             "name the rebuilt one with -a crawl=NAME", print_help=False)
        if crawls:
            opts.spargs.setdefault("crawl", crawls[0])
        if not opts.spargs["url"]:
            raise UsageError("the WARC files name no start URL: give -a url=URL", print_help=False)
        assert self.settings is not None
        root = Path(opts.spargs.get("out") or self.settings.get("DATASET_ROOT") or "datasets")
        target = root / opts.spargs["crawl"] if opts.spargs.get("crawl") else None
        if target is not None and any(target.glob("*/part-*.parquet")):
            # Its rows would count as already stored: nothing would be written.
            raise UsageError(f"{target} already holds a dataset: give another -a out=DIR or -a crawl=NAME",
                             print_help=False)
        self.replay_settings = {
            "WARC_REPLAY_FILES": [str(p) for p in self.paths],
            "WARC_ENABLED": False,
            # The whole dataset, not only what changed since an earlier crawl in the same root.
            "INCREMENTAL_ENABLED": False,
            "ROBOTSTXT_OBEY": info.get("robots", "obey") != "ignore",
            # Politeness is for servers; the files are local.
            "AUTOTHROTTLE_ENABLED": False,
            "DOWNLOAD_DELAY": 0,
            "RETRY_ENABLED": False,
            # No site is asked anything: whose contact the User-Agent names does not matter.
            "CONTACT_WARNING": False,
            # The crawl's own start, not the rebuild's: crawls are ordered by it across a root.
            "CRAWL_STARTED_AT": _iso(info.get("started", "")),
        }
        for name, value in self.replay_settings.items():
            self.settings.set(name, value, priority="cmdline")
        try:
            self.engine_reason = warc_loop.engine_needed(self.settings)
        except CrawlSetupError as exc:
            raise UsageError(str(exc), print_help=False) from None
        if self.engine_reason is None and self.processes == 1 and not self.scheduler:
            warc_loop.drop_idle_extensions(self.settings)

    def _seed_list(self, recorded: str) -> str:
        """The crawl's seed list, as its warcinfo record holds it, in a file the spider reads."""
        try:
            lines = [str(line) for line in json.loads(recorded)]
        except (ValueError, TypeError):
            raise UsageError("the WARC files' seed list is unreadable: give -a url=URL or -a seeds=FILE",
                             print_help=False) from None
        handle, name = tempfile.mkstemp(prefix="seeds-", suffix=".txt")
        with os.fdopen(handle, "w", encoding="utf-8") as f:
            f.write("".join(f"{line}\n" for line in lines))
        self._temp_seeds = Path(name)
        return name

    def run(self, args: list[str], opts: argparse.Namespace) -> None:
        assert self.crawler_process is not None
        try:
            if self.processes > 1 or self.scheduler:
                from ..parallel import rebuild  # the cluster's client is an optional extra

                root = Path(opts.spargs.get("out") or self.settings.get("DATASET_ROOT") or "datasets")
                manifest = root / opts.spargs["crawl"] / "crawl.json" if opts.spargs.get("crawl") else None
                self.exitcode = rebuild(self.paths, opts.spargs, {**self.user_settings, **self.replay_settings},
                                        self.settings, self.processes, self.scheduler)
            else:
                crawler = self.crawler_process.create_crawler("blog")
                if self.engine_reason is None:
                    self.exitcode = warc_loop.run(crawler, **opts.spargs)
                else:
                    log.info("Re-extracting on Scrapy's crawl engine: %s", self.engine_reason)
                    self.exitcode = run(self.crawler_process, crawler, **opts.spargs)
                manifest = manifest_path(crawler)
            print_summary(manifest)
        finally:
            if getattr(self, "_temp_seeds", None):
                self._temp_seeds.unlink(missing_ok=True)
