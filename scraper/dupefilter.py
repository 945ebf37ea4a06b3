"""``DUPEFILTER_CLASS``: Scrapy's duplicate filter, its fingerprints kept as a ``DigestSet``.

Scrapy keeps every request fingerprint it has seen as a ``bytes`` object in a ``set``: ~100
bytes a URL, a crawl's memory growing with every page it finds. The same 20-byte fingerprints in
a ``DigestSet`` cost ~21 bytes each. Which requests are dropped does not change: the same
fingerprints, compared exactly; ``JOBDIR``'s ``requests.seen`` is read and written as Scrapy does.
"""
from __future__ import annotations

from scrapy.dupefilters import RFPDupeFilter

from .digests import DigestSet


class CompactDupeFilter(RFPDupeFilter):
    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        # What Scrapy read from requests.seen (a resumed job), if anything, moved over.
        read, self._fingerprints = self._fingerprints, DigestSet()
        self._fingerprints.update(read)
