"""Comment threads beyond WordPress's own markup, on real pages: Blogger, Drupal, replies listed
beside their comment, parents named by hints, schema.org comments in JSON-LD; and no comment
text in any article body."""
from __future__ import annotations

import gzip
import json
import sys

import pytest
from lxml import etree

from scraper.extractors import extract_page
from scraper.extractors.comments import extract_comments
from scraper.extractors.page import Page, parse_html

from conftest import ROOT, SHARED

sys.path.insert(0, str(ROOT / "benchmarks"))
from comment_benchmark import score_corpus, section_pages, threads_pages  # noqa: E402

CORPUS = SHARED / "corpus"
THREADS = CORPUS / "threads"
SECTIONS = CORPUS / "wp-comment-sections"
DEEP_SECTION = "03-28-comment-java-is-not-a-safe-language.md"  # replies ten levels deep


def _need(path):
    if not path.exists():
        pytest.skip(f"shared corpus not found at {path}")


def _thread_page(name: str) -> bytes:
    _need(THREADS)
    return gzip.open(THREADS / "html" / name).read()


def _rows(name: str, url: str, extractor: str | None = None) -> dict[str, dict]:
    return {r["comment_id"]: r for r in extract_page(_thread_page(name), url, extractor=extractor)["comments"]}


def test_blogger_thread():
    """``li.comment#c<id>`` items, replies nested in ``.comment-replies``, the blog author
    marked by an icon inside the comment."""
    rows = _rows("trafilatura-tests__tests__eval__derpapierplanet.de.juni.html.gz",
                 "https://www.derpapierplanet.de/2015/06/through-booking-glass-juni-genre.html")
    assert len(rows) == 13
    first = rows["7818214978921193094"]
    assert (first["parent_id"], first["depth"], first["author_name"]) == (None, 1, "Sana")
    assert first["text"].startswith("Huhu Sanne :)\n\nInteressanter Post!")
    assert first["by_post_author"] is False
    reply = rows["4417937765376905061"]
    assert (reply["parent_id"], reply["depth"], reply["author_name"]) == ("7818214978921193094", 2, "Sanne")
    assert reply["by_post_author"] is True
    assert "Antworten" not in reply["text"] and "Löschen" not in reply["text"]
    root = parse_html(_thread_page("trafilatura-tests__tests__eval__derpapierplanet.de.juni.html.gz"))
    for li in root.xpath("//li[contains(@class, 'comment')][starts-with(@id, 'c')]"):
        enclosing = li.xpath("ancestor::li[contains(@class, 'comment')][1]/@id")
        assert rows[li.get("id")[1:]]["parent_id"] == (enclosing[0][1:] if enclosing else None)


def test_drupal7_thread_with_the_generic_rules():
    """Drupal 7 (here without its site extractor): ids from ``<a id="comment-N">`` before each
    ``div.comment``, replies in the ``div.indented`` after the comment they answer."""
    rows = _rows("mozilla-readability-testpages__test__test-pages__aclu__source.html.gz",
                 "https://www.aclu.org/blog/privacy-technology/internet-privacy/facebook-tracking-me-even-though-im-not-facebook",
                 extractor="generic")
    assert len(rows) == 10
    reply = rows["223672"]
    assert (reply["parent_id"], reply["depth"], reply["author_name"]) == ("223421", 2, "Anonymous")
    assert reply["text"].startswith("Didn't you read the article?")  # the name is not text
    assert rows["223761"]["parent_id"] == "223424"
    assert [r["depth"] for r in rows.values()].count(1) == 8


def test_drupal8_thread_replies_after_wrapped_comments():
    """Drupal 8: ``article#comment-N`` wrapped in layout blocks, the ``div.indented`` follows
    the wrapper; text and date from the RDFa properties."""
    rows = _rows("trafilatura-tests__tests__eval__cicero.de.pandemie.html.gz",
                 "https://www.cicero.de/innenpolitik/pandemie-sterben-corona")
    assert len(rows) == 8
    reply = rows["214343"]
    assert (reply["parent_id"], reply["depth"]) == ("214244", 2)
    assert reply["published"] == "2020-04-23T12:27:36+00:00"
    assert rows["214106"]["text"].startswith("Vielen Dank für diese Einblicke!")


def test_replies_listed_beside_their_comment():
    """Themes that close the comment's ``li`` before its ``children`` list: the list holds
    replies to the comment just before it."""
    rows = _rows("wcxb__dev__html__4316.html.gz", "https://www.finewoodworking.com/forum/post")
    assert (rows["514622"]["parent_id"], rows["514622"]["depth"]) == ("514613", 2)
    assert (rows["514626"]["parent_id"], rows["514626"]["depth"]) == ("514624", 4)
    rows = _rows("wcxb__dev__html__0006.html.gz", "https://talkreal.org/en/blog/best-language-learning-app/")
    assert (rows["31"]["parent_id"], rows["31"]["depth"]) == ("30", 2)
    rows = _rows("trafilatura-tests__tests__eval__0ac0531f1f0543f4a3f68159e5fd1875.html.gz",
                 "https://www.dealdoktor.de/post/")
    assert [(r["depth"], r["parent_id"]) for r in rows.values()][:4] == [
        (1, None), (2, "1550498"), (2, "1550498"), (3, "1550564")]


def test_thread_inside_an_aside_with_ids_on_inner_blocks():
    """The theme puts the whole comments area in an ``<aside>`` (not a widget) and the id on an
    ``article`` inside each ``li``: the ``li`` nests, so it stands for the comment."""
    page = "trafilatura-tests__tests__eval__theoriginalcopy.de.baby.html.gz"
    rows = _rows(page, "https://theoriginalcopy.de/editors-letter-baby/")
    assert len(rows) == 52
    assert (rows["83701"]["parent_id"], rows["83701"]["depth"]) == ("83694", 2)
    root = parse_html(_thread_page(page))
    for li in root.xpath("//li[contains(@class, 'depth-')]"):
        cid = li.xpath("./article/@id")[0].removeprefix("comment-")
        depth = int(next(c for c in li.get("class").split() if c.startswith("depth-"))[6:])
        assert rows[cid]["depth"] == depth


# -- parents named by hints ------------------------------------------------------------------
def _deep_section() -> tuple[str, dict[str, tuple[str | None, int]]]:
    _need(SECTIONS)
    html = (SECTIONS / DEEP_SECTION).read_text().split("---", 2)[2]
    truth = {r["comment_id"]: (r["parent_id"], r["depth"])
             for r in extract_comments(Page(parse_html(html), "https://blog.test/post/"))}
    assert max(d for _, d in truth.values()) == 10
    return html, truth


HINTS = (
    lambda li, parent: li.set("data-parent", parent),
    lambda li, parent: li.set("data-reply-to", f"comment-{parent}"),
    lambda li, parent: li.set("class", f"{li.get('class')} parent-{parent}"),
    lambda li, parent: etree.SubElement(li, "a", {"rel": "in-reply-to", "href": f"#comment-{parent}"}),
    lambda li, parent: etree.SubElement(li, "link", {"itemprop": "parentItem", "href": f"#comment-{parent}"}),
)


def test_hinted_parents_rebuild_a_flattened_thread():
    """A real ten-level thread printed as one flat list, without depth classes: each reply
    names its parent in one of the hint forms, and the tree comes back exactly."""
    html, truth = _deep_section()
    root = parse_html(html)
    top = root.xpath("//ol[contains(@class, 'comment-list')]")[0]
    items = root.xpath("//li[starts-with(@id, 'comment-')]")
    for n, li in enumerate(items):
        li.set("class", " ".join(c for c in li.get("class").split() if not c.startswith("depth-")))
        parent = truth[li.get("id")[8:]][0]
        if parent:
            HINTS[n % len(HINTS)](li, parent)
    for li in items:
        top.append(li)  # moves it, its replies stay behind in their own (now moved) lists
    for ol in root.xpath("//ol[contains(@class, 'children')]"):
        ol.drop_tree()
    assert not root.xpath("//li//li")
    got = {r["comment_id"]: (r["parent_id"], r["depth"])
           for r in extract_comments(Page(root, "https://blog.test/post/"))}
    assert got == truth


def test_hint_wins_over_nesting():
    html, truth = _deep_section()
    root = parse_html(html)
    replies = [cid for cid, (parent, _) in truth.items() if parent]
    cid = replies[-1]
    first = next(iter(truth))
    root.xpath(f"//li[@id='comment-{cid}']")[0].set("data-parent", first)
    got = {r["comment_id"]: r for r in extract_comments(Page(root, "https://blog.test/post/"))}
    assert (got[cid]["parent_id"], got[cid]["depth"]) == (first, 2)
    # a hint naming a later comment or one not on the page is no parent: nesting stands
    root.xpath(f"//li[@id='comment-{first}']")[0].set("data-parent", cid)
    got = {r["comment_id"]: r for r in extract_comments(Page(root, "https://blog.test/post/"))}
    assert got[first]["parent_id"] is None


def test_reply_links_give_ids_to_comments_without_them():
    """``?replytocom=N`` names the comment its reply link sits in (WordPress's reply button)."""
    page = "trafilatura-tests__tests__cache__netzpolitik.org.abmahnungen.html.gz"
    url = "https://netzpolitik.org/2016/die-cider-connection-abmahnungen-gegen-nutzer-von-creative-commons-bildern/"
    with_ids = extract_page(_thread_page(page), url)["comments"]
    root = parse_html(_thread_page(page))
    for el in root.xpath("//*[starts-with(@id, 'comment-') or starts-with(@id, 'div-comment-')]"):
        del el.attrib["id"]
    without = extract_page(root, url)["comments"]
    assert len(without) == len(with_ids) == 74
    same = [a["comment_id"] == b["comment_id"] for a, b in zip(without, with_ids)]
    assert sum(same) >= 70
    assert [r["depth"] for r in without] == [r["depth"] for r in with_ids]


# -- schema.org Comment in JSON-LD (no page in the corpora has any) ----------------------------
JSONLD_PAGE = """<html><head><script type="application/ld+json">%s</script></head>
<body><article><h1>Tuning a regenerative receiver</h1><p>%s</p></article></body></html>"""
JSONLD = {
    "@context": "https://schema.org",
    "@graph": [
        {"@type": "BlogPosting", "@id": "https://radio.test/regen/#article", "headline": "Tuning",
         "comment": [
             {"@type": "Comment", "@id": "https://radio.test/regen/#comment-11",
              "author": {"@type": "Person", "name": "Ada", "url": "https://ada.test/"},
              "dateCreated": "2024-05-02T10:00:00+02:00", "text": "Which coil did you use?",
              "comment": [{"@type": "Comment", "@id": "https://radio.test/regen/#comment-12",
                           "author": {"@type": "Person", "name": "Bo"},
                           "dateCreated": "2024-05-02T11:00:00+02:00",
                           "text": "A basket-weave coil.\n\nTwenty turns."}]},
             {"@id": "https://radio.test/regen/#comment-13"},
         ]},
        {"@type": "Comment", "@id": "https://radio.test/regen/#comment-13",
         "parentItem": {"@id": "https://radio.test/regen/#comment-12"},
         "author": "Cy", "datePublished": "2024-05-03", "text": "Mine too."},
    ],
}


def test_jsonld_comments_nested_and_by_parent_item():
    html = JSONLD_PAGE % (json.dumps(JSONLD), "A long paragraph about the set. " * 40)
    rows = extract_page(html, "https://radio.test/regen/")["comments"]
    got = [(r["comment_id"], r["parent_id"], r["depth"], r["author_name"]) for r in rows]
    assert got == [("11", None, 1, "Ada"), ("12", "11", 2, "Bo"), ("13", "12", 3, "Cy")]
    assert rows[0]["author_url"] == "https://ada.test/"
    assert rows[0]["published"] == "2024-05-02T08:00:00+00:00"
    assert rows[1]["text"] == "A basket-weave coil.\n\nTwenty turns."


def test_page_without_comments_finds_none():
    html = JSONLD_PAGE % ("{}", "A long paragraph about the set, with no comments at all. " * 40)
    assert extract_page(html, "https://radio.test/regen/")["comments"] == []


# -- both corpora: the markup's threads, and no comment text in the body ------------------------
@pytest.mark.parametrize("corpus", ["threads", "wp-comment-sections"])
def test_corpus_threads_complete_and_no_comment_text_in_body(corpus):
    _need(CORPUS / corpus)
    pages = threads_pages(CORPUS) if corpus == "threads" else section_pages(CORPUS)
    figures = score_corpus(pages)
    assert figures["leaking"] == []
    assert figures["pages_complete"] >= 0.95, figures["incomplete"]


def test_a_thread_printed_twice_gives_each_comment_once():
    """A real page that prints its whole thread twice (16 comments, each id twice): the copy is
    the same comments, not 16 more. The negative of keeping different comments that share an id
    (tests/test_thread_sanity.py)."""
    path = CORPUS / "wcxb-articles" / "html" / "2218.html.gz"
    _need(path)
    truth = json.loads((CORPUS / "wcxb-articles" / "ground-truth" / "2218.json").read_text())
    comments = extract_page(gzip.open(path).read(), truth["url"])["comments"]
    ids = [c["comment_id"] for c in comments]
    assert len(ids) == 16 and len(set(ids)) == 16
