"""Commento and Commento++: ``<script src="<origin>/js/commento.js">`` fills ``#commento``.

The thread comes whole from ``POST <origin>/api/comment/list`` with the page's host and path
(``data-page-id`` on the script replaces the path); authors are in a separate ``commenters``
map keyed by ``commenterHex``. Errors come as ``{"success": false, "message": ...}``.
"""
from __future__ import annotations

import json
import re
from collections.abc import Mapping
from typing import Any
from urllib.parse import urlsplit

from ..extractors.page import Page
from ..urls import safe_join
from .base import (Batch, CommentSystem, CommentSystemError, Embed, Fetch, comment_row, html_text,
                   load_json, require, script_sources_text)

_SCRIPT_SRC = re.compile(r"^(.*?)/js/commento\.js(?:[?#].*)?$")
_SCRIPT_FILE = "/js/commento.js"
# Hosted Commento serves its script from a CDN host and its API from the main one.
_CDN_ORIGINS = {"https://cdn.commento.io": "https://commento.io"}
_NO_VALUE = "undefined"  # what Commento stores for a link or photo the commenter never gave


class Commento(CommentSystem):
    name = "commento"
    priority = 10

    def detect(self, page: Page) -> Embed | None:
        if _SCRIPT_FILE not in script_sources_text(page):  # one search: most pages load no Commento
            return None
        for script in (s for s in page.everywhere("script") if s.get("src") is not None):
            # A substring test first: the pattern is tried only where its fixed part is.
            match = _SCRIPT_SRC.match(script.get("src").strip()) if _SCRIPT_FILE in script.get("src") else None
            origin = safe_join(page.url, match.group(1) or "/") if match else None
            if origin:
                origin = origin.rstrip("/")
                parts = urlsplit(page.url)
                return Embed(self.name, {
                    "origin": _CDN_ORIGINS.get(origin, origin),
                    "domain": parts.netloc,  # the client sends location.host (with the port)
                    "path": script.get("data-page-id") or parts.path or "/",
                })
        return None

    def first_fetch(self, embed: Embed, settings: Mapping[str, Any]) -> Fetch | None:
        body = {"commenterToken": "anonymous", "domain": embed.params["domain"], "path": embed.params["path"]}
        return Fetch(f"{embed.params['origin']}/api/comment/list", method="POST",
                     body=json.dumps(body).encode(), headers={"Content-Type": "application/json"})

    def parse(self, embed: Embed, fetch: Fetch, body: bytes, headers: Mapping[str, str]) -> Batch:
        data = load_json(body, "commento list")
        if require(data, "success", bool, "commento list") is False:
            raise CommentSystemError(f"commento list: {data.get('message') or 'failed'}")
        commenters = require(data, "commenters", dict, "commento list")
        return Batch([_row(c, commenters) for c in require(data, "comments", list, "commento list")])


def _row(c: Any, commenters: dict) -> dict:
    what = "commento comment"
    who = require(c, "commenterHex", str, what)
    commenter = commenters.get(who) or {}
    name = require(commenter, "name", str, "commento commenter", optional=True) if commenter else None
    link = require(commenter, "link", str, "commento commenter", optional=True) if commenter else None
    deleted = require(c, "deleted", bool, what, optional=True) or False
    parent = require(c, "parentHex", str, what)
    return comment_row(require(c, "commentHex", str, what), None if parent == "root" else parent,
                       author_name=None if deleted else name,
                       author_url=link if link and link != _NO_VALUE else None,
                       published_raw=require(c, "creationDate", str, what),
                       # html is what the embed shows; markdown is blank to anyone but its author.
                       text=None if deleted else html_text(require(c, "html", str, what, optional=True)))
