"""Content is never cut without a word: markup nested past any parser's or walk's limit keeps
every character and every comment (with its true parent and depth), a page is read whole up to
the largest body the crawler downloads, and where a page really is cut, the result says why
(``article["truncated"]``, ``page["truncated"]``)."""
from __future__ import annotations

import pytest
from lxml import etree

from benchmarks.robustness import PARAGRAPH, URL, article_html, huge_page
from scraper.extractors import extract_page
from scraper.extractors import decoding
from scraper.extractors import page as page_module
from scraper.extractors.decoding import MAX_HTML_BYTES
from scraper.extractors.page import MAX_DEPTH, Page, parse_html, parse_notes
from scraper.extractors.unnest import UNNESTED_PARENT
from scraper.settings import DOWNLOAD_MAXSIZE

POST_URL = "https://blog.example.org/2024/05/07/a-deep-thread/"
BEFORE = "<p>The paragraph before the deep markup stays where it was written.</p>"
AFTER = "<p>The paragraph after the deep markup is the page's last word.</p>"
LEAF_IDS = 1_000_000


def depth_of(root: etree._Element) -> int:
    """The number of elements on the longest path from the root down."""
    return max(sum(1 for _ in el.iterancestors()) + 1 for el in root.iter())


def body_of(markup: str) -> str:
    return extract_page(article_html(markup).encode(), URL)["article"]["body_text"]


# -- markup nested deeper than the parser's limit ---------------------------------------------
@pytest.mark.parametrize("depth", [1500, 3000, 100_000])
def test_text_nested_past_the_parsers_limit_and_after_it_is_kept_in_order(depth):
    """libxml2 stops at 2048 open elements and used to drop the rest of the page."""
    body = body_of(BEFORE + "<div>" * depth + PARAGRAPH + "</div>" * depth + AFTER)
    paragraphs = body.split("\n\n")
    assert paragraphs[0].startswith("The paragraph before")
    assert paragraphs[1].startswith("An archival crawler keeps every article")
    assert paragraphs[-1] == "The paragraph after the deep markup is the page's last word."


def test_a_repeated_structure_of_several_tags_keeps_every_element_and_character():
    levels = 3000
    markup = ('<div class="box"><span class="inner">' + "token " * 3) * levels + "</span></div>" * levels
    root = parse_html(article_html(markup + AFTER))
    assert depth_of(root) <= MAX_DEPTH
    assert len(root.xpath("//div[@class='box']")) == len(root.xpath("//span[@class='inner']")) == levels
    text = " ".join(root.text_content().split())
    assert text.count("token") == 3 * levels
    assert text.endswith("The paragraph after the deep markup is the page's last word.")


def test_deep_markup_without_a_repeated_structure_keeps_its_text():
    levels = 2500
    markup = "".join(f"<x-level-{i}> n{i} " for i in range(levels)) + "".join(
        f"</x-level-{i}>" for i in reversed(range(levels)))
    root = parse_html(article_html(markup + AFTER))
    assert depth_of(root) <= MAX_DEPTH
    numbers = [int(w[1:]) for w in root.text_content().split() if w[:1] == "n" and w[1:].isdigit()]
    assert numbers == list(range(levels))  # every one, in document order
    assert "page's last word" in root.text_content()


def test_a_page_nested_within_bounds_is_parsed_as_written():
    root = parse_html(article_html("<div>" * 150 + PARAGRAPH + "</div>" * 150))
    assert not parse_notes(root).unnested
    assert not root.xpath(f"//*[@{UNNESTED_PARENT}]")
    assert depth_of(root) > 150


# -- comment threads deeper than any limit ----------------------------------------------------
def wordpress_chain(levels: int, leaves: bool = False) -> str:
    """A reply chain ``levels`` deep in WordPress's markup; with ``leaves``, every comment also
    has a second reply (``LEAF_IDS`` + the comment's number), printed after the chain below it."""
    parts = ['<html><head><title>A deep thread</title><meta property="og:type" content="article"></head>'
             '<body class="single"><article class="post"><h1>A deep thread</h1><div class="entry-content">'
             + PARAGRAPH + '</div></article><div id="comments" class="comments-area"><ol class="commentlist">']
    for i in range(1, levels + 1):
        parts.append(f'<li class="comment" id="comment-{i}"><article class="comment-body">'
                     f'<footer class="comment-meta"><span class="fn">Reader {i}</span></footer>'
                     f'<div class="comment-content"><p>Reply number {i} in the chain.</p></div></article>')
        if i < levels:
            parts.append('<ol class="children">')
    for i in range(levels, 0, -1):
        parts.append("</li>")
        if leaves and i > 1:
            parent = i - 1
            parts.append(f'<li class="comment" id="comment-{LEAF_IDS + parent}"><article class="comment-body">'
                         f'<footer class="comment-meta"><span class="fn">Leaf {parent}</span></footer>'
                         f'<div class="comment-content"><p>A second reply to {parent}.</p></div></article></li>')
        if i > 1:
            parts.append("</ol>")
    parts.append('</ol></div><footer class="site-footer"><p>Footer</p></footer></body></html>')
    return "".join(parts)


def assert_whole_chain(comments: list[dict], levels: int) -> None:
    chain = [c for c in comments if int(c["comment_id"]) < LEAF_IDS]
    assert [c["comment_id"] for c in chain] == [f"{i}" for i in range(1, levels + 1)]
    for i, c in enumerate(chain, 1):
        assert (c["parent_id"], c["depth"]) == (str(i - 1) if i > 1 else None, i), c["comment_id"]
        assert (c["author_name"], c["text"]) == (f"Reader {i}", f"Reply number {i} in the chain.")


@pytest.mark.parametrize("levels", [150, 20_000])
def test_every_comment_of_a_reply_chain_is_kept_with_its_parent_and_depth(levels):
    """150 levels are 300 open elements (past the walks' bound), 20,000 levels far past
    libxml2's: 98 comments were kept of either."""
    result = extract_page(wordpress_chain(levels).encode(), POST_URL)
    assert len(result["comments"]) == levels
    assert_whole_chain(result["comments"], levels)
    assert result["article"]["comment_count"] == levels
    assert result["article"]["body_text"].startswith("An archival crawler")
    assert "Reply number" not in result["article"]["body_text"]
    assert result["article"]["truncated"] is None and result["page"]["truncated"] == []


def test_replies_printed_after_a_deep_chain_keep_their_parent():
    levels = 400
    result = extract_page(wordpress_chain(levels, leaves=True).encode(), POST_URL)
    comments = result["comments"]
    assert len(comments) == 2 * levels - 1
    assert_whole_chain(comments, levels)
    leaves = {c["comment_id"]: c for c in comments if int(c["comment_id"]) >= LEAF_IDS}
    for parent in range(1, levels):
        leaf = leaves[str(LEAF_IDS + parent)]
        assert (leaf["parent_id"], leaf["depth"], leaf["author_name"]) == (str(parent), parent + 1, f"Leaf {parent}")
        assert leaf["text"] == f"A second reply to {parent}."


def test_a_deep_thread_of_reply_boxes_after_each_comment_keeps_its_parents():
    """Drupal prints the replies in a ``div.indented`` after the comment they answer."""
    levels = 1500
    thread = "".join(f'<a id="comment-{i}"></a><div class="comment"><h3 class="name">Reader {i}</h3>'
                     f'<div class="field-comment-body"><p>Answer {i}.</p></div></div><div class="indented">'
                     for i in range(1, levels + 1)) + "</div>" * levels
    markup = article_html(PARAGRAPH).replace("</article>", f'</article><div id="comments">{thread}</div>')
    comments = extract_page(markup.encode(), POST_URL)["comments"]
    assert [(c["comment_id"], c["parent_id"], c["depth"]) for c in comments] == [
        (str(i), str(i - 1) if i > 1 else None, i) for i in range(1, levels + 1)]
    assert comments[-1]["text"] == f"Answer {levels}."


def test_moved_elements_name_the_parent_they_had_in_the_markup():
    root = parse_html(wordpress_chain(300))
    page = Page(root, POST_URL)
    assert page.unnested and depth_of(root) <= MAX_DEPTH
    for i in range(2, 301):
        li = root.xpath(f"//li[@id='comment-{i}']")[0]
        parent_list = page.markup_parent(li)
        assert parent_list.get("class") == "children"
        assert page.markup_parent(parent_list).get("id") == f"comment-{i - 1}"
        assert any(a.get("id") == "comments" for a in page.markup_ancestors(li))


# -- huge pages -----------------------------------------------------------------------------------
def test_every_page_the_crawler_downloads_is_read_whole():
    assert MAX_HTML_BYTES >= DOWNLOAD_MAXSIZE


@pytest.fixture(scope="module")
def fifty_megabytes() -> tuple[bytes, dict]:
    page = huge_page(50_000_000).replace(b"</article>", AFTER.encode() + b"</article>")
    return page, extract_page(page, URL)


def test_a_50_mb_page_is_read_whole(fifty_megabytes):
    page, result = fifty_megabytes
    body = result["article"]["body_text"]
    assert body.endswith("The paragraph after the deep markup is the page's last word.")
    sentence = "An archival crawler keeps every article"
    assert body.count(sentence) == page.count(sentence.encode())
    assert result["article"]["truncated"] is None and result["page"]["truncated"] == []


@pytest.fixture
def small_limit(monkeypatch) -> int:
    """A cut as it happens past MAX_HTML_BYTES, without building a page of that size."""
    for module in (decoding, page_module):  # decoding cuts the bytes, parsing the text and notes
        monkeypatch.setattr(module, "MAX_HTML_BYTES", 100_000)
    return 100_000


def test_a_page_cut_at_the_limit_says_so(small_limit):
    page = article_html(PARAGRAPH * 400).encode()
    result = extract_page(page, URL)
    reason = f"body cut: the page is {len(page):,} bytes, only the first 100,000 were read"
    assert result["article"]["truncated"] == reason
    assert result["page"]["truncated"] == [reason]
    assert len(result["article"]["body_text"]) < 100_000


def test_text_cut_at_the_limit_says_so_in_characters(small_limit):
    text = article_html(PARAGRAPH * 400)
    reason = f"body cut: the page is {len(text):,} characters, only the first 100,000 were read"
    assert extract_page(text, URL)["article"]["truncated"] == reason


def test_the_reason_travels_with_a_tree_parsed_once(small_limit):
    """The spider parses a page once and hands the tree to ``extract_page``."""
    page = article_html(PARAGRAPH * 400).encode()
    root = parse_html(page, "text/html; charset=utf-8")
    assert extract_page(root, URL)["page"]["truncated"] == [
        f"body cut: the page is {len(page):,} bytes, only the first 100,000 were read"]


def test_a_cut_page_without_an_article_still_says_so(small_limit):
    page = ('<html><body class="archive"><div>' + "x " * 60_000 + "</div></body></html>").encode()
    result = extract_page(page, URL)
    assert result["article"] is None
    reason = f"body cut: the page is {len(page):,} bytes, only the first 100,000 were read"
    assert result["page"]["truncated"] == [reason]


def test_markup_the_parser_stops_in_is_reported(monkeypatch):
    """Should markup ever reach the parser still too deep, what it dropped is said."""
    monkeypatch.setattr(page_module, "unnest_markup", lambda text: (text, True))
    result = extract_page(article_html(BEFORE + "<div>" * 3000 + PARAGRAPH + "</div>" * 3000 + AFTER).encode(), URL)
    assert result["page"]["truncated"] == ["body cut: the markup nests deeper than the HTML parser reads "
                                           "(2,048 open elements) even unnested; the rest of the page was not read"]
    assert result["article"]["truncated"] == result["page"]["truncated"][0]


def test_several_reasons_are_joined():
    root = parse_html(article_html(PARAGRAPH))
    parse_notes(root).truncated.extend(["first reason", "second reason"])
    result = extract_page(root, URL)
    assert result["article"]["truncated"] == "first reason; second reason"
    assert result["page"]["truncated"] == ["first reason", "second reason"]
