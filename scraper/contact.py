"""A warning, at the start of a crawl, while the User-Agent gives site owners no way to reach
whoever runs it: archives are crawled for days, and a site owner with a question should find a
mail address or a page to ask, not block the crawler. Set one with ``blog-archiver crawl
--contact you@example.org`` or ``-s USER_AGENT='… (+mailto:you@example.org)'``."""
from __future__ import annotations

import logging

from scrapy import signals

logger = logging.getLogger(__name__)


def has_contact(user_agent: str) -> bool:
    """A contact as crawlers give it: ``+`` before a URL or ``mailto:`` address, or a bare mail."""
    return "+" in user_agent or "@" in user_agent


class ContactCheck:
    """Warns once per crawl (``CONTACT_WARNING``; off for the demo and for re-extraction, which
    ask no site anything)."""

    def __init__(self, user_agent: str) -> None:
        self.user_agent = user_agent

    @classmethod
    def from_crawler(cls, crawler):
        ext = cls(crawler.settings.get("USER_AGENT") or "")
        if crawler.settings.getbool("CONTACT_WARNING", True):
            crawler.signals.connect(ext.spider_opened, signal=signals.spider_opened)
        return ext

    def spider_opened(self, spider) -> None:
        if not has_contact(self.user_agent):
            logger.warning(
                "The User-Agent (%r) names no contact: site owners cannot reach you. Set one: "
                "blog-archiver crawl --contact you@example.org, or -s USER_AGENT='%s; "
                "+mailto:you@example.org)'", self.user_agent, self.user_agent.rstrip(")"))
