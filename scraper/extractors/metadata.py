"""Article metadata: title, author, dates, tags, categories, canonical URL, platform ids."""
from __future__ import annotations

import html
import re
from collections.abc import Callable, Iterator

from lxml import etree

from ..dates import MONTH_NAME, MONTH_NUMBERS
from ..text import MONTH, collapse, paragraphs
from ..urls import absolute
from .page import Page, jsonld_types, per_page
from .regions import is_boilerplate
from .walk import box_texts, first_text, following_texts, outside_of, text_openers

_POST_ID = re.compile(r"(?:^|\s)postid-(\d+)(?:\s|$)")
_REST_POST = re.compile(r"/wp/v2/posts/(\d+)")

# Finders: page → candidate elements, most specific first. Class lookups go through the page's
# class index (one walk of the page serves every query).
TITLE_QUERIES: tuple[Callable[[Page], list], ...] = (
    lambda page: [e for e in page.with_class("entry-title", "post-title", "wp-block-post-title",
                                             "article-title", "headline") if e.tag in ("h1", "h2", "h3")],
    lambda page: page.with_attribute("itemprop", "headline"),
    lambda page: [h for h in page.tagged("h1") if _has_ancestor(h, lambda a: a.tag == "article")],
    lambda page: page.tagged("h1"),
)


def _has_ancestor(el: etree._Element, test: Callable[[etree._Element], bool]) -> bool:
    return any(test(a) for a in el.iterancestors())


def _within(page: Page, itemprop: str, outer: str) -> list:
    """``//*[@itemprop=outer]//*[@itemprop=itemprop]``, from the page's index."""
    return [e for e in page.with_attribute("itemprop", itemprop)
            if _has_ancestor(e, lambda a: a.get("itemprop") == outer)]


def _links_rel(page: Page, rel: str) -> list:
    return [a for a in page.with_attribute("rel", rel) if a.tag == "a"]


def _classes(el: etree._Element) -> set[str]:
    return set((el.get("class") or "").split())


def _inside(page: Page, box_class: str, test: Callable[[etree._Element], bool]) -> list:
    return [d for box in page.with_class(box_class) for d in box.iterdescendants() if test(d)]


# Byline markup, most specific first. Class lookups go through the page's class index: one
# walk of the page serves every query.
AUTHOR_STEPS: tuple[Callable[[Page], list], ...] = (
    lambda page: _inside(page, "byline", lambda d: d.tag == "a" and d.get("rel") == "author"),
    lambda page: _inside(page, "byline", lambda d: bool(_classes(d) & {"fn", "author"})),
    lambda page: _links_rel(page, "author"),
    lambda page: page.with_class("wp-block-post-author__name", "wp-block-post-author-name"),
    # Elsewhere "author-title" is a job title; in a bio box it is the name.
    lambda page: _inside(page, "author-bio", lambda d: "author-title" in _classes(d)),
    lambda page: _within(page, "name", "author"),
    lambda page: page.with_attribute("itemprop", "author"),
    lambda page: page.with_class("entry-author", "post-author", "author-name"),
    lambda page: page.with_class("byline"),
)
# Themes name their byline classes freely (authorName, post-hero__author, author_name ...):
# class names tried only when nothing structured names the author, loosest last.
# "authorities", "authorization" and "authorized" are no author (a menu's
# "authorities-governing-board-actions" item, wcxb 0781).
_AUTHOR_IN_CLASS = re.compile(r"author(?!i[tsz])")
# Each: the part a class name holds, and the test it must pass besides.
LOOSE_AUTHOR_CLASSES: tuple[tuple[str, Callable[[str], bool]], ...] = (
    ("author", lambda name: bool(_AUTHOR_IN_CLASS.search(name)) and "name" in name and "comment" not in name),
    ("byline", lambda name: "comment" not in name),
    ("author", lambda name: bool(_AUTHOR_IN_CLASS.search(name)) and "comment" not in name),
)

def _values(elements: list, attribute: str) -> list[str]:
    return [v for v in (e.get(attribute) for e in elements) if v is not None]


# Finders of machine-readable dates: page → attribute values, most specific first.
PUBLISHED_QUERIES: tuple[Callable[[Page], list[str]], ...] = (
    lambda page: _values(page.with_class("entry-date", "published"), "datetime"),
    lambda page: _values([t for box in page.with_class("wp-block-post-date")
                          for t in box.iterdescendants("time")], "datetime"),
    lambda page: _values(page.with_attribute("itemprop", "datePublished"), "datetime"),
    lambda page: _values(page.with_attribute("itemprop", "datePublished"), "content"),
    lambda page: _values([t for t in page.tagged("time")
                          if _has_ancestor(t, lambda a: a.tag == "article")], "datetime"),
)
MODIFIED_QUERIES: tuple[Callable[[Page], list[str]], ...] = (
    lambda page: _values([t for t in page.with_class("updated")
                          if t.tag == "time" and "published" not in _classes(t)], "datetime"),
    lambda page: _values(page.with_attribute("itemprop", "dateModified"), "datetime"),
    lambda page: _values(page.with_attribute("itemprop", "dateModified"), "content"),
)
TAG_QUERIES: tuple[Callable[[Page], list], ...] = (
    lambda page: [a for box in page.with_class("tags-links", "taxonomy-post_tag", "post-tags",
                                               "entry-tags") for a in box.iter("a")],
    lambda page: [a for a in _links_rel(page, "tag") if "/tag/" in (a.get("href") or "")],
)
CATEGORY_QUERIES: tuple[Callable[[Page], list], ...] = (
    lambda page: [a for box in page.with_class("cat-links", "taxonomy-category", "post-categories",
                                               "entry-categories") for a in box.iter("a")],
    lambda page: [a for a in page.with_attribute("rel~", "category") if a.tag == "a"],
)
_NOT_ARTICLE_CLASSES = frozenset({
    "comment", "comments-area", "comment-list", "commentlist", "comment-body", "wp-block-comments",
    "wp-block-post-comments", "widget", "sidebar", "widget-area", "wp-block-latest-comments",
    "wp-block-latest-posts"})


def _outside(el: etree._Element) -> bool:
    """Not inside comments, a sidebar or a widget: what the article itself says. Blogger calls
    the posts' own area the "Blog" widget (``walk.outside_of``, compiled where it could be built)."""
    return outside_of(el, "aside", "comments", _NOT_ARTICLE_CLASSES, "Blog")


# Last, any <time> of the page that is not a comment's or a widget's.
PUBLISHED_QUERIES += (lambda page: _values([t for t in page.tagged("time") if _outside(t)], "datetime"),)


def _printed_dates(page: Page) -> list:
    """Elements that print a date for readers, when nothing machine-readable states one."""
    dated = page.with_class_holding("date", "publish", "posted")
    return [el for el in page.in_order([page.tagged("time"), dated]) if _outside(el)]


_URL_DATE = re.compile(r"/((?:19|20)\d{2})[/-](\d{1,2})[/-](\d{1,2})(?:[/_+-]|\.html?|$)|"
                       r"/((?:19|20)\d{2})/(" + MONTH_NAME + r")/(\d{1,2})(?:/|$)", re.I)  # never a slug's words
_WEEKDAY = r"(?:(?:mon|tue|wed|thu|fri|sat|sun)[a-z]*\.?,?\s+)?"
# A date as printed in running text: "March 2, 2026", "2 Mar 2026", "2026/3/2", "02.03.2026".
PRINTED_DATE = re.compile(
    _WEEKDAY + r"(?:" + MONTH + r"\s+\d{1,2}(?:st|nd|rd|th)?,?\s+\d{4}|\d{1,2}(?:st|nd|rd|th)?\s+(?:of\s+)?"
    + MONTH + r",?\s+\d{4}|\d{4}[-/.]\d{1,2}[-/.]\d{1,2}|\d{1,2}[-/.]\d{1,2}[-/.]\d{2,4})", re.I)
_MAX_DATE_LINE = 80
_DATE_LINE_FILLER = 16  # "Posted on ", "Updated: " around a date on a line of its own
_DATE_CLASS = re.compile(r"(^|[\s_-])(date|pubdate|published|posted)([\s_-]|$)", re.I)
_NEAR_TITLE_TEXTS = 60  # text nodes after the title searched for the byline's date
_BEFORE_TITLE_TEXTS = 12  # and before it, in the headline's header
_SCRIPT_DATE = re.compile(r'"(?:datePublished|publishedDate|publishDate|publishedAt|published_at|'
                          r'date_published|postDate|pubDate)\\?"\s*:\s*\\?"(\d{4}-\d{2}-\d{2}[^"\\]{0,30})')


def _first_text(page: Page, finders: tuple[Callable[[Page], list], ...],
                accept=lambda s: True) -> tuple[str | None, etree._Element | None]:
    for find in finders:
        for el in find(page):
            if not _outside(el):
                continue
            text = collapse(el.text_content())
            if text and accept(text):
                return text, el
    return None, None


@per_page  # asked for the title and again for the date printed near it
def _title_found(page: Page) -> tuple[str | None, etree._Element | None]:
    return _first_text(page, TITLE_QUERIES)


def title(page: Page) -> str | None:
    text, _ = _title_found(page)
    if text:
        return text
    for candidate in (page.meta.get("og:title"), (page.jsonld_article or {}).get("headline")):
        if candidate:
            return collapse(str(candidate))
    raw = next(iter(page.everywhere("title")), None)
    return collapse(raw.text_content()) if raw is not None else None


# Labels a byline or an author box prints before the name, in the languages the corpora hold.
# Evidence: "By", "Written by:", "Posted by", "Author"; "veröffentlicht von stylegart"
# (threads/stylegart.de); an author box headed "Über Luis Holuch" (threads/skispringen.com).
# A bare "von" is a label unless it starts the name itself ("von der Leyen"); "About our
# expert" heads a site's own text (wcxb 4064).
_LABEL_BEFORE_NAME = (
    r"(?:written|posted|authored|text|words|story|article|recipe|reviewed|published)\s+by|by|authors?|the author|"
    r"(?:veröffentlicht|geschrieben|verfasst|erstellt|gepostet)\s+von|von(?!\s+(?:der|den|dem|zu)\b)|"
    r"(?:publié|écrit|rédigé|posté)\s+par|par|(?:publicado|escrito)\s+por|por|"
    r"(?:pubblicato|scritto)\s+da|(?:geschreven\s+)?door|"
    r"(?:about|über|à propos de|sobre|acerca de)(?!\s+(?:us|our|me|my|uns|unser\w*|nous|nosotros)\b)")
# A whole word: "Parisa", "Porter" and "Byron" are names, not "par", "por" and "by".
_BYLINE_LABEL = re.compile(rf"^\s*(?:{_LABEL_BEFORE_NAME})\b\s*[:\-–—]?\s*|^(?-i:By(?=[A-Z]))", re.I)
# A one-word label that is also the first word of surnames ("Von Miller", "Door Kamphuis", "Par
# Lagerkvist"): a label only before a name of two words or more ("Von Max Muster"), or before a
# colon ("Von: Miller"); before a single capitalised word, it is the name's own first word.
_PARTICLE_LABEL = re.compile(r"\s*(?:von|door|par|por)\s+", re.I)
# A site's navigation, never a name: "Über uns", "About us", "À propos", "Chi siamo".
_NAVIGATION = re.compile(
    r"^(?:about (?:us|me)|über (?:uns|mich)|à propos(?: de nous| de moi)?|qui sommes-nous|sobre (?:nosotros|mí)|"
    r"quiénes somos|chi siamo|chi sono|over (?:ons|mij)|contact(?: us)?|kontakt|impressum)\W*$", re.I)
# Headings of an author box or bio section, never a name: "About the author", "Über den Autor",
# "Autoreninfo" (threads/cicero.de, where it was read as the name).
BIO_HEADING = re.compile(
    r"^(about (the )?(author|writer)s?|meet the author|the author|author|written by|autoreninfo|"
    r"über (den|die) autor(in)?|à propos de l'auteur|sobre (el|o) autor|l'autore)\W*$", re.I)
# Where the name ends and the rest of the byline (dates, reading time, roles) begins.
_BYLINE_TAIL = re.compile(
    r"\s*(?:[|•·/]|\s[-–—]\s|[-–—]\s*$|(?:last\s+)?updated\b|updated:|published\b|fact[- ]checked|"
    r"reviewed by|\s(?:is|was)\s+(?:a|an|the)\s|"
    r"\bon\s+(?:(?:mon|tues|wednes|thurs|fri|satur|sun)day\b|" + MONTH + r"\s*\d|\d)|"
    + MONTH + r"\s+\d{1,2}(?:st|nd|rd|th)?,?\s+\d{4}|"
    r"\d{1,2}\s+" + MONTH + r"\s+\d{4}|\d{1,4}[-/.]\d{1,2}[-/.]\d{1,4}|\d+\s+min\b).*$", re.I | re.S)
_NOT_A_NAME = re.compile(r"^(view all|all posts|more posts|email|posts by|author|admin|by|"
                         r"written by|posted by|share|follow)\b|^\W|\d{3}", re.I)
_URL_OR_HANDLE = re.compile(r"^(https?:|www\.|@)|\S@\S|^\d+$", re.I)
# A newsroom's job title after the name: "Jane Doe, Staff Writer", "Jane Doe Senior Reporter".
_ROLE = (r"(?:writer|editor|reporter|contributor|correspondent|columnist|expert|attorney|founder|"
         r"educators?|analyst|consultant|specialist)\b")
_TRAILING_ROLE = re.compile(r"^(?P<name>[^\s,]+(?:\s+[^\s,]+)+?)(?:\s*,\s*(?:[^,]*?\s)?(?i:" + _ROLE + r")"
                            r"|(?:\s+[A-Z][^\s,]*){0,2}\s+(?=[A-Z])(?i:" + _ROLE + r")).*$")
# What a real name looks like, for the weak sources that can hit any text on the page:
# two to six words, each capitalised or a particle ("van", "de", "and").
_NAME_WORDS = re.compile(r"^(?:[A-ZÀ-Þ][\w.'’-]*|van|von|der|den|de|da|di|du|la|le|del|bin|al|and|&)$")


def _author_name(text: str | None) -> str | None:
    """A byline's text reduced to the name, or None when what is left is not a name."""
    text = html.unescape(collapse(text))  # JSON-LD and meta values are often escaped twice
    if _URL_OR_HANDLE.search(text) or BIO_HEADING.match(text):
        return None
    name = _BYLINE_TAIL.sub("", _without_label(text))
    name = _without_label(name).strip(" ,;:|·-–—")
    name = _TRAILING_ROLE.sub(r"\g<name>", name)
    if (not name or len(name) > 80 or _NOT_A_NAME.search(name) or _NAVIGATION.match(name)
            or len(name.split()) > 12):
        return None
    return name


def _without_label(text: str) -> str:
    """The text without the label before the name; "Von Miller" is a name, "Von Max Muster" a
    label and a name."""
    rest = _BYLINE_LABEL.sub("", text, count=1)
    if _PARTICLE_LABEL.fullmatch(text[:len(text) - len(rest)]):
        words = re.split(r"[,;]", _BYLINE_TAIL.sub("", rest))[0].split()
        if len(words) == 1 and words[0][0].isupper():
            return text
    return rest


def _element_name(el: etree._Element) -> str | None:
    """The name in a byline element: its first block that is more than a label, so a name is
    never run together with the job title, date or bio printed in the blocks after it."""
    for line in paragraphs(el)[:3]:
        if _BYLINE_LABEL.sub("", line).strip(" :") and not BIO_HEADING.match(line):
            return _author_name(line)
    return None


def _looks_like_name(name: str | None) -> bool:
    words = (name or "").split()
    return 1 <= len(words) <= 6 and all(_NAME_WORDS.match(w) for w in words)


def join_names(names: list[str]) -> str | None:
    """Several authors as one string, "A, B, C" (the form most multi-author bylines print)."""
    unique = list(dict.fromkeys(n for n in names if n))
    return ", ".join(unique) or None


ORGANIZATION_TYPES = {"Organization", "Corporation", "NewsMediaOrganization", "WebSite", "Brand",
                      "LocalBusiness", "EducationalOrganization"}


def _jsonld_people(page: Page, value: object, organizations: bool) -> list[str]:
    """Names in a JSON-LD ``author``: a name, a Person, a list, or ``{"@id": ...}`` pointing
    at a node elsewhere in the ``@graph``. Organizations only when ``organizations``."""
    if isinstance(value, list):
        return [n for item in value for n in _jsonld_people(page, item, organizations)]
    if isinstance(value, dict):
        if not value.get("name") and value.get("@id"):
            value = page.jsonld_by_id.get(str(value["@id"]), {})
        if bool(jsonld_types(value) & ORGANIZATION_TYPES) is not organizations:
            return []
        value = value.get("name")
    elif organizations:
        return []
    name = _author_name(str(value)) if isinstance(value, str) else None
    return [name] if name else []


def _jsonld_author(page: Page) -> tuple[str | None, None]:
    return join_names(_jsonld_people(page, (page.jsonld_article or {}).get("author"), False)), None


def _jsonld_organization(page: Page) -> tuple[str | None, None]:
    """A company as author is right only when no person is named anywhere else."""
    return join_names(_jsonld_people(page, (page.jsonld_article or {}).get("author"), True)), None


def _meta_author(page: Page) -> tuple[str | None, None]:
    for key in ("author", "article:author", "article_author", "parsely-author", "sailthru.author",
                "dc.creator", "byl", "citation_author"):
        value = page.meta.get(key) or ""
        if key == "citation_author" and value.count(",") == 1:  # scholarly "Last, First"
            value = " ".join(reversed(value.split(",")))
        name = _author_name(value)
        if name:
            return name, None
    return None, None


def _byline_author(page: Page) -> tuple[str | None, etree._Element | None]:
    for step in AUTHOR_STEPS:
        for el in step(page):
            if not _outside(el):
                continue
            name = _element_name(el)
            if name:
                return name, el
    return None, None


def _loose_author(page: Page) -> tuple[str | None, etree._Element | None]:
    for part, test in LOOSE_AUTHOR_CLASSES:
        for el in page.with_class_holding(part, where=test):
            if el.tag == "img" or "comment" in el.get("class", "") or not _outside(el):
                continue
            name = _element_name(el)
            if _looks_like_name(name):
                return name, el
    return None, None


# An element whose own first text starts with a byline label: "By Jane Doe", "By <a>Jane
# Doe</a>", "<p>Written by</p><p>Jane Doe</p>".
_LABEL_START = re.compile(
    r"[ \t\r\n]*(?:(?:By|by|BY)(?:[ \t\r\n]+[^ \t\r\n]|(?P<bare>[ \t\r\n]*$))|By:|Written[ \t\r\n]+[bB]y|"
    r"Posted[ \t\r\n]+by|Author:|Authored[ \t\r\n]+by)")
_LONG_PARAGRAPH = 120


# How every label ``_LABEL_START`` matches opens: only elements whose text opens so are read in
# Python (``walk.text_openers``, compiled where it could be built), where a first letter alone
# let through every text opening "But", "Posts" or "About".
_LABEL_OPENINGS = ("By", "by", "BY", "Written", "Posted", "Author")


def _labelled_bylines(page: Page) -> Iterator[etree._Element]:
    for body in page.tagged("body"):
        for el in text_openers(body, _LABEL_OPENINGS):
            if el.tag in ("script", "style"):
                continue
            text = first_text(el)
            label = _LABEL_START.match(text) if text else None
            # A bare "By" is a byline where the name follows in the same element ("By <a>Jane
            # Doe</a>"), not a credit's "<span>by</span> <a>Theme Co</a>".
            if (label and (label.group("bare") is None or (el.text == text and len(el)))
                    and _outside(el) and not (el.tag == "p" and len(el.text_content()) > _LONG_PARAGRAPH)):
                yield el


def _labelled_author(page: Page) -> tuple[str | None, etree._Element | None]:
    for el in _labelled_bylines(page):
        name = _element_name(el)
        if not name:
            el = el.getnext()
            name = _element_name(el) if el is not None else None
        if _looks_like_name(name):
            return name, el
    return None, None


# Most trusted first. What readers see in a theme's byline beats structured data, which
# WordPress fills with the account that posted (often an editor or "admin").
AUTHOR_SOURCES = (_byline_author, _jsonld_author, _meta_author, _labelled_author, _loose_author, _jsonld_organization)


def author(page: Page) -> tuple[str | None, str | None]:
    """Name and profile URL of the article's author (never a commenter's).

    Several authors are joined as "A, B, C" (``join_names``). Sources, most trusted first: a
    theme's byline markup, the article's JSON-LD ``author`` (Person, list, or ``@id`` into the
    ``@graph``), ``<meta name=author>`` and kin (when not a URL or handle), a "By ..." label,
    then classes that merely mention an author.
    """
    name, el = _author_found(page)
    if not name:
        return None, author_link(page)
    link = None
    if el is not None:
        link = el if el.tag == "a" else (el.xpath(".//a[@href]") or [None])[0]
    url = absolute(page.url, link.get("href")) if link is not None else None
    return name, url or author_link(page)


@per_page  # asked by the author field and again by the date beside the byline
def _author_found(page: Page) -> tuple[str | None, etree._Element | None]:
    """The author's name from the most trusted source that gives one, and the element it was
    read from (None for JSON-LD and meta tags)."""
    for source in AUTHOR_SOURCES:
        name, el = source(page)
        if name:
            return name, el
    return None, None


def author_link(page: Page) -> str | None:
    links = page.in_order([page.with_attribute("rel", "author"), page.with_class("author-link")])
    href = next((a.get("href") for a in links if a.tag == "a" and a.get("href") is not None), None)
    return absolute(page.url, str(href)) if href else None


@per_page
def published_raw(page: Page) -> str | None:
    """The publication date as the page states it: JSON-LD, meta tags and ``<time datetime>``
    first, then a date in the URL (``/2024/05/07/``), then a date printed for readers (read
    later through ``dates``' cached fallback in the page's language)."""
    return (_first_value(page, PUBLISHED_QUERIES, PUBLISHED_META, "datePublished")
            or url_date(page.url) or visible_date(page) or script_date(page) or _date_beside_author(page))


PUBLISHED_META = ("article:published_time", "datepublished", "og:published_time", "date", "dc.date",
                  "published", "publish_date", "date_published", "article.published", "article:published",
                  "dc.date.issued", "dcterms.date", "publishdate", "publish-date", "pubdate",
                  "parsely-pub-date", "sailthru.date", "citation_publication_date", "citation_date",
                  "published-date", "published_date", "article:published_date")


def url_date(url: str) -> str | None:
    """``2024-05-07`` from a URL path like ``/2024/05/07/slug``, checked as a real date."""
    m = _URL_DATE.search(url.split("?", 1)[0])
    if not m:
        return None
    year, month, day = (m.group(1, 2, 3) if m.group(1) else m.group(4, 5, 6))
    year, day = int(year), int(day)
    month = int(month) if month.isdigit() else MONTH_NUMBERS[month[:3].lower()]
    return f"{year:04d}-{month:02d}-{day:02d}" if 1 <= month <= 12 and 1 <= day <= 31 else None


def visible_date(page: Page) -> str | None:
    """The first date printed in a ``<time>`` or a date/publish-classed element, else the
    date printed nearest after the title (where bylines put it)."""
    for el in _printed_dates(page):
        text = collapse(el.text_content())
        if len(text) > _MAX_DATE_LINE and _DATE_CLASS.search(el.get("class") or ""):
            # A date line run together with its tags ("Posted on April 13, 2023Tags: …"):
            # its first text. Only a class naming a date: "post-update" is a note, not one.
            text = collapse(next((t for t in el.itertext() if t.strip()), ""))
        if len(text) > _MAX_DATE_LINE or not any(map(str.isdigit, text)):
            continue
        m = PRINTED_DATE.search(text)
        if m:
            return m.group(0)
        if el.tag == "time":  # a <time> holds only the date, in whatever language
            return text
    return _date_near_title(page)


def _date_near_title(page: Page) -> str | None:
    """The date printed nearest after the title, else the one printed just above it, in the
    headline's own header (a date line beside the category), never the page's masthead."""
    _, heading = _title_found(page)
    if heading is None:
        return None
    for text in following_texts(heading, _NEAR_TITLE_TEXTS) + _texts_above(heading):
        if len(text) <= _MAX_DATE_LINE and any(map(str.isdigit, text)):
            m = PRINTED_DATE.search(text)
            if m:
                return m.group(0)
    return None


_AUTHOR_BOX_LEVELS = 2  # the byline's row and the box around it
_AUTHOR_BOX_TEXTS = 8


def _date_beside_author(page: Page) -> str | None:
    """The date line printed in or after the byline's element, within its author box
    (``<div><p>Jane Doe</p><small>May 7, 2024</small></div>``): last of all, where neither the
    headline, a date-named element nor the page's scripts give one. Only a byline read from the
    page's markup has a place to look beside."""
    _, byline = _author_found(page)
    if byline is None or not _in_the_article(byline):
        return None
    box = byline
    for _ in range(_AUTHOR_BOX_LEVELS):
        parent = box.getparent()
        if parent is None or parent.tag == "body":
            break
        box = parent
    for text in box_texts(byline, box, _AUTHOR_BOX_TEXTS):  # up to the first past the author box
        found = _date_line(collapse(text))
        if found:
            return found
    return None


def _date_line(text: str) -> str | None:
    """The date of a line that is little more than a date, not of a sentence mentioning one."""
    m = PRINTED_DATE.search(text) if len(text) <= _MAX_DATE_LINE else None
    return m.group(0) if m and len(text) - len(m.group(0)) <= _DATE_LINE_FILLER else None


def _in_the_article(el: etree._Element) -> bool:
    """Not in the masthead, the footer, a bio box, a related post or the comments."""
    if not _outside(el):
        return False
    for node in el.iterancestors():
        if node.tag == "header":  # the article's own header holds its byline; the site's does not
            if not _has_ancestor(node, lambda a: a.tag in ("article", "main")):
                return False
        elif is_boilerplate(node):  # footers, navigation and asides among them
            return False
    return True


def _texts_above(heading: etree._Element) -> list[str]:
    """Text of the elements before the heading and before its parent, nearest first."""
    texts: list[str] = []
    parent = heading.getparent()
    for node in (heading, parent) if parent is not None and parent.tag != "body" else (heading,):
        for sibling in node.itersiblings(preceding=True):
            if (isinstance(sibling.tag, str) and sibling.tag not in ("script", "style")
                    and not is_boilerplate(sibling) and _outside(sibling)):
                texts.extend(t for t in reversed(list(sibling.itertext())) if t.strip())
            if len(texts) >= _BEFORE_TITLE_TEXTS:
                return texts[:_BEFORE_TITLE_TEXTS]
    return texts


def script_date(page: Page) -> str | None:
    """``"datePublished": "..."`` and kin in the page's scripts: the state that JavaScript
    sites render their byline from."""
    for script in page.root.iter("script"):
        m = script.get("src") is None and script.text and _SCRIPT_DATE.search(script.text)
        if m:
            return m.group(1)
    return None


def modified_raw(page: Page) -> str | None:
    return _first_value(page, MODIFIED_QUERIES, ("article:modified_time", "og:updated_time",
                                                 "datemodified", "modified-date", "modified_date"),
                       "dateModified")


def _first_value(page: Page, queries: tuple[Callable[[Page], list[str]], ...], meta_keys: tuple[str, ...],
                 jsonld_key: str) -> str | None:
    ld = (page.jsonld_article or {}).get(jsonld_key)
    if ld:
        return str(ld).strip()
    for key in meta_keys:
        if page.meta.get(key):
            return page.meta[key].strip()
    for find in queries:
        for value in find(page):
            if str(value).strip():
                return str(value).strip()
    return None


def _terms(page: Page, finders: tuple[Callable[[Page], list], ...]) -> list[str]:
    for find in finders:
        names = [collapse(a.text_content()) for a in find(page) if _outside(a)]
        names = list(dict.fromkeys(n for n in names if n))
        if names:
            return names
    return []


def tags(page: Page) -> list[str]:
    found = _terms(page, TAG_QUERIES)
    return found or [collapse(v) for k, v in page.meta.items() if k == "article:tag" and v]


def categories(page: Page) -> list[str]:
    found = _terms(page, CATEGORY_QUERIES)
    section = page.meta.get("article:section")
    return found or ([collapse(section)] if section else [])


@per_page  # asked for the field and again for the site
def canonical_url(page: Page) -> str:
    """The canonical link, else ``og:url``, else the page's URL; one that is malformed is skipped."""
    for href in (page.link("canonical"), page.meta.get("og:url")):
        url = absolute(page.url, href)
        if url:
            return url
    return page.url


def post_id(page: Page) -> str | None:
    """The platform's own id of the post (WordPress), where the page states it."""
    m = _POST_ID.search(" ".join(page.body_classes).join("  "))
    if m:
        return m.group(1)
    rest = page.link("alternate", "application/json")
    m = _REST_POST.search(rest or "")
    if m:
        return m.group(1)
    # The first ``//input[@name='comment_post_ID']/@value``, read from the inputs alone.
    value = next((v for form_input in page.everywhere("input") if form_input.get("name") == "comment_post_ID"
                  and (v := form_input.get("value")) is not None), None)
    return str(value) if value else None


def rest_api_root(page: Page) -> str | None:
    href = page.link("https://api.w.org/")
    return absolute(page.url, href) if href else None


def comments_open(page: Page, has_comments: bool) -> bool | None:
    """True with a comment form, False with a closed notice or a thread shown without a form,
    None when the page says nothing either way."""
    forms = page.with_attribute("id", "commentform") + page.with_class_holding("comment-form")
    if any(f.tag == "form" for f in forms) or page.with_attribute("id", "respond"):
        return True
    if page.with_class("no-comments", "comments-closed"):
        return False
    return False if has_comments else None


# Headings of the thread itself; "comment-count" counters are left out: listings and teasers
# print them for other posts.
_COUNT_TITLE_CLASSES = ("comments-title", "comment-title", "wp-block-comments-title", "comments-heading")
# "22 thoughts on …", "14 Comments", "2 Gedanken zu …", "One thought on …", "No comments".
_COUNT_IN_TITLE = re.compile(r"^\s*(?:(\d[\d,.\u00a0]*)(?=\s*(?:[^\W\d]|$))|(one|a single)\s+\w|"
                             r"(no)\s+(?:comments?|responses?|replies|thoughts?)\b)", re.I)


# The dataset's column is int32: a larger "count" is no count (and past 4,300 digits ``int``
# refuses the string outright).
MAX_DECLARED_COUNT = 2**31 - 1


def _count(value: object) -> int | None:
    """The number ``value`` states (a JSON number, or the digits of a text), where it can be a
    count of comments."""
    if isinstance(value, float):  # JSON's 12.0 is 12, not the digits "120"
        return _count(int(value)) if value.is_integer() else None
    digits = re.sub(r"\D", "", str(value))
    if not digits or len(digits) > len(str(MAX_DECLARED_COUNT)):
        return None
    number = int(digits)
    return number if number <= MAX_DECLARED_COUNT else None


def declared_comment_count(page: Page) -> int | None:
    """How many comments the page says its thread holds (JSON-LD ``commentCount``, microdata,
    or the number heading the thread: "22 thoughts on …"), to tell a complete thread from one
    whose markup broke off; None where the page does not say, or says a number no thread holds."""
    for value in ((page.jsonld_article or {}).get("commentCount"),
                  *(e.get("content") or e.text_content() for e in page.with_attribute("itemprop", "commentCount"))):
        number = _count(value) if value is not None and not isinstance(value, bool) else None
        if number is not None:
            return number
    for heading in page.with_class(*_COUNT_TITLE_CLASSES):
        m = _COUNT_IN_TITLE.match(collapse(heading.text_content()))
        if m and m.group(1):
            number = _count(m.group(1))
            if number is not None:
                return number
        elif m:
            return 1 if m.group(2) else 0
    return None

