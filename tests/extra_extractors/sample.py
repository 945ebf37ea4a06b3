"""A site extractor for the sample blog that changes one field, so tests can see it was used."""
from __future__ import annotations

from scraper.extractors import SiteExtractor


class SampleBlogExtractor(SiteExtractor):
    name = "sampleblog"
    version = "2"
    domains = ("sample-blog.test",)

    def title(self) -> str | None:
        return (super().title() or "").upper() or None
