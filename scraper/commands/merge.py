"""``scrapy merge <crawl folder> [<folders of the same crawl> ...]``: one dataset and one
``crawl.json`` of a crawl shared by workers (``REDIS_URL``).

Workers on one shared file system write into one folder; there ``merge`` only rewrites
``crawl.json`` from the workers' manifests (each worker does so at its end too). Workers on
machines of their own each leave a folder: ``merge`` copies their Parquet parts, WARC files and
manifests into the first folder (every file name carries its worker's name, so nothing clashes;
a file already there with other bytes is an error, never overwritten) and then rewrites it.
"""
from __future__ import annotations

import argparse
import filecmp
import shutil
from pathlib import Path

from scrapy.commands import ScrapyCommand
from scrapy.exceptions import UsageError

from pipelines import manifests
from pipelines.ledger import MANIFEST
from pipelines.parquet import durable_replace, write_card, write_json

# What a worker leaves in its crawl folder: its parts, its WARC files and its manifest.
WORKER_FILES = ("articles/part-*.parquet", "comments/part-*.parquet", "pages/part-*.parquet",
                "warc/*.warc.gz", f"{manifests.WORKERS}/*.json")


class Command(ScrapyCommand):
    requires_project = True
    default_settings = {"LOG_LEVEL": "WARNING"}

    def syntax(self) -> str:
        return "<crawl folder> [<folders of the same crawl from other machines> ...]"

    def short_desc(self) -> str:
        return "Merge the workers' folders and manifests of a shared crawl into one dataset and crawl.json"

    def run(self, args: list[str], opts: argparse.Namespace) -> None:
        if not args:
            raise UsageError("name the crawl folder", print_help=True)
        target, *sources = (Path(a) for a in args)
        for folder in (target, *sources):
            if not (folder / manifests.WORKERS).is_dir():
                raise UsageError(f"{folder} holds no workers' manifests ({manifests.WORKERS}/): "
                                 "not a folder of a shared crawl", print_help=False)
        crawl = _crawl_id(target)
        for source in sources:
            if _crawl_id(source) != crawl:
                raise UsageError(f"{source} is a folder of the crawl {_crawl_id(source)}, not {crawl}", print_help=False)
            copied = sum(_copy(path, target / path.relative_to(source))
                         for pattern in WORKER_FILES for path in sorted(source.glob(pattern)))
            print(f"{source}: {copied} file(s) copied into {target}")
        try:
            merged = manifests.merge(target, manifests.worker_manifests(target))
        except ValueError as exc:
            raise UsageError(str(exc), print_help=False) from None
        write_json(target / MANIFEST, merged)
        write_card(target, merged)
        counts = merged["counts"]
        print(f"{target / MANIFEST}: {len(merged['workers'])} worker(s), {counts['articles']} articles, "
              f"{counts['comments']} comments, {merged['errors_total']} error(s), outcome {merged['outcome']}")
        if merged["workers_without_manifest"]:
            print("Workers whose parts are here but which wrote no manifest (killed?): "
                  + ", ".join(merged["workers_without_manifest"]))


def _crawl_id(folder: Path) -> str | None:
    found = {m.get("crawl_id") for m in manifests.worker_manifests(folder)}
    return found.pop() if len(found) == 1 else None


def _copy(source: Path, target: Path) -> bool:
    """Copy ``source`` to ``target`` whole (a temp file renamed); False when ``target`` is the
    same file already. A different file under that name stops the merge."""
    if target.exists():
        if filecmp.cmp(source, target, shallow=False):
            return False
        raise UsageError(f"{target} exists with other content than {source}: not overwritten", print_help=False)
    target.parent.mkdir(parents=True, exist_ok=True)
    temp = target.with_name(f".{target.name}.merge.tmp")
    shutil.copyfile(source, temp)
    durable_replace(temp, target)
    return True
