"""ACLU blog (www.aclu.org/blog/...), a Drupal 7 site built from panel panes.

The generic rules read its Drupal thread (ids on anchors before each ``div.comment``, replies
in a ``div.indented`` after the comment they answer) and its text. What they miss sits in the
site's own panes: the byline (author, and the time beside the date), the tags, the node id, and
each comment's time of day, printed in a list item of its own.
"""
from __future__ import annotations

from lxml import etree

from ...dates import iso_utc_format
from ...text import collapse
from ...urls import absolute
from ..page import cls
from ..site import SiteExtractor

# The page names no time zone; like every naive date in the dataset, these are read as UTC.
DATE_FORMAT = "%B %d, %Y %I:%M %p"  # "April 5, 2018 6:32 PM" (byline: "April 5, 2018 | 6:00 PM")


class AcluExtractor(SiteExtractor):
    name = "aclu"
    version = "1"
    domains = ("aclu.org",)

    def _byline(self, query: str):
        return self.page.first(f"//div[{cls('pane-aclu-blog-byline')}]{query}")

    def post_id(self) -> str | None:
        # The node id, in the comment form's action: /comment/reply/67865
        action = self.page.first("//form[@id='comment-form']/@action") or ""
        node = action.rstrip("/").rsplit("/", 1)[-1]
        return node if node.isdigit() else super().post_id()

    def author_name(self) -> str | None:
        return self.line_of(self._byline(f"//div[{cls('blog-author')}]/a")) or super().author_name()

    def author_url(self) -> str | None:
        href = self._byline(f"//div[{cls('blog-author')}]/a/@href")
        return absolute(self.page.url, href) if href else super().author_url()

    def published_raw(self) -> str | None:
        return self.line_of(self._byline(f"//div[{cls('updated-date')}]")) or super().published_raw()

    def published(self) -> str | None:
        return iso_utc_format((self.published_raw() or "").replace(" | ", " "), DATE_FORMAT)

    def tags(self) -> list[str]:
        return [collapse(a.text_content())
                for a in self.page.xpath(f"//div[{cls('related-issues')}]//li/a")]

    # -- comments: the generic rules find Drupal's ids and nesting; only the time is apart --
    def comment_published_raw(self, el: etree._Element) -> str | None:
        parts = [collapse(t) for t in el.xpath(f".//li[{cls('date')} or {cls('time')}]//text()")]
        return " ".join(p for p in parts if p) or None

    def comment_published(self, el: etree._Element) -> str | None:
        return iso_utc_format(self.comment_published_raw(el), DATE_FORMAT)
