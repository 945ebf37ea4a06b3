"""Fuzzing extract_page with seeded mutations of the real pages in ../shared/corpus/.

The mutations: byte flips, truncation, deep nesting, duplicated and unbalanced tags, malformed
addresses (href, src, canonical, og:url, JSON-LD, comment-system embeds), broken JSON-LD, odd
encodings and BOMs, NUL bytes, huge attributes, random comment markup, markup garbage.

    python benchmarks/fuzz_extract.py [--budget SECONDS] [--seed N] [--max-inputs N]
    python benchmarks/fuzz_extract.py --seed N --replay INDEX [--save DIR]

The contract under test: ``extract_page`` returns a result or raises ``ExtractionError``,
nothing else, in bounded time. Input ``INDEX`` of seed ``N`` is the same bytes on every run
(``--replay`` rebuilds it and prints its full traceback; ``--save`` writes it out), so a crash
is reproduced by its two numbers. Inputs run in a worker process: one stuck past ``--hang``
seconds, in Python or in C (its stack taken by faulthandler), or one that kills its process is
reported, and the run goes on with a fresh worker.

The report: inputs tried, crashes (deduplicated by exception type and the innermost project
frame, each with the first input that raised it), exceptions the extractor caught and logged
(a site extractor or comment system that failed), inputs slower than ``--slow`` seconds, and
the peak memory (max RSS) of the extracting process.
"""
from __future__ import annotations

import argparse
import faulthandler
import gzip
import json
import logging
import multiprocessing
import os
import random
import re
import resource
import signal
import sys
import tempfile
import time
import traceback
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from multiprocessing.connection import Connection
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from scraper.extractors import ExtractionError, extract_page  # noqa: E402

SHARED_CORPUS = ROOT.parent / "shared" / "corpus"
SLOW_SECONDS = 2.0
HANG_SECONDS = 60  # an input still running after this is reported as a hang and stopped
DEFAULT_BUDGET = 300.0


# -- seed pages -----------------------------------------------------------------------------------
@dataclass(frozen=True)
class SeedPage:
    path: Path
    url: str

    def read(self) -> bytes:
        data = self.path.read_bytes()
        return gzip.decompress(data) if self.path.suffix == ".gz" else data

    @property
    def name(self) -> str:
        """The file, relative to the shared corpus where it lies there."""
        return str(self.path.relative_to(SHARED_CORPUS)) if self.path.is_relative_to(SHARED_CORPUS) else str(self.path)


def _wordpress_pages(corpus: Path) -> Iterator[SeedPage]:
    for manifest in sorted((corpus / "wordpress" / "site").glob("*/manifest.json")):
        for entry in json.loads(manifest.read_text())["entries"]:
            if entry["file"].endswith(".html"):
                yield SeedPage(manifest.parent / entry["file"], entry["url"])


def _aeb_pages(corpus: Path) -> Iterator[SeedPage]:
    truth = corpus / "aeb" / "ground-truth.json"
    if truth.exists():
        for key, item in json.loads(truth.read_text()).items():
            yield SeedPage(corpus / "aeb" / "html" / f"{key}.html.gz", item["url"])


def _wcxb_pages(corpus: Path) -> Iterator[SeedPage]:
    for path in sorted((corpus / "wcxb-articles" / "ground-truth").glob("*.json")):
        url = json.loads(path.read_text()).get("url") or f"https://wcxb.invalid/{path.stem}"
        yield SeedPage(corpus / "wcxb-articles" / "html" / f"{path.stem}.html.gz", url)


def _trafilatura_pages(corpus: Path) -> Iterator[SeedPage]:
    data = corpus / "trafilatura-eval" / "evaldata.json"
    if data.exists():
        for key, item in json.loads(data.read_text()).items():
            url = key if key.startswith("http") else f"https://trafilatura-eval.invalid/{item['file']}"
            yield SeedPage(corpus / "trafilatura-eval" / "html" / f"{item['file']}.gz", url)


def _thread_pages(corpus: Path) -> Iterator[SeedPage]:
    index = corpus / "threads" / "index.json"
    if index.exists():
        for item in json.loads(index.read_text()):
            yield SeedPage(corpus / "threads" / item["file"], f"https://{item['site']}/{Path(item['file']).stem}/")


def _comment_system_pages(corpus: Path) -> Iterator[SeedPage]:
    for path in sorted((corpus / "comment-systems").glob("*/*.html")):
        host = path.stem.split("_")[1] if path.stem.startswith("page_") else "blog.example.org"
        yield SeedPage(path, f"https://{host}/{path.stem}/")


def _comment_section_pages(corpus: Path) -> Iterator[SeedPage]:
    for path in sorted((corpus / "wp-comment-sections").glob("*.md")):
        yield SeedPage(path, f"https://lemire.me/blog/{path.stem}/")


SOURCES: dict[str, Callable[[Path], Iterator[SeedPage]]] = {
    "wordpress": _wordpress_pages, "aeb": _aeb_pages, "wcxb": _wcxb_pages,
    "trafilatura-eval": _trafilatura_pages, "threads": _thread_pages,
    "comment-systems": _comment_system_pages, "wp-comment-sections": _comment_section_pages,
}


def seed_pages(corpus: Path = SHARED_CORPUS, max_bytes: int | None = None) -> list[SeedPage]:
    """Every page of the shared corpora that exists, in a fixed order; with ``max_bytes``,
    only pages whose stored file is at most that large (a quick slice)."""
    pages = [page for source in SOURCES.values() for page in source(corpus) if page.path.exists()]
    return [p for p in pages if max_bytes is None or p.path.stat().st_size <= max_bytes]


# -- mutations ------------------------------------------------------------------------------------
MALFORMED_URLS = (
    "http://[::1", "http://[::1/broken", "//[::1/x", "http://[2001:db8::1/x", "http://[not-an-ip]/",
    "https://exa\uff03mple.org/x", "http://host:99999/", "http://host:port/", "http://[::1]:8x/",
    "http://", "https:", "//", "javascript:alert(1)", "mailto:", "data:text/html,<p>x</p>",
    "http://a b/c d", "http://%zz%/", "\\\\server\\share", "file:///etc/passwd", "ftp://x/",
    "http://xn--/", "http://\u0435xample.org/", "http://ｅｘａｍｐｌｅ.org/", "#", "?", "../../..",
    " ", "\t\n", "http://example.org/" + "a" * 70_000, "http://" + "sub." * 300 + "org/",
    "http://example.org/?" + "&".join(f"k{i}=v" for i in range(2000)), "http://[::1]/%00",
)
TAGS = ("div", "span", "p", "li", "ul", "ol", "article", "section", "main", "table", "tr", "td",
        "blockquote", "a", "b", "em", "h1", "h2", "h3", "header", "footer", "aside", "nav", "time",
        "script", "style", "template", "noscript", "textarea", "title", "select", "svg", "math",
        "iframe", "form", "body", "html", "head", "frameset", "xmp", "plaintext", "br", "img")
COMMENT_CLASSES = ("comment", "comments", "comment-list", "commentlist", "children", "comment-body",
                   "comment-content", "comment-author", "vcard", "fn", "says", "comment-meta",
                   "comment-metadata", "reply", "bypostauthor", "pingback", "trackback", "even", "odd",
                   "thread-even", "parent", "depth-1", "depth-2", "depth-7", "depth-99999999999",
                   "depth-", "comment-reply-link", "comments-title", "comment-count", "no-comments",
                   "single", "single-post", "home", "archive", "post", "hentry", "entry-content",
                   "author-bio", "author-box", "byline", "dsq-app")
ODD_DATES = ("9999-99-99", "", "yesterday", "2020-02-30T25:61:61Z", "1e10", "0", "-1",
             "2020-01-01T00:00:00+99:00", "99999999999999999999", "Mo, 32. Foo 2020", "\u0000",
             "2021-03-04T05:06:07.123456789012Z", "3 hours ago", "١٢/٠٣/٢٠٢٠")
CHARSETS = ("utf-8", "UTF8", "utf-16", "utf-16le", "utf-32", "utf-7", "x-user-defined", "iso-2022-jp",
            "hz-gb-2312", "big5", "euc-kr", "koi8-u", "macintosh", "windows-1256", "shift_jis",
            "gb18030", "", "bogus-charset", "utf-8\x00", "x" * 500, "latin1; charset=utf-16")
REENCODINGS = ("utf-16-le", "utf-16-be", "utf-16", "utf-32", "cp1252", "shift_jis", "gb18030",
               "koi8-r", "utf-7", "latin-1")
BOMS = (b"\xef\xbb\xbf", b"\xff\xfe", b"\xfe\xff", b"\xff\xfe\x00\x00", b"\x00\x00\xfe\xff",
        b"\xef\xbb\xbf\xef\xbb\xbf", b"\x2b\x2f\x76\x38")
CONTENT_TYPES = (None, None, None, "text/html", "text/html; charset=utf-8", "text/html; charset=bogus",
                 "text/html; charset=utf-16", "text/html; charset=", "application/xhtml+xml; charset=latin1",
                 "text/plain", "image/png", "text/html; charset=\x00")
GARBAGE = ("<!--", "-->", "<![CDATA[", "]]>", "<?php echo 1; ?>", "<!DOCTYPE x [", "&#xFFFFFFFF;", "&#0;",
           "&#xD800;", "&nbsp", "&", "<", ">", "</", "<a href=", "\"", "'", "<!---->", "<!>", "<?",
           "<![if !IE]>", "<%", "%>", "\u2028", "\ufeff", "\ufffd", "\U0001f600", "\u202e")


def _tag_position(data: bytes, rng: random.Random, needle: bytes = b"<") -> int:
    """A random position in ``data``, at a ``needle`` where the page has one (a tag boundary)."""
    if not data:
        return 0
    for _ in range(8):
        at = data.find(needle, rng.randrange(len(data)))
        if at >= 0:
            return at
    return rng.randrange(len(data) + 1)


def _insert(data: bytes, at: int, piece: bytes) -> bytes:
    return data[:at] + piece + data[at:]


def _in_body(data: bytes, rng: random.Random) -> int:
    """Somewhere after ``<body`` where the page has one, else anywhere at a tag."""
    start = data.find(b"<body")
    if start < 0 or rng.random() < 0.2:
        return _tag_position(data, rng)
    return _tag_position(data[start:], rng) + start


def _in_head(data: bytes) -> int:
    at = data.find(b"<head")
    return data.find(b">", at) + 1 if at >= 0 else 0


LIGHT_MAX = 500  # without ``heavy``: no count or size above this (the tests' quick slice)


class Mutator:
    """The mutations, drawing from one seeded ``rng``; ``heavy`` allows the large ones
    (megabyte attributes, nesting by the ten thousand), which the quick slice leaves out."""

    def __init__(self, rng: random.Random, heavy: bool = True):
        self.rng = rng
        self.heavy = heavy

    def _size(self, *choices: int) -> int:
        allowed = choices if self.heavy else [c for c in choices if c <= LIGHT_MAX] or [min(choices)]
        return self.rng.choice(allowed)

    def byte_flips(self, data: bytes) -> tuple[bytes, str]:
        count = self._size(1, 8, 64, 512)
        out = bytearray(data)
        special = b"\x00<>\"'&=/\xff\xc3\x80\xef\x1b\x7f"
        for _ in range(count if out else 0):
            out[self.rng.randrange(len(out))] = self.rng.choice(special) if self.rng.random() < 0.5 \
                else self.rng.randrange(256)
        return bytes(out), f"{count} bytes replaced"

    def truncate(self, data: bytes) -> tuple[bytes, str]:
        at = self.rng.randrange(len(data) + 1)
        return data[:at], f"cut at byte {at} of {len(data)}"

    def deep_nesting(self, data: bytes) -> tuple[bytes, str]:
        tag = self.rng.choice(("div", "span", "li", "ul", "blockquote", "article", "table><tr><td",
                               'div class="comment"', 'ol class="children"><li class="comment"', "a", "b"))
        depth = self._size(50, 300, 2000, 20000)
        closed = self.rng.random() < 0.5
        close = f"</{tag.split()[0].split('>')[0]}>" * depth if closed else ""
        piece = (f"<{tag}>" * depth + "<p>Deep text.</p>" + close).encode()
        return _insert(data, _in_body(data, self.rng), piece), f"<{tag}> nested {depth} deep, closed={closed}"

    def duplicated_tags(self, data: bytes) -> tuple[bytes, str]:
        start = _tag_position(data, self.rng)
        end = min(len(data), start + self._size(20, 200, 2000, 20000))
        times = self._size(2, 5, 50, 500)
        if self.rng.random() < 0.3:
            piece = self.rng.choice((b"<html>", b"<body>", b"<head>", b"</html><html><body>", b"<article>"))
            return _insert(data, start, piece * times), f"{piece!r} x{times} at {start}"
        return data[:end] + data[start:end] * times + data[end:], f"bytes {start}-{end} repeated x{times}"

    def unbalanced_tags(self, data: bytes) -> tuple[bytes, str]:
        count = self.rng.choice((1, 5, 30))
        pieces = []
        for _ in range(count):
            tag = self.rng.choice(TAGS)
            pieces.append(f"</{tag}>" if self.rng.random() < 0.5 else f"<{tag}>")
        piece = "".join(pieces)
        at = _tag_position(data, self.rng)
        return _insert(data, at, piece.encode()), f"{piece[:120]!r} at {at}"

    def bad_urls(self, data: bytes) -> tuple[bytes, str]:
        bad = self.rng.choice(MALFORMED_URLS)
        where = self.rng.choice(("existing href/src", "canonical", "og:url", "json-ld", "author link",
                                 "comment page link", "rel next", "comment system", "rest api link",
                                 "base href", "comment author"))
        quoted = bad.replace('"', "%22")
        if where == "existing href/src":
            out, count = self._replace_attributes(data, quoted.encode("utf-8", "replace"))
            return out, f"{count} href/src values set to {bad[:80]!r}"
        piece = {
            "canonical": f'<link rel="canonical" href="{quoted}">',
            "og:url": f'<meta property="og:url" content="{quoted}">',
            "json-ld": '<script type="application/ld+json">' + json.dumps({
                "@context": "https://schema.org", "@type": "BlogPosting", "url": bad, "@id": bad,
                "mainEntityOfPage": {"@id": bad}, "headline": "A post",
                "author": {"@type": "Person", "name": "Jo Writer", "url": bad, "sameAs": [bad]},
                "comment": [{"@type": "Comment", "@id": bad, "url": bad, "text": "A reply",
                             "author": {"name": "Reader", "url": bad}, "parentItem": {"@id": bad}}]}) + "</script>",
            "author link": f'<a rel="author" class="author-link" href="{quoted}">Jo Writer</a>',
            "comment page link": f'<a class="page-numbers" href="{quoted}/comment-page-2/#comments">2</a>'
                                 f'<a href="{quoted}?cpage=3">3</a>',
            "rel next": f'<link rel="next" href="{quoted}"><link rel="prev" href="{quoted}">',
            "comment system": self.rng.choice((
                f'<div id="isso-thread"></div><script data-isso="{quoted}" src="{quoted}/js/embed.min.js"></script>',
                f'<div id="cusdis_thread" data-app-id="a" data-page-id="p" data-host="{quoted}"></div>',
                f'<script src="{quoted}/js/commento.js"></script>',
                f'<div class="fb-comments" data-href="{quoted}"></div>',
                f'<script>var remark_config = {{host: "{quoted}", site_id: "s"}};</script>',
                f"<script>Waline.init({{el: '#w', serverURL: '{quoted}'}});</script>",
                f'<div data-responses-to-url="{quoted}"></div>',
                f'<iframe id="dsq-app1" src="{quoted}"></iframe><div id="disqus_thread"></div>',
                f'<script>DiscourseEmbed = {{ discourseUrl: "{quoted}", topicId: 5 }};</script>',
                f'<script src="/wp-discourse/x.js"></script><a class="wpdc-join-discussion-link" href="{quoted}/t/x/1">j</a>',
                f'<script data-ghost-comments="{quoted}" data-post-id="1" src="/comments-ui.js"></script>',
                f'<script src="https://giscus.app/client.js" data-repo="a/b" data-mapping="url"></script>'
                f'<link rel="canonical" href="{quoted}">',
                f'<mastodon-comments host="{quoted}" tootId="1"></mastodon-comments>')),
            "rest api link": f'<link rel="https://api.w.org/" href="{quoted}">'
                             f'<link rel="alternate" type="application/json" href="{quoted}/wp-json/wp/v2/posts/5">',
            "base href": f'<base href="{quoted}">',
            "comment author": f'<ol class="comment-list"><li id="comment-1" class="comment depth-1">'
                              f'<div class="comment-author vcard"><a href="{quoted}" class="url">Reader</a></div>'
                              f'<div class="comment-content"><p>A reply.</p></div></li></ol>',
        }[where]
        at = _in_head(data) if where in ("canonical", "og:url", "rest api link", "base href", "rel next") \
            else _in_body(data, self.rng)
        return _insert(data, at, piece.encode("utf-8", "surrogatepass")), f"{where} = {bad[:80]!r}"

    def _replace_attributes(self, data: bytes, value: bytes) -> tuple[bytes, int]:
        out, count, cursor = [], 0, 0
        share = self.rng.choice((0.05, 0.3, 1.0))
        at = data.find(b'="')
        while at >= 0:
            name_start = data.rfind(b" ", 0, at) + 1
            name = data[name_start:at].lower()
            end = data.find(b'"', at + 2)
            if end < 0:
                break
            if name in (b"href", b"src", b"content", b"data-href", b"data-src") and self.rng.random() < share:
                out.append(data[cursor:at + 2])
                out.append(value)
                cursor = end
                count += 1
            at = data.find(b'="', end + 1)
        out.append(data[cursor:])
        return b"".join(out), count

    def broken_jsonld(self, data: bytes) -> tuple[bytes, str]:
        whole = {
            "@context": "https://schema.org", "@type": "BlogPosting", "headline": "A post",
            "datePublished": "2020-01-02T03:04:05Z", "author": {"@type": "Person", "name": "Jo Writer"},
            "articleBody": "Body text of the post. " * 20, "commentCount": 3,
            "comment": [{"@type": "Comment", "text": "A reply", "author": "Reader", "dateCreated": "2020-01-03"}],
        }
        odd_values = (5, 1e308, -0.0, None, True, [], {}, [None, 3, {"name": ["x"]}], {"@id": {}}, "\u0000",
                      "\u0001\u0002", "\ud800", "x" * 100_000, "9" * 5000, [[[[[]]]]], {"@type": {"a": 1}})
        kind = self.rng.choice(("truncated", "wrong types", "deep nesting", "not json", "many scripts",
                                "graph", "control characters"))
        if kind == "truncated":
            text = json.dumps(whole)
            text = text[:self.rng.randrange(len(text))]
        elif kind == "wrong types":
            for key in self.rng.sample(sorted(whole), self.rng.randint(1, len(whole))):
                whole[key] = self.rng.choice(odd_values)
            whole["comment"] = [{k: self.rng.choice(odd_values) for k in
                                 ("@id", "parentItem", "author", "dateCreated", "text", "url", "comment")}]
            text = json.dumps(whole)
        elif kind == "deep nesting":
            depth = self._size(100, 1000, 5000, 200_000)
            opener, closer = self.rng.choice((("[", "]"), ('{"@graph":', "}"), ('{"mainEntity":', "}"),
                                              ('{"comment":', "}"), ('{"author":', "}")))
            text = opener * depth + "{}" + closer * depth
        elif kind == "not json":
            text = self.rng.choice(("", "{", "}", "null", "[]", "NaN", "Infinity", "{'a': 1}", "<p>x</p>",
                                    "/* comment */ {}", "{\"a\": 1}{\"b\": 2}", "\x00", "1" * 10_000))
        elif kind == "many scripts":
            text = json.dumps(whole) + '</script><script type="application/ld+json">' + json.dumps(whole)
            text *= self._size(2, 50, 2000)
        elif kind == "graph":
            whole = {"@context": "https://schema.org", "@graph": [
                {"@type": "WebPage", "@id": "#page", "mainEntity": {"@id": "#post"}},
                {"@type": ["BlogPosting", 5, None], "@id": "#post", "author": {"@id": "#me"}},
                {"@type": "Person", "@id": "#me", "name": self.rng.choice(odd_values)},
                {"@id": "#post", "author": [{"@id": "#post"}]}]}
            text = json.dumps(whole)
        else:
            text = json.dumps(whole).replace("Jo Writer", "Jo\\u0000\\u0008\\ud800Writer").replace(
                "A reply", "\\u001bA\\u0000 reply")
        piece = ('<script type="application/ld+json">' + text + "</script>").encode("utf-8", "surrogatepass")
        at = _in_head(data) if self.rng.random() < 0.5 else _in_body(data, self.rng)
        return _insert(data, at, piece), f"JSON-LD {kind}, {len(text)} chars"

    def odd_encoding(self, data: bytes) -> tuple[bytes, str]:
        kind = self.rng.choice(("bom", "meta charset", "re-encoded", "mixed"))
        if kind == "bom":
            bom = self.rng.choice(BOMS)
            return bom + data, f"BOM {bom!r} prepended"
        if kind == "meta charset":
            charset = self.rng.choice(CHARSETS)
            piece = self.rng.choice((f'<meta charset="{charset}">',
                                     f'<meta http-equiv="Content-Type" content="text/html; charset={charset}">',
                                     f'<?xml version="1.0" encoding="{charset}"?>'))
            at = 0 if piece.startswith("<?xml") else _in_head(data)
            return _insert(data, at, piece.encode("utf-8", "replace")), f"declared {charset[:40]!r}"
        text = data.decode("utf-8", "replace")
        codec = self.rng.choice(REENCODINGS)
        if kind == "re-encoded":
            return text.encode(codec, "replace"), f"re-encoded as {codec}"
        cut = self.rng.randrange(len(text) + 1)
        return (text[:cut].encode("utf-8") + text[cut:].encode(codec, "replace"),
                f"UTF-8 up to character {cut}, {codec} after")

    def nul_bytes(self, data: bytes) -> tuple[bytes, str]:
        kind = self.rng.choice(("one", "run", "scattered", "interleaved"))
        if kind == "interleaved":  # reads as UTF-16 to a sniffer
            start = self.rng.randrange(len(data) + 1)
            return data[:start] + bytes(b for c in data[start:] for b in (c, 0)), f"NUL after every byte from {start}"
        if kind == "scattered":
            out = bytearray(data)
            count = self._size(10, 200, 5000)
            for _ in range(count):
                out.insert(self.rng.randrange(len(out) + 1), 0)
            return bytes(out), f"{count} NULs scattered"
        length = 1 if kind == "one" else self._size(10, 1000, 100_000)
        at = self.rng.randrange(len(data) + 1)
        return _insert(data, at, b"\x00" * length), f"{length} NULs at {at}"

    def huge_attribute(self, data: bytes) -> tuple[bytes, str]:
        size = self._size(1000, 100_000, 1_000_000, 5_000_000)
        name, value = self.rng.choice((
            ("class", " ".join(f"c{i % 97}" for i in range(size // 4))),
            ("class", "comment " * (size // 8)),
            ("href", "http://example.org/" + "a" * size),
            ("id", "comment-" + "9" * size),
            ("style", "color:red;" * (size // 10)),
            ("data-x", "<" * size),
            ("datetime", "2020-01-01" * (size // 10)),
            ("content", "x" * size),
        ))
        tag = self.rng.choice(("div", "a", "p", "time", "meta", "li", "article", "body"))
        piece = f'<{tag} {name}="{value}">text</{tag}>'.encode()
        return _insert(data, _in_body(data, self.rng), piece), f"<{tag} {name}=...> of {len(value)} chars"

    def comment_markup(self, data: bytes) -> tuple[bytes, str]:
        count = self._size(1, 10, 100, 1000)
        ids = [self.rng.choice((str(i), str(self.rng.randrange(5)), "", "x", "9" * 40, "-1")) for i in range(count)]
        parts = [self.rng.choice(('<ol class="comment-list">', '<ul class="commentlist">', '<div id="comments">',
                                  '<section class="comments">', ""))]
        open_children = 0
        for i in range(count):
            classes = " ".join(self.rng.sample(COMMENT_CLASSES, self.rng.randint(1, 5)))
            author = self.rng.choice(("Reader", "", "&nbsp;", "Jo Writer", "A" * 300, "\u202eReader"))
            href = self.rng.choice(("https://reader.example.org/", *MALFORMED_URLS[:6], ""))
            date = self.rng.choice(ODD_DATES)
            parts.append(
                f'<li id="{self.rng.choice(("comment-", "li-comment-", "div-comment-", ""))}{ids[i]}" class="{classes}"'
                f' data-parent="{self.rng.choice(ids)}" itemprop="{self.rng.choice(("comment", "", "author"))}">'
                f'<article class="comment-body"><footer class="comment-meta"><div class="comment-author vcard">'
                f'<b class="fn"><a href="{href}" rel="external nofollow ugc" class="url">{author}</a></b>'
                f'<span class="says">says:</span></div><div class="comment-metadata"><a href="#comment-{ids[i]}">'
                f'<time datetime="{date}">{date}</time></a></div></footer>'
                f'<div class="comment-content" itemprop="commentText"><p>Reply number {i}.</p></div>'
                f'<div class="reply"><a rel="nofollow" class="comment-reply-link" href="?replytocom={ids[i]}#respond">'
                f'Reply</a></div></article>')
            step = self.rng.random()
            if step < 0.3:
                parts.append('<ol class="children">')
                open_children += 1
            elif step < 0.5 and open_children:
                parts.append("</li></ol>")
                open_children -= 1
            elif step < 0.9:
                parts.append("</li>")
        if self.rng.random() < 0.5:
            parts.append("</li></ol>" * open_children + "</ol>")
        heading = self.rng.choice(("99999999999999999999999 comments", "One thought on", "No comments",
                                   "1,2.3 Kommentare", "", "-5 comments"))
        piece = f'<h2 class="comments-title">{heading}</h2>' + "".join(parts)
        return _insert(data, _in_body(data, self.rng), piece.encode()), f"{count} comments, heading {heading!r}"

    def markup_garbage(self, data: bytes) -> tuple[bytes, str]:
        count = self.rng.choice((1, 10, 100))
        out = data
        for _ in range(count):
            out = _insert(out, self.rng.randrange(len(out) + 1), self.rng.choice(GARBAGE).encode("utf-8", "surrogatepass"))
        return out, f"{count} garbage tokens"


# Malformed addresses and comment markup are what this run was written for: they count twice.
MUTATIONS: tuple[str, ...] = ("byte_flips", "truncate", "deep_nesting", "duplicated_tags", "unbalanced_tags",
                              "bad_urls", "bad_urls", "broken_jsonld", "odd_encoding", "nul_bytes",
                              "huge_attribute", "comment_markup", "comment_markup", "markup_garbage")


# -- inputs and outcomes ----------------------------------------------------------------------------
@dataclass
class FuzzInput:
    index: int
    page: SeedPage
    data: bytes
    content_type: str | None
    steps: list[str]

    def recipe(self, seed: int) -> str:
        return (f"input {self.index} of seed {seed}: {self.page.name} ({self.page.url}), "
                f"content type {self.content_type!r}; " + "; ".join(self.steps))


def fuzz_input(seed: int, index: int, pages: list[SeedPage], heavy: bool = True) -> FuzzInput:
    """Input ``index`` of ``seed``: the same bytes on every run, whatever ran before it."""
    rng = random.Random(f"{seed}:{index}")
    page = rng.choice(pages)
    data = page.read()
    mutator = Mutator(rng, heavy)
    steps = []
    for _ in range(rng.choice((1, 1, 1, 2, 2, 3))):
        name = rng.choice(MUTATIONS)
        data, what = getattr(mutator, name)(data)
        steps.append(f"{name} ({what})")
    return FuzzInput(index, page, data, rng.choice(CONTENT_TYPES), steps)


class _Hang(BaseException):
    """Raised by the alarm: not an ``Exception``, so no ``except Exception`` in the code under
    test swallows it."""


def _on_alarm(signum, frame):
    raise _Hang(f"still running after {HANG_SECONDS} s")


class _LoggedErrors(logging.Handler):
    """Exceptions the extractor caught and logged (a failed site extractor or comment system)."""

    def __init__(self):
        super().__init__(logging.ERROR)
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        if record.exc_info and record.exc_info[1] is not None:
            self.records.append(record)


@dataclass(frozen=True)
class CrashSite:
    """What a failure is, for counting it once: the exception's type and the innermost frame of
    the project's own code (else the innermost frame) it was raised in."""
    error: str
    file: str
    line: int
    function: str

    def __str__(self) -> str:
        return f"{self.error} at {self.file}:{self.line} in {self.function}" if self.file else self.error


def crash_site(exc: BaseException) -> CrashSite:
    frames = traceback.extract_tb(exc.__traceback__)
    ours = [f for f in frames if f.filename.startswith(str(ROOT)) and "/.venv/" not in f.filename]
    frame = (ours or frames or [None])[-1]
    if frame is None:
        return CrashSite(type(exc).__name__, "?", 0, "?")
    file = str(Path(frame.filename).relative_to(ROOT)) if ours else frame.filename
    return CrashSite(type(exc).__name__, file, frame.lineno or 0, frame.name)


@dataclass(frozen=True)
class Failure:
    site: CrashSite
    message: str
    traceback: str


def failure_of(exc: BaseException) -> Failure:
    return Failure(crash_site(exc), f"{type(exc).__name__}: {str(exc)[:300]}",
                   "".join(traceback.format_exception(type(exc), exc, exc.__traceback__)))


@dataclass
class Outcome:
    """What one input did (``result``, ``refused``, ``crash``, ``hang`` or ``died``), in a form
    that crosses from the worker process."""
    index: int
    recipe: str
    kind: str
    seconds: float
    crash: Failure | None = None
    logged: list[Failure] = field(default_factory=list)
    peak_rss_mib: float = 0.0


def _peak_rss_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux


def run_input(item: FuzzInput, alarm: bool = True) -> tuple[str, float, BaseException | None]:
    """(``"result"``, ``"refused"``, ``"crash"`` or ``"hang"``, seconds, the exception). The
    alarm interrupts Python code only: a call stuck in C is caught by ``IsolatedRunner``."""
    start = time.perf_counter()
    alarm = alarm and hasattr(signal, "SIGALRM")
    if alarm:
        previous = signal.signal(signal.SIGALRM, _on_alarm)
        signal.alarm(HANG_SECONDS)
    try:
        extract_page(item.data, item.page.url, content_type=item.content_type)
        outcome, error = "result", None
    except ExtractionError as exc:
        outcome, error = "refused", exc
    except _Hang as exc:
        outcome, error = "hang", exc
    except Exception as exc:  # noqa: BLE001 - finding these is what the run is for
        outcome, error = "crash", exc
    finally:
        if alarm:
            signal.alarm(0)
            signal.signal(signal.SIGALRM, previous)
    return outcome, time.perf_counter() - start, error


def outcome_of(item: FuzzInput, seed: int, logged: _LoggedErrors, alarm: bool) -> Outcome:
    kind, seconds, error = run_input(item, alarm)
    crash = failure_of(error) if kind in ("crash", "hang") and error is not None else None
    found = [failure_of(record.exc_info[1]) for record in logged.records]
    logged.records.clear()
    return Outcome(item.index, item.recipe(seed), kind, seconds, crash, found, _peak_rss_mib())


class InProcessRunner:
    """Runs each input in this process: quick, and what the tests use."""

    def __init__(self, seed: int, pages: list[SeedPage], heavy: bool):
        self.seed, self.pages, self.heavy = seed, pages, heavy
        self.logged = _LoggedErrors()
        logging.getLogger().addHandler(self.logged)

    def run(self, index: int) -> Outcome:
        return outcome_of(fuzz_input(self.seed, index, self.pages, self.heavy), self.seed, self.logged, alarm=True)

    def close(self) -> None:
        logging.getLogger().removeHandler(self.logged)


def _serve(conn: Connection, seed: int, pages: list[SeedPage], heavy: bool, stack_file: Path) -> None:
    """The worker process: input indexes in, outcomes out, until it is sent None. ``SIGUSR1``
    writes its stack to ``stack_file``: faulthandler's handler runs in the stuck thread itself,
    between bytecodes or inside C, where a watchdog thread reading it could crash it."""
    logged = _LoggedErrors()
    logging.getLogger().addHandler(logged)
    with stack_file.open("w") as stacks:
        faulthandler.register(signal.SIGUSR1, file=stacks, all_threads=False)
        while (index := conn.recv()) is not None:
            conn.send(outcome_of(fuzz_input(seed, index, pages, heavy), seed, logged, alarm=False))


_STACK_FRAME = re.compile(r'File "([^"]+)", line (\d+) in (\S+)')


def hang_site(stack: str) -> CrashSite:
    """Where a stuck input was: the innermost frame of the project's code in a faulthandler
    dump (which lists the innermost frame first)."""
    for path, line, function in _STACK_FRAME.findall(stack):
        if path.startswith(str(ROOT)) and "/.venv/" not in path and "/benchmarks/" not in path:
            return CrashSite("hang", str(Path(path).relative_to(ROOT)), int(line), function)
    return CrashSite("hang", "", 0, "")


class IsolatedRunner:
    """Runs the inputs in a forked worker process. An input stuck in C code (a libxml2 XPath
    that does not return, which no alarm interrupts) or one that kills its process (a segfault,
    the kernel's OOM killer) is reported as such, and a fresh worker takes the next input."""

    def __init__(self, seed: int, pages: list[SeedPage], heavy: bool, hang_seconds: float = HANG_SECONDS):
        self.seed, self.pages, self.heavy, self.hang_seconds = seed, pages, heavy, hang_seconds
        self.process: multiprocessing.Process | None = None
        self.conn: Connection | None = None
        self.stack_file = Path(tempfile.mkstemp(prefix="fuzz-extract-stack-")[1])

    def _start(self) -> None:
        context = multiprocessing.get_context("fork")  # the worker shares the loaded code and seed list
        self.conn, child = context.Pipe()
        self.process = context.Process(target=_serve, daemon=True, args=(
            child, self.seed, self.pages, self.heavy, self.stack_file))
        self.process.start()
        child.close()

    def run(self, index: int) -> Outcome:
        if self.process is None:
            self._start()
        started = time.perf_counter()
        try:
            self.conn.send(index)
            if self.conn.poll(self.hang_seconds):
                return self.conn.recv()
            kind = "hang"
        except (EOFError, OSError):
            kind = "died"
        seconds = time.perf_counter() - started
        if kind == "hang":
            stack = self._stack()
        self.process.kill()
        self.process.join()
        if kind == "hang":
            failure = Failure(hang_site(stack), f"still running after {self.hang_seconds:g} s", stack)
        else:
            what = f"died with exit code {self.process.exitcode} (a negative code is the signal)"
            failure = Failure(CrashSite(what, "", 0, ""), what, "")
        self.process = self.conn = None
        recipe = fuzz_input(self.seed, index, self.pages, self.heavy).recipe(self.seed)
        return Outcome(index, recipe, kind, seconds, failure)

    def _stack(self) -> str:
        """The stuck worker's stack, as faulthandler writes it on ``SIGUSR1``."""
        os.kill(self.process.pid, signal.SIGUSR1)
        for _ in range(50):
            time.sleep(0.1)
            stack = self.stack_file.read_text()
            if stack.rstrip().endswith(("in _serve", "in <module>", "in _bootstrap", "in _launch")):
                return stack
        return self.stack_file.read_text()

    def close(self) -> None:
        if self.process is not None:
            self.conn.send(None)
            self.process.join(5)
            if self.process.is_alive():
                self.process.kill()
            self.process = self.conn = None
        self.stack_file.unlink(missing_ok=True)


@dataclass
class Finding:
    """One kind of failure: how often it happened and the first input that showed it."""
    count: int
    recipe: str
    message: str
    traceback: str


@dataclass
class FuzzReport:
    seed: int
    tried: int = 0
    refused: int = 0
    seconds: float = 0.0
    crashes: dict[CrashSite, Finding] = field(default_factory=dict)
    logged: dict[CrashSite, Finding] = field(default_factory=dict)
    slow: list[tuple[float, str]] = field(default_factory=list)
    peak_rss_mib: float = 0.0
    peak_rises: list[tuple[float, str]] = field(default_factory=list)

    def add(self, outcome: Outcome, slow_seconds: float, previous_peak: float | None) -> None:
        self.tried += 1
        self.refused += outcome.kind == "refused"
        if outcome.crash is not None:
            _note(self.crashes, outcome.crash, outcome.recipe)
        for failure in outcome.logged:
            _note(self.logged, failure, outcome.recipe)
        if outcome.seconds > slow_seconds:
            self.slow.append((outcome.seconds, outcome.recipe))
        if previous_peak is not None and outcome.peak_rss_mib > previous_peak:
            self.peak_rises.append((outcome.peak_rss_mib - previous_peak, outcome.recipe))
        self.peak_rss_mib = max(self.peak_rss_mib, outcome.peak_rss_mib)


def _note(found: dict[CrashSite, Finding], failure: Failure, recipe: str) -> None:
    if failure.site in found:
        found[failure.site].count += 1
    else:
        found[failure.site] = Finding(1, recipe, failure.message, failure.traceback)


def fuzz(pages: list[SeedPage], seed: int = 0, budget: float | None = DEFAULT_BUDGET,
         max_inputs: int | None = None, slow_seconds: float = SLOW_SECONDS, heavy: bool = True,
         isolated: bool = False, hang_seconds: float = HANG_SECONDS,
         progress: Callable[[FuzzReport], None] | None = None) -> FuzzReport:
    """Inputs 0, 1, 2 ... of ``seed`` until ``budget`` seconds or ``max_inputs`` inputs; with
    ``isolated``, in a worker process (``IsolatedRunner``)."""
    report = FuzzReport(seed)
    runner = IsolatedRunner(seed, pages, heavy, hang_seconds) if isolated else InProcessRunner(seed, pages, heavy)
    started = time.perf_counter()
    previous_peak = None
    try:
        index = 0
        while (budget is None or time.perf_counter() - started < budget) and (max_inputs is None or index < max_inputs):
            outcome = runner.run(index)
            report.add(outcome, slow_seconds, previous_peak)
            previous_peak = outcome.peak_rss_mib if outcome.kind not in ("hang", "died") else None
            index += 1
            if progress and index % 100 == 0:
                progress(report)
    finally:
        runner.close()
    report.seconds = time.perf_counter() - started
    children = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024  # workers that ended
    report.peak_rss_mib = max(report.peak_rss_mib, _peak_rss_mib() if not isolated else 0.0, children)
    return report


# -- reporting --------------------------------------------------------------------------------------
def print_report(report: FuzzReport, slow_seconds: float = SLOW_SECONDS) -> None:
    print(f"\nfuzz_extract: seed {report.seed}, {report.seconds:.0f} s")
    print(f"  inputs tried       {report.tried} ({report.tried / max(report.seconds, 1e-9):.1f}/s)")
    print(f"  refused            {report.refused} (ExtractionError: allowed)")
    print(f"  crashes            {sum(f.count for f in report.crashes.values())} "
          f"({len(report.crashes)} distinct)")
    print(f"  logged exceptions  {sum(f.count for f in report.logged.values())} "
          f"({len(report.logged)} distinct; caught by the extractor, the page survived)")
    print(f"  slower than {slow_seconds:g} s   {len(report.slow)}")
    print(f"  peak memory        {report.peak_rss_mib:.0f} MiB (max RSS of the extracting process)")
    for title, found in (("crash", report.crashes), ("logged exception", report.logged)):
        for key, finding in sorted(found.items(), key=lambda kv: -kv[1].count):
            print(f"\n{title}: {key}  x{finding.count}\n  {finding.message}\n  first: {finding.recipe}")
            print("  " + finding.traceback.rstrip().replace("\n", "\n  ")[-3000:])
    if report.slow:
        print(f"\nslowest inputs (> {slow_seconds:g} s):")
        for seconds, recipe in sorted(report.slow, reverse=True)[:15]:
            print(f"  {seconds:6.2f} s  {recipe[:300]}")
    if report.peak_rises:
        print("\nlargest rises of the peak memory:")
        for rise, recipe in sorted(report.peak_rises, reverse=True)[:5]:
            print(f"  +{rise:6.0f} MiB  {recipe[:300]}")


def replay(pages: list[SeedPage], seed: int, index: int, save: Path | None, heavy: bool = True) -> None:
    item = fuzz_input(seed, index, pages, heavy)
    print(item.recipe(seed))
    if save:
        save.mkdir(parents=True, exist_ok=True)
        target = save / f"fuzz-{seed}-{index}.html"
        target.write_bytes(item.data)
        print(f"input written to {target} ({len(item.data)} bytes); url {item.page.url}")
    logging.basicConfig(level=logging.ERROR)
    faulthandler.dump_traceback_later(HANG_SECONDS)  # a stack on stderr where it is stuck in C
    outcome, seconds, error = run_input(item)
    faulthandler.cancel_dump_traceback_later()
    print(f"{outcome} in {seconds:.2f} s")
    if error is not None and outcome != "refused":
        traceback.print_exception(type(error), error, error.__traceback__)
    elif error is not None:
        print(f"ExtractionError: {error}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--budget", type=float, default=DEFAULT_BUDGET, help="seconds to run (default 300)")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--max-inputs", type=int, help="stop after this many inputs")
    parser.add_argument("--hang", type=float, default=HANG_SECONDS, help="an input running longer is stopped (s)")
    parser.add_argument("--slow", type=float, default=SLOW_SECONDS, help="report inputs slower than this (s)")
    parser.add_argument("--replay", type=int, metavar="INDEX", help="run input INDEX of --seed alone, with its traceback")
    parser.add_argument("--save", type=Path, metavar="DIR", help="with --replay: write the input there")
    parser.add_argument("--corpus", type=Path, default=SHARED_CORPUS)
    parser.add_argument("--in-process", action="store_true",
                        help="no worker process: quicker, but an input stuck in C code stops the run")
    args = parser.parse_args()
    pages = seed_pages(args.corpus)
    if not pages:
        sys.exit(f"no seed pages: the shared corpus is not at {args.corpus}")
    if args.replay is not None:
        replay(pages, args.seed, args.replay, args.save)
        return
    print(f"{len(pages)} seed pages; budget {args.budget:g} s, seed {args.seed}")

    def progress(report: FuzzReport) -> None:
        print(f"  ... {report.tried} inputs, {len(report.crashes)} distinct crashes, "
              f"{len(report.slow)} slow", file=sys.stderr, flush=True)
    report = fuzz(pages, args.seed, args.budget, args.max_inputs, args.slow, isolated=not args.in_process,
                  hang_seconds=args.hang, progress=progress)
    print_report(report, args.slow)


if __name__ == "__main__":
    main()
