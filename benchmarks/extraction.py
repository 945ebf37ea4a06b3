"""Extraction benchmark on the real pages in ../shared/corpus/: body text P/R/F1 (each corpus
scored its own published way), author accuracy, comment threads against what the markup states,
robustness on hostile input, and speed — ours and trafilatura's (optional) on the same pages,
in the same process.

    python benchmarks/extraction.py [--limit N] [--no-trafilatura] [--only aeb,wcxb,trafilatura-eval,...]

Body text: ``body_benchmark.py`` (each corpus on all pages and on both parts of its fixed split,
with the collapsed pages listed).
"""
from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from body_benchmark import CORPORA, CORPUS, aeb_pages, body_section, peers, wcxb_pages  # noqa: E402
from scraper.extractors import extract_page, parse_html  # noqa: E402



def trafilatura_with_comments():
    """trafilatura with comments, as a full extraction: what the speed section runs."""
    try:
        import trafilatura
    except ImportError:
        return None
    return lambda html, url: trafilatura.extract(html, url=url, include_comments=True) or ""


# -- sections ---------------------------------------------------------------------------------
def speed_section(pages, traf) -> dict:
    htmls = [(html, url) for _, html, url, _ in pages]
    t0 = time.perf_counter()
    for html, url in htmls:
        extract_page(html, url)
    ours_rate = len(htmls) / (time.perf_counter() - t0)
    t0 = time.perf_counter()
    for html, _ in htmls:
        parse_html(html)
    parse_rate = len(htmls) / (time.perf_counter() - t0)
    print(f"\nspeed on {len(htmls)} pages (full extraction: body, metadata, bio, comments)")
    print(f"  ours         {ours_rate:7.1f} pages/s")
    # What every extractor pays before it starts: decoding and the lxml parse.
    print(f"  parse alone  {parse_rate:7.1f} pages/s (decode + lxml): {100 * ours_rate / parse_rate:.0f} % of our time")
    row = {"ours_pages_per_s": ours_rate, "parse_pages_per_s": parse_rate}
    live = trafilatura_with_comments() if traf else None
    if live:
        t0 = time.perf_counter()
        for html, url in htmls:
            live(html, url)
        traf_rate = len(htmls) / (time.perf_counter() - t0)
        print(f"  trafilatura  {traf_rate:7.1f} pages/s (with comments)   ours is {ours_rate / traf_rate:.1f}x")
        row["trafilatura_pages_per_s"] = traf_rate
    return row


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--limit", type=int, help="pages per corpus")
    parser.add_argument("--no-trafilatura", action="store_true")
    parser.add_argument("--only", default="aeb,wcxb,trafilatura-eval,author,comments,speed,robustness")
    parser.add_argument("--json", type=Path, help="also write the figures here")
    args = parser.parse_args()
    if not CORPUS.exists():
        sys.exit(f"shared corpus not found at {CORPUS}")
    only = set(args.only.split(","))
    traf = None if args.no_trafilatura else trafilatura_with_comments()
    if traf is None and not args.no_trafilatura:
        print("trafilatura not installed (pip install '.[bench]'): comparing nothing")
    figures: dict = {}
    aeb = aeb_pages(args.limit) if only & {"aeb", "speed"} else []
    wcxb = wcxb_pages(args.limit) if only & {"wcxb", "author", "speed"} else []
    loaded = {"aeb": aeb, "wcxb": wcxb}
    for name in ("aeb", "wcxb", "trafilatura-eval"):
        if name in only:
            corpus = CORPORA[name]
            pages = loaded.get(name) or corpus.load(args.limit)
            others = {} if traf is None else peers(with_fast=name == "trafilatura-eval")
            figures[name] = body_section(corpus, pages, others)
    if "author" in only:
        from metadata_benchmark import metadata_section
        figures["author"] = metadata_section(wcxb, traf=traf is not None)
    if "comments" in only:
        from comment_benchmark import comments_section
        figures["comments"] = comments_section(CORPUS)
    if "robustness" in only:
        from robustness import robustness_section
        figures["robustness"] = robustness_section()
    if "speed" in only:
        figures["speed"] = speed_section(aeb + wcxb, traf)
    if args.json:
        args.json.write_text(json.dumps(figures, indent=2))


if __name__ == "__main__":
    main()
