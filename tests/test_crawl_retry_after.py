"""A 429 or 503 with ``Retry-After`` is retried no earlier than the server asks, up to
``RETRY_AFTER_MAX`` (``scraper/retry.py``). A real crawl against a server on 127.0.0.1 that
answers the article with a 503 first."""
from __future__ import annotations

import time
from datetime import datetime, timezone
from http.server import BaseHTTPRequestHandler

import pytest

from scraper.replay import LoopbackServer, send
from scraper.retry import retry_after_seconds

from crawl_helpers import read_table, run_crawl

ARTICLE_PATH = "/2024/05/waiting-out-the-server/"
ARTICLE = b"""<!doctype html><html lang="en"><head><meta charset="utf-8">
<title>Waiting out the server</title><meta property="og:type" content="article">
<meta property="article:published_time" content="2024-05-01T10:00:00+00:00"></head>
<body><article><h1>Waiting out the server</h1><p class="byline">By Ada Lovelace</p>
<p>A server that is busy says so with a 503 and says when to come back with Retry-After. A polite
crawler waits that long before it asks again, and no less.</p>
<p>This page is served only on the second request, after the crawler has waited as long as the
first answer asked.</p></article></body></html>"""


class BusyServer(LoopbackServer):
    """Answers the article with ``status`` and ``Retry-After: retry_after`` the first time, then
    with the page; robots.txt allows everything, anything else is a 404. Records when each request
    for the article arrived."""

    def __init__(self, status: int, retry_after: str) -> None:
        self.status, self.retry_after = status, retry_after
        self.article_requests: list[float] = []
        self.refused_at: float | None = None
        server = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                if self.path == "/robots.txt":
                    return send(self, 200, b"User-agent: *\nAllow: /\n", content_type="text/plain")
                if self.path != ARTICLE_PATH:
                    return send(self, 404, b"not found")
                server.article_requests.append(time.monotonic())
                if len(server.article_requests) == 1:
                    send(self, server.status, b"busy", headers={"Retry-After": server.retry_after})
                    server.refused_at = time.monotonic()
                else:
                    send(self, 200, ARTICLE)

            def log_message(self, format: str, *args: object) -> None:
                pass

        super().__init__(Handler, name="busy")

    @property
    def article(self) -> str:
        return self.url + ARTICLE_PATH


# The crawl helpers turn retries off for speed; these tests are about retries.
RETRIES = ("-s", "RETRY_ENABLED=True")


def test_a_503_is_retried_no_earlier_than_its_retry_after(tmp_path):
    with BusyServer(503, "2") as server:
        proc = run_crawl(server.article, tmp_path, "busy", None, *RETRIES, timeout=60)
    assert proc.returncode == 0, proc.stderr[-3000:]
    first, retried = server.article_requests
    assert retried - server.refused_at >= 2.0, f"retried {retried - server.refused_at:.2f} s after the 503"
    assert f"Retrying {server.article} in 2 s, as its HTTP 503's Retry-After asks" in proc.stderr
    (article,) = read_table(tmp_path, "busy", "articles")
    assert article["title"] == "Waiting out the server"


def test_a_retry_after_beyond_the_cap_is_given_up_with_an_error(tmp_path):
    with BusyServer(429, "3600") as server:
        proc = run_crawl(server.article, tmp_path, "too-busy", None, *RETRIES, timeout=60)
    assert "Traceback" not in proc.stderr, proc.stderr[-3000:]
    assert len(server.article_requests) == 1  # not asked again, neither at once nor in an hour
    assert (f"Gave up on {server.article}: its HTTP 429 asks to retry after 3600 s, longer than "
            "RETRY_AFTER_MAX (300 s)") in proc.stderr
    assert not (tmp_path / "too-busy" / "articles").exists() or read_table(tmp_path, "too-busy", "articles") == []


NOW = datetime(2026, 3, 1, 12, 0, 0, tzinfo=timezone.utc)


@pytest.mark.parametrize("value, date, expected", [
    ("120", None, 120.0),
    (b" 5 ", None, 5.0),
    ("Sun, 01 Mar 2026 12:00:30 GMT", None, 30.0),
    # Counted from the response's own Date, not the local clock.
    ("Sun, 01 Mar 2026 12:00:30 GMT", "Sun, 01 Mar 2026 11:59:00 GMT", 90.0),
    ("Sun, 01 Mar 2026 11:00:00 GMT", None, 0.0),   # already past
    ("-5", None, None),
    ("soon", None, None),
    ("", None, None),
    (None, None, None),
])
def test_retry_after_reads_seconds_and_http_dates(value, date, expected):
    assert retry_after_seconds(value, date, now=NOW) == expected
