"""Extraction output on every shared page, as one digest per page: a speed change must leave it
unchanged. Write a snapshot before the change, check against it after (and with the compiled
walks turned off, ``BLOG_ARCHIVER_PURE_PYTHON=1``, to hold the two paths to the same rows).

    python benchmarks/snapshot.py --write /tmp/before.jsonl
    python benchmarks/snapshot.py --check /tmp/before.jsonl      # lists every page that differs
"""
from __future__ import annotations

import argparse
import gzip
import hashlib
import json
import sys
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from scraper.extractors import extract_page  # noqa: E402
from scraper.extractors.errors import ExtractionError  # noqa: E402

CORPUS = ROOT.parent / "shared" / "corpus"
FOLDERS = ("aeb", "wcxb-articles", "trafilatura-eval", "threads", "wordpress", "comment-systems")


def pages(corpus: Path) -> Iterator[tuple[str, bytes, str]]:
    """(name, bytes, url) of every HTML page under the corpus folders, in a fixed order."""
    for folder in FOLDERS:
        for path in sorted((corpus / folder).rglob("*")):
            if not (path.name.endswith(".html.gz") or path.name.endswith(".html")):
                continue
            name = str(path.relative_to(corpus))
            data = gzip.open(path).read() if path.suffix == ".gz" else path.read_bytes()
            yield name, data, f"https://{folder}.example/{path.stem.replace('.html', '')}/"


def digest(result: dict) -> str:
    return hashlib.sha256(json.dumps(result, sort_keys=True, default=str).encode()).hexdigest()


def snapshot(corpus: Path) -> dict[str, dict]:
    out = {}
    for name, data, url in pages(corpus):
        try:
            result = extract_page(data, url)
        except ExtractionError as exc:
            result = {"error": str(exc)}
        article = result.get("article") or {}
        out[name] = {"digest": digest(result), "title": article.get("title"),
                     "body_chars": len(article.get("body_text") or ""),
                     "comments": len(result.get("comments") or [])}
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    group = parser.add_mutually_exclusive_group(required=True)
    group.add_argument("--write", type=Path, help="write the snapshot here")
    group.add_argument("--check", type=Path, help="compare with this snapshot")
    parser.add_argument("--corpus", type=Path, default=CORPUS)
    args = parser.parse_args()
    if not args.corpus.exists():
        sys.exit(f"shared corpus not found at {args.corpus}")
    now = snapshot(args.corpus)
    if args.write:
        args.write.write_text("".join(json.dumps({"page": k, **v}) + "\n" for k, v in now.items()))
        print(f"{len(now)} pages written to {args.write}")
        return
    before = {row.pop("page"): row for row in map(json.loads, args.check.read_text().splitlines())}
    changed = [k for k in sorted(before.keys() | now.keys()) if before.get(k) != now.get(k)]
    for name in changed:
        print(f"changed: {name}\n  before {before.get(name)}\n  now    {now.get(name)}")
    print(f"{len(now)} pages, {len(changed)} changed")
    sys.exit(1 if changed else 0)


if __name__ == "__main__":
    main()
