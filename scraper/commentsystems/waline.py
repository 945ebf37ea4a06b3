"""Waline: a comment server the page starts with ``Waline.init({el, serverURL, path})`` (the
``@waline/client`` script).

``GET <serverURL>/api/comment?path=&page=&pageSize=&sortBy=insertedAt_asc`` pages over the
top-level comments; each carries all its replies in ``children`` (flat, with ``pid`` the
parent and ``rid`` the top-level comment). The answer is ``{errno, errmsg, data: {page,
totalPages, pageSize, count, data: [...]}}``.
"""
from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import datetime, timezone
from typing import Any
from urllib.parse import parse_qs, unquote, urlencode, urlsplit

from ..extractors.page import Page
from ..urls import safe_join
from .base import (Batch, CommentSystem, CommentSystemError, Embed, Fetch, comment_row, html_text,
                   inline_scripts_with, load_json, require)

PAGE_SIZE = 100  # the server takes any size; fewer requests than the widget's 10
_INIT = re.compile(r"\bWaline\b|@waline/client")
def _names_waline(script: str) -> bool:
    # The pattern has no fixed start to look for: each of its fixed parts is looked for first.
    return ("Waline" in script or "@waline/client" in script) and bool(_INIT.search(script))


_SERVER = re.compile(r"""\bserverURL['"]?\s*:\s*(['"`])(.*?)\1""")
_PATH = re.compile(r"""[\s,{]['"]?path['"]?\s*:\s*(['"`])(.*?)\1""")


class Waline(CommentSystem):
    name = "waline"
    priority = 10

    def detect(self, page: Page) -> Embed | None:
        for script in inline_scripts_with(page, "aline"):  # only the rare script naming Waline
            server = _SERVER.search(script) if _names_waline(script) else None
            named = server.group(2).strip() if server else ""
            address = safe_join(page.url, named) if named else None
            if address:  # none named, or a malformed address
                path = _PATH.search(script)
                return Embed(self.name, {
                    "server": address.rstrip("/"),
                    # The client's default: location.pathname, decoded.
                    "path": path.group(2) if path else unquote(urlsplit(page.url).path or "/"),
                })
        return None

    def first_fetch(self, embed: Embed, settings: Mapping[str, Any]) -> Fetch | None:
        return _fetch(embed, 1)

    def parse(self, embed: Embed, fetch: Fetch, body: bytes, headers: Mapping[str, str]) -> Batch:
        answer = load_json(body, "waline comments")
        if require(answer, "errno", int, "waline comments", optional=True):
            raise CommentSystemError(f"waline comments: {answer.get('errmsg') or answer['errno']}")
        data = require(answer, "data", dict, "waline comments")
        rows = []
        for root in require(data, "data", list, "waline comments"):
            rows.append(_row(root, None))
            rows.extend(_row(child, "pid") for child in require(root, "children", list, "waline comment"))
        # The page number is the one asked for: the answer's echo of it may be a string.
        page = int(parse_qs(urlsplit(fetch.url).query).get("page", ["1"])[0])
        more = page < require(data, "totalPages", int, "waline comments")
        return Batch(rows, next=_fetch(embed, page + 1) if more else None)


def _fetch(embed: Embed, page: int) -> Fetch:
    query = urlencode({"path": embed.params["path"], "page": page, "pageSize": PAGE_SIZE,
                       "sortBy": "insertedAt_asc"})
    return Fetch(f"{embed.params['server']}/api/comment?{query}")


def _row(c: Any, parent_key: str | None) -> dict:
    what = "waline comment"
    millis = require(c, "time", (int, float), what)
    try:
        published = datetime.fromtimestamp(millis / 1000, timezone.utc).isoformat()
    except (OverflowError, OSError, ValueError):
        raise CommentSystemError(f"{what}: 'time' {millis!r} is no time") from None
    return comment_row(require(c, "objectId", (str, int), what),
                       require(c, parent_key, (str, int), what) if parent_key else None,
                       author_name=require(c, "nick", str, what, optional=True),
                       author_url=require(c, "link", str, what, optional=True),
                       published_raw=str(millis), published=published,
                       text=html_text(require(c, "comment", str, what, optional=True)))
