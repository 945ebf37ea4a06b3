"""Substack: a post page loads its comments from the publication's own JSON API.

A Substack page (on ``*.substack.com`` or a custom domain) loads its assets from
``substackcdn.com`` and carries its data in ``window._preloads`` (a JSON string inside a
``JSON.parse("...")`` call on current pages), where ``"post":{"id":<n>`` is the post's id.
The thread: ``GET <site>/api/v1/post/<id>/comments?token=&all_comments=true&sort=oldest_first``,
the request Substack's reader makes, as public clients (gapmiss/substack-clipper
src/comments.ts) do too. Comments nest in ``children``; ``body`` is plain text, null when the
comment was removed.
"""
from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any
from urllib.parse import urlsplit

from ..extractors.page import Page
from ..extractors.walk import any_attribute_holds
from .base import (Batch, CommentSystem, Embed, Fetch, comment_row, inline_scripts_with, load_json, require,
                   script_sources_text)

# Quotes may be escaped (\") when the preloads are a JSON string inside the script.
_POST_ID = re.compile(r'\\?"post\\?"\s*:\s*\{\s*\\?"id\\?"\s*:\s*(\d+)')
_SLUG = re.compile(r"^/p/([^/]+)")


class Substack(CommentSystem):
    name = "substack"

    def detect(self, page: Page) -> Embed | None:
        if not ("substackcdn.com" in script_sources_text(page)
                or any_attribute_holds(page.everywhere("link"), "href", "substackcdn.com")):
            return None
        for text in inline_scripts_with(page, "_preloads"):
            match = _POST_ID.search(text)
            if match:
                parts = urlsplit(page.url)
                slug = _SLUG.match(parts.path)
                return Embed(self.name, {"site": f"{parts.scheme}://{parts.netloc}", "post_id": match.group(1),
                                         "slug": slug.group(1) if slug else ""})
        return None

    def first_fetch(self, embed: Embed, settings: Mapping[str, Any]) -> Fetch | None:
        return Fetch(f"{embed.params['site']}/api/v1/post/{embed.params['post_id']}/comments"
                     "?token=&all_comments=true&sort=oldest_first")

    def parse(self, embed: Embed, fetch: Fetch, body: bytes, headers: Mapping[str, str]) -> Batch:
        data = load_json(body, "Substack comments")
        rows: list[dict] = []
        _walk(require(data, "comments", list, "Substack comments"), None, embed, rows)
        return Batch(rows)


def _walk(comments: list, parent: int | None, embed: Embed, rows: list[dict]) -> None:
    """Rows for ``comments`` and their children, each before its replies."""
    for c in comments:
        what = "Substack comment"
        comment_id = require(c, "id", int, what)
        handle = require(c, "handle", str, what, optional=True)
        user = require(c, "user_id", int, what, optional=True)
        body = require(c, "body", str, what, optional=True)
        slug = embed.params.get("slug")
        rows.append(comment_row(
            comment_id, parent,
            author_name=require(c, "name", str, what, optional=True),
            author_url=f"https://substack.com/profile/{user}-{handle}" if user and handle else None,
            published_raw=require(c, "date", str, what),
            text=body.strip() or None if body else None,
            page_url=f"{embed.params['site']}/p/{slug}/comment/{comment_id}" if slug else None))
        _walk(require(c, "children", list, what, optional=True) or [], comment_id, embed, rows)
