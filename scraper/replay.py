"""Replay a captured site on 127.0.0.1, for tests, benchmarks and the demo.

A site folder holds ``manifest.json`` (``{"theme", "base", "entries": [{url, file, status,
content_type}]}``) and the captured files. The server answers both ways a crawler may ask:

* as an HTTP proxy: the request line carries the captured absolute URL
  (``GET http://blog.example.test:8081/feed/ HTTP/1.1``), so a crawl sees the real host names;
* as a plain server: the request line carries a path, matched against the manifest's ``base``.
  Absolute links to ``base`` inside served text are rewritten to the server's own address,
  since a client that talks to us directly cannot reach the captured host.

Query strings match as a set of parameters, in any order; anything not captured is a 404.
Captured entries carry an ``ETag`` (a hash of the body) and the manifest's ``Last-Modified``
if it has one, and answer ``If-None-Match`` with 304, as a re-crawl expects of a real server;
overrides are served verbatim, with only the headers they are given.

    python -m scraper.replay <site_dir> [--port N]
"""
from __future__ import annotations

import argparse
import errno
import hashlib
import json
import os
import sys
import threading
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Self
from urllib.parse import parse_qsl, unquote, urlsplit

SAMPLE_BLOG = Path(__file__).resolve().parent / "sample_blog"  # package data: the demo's site
NOT_FOUND = b"<!doctype html><html><head><title>Not Found</title></head><body><h1>Not Found</h1></body></html>"
_TEXT_TYPES = ("text/", "xml", "json", "javascript")


def subprocess_env(proxy: str | None = None) -> dict[str, str]:
    """The environment for a crawl run in a child process: this project importable, and no
    proxy but ``proxy`` (a ReplaySite's ``proxy_url``), so nothing leaves the machine."""
    env = {k: v for k, v in os.environ.items() if k.lower() not in ("http_proxy", "https_proxy", "no_proxy")}
    if proxy:
        env["http_proxy"] = proxy
    env["PYTHONPATH"] = str(Path(__file__).resolve().parents[1]) + os.pathsep + env.get("PYTHONPATH", "")
    return env


@dataclass
class _Response:
    status: int
    body: bytes
    content_type: str
    headers: dict[str, str] = field(default_factory=dict)


def _key(path: str, query: str) -> tuple[str, tuple[tuple[str, str], ...]]:
    """Path plus the query as a sorted set of parameters: ``?b=2&a=1`` is ``?a=1&b=2``."""
    return unquote(path) or "/", tuple(sorted(parse_qsl(query, keep_blank_values=True)))


def _is_rest_collection(path: str, query: str, content_type: str, body: bytes) -> bool:
    if "json" not in content_type or not ("/wp-json/" in path or "rest_route=" in query):
        return False
    try:
        return isinstance(json.loads(body), list)
    except ValueError:
        return False


def send(handler: BaseHTTPRequestHandler, status: int, body: bytes = b"",
         content_type: str = "text/html; charset=utf-8", headers: dict[str, str] | None = None,
         length: int | None = None) -> None:
    """One well-formed answer: status, Content-Type, Content-Length (of ``body`` unless
    ``length`` says otherwise: a HEAD answer), the other headers, the body."""
    handler.send_response(status)
    handler.send_header("Content-Type", content_type)
    handler.send_header("Content-Length", str(len(body) if length is None else length))
    for name, value in (headers or {}).items():
        handler.send_header(name, value)
    handler.end_headers()
    handler.wfile.write(body)


class LoopbackServer:
    """A threaded HTTP server on the loopback interface, for tests, benchmarks and the demo:
    ``with LoopbackServer(Handler) as server: ... server.url``. Subclasses that build their
    handler from their own state override ``handler``. Clients that hang up mid-answer (what a
    crawl's timeouts do) are no error worth a traceback."""

    def __init__(self, handler: type[BaseHTTPRequestHandler] | None = None, host: str = "127.0.0.1",
                 port: int = 0, name: str = "loopback"):
        self._handler, self._host, self._port, self._name = handler, host, port, name
        self._server: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None

    def handler(self) -> type[BaseHTTPRequestHandler]:
        assert self._handler is not None, "give a handler or override handler()"
        return self._handler

    # -- lifecycle ----------------------------------------------------------------------
    def start(self) -> Self:
        if self._server is None:
            self._server = _Server((self._host, self._port), self.handler())
            self._port = self._server.server_address[1]  # the port taken; kept after stop()
            # A short poll interval makes stop() quick: tests start and stop many servers.
            self._thread = threading.Thread(target=self._server.serve_forever, args=(0.05,),
                                            daemon=True, name=self._name)
            self._thread.start()
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    @property
    def port(self) -> int:
        if not self._port:
            raise RuntimeError(f"{type(self).__name__} is not started")
        return self._port

    @property
    def url(self) -> str:
        return f"http://{self._host}:{self.port}"


class _Server(ThreadingHTTPServer):
    daemon_threads = True  # an answer still sleeping must not keep the process alive

    def handle_error(self, request: object, client_address: object) -> None:
        pass


class ReplaySite(LoopbackServer):
    """A loopback HTTP server (and proxy) that serves one captured site from its manifest."""

    def __init__(self, site_dir: str | Path, host: str = "127.0.0.1", port: int = 0,
                 validators: bool = True):
        """``validators=False`` serves no ETag or Last-Modified, like many real servers: a
        re-crawl then has only the content to tell an unchanged page by."""
        self.site_dir = Path(site_dir)
        self.validators = validators
        manifest = json.loads((self.site_dir / "manifest.json").read_text(encoding="utf-8"))
        self.base: str = manifest["base"].rstrip("/")
        self.requests: list[str] = []
        self._lock = threading.Lock()
        self._exact: dict[str, dict] = {}
        self._by_key: dict[tuple, dict] = {}
        for entry in manifest["entries"]:
            self._exact[entry["url"]] = entry
            parts = urlsplit(entry["url"])
            self._by_key.setdefault(_key(parts.path, parts.query), entry)
        self._overrides: dict[tuple, _Response] = {}
        super().__init__(host=host, port=port, name=f"replay-{self.site_dir.name}")

    def handler(self) -> type[BaseHTTPRequestHandler]:
        return _handler_for(self)

    @property
    def proxy_url(self) -> str:
        return self.url

    # -- content ------------------------------------------------------------------------
    def override(self, url: str, status: int = 200, body: bytes = b"",
                 content_type: str = "text/html; charset=utf-8",
                 headers: dict | None = None) -> None:
        """Serve ``body`` for ``url`` (absolute, or a path) instead of the capture, verbatim."""
        parts = urlsplit(url)
        self._overrides[_key(parts.path, parts.query)] = _Response(
            status, body, content_type, {str(k): str(v) for k, v in (headers or {}).items()})

    def _respond(self, target: str) -> _Response:
        """The answer to a request line's target: an absolute URL (proxy) or a path (plain)."""
        absolute = "://" in target.split("?", 1)[0]
        url = target if absolute else self.base + (target if target.startswith("/") else "/" + target)
        parts = urlsplit(url)
        key = _key(parts.path, parts.query)
        if key in self._overrides:
            return self._overrides[key]
        # A host other than the manifest's still matches on path and query, so a site whose
        # base is a placeholder works behind any address.
        entry = self._exact.get(url) or self._by_key.get(key)
        if entry is None:
            return _Response(404, NOT_FOUND, "text/html; charset=utf-8")
        body = (self.site_dir / entry["file"]).read_bytes()
        ctype = entry.get("content_type") or "application/octet-stream"
        if not absolute and self._server is not None and any(t in ctype for t in _TEXT_TYPES):
            body = self._rewrite(body)
        headers = {"ETag": f'"{hashlib.sha1(body).hexdigest()[:20]}"'} if self.validators else {}
        if entry.get("last_modified") and self.validators:
            headers["Last-Modified"] = entry["last_modified"]
        if _is_rest_collection(parts.path, parts.query, ctype, body):
            total = len(json.loads(body))
            headers.update({"X-WP-Total": str(total), "X-WP-TotalPages": "1" if total else "0"})
        return _Response(entry.get("status", 200), body, ctype, headers)

    def _rewrite(self, body: bytes) -> bytes:
        here = self.url.encode()
        base = self.base.encode()
        return body.replace(base, here).replace(base.replace(b"/", b"\\/"), here.replace(b"/", b"\\/"))

    def _log(self, url: str) -> None:
        with self._lock:
            self.requests.append(url)


def _handler_for(site: ReplaySite) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"
        server_version = "ReplaySite/1"

        def do_GET(self) -> None:
            self._answer(send_body=True)

        def do_HEAD(self) -> None:
            self._answer(send_body=False)

        def _answer(self, send_body: bool) -> None:
            proxied = "://" in self.path.split("?", 1)[0]
            site._log(self.path if proxied else site.url + self.path)
            r = site._respond(self.path)
            etag = r.headers.get("ETag")
            if etag and r.status == 200 and etag in self.headers.get("If-None-Match", ""):
                r = _Response(304, b"", r.content_type, {"ETag": etag})
            send(self, r.status, r.body if send_body else b"", r.content_type, r.headers,
                 length=len(r.body))

        def log_message(self, format: str, *args: object) -> None:
            pass  # tests and crawls have their own logs; one line per request is noise

    return Handler


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m scraper.replay",
                                     description="Serve a captured site (manifest folder) on 127.0.0.1.")
    parser.add_argument("site_dir", help="folder with manifest.json")
    parser.add_argument("--port", type=int, default=8000, help="port to listen on (0: any free port)")
    parser.add_argument("--host", default="127.0.0.1")
    args = parser.parse_args(argv)
    site = ReplaySite(args.site_dir, args.host, args.port)
    try:
        site.start()
    except OSError as exc:  # one line saying what to do, not a traceback
        if exc.errno == errno.EADDRINUSE:
            sys.exit(f"{parser.prog}: port {args.port} on {args.host} is already in use: choose another "
                     "with --port N, or --port 0 for any free port")
        sys.exit(f"{parser.prog}: cannot listen on {args.host} port {args.port}: {exc.strerror or exc}")
    with site:
        print(f"Serving {site.base} at {site.url}/ (also usable as http_proxy). Ctrl-C to stop.",
              flush=True)
        try:
            threading.Event().wait()
        except KeyboardInterrupt:
            pass


if __name__ == "__main__":
    main()
