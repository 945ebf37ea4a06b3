"""The blogs one crawl archives: a start URL (``-a url=``) or a seed list (``-a seeds=FILE``).

A seed list has one blog a line: its start URL, then any further hosts that belong to it
(``https://blog.example.org/ www.example.org, cdn.example.org``); ``#`` starts a comment, blank
lines are skipped. Each seed is its own scope: its start URL's host and that host's ``www.``
twin (``example.org`` redirecting to ``www.example.org`` is the commonest blog set-up), plus
the hosts its line names.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from .outcome import CrawlSetupError
from .urls import split_or_none

_SEPARATORS = re.compile(r"[\s,]+")
_COMMENT = re.compile(r"(?:^|\s)#.*$")  # a "#" inside a URL is its fragment, not a comment


@dataclass(frozen=True)
class Seed:
    url: str
    hosts: tuple[str, ...]  # the start URL's host first, then its www. twin

    def as_line(self) -> str:
        return " ".join((self.url, *self.hosts[2:]))


def seed(url: str, extra_hosts: str | list[str] = ()) -> Seed:
    """A seed from a start URL (``https://`` is assumed without a scheme) and further hosts."""
    url = url if "://" in url else f"https://{url}"
    parts = split_or_none(url)
    if parts is None or parts.scheme not in ("http", "https") or not parts.netloc:
        raise CrawlSetupError(f"not a start URL: {url!r}")
    if isinstance(extra_hosts, str):
        extra_hosts = _SEPARATORS.split(extra_hosts)
    host = parts.netloc.lower()
    twin = host.removeprefix("www.") if host.startswith("www.") else f"www.{host}"
    hosts = [host, twin] + [h.lower() for h in extra_hosts if h]
    return Seed(url, tuple(dict.fromkeys(hosts)))


def read_seeds(path: str | Path) -> list[Seed]:
    """The seeds of a seed list; ``CrawlSetupError`` naming the file and line when it cannot be read."""
    try:
        lines = Path(path).read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError) as exc:
        raise CrawlSetupError(f"cannot read the seed list {path}: {getattr(exc, 'strerror', None) or exc}") from None
    seeds = []
    for number, line in enumerate(lines, 1):
        try:
            found = parse_line(line)
        except CrawlSetupError as exc:
            raise CrawlSetupError(f"{path}, line {number}: {exc}") from None
        if found is not None:
            seeds.append(found)
    if not seeds:
        raise CrawlSetupError(f"the seed list {path} names no blog: one start URL a line")
    return list(dict.fromkeys(seeds))


def parse_line(line: str) -> Seed | None:
    """The seed a seed-list line names; None for a blank or comment line."""
    tokens = [t for t in _SEPARATORS.split(_COMMENT.sub("", line).strip()) if t]
    return seed(tokens[0], tokens[1:]) if tokens else None


def seed_of(host: str, seeds: list[Seed]) -> Seed | None:
    """The seed whose scope holds ``host`` (host and port, lower case)."""
    return next((s for s in seeds if host in s.hosts), None)
