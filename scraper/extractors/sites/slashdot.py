"""Slashdot (and its section hosts: linux., developers., ...).

Neither the story nor the discussion looks like a blog: the page is a "firehose" with one
story ``article``, and the discussion is ``li#tree_<cid>`` items nested in ``ul#commtree_<cid>``
with the author in ``span.by`` and the date in ``span.otherdetails``. The generic rules do not
recognise the page as an article, or read the story title with its source and comment count.
"""
from __future__ import annotations

import re

from lxml import etree

from ...dates import iso_utc_format
from ...text import collapse
from ...urls import absolute
from ..site import SiteExtractor

DATE_FORMAT = "on %A %B %d, %Y @%I:%M%p"  # "on Friday January 12, 2024 @11:51AM"; the page names no zone
_DATE = re.compile(r"on \w+ \w+ \d{1,2}, \d{4} @\d{1,2}:\d{2}[AP]M")
_POSTED_BY = re.compile(r"Posted\s+by\s+(.+?)\s+on\s", re.S)


class SlashdotExtractor(SiteExtractor):
    name = "slashdot"
    version = "1"
    domains = ("slashdot.org",)

    def _story(self, query: str):
        return self.page.first(f"//article[@data-fhtype='story']{query}")

    def is_article(self) -> bool:
        # A story page: the story and its discussion. Front and section pages list many
        # stories and no discussion.
        return (len(self.page.xpath("//article[@data-fhtype='story']")) == 1
                and self.page.first("//ul[@id='commentlisting']") is not None)

    def title(self) -> str | None:
        return self.line_of(self._story("//span[contains(@class, 'story-title')]/a[1]")) or super().title()

    def author_name(self) -> str | None:
        byline = self._story("//span[@class='story-byline']")
        found = _POSTED_BY.search(byline.text_content()) if byline is not None else None
        return collapse(found.group(1)) if found else super().author_name()

    def published_raw(self) -> str | None:
        return self._story("//time/@datetime") or super().published_raw()

    def published(self) -> str | None:
        return iso_utc_format(self.published_raw(), DATE_FORMAT)

    def body_text(self) -> str | None:
        return self.text_of(self._story("//div[@class='body']/div[@class='p']"))

    def comments_open(self) -> bool | None:
        # Open discussions print "Reply to This" under each comment; archived ones print none.
        return self.page.first("//a[starts-with(@onclick, 'D2.replyTo(')]") is not None

    def categories(self) -> list[str]:
        return [collapse(t) for t in self.page.xpath("//article[@data-fhtype='story']"
                                                     "//span[@class='topic']//img/@title")]

    # -- comments ---------------------------------------------------------------------
    def comment_elements(self) -> list[etree._Element]:
        # "hidden" items are comments below the reading threshold: no content on the page, but
        # their replies are, so they stay in the tree.
        return self.page.xpath("//ul[@id='commentlisting']//li[starts-with(@id, 'tree_')]")

    def comment_id(self, el: etree._Element) -> str | None:
        return el.get("id").removeprefix("tree_")

    def _own(self, el: etree._Element, what: str):
        found = el.xpath(f".//*[@id='{what}_{self.comment_id(el)}']")
        return found[0] if found else None

    def comment_author(self, el: etree._Element) -> tuple[str | None, str | None]:
        top = self._own(el, "comment_top")
        by = top.find(".//span[@class='by']") if top is not None else None
        if by is None:
            return None, None
        link = by.find("a[@href]")
        if link is not None:
            return self.line_of(link), absolute(self.page.url, link.get("href"))
        return collapse(by.text_content()).removeprefix("by ") or None, None  # "Anonymous Coward"

    def comment_published_raw(self, el: etree._Element) -> str | None:
        # Collapsed ("oneline") comments print no date at all.
        details = self._own(el, "comment_otherdetails")
        found = _DATE.search(collapse(details.text_content())) if details is not None else None
        return found.group(0) if found else None

    def comment_published(self, el: etree._Element) -> str | None:
        return iso_utc_format(self.comment_published_raw(el), DATE_FORMAT)

    def comment_text(self, el: etree._Element) -> str | None:
        return self.text_of(self._own(el, "comment_body"))

    def comment_by_post_author(self, el: etree._Element) -> bool | None:
        return None  # Slashdot marks no one as the story's author in comments
