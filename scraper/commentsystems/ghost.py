"""Ghost's native comments (comments-ui): the page holds only the embed script,
``<script src=".../comments-ui.min.js" data-ghost-comments="<site>" data-post-id="<id>" ...>``.

The thread comes from the site's members API, as comments-ui reads it (TryGhost/Ghost,
apps/comments-ui/src/utils/api.ts): ``GET <site>/members/api/comments/post/<post id>/`` with
``limit``, ``order`` and ``page``, the next page named by ``meta.pagination.next``. Each top-level
comment brings its first few replies and ``count.replies``; the rest come from
``/members/api/comments/<id>/replies/?filter=id:>'<last reply>'``. A reply names its top-level
comment in ``parent_id`` and, on current Ghost, the reply it answers in ``in_reply_to_id``.

Requests still to make (replies of earlier comments, the next page) ride along in the next
``GhostFetch``, which the spider hands back to ``parse``; nothing of it is sent.
"""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote, urljoin, urlsplit

from ..extractors.comments import has_embed_marker
from ..extractors.page import Page
from .base import Batch, CommentSystem, CommentSystemError, Embed, Fetch, comment_row, html_text, load_json, require

PER_PAGE = 100
ORDER = "created_at%20asc"


@dataclass(frozen=True)
class GhostFetch(Fetch):
    """One request and the ones queued after it."""
    queue: tuple[str, ...] = ()


class Ghost(CommentSystem):
    name = "ghost"

    def detect(self, page: Page) -> Embed | None:
        if not has_embed_marker(page, "data-post-id"):  # a cheap question first: the embed's script has one
            return None
        for script in (s for s in page.everywhere("script") if s.get("data-post-id") is not None
                       and (s.get("data-ghost-comments") is not None or "comments-ui" in (s.get("src") or ""))):
            post_id = script.get("data-post-id").strip()
            if post_id:
                # comments-ui's own default: the page's origin.
                site = (script.get("data-ghost-comments") or "").strip() or urljoin(page.url, "/")
                return Embed(self.name, {"site": site.rstrip("/"), "post_id": post_id})
        return None

    def first_fetch(self, embed: Embed, settings: Mapping[str, Any]) -> Fetch | None:
        return GhostFetch(_page_url(embed, 1))

    def parse(self, embed: Embed, fetch: Fetch, body: bytes, headers: Mapping[str, str]) -> Batch:
        data = load_json(body, "Ghost comments")
        comments = require(data, "comments", list, "Ghost comments")
        rows: list[dict] = []
        queue: list[str] = []
        replies_of = _replies_of(fetch.url)
        for comment in comments:
            rows.append(_row(comment, replies_of))
            if replies_of:
                continue
            replies = require(comment, "replies", list, "Ghost comment", optional=True) or []
            rows.extend(_row(reply, comment["id"]) for reply in replies)
            counts = require(comment, "count", dict, "Ghost comment", optional=True) or {}
            if (require(counts, "replies", int, "Ghost comment", optional=True) or 0) > len(replies):
                queue.append(_replies_url(embed, comment["id"], replies[-1]["id"] if replies else None))
        pagination = require(require(data, "meta", dict, "Ghost comments"), "pagination", dict, "Ghost comments")
        following = require(pagination, "next", int, "Ghost pagination", optional=True)
        if following is not None:
            queue.append(_replies_url(embed, replies_of, rows[-1]["comment_id"]) if replies_of and rows
                         else _page_url(embed, following))
        queue.extend(getattr(fetch, "queue", ()))
        return Batch(rows, GhostFetch(queue[0], queue=tuple(queue[1:])) if queue else None)


def _page_url(embed: Embed, page: int) -> str:
    return (f"{embed.params['site']}/members/api/comments/post/{embed.params['post_id']}/"
            f"?limit={PER_PAGE}&order={ORDER}&page={page}")


def _replies_url(embed: Embed, comment_id: str, after: str | None) -> str:
    query = f"?limit={PER_PAGE}" + ("&filter=" + quote(f"id:>'{after}'") if after else "")
    return f"{embed.params['site']}/members/api/comments/{comment_id}/replies/{query}"


def _replies_of(url: str) -> str | None:
    """The comment whose replies ``url`` asks for, if it does."""
    parts = urlsplit(url).path.rstrip("/").split("/")
    return parts[-2] if parts[-1] == "replies" else None


def _row(comment: object, parent: str | None) -> dict:
    what = "Ghost comment"
    member = require(comment, "member", dict, what, optional=True) or {}  # null: a deleted member
    status = require(comment, "status", str, what, optional=True)
    if parent is None and require(comment, "parent_id", str, what, optional=True):
        raise CommentSystemError(f"{what}: a reply among the top-level comments")
    return comment_row(
        require(comment, "id", str, what),
        require(comment, "in_reply_to_id", str, what, optional=True) or parent,
        author_name=require(member, "name", str, what, optional=True),
        published_raw=require(comment, "created_at", str, what),
        text=html_text(require(comment, "html", str, what, optional=True)) if status in (None, "published") else None)
