"""Crawl overhead per response: a crawl of a local blog against ``scrapy bench``, and its memory.

Prints figures; it is not a test. In one run, ``--repeats`` times, interleaved:

- ``scrapy bench`` (Scrapy's own spider on its own local server, run outside the project so no
  project setting applies): pages per minute, responses over the engine's elapsed time;
- one plain crawl (no Redis) of one generated blog of ``--posts`` posts on 127.0.0.1
  (``benchmarks/collection_server.py``, served by a process of its own; politeness off, WARC
  capture on, as ``benchmarks/workers.py`` crawls it): pages per minute over the fetch span
  (first to last response the ``pages`` rows record), CPU seconds of the crawl process per
  1,000 pages (start-up included), and its ratio to the bench of the same repeat;
- with ``--baseline REF``, the same crawl with the scraper of commit REF (``git archive``, with
  this tree's compiled walks copied in, so only the code under test differs), right after.

Medians over the repeats, then the RSS of one crawl at 1k, 10k (and with ``--rss-pages 50000``
50k) pages: ``benchmarks/workers.py --only rss``'s measurement, for each code measured.

    .venv/bin/python benchmarks/crawl_overhead.py [--posts 5000] [--repeats 3] [--baseline REF]
        [--rss-pages N | --no-rss] [--profile FILE] [--env NAME=VALUE ...]

``--profile FILE``: one more crawl of each code under cProfile (``FILE``, or ``FILE.<n>`` for each
of several codes, for pstats), its top functions printed. ``--env``: environment of the crawl processes (``MALLOC_ARENA_MAX=2`` ...).
"""
from __future__ import annotations

import argparse
import os
import pstats
import re
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import faults  # noqa: E402
import workers  # noqa: E402
from faults import print_table  # noqa: E402
from workers import CRAWL_SETTINGS, ServedCollection, WorkerProcess, read_crawl  # noqa: E402

ROOT = workers.ROOT
_STAT = re.compile(r"'(response_received_count|elapsed_time_seconds)': ([\d.]+)")


def say(text: str) -> None:
    print(f"… {text}", file=sys.stderr, flush=True)


@dataclass
class Crawl:
    label: str
    pages: int
    span: float | None
    cpu: float
    finish: str

    @property
    def pages_per_min(self) -> float | None:
        return self.pages / self.span * 60 if self.span else None

    @property
    def cpu_per_1k(self) -> float | None:
        return self.cpu / self.pages * 1000 if self.pages else None


def scrapy_bench(work: Path, seconds: int) -> float | None:
    """``scrapy bench`` pages per minute: responses over the engine's elapsed seconds."""
    cwd = work / "bench"
    cwd.mkdir(exist_ok=True)  # no scrapy.cfg here: Scrapy's defaults, not the project's settings
    env = {**faults.crawl_environment(), "PYTHONPATH": ""}
    done = subprocess.run([str(faults.SCRAPY), "bench", "-s", "LOG_LEVEL=INFO", "-s", f"CLOSESPIDER_TIMEOUT={seconds}"],
                          cwd=cwd, env=env,
                          capture_output=True, text=True, timeout=300 + seconds)
    found = dict(_STAT.findall(done.stderr))
    if "response_received_count" not in found or "elapsed_time_seconds" not in found:
        say(f"scrapy bench gave no stats (exit {done.returncode}): {done.stderr[-300:]}")
        return None
    return float(found["response_received_count"]) / float(found["elapsed_time_seconds"]) * 60


def crawl(served: ServedCollection, work: Path, label: str, code: Path, env: dict[str, str],
          profile: Path | None = None) -> Crawl:
    out = work / label
    shutil.rmtree(out, ignore_errors=True)
    out.mkdir(parents=True)
    seeds = served.write_seeds(work / "seeds.txt")
    faults.CODE_ROOT = code
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    os.environ.update(env)  # faults.crawl_environment() copies os.environ for the child
    try:
        if profile is None:
            process = WorkerProcess(seeds, out, "c", work / f"{label}.log", dict(CRAWL_SETTINGS))
            process.wait(1800)
            finish = process.exit_text
        else:
            command = [str(workers.PYTHON), "-m", "cProfile", "-o", str(profile), str(faults.SCRAPY), "crawl", "blog",
                       "-a", f"seeds={seeds}", "-a", f"out={out}", "-a", "crawl=c"]
            for name, value in CRAWL_SETTINGS.items():
                command += ["-s", f"{name}={value}"]
            done = subprocess.run(command, cwd=code, env=faults.crawl_environment(), capture_output=True, timeout=3600)
            finish = f"exit {done.returncode}"
    finally:
        for name in env:
            os.environ.pop(name, None)
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    data = read_crawl(out / "c")
    shutil.rmtree(out, ignore_errors=True)
    return Crawl(label, data["pages"], data["span"], cpu, f"{finish}, {data['finish']}")


def baseline_tree(ref: str, work: Path) -> Path:
    """The repository at ``ref`` in ``work``, with this tree's compiled walks copied in."""
    tree = work / "baseline"
    tree.mkdir()
    archive = subprocess.run(["git", "archive", ref], cwd=ROOT, capture_output=True, check=True).stdout
    subprocess.run(["tar", "-x", "-C", str(tree)], input=archive, check=True)
    for built in ROOT.glob("scraper/extractors/*.so"):
        shutil.copy2(built, tree / built.relative_to(ROOT))
    return tree


def profile_path(path: Path, n: int, codes: int) -> Path:
    """``path`` for one code measured, ``<stem>.<n><suffix>`` for each of several."""
    path = path.resolve()
    return path if codes == 1 else path.with_name(f"{path.stem}.{n}{path.suffix}")


def snapshot_tree(work: Path) -> Path:
    """This working tree as it is now (uncommitted edits too), so that editing it while the
    benchmark runs changes nothing measured."""
    tree = work / "this-tree"
    shutil.copytree(ROOT, tree, ignore=shutil.ignore_patterns(".venv", ".git", "datasets", "__pycache__",
                                                              "*.egg-info", "build"))
    return tree


def median(values: list[float | None]) -> float | None:
    values = [v for v in values if v is not None]
    return statistics.median(values) if values else None


def fmt(value: float | None, digits: int = 0) -> str:
    return "-" if value is None else f"{value:,.{digits}f}"


def print_profile(path: Path, top: int = 40) -> None:
    print(f"\nProfile of one crawl ({path}), top {top} by own time\n")
    stats = pstats.Stats(str(path))
    stats.sort_stats("tottime").print_stats(top)
    stats.sort_stats("cumulative").print_stats(top)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--posts", type=int, default=5000, help="posts of the blog crawled (default 5000)")
    parser.add_argument("--repeats", type=int, default=3, help="bench and crawls, interleaved (default 3)")
    parser.add_argument("--baseline", help="also crawl with the scraper of this commit (git archive)")
    parser.add_argument("--rss-pages", type=int, default=10_000, help="pages of the RSS crawl (50000 for the 50k point)")
    parser.add_argument("--no-rss", action="store_true", help="no RSS crawl")
    parser.add_argument("--no-bench", action="store_true", help="no scrapy bench")
    parser.add_argument("--bench-seconds", type=int, default=30,
                        help="scrapy bench's CLOSESPIDER_TIMEOUT (its default 10 s is noisy on a shared machine)")
    parser.add_argument("--profile", type=Path, help="one more crawl under cProfile, saved to this file")
    parser.add_argument("--env", action="append", default=[], help="NAME=VALUE for the crawl processes")
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args(argv)
    env = dict(item.split("=", 1) for item in args.env)
    work = Path(tempfile.mkdtemp(prefix="crawl-overhead-"))
    codes = {"this tree": snapshot_tree(work)}
    if args.baseline:
        codes = {f"baseline {args.baseline}": baseline_tree(args.baseline, work), **codes}
    load = os.getloadavg()
    print(f"{os.cpu_count()} CPU(s), load average {load[0]:.2f} at the start; {args.posts:,} posts, "
          f"{args.repeats} repeat(s); crawl env {env or '-'}")
    started = time.monotonic()
    benches: list[float | None] = []
    crawls: dict[str, list[Crawl]] = {name: [] for name in codes}
    try:
        say(f"rendering one blog of {args.posts:,} posts")
        served = ServedCollection(1, args.posts, args.seed)
        try:
            for repeat in range(1, args.repeats + 1):
                if not args.no_bench:
                    say(f"scrapy bench, run {repeat}")
                    benches.append(scrapy_bench(work, args.bench_seconds))
                for n, (name, code) in enumerate(codes.items()):
                    say(f"crawl ({name}), run {repeat}")
                    crawls[name].append(crawl(served, work, f"crawl{n}-{repeat}", code, env))
            for n, (name, code) in enumerate(codes.items()) if args.profile else ():
                path = profile_path(args.profile, n, len(codes))
                say(f"crawl ({name}) under cProfile ({path})")
                crawl(served, work, f"profiled{n}", code, env, profile=path)
        finally:
            served.stop()
        rows = []
        for repeat in range(args.repeats):
            bench = benches[repeat] if benches else None
            for name, runs in crawls.items():
                c = runs[repeat]
                rows.append([str(repeat + 1), name, fmt(bench), f"{c.pages:,}", fmt(c.pages_per_min),
                             fmt(c.cpu_per_1k, 2), workers.ratio(c.pages_per_min, bench), c.finish])
        print("\nPer run (crawl pages/min over the fetch span; CPU s of the crawl process per 1,000 pages)\n")
        print_table(["run", "code", "bench p/min", "pages", "crawl p/min", "CPU s/1k", "crawl/bench", "end"], rows)
        bench = median(benches)
        rows = []
        for name, runs in crawls.items():
            ratios = [c.pages_per_min / b if c.pages_per_min and b else None for c, b in zip(runs, benches)]
            rows.append([name, fmt(bench), fmt(median([c.pages_per_min for c in runs])),
                         fmt(median([c.cpu_per_1k for c in runs]), 2), fmt(median(ratios), 2)])
        print(f"\nMedians of {args.repeats} (crawl/bench: median of each run's ratio)\n")
        print_table(["code", "bench p/min", "crawl p/min", "CPU s/1k", "crawl/bench"], rows)
        for n, name in enumerate(codes) if args.profile else ():
            print(f"\n== {name}")
            print_profile(profile_path(args.profile, n, len(codes)))
        if not args.no_rss:
            for name, code in codes.items():
                faults.CODE_ROOT = code
                say(f"RSS crawl ({name}) to {args.rss_pages:,} pages")
                os.environ.update(env)
                try:
                    rss_args = argparse.Namespace(rss_pages=args.rss_pages, seed=args.seed)
                    result = workers.run_rss(rss_args, work)
                finally:
                    for key in env:
                        os.environ.pop(key, None)
                print(f"\n== {name}")
                print(workers.print_rss(result))
    finally:
        for process in list(faults._LIVE):
            process.kill()
        shutil.rmtree(work, ignore_errors=True)
    print(f"\nTotal time {time.monotonic() - started:.0f}s; load average {os.getloadavg()[0]:.2f} at the end")


if __name__ == "__main__":
    main()
