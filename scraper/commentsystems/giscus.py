"""giscus: comments kept as a GitHub Discussion, shown in an iframe from giscus.app.

The page holds only ``<script src="https://giscus.app/client.js" data-repo data-mapping ...>``.
The thread comes from giscus.app's own JSON endpoint, which needs no token (the server falls
back to its GitHub App's token; it answers 429 when that is rate limited):
``GET https://giscus.app/api/discussions?repo=&term=|number=&category=&strict=&first=100``,
then ``&after=<endCursor>`` while ``pageInfo.hasNextPage``. Top-level comments page; their
replies (one level: a reply's ``replyToId`` is its comment) come along, but only the last 100
of each, as giscus asks GitHub for ``replies(last: 100)``.
"""
from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any
from urllib.parse import urlencode, urlsplit, urlunsplit

from ..extractors.page import Page
from .base import Batch, CommentSystem, Embed, Fetch, comment_row, html_text, load_json, require, script_sources_text

API = "https://giscus.app/api/discussions"
PER_PAGE = 100  # the most GitHub's GraphQL API gives per connection
REPLIES_KEPT = 100


class Giscus(CommentSystem):
    name = "giscus"

    def detect(self, page: Page) -> Embed | None:
        if "giscus" not in script_sources_text(page):  # one search: most pages load no giscus
            return None
        for script in (s for s in page.everywhere("script")
                       if s.get("data-repo") is not None and "giscus" in (s.get("src") or "")):
            if "/client.js" not in script.get("src", ""):
                continue
            params = {"repo": script.get("data-repo").strip(), "category": script.get("data-category") or "",
                      # giscus.app reads strict as the word "true"; the embed writes "1".
                      "strict": "true" if script.get("data-strict") == "1" else "false"}
            mapping = (script.get("data-mapping") or "pathname").strip()
            if mapping == "number":
                params["number"] = (script.get("data-term") or "").strip()
            else:
                params["term"] = _term(page, mapping, script.get("data-term") or "")
            return Embed(self.name, params) if params["repo"] and (params.get("term") or params.get("number")) else None
        return None

    def first_fetch(self, embed: Embed, settings: Mapping[str, Any]) -> Fetch | None:
        return _fetch(embed, None)

    def parse(self, embed: Embed, fetch: Fetch, body: bytes, headers: Mapping[str, str]) -> Batch:
        data = load_json(body, "giscus discussion")
        discussion = require(data, "discussion", dict, "giscus discussion", optional=True)
        if discussion is None:  # no discussion yet: nobody has commented
            return Batch([])
        rows: list[dict] = []
        cut: list[str] = []
        for comment in require(discussion, "comments", list, "giscus discussion"):
            rows.append(_row(comment, None))
            replies = require(comment, "replies", list, "giscus comment")
            rows.extend(_row(reply, require(reply, "replyToId", str, "giscus reply")) for reply in replies)
            count = require(comment, "replyCount", int, "giscus comment", optional=True) or 0
            if count > len(replies):
                cut.append(f"{comment['id']} ({count - len(replies)} of {count})")
        page_info = require(discussion, "pageInfo", dict, "giscus discussion")
        more = require(page_info, "hasNextPage", bool, "giscus pageInfo")
        next_fetch = _fetch(embed, require(page_info, "endCursor", str, "giscus pageInfo")) if more else None
        incomplete = (f"giscus returns only the last {REPLIES_KEPT} replies of a comment; earlier ones missing "
                      f"under {', '.join(cut)}") if cut else None
        return Batch(rows, next_fetch, incomplete)


def _term(page: Page, mapping: str, specific: str) -> str:
    """The discussion's search term as giscus's client.js computes it from the page."""
    if mapping == "specific":
        return specific.strip()
    if mapping == "url":  # the location without its hash (and without a "giscus" session parameter)
        parts = urlsplit(page.url)
        query = "&".join(p for p in parts.query.split("&") if p and not p.startswith("giscus="))
        return urlunsplit((parts.scheme, parts.netloc, parts.path or "/", query, ""))
    if mapping == "title":
        titles = page.everywhere("title")
        return (titles[0].text_content() if titles else "").strip()
    if mapping == "og:title":
        return (page.meta.get("og:title") or page.meta.get("title") or "").strip()
    path = urlsplit(page.url).path  # "pathname", also the client's default
    return "index" if len(path) < 2 else re.sub(r"\.\w+$", "", path[1:])


def _fetch(embed: Embed, after: str | None) -> Fetch:
    params = {k: embed.params[k] for k in ("repo", "term", "number", "category", "strict") if embed.params.get(k)}
    params["first"] = str(PER_PAGE)
    if after:
        params["after"] = after
    return Fetch(f"{API}?{urlencode(params)}")


def _row(comment: object, parent: str | None) -> dict:
    what = "giscus comment"
    author = require(comment, "author", dict, what, optional=True) or {}  # null: a deleted account
    deleted = require(comment, "deletedAt", str, what, optional=True)
    return comment_row(
        require(comment, "id", str, what), parent,
        author_name=require(author, "login", str, what, optional=True),
        author_url=require(author, "url", str, what, optional=True),
        published_raw=require(comment, "createdAt", str, what),
        text=None if deleted else html_text(require(comment, "bodyHTML", str, what)),
        page_url=require(comment, "url", str, what, optional=True))
