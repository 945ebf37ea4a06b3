"""``MAX_PAGES_PER_SITE``: at most N pages of each blog of a crawl (0, the default: no limit).

A collection mixes blogs of ten posts with blogs of ten thousand; a limit per blog keeps one
large blog from taking a sample crawl's whole budget. Only pages count (start, listing and
article pages, ``meta["site_page"]``): an article's comment pages, REST and comment-system
calls are part of the article already counted, and cutting them would store a thread short.
Pages past the limit are not fetched; their number is logged once per blog, kept in the stats
(``limits/pages_skipped/<seed url>``) and listed per seed in ``crawl.json``.
"""
from __future__ import annotations

import logging
from collections import Counter
from urllib.parse import urlsplit

from scrapy.exceptions import IgnoreRequest, NotConfigured

from .seeds import parse_line, seed_of

logger = logging.getLogger(__name__)

SKIPPED_STAT = "limits/pages_skipped/"


class PageLimitReached(IgnoreRequest):
    """A page not fetched because its blog reached ``MAX_PAGES_PER_SITE``: the user's limit,
    counted per seed, not a failure."""


class SitePageLimit:
    def __init__(self, limit: int, seed_lines: list[str], stats) -> None:
        self.limit = limit
        self.seeds = [s for s in map(parse_line, seed_lines) if s is not None]
        self.stats = stats
        self.fetched: Counter = Counter()

    @classmethod
    def from_crawler(cls, crawler):
        limit = crawler.settings.getint("MAX_PAGES_PER_SITE")
        if limit <= 0:
            raise NotConfigured
        return cls(limit, crawler.settings.getlist("CRAWL_SEEDS"), crawler.stats)

    def process_request(self, request, spider=None):
        if not request.meta.get("site_page"):
            return None
        site = self.site_of(request.url)
        if self.fetched[site] < self.limit:
            self.fetched[site] += 1
            return None
        key = SKIPPED_STAT + site
        if not self.stats.get_value(key):
            logger.warning("MAX_PAGES_PER_SITE (%d) reached for %s: its further pages are not "
                           "fetched (counted in crawl.json's seeds)", self.limit, site)
        self.stats.inc_value(key)
        raise PageLimitReached(f"MAX_PAGES_PER_SITE reached for {site}")

    def site_of(self, url: str) -> str:
        """The start URL of the seed whose scope holds ``url``'s host (its host if none does)."""
        host = (urlsplit(url).netloc or "").lower()
        owner = seed_of(host, self.seeds)
        return owner.url if owner is not None else host
