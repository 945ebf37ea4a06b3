"""The one interface every comment system implements, and the helpers they share.

A comment system is where a blog keeps its comments when the page does not print them all
(Disqus, a Blogger comment feed, an Isso server ...). Each system is one small module with one
``CommentSystem`` subclass, found by ``registry.py``:

- ``detect(page)`` reads the page's markup and scripts and returns an ``Embed`` (the system's
  name and what its endpoint needs to find this page's thread), or None;
- ``first_fetch(embed, settings)`` is the first request for the thread; None where the page's
  own markup already holds the whole thread (Jetpack prints it like WordPress); it raises
  ``Unavailable`` with the reason where the thread cannot be fetched (a token the user has not
  set, a system with no public API);
- ``parse(embed, fetch, body, headers)`` turns one answer into comment rows and the next
  request, if the thread has more pages; it raises ``CommentSystemError`` on anything but the
  documented shape (HTML instead of JSON, truncated JSON, a field of the wrong type).

Everything here is pure: the spider turns each ``Fetch`` into a Scrapy request (robots.txt,
throttling, WARC capture and replay apply as to any other request) and merges the rows into
the article's thread. Rows have the comment table's columns (see ``comment_row``).
"""
from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, ClassVar

from ..dates import iso_utc
from ..extractors.page import Page, per_page
from ..extractors.walk import attribute_values, script_words
from ..text import collapse, html_text  # noqa: F401 - html_text: what every system reads comments with


class CommentSystemError(ValueError):
    """An endpoint's answer that is not what the system documents."""


class Unavailable(Exception):
    """The thread cannot be fetched here; the message says why (shown to the user)."""


@dataclass(frozen=True)
class Embed:
    """A comment system found on a page: its name and the parameters its endpoint needs
    (a Disqus shortname and identifier, an Isso server and the page's path ...)."""
    system: str
    params: Mapping[str, str] = field(default_factory=dict)

    def as_dict(self) -> dict:
        return {"system": self.system, "params": dict(self.params)}


@dataclass(frozen=True)
class Fetch:
    """One request to a comment endpoint."""
    url: str
    method: str = "GET"
    body: bytes | None = None
    headers: Mapping[str, str] = field(default_factory=dict)


@dataclass
class Batch:
    """What one answer held: comment rows, the request for the thread's next page (None: this
    was the last), and, when the thread is known to go on where it cannot be fetched (Disqus
    past its first page without an API key), why."""
    comments: list[dict]
    next: Fetch | None = None
    incomplete: str | None = None


class CommentSystem:
    """Subclass this in a module of ``scraper.commentsystems`` (or of a package named in the
    ``COMMENT_SYSTEM_PACKAGES`` setting) and declare ``name``."""
    name: ClassVar[str] = ""
    # A third-party embed (Disqus on a Blogger blog) is where the comments are, not the
    # platform's own markup: of several systems detected on one page the higher priority wins.
    priority: ClassVar[int] = 10
    # The setting holding the key the full thread needs, if any ("DISQUS_API_KEY"): documented
    # in the README's table of systems.
    key_setting: ClassVar[str | None] = None

    def detect(self, page: Page) -> Embed | None:
        raise NotImplementedError

    def first_fetch(self, embed: Embed, settings: Mapping[str, Any]) -> Fetch | None:
        raise Unavailable(f"{self.name} has no public endpoint for its comments")

    def parse(self, embed: Embed, fetch: Fetch, body: bytes, headers: Mapping[str, str]) -> Batch:
        raise NotImplementedError


# -- what detectors read, found once per page ------------------------------------------------
@per_page
def script_sources(page: Page) -> list[str]:
    """The ``src`` of every script on the page (``walk.attribute_values``, compiled where it
    could be built: a string made only for a script that has one)."""
    return attribute_values(page.everywhere("script"), "src")


@per_page
def inline_scripts(page: Page) -> list[str]:
    """The text of every inline script (configuration objects live here)."""
    return [text for s in page.tagged("script") if not s.get("src") and (text := s.text)]  # each text read once


# Every word a detector has asked the inline scripts for (``inline_scripts_with``), on any page:
# each page's one scan looks for them all, so every detector after the first finds its words
# already looked for.
_script_words: tuple[str, ...] = ()
_MAX_SCRIPT_WORDS = 64  # words one scan looks for


def inline_scripts_with(page: Page, *words: str) -> list[str]:
    """The texts of ``inline_scripts(page)`` holding one of ``words``, in page order.

    Configuration objects are a few scripts among many, and a page's scripts can be megabytes
    (a framework's state): one scan (``walk.script_words``, compiled where it could be built)
    looks for the words of every detector, and only the scripts holding one are read as text."""
    global _script_words
    scanned, held = _scanned_scripts(page)
    if not all(word in scanned for word in words):
        if len(set(_script_words).union(words)) > _MAX_SCRIPT_WORDS:
            return [text for text in inline_scripts(page) if any(word in text for word in words)]
        _script_words = tuple(dict.fromkeys([*_script_words, *words]))
        _scanned_scripts.forget(page)  # its scan did not look for these words
        scanned, held = _scanned_scripts(page)
    mask = 0
    for word in words:
        mask |= 1 << scanned.index(word)
    scripts = page.tagged("script")
    return [scripts[position].text for position, words_held in held if words_held & mask]


@per_page
def _scanned_scripts(page: Page) -> tuple[tuple[str, ...], list[tuple[int, int]]]:
    """The words looked for and, for each inline script holding one, its position among the
    page's scripts and the words it holds (bits, in the order of the words)."""
    words = _script_words
    return words, script_words(page.tagged("script"), words)


@per_page
def script_sources_text(page: Page) -> str:
    """Every ``script_sources`` address on one line each: a word (without a line break) is in
    this text exactly where it is in one of the addresses, found with one search."""
    return "\n".join(script_sources(page))


@per_page
def iframe_sources(page: Page) -> list[str]:
    # Each frame's src and data-src in the order its markup gives them, as the query
    # "//iframe/@src | //iframe/@data-src" would.
    return [value for frame in page.everywhere("iframe") for name, value in frame.items()
            if value and name in _FRAME_SOURCES]


_FRAME_SOURCES = ("src", "data-src")


# -- what parsers share -----------------------------------------------------------------------
def load_json(body: bytes, what: str) -> Any:
    """The answer as JSON, or ``CommentSystemError`` saying what it was instead."""
    try:
        return json.loads(body)
    except RecursionError:  # nesting deeper than Python's parser goes: no thread is that deep
        raise CommentSystemError(f"{what}: JSON nested too deep to read") from None
    except (ValueError, UnicodeDecodeError) as exc:
        start = body[:40].lstrip().lower()
        kind = "HTML" if start.startswith((b"<!doctype", b"<html", b"<")) else "invalid JSON"
        raise CommentSystemError(f"{what}: {kind} instead of JSON ({exc})") from None


def require(obj: Any, key: str, kind: type | tuple[type, ...], what: str, optional: bool = False) -> Any:
    """``obj[key]`` checked against ``kind``; ``CommentSystemError`` names the field."""
    if not isinstance(obj, dict):
        raise CommentSystemError(f"{what}: expected an object, got {type(obj).__name__}")
    value = obj.get(key)
    if value is None and optional:
        return None
    if not isinstance(value, kind) or isinstance(value, bool) and bool not in (kind if isinstance(kind, tuple) else (kind,)):
        raise CommentSystemError(f"{what}: field {key!r} is {type(value).__name__}")
    return value


def comment_row(comment_id: object, parent_id: object | None, *, author_name: str | None = None,
                author_url: str | None = None, published_raw: str | None = None,
                published: str | None = None, text: str | None = None, page_url: str | None = None,
                kind: str = "comment", depth: int | None = None) -> dict:
    """One comment as a row of the comment table, its parent as the endpoint states it
    (``parent_source`` "api"). ``published`` (ISO 8601 UTC) is read from ``published_raw``
    when not given; ``depth`` only where the system states it (the thread recomputes it)."""
    row = {
        "comment_id": str(comment_id),
        "parent_id": str(parent_id) if parent_id not in (None, "", 0, "0") else None,
        "author_name": collapse(author_name) or None,
        "author_url": author_url or None,
        "published": published if published is not None else iso_utc(published_raw),
        "published_raw": published_raw,
        "text": text,
        "kind": kind,
        "by_post_author": None,
        "parent_source": "api",
        "page_url": page_url,
    }
    if depth is not None:
        row["depth"] = depth
    return row
