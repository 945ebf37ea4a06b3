"""Statistics Globe (statisticsglobe.com): WordPress with the Impreza theme and WPBakery.

The text sits in page-builder sections, not in an article element; the publication date is only
in the JSON-LD ``WebPage``; Impreza prints a comment's author, date and text in its own
``w-comments-item-*`` blocks, so the generic rules run name and date into the text. The thread
itself (ids, nesting) is ordinary WordPress and stays generic: only those fields are overridden.
"""
from __future__ import annotations

from lxml import etree

from ...dates import iso_utc_format
from ...urls import absolute
from ..page import cls, jsonld_types
from ..site import SiteExtractor

COMMENT_DATE_FORMAT = "%B %d, %Y %I:%M %p"  # "December 14, 2019 8:44 pm"
# Inside the text: a hidden copy of every code block, the video consent notice, the newsletter
# box and the star rating.
NOT_BODY = (f".//h1 | .//p[{cls('theCode')}] | .//div[{cls('__youtube_prefs__')}]"
            f" | .//div[{cls('awac-wrapper')}] | .//div[{cls('kk-star-ratings')}]")


class StatisticsGlobeExtractor(SiteExtractor):
    name = "statisticsglobe"
    version = "1"
    domains = ("statisticsglobe.com",)

    def published_raw(self) -> str | None:
        for obj in self.page.jsonld:
            if "WebPage" in jsonld_types(obj) and obj.get("datePublished"):
                return str(obj["datePublished"])
        return super().published_raw()

    def body_text(self) -> str | None:
        text = self.page.first(f"//div[{cls('l-content')}]//section[{cls('l-section')}"
                               f" and not({cls('for_comments')})]")
        return self.text_of(text, skip=text.xpath(NOT_BODY)) if text is not None else None

    # -- comments: the generic thread, with Impreza's author, date and text ------------
    def comment_author(self, el: etree._Element) -> tuple[str | None, str | None]:
        name = self.first_own(el, f".//*[{cls('w-comments-item-author')}]")
        if name is None:
            return super().comment_author(el)
        link = name.xpath("ancestor::a[@href][1]")
        return self.line_of(name), absolute(self.page.url, link[0].get("href")) if link else None

    def comment_published_raw(self, el: etree._Element) -> str | None:
        return self.line_of(self.first_own(el, f".//*[{cls('w-comments-item-date')}]"))

    def comment_published(self, el: etree._Element) -> str | None:
        return iso_utc_format(self.comment_published_raw(el), COMMENT_DATE_FORMAT, self._date_offset)

    def comment_text(self, el: etree._Element) -> str | None:
        return self.text_of(self.first_own(el, f".//*[{cls('w-comments-item-text')}]"))
