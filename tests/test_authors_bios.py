"""Author names and bios on real pages in every language the corpora hold: a label, a heading,
a post counter, a contact line or a "view all posts" link is neither the name nor the bio.
Each rule has the real page that showed it and a real name or bio that must survive. Real pages
come from ../shared/corpus/; those tests skip where it is absent."""
from __future__ import annotations

import gzip

import pytest

from scraper.extractors import extract_page
from scraper.extractors.metadata import _author_name

from conftest import SHARED

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
