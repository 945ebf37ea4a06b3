"""One crawl folder as one self-contained HTML page (``scrapy report``): what it holds, in charts.

The page needs nothing but itself: no script, no font or style sheet fetched, the charts are
inline SVG drawn here. Every text that comes from the crawl (titles, names, URLs, error
messages) is escaped. Each chart is an ``<svg class="chart" id="chart-…">`` whose bars are
``<rect class="bar" data-label=… data-value=…>``, so its numbers can be read back from the page.
"""
from __future__ import annotations

import json
import re
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime
from html import escape
from pathlib import Path
from typing import Any, Iterable

import pyarrow as pa
import pyarrow.parquet as pq

from pipelines.ledger import MANIFEST, parts

ARTICLE_COLUMNS = ["article_id", "url", "canonical_url", "title", "published", "page_kind", "comment_count",
                   "declared_comment_count", "comment_system", "comments_complete", "truncated"]
COMMENT_COLUMNS = ["article_id", "depth", "author_name", "kind"]
TOP_COMMENTERS = 15
LARGEST_THREADS = 20
TOP_ERROR_KINDS = 20
_ERROR_CUT = re.compile(r"https?://|:")


class NotACrawl(ValueError):
    """The folder holds no crawl: no ``crawl.json`` and no Parquet parts."""


@dataclass
class Crawl:
    folder: Path
    manifest: dict
    articles: list[dict] = field(default_factory=list)
    comments: list[dict] = field(default_factory=list)


def _rows(folder: Path, columns: list[str]) -> list[dict]:
    rows: list[dict] = []
    for path in parts(folder):
        names = pq.read_schema(path).names  # parts of an older schema lack later columns
        table = pq.read_table(path, columns=[c for c in columns if c in names])
        rows += table.to_pylist()
    return rows


def load(folder: Path) -> Crawl:
    """The crawl in ``folder``; NotACrawl where there is none."""
    folder = Path(folder)
    if not folder.is_dir():
        raise NotACrawl(f"{folder} is not a folder")
    has_parts = any(parts(folder / t) for t in ("articles", "comments", "pages"))
    manifest_path = folder / MANIFEST
    if not manifest_path.exists() and not has_parts:
        raise NotACrawl(f"{folder} holds no crawl: no {MANIFEST} and no Parquet parts")
    try:
        manifest = json.loads(manifest_path.read_text(encoding="utf-8")) if manifest_path.exists() else {}
    except (OSError, ValueError) as exc:
        raise NotACrawl(f"{manifest_path} cannot be read: {exc}") from None
    try:
        return Crawl(folder, manifest, _rows(folder / "articles", ARTICLE_COLUMNS),
                     _rows(folder / "comments", COMMENT_COLUMNS))
    except (OSError, pa.ArrowException) as exc:
        raise NotACrawl(f"a Parquet part in {folder} cannot be read: {exc}") from None


# -- what the charts show ---------------------------------------------------------------------
def articles_per_month(crawl: Crawl) -> list[tuple[str, int]]:
    """Articles by the month they were published, every month from the first to the last
    (empty months at 0); articles without a date last, as ``undated``."""
    months = Counter(a["published"].strftime("%Y-%m") for a in crawl.articles if a.get("published"))
    out: list[tuple[str, int]] = []
    if months:
        year, month = map(int, min(months).split("-"))
        last = max(months)
        while (key := f"{year:04d}-{month:02d}") <= last:
            out.append((key, months.get(key, 0)))
            year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    undated = sum(1 for a in crawl.articles if not a.get("published"))
    if undated:
        out.append(("undated", undated))
    return out


def _comments_by_article(crawl: Crawl) -> Counter:
    return Counter(c["article_id"] for c in crawl.comments)


def comments_per_article(crawl: Crawl) -> list[tuple[str, int]]:
    """A histogram: articles by their number of comment rows; one bin per number up to 10, then
    bins doubling in width (11–20, 21–40, …)."""
    per = _comments_by_article(crawl)
    counts = [per.get(a["article_id"], 0) for a in crawl.articles]
    if not counts:
        return []
    bins: list[tuple[int, int]] = [(n, n) for n in range(0, min(max(counts), 10) + 1)]
    low = 11
    while low <= max(counts):
        bins.append((low, low * 2 - 2))  # 11-20, 21-40, 41-80, ...
        low = low * 2 - 1
    return [(str(lo) if lo == hi else f"{lo}–{hi}", sum(1 for n in counts if lo <= n <= hi)) for lo, hi in bins]


def depth_distribution(crawl: Crawl) -> list[tuple[str, int]]:
    depths = Counter(c["depth"] for c in crawl.comments)
    return [(str(d), depths.get(d, 0)) for d in range(1, max(depths, default=0) + 1)]


def top_commenters(crawl: Crawl, n: int = TOP_COMMENTERS) -> list[tuple[str, int]]:
    names = Counter(c["author_name"] or "(no name)" for c in crawl.comments if c.get("kind") == "comment")
    return sorted(names.items(), key=lambda kv: (-kv[1], kv[0]))[:n]


def comment_systems(crawl: Crawl) -> list[tuple[str, int, int]]:
    """Per comment system (``page markup`` for none): articles with a complete thread, and
    with an incomplete one."""
    complete: Counter = Counter()
    incomplete: Counter = Counter()
    for a in crawl.articles:
        system = a.get("comment_system") or "page markup"
        (incomplete if a.get("comments_complete") is False else complete)[system] += 1
    systems = sorted(set(complete) | set(incomplete), key=lambda s: (-(complete[s] + incomplete[s]), s))
    return [(s, complete[s], incomplete[s]) for s in systems]


def error_kind(message: str | None) -> str:
    """What an error of ``crawl.json`` is, without its URL and details: ``HTTP 404``,
    ``Request failed``, ``Incomplete thread at``, ``Not stored`` …"""
    text = (message or "").strip()
    if re.match(r"HTTP \d{3}\b", text):
        return text[:8]
    cut = _ERROR_CUT.search(text)
    kind = (text[:cut.start()] if cut else text).strip(" .,;(")
    return kind[:60] or "other"


def errors_by_kind(crawl: Crawl) -> list[tuple[str, int]]:
    kinds = Counter(error_kind(e.get("message")) for e in crawl.manifest.get("errors") or [])
    return sorted(kinds.items(), key=lambda kv: (-kv[1], kv[0]))[:TOP_ERROR_KINDS]


def largest_threads(crawl: Crawl, n: int = LARGEST_THREADS) -> list[dict]:
    per = _comments_by_article(crawl)
    deepest: dict[str, int] = {}
    for c in crawl.comments:
        deepest[c["article_id"]] = max(deepest.get(c["article_id"], 0), c["depth"] or 0)
    ranked = sorted((a for a in crawl.articles if per.get(a["article_id"])),
                    key=lambda a: (-per[a["article_id"]], a.get("title") or "", a["article_id"]))
    return [{**a, "comments": per[a["article_id"]], "max_depth": deepest.get(a["article_id"], 0)}
            for a in ranked[:n]]


# -- SVG --------------------------------------------------------------------------------------
def _bar(x: float, y: float, w: float, h: float, label: str, value: int, cls: str = "") -> str:
    return (f'<rect class="bar{" " + cls if cls else ""}" data-label="{escape(label)}" data-value="{value}" '
            f'x="{x:.1f}" y="{y:.1f}" width="{w:.1f}" height="{h:.1f}"><title>{escape(label)}: {value}</title></rect>')


def _empty(chart_id: str, note: str) -> str:
    return (f'<svg class="chart empty" id="chart-{chart_id}" width="420" height="40" role="img">'
            f'<text x="8" y="24">{escape(note)}</text></svg>')


def column_chart(chart_id: str, items: list[tuple[str, int]], x_title: str, note: str = "nothing to show") -> str:
    """Vertical bars, one per item, with the value above each bar and its label below."""
    if not any(v for _, v in items):
        return _empty(chart_id, note)
    top = max(v for _, v in items)
    step = max(14.0, min(48.0, 720 / len(items)))
    left, plot_h, base = 40, 180, 200
    width = left + step * len(items) + 10
    rotate = step < 30 or max(len(lbl) for lbl, _ in items) * 6 > step
    height = base + (70 if rotate else 30)
    out = [f'<svg class="chart" id="chart-{chart_id}" width="{width:.0f}" height="{height}" '
           f'viewBox="0 0 {width:.0f} {height}" role="img" xmlns="http://www.w3.org/2000/svg">',
           f'<line class="axis" x1="{left}" y1="{base}" x2="{width - 10:.0f}" y2="{base}"/>',
           f'<text class="tick" x="{left - 4}" y="{base - plot_h + 4}" text-anchor="end">{top}</text>',
           f'<text class="tick" x="{left - 4}" y="{base + 4}" text-anchor="end">0</text>']
    for i, (label, value) in enumerate(items):
        x = left + i * step
        if value:
            h = plot_h * value / top
            out.append(_bar(x + 2, base - h, step - 4, h, label, value))
            if not rotate:
                out.append(f'<text class="value" x="{x + step / 2:.1f}" y="{base - h - 3:.1f}" '
                           f'text-anchor="middle">{value}</text>')
        cx = x + step / 2
        if rotate:
            out.append(f'<text class="tick" x="{cx:.1f}" y="{base + 10}" text-anchor="end" '
                       f'transform="rotate(-60 {cx:.1f} {base + 10})">{escape(label)}</text>')
        else:
            out.append(f'<text class="tick" x="{cx:.1f}" y="{base + 14}" text-anchor="middle">{escape(label)}</text>')
    out.append(f'<text class="axis-title" x="{left}" y="{height - 2}">{escape(x_title)}</text></svg>')
    return "\n".join(out)


def bar_chart(chart_id: str, items: list[tuple[str, list[tuple[int, str]]]], note: str = "nothing to show") -> str:
    """Horizontal bars, one row per item, each stacked from (value, class) segments."""
    totals = [sum(v for v, _ in segments) for _, segments in items]
    if not any(totals):
        return _empty(chart_id, note)
    top = max(totals)
    label_w, plot_w, row = 260, 380, 22
    width, height = label_w + plot_w + 60, row * len(items) + 10
    out = [f'<svg class="chart" id="chart-{chart_id}" width="{width}" height="{height}" '
           f'viewBox="0 0 {width} {height}" role="img" xmlns="http://www.w3.org/2000/svg">']
    for i, ((label, segments), total) in enumerate(zip(items, totals)):
        y = 5 + i * row
        shown = label if len(label) <= 40 else label[:39] + "…"
        out.append(f'<text class="tick" x="{label_w - 6}" y="{y + 14}" text-anchor="end">{escape(shown)}</text>')
        x = float(label_w)
        for value, cls in segments:
            if value:
                w = max(1.0, plot_w * value / top)
                out.append(_bar(x, y + 2, w, row - 6, f"{label} ({cls})" if cls else label, value, cls))
                x += w
        out.append(f'<text class="value" x="{x + 4:.1f}" y="{y + 14}">{total}</text>')
    out.append("</svg>")
    return "\n".join(out)


# -- the page ---------------------------------------------------------------------------------
CSS = """
body { font: 14px/1.45 system-ui, sans-serif; margin: 2em auto; max-width: 980px; color: #222; padding: 0 1em; }
h1 { font-size: 1.6em; margin-bottom: .2em; } h2 { margin-top: 2em; font-size: 1.2em; border-bottom: 1px solid #ddd; }
table { border-collapse: collapse; } td, th { padding: 2px 10px; text-align: left; border-bottom: 1px solid #eee; }
td.n, th.n { text-align: right; } .note { color: #666; }
svg.chart { display: block; overflow: visible; margin: .5em 0; }
svg.chart text { font: 11px system-ui, sans-serif; fill: #333; }
svg.chart .axis { stroke: #999; } svg.chart .axis-title { fill: #666; }
rect.bar { fill: #4e79a7; } rect.bar.incomplete { fill: #e15759; } rect.bar.complete { fill: #59a14f; }
"""


def _link(url: str | None, text: str) -> str:
    if url and re.match(r"https?://", url):
        return f'<a href="{escape(url)}">{escape(text)}</a>'
    return escape(text)


def _facts(rows: Iterable[tuple[str, Any]]) -> str:
    return "<table>" + "".join(f"<tr><th>{escape(k)}</th><td>{escape(str(v))}</td></tr>" for k, v in rows) + "</table>"


def render(crawl: Crawl) -> str:
    m = crawl.manifest
    counts = m.get("counts") or {}
    crawl_id = m.get("crawl_id") or crawl.folder.name
    seeds = [s.get("url") for s in m.get("seeds") or []] or [m.get("start_url")]
    incomplete = sum(1 for a in crawl.articles if a.get("comments_complete") is False)
    truncated = [a for a in crawl.articles if a.get("truncated")]
    errors_listed = len(m.get("errors") or [])
    errors_total = m.get("errors_total", errors_listed)
    sections = [
        f"<h1>Crawl {escape(crawl_id)}</h1>",
        f'<p class="note">Generated {escape(datetime.now().astimezone().isoformat(timespec="seconds"))} '
        f"from {escape(str(crawl.folder))}</p>",
        _facts([("seeds", ", ".join(str(s) for s in seeds if s)),
                ("started", m.get("started_at") or "—"), ("finished", m.get("finished_at") or "—"),
                ("outcome", f"{m.get('outcome') or 'unknown (no crawl.json)'} "
                            f"(exit code {m.get('exit_code', '—')})"),
                ("articles", len(crawl.articles)), ("comments", len(crawl.comments)),
                ("pages fetched", counts.get("pages", "—")),
                ("threads incomplete", f"{incomplete} of {len(crawl.articles)}"),
                ("articles truncated", len(truncated)), ("errors", errors_total),
                ("blog-archiver", (m.get("versions") or {}).get("blog_archiver") or "—")]),
        "<h2>Articles per month</h2>",
        column_chart("articles-per-month", articles_per_month(crawl), "month published", "no articles"),
        "<h2>Comments per article</h2>",
        column_chart("comments-per-article", comments_per_article(crawl), "comments on the article (number of articles above)",
                     "no articles"),
        "<h2>Thread depth</h2>",
        column_chart("thread-depth", depth_distribution(crawl), "reply level (1 = top level; number of comments above)",
                     "no comments"),
        "<h2>Top commenters</h2>",
        bar_chart("top-commenters", [(name, [(n, "")]) for name, n in top_commenters(crawl)], "no comments"),
        "<h2>Comment systems and completeness</h2>",
        '<p class="note">Articles per comment system: <span style="color:#59a14f">complete</span> and '
        '<span style="color:#e15759">incomplete</span> threads.</p>',
        bar_chart("comment-systems", [(s, [(c, "complete"), (i, "incomplete")]) for s, c, i in comment_systems(crawl)],
                  "no articles"),
    ]
    if truncated:
        sections.append("<p>Truncated articles:</p><ul>" + "".join(
            f"<li>{_link(a.get('url'), a.get('title') or a.get('url') or '')}: {escape(a['truncated'])}</li>"
            for a in truncated[:LARGEST_THREADS]) + "</ul>")
    sections += ["<h2>Errors by kind</h2>",
                 bar_chart("errors-by-kind", [(k, [(n, "")]) for k, n in errors_by_kind(crawl)],
                           "no errors" if m else "no crawl.json: errors unknown")]
    if errors_total > errors_listed:
        sections.append(f'<p class="note">{errors_total} errors, of which crawl.json lists the first '
                        f"{errors_listed}: the chart shows those.</p>")
    rows = "".join(
        f'<tr><td>{_link(a.get("url"), a.get("title") or a.get("url") or a["article_id"])}</td>'
        f'<td class="n">{a["comments"]}</td><td class="n">{escape(str(a.get("declared_comment_count") or "—"))}</td>'
        f'<td class="n">{a["max_depth"]}</td><td>{escape(a.get("comment_system") or "page markup")}</td>'
        f'<td>{"no" if a.get("comments_complete") is False else "yes"}</td></tr>'
        for a in largest_threads(crawl))
    sections += ["<h2>Largest threads</h2>",
                 '<table id="largest-threads"><tr><th>article</th><th class="n">comments</th>'
                 '<th class="n">stated</th><th class="n">deepest</th><th>comment system</th><th>complete</th></tr>'
                 + rows + "</table>" if rows else '<p class="note">no comments</p>']
    return ("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
            f"<title>Crawl {escape(crawl_id)}</title><style>{CSS}</style></head><body>\n"
            + "\n".join(sections) + "\n</body></html>\n")


def write(folder: Path, out: Path) -> Path:
    """Render the crawl in ``folder`` to ``out``; NotACrawl where there is none."""
    page = render(load(folder))
    out = Path(out)
    temp = out.with_name(f".{out.name}.tmp")
    temp.write_text(page, encoding="utf-8")
    temp.replace(out)
    return out
