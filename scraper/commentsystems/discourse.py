"""Discourse as comments: the article's discussion is a topic on a Discourse forum.

Two embeds: Discourse's own (``DiscourseEmbed = {discourseUrl, topicId | discourseEmbedUrl}``
and ``embed.js``) and the WP-Discourse plugin (``var discourse = {"url": ...}``, its
``wp-discourse/`` scripts and a link to the topic, ``/t/<slug>/<id>``).

The whole topic comes from ``<forum>/t/<id>.json``: its first posts, and in ``post_stream.stream``
the ids of all of them; the rest come from ``/t/<id>/posts.json?post_ids[]=...``. The first post
is the article itself (the forum's copy of it) and is skipped, as are the forum's small action
posts ("closed this topic"). Without a topic id the embed page ``/embed/comments?embed_url=``
names the topic (it only shows the forum's ``embed_post_limit`` posts, so it is read for that).

A reply names its parent by ``reply_to_post_number``; rows carry post ids. A parent can sit on
an earlier answer, so what the earlier answers taught (number → id) rides along in the next
request's ``DiscourseFetch``, which the spider hands back to ``parse``; nothing of it is sent.
"""
from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote, urlsplit

from ..extractors.errors import ExtractionError
from ..extractors.page import Page, parse_html, per_page
from ..urls import safe_join, split_or_none
from .base import (Batch, CommentSystem, CommentSystemError, Embed, Fetch, comment_row, html_text,
                   inline_scripts_with, load_json, require, script_sources_text)

CHUNK = 100  # post ids per posts.json request (Discourse's own client asks for 20)
REGULAR = 1  # post_type: 2 moderator action, 3 small action, 4 whisper (staff only)
_TOPIC_PATH = re.compile(r"/t/(?:[^/?#]+/)?(\d+)(?:[/?#]|$)")
_EMBED_KEYS = {key: re.compile(key + r"""\s*:\s*["']?([^"',}\s]+)""")
               for key in ("discourseUrl", "topicId", "discourseEmbedUrl")}
_WP_DISCOURSE = re.compile(r"var\s+discourse\s*=\s*(\{.*?\})\s*;", re.S)


@dataclass(frozen=True)
class DiscourseFetch(Fetch):
    """A posts.json request and what earlier answers taught: post number → post id (to name a
    parent answered before) and the post ids still to ask for."""
    numbers: tuple[tuple[int, str], ...] = ()
    rest: tuple[int, ...] = ()


class Discourse(CommentSystem):
    name = "discourse"

    def detect(self, page: Page) -> Embed | None:
        for text in _configuring(page):
            if "DiscourseEmbed" in text:
                found = {k: m.group(1) for k, rx in _EMBED_KEYS.items() if (m := rx.search(text))}
                if found.get("discourseUrl", "").startswith("http"):
                    topic = found.get("topicId", "")
                    embed_url = found.get("discourseEmbedUrl", "")
                    return self._embed(found["discourseUrl"], topic if topic.isdigit() else None,
                                       embed_url if embed_url.startswith("http") else page.url)
        forum = _wp_discourse_forum(page)
        if forum is None:
            return None
        return self._embed(forum, _topic_link(page, forum), page.url)

    def _embed(self, forum: str, topic: str | None, embed_url: str) -> Embed:
        params = {"forum": forum.rstrip("/"), "embed_url": embed_url}
        if topic:
            params["topic_id"] = topic
        return Embed(self.name, params)

    def first_fetch(self, embed: Embed, settings: Mapping[str, Any]) -> Fetch | None:
        forum = embed.params["forum"]
        if embed.params.get("topic_id"):
            return Fetch(f"{forum}/t/{embed.params['topic_id']}.json")
        # The forum serves the embed only to its embeddable hosts, named by the Referer.
        return Fetch(f"{forum}/embed/comments?embed_url={quote(embed.params['embed_url'], safe='')}",
                     headers={"Referer": embed.params["embed_url"]})

    def parse(self, embed: Embed, fetch: Fetch, body: bytes, headers: Mapping[str, str]) -> Batch:
        forum = embed.params["forum"]
        path = urlsplit(fetch.url).path
        if path.endswith("/embed/comments"):
            try:
                topic = _topic_in_embed(body, forum)
            except ExtractionError as exc:  # a binary body, or none: not the embed page
                raise CommentSystemError(f"Discourse embed page: {exc}") from None
            if not topic:  # an error page, or a forum that does not embed this page
                raise CommentSystemError("Discourse embed page: it names no topic")
            return Batch([], Fetch(f"{forum}/t/{topic}.json"))
        data = load_json(body, "Discourse topic")
        stream = require(data, "post_stream", dict, "Discourse topic")
        posts = require(stream, "posts", list, "Discourse topic")
        topic = _topic_of(data, path)
        numbers = dict(getattr(fetch, "numbers", ()))
        rows = [row for post in posts if (row := _row(post, numbers, forum, topic))]
        if isinstance(fetch, DiscourseFetch):
            rest = list(fetch.rest)
        else:  # the topic itself: ask for the posts its first answer left out
            seen = {p["id"] for p in posts}
            ids = require(stream, "stream", list, "Discourse topic", optional=True) or []
            if not all(isinstance(i, int) for i in ids):
                raise CommentSystemError("Discourse topic: 'post_stream.stream' holds something other than post ids")
            rest = [i for i in ids if i not in seen]
        if not rest:
            return Batch(rows)
        query = "&".join(f"post_ids[]={i}" for i in rest[:CHUNK])
        return Batch(rows, DiscourseFetch(f"{forum}/t/{topic}/posts.json?{query}",
                                          numbers=tuple(numbers.items()), rest=tuple(rest[CHUNK:])))


def _topic_of(data: dict, path: str) -> str:
    """The topic id: the answer's ``id``, else the one in the request's path."""
    topic = require(data, "id", int, "Discourse topic", optional=True)
    match = _TOPIC_PATH.search(path.removesuffix(".json").replace("/posts", ""))
    if topic is None and match is None:
        raise CommentSystemError("Discourse topic: no topic id")
    return str(topic if topic is not None else match.group(1))


def _row(post: object, numbers: dict[int, str], forum: str, topic: str) -> dict | None:
    """The post as a row (None for the opening post and the forum's own notices); records
    its number in ``numbers``."""
    what = "Discourse post"
    post_id = require(post, "id", int, what)
    number = require(post, "post_number", int, what)
    numbers[number] = str(post_id)
    kind = require(post, "post_type", int, what, optional=True) or REGULAR
    if number == 1 or kind != REGULAR:
        return None
    target = require(post, "reply_to_post_number", int, what, optional=True)
    username = require(post, "username", str, what, optional=True)
    return comment_row(
        post_id, numbers.get(target) if target and target != 1 else None,
        author_name=require(post, "name", str, what, optional=True) or username,
        author_url=f"{forum}/u/{username}" if username else None,
        published_raw=require(post, "created_at", str, what),
        text=html_text(require(post, "cooked", str, what, optional=True)),
        page_url=f"{forum}/t/{topic}/{number}")


@per_page
def _configuring(page: Page) -> list[str]:
    """The inline scripts that can configure an embed: ``DiscourseEmbed`` and WP-Discourse's
    ``var discourse`` both hold "iscourse", so one scan of the page's scripts serves both."""
    return inline_scripts_with(page, "iscourse")


def _wp_discourse_forum(page: Page) -> str | None:
    """The forum of a WP-Discourse page: its ``discourse`` settings object, else the host of
    its "join the discussion" link."""
    for text in _configuring(page):
        match = _WP_DISCOURSE.search(text)
        if match:
            try:
                url = json.loads(match.group(1)).get("url")
            except (ValueError, AttributeError):
                url = None
            if isinstance(url, str) and url.startswith("http"):
                return url
    if "/wp-discourse/" in script_sources_text(page):
        for href in page.xpath("//a[contains(@class, 'wpdc-join-discussion-link')]/@href"):
            parts = split_or_none(href)
            if parts and parts.scheme and _TOPIC_PATH.search(parts.path):
                return f"{parts.scheme}://{parts.netloc}"
    return None


def _topic_link(page: Page, forum: str) -> str | None:
    """The topic id of the page's first link to a topic on ``forum`` (any scheme); links
    written malformed are skipped."""
    forum_parts = split_or_none(forum)
    if forum_parts is None:
        return None
    host = forum_parts.netloc.lower()
    for href in page.xpath("//a/@href"):
        parts = split_or_none(safe_join(page.url, href.strip()))
        match = _TOPIC_PATH.search(parts.path) if parts else None
        if match and parts.netloc.lower() == host:
            return match.group(1)
    return None


def _topic_in_embed(body: bytes, forum: str) -> str | None:
    """The topic the embed page links (its "continue discussion" button and post dates)."""
    page = Page(parse_html(body), forum + "/embed/comments")
    return _topic_link(page, forum)
