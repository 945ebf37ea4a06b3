"""Mastodon as comments: the replies to a toot that announced the article.

Two embeds seen in public code: the ``mastodon-comments`` web component
(``<mastodon-comments host="fosstodon.org" user="dpecos" tootId="1095...">``, dpecos/mastodon-comments)
and fediverse-comments' ``data-responses-to-url="https://<host>/@<user>/<id>"``
(UppaJung/fediverse-comments). Both read the thread from
``GET https://<host>/api/v1/statuses/<id>/context``: ``descendants`` are the replies, each naming
the status it answers in ``in_reply_to_id`` (the toot itself: a top-level comment). Anonymous
callers get at most 60 descendants, 20 levels deep (Mastodon's documentation of the method).
"""
from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from ..extractors.comments import has_embed_marker
from ..extractors.page import Page
from ..urls import split_or_none
from .base import Batch, CommentSystem, CommentSystemError, Embed, Fetch, comment_row, html_text, load_json, require

ANONYMOUS_LIMIT = 60
_HOST = re.compile(r"^[a-z0-9.-]+\.[a-z]{2,}(?::\d+)?$", re.I)
_STATUS_PATH = re.compile(r"^/@[^/]+/(\d+)/?$")


class Mastodon(CommentSystem):
    name = "mastodon"

    def detect(self, page: Page) -> Embed | None:
        for el in page.tagged("mastodon-comments"):
            # HTML attribute names are case-blind: tootId is read as tootid.
            host, toot = (el.get("host") or "").strip().strip("/"), (el.get("tootid") or "").strip()
            if _HOST.match(host) and toot.isdigit():
                return Embed(self.name, {"host": host, "status_id": toot})
        if not has_embed_marker(page, "data-responses-to-url"):  # a cheap question first
            return None
        for url in page.xpath("//@data-responses-to-url"):
            parts = split_or_none(url.strip())
            match = _STATUS_PATH.match(parts.path) if parts else None
            if match and parts.scheme in ("http", "https") and _HOST.match(parts.netloc):
                return Embed(self.name, {"host": parts.netloc, "status_id": match.group(1)})
        return None

    def first_fetch(self, embed: Embed, settings: Mapping[str, Any]) -> Fetch | None:
        return Fetch(f"https://{embed.params['host']}/api/v1/statuses/{embed.params['status_id']}/context")

    def parse(self, embed: Embed, fetch: Fetch, body: bytes, headers: Mapping[str, str]) -> Batch:
        data = load_json(body, "Mastodon context")
        replies = require(data, "descendants", list, "Mastodon context")
        root = embed.params["status_id"]
        rows = [_row(status, root) for status in replies]
        full = len(replies) >= ANONYMOUS_LIMIT
        return Batch(rows, incomplete=(f"Mastodon gives anonymous callers at most {ANONYMOUS_LIMIT} replies; "
                                       "there may be more") if full else None)


def _row(status: object, root: str) -> dict:
    what = "Mastodon status"
    account = require(status, "account", dict, what)
    parent = require(status, "in_reply_to_id", str, what, optional=True)
    if parent is None:
        raise CommentSystemError(f"{what}: a descendant that replies to nothing")
    return comment_row(
        require(status, "id", str, what), None if parent == root else parent,
        author_name=require(account, "display_name", str, what, optional=True) or require(account, "acct", str, what),
        author_url=require(account, "url", str, what, optional=True),
        published_raw=require(status, "created_at", str, what),
        text=html_text(require(status, "content", str, what)),
        page_url=require(status, "url", str, what, optional=True))
