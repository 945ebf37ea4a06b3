"""Bluesky as comments: the replies to a post that announced the article.

Embeds seen in public code: ``<bsky-comments post="at://... | https://bsky.app/profile/...">``
(loueed/bsky and others), ``<blue-comments uri="at://...">`` (aendra-rininsland/blue-comments),
a ``data-bsky-uri`` attribute. A bsky.app link in a comments section is not one: a reader's
comment that links a post would bring a stranger's thread into the article.

The thread comes from the public AppView, no token needed:
``GET https://public.api.bsky.app/xrpc/app.bsky.feed.getPostThread?uri=<at-uri>&depth=1000``
(1000 is the lexicon's maximum). A bsky.app link names the author by handle or DID; the at-uri
needs the DID, so a handle is first resolved with ``com.atproto.identity.resolveHandle``.
Replies nest in ``thread.replies[]``; each names its parent in ``post.record.reply.parent.uri``
(the announcing post: a top-level comment). Replies that are deleted or blocked
(``notFoundPost`` / ``blockedPost``) carry no post and give no row.
"""
from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any
from urllib.parse import quote, urlencode

from ..extractors.comments import has_embed_marker
from ..extractors.page import Page
from .base import Batch, CommentSystem, CommentSystemError, Embed, Fetch, comment_row, load_json, require

XRPC = "https://public.api.bsky.app/xrpc"
MAX_DEPTH = 1000
_AT_URI = re.compile(r"^at://(did:[a-z]+:[\w.:%-]+)/app\.bsky\.feed\.post/([\w~.-]+)$")
_WEB_URL = re.compile(r"^https?://(?:www\.)?bsky\.app/profile/([^/?#]+)/post/([\w~.-]+)")


class Bluesky(CommentSystem):
    name = "bluesky"

    def detect(self, page: Page) -> Embed | None:
        candidates = [*(el.get("post") or el.get("uri") or "" for el in page.tagged("bsky-comments", "blue-comments")),
                      *(page.xpath("//@data-bsky-uri") if has_embed_marker(page, "data-bsky-uri") else ())]
        for value in candidates:
            value = value.strip()
            if _AT_URI.match(value):
                return Embed(self.name, {"uri": value})
            web = _WEB_URL.match(value)
            if web:
                actor, rkey = web.groups()
                if actor.startswith("did:"):
                    return Embed(self.name, {"uri": _at_uri(actor, rkey)})
                return Embed(self.name, {"handle": actor, "rkey": rkey})
        return None

    def first_fetch(self, embed: Embed, settings: Mapping[str, Any]) -> Fetch | None:
        if embed.params.get("uri"):
            return _thread_fetch(embed.params["uri"])
        return Fetch(f"{XRPC}/com.atproto.identity.resolveHandle?{urlencode({'handle': embed.params['handle']})}")

    def parse(self, embed: Embed, fetch: Fetch, body: bytes, headers: Mapping[str, str]) -> Batch:
        if "/com.atproto.identity.resolveHandle" in fetch.url:
            did = require(load_json(body, "Bluesky handle"), "did", str, "Bluesky handle")
            if not did.startswith("did:"):
                raise CommentSystemError(f"Bluesky handle: {did!r} is no DID")
            return Batch([], _thread_fetch(_at_uri(did, embed.params["rkey"])))
        thread = require(load_json(body, "Bluesky thread"), "thread", dict, "Bluesky thread")
        root = require(require(thread, "post", dict, "Bluesky thread"), "uri", str, "Bluesky post")
        rows: list[dict] = []
        _walk(require(thread, "replies", list, "Bluesky thread", optional=True) or [], root, rows)
        return Batch(rows)


def _at_uri(did: str, rkey: str) -> str:
    return f"at://{did}/app.bsky.feed.post/{rkey}"


def _thread_fetch(uri: str) -> Fetch:
    return Fetch(f"{XRPC}/app.bsky.feed.getPostThread?uri={quote(uri, safe='')}&depth={MAX_DEPTH}")


def _walk(replies: list, root: str, rows: list[dict]) -> None:
    """Rows for ``replies`` and theirs, depth first (each before its replies)."""
    for node in replies:
        post = require(node, "post", dict, "Bluesky reply", optional=True)
        if post is None:  # notFoundPost, blockedPost: nothing to keep
            continue
        what = "Bluesky post"
        uri = require(post, "uri", str, what)
        record = require(post, "record", dict, what)
        reply = require(record, "reply", dict, what)
        parent = require(require(reply, "parent", dict, what), "uri", str, what)
        author = require(post, "author", dict, what)
        handle = require(author, "handle", str, what)
        rkey = uri.rsplit("/", 1)[-1]
        rows.append(comment_row(
            uri, None if parent == root else parent,
            author_name=require(author, "displayName", str, what, optional=True) or handle,
            author_url=f"https://bsky.app/profile/{handle}",
            published_raw=require(record, "createdAt", str, what),
            text=require(record, "text", str, what).strip() or None,
            page_url=f"https://bsky.app/profile/{handle}/post/{rkey}"))
        _walk(require(node, "replies", list, what, optional=True) or [], root, rows)
