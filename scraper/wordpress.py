"""The WordPress REST API as this project uses it: URLs to ask, and what the answers mean.

Pure functions over URLs and decoded JSON; the spider does the fetching.
"""
from __future__ import annotations

from urllib.parse import urlencode

from lxml import html as lxml_html

from .dates import iso_utc
from .text import collapse, paragraphs

PER_PAGE = 100


class RestError(ValueError):
    """A REST answer that is not what the API documents."""


def _endpoint(api_root: str, route: str, params: dict[str, object]) -> str:
    if "rest_route=" in api_root:  # sites without pretty permalinks
        base = api_root.split("rest_route=")[0] + "rest_route=" + "/" + route
        return base + ("&" + urlencode(params) if params else "")
    root = api_root if api_root.endswith("/") else api_root + "/"
    return root + route + ("?" + urlencode(params) if params else "")


def comments_url(api_root: str, post_id: str, page: int = 1) -> str:
    params: dict[str, object] = {"post": post_id, "per_page": PER_PAGE}
    if page > 1:
        params["page"] = page
    return _endpoint(api_root, "wp/v2/comments", params)


def users_url(api_root: str, page: int = 1) -> str:
    return _endpoint(api_root, "wp/v2/users", {"page": page} if page > 1 else {})


def total_pages(headers_value: bytes | str | None, rows: int) -> int:
    """From ``X-WP-TotalPages``; without it, assume another page only if this one was full."""
    if headers_value:
        try:
            return max(1, int(headers_value))
        except ValueError:
            pass
    return 2 if rows >= PER_PAGE else 1


def _require_list(data: object, what: str) -> list[dict]:
    if not isinstance(data, list) or not all(isinstance(x, dict) for x in data):
        raise RestError(f"{what}: expected a JSON array of objects, got {type(data).__name__}")
    return data


def _html_text(fragment: str) -> str | None:
    if not fragment or not fragment.strip():
        return None
    root = lxml_html.fragment_fromstring(fragment, create_parent="div")
    return "\n\n".join(paragraphs(root)) or None


def parse_comments(data: object) -> list[dict]:
    """REST comment objects → comment rows (parent from the API: the true reply target)."""
    rows = []
    for c in _require_list(data, "comments"):
        if "id" not in c:
            raise RestError("comments: an object without 'id'")
        raw = c.get("date_gmt") or c.get("date")
        parent = c.get("parent") or None
        rows.append({
            "comment_id": str(c["id"]),
            "parent_id": str(parent) if parent else None,
            "author_name": collapse(c.get("author_name")) or None,
            "author_url": c.get("author_url") or None,
            "published": iso_utc(raw),  # date_gmt is UTC without an offset
            "published_raw": raw,
            "text": _html_text((c.get("content") or {}).get("rendered", "")),
            "kind": c.get("type") if c.get("type") in ("pingback", "trackback") else "comment",
            "by_post_author": None,
            "parent_source": "api",
            "page_url": c.get("link"),
        })
    return rows


def find_user(data: object, name: str | None, url: str | None) -> dict | None:
    """The user matching the article's author link or, failing that, name."""
    users = _require_list(data, "users")
    for user in users:
        if url and user.get("link") and user["link"].rstrip("/") == url.rstrip("/"):
            return user
    for user in users:
        if name and collapse(user.get("name")) == collapse(name):
            return user
    return None


def user_bio(user: dict | None) -> str | None:
    return collapse(user.get("description")) or None if user else None
