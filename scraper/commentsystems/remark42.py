"""Remark42: a self-hosted comment server configured by ``var remark_config = {host, site_id,
url}`` on the page, which then loads ``<host>/web/embed.js``.

``GET <host>/api/v1/find?site=&url=&format=plain&sort=+time`` answers the whole thread in one
flat list, each comment naming its parent (``pid``, empty at the top level).
"""
from __future__ import annotations

import html
import re
from collections.abc import Mapping
from typing import Any
from urllib.parse import urlencode, urlsplit

from ..extractors.page import Page
from ..urls import safe_join
from .base import (Batch, CommentSystem, Embed, Fetch, comment_row, html_text, inline_scripts_with,
                   load_json, require, script_sources, script_sources_text)

_CONFIG = re.compile(r"remark_config\s*=\s*\{(.*?)\}", re.S)
_EMBED_SRC = re.compile(r"^(.*?)/web/embed\.m?js(?:[?#].*)?$")


def _option(config: str, key: str) -> str | None:
    """A string literal option of the config object (a variable there cannot be read)."""
    match = re.search(r"""(?:^|[\s,{'"])%s['"]?\s*:\s*(['"`])(.*?)\1""" % key, config, re.S)
    return match.group(2).strip() if match else None


class Remark42(CommentSystem):
    name = "remark42"
    priority = 10

    def detect(self, page: Page) -> Embed | None:
        # A substring test first: the patterns are tried only where their fixed part is.
        config = next((m.group(1) for s in inline_scripts_with(page, "remark_config")
                       for m in [_CONFIG.search(s)] if m), None)
        sources = script_sources(page) if "/web/embed." in script_sources_text(page) else []
        embed_src = next((m.group(1) for s in sources if "/web/embed." in s
                          for m in [_EMBED_SRC.match(s.strip())] if m), None)
        if config is None and embed_src is None:
            return None
        host = (config and _option(config, "host")) or embed_src
        host = safe_join(page.url, host) if host else None
        if not host:  # none named, or a malformed address
            return None
        parts = urlsplit(page.url)
        return Embed(self.name, {
            "host": host.rstrip("/"),
            # The widget's defaults: site "remark", url = origin + path (no query, no fragment).
            "site": (config and _option(config, "site_id")) or "remark",
            "url": (config and _option(config, "url")) or f"{parts.scheme}://{parts.netloc}{parts.path}",
        })

    def first_fetch(self, embed: Embed, settings: Mapping[str, Any]) -> Fetch | None:
        query = urlencode({"site": embed.params["site"], "url": embed.params["url"],
                           "format": "plain", "sort": "+time"})
        return Fetch(f"{embed.params['host']}/api/v1/find?{query}")

    def parse(self, embed: Embed, fetch: Fetch, body: bytes, headers: Mapping[str, str]) -> Batch:
        data = load_json(body, "remark42 find")
        return Batch([_row(c) for c in require(data, "comments", list, "remark42 find")])


def _row(c: Any) -> dict:
    what = "remark42 comment"
    user = require(c, "user", dict, what)
    deleted = require(c, "delete", bool, what, optional=True) or False
    name = require(user, "name", str, "remark42 user", optional=True)
    # Remark42 stores names HTML-escaped; a hard delete renames the user "deleted".
    name = None if deleted and name == "deleted" else html.unescape(name) if name else None
    raw = require(c, "time", str, what)
    return comment_row(require(c, "id", str, what), require(c, "pid", str, what, optional=True),
                       author_name=name, published_raw=raw,
                       text=None if deleted else html_text(require(c, "text", str, what, optional=True)))
