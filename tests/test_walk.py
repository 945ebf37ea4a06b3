"""The compiled walks give what their pure-Python twins give, element for element, on real
pages of every corpus (and on the pages of comment threads, whose markup is the deepest)."""
from __future__ import annotations

import gzip
from pathlib import Path

import pytest
from lxml import etree

from conftest import SHARED
from scraper import text
from scraper.extractors import body, page, parse_html, regions, walk
from scraper.extractors.body import BodyAnalysis
from scraper.extractors.page import Page

pytestmark = pytest.mark.skipif(not walk.COMPILED, reason="the compiled walks were not built (no C compiler at install)")

CORPUS = SHARED / "corpus"


def _real_pages(every: int = 7) -> list[Path]:
    """Every seventh page of each article corpus, and every page of ``threads/``."""
    pages = []
    for folder in ("aeb/html", "wcxb-articles/html", "trafilatura-eval/html"):
        pages += sorted((CORPUS / folder).glob("*.gz"))[::every]
    pages += sorted((CORPUS / "threads" / "html").glob("*.gz"))
    if not pages:
        pytest.skip(f"shared corpora not found at {CORPUS}")
    return pages


def _paths(root, elements) -> list[str]:
    tree = root.getroottree()
    return [tree.getpath(el) for el in elements]


def test_text_pieces_are_the_pieces_the_python_walk_reads():
    marks = (text.SKIP_TAGS, text.BLOCK_TAGS, text.CELL_TAGS, text.LINE_BREAK, text.CODE_LINE_BREAK)
    read = 0
    for path in _real_pages():
        root = parse_html(gzip.open(path).read())
        content = root.find("body") if root.find("body") is not None else root
        # the whole page, its content less furniture (as the body's paragraphs read it), its tables and code
        targets = [(content, []), (content, body.not_content_within(content))]
        targets += [(el, []) for el in root.iter("table", "pre")]
        for el, skip in targets:
            compiled_tables, python_tables = {}, {}
            compiled = walk.text_pieces(el, skip, lambda cell: text._in_data_table(cell, compiled_tables), *marks)
            python = walk.text_pieces_python(el, skip, lambda cell: text._in_data_table(cell, python_tables), *marks)
            assert compiled == python, path.name  # marks are the same objects, text the same strings
            read += len(compiled)
    assert read > 0


def test_has_attribute_answers_as_the_attribute_query_does():
    names = ("class", "data-bsky-uri", "data-post-id", "data-repo", "itemprop", "xml:lang", "lang", "no-such-name")
    present = 0
    for path in _real_pages():
        root = parse_html(gzip.open(path).read())
        for name in names:
            compiled, python = walk.has_attribute(root, name), walk.has_attribute_python(root, name)
            assert compiled == python, (path.name, name)
            present += compiled
    assert present > 0


def test_a_query_for_an_attribute_no_element_has_finds_nothing_without_running():
    root = parse_html("<html><body><script src='a.js'></script><div data-x='1' class='c'>x</div></body></html>")
    page = Page(root, "https://example.invalid/")
    for query in ("//@data-bsky-uri", "//script[@data-repo][contains(@src, 'giscus')]", "//@data-x",
                  "//div[@data-x='1']/@class", "//*[@data-y] | //script/@src", "//script[@src]"):
        assert page.xpath(query) == root.xpath(query), query
    assert page._finds_nothing("//@data-bsky-uri") and not page._finds_nothing("//*[@data-y] | //script/@src")


_EXTRACT_EACH = """
import gzip, json, sys
from scraper.extractors import extract_page, walk
assert not walk.COMPILED, "the pure-Python walks were asked for"
for path in sys.argv[1:]:
    print(json.dumps(extract_page(gzip.open(path).read(), "https://example.invalid/page/"), sort_keys=True, default=str))
"""


def test_extraction_without_the_compiled_walks_gives_the_same_rows():
    """End to end: every field of every row, the pure-Python walks (another process, with
    BLOG_ARCHIVER_PURE_PYTHON=1) against the compiled ones."""
    import json
    import os
    import subprocess
    import sys

    from scraper.extractors import extract_page

    paths = _real_pages(every=21)
    env = {**os.environ, "BLOG_ARCHIVER_PURE_PYTHON": "1"}
    pure = subprocess.run([sys.executable, "-c", _EXTRACT_EACH, *map(str, paths)], env=env, check=True,
                          capture_output=True, text=True, cwd=Path(__file__).resolve().parents[1]).stdout.splitlines()
    compiled = [json.dumps(extract_page(gzip.open(path).read(), "https://example.invalid/page/"), sort_keys=True,
                           default=str) for path in paths]
    assert len(pure) == len(compiled) == len(paths)
    for path, slow, fast in zip(paths, pure, compiled):
        assert slow == fast, path.name


# -- body analysis walks --------------------------------------------------------------------
def _analysis_read(analysis: BodyAnalysis, root) -> tuple:
    """What a body analysis found, by element: its blocks, each element's size, the scores in order."""
    return ([tuple(block) for block in analysis.text_blocks], [analysis.content_size(el) for el in root.iter()],
            [(analysis._nodes[key], score) for key, score in analysis._dense.items()])


_JUDGE_ARGS = (regions.TAGS_JUDGED_BY_NAME, regions.ATTRIBUTES_JUDGED, body.LINK_LIST_TAGS,
               body.LINK_LIST_MAX_CHARS, body.LINK_SHARE)


def _judged_page(openings: list[tuple[str, str]]):
    """A page of prose blocks, one in each of ``openings`` (an element's tag and attributes),
    a link list in every div: its root and <body>."""
    blocks = []
    for i, (tag, attributes) in enumerate(openings):
        text = f"Paragraph {i // 2} holds enough words to count as prose for the body analysis here."
        links = '<ul><li><a href="/a">a link</a></li></ul>' if tag == "div" and i % 2 == 0 else ""
        blocks.append(f"<{tag} {attributes}><p>{text}</p>{links}</{tag}>")
    root = parse_html("<html><body><article>" + "".join(blocks) + "</article></body></html>")
    return root, root.find("body")


def _same_analysis_compiled_and_python(root, monkeypatch):
    """The body analysis of ``root`` by the compiled walks and by the Python twins."""
    fast = _analysis_read(BodyAnalysis(Page(root, "https://example.invalid/")), root)
    with monkeypatch.context() as patch:
        patch.setattr(body, "body_blocks", walk.body_blocks_python)
        patch.setattr(body, "node_key", walk.node_key_python)
        slow = _analysis_read(BodyAnalysis(Page(root, "https://example.invalid/")), root)
    assert fast == slow
    return fast


def test_body_blocks_credit_what_the_python_walk_credits(monkeypatch):
    credited = 0
    for path in _real_pages():
        root = parse_html(gzip.open(path).read())
        fast = _analysis_read(BodyAnalysis(Page(root, "https://example.invalid/")), root)
        with monkeypatch.context() as patch:
            patch.setattr(body, "body_blocks", walk.body_blocks_python)
            patch.setattr(body, "node_key", walk.node_key_python)
            slow = _analysis_read(BodyAnalysis(Page(root, "https://example.invalid/")), root)
        assert fast[0] == slow[0], path.name  # the same blocks: elements, text, links, furniture, folded text
        assert fast[1] == slow[1], path.name  # the same size of every element
        assert fast[2] == slow[2], path.name  # the same scores, in the same order (ties go to the first)
        credited += sum(1 for size in fast[1] if size)
    assert credited > 0


def test_judged_link_walk_finds_what_the_furniture_rule_finds():
    found = 0
    for path in _real_pages():
        root = parse_html(gzip.open(path).read())
        container = root.find("body")
        args = (regions.TAGS_JUDGED_BY_NAME, regions.ATTRIBUTES_JUDGED, body.LINK_LIST_TAGS, body.LINK_LIST_MAX_CHARS,
                body.LINK_SHARE)
        compiled = walk.judged_link_walk(container, body._is_furniture, body._furniture_or_comment_label,
                                         body._furniture_or_comment_id, body._FURNITURE_OR_COMMENT_NAMES, *args)
        assert compiled == walk.link_walk_python(container, body._is_furniture, *args), path.name
        found += len(compiled)
    assert found > 0


def test_text_paragraphs_are_the_pieces_joined_in_python():
    marks = (text.SKIP_TAGS, text.BLOCK_TAGS, text.CELL_TAGS, text.LINE_BREAK, text.CODE_LINE_BREAK)
    read = 0
    for path in _real_pages():
        root = parse_html(gzip.open(path).read())
        content = root.find("body") if root.find("body") is not None else root
        # the whole page, its content less furniture (as the body's paragraphs read it), its tables, code and lists
        targets = [(root, []), (content, []), (content, body.not_content_within(content))]
        targets += [(el, []) for el in root.iter("table", "pre", "ul", "blockquote")]
        for el, skip in targets:
            compiled_tables, python_tables = {}, {}
            compiled = walk.text_paragraphs(el, skip, lambda cell: text._in_data_table(cell, compiled_tables), *marks,
                                            text._join_pieces)
            python = text._join_pieces(walk.text_pieces_python(
                el, skip, lambda cell: text._in_data_table(cell, python_tables), *marks))
            assert compiled == python, path.name
            read += len(compiled)
    assert read > 0


@pytest.mark.parametrize("markup", [
    "<div>a <br> b<br><br>c</div>", "<div><br>a<br></div>", "<pre>x\n\n  y\n</pre>", "<pre>\n\n</pre>",
    "<p>one\u00a0\u2003two\u2028three</p><p> </p>", "<div>a<pre>b\n c</pre>d</div>",
    "<table><tr><td>a</td><td>b</td></tr><tr><td>c</td></tr></table>", "<div>x<!-- c -->y<script>z</script>w</div>",
    "<ul><li>one<br> <br>two</li><li></li></ul>", "<p>\u00e9t\u00e9 \U0001F600 \u3000 fin</p>",
])
def test_text_paragraphs_of_edge_cases(markup):
    root = parse_html(f"<html><body>{markup}</body></html>")
    assert text.paragraphs(root) == text.paragraphs_by_pieces(root)


def test_labelled_within_finds_what_the_python_walk_finds():
    found = 0
    for path in _real_pages():
        root = parse_html(gzip.open(path).read())
        for rule, words in ((body._standfirst_label, body._STANDFIRST_WORDS),
                            (lambda label: bool(label) and "content" in label, ("content",))):
            compiled = walk.labelled_within_holding(root, rule, words)
            assert compiled == walk.labelled_within_python(root, rule), path.name
            found += len(compiled)
    assert found > 0


_EDGE_LABELS = [
    "share", "x-share", "share_x", "post-share-x", "SHARE", "xShare", "newsCaption", "ſhare", "\u212aads", "a\tshare",
    "a\x1cshare", "a\u00a0share", "a\u2003x-share", "comments", "x-comments-y", "commentsOpen", "has-comments",
    "product-reviews", "reviews", "comment-respond", "wp-block-post-comments", "elementor-widget-share",
    "social-media-embed", "tag-cookies", "author-bio", "has-author-box", "content entry", "", " ", "-", "_-_",
    "entry-meta post", "main-navigation", "navigation-main", "é-share", "share-é", "sidebar widget",
]


def test_the_compiled_judge_says_what_the_rules_say_of_edge_class_strings(monkeypatch):
    """Class strings and ids at the edges of what ``_PlainNames`` tells in C: white space of every
    kind, upper case, letters ``re`` folds to ASCII ones, words inside names, several classes."""
    divs = []
    for i, label in enumerate(_EDGE_LABELS):
        text = f"Paragraph {i} holds enough words to count as prose for the body analysis here."
        divs.append(f'<div class="{label}"><p>{text}</p><ul><li><a href="/a">a link</a></li></ul></div>')
        divs.append(f'<div id="{label}"><p>{text}</p></div>')
        divs.append(f'<div class="{label}" data-x="1" id="y-{i}"><p>{text}</p></div>')
        divs.append(f'<section class="{label}" class="second"><p>{text} &amp; more</p></section>')
    root = parse_html("<html><body><article>" + "".join(divs) + "</article></body></html>")
    container = root.find("body")
    compiled = walk.judged_link_walk(container, body._is_furniture, body._furniture_or_comment_label,
                                     body._furniture_or_comment_id, body._FURNITURE_OR_COMMENT_NAMES, *_JUDGE_ARGS)
    assert compiled == walk.link_walk_python(container, body._is_furniture, *_JUDGE_ARGS)
    assert len(compiled) > 10
    fast = _same_analysis_compiled_and_python(root, monkeypatch)
    assert sum(1 for block in fast[0] if block[3] is not None) > 10  # blocks held by furniture among them


# -- page index walks
def test_label_holders_are_the_elements_the_python_walk_finds():
    found = 0
    for path in _real_pages():
        root = parse_html(gzip.open(path).read())
        labels = {el.get("class") for el in root.iter() if el.get("class")}
        some = set(sorted(labels)[::3])
        compiled = walk.label_holders(root, some)
        assert compiled == walk.label_holders_python(root, some), path.name
        found += len(compiled[0])
    assert found > 0


def test_the_page_index_finds_every_class_as_a_scan_would():
    """Class names known to the index walk, learnt on this page and never asked before, each
    give the elements (in document order) that a scan of the page gives."""
    for path in _real_pages(every=29):
        root = parse_html(gzip.open(path).read())
        tokens = sorted({t for el in root.iterdescendants(etree.Element) for t in (el.get("class") or "").split()})
        indexed = Page(root, "https://example.invalid/")
        for name in [*tokens[::5], "entry-content", "no-such-class-anywhere"]:
            scan = [el for el in root.iterdescendants(etree.Element) if name in (el.get("class") or "").split()]
            assert indexed.with_class(name) == scan, (path.name, name)
        where = indexed.with_class_where(lambda n: "post" in n)
        assert where == [el for el in root.iterdescendants(etree.Element)
                         if any("post" in t for t in (el.get("class") or "").split())], path.name


def test_attributes_present_are_those_the_python_walk_finds():
    names = ["data-bsky-uri", "data-responses-to-url", "data-post-id", "href", "class", "itemprop", "data-src",
             "onclick", "xmlns", "no-such-attribute"]
    seen = set()
    for path in _real_pages():
        root = parse_html(gzip.open(path).read())
        compiled = walk.attributes_present(root, names)
        assert compiled == walk.attributes_present_python(root, names), path.name
        seen.update(compiled)
    assert {"href", "class"} <= seen and "no-such-attribute" not in seen


# -- comment candidates, comment-system markers and thread page links: one walk of the attributes --
def test_comment_walk_is_the_three_walks_it_replaces():
    """The one walk finds the holders ``word_holders`` finds, the names ``attributes_present``
    finds and the links ``attribute_holders`` finds (below the root only), whether names are
    left to look for or all were seen."""
    found = seen = linked = 0
    for path in _real_pages():
        root = parse_html(gzip.open(path).read())
        for names in (["data-bsky-uri", "data-responses-to-url"], ["class", "href", "no-such-attribute"], ["id"]):
            for words in (("comment-page-", "cpage="), ("http",)):
                compiled = walk.comment_walk(root, "omment", names, "a", "href", words)
                assert compiled == walk.comment_walk_python(root, "omment", names, "a", "href", words), (path.name, names)
                assert compiled == (walk.word_holders_python(root, "omment"), walk.attributes_present_python(root, names),
                                    walk.attribute_holders_python(root, "a", "href", words))
                found += len(compiled[0])
                seen += len(compiled[1])
                linked += len(compiled[2])
    assert found > 0 and seen > 0 and linked > 0


def test_comment_walk_reads_links_below_the_root_only():
    """Markup after ``</html>`` is beside the root: its attributes count, its links do not
    (``attribute_holders`` walks the root's elements)."""
    from lxml import html  # the parser as libxml2 leaves it: parse_html adopts such strays
    root = html.document_fromstring(b"<html><body><a href='/p/comment-page-2/'>2</a></body></html>\n<!-- x -->\n"
                                    b"<div><a href='/p/comment-page-3/' data-bsky-uri='x'>3</a></div>")
    assert [s.tag for s in root.itersiblings(etree.Element)] == ["html"]
    for comment_walk in (walk.comment_walk, walk.comment_walk_python):
        holders, names, links = comment_walk(root, "omment", ["data-bsky-uri"], "a", "href", ("comment-page-",))
        assert [a.get("href") for a in links] == ["/p/comment-page-2/"]
        assert names == ["data-bsky-uri"] and [a.get("href") for a in holders] == ["/p/comment-page-2/", "/p/comment-page-3/"]


# -- text paragraphs: runs of ASCII text -------------------------------------------------------
@pytest.mark.parametrize("markup", [
    "<p>a\x1cb\x1dc\x1ed\x1fe f</p>", "<p>a\x01b\x08c\x0ed\x1bz</p>", "<p>x\x0by\x0cz\rw\tv</p>",
    "<p>caf\u00e9au-lait\u00a0x\u0085y{}~!</p>", "<pre>ab cd\nef\x1cgh\n\n ij</pre>", "<p>  lead  <b>bold</b>tail  </p>",
    "<div>word<span>joined</span> apart<br>next</div>", "<p>" + "long-run-" * 300 + "</p>",
])
def test_text_paragraphs_of_ascii_runs(markup):
    """Runs of ASCII text are copied whole: they end where ``str.isspace`` says a character is
    space (the separators 28-31 too), and at any character past ASCII."""
    root = parse_html(f"<html><body>{markup}</body></html>")
    assert text.paragraphs(root) == text.paragraphs_by_pieces(root)
    assert text.paragraphs(root) == text._join_pieces(walk.text_pieces_python(
        root, [], lambda cell: False, text.SKIP_TAGS, text.BLOCK_TAGS, text.CELL_TAGS, text.LINE_BREAK,
        text.CODE_LINE_BREAK))


# -- the parsed tree's check
def test_depth_and_tags_answer_as_the_queries_do():
    """Depth and streamed-markup tags of real pages (the threads' pages nest deepest) as the
    XPath queries answer; a depth no page reaches is not reported, one every page reaches is."""
    reached = found = 0
    for path in _real_pages():
        root = parse_html(gzip.open(path).read())
        for depth in (1, 12, 40, page.MAX_DEPTH):
            compiled = walk.depth_and_tags(root, depth, page._STREAMED_TAGS)
            assert compiled == walk.depth_and_tags_python(root, depth, page._STREAMED_TAGS), (path.name, depth)
            reached += compiled[0]
            found += compiled[1]
        assert walk.depth_and_tags(root, 1, ())[0]
        assert walk.depth_and_tags(root, 100_000, ("no-such-tag",)) == (False, False)
    assert reached and found


def test_depth_and_tags_count_elements_only_and_see_beside_the_root():
    nested = "<div>" * 30 + "x" + "</div>" * 30
    root = parse_html(f"<html><body>{nested}<!-- c --></body></html>")
    for depth_and_tags in (walk.depth_and_tags, walk.depth_and_tags_python):
        assert depth_and_tags(root, 32, ("template",)) == (True, False)  # html, body, 30 divs
        assert depth_and_tags(root, 33, ("template",)) == (False, False)
    beside = etree.fromstring("<doc><html><body/></html><template id='B:0'/></doc>")[0]
    for depth_and_tags in (walk.depth_and_tags, walk.depth_and_tags_python):
        assert depth_and_tags(beside, 3, ("template",)) == (True, True)


# --- page index ---
_PAIRS = (("id", "respond"), ("id", "commentform"), ("itemprop", "author"), ("itemprop", "datePublished"),
          ("role", "main"), ("type", "application/ld+json"), ("rel", "author"), ("rel~", "category"),
          ("rel~", "tag"), ("rel", "canonical"), ("property", "og:title"), ("id", "no-such-id-anywhere"))
_PARTS = ("date", "author-bio", "comment-form", "no-such-part-anywhere")


def test_page_index_finds_what_the_python_walk_finds():
    """The kept elements, their class strings and pairs, the tag groups and the watched
    attributes, as the pure-Python walk finds them; a pair, part and name no page has keep
    nothing, and an element nothing asks for is not kept."""
    wanted = frozenset({"entry-content", "post", "comment", "author", "byline", "hentry", "widget"})
    watched = ("data-bsky-uri", "rel", "itemprop", "no-such-attribute")
    kept = total = 0
    for path in _real_pages():
        root = parse_html(gzip.open(path).read())
        compiled = walk.page_index(root, _PAIRS, wanted, _PARTS, page._TAG_GROUPS, watched)
        assert compiled == walk.page_index_python(root, _PAIRS, wanted, _PARTS, page._TAG_GROUPS, watched), path.name
        held, positions, labels, found, groups, present, class_strings = compiled
        everything = list(root.iterdescendants(etree.Element))
        assert all(everything[p] is el for el, p in zip(held, positions)), path.name
        assert groups == [list(root.iter(*group)) for group in page._TAG_GROUPS], path.name
        assert present == walk.attributes_present_python(root, list(watched)), path.name
        assert list(class_strings) == list(dict.fromkeys(el.get("class") for el in everything
                                                         if el.get("class") is not None)), path.name
        assert ("id", "no-such-id-anywhere") not in found and "no-such-attribute" not in present
        for (name, value), elements in found.items():
            scan = [el for el in everything if (value in (el.get("rel") or "").split() if name == "rel~"
                                                else el.get(name) == value)]
            assert elements == scan, (path.name, name, value)
        kept += len(held)
        total += len(everything)
    assert 0 < kept < total / 2


@pytest.mark.parametrize("rel", ["category", " tag\tcategory\n", "x\x1ccategory", "tag category category",
                                 "catégorie\u2003category", "category\u00a0tag", "categoryx", "", "&amp;category"])
def test_page_index_splits_rel_as_python_does(rel):
    root = etree.HTML(f'<html><body><a rel="{rel}" id="é" class="post-date x">a</a><p rel=category>b</p></body></html>')
    pairs = (("rel~", "category"), ("rel~", "tag"), ("rel", rel), ("id", "é"), ("rel~", "catégorie"))
    compiled = walk.page_index(root, pairs, frozenset({"x"}), ("date",), (), ())
    assert compiled == walk.page_index_python(root, pairs, frozenset({"x"}), ("date",), (), ())


def test_page_lookups_find_what_a_scan_finds_before_and_after_learning(monkeypatch):
    """A lookup first asked on a page (one more walk), and asked again on the next page (the
    index walk keeps it): each finds what a scan of the page finds, in document order."""
    monkeypatch.setattr(page, "_index_reads", page.IndexReads(comment_walk_args=page._index_reads.comment_walk_args))
    for path in _real_pages(every=29):
        for _ in range(2):
            root = parse_html(gzip.open(path).read())
            everything = list(root.iterdescendants(etree.Element))
            looked = Page(root, "https://example.invalid/")
            for name, value in _PAIRS:
                scan = [el for el in everything if (value in (el.get("rel") or "").split() if name == "rel~"
                                                    else el.get(name) == value)]
                assert looked.with_attribute(name, value) == scan, (path.name, name, value)
            for part in _PARTS:
                scan = [el for el in everything if any(part in n for n in (el.get("class") or "").split())]
                assert looked.with_class_holding(part) == scan, (path.name, part)
            where = looked.with_class_holding("date", where=lambda n: "post" in n)
            assert where == looked.with_class_where(lambda n: "date" in n and "post" in n), path.name
            for name in ("entry-content", "post", "hentry", "no-such-class-anywhere"):
                scan = [el for el in everything if name in (el.get("class") or "").split()]
                assert looked.with_class(name) == scan, (path.name, name)


def test_page_index_sees_attributes_beside_the_root():
    """A watched attribute on an element after the parser's ``</html>`` is found, as ``//@name``
    finds it; one on no element is not."""
    root = etree.fromstring("<doc><html><body><p class='x'>a</p></body></html></doc>")[0]
    beside = etree.SubElement(root.getparent(), "div", {"data-late": "1"})
    assert beside.getparent() is root.getparent()
    for page_index in (walk.page_index, walk.page_index_python):
        found = page_index(root, (), frozenset({"x"}), (), (("p",), ("body",)), ("data-late", "data-none"))
        assert found[5] == ["data-late"]
        assert [len(group) for group in found[4]] == [1, 1]


# --- body ---
def test_linked_heading_counts_are_those_the_python_count_gives():
    """Every element's count of linked headings below it, on real pages, from the page's
    headings and from those of an element inside it; and on markup where no heading counts (a
    heading too short, a link without an address, a heading of another tag)."""
    from scraper.extractors.body import _LINKED_HEADING_MIN_CHARS, _LINKED_HEADINGS, _long_heading
    args = (_LINKED_HEADINGS, _LINKED_HEADING_MIN_CHARS, _long_heading)
    counted = 0
    for path in _real_pages():
        root = parse_html(gzip.open(path).read())
        for top in (root, root.find("body"), next(root.iter("article", "main"), None)):
            if top is None:
                continue
            headings = list(top.iter("h2", "h3", "h4", "h5", "h6"))
            compiled, held = walk.linked_heading_counts(headings, *args)
            python, held = walk.linked_heading_counts_python(headings, *args)
            assert held is not None
            by_element = {el: python.get(id(el), 0) for el in root.iter()}
            assert {el: compiled.get(walk.node_key(el), 0) for el in root.iter()} == by_element, path.name
            counted += sum(1 for count in by_element.values() if count)
    assert counted > 0
    root = parse_html("<html><body><div><h2><a href='/x'>Short</a></h2><h3><a name='n'>A heading long enough "
                      "to count</a></h3><h4>A heading long enough, no link</h4><h5><a href='/z'>A heading of "
                      "another tag</a></h5></div></body></html>")
    assert walk.linked_heading_counts(list(root.iter("h2", "h3", "h4", "h5")), *args)[0] == {}
    # a heading in a heading (as the parser nests them), a link with an empty address, headings out of order
    nested = parse_html("<html><body><div><h2><a href=''>A linked heading, long enough</a>"
                        "<span><h3><a href='/y'>Another one inside it, long too</a></h3></span></h2></div>"
                        "<section><h4><a href='/z'>A third linked heading, in a section</a></h4></section>"
                        "</body></html>")
    headings = list(nested.iter("h2", "h3", "h4"))
    for order in (headings, headings[::-1]):
        compiled = walk.linked_heading_counts(order, *args)[0]
        python, held = walk.linked_heading_counts_python(order, *args)
        assert ([compiled.get(walk.node_key(el), 0) for el in nested.iter()]
                == [python.get(id(el), 0) for el in nested.iter()])
        assert compiled.get(walk.node_key(nested), 0) == 3


# Attributes besides a class and an id that the compiled judge reads in C: roles, hiding styles
# in every spacing and case (and one with a letter ``re`` folds to an ASCII one), aria-hidden,
# hidden, folded panels (hidden, and still content), and elements none of them makes furniture.
_EDGE_ATTRIBUTES = [
    'role="navigation"', 'role="main"', 'role="navigation " class="x"', 'role="dialog" style="display:none"',
    'style="display:none"', 'style="DISPLAY : None"', 'style="color: red; display:\tnone"',
    'style="display: block"', 'style="display:nonesuch"', 'style="visibility:hidden"',
    'style="visibility :\x0chidden"', 'style="display-none: x"', 'style="displa: none"', 'style=""',
    'style="diſplay:none"', 'style="font-family: \'É\'; display:none"', 'aria-hidden="true"', 'aria-hidden="TRUE"',
    'aria-hidden="false" class="share"', 'hidden', 'hidden class="accordion-collapse"',
    'style="display:none" class="collapse navbar-collapse"', 'role="tabpanel" aria-labelledby="t" hidden',
    'style="display:none" class="tab-pane"', 'role="region" class="entry"', 'class="entry" style="margin:0"',
    'id="comments" style="margin:0"', 'class="content" role="note" aria-hidden="false"',
]


def test_the_compiled_judge_says_what_the_rule_says_of_roles_styles_and_hidden(monkeypatch):
    openings = [(tag, attributes) for attributes in _EDGE_ATTRIBUTES for tag in ("div", "section")]
    root, container = _judged_page(openings)
    asked = []  # the elements the compiled judge leaves to the rule: hidden ones, a style not ASCII

    def is_furniture(el):
        asked.append(el)
        return body._is_furniture(el)
    compiled = walk.judged_link_walk(container, is_furniture, body._furniture_or_comment_label,
                                     body._furniture_or_comment_id, body._FURNITURE_OR_COMMENT_NAMES, *_JUDGE_ARGS)
    python = walk.link_walk_python(container, body._is_furniture, *_JUDGE_ARGS)
    assert compiled == python
    assert 0 < len(asked) <= 2 * 14  # the 14 hidden or not ASCII, of the 28 kinds
    judged = [el for el in container.iter("div", "section")]
    furniture = [el for el in judged if body._is_furniture(el)]
    assert 10 < len(furniture) < len(judged) - 10  # both answers, many times
    fast = _same_analysis_compiled_and_python(root, monkeypatch)
    assert sum(1 for block in fast[0] if block[3] is not None) > 10


# --- comments ---
# -- the words comment-system detectors look for in the page's inline scripts --------------------
_SCRIPT_WORDS = ("_WidgetManager", "iscourse", "disqus", "this.page.", "remark_config", "aline", "blogId",
                 "_preloads", "function", "window.", "e", "", "\u00e9t\u00e9", "no-such-word-here")


def test_script_words_are_the_words_the_python_scan_finds():
    """Each inline script's words, found in one pass over its text where libxml2 keeps it, are
    those ``in`` finds in its text, on real pages, for rare, common, one-byte, empty and
    non-ASCII words, and for no words at all."""
    held = 0
    for path in _real_pages():
        scripts = Page(parse_html(gzip.open(path).read()), "https://example.invalid/").tagged("script")
        for words in (_SCRIPT_WORDS, _SCRIPT_WORDS[:3], ("no-such-word-here",), ()):
            compiled = walk.script_words(scripts, words)
            assert compiled == walk.script_words_python(scripts, words), (path.name, words)
            held += len(compiled)
    assert held > 1_000


def test_script_words_of_edge_scripts():
    """A script with a ``src`` is skipped even with a text, an empty ``src`` is not; a word at
    either end of a text, a word cut short by the end, a text split around a comment."""
    from lxml import html
    root = html.document_fromstring(
        "<html><head><script src='x.js'>disqus</script><script src=''>disqus</script>"
        "<script>aline</script><script>alin</script><script>x_preloads</script><script></script>"
        "<script>blogI</script></head><body><div id='d'>before</div></body></html>")
    scripts = list(root.iter("script"))
    split = root.get_element_by_id("d")
    split.tag, split.text = "script", "this.pa"
    etree.SubElement(split, "b").tail = "ge. disqus"  # ``.text`` reads up to the element
    scripts.append(split)
    words = ("disqus", "aline", "_preloads", "blogId", "this.page.", "ge.")
    expected = [(1, 0b1), (2, 0b10), (4, 0b100)]
    assert walk.script_words(scripts, words) == walk.script_words_python(scripts, words) == expected
    with pytest.raises(ValueError):
        walk.script_words(scripts, tuple(f"w{i}" for i in range(65)))


def test_any_attribute_holds_answers_as_the_python_test_does():
    """Over the ``<link>`` and ``<a>`` elements of real pages, for words found and not."""
    answers = set()
    for path in _real_pages(every=21):
        root = parse_html(gzip.open(path).read())
        for tag, name in (("link", "href"), ("a", "href"), ("a", "class")):
            elements = list(root.iter(tag))
            for word in ("https", "substackcdn.com", "wp-content", "", "no-such-word"):
                compiled = walk.any_attribute_holds(elements, name, word)
                assert compiled == walk.any_attribute_holds_python(elements, name, word), (path.name, tag, word)
                answers.add(compiled)
    assert answers == {True, False}


# -- the comment rules' queries, asked of a whole thread: one walk per query -----------------------
def _comment_queries() -> list[str]:
    from scraper.extractors import comments
    return [*comments.AUTHOR_QUERIES, *comments.TEXT_QUERIES, *comments.DATE_QUERIES, *comments.DATE_TEXT_QUERIES,
            comments.NOT_TEXT, comments._BLOGGER_AUTHOR_ICON, ".//em/text()", ".//a[contains(@href, 'replytocom=')]/@href",
            ".//a[@href]", ".//*[@class='comment-body']", ".//*[contains(@class, 'reply') or @id]//a"]


def test_owned_step_hits_are_those_the_python_walk_finds():
    """On every thread page, for every query the comment rules ask: the same elements, by the
    same comments, in the same order; and the steps of each query are read."""
    from scraper.extractors import comments
    threads = sorted((CORPUS / "threads" / "html").glob("*.gz"))
    if not threads:
        pytest.skip(f"shared corpora not found at {CORPUS}")
    found = 0
    for path in threads:
        markup = comments.CommentMarkup(Page(parse_html(gzip.open(path).read()), "https://blog.test/post/"))
        if markup._thread_scopes is None:
            continue
        for query in _comment_queries():
            inner, outer, _ = comments._walked_steps(query)
            compiled = walk.owned_step_hits(markup._thread_scopes, markup.elements, inner, outer)
            python = walk.owned_step_hits_python(markup._thread_scopes, markup.elements, inner, outer)
            assert [(i, id(el)) for i, el in compiled] == [(i, id(el)) for i, el in python], (path.name, query)
            found += len(compiled)
    assert found > 1_000


@pytest.mark.parametrize("step", ["*[position() = 1]", "*[@a > 2]", "*[contains(@class, '')]", "a/b", "*[@a='x' or]",
                                  "*[normalize-space(@class) = 'x']", "*[(@a]", "x[@a]]", "*[not(@a)]"])
def test_steps_not_read_are_refused(step):
    assert walk.parse_step(step) is None


def test_step_tests_of_edge_values():
    """Names split at XML white space only, a name at either end, a name inside another, a
    value in several nodes, an attribute in a namespace, a tag in none."""
    from lxml import html
    root = html.document_fromstring(
        "<html><body><div id='s'>"
        "<p class='x\ty'>1</p><p class='xy x-y'>2</p><p class='y x'>3</p><p class='a\u00a0x'>4</p>"
        "<p class='x'>5</p><p class=''>6</p><p data-t=''>7</p><time itemprop='name'>8</time>"
        "</div></body></html>")
    scope = root.get_element_by_id("s")
    scope.append(etree.Element("{urn:x}time"))
    scope[0].set("{urn:x}class", "z")
    for step, expected in (("*[contains(concat(' ', normalize-space(@class), ' '), ' x ')]", ["1", "3", "5"]),
                           ("*[contains(concat(' ', normalize-space(@class), ' '), ' z ')]", []),
                           ("*[contains(@class, 'x') and contains(concat(' ', normalize-space(@class), ' '), ' y ')]",
                            ["1", "3"]),
                           ("*[@data-t]", ["7"]), ("*[@class='']", ["6"]), ("time", ["8"]),
                           ("*[@itemprop='name' or contains(@class, '\u00a0')]", ["4", "8"])):
        test = walk.parse_step(step)
        assert test is not None, step
        for owned in (walk.owned_step_hits, walk.owned_step_hits_python):
            assert [el.text for _, el in owned([scope], [scope], test, None)] == expected, (step, owned)


def test_inline_scripts_with_a_word_asked_after_the_scan_rescans_the_page(monkeypatch):
    """A detector asking for a word the page's one scan did not look for gets the page scanned
    again (``per_page``'s ``forget``): the scripts holding it, as ``in`` finds them, on real
    pages; a word no script holds finds none."""
    from scraper.commentsystems import base
    found = 0
    for path in _real_pages(every=21):
        monkeypatch.setattr(base, "_script_words", ())  # no word asked for yet
        page = Page(parse_html(gzip.open(path).read()), "https://example.invalid/")
        base.inline_scripts_with(page, "disqus")  # the page's scan, before the next words are known
        for word in ("window.", "function", "no-such-word-here"):
            expected = [text for text in base.inline_scripts(page) if word in text]
            assert base.inline_scripts_with(page, word) == expected, (path.name, word)
            found += len(expected)
    assert found > 100


# --- page ---
def test_outside_of_answers_as_the_python_walk_on_real_pages():
    """Every element of real pages, with the article's own test (``metadata._outside``): both
    answers, and both seen on the pages."""
    from scraper.extractors import metadata
    answers = {True: 0, False: 0}
    for path in _real_pages(every=21):
        root = parse_html(gzip.open(path).read())
        for el in root.iter(etree.Element):
            args = (el, "aside", "comments", metadata._NOT_ARTICLE_CLASSES, "Blog")
            answer = walk.outside_of(*args)
            assert answer == walk.outside_of_python(*args), (path.name, root.getroottree().getpath(el))
            answers[answer] += 1
    assert answers[True] > 10_000 and answers[False] > 1_000, answers


def test_outside_of_edge_cases():
    """An id or class in a namespace is no id or class; "Blog" excuses a class name; class
    names split as ``str.split`` splits (at a no-break space too); a tag in a namespace is no
    ``aside``; the root has no ancestor."""
    from lxml import html
    root = html.document_fromstring(
        "<html><body><div class='widget Blog'><p id='a'>1</p></div><div class='x\u00a0sidebar'><p>2</p></div>"
        "<div class='sidebar'><p>3</p></div><div id='comments'><p>4</p></div><div id='comments '><p>5</p></div>"
        "<div><p>6</p></div></body></html>")
    box = root.find("body")[5]
    box.set("{urn:x}id", "comments")
    box.set("{urn:x}class", "sidebar")
    aside = etree.SubElement(box, "{urn:x}aside")
    inner = etree.SubElement(aside, "p")
    classes = frozenset({"widget", "sidebar"})
    expected = {"1": True, "2": False, "3": False, "4": False, "5": True, "6": True}
    for outside in (walk.outside_of, walk.outside_of_python):
        for p in root.iter("p"):
            if p.text:
                assert outside(p, "aside", "comments", classes, "Blog") is expected[p.text], (outside, p.text)
        assert outside(inner, "aside", "comments", classes, "Blog") is True
        assert outside(root, "aside", "comments", classes, "Blog") is True


# --- text ---
def test_dispatched_matches_are_the_one_pattern_on_real_lines():
    """The compiled dispatch of the chrome rules answers each line of real pages (each line of a
    paragraph too, and each as read in parentheses) as ``LineRules.match`` and as the one
    pattern; a fresh table answers the same as one that has seen the lines."""
    from scraper.rule_dispatch import LineRules
    lines: list[str] = []
    for path in _real_pages(every=5):
        for para in text.paragraphs(parse_html(gzip.decompress(path.read_bytes()))):
            lines += [para, *para.split("\n")]
    lines += [line[1:-1].strip() for line in lines if line.startswith("(") and line.endswith(")")]
    lines += ["", "\n", "Leave a Reply", "5 MIN READ", "Newsletter: sign up", "ſhare this:", "Liſt of ſhares"]
    plain = [text._CHROME.plain.match(line) is not None for line in lines]
    fresh = LineRules([(rule.pattern, rule.needs) for rule in text.CHROME_RULES])
    assert walk.dispatched_matches(fresh, lines) == plain
    assert walk.dispatched_matches(text._CHROME, lines) == walk.dispatched_matches_python(text._CHROME, lines) == plain
    assert 1000 < sum(plain) < len(lines) // 2  # chrome and content both


def test_chrome_flags_are_is_chrome_of_each_line():
    lines: list[str] = []
    for path in _real_pages(every=11):
        lines += text.paragraphs(parse_html(gzip.decompress(path.read_bytes())))
    lines += ["(By Jane Doe)", "(A remark of the writer.)", "March 3, 2020", "By Jane Doe on March 3, 2020", "()"]
    flags = text.chrome_flags(lines)
    assert flags == [bool(text.is_chrome(line)) for line in lines]
    assert 0 < sum(flags) < len(lines) // 2


def test_digit_runs_are_those_re_finds():
    """Four digits in a row on a short line, as ``\\d{4}`` finds them: on real paragraphs, on
    every digit ``re`` knows (Arabic-Indic, Devanagari, fullwidth ...), and on lines too long."""
    import re
    lines: list[str] = []
    for path in _real_pages(every=11):
        lines += text.paragraphs(parse_html(gzip.decompress(path.read_bytes())))
    digits = [chr(c) for c in range(0x110000) if re.fullmatch(r"\d", chr(c))]
    lines += [d * 4 for d in digits] + [d * 3 + "x" + d for d in digits] + ["", "123", "12 34", "¹²³⁴", "x" * 151 + "2020"]
    for run, max_chars in ((4, 150), (2, 10_000), (1, 0)):
        found = walk.digit_runs(lines, run, max_chars)
        assert found == walk.digit_runs_python(lines, run, max_chars)
        assert found == [len(line) <= max_chars and re.search(rf"\d{{{run}}}", line) is not None for line in lines]
    assert 0 < sum(walk.digit_runs(lines, 4, 150)) < len(lines) // 2


# --- blocks ---
def _classifier_inputs(path: Path) -> tuple[list, set[int]]:
    """A real page's text blocks, and the ids of every fifth block's element and furniture
    (readers to be left out)."""
    analysis = BodyAnalysis(Page(parse_html(gzip.open(path).read()), "https://example.invalid/"))
    blocks = analysis.text_blocks
    readers = {id(b.element) for b in blocks[::5]} | {id(b.furniture) for b in blocks[3::7] if b.furniture is not None}
    return blocks, readers


def test_classifier_texts_are_those_the_python_pass_gives():
    """The paragraph classifier's texts, link characters, elements and headings of real pages,
    with readers and without; a reader's block is never among them."""
    from scraper.extractors.blocks import _HEADINGS
    headings_found = 0
    for path in _real_pages(every=11):
        blocks, readers = _classifier_inputs(path)
        for left_out, furniture_test in ((set(), lambda f: False), (readers, body.is_comment_area)):
            compiled = walk.classifier_texts(blocks, left_out, furniture_test, _HEADINGS)
            python = walk.classifier_texts_python(blocks, left_out, furniture_test, _HEADINGS)
            assert compiled[:2] == python[:2] and compiled[3] == python[3], path.name
            assert all(a is b for a, b in zip(compiled[2], python[2])) and len(compiled[2]) == len(python[2])
            assert not any(id(el) in left_out for el in compiled[2])
            headings_found += sum(compiled[3])
    assert headings_found > 0
    root = parse_html("<html><body><h2>A heading</h2><p>A paragraph of the <a href='/'>page</a>.</p>"
                      "<p>of the page</p></body></html>")
    h2, p1, p2 = root.iter("h2", "p")
    namespaced = etree.SubElement(root, "{urn:x}h2")
    blocks = [body.TextBlock(h2, "A heading", 0, None, "A heading"),
              body.TextBlock(p1, "A paragraph of the page.", 4, None), body.TextBlock(p2, "of the page", 0, None),
              body.TextBlock(namespaced, " A  namespaced\theading ", 40, None)]
    for pass_ in (walk.classifier_texts, walk.classifier_texts_python):
        texts, links, _, headings = pass_(blocks, set(), lambda f: False, _HEADINGS)
        assert texts == ["A heading", "A paragraph of the page.", "A namespaced heading"]
        assert headings == [True, False, False] and links == [0, 4, 20]


def test_good_block_flags_are_those_the_python_steps_give():
    """jusText's two steps over the blocks of real pages, with the page's stoplist and with
    none (length and links alone): the same blocks kept; and some are not."""
    from scraper.extractors import blocks as classifier
    kept = dropped = 0
    for path in _real_pages(every=11):
        text_blocks, _ = _classifier_inputs(path)
        texts, links, _, headings = walk.classifier_texts_python(text_blocks, set(), lambda f: False, classifier._HEADINGS)
        for stopwords in (classifier.stoplist("English"), frozenset()):
            densities = classifier._stopword_densities(texts, links, stopwords)
            compiled = walk.good_block_flags(texts, links, headings, densities, bool(stopwords), classifier._LIMITS)
            assert compiled == walk.good_block_flags_python(texts, links, headings, densities, bool(stopwords),
                                                            classifier._LIMITS), path.name
            kept, dropped = kept + sum(compiled), dropped + compiled.count(False)
    assert kept > 0 and dropped > 0
    # A short heading before good text is kept with it; a © line never is.
    good = "the of and to in that it is was for on are as with his they at be this from " * 3
    texts = ["Heading", good, "© 2024 the of and to in that it is was for on are as with his they at be", ""]
    for flags in (walk.good_block_flags, walk.good_block_flags_python):
        assert flags(texts, [0, 0, 0, 0], [True, False, False, False], [0.0, 1.0, 1.0, 0.0], True,
                     classifier._LIMITS) == [True, True, False, False]
        assert flags([], [], [], [], True, classifier._LIMITS) == []


# --- body ---
# Furniture words at each place of a name of several parts, and inside a part: the compiled judge
# looks up every part a name starts or ends with ("wp-block-post-comments" ends with a word, "share"
# inside "x-share-y" is none), and asks the rule of those alone.
_PART_LABELS = [
    "wp-block-group", "wp-block-post-comments", "x-share-y", "share-x-y", "x-y-share", "x_y_share", "x-y_share",
    "post-meta-x", "x-post-meta", "read-more-links-x", "x-read-more", "comment-respond-x", "a-comment-respond",
    "sidebar_x", "x_navigation", "navigation-x-y", "nav-links", "nav-linksx", "xnav-links", "-share", "share-",
    "--", "ad", "ad-", "-ad", "adx", "xad", "cat-links y", "y cat-links", "entry-content wp-block", "a b c-ads",
]


def test_the_compiled_judge_asks_the_rule_of_names_with_a_furniture_word_at_an_end_only(monkeypatch):
    root, container = _judged_page([("div", f'{kind}="{label}"') for label in _PART_LABELS for kind in ("class", "id")])
    asked = []

    def label_rule(label):
        asked.append(label)
        return body._furniture_or_comment_label(label)
    compiled = walk.judged_link_walk(container, body._is_furniture, label_rule, body._furniture_or_comment_id,
                                     body._FURNITURE_OR_COMMENT_NAMES, *_JUDGE_ARGS)
    assert compiled == walk.link_walk_python(container, body._is_furniture, *_JUDGE_ARGS)
    by_words = {label for label in _PART_LABELS if any(regions.names_furniture_word(n) for n in label.split())}
    assert set(asked) == by_words  # the label rule is asked of a name with a word at an end, of no other
    assert {"wp-block-group", "x-share-y", "nav-linksx", "adx", "entry-content wp-block"}.isdisjoint(asked)
    _same_analysis_compiled_and_python(root, monkeypatch)


def test_every_walk_has_its_compiled_twin_in_the_build():
    """The extension built from this source holds every twin walk.py asks for (none fell back
    to Python for want of a rebuild)."""
    assert walk._STALE == []
    assert walk.node_key is walk._walk.node_key and walk.page_index is walk._walk.page_index


def test_a_build_older_than_the_code_runs_the_missing_walk_in_python_and_says_so(monkeypatch, caplog):
    """An extension lacking a twin (built before it was written): the Python walk is used, and
    one warning names the extension; a twin it has is still the compiled one."""
    import types
    monkeypatch.setattr(walk, "_walk", types.SimpleNamespace(page_index=walk._walk.page_index, __file__="_walk.so"))
    monkeypatch.setattr(walk, "_STALE", [])
    with caplog.at_level("WARNING", logger=walk.__name__):
        assert walk._twin(walk.outside_of_python) is walk.outside_of_python
        assert walk._twin(walk.digit_runs_python) is walk.digit_runs_python
        assert walk._twin(walk.page_index_python) is walk._walk.page_index
    assert walk._STALE == ["outside_of", "digit_runs"]
    assert [r.getMessage().count("_walk.so") for r in caplog.records] == [1]
def test_own_text_chars_count_what_the_python_count_gives():
    """Every element of real pages; and markup whose own text is white space of every kind,
    held beside comments, entities and CDATA, or none at all."""
    counted = 0
    for path in _real_pages():
        root = parse_html(gzip.open(path).read())
        for el in root.iter():
            if isinstance(el.tag, str):
                assert walk.own_text_chars(el) == walk.own_text_chars_python(el), path.name
                counted += walk.own_text_chars(el) > 0
    assert counted > 1_000
    root = etree.fromstring("<!DOCTYPE d [<!ENTITY e 'x'>]><d> \u00a0a\u2003<b>not</b> b <!-- c --> c&e; d "
                            "<![CDATA[ f ]]>\t<i/>\u3000<p>\n</p></d>", etree.XMLParser(resolve_entities=False))
    assert walk.own_text_chars(root) == walk.own_text_chars_python(root) > 0
    empty = parse_html("<html><body><div>\n  <p>text</p>\n  <p>more</p>\n</div></body></html>").find(".//div")
    assert walk.own_text_chars(empty) == walk.own_text_chars_python(empty) == 0


def _comment_walk_args():
    from scraper.extractors import comments
    return comments._COMMENT_WALK_ARGS


def _same_elements(a, b) -> bool:
    return [list(map(id, a[0])), list(a[1]), list(map(id, a[2]))] == [list(map(id, b[0])), list(b[1]),
                                                                       list(map(id, b[2]))]


def test_page_index_reads_the_comment_walk_as_its_own_walk_on_real_pages():
    """The index walk given ``comment_walk``'s arguments: the index as without them, and the
    comment walk's answer as a walk of its own gives it (both twins)."""
    args, read = _comment_walk_args(), 0
    for path in _real_pages(every=14):
        root = parse_html(gzip.open(path).read())
        for index in (walk.page_index, walk.page_index_python):
            both = index(root, _PAIRS, frozenset(), _PARTS, page._TAG_GROUPS, ("data-post-id",), args)
            alone = index(root, _PAIRS, frozenset(), _PARTS, page._TAG_GROUPS, ("data-post-id",))
            assert len(both) == 8 and len(alone) == 7, path.name
            assert [list(map(id, both[0])), *both[1:7]] == [list(map(id, alone[0])), *alone[1:]], path.name
            assert _same_elements(both[7], walk.comment_walk_python(root, *args)), path.name
            read += len(both[7][0])
    assert read > 1_000


def test_page_index_reads_the_comment_walk_beside_the_root():
    """Elements beside the root (a second ``<html>`` after the first) count for the candidates
    and the attributes present, never for the links; a root that is no top element is read
    by a walk of its own."""
    from lxml import html
    parser = etree.HTMLParser(recover=True)
    root = html.document_fromstring(
        b'<html><body><p class=comment>a</p><a href="/x/comment-page-2/">n</a></body></html>'
        b'<html data-post-id=1 class=comment><a class=comment href="/comment-page-3">s</a></html>', parser=parser)
    assert next(root.itersiblings(), None) is not None
    args = _comment_walk_args()
    body = root.find("body")
    for top in (root, body):
        for index in (walk.page_index, walk.page_index_python):
            answer = index(top, (), frozenset(), (), (), (), args)[7]
            assert _same_elements(answer, walk.comment_walk(top, *args)), (top.tag, index)
            assert _same_elements(answer, walk.comment_walk_python(top, *args)), (top.tag, index)
    answer = walk.page_index(root, (), frozenset(), (), (), (), args)[7]
    # The first link holds the word in its address alone: no attribute the candidates are read by.
    assert [el.tag for el in answer[0]] == ["p", "html", "a"] and "data-post-id" in answer[1]
    assert [el.get("href") for el in answer[2]] == ["/x/comment-page-2/"]


# --- page ---
@pytest.mark.parametrize("wanted, parts", [(frozenset({"x", "post"}), ("date",)), (frozenset({"x", "é"}), ("date",)),
                                           (frozenset({"x"}), ("dat\u00e9",)), (frozenset(), ())])
def test_page_index_judges_each_class_string_as_python_does(wanted, parts):
    """Class strings read in place and judged once per page (ASCII ones in C), recurring, split
    across nodes (an entity), split at white space beyond ASCII, holding a part or only nearly:
    kept and listed as the pure-Python walk keeps and lists them."""
    labels = ["post-date x", "x", "x\u00a0post", "post&amp;x", "xpost", "a\x1cpost", "é post", "x", "post-date x",
              "  ", "", "datx", "a date", "post\u3000é", "post&amp;x", "ë x"]
    body = "".join(f'<p class="{label}">{i}</p><span class="{label}">s</span>' for i, label in enumerate(labels))
    root = etree.HTML(f"<html><body>{body}<div class='post'><b class='x'>b</b></div></body></html>")
    for _ in range(2):  # the second time prepared already
        compiled = walk.page_index(root, (), wanted, parts, (), ())
        assert compiled == walk.page_index_python(root, (), wanted, parts, (), ())
    if wanted:
        assert 0 < len(compiled[0]) < len(labels) * 2


def test_the_index_reads_one_registry_of_lookups_and_the_comment_walk(monkeypatch):
    """What the comment finder reads of every page and what the parts have asked for are in one
    registry: adding to one part keeps the rest, and a page's walk answers the comment walk."""
    from scraper.extractors import comments
    assert page._index_reads.comment_walk_args == comments._COMMENT_WALK_ARGS
    monkeypatch.setattr(page, "_index_reads", page.IndexReads())
    page.read_in_index(comment_walk_args=comments._COMMENT_WALK_ARGS)
    page.read_in_index(classes=["post"], pairs=[("id", "respond")], watched=["data-x"])
    page.read_in_index(parts=["date"], watched=["data-x", "data-y"])
    assert page._index_reads == page.IndexReads(frozenset({"post"}), frozenset({"date"}), frozenset({("id", "respond")}),
                                                ("data-x", "data-y"), comments._COMMENT_WALK_ARGS)
    root = parse_html(b"<html><body><div class='comment post' data-post-id=1><a href='/?cpage=2'>2</a></div></body></html>")
    looked = Page(root, "https://example.invalid/")
    answer = looked.comment_attributes(comments._COMMENT_WALK_ARGS)
    assert _same_elements(answer, walk.comment_walk_python(root, *comments._COMMENT_WALK_ARGS))
    assert [el.tag for el in looked.with_class("post")] == ["div"]


def test_following_texts_are_the_querys():
    """The text nodes after an element, as ``following::text()`` finds them on real pages:
    after headings and after elements anywhere in the page; after the body, none."""
    checked = 0
    for path in _real_pages(every=7):
        root = parse_html(gzip.open(path).read())
        everything = list(root.iter())
        for el in [*root.iter("h1", "h2"), *everything[::97], everything[-1]]:
            for limit in (0, 1, 60, 100_000):
                assert walk.following_texts(el, limit) == walk.following_texts_python(el, limit), (path.name, limit)
            checked += 1
    assert checked > 100
    root = etree.HTML("<html><body><h1>T<b>x</b></h1>a<p>b<!-- c -->d</p><![CDATA[e]]></body></html>")
    assert walk.following_texts(root.find(".//h1"), 9) == walk.following_texts_python(root.find(".//h1"), 9) == ["a", "b", "d"]
    assert walk.following_texts(root.find("body"), 9) == walk.following_texts_python(root.find("body"), 9) == []


def test_box_texts_are_the_querys_up_to_the_box_edge():
    """The text nodes in and after an element up to the first outside its box, as the query
    and lxml's text parents find them on real pages; a box's own tail is in it (lxml's parent
    of a tail is the element before it), the text after a comment is its parent's."""
    checked = stopped = 0
    for path in _real_pages(every=7):
        root = parse_html(gzip.open(path).read())
        for el in list(root.iter(etree.Element))[::53]:
            box = el
            for _ in range(3):
                for limit in (0, 8, 60):
                    texts = walk.box_texts(el, box, limit)
                    assert texts == walk.box_texts_python(el, box, limit), (path.name, limit)
                    stopped += limit == 60 and len(texts) < 60
                checked += 1
                box = box.getparent() if box.getparent() is not None else box
    assert checked > 1000 and stopped > 100
    root = etree.HTML("<html><body><div><p>a<b>x</b><!--c-->y</p>tail<i>z</i></div>after</body></html>")
    p, div = root.find(".//p"), root.find(".//div")
    for box_texts in (walk.box_texts, walk.box_texts_python):
        assert box_texts(p, p, 9) == ["a", "x", "y", "tail"]
        assert box_texts(p, div, 9) == ["a", "x", "y", "tail", "z", "after"]
        assert box_texts(root.find(".//b"), root.find(".//b"), 9) == ["x"]


# --- body ---
def test_figure_text_chars_count_what_itertext_and_the_captions_give():
    """Every figure of real pages (and every other element, as a negative: the count is the
    rule's whatever the tag) weighed as the Python twin weighs it; edge cases: a comment's text
    (not a piece), white-space pieces, a caption in a caption, an entity reference."""
    weighed = 0
    for path in _real_pages():
        root = parse_html(gzip.open(path).read())
        for el in root.iter():
            if isinstance(el.tag, str) and (el.tag in ("figure", "figcaption") or weighed % 50 == 0):
                assert walk.figure_text_chars(el) == walk.figure_text_chars_python(el), path.name
                weighed += 1
    assert weighed > 1_000
    figure = parse_html("<html><body><figure> a<!-- not text -->\u00a0<span>b <i> </i>\u2003c</span>\n<img>"
                        "<figcaption>cap <b>tion</b><figcaption>in</figcaption></figcaption> tail</figure>"
                        "</body></html>").find(".//figure")
    assert walk.figure_text_chars(figure) == walk.figure_text_chars_python(figure) == 21 - 12
    from lxml import html
    parser = etree.XMLParser(resolve_entities=False)
    parser.set_element_class_lookup(html.HtmlElementClassLookup())
    root = etree.fromstring("<!DOCTYPE d [<!ENTITY e 'xx'>]><figure>ab&e;<figcaption>c&e;</figcaption></figure>",
                            parser)
    assert walk.figure_text_chars(root) == walk.figure_text_chars_python(root)


def test_texts_opening_with_finds_the_headings_the_python_walk_finds():
    """Every heading of real pages asked about the bio headings' openings, both twins: the
    same headings, and most left out (their text never read); edge cases: white space of
    several kinds before the text, an opening split over elements, a comment inside it, a
    letter ``re`` folds to ASCII, a text shorter than an opening, an entity reference."""
    from scraper.extractors import bio
    kept = asked = 0
    for path in _real_pages():
        root = parse_html(gzip.open(path).read())
        headings = list(root.iter("h1", "h2", "h3", "h4", "h5", "h6"))
        found = walk.texts_opening_with(headings, bio._BIO_HEADING_OPENINGS)
        python = walk.texts_opening_with_python(headings, bio._BIO_HEADING_OPENINGS)
        assert list(map(id, found)) == list(map(id, python))
        kept, asked = kept + len(found), asked + len(headings)
    assert asked > 1_000 and 0 < kept < asked / 2
    root = parse_html("<html><body><h2> \u00a0About <b>the</b> author</h2><h2>Other</h2><h2>ABx</h2><h2>  Ab</h2>"
                      "<h2>\u017fobre</h2><h3>Mee<!--x-->t</h3><h3>\u2003\n</h3><h3>M\u00e9e</h3></body></html>")
    headings = list(root.iter("h2", "h3"))
    for twin in (walk.texts_opening_with, walk.texts_opening_with_python):
        assert [h.text_content().strip() for h in twin(headings, ("abo", "mee", "sob"))] == [
            "About the author", "\u017fobre", "Meet", "M\u00e9e"]
    from lxml import html
    parser = etree.XMLParser(resolve_entities=False)
    parser.set_element_class_lookup(html.HtmlElementClassLookup())
    root = etree.fromstring("<!DOCTYPE d [<!ENTITY e 'xx'>]><d><h2>&e;About</h2><h2>A&e;</h2></d>", parser)
    assert (list(map(id, walk.texts_opening_with(list(root), ("abo",))))
            == list(map(id, walk.texts_opening_with_python(list(root), ("abo",)))))


def test_the_bio_heading_openings_open_every_name_of_the_pattern():
    """``bio._BIO_HEADING_OPENINGS`` holds the opening of each alternative of ``BIO_HEADING``
    that starts with an ASCII letter, and of "about <name>"."""
    from scraper.extractors import bio
    from scraper.extractors.metadata import BIO_HEADING
    body, depth, alternatives, current = BIO_HEADING.pattern[2:], 0, [], ""
    for character in body:
        if character == "|" and depth == 0:
            alternatives.append(current)
            current = ""
            continue
        if character == "(":
            depth += 1
        elif character == ")":
            depth -= 1
            if depth < 0:
                break
        current += character
    alternatives.append(current)
    assert len(alternatives) == 10
    for alternative in [*alternatives, "about jane doe"]:
        plain = alternative.replace("(the )?", "the ").split("(")[0]
        assert not plain[0].isascii() or any(plain.lower().startswith(o) for o in bio._BIO_HEADING_OPENINGS), plain


def test_labelled_within_holding_finds_what_the_standfirst_rule_finds():
    """The lead classes of real pages, found by both twins as ``labelled_within`` finds them
    with the rule asked of every class; a rule that says yes to all is asked only of a class
    holding a word, ASCII case aside, or a character that is not ASCII."""
    found = 0
    for path in _real_pages():
        root = parse_html(gzip.open(path).read())
        every = walk.labelled_within_python(root, body._standfirst_label)
        for twin in (walk.labelled_within_holding, walk.labelled_within_holding_python):
            assert list(map(id, twin(root, body._standfirst_label, body._STANDFIRST_WORDS))) == list(map(id, every))
        found += len(every)
    assert found > 20
    root = parse_html('<html><body><div class="x-LEAD"><p class="Lea">a</p><p class="">b</p><p class="k\u00e9">c</p>'
                      '<p>d</p><p class="lede intro">e</p></div></body></html>')
    for twin in (walk.labelled_within_holding, walk.labelled_within_holding_python):
        assert [el.get("class") for el in twin(root, lambda label: True, ("lead", "intro"))] == [
            "x-LEAD", "k\u00e9", "lede intro"]


def test_children_of_are_the_children_iterchildren_finds():
    """The section headings among the children of every parent of a real page's skipped
    elements (and of every element with children), both twins; None is skipped."""
    found = 0
    for path in _real_pages(every=14):
        root = parse_html(gzip.open(path).read())
        parents = [el for el in root.iter() if isinstance(el.tag, str) and len(el)] + [None]
        for tags in (body._SECTION_HEADINGS, ("li",)):
            compiled = walk.children_of(parents, tags)
            assert list(map(id, compiled)) == list(map(id, walk.children_of_python(parents, tags))), path.name
            found += len(compiled)
    assert found > 1_000
    root = parse_html("<html><body><div><h2>a</h2><!-- h2 --><p>b</p><H3>c</H3><h4/></div></body></html>")
    assert [el.tag for el in walk.children_of([root.find(".//div"), None], ("h2", "h4"))] == ["h2", "h4"]


def test_holders_of_are_the_lists_holding_a_heading_the_python_walk_finds():
    """Lists with a section heading below them (and, as a negative, divs with a list), both
    twins, on real pages; the top itself counts, as ``iter`` reads it."""
    found = 0
    for path in _real_pages():
        root = parse_html(gzip.open(path).read())
        for holders, held in ((("ul", "ol"), body._SECTION_HEADINGS), (("div",), ("ul",))):
            compiled = walk.holders_of(root, holders, held)
            assert list(map(id, compiled)) == list(map(id, walk.holders_of_python(root, holders, held))), path.name
            found += len(compiled)
    assert found > 1_000
    ul = parse_html("<html><body><ul><li><h3>a</h3></li><li><ol><li>b</li></ol></li></ul></body></html>").find(".//ul")
    for twin in (walk.holders_of, walk.holders_of_python):
        assert [el.tag for el in twin(ul, ("ul", "ol"), ("h3",))] == ["ul"]
        assert [el.tag for el in twin(ul, ("ul", "ol"), ("ul", "li"))] == ["ul", "ol"]


def test_dropped_sections_are_the_sections_the_python_walk_finds():
    """Every section heading of real pages with the link walk's skipped elements as dropped
    (and, as a negative, every third element of the page): the same headings and sections from
    both twins; edge cases: text in a tail, a comment between, a heading that ends the section."""
    found = 0
    for path in _real_pages():
        root = parse_html(gzip.open(path).read())
        skip = walk.link_walk_python(root, body._is_furniture, body.TAGS_JUDGED_BY_NAME, body.ATTRIBUTES_JUDGED,
                                     body.LINK_LIST_TAGS, body.LINK_LIST_MAX_CHARS, body.LINK_SHARE)
        headings = list(root.iter(*body._SECTION_HEADINGS))
        for dropped in (skip, list(root.iter())[::3]):
            compiled = walk.dropped_sections(headings, body._SECTION_HEADINGS, dropped)
            python = walk.dropped_sections_python(headings, body._SECTION_HEADINGS, dropped)
            assert [(id(h), list(map(id, s))) for h, s in compiled] == [(id(h), list(map(id, s))) for h, s in python]
            found += len(compiled)
    assert found > 100
    root = parse_html("<html><body><div><h2>a</h2> <!-- c --> <ul id=x></ul>\n<p>b</p><h3>c</h3> t <ul id=y></ul>"
                      "<h4>d</h4><ul id=z></ul></div></body></html>")
    headings, dropped = list(root.iter("h2", "h3", "h4")), list(root.iter("ul"))
    for twin in (walk.dropped_sections, walk.dropped_sections_python):
        assert [(h.tag, [el.tag for el in s]) for h, s in twin(headings, ("h2", "h3", "h4"), dropped)] == [
            ("h2", ["ul", "p"]), ("h4", ["ul"])]


# --- text ---
def test_short_cells_tables_are_the_ones_the_python_test_finds():
    """A table of short cells, no table nested (``text._in_data_table``): the same tables, on
    real pages, at several lengths; a nested table, a long cell and an entity's text are not."""
    read = short = 0
    for path in _real_pages():
        root = parse_html(gzip.open(path).read())
        for table in root.iter("table"):
            for max_chars in (0, 10, text.DATA_CELL_CHARS, 500):
                answer = walk.short_cells_table(table, text.CELL_TAGS, max_chars)
                assert answer == walk.short_cells_table_python(table, text.CELL_TAGS, max_chars), path.name
                read, short = read + 1, short + answer
    assert read > 100 and 0 < short < read
    root = parse_html("<table><tr><td>one</td><th>two <b>three</b></th></tr></table>"
                      "<table><tr><td>a<table><tr><td>b</td></tr></table></td></tr></table>")
    first, nested = list(root.iter("table"))[:2]
    assert walk.short_cells_table(first, text.CELL_TAGS, 9) and not walk.short_cells_table(first, text.CELL_TAGS, 8)
    assert not walk.short_cells_table(nested, text.CELL_TAGS, 80)
    from lxml import html
    entity = etree.fromstring('<!DOCTYPE t [<!ENTITY e "a long text">]><table><tr><td>x&e;</td></tr></table>',
                              html.XHTMLParser(resolve_entities=False))
    for max_chars in (5, 20):  # the entity's text counted: too long for 5, short for 20
        answer = walk.short_cells_table(entity, text.CELL_TAGS, max_chars)
        assert answer == walk.short_cells_table_python(entity, text.CELL_TAGS, max_chars) == (max_chars == 20)


def test_judged_stopword_shares_are_those_the_python_count_gives():
    """The blocks judged by their stopwords (long enough, few links, no mark) and their shares,
    on real pages' blocks in ASCII and beyond (joined at single spaces, and as read, with their
    line breaks), several stoplists and none, and texts of no words or of other white space: the
    same, to the bit; a short block, a linked one and one with the mark are 0.0."""
    from scraper.extractors import blocks
    stoplists = [blocks.stoplist(name) for name in ("English", "German", "Russian", "Greek")]
    judged = 0
    for path in _real_pages(every=11):
        root = parse_html(gzip.open(path).read())
        texts = [" ".join(el.text_content().split()) for el in root.iter("p", "li", "td", "div")]
        texts += [el.text_content() for el in root.iter("p", "li", "td", "h2", "title")]
        texts += ["The " * 20, "İstanbul THE the\u3000and " * 5, "© the and of " * 8, "the Ünd © " * 10,
                  "", " \u2028\u00a0 ", "İstanbul THE the\u3000and", "😀 und 😀"]
        links = [len(text) // (i % 4 + 2) for i, text in enumerate(texts)]
        own_words = frozenset(" ".join(texts[::3]).lower().split())
        for stopwords in (*stoplists, own_words, frozenset()):
            for min_chars, max_link_density in ((70, 0.2), (0, 1.0)):
                args = (texts, links, stopwords, min_chars, max_link_density, "©")
                compiled = walk.judged_stopword_shares(*args)
                assert compiled == walk.judged_stopword_shares_python(*args), path.name
                judged += sum(1 for share in compiled if share)
    assert judged > 0
    texts = ["the and of " * 10, "the and of", "the and of " * 10, "the and of © " * 10]
    assert walk.judged_stopword_shares(texts, [0, 0, 100, 0], stoplists[0], 70, 0.2, "©") == [1.0, 0.0, 0.0, 0.0]


def test_frequent_words_are_those_the_counter_gives():
    """The most frequent words of real pages' prose, ties in their first order, and of samples
    in other scripts, of no words, of one word: ``Counter.most_common``'s, however many asked."""
    samples = ["", "  \u2028 ", "one", "b a b a c", "İstanbul 😀 x 😀\u3000y x\u00a0z", "b a " * 300]
    for path in _real_pages(every=11):
        root = parse_html(gzip.open(path).read())
        samples.append(" ".join(el.text_content() for el in root.iter("p"))[:4000].lower())
    for sample in samples:
        for most in (0, 1, 50, 100, 10_000):
            assert walk.frequent_words(sample, most) == walk.frequent_words_python(sample, most), sample[:60]
    assert walk.frequent_words("b a c a b d", 3) == ["b", "a", "c"]


# --- text (round 7) ---
def test_dispatched_matches_find_needed_words_case_blind_in_every_kind_of_line():
    """The words a rule needs are found in a line as its lower case holds them, in lines of 1, 2
    and 4 bytes a character, in any case, at the line's end, cut short, and in lines with an ASCII
    look-alike: the compiled dispatch answers as the one pattern."""
    lines = []
    for tail in ("", " é", " Ş", " 😀"):
        lines += ["5 Min Read" + tail, "5 MIN READ" + tail, "5 min rea" + tail, "5 min\u00a0read" + tail,
                  "Sign up for our NEWSLETTER in your inbox" + tail, "Sign up for our Newslette" + tail,
                  "Purchases made through links earn us a small COMMISSION" + tail,
                  "Purchases made through links earn us a small commissio" + tail,
                  "Für Links auf dieser Seite erhält CHIP ggf. eine PROVISION vom Händler" + tail,
                  "Für Links auf dieser Seite erhält CHIP ggf. eine Provisio" + tail,
                  "\u212aeep up with our newsletter: sign up" + tail, "5 min \u0131ead" + tail,
                  "İstanbul newsletter: sign up for your inbox" + tail]
    lines += [line.upper() for line in lines] + [line.lower() for line in lines]
    plain = [text._CHROME.plain.match(line) is not None for line in lines]
    assert walk.dispatched_matches(text._CHROME, lines) == walk.dispatched_matches_python(text._CHROME, lines) == plain
    assert 10 < sum(plain) < len(lines) - 10


def test_text_lines_are_those_the_joined_text_gives():
    """The arbiter's lines of real pages' paragraphs (cleaned, and as the page's raw text with
    its tabs, runs of spaces and line breaks) and of edge cases: the compiled reading gives the
    lines the joined text split and folded gives; a line with spaces around it is stripped."""
    samples = [[], [""], ["\n"], ["a\tb", "c \n"], [" x ", "y  z\u2028", "\u00a0é  Ş 😀\t"]]
    for path in _real_pages(every=11):
        root = parse_html(gzip.open(path).read())
        samples.append(text.paragraphs(root))
        samples.append([el.text_content() for el in root.iter("p", "div", "li")])
    for paragraphs in samples:
        assert walk.text_lines(paragraphs) == walk.text_lines_python(paragraphs), paragraphs[:3]
    assert walk.text_lines([" a \n b  c"]) == ["a", "b c"]


# --- body (round 7) ---
def _holder_blocks(root) -> list[tuple]:
    """The blocks of ``root`` read with the holders read in C, and read by ``body._read_block``."""
    args = (body.BLOCK_TAGS, body._OWN_TEXT_HOLDERS, body._PROSE_WRAPPERS, body._BLOCKS_BELOW, body.MIN_PARAGRAPH,
            body.INLINE_PROSE_MIN_CHARS, body.PROSE_TAGS, body._read_block, regions.is_boilerplate,
            regions.furniture_label, regions.furniture_label, body._FURNITURE_NAMES, regions.TAGS_JUDGED_BY_NAME,
            regions.ATTRIBUTES_JUDGED, body.TextBlock)
    in_c = walk.body_blocks(root, *args, body._BREAKING_TAGS)
    asked = walk.body_blocks(root, *args)
    assert [tuple(b) for b in in_c[0]] == [tuple(b) for b in asked[0]]
    assert in_c[1] == asked[1] and list(in_c[2].items()) == list(asked[2].items())
    return [tuple(b) for b in in_c[0]]


def test_holders_own_text_read_in_c_is_what_the_rules_read():
    read = 0
    for path in _real_pages():
        blocks = _holder_blocks(parse_html(gzip.open(path).read()))
        read += sum(1 for b in blocks if b[0].tag in body._OWN_TEXT_HOLDERS)
    assert read > 0


def test_holders_own_text_read_in_c_leaves_out_what_breaks_it():
    root = parse_html("<html><body><div>Written straight into the div, <a href='/x'>with a link</a>"
                      "<!-- a note --><em> and emphasis</em><p>A paragraph of its own, not the div's text at all.</p>"
                      "<span>then more</span></div></body></html>")
    blocks = _holder_blocks(root)
    held = [b for b in blocks if b[0].tag == "div"]
    # each child's tail, or a space where it has none (the link, the comment, the <p>, the <span>)
    assert held[0][1] == "Written straight into the div, with a link   and emphasis  then more "
    assert "paragraph" not in held[0][1]  # the <p> is a block of its own
    assert held[0][2] == len("with a link")


_CAMEL_OPENINGS = [("div", 'class="imageEmbedCaption"'), ("div", 'class="ArticleBody_root__2gF4s"'),
                   ("div", 'class="PromoSmall"'), ("div", 'class="Share-Buttons"'), ("div", 'id="CookieBanner"'),
                   ("div", 'class="postSharing"'), ("section", 'class="MainContent grid-Col"'),
                   ("div", 'class="Comments-Area"'), ("div", 'id="Post-Body"'), ("div", 'class="SIDEBAR"')]


def test_class_names_with_capitals_told_in_c_as_the_rules_tell_them(monkeypatch):
    root, container = _judged_page(_CAMEL_OPENINGS)
    blocks = _same_analysis_compiled_and_python(root, monkeypatch)[0]
    held_by = {block[0].getparent().get("class") or block[0].getparent().get("id"): block[3] for block in blocks}
    assert held_by["ArticleBody_root__2gF4s"] is None and held_by["Post-Body"] is None  # told plain in C
    assert all(held_by[name] is not None for name in ("imageEmbedCaption", "PromoSmall", "Share-Buttons",
                                                     "CookieBanner", "postSharing", "SIDEBAR"))
    args = (regions.TAGS_JUDGED_BY_NAME, regions.ATTRIBUTES_JUDGED, body.LINK_LIST_TAGS, body.LINK_LIST_MAX_CHARS,
            body.LINK_SHARE)
    compiled = walk.judged_link_walk(container, body._is_furniture, body._furniture_or_comment_label,
                                     body._furniture_or_comment_id, body._FURNITURE_OR_COMMENT_NAMES, *args)
    assert compiled == walk.link_walk_python(container, body._is_furniture, *args)
    assert any(el.get("class") == "Comments-Area" for el in compiled)


# --- comments (round 7) ---
def test_comment_walk_reads_the_word_in_the_attributes_named_on_real_pages():
    """Given ``word_attributes``, the one walk (and the index walk reading it) holds the elements
    with the word in one of those attributes: ``word_holders`` less the elements holding it
    elsewhere only; an ``href`` holding it is no reason, nor a namespaced ``class``."""
    names, words = ["data-bsky-uri", "id"], ("comment-page-", "cpage=")
    attributes = ("id", "class", "itemtype", "typeof")
    found = dropped = 0
    for path in _real_pages():
        root = parse_html(gzip.open(path).read())
        compiled = walk.comment_walk(root, "omment", names, "a", "href", words, attributes)
        assert compiled == walk.comment_walk_python(root, "omment", names, "a", "href", words, attributes), path.name
        every = walk.word_holders_python(root, "omment")
        read = [el for el in every if any("omment" in (el.get(name) or "") for name in attributes)]
        assert compiled[0] == read and compiled[1:] == walk.comment_walk(root, "omment", names, "a", "href", words)[1:]
        reads = (("class", "x"),), frozenset(), (), page._TAG_GROUPS, (), ("omment", names, "a", "href", words, attributes)
        assert _same_elements(walk.page_index(root, *reads)[7], compiled), path.name
        found += len(read)
        dropped += len(every) - len(read)
    assert found > 0 and dropped > 0
    root = parse_html(b"<html xmlns:x='urn:x'><body><a href='#comments'>1</a><p x:class='comment'>2</p>"
                      b"<li id='comment-2'>3</li><div class='comments'>4</div></body></html>")
    for comment_walk in (walk.comment_walk, walk.comment_walk_python):
        holders = comment_walk(root, "omment", [], "a", "href", (), attributes)[0]
        assert [el.text for el in holders] == ["3", "4"]
        assert [el.text for el in comment_walk(root, "omment", [], "a", "href", ())[0]] == ["1", "2", "3", "4"]


def test_has_id_starting_answers_as_the_query_on_real_pages():
    """An ``id`` starting with the prefix, as ``//*[starts-with(@id, …)]`` finds it: on real
    pages (some with ids of each prefix, some without), and on markup with the prefix elsewhere
    than at an id's start, in another attribute, in a namespaced id or after an entity."""
    answers = set()
    for path in _real_pages(every=14):
        root = parse_html(gzip.open(path).read())
        for prefix in ("S:", "comment-", "post", "no-such-id-"):
            compiled = walk.has_id_starting(root, prefix)
            assert compiled == walk.has_id_starting_python(root, prefix), (path.name, prefix)
            answers.add((prefix, compiled))
    assert ("comment-", True) in answers and ("no-such-id-", False) in answers
    for markup, found in ((b"<p id='xS:1' class='S:2' data-id='S:3'>a</p>", False),
                          (b"<html xmlns:x='urn:x'><body><p x:id='S:1'>a</p></body></html>", False),
                          (b"<div><p id=''>a</p><p id='S'>b</p><p id='S:'>c</p></div>", True),
                          (b"<p id='&#83;:1'>a</p>", True), (b"<p id='S&#58;1'>a</p>", True)):
        root = parse_html(markup)
        assert walk.has_id_starting(root, "S:") is walk.has_id_starting_python(root, "S:") is found, markup


def test_text_openers_are_those_the_python_walk_finds_on_real_pages():
    """The elements whose first text opens with one of the openings, on real pages and on
    markup whose text opens in a child's tail, after a comment, in a run of text nodes split
    inside an opening (CDATA), or not quite as an opening does."""
    from scraper.extractors import metadata
    found = 0
    for path in _real_pages():
        root = parse_html(gzip.open(path).read())
        for openings in (metadata._LABEL_OPENINGS, ("The", "A"), ("",)):
            compiled = walk.text_openers(root, openings)
            assert compiled == walk.text_openers_python(root, openings), (path.name, openings)
            found += len(compiled) if openings == metadata._LABEL_OPENINGS else 0
    assert found > 0
    parser = etree.XMLParser(strip_cdata=False)
    root = etree.fromstring("<div><p> \n By Jane</p><p><!-- x --> Written by Jo</p><p><b>x</b>\tPosted by</p>"
                            "<p>Bylines</p><p>B<![CDATA[y Ann]]></p><p>Writ<![CDATA[ten]]></p><p>  </p><p>Autho</p>"
                            "<p>buy</p><p>B<![CDATA[x]]></p></div>", parser)
    for text_openers in (walk.text_openers, walk.text_openers_python):
        assert [el.xpath("string()") for el in text_openers(root, metadata._LABEL_OPENINGS)] == [
            " \n By Jane", " Written by Jo", "x\tPosted by", "Bylines", "By Ann", "Written"]


def test_camel_furniture_parts_hold_what_the_camel_pattern_needs():
    """Each alternative of ``regions._CAMEL_FURNITURE``: a name it finds holds one of the words
    the compiled judge looks for, or opens with one of its openings."""
    words, openings = regions.camel_furniture_parts
    names = ["imageEmbedCaption", "newsCaptions", "photoCredit", "heroCredits", "postByline", "boxShare", "boxSharing",
             "PromoSmall", "RelatedPosts", "ShareBar", "SharingTools", "SocialLinks", "NewsletterBox", "SubscribeNow",
             "AdvertTop", "dialogCookieWarning", "siteConsent", "CookieBar", "ConsentBox"]
    for name in names:
        assert regions._camel_furniture(name), name
        assert any(word in name for word in words) or name.lower().startswith(openings), name
    assert not regions._camel_furniture("ArticleBody_root__2gF4s")


# --- text (round 7, continued) ---
def test_chrome_line_flags_are_those_the_python_reading_gives():
    """The compiled chrome flags of real pages' paragraphs and their lines, and of lines in
    parentheses, dated in other digits, too long to be a dateline or one character long: those
    the Python reading gives, and ``is_chrome`` of each line."""
    lines: list[str] = []
    for path in _real_pages(every=11):
        for para in text.paragraphs(parse_html(gzip.decompress(path.read_bytes()))):
            lines += [para, *para.split("\n")]
    lines += ["(", ")", "()", "( )", "(By Jane Doe)", "( By Jane Doe )", "(Bild: dpa)", "March 3, 2020",
              "(March 3, 2020)", "By Jane Doe on March 3, 2020", "By Jane Doe on March 3, ٢٠٢٠", "Posted 2020",
              "By Jane Doe on March 3, 2020 " + "and more " * 20, "Ş 12 March 2020", "😀 March 3, 2020"]
    args = (text._CHROME, lines, text.is_dateline, 150)
    flags = walk.chrome_line_flags(*args)
    assert flags == walk.chrome_line_flags_python(*args) == [bool(text.is_chrome(line)) for line in lines]
    assert 0 < sum(flags) < len(lines) // 2
    assert walk.chrome_line_flags(text._CHROME, ["(March 3, 2020)", "March 3, 2020 and a long tale " * 9],
                                  text.is_dateline, 150) == [True, False]


# --- body (round 8) ---
def test_judges_keep_each_rules_decisions_from_page_to_page():
    """A furniture judge keeps its decisions on class strings and ids from page to page, for
    each rule: real pages walked again find what they found; another rule is asked anew."""
    args = (regions.TAGS_JUDGED_BY_NAME, regions.ATTRIBUTES_JUDGED, body.LINK_LIST_TAGS, body.LINK_LIST_MAX_CHARS,
            body.LINK_SHARE)

    def walked(container, label_rule):
        return walk.judged_link_walk(container, body._is_furniture, label_rule, body._furniture_or_comment_id,
                                     body._FURNITURE_OR_COMMENT_NAMES, *args)

    containers = [parse_html(gzip.open(path).read()).find("body") for path in _real_pages(every=23)]
    first = [walked(container, body._furniture_or_comment_label) for container in containers]
    assert [walked(container, body._furniture_or_comment_label) for container in containers] == first
    assert sum(map(len, first)) > 0
    container = parse_html("<html><body><div><div class='share-buttons'><p>Share this post with your friends</p>"
                           "</div><p>The post itself, long enough.</p></div></body></html>").find("body")
    assert [el.get("class") for el in walked(container, body._furniture_or_comment_label)] == ["share-buttons"]
    assert walked(container, lambda label: False) == []  # the first rule's decision is not this one's


# --- text (round 8) ---
def test_found_chars_are_those_the_python_search_finds_on_real_pages():
    """The characters of one text's lines found in another's, on real pages' paragraphs: of a
    page's every other paragraph, of its lines cut short, changed at their end or run together
    (found nowhere, or inside a line), in the whole page's text and in its second half, in a
    window wide and narrow, with the compiled pre-check's store filled once and read again."""
    from scraper.extractors.arbiter import Text
    found = missed = 0
    for path in _real_pages(every=5):
        paras = text.paragraphs(parse_html(gzip.decompress(path.read_bytes())))
        if not paras:
            continue
        changed = [p[:-1] + "#" for p in paras[1::3]] + [p[3:40] for p in paras[::4]] + [
            a + " " + b for a, b in zip(paras[::5], paras[1::5])]
        whole, half = Text(paras), Text(paras[len(paras) // 2:])
        for lines in (Text(paras[::2]).lines, Text(changed).lines, Text(paras[::-1]).lines):
            for other in (whole, half):
                for window in (20_000, 300):
                    args = (lines, other.line_set, other.joined)
                    compiled = walk.found_chars(*args, other.grams, 12, window)
                    assert compiled == walk.found_chars_python(*args, bytearray(), 12, window), path.name
                    found += compiled
                    missed += sum(map(len, lines)) - compiled
    assert found > 0 and missed > 0
    other = Text(["A line of the page, long enough", "Another line of it", "short"])
    for found_chars in (walk.found_chars, walk.found_chars_python):
        args = (other.line_set, other.joined, bytearray(), 12, 20_000)
        assert found_chars(["A line of the page, long", "short", "Another line", "Not a line of it"], *args) \
            == 24 + 5 + 12
        assert found_chars(["Another line", "A line of the page, long"], *args) == 12  # looked for after the last
        assert found_chars(["line of the page, long enough\0Another", "Another line of its own"], *args) == 37


def test_stopword_shares_of_texts_lowered_as_read_are_those_str_lower_gives():
    """Texts beyond ASCII, their words lowered as the compiled count reads them: capitals of
    Latin-1, Greek and Cyrillic, the Kelvin sign, and the two letters ``str.lower`` lowers its
    own way (İ to two characters, Σ by its place in the word), left to it; the same shares."""
    words = ["the", "und", "ἀλλά", "και", "σας", "ως", "и", "в", "für", "i̇stanbul", "kelvin", "ß"]
    texts = ["THE UND FÜR Für für ÀÉÎ " * 4, "ΚΑΙ ΣΑΣ ΩΣ ἈΛΛΆ και ο " * 5, "И В ПРИВЕТ и в " * 6,
             "\u212aELVIN Kelvin ß SS " * 6, "İSTANBUL İstanbul the " * 5, "the’s “und” — für\u00a0FÜR " * 6,
             "😀 THE und 😀 Ünd " * 6, "ΣΑΣ" * 30, "ÀÉÎ ÕÜ ÞÝ × ÷ ÿ µ " * 6]
    for stopwords in (frozenset(words), frozenset(" ".join(texts).lower().split()), frozenset(["the"])):
        args = (texts, [0] * len(texts), stopwords, 70, 0.2, "©")
        compiled = walk.judged_stopword_shares(*args)
        assert compiled == walk.judged_stopword_shares_python(*args)
        assert all(compiled[:3]) or stopwords == frozenset(["the"])


# --- comments (round 8) ---
def test_meta_contents_are_those_the_python_reading_gives():
    """The compiled reading of real pages' ``<meta>`` tags, and of tags whose key is empty, in
    a namespace, given twice or missing its content: what the Python reading gives."""
    read = 0
    for path in _real_pages():
        root = parse_html(gzip.open(path).read())
        metas = list(root.iter("meta"))
        contents = walk.meta_contents(metas)
        assert contents == walk.meta_contents_python(metas), path.name
        assert list(contents) == list(walk.meta_contents_python(metas)), path.name
        read += len(contents)
    assert read > 0
    root = etree.fromstring(
        '<head xmlns:x="urn:x"><meta property="" name="Author" content="Jo"/><meta name="author" content="Ann"/>'
        '<meta x:name="ns" content="no"/><meta itemprop="Date" content=""/><meta name="no-content"/>'
        '<meta property="og:title" name="t" content="A &amp; B" content2="x"/><meta content="no key"/>'
        '<meta name="" itemprop="" content="empty key"/><meta itemprop="ÉTÉ" content="été"/></head>')
    metas = list(root.iter("{*}meta"))
    expected = {"author": "Jo", "date": "", "og:title": "A & B", "été": "été"}
    assert walk.meta_contents(metas) == walk.meta_contents_python(metas) == expected
    assert walk.meta_contents([]) == {}


def test_attribute_values_are_those_get_reads():
    """The compiled reading of real pages' script addresses and link relations, and of values
    that are empty, entities, in a namespace or given twice: what ``el.get`` reads."""
    kept = 0
    for path in _real_pages():
        root = parse_html(gzip.open(path).read())
        for tag, name in (("script", "src"), ("link", "rel"), ("a", "href"), ("div", "class")):
            elements = list(root.iter(tag))
            values = walk.attribute_values(elements, name)
            assert values == walk.attribute_values_python(elements, name), (path.name, tag)
            kept += len(values)
    assert kept > 0
    root = etree.fromstring('<p xmlns:x="urn:x"><s src=""/><s x:src="ns"/><s/><s src="a &amp; b"/><s src="été"/>'
                            '<s data-src="no" src=" "/></p>')
    elements = list(root)
    assert walk.attribute_values(elements, "src") == walk.attribute_values_python(elements, "src") == [
        "a & b", "été", " "]
