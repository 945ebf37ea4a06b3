"""The links a spider has already asked for, so that a page's navigation (home, archives,
categories, the posts every sidebar lists) does not become 20-30 requests per page built only to
be dropped by the duplicate filter."""
from __future__ import annotations

from typing import Iterable

from scraper.digests import DigestSet, text_digest

# Bounded, oldest half out: a link that falls out is only built again and dropped by the
# duplicate filter (or, in a shared crawl, asked of Redis), as before. ~9 bytes a link.
KNOWN_LINKS = 200_000


class FollowedLinks:
    """URLs of requests this process yielded through the duplicate filter (``dont_filter``
    false), as given and as normalised. Each was either queued or found seen by the filter, and
    the filter only grows: a request for one of them again would be dropped, so it is not built.
    Only what was yielded goes in: a link refused by a spider rule costs a cheap check each time,
    and links unique to one page (a comment's reply link) would only crowd the cache."""

    def __init__(self, size: int = KNOWN_LINKS) -> None:
        self.size = size
        # A URL's 64-bit hash, not the URL, in two generations of digest sets: the latest links
        # and the half before them; once the latest hold half the size, the older half is
        # forgotten. ~9 bytes a link, so a crawl's memory stays flat. Two of 200,000 URLs share
        # a hash with a chance of ~1e-9 (one page then left out), far below the Bloom filter's
        # accepted 1e-6.
        self._latest = DigestSet(8)
        self._older = DigestSet(8)

    @staticmethod
    def _key(url: str) -> bytes:
        return hash(url).to_bytes(8, "little", signed=True)

    def __contains__(self, url: str) -> bool:
        key = self._key(url)
        return key in self._latest or key in self._older

    def __len__(self) -> int:
        return len(self._latest) + len(self._older)

    def add(self, url: str) -> None:
        key = self._key(url)
        if key in self._latest or key in self._older:
            return
        if len(self._latest) >= max(1, self.size // 2):
            self._older, self._latest = self._latest, DigestSet(8)
        self._latest.add(key)


class ArticleIds:
    """The ids of the articles a crawl has taken up, each kept as its 20-byte SHA-1 digest in a
    ``DigestSet`` (~21 bytes an article instead of ~100 for a string in a set). Unbounded: an
    id forgotten would assemble and store its article twice. Two of a billion ids share a
    digest with a chance of ~3e-31 (one article then left out)."""

    def __init__(self, ids: Iterable[str] = ()) -> None:
        self._digests = DigestSet(20)
        self.update(ids)

    def __contains__(self, article_id: str) -> bool:
        return text_digest(article_id) in self._digests

    def __len__(self) -> int:
        return len(self._digests)

    def add(self, article_id: str) -> None:
        self._digests.add(text_digest(article_id))

    def update(self, ids: Iterable[str]) -> None:
        for article_id in ids:
            self.add(article_id)
