"""Extraction benchmark on the real pages in ../shared/corpus/: body text P/R/F1 (each corpus
scored its own published way), author accuracy, comment threads against what the markup states,
robustness on hostile input, and speed — ours and trafilatura's (optional) on the same pages,
in the same process.

    python benchmarks/extraction.py [--limit N] [--no-trafilatura] [--only aeb,wcxb,trafilatura-eval,...]
        [--speed-rounds N]

Body text: ``body_benchmark.py`` (each corpus on all pages and on both parts of its fixed split,
with the collapsed pages listed).
"""
from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from body_benchmark import CORPORA, CORPUS, aeb_pages, body_section, peers, wcxb_pages  # noqa: E402
from scraper.extractors import extract_page, parse_html  # noqa: E402



def trafilatura_with_comments(metadata: bool = False):
    """trafilatura with comments, as a full extraction: what the speed section runs. With
    ``metadata`` it also reads title, author and dates, as ``extract_page`` does: the like-for-like
    comparison."""
    try:
        import trafilatura
    except ImportError:
        return None
    return lambda html, url: trafilatura.extract(html, url=url, include_comments=True,
                                                 with_metadata=metadata) or ""


# -- sections ---------------------------------------------------------------------------------
def _rate(run, htmls) -> float:
    t0 = time.perf_counter()
    for html, url in htmls:
        run(html, url)
    return len(htmls) / (time.perf_counter() - t0)


def speed_section(pages, traf, rounds: int = 1) -> dict:
    """Pages per second of each mode, taking turns over ``rounds`` rounds (medians): load on the
    machine shifts every mode of a round alike, so the ratios hold better than the rates."""
    htmls = [(html, url) for _, html, url, _ in pages]
    modes = {"ours": extract_page, "parse": lambda html, url: parse_html(html)}
    if traf:
        modes["trafilatura+meta"] = trafilatura_with_comments(metadata=True)
        modes["trafilatura"] = trafilatura_with_comments()
    rates: dict[str, list[float]] = {name: [] for name in modes}
    for _ in range(rounds):
        for name, run in modes.items():
            rates[name].append(_rate(run, htmls))
    rate = {name: statistics.median(values) for name, values in rates.items()}
    ours = rate["ours"]
    print(f"\nspeed on {len(htmls)} pages (full extraction: body, metadata, bio, comments), "
          f"median of {rounds} round(s)")
    print(f"  ours         {ours:7.1f} pages/s")
    # What every extractor pays before it starts: decoding and the lxml parse.
    print(f"  parse alone  {rate['parse']:7.1f} pages/s (decode + lxml): ours takes "
          f"{rate['parse'] / ours:.1f}x its time")
    row = {"ours_pages_per_s": ours, "parse_pages_per_s": rate["parse"], "rounds": rounds}
    if traf:
        print(f"  trafilatura  {rate['trafilatura+meta']:7.1f} pages/s (with comments and metadata, like for like)"
              f"   ours is {ours / rate['trafilatura+meta']:.1f}x")
        print(f"  trafilatura  {rate['trafilatura']:7.1f} pages/s (with comments, no metadata)"
              f"   ours is {ours / rate['trafilatura']:.1f}x")
        row["trafilatura_metadata_pages_per_s"] = rate["trafilatura+meta"]
        row["trafilatura_pages_per_s"] = rate["trafilatura"]
    return row


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--limit", type=int, help="pages per corpus")
    parser.add_argument("--no-trafilatura", action="store_true")
    parser.add_argument("--only", default="aeb,wcxb,trafilatura-eval,author,comments,speed,robustness")
    parser.add_argument("--json", type=Path, help="also write the figures here")
    parser.add_argument("--speed-rounds", type=int, default=1, help="rounds of the speed section (medians)")
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
        figures["speed"] = speed_section(aeb + wcxb, traf, args.speed_rounds)
    if args.json:
        args.json.write_text(json.dumps(figures, indent=2))


if __name__ == "__main__":
    main()
