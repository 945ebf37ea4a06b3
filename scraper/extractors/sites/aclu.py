"""ACLU blog (www.aclu.org/blog/...), a Drupal 7 site built from panel panes.

Drupal prints ``<a id="comment-N">`` *before* each ``div.comment`` and puts the replies in a
``div.indented`` *after* the comment they answer, so the generic rules find neither the ids nor
the nesting: the thread comes out flat, with synthetic ids and the commenter's name in the text.
The byline (author, date), the tags and the text each sit in their own pane.
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

    def body_text(self) -> str | None:
        return self.text_of(self.page.first(f"//div[{cls('pane-aclu-components-description')}]"))

    def tags(self) -> list[str]:
        return [collapse(a.text_content())
                for a in self.page.xpath(f"//div[{cls('related-issues')}]//li/a")]

    # -- comments ---------------------------------------------------------------------
    def comment_elements(self) -> list[etree._Element]:
        return self.page.xpath(f"//div[@id='comments']//div[{cls('comment')}]")

    def comment_id(self, el: etree._Element) -> str | None:
        anchor = el.xpath("preceding-sibling::*[1][self::a][starts-with(@id, 'comment-')]/@id")
        return anchor[0].removeprefix("comment-") if anchor else None

    def comment_parent(self, el: etree._Element) -> etree._Element | None:
        # A reply sits in the div.indented that follows the comment it answers.
        box = el.getparent()
        if box is None or "indented" not in (box.get("class") or "").split():
            return None
        parent = box.xpath(f"preceding-sibling::div[{cls('comment')}][1]")
        return parent[0] if parent else None

    def comment_author(self, el: etree._Element) -> tuple[str | None, str | None]:
        names = el.xpath(f".//*[{cls('username')}]")
        if not names:
            return None, None
        name = names[0]
        link = name if name.tag == "a" else name.find(".//a[@href]")
        url = absolute(self.page.url, link.get("href")) if link is not None else None
        return self.line_of(name), url

    def comment_published_raw(self, el: etree._Element) -> str | None:
        parts = [collapse(t) for t in el.xpath(f".//li[{cls('date')} or {cls('time')}]//text()")]
        return " ".join(p for p in parts if p) or None

    def comment_published(self, el: etree._Element) -> str | None:
        return iso_utc_format(self.comment_published_raw(el), DATE_FORMAT)

    def comment_text(self, el: etree._Element) -> str | None:
        body = el.xpath(f".//div[{cls('field-comment-body')}]")
        return self.text_of(body[0]) if body else None

    def comment_by_post_author(self, el: etree._Element) -> bool | None:
        # Drupal marks the node author's comments; the absence of the class is an answer.
        return "comment-by-node-author" in (el.get("class") or "").split()
