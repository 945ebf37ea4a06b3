"""The closing summary of a crawl, read from its ``crawl.json``: what ``scrapy crawl``,
``scrapy reextract`` and ``scrapy demo`` print at the end. Plain functions of the manifest (a
dict), so a script can print the summary of any crawl folder."""
from __future__ import annotations

import json
import re
from collections import Counter
from pathlib import Path

MANIFEST = "crawl.json"
_URL = re.compile(r"\b[a-z][a-z0-9+.-]*://\S+", re.IGNORECASE)


def manifest_lines(m: dict) -> list[str]:
    """The crawl's counts, its errors by kind, per blog (a collection, or a start page that
    failed) and the files it wrote, from the ``crawl.json`` dict ``m``."""
    counts = m.get("counts", {})
    sources = counts.get("comments_by_parent_source") or {}
    systems = counts.get("articles_by_comment_system") or {}
    return [
        f"Crawl {m.get('crawl_id')} ({m.get('finish_reason', 'unknown')}; outcome "
        f"{m.get('outcome', 'unknown')}, exit code {m.get('exit_code', '-')})",
        f"  articles:          {counts.get('articles', 0)} stored{by_kind(counts.get('articles_by_kind'))}"
        + _unchanged(counts.get("unchanged_articles")),
        f"  comments:          {counts.get('comments', 0)} stored"
        + _unchanged(counts.get("unchanged_comments")),
        f"  pages fetched:     {counts.get('pages', 0)}"
        + (f" ({counts['unchanged_pages']} unchanged since the last crawl: not extracted again)"
           if counts.get("unchanged_pages") else ""),
        *([f"  time:              {_duration(m['stats']['elapsed_time_seconds'])}"]
          if isinstance((m.get("stats") or {}).get("elapsed_time_seconds"), (int, float)) else []),
        f"  max thread depth:  {counts.get('max_depth', 0)}",
        "  parent_source:     " + (", ".join(f"{k} {v}" for k, v in sorted(sources.items())) or "-"),
        *(["  comment systems:   " + ", ".join(f"{k} {v}" for k, v in systems.items())] if systems else []),
        f"  incomplete threads: {counts.get('incomplete_threads', 0)}"
        + (" (why: the errors in crawl.json)" if counts.get("incomplete_threads") else ""),
        *([f"  truncated:         {counts['truncated_articles']} article(s) stored cut (why: crawl.json)"]
          if counts.get("truncated_articles") else []),
        f"  errors:            {m.get('errors_total', 0)}",
        *_errors_by_kind(m),
        *_per_seed(m.get("seeds") or []),
    ]


def files_lines(folder: Path, m: dict | None = None) -> list[str]:
    """The dataset folder and the files in it (the manifest's part files where the folder is gone)."""
    if folder.is_dir():
        files = sorted(p.relative_to(folder).as_posix() for p in folder.rglob("*")
                       if p.is_file() and not p.name.startswith("."))
    else:
        files = sorted(f for names in ((m or {}).get("files") or {}).values() for f in names)
    return [f"  dataset:           {folder.resolve()}", *(f"    {f}" for f in files)]


def crawl_summary(path: Path) -> str:
    """The summary of the crawl whose ``crawl.json`` is ``path``."""
    m = json.loads(Path(path).read_text(encoding="utf-8"))
    return "\n".join(["", *manifest_lines(m), *files_lines(Path(path).parent, m)])


def error_kind(error: dict) -> str:
    """What went wrong, without where: ``HTTP 404``, ``Request failed: timed out``,
    ``Incomplete thread at …``."""
    message = str(error.get("message") or "")
    url = error.get("url")
    if url:
        message = message.replace(str(url), "…")
    message = _URL.sub("…", message)
    if "…" in message and ": " in message:  # "Incomplete thread at …: the page states 22 ..."
        message = message.split(": ", 1)[0]
    return message if len(message) <= 70 else message[:69] + "…"


def _errors_by_kind(m: dict) -> list[str]:
    errors = m.get("errors") or []
    if not errors:
        return []
    kinds = Counter(error_kind(e) for e in errors)
    listed = "" if len(errors) >= (m.get("errors_total") or 0) else f" (the first {len(errors)} listed)"
    return [f"  errors by kind{listed}:"] + [f"    {n:>5}  {kind}" for kind, n in kinds.most_common(10)] + (
        [f"    {sum(n for _, n in kinds.most_common()[10:]):>5}  other"] if len(kinds) > 10 else [])


def _per_seed(seeds: list[dict]) -> list[str]:
    """One line a blog of a collection, and any blog whose start page failed."""
    if len(seeds) < 2 and not any(s.get("start_failed") for s in seeds):
        return []
    return ["  per blog:"] + [
        f"    {s['url']}: {s.get('articles', 0)} articles, {s.get('comments', 0)} comments, "
        f"{s.get('errors', 0)} errors" + (f" (start page: {s['start_failed']})" if s.get("start_failed") else "")
        for s in seeds]


def _unchanged(n: int | None) -> str:
    return f" (+{n} unchanged since an earlier crawl, not stored again)" if n else ""


def by_kind(kinds: dict | None) -> str:
    """`` (4 posts, 2 pages)``: the articles table holds a blog's pages beside its posts."""
    if not kinds:
        return ""
    posts, pages = kinds.get("post", 0), kinds.get("page", 0)
    return f" ({posts} post{'s' * (posts != 1)}, {pages} page{'s' * (pages != 1)})"



def _duration(seconds: float) -> str:
    seconds = int(round(seconds))
    hours, rest = divmod(seconds, 3600)
    return f"{hours}h {rest // 60:02d}m {rest % 60:02d}s" if hours else f"{rest // 60}m {rest % 60:02d}s"


def manifest_path(crawler) -> str | None:
    """Where the crawl run by ``crawler`` wrote its ``crawl.json`` (None: it wrote none, or never
    started: Scrapy >= 2.19 raises for the stats of a crawler that did not)."""
    try:
        stats = crawler.stats
    except RuntimeError:
        return None
    return stats.get_value("crawl/manifest") if stats is not None else None


def print_summary(path: str | Path | None, file=None) -> bool:
    """Print the closing summary of the crawl whose ``crawl.json`` is ``path`` to ``file``
    (stderr, beside the log: stdout stays free for a feed export); False where there is none."""
    import sys

    if not path or not Path(path).is_file():
        return False
    try:
        text = crawl_summary(Path(path))
    except (OSError, ValueError) as exc:
        text = f"\nNo summary: {path} is unreadable ({exc})"
    print(text, file=file or sys.stderr, flush=True)
    return True
