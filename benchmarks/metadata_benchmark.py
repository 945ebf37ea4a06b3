"""Article metadata on the WCXB pages: author name (exact, case-insensitive, collapsed
whitespace) and publication date (the calendar day the page prints, against ``publish_date``),
ours and trafilatura's (optional) on the same pages.

    python benchmarks/metadata_benchmark.py [--limit N] [--no-trafilatura]

``metadata_section(pages)`` is what ``extraction.py`` calls; ``pages`` are its
``wcxb_pages()`` tuples ``(key, html, url, ground_truth)``.
"""
from __future__ import annotations

import argparse
import hashlib
import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from scraper import dates  # noqa: E402
from scraper.extractors import extract_page  # noqa: E402
from scraper.text import collapse  # noqa: E402

CACHE = ROOT / "benchmarks" / ".cache"


def _same_name(want: str, got: str | None) -> bool:
    return collapse(got or "").casefold() == collapse(want).casefold()


def ours(html: bytes, url: str) -> tuple[str | None, str | None]:
    """Author name and the printed publication day."""
    article = extract_page(html, url)["article"] or {}
    return article.get("author_name"), dates.printed_date(article.get("published_raw"), article.get("language"))


def trafilatura_fn(cached: bool = True):
    """trafilatura's author and date for a page (its answers cached on disk per version)."""
    try:
        import trafilatura
    except ImportError:
        return None

    def run(html: bytes, url: str) -> tuple[str | None, str | None]:
        key = hashlib.sha1(html + url.encode()).hexdigest()
        path = CACHE / f"trafilatura-{trafilatura.__version__}" / f"{key}.meta.json"
        if cached and path.exists():
            return tuple(json.loads(path.read_text()))  # type: ignore[return-value]
        doc = trafilatura.bare_extraction(html, url=url, with_metadata=True)
        doc = doc if isinstance(doc, dict) or doc is None else doc.as_dict()
        found = ((doc or {}).get("author"), ((doc or {}).get("date") or "")[:10] or None)
        if cached:
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(json.dumps(found))
        return found
    return run


def metadata_section(pages, traf: bool = True) -> dict:
    """Author and date accuracy; prints one line per figure and returns them."""
    theirs = trafilatura_fn() if traf else None
    counts = {who: {"author": 0, "date": 0} for who in ("ours", "trafilatura")}
    with_author = with_date = 0
    for _, html, url, truth in pages:
        want_author = collapse(truth.get("author") or "")
        want_date = (truth.get("publish_date") or "")[:10]
        if not (want_author or want_date):
            continue
        answers = {"ours": ours(html, url)}
        if theirs:
            answers["trafilatura"] = theirs(html, url)
        with_author += bool(want_author)
        with_date += bool(want_date)
        for who, (author, date) in answers.items():
            counts[who]["author"] += bool(want_author) and _same_name(want_author, author)
            counts[who]["date"] += bool(want_date) and date == want_date
    row: dict = {"pages_with_author": with_author, "pages_with_date": with_date}
    print(f"\nwcxb-articles: metadata ({with_author} pages with an author, {with_date} with a date)")
    for who in ("ours", "trafilatura") if theirs else ("ours",):
        a, d = counts[who]["author"], counts[who]["date"]
        row[who] = {"author_accuracy": a / max(with_author, 1), "date_accuracy": d / max(with_date, 1)}
        print(f"  {who:<12} author exact {a}/{with_author} = {a / max(with_author, 1):.3f}   "
              f"published day {d}/{with_date} = {d / max(with_date, 1):.3f}")
    return row


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--limit", type=int, help="pages")
    parser.add_argument("--no-trafilatura", action="store_true")
    args = parser.parse_args()
    from extraction import CORPUS, wcxb_pages
    if not CORPUS.exists():
        sys.exit(f"shared corpus not found at {CORPUS}")
    metadata_section(wcxb_pages(args.limit), traf=not args.no_trafilatura)


if __name__ == "__main__":
    main()
