"""A collection of generated blogs on 127.0.0.1, one port each, for ``benchmarks/workers.py``.

Each blog is a ``GeneratedBlog`` of ``benchmarks/hostile_server.py`` (paged home linking every
post, article pages with threaded comments, some threads split over comment pages, a sitemap,
a robots.txt that allows the crawl) served by its own ``HostileServer``: every page is rendered
into memory before the first request, so answering is a dictionary look-up and a socket write.

Run as a script it serves the collection from its own process, so that serving costs the
benchmark's crawls and samplers no interpreter time, and its CPU time can be read apart:

    .venv/bin/python benchmarks/collection_server.py --blogs 5 --posts 5000 [--seed S]

It prints one JSON line once every page is rendered and every port listens (the blogs' start
URLs, the posts, the requests a complete crawl makes), then serves until its standard input
closes or it gets SIGTERM. ``GET /__bench__/stats`` on any of its ports answers the requests
served so far (all blogs, the stats requests not counted) and the process's CPU seconds.
"""
from __future__ import annotations

import argparse
import json
import os
import signal
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from hostile_server import GeneratedBlog, HostileServer, send  # noqa: E402

STATS_PATH = "/__bench__/stats"


class Collection:
    """``blogs`` generated blogs sharing ``posts`` between them (the first ones get the
    remainder), each on its own port. Blog ``i`` is seeded ``seed + i`` and numbers its comments
    from its own range, so no two blogs share a comment id."""

    def __init__(self, blogs: int, posts: int, seed: int = 1, sitemap: bool = True) -> None:
        if blogs < 1 or posts < blogs:
            raise ValueError("need at least one blog and one post per blog")
        share, extra = divmod(posts, blogs)
        self.blogs = [GeneratedBlog(share + (1 if i < extra else 0), seed + i,
                                    first_comment_id=1_000_000 * (i + 1)) for i in range(blogs)]
        self.servers = [HostileServer() for _ in self.blogs]
        self.sitemap = sitemap
        self._started_at = 0.0
        self._stats_requests = 0  # answered by _stats_route, not part of any crawl

    def start(self) -> Collection:
        for blog, server in zip(self.blogs, self.servers):
            server.start()
            blog.install(server, sitemap=self.sitemap)
            server.route(STATS_PATH, self._stats_route)
        self._started_at = time.monotonic()
        return self

    def stop(self) -> None:
        for server in self.servers:
            server.stop()

    def __enter__(self) -> Collection:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    # -- what is served ------------------------------------------------------------------------
    @property
    def start_urls(self) -> list[str]:
        return [server.address(blog.home_path(1)) for blog, server in zip(self.blogs, self.servers)]

    @property
    def posts(self) -> int:
        return sum(len(blog.posts) for blog in self.blogs)

    @property
    def comments(self) -> int:
        return sum(len(ids) for blog in self.blogs for ids in blog.truth().values())

    def request_estimate(self) -> int:
        return sum(blog.request_estimate() for blog in self.blogs)

    def request_count(self) -> int:
        """Requests served so far by every blog, stats requests left out."""
        return sum(server.request_count() for server in self.servers) - self._stats_requests

    def stats(self) -> dict:
        times = os.times()
        return {"requests": self.request_count(), "cpu_seconds": times.user + times.system,
                "uptime": time.monotonic() - self._started_at}

    def describe(self) -> dict:
        return {"start_urls": self.start_urls, "posts": self.posts, "comments": self.comments,
                "request_estimate": self.request_estimate(), "pid": os.getpid()}

    def _stats_route(self, handler: BaseHTTPRequestHandler) -> None:
        self._stats_requests += 1  # one handler thread at a time asks, in practice: no lock
        send(handler, 200, json.dumps(self.stats()).encode(), "application/json")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="Serve a collection of generated blogs on 127.0.0.1.")
    parser.add_argument("--blogs", type=int, default=5)
    parser.add_argument("--posts", type=int, default=5000, help="posts of all the blogs together")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--no-sitemap", action="store_true", help="serve no sitemap.xml")
    args = parser.parse_args(argv)
    collection = Collection(args.blogs, args.posts, args.seed, sitemap=not args.no_sitemap).start()
    done = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: done.set())

    def watch_stdin() -> None:  # the parent went away (or closed the pipe): stop serving
        sys.stdin.read()
        done.set()

    threading.Thread(target=watch_stdin, daemon=True).start()
    print(json.dumps(collection.describe()), flush=True)
    try:
        done.wait()
    except KeyboardInterrupt:
        pass
    finally:
        collection.stop()


if __name__ == "__main__":
    main()
