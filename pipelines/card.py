"""The crawl folder's own description: a dataset card (``README.md``) and a Frictionless data
package descriptor (``datapackage.json``) for its Parquet tables.

Both are written next to ``crawl.json``, whenever it is written (``write``), each replaced whole.
What was crawled, when, how and with which software comes from the manifest; the counts are read
from the finished parts in the folder (a resumed crawl's card counts every run's rows); the
columns, their types and meanings from ``pipelines/schema.py``.
"""
from __future__ import annotations

import json
import logging
import os
import re
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc

from . import manifests
from .ledger import KEYS, parts
from .schema import DESCRIPTIONS, SCHEMA_VERSION, TABLES

log = logging.getLogger(__name__)

CARD = "README.md"
DATAPACKAGE = "datapackage.json"
PARQUET_MEDIATYPE = "application/vnd.apache.parquet"
TABLE_MEANING = {"articles": "one row per article (a post or a page of the blog)",
                 "comments": "one row per comment, pingback or trackback",
                 "pages": "one row per response the crawl received"}


def write(folder: Path, manifest: dict) -> None:
    """Write ``README.md`` and ``datapackage.json`` into ``folder`` for the crawl ``manifest``
    describes (each written to a hidden temp file, then renamed)."""
    counts = folder_counts(folder)
    _write_text(folder / DATAPACKAGE, json.dumps(datapackage(folder, manifest), indent=2, ensure_ascii=False) + "\n")
    _write_text(folder / CARD, card(folder, manifest, counts))


def _write_text(path: Path, text: str) -> None:
    from .parquet import durable_replace  # parquet.py imports this module

    temp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        temp.write_text(text, encoding="utf-8")
        durable_replace(temp, path)
    except BaseException:
        temp.unlink(missing_ok=True)
        raise


# -- the data package -------------------------------------------------------------------------
def frictionless_type(t: pa.DataType) -> str:
    if pa.types.is_string(t) or pa.types.is_large_string(t):
        return "string"
    if pa.types.is_integer(t):
        return "integer"
    if pa.types.is_floating(t):
        return "number"
    if pa.types.is_boolean(t):
        return "boolean"
    if pa.types.is_timestamp(t):
        return "datetime"
    if pa.types.is_date(t):
        return "date"
    if pa.types.is_list(t) or pa.types.is_large_list(t):
        return "array"
    return "any"


def table_schema(name: str) -> dict:
    """The Table Schema of table ``name``: every column with its Frictionless type."""
    fields = []
    for f in TABLES[name]:
        field: dict[str, Any] = {"name": f.name, "type": frictionless_type(f.type),
                                 "description": DESCRIPTIONS[name][f.name]}
        if pa.types.is_timestamp(f.type) and f.type.tz:
            field["format"] = "default"
        if not f.nullable:
            field["constraints"] = {"required": True}
        fields.append(field)
    return {"fields": fields, "primaryKey": list(KEYS[name])}


def datapackage(folder: Path, manifest: dict) -> dict:
    crawl = manifest.get("crawl_id") or folder.name
    resources = []
    for name in TABLES:
        files = [p.relative_to(folder).as_posix() for p in parts(folder / name)]
        if not files:
            continue
        resources.append({
            "name": name,
            "path": files if len(files) > 1 else files[0],
            "profile": "tabular-data-resource",
            "format": "parquet",
            "mediatype": PARQUET_MEDIATYPE,
            "description": TABLE_MEANING[name],
            "schema": table_schema(name),
        })
    seeds = manifest.get("seeds") or ([{"url": manifest["start_url"]}] if manifest.get("start_url") else [])
    return {
        "profile": "tabular-data-package",
        "name": _package_name(crawl),
        "title": f"Blog archive {crawl}",
        "description": f"Articles, comments and fetched pages of the crawl {crawl} (see README.md)",
        "version": SCHEMA_VERSION,
        "created": manifest.get("finished_at") or manifest.get("started_at"),
        "sources": [{"title": s["url"], "path": s["url"]} for s in seeds if s.get("url")],
        "contributors": [{"title": f"blog-archiver {(manifest.get('versions') or {}).get('blog_archiver') or ''}".strip(),
                          "role": "author"}],
        "resources": resources,
    }


def _package_name(crawl: str) -> str:
    """A data package name: lower case letters, digits and ``-._`` only."""
    return re.sub(r"[^a-z0-9._-]+", "-", crawl.lower()).strip("-") or "crawl"


# -- the card ---------------------------------------------------------------------------------
def folder_counts(folder: Path) -> dict[str, Any]:
    """The rows in the folder's finished parts, as ``crawl.json`` counts them, and the articles
    stored cut."""
    counts = manifests.table_counts(folder)
    articles = manifests._read(folder / "articles", ["truncated"])
    counts["truncated_articles"] = (articles.num_rows - articles["truncated"].null_count) if articles is not None else 0
    counts["complete_threads"] = counts["articles"] - counts["incomplete_threads"]
    statuses = manifests._read(folder / "pages", ["status"])
    # An Arrow scalar, not a Python int: pyarrow imports pandas to look at a Python argument.
    counts["error_pages"] = (pc.sum(pc.greater_equal(statuses["status"], pa.scalar(400, statuses["status"].type)))
                             .as_py() or 0) if statuses is not None else 0
    return counts


def _md(value: Any) -> str:
    """A value for a Markdown table cell."""
    text = "—" if value is None or value == "" else str(value)
    return text.replace("|", "\\|").replace("\n", " ")


def _by(counts: dict) -> str:
    return ", ".join(f"{k} {n}" for k, n in counts.items()) or "none"


def card(folder: Path, manifest: dict, counts: dict | None = None) -> str:
    counts = counts if counts is not None else folder_counts(folder)
    crawl = manifest.get("crawl_id") or folder.name
    versions = manifest.get("versions") or {}
    settings = manifest.get("settings") or {}
    out = [f"# {crawl}", "",
           f"A blog archive made by blog-archiver {versions.get('blog_archiver') or '?'}: Parquet tables "
           f"(schema {manifest.get('schema_version') or SCHEMA_VERSION}) and the WARC captures they were read "
           "from. `crawl.json` is the full manifest, `datapackage.json` describes the tables for "
           "Frictionless tools.", "", "## What was crawled", ""]
    seeds = manifest.get("seeds") or [{"url": manifest.get("start_url"), "hosts": []}]
    for s in seeds:
        hosts = f" (also {', '.join(s['hosts'])})" if s.get("hosts") else ""
        failed = f" — start page failed: {s['start_failed']}" if s.get("start_failed") else ""
        out.append(f"- {s.get('url')}{hosts}{failed}")
    out += ["", "| | |", "|---|---|",
            f"| started | {_md(manifest.get('started_at'))} |",
            f"| finished | {_md(manifest.get('finished_at'))} |"]
    if manifest.get("rebuilt_at"):
        out.append(f"| rebuilt from WARC | {_md(manifest['rebuilt_at'])} |")
    out += [f"| outcome | {_md(manifest.get('outcome'))} ({_md(manifest.get('finish_reason'))}, exit code "
            f"{_md(manifest.get('exit_code'))}) |",
            f"| compared against | {_md(', '.join(manifest.get('previous_crawls') or []))} |"]
    if manifest.get("workers"):
        out.append(f"| workers | {len(manifest['workers'])} |")
    out += ["", "## Settings", "", "| setting | value |", "|---|---|"]
    out += [f"| `{k}` | {_md(v)} |" for k, v in settings.items()]
    out += ["", "## Software", "", "| package | version |", "|---|---|"]
    out += [f"| {k} | {_md(v)} |" for k, v in versions.items()]
    out += ["", "## Counts", "",
            "Rows are counted in the Parquet parts of this folder.", "",
            "| | |", "|---|---|",
            f"| articles | {counts['articles']} ({_by(counts['articles_by_kind'])}) |",
            f"| comments | {counts['comments']} ({_by(counts['comments_by_kind'])}) |",
            f"| pages (responses) | {counts['pages']} ({counts['unchanged_pages']} unchanged, "
            f"{counts['error_pages']} with status ≥ 400) |",
            f"| deepest reply level | {counts['max_depth']} |",
            f"| errors | {manifest.get('errors_total', 0)} (listed in `crawl.json`) |",
            f"| HTTP errors | {_md(_by(manifest.get('counts', {}).get('http_errors') or {}))} |",
            "", "## Completeness", "",
            "| | |", "|---|---|",
            f"| threads complete | {counts['complete_threads']} |",
            f"| threads incomplete | {counts['incomplete_threads']} (`comments_complete` false; why: `crawl.json` errors) |",
            f"| articles truncated | {counts['truncated_articles']} (`truncated` not null) |",
            f"| articles by comment system | {_md(_by(counts['articles_by_comment_system']))} |",
            f"| comments by parent source | {_md(_by(counts['comments_by_parent_source']))} |",
            "", "## Files", "",
            "| table | parts | rows | meaning |", "|---|---|---|---|"]
    for name in TABLES:
        out.append(f"| `{name}/` | {len(parts(folder / name))} | {counts[name]} | {TABLE_MEANING[name]} |")
    warcs = sorted((folder / "warc").glob("*.warc.gz")) if (folder / "warc").is_dir() else []
    out.append(f"| `warc/` | {len(warcs)} | | the captures, WARC 1.1 |")
    out += ["", "## Schema", ""]
    for name, schema in TABLES.items():
        key = ", ".join(f"`{k}`" for k in KEYS[name])
        out += [f"### `{name}`", "", f"{TABLE_MEANING[name].capitalize()}; key {key}.", "",
                "| column | type | meaning |", "|---|---|---|"]
        for f in schema:
            required = ", not null" if not f.nullable else ""
            out.append(f"| `{f.name}` | {_md(str(f.type))}{required} | {_md(DESCRIPTIONS[name][f.name])} |")
        out.append("")
    return "\n".join(out)
