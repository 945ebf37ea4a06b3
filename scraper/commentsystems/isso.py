"""Isso: a self-hosted comment server; the page holds only the embed and ``#isso-thread``.

The thread comes whole from ``GET <server>/?uri=<thread>`` (no ``limit`` / ``nested_limit``: the
server then leaves nothing out). Isso keeps one nesting level: a reply to a reply is stored
under the top-level comment, so ``parent`` is what the server kept, not what the reader clicked.
"""
from __future__ import annotations

import html
import re
from collections.abc import Mapping
from datetime import datetime, timezone
from typing import Any
from urllib.parse import urlencode, urlsplit

from ..extractors.page import Page
from ..urls import safe_join
from .base import (Batch, CommentSystem, CommentSystemError, Embed, Fetch, comment_row, html_text,
                   load_json, require)

# The embed script Isso serves from its own root: the server is what precedes "/js/...".
_EMBED_SRC = re.compile(r"^(.*?)/js/embed(?:\.min|\.dev)?\.js(?:[?#].*)?$")


class Isso(CommentSystem):
    name = "isso"
    priority = 10

    def detect(self, page: Page) -> Embed | None:
        threads = page.with_attribute("id", "isso-thread")  # the page's index: no scan
        if not threads:  # the client renders nothing without it (embed.js aborts)
            return None
        server = _server(page)
        if server is None:
            return None
        # The client's thread id: data-isso-id, else the page's path as the browser has it.
        uri = threads[0].get("data-isso-id") or urlsplit(page.url).path or "/"
        return Embed(self.name, {"server": server, "uri": uri})

    def first_fetch(self, embed: Embed, settings: Mapping[str, Any]) -> Fetch | None:
        # Without "plain", text comes rendered (HTML), as the embed shows it.
        return Fetch(f"{embed.params['server']}/?{urlencode({'uri': embed.params['uri']})}")

    def parse(self, embed: Embed, fetch: Fetch, body: bytes, headers: Mapping[str, str]) -> Batch:
        data = load_json(body, "isso thread")
        rows: list[dict] = []
        hidden = _walk(require(data, "replies", list, "isso thread"), rows)
        hidden += require(data, "hidden_replies", int, "isso thread", optional=True) or 0
        return Batch(rows, incomplete=f"{hidden} comments left out by the server" if hidden else None)


def _server(page: Page) -> str | None:
    """Where the Isso server is: ``data-isso`` on any script, else the embed script's root;
    a malformed address names no server."""
    for value in page.xpath("//script/@data-isso"):
        if value.strip():
            server = safe_join(page.url, value.strip())
            return server.rstrip("/") if server else None
    for src in page.xpath("//script/@src"):
        match = _EMBED_SRC.match(src.strip())
        if match:
            server = safe_join(page.url, match.group(1) or "/")
            return server.rstrip("/") if server else None
    return None


def _utc(created: float) -> str:
    try:
        return datetime.fromtimestamp(created, timezone.utc).isoformat()
    except (OverflowError, OSError, ValueError):
        raise CommentSystemError(f"isso comment: 'created' {created!r} is no time") from None


def _walk(replies: list, rows: list[dict]) -> int:
    """Rows for ``replies`` and theirs, depth first; returns how many the server held back."""
    hidden = 0
    for c in replies:
        what = "isso comment"
        comment_id = require(c, "id", int, what)
        created = require(c, "created", (int, float), what)
        author = require(c, "author", str, what, optional=True)
        website = require(c, "website", str, what, optional=True)
        rows.append(comment_row(
            comment_id, require(c, "parent", int, what, optional=True),
            # Isso escapes author and website when it stores them; the embed inserts them as HTML.
            author_name=html.unescape(author) if author else None,
            author_url=html.unescape(website) if website else None,
            published_raw=repr(created),
            published=_utc(created),
            text=html_text(require(c, "text", str, what, optional=True))))
        hidden += require(c, "hidden_replies", int, what, optional=True) or 0
        hidden += _walk(require(c, "replies", list, what, optional=True) or [], rows)
    return hidden
