"""Progress while a crawl runs and its summary at the end (scraper/progress.py, scraper/summary.py),
on real crawls of the sample blog served on 127.0.0.1, slowed so the crawl lasts a few seconds:
the plain log line where stderr is not a terminal, the rich live line under a pseudo-terminal."""
from __future__ import annotations

import json
import os
import pty
import re
import select
import subprocess
import time

import pytest

from scraper.replay import SAMPLE_BLOG, ReplaySite
from scraper.summary import error_kind, manifest_lines

from crawl_helpers import ROOT, crawl_command, crawl_env, run_crawl, run_reextract

PROGRESS = re.compile(r"Progress: (\d+) pages fetched \(([\d.]+) pages/min\), (\d+) articles, (\d+) comments, "
                      r"(\d+) queued, (\d+) errors(?:; sitemaps list (\d+) pages)?")
PREAMBLE = ("Overridden settings", "Enabled extensions", "Enabled downloader middlewares",
            "Enabled spider middlewares", "Enabled item pipelines", "Versions:")


class SlowSite(ReplaySite):
    """The sample blog, each answer ``delay`` seconds late."""

    def __init__(self, *args, delay: float = 0.2, **kwargs):
        super().__init__(*args, **kwargs)
        self.delay = delay

    def _respond(self, target: str):
        time.sleep(self.delay)
        return super()._respond(target)


def _summary_counts(text: str) -> dict[str, int]:
    found = {name: re.search(rf"^  {name}:\s+(\d+)", text, re.M) for name in ("articles", "comments", "pages fetched", "errors")}
    assert all(found.values()), text[-3000:]
    return {name: int(m.group(1)) for name, m in found.items()}


def test_log_line_summary_and_stats_in_crawl_json(tmp_path):
    out = tmp_path / "out"
    with SlowSite(SAMPLE_BLOG) as site:
        proc = run_crawl(f"{site.base}/", out, "slow", site.proxy_url, "-s", "PROGRESS_INTERVAL=0.5")
    assert proc.returncode == 0, proc.stderr[-3000:]
    manifest = json.loads((out / "slow" / "crawl.json").read_text())
    counts = manifest["counts"]

    # The plain line, every half second, with its figures.
    lines = [tuple(float(g or 0) for g in m.groups()) for m in PROGRESS.finditer(proc.stderr)]
    assert len(lines) >= 2, proc.stderr[-3000:]
    assert any(line[1] > 0 for line in lines)  # a rate
    assert any(line[6] == 6 for line in lines)  # the sample blog's sitemaps list its 6 articles and pages
    pages = [line[0] for line in lines]
    assert pages == sorted(pages) and pages[-1] <= manifest["stats"]["response_received_count"]
    assert all(line[2] <= counts["articles"] and line[3] <= counts["comments"] for line in lines)

    # The summary, with crawl.json's counts; Scrapy's stats in crawl.json, not on screen.
    assert re.search(r"^Crawl slow \(finished; outcome finished, exit code 0\)$", proc.stderr, re.M)
    assert _summary_counts(proc.stderr) == {"articles": counts["articles"], "comments": counts["comments"],
                                            "pages fetched": counts["pages"], "errors": manifest["errors_total"]}
    assert counts["articles"] == 6 and counts["comments"] > 0
    assert "crawl.json" in proc.stderr.split("dataset:", 1)[1]
    assert "Dumping Scrapy stats" not in proc.stderr and "'downloader/request_count'" not in proc.stderr
    stats = manifest["stats"]
    assert stats["finish_reason"] == "finished" and stats["blog/articles"] == 6
    assert stats["downloader/response_status_count/200"] > 0
    assert stats["blog/sitemap_urls"] == 6
    for name in ("start_time", "finish_time"):
        assert isinstance(stats[name], str) and stats[name][:4].isdigit()
    json.dumps(stats)

    # Scrapy's start-up lists are at DEBUG: gone at INFO.
    assert not [p for p in PREAMBLE if p in proc.stderr]
    assert "Spider opened" in proc.stderr

    # A rebuild from the WARC files ends with its summary too.
    rebuilt = run_reextract([out / "slow" / "warc"], tmp_path / "rebuilt")
    assert rebuilt.returncode == 0, rebuilt.stderr[-3000:]
    again = json.loads((tmp_path / "rebuilt" / "slow" / "crawl.json").read_text())
    assert _summary_counts(rebuilt.stderr)["articles"] == again["counts"]["articles"] == 6
    assert "Dumping Scrapy stats" not in rebuilt.stderr


def test_debug_shows_the_preamble_and_no_progress_when_turned_off(tmp_path):
    with ReplaySite(SAMPLE_BLOG) as site:
        proc = run_crawl(f"{site.base}/", tmp_path, "debug", site.proxy_url,
                         "-s", "LOG_LEVEL=DEBUG", "-s", "PROGRESS_INTERVAL=0")
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert all(p in proc.stderr for p in PREAMBLE), proc.stderr[:5000]
    assert "Progress:" not in proc.stderr
    assert "Dumping Scrapy stats" not in proc.stderr  # the stats are in crawl.json at any level
    assert re.search(r"^  articles:\s+6 stored", proc.stderr, re.M)


def _run_on_terminal(cmd: list[str], env: dict, timeout: float = 120) -> tuple[int, str]:
    """Run ``cmd`` with a pseudo-terminal as its stdin, stdout and stderr; its exit code and output."""
    master, slave = pty.openpty()
    proc = subprocess.Popen(cmd, cwd=ROOT, env={**env, "TERM": "xterm", "COLUMNS": "200"},
                            stdin=slave, stdout=slave, stderr=slave)
    os.close(slave)
    output, deadline = b"", time.monotonic() + timeout
    try:
        while time.monotonic() < deadline:
            ready, _, _ = select.select([master], [], [], 0.5)
            if ready:
                try:
                    data = os.read(master, 65536)
                except OSError:  # the child closed the terminal
                    break
                if not data:
                    break
                output += data
            elif proc.poll() is not None:
                break
        else:
            proc.kill()
        return proc.wait(timeout=30), output.decode("utf-8", errors="replace")
    finally:
        os.close(master)


def test_live_line_on_a_terminal(tmp_path):
    with SlowSite(SAMPLE_BLOG) as site:
        code, output = _run_on_terminal(crawl_command(f"{site.base}/", tmp_path, "tty"), crawl_env(site.proxy_url))
    assert code == 0, output[-3000:]
    plain = re.sub(r"\x1b\[[0-9;?]*[A-Za-z]", "", output)
    # The live line, redrawn in place (carriage returns, no newline between its versions).
    live = re.findall(r"(\d+) pages\s+([\d.]+) pages/min\s+(\d+) articles\s+(\d+) comments\s+(\d+) queued\s+(\d+) errors",
                      plain)
    assert len(live) >= 2, plain[-3000:]
    assert any(float(rate) > 0 for _, rate, *_ in live)
    assert "\x1b[2K" in output  # rich clears the line it redraws
    assert "(6 in sitemaps)" in plain
    assert "Progress:" not in plain  # no log line where the live line is shown
    # Log lines still come through, above the line, and the summary follows it.
    assert "Spider closed (finished)" in plain
    counts = json.loads((tmp_path / "tty" / "crawl.json").read_text())["counts"]
    summary = plain.split("Crawl tty (finished", 1)[1]
    assert re.search(rf"articles:\s+{counts['articles']} stored", summary)
    assert re.search(rf"comments:\s+{counts['comments']} stored", summary)
    assert int(live[-1][2]) == counts["articles"]


def test_summary_lines_from_a_manifest():
    m = {"crawl_id": "c", "finish_reason": "finished", "outcome": "finished_with_errors", "exit_code": 3,
         "counts": {"articles": 2, "comments": 5, "pages": 9},
         "stats": {"elapsed_time_seconds": 75.2},
         "seeds": [{"url": "https://a.org/", "articles": 2, "comments": 5, "errors": 1, "start_failed": None},
                   {"url": "https://gone.org/", "articles": 0, "comments": 0, "errors": 2,
                    "start_failed": "Request failed: connection refused"}],
         "errors_total": 3,
         "errors": [{"url": "https://a.org/x", "message": "Incomplete thread at https://a.org/x: the page states 3 comments"},
                    {"url": "https://gone.org/", "message": "Request failed: connection refused"},
                    {"url": "https://gone.org/feed", "message": "Request failed: connection refused"}]}
    text = "\n".join(manifest_lines(m))
    assert "Crawl c (finished; outcome finished_with_errors, exit code 3)" in text
    assert re.search(r"time:\s+1m 15s", text)
    assert re.search(r"^    \s*2  Request failed: connection refused$", text, re.M)
    assert re.search(r"^    \s*1  Incomplete thread at …$", text, re.M)
    assert "    https://gone.org/: 0 articles, 0 comments, 2 errors (start page: Request failed: connection refused)" in text


@pytest.mark.parametrize("message,kind", [
    ("HTTP 404", "HTTP 404"),
    ("Request failed: timed out", "Request failed: timed out"),
    ("Skipped non-HTML response https://a.org/x.pdf (Content-Type 'application/pdf')",
     "Skipped non-HTML response … (Content-Type 'application/pdf')"),
])
def test_error_kind(message, kind):
    assert error_kind({"url": "https://a.org/x.pdf", "message": message}) == kind
