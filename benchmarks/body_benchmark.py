"""Body text on the three article corpora, each scored by its own published rule, ours and
trafilatura's in the same run, on the whole corpus and on both parts of the fixed split.

The split is fixed before any tuning: a corpus's pages in their stored order (``aeb`` as its
ground truth lists them, ``wcxb`` by file name, ``trafilatura-eval`` as ``evaldata.json``
lists them), even positions are part A (tuned on), odd positions part B (kept back to check
that a change holds). A **collapsed page** is one where ours scores below 0.5 F1 while
trafilatura scores above 0.8: the wrong block won outright.

    python benchmarks/body_benchmark.py [--only aeb,wcxb,trafilatura-eval] [--limit N] [--pages FILE]
"""
from __future__ import annotations

import argparse
import gzip
import hashlib
import json
import re
import statistics
import sys
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from scraper.extractors import extract_page  # noqa: E402

CORPUS = ROOT.parent / "shared" / "corpus"
CACHE = ROOT / "benchmarks" / ".cache"
_WORD = re.compile(r"\w+")
_SPACE = re.compile(r"\s+")
COLLAPSED_OURS, COLLAPSED_PEER = 0.5, 0.8

Page = tuple[str, bytes, str, object]  # key, html, url, truth


# -- corpora --------------------------------------------------------------------------------
def aeb_pages(limit: int | None = None) -> list[Page]:
    truth = json.loads((CORPUS / "aeb" / "ground-truth.json").read_text())
    return [(key, gzip.open(CORPUS / "aeb" / "html" / f"{key}.html.gz").read(), item["url"], item)
            for key, item in list(truth.items())[:limit]]


def wcxb_pages(limit: int | None = None) -> list[Page]:
    out = []
    for path in sorted((CORPUS / "wcxb-articles" / "ground-truth").glob("*.json"))[:limit]:
        item = json.loads(path.read_text())
        html = gzip.open(CORPUS / "wcxb-articles" / "html" / f"{path.stem}.html.gz").read()
        out.append((path.stem, html, item.get("url") or f"https://wcxb.invalid/{path.stem}", item["ground_truth"]))
    return out


def trafilatura_eval_pages(limit: int | None = None) -> list[Page]:
    base = CORPUS / "trafilatura-eval"
    data = json.loads((base / "evaldata.json").read_text())
    out = []
    for key, item in list(data.items())[:limit]:
        # Keys are the page's URL, except the suite's "hard::<file>" cases, which have none.
        url = key if key.startswith("http") else f"https://trafilatura-eval.invalid/{item['file']}"
        out.append((key, gzip.open(base / "html" / f"{item['file']}.gz").read(), url, item))
    return out


def split_part(position: int) -> str:
    """The fixed split: even positions are part A, odd positions part B."""
    return "A" if position % 2 == 0 else "B"


# -- metrics: each corpus its own -------------------------------------------------------------
def shingle_counts(true: str, pred: str, n: int = 4) -> tuple[float, float, float]:
    """The article-extraction benchmark's metric: word 4-gram shingles, counts normalised so
    every page weighs the same."""
    def shingles(text: str) -> Counter:
        tokens = _WORD.findall(text or "")
        return Counter(tuple(tokens[i:i + n]) for i in range(max(1, len(tokens) - n + 1)) if tokens[i:i + n])
    t, p = shingles(true), shingles(pred)
    tp, fp, fn = sum((t & p).values()), sum((p - t).values()), sum((t - p).values())
    s = tp + fp + fn
    return (tp / s, fp / s, fn / s) if s else (0.0, 0.0, 0.0)


def _aeb_precision(tp, fp, fn):
    return 1.0 if fp == fn == 0 else 0.0 if tp == fp == 0 else tp / (tp + fp)


def _aeb_recall(tp, fp, fn):
    return 1.0 if fp == fn == 0 else 0.0 if tp == fn == 0 else tp / (tp + fn)


def aeb_total(counts: list[tuple]) -> tuple[float, float, float]:
    p = statistics.mean([_aeb_precision(*c) for c in counts if c[0] + c[1] > 0] or [0.0])
    r = statistics.mean([_aeb_recall(*c) for c in counts if c[0] + c[2] > 0] or [0.0])
    return p, r, (2 * p * r / (p + r) if p + r else 0.0)


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


def wcxb_total(scores: list[tuple]) -> tuple[float, float, float]:
    return tuple(statistics.mean(s[i] for s in scores) if scores else 0.0 for i in range(3))  # type: ignore


def snippet_counts(item: dict, pred: str) -> tuple[int, int, int]:
    """trafilatura's own rule: after collapsing whitespace, a ``with`` snippet found in the
    output is a true positive (else a false negative), a ``without`` snippet found is a false
    positive."""
    text = _SPACE.sub(" ", pred or "").strip()
    found = [_SPACE.sub(" ", s).strip() in text for s in item["with"]]
    fp = sum(_SPACE.sub(" ", s).strip() in text for s in item["without"])
    return sum(found), fp, len(found) - sum(found)


def snippet_total(counts: list[tuple]) -> tuple[float, float, float]:
    tp, fp, fn = (sum(c[i] for c in counts) for i in range(3))
    p = tp / (tp + fp) if tp + fp else 0.0
    r = tp / (tp + fn) if tp + fn else 0.0
    return p, r, (2 * tp / (2 * tp + fp + fn) if tp else 0.0)


def _f1_of_counts(tp, fp, fn) -> float:
    return 2 * tp / (2 * tp + fp + fn) if tp else (1.0 if fp == fn == 0 else 0.0)


@dataclass(frozen=True)
class Corpus:
    name: str
    load: Callable[[int | None], list[Page]]
    score: Callable[[object, str], tuple]      # one page: counts or P/R/F1
    total: Callable[[list[tuple]], tuple]      # all pages: P/R/F1
    page_f1: Callable[[tuple], float]


def _aeb_score(truth, pred):
    return shingle_counts(truth["articleBody"], pred)


def _wcxb_score(truth, pred):
    return bow_prf(truth.get("main_content") or "", pred)


CORPORA = {
    "aeb": Corpus("aeb", aeb_pages, _aeb_score, aeb_total, lambda c: _f1_of_counts(*c)),
    "wcxb": Corpus("wcxb-articles", wcxb_pages, _wcxb_score, wcxb_total, lambda s: s[2]),
    "trafilatura-eval": Corpus("trafilatura-eval", trafilatura_eval_pages, snippet_counts, snippet_total,
                               lambda c: _f1_of_counts(*c)),
}


# -- extractors under test --------------------------------------------------------------------
def ours(html: bytes, url: str) -> str:
    return (extract_page(html, url)["article"] or {}).get("body_text") or ""


def trafilatura_fn(fast: bool = False, cached: bool = True) -> Callable | None:
    """trafilatura's body text (no comments, tables kept: the settings its own suite uses); its
    outputs are cached on disk, as they only change with its version."""
    try:
        import trafilatura
    except ImportError:
        return None

    def run(html: bytes, url: str) -> str:
        key = hashlib.sha1(html + url.encode() + (b"fast" if fast else b"")).hexdigest()
        path = CACHE / f"trafilatura-{trafilatura.__version__}" / f"{key}.txt"
        if cached and path.exists():
            return path.read_text()
        text = trafilatura.extract(html, url=url, fast=fast, include_comments=False, include_tables=True) or ""
        if cached:
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text)
        return text
    return run


def peers(with_fast: bool) -> dict[str, Callable]:
    found = {"trafilatura": trafilatura_fn(fast=False)}
    if with_fast:
        found["trafilatura fast"] = trafilatura_fn(fast=True)
    return {name: fn for name, fn in found.items() if fn is not None}


# -- the section ------------------------------------------------------------------------------
def body_section(corpus: Corpus, pages: list[Page], others: dict[str, Callable]) -> dict:
    """P/R/F1 for ours and each peer, on all pages and on parts A and B; collapsed pages."""
    runs = {"ours": ours, **others}
    scores = {who: [corpus.score(truth, fn(html, url)) for _, html, url, truth in pages] for who, fn in runs.items()}
    parts = {"all": range(len(pages)),
             "A": range(0, len(pages), 2), "B": range(1, len(pages), 2)}
    row: dict = {"pages": len(pages), "scores": {}}
    print(f"\n{corpus.name}: body text on {len(pages)} pages (part A: even positions, B: odd)")
    for who, per_page in scores.items():
        row["scores"][who] = {}
        for part, idx in parts.items():
            p, r, f = corpus.total([per_page[i] for i in idx])
            row["scores"][who][part] = {"precision": p, "recall": r, "f1": f}
        figures = "   ".join(f"{part} {row['scores'][who][part]['f1']:.3f}" for part in ("A", "B"))
        al = row["scores"][who]["all"]
        print(f"  {who:<17} precision {al['precision']:.3f}  recall {al['recall']:.3f}  F1 {al['f1']:.3f}   ({figures})")
    if "trafilatura" in scores:
        row["collapsed"] = collapsed(corpus, pages, scores["ours"], scores["trafilatura"])
        ids = ", ".join(f"{key} [{split_part(i)}] {f:.2f}/{g:.2f}" for i, key, f, g in row["collapsed"])
        print(f"  collapsed (ours < {COLLAPSED_OURS} where trafilatura > {COLLAPSED_PEER}): "
              f"{len(row['collapsed'])} of {len(pages)}{': ' + ids if ids else ''}")
    row["per_page"] = {key: {who: corpus.page_f1(s[i]) for who, s in scores.items()}
                       for i, (key, *_rest) in enumerate(pages)}
    return row


def collapsed(corpus: Corpus, pages: list[Page], mine: list[tuple], peer: list[tuple]) -> list[tuple]:
    found = []
    for i, (key, *_rest) in enumerate(pages):
        f, g = corpus.page_f1(mine[i]), corpus.page_f1(peer[i])
        if f < COLLAPSED_OURS and g > COLLAPSED_PEER:
            found.append((i, key, f, g))
    return found


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--only", default=",".join(CORPORA))
    parser.add_argument("--limit", type=int, help="pages per corpus")
    parser.add_argument("--no-trafilatura", action="store_true")
    parser.add_argument("--pages", type=Path, help="write every page's F1 (ours and the peers') here")
    args = parser.parse_args()
    if not CORPUS.exists():
        sys.exit(f"shared corpus not found at {CORPUS}")
    per_page = {}
    for name in args.only.split(","):
        corpus = CORPORA[name]
        others = {} if args.no_trafilatura else peers(with_fast=name == "trafilatura-eval")
        per_page[name] = body_section(corpus, corpus.load(args.limit), others)["per_page"]
    if args.pages:
        args.pages.write_text(json.dumps(per_page, indent=1))


if __name__ == "__main__":
    main()
