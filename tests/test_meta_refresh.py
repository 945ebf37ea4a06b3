"""The meta-refresh middleware's precheck (``redirects.may_refresh``): a page whose bytes cannot
hold a refresh is passed on unread, and it answers as Scrapy's own middleware on every page."""
from __future__ import annotations

import codecs
import gzip

import pytest
from scrapy import Request, Spider
from scrapy.downloadermiddlewares.redirect import MetaRefreshMiddleware
from scrapy.http import HtmlResponse
from scrapy.utils.test import get_crawler

from scraper.redirects import ASCII_AS_IS, ScopedMetaRefreshMiddleware, may_refresh

from conftest import SHARED


def _middlewares():
    crawler = get_crawler(Spider)
    crawler.spider = Spider("test")
    return ScopedMetaRefreshMiddleware.from_crawler(crawler), MetaRefreshMiddleware.from_crawler(crawler)


def _response(body: bytes, charset: str | None = "utf-8") -> HtmlResponse:
    headers = {"Content-Type": f"text/html; charset={charset}" if charset else "text/html"}
    return HtmlResponse("https://blog.example/a/", body=body, headers=headers,
                        request=Request("https://blog.example/a/"))


REFRESH = b'<html><head><meta http-equiv="Refresh" content="0; url=/b/"></head><body>moved</body></html>'
PLAIN = b"<html><head><title>A post</title></head><body><p>Nothing moves here.</p></body></html>"


def test_a_page_with_a_meta_refresh_is_redirected():
    scoped, _ = _middlewares()
    for body in (REFRESH, REFRESH.replace(b"Refresh", b"REFRESH")):
        response = _response(body)
        assert may_refresh(response)
        redirected = scoped.process_response(response.request, response)
        assert isinstance(redirected, Request) and redirected.url == "https://blog.example/b/"


def test_a_page_without_one_is_passed_on_undecoded():
    scoped, _ = _middlewares()
    response = _response(PLAIN)
    assert not may_refresh(response)
    assert scoped.process_response(response.request, response) is response
    assert response._cached_ubody is None  # Scrapy's check would have decoded the whole body


def test_a_refresh_not_written_in_ascii_bytes_is_still_found():
    """UTF-16 writes the word with a zero byte after each letter: its bytes do not hold it."""
    scoped, _ = _middlewares()
    response = _response(REFRESH.decode().encode("utf-16"), charset="utf-16")
    assert b"refresh" not in response.body.lower() and may_refresh(response)
    assert isinstance(scoped.process_response(response.request, response), Request)


def test_a_refresh_past_the_characters_scrapy_reads_is_no_refresh():
    """Scrapy reads the first 4,096 characters of the text: a refresh after them is none, both
    where the bytes looked at still hold it (two-byte characters before it) and where not."""
    scoped, plain = _middlewares()
    tag = b'<meta http-equiv="refresh" content="0; url=/b/">'
    for filler in ("\u00e9" * 5000, "\u00e9" * 9000, "a" * 20000):
        body = b"<html><head><title>" + filler.encode() + b"</title>" + tag + b"</head></html>"
        ours, theirs = _response(body), _response(body)
        assert scoped.process_response(ours.request, ours) is ours
        assert plain.process_response(theirs.request, theirs) is theirs
    assert may_refresh(_response(b"<html><head><title>" + ("\u00e9" * 5000).encode() + b"</title>" + tag))


def test_encodings_read_in_the_bytes_write_ascii_as_itself():
    """Each byte of each encoding of ``ASCII_AS_IS`` one character (the 256 in a row: no byte
    joins the next), ASCII bytes themselves, no other byte an ASCII character; each named as
    Scrapy names it."""
    ascii_chars = bytes(range(128)).decode("ascii")
    for name in ASCII_AS_IS:
        assert codecs.lookup(name).name == name
        chars = bytes(range(256)).decode(name, "replace")
        assert len(chars) == 256 and chars[:128] == ascii_chars, name
        assert not any(char.isascii() for char in chars[128:]), name
    assert "cp1252" in ASCII_AS_IS and not {"utf-16", "utf-7", "cp500", "shift_jis", "iso2022_jp"} & ASCII_AS_IS


def test_no_other_character_lower_cases_into_the_word():
    """w3lib compares ``attrs.lower()``: a non-ASCII character whose lower case holds one of the
    word's letters would make a refresh the bytes do not show."""
    assert not [chr(c) for c in range(0x80, 0x110000) if set(chr(c).lower()) & set("refsh")]


def _shared_pages() -> list[bytes]:
    """The AEB pages and a third of the WCXB articles (the check decodes each page twice)."""
    paths = [p for folder, step in (("aeb", 1), ("wcxb-articles", 3))
             for p in sorted((SHARED / "corpus" / folder).rglob("*.html*"))[::step]]
    return [gzip.open(p).read() if p.suffix == ".gz" else p.read_bytes() for p in paths]


def test_same_answer_as_scrapys_middleware_on_real_pages():
    pages = _shared_pages()
    if not pages:
        pytest.skip(f"shared corpus not found at {SHARED}")
    scoped, plain = _middlewares()
    answers = []
    for body in pages:
        for charset in ("utf-8", None):  # the header's charset, or the page's own
            ours, theirs = _response(body, charset), _response(body, charset)
            got, expected = scoped.process_response(ours.request, ours), plain.process_response(theirs.request, theirs)
            assert (got.url, type(got)) == (expected.url, type(expected))
            answers.append(may_refresh(ours))
    assert answers.count(False) > len(answers) // 2  # most pages are ruled out by their bytes
