"""URL normalisation and the stable ids derived from it."""
from __future__ import annotations

import hashlib
from urllib.parse import parse_qsl, urlencode, urljoin, urlsplit, urlunsplit

_DEFAULT_PORTS = {"http": 80, "https": 443}
# Query parameters that change tracking, not content.
_TRACKING = frozenset({"fbclid", "gclid", "mc_cid", "mc_eid", "replytocom", "share"})


def _tracking(name: str) -> bool:
    name = name.lower()
    return name in _TRACKING or name.startswith("utm_")


def normalize_url(url: str) -> str:
    """Lower-case scheme and host, no default port, no fragment, no tracking parameters.
    A URL that does not parse (a bad port, say) comes back as given, minus its fragment."""
    parts = urlsplit(url.strip())
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
    if not href or href.strip().lower().startswith(("javascript:", "mailto:", "data:", "tel:")):
        return None
    return urljoin(base, href.strip())


def article_id(canonical_url: str) -> str:
    """Stable across crawls: the first 16 hex digits of SHA-1 of the normalised canonical URL."""
    return hashlib.sha1(normalize_url(canonical_url).encode()).hexdigest()[:16]


def site_of(url: str) -> str:
    """The host (with a non-default port) that names a blog in the dataset."""
    return urlsplit(normalize_url(url)).netloc


def host_of(href: str, base: str | None = None) -> str:
    """The host a link leads to, resolved against ``base``: lower case, without "www." (with
    a port where it names one); "" for an address the page wrote malformed ("http://[::1")."""
    try:
        return urlsplit(urljoin(base, href) if base else href).netloc.lower().removeprefix("www.")
    except ValueError:
        return ""
