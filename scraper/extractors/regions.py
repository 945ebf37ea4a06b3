"""Regions of a page that are never article content: widgets, sidebars, comment areas, share
bars, related posts, bio boxes."""
from __future__ import annotations

import re
from functools import lru_cache

from lxml import etree

from ..rule_dispatch import ASCII_LOOKALIKES
from .walk import figure_text_chars

# Authors' bio boxes: furniture, and never where the article is.
_BIO_BOX_WORDS = ("author-bio", "authorbio", "about-author", "author-box", "author-info",
                  "saboxplugin-wrap", "author-card")
# Matched against each class name and the id as a whole word at the start or end of the name
# ("share", "social-share", "share_buttons"), never in the middle ("elementor-widget-wrap" is a
# page-builder wrapper, not a widget).
_FURNITURE_WORDS = (
    "share", "shares", "sharing", "sharedaddy", "social", "socials", "jp-relatedposts", "related",
    "yarpp", *_BIO_BOX_WORDS, "comments", "comment-respond", "respond", "comments-area", "comment-list",
    "commentlist", "sidebar", "newsletter", "subscribe", "subscription",
    "advert", "advertisement", "ads", "ad", "adsense", "sponsored", "promo", "post-navigation",
    "nav-links", "navigation", "breadcrumb", "breadcrumbs", "cookie", "cookies", "consent",
    "popup", "modal", "printfriendly", "addtoany", "a2a", "tags-links", "cat-links", "entry-meta",
    "post-meta", "byline", "skip-link", "screen-reader-text", "sr-only", "visually-hidden",
    "wp-block-post-comments", "wp-block-comments", "disqus",
    "recommended", "more-stories", "read-more-links", "tags", "post-tags", "entry-tags",
    "signup", "paywall", "noprint", "caption", "wp-caption-text", "credit",
    "credits", "gallery", "slideshow", "carousel", "lightbox", "most-read", "popular",
    "trending", "read-more", "readmore", "more-articles", "inline-related", "rail", "outbrain",
    "taboola", "zergnet", "print-only", "timestamp", "kicker", "pagination",
    "nocontent",  # what a page marks as no content for search engines' indexers
    "rating", "ratings",  # a star-rating widget ("War der Artikel nützlich? (95 Stimmen …)")
    "cta", "call-to-action",  # a call-to-action box or button ("Zum Kreditvergleich")
    "footer",  # an article's or a box's footer, as the <footer> tag ("More on Anthony Child")
)
_WORD = "|".join(re.escape(w) for w in sorted(_FURNITURE_WORDS, key=len, reverse=True))
FURNITURE_NAME = re.compile(rf"^(?:{_WORD})(?:$|[-_])|[-_](?:{_WORD})$", re.I)
_FURNITURE_WORD_SET = frozenset(_FURNITURE_WORDS)
# A furniture word's first and last parts (the words hold "-" and never "_"): a name whose
# first part is no word's first, nor its last part any word's last, starts and ends with no word.
_FIRST_PARTS = frozenset(word.split("-")[0] for word in _FURNITURE_WORDS)
_LAST_PARTS = frozenset(word.split("-")[-1] for word in _FURNITURE_WORDS)
_SEPARATOR = re.compile("[-_]")
_NOT_LOWERED_AS_ASCII = re.compile(f"[\n{ASCII_LOOKALIKES}]")


def names_furniture_word(name: str) -> bool:
    """``FURNITURE_NAME.search(name)``: a furniture word before the name's end or a ``-``/``_``,
    or after a ``-``/``_`` at its end, looked up in the set of words rather than tried word by
    word at each place. ``str.lower`` sees the words as case-blind ``re`` does but in a name with
    a line break or one of the ``ASCII_LOOKALIKES``: those go to the pattern."""
    if _NOT_LOWERED_AS_ASCII.search(name):
        return FURNITURE_NAME.search(name) is not None
    lowered = name.lower()
    first = lowered.partition("-")[0].partition("_")[0]
    last = lowered.rpartition("-")[2].rpartition("_")[2]
    if first not in _FIRST_PARTS and last not in _LAST_PARTS:  # most names
        return False
    if lowered in _FURNITURE_WORD_SET:
        return True
    for separator in _SEPARATOR.finditer(lowered):
        at = separator.start()
        if lowered[:at] in _FURNITURE_WORD_SET or lowered[at + 1:] in _FURNITURE_WORD_SET:
            return True
    return False


# Page builders name their content modules "<builder>-widget-…": those are content, not widgets.
# Layout flags ("with-sidebar", "has-share-bar", "sidebar-enabled--false") describe the page,
# not the element's content.
_BUILDER = re.compile(r"^(elementor|et_pb|et-pb|fl|vc|wpb|e|brxe|kb|uagb|gb|ct|oxy|tdb?|jeg|mkd|qodef|"
                      r"so|hs|widget-span|widget-type|with|has|no|without)[-_]", re.I)
_LAYOUT_FLAG = re.compile(r"(^|[-_])(with|has|no|without|hide|show)[-_]|"
                          r"[-_](enabled|disabled|true|false)($|[-_])", re.I)
# The same words as a part of a camelCase name ("imageEmbedCaption", "newsCaption", "PromoSmall").
_CAMEL_FURNITURE = re.compile(r"[a-z0-9](Caption|Captions|Credit|Credits|Byline|Share|Sharing)$|"
                              r"^(?i:promo|related|share|sharing|social|newsletter|subscribe|advert)(?-i:[A-Z])|"
                              # a consent notice anywhere in the name ("dialogCookieWarning")
                              r"[a-z0-9](Cookie|Consent)(?:[A-Z]|$)|^(?i:cookie|consent)(?-i:[A-Z])")


# What ``_CAMEL_FURNITURE`` needs in a name: one of these words (case-sensitive), or an opening
# of these (case aside). A name with none of them is no camelCase furniture, and the compiled
# walks tell it in C as its lower-cased copy (``walk.judged_link_walk``).
camel_furniture_parts = (("Caption", "Credit", "Byline", "Share", "Sharing", "Cookie", "Consent"),
                         ("promo", "related", "share", "sharing", "social", "newsletter", "subscribe", "advert",
                          "cookie", "consent"))


def _camel_furniture(name: str) -> bool:
    """``_CAMEL_FURNITURE.search(name)``. Each of its alternatives matches an upper-case ASCII
    letter case-sensitively, which a name ``str.islower`` accepts holds none of: most names."""
    return not name.islower() and _CAMEL_FURNITURE.search(name) is not None
# An embedded post ("social-media-embed", "twitter-embed") is what the article quotes, not a
# share bar; an "ad-embed" or "share-link-embed" stays furniture.
_EMBEDDED_POST = re.compile(r"^(social([-_]?media)?|twitter|tweet|instagram|facebook|tiktok|threads|"
                            r"bluesky|mastodon)[-_]?embeds?$", re.I)
FURNITURE_TAGS = frozenset({"nav", "aside", "form", "footer", "menu", "dialog", "figcaption", "h1"})
# The tags ``is_boilerplate`` can judge an element by without any attribute: an element of any
# other tag, with no attribute, is never boilerplate (the compiled walks ask about no other).
TAGS_JUDGED_BY_NAME = FURNITURE_TAGS | {"figure", "header"}
# The attributes ``is_boilerplate`` reads (and the class and id a comment area is named by): an
# element of any other tag with none of them is never boilerplate either.
ATTRIBUTES_JUDGED = frozenset({"role", "style", "aria-hidden", "hidden", "class", "id"})
# Roles of an element that is never content, and the (property, value) pairs of a style that
# hides its element (each ``property\s*:\s*value`` anywhere in the style, case-blind).
FURNITURE_ROLES = ("navigation", "complementary", "banner", "contentinfo", "dialog")
HIDING_STYLES = (("display", "none"), ("visibility", "hidden"))
HIDDEN_STYLE = re.compile("|".join(rf"{name}\s*:\s*{value}" for name, value in HIDING_STYLES), re.I)

_WIDGET_CLASS = re.compile(r"(^|\s)(widget|sidebar)(\s|$)|widget_|widget-area|wp-block-latest-comments")
_WIDGET_ID = frozenset({"sidebar", "secondary"})


def _widget_like(el: etree._Element) -> bool:
    if el.tag == "aside" or el.get("id") in _WIDGET_ID:
        return True
    return _widget_label(el.get("class") or "")


@lru_cache(maxsize=4096)
def _widget_label(label: str) -> bool:
    """A class string of a widget or sidebar. Asked of each ancestor of many elements, and class
    strings repeat: decided once each."""
    # Page builders (SiteOrigin "so-panel widget", HubSpot "widget-span") call content widgets too.
    return bool(_WIDGET_CLASS.search(label)) and not any(_BUILDER.match(n) for n in label.split())


def _holds_main_content(el: etree._Element) -> bool:
    # Broken markup nests the whole page in an unclosed <aside>; Blogger calls its post area
    # the "Blog" widget. A "widget" that holds the page's headline or <main> is neither.
    return (el.find(".//h1") is not None or el.find(".//main") is not None
            or "Blog" in (el.get("class") or "").split())


def is_boilerplate(el: etree._Element) -> bool:
    tag = el.tag
    tag = tag.lower() if isinstance(tag, str) else ""
    if tag == "figure":  # an image with its caption; figures also hold tables and quotes
        return figure_text_chars(el) < 40
    if tag in FURNITURE_TAGS:
        return True
    if tag == "header" and el.find(".//h1") is not None and _text_chars(el) < HEADER_MAX_CHARS:
        return True  # the title's header: headline, standfirst, byline
    # Every element of the content passes here: one read of its attributes, not one per name.
    items = el.items()
    if not items:
        return False
    if len(items) == 1 and items[0][0] in ("class", "id"):
        return _furniture_label(items[0][1])  # the common case: no role, nothing hidden
    attributes = dict(items)
    role = attributes.get("role")
    if role in FURNITURE_ROLES:
        return True
    style = attributes.get("style")
    hidden = (attributes.get("aria-hidden") == "true" or "hidden" in attributes
              or bool(style and _hidden_style(style)))
    if hidden and not _folded_panel(attributes):
        return True
    return _furniture_label(attributes.get("class")) or _furniture_label(attributes.get("id"))


@lru_cache(maxsize=4096)
def _hidden_style(style: str) -> bool:
    """A style that hides its element; a site repeats a few style strings on every page."""
    return HIDDEN_STYLE.search(style) is not None


# A word of an accordion or tab panel's class ("accordion-collapse", "chakra-collapse", a CSS
# module's "styles_accordion__content__09JIS"), where no word names a menu, a button or a copy
# ("collapse navbar-collapse", "accordion-button", a carousel's "slick-cloned" slide).
_PANEL_WORD = re.compile(r"(^|[-_])(accordion|collapse|collapsible|tab-pane|tabpanel|faq-answer)([-_]|$)", re.I)
_NOT_PANEL_WORD = re.compile(r"(^|[-_])(navbar|nav|menu|button|btn|toggle|trigger|header|title|heading|icon|"
                             r"cloned?|duplicate)([-_]|$)", re.I)


def _folded_panel(attributes: dict[str, str]) -> bool:
    """A folded accordion or tab panel: hidden until its heading is clicked, and content. A
    dialog, menu or tooltip (``aria-labelledby`` too) is none, nor a banner with its own label."""
    names = (attributes.get("class") or "").split()
    if any(_NOT_PANEL_WORD.search(name) for name in names):
        return False
    labelled_by_heading = "aria-labelledby" in attributes
    return ((attributes.get("role") in ("region", "tabpanel") and labelled_by_heading)
            or any(_PANEL_WORD.search(name) for name in names))


# Decisions on class strings and names are cached, bounded: a site's vocabulary of class names
# repeats from page to page, but ids ("comment-4711") are new on every page, and a larger cache
# filled with them only grows a long crawl's memory (65,536 entries each filled by ~10k pages).
NAME_CACHE_SIZE = 8192


@lru_cache(maxsize=NAME_CACHE_SIZE)
def _furniture_label(label: str | None) -> bool:
    """Class strings repeat across a site's pages and within a page: decide each once."""
    if not label:
        return False
    for name in label.split():  # a loop, not any() over a generator: asked of most class strings of a page
        if _furniture_name(name):
            return True
    return False


furniture_label = _furniture_label  # what ``is_boilerplate`` says of an element whose one attribute it reads is this
# The words ``furniture_label`` can say yes to a name by, at its start and at its end: a lower-case
# ASCII name that starts with none of them before its end or a "-" or "_", nor ends with one after
# its start or a "-" or "_", names no furniture (``names_furniture_word``), nor in camelCase (no
# upper-case letter). (The compiled walks look each such part up: ``walk.judged_link_walk``.)
furniture_name_parts = (_FURNITURE_WORD_SET, _FURNITURE_WORD_SET)


@lru_cache(maxsize=NAME_CACHE_SIZE)
def _furniture_name(name: str) -> bool:
    """Class names repeat far more than whole class strings ("elementor-widget", "wp-block"):
    each is decided once too."""
    return bool((names_furniture_word(name) or _camel_furniture(name)) and not _BUILDER.match(name)
                and not _LAYOUT_FLAG.search(name) and not _EMBEDDED_POST.match(name))


def _furniture_name_by_patterns(name: str) -> bool:
    """``_furniture_name`` as the patterns say it: what the tests hold it to."""
    return bool((FURNITURE_NAME.search(name) or _CAMEL_FURNITURE.search(name)) and not _BUILDER.match(name)
                and not _LAYOUT_FLAG.search(name) and not _EMBEDDED_POST.match(name))


HEADER_MAX_CHARS = 600
_BIO_BOX_NAME = re.compile("|".join(re.escape(w) for w in _BIO_BOX_WORDS), re.I)
# Furniture whose prose, however dense, is never the article, nor is anything inside it: a
# rotating strip of testimonials, a consent notice. (Other furniture words also name wrappers
# of the article on some themes, "sidebar-content"; these name nothing else.)
# ("slides" and "slideshow" are not among them: a listicle's items are its "slides".)
_NEVER_ARTICLE_WORDS = ("slider", "flexslider", "carousel", "cookie", "cookies", "consent")
_NEVER_ARTICLE_NAME = re.compile(rf"^(?:{'|'.join(_NEVER_ARTICLE_WORDS)})(?:$|[-_])|"
                                 rf"[-_](?:{'|'.join(_NEVER_ARTICLE_WORDS)})$|"
                                 r"[a-z0-9](?:Cookie|Consent)(?:[A-Z]|$)|^(?i:cookie|consent)(?-i:[A-Z])", re.I)


# A post's terms and type as classes ("tag-cookies", "category-comment", a custom post type
# "type-reviews") name what it is about, not what the element is.
TERM_CLASS = re.compile(r"^(tag|category|cat|topic|tax|term|post_tag|type|format)-", re.I)


@lru_cache(maxsize=4096)
def never_article_label(label: str | None) -> bool:
    """A class string of a carousel or a consent notice, or of an author's bio box."""
    return bool(label) and (in_bio_box_label(label) or any(
        _NEVER_ARTICLE_NAME.search(n) and not _LAYOUT_FLAG.search(n) and not _BUILDER.match(n)
        and not TERM_CLASS.match(n)
        for n in label.split()))


@lru_cache(maxsize=4096)
def in_bio_box_label(label: str | None) -> bool:
    """A class string of an author's bio box (``author-bio``, Simple Author Box, a page builder's
    ``elementor-author-box``), not a layout flag (``has-author-box``)."""
    return bool(label) and any(_BIO_BOX_NAME.search(n) and names_furniture_word(n) and not _LAYOUT_FLAG.search(n)
                               for n in label.split())


def _text_chars(el: etree._Element) -> int:
    return len(el.text_content().strip())


def is_widget(el: etree._Element) -> bool:
    """A sidebar or widget, not holding the page's main content."""
    return isinstance(el.tag, str) and _widget_like(el) and not _holds_main_content(el)


def in_widget(el: etree._Element) -> bool:
    """Inside a sidebar or widget (page-level classes on <body> do not count)."""
    node = el
    while node is not None and node.tag not in ("body", "html"):
        if is_widget(node):
            return True
        node = node.getparent()
    return False
