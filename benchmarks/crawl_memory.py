"""Where a crawl's memory goes: one crawl of a local generated blog, in this process, with a probe
that at 1k, 2k, 5k, 10k ... pages prints its RSS and what could hold it.

Prints figures; it is not a test. At each threshold: ``VmRSS``; glibc's heap (``mallinfo2``:
bytes in use, bytes free inside the heap, i.e. fragmentation, and mmapped blocks); pyarrow's
memory pool; glibc's arenas (``malloc_info``: size and free bytes of each); the deep size of
the per-URL state (the duplicate filter's fingerprints, the spider's followed links and article
ids, the Parquet ledger's keys); Python objects by type (``gc.get_objects()``, the types that
grew most since the first sample); the scheduler's queue and the duplicate filter's size. At the
last sample, what the project's ``lru_cache`` caches hold, measured by clearing them. ``--trim``
calls ``malloc_trim(0)`` after each sample (how much of RSS glibc could give back). The
allocator settings are the crawl's own (``MALLOC_MMAP_THRESHOLD``, ``MEMORY_TRIM_INTERVAL``;
``-s`` to change them).

    .venv/bin/python benchmarks/crawl_memory.py [--posts 10000] [--pages 10000] [--trim]
        [--tracemalloc] [-s NAME=VALUE ...]
"""
from __future__ import annotations

import argparse
import collections
import ctypes
import gc
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))


THRESHOLDS = (1_000, 2_000, 5_000, 10_000, 20_000, 30_000, 50_000, 100_000)


class _Mallinfo2(ctypes.Structure):
    _fields_ = [(name, ctypes.c_size_t) for name in
                ("arena", "ordblks", "smblks", "hblks", "hblkhd", "usmblks", "fsmblks", "uordblks",
                 "fordblks", "keepcost")]


_LIBC = ctypes.CDLL("libc.so.6")
_LIBC.mallinfo2.restype = _Mallinfo2
_LIBC.fopen.restype = ctypes.c_void_p
_LIBC.fopen.argtypes = (ctypes.c_char_p, ctypes.c_char_p)
_LIBC.malloc_info.argtypes = (ctypes.c_int, ctypes.c_void_p)
_LIBC.fclose.argtypes = (ctypes.c_void_p,)


def rss_mb() -> float:
    with open("/proc/self/status") as status:
        return next(int(line.split()[1]) / 1024 for line in status if line.startswith("VmRSS:"))


def rss_by_mapping() -> dict[str, float]:
    """Resident MB of the process's mappings: files (code, data of libraries), the brk heap
    (glibc's main arena), anonymous mappings (Python's object arenas, other malloc arenas,
    mimalloc, large blocks), the stack."""
    sizes: dict[str, float] = collections.Counter()
    kind = "anon"
    with open("/proc/self/smaps") as smaps:
        for line in smaps:
            first = line.split(maxsplit=1)[0]
            if "-" in first and not first.endswith(":"):  # a mapping's header line
                parts = line.split()
                name = parts[5] if len(parts) > 5 else ""
                kind = ("heap" if name == "[heap]" else "stack" if name.startswith("[stack") else
                        "file" if name.startswith("/") else "anon")
            elif first == "Rss:":
                sizes[kind] += int(line.split()[1]) / 1024
    return sizes


def glibc_arenas() -> str:
    """glibc's arenas (``malloc_info``): the main one (the brk heap) and those of other threads,
    each with its size from the system and the bytes free inside it."""
    import re

    with tempfile.NamedTemporaryFile(suffix=".xml") as out:
        stream = _LIBC.fopen(out.name.encode(), b"w")
        _LIBC.malloc_info(0, stream)
        _LIBC.fclose(stream)
        text = Path(out.name).read_text()
    heaps = []
    for nr, body in re.findall(r'<heap nr="(\d+)">(.*?)</heap>', text, re.S):
        size = re.search(r'<system type="current" size="(\d+)"', body)
        free = sum(int(n) for n in re.findall(r'<total type="(?:fast|rest)" count="\d+" size="(\d+)"', body))
        heaps.append(f"#{nr} {int(size.group(1)) / 2**20 if size else 0:.1f} ({free / 2**20:.1f} free)")
    return f"{len(heaps)} arenas: " + ", ".join(heaps)


def _debugmallocstats() -> bytes:
    """What ``sys._debugmallocstats`` writes to the C-level stderr, captured."""
    import os

    with tempfile.TemporaryFile() as out:
        sys.stderr.flush()
        saved = os.dup(2)
        os.dup2(out.fileno(), 2)
        try:
            sys._debugmallocstats()
        finally:
            os.dup2(saved, 2)
            os.close(saved)
        out.seek(0)
        return out.read()


def obmalloc_summary() -> str:
    """Python's small-object allocator (``sys._debugmallocstats``): its arenas now and at most,
    and the bytes its blocks hold."""
    text = _debugmallocstats().decode(errors="replace")
    wanted = ("# arenas allocated current", "# arenas highwater mark", "# bytes in allocated blocks",
              "# bytes in available blocks", "Total")
    found = {}
    for line in text.splitlines():
        for name in wanted:
            if line.startswith(name) and name not in found:
                found[name] = line.split("=")[-1].strip()
    return ", ".join(f"{k.lstrip('# ')} {v}" for k, v in found.items())


def _project_caches(at_least: int = 100):
    """``(name, cache)`` of each of the project's ``functools.lru_cache`` caches holding at
    least ``at_least`` entries."""
    for name, module in list(sys.modules.items()):
        if not name.startswith(("scraper", "pipelines")):
            continue
        for attr, value in list(vars(module).items()):
            info = getattr(value, "cache_info", None)
            if callable(info) and info().currsize >= at_least:
                yield f"{name.rsplit('.', 1)[-1]}.{attr}", value


def lru_caches() -> str:
    """Entries of the project's ``functools.lru_cache`` caches, the largest first."""
    sizes = [(cache.cache_info().currsize, name) for name, cache in _project_caches()]
    return ", ".join(f"{n} {size:,}" for size, n in sorted(sizes, reverse=True)) or "-"


def obmalloc_in_use() -> int:
    """Bytes in the blocks of Python's small-object allocator now."""
    import re

    found = re.search(rb"# bytes in allocated blocks\s*=\s*([\d,]+)", _debugmallocstats())
    return int(found.group(1).replace(b",", b"")) if found else 0


def lru_cache_memory() -> str:
    """What the project's larger ``lru_cache`` caches hold, measured by clearing each and reading
    how much of Python's heap that freed (so only at the last sample: the caches refill)."""
    freed = []
    for name, cache in list(_project_caches()):
        entries = cache.cache_info().currsize
        gc.collect()
        before = obmalloc_in_use()
        cache.cache_clear()
        gc.collect()
        freed.append((before - obmalloc_in_use(), entries, name))
    total = sum(f for f, _, _ in freed)
    return f"{total / 2**20:.1f} MB: " + ", ".join(f"{n} {b / 2**20:.2f} MB ({e:,})" for b, e, n in sorted(freed, reverse=True)[:10])


def deep_size(value, seen: set | None = None) -> int:
    """Bytes of a container of str, bytes, int and tuples (a set, a dict), its elements included;
    a ``DigestSet`` (or a class that wraps one) by its run and its latest digests."""
    seen = set() if seen is None else seen
    if id(value) in seen:
        return 0
    seen.add(id(value))
    if hasattr(value, "_run") and hasattr(value, "_latest"):  # scraper.digests.DigestSet
        return sys.getsizeof(value._run.data) + deep_size(value._latest, seen)
    inner = getattr(value, "_digests", None) or getattr(value, "_hashes", None) or getattr(value, "_by_article", None)
    if inner is not None and not isinstance(value, (set, dict, frozenset)):
        return deep_size(inner, seen)
    size = sys.getsizeof(value)
    if isinstance(value, dict):
        return size + sum(deep_size(k, seen) + deep_size(v, seen) for k, v in value.items())
    if isinstance(value, (set, frozenset, tuple, list)):
        return size + sum(deep_size(v, seen) for v in value)
    return size


def per_url_state(crawler, df) -> str:
    """The deep size of what the crawl keeps per URL: the duplicate filter's fingerprints, the
    spider's followed links and article ids, the Parquet ledger's keys."""
    spider = crawler.spider
    parts = {"dupefilter": getattr(df, "_fingerprints", None), "followed": getattr(spider, "_followed", None),
             "spider articles": getattr(spider, "_articles", None)}
    for pipe in getattr(getattr(crawler.engine.scraper, "itemproc", None), "middlewares", ()):
        ledger = getattr(pipe, "ledger", None)
        if ledger is not None:
            for table, keys in ledger.stored.items():
                parts[f"ledger {table}"] = keys
    sizes = {name: deep_size(v) for name, v in parts.items() if v is not None}
    return f"{sum(sizes.values()) / 2**20:.1f} MB: " + ", ".join(f"{n} {b / 2**20:.2f}" for n, b in sizes.items())


def type_counts() -> collections.Counter:
    return collections.Counter(f"{type(o).__module__}.{type(o).__qualname__}" for o in gc.get_objects())


class MemoryProbe:
    """An extension: samples at each threshold of responses received."""

    trim = False
    trace = False
    limit = 10_000

    def __init__(self, crawler) -> None:
        self.crawler = crawler
        self.pages = 0
        self.pending = [t for t in THRESHOLDS if t <= self.limit]
        self.first: collections.Counter | None = None
        self.first_trace: tracemalloc.Snapshot | None = None
        self.started = time.monotonic()
        from scrapy import signals
        crawler.signals.connect(self.on_response, signal=signals.response_received)

    @classmethod
    def from_crawler(cls, crawler):
        return cls(crawler)

    def on_response(self, **kwargs) -> None:
        self.pages += 1
        if self.pending and self.pages >= self.pending[0]:
            self.pending.pop(0)
            self.sample()
            if not self.pending:
                from scrapy.utils.defer import deferred_from_coro

                deferred_from_coro(self.crawler.engine.close_spider_async(reason="memory probe done"))

    def sample(self) -> None:
        import pyarrow as pa

        gc.collect()
        info = _LIBC.mallinfo2()
        engine = self.crawler.engine
        scheduler = getattr(engine, "_slot", None) and engine._slot.scheduler
        spider = self.crawler.spider
        df = getattr(scheduler, "df", None)
        fingerprints = getattr(df, "_fingerprints", None) or getattr(df, "fingerprints", ())
        line = (f"{self.pages:>7,} pages {time.monotonic() - self.started:6.0f}s  RSS {rss_mb():6.1f} MB  "
                f"heap used {info.uordblks / 2**20:6.1f}  free-in-heap {info.fordblks / 2**20:6.1f}  "
                f"mmapped {info.hblkhd / 2**20:6.1f}  arrow {pa.total_allocated_bytes() / 2**20:5.1f} "
                f"(pool {pa.default_memory_pool().backend_name} max {pa.default_memory_pool().max_memory() / 2**20:.1f})  "
                f"queue {len(scheduler) if scheduler is not None else '-'}  seen {len(fingerprints):,}  "
                f"followed {len(getattr(spider, '_followed', ())):,}  articles {len(spider._articles):,}")
        print(line, flush=True)
        print("   obmalloc:", obmalloc_summary(), flush=True)
        print("   glibc:", glibc_arenas(), flush=True)
        print("   per-URL state (deep size):", per_url_state(self.crawler, df), flush=True)
        print("   lru caches (entries):", lru_caches(), flush=True)
        print("   RSS by mapping:", ", ".join(f"{k} {v:.1f}" for k, v in sorted(rss_by_mapping().items())),
              flush=True)
        counts = type_counts()
        if self.first is None:
            self.first = counts
            print("   objects:", ", ".join(f"{n} {c:,}" for n, c in counts.most_common(12)), flush=True)
        else:
            grown = sorted(((counts[n] - self.first.get(n, 0), n) for n in counts), reverse=True)[:12]
            print("   grown since first:", ", ".join(f"{n} +{d:,}" for d, n in grown if d > 0), flush=True)
        if self.trace:
            snapshot = tracemalloc.take_snapshot()
            total = sum(s.size for s in snapshot.statistics("filename"))
            if self.first_trace is None:
                self.first_trace = snapshot
                print(f"   tracemalloc {total / 2**20:.1f} MB", flush=True)
            else:
                print(f"   tracemalloc {total / 2**20:.1f} MB; grown most since the first sample:", flush=True)
                for stat in snapshot.compare_to(self.first_trace, "traceback")[:6]:
                    print(f"      {stat.size_diff / 2**20:+.2f} MB {stat.count_diff:+,} blocks at", flush=True)
                    for frame in stat.traceback.format()[-8:]:
                        print(f"         {frame}", flush=True)
        if not self.pending:
            print("   lru caches, freed by clearing them:", lru_cache_memory(), flush=True)
        if self.trim:
            _LIBC.malloc_trim(0)
            print(f"   after malloc_trim: RSS {rss_mb():6.1f} MB", flush=True)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--posts", type=int, default=10_000)
    parser.add_argument("--pages", type=int, default=10_000, help="stop after this many responses")
    parser.add_argument("--trim", action="store_true", help="malloc_trim(0) after each sample")
    parser.add_argument("--tracemalloc", action="store_true")
    parser.add_argument("-s", dest="settings", action="append", default=[], help="NAME=VALUE")
    args = parser.parse_args(argv)
    from scrapy.crawler import CrawlerProcess
    from scrapy.utils.project import get_project_settings

    import workers

    import crawl_memory  # the extension is loaded by name: this module imported, not __main__

    probe = crawl_memory.MemoryProbe
    probe.trim, probe.trace, probe.limit = args.trim, args.tracemalloc, args.pages
    if args.tracemalloc:
        tracemalloc.start(5)
    served = workers.ServedCollection(1, args.posts, 101)  # a process of its own: not in this RSS
    with tempfile.TemporaryDirectory(prefix="crawl-memory-") as out:
        seeds = served.write_seeds(Path(out) / "seeds.txt")
        settings = get_project_settings()
        for name, value in {**workers.CRAWL_SETTINGS, **dict(s.split("=", 1) for s in args.settings)}.items():
            settings.set(name, value, priority="cmdline")
        settings.set("EXTENSIONS", {**settings.getdict("EXTENSIONS"), "crawl_memory.MemoryProbe": 900},
                     priority="cmdline")
        import scraper

        print(f"{args.posts:,} posts, to {args.pages:,} pages; settings {args.settings or '-'}; code "
              f"{Path(scraper.__file__).parents[1]}", flush=True)
        process = CrawlerProcess(settings)
        process.crawl("blog", seeds=str(seeds), out=out, crawl="memory")
        try:
            process.start()
        finally:
            served.stop()


if __name__ == "__main__":
    main()
