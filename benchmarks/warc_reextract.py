"""WARC size and ``scrapy reextract`` speed on this machine.

Crawls a replayed blog once (WARC capture on), reports the WARC bytes per captured page, then
builds a larger capture from it: ``--copies`` copies of the blog, each under its own path
prefix (every absolute link rewritten) and reached from one index page, in ``--files`` WARC
files (rotated as a crawl rotates them), and times ``scrapy reextract`` over it. Prints the time
per 1,000 pages, with and without the fixed cost of starting Scrapy, then the pages per minute
with 1 and with ``--processes`` processes (``-a processes=N``: one task per file), their ratio,
and each run's CPU time (which other load on the machine does not change).

    python benchmarks/warc_reextract.py [--site DIR] [--copies N] [--files N] [--processes N]
"""
from __future__ import annotations

import argparse
import json
import os
import re
import resource
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
# A copy's feeds and sitemaps: a crawl reads those of its start page's blog only, so a capture of
# the copies holds none (a rebuild would list them in pages without any crawl having asked).
_NOT_REACHED = re.compile(r"/feed/$|sitemap[^/]*\.xml$")
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
                   folder: Path, files: int) -> int:
    """``copies`` copies of the captured blog under ``<start>copy-N/``, in ``files`` WARC files
    of about the same size in ``folder``; returns the pages written."""
    base = start.rstrip("/")
    links = "".join(f'<a href="{base}/copy-{n}/">copy {n}</a>\n' for n in range(copies))
    index = f"<!doctype html><html><head><title>copies</title></head><body>{links}</body></html>".encode()
    records: list[tuple[str, StatusAndHeaders, bytes]] = [
        (start, StatusAndHeaders("200 OK", [("Content-Type", "text/html; charset=utf-8")], protocol="HTTP/1.1"), index)]
    records += [(url, status, body) for url, status, body in captured if url.endswith("/robots.txt")]  # shared
    for n in range(copies):
        prefix = f"{base}/copy-{n}"
        path = f"/copy-{n}".encode()
        rewrite = [(base.encode(), prefix.encode()),
                   (base.replace("/", "\\/").encode(), prefix.replace("/", "\\/").encode())]
        for url, status, body in captured:
            if url.endswith("/robots.txt") or _NOT_REACHED.search(url):
                continue
            for old, new in rewrite:
                body = body.replace(old, new)
            body = re.sub(rb"""(href=["'])/(?!/)""", rb"\1" + path + b"/", body)  # root-relative links
            records.append((prefix + url[len(base):], status, body))
    per_file = -(-len(records) // files)
    for k in range(files):
        target = folder / f"bench-{k:05d}.warc.gz"
        with open(target, "wb") as f:
            writer = WARCWriter(f, gzip=True, warc_version="1.1")
            writer.write_record(writer.create_warcinfo_record(target.name, {
                "software": "benchmarks/warc_reextract.py", "isPartOf": "bench", "start-url": start}))
            for url, status, body in records[k * per_file:(k + 1) * per_file]:
                headers = StatusAndHeaders(status.statusline, [(h, v) for h, v in status.headers
                                                               if h.lower() not in _DROP], protocol=status.protocol)
                writer.write_record(writer.create_warc_record(url, "response", payload=BytesIO(body),
                                                              http_headers=headers))
    return len(records) - 1  # the index page is not the blog's


def children_cpu() -> float:
    """CPU seconds of the processes this one has run to their end, theirs included: a run's CPU
    time, whatever else the machine is doing."""
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def rebuilt(out: Path) -> dict:
    return json.loads((out / "bench" / "crawl.json").read_text())["counts"]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--site", type=Path, default=SHARED_SITE if SHARED_SITE.exists() else SAMPLE_BLOG,
                        help="replayable site folder (default: the shared WordPress site, else the sample blog)")
    parser.add_argument("--copies", type=int, default=60, help="copies of the blog in the large capture")
    parser.add_argument("--files", type=int, default=4, help="WARC files the large capture is split into")
    parser.add_argument("--processes", type=int, default=2, help="processes of the parallel run")
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
        big = tmp / "big"
        big.mkdir()
        pages = synthetic_warc(start, captured, args.copies, big, args.files)
        print(f"synthetic capture: {pages:,} pages in {args.files} files, "
              f"{sum(p.stat().st_size for p in big.iterdir()):,} bytes (responses only)")
        cpu = children_cpu()
        big_time, log = scrapy("reextract", str(big), "-a", f"out={tmp / 'big'}", "-s", "LOG_LEVEL=INFO")
        one_cpu, cpu = children_cpu() - cpu, children_cpu()
        one = rebuilt(tmp / "big")
        replayed = int(m[1]) if (m := re.search(r"'warc/replayed': (\d+)", log)) else pages
        print(f"reextract: {one['articles']} articles, {one['comments']} comments from {replayed:,} replayed responses")
        per_page = (big_time - small_time) / max(1, replayed - len(captured))
        print(f"reextract time: {big_time:.1f} s in all, {big_time / replayed * 1000:.1f} s per 1,000 pages; "
              f"without start-up (large minus small run): {per_page * 1000:.1f} s per 1,000 pages")
        many_time, _ = scrapy("reextract", str(big), "-a", f"out={tmp / 'many'}", "-a", f"processes={args.processes}",
                              "-s", "LOG_LEVEL=INFO")
        many_cpu = children_cpu() - cpu
        many = rebuilt(tmp / "many")
        if [many[k] for k in ("articles", "comments", "pages")] != [one[k] for k in ("articles", "comments", "pages")]:
            sys.exit(f"the parallel run's counts {many} differ from one process's {one}")
        one_rate, many_rate = one["pages"] / big_time * 60, many["pages"] / many_time * 60
        print(f"reextract pages per minute (start-up included): 1 process {one_rate:,.0f}, "
              f"{args.processes} processes {many_rate:,.0f}: {many_rate / one_rate:.2f}x")
        print(f"CPU time: 1 process {one_cpu:.1f} s, {args.processes} processes {many_cpu:.1f} s in all "
              f"(pages per CPU-minute {one['pages'] / one_cpu * 60:,.0f} and {many['pages'] / many_cpu * 60:,.0f}); "
              f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs")
        print(json.dumps({"warc_bytes_per_page": round(size / len(captured)),
                          "reextract_s_per_1000_pages": round(big_time / replayed * 1000, 2),
                          "reextract_s_per_1000_pages_no_startup": round(per_page * 1000, 2),
                          "reextract_pages_per_minute_1_process": round(one_rate),
                          f"reextract_pages_per_minute_{args.processes}_processes": round(many_rate),
                          "parallel_speedup": round(many_rate / one_rate, 2),
                          "reextract_cpu_s_1_process": round(one_cpu, 1),
                          f"reextract_cpu_s_{args.processes}_processes": round(many_cpu, 1)}))


if __name__ == "__main__":
    main()
