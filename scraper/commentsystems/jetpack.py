"""WordPress.com and Jetpack comments: the page prints the whole thread itself.

WordPress.com ("highlander" comments: ``highlander-enabled`` on the body, ``li.highlander-comment``)
and self-hosted sites with Jetpack Comments (the ``jetpack_remote_comment`` form iframe, Jetpack's
comment scripts) print every comment in WordPress's own markup (``li#li-comment-<id>``,
``ul.children``); only the form comes from WordPress.com. So there is nothing to fetch:
``first_fetch`` returns None and the HTML extractor reads the thread. Priority 0: any
third-party system found on the same page is where its comments really are.
"""
from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ..extractors.page import Page
from .base import Batch, CommentSystem, Embed, Fetch, iframe_sources, script_sources_text

_SCRIPTS = ("jetpack-comments", "/mu-plugins/highlander-comments", "/jetpack-comment/")


class Jetpack(CommentSystem):
    name = "jetpack"
    priority = 0

    def detect(self, page: Page) -> Embed | None:
        hosted = "highlander-enabled" in page.body_classes or page.with_class("highlander-comment")
        remote_form = (any("jetpack_remote_comment" in (f.get("id"), f.get("name")) for f in page.tagged("iframe"))
                       or any("jetpack.wordpress.com/jetpack-comment" in src for src in iframe_sources(page)))
        scripts = any(part in script_sources_text(page) for part in _SCRIPTS)
        if not (hosted or remote_form or scripts):
            return None
        return Embed(self.name, {"source": "wordpress.com" if hosted else "jetpack"})

    def first_fetch(self, embed: Embed, settings: Mapping[str, Any]) -> Fetch | None:
        return None  # the page's markup holds the thread

    def parse(self, embed: Embed, fetch: Fetch, body: bytes, headers: Mapping[str, str]) -> Batch:
        raise NotImplementedError("Jetpack threads are read from the page")
