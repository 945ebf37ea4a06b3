"""Plain text from lxml elements, with paragraphs kept apart and page chrome left out."""
from __future__ import annotations

import re
from collections.abc import Collection, Iterable
from typing import NamedTuple

from lxml import etree
from lxml import html as lxml_html

from .rule_dispatch import LineRules

# Elements whose text never belongs to content.
SKIP_TAGS = frozenset({
    "script", "style", "noscript", "template", "svg", "iframe", "object", "embed",
    "button", "input", "select", "textarea", "form", "canvas", "map", "head", "title",
})
# Elements that start a new paragraph; everything else is inline.
BLOCK_TAGS = frozenset({
    "p", "div", "section", "article", "main", "header", "footer", "aside", "nav",
    "h1", "h2", "h3", "h4", "h5", "h6", "ul", "ol", "li", "dl", "dt", "dd",
    "blockquote", "pre", "figure", "figcaption", "table", "thead", "tbody", "tfoot", "tr",
    "caption", "hr", "address", "details", "summary", "center", "body", "html",
})
# Table cells: a row of a data table reads as one line, its cells apart. A table with a long cell
# (or a nested table) is a page laid out in a table: its cells stand apart like any block.
CELL_TAGS = frozenset({"td", "th"})
DATA_CELL_CHARS = 80

_SPACE = re.compile(r"[^\S\n]+")
_SPACES_AROUND_NEWLINE = re.compile(r" *\n *")
_ANY_SPACE = re.compile(r"\s+")
_BLANK_LINE = re.compile(r"\n{2,}")

# One to four capitalised words: a person's name, case-sensitive inside the case-blind patterns.
_NAMES = r"(?-i:[A-Z][\w.'’-]*)( (?-i:[A-Z][\w.'’-]*)){0,3}"
# Names in a credit line ("Jane Doe and John Roe"), then titles after commas (", CPA, EA").
# Possessive repeats, lower-case "and": no backtracking however long the line.
_CREDITED = (r"(?=.{0,120}$)(?-i:[A-Z][\w.'’-]*)(\s+((?-i:[A-Z][\w.'’&-]*|and)|&))*+"
             r"(,\s*(?-i:[A-Z])[^.,]{0,40}){0,3}+")
# Affiliate disclosures: we (or I) may earn a commission when you buy through the links;
# never another's earnings ("affiliates earn a commission on every sale").
_AFFILIATE_DISCLOSURE = (
    r"^(?=.{0,300}$)(?=.*\b(affiliate links?|(through|via) ((our|these|the|this|my|any) )?links?|"
    r"click(ing)? on (a|the|our|any) links?|if you (buy|purchase|click|make a purchase)|"
    r"at no (extra|additional) cost)\b)"
    r"(?=.*(\b(we|our|us)\b|(?-i:\bI\b)(?!\.))).*\b(earn\w*|receive)\b.{0,40}\bcommissions?\b.*$")
# English headings of teaser lists: a line of their own, and the heading that ends an article.
_RECOMMENDED = r"recommended (stories|articles|reading|posts|videos)"
_YOU_MAY_LIKE = r"(other |more )?(posts|articles|stories) you (may|might|will) (also )?(enjoy|like|love)"
# One kind of chrome line: ``pattern`` matched case-blind at the line's start, ``example`` a line
# of a real page (or of the test that added the rule) that it names chrome: the rule's evidence,
# which tests/test_text_rules.py holds every rule to. ``needs``: words (lower-case) one of which
# each line the rule names holds, looked for before the rule is tried: for the rules that could
# start anywhere and look through the whole line, the dearest of all.
class LineRule(NamedTuple):
    name: str
    pattern: str
    example: str
    needs: tuple[str, ...] = ()


def _whole_line(pattern: str) -> str:
    return f"^(?:{pattern})$"


# Possessive throughout, and the line capped: a name can be read one way only.
_CREDIT_NAME = r"(?-i:[A-ZÀ-ÞĀ-ž0-9(])[\w.'’()-]*+(?:/[\w.'’()-]++)*+"
# Teaser-list headings in the other languages of the corpora: a line of their own, and the
# heading that ends an article (``_TEASER_HEADING``).
_TEASER_LABELS = (
    r"(mehr zum thema|das k(o|ö)nnte (sie|dich) auch interessieren|(weitere|(ä|a)hnliche|verwandte|"
    r"neueste|aktuelle) (artikel|beitr(a|ä)ge|meldungen|nachrichten|news|themen)|auch interessant|"
    r"lesen sie auch|lies auch|meistgelesen|(à|a) lire (aussi|(é|e)galement)|lire aussi|"
    r"articles? (similaires|li(é|e)s)|sur le m(ê|e)me sujet|lo (ú|u)ltimo|lo m(á|a)s (le(í|i)do|visto)|"
    r"te puede interesar|(noticias|art(í|i)culos) relacionad[oa]s|leer m(á|a)s|ver m(á|a)s|"
    r"potrebbe interessarti|leggi anche|lees ook|gerelateerde artikelen|leia tamb(é|e)m)\s*:?")

# Lines printed by blog themes and plugins around content; never content themselves.
CHROME_RULES: tuple[LineRule, ...] = (
    LineRule("broken feed", r"^invalid or broken rss link\.?$", "Invalid or broken RSS link."),
    LineRule("comment count heading", r"^\d+\s+(comments?|responses?|replies|thoughts?)\s+(on|to)\b.*$",
             "12 thoughts on “Archiving the web”"),
    LineRule("one comment heading", r"^(one|no)\s+(comment|response|reply|thought)s?\s+(on|to)\b.*$",
             "One response to “Archiving the web”"),
    LineRule("comment form heading", r"^(leave|post|add|write)\s+a\s+(comment|reply)\b.*$", "Leave a Reply"),
    LineRule("moderation notice", r"^(your )?comment is awaiting moderation\.?.*$",
             "Your comment is awaiting moderation."),
    LineRule("akismet notice", r"^this site uses akismet to reduce spam\..*$",
             "This site uses Akismet to reduce spam. Learn how your comment data is processed."),
    LineRule("comments closed", r"^comments are closed\.?$", "Comments are closed."),
    LineRule("share heading", r"^(share|share this|like this|related|related posts)\s*:?$", "Share this:"),
    # Interface strings of galleries, players and sign-up boxes.
    LineRule("widget strings",
             r"^(caption|close|back to gallery|advertisement|subscribe( now)?|"
             r"sign up|read more|continue reading|click here|latest|popular|highlights|most read.*|"
             r"you may also like.*|related( articles| stories)?:.*|image \d+ of.*|\d+\s*/\s*\d+|"
             r"(photo|image|picture) (copyright|caption|credit)\b.*|(photo )?credit:.{0,80}|"
             r"follow us.*|skip (to|ad).*)$", "Continue reading"),
    # A placeholder for what a script loads ("Loading prices for your region…").
    LineRule("loading", r"^loading( content)?\s*\.*$", "Loading..."),
    LineRule("loading what",
             r"^loading (more )?(comments?|prices?|specifications?|content|paragraph|posts?|results|data|videos?|"
             r"images?|articles?|page|player|map|reviews?)\b.{0,30}?(\.\.\.|…)$", "Loading prices for your region…"),
    LineRule("date label", r"^(updated|published|posted|last updated|first published)\b.{0,100}$",
             "Updated: March 3, 2020"),
    LineRule("byline", r"^by\s+\S+(\s+\S+){0,4}$", "By Jane Doe"),
    LineRule("cookie notice", r"^this (web)?site uses cookies\b.*$", "This website uses cookies to improve your experience."),
    LineRule("reading time", r"^.{0,40}\b\d{1,4}\s{0,3}(min|mins|minutes?)\.?( read| reading time)\b.{0,30}$", "5 min read",
             needs=(" read",)),
    LineRule("contents and links",
             r"^((table of )?contents|reply|view all|link copied!?|share this( article| post| story| page)?)\s*:?$",
             "Table of Contents"),
    LineRule("date, month first",
             r"^(jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*\.? \d{1,2}(st|nd|rd|th)?,? \d{4}$",
             "March 3, 2020"),
    LineRule("date, day first",
             r"^\d{1,2}(st|nd|rd|th)? (jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*\.?,? \d{4}$",
             "3rd March 2020"),
    LineRule("numbers", r"^[\d\s()+./-]{7,24}$", "(555) 123-4567"),
    LineRule("teaser labels",
             r"^(related (articles|tags|stories|posts|content|links|reading)|don'?t miss|more (in|from) .{0,40}|"
             r"key points|read next|recommended( for you)?|see also|trending( now| news| stories)?|"
             r"top stories|editor'?s picks|most popular|sponsored( content)?|advertisement)\s*:?$",
             "Related Articles"),
    LineRule("comment labels",
             r"^(advert|comments?|tell us what you think\W*|this (slideshow|video|content) requires javascript\.?)$",
             "Tell us what you think"),
    LineRule("shortcode", r"^\[/?[a-z_]+(\s[^\]]*)?\].*$", "[caption id=\"attachment_12\"]A photo[/caption]"),
    # Punctuation with at most a number in it ("* * *", "— 3 —"). Written so that a long line of
    # punctuation is rejected in linear time: "^\W*\d{0,4}\W*$" tries every split of the run.
    LineRule("punctuation", r"^\W*(?:\d{1,4}\W*)?$", "* * *"),
    # Labels and sign-offs of news and blog templates.
    LineRule("filed under",
             r"^(filed under|filed in|posted in|source|sources|category|categories|tags?|topics?):.{0,80}$",
             "Filed under: Khawarij |"),
    # A section menu's "More World", "More Politics".
    LineRule("section menu", r"^(?-i:More [A-Z][\w&-]*( [A-Z][\w&-]*){0,2})$", "More Politics"),
    LineRule("buttons",
             r"^(read later|learn more|get it|comments \(\+\)|latest (galleries|videos|news)|show more|load more)$",
             "Read Later"),
    LineRule("japanese tags", r"^(タグ|カテゴリー?)\s*[:：].{0,80}$", "タグ: 旅行"),
    LineRule("copyright", r"^(copyright|©|\(c\))\s.{0,100}$", "© 2020 Example Media"),
    LineRule("sign-offs",
             r"^(sharing is caring!?|about the authors?:?|no comments( yet)?\.?|you have been successfully subscribed!?)$",
             "Sharing is caring!"),
    LineRule("news tip", r"^have a (news )?tip\?.{0,300}$", "Have a news tip? Email us."),
    LineRule("follow",
             r"^follow\b(?=.{0,200}$).*\b(twitter|facebook|instagram|youtube|linkedin|tiktok|coverage|https?://).*$",
             "Follow Newsbeat on Instagram, Facebook, Twitter and YouTube."),
    # Pitches for newsletters and subscriptions, in the imperative or after "If you enjoyed this".
    LineRule("newsletter pitch",
             r"^(get|sign up|subscribe|join)\b(?=.{0,600}$).*\b(newsletters?|inbox|subscri\w*|letterbox)\b.*$",
             "Subscribe to the Morning Review newsletter"),
    LineRule("newsletter box", r"^(?=.{0,140}$)(?=.*\bnewsletters?\b).*\b(inbox|sign up|subscribe)\b.*$",
             "DH Newsletter Privacy Policy Get top news in your inbox daily", needs=("newsletter",)),
    LineRule("join us",
             r"^join (us|our)\b(?=.{0,300}$).*\b(forums?|community|conversation|discussion|newsletter|facebook|twitter)\b.*$",
             "Join our community on Facebook"),
    LineRule("paywall", r"^to (read|continue reading) (the full story|this article)\b.{0,60}$", "To Read the Full Story"),
    # Wire-service credits, reprint notices and citation boxes of science news sites.
    LineRule("wire credits",
             r"^\(?(additional )?(reporting|writing|editing) by " + _NAMES + r"((;|,| and) ((additional )?"
             r"(reporting|writing|editing) by )?" + _NAMES + r")*\)?\.?$",
             "(Reporting by Jane Doe; Editing by John Roe)"),
    LineRule("reprint notice", r"^this (document|article|story|content) is (subject to|protected by) copyright\b.*$",
             "This article is protected by copyright. All rights reserved."),
    LineRule("citation", r"^citation:.{0,400}\bretrieved\b.*$",
             "Citation: Hibernating astronauts would need smaller spacecraft (2019, November 18) retrieved 20 "
             "November 2019 from https://phys.org/news/2019-11-hibernating.html"),
    LineRule("reading time, other languages",
             r"^(tempo de leitura|temps de lecture|tiempo de lectura|lesezeit|leestijd|tempo di lettura)\b.{0,30}$",
             "Tempo de leitura: 1 minuto"),
    LineRule("image address", r"^https?://\S+\.(jpe?g|png|gif|webp)\b.*$",
             "http://example.org/wp-content/uploads/2018/10/photo.jpeg 1200w"),
    # The consent fine print under sign-up forms.
    LineRule("consent fine print",
             r"^by (signing up|subscribing|clicking|submitting|registering|entering|providing)\b(?=.{0,400}$)"
             r"(?=.*\byou\b.*\b(agree|consent|confirm|acknowledge)\w*\b)"
             r"(?=.*\b(terms|privacy|policy|marketing|messages?|e-?mails?|newsletters?|texts?|sms)\b).*$",
             "By clicking Sign Me Up, you confirm you are 16+ and agree to our Terms of Use and Privacy Policy."),
    # Counters of share and view buttons ("0shares", "1.2K Shares", "345 views").
    LineRule("counters", r"^\d[\d,.]*\s*[km]?\s*(shares?|likes?|views?|reads?|comments?)$", "1.2K Shares"),
    # "Advertisement", "Sponsored link" and "Related articles" labels in other languages.
    LineRule("advertisement, other languages",
             r"^(iklan|anzeige|werbung|publicidad|publicité|pubblicità|publicidade|reklama|реклама|広告|"
             r"スポンサー(ド)?リンク|関連記事|相关文章|相關文章|관련 기사|광고)$", "スポンサードリンク"),
    LineRule("support pitch",
             r"^if you (enjoyed|liked|value|appreciate)\b(?=.{0,500}$).*\b(join|subscribe|support|donate|members?)\b.*$",
             "If you enjoyed this article, please subscribe."),
    # Feedback widgets, print buttons and the labels of teaser lists.
    LineRule("feedback and print",
             r"^(was this (article|page|post|answer|information) (helpful|useful)\??|"
             r"\d+% of (people|readers|users) found this (article |page |post )?helpful\.?|"
             r"print( this)?( page| article| post| story)?|advertisement\.? scroll to continue( reading)?\.?|"
             rf"{_RECOMMENDED}\s*:?|trending (this week|today)\s*:?|{_YOU_MAY_LIKE}\W*|"
             r"back to (the )?(blogs?|news|articles|all posts|posts))$", "Was this article helpful?"),
    # Its lookaheads try a dozen phrases at every word of a line, which cost as much as all the
    # other rules together.
    LineRule("affiliate disclosure", _AFFILIATE_DISCLOSURE,
             "Purchases made through links earn us a small commission, at no extra cost to you.",
             needs=("commission",)),
    # Credit lines: who wrote or reviewed the piece (names, then titles after commas), whose the
    # picture is, when the page was last reviewed.
    LineRule("credit line",
             r"^(written|reviewed|edited|fact[- ]checked|medically reviewed) by:?\s+" + _CREDITED + r"$",
             "Reviewed by: Brian Stormont, CFP®"),
    LineRule("photo credit",
             r"^(photo|image|photograph)( by:?|:)\s*(©\s*)?(?-i:[A-Z][\w.'’/&-]*)(,?\s+(?-i:[A-Z][\w.'’/&-]*)){0,4}$",
             "Photo: Shutterstock"),
    LineRule("last reviewed",
             r"^last (reviewed|modified)( on)?:?\s+([a-z]+\.?\s+)?(\d{1,2}(st|nd|rd|th)?,?\s+)?(19|20)\d{2}\.?$",
             "Last reviewed January 2023"),
    # The same interface lines in the other languages of the corpora (German, French, Spanish,
    # Italian, Dutch, Portuguese), each a whole line. Evidence: the pages named in
    # tests/test_arbiter.py::test_label_lines_in_other_languages.
    # A tag or topic box's label, alone or before its list.
    LineRule("tags label", _whole_line(
        r"(schlagw(o|ö)rte?|stichw(o|ö)rte?|themen|tags|etiquetas|temas( relacionados)?|mots[- ]cl(e|é)s|"
        r"th(e|è)mes|sujets|argomenti|trefwoorden|onderwerpen|palavras[- ]chave)( zum thema)?(\s*:.{0,200})?"),
        "Schlagworte zum Thema: Rechtsanwalt, Anwalt, Coronavirus, Bußgeld"),
    # Teaser-list headings: related, latest, most read.
    LineRule("teasers label", _whole_line(_TEASER_LABELS), "Mehr zum Thema:"),
    # Way back to the list the page was opened from.
    LineRule("back label", _whole_line(
        r"(zur(ü|u)ck( zur (listenansicht|(ü|u)bersicht|startseite))?|retour( (à|a) la liste)?|volver|"
        r"torna indietro|terug)\s*(zur (ü|u)bersicht)?"), "zurück zur Listenansicht"),
    # Share, print and feedback prompts.
    LineRule("share label", _whole_line(
        r"((diesen |den )?(artikel|beitrag|seite) (teilen|drucken|versenden|empfehlen)|teilen|drucken|"
        r"partager( (cet|l')article)?|imprimer|compartir|condividi|delen|"
        r"m(ö|o)chten sie (den|diesen) (artikel|beitrag) teilen\??|"
        r"(war|ist) (der|dieser) (artikel|beitrag) (n(ü|u)tzlich|hilfreich)\??|"
        r"wie gef(ä|a)llt (ihnen|dir) (unser|unsere|dieser|diese)\b.{0,80}|"
        r"cet article vous a-t-il (é|e)t(é|e) utile\s*\??|(¿)?te ha (resultado|sido) (ú|u)til.{0,40})"),
        "Möchten Sie den Artikel teilen?"),
    # Labels of a credit or contact box, alone on their line.
    LineRule("box labels", _whole_line(
        r"(artikel|autor(in)?|autoren|redaktion|quellen?( (anzeigen|ausblenden))?|kontakt|ansprechpartner(in)?|"
        r"pressekontakt|von|fotos?|bild(er)?|auteur|contacto|fuente|fonte|bron|newsletter)\s*:?"), "Kontakt:"),
    # Photo and picture credits: "Foto: Ingo Pertramer", "Bild: dpa", "Fotos © Name".
    # Names only, each capitalised: "PHOTO: Damage in the Palmyra Museum" is a caption.
    LineRule("credits label", _whole_line(
        r"(?=.{0,100}$)(fotos?|bild(er)?|bildquelle|quelle|photos?|fotograf(í|i)a|cr(é|e)dito?s?( photo)?)"
        r"\s*(:|©)\s*(©\s*)?" + _CREDIT_NAME + r"(?:\s*+[,/|&]?\s*+" + _CREDIT_NAME + r"){0,6}+"),
        "Foto: Ingo Pertramer"),
    # The links to the previous and the next post, with their titles: "Nachfolgebeitrag: …".
    LineRule("post navigation", _whole_line(
        r"(?=.{0,140}$)(vorg(ä|a)ngerbeitrag|nachfolgebeitrag|vorheriger (beitrag|artikel)|"
        r"n(ä|a)chster (beitrag|artikel)|(previous|next) (post|article|story|entry)|"
        r"article (pr(é|e)c(é|e)dent|suivant)|entrada (anterior|siguiente)|"
        r"articolo (precedente|successivo)|(vorig|volgend)e? (bericht|artikel))\s*(:.*)?"),
        "Nachfolgebeitrag: Was passiert hier eigentlich noch?"),
    # A comment section's counter and empty state, perhaps with its moderation notice:
    # "0 Kommentare", "Keine Kommentare (Kommentare erscheinen erst nach unserer Freigabe)".
    LineRule("comments label", _whole_line(
        r"(?=.{0,120}$)((noch )?keine kommentare( vorhanden)?|\d+ kommentare?|aucun commentaire|"
        r"pas de commentaires?|\d+ commentaires?|sin comentarios|\d+ comentarios?|nessun commento|"
        r"\d+ commenti|geen reacties|\d+ reacties|sem coment(á|a)rios)\s*:?(\s*\([^()]*\))?"),
        "Keine Kommentare (Kommentare erscheinen erst nach unserer Freigabe)"),
    # The affiliate disclosure: "Für Links auf dieser Seite erhält CHIP ggf. eine Provision vom
    # Händler". The page or its writer speaks of its own links.
    LineRule("affiliate label", _whole_line(
        r"(?=.{0,300}$)(?=.*\b(links?|enlaces?|collegamenti)\b)"
        r"(?=.*\b(wir|uns|unser\w*|ich|dieser (seite|artikel)|diesem artikel|nosotros|nuestr[oa]s?|noi|"
        r"nostr[oi])\b).*\b(provision(en)?|comisi(ó|o)n(es)?|commission[ei]|provisie)\b.*"),
        "Für Links auf dieser Seite erhält CHIP ggf. eine Provision vom Händler, z.B. für solche mit -Symbol.",
        needs=("provision", "comisi", "commission", "provisie")),
    # Newsletter pitches: "Mit unserem Newsletter bleiben Sie informiert".
    LineRule("newsletter label", _whole_line(
        r"(?=.{0,160}$)(?=.*\bnewsletter\b).*\b(abonnieren|anmelden|bestellen|informiert|"
        r"inscrivez|abonnez|suscr(í|i)b\w*|iscriviti)\b.*"), "Mit unserem Newsletter bleiben Sie informiert",
        needs=("newsletter",)),
)


def collapse(text: str | None) -> str:
    """One line, single spaces: for names, titles and comparisons. ``_ANY_SPACE.sub(" ",
    text).strip()``, written as ``str.split``, which splits where ``\\s`` matches, at a quarter
    of the cost."""
    return " ".join(text.split()) if text else ""


# One pattern for all: a paragraph is tested once, not once per rule, and only against the
# rules its first character and length allow; a rule that needs a word only where the line
# holds it (``rule_dispatch.LineRules``).
_CHROME = LineRules([(rule.pattern, rule.needs) for rule in CHROME_RULES])


# An English month name or abbreviation, for date patterns here and in the extractors.
MONTH = r"(?:jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*\.?"
_DATE_IN_LINE = re.compile(rf"\b(?:{MONTH}\s+\d{{1,2}}(?:st|nd|rd|th)?,?\s+\d{{4}}|"
                           rf"\d{{1,2}}(?:st|nd|rd|th)?\s+{MONTH},?\s+\d{{4}})\b", re.I)
_TIME = re.compile(r"\b\d{1,2}[:.]\d{2}\s*(?:[ap]\.?m\.?)?(?:\s*(?:et|est|edt|pt|pst|pdt|gmt|utc|bst|cet|ist)\b)?", re.I)
_DATELINE_FILLER = re.compile(r"\b(?:by|on|at|updated|published|posted|"
                              r"(?:mon|tues|wednes|thurs|fri|satur|sun)day)\b|[|,—–\-:/•·]", re.I)
_DATELINE_MAX_CHARS = 150
_DATELINE_MAX_NAMES = 5


# Both forms of date end in a year: a line without four digits in a row holds none, and
# looking for them costs a fifth of looking for a date (``chrome_flags`` looks for them in
# ``walk.chrome_line_flags``).
_FOUR_DIGITS = re.compile(r"\d\d\d\d")


def holds_date(line: str) -> bool:
    """``_DATE_IN_LINE.search(line)``, on the few lines with four digits in a row."""
    return _FOUR_DIGITS.search(line) is not None and _DATE_IN_LINE.search(line) is not None


def is_dateline(line: str) -> bool:
    """A byline or dateline: a date, perhaps a time and a few capitalised names ("By Jane Doe on
    Monday, November 18th, 2019 at 11:08 a.m.", "Associated Press November 19, 2019, 9:02 AM")."""
    if len(line) > _DATELINE_MAX_CHARS or not holds_date(line):
        return False
    rest = _DATELINE_FILLER.sub(" ", _TIME.sub(" ", _DATE_IN_LINE.sub(" ", line))).split()
    return len(rest) <= _DATELINE_MAX_NAMES and all(w[0].isupper() for w in rest)


def is_chrome(line: str) -> bool:
    if line.startswith("(") and line.endswith(")"):  # "(Credit: Clayton Aldern / Grist)", "(Bild: dpa)"
        line = line[1:-1].strip()
    # The dateline's length first, here: a third of the lines are too long to be one.
    return _CHROME.match(line) or (len(line) <= _DATELINE_MAX_CHARS and is_dateline(line))


def chrome_flags(lines: list[str]) -> list[bool]:
    """``is_chrome`` of each line, the rules tried on all of them in one pass. ``is_dateline``'s
    first tests, its length and ``holds_date``'s four digits, are read there too: they turn
    away most lines (``walk.chrome_line_flags``)."""
    from .extractors.walk import chrome_line_flags  # here: the extractors import this module
    return chrome_line_flags(_CHROME, lines, is_dateline, _DATELINE_MAX_CHARS)


LINE_BREAK = object()  # a <br>; a text node may hold a bare newline, which is only a space
CODE_LINE_BREAK = object()  # a newline in <pre>: a blank line there never splits the block


def _pieces(el: etree._Element, skip: Collection[etree._Element]) -> list[str | object | None]:
    """Text pieces in document order: None marks a paragraph boundary, ``LINE_BREAK`` a <br>,
    ``CODE_LINE_BREAK`` a newline in <pre>; a table cell is a space in a table of short cells (a
    data table) and a block elsewhere (a page laid out in a table). One walk over the tree
    (``walk.text_pieces``, compiled where it could be built)."""
    from .extractors.walk import text_pieces  # here: the extractors import this module
    tables: dict[int, tuple[etree._Element, bool]] = {}
    return text_pieces(el, skip, lambda cell: _in_data_table(cell, tables), SKIP_TAGS, BLOCK_TAGS, CELL_TAGS,
                       LINE_BREAK, CODE_LINE_BREAK)


def _in_data_table(cell: etree._Element, tables: dict[int, tuple[etree._Element, bool]]) -> bool:
    """The cell is in a table of short cells, no table nested: a data table, read row by row."""
    table = next(cell.iterancestors("table"), None)
    if table is None:
        return False
    known = tables.get(id(table))
    if known is None:
        from .extractors.walk import short_cells_table  # here: the extractors import this module
        known = tables[id(table)] = (table, short_cells_table(table, CELL_TAGS, DATA_CELL_CHARS))
    return known[1]


def _clean(parts: list[str]) -> str:
    """The pieces joined, each run of spaces one space, no space around a line break.
    ``str.split()`` splits where ``\\s`` matches (both are ``str.isspace``), so
    ``" ".join(line.split())`` is ``_SPACE.sub(" ", line).strip()`` at a quarter of its cost
    (held equal by tests/test_text_rules.py)."""
    text = "".join(parts)
    if "\n" not in text:  # most paragraphs hold no line break
        return " ".join(text.split())
    return "\n".join(" ".join(line.split()) for line in text.split("\n")).strip()


def _clean_by_regex(parts: list[str]) -> str:
    """``_clean`` as the plain rule says it: what the tests hold ``_clean`` to."""
    text = _SPACE.sub(" ", "".join(parts))
    if "\n" in text:
        text = _SPACES_AROUND_NEWLINE.sub("\n", text)
    return text.strip()


def paragraphs(el: etree._Element, skip: Iterable[etree._Element] = ()) -> list[str]:
    """The element's text as paragraphs: one per block element, ``<br>`` kept as a newline, and
    a blank line (``<br><br>``) starting a new paragraph, as the stored text separates them. A
    data table's row is one paragraph, its cells apart; a code block keeps its lines, and is
    one paragraph however many blank lines it holds.

    The pieces (``_pieces``) joined as ``_join_pieces`` joins them, in one walk
    (``walk.text_paragraphs``, compiled where it could be built: ``paragraphs_by_pieces`` is the
    rule as written, and tests/test_walk.py holds the two to the same paragraphs)."""
    from .extractors.walk import text_paragraphs  # here: the extractors import this module
    tables: dict[int, tuple[etree._Element, bool]] = {}
    return text_paragraphs(el, skip, lambda cell: _in_data_table(cell, tables), SKIP_TAGS, BLOCK_TAGS, CELL_TAGS,
                           LINE_BREAK, CODE_LINE_BREAK, _join_pieces)


def paragraphs_by_pieces(el: etree._Element, skip: Iterable[etree._Element] = ()) -> list[str]:
    """``paragraphs``, its pieces joined here."""
    return _join_pieces(_pieces(el, list(skip)))


def _join_pieces(pieces: list[str | object | None]) -> list[str]:
    """Pieces as paragraphs: each block's text cleaned (``_clean``), then split at its blank lines."""
    out: list[str] = []
    buf: list[str] = []
    blank_line = True  # nothing but spaces since the last line break
    for piece in pieces:
        if piece is None:
            if buf:
                out.append(_clean(buf))
                buf = []
            blank_line = True
        elif piece is LINE_BREAK or (piece is CODE_LINE_BREAK and not blank_line):
            buf.append("\n")
            blank_line = True
        elif piece is not CODE_LINE_BREAK:
            buf.append(piece.replace("\n", " "))
            blank_line = blank_line and not piece.strip()
    if buf:
        out.append(_clean(buf))
    return [p for p in (q.strip("\n ") for block in out for q in _blank_line_split(block)) if p]


def html_text(fragment: str | None) -> str | None:
    """An HTML fragment (a comment an API returns) as plain paragraphs, the way comment text is
    stored from pages; a fragment lxml cannot read is kept as its text."""
    if not fragment or not fragment.strip():
        return None
    try:
        root = lxml_html.fragment_fromstring(fragment, create_parent="div")
    except (etree.ParserError, ValueError):
        return collapse(fragment) or None
    return "\n\n".join(paragraphs(root)) or None


def _blank_line_split(block: str) -> list[str]:
    return _BLANK_LINE.split(block) if "\n\n" in block else [block]


def join_paragraphs(paras: Iterable[str]) -> str:
    return "\n\n".join(paras)


# The heading of a list of other posts, in any of the corpora's languages ("Related Articles",
# "Weitere Meldungen", "Te puede interesar …"). In the second half of the body with only short
# lines after it (titles, dates, "Read more"), it ends the article. Evidence:
# tests/test_body.py::test_a_list_of_other_posts_after_the_article_is_not_body.
_TEASER_HEADING = re.compile(
    rf"^(?:{_TEASER_LABELS}|related( posts| articles| stories)?|{_RECOMMENDED}|{_YOU_MAY_LIKE})\W*$",
    re.I)
TEASER_LINES_MAX_AVERAGE = 150  # characters: teaser titles and dates, not the article's paragraphs


def without_teaser_list(paras: list[str]) -> list[str]:
    """The paragraphs up to a teaser list's heading that the article's end holds. One pass from
    the end, summing what follows each paragraph: linear however many headings a page repeats."""
    cut, after = None, 0  # characters of the paragraphs after ``at``
    for at in range(len(paras) - 1, len(paras) // 2 - 1, -1):
        rest = len(paras) - 1 - at
        if (not rest or after < TEASER_LINES_MAX_AVERAGE * rest) and _TEASER_HEADING.match(paras[at].strip()):
            cut = at  # the first such heading wins: keep looking towards the start
        after += len(paras[at])
    return paras[:cut] if cut is not None else paras


def drop_chrome(paras: Iterable[str]) -> list[str]:
    """The paragraphs less those that are chrome, whole or line by line (a post's navigation
    prints "Next post: …" and "Previous post: …" as two lines of one block), and less a list of
    other posts after the article."""
    kept = without_teaser_list(list(paras))
    return [p for p, chrome in zip(kept, chrome_flags(kept))
            if not chrome and not ("\n" in p and all(map(is_chrome, p.split("\n"))))]


# What XML (and so lxml) cannot hold: control characters but tab and line breaks, lone
# surrogates (JSON's "\ud800" escapes), U+FFFE and U+FFFF.
_NOT_IN_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def xml_safe(text: str) -> str:
    """``text`` without the characters an lxml element's text or attribute refuses."""
    return _NOT_IN_XML.sub("", text)
