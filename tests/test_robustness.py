"""Hostile input never crashes or hangs the extractor: each gives a result or an
``ExtractionError`` that says what is wrong, in bounded time. Pages in legacy charsets come out
as written whether their declared charset is right, wrong or missing."""
from __future__ import annotations

import json

import pytest

from benchmarks.robustness import (LEGACY_TEXTS, URL, article_html, legacy_body,
                                   legacy_page, nested_page, streamed_page, PARAGRAPH)
from scraper.extractors import ExtractionError, extract_page
from scraper.extractors.decoding import binary_reason, decode_html
from scraper.extractors.page import parse_html


@pytest.mark.parametrize("encoding", sorted(LEGACY_TEXTS))
@pytest.mark.parametrize("declared", [None, "utf-8", "windows-1252", "iso-8859-1", "same"])
def test_legacy_charsets_decode_as_written(encoding, declared):
    page = legacy_page(encoding, encoding if declared == "same" else declared)
    article = extract_page(page, URL)["article"]
    assert article["body_text"] == legacy_body(encoding)


def test_a_wrong_charset_in_the_http_header_is_overruled_by_the_bytes():
    page = legacy_page("koi8-r", None)
    assert LEGACY_TEXTS["koi8-r"] in decode_html(page, "text/html; charset=iso-8859-1")


def test_utf8_declared_as_latin1_is_read_as_utf8():
    text = "Créer une archive, c’est garder chaque œuvre — même les commentaires."
    page = article_html(f"<p>{text}</p>", '<meta charset="iso-8859-1">').encode("utf-8")
    assert text in decode_html(page)


def test_a_correct_legacy_declaration_is_kept():
    text = "Créer une archive, c’est garder chaque œuvre — même les commentaires des lecteurs."
    page = article_html(f"<p>{text}</p>", '<meta charset="windows-1252">').encode("cp1252")
    assert text in decode_html(page)


def test_a_few_broken_bytes_do_not_make_a_utf8_page_legacy():
    text = "Ünïcödé text with one stray byte: "
    page = article_html(f"<p>{text}</p>").encode("utf-8").replace(b"stray", b"str\xffay")
    assert text.replace("stray", "str\ufffday") in decode_html(page)


def test_utf16_without_bom_is_text():
    page = article_html(PARAGRAPH * 3).encode("utf-16-le")
    assert binary_reason(page) is None
    assert extract_page(page, URL)["article"]["body_text"]


@pytest.mark.parametrize("data, what", [
    (b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 40, "a PNG image"),
    (b"%PDF-1.7\n" + bytes(range(256)) * 40, "a PDF document"),
    (bytes(range(256)) * 40, "binary data"),
])
def test_binary_input_raises_a_clear_error(data, what):
    with pytest.raises(ExtractionError, match=f"not an HTML page: the body is {what}"):
        extract_page(data, URL)


@pytest.mark.parametrize("data", [b"", b"   ", b"<html></html>", b"<html><body></body></html>", "", "\x00"])
def test_empty_input_gives_an_empty_result(data):
    result = extract_page(data, URL)
    assert result["article"] is None and result["comments"] == []


def test_nul_bytes_are_dropped_not_the_text_after_them():
    page = article_html((PARAGRAPH + "\x00") * 5 + "<p>The last paragraph.</p>").encode()
    body = extract_page(page, URL)["article"]["body_text"]
    assert "\x00" not in body and body.endswith("The last paragraph.")


@pytest.mark.parametrize("depth", [1500, 100_000])
def test_deep_nesting_gives_a_result(depth):
    result = extract_page(nested_page(depth), URL)
    assert result["page"]["is_article"] is not None


def test_nesting_past_the_depth_bound_keeps_its_text():
    root = parse_html(nested_page(1500))
    assert root.text_content().count("An archival crawler") == 3 * 15


def test_content_after_a_closing_html_tag_is_part_of_the_page():
    """Caching plugins print a comment after ``</html>``; libxml2 then opens a second
    top-level ``<html>`` for whatever follows, which a walk from the root would never see."""
    late = ("<p>This paragraph came after the closing tag, as broken templates print it, "
            "and it is still part of the article.</p>")
    page = (article_html(PARAGRAPH) + "\n<!-- Page cached by a plugin -->\n"
            + f'<div class="entry-content"><h1>Late</h1>{PARAGRAPH}{late}</div>')
    assert "after the closing tag" in parse_html(page).text_content()
    assert "after the closing tag" in extract_page(page, URL)["article"]["body_text"]


def test_thousands_of_streamed_segments_are_placed_up_to_the_cap():
    from scraper.extractors.streaming import MAX_SEGMENTS
    body = extract_page(streamed_page(2000), URL)["article"]["body_text"]
    assert len(body.split("\n\n")) == MAX_SEGMENTS  # one paragraph a placed segment; the rest stay hidden


def test_json_ld_nested_past_the_parsers_limit_is_skipped_not_raised():
    page = ('<script type="application/ld+json">' + "[" * 5000 + "]" * 5000 + "</script>"
            + article_html(PARAGRAPH))
    assert extract_page(page, URL)["article"]["body_text"]


def test_json_ld_comments_with_characters_xml_cannot_hold_keep_the_rest():
    """JSON escapes can spell a lone surrogate or a NUL, which no lxml text may hold."""
    thread = {"@type": "BlogPosting", "headline": "A post", "comment": [
        {"@type": "Comment", "@id": "c1\u0000", "text": "Kept \ud800text\u0001.",
         "author": {"name": "Ada\u0002", "url": "https://blog.example.org/\ud800ada"}}]}
    page = (f'<script type="application/ld+json">{json.dumps(thread)}</script>' + article_html(PARAGRAPH))
    [comment] = extract_page(page, URL)["comments"]
    assert (comment["author_name"], comment["text"]) == ("Ada", "Kept text.")
