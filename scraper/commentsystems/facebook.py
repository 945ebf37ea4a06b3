"""The Facebook comments plugin: ``<div class="fb-comments" data-href="<url>">`` (or XFBML's
``<fb:comments href=...>``) that Facebook's JavaScript SDK turns into an iframe.

The comments live only in that iframe, which Facebook renders for a browser; the Graph API
that lists them needs an access token. So the thread is recorded as not fetchable here.
"""
from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ..extractors.page import Page
from ..urls import absolute
from .base import Batch, CommentSystem, Embed, Fetch, Unavailable, script_sources_text


class Facebook(CommentSystem):
    name = "facebook"

    def detect(self, page: Page) -> Embed | None:
        # "fb-comments-count" (a count badge) is not the plugin; the class test is exact.
        found = [el for el in page.with_class("fb-comments") if el.get("href") or el.get("data-href")]
        if not found:  # the XFBML tag: asked only of pages that load Facebook's SDK at all
            found = page.xpath("//*[local-name()='fb:comments'][@href or @data-href]") if (
                "facebook" in script_sources_text(page)
                or "fb:comments" in page.root.attrib.get("xmlns:fb", "")) else []
        if not found:
            return None
        href = (found[0].get("data-href") or found[0].get("href") or "").strip()
        sdk = "connect.facebook.net" in script_sources_text(page)
        return Embed(self.name, {"href": absolute(page.url, href) or page.url, "sdk": "1" if sdk else "0"})

    def first_fetch(self, embed: Embed, settings: Mapping[str, Any]) -> Fetch | None:
        raise Unavailable("Facebook comments need a browser or an access token")

    def parse(self, embed: Embed, fetch: Fetch, body: bytes, headers: Mapping[str, str]) -> Batch:
        raise NotImplementedError("Facebook comments are never fetched")
