"""The links a spider has already asked for, so that a page's navigation (home, archives,
categories, the posts every sidebar lists) does not become 20-30 requests per page built only to
be dropped by the duplicate filter."""
from __future__ import annotations

# Bounded, oldest out, as scraper/shared.py's cache of fingerprints: a link that falls out is only
# built again and dropped by the duplicate filter, as before. ~150 bytes a link.
KNOWN_LINKS = 200_000


class FollowedLinks:
    """URLs of requests this process yielded through the duplicate filter (``dont_filter``
    false), as given and as normalised. Each was either queued or found seen by the filter, and
    the filter only grows: a request for one of them again would be dropped, so it is not built.
    Only what was yielded goes in: a link refused by a spider rule costs a cheap check each time,
    and links unique to one page (a comment's reply link) would only crowd the cache."""

    def __init__(self, size: int = KNOWN_LINKS) -> None:
        self.size = size
        self._urls: dict[str, None] = {}

    def __contains__(self, url: str) -> bool:
        return url in self._urls

    def __len__(self) -> int:
        return len(self._urls)

    def add(self, url: str) -> None:
        if url in self._urls:
            return
        if len(self._urls) >= self.size:
            del self._urls[next(iter(self._urls))]
        self._urls[url] = None
