"""Comment threads from real pages' markup, where the markup itself (ids, ``depth-N`` classes,
nesting) is the reference."""
from __future__ import annotations

import gzip
import json
import re

import pytest

from scraper.extractors import extract_page
from scraper.extractors import comments
from scraper.extractors.comments import extract_comments
from scraper.extractors.page import Page, parse_html

from conftest import SHARED

SECTIONS = SHARED / "corpus" / "wp-comment-sections"
THREADS = SHARED / "corpus" / "threads"
_LI = re.compile(r'<li id="comment-(\d+)" class="([^"]*)"')


def _need(folder):
    if not folder.exists():
        pytest.skip(f"shared corpus not found at {folder}")


def _thread_page(name: str) -> bytes:
    return gzip.open(THREADS / "html" / name).read()


def test_wordpress_comment_sections_ids_and_depths_equal_markup():
    _need(SECTIONS)
    files = sorted(SECTIONS.glob("*.md"))
    assert len(files) > 400
    mismatched = []
    deepest = 0
    for f in files:
        html = f.read_text().split("---", 2)[2]
        rows = extract_comments(Page(parse_html(html), "https://blog.test/post/"))
        want = {cid: int(re.search(r"depth-(\d+)", c).group(1)) for cid, c in _LI.findall(html)}
        got = {r["comment_id"]: r["depth"] for r in rows}
        deepest = max([deepest, *got.values()])
        if got != want:
            mismatched.append(f.name)
    assert mismatched == []
    assert deepest >= 10


def test_threads_pages_depths_and_parents_follow_nesting():
    """On every thread page whose comments carry WordPress depth classes, depth equals the class
    and the parent is the enclosing comment."""
    _need(THREADS)
    checked = 0
    for entry in json.loads((THREADS / "index.json").read_text()):
        raw = _thread_page(entry["file"].split("/", 1)[1])
        root = parse_html(raw)
        lis = {li.get("id")[8:]: li for li in root.xpath("//li[starts-with(@id, 'comment-')]")
               if re.fullmatch(r"comment-\d+", li.get("id")) and re.search(r"depth-\d", li.get("class", ""))}
        if not lis:
            continue
        rows = {r["comment_id"]: r for r in extract_page(root, f"https://{entry['site']}/post/")["comments"]}
        for cid, li in lis.items():
            if "awaiting" in li.text_content()[:2000] and cid not in rows:
                continue
            assert cid in rows, (entry["site"], cid)
            assert rows[cid]["depth"] == int(re.search(r"depth-(\d+)", li.get("class")).group(1)), (entry["site"], cid)
            parent = li.xpath("ancestor::li[starts-with(@id, 'comment-')][1]/@id")
            assert rows[cid]["parent_id"] == (parent[0][8:] if parent else None), (entry["site"], cid)
        checked += 1
    assert checked >= 25


def _strip(root, attrs):
    for el in root.iter():
        for a in attrs:
            if a in el.attrib and (a != "id" or el.get("id", "").startswith(("comment-", "div-comment-", "li-comment-"))):
                del el.attrib[a]
    return root


def test_schema_org_comments_without_platform_ids():
    """The same real thread with its WordPress ids removed: schema.org Comment microdata alone
    must give the same tree (ids become stable content hashes)."""
    _need(THREADS)
    name = "postlight-parser-fixtures__fixtures__blisterreview.com.html.gz"
    url = "https://blisterreview.com/gear-reviews/skis/line-outline"
    with_ids = extract_page(_thread_page(name), url)["comments"]
    stripped = _strip(parse_html(_thread_page(name)), ["id"])
    without = extract_page(stripped, url)["comments"]
    assert len(without) == len(with_ids) >= 20
    assert [r["depth"] for r in without] == [r["depth"] for r in with_ids]
    assert [r["text"] for r in without] == [r["text"] for r in with_ids]
    assert all(r["comment_id"].startswith("h") for r in without)
    index = {r["comment_id"]: i for i, r in enumerate(without)}
    for a, b in zip(without, with_ids):  # same parent, by position in the thread
        pa = index[a["parent_id"]] if a["parent_id"] else None
        pb = next((i for i, r in enumerate(with_ids) if r["comment_id"] == b["parent_id"]), None)
        assert pa == pb
    again = extract_page(_strip(parse_html(_thread_page(name)), ["id"]), url)["comments"]
    assert [r["comment_id"] for r in again] == [r["comment_id"] for r in without]


def test_generic_nested_comment_lists():
    """No ids, no microdata: nested ``li.comment`` lists in a comments area still give the tree."""
    _need(THREADS)
    name = "postlight-parser-fixtures__fixtures__blisterreview.com.html.gz"
    url = "https://blisterreview.com/gear-reviews/skis/line-outline"
    with_ids = extract_page(_thread_page(name), url)["comments"]
    stripped = _strip(parse_html(_thread_page(name)), ["id", "itemtype", "itemscope", "itemprop"])
    comments_area = stripped.xpath("//ol[contains(@class, 'comment-list')]")[0]
    comments_area.set("id", "comments")
    without = extract_page(stripped, url)["comments"]
    assert [r["depth"] for r in without] == [r["depth"] for r in with_ids]
    assert [r["author_name"] for r in without] == [r["author_name"] for r in with_ids]


def test_block_theme_comment_template_real_page():
    """WordPress block themes (``wp-block-comment-template``): author, date, text, nesting; the
    like button is not comment text."""
    _need(THREADS)
    rows = extract_page(_thread_page("wcxb__dev__html__4704.html.gz"),
                        "https://houseplanthouse.com/2021/02/27/a-hph-guide-to-low-light-tolerant-houseplants/")["comments"]
    first = rows[0]
    assert first["comment_id"] == "3133" and first["author_name"] == "jamesfox966473278"
    assert first["published"] == "2021-03-08T21:46:28+00:00"
    assert first["text"] == "Super informative as usual.\nMaking me want to go and buy some more plants!"
    reply = rows[1]
    assert reply["parent_id"] == "3133" and reply["depth"] == 2 and reply["by_post_author"] is True
    assert not any("Liked by" in (r["text"] or "") for r in rows)


def test_recent_comments_widget_is_not_part_of_thread(wordpress_corpus):
    page = wordpress_corpus / "site" / "twentytwentyone" / "2016" / "04" / "a-quiet-note-on-archive-formats" / "index.html"
    html = page.read_bytes()
    assert b"Recent Comments" in html and b"#comment-31" in html
    result = extract_page(html, "http://blog.example.test:8081/2016/04/a-quiet-note-on-archive-formats/")
    assert result["comments"] == []
    assert result["article"]["comments_open"] is True


# -- queries asked of a whole thread at once ------------------------------------------------
_EVERY_COMMENT_QUERY = (comments.AUTHOR_QUERIES + comments.TEXT_QUERIES + comments.DATE_QUERIES
                        + comments.DATE_TEXT_QUERIES
                        + (comments.NOT_TEXT, comments._BLOGGER_AUTHOR_ICON, ".//em/text()",
                           ".//a[contains(@href, 'replytocom=')]/@href", ".//a[@href]", ".//p/text()"))


def test_own_asked_of_the_thread_equals_own_asked_of_each_comment():
    """``own`` answers from one query over the thread what asking each comment answers, on
    every thread page, for every query the rules ask (two-step, attribute and text queries)."""
    _need(THREADS)
    compared = hits = 0
    for entry in json.loads((THREADS / "index.json").read_text()):
        page = Page(parse_html(_thread_page(entry["file"].split("/", 1)[1])), "https://blog.test/post/")
        markup = comments.CommentMarkup(page)
        if markup._thread_scopes is None:
            continue
        for query in _EVERY_COMMENT_QUERY:
            for i in range(len(markup.elements)):
                whole, each = markup.own(i, query), markup._own_asked_of(i, query)
                assert [id(h) if not isinstance(h, str) else (h, id(h.getparent())) for h in whole] == \
                    [id(h) if not isinstance(h, str) else (h, id(h.getparent())) for h in each], (entry["file"], query, i)
                compared += 1
                hits += len(whole)
    assert compared > 10_000 and hits > 1_000


@pytest.mark.parametrize("query", [".//a | .//b", ".//x/y", ".//text()", ".//@href", "..//a", "a//b",
                                   ".//a//b/text()", ".//a//b//c", "(.//a)[1]"])
def test_query_shapes_not_read_are_asked_of_each_comment(query):
    assert comments._QueryShape.of(query) is None


def test_query_shapes_read():
    two_step = comments._QueryShape.of(".//*[@itemprop='author']//*[@itemprop='name']")
    assert two_step.outer_step == ".//*[@itemprop='author']" and not two_step.text_of_step
    assert comments._QueryShape.of(".//em/text()").text_of_step
    assert comments._QueryShape.of(".//*[@a='x//y' or contains(@b, '|')]/@a").outer_step is None


def test_own_asked_of_the_thread_where_a_step_encloses_a_reply():
    """A reply inside the first comment's ``comment-author`` box, an ``em`` that is a reply,
    a reply inside an ``em``: what lies around a comment is not its own, asked either way."""
    html = """<html><body><ol id="comments">
      <li id="comment-1" class="comment"><div class="comment-author"><span class="fn">A</span>
        <ol class="children"><li id="comment-2" class="comment"><span class="fn">B</span>
          <em>awaiting moderation <b>x</b> tail</em></li></ol></div>
        <em><div id="comment-3" class="comment"><p>C</p></div> tail of a reply</em></li>
    </ol></body></html>"""
    markup = comments.CommentMarkup(Page(parse_html(html), "https://blog.test/post/"))
    assert markup._thread_scopes is not None and len(markup.elements) == 3
    for query in _EVERY_COMMENT_QUERY:
        for i in range(3):
            assert markup.own(i, query) == markup._own_asked_of(i, query), (query, i)
    assert [h.text for h in markup.own(1, comments.AUTHOR_QUERIES[0])] == []
    assert [h.text for h in markup.own(0, comments.AUTHOR_QUERIES[0])] == ["A"]
    assert [str(t).strip() for t in markup.own(1, ".//em/text()")] == ["awaiting moderation", "tail"]
    assert [str(t).strip() for t in markup.own(0, ".//em/text()")] == []


def test_embed_markers_are_what_the_attribute_query_finds():
    """``has_embed_marker`` says no only where ``//@name`` finds nothing, on every thread page
    and on pages that carry the markers; a name it does not look for is refused."""
    _need(THREADS)
    roots = [parse_html(_thread_page(entry["file"].split("/", 1)[1]))
             for entry in json.loads((THREADS / "index.json").read_text())]
    marked = parse_html('<html><body><div data-bsky-uri="at://did:plc:x/app.bsky.feed.post/1"></div>'
                        '<p><a data-responses-to-url="https://social.test/@a/1">r</a></p></body></html>')
    answers = []
    for root in [*roots, marked]:
        page = Page(root, "https://blog.test/post/")
        for name in comments.EMBED_MARKERS:
            answers.append(comments.has_embed_marker(page, name))
            assert answers[-1] == bool(root.xpath(f"//@{name}"))
    assert True in answers and False in answers
    with pytest.raises(ValueError):
        comments.has_embed_marker(Page(marked, "https://blog.test/post/"), "data-isso")


def test_widget_test_says_what_in_widget_says(wordpress_corpus):
    """Ancestors judged once for a page's comments answer as ``regions.in_widget`` does, for
    every comment candidate: on thread pages and on a page with a Recent Comments widget."""
    from scraper.extractors.regions import in_widget
    _need(THREADS)
    roots = [parse_html(_thread_page(entry["file"].split("/", 1)[1]))
             for entry in json.loads((THREADS / "index.json").read_text())]
    widget_page = (wordpress_corpus / "site" / "twentytwentyone" / "2016" / "04" / "a-quiet-note-on-archive-formats"
                   / "index.html")
    roots.append(parse_html(widget_page.read_bytes()))
    answers = []
    for root in roots:
        widgets = comments._WidgetTest()
        for el in comments._candidates(Page(root, "https://blog.test/post/")):
            answers.append(widgets.inside(el))
            assert answers[-1] == in_widget(el)
    assert True in answers and False in answers
