"""Author bio: the bio box or "about the author" text, or a trailing "<Name> is a ..." paragraph.

The bio is a field of its own and never stays in the body text.
"""
from __future__ import annotations

import re
from collections.abc import Iterator
from functools import lru_cache

from lxml import etree

from ..text import collapse, paragraphs
from .metadata import BIO_HEADING as _BIO_HEADING, PRINTED_DATE
from .page import Page
from .walk import texts_opening_with

_BOX_CLASSES = ("author-bio", "author-box", "about-author", "author-info", "saboxplugin-wrap",
                "author-profile", "post-author-box", "author-card", "author-details", "author-about",
                "elementor-author-box", "author-block", "authorbox", "abh_box", "m-a-box")
_DESCRIPTION_CLASSES = ("author-description", "saboxplugin-desc", "author-bio-text", "author-desc",
                        "elementor-author-box__bio", "author-bio-content", "author-text")
# Themes' own variants ("author-bio-box", "post-about-author"): tried last, as substrings.
_BOX_PARTS = ("author-bio", "about-author", "author-box")
# What a bio box prints around the bio, by the structure it has; each with the pages that showed
# it (threads/ and wcxb-articles/ of ../shared/corpus). A link to the author's other posts or
# page: "View all posts by Daniel Lemire" (lemire.me), "More about me →" (wcxb 4036, 4085),
# "… See Full Bio" (4058), "More from …" (0304), "Learn more about Jeff Cobb here." (2218),
# "Zur Artikelübersicht" (cicero.de).
_LINK_PHRASES = (r"view all|all posts|more posts|posts by|read more|see all|see full bio|follow|more about me|"
                 r"more from|learn more about|zur artikelübersicht|alle (?:beiträge|artikel)|"
                 r"weitere (?:beiträge|artikel)|(?:voir )?tous les articles|ver todos|todos los artículos")
# A contact line, the label of the links or icons after it: "So erreichen Sie Moritz Gathmann:"
# (cicero.de), "More ways to connect with me:" (wcxb 4884), "Connect with Team Amit here." (0283).
_CONTACT_PHRASES = r"so erreichen sie|kontakt|contact|get in touch|connect with|more ways to connect"
# The names of social networks as link texts, in a row: "Facebook Twitter YouTube LinkedIn Xing"
# (skispringen.com), "X (Twitter) LinkedIn" before the bio (wcxb 4830).
_NETWORK = r"(?:facebook|twitter|x \(twitter\)|linkedin|instagram|youtube|xing|pinterest|tiktok|mastodon|bluesky)"
_NOT_BIO_LINES = {
    "link to the author's posts": re.compile(rf"^(?:{_LINK_PHRASES})\b", re.I),
    "contact line": re.compile(rf"^(?:{_CONTACT_PHRASES})\b.{{0,80}}$", re.I),
    # A post counter, alone or after the name: "Über Luis Holuch 257 Artikel" (skispringen.com);
    # a short line ending in the count, never a sentence ("She has written 300 articles.").
    "post counter": re.compile(r"^.{0,60}?\b\d[\d.,]*\s+(?:posts?|articles?|artikel|beiträge|beitrag|"
                               r"artículos|entradas|articoli|stories)$", re.I),
    "row of social networks": re.compile(rf"^(?:{_NETWORK}\W*)+$", re.I),
}
# The same at the end of the bio's last paragraph, after its last sentence: the link run on.
# It has the shape of a link's text: the phrase alone or followed by whom it leads to, a name
# ("View all posts by Daniel Lemire", "Connect with Jim.", "Learn more about Randy →"), "me" or
# "here" ("More ways to connect with me:"), or a short run ending in "here" ("See all the
# software tools used to run this site here."); after a contact label's colon too ("So
# erreichen Sie Moritz Gathmann: Zur Artikelübersicht", cicero.de). A sentence that only starts
# with such a word is the bio's own last sentence: "Contact lenses and dry eye are her
# specialties.", "Follow the flock on her weekly walks…". A handle in it is the author's own
# information, as in the seed's bio ("Twitter: @nehadismai"): "Follow Autumn on Instagram
# @autumnadamsyoga." (wcxb 0305) stays.
_WHOM = (r"(?-i:[A-ZÀ-Þ][\w'’-]*\.?)|van|von|der|den|de|da|di|du|la|le|del|bin|al|"  # a name's words
         r"posts|articles|by|from|of|with|about|on|at|me|him|her|them|us|here|hier|ici|aquí|qui")
_TRAILING_LINK = re.compile(rf"(?:^|(?<=[.!?…):])\s+)(?:…\s*)?(?:{_LINK_PHRASES}|{_CONTACT_PHRASES})\b"
                            r"(?=[^.!?@]{0,60}[.!?:→»›]?\s*$)"  # short, one run, no handle
                            rf"(?:(?:\s+(?:{_WHOM})){{0,8}}|[^.!?@]*\b(?:here|hier|ici))"
                            r"\s*[.!?:→»›]?\s*$", re.I)
# Two or more networks' names before the bio: their links' texts.
_LEADING_NETWORKS = re.compile(rf"^(?:{_NETWORK}\s+){{2,}}", re.I)
# Labels before the name that only a name may follow ("Über Luis Holuch"): "Sobre todo …" is prose.
_ABOUT_NAME = r"über|à propos de|sobre|acerca de"
_EMAIL = re.compile(r"\S@\S+\.\w")
_MIN_BIO_WORDS = 6  # a bio says something about its author; a name or a job title does not
_MIN_UNSPACED_CHARS = 30
_TRAILING_BIO_MAX_CHARS = 1500  # a bio of a few sentences; a longer paragraph is the article's
_TRAILING_BIO_PARAGRAPHS = 3    # the last ones: the bio, then perhaps a disclaimer or a pitch
_BIO_SECTION_ELEMENTS = 2


def _outside_comments(el: etree._Element) -> bool:
    return not any(a.get("id") == "comments" or {"comment", "comment-list"} & set((a.get("class") or "").split())
                   for a in el.iterancestors())


def _label(name: str) -> re.Pattern:
    """A label before the name (pattern ``name``), or the name heading the box, alone or with
    its job title and no sentence after it ("Jeff Cobb, Founder of Learning Revolution", wcxb
    2218)."""
    return re.compile(rf"^(?:(?:about the author|about|author|written by|by)\b\W*(?:{name}\b)?|"
                      rf"(?:{_ABOUT_NAME})\s+{name}\b|{name}(?:\s*,[^.!?]{{0,80}})?$)\W*", re.I)


# The label where the name is nowhere in the line: what ``_label`` of any name does there.
_LABEL_NAMING_NONE = _label("(?!)")


@lru_cache(maxsize=64)
def _label_naming(name: str) -> re.Pattern:
    """``_label`` of the author's name: compiled once per author, not once per box (every page
    names another author, past ``re``'s own cache)."""
    return _label(re.escape(name))


# ``_label`` read in its parts, so that a new author costs a pattern of the name alone (a tenth
# of the whole's compiling): the label words, each ending a word, and the non-word characters
# after them; the labels only a name may follow, and the spaces after them; a job title after
# the name, to the line's end.
_LABEL_WORDS = re.compile(r"(?:about the author|about|author|written by|by)\b\W*", re.I)
_ABOUT_NAME_LABEL = re.compile(rf"(?:{_ABOUT_NAME})(\s+)", re.I)
_JOB_TITLE_TO_END = re.compile(r"(?:\s*,[^.!?]{0,80})?$")
_NON_WORD = re.compile(r"\W*")
_WORD_EDGE = re.compile(r"\b")


@lru_cache(maxsize=256)
def _name_pattern(name: str) -> re.Pattern:
    """The author's name as ``_label`` matches it: its characters, case-blind."""
    return re.compile(re.escape(name), re.I)


def _without_label(line: str, name: re.Pattern | None) -> str:
    """``_label(name).sub("", line, count=1)``, the name (``_name_pattern``'s, or None where the
    line cannot hold it) matched on its own. The name is literal: it matches in one way only, as
    long as it is written (``re.I`` folds one character to one), so where the whole pattern
    would try it, it is tried here, in the same order."""
    label = _LABEL_WORDS.match(line)
    if label is not None:  # the first branch matches whenever its label does; the name is optional
        end = label.end()
        if name is not None:
            named = name.match(line, end)
            if named is not None and _WORD_EDGE.match(line, named.end()) is not None:
                end = named.end()
        return line[_NON_WORD.match(line, end).end():]
    if name is None:
        return line
    about = _ABOUT_NAME_LABEL.match(line)
    if about is not None:  # ``\s+`` gives back a space at a time until the name and a word's end follow
        for at in range(about.end(), about.start(1), -1):
            named = name.match(line, at)
            if named is not None and _WORD_EDGE.match(line, named.end()) is not None:
                return line[_NON_WORD.match(line, named.end()).end():]
    named = name.match(line)
    if named is not None:
        title = _JOB_TITLE_TO_END.match(line, named.end())
        if title is not None:
            return line[_NON_WORD.match(line, title.end()).end():]
    return line


# The characters beyond ASCII that ``re.I`` matches to an ASCII letter (every code point tried).
_ASCII_FOLDS = str.maketrans({"\u0130": "i", "\u0131": "i", "\u017f": "s", "\u212a": "k"})


def _may_name(line: str, name: str) -> bool:
    """An ASCII name can match in ``line`` case-blind (``re.I``) only where it is a lower-cased
    substring, once the few other characters ``re.I`` takes for ASCII letters are folded (a
    Kelvin sign matches "k"); any other name is tried."""
    if not name.isascii():
        return True
    return name.lower() in (line if line.isascii() else line.translate(_ASCII_FOLDS)).lower()


def _bio_lines(lines: list[str], author_name: str | None) -> str | None:
    """The lines that say something about the author: no labels, links, bylines, addresses,
    counters, nor the name alone or with its job title ("Jeff Cobb, Founder of …")."""
    name = author_name or "\0"
    kept = []
    for line in lines:
        named = _name_pattern(name) if _may_name(line, name) else None
        line = "" if _BIO_HEADING.match(line) else _LEADING_NETWORKS.sub("", _without_label(line, named))
        if line and not _is_furniture(line):
            kept.append(line)
    text = _without_trailing_links(collapse(" ".join(kept)))
    return text if _says_something(text) else None


def _is_furniture(line: str) -> bool:
    """A line the box prints around the bio: a link, a contact label, a counter, a handle, an
    address or a date line."""
    short = len(line.split()) < 15
    return (any(rule.match(line) for rule in _NOT_BIO_LINES.values()) or line.startswith("@")
            or bool(_EMAIL.search(line)) or (short and bool(PRINTED_DATE.search(line))))


def _without_trailing_links(text: str) -> str:
    """The bio without the links run on after its last sentence ("… (TELUQ). View all posts by
    Daniel Lemire"); two at most ("… More about me. Contact:")."""
    for _ in range(2):
        text = _TRAILING_LINK.sub("", text).rstrip()
    return text


def _says_something(text: str) -> bool:
    """A sentence or two, not a name, a job title or a row of links: enough words, some of
    them lower-case (function words), or, in scripts written without spaces, enough letters."""
    words = text.split()
    if len(words) < 3:
        return len(text) >= _MIN_UNSPACED_CHARS and not text.isascii()
    return len(words) >= _MIN_BIO_WORDS and sum(w[0].islower() for w in words) >= 2


def _candidates(page: Page, boxes: list[etree._Element]) -> Iterator[etree._Element]:
    """Elements that may hold the bio, most specific first: a description inside a bio box
    beats the whole box. Lazy: most pages stop at the first."""
    box_ids = {id(b) for b in boxes}
    descriptions = page.with_class(*_DESCRIPTION_CLASSES)
    yield from (d for d in descriptions if any(id(a) in box_ids for a in d.iterancestors()))
    yield from (d for b in boxes for d in b.iterdescendants() if d.get("itemprop") == "description")
    yield from page.with_class(*_DESCRIPTION_CLASSES[:3])
    yield from (d for d in page.with_attribute("itemprop", "description")
                if any(a.get("itemprop") == "author" for a in d.iterancestors()))
    yield from boxes
    yield from page.with_class_holding(*_BOX_PARTS)


def _from_boxes(page: Page, author_name: str | None) -> tuple[str | None, list[etree._Element]]:
    boxes = [b for b in page.with_class(*_BOX_CLASSES) if _outside_comments(b)]
    for el in _candidates(page, boxes):
        if not _outside_comments(el):
            continue
        text = _bio_lines(paragraphs(el), author_name)
        if text:
            return text, boxes + [el]
    return None, boxes


def _section_after(heading: etree._Element) -> list[etree._Element]:
    """The few elements after a heading, up to the next heading: a bio is a paragraph or two."""
    section = []
    for sibling in heading.itersiblings():
        if sibling.tag in ("h1", "h2", "h3", "h4", "h5", "h6") or len(section) == _BIO_SECTION_ELEMENTS:
            break
        section.append(sibling)
    return section


# How every name ``BIO_HEADING`` finds opens, and "about <name>", in lower-case ASCII: a heading
# whose text opens with none of them (ASCII case aside) is neither, and its text is not read
# (``walk.texts_opening_with``). "über …" and "à propos …" open with a letter that is not ASCII,
# which is always read.
_BIO_HEADING_OPENINGS = ("abo", "mee", "the", "aut", "wri", "sob", "l'a")


def _from_heading(page: Page, author_name: str | None) -> tuple[str | None, list[etree._Element]]:
    about_name = f"about {author_name}".casefold() if author_name else None
    for heading in texts_opening_with(page.tagged("h2", "h3", "h4", "h5", "h6"), _BIO_HEADING_OPENINGS):
        title = collapse(heading.text_content())
        if not (_BIO_HEADING.match(title) or title.casefold() == about_name) or not _outside_comments(heading):
            continue
        section = _section_after(heading)
        text = _bio_lines([p for el in section for p in paragraphs(el)], author_name)
        if text:
            return text, [heading, *section]
    return None, []


def _from_jsonld(page: Page, author_name: str | None) -> str | None:
    """The ``description`` of the JSON-LD Person who wrote the article (not of anyone named)."""
    author = (page.jsonld_article or {}).get("author")
    refs = {str(a.get("@id")) for a in (author if isinstance(author, list) else [author])
            if isinstance(a, dict) and a.get("@id")}
    name = (author_name or "").casefold()
    for obj in page.jsonld:
        if obj.get("@type") != "Person" or not obj.get("description"):
            continue
        if str(obj.get("@id")) in refs or collapse(str(obj.get("name"))).casefold() == name:
            return _bio_lines([collapse(str(obj["description"]))], author_name)
    return None


def bio_from_markup(page: Page, author_name: str | None = None) -> tuple[str | None, list[etree._Element]]:
    """The bio text, and the elements that hold it (so the body can leave them out).

    Sources, in order: a bio box (``.author-bio``, ``.about-author``, ``.author-box``, Simple
    Author Box's ``saboxplugin``, ``itemprop=description`` in the author ...), a section
    headed "About the author" (or "About <author name>"), the JSON-LD Person's
    ``description``. Text of fewer than six words (a name, a job title) is no bio."""
    text, holders = _from_boxes(page, author_name)
    if text:
        return text, holders
    text, section = _from_heading(page, author_name)
    if text:
        return text, holders + section
    return _from_jsonld(page, author_name), holders


def without_bio(body: list[str], bio: str | None) -> list[str]:
    """The body without paragraphs that are part of the bio, wherever the markup put them."""
    if not bio:
        return body
    folded = collapse(bio).casefold()
    return [p for p in body if collapse(p).casefold() not in folded]


# After the author's name, in the corpora's languages: "Jane Doe is …", "Inga Buller ist Head of
# Social & Community bei CHIP", "… est journaliste", "… es periodista", "… è giornalista".
_INTRODUCES = re.compile(r"\s*(,[^.]*,\s*)?(is|was|has been|writes|ist|war|schreibt|est|était|écrit|es|fue|"
                         r"escribe|è|era|scrive|jest|schrijft)\b", re.I)
_INTRODUCES_AS_BIO = re.compile(r"\s*(,[^.]*,\s*)?(is an?|is the|writes|ist|schreibt|est|écrit|es|escribe|è|"
                                r"scrive|jest|schrijft)\b", re.I)
_BYLINE_JOINS = re.compile(r",|\band\b|&| und | et | y ")


def _byline_names(author_name: str) -> list[str]:
    """The byline whole, and each of its authors where every part is a full name ("Jane Doe
    and John Roe"); "Ortega y Gasset" stays one name."""
    parts = [p.strip() for p in _BYLINE_JOINS.split(author_name)]
    return [author_name] + (parts if len(parts) > 1 and all(len(p.split()) >= 2 for p in parts) else [])


def split_trailing_bio(body: list[str], author_name: str | None) -> tuple[list[str], str | None]:
    """A paragraph near the end that introduces the author ("Jane Doe is a writer ...") is the
    bio, also where a disclaimer or a call to action follows it. Each author of a byline
    ("Jane Doe and John Roe") is looked for."""
    if not body or not author_name or len(body) < 2:
        return body, None
    for at in range(len(body) - 1, max(0, len(body) - 1 - _TRAILING_BIO_PARAGRAPHS), -1):
        paragraph = body[at].removeprefix("(")
        # The last paragraph may say anything of the author; one before it must read as a bio.
        introduces = _INTRODUCES if at == len(body) - 1 else _INTRODUCES_AS_BIO
        if len(body[at]) < _TRAILING_BIO_MAX_CHARS and any(
                paragraph[:len(name)].lower() == name.lower() and introduces.match(paragraph, len(name))
                for name in _byline_names(author_name)):
            return body[:at] + body[at + 1:], body[at]
    return body, None
