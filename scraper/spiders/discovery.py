"""Which URLs of a blog to follow, and the links that feeds and sitemaps list."""
from __future__ import annotations

import re

from lxml import etree

from ..urls import split_or_none


# Not pages: assets, admin, APIs, feeds, and views that repeat a page (replies, shares, print).
# Blogger's feeds are paths, not files: /feeds/posts/default, /feeds/<post id>/comments/default
# (a post's comment feed, which its comment system asks for itself).
_SKIP_PATH = re.compile(
    r"(/wp-admin/|/wp-login\.php|/wp-json/|/xmlrpc\.php|/wp-content/|/wp-includes/|/trackback/?$|"
    r"/comment-page-\d+/?$|/amp/?$|/embed/?$|/feed/?$|/feeds/(?:posts|comments|\d+/comments)(?:/|$)|"
    r"/print/?$)", re.I)
_SKIP_QUERY = re.compile(r"(^|&)(replytocom|share|s|cpage|like_comment|_wpnonce|action|rest_route|"
                         r"feed|format|print|output)=", re.I)
_ASSET = re.compile(r"\.(jpe?g|png|gif|webp|svg|ico|bmp|tiff?|mp[34]|m4a|ogg|wav|webm|mov|avi|"
                    r"pdf|zip|gz|tgz|rar|7z|exe|dmg|css|js|woff2?|ttf|eot|xml|json|rss|atom|txt|"
                    r"docx?|xlsx?|pptx?|epub)$", re.I)


def is_page_link(url: str, hosts: set[str]) -> bool:
    """A same-blog URL that may hold an article or lead to one."""
    parts = split_or_none(url)
    if parts is None or parts.scheme not in ("http", "https") or parts.netloc.lower() not in hosts:
        return False
    return not (_SKIP_PATH.search(parts.path) or _ASSET.search(parts.path)
                or _SKIP_QUERY.search(parts.query))


def feed_links(body: bytes) -> list[str]:
    """Item links of an RSS 2.0, RSS 1.0 or Atom feed."""
    root = _xml(body)
    if root is None:
        return []
    links = root.xpath("//*[local-name()='item']/*[local-name()='link']/text()")
    links += root.xpath("//*[local-name()='entry']/*[local-name()='link']"
                        "[not(@rel) or @rel='alternate']/@href")
    return [str(x).strip() for x in links if str(x).strip()]


def sitemap_links(body: bytes) -> tuple[list[str], list[str]]:
    """(child sitemaps, page URLs) of a sitemap index or urlset."""
    root = _xml(body)
    if root is None:
        return [], []
    locs = lambda kind: [str(x).strip() for x in root.xpath(  # noqa: E731
        f"//*[local-name()='{kind}']/*[local-name()='loc']/text()") if str(x).strip()]
    return locs("sitemap"), locs("url")


def robots_sitemaps(robotparser: object) -> list[str]:
    rp = getattr(robotparser, "rp", None)  # Protego, Scrapy's default robots.txt parser
    return list(getattr(rp, "sitemaps", []) or [])


def _xml(body: bytes) -> etree._Element | None:
    parser = etree.XMLParser(recover=True, resolve_entities=False, no_network=True, huge_tree=True)
    try:
        return etree.fromstring(body.lstrip(), parser=parser)
    except etree.XMLSyntaxError:
        return None
