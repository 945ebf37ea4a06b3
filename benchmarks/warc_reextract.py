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

``--code DIR`` adds another tree of the project (``git worktree add /tmp/base <commit>``) to the
turns: its ``scrapy reextract`` on the same files, with its default path (the engine, before the
loop existed), run by ``DIR/.venv/bin/python`` where that tree has its own virtualenv (its compiled
walks built there), else by this one with ``DIR`` first on ``PYTHONPATH``. The ratios of the loop
to that baseline are then printed too. ``--paths`` chooses the paths measured (``engine``,
``loop``, ``parallel``; ``base`` with ``--code``). Start-up is the median time of rebuilding the
crawl's own small capture, taken in every round.

    python benchmarks/warc_reextract.py [--site DIR] [--copies N] [--files N] [--processes N] [--rounds N]
        [--code DIR] [--paths engine,loop,parallel,base]
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


def code_python(code: Path) -> tuple[str, dict[str, str]]:
    """The interpreter and environment that run the project tree ``code``: its own virtualenv's
    where it has one, else this one with ``code`` ahead of the editable install on the path."""
    environment = subprocess_env()
    own = code / ".venv" / "bin" / "python"
    if code.resolve() != ROOT:  # that tree's packages, never this one's
        environment["PYTHONPATH"] = os.pathsep.join(p for p in (str(code), os.environ.get("PYTHONPATH")) if p)
    return (str(own) if own.exists() else sys.executable), environment


def scrapy(*args: str, proxy: str | None = None, code: Path = ROOT) -> tuple[float, str]:
    python, environment = code_python(code)
    if proxy:
        environment["http_proxy"] = proxy
    start = time.perf_counter()
    proc = subprocess.run([python, "-m", "scrapy.cmdline", *args], cwd=code, env=environment,
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


# Each path measured: (engine setting or None for the tree's default, processes, from --code).
PATHS = {"engine": ("scrapy", 1, False), "loop": ("loop", 1, False), "parallel": ("loop", 0, False),
         "base": (None, 1, True)}


def timed_rebuild(source: Path, out: Path, engine: str | None, processes: int = 1,
                  code: Path = ROOT) -> tuple[float, float, dict]:
    """One ``scrapy reextract`` of ``source`` by the tree ``code`` on ``engine`` (``scrapy``,
    ``loop``, None: the tree's default): wall seconds, CPU seconds (its processes' and their
    children's) and crawl.json's counts."""
    extra = ["-a", f"processes={processes}"] if processes > 1 else []
    if engine is not None:
        extra += ["-s", f"REEXTRACT_ENGINE={engine}"]
    out = out.resolve()
    cpu = children_cpu()
    elapsed, _ = scrapy("reextract", str(source.resolve()), "-a", f"out={out}", "-s", "LOG_LEVEL=INFO", *extra,
                        code=code)
    return elapsed, children_cpu() - cpu, rebuilt(out)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--site", type=Path, default=SHARED_SITE if SHARED_SITE.exists() else SAMPLE_BLOG,
                        help="replayable site folder (default: the shared WordPress site, else the sample blog)")
    parser.add_argument("--copies", type=int, default=60, help="copies of the blog in the large capture")
    parser.add_argument("--files", type=int, default=4, help="WARC files the large capture is split into")
    parser.add_argument("--processes", type=int, default=2, help="processes of the parallel run")
    parser.add_argument("--rounds", type=int, default=3, help="runs of each path; medians are printed")
    parser.add_argument("--code", type=Path, default=None,
                        help="another tree of the project (a worktree of an earlier commit): its rebuild "
                             "takes turns with the others as the baseline")
    parser.add_argument("--paths", default=None,
                        help="paths measured, of engine,loop,parallel,base (default: all; base needs --code)")
    args = parser.parse_args()
    chosen = [p for p in (args.paths or "engine,loop,parallel,base").split(",") if p]
    if unknown := [p for p in chosen if p not in PATHS]:
        parser.error(f"unknown path(s) {', '.join(unknown)}: choose from {', '.join(PATHS)}")
    if args.code is None:
        if args.paths and "base" in chosen:
            parser.error("the base path needs --code DIR")
        chosen = [p for p in chosen if p != "base"]
    elif not (args.code / "scraper").is_dir():
        parser.error(f"{args.code} is no tree of this project (no scraper/ in it)")
    code = {name: (args.code.resolve() if PATHS[name][2] else ROOT) for name in chosen}
    processes = {name: PATHS[name][1] or args.processes for name in chosen}
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        start, paths = crawl(args.site, tmp / "crawl")
        captured = responses(paths)
        size = sum(p.stat().st_size for p in paths)
        print(f"site: {args.site}")
        if args.code is not None:
            print(f"baseline code: {args.code.resolve()} ({describe_tree(args.code)})")
        print(f"crawl WARC: {len(captured)} responses (plus their requests), {size:,} bytes gzip: "
              f"{size / len(captured):,.0f} bytes per page")
        big = tmp / "big"
        big.mkdir()
        pages = synthetic_warc(start, captured, args.copies, big, args.files)
        print(f"synthetic capture: {pages:,} pages in {args.files} files, "
              f"{sum(p.stat().st_size for p in big.iterdir()):,} bytes (responses only)")
        # The paths take turns, round after round: a load that comes and goes on the machine
        # falls on each of them alike. Each round also rebuilds the small capture: the fixed
        # cost of a rebuild (start-up, indexing).
        runs: dict[str, list[tuple[float, float, dict]]] = {name: [] for name in chosen}
        small: dict[str, list[tuple[float, float, dict]]] = {name: [] for name in chosen if name != "parallel"}
        for n in range(args.rounds):
            for name in chosen:
                engine = PATHS[name][0]
                if name in small:
                    small[name].append(timed_rebuild(paths[0].parent, tmp / f"small-{name}-{n}", engine,
                                                     code=code[name]))
                runs[name].append(timed_rebuild(big, tmp / f"{name}-{n}", engine, processes[name], code[name]))
        counts = {name: [[c[k] for k in ("articles", "comments", "pages")] for _, _, c in rs] for name, rs in runs.items()}
        reference = counts[chosen[0]][0]
        if any(c != reference for cs in counts.values() for c in cs):
            sys.exit(f"the runs' counts (articles, comments, pages) differ: {counts}")
        print(f"rebuilt: {reference[0]} articles, {reference[1]} comments, {reference[2]:,} pages, alike on every path")
        wall = {name: statistics.median(t for t, _, _ in rs) for name, rs in runs.items()}
        cpu = {name: statistics.median(c for _, c, _ in rs) for name, rs in runs.items()}
        startup = {name: statistics.median(t for t, _, _ in rs) for name, rs in small.items()}
        startup_cpu = {name: statistics.median(c for _, c, _ in rs) for name, rs in small.items()}
        rate = {name: reference[2] / t * 60 for name, t in wall.items()}
        extra_pages = max(1, pages - len(captured))
        no_startup = {name: (wall[name] - startup[name]) / extra_pages * 1000 for name in small}
        no_startup_cpu = {name: (cpu[name] - startup_cpu[name]) / extra_pages * 1000 for name in small}
        print(f"medians of {args.rounds} runs, start-up included; load average {os.getloadavg()[0]:.1f} "
              f"on {os.cpu_count()} CPUs")
        labels = {"engine": "engine (REEXTRACT_ENGINE=scrapy)", "loop": "loop (default)",
                  "parallel": f"loop, {args.processes} processes", "base": "baseline (--code)"}
        for name in chosen:
            line = f"  {labels[name]:34s} {rate[name]:8,.0f} pages/min, {wall[name]:5.1f} s, CPU {cpu[name]:5.1f} s"
            if name in small:
                line += (f"; without start-up {no_startup[name]:.2f} s (CPU {no_startup_cpu[name]:.2f} s) "
                         f"per 1,000 pages; start-up {startup[name]:.2f} s (CPU {startup_cpu[name]:.2f} s)")
            print(line)
        ratios = {}
        for other in ("engine", "base"):
            if "loop" in rate and other in rate:
                ratios[f"loop_vs_{other}"] = round(rate["loop"] / rate[other], 2)
                ratios[f"loop_vs_{other}_cpu"] = round(cpu[other] / cpu["loop"], 2)
                ratios[f"loop_vs_{other}_without_startup"] = round(no_startup[other] / no_startup["loop"], 2)
                ratios[f"loop_vs_{other}_cpu_without_startup"] = round(no_startup_cpu[other] / no_startup_cpu["loop"], 2)
                print(f"loop / {other}: {ratios[f'loop_vs_{other}']:.2f}x pages per minute, "
                      f"{ratios[f'loop_vs_{other}_cpu']:.2f}x less CPU; without start-up "
                      f"{ratios[f'loop_vs_{other}_without_startup']:.2f}x (CPU "
                      f"{ratios[f'loop_vs_{other}_cpu_without_startup']:.2f}x)")
        if "loop" in rate and "parallel" in rate:
            ratios["parallel_speedup"] = round(rate["parallel"] / rate["loop"], 2)
            print(f"{args.processes} processes / 1: {ratios['parallel_speedup']:.2f}x")
        print(json.dumps({"warc_bytes_per_page": round(size / len(captured)), "pages": reference[2],
                          **{f"{name}_pages_per_minute": round(rate[name]) for name in chosen},
                          **{f"{name}_cpu_s": round(cpu[name], 2) for name in chosen},
                          **{f"{name}_startup_s": round(startup[name], 2) for name in small},
                          **{f"{name}_startup_cpu_s": round(startup_cpu[name], 2) for name in small},
                          **{f"{name}_s_per_1000_without_startup": round(no_startup[name], 2) for name in small},
                          **ratios,
                          "all_runs": {name: [[round(t, 1), round(c, 1)] for t, c, _ in rs]
                                       for name, rs in runs.items()}}))


def describe_tree(code: Path) -> str:
    """The commit a tree is at, where git can tell."""
    done = subprocess.run(["git", "log", "-1", "--format=%h %s"], cwd=code, capture_output=True, text=True)
    return done.stdout.strip()[:80] if done.returncode == 0 else "not a git checkout"


if __name__ == "__main__":
    main()
