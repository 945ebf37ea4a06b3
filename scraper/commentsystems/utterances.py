"""utterances: comments kept as a GitHub issue, shown in an iframe from utteranc.es.

The page holds ``<script src="https://utteranc.es/client.js" repo="o/r" issue-term="pathname">``
(or ``issue-number="7"``; ``data-`` prefixed names work too, as the client strips the prefix).
The issue is found as utterances finds it: by number, ``GET /repos/<o>/<r>/issues/<n>``; by term,
the search API for an issue whose title holds the term (the first result whose title contains
it, else the first). Its comments come from the REST API, 100 a page (utterances asks for 25),
as HTML, following the ``Link: rel="next"`` header. GitHub issue comments are flat: every
comment is top level. No token is needed, but anonymous calls are limited to 60 an hour.
"""
from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any
from urllib.parse import quote, urlsplit

from ..extractors.page import Page
from .base import (Batch, CommentSystem, CommentSystemError, Embed, Fetch, comment_row, html_text, load_json, require,
                   script_sources_text)

API = "https://api.github.com"
PER_PAGE = 100
# body_html as well as the rest: the comment as the thread shows it.
ACCEPT = {"Accept": "application/vnd.github.v3.html+json"}
_REPO = re.compile(r"^[\w.-]+/[\w.-]+$")
_NEXT = re.compile(r'<([^>]+)>\s*;\s*rel="?next"?')


class Utterances(CommentSystem):
    name = "utterances"

    def detect(self, page: Page) -> Embed | None:
        if "utteranc.es/client.js" not in script_sources_text(page):  # one search: most pages load no utterances
            return None
        for script in (s for s in page.everywhere("script") if "utteranc.es/client.js" in (s.get("src") or "")):
            attrs = {k.removeprefix("data-"): v for k, v in script.attrib.items()}
            repo = (attrs.get("repo") or "").strip()
            if not _REPO.match(repo):
                continue
            if (attrs.get("issue-number") or "").strip().isdigit():
                return Embed(self.name, {"repo": repo, "number": attrs["issue-number"].strip()})
            term = _term(page, (attrs.get("issue-term") or "").strip())
            if term:
                return Embed(self.name, {"repo": repo, "term": term})
        return None

    def first_fetch(self, embed: Embed, settings: Mapping[str, Any]) -> Fetch | None:
        repo = embed.params["repo"]
        if embed.params.get("number"):
            return Fetch(f"{API}/repos/{repo}/issues/{embed.params['number']}", headers=ACCEPT)
        query = f'"{embed.params["term"]}" type:issue in:title repo:{repo}'
        return Fetch(f"{API}/search/issues?q={quote(query)}&sort=created&order=asc", headers=ACCEPT)

    def parse(self, embed: Embed, fetch: Fetch, body: bytes, headers: Mapping[str, str]) -> Batch:
        data = load_json(body, "GitHub answer")
        path = urlsplit(fetch.url).path
        if path.startswith("/search/"):
            issue = _matching_issue(data, embed.params.get("term", ""))
            return Batch([], _comments_fetch(embed, issue) if issue else None)  # none: no comments yet
        if not path.endswith("/comments"):
            return Batch([], _comments_fetch(embed, data))
        if not isinstance(data, list):
            raise CommentSystemError(f"GitHub issue comments: expected an array, got {type(data).__name__}")
        rows = [_row(c) for c in data]
        following = _next_link(headers)
        return Batch(rows, Fetch(following, headers=ACCEPT) if following else None)


def _term(page: Page, setting: str) -> str:
    """The issue term as utterances' client.js computes it from the page."""
    if setting == "pathname":
        path = urlsplit(page.url).path
        return "index" if len(path) < 2 else re.sub(r"\.\w+$", "", path[1:])
    if setting == "url":  # the canonical link, else the location without its hash
        canonical = page.link("canonical")
        return canonical or page.url.split("#")[0]
    if setting == "title":
        titles = page.everywhere("title")
        return (titles[0].text_content() if titles else "").strip()
    if setting == "og:title":
        return (page.meta.get("og:title") or "").strip()
    return setting  # any other value is the term itself


def _matching_issue(data: object, term: str) -> dict | None:
    items = require(data, "items", list, "GitHub issue search")
    for item in items:
        if term.lower() in require(item, "title", str, "GitHub issue").lower():
            return item
    return items[0] if items else None


def _comments_fetch(embed: Embed, issue: object) -> Fetch | None:
    number = require(issue, "number", int, "GitHub issue")
    if require(issue, "comments", int, "GitHub issue", optional=True) == 0:
        return None  # the issue says it has none: spare the request
    return Fetch(f"{API}/repos/{embed.params['repo']}/issues/{number}/comments?per_page={PER_PAGE}", headers=ACCEPT)


def _row(comment: object) -> dict:
    what = "GitHub issue comment"
    user = require(comment, "user", dict, what, optional=True) or {}  # null: a deleted account ("ghost")
    html = require(comment, "body_html", str, what, optional=True)
    return comment_row(
        require(comment, "id", int, what), None,
        author_name=require(user, "login", str, what, optional=True),
        author_url=require(user, "html_url", str, what, optional=True),
        published_raw=require(comment, "created_at", str, what),
        text=html_text(html) if html is not None else html_text(require(comment, "body", str, what, optional=True)),
        page_url=require(comment, "html_url", str, what, optional=True),
        depth=1)


def _next_link(headers: Mapping[str, Any]) -> str | None:
    """The ``rel="next"`` URL of GitHub's ``Link`` header, whatever the header's case."""
    for name, value in headers.items():
        if name.lower() == "link":
            value = value[0] if isinstance(value, list) and value else value
            value = value.decode("latin-1") if isinstance(value, bytes) else str(value)
            match = _NEXT.search(value)
            return match.group(1) if match else None
    return None
