"""Run a real crawl in a subprocess (a fresh Twisted reactor each time) against a site replayed
on 127.0.0.1, and read back what it wrote."""
from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pyarrow.dataset as ds

from scraper.replay import subprocess_env as crawl_env

ROOT = Path(__file__).resolve().parents[1]
FAST = ["-s", "AUTOTHROTTLE_ENABLED=False", "-s", "DOWNLOAD_DELAY=0", "-s", "RETRY_ENABLED=False"]


def crawl_command(url: str, out: Path, crawl: str, *extra: str) -> list[str]:
    return [sys.executable, "-m", "scrapy.cmdline", "crawl", "blog", "-a", f"url={url}",
            "-a", f"out={out}", "-a", f"crawl={crawl}", *FAST, *extra]


def run_crawl(url: str, out: Path, crawl: str, proxy: str | None = None, *extra: str,
              timeout: float = 180) -> subprocess.CompletedProcess:
    return subprocess.run(crawl_command(url, out, crawl, *extra), cwd=ROOT, env=crawl_env(proxy),
                          capture_output=True, text=True, timeout=timeout)


def run_reextract(sources: list[Path], out: Path, *extra: str, timeout: float = 180) -> subprocess.CompletedProcess:
    """``scrapy reextract``: no proxy and no network, everything comes from the WARC files."""
    cmd = [sys.executable, "-m", "scrapy.cmdline", "reextract", *map(str, sources), "-a", f"out={out}", *extra]
    return subprocess.run(cmd, cwd=ROOT, env=crawl_env(None), capture_output=True, text=True,
                          timeout=timeout)


def warcio(*args: str | Path) -> subprocess.CompletedProcess:
    """The ``warcio`` command line tool of this environment."""
    tool = Path(sys.executable).with_name("warcio")
    return subprocess.run([str(tool), *map(str, args)], capture_output=True, text=True, timeout=120)


def read_table(out: Path, crawl: str, table: str) -> list[dict]:
    return ds.dataset(out / crawl / table, format="parquet").to_table().to_pylist()
