"""Cusdis: ``<div id="cusdis_thread" data-host data-app-id data-page-id>`` and its script.

``GET <host>/api/open/comments?appId=&pageId=&page=`` answers ten top-level comments a page,
newest first, with ``pageCount``; each carries its replies nested in ``replies`` (the same
wrapper, recursively, holding only the first page of them). Older servers answer bare lists.
"""
from __future__ import annotations

from collections.abc import Mapping
from typing import Any
from urllib.parse import parse_qs, urlencode, urlsplit

from ..extractors.page import Page
from ..urls import safe_join
from .base import Batch, CommentSystem, Embed, Fetch, comment_row, html_text, load_json, require

DEFAULT_HOST = "https://cusdis.com"  # the hosted service, when the embed names no host


class Cusdis(CommentSystem):
    name = "cusdis"
    priority = 10

    def detect(self, page: Page) -> Embed | None:
        # "#cusdis" is the widget's older, deprecated id.
        for el in page.with_attribute("id", "cusdis_thread", "cusdis"):  # the page's index: no scan
            app, thread = (el.get("data-app-id") or "").strip(), (el.get("data-page-id") or "").strip()
            if app and thread:  # the widget asks for exactly this page id: nothing to guess
                host = safe_join(page.url, (el.get("data-host") or DEFAULT_HOST).strip())
                if host is None:  # a malformed server address: no endpoint to ask
                    return None
                return Embed(self.name, {"host": host.rstrip("/"), "app_id": app, "page_id": thread})
        return None

    def first_fetch(self, embed: Embed, settings: Mapping[str, Any]) -> Fetch | None:
        return _fetch(embed, 1)

    def parse(self, embed: Embed, fetch: Fetch, body: bytes, headers: Mapping[str, str]) -> Batch:
        data = require(load_json(body, "cusdis comments"), "data", (dict, list), "cusdis comments")
        rows: list[dict] = []
        cut = _walk(data, None, rows)
        page = int(parse_qs(urlsplit(fetch.url).query).get("page", ["1"])[0])
        pages = require(data, "pageCount", int, "cusdis comments") if isinstance(data, dict) else 1
        return Batch(rows, next=_fetch(embed, page + 1) if page < pages else None,
                     incomplete=f"{cut} replies past the first page of their parent's" if cut else None)


def _fetch(embed: Embed, page: int) -> Fetch:
    query = urlencode({"appId": embed.params["app_id"], "pageId": embed.params["page_id"], "page": page})
    return Fetch(f"{embed.params['host']}/api/open/comments?{query}")


def _walk(wrapper: dict | list, parent: str | None, rows: list[dict]) -> int:
    """Rows for one level and the levels below; returns how many replies the server left out."""
    what = "cusdis comment"
    items = wrapper if isinstance(wrapper, list) else require(wrapper, "data", list, "cusdis comments")
    cut = 0
    if parent is not None and isinstance(wrapper, dict):
        cut = max(0, (require(wrapper, "commentCount", int, "cusdis replies", optional=True) or 0) - len(items))
    for c in items:
        comment_id = require(c, "id", str, what)
        content = require(c, "parsedContent", str, what, optional=True)
        row = comment_row(comment_id, parent, author_name=require(c, "by_nickname", str, what, optional=True),
                          published_raw=require(c, "createdAt", str, what),
                          text=html_text(content) if content is not None
                          else require(c, "content", str, what, optional=True))
        # A reply written from the dashboard carries the moderator (the site's owner).
        row["by_post_author"] = True if require(c, "moderatorId", str, what, optional=True) else None
        rows.append(row)
        cut += _walk(require(c, "replies", (dict, list), what, optional=True) or [], comment_id, rows)
    return cut
