"""``scrapy demo [--out DIR] [--keep-serving]``: crawl the sample blog that ships with the project,
served on 127.0.0.1, and show what the dataset holds. Nothing leaves the machine."""
from __future__ import annotations

import argparse
import json
import os
import threading
import time
from contextlib import contextmanager
from pathlib import Path

from scrapy.commands import ScrapyCommand
from scrapy.exceptions import UsageError

from ..outcome import run
from ..progress import quiet_preamble
from ..summary import by_kind, files_lines, manifest_lines

# The server is on loopback and ours: no need to wait between requests, but stay within the
# per-site concurrency a real crawl would use. It serves the blog under its own address
# (http://sample-blog.test/) as an HTTP proxy, so ids and URLs are the same on every run and a
# second run is an incremental re-crawl.
LOOPBACK_SETTINGS = {
    "HTTPPROXY_ENABLED": True,
    "AUTOTHROTTLE_ENABLED": False,
    "DOWNLOAD_DELAY": 0,
    "CONCURRENT_REQUESTS_PER_DOMAIN": 2,
    "LOG_LEVEL": "WARNING",
    "CONTACT_WARNING": False,  # the only site asked is the bundled one, on this machine
}


class Command(ScrapyCommand):
    requires_project = True

    def syntax(self) -> str:
        return "[--out DIR] [--keep-serving]"

    def short_desc(self) -> str:
        return "Crawl the bundled sample blog on 127.0.0.1 and summarise the dataset"

    def add_options(self, parser: argparse.ArgumentParser) -> None:
        super().add_options(parser)
        parser.add_argument("--out", default="datasets", metavar="DIR",
                            help="dataset root folder (default: datasets)")
        parser.add_argument("--keep-serving", action="store_true",
                            help="keep the sample blog served after the crawl, until Ctrl-C")

    def process_options(self, args: list[str], opts: argparse.Namespace) -> None:
        # Command defaults rank below the project's settings.py, so these are set at command-line
        # priority, before -s/-L are applied: those still win.
        assert self.settings is not None
        quiet_preamble()  # Scrapy's start-up lists at DEBUG
        self.settings.setdict(LOOPBACK_SETTINGS, priority="cmdline")
        super().process_options(args, opts)

    def run(self, args: list[str], opts: argparse.Namespace) -> None:
        if args:
            raise UsageError("demo takes no arguments")
        assert self.crawler_process is not None
        from ..replay import SAMPLE_BLOG, ReplaySite  # here: a rebuild's start-up imports every command module
        out = Path(opts.out)
        started = time.time()
        with ReplaySite(SAMPLE_BLOG) as site, _proxy(site.url):
            print(f"Serving the sample blog {site.base}/ on {site.url} (from {SAMPLE_BLOG})", flush=True)
            crawl_id = "sample-blog-" + time.strftime("%Y%m%dT%H%M%SZ", time.gmtime(started))
            self.exitcode = run(self.crawler_process, self.crawler_process.create_crawler("blog"),
                                url=f"{site.base}/", out=str(out), crawl=crawl_id)
            manifest = out / crawl_id / "crawl.json"
            manifest = manifest if manifest.exists() else _newest_manifest(out, since=started)
            if manifest is None:
                print(f"No crawl.json was written under {out}: the crawl failed (see the log above).")
                self.exitcode = self.exitcode or 1
            else:
                print(summary(manifest))
            if opts.keep_serving:
                print(f"\nStill serving at {site.url}/ - press Ctrl-C to stop.", flush=True)
                try:
                    threading.Event().wait()
                except KeyboardInterrupt:
                    pass


@contextmanager
def _proxy(url: str):
    """Route this process's HTTP requests through the sample blog's server, and only them."""
    saved = {k: os.environ.get(k) for k in ("http_proxy", "no_proxy", "NO_PROXY")}
    os.environ["http_proxy"] = url
    os.environ.pop("no_proxy", None)
    os.environ.pop("NO_PROXY", None)
    try:
        yield
    finally:
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value


def _newest_manifest(out: Path, since: float) -> Path | None:
    found = [p for p in out.glob("*/crawl.json") if p.stat().st_mtime >= since - 1]
    return max(found, key=lambda p: p.stat().st_mtime) if found else None


def summary(path: Path) -> str:
    """A short report of one crawl, from its ``crawl.json`` (``scraper/summary.py``), with what
    the dataset root holds across crawls."""
    m = json.loads(path.read_text(encoding="utf-8"))
    folder = path.parent
    return "\n".join(["", *manifest_lines(m), *_root_totals(folder.parent), *files_lines(folder, m)])


def _root_totals(root: Path) -> list[str]:
    """Across every crawl in the dataset root: a re-crawl stores only what changed, so its own
    counts can be zero while the root holds the whole blog."""
    import pyarrow.dataset as ds

    crawls = [p.parent for p in root.glob("*/crawl.json")]
    if len(crawls) < 2:
        return []

    def table(name: str, columns: list[str]):
        files = [str(f) for c in crawls for f in sorted((c / name).glob("part-*.parquet"))]
        return ds.dataset(files, format="parquet").to_table(columns=columns)

    try:
        comments = table("comments", ["article_id", "comment_id"])
    except (OSError, ValueError):
        return []
    kinds = _latest_kinds(crawls)
    counted = {k: list(kinds.values()).count(k) for k in ("post", "page")}
    return [f"  dataset root:      {len(kinds)} articles{by_kind(counted)}, "
            f"{len(set(zip(*comments.to_pydict().values())))} comments across {len(crawls)} crawls"]


def _latest_kinds(crawls: list[Path]) -> dict[str, str]:
    """Each article's kind in its latest row (rows written before schema 1.2 have none: posts)."""
    from pipelines.ledger import parts, read_rows

    def started(crawl: Path) -> str:
        return json.loads((crawl / "crawl.json").read_text(encoding="utf-8")).get("started_at") or ""
    kinds: dict[str, str] = {}
    for crawl in sorted(crawls, key=started):
        for row in read_rows(parts(crawl / "articles"), ["article_id", "page_kind"]):
            kinds[row["article_id"]] = row.get("page_kind") or "post"
    return kinds
