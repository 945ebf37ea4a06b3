"""Extraction benchmark on the real pages in ../shared/corpus/: body text P/R/F1 (each corpus
scored its own published way), author accuracy, comment threads against what the markup states,
robustness on hostile input, and speed — ours and trafilatura's (optional) on the same pages,
in the same process.

    python benchmarks/extraction.py [--limit N] [--no-trafilatura] [--only aeb,wcxb,...]
"""
from __future__ import annotations

import argparse
import gzip
import json
import re
import statistics
import sys
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from scraper.extractors import extract_page, parse_html  # noqa: E402

CORPUS = ROOT.parent / "shared" / "corpus"
_WORD = re.compile(r"\w+")


# -- corpora --------------------------------------------------------------------------------
def aeb_pages(limit: int | None) -> list[tuple[str, bytes, str, dict]]:
    truth = json.loads((CORPUS / "aeb" / "ground-truth.json").read_text())
    out = []
    for key, item in list(truth.items())[:limit]:
        html = gzip.open(CORPUS / "aeb" / "html" / f"{key}.html.gz").read()
        out.append((key, html, item["url"], item))
    return out


def wcxb_pages(limit: int | None) -> list[tuple[str, bytes, str, dict]]:
    out = []
    for path in sorted((CORPUS / "wcxb-articles" / "ground-truth").glob("*.json"))[:limit]:
        item = json.loads(path.read_text())
        html = gzip.open(CORPUS / "wcxb-articles" / "html" / f"{path.stem}.html.gz").read()
        url = item.get("url") or f"https://wcxb.invalid/{path.stem}"
        out.append((path.stem, html, url, item["ground_truth"]))
    return out


# -- metrics --------------------------------------------------------------------------------
def shingle_tp_fp_fn(true: str, pred: str, n: int = 4) -> tuple[float, float, float]:
    """The article-extraction benchmark's metric: word 4-gram shingles, counts normalised so
    every page weighs the same."""
    def shingles(text: str) -> Counter:
        tokens = _WORD.findall(text or "")
        return Counter(tuple(tokens[i:i + n]) for i in range(max(1, len(tokens) - n + 1)) if tokens[i:i + n])
    t, p = shingles(true), shingles(pred)
    tp = sum((t & p).values())
    fp = sum((p - t).values())
    fn = sum((t - p).values())
    s = tp + fp + fn
    return (tp / s, fp / s, fn / s) if s else (0.0, 0.0, 0.0)


def aeb_scores(pairs: list[tuple[str, str]]) -> tuple[float, float, float]:
    def precision(tp, fp, fn):
        return 1.0 if fp == fn == 0 else 0.0 if tp == fp == 0 else tp / (tp + fp)

    def recall(tp, fp, fn):
        return 1.0 if fp == fn == 0 else 0.0 if tp == fn == 0 else tp / (tp + fn)
    counts = [shingle_tp_fp_fn(t, p) for t, p in pairs]
    p = statistics.mean(precision(*c) for c in counts if c[0] + c[1] > 0)
    r = statistics.mean(recall(*c) for c in counts if c[0] + c[2] > 0)
    return p, r, 2 * p * r / (p + r)


def bow_prf(true: str, pred: str) -> tuple[float, float, float]:
    """WCXB's metric: bag of lower-cased ``\\w+`` words."""
    t = Counter(w.lower() for w in _WORD.findall(true or ""))
    p = Counter(w.lower() for w in _WORD.findall(pred or ""))
    if not t and not p:
        return 1.0, 1.0, 1.0
    tp = sum((t & p).values())
    prec = tp / sum(p.values()) if p else 0.0
    rec = tp / sum(t.values()) if t else 0.0
    return prec, rec, (2 * prec * rec / (prec + rec) if prec + rec else 0.0)


def wcxb_scores(pairs: list[tuple[str, str]]) -> tuple[float, float, float]:
    scores = [bow_prf(t, p) for t, p in pairs]
    return tuple(statistics.mean(s[i] for s in scores) for i in range(3))  # type: ignore


# -- extractors under test --------------------------------------------------------------------
def ours(html: bytes, url: str) -> dict:
    result = extract_page(html, url)
    return {"body": (result["article"] or {}).get("body_text") or "",
            "author": (result["article"] or {}).get("author_name"),
            "comments": result["comments"]}


CACHE = ROOT / "benchmarks" / ".cache"


def trafilatura_fn(cached: bool = True):
    """trafilatura's text for a page; its quality outputs are cached on disk (they only change
    with its version), the speed section always runs it live."""
    try:
        import trafilatura
    except ImportError:
        return None
    import hashlib

    def run(html: bytes, url: str, comments: bool = False) -> str:
        key = hashlib.sha1(html + url.encode() + bytes([comments])).hexdigest()
        path = CACHE / f"trafilatura-{trafilatura.__version__}" / f"{key}.txt"
        if cached and path.exists():
            return path.read_text()
        text = trafilatura.extract(html, url=url, include_comments=comments) or ""
        if cached:
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text)
        return text
    return run


# -- sections ---------------------------------------------------------------------------------
def body_section(name, pages, truth_of, scorer, traf) -> dict:
    ours_pairs, traf_pairs = [], []
    for key, html, url, truth in pages:
        ours_pairs.append((truth_of(truth), ours(html, url)["body"]))
        if traf:
            traf_pairs.append((truth_of(truth), traf(html, url)))
    row = {"pages": len(pages), "ours": scorer(ours_pairs)}
    if traf:
        row["trafilatura"] = scorer(traf_pairs)
    print(f"\n{name}: body text on {len(pages)} pages")
    for who in ("ours", "trafilatura"):
        if who in row:
            p, r, f = row[who]
            print(f"  {who:<12} precision {p:.3f}  recall {r:.3f}  F1 {f:.3f}")
    return row


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
    live = trafilatura_fn(cached=False) if traf else None
    if live:
        t0 = time.perf_counter()
        for html, url in htmls:
            live(html, url, comments=True)
        traf_rate = len(htmls) / (time.perf_counter() - t0)
        print(f"  trafilatura  {traf_rate:7.1f} pages/s (with comments)   ours is {ours_rate / traf_rate:.1f}x")
        row["trafilatura_pages_per_s"] = traf_rate
    return row


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--limit", type=int, help="pages per corpus")
    parser.add_argument("--no-trafilatura", action="store_true")
    parser.add_argument("--only", default="aeb,wcxb,author,comments,speed,robustness")
    parser.add_argument("--json", type=Path, help="also write the figures here")
    args = parser.parse_args()
    if not CORPUS.exists():
        sys.exit(f"shared corpus not found at {CORPUS}")
    only = set(args.only.split(","))
    traf = None if args.no_trafilatura else trafilatura_fn()
    if traf is None and not args.no_trafilatura:
        print("trafilatura not installed (pip install '.[bench]'): comparing nothing")
    figures: dict = {}
    aeb = aeb_pages(args.limit) if only & {"aeb", "speed"} else []
    wcxb = wcxb_pages(args.limit) if only & {"wcxb", "author", "speed"} else []
    if "aeb" in only:
        figures["aeb"] = body_section("aeb", aeb, lambda t: t["articleBody"], aeb_scores, traf)
    if "wcxb" in only:
        figures["wcxb"] = body_section("wcxb-articles", wcxb, lambda t: t.get("main_content") or "", wcxb_scores, traf)
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
