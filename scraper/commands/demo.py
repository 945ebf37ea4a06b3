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
from ..replay import SAMPLE_BLOG, ReplaySite

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
        self.settings.setdict(LOOPBACK_SETTINGS, priority="cmdline")
        super().process_options(args, opts)

    def run(self, args: list[str], opts: argparse.Namespace) -> None:
        if args:
            raise UsageError("demo takes no arguments")
        assert self.crawler_process is not None
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


def _unchanged(n: int | None) -> str:
    return f" (+{n} unchanged since an earlier crawl, not stored again)" if n else ""


def _by_kind(kinds: dict | None) -> str:
    """`` (4 posts, 2 pages)``: the articles table holds a blog's pages beside its posts."""
    if not kinds:
        return ""
    posts, pages = kinds.get("post", 0), kinds.get("page", 0)
    return f" ({posts} post{'s' * (posts != 1)}, {pages} page{'s' * (pages != 1)})"


def summary(path: Path) -> str:
    """A short report of one crawl, from its ``crawl.json``."""
    m = json.loads(path.read_text(encoding="utf-8"))
    counts = m.get("counts", {})
    sources = counts.get("comments_by_parent_source") or {}
    systems = counts.get("articles_by_comment_system") or {}
    folder = path.parent
    files = sorted(str(p.relative_to(folder)) for p in folder.rglob("*") if p.is_file())
    lines = [
        "",
        f"Crawl {m.get('crawl_id')} ({m.get('finish_reason', 'unknown')}; outcome "
        f"{m.get('outcome', 'unknown')}, exit code {m.get('exit_code', '-')})",
        f"  articles:          {counts.get('articles', 0)} stored{_by_kind(counts.get('articles_by_kind'))}"
        + _unchanged(counts.get("unchanged_articles")),
        f"  comments:          {counts.get('comments', 0)} stored"
        + _unchanged(counts.get("unchanged_comments")),
        f"  pages fetched:     {counts.get('pages', 0)}"
        + (f" ({counts['unchanged_pages']} unchanged since the last crawl: not extracted again)"
           if counts.get("unchanged_pages") else ""),
        f"  max thread depth:  {counts.get('max_depth', 0)}",
        "  parent_source:     " + (", ".join(f"{k} {v}" for k, v in sorted(sources.items())) or "-"),
        *(["  comment systems:   " + ", ".join(f"{k} {v}" for k, v in systems.items())] if systems else []),
        f"  incomplete threads: {counts.get('incomplete_threads', 0)}"
        + (" (why: the errors in crawl.json)" if counts.get("incomplete_threads") else ""),
        *([f"  truncated:         {counts['truncated_articles']} article(s) stored cut (why: crawl.json)"]
          if counts.get("truncated_articles") else []),
        f"  errors:            {m.get('errors_total', 0)}",
        *_per_seed(m.get("seeds") or []),
        *_root_totals(folder.parent),
        f"  dataset:           {folder.resolve()}",
        *(f"    {f}" for f in files),
    ]
    return "\n".join(lines)


def _per_seed(seeds: list[dict]) -> list[str]:
    """One line a blog of a collection, and any blog whose start page failed."""
    if len(seeds) < 2 and not any(s.get("start_failed") for s in seeds):
        return []
    return ["  per blog:"] + [
        f"    {s['url']}: {s.get('articles', 0)} articles, {s.get('comments', 0)} comments, "
        f"{s.get('errors', 0)} errors" + (f" (start page: {s['start_failed']})" if s.get("start_failed") else "")
        for s in seeds]


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
    return [f"  dataset root:      {len(kinds)} articles{_by_kind(counted)}, "
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
