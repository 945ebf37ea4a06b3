"""WARC size and ``scrapy reextract`` speed on this machine.

Crawls a replayed blog once (WARC capture on), reports the WARC bytes per captured page, then
builds a larger capture from it: ``--copies`` copies of the blog, each under its own path
prefix (every absolute link rewritten) and reached from one index page, in ``--files`` WARC
files (rotated as a crawl rotates them), and rebuilds it ``--rounds`` times on each path, taking
turns: Scrapy's engine (``REEXTRACT_ENGINE=scrapy``), the loop without it (the default,
``scraper/warc_loop.py``), and the loop with ``--processes`` processes (``-a processes=N``: one
task per file). Prints, as medians, each path's pages per minute, seconds per 1,000 pages without
the fixed cost of starting, CPU time (which other load on the machine does not change), and the
ratios; every run must rebuild the same counts.

    python benchmarks/warc_reextract.py [--site DIR] [--copies N] [--files N] [--processes N] [--rounds N]
"""
from __future__ import annotations

import argparse
import json
import os
import re
import resource
import statistics
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


def timed_rebuild(source: Path, out: Path, engine: str, processes: int = 1) -> tuple[float, float, dict]:
    """One ``scrapy reextract`` of ``source`` on ``engine`` (``scrapy`` or ``loop``): wall seconds,
    CPU seconds (its processes' and their children's) and crawl.json's counts."""
    extra = ["-a", f"processes={processes}"] if processes > 1 else []
    cpu = children_cpu()
    elapsed, _ = scrapy("reextract", str(source), "-a", f"out={out}", "-s", f"REEXTRACT_ENGINE={engine}",
                        "-s", "LOG_LEVEL=INFO", *extra)
    return elapsed, children_cpu() - cpu, rebuilt(out)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--site", type=Path, default=SHARED_SITE if SHARED_SITE.exists() else SAMPLE_BLOG,
                        help="replayable site folder (default: the shared WordPress site, else the sample blog)")
    parser.add_argument("--copies", type=int, default=60, help="copies of the blog in the large capture")
    parser.add_argument("--files", type=int, default=4, help="WARC files the large capture is split into")
    parser.add_argument("--processes", type=int, default=2, help="processes of the parallel run")
    parser.add_argument("--rounds", type=int, default=3, help="runs of each path; medians are printed")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        start, paths = crawl(args.site, tmp / "crawl")
        captured = responses(paths)
        size = sum(p.stat().st_size for p in paths)
        print(f"site: {args.site}")
        print(f"crawl WARC: {len(captured)} responses (plus their requests), {size:,} bytes gzip: "
              f"{size / len(captured):,.0f} bytes per page")
        big = tmp / "big"
        big.mkdir()
        pages = synthetic_warc(start, captured, args.copies, big, args.files)
        print(f"synthetic capture: {pages:,} pages in {args.files} files, "
              f"{sum(p.stat().st_size for p in big.iterdir()):,} bytes (responses only)")
        # Each path's fixed cost (start-up, indexing), from the small capture.
        small = {engine: timed_rebuild(paths[0].parent, tmp / f"small-{engine}", engine)[0]
                 for engine in ("scrapy", "loop")}
        # The paths take turns, round after round: a load that comes and goes on the machine
        # falls on each of them alike.
        runs: dict[str, list[tuple[float, float, dict]]] = {"scrapy": [], "loop": [], "loop-parallel": []}
        for n in range(args.rounds):
            runs["scrapy"].append(timed_rebuild(big, tmp / f"scrapy-{n}", "scrapy"))
            runs["loop"].append(timed_rebuild(big, tmp / f"loop-{n}", "loop"))
            runs["loop-parallel"].append(timed_rebuild(big, tmp / f"parallel-{n}", "loop", args.processes))
        counts = {name: [[c[k] for k in ("articles", "comments", "pages")] for _, _, c in rs] for name, rs in runs.items()}
        reference = counts["scrapy"][0]
        if any(c != reference for cs in counts.values() for c in cs):
            sys.exit(f"the runs' counts (articles, comments, pages) differ: {counts}")
        print(f"rebuilt: {reference[0]} articles, {reference[1]} comments, {reference[2]:,} pages, alike on every path")
        wall = {name: statistics.median(t for t, _, _ in rs) for name, rs in runs.items()}
        cpu = {name: statistics.median(c for _, c, _ in rs) for name, rs in runs.items()}
        rate = {name: reference[2] / t * 60 for name, t in wall.items()}
        no_startup = {name: (wall[name] - small[name]) / max(1, pages - len(captured)) * 1000
                      for name in ("scrapy", "loop")}
        print(f"medians of {args.rounds} runs, start-up included; load average {os.getloadavg()[0]:.1f} "
              f"on {os.cpu_count()} CPUs")
        print(f"  engine (REEXTRACT_ENGINE=scrapy): {rate['scrapy']:,.0f} pages/min, {wall['scrapy']:.1f} s, "
              f"CPU {cpu['scrapy']:.1f} s; {no_startup['scrapy']:.1f} s per 1,000 pages without start-up")
        print(f"  loop (default):                   {rate['loop']:,.0f} pages/min, {wall['loop']:.1f} s, "
              f"CPU {cpu['loop']:.1f} s; {no_startup['loop']:.1f} s per 1,000 pages without start-up")
        print(f"  loop, {args.processes} processes:               {rate['loop-parallel']:,.0f} pages/min, "
              f"{wall['loop-parallel']:.1f} s, CPU {cpu['loop-parallel']:.1f} s in all")
        print(f"loop / engine: {rate['loop'] / rate['scrapy']:.2f}x pages per minute, "
              f"{cpu['scrapy'] / cpu['loop']:.2f}x less CPU; {args.processes} processes / 1: "
              f"{rate['loop-parallel'] / rate['loop']:.2f}x")
        print(json.dumps({"warc_bytes_per_page": round(size / len(captured)),
                          "pages": reference[2],
                          "engine_pages_per_minute": round(rate["scrapy"]),
                          "loop_pages_per_minute": round(rate["loop"]),
                          f"loop_pages_per_minute_{args.processes}_processes": round(rate["loop-parallel"]),
                          "loop_vs_engine": round(rate["loop"] / rate["scrapy"], 2),
                          "loop_vs_engine_cpu": round(cpu["scrapy"] / cpu["loop"], 2),
                          "parallel_speedup": round(rate["loop-parallel"] / rate["loop"], 2),
                          "engine_cpu_s": round(cpu["scrapy"], 1), "loop_cpu_s": round(cpu["loop"], 1),
                          f"loop_cpu_s_{args.processes}_processes": round(cpu["loop-parallel"], 1),
                          "all_runs": {name: [[round(t, 1), round(c, 1)] for t, c, _ in rs]
                                       for name, rs in runs.items()}}))


if __name__ == "__main__":
    main()
