"""Regions of a page that are never article content: widgets, sidebars, comment areas."""
from __future__ import annotations

import re

from lxml import etree

# Class/id tokens of containers that hold page furniture rather than the article.
BOILERPLATE = re.compile(
    r"(^|[-_\s])(share|sharing|sharedaddy|social|jp-relatedposts|related|yarpp|author-?bio|"
    r"about-?author|author-?box|author-?info|saboxplugin|comments?|comment-respond|respond|"
    r"widget|sidebar|newsletter|subscribe|subscription|advert|ads|adsense|sponsored|promo|"
    r"post-?navigation|nav-links|navigation|breadcrumbs?|cookie|consent|popup|modal|"
    r"wp-block-post-comments|wp-block-comments|printfriendly|addtoany|a2a|tags-links|cat-links|"
    r"entry-meta|post-meta|byline|skip-link|screen-reader-text)($|[-_\s])",
    re.I,
)
FURNITURE_TAGS = frozenset({"nav", "aside", "form", "footer", "header", "menu"})
# Page-level classes ("has-sidebar", "widgets-enabled") sit on <body>; only inner containers count.
WIDGET_XPATH = (
    "ancestor-or-self::*[not(self::body or self::html) and (self::aside"
    " or contains(concat(' ', normalize-space(@class), ' '), ' widget ')"
    " or contains(@class, 'widget_') or contains(@class, 'widget-area')"
    " or contains(concat(' ', normalize-space(@class), ' '), ' sidebar ') or @id='sidebar'"
    " or @id='secondary' or contains(@class, 'wp-block-latest-comments'))]"
)


def _label(el: etree._Element) -> str:
    return f"{el.get('class') or ''} {el.get('id') or ''}"


def is_boilerplate(el: etree._Element) -> bool:
    tag = el.tag.lower() if isinstance(el.tag, str) else ""
    return tag in FURNITURE_TAGS or bool(BOILERPLATE.search(_label(el)))


def boilerplate_within(container: etree._Element) -> list[etree._Element]:
    """Outermost furniture elements inside ``container`` (the container itself excluded)."""
    found: list[etree._Element] = []
    stack = list(container)
    while stack:
        el = stack.pop()
        if not isinstance(el.tag, str):
            continue
        if is_boilerplate(el):
            found.append(el)
        else:
            stack.extend(el)
    return found


def in_widget(el: etree._Element) -> bool:
    return bool(el.xpath(WIDGET_XPATH))
