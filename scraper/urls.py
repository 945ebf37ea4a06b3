"""URL normalisation and the stable ids derived from it.

Pages write malformed addresses ("http://[::1", an unclosed IPv6 host), and ``urllib`` raises
``ValueError`` on them. Every address read from a page goes through ``safe_join`` or
``split_or_none`` here, which answer None instead: a bad address is skipped where it is read,
and never costs the page.
"""
from __future__ import annotations

import hashlib
import re
from functools import lru_cache
from typing import Iterable
from urllib.parse import SplitResult, parse_qsl, urlencode, urljoin, urlsplit, urlunsplit

_DEFAULT_PORTS = {"http": 80, "https": 443}
# Query parameters that change tracking, not content.
_TRACKING = frozenset({"fbclid", "gclid", "mc_cid", "mc_eid", "replytocom", "share"})
# Addresses that lead nowhere a crawler can go.
_NOT_LINKS = ("javascript:", "mailto:", "data:", "tel:")


def split_or_none(url: str | None) -> SplitResult | None:
    """``urlsplit(url)``; None for no URL and for one ``urllib`` refuses: an unclosed or invalid
    bracketed host ("http://[::1", "http://[x]/"), a host with characters that NFKC turns into
    delimiters. A bad port is no error here: ``.port`` raises ``ValueError`` on it."""
    if url is None:
        return None
    try:
        return urlsplit(url)
    except ValueError:
        return None


def safe_join(base: str, href: str) -> str | None:
    """``urljoin(base, href)``, a URL that ``split_or_none`` accepts; None where ``base`` or
    ``href`` is malformed."""
    try:
        joined = urljoin(base, href)
        urlsplit(joined)  # joining can put together a host that does not split
    except ValueError:
        return None
    return joined


def _tracking(name: str) -> bool:
    name = name.lower()
    return name in _TRACKING or name.startswith("utm_")


@lru_cache(maxsize=4096)  # a page's canonical URL is normalised for its id, its site and its field
def normalize_url(url: str) -> str:
    """Lower-case scheme and host, no default port, no fragment, no tracking parameters.
    A URL that does not parse (a bad port, an unclosed IPv6 host) comes back as given, minus
    its fragment."""
    url = url.strip()
    parts = split_or_none(url)
    if parts is None:
        return url.partition("#")[0]
    scheme = parts.scheme.lower()
    try:
        port = parts.port
    except ValueError:
        return urlunsplit(parts._replace(fragment=""))
    host = (parts.hostname or "").lower()
    if ":" in host:  # IPv6 literal
        host = f"[{host}]"
    if port and port != _DEFAULT_PORTS.get(scheme):
        host = f"{host}:{port}"
    query = [(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True) if not _tracking(k)]
    return urlunsplit((scheme, host, parts.path or "/", urlencode(query), ""))


def absolute(base: str, href: str | None) -> str | None:
    """``href`` resolved against ``base``; None for no address, one that leads nowhere
    (``javascript:``, ``mailto:`` ...) and one the page wrote malformed."""
    if not href or href.strip().lower().startswith(_NOT_LINKS):
        return None
    href = href.strip()
    if _PLAIN_ABSOLUTE.match(href) and _splits(base):
        return href  # what joining gives back (``absolute_links``), without urllib's work
    return safe_join(base, href)


@lru_cache(maxsize=256)
def _splits(base: str) -> bool:
    """``split_or_none`` accepts ``base``: the pages of a crawl resolve many links against one."""
    return split_or_none(base) is not None


# An address resolved the same against every page of one origin: an absolute http(s) URL with a
# host, a protocol-relative one with a host, or a root-relative path. ``urljoin`` reads only the
# base's scheme and host for these (never its path or query), so their resolution is kept.
_ORIGIN_ONLY = re.compile(r"(?:https?:)?//[^/?#\t\r\n]|/(?!/)")
# An absolute http(s) URL of the plainest form (a host of letters, digits, dots and hyphens, a
# port of digits, a path without parameters, a query and a fragment not empty, no white space):
# ``urljoin`` gives it back as it is against any base (it never resolves a URL that names a
# host, and unparses these parts to the same text), and ``urlsplit`` accepts it. A fragment of
# the same form alone ("#content", on every page) is the base, without its fragment, with it.
_URL_CHARS = "A-Za-z0-9._~%!$&'()*+,=:@/-"
_PLAIN_ABSOLUTE = re.compile(rf"https?://[A-Za-z0-9.-]+(?::[0-9]+)?(?:/[{_URL_CHARS}]*)?"
                             rf"(?:\?[{_URL_CHARS}?]+)?(?:#[{_URL_CHARS}?]+)?\Z")
_PLAIN_FRAGMENT = re.compile(rf"#[{_URL_CHARS}?]+\Z")
# Entries kept before the memory of resolved links starts afresh. A blog's menus and tag clouds
# are a few hundred links; most other links are a page's own (its comments' permalinks), never
# asked again: 50,000 of them held ~12 MB of a crawl's memory, the cache filling and emptying.
_RESOLVED_MAX = 4_096
_resolved: dict[tuple[str, str, str], str | None] = {}


def absolute_links(base: str, hrefs: Iterable[str]) -> list[str]:
    """``absolute(base, href)`` of each of ``hrefs``, leaving out those that give None. The
    menus, archives and tag clouds every page of a blog repeats are resolved once per origin."""
    parts = split_or_none(base)
    if parts is None:
        return [url for href in hrefs if (url := absolute(base, href))]
    plain_base = base.partition("#")[0] if _PLAIN_ABSOLUTE.match(base) else None
    found = []
    for href in hrefs:
        href = str(href)
        if _PLAIN_ABSOLUTE.match(href):
            url = href  # what absolute() gives (its base parses: checked above)
        elif plain_base is not None and _PLAIN_FRAGMENT.match(href):
            url = plain_base + href
        elif _ORIGIN_ONLY.match(href):
            key = (parts.scheme, parts.netloc, href)
            try:
                url = _resolved[key]
            except KeyError:
                if len(_resolved) >= _RESOLVED_MAX:
                    _resolved.clear()
                url = _resolved[key] = absolute(base, href)
        else:
            url = absolute(base, href)
        if url:
            found.append(url)
    return found


def article_id(canonical_url: str) -> str:
    """Stable across crawls: the first 16 hex digits of SHA-1 of the normalised canonical URL."""
    return hashlib.sha1(normalize_url(canonical_url).encode()).hexdigest()[:16]


def site_of(url: str) -> str:
    """The host (with a non-default port) that names a blog in the dataset; "" where ``url``
    is malformed."""
    parts = split_or_none(normalize_url(url))
    return parts.netloc if parts else ""


def host_of(href: str, base: str | None = None) -> str:
    """The host a link leads to, resolved against ``base``: lower case, without "www." (with
    a port where it names one); "" for an address the page wrote malformed ("http://[::1")."""
    parts = split_or_none(safe_join(base, href) if base else href)
    return parts.netloc.lower().removeprefix("www.") if parts else ""
