"""A real Isso comment server for tests: started on 127.0.0.1, fed through its own API, stopped
after.

    with run_isso(tmp_path) as isso:          # or the ``isso`` fixture (one server per module)
        first = isso.post("/2024/01/a-post/", "Hello", author="Ann")
        isso.post("/2024/01/a-post/", "Hi Ann", parent=first["id"])
        isso.url                               # "http://127.0.0.1:<port>", the data-isso value

The server is Isso's own ``isso run`` in a subprocess, configured in a temporary directory
(SQLite database there, moderation off, the spam guard relaxed so that a test can post many
comments and reply to its own comments at once). ``site`` names the blog the comments belong
to (Isso's ``[general] host``, used for CORS); a crawl test passes its own blog server's origin.
"""
from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlencode

import pytest

START_TIMEOUT = 30.0

CONFIG = """\
[general]
dbpath = {db}
host = {site}
gravatar = false
notify = stdout
latest-enabled = false

[moderation]
enabled = false

[server]
listen = http://127.0.0.1:{port}
reload = false

[guard]
enabled = true
ratelimit = 10000
direct-reply = 10000
reply-to-self = true
require-author = false
require-email = false

[admin]
enabled = false
"""


class IssoError(RuntimeError):
    """The server did not start, or refused a comment (the message holds its answer or log)."""


@dataclass
class IssoServer:
    url: str  # the server's base, as a page's data-isso names it
    workdir: Path
    process: subprocess.Popen
    # Isso's edit/delete token per comment id: the cookie its answer to ``POST /new`` sets.
    cookies: dict[int, str] = field(default_factory=dict)

    def post(self, uri: str, text: str, *, author: str | None = None, website: str | None = None,
             parent: int | None = None, title: str = "A post") -> dict:
        """A new comment on thread ``uri`` through ``POST /new``; the server's answer (its
        ``id``, and ``parent`` as the server stored it). ``title`` names a new thread, so that
        Isso need not fetch the blog page to find it."""
        body = {"text": text, "author": author, "website": website, "parent": parent, "title": title}
        request = urllib.request.Request(f"{self.url}/new?{urlencode({'uri': uri})}",
                                         data=json.dumps(body).encode(), method="POST",
                                         headers={"Content-Type": "application/json"})
        try:
            with urllib.request.urlopen(request, timeout=10) as response:
                answer = json.loads(response.read())
                cookie = response.headers.get("Set-Cookie", "")
        except urllib.error.HTTPError as exc:
            raise IssoError(f"Isso refused the comment: {exc.code} {exc.read()[:300]!r}") from None
        self.cookies[answer["id"]] = cookie.split(";")[0]
        return answer

    def delete(self, comment_id: int) -> None:
        """Delete a comment as its author may (``DELETE /id/<id>``). A comment with replies
        stays in the thread as "deleted" (mode 4, no text, no author)."""
        request = urllib.request.Request(f"{self.url}/id/{comment_id}", method="DELETE",
                                         headers={"Cookie": self.cookies[comment_id]})
        with urllib.request.urlopen(request, timeout=10) as response:
            response.read()

    def get(self, url: str) -> tuple[int, bytes]:
        """Any URL on the server: status and body."""
        try:
            with urllib.request.urlopen(url, timeout=10) as response:
                return response.status, response.read()
        except urllib.error.HTTPError as exc:
            return exc.code, exc.read()

    def log(self) -> str:
        return (self.workdir / "isso.log").read_text(errors="replace")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _answers(url: str) -> bool:
    try:
        with urllib.request.urlopen(f"{url}/config", timeout=1) as response:
            return response.status == 200
    except (OSError, urllib.error.URLError):
        return False


@contextmanager
def run_isso(workdir: Path, site: str = "http://127.0.0.1") -> Iterator[IssoServer]:
    """Start Isso with a fresh database in ``workdir``; stop it on leaving."""
    workdir.mkdir(parents=True, exist_ok=True)
    port = free_port()
    config = workdir / "isso.cfg"
    config.write_text(CONFIG.format(db=workdir / "comments.db", site=site, port=port))
    # ISSO_SETTINGS wins over -c in Isso's own main(): set both, so no outside value leaks in.
    env = {**os.environ, "ISSO_SETTINGS": str(config)}
    # Isso 0.14 has no ``python -m isso``; this is what its ``isso`` console script runs.
    command = [sys.executable, "-c", "import isso; isso.main()", "-c", str(config), "run"]
    with open(workdir / "isso.log", "wb") as log:
        process = subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT, env=env, cwd=workdir)
    server = IssoServer(f"http://127.0.0.1:{port}", workdir, process)
    try:
        deadline = time.monotonic() + START_TIMEOUT
        while not _answers(server.url):
            if process.poll() is not None or time.monotonic() > deadline:
                raise IssoError(f"Isso did not start on port {port}:\n{server.log()[-2000:]}")
            time.sleep(0.1)
        yield server
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


@pytest.fixture(scope="module")
def isso(tmp_path_factory: pytest.TempPathFactory) -> Iterator[IssoServer]:
    """One Isso server for the test module (import this fixture into the module to use it)."""
    with run_isso(tmp_path_factory.mktemp("isso")) as server:
        yield server
