"""WARC size and ``scrapy reextract`` speed on this machine.

Crawls a replayed blog once (WARC capture on), reports the WARC bytes per captured page, then
builds a larger WARC from that capture: ``--copies`` copies of the blog, each under its own
path prefix (every absolute link rewritten) and reached from one index page, and times
``scrapy reextract`` over it. Prints the time per 1,000 pages, with and without the fixed cost
of starting Scrapy.

    python benchmarks/warc_reextract.py [--site DIR] [--copies N]
"""
from __future__ import annotations

import argparse
import json
import re
import subprocess
import sys
import tempfile
import time
from io import BytesIO
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from warcio.statusandheaders import StatusAndHeaders  # noqa: E402
from warcio.warcwriter import WARCWriter  # noqa: E402

from scraper.middlewares import ENCODING_HEADERS  # noqa: E402
from scraper.replay import SAMPLE_BLOG, ReplaySite, subprocess_env  # noqa: E402
from scraper.warc import iter_records, read_record_at, warc_paths  # noqa: E402

SHARED_SITE = ROOT.parent / "shared" / "corpus" / "wordpress" / "site" / "twentytwentyone"
# The body is stored decoded: headers describing the wire encoding would be wrong.
_DROP = {name.decode().lower() for name in ENCODING_HEADERS}


def scrapy(*args: str, proxy: str | None = None) -> tuple[float, str]:
    environment = subprocess_env(proxy)
    start = time.perf_counter()
    proc = subprocess.run([sys.executable, "-m", "scrapy.cmdline", *args], cwd=ROOT, env=environment,
                          capture_output=True, text=True)
    elapsed = time.perf_counter() - start
    if proc.returncode:
        sys.exit(f"scrapy {args[0]} failed:\n{proc.stderr[-3000:]}")
    return elapsed, proc.stderr


def crawl(site_dir: Path, out: Path) -> tuple[str, list[Path]]:
    with ReplaySite(site_dir) as site:
        start = site.base + "/"
        scrapy("crawl", "blog", "-a", f"url={start}", "-a", f"out={out}", "-a", "crawl=bench",
               "-s", "AUTOTHROTTLE_ENABLED=False", "-s", "DOWNLOAD_DELAY=0", "-s", "LOG_LEVEL=INFO",
               proxy=site.proxy_url)
    return start, warc_paths([out / "bench" / "warc"])


def responses(paths: list[Path]) -> list[tuple[str, StatusAndHeaders, bytes]]:
    found = []
    for path in paths:
        for offset, record, _ in iter_records(path):
            if record.rec_type == "response":
                full, body = read_record_at(path, offset)
                found.append((full.rec_headers.get_header("WARC-Target-URI"), full.http_headers, body))
    return found


def synthetic_warc(start: str, captured: list[tuple[str, StatusAndHeaders, bytes]], copies: int,
                   target: Path) -> int:
    """``copies`` copies of the captured blog under ``<start>copy-N/``; returns the pages written."""
    base = start.rstrip("/")
    links = "".join(f'<a href="{base}/copy-{n}/">copy {n}</a>\n' for n in range(copies))
    index = f"<!doctype html><html><head><title>copies</title></head><body>{links}</body></html>".encode()
    pages = 0
    with open(target, "wb") as f:
        writer = WARCWriter(f, gzip=True, warc_version="1.1")
        writer.write_record(writer.create_warcinfo_record(target.name, {
            "software": "benchmarks/warc_reextract.py", "isPartOf": "bench", "start-url": start}))

        def write(url: str, status: StatusAndHeaders, body: bytes) -> None:
            headers = StatusAndHeaders(status.statusline, [(k, v) for k, v in status.headers
                                                           if k.lower() not in _DROP], protocol=status.protocol)
            writer.write_record(writer.create_warc_record(url, "response", payload=BytesIO(body),
                                                          http_headers=headers))

        write(start, StatusAndHeaders("200 OK", [("Content-Type", "text/html; charset=utf-8")],
                                      protocol="HTTP/1.1"), index)
        for url, status, body in captured:
            if url.endswith("/robots.txt"):  # the one file every copy shares
                write(url, status, body)
                pages += 1
        for n in range(copies):
            prefix = f"{base}/copy-{n}"
            path = f"/copy-{n}".encode()
            rewrite = [(base.encode(), prefix.encode()),
                       (base.replace("/", "\\/").encode(), prefix.replace("/", "\\/").encode())]
            for url, status, body in captured:
                if url.endswith("/robots.txt"):
                    continue
                for old, new in rewrite:
                    body = body.replace(old, new)
                body = re.sub(rb"""(href=["'])/(?!/)""", rb"\1" + path + b"/", body)  # root-relative links
                write(prefix + url[len(base):], status, body)
                pages += 1
    return pages


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--site", type=Path, default=SHARED_SITE if SHARED_SITE.exists() else SAMPLE_BLOG,
                        help="replayable site folder (default: the shared WordPress site, else the sample blog)")
    parser.add_argument("--copies", type=int, default=30, help="copies of the blog in the large WARC")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        start, paths = crawl(args.site, tmp / "crawl")
        captured = responses(paths)
        size = sum(p.stat().st_size for p in paths)
        print(f"site: {args.site}")
        print(f"crawl WARC: {len(captured)} responses (plus their requests), {size:,} bytes gzip: "
              f"{size / len(captured):,.0f} bytes per page")
        small_time, _ = scrapy("reextract", *map(str, paths), "-a", f"out={tmp / 'small'}", "-s", "LOG_LEVEL=INFO")
        big = tmp / "big.warc.gz"
        pages = synthetic_warc(start, captured, args.copies, big)
        print(f"synthetic WARC: {pages:,} pages, {big.stat().st_size:,} bytes (responses only)")
        big_time, log = scrapy("reextract", str(big), "-a", f"out={tmp / 'big'}", "-s", "LOG_LEVEL=INFO")
        found = re.search(r"Dataset bench: (\d+) articles, (\d+) comments", log)
        replayed = int(m[1]) if (m := re.search(r"'warc/replayed': (\d+)", log)) else pages
        print(f"reextract: {found[1] if found else '?'} articles, {found[2] if found else '?'} comments "
              f"from {replayed:,} replayed responses")
        per_page = (big_time - small_time) / max(1, replayed - len(captured))
        print(f"reextract time: {big_time:.1f} s in all, {big_time / replayed * 1000:.1f} s per 1,000 pages; "
              f"without start-up (large minus small run): {per_page * 1000:.1f} s per 1,000 pages")
        print(json.dumps({"warc_bytes_per_page": round(size / len(captured)),
                          "reextract_s_per_1000_pages": round(big_time / replayed * 1000, 2),
                          "reextract_s_per_1000_pages_no_startup": round(per_page * 1000, 2)}))


if __name__ == "__main__":
    main()
