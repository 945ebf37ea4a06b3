"""The body's second opinion: the paragraph classifier (blocks.py) and the arbiter (arbiter.py)
on real pages of ../shared/corpus/ (skipped where absent), each rule with the page that showed
it and a page or line where it must not fire."""
from __future__ import annotations

import gzip
import json
from collections import Counter

import pytest

from scraper.extractors import extract_page
from scraper.extractors.arbiter import choose, without_trailing_labels
from scraper.extractors.blocks import stoplist, stopwords_for
from scraper.text import is_chrome

from conftest import SHARED, wcxb_article

CORPUS = SHARED / "corpus"


def _suite_page(fragment: str) -> tuple[dict, dict]:
    """A page of the trafilatura evaluation suite: its extraction and its snippets."""
    base = CORPUS / "trafilatura-eval"
    if not (base / "evaldata.json").exists():
        pytest.skip(f"trafilatura evaluation pages not found at {base}")
    data = json.loads((base / "evaldata.json").read_text())
    url, item = next((k, v) for k, v in data.items() if fragment in k)
    html = gzip.open(base / "html" / f"{item['file']}.gz").read()
    return extract_page(html, url)["article"], item




def test_a_comment_list_that_won_the_container_gives_way_to_the_article():
    # The readers' comments (a <ul> in "vhb-comments") were the densest block; the classifier's
    # text is the report itself. Neither the comments nor the comment area's text stay.
    article, item = _suite_page("handelsblatt.com/politik/international/grenzschliessungen")
    assert article["body_source"] == "blocks"
    assert all(snippet in article["body_text"] for snippet in item["with"])
    assert "Wenn Söder hustet" not in article["body_text"]  # a reader's comment
    assert article["body_confidence"] <= 0.5


def test_a_container_that_is_a_sliver_of_the_stated_article_gives_way_to_it():
    # A script-rendered opinion piece: the HTML prints a photo caption and the standfirst (482
    # characters), the JSON-LD states the whole column (4,311).
    article, item = _suite_page("scmp.com/comment/opinion/article/3046526")
    assert article["body_source"] == "articleBody"
    assert all(snippet in article["body_text"] for snippet in item["with"])
    # Not where the stated text is only a part of what the container holds, nor a few times it.
    lead = ["A lead paragraph of the article, long enough to read as one. " * 3]
    assert choose(lead * 3, lead * 3, lead).source == "container"
    assert choose(lead, lead, lead * 5).source == "container"


def test_a_container_the_classifier_reads_more_around_is_kept():
    # A guide whose page repeats more prose around it (the classifier's text is three times the
    # container's): the container is inside that text, so it is no wrong block.
    article = wcxb_article("4175")
    assert article["body_source"] == "container"
    assert "How to Sleep Train Your Toddler" in article["body_text"]


def test_trailing_labels_the_classifier_rejects_are_dropped():
    # "Schlagworte" (the tag box's label) ends the press release's container.
    article, _ = _suite_page("zdh.de/presse/veroeffentlichungen")
    assert not article["body_text"].rstrip().endswith("Schlagworte")
    assert article["body_text"].rstrip().endswith('definiert werden sollen."')


def test_a_short_last_sentence_is_no_label():
    paragraphs = ["A long paragraph the classifier keeps, with plenty of words in it.", "Enjoy!", "Tags"]
    kept = without_trailing_labels(paragraphs, [paragraphs[0]])
    assert kept == paragraphs[:2]


def test_without_the_classifiers_text_nothing_is_trimmed():
    assert without_trailing_labels(["Text.", "Tags"], []) == ["Text.", "Tags"]


def test_strategies_that_cut_the_same_text_differently_agree():
    # The container splits a post at <br><br> into paragraphs; the classifier reads the div as
    # one block: the same text, so full agreement.
    lines = [f"The committee met on day {i} and agreed to publish the full report next month." for i in range(4)]
    choice = choose(lines, [" ".join(lines)], [])
    assert choice.source == "container" and choice.confidence >= 0.99


def test_without_a_second_reading_there_is_no_confidence():
    choice = choose(["A short post the classifier rejects whole."], [], [])
    assert choice.source == "container" and choice.confidence is None


def test_structured_text_is_the_body_where_no_container_is_found():
    html = ('<html><head><script type="application/ld+json">{"@type": "BlogPosting", "headline": "A post",'
            ' "articleBody": "<p>The whole post, as the page states it.</p>"}</script></head><body></body></html>')
    article = extract_page(html, "https://blog.example.org/2024/05/a-post/")["article"]
    assert article["body_text"] == "The whole post, as the page states it."
    assert article["body_source"] == "articleBody" and article["body_confidence"] is None


def test_structured_text_stands_in_for_a_wrong_block():
    article_body = [" ".join(["The harbour handled more containers than in any year before."] * 12)]
    blocks = article_body
    choice = choose(["Cookie settings: accept all cookies to continue using this website."], blocks, article_body)
    assert choice.source == "articleBody"


def test_confidence_ranks_bodies_by_how_right_they_are():
    # On the WCXB pages, bodies the strategies agree on (>= 0.85) are closer to the truth, on
    # average, than those they disagree on (< 0.5): the column is worth filtering on.
    import re
    import statistics
    base = CORPUS / "wcxb-articles"
    if not (base / "ground-truth").exists():
        pytest.skip(f"WCXB pages not found at {base}")
    words = re.compile(r"\w+")
    scores: dict[bool, list[float]] = {True: [], False: []}
    for path in sorted((base / "ground-truth").glob("*.json"))[:300]:
        truth = json.loads(path.read_text())
        article = extract_page(gzip.open(base / "html" / f"{path.stem}.html.gz").read(), truth["url"])["article"]
        if not article or article["body_confidence"] is None or 0.5 <= article["body_confidence"] < 0.85:
            continue
        want = Counter(w.lower() for w in words.findall(truth["ground_truth"]["main_content"] or ""))
        got = Counter(w.lower() for w in words.findall(article["body_text"]))
        common = sum((want & got).values())
        f1 = 2 * common / (sum(want.values()) + sum(got.values()))
        scores[article["body_confidence"] >= 0.85].append(f1)
    assert len(scores[True]) > 100 and len(scores[False]) >= 5
    assert statistics.mean(scores[True]) > statistics.mean(scores[False]) + 0.03


def test_a_page_without_lang_gets_the_stoplist_its_words_show():
    german = Counter("der die und das ist nicht mit von zu den ein eine auf für im".split() * 3)
    assert stopwords_for(None, german) == stoplist("German")
    assert stopwords_for("en", german) == stoplist("German")  # a wrong lang: the words tell


@pytest.mark.parametrize("line, chrome", [
    ("Schlagworte", True),
    ("Schlagworte zum Thema: Rechtsanwalt, Anwalt, Coronavirus, Bußgeld", True),
    ("Temas Relacionados", True),
    ("Lo Último", True),
    ("Mehr zum Thema:", True),
    ("zurück zur Listenansicht", True),
    ("Möchten Sie den Artikel teilen?", True),
    ("War dieser Artikel hilfreich?", True),
    ("Foto: Ingo Pertramer", True),
    ("Bild: AdobeStock/rangizzz", True),
    ("Crédit photo : KB / Bondy Blog", True),
    ("(Credit: Clayton Aldern / Grist)", True),  # salon.com, under each chart
    ("(Bild: Dieter Stork)", True),              # gitarrebass.de, under each photo
    ("Kontakt:", True),
    ("Für Links auf dieser Seite erhält CHIP ggf. eine Provision vom Händler, z.B. für solche mit -Symbol.", True),
    ("Dieser Artikel kann Links zu Anbietern enthalten, von denen outdoor-magazin eine Provision erhält.", True),
    ("Mit unserem Newsletter bleiben Sie informiert", True),
    ("Nachfolgebeitrag: Was passiert hier eigentlich noch?", True),  # blogoff.de, a post's navigation
    ("Vorgängerbeitrag: Die Wahrheit über Kondome", True),
    ("Previous post: A quiet note on archive formats", True),
    ("Next post", True),
    ("0 Kommentare", True),  # petri-heil.ch, a comment section's counter and empty state
    ("Keine Kommentare (Kommentare erscheinen erst nach unserer Freigabe)", True),
    ("Aucun commentaire", True),
    # Prose that starts like a label stays.
    ("Von ihren 32 Jahren im MDR war Karola Wille 27 Jahre in leitenden Funktionen tätig.", False),
    ("Foto: Damage in the Palmyra Museum", False),
    ("(Foto: Damage in the Palmyra Museum)", False),
    ("(Credit where it is due: the team rebuilt the index in a week.)", False),
    ("Themen wie Klimaschutz und Energie bestimmen den Wahlkampf.", False),
    ("Kontakt mit anderen Vereinen ist uns wichtig.", False),
    ("Für Links auf Immobilienportale zahlen Makler oft eine Provision an die Betreiber.", False),
    ("Teilen macht Freude, sagt die Großmutter.", False),
    ("Der Newsletter erscheint jeden Montag mit den wichtigsten Meldungen der Woche.", False),
    ("Next post: we will look at how the archive handles a thread of a thousand comments, and why "
     "the order of replies matters more than their number when a reader rebuilds the discussion.", False),
    ("Nächster Beitrag folgt am Montag.", False),
    ("Keine Kommentare zu diesem Thema, sagte der Minister am Montag.", False),
    ("3 Kommentare zu ihrer Rede haben uns erreicht.", False),
])
def test_label_lines_in_other_languages(line, chrome):
    assert is_chrome(line) is chrome


@pytest.mark.parametrize("label", ["post comments-open", "has-comments", "article-has-comments", "no-comments"])
def test_an_article_whose_class_states_its_comments_keeps_its_body(label):
    prose = "<p>" + "The archive keeps every post and every comment the blog printed. " * 6 + "</p>"
    html = f'<html><body><article class="{label}"><h1>A post</h1>{prose * 3}</article></body></html>'
    article = extract_page(html, "https://blog.example.org/2024/05/a-post/")["article"]
    assert article["body_source"] == "container" and len(article["body_text"]) > 1000


def test_a_malformed_link_address_is_skipped_not_raised():
    html = ('<html><body class="single postid-5"><article><h1>T</h1><p>One sentence.</p>'
            '<ul><li><a href="http://[2001:db8::1/x">x</a></li></ul></article></body></html>')
    assert extract_page(html, "https://blog.example.org/2024/05/x/")["article"]["post_id"] == "5"


def test_a_custom_post_type_named_reviews_is_no_comment_area():
    from lxml import html
    from scraper.extractors.body import is_comment_area
    assert not is_comment_area(html.fromstring('<article class="post-12 reviews type-reviews">x</article>'))


def test_a_page_in_a_script_without_stoplist_is_judged_by_length_and_links():
    from scraper.extractors.blocks import stopwords_for
    chinese = Counter("人工智能正在改变世界 我们需要新的规则 这是一个重要的问题".split() * 3)
    assert stopwords_for("zh", chinese) == frozenset()


def test_a_post_tagged_comments_is_no_comment_area():
    from lxml import html
    from scraper.extractors.body import is_comment_area
    article = html.fromstring('<article class="post-7 post type-post tag-comments category-comment">x</article>')
    assert not is_comment_area(article)
    assert is_comment_area(html.fromstring('<div class="vhb-comments clearfix">x</div>'))
    assert is_comment_area(html.fromstring('<section id="comments">x</section>'))


def test_a_shops_customer_reviews_are_readers_text_not_the_article():
    # The reviews widget ("jdgm-rev-widg__reviews") held the most prose of a product page.
    article, item = _suite_page("happycoffee.org")
    assert all(snippet in article["body_text"] for snippet in item["with"])
    assert "Ich kann die Meinung von Dieter nicht nachvollziehen" not in article["body_text"]


@pytest.mark.parametrize("label, area", [
    ("jdgm-rev-widg__reviews", True),
    ("product-reviews", True),
    ("review-content", False),  # what a reviewer wrote: the article
    ("post review", False),
    ("reviewed-by", False),
])
def test_which_review_names_are_readers_text(label, area):
    from lxml import html
    from scraper.extractors.body import is_comment_area
    assert is_comment_area(html.fromstring(f'<div class="{label}">x</div>')) is area


def test_a_kicker_above_the_article_is_dropped():
    # A celebrity news page prints its section ("Promis") as the container's first line.
    article, item = _suite_page("tonight.de/unterhaltung/promis/daniela-buechner")
    assert not article["body_text"].startswith("Promis")
    assert all(snippet in article["body_text"] for snippet in item["with"])


def test_a_first_section_heading_the_classifier_keeps_stays():
    from scraper.extractors.arbiter import without_leading_labels
    prose = "The archive keeps every post, every comment and the page it was read from, for years. " * 4
    paragraphs = ["Why we archive", prose, prose]
    assert without_leading_labels(paragraphs, ["Why we archive", prose, prose]) == paragraphs
    assert without_leading_labels(paragraphs, [prose, prose]) == [prose, prose]
    assert without_leading_labels(["Short only"], [prose]) == ["Short only"]  # never the whole body


def test_a_malformed_link_in_a_list_of_linked_titles_is_skipped_not_raised():
    items = "".join(f'<li><h3><a href="http://[2001:db8::1/x{i}">Title of the post number {i}</a></h3></li>'
                    for i in range(3))
    prose = "<p>" + "A sentence of the post that says something worth reading. " * 10 + "</p>"
    html = (f"<html><body class='single'><article><h1>T</h1><div class='entry-content'>{prose * 3}"
            f"<ul>{items}</ul></div></article></body></html>")
    body = extract_page(html, "https://blog.example.org/2024/05/x/")["article"]["body_text"]
    assert body.startswith("A sentence of the post")
