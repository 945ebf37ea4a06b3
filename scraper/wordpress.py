"""The WordPress REST API as this project uses it: URLs to ask, and what the answers mean.

Pure functions over URLs and decoded JSON; the spider does the fetching.
"""
from __future__ import annotations

from urllib.parse import urlencode

from .dates import iso_utc
from .text import collapse, html_text

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
    # Page 1 without parameters: the form every WordPress answers and caches.
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


def _text_field(obj: dict, key: str) -> str | None:
    value = obj.get(key)
    if value is None or isinstance(value, str):
        return value
    raise RestError(f"field {key!r} is {type(value).__name__}, not a string")


def _comment_row(c: dict) -> dict:
    if not isinstance(c.get("id"), (int, str)) or isinstance(c.get("id"), bool):
        raise RestError("a comment without a valid 'id'")
    content = c.get("content") or {}
    if not isinstance(content, dict):
        raise RestError("field 'content' is not an object")
    raw = _text_field(c, "date_gmt") or _text_field(c, "date")
    parent = c.get("parent") or None
    if parent is not None and not isinstance(parent, (int, str)):
        raise RestError("field 'parent' is not an id")
    return {
        "comment_id": str(c["id"]),
        "parent_id": str(parent) if parent else None,
        "author_name": collapse(_text_field(c, "author_name")) or None,
        "author_url": _text_field(c, "author_url") or None,
        "published": iso_utc(raw),  # date_gmt is UTC without an offset
        "published_raw": raw,
        "text": html_text(_text_field(content, "rendered") or ""),
        "kind": c.get("type") if c.get("type") in ("pingback", "trackback") else "comment",
        "by_post_author": None,
        "parent_source": "api",
        "page_url": _text_field(c, "link"),
    }


def parse_comments(data: object) -> list[dict]:
    """REST comment objects → comment rows (parent from the API: the true reply target).
    Raises ``RestError`` on anything but the documented shape."""
    return [_comment_row(c) for c in _require_list(data, "comments")]


def parse_users(data: object) -> list[dict]:
    """REST user objects, checked: ``name``, ``link`` and ``description`` are strings."""
    users = _require_list(data, "users")
    for user in users:
        for key in ("name", "link", "description"):
            _text_field(user, key)
    return users


def find_user(users: list[dict], name: str | None, url: str | None) -> dict | None:
    """The user matching the article's author link or, failing that, name."""
    for user in users:
        if url and user.get("link") and user["link"].rstrip("/") == url.rstrip("/"):
            return user
    for user in users:
        if name and collapse(user.get("name")) == collapse(name):
            return user
    return None


def user_bio(user: dict | None) -> str | None:
    return collapse(user.get("description")) or None if user else None
