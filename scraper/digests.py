"""Sets of digests kept compact: what a crawl remembers per URL (a fingerprint, a stored row's
key) must cost bytes, not a Python object, for a long crawl's memory to stay flat.

A Python ``set`` of 40-character hex strings costs ~120 bytes an entry (the string object, its
slot in the table, the table's spare room); ``DigestSet`` keeps the raw digests themselves (20
bytes for SHA-1) in one sorted ``bytes`` run, plus a small set of the latest ones that is merged
into the run once it holds ``MERGE_AT``. Exact: nothing is hashed again, and a digest is
found if and only if it was added.
"""
from __future__ import annotations

from bisect import bisect_left, bisect_right
from hashlib import sha1
from typing import Iterable, Iterator

# The latest digests stay in a Python set (~90 bytes each) until there are this many, then go
# into the run: a fixed number, so that what a set costs beyond its run never grows with it
# (~0.4 MB). Each merge copies the run once (20 MB for a million digests, a few ms).
MERGE_AT = 4096
# Every FENCE-th digest of the run is also in a list, searched by ``bisect`` in C: a lookup then
# bisects in Python only among FENCE records (~2 bytes a digest more).
FENCE = 32


def text_digest(text: str) -> bytes:
    """The SHA-1 digest of ``text``: 20 bytes that stand for it. Two of a billion keys share one
    with a chance of ~3e-31, far below any other error of a crawl (Scrapy's own duplicate filter
    rests on the same digest of a request)."""
    return sha1(text.encode("utf-8", "surrogatepass")).digest()


class _Records:
    """The fixed-width records of a sorted run, as a sequence ``bisect`` can search."""

    __slots__ = ("data", "width")

    def __init__(self, data: bytes, width: int) -> None:
        self.data, self.width = data, width

    def __len__(self) -> int:
        return len(self.data) // self.width

    def __getitem__(self, index: int) -> bytes:
        start = index * self.width
        return self.data[start:start + self.width]


class DigestSet:
    """A set of byte strings of one width (digests), ~``width`` bytes an entry."""

    def __init__(self, width: int = 20, digests: Iterable[bytes] = ()) -> None:
        self.width = width
        self._run = _Records(b"", width)  # sorted, no duplicates
        self._fences: list[bytes] = []  # the run's digests 0, FENCE, 2 * FENCE ...
        self._latest: set[bytes] = set()  # added since the last merge, none of them in the run
        for digest in digests:
            self.add(digest)

    def __contains__(self, digest: bytes) -> bool:
        if digest in self._latest:
            return True
        block = bisect_right(self._fences, digest) - 1  # the last fence at or before it
        if block < 0:
            return False
        run = self._run
        start = block * FENCE
        end = min(start + FENCE, len(run))
        i = bisect_left(run, digest, start, end)
        return i < end and run[i] == digest

    def __len__(self) -> int:
        return len(self._run) + len(self._latest)

    def __iter__(self) -> Iterator[bytes]:
        run = self._run
        return iter([*(run[i] for i in range(len(run))), *self._latest])

    def add(self, digest: bytes) -> bool:
        """Add ``digest``; True if it was not there."""
        if len(digest) != self.width:
            raise ValueError(f"a digest of {len(digest)} bytes in a set of {self.width}-byte digests")
        if digest in self:
            return False
        self._latest.add(digest)
        if len(self._latest) >= MERGE_AT:
            self._merge()
        return True

    def update(self, digests: Iterable[bytes]) -> None:
        for digest in digests:
            self.add(digest)

    def _merge(self) -> None:
        """The latest digests into the sorted run: each one's place found by bisection, the run
        copied once around them."""
        run, pieces, start = self._run, [], 0
        for digest in sorted(self._latest):
            at = bisect_left(run, digest, start)
            pieces.append(run.data[start * self.width:at * self.width])
            pieces.append(digest)
            start = at
        pieces.append(run.data[start * self.width:])
        self._run = run = _Records(b"".join(pieces), self.width)
        self._fences = [run[i] for i in range(0, len(run), FENCE)]
        self._latest = set()
