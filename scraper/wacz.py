"""Pack a crawl folder into one WACZ file (WACZ 1.2.0): its captures, an index to replay them,
its article pages as entry points, and its dataset beside them.

    archive/<crawl>-00000.warc.gz      the crawl's finished WARC files, as written (ZIP STORED)
    indexes/index.cdx                  a sorted CDXJ index of every record (cdxj-indexer)
    pages/pages.jsonl                  one line per article: url, ts (its capture), title, text
    data/crawl.json                    the crawl's manifest, and data/README.md if the folder has one
    data/<table>-part-00000.parquet    every part of articles, comments and pages (STORED)
    datapackage.json                   every file above with its sha256 and size
    datapackage-digest.json            the sha256 of datapackage.json

The index is a plain ``index.cdx``: pywb's ``wb-manager add --unpack-wacz`` takes only
``indexes/*.cdx`` and ``*.cdx.gz`` (a ``.cdxj`` is skipped), and ReplayWeb.page (wabac.js) loads
``*.cdx``, ``*.cdxj`` and ``*.idx`` (a lone ``.cdx.gz`` is skipped). The Parquet parts sit flat in ``data/`` (table name, then
part name) because py-wacz's validator matches a file by its last two path components. The
file is written under a hidden temporary name and renamed when complete.
"""
from __future__ import annotations

import hashlib
import json
import os
import re
import tempfile
import zipfile
from datetime import datetime, timezone
from pathlib import Path
from typing import Iterable

from pipelines.parquet import durable_replace

from . import __version__

WACZ_VERSION = "1.2.0"
TABLES = ("articles", "comments", "pages")
PAGES_HEADER = {"format": "json-pages-1.0", "id": "pages", "title": "All Pages"}
INDEX = "indexes/index.cdx"
_CHUNK = 1 << 20
_NAME = re.compile(r"[^-a-z0-9._]+")


class PackError(Exception):
    """A folder that cannot be packed; the message says why, in one line."""


def warc_files(folder: Path) -> list[Path]:
    """The crawl folder's finished WARC files; an unfinished (``.open``) one is refused."""
    warc_dir = folder / "warc"
    unfinished = sorted(warc_dir.glob("*.open")) if warc_dir.is_dir() else []
    if unfinished:
        raise PackError(f"{unfinished[0]} is unfinished: the crawl is running or was killed "
                        "(run it again to finish its WARC files)")
    paths = sorted(p for p in warc_dir.glob("*.warc*") if p.name.endswith((".warc", ".warc.gz"))) \
        if warc_dir.is_dir() else []
    if not paths:
        raise PackError(f"{folder} holds no WARC files (warc/*.warc.gz): nothing to pack")
    return paths


def default_output(folder: Path) -> Path:
    return folder / f"{_crawl_id(folder)}.wacz"


def pack(folder: str | Path, output: str | Path | None = None) -> dict:
    """Write ``folder``'s WACZ to ``output`` (default ``<folder>/<crawl id>.wacz``); returns the
    datapackage written, with ``path`` added."""
    folder = Path(folder)
    if not folder.is_dir():
        raise PackError(f"{folder} is not a crawl folder (no such directory)")
    warcs = warc_files(folder)
    manifest = _read_json(folder / "crawl.json")
    output = Path(output) if output is not None else default_output(folder)
    output.parent.mkdir(parents=True, exist_ok=True)
    temp = output.with_name(f".{output.name}.{os.getpid()}.tmp")
    try:
        with tempfile.TemporaryDirectory(prefix=".wacz-", dir=output.parent) as work:
            index = Path(work) / "index.cdx"
            write_index(warcs, index)
            pages = Path(work) / "pages.jsonl"
            page_count = write_pages(folder, pages)
            package = _zip(temp, folder, warcs, index, pages, manifest)
        durable_replace(temp, output)
    except BaseException:
        temp.unlink(missing_ok=True)
        raise
    package["path"] = str(output)
    package["pages_count"] = page_count
    return package


def write_index(warcs: Iterable[Path], out: Path) -> None:
    """A sorted CDXJ index of ``warcs`` (``filename`` is the file's name, as in ``archive/``);
    POST requests are keyed by their body, as pywb and ReplayWeb.page look them up."""
    from cdxj_indexer.main import CDXJIndexer
    with out.open("w", encoding="utf-8") as f:
        CDXJIndexer(f, [str(p) for p in warcs], sort=True, post_append=True).process_all()


def write_pages(folder: Path, out: Path) -> int:
    """``pages.jsonl``: the header line, then one line per article row of the crawl (its URL,
    the time of its capture, its title and its body text), in capture order."""
    rows = _articles(folder)
    rows.sort(key=lambda r: (r["fetched_at"] or datetime.min.replace(tzinfo=timezone.utc), r["url"]))
    with out.open("w", encoding="utf-8") as f:
        f.write(json.dumps(PAGES_HEADER) + "\n")
        for row in rows:
            page = {"id": row["article_id"], "url": row["url"], "ts": _rfc3339(row["fetched_at"]),
                    "title": row["title"] or "", "text": row["body_text"] or ""}
            f.write(json.dumps(page, ensure_ascii=False) + "\n")
    return len(rows)


def _articles(folder: Path) -> list[dict]:
    parts = sorted((folder / "articles").glob("part-*.parquet"))
    if not parts:
        return []
    import pyarrow.dataset as ds
    columns = ["article_id", "url", "fetched_at", "title", "body_text"]
    return ds.dataset([str(p) for p in parts], format="parquet").to_table(columns=columns).to_pylist()


def _zip(path: Path, folder: Path, warcs: list[Path], index: Path, pages: Path,
         manifest: dict | None) -> dict:
    resources: list[dict] = []
    names: set[str] = set()

    def add(source: Path, arcname: str, compress: int, extra: dict | None = None) -> None:
        info = zipfile.ZipInfo.from_file(source, arcname)
        info.compress_type = compress
        digest, size = hashlib.sha256(), 0
        with source.open("rb") as src, zf.open(info, "w", force_zip64=info.file_size >= 1 << 31) as dst:
            while chunk := src.read(_CHUNK):
                digest.update(chunk)
                size += len(chunk)
                dst.write(chunk)
        resources.append({"name": _unique(arcname, names), "path": arcname,
                          "hash": f"sha256:{digest.hexdigest()}", "bytes": size, **(extra or {})})

    # Parquet and WARC files are compressed already: stored as they are, so that a reader can
    # fetch one record or one row group by its offset (WACZ: "MUST NOT be compressed again").
    # "type": "file" tells frictionless not to read a file as a table (or crawl.json as one of
    # its own descriptors).
    parquet = {"type": "file", "format": "parquet", "mediatype": "application/vnd.apache.parquet"}
    with zipfile.ZipFile(path, "w", allowZip64=True) as zf:
        for warc in warcs:
            add(warc, f"archive/{warc.name}", zipfile.ZIP_STORED)
        add(index, INDEX, zipfile.ZIP_DEFLATED)
        add(pages, "pages/pages.jsonl", zipfile.ZIP_DEFLATED)
        for name in ("crawl.json", "README.md"):
            if (folder / name).is_file():
                add(folder / name, f"data/{name}", zipfile.ZIP_DEFLATED, {"type": "file"})
        for table in TABLES:
            for part in sorted((folder / table).glob("part-*.parquet")):
                add(part, f"data/{table}-{part.name}", zipfile.ZIP_STORED, parquet)
        package = datapackage(resources, manifest, _crawl_id(folder), _home(index, manifest))
        body = (json.dumps(package, indent=2, ensure_ascii=False) + "\n").encode("utf-8")
        _write_bytes(zf, "datapackage.json", body)
        digest = {"path": "datapackage.json", "hash": f"sha256:{hashlib.sha256(body).hexdigest()}"}
        _write_bytes(zf, "datapackage-digest.json", (json.dumps(digest, indent=2) + "\n").encode("utf-8"))
    return package


def datapackage(resources: list[dict], manifest: dict | None, crawl_id: str,
                home: tuple[str, str] | None) -> dict:
    manifest = manifest or {}
    now = datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
    seeds = [s.get("url") for s in manifest.get("seeds") or [] if s.get("url")]
    lines = [f"Archival crawl `{crawl_id}` made by blog-archiver"]
    if seeds:
        lines.append("of " + ", ".join(seeds))
    if manifest.get("started_at"):
        lines.append(f"from {manifest['started_at']} to {manifest.get('finished_at')}")
    if manifest.get("outcome"):
        lines.append(f"(outcome: {manifest['outcome']})")
    package = {
        # Frictionless Data Package, which WACZ builds on; wacz_version says which WACZ.
        "profile": "data-package",
        "wacz_version": WACZ_VERSION,
        "title": crawl_id,
        "description": " ".join(lines) + ". The Parquet tables and crawl.json are under data/.",
        "created": now,
        "modified": now,
        "software": f"blog-archiver {__version__}",
        "resources": resources,
    }
    if home:
        url, ts = home
        package.update(mainPageURL=url, mainPageDate=ts, home={"url": url, "ts": ts})
    return package


def _home(index: Path, manifest: dict | None) -> tuple[str, str] | None:
    """The start URL and the time of its first successful capture, from the index."""
    start = (manifest or {}).get("start_url")
    if not start:
        return None
    with index.open(encoding="utf-8") as f:
        for line in f:
            _, ts, fields = line.split(" ", 2)
            entry = json.loads(fields)
            if entry.get("url") == start and entry.get("status") == "200":
                stamp = datetime.strptime(ts[:14], "%Y%m%d%H%M%S").replace(tzinfo=timezone.utc)
                return start, _rfc3339(stamp)
    return None


def _write_bytes(zf: zipfile.ZipFile, arcname: str, data: bytes) -> None:
    info = zipfile.ZipInfo(arcname, datetime.now(timezone.utc).timetuple()[:6])
    info.compress_type = zipfile.ZIP_DEFLATED
    zf.writestr(info, data)


def _unique(path: str, taken: set[str]) -> str:
    """A frictionless resource name (lower-case letters, digits, ``-._``), unique in the package."""
    base = _NAME.sub("-", path.lower().replace("/", "-")).strip("-") or "file"
    name, n = base, 1
    while name in taken:
        n += 1
        name = f"{base}-{n}"
    taken.add(name)
    return name


def _rfc3339(value: datetime | None) -> str | None:
    if value is None:
        return None
    value = value.astimezone(timezone.utc)
    text = value.strftime("%Y-%m-%dT%H:%M:%S")
    if value.microsecond:
        text += f".{value.microsecond:06d}"
    return text + "Z"


def _crawl_id(folder: Path) -> str:
    manifest = _read_json(folder / "crawl.json")
    return (manifest or {}).get("crawl_id") or folder.resolve().name


def _read_json(path: Path) -> dict | None:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return None
    except (OSError, ValueError) as exc:
        raise PackError(f"{path} cannot be read: {exc}") from None
