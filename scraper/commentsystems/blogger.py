"""Blogger: a post's comments come from its comment feed, ``<blog>/feeds/<postId>/comments/default``,
which needs no key and gives what the page leaves out or localises (exact times, the reply
target, every page of a long thread).

The feed is read as Atom (what is fetched) or as ``alt=json`` (GData JSON, the same entries);
both name the comment ``…post-<commentId>`` and its parent in ``<link rel="related">``, not in
``thr:in-reply-to``, which always points at the post itself.
"""
from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any
from urllib.parse import urlsplit

from lxml import etree

from ..extractors.page import Page
from .base import (Batch, CommentSystem, CommentSystemError, Embed, Fetch, comment_row, html_text,
                   inline_scripts_with, load_json, require, script_sources_text)

PER_PAGE = 100  # accepted by the feed (captured ``alt=json&max-results=100`` answers hold 100)
ATOM = "{http://www.w3.org/2005/Atom}"

_FEED_LINK = re.compile(r"/feeds/(\d+)/comments/default")
# Blogger's page data: ``'pageType': 'item', 'postId': '4019…'`` and ``'blogId': '6818…'``.
_ITEM_POST_ID = re.compile(r"""['"]pageType['"]\s*:\s*['"]item['"].*?['"]postId['"]\s*:\s*['"]?(\d+)""", re.S)
_BLOG_ID = re.compile(r"""['"]blogId['"]\s*:\s*['"](\d+)|_WidgetManager\._Init\([^)]*?'(\d+)'\)""")
_COMMENT_ID = re.compile(r"\.post-(\d+)$")
_PARENT = re.compile(r"/comments/default/(\d+)(?:[?#]|$)")


def _is_blogger(page: Page) -> bool:
    if (page.meta.get("generator") or "").strip().lower() == "blogger":
        return True
    sources = script_sources_text(page)
    if "blogger.com" in sources or "blogblog.com" in sources:
        return True
    return bool(inline_scripts_with(page, "_WidgetManager"))


def _post_id(page: Page) -> str | None:
    """The post's id, only on a post's own page (an index page lists many posts)."""
    for link in page.xpath("//link[@rel='alternate'][@type='application/atom+xml']/@href"):
        m = _FEED_LINK.search(link)
        if m:
            return m.group(1)
    for el in page.with_attribute("itemprop", "postId"):
        value = (el.get("content") or el.text or "").strip()
        if value.isdigit():
            return value
    for script in inline_scripts_with(page, "_WidgetManager"):
        m = _ITEM_POST_ID.search(script)
        if m:
            return m.group(1)
    ids = {v.strip() for v in page.xpath("//*[@data-post-id]/@data-post-id") if v.strip().isdigit()}
    return ids.pop() if len(ids) == 1 else None


def _blog_id(page: Page) -> str | None:
    for script in inline_scripts_with(page, "blogId", "_WidgetManager"):  # what either branch needs
        m = _BLOG_ID.search(script)
        if m:
            return m.group(1) or m.group(2)
    return None


class Blogger(CommentSystem):
    name = "blogger"
    # The platform's own comments: a third-party embed on a Blogger blog (Disqus) holds the thread.
    priority = 0

    def detect(self, page: Page) -> Embed | None:
        if not _is_blogger(page):
            return None
        post_id = _post_id(page)
        if post_id is None:
            return None
        parts = urlsplit(page.url)
        params = {"base": f"{parts.scheme}://{parts.netloc}", "post_id": post_id}
        blog_id = _blog_id(page)
        if blog_id:
            params["blog_id"] = blog_id
        return Embed(self.name, params)

    def first_fetch(self, embed: Embed, settings: Mapping[str, Any]) -> Fetch | None:
        return Fetch(f"{embed.params['base']}/feeds/{embed.params['post_id']}/comments/default"
                     f"?max-results={PER_PAGE}")

    def parse(self, embed: Embed, fetch: Fetch, body: bytes, headers: Mapping[str, str]) -> Batch:
        start = body.lstrip(b"\xef\xbb\xbf \t\r\n")[:1]
        if start == b"{":
            return _parse_json(load_json(body, "Blogger feed"))
        return _parse_atom(body)


def _row(entry_id: str, related: str | None, alternate: str | None, name: str | None,
         uri: str | None, published: str | None, content: str | None) -> dict:
    m = _COMMENT_ID.search(entry_id.strip())
    if not m:
        raise CommentSystemError(f"Blogger feed: entry id {entry_id!r} is not a comment's")
    parent = _PARENT.search(related) if related else None
    return comment_row(m.group(1), parent.group(1) if parent else None, author_name=name,
                       author_url=uri, published_raw=published, text=html_text(content),
                       page_url=alternate)


def _parse_atom(body: bytes) -> Batch:
    parser = etree.XMLParser(resolve_entities=False, no_network=True)
    try:
        root = etree.fromstring(body, parser)
    except etree.XMLSyntaxError as exc:
        raise CommentSystemError(f"Blogger feed: not XML ({exc})") from None
    if root is None or root.tag != ATOM + "feed":
        raise CommentSystemError(f"Blogger feed: <{getattr(root, 'tag', None)}> instead of an Atom feed")

    def link(node: etree._Element, rel: str) -> str | None:
        found = node.find(f"{ATOM}link[@rel='{rel}']")
        return found.get("href") if found is not None else None

    rows = []
    for entry in root.iterfind(ATOM + "entry"):
        entry_id = entry.findtext(ATOM + "id")
        if not entry_id:
            raise CommentSystemError("Blogger feed: an entry without an id")
        rows.append(_row(entry_id, link(entry, "related"), link(entry, "alternate"),
                         entry.findtext(f"{ATOM}author/{ATOM}name"), entry.findtext(f"{ATOM}author/{ATOM}uri"),
                         entry.findtext(ATOM + "published"),
                         entry.findtext(ATOM + "content") or entry.findtext(ATOM + "summary")))
    following = link(root, "next")
    return Batch(rows, next=Fetch(following) if following else None)


def _text(node: Any, key: str, what: str) -> str | None:
    """GData JSON's ``{"$t": "value"}`` at ``node[key]``, checked."""
    wrapped = require(node, key, dict, what, optional=True)
    return require(wrapped, "$t", str, f"{what} {key}", optional=True) if wrapped is not None else None


def _links(node: dict, what: str) -> dict[str, str]:
    links = require(node, "link", list, what, optional=True) or []
    return {require(x, "rel", str, f"{what} link"): require(x, "href", str, f"{what} link") for x in links}


def _parse_json(data: Any) -> Batch:
    feed = require(data, "feed", dict, "Blogger feed")
    rows = []
    for entry in require(feed, "entry", list, "Blogger feed", optional=True) or []:
        entry_id = _text(entry, "id", "Blogger entry")
        if not entry_id:
            raise CommentSystemError("Blogger feed: an entry without an id")
        links = _links(entry, "Blogger entry")
        authors = require(entry, "author", list, "Blogger entry", optional=True) or [{}]
        rows.append(_row(entry_id, links.get("related"), links.get("alternate"),
                         _text(authors[0], "name", "Blogger author"), _text(authors[0], "uri", "Blogger author"),
                         _text(entry, "published", "Blogger entry"),
                         _text(entry, "content", "Blogger entry") or _text(entry, "summary", "Blogger entry")))
    following = _links(feed, "Blogger feed").get("next")
    return Batch(rows, next=Fetch(following) if following else None)
