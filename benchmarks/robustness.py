"""Hostile input: what ``extract_page`` does with each (a result or an ``ExtractionError``,
never a crash or a hang), how long it takes and how much memory it needs.

    python benchmarks/robustness.py

``robustness_section()`` is what ``extraction.py --only robustness`` calls. The inputs are
built here, so the section needs no corpus; the tests build theirs with the same functions.
"""
from __future__ import annotations

import os
import resource
import sys
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from scraper.extractors import ExtractionError, extract_page  # noqa: E402

URL = "https://blog.example.org/2024/05/07/a-post/"
PARAGRAPH = "<p>" + "An archival crawler keeps every article and every comment. " * 15 + "</p>\n"

# Real sentences in the languages whose legacy charsets pages still use.
LEGACY_TEXTS = {
    "windows-1256": "يحفظ أرشيف المدونة كل مقال مع تعليقات القراء. نتحقق من أن النص العربي يُقرأ "
                    "بشكل صحيح حتى عندما تعلن الصفحة عن ترميز خاطئ. هذا مهم للحفظ طويل الأمد.",
    "shift_jis": "ブログのアーカイブは、すべての記事を読者のコメントと一緒に保存します。ページが間違った"
                 "文字コードを宣言していても、日本語の本文が正しく読めることを確認します。",
    "koi8-r": "Архив блога хранит каждую статью вместе с комментариями читателей. Мы проверяем, что "
              "текст на русском языке читается правильно, даже если страница указывает неверную кодировку.",
}


LEGACY_REPEAT = 6


def article_html(paragraphs: str, head: str = "") -> str:
    return (f'<html><head>{head}<meta property="og:type" content="article"><title>A post</title>'
            f"</head><body><article><h1>A post</h1>{paragraphs}</article></body></html>")


def legacy_body(encoding: str) -> str:
    """The body text a page built by ``legacy_page`` must come out with."""
    return "\n\n".join([LEGACY_TEXTS[encoding]] * LEGACY_REPEAT)


def legacy_page(encoding: str, declared: str | None) -> bytes:
    """A page in ``encoding`` whose ``<meta charset>`` says ``declared`` (None: says nothing)."""
    head = f'<meta charset="{declared}">' if declared else ""
    return article_html(f"<p>{LEGACY_TEXTS[encoding]}</p>" * LEGACY_REPEAT, head).encode(encoding)


def huge_page(size: int = 50_000_000) -> bytes:
    return article_html(PARAGRAPH * (size // len(PARAGRAPH))).encode()


def nested_page(depth: int = 100_000) -> bytes:
    return article_html("<div>" * depth + PARAGRAPH * 3 + "</div>" * depth).encode()


def streamed_page(segments: int = 20_000) -> bytes:
    """Streamed-rendering placeholders and segments by the thousand, boundaries left unclosed."""
    slots = "".join(f'<!--$?--><template id="B:{i:x}"></template><p>Loading</p>' for i in range(segments))
    parts = "".join(f'<div hidden id="S:{i:x}">{PARAGRAPH}</div>' for i in range(segments))
    return article_html(slots + "</article>" + parts + "<article>").encode()


def hostile_inputs() -> dict[str, tuple[Callable[[], bytes], str | None]]:
    """Name → (a function building the input, built lazily as some are large; the body text
    the result must have, where it is known)."""
    cases: dict[str, tuple[Callable[[], bytes], str | None]] = {name: (build, None) for name, build in {
        "50 MB page": huge_page,
        "empty body": lambda: b"",
        "empty <body>": lambda: b"<html><head><title>x</title></head><body></body></html>",
        "PNG served as text/html": lambda: b"\x89PNG\r\n\x1a\n" + os.urandom(100_000),
        "random bytes": lambda: os.urandom(100_000),
        "NUL bytes in text": lambda: article_html((PARAGRAPH + "\x00") * 10).encode(),
        "100k nested divs": nested_page,
        "1,500 nested divs": lambda: nested_page(1500),
        "20k streamed segments": streamed_page,
        "UTF-16 without BOM": lambda: article_html(PARAGRAPH * 3).encode("utf-16-le"),
        # What the body's second reading and the arbiter walk: lines, blocks, labels.
        "30k short blocks after a post": lambda: (article_html(PARAGRAPH * 5) + "<ul>"
                                                 + "".join(f"<li>Item {i}</li>" for i in range(30_000)) + "</ul>").encode(),
        "30k <br> lines": lambda: article_html("<p>" + "<br>".join(f"Line {i} of a long poem" for i in range(30_000))
                                               + "</p>").encode(),
        "20k short lines at the end": lambda: article_html(PARAGRAPH * 5 + "".join(f"<p>Label {i}</p>" for i in range(20_000))).encode(),
        "10k teaser headings at the end": lambda: article_html(
            PARAGRAPH * 5 + "".join(f"<p>Related articles</p>{PARAGRAPH}" for _ in range(10_000))).encode(),
        "40k-character credit line": lambda: article_html(PARAGRAPH * 3 + "<p>Foto: " + "A/" * 20_000 + "!</p>").encode(),
        "malformed link addresses": lambda: article_html(PARAGRAPH + '<ul><li><a href="http://[2001:db8::1/x">a</a></li></ul>').encode(),
    }.items()}
    for encoding in LEGACY_TEXTS:
        for declared in (None, "utf-8", "windows-1252", encoding):
            cases[f"{encoding}, charset {declared or 'missing'}"] = (
                lambda e=encoding, d=declared: legacy_page(e, d), legacy_body(encoding))
    return cases


def _peak_rss_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux


def run(data: bytes, expected_body: str | None = None) -> tuple[str, float]:
    """Outcome and seconds. An unexpected exception is reported, not raised: finding those is
    what the section is for."""
    start = time.perf_counter()
    try:
        article = extract_page(data, URL)["article"]
        body = (article or {}).get("body_text") or ""
        outcome = f"result: article, {len(body)} chars" if article else "result: no article"
        if expected_body is not None:
            outcome += ", text as written" if body == expected_body else ", TEXT DIFFERS"
    except ExtractionError as exc:
        outcome = f"ExtractionError: {exc}"
    except Exception as exc:
        outcome = f"CRASH {type(exc).__name__}: {exc}"
    return outcome, time.perf_counter() - start


def robustness_section() -> dict:
    """One row per hostile input: outcome, seconds, and how far the process's peak memory
    rose (0 when it stayed under an earlier peak: the figure is cheap, not exact)."""
    print("\nrobustness: hostile input (outcome, time, rise of the process's peak memory)")
    rows = {}
    for name, (build, expected) in hostile_inputs().items():
        data = build()
        before = _peak_rss_mib()
        outcome, seconds = run(data, expected)
        rise = _peak_rss_mib() - before
        rows[name] = {"outcome": outcome, "seconds": round(seconds, 3), "peak_rise_mib": round(rise, 1)}
        print(f"  {name:<34} {seconds:6.2f}s {rise:7.1f} MiB  {outcome[:90]}")
    return rows


if __name__ == "__main__":
    robustness_section()
