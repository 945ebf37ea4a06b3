"""Author names and bios on real pages in every language the corpora hold: a label, a heading,
a post counter, a contact line or a "view all posts" link is neither the name nor the bio.
Each rule has the real page that showed it and a real name or bio that must survive. Real pages
come from ../shared/corpus/; those tests skip where it is absent."""
from __future__ import annotations

import gzip
import json

import pytest

from scraper.extractors import extract_page
from scraper.extractors.metadata import _author_name

from conftest import SHARED, wcxb_article

THREADS = SHARED / "corpus" / "threads" / "html"


def threads_article(name: str) -> dict:
    path = THREADS / f"{name}.html.gz"
    if not path.exists():
        pytest.skip(f"shared threads page not found: {path}")
    return extract_page(gzip.open(path).read(), "https://example.org/a-post/")["article"]


# -- names: a label before the name, a heading in the name's place ------------------------------
@pytest.mark.parametrize("page, name", [
    ("trafilatura-tests__tests__eval__stylegart.de.naturkosmetik", "stylegart"),  # "veröffentlicht von"
    ("trafilatura-tests__tests__eval__skispringen.com-verpasst", "Luis Holuch"),  # "Über Luis Holuch"
    ("trafilatura-tests__tests__cache__lemire.me.json", "Daniel Lemire"),
    ("trafilatura-tests__tests__cache__netzpolitik.org.abmahnungen", "Markus Reuter"),
])
def test_a_label_before_the_name_is_not_the_name(page, name):
    assert threads_article(page)["author_name"] == name


def test_an_author_box_heading_is_not_the_name():
    # cicero.de's author box starts with the heading "Autoreninfo", then the bio: no name.
    assert threads_article("trafilatura-tests__tests__eval__cicero.de.pandemie")["author_name"] is None


@pytest.mark.parametrize("byline, name", [
    ("veröffentlicht von stylegart", "stylegart"),
    ("Von Markus Reuter", "Markus Reuter"),
    ("Publié par Loïc Le Clerc", "Loïc Le Clerc"),
    ("Escrito por Ana García", "Ana García"),
    ("Über Luis Holuch", "Luis Holuch"),
    ("Autoreninfo", None),
    ("Über den Autor", None),
    # names that begin like a label word stay whole
    ("Parisa Ostovari", "Parisa Ostovari"),
    ("Porter Wells", "Porter Wells"),
    ("Byron Smith", "Byron Smith"),
    ("von der Leyen", "von der Leyen"),
    ("Überall Jan", "Überall Jan"),
])
def test_multilingual_labels_before_a_name(byline, name):
    assert _author_name(byline) == name


def test_a_menu_item_of_authorities_is_no_byline():
    html = ('<html><head><meta property="og:type" content="article"></head><body><nav><ul><li '
            'class="menu-item authorities-governing-board-actions"><a href="/a">Authorities Governing '
            f'Board Actions</a></li></ul></nav><article><h1>A post</h1><p>{"Words of the post. " * 40}</p>'
            '</article></body></html>')
    assert extract_page(html, "https://example.org/a-post/")["article"]["author_name"] is None


# -- bios: what a bio box prints around the bio -------------------------------------------------
WCXB = SHARED / "corpus" / "wcxb-articles"


def wcxb_bio(key: str) -> str:
    path = WCXB / "html" / f"{key}.html.gz"
    if not path.exists():
        pytest.skip(f"shared wcxb page not found: {path}")
    truth = json.loads((WCXB / "ground-truth" / f"{key}.json").read_text())
    return extract_page(gzip.open(path).read(), truth["url"])["article"]["author_bio"]


def boxed_bio(*lines: str, author: str = "Jane Doe") -> str | None:
    box = "".join(f"<p>{line}</p>" for line in lines)
    html = (f'<html><head><meta property="og:type" content="article"><meta name="author" content="{author}">'
            f'</head><body><article><h1>A post</h1><p>{"Words of the post. " * 40}</p>'
            f'<div class="author-bio">{box}</div></article></body></html>')
    return extract_page(html, "https://example.org/a-post/")["article"]["author_bio"]


@pytest.mark.parametrize("page, end", [
    ("trafilatura-tests__tests__cache__lemire.me.json", "University of Quebec (TELUQ)."),  # "View all posts by …"
    ("wcxb__dev__html__4085", "I work as a designer in tech."),  # "More about me →"
    ("wcxb__dev__html__2218", "build a thriving expertise-based business."),  # "Learn more about Jeff Cobb here."
])
def test_a_trailing_link_to_the_authors_posts_is_not_the_bio(page, end):
    assert threads_article(page)["author_bio"].endswith(end)


@pytest.mark.parametrize("key, end", [
    ("4058", "flagship website."),  # "… See Full Bio"
    ("4884", "through their 70’s!"),  # "More ways to connect with me:"
    ("0305", "Follow Autumn on Instagram @autumnadamsyoga."),  # a handle is the author's own information
    ("0221", "You can reach Elaine on Signal at elaineywchen.70."),  # a sentence, not a contact label
])
def test_trailing_links_and_contact_labels_on_wcxb_pages(key, end):
    assert wcxb_bio(key).endswith(end)


def test_a_contact_line_and_navigation_are_not_the_bio():
    bio = threads_article("trafilatura-tests__tests__eval__cicero.de.pandemie")["author_bio"]
    assert bio.startswith("Moritz Gathmann leitet das Ressort Berliner Republik bei Cicero.")
    assert bio.endswith("Korrespondent in Russland")  # not "So erreichen Sie …: Zur Artikelübersicht"


def test_a_label_a_post_counter_and_a_row_of_networks_are_not_the_bio():
    bio = threads_article("trafilatura-tests__tests__eval__skispringen.com-verpasst")["author_bio"]
    assert bio.startswith("Seit 2010 als Journalist tätig")  # not "Über Luis Holuch 257 Artikel"
    assert bio.endswith("in der Nordischen Kombination.")  # not "Facebook Twitter YouTube LinkedIn Xing"


def test_networks_names_before_the_bio_are_not_the_bio():
    assert wcxb_bio("4830").startswith("Conor joined Wareable in 2017")  # not "X (Twitter) LinkedIn"


def test_the_name_with_its_job_title_is_a_heading_not_the_bio():
    bio = threads_article("wcxb__dev__html__2218")["author_bio"]
    assert bio.startswith("Jeff Cobb is an expert in online education")  # not "Jeff Cobb, Founder of …"
    # A sentence that starts with the name and a comma is the bio.
    assert wcxb_bio("4253").startswith("Eric Gerard Ruiz, a licensed CPA in the Philippines, specializes")


@pytest.mark.parametrize("lines, bio", [
    # "view", "follow" and "contact" inside a sentence
    (["Jane writes about how readers view all posts on a feed, and she will follow up on it."],
     "Jane writes about how readers view all posts on a feed, and she will follow up on it."),
    (["She was a contact person for the press office of the city for ten years."],
     "She was a contact person for the press office of the city for ten years."),
    # a count in a sentence, a network's name starting one
    (["She has written 300 articles.", "She covers science for the paper and lives in Ohio."],
     "She has written 300 articles. She covers science for the paper and lives in Ohio."),
    (["Facebook hired her in 2015 to write about the news feed."],
     "Facebook hired her in 2015 to write about the news feed."),
    # "Sobre" starts a sentence; only a name may follow it as a label
    (["Sobre todo le gusta escribir sobre la ciencia y la historia de su ciudad."],
     "Sobre todo le gusta escribir sobre la ciencia y la historia de su ciudad."),
    (["Jane Doe, a writer from Ohio, covers science for the paper."],
     "Jane Doe, a writer from Ohio, covers science for the paper."),
])
def test_bio_sentences_that_only_look_like_labels_survive(lines, bio):
    assert boxed_bio(*lines) == bio


@pytest.mark.parametrize("lines, bio", [
    (["Über Jane Doe 42 Beiträge", "Jane schreibt über Wissenschaft und lebt seit Jahren in Ohio."],
     "Jane schreibt über Wissenschaft und lebt seit Jahren in Ohio."),
    (["Jane Doe, Staff Writer", "She covers science for the paper and lives in Ohio."],
     "She covers science for the paper and lives in Ohio."),
    (["She covers science for the paper and lives in Ohio. View all posts by Jane Doe"],
     "She covers science for the paper and lives in Ohio."),
    (["She covers science for the paper and lives in Ohio.", "So erreichen Sie Jane Doe:", "Facebook Twitter"],
     "She covers science for the paper and lives in Ohio."),
])
def test_labels_counters_contacts_and_links_leave_the_bio(lines, bio):
    assert boxed_bio(*lines) == bio


# -- a bio's own last sentence and the link run on after it -------------------------------------
@pytest.mark.parametrize("lines, bio", [
    # a sentence that starts with "Contact" or "Follow" is the bio's last sentence, not a link
    (["She is an optometrist in Ohio. Contact lenses and dry eye are her specialties."],
     "She is an optometrist in Ohio. Contact lenses and dry eye are her specialties."),
    (["She keeps sheep on a hill farm in Wales. Follow the flock on her weekly walks…"],
     "She keeps sheep on a hill farm in Wales. Follow the flock on her weekly walks…"),
])
def test_a_bios_last_sentence_that_starts_like_a_link_stays(lines, bio):
    assert boxed_bio(*lines) == bio


@pytest.mark.parametrize("tail", [
    "Connect with Jane Doe here.",  # the name and "here"
    "More about me →",  # "me" and an arrow
    "Follow Jane on Twitter",  # the name and a network
    "Contact:",  # the label alone
    "So erreichen Sie Jane Doe: Zur Artikelübersicht",  # a contact label, then a link
])
def test_a_trailing_link_to_the_author_leaves_the_bio(tail):
    assert boxed_bio(f"She covers science for the paper and lives in Ohio. {tail}") == (
        "She covers science for the paper and lives in Ohio.")


# -- a one-word label or the name's own first word ---------------------------------------------
@pytest.mark.parametrize("byline, name", [
    ("Von Miller", "Von Miller"),
    ("Door Kamphuis", "Door Kamphuis"),
    ("Par Lagerkvist", "Par Lagerkvist"),
    ("Por Ruiz", "Por Ruiz"),
    ("Von Miller | 3. März 2024", "Von Miller"),
])
def test_a_surname_that_begins_like_a_label_stays_whole(byline, name):
    assert _author_name(byline) == name


@pytest.mark.parametrize("byline, name", [
    ("Von Max Muster", "Max Muster"),
    ("Par Jean Dupont", "Jean Dupont"),
    ("Door Jan de Vries", "Jan de Vries"),
    ("Por Ana García | 3 de marzo de 2024", "Ana García"),
    ("Von: Miller", "Miller"),  # a colon makes it a label
    ("veröffentlicht von stylegart", "stylegart"),  # a label of two words, whatever follows
    ("By Smith", "Smith"),
])
def test_a_one_word_label_before_a_full_name_is_a_label(byline, name):
    assert _author_name(byline) == name


# -- a site's navigation in the name's place ---------------------------------------------------
@pytest.mark.parametrize("byline", ["Über uns", "About us", "À propos", "Sobre nosotros", "Chi siamo",
                                    "Over ons", "About Us | Contact"])
def test_a_sites_navigation_is_never_a_name(byline):
    assert _author_name(byline) is None


def test_an_about_us_link_in_the_authors_place_is_no_author():
    html = ('<html><head><meta property="og:type" content="article"><meta name="author" content="Über uns">'
            f'</head><body><article><h1>A post</h1><p>{"Words of the post. " * 40}</p></article></body></html>')
    assert extract_page(html, "https://example.org/a-post/")["article"]["author_name"] is None


@pytest.mark.parametrize("byline, name", [
    ("Über Luis Holuch", "Luis Holuch"),
    ("About Jane Doe", "Jane Doe"),
    ("À propos de Loïc Le Clerc", "Loïc Le Clerc"),
    ("Sobre Ana García", "Ana García"),
])
def test_about_before_a_name_is_still_a_label(byline, name):
    assert _author_name(byline) == name


# -- a bio printed as the article's last paragraphs ---------------------------------------------


def test_a_long_bio_after_the_article_is_the_bio():
    # A 700-character paragraph "Arricca Elin SanSone is a writer, editor, …" ends the post.
    article = wcxb_article("0133")
    assert article["author_bio"].startswith("Arricca Elin SanSone is a writer")
    assert "Arricca Elin SanSone is a writer" not in article["body_text"]


def test_a_bio_followed_by_a_pitch_is_the_bio():
    # The bio is the last paragraph but one: a company's pitch follows it.
    article = wcxb_article("0002")
    assert article["author_bio"].startswith("Kelia Losa Reinoso is a content writer")
    assert "Kelia Losa Reinoso is" not in article["body_text"]


def test_each_author_of_a_byline_is_looked_for():
    # "Manoj Jain and Jagpreet Chhatwal, The Commercial Appeal": the closing paragraph
    # introduces the second.
    article = wcxb_article("0120")
    assert article["author_bio"].startswith("Jagpreet Chhatwal is")


def test_the_author_named_earlier_in_the_article_stays_in_it():
    from scraper.extractors.bio import split_trailing_bio
    body = ["Jane Doe is the first mayor to walk to work, and the town noticed. " * 3,
            "Second paragraph.", "Third paragraph.", "Fourth paragraph.", "Fifth paragraph."]
    assert split_trailing_bio(body, "Jane Doe") == (body, None)
    long_last = body[:4] + ["Jane Doe is a runner. " * 100]
    assert split_trailing_bio(long_last, "Jane Doe") == (long_last, None)


def test_a_paragraph_about_the_author_before_the_last_is_not_a_bio():
    from scraper.extractors.bio import split_trailing_bio
    body = ["The story.", "Jane Doe was wrong about this in 2019, and says so: the numbers were off.", "The end."]
    assert split_trailing_bio(body, "Jane Doe") == (body, None)


def test_a_compound_surname_is_one_name():
    from scraper.extractors.bio import split_trailing_bio
    body = ["The story.", "Ana Garcia y Lopez is a writer in Madrid who covers the city's archives."]
    assert split_trailing_bio(body, "Ana Garcia y Lopez") == (body[:1], body[1])


def test_a_bio_after_the_article_in_german_is_the_bio():
    # A product test ends "Inga Buller ist Head of Social & Community bei CHIP. …": the byline's
    # author introduced in German, as the English bios are.
    base = SHARED / "corpus" / "trafilatura-eval"
    if not (base / "evaldata.json").exists():
        pytest.skip(f"trafilatura evaluation pages not found at {base}")
    url, item = next((k, v) for k, v in json.loads((base / "evaldata.json").read_text()).items()
                     if "chip.de/test/Beef-Maker" in k)
    article = extract_page(gzip.open(base / "html" / f"{item['file']}.gz").read(), url)["article"]
    assert article["author_bio"].startswith("Inga Buller ist Head of Social & Community bei CHIP")
    assert "Inga Buller ist" not in article["body_text"]


def test_a_paragraph_about_the_author_before_the_last_stays_in_german_too():
    from scraper.extractors.bio import split_trailing_bio
    body = ["Der Bericht.", "Inga Buller war 2019 beim Test dabei, und der Grill hielt, was er versprach.", "Das Ende."]
    assert split_trailing_bio(body, "Inga Buller") == (body, None)
    body = ["Der Bericht.", "Inga Bullerjahn ist die Nachbarin, die den Grill zuerst sah."]
    assert split_trailing_bio(body, "Inga Buller") == (body, None)


def test_a_line_without_the_author_name_is_read_as_the_named_label_reads_it():
    """The label pattern naming the author is compiled only for lines that can hold the name
    case-blind: the lines left to the pattern compiled once read the same."""
    from scraper.extractors import bio

    lines = ["About Kate Smith", "about \u212aate smith is a writer", "\u0131SAAC LI wrote this", "Je\u017f\u017f, founder",
             "\u0130saac Li", "Written by: the editors", "“Kate Smith” – writer and editor", "By Jess"]
    for name in ("Kate Smith", "Isaac Li", "Jess", "Dr. J. O'Neil", "José Núñez", "\0"):
        named = bio._label_naming(name)
        for line in lines:
            chosen = named if bio._may_name(line, name) else bio._LABEL_NAMING_NONE
            assert chosen.sub("", line, count=1) == named.sub("", line, count=1), (name, line)
    assert not bio._may_name("Written by: the editors", "Kate Smith")
    assert bio._may_name("about \u212aate smith", "Kate Smith")  # the Kelvin sign is a "k" to re.I


def test_the_label_read_in_parts_is_the_label_pattern():
    """``_without_label`` reads ``_label`` in its parts, the name matched on its own: the same
    line left over for every name and line, edge cases and the lines of real bio boxes."""
    from scraper.extractors import bio, parse_html
    from scraper.extractors.page import Page
    from scraper.text import paragraphs

    names = ("Kate Smith", "Isaac Li", "Jess", "Dr. J. O'Neil", "José Núñez", "\0", "By", "Author", ".Kate", " Kate",
             "Kate ", "K", "Ängla Ölsson", "Σοφία", "李明")
    lines = ["About Kate Smith", "about \u212aate smith is a writer", "\u0131SAAC LI wrote this", "Je\u017f\u017f, founder",
             "\u0130saac Li", "Written by: the editors", "“Kate Smith” – writer and editor", "By Jess", "by jessica",
             "Kate Smith, Founder of Learning Revolution", "Kate Smith, Founder. Writes.", "Kate Smith\n",
             "Kate Smith,\nEditor", "Über  Kate Smith 257 Artikel", "über Kate Smithers", "sobre \t Kate Smith.",
             "à propos de Kate Smith", "acerca de Kate", "About the authority", "about the author: Kate Smith —",
             "author.Kate", "by .Kate Smith", "By  Kate  Smith", "Σοφία, συγγραφέας", "ΣΟΦΊΑ", "李明，作家", "李明",
             "Ängla Ölsson, Redakteurin", "ängla ölsson", "K", "k, x", "Byline", "", "By", "ABOUT", "über", "Dr. J. O'Neil!"]
    for box in ("wcxb-articles", "threads"):
        for path in sorted((SHARED / "corpus" / box / "html").glob("*.gz"))[::9]:
            page = Page(parse_html(gzip.decompress(path.read_bytes())), "https://example.org/")
            for el in page.with_class("author-bio", "author-box", "about-author", "author-description"):
                lines += paragraphs(el)
    for name in names:
        named = bio._label_naming(name)
        for line in lines:
            chosen = bio._name_pattern(name) if bio._may_name(line, name) else None
            assert bio._without_label(line, chosen) == named.sub("", line, count=1), (name, line)
