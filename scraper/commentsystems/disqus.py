"""Disqus: the thread of a page lives in a Disqus forum ("shortname"), found by the page's
identifier or URL.

With a key (``DISQUS_API_KEY``, the public key of a registered API application) the whole
thread comes from API 3.0 ``threads/listPosts``, 100 posts a page. Without one, the embed page
the Disqus iframe loads holds the first page of posts as JSON (``disqus-threadData``): that
much is kept, and the batch says the rest could not be fetched.
"""
from __future__ import annotations

import html
import json
import re
from collections.abc import Mapping
from datetime import timedelta
from typing import Any
from urllib.parse import SplitResult, parse_qs, quote, urlencode, urlsplit

from ..dates import iso_utc
from ..extractors.errors import ExtractionError
from ..extractors.page import Page, parse_html
from ..urls import split_or_none
from .base import (Batch, CommentSystem, CommentSystemError, Embed, Fetch, Unavailable, comment_row,
                   html_text, inline_scripts_with, load_json, require, script_sources,
                   script_sources_text)

API = "https://disqus.com/api/3.0/threads/listPosts.json"
EMBED = "https://disqus.com/embed/comments/"
PER_PAGE = 100  # the API's maximum
NO_KEY = "Disqus shows only the first page without an API key; set DISQUS_API_KEY"

# ``var disqus_shortname = 'x'`` and the ``disqus_config`` form ``this.page.identifier = "x"``;
# only quoted literals (or bare numbers, which identifiers often are): a variable name is not
# the value.
_VALUE = r"""\s*[=:]\s*(?:(["'])(.*?)(?<!\\)\1|(\d+)\b)"""
_VARS = {
    "shortname": re.compile(r"\bdisqus_shortname" + _VALUE),
    "identifier": re.compile(r"(?:\bdisqus_identifier|\bthis\.page\.identifier)" + _VALUE),
    # Disqus's Blogger widget names the page ``disqus_blogger_current_url``.
    "url": re.compile(r"(?:\bdisqus_url|\bthis\.page\.url|\bdisqus_blogger_current_url)" + _VALUE),
    "title": re.compile(r"(?:\bdisqus_title|\bthis\.page\.title)" + _VALUE),
}
# The names each of ``_VARS`` looks for: a script holding none of them states no such value.
_VAR_NAMES = {
    "shortname": ("disqus_shortname",),
    "identifier": ("disqus_identifier", "this.page.identifier"),
    "url": ("disqus_url", "this.page.url", "disqus_blogger_current_url"),
    "title": ("disqus_title", "this.page.title"),
}
# The forum's own scripts: embed.js starts the thread, blogger_item.js is the Blogger widget's
# thread; ``disqus.com/forums/<shortname>/embed.js`` is the old form (gregoryszorc.com).
# A script built from the variable (``'//' + disqus_shortname + '.disqus.com/embed.js'``) names
# no forum but is as sure a sign of the thread.
_THREAD_SCRIPT = re.compile(r"(?:(?://|\b)([a-z0-9][a-z0-9_-]*))?\.disqus\.com/(?:embed|blogger_item)\.js"
                            r"|disqus\.com/forums/([a-z0-9_-]+)/embed\.js", re.I)
_FORUM_HOST = re.compile(r"^([a-z0-9][a-z0-9_-]*)\.disqus\.com$", re.I)
_THREAD_DATA = "//script[@id='disqus-threadData']"


def _stated(scripts: list[str]) -> dict[str, str]:
    """The first literal each ``disqus_*`` variable is given in the page's inline scripts."""
    found: dict[str, str] = {}
    for script in scripts:
        if "disqus" not in script and "this.page." not in script:
            continue
        for key, pattern in _VARS.items():
            # A substring test first: each pattern is tried only where one of its names is.
            named = key not in found and any(name in script for name in _VAR_NAMES[key])
            m = pattern.search(script) if named else None
            value = (m.group(2) if m.group(2) is not None else m.group(3)) if m else None
            if value and value.strip():
                # Values sit in JS string literals; titles are often HTML-escaped once more,
                # and Disqus receives them unescaped once (see the breitbart embed URL).
                found[key] = html.unescape(value.strip()) if key == "title" else value.strip()
    return found


def _split(url: str) -> SplitResult | None:
    """``urlsplit`` of a page's URL (scheme-relative ones too); None where it is malformed."""
    return split_or_none(url if "//" in url else "//" + url)


def _embed_iframe(page: Page) -> dict[str, str]:
    """The parameters of a rendered ``iframe#dsq-app*`` loading the embed page (the saved DOM
    of a page after its scripts ran); Disqus's ad iframes share the id prefix, not the URL."""
    for frame in (f for f in page.tagged("iframe") if (f.get("id") or "").startswith("dsq-app")):
        parts = _split(frame.get("src") or frame.get("data-src") or "")
        if parts and parts.hostname == "disqus.com" and parts.path.startswith("/embed/comments"):
            query = {k: v[0] for k, v in parse_qs(parts.query).items()}
            params = {"shortname": query.get("f"), "identifier": query.get("t_i"),
                      "url": query.get("t_u"), "title": query.get("t_t")}
            return {k: v for k, v in params.items() if v}
    return {}


class Disqus(CommentSystem):
    name = "disqus"
    priority = 10
    key_setting = "DISQUS_API_KEY"

    def detect(self, page: Page) -> Embed | None:
        # Only scripts that name Disqus or set ``this.page``: the rest state nothing read here.
        scripts = inline_scripts_with(page, "disqus", "this.page.")
        params = _stated(scripts)
        thread_div = next(iter(page.with_attribute("id", "disqus_thread")), None)
        from_frame = _embed_iframe(page)
        sources = script_sources(page) if ".disqus.com/" in script_sources_text(page) else []
        script_forums = [m.group(1) or m.group(2)
                         for text in [*sources, *scripts] if ".disqus.com/" in text  # a cheap test first
                         for m in _THREAD_SCRIPT.finditer(text)]
        # A thread is on the page when its container, its script or its iframe is; a shortname
        # alone (comment-count scripts on a listing page) is no thread.
        if thread_div is None and not from_frame and not script_forums and "identifier" not in params:
            return None
        if thread_div is not None:
            for key, attribute in (("identifier", "data-disqus-identifier"), ("url", "data-disqus-url")):
                if thread_div.get(attribute) and key not in params:
                    params[key] = thread_div.get(attribute).strip()
        for key, value in from_frame.items():
            params.setdefault(key, value)
        forums = [f for f in script_forums if f and f.lower() not in ("www", "disqus")]
        if "shortname" not in params and forums:
            params["shortname"] = forums[0]
        if "shortname" not in params:
            # Last resort: the forum's own host in a noscript link or a DNS prefetch.
            hosts = [_FORUM_HOST.match(getattr(_split(h), "hostname", None) or "")
                     for h in page.xpath("//noscript//a/@href | //link[@rel='dns-prefetch']/@href")]
            named = [m.group(1) for m in hosts if m and m.group(1).lower() != "www"]
            if named:
                params["shortname"] = named[0]
        params.setdefault("url", page.url)
        return Embed(self.name, params)

    def first_fetch(self, embed: Embed, settings: Mapping[str, Any]) -> Fetch | None:
        params = embed.params
        if not params.get("shortname"):
            raise Unavailable("Disqus thread found, but the page does not name its forum (shortname)")
        key = settings.get(self.key_setting)
        if key:
            return Fetch(_api_url(key, params))
        # The query the Disqus iframe itself sends (see a rendered ``iframe#dsq-app``).
        query = {"base": "default", "f": params["shortname"], "t_i": params.get("identifier"),
                 "t_u": params.get("url"), "t_d": params.get("title"), "t_t": params.get("title"),
                 "s_o": "default"}
        return Fetch(EMBED + "?" + urlencode({k: v for k, v in query.items() if v}, quote_via=quote))

    def parse(self, embed: Embed, fetch: Fetch, body: bytes, headers: Mapping[str, str]) -> Batch:
        if fetch.url.startswith(EMBED):
            return _parse_embed_page(body)
        data = load_json(body, "Disqus listPosts")
        code = require(data, "code", int, "Disqus listPosts")
        if code != 0:
            # Errors come as {"code": 2, "response": "Invalid argument, 'thread': ..."}.
            raise CommentSystemError(f"Disqus API error {code}: {data.get('response')}")
        posts = require(data, "response", list, "Disqus listPosts")
        batch = Batch([_row(p) for p in posts if not _skipped(p)])
        cursor = require(data, "cursor", dict, "Disqus listPosts")
        if cursor.get("hasNext"):
            nxt = require(cursor, "next", str, "Disqus cursor")
            batch.next = Fetch(_with_cursor(fetch.url, nxt))
        return batch


def _api_url(key: str, params: Mapping[str, str]) -> str:
    # The identifier is what the page told Disqus; the URL only where it stated none.
    thread = f"ident:{params['identifier']}" if params.get("identifier") else f"link:{params.get('url', '')}"
    query = {"api_key": key, "forum": params["shortname"], "thread": thread,
             "limit": PER_PAGE, "order": "asc"}
    return API + "?" + urlencode(query)


def _with_cursor(previous: str, cursor: str) -> str:
    """The next page's URL: the previous request (key and thread included) at ``cursor``."""
    query = {k: v[0] for k, v in parse_qs(urlsplit(previous).query).items()}
    query["cursor"] = cursor
    return API + "?" + urlencode(query)


def _skipped(post: Any) -> bool:
    # Spam is not part of the discussion readers saw: dropped. Deleted posts are kept (without
    # text or author) because replies still hang on them: dropping them would orphan the replies
    # and lose where in the thread they stood.
    return isinstance(post, dict) and post.get("isSpam") is True


def _row(post: Any) -> dict:
    what = "Disqus post"
    post_id = require(post, "id", (str, int), what)
    parent = require(post, "parent", (str, int), what, optional=True)
    created = require(post, "createdAt", str, what)
    deleted = post.get("isDeleted") is True
    author = require(post, "author", dict, what, optional=True) or {}
    message = require(post, "message", str, what, optional=True)
    # Anonymous (guest) authors have no profile; ``url`` is the site they gave.
    url = require(author, "url", str, "Disqus author", optional=True) or \
        require(author, "profileUrl", str, "Disqus author", optional=True)
    return comment_row(
        post_id, parent,
        author_name=None if deleted else require(author, "name", str, "Disqus author", optional=True),
        author_url=None if deleted else url,
        published_raw=created,
        published=iso_utc(created, default_offset=timedelta(0)),  # createdAt is UTC without a zone
        text=None if deleted else html_text(message),
    )


def _parse_embed_page(body: bytes) -> Batch:
    """The no-key embed page: its ``disqus-threadData`` script holds an API-like answer
    (``{"cursor": ..., "code": 0, "response": {"posts": [...], "thread": {...}}}``)."""
    try:
        root = parse_html(body)
    except ExtractionError as exc:
        raise CommentSystemError(f"Disqus embed page: {exc}") from None
    found = root.xpath(_THREAD_DATA)
    if not found or not (found[0].text or "").strip():
        raise CommentSystemError("Disqus embed page: no disqus-threadData script")
    try:
        data = json.loads(found[0].text)
    except ValueError as exc:
        raise CommentSystemError(f"Disqus embed page: disqus-threadData is not JSON ({exc})") from None
    code = require(data, "code", int, "Disqus threadData")
    if code != 0:
        raise CommentSystemError(f"Disqus embed page error {code}: {data.get('response')}")
    response = require(data, "response", dict, "Disqus threadData")
    posts = require(response, "posts", list, "Disqus threadData")
    cursor = require(data, "cursor", dict, "Disqus threadData", optional=True) or {}
    return Batch([_row(p) for p in posts if not _skipped(p)],
                 incomplete=NO_KEY if cursor.get("hasNext") else None)
