"""Site fixtures: a saved page and its reviewed extraction, so a site extractor stays right.

A fixture is ``tests/fixtures/sites/<host>/<name>.expected.json``::

    {"url": "...", "page": "<path>", "content_type": null, "extractor": "slashdot/1",
     "expected": {"article": {...}, "comments": [...], "page": {...}}}

``page`` is relative to the project root: a file next to the JSON, or a page of the shared
corpus (``../shared/...``), which is referred to and never copied. Volatile values (``fetched_at``,
``crawl_id``) are never stored: the expected output must be the same on every run.
"""
from __future__ import annotations

import gzip
import json
import re
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

FIXTURES = Path("tests") / "fixtures" / "sites"
EXPECTED_SUFFIX = ".expected.json"
VOLATILE = frozenset({"fetched_at", "crawl_id"})
SHARED_PREFIX = "../shared/"


def read_page(path: Path) -> bytes:
    """The page's bytes; ``.gz`` files are decompressed."""
    data = path.read_bytes()
    return gzip.decompress(data) if data[:2] == b"\x1f\x8b" else data


def stable(result: dict) -> dict:
    """``extract_page``'s result without the values that change from run to run."""
    def clean(record: dict | None) -> dict | None:
        return None if record is None else {k: v for k, v in record.items() if k not in VOLATILE}
    return {"article": clean(result["article"]), "comments": [clean(c) for c in result["comments"]],
            "page": clean(result["page"])}


def fixture_name(url: str) -> str:
    """A file name from the URL's last path segment: ``.../a-2024-discussion/`` → ``a-2024-discussion``."""
    segments = [s for s in urlsplit(url).path.split("/") if s]
    name = re.sub(r"[^A-Za-z0-9._-]+", "-", segments[-1] if segments else "index").strip("-.")
    return re.sub(r"\.html?$", "", name)[:60] or "index"


@dataclass
class Fixture:
    path: Path            # the .expected.json file
    url: str
    page: str             # relative to the project root
    content_type: str | None
    extractor: str
    expected: dict

    @classmethod
    def load(cls, path: Path) -> Fixture:
        doc = json.loads(path.read_text(encoding="utf-8"))
        return cls(path, doc["url"], doc["page"], doc.get("content_type"), doc["extractor"],
                   doc["expected"])

    def page_path(self, root: Path) -> Path:
        return (root / self.page).resolve()

    @property
    def shared(self) -> bool:
        return self.page.startswith(SHARED_PREFIX)

    def dump(self) -> str:
        doc = {"url": self.url, "page": self.page, "content_type": self.content_type,
               "extractor": self.extractor, "expected": self.expected}
        return json.dumps(doc, ensure_ascii=False, indent=2) + "\n"


def find_fixtures(root: Path) -> list[Path]:
    return sorted((root / FIXTURES).glob(f"*/*{EXPECTED_SUFFIX}"))


# -- a readable diff ------------------------------------------------------------------------
def _show(value: object, limit: int = 160) -> str:
    text = json.dumps(value, ensure_ascii=False)
    return text if len(text) <= limit else text[:limit] + f"... ({len(text)} chars)"


def _field_diff(where: str, expected: object, got: object) -> list[str]:
    if expected == got:
        return []
    if isinstance(expected, str) and isinstance(got, str):
        # Long texts differ somewhere in the middle: show where, not two walls of text.
        at = next((i for i, (a, b) in enumerate(zip(expected, got)) if a != b), min(len(expected), len(got)))
        start = max(0, at - 40)
        return [f"{where}: differs at character {at}\n"
                f"    expected: {_show(expected[start:at + 80])}\n"
                f"    got:      {_show(got[start:at + 80])}"]
    return [f"{where}:\n    expected: {_show(expected)}\n    got:      {_show(got)}"]


def _record_diff(where: str, expected: dict | None, got: dict | None) -> list[str]:
    if expected is None or got is None:
        return _field_diff(where, expected, got)
    lines: list[str] = []
    for key in list(expected) + [k for k in got if k not in expected]:
        if key not in got:
            lines.append(f"{where}.{key}: expected {_show(expected[key])}, missing from the output")
        elif key not in expected:
            lines.append(f"{where}.{key}: not in the fixture, got {_show(got[key])}")
        else:
            lines += _field_diff(f"{where}.{key}", expected[key], got[key])
    return lines


def diff(expected: dict, got: dict) -> list[str]:
    """Differences between two extraction results, one entry (of one or three lines) per field;
    comments are matched by ``comment_id``. Empty when they are equal."""
    lines = _record_diff("article", expected.get("article"), got.get("article"))
    lines += _record_diff("page", expected.get("page"), got.get("page"))
    want = {c["comment_id"]: c for c in expected.get("comments", [])}
    have = {c["comment_id"]: c for c in got.get("comments", [])}
    if len(want) != len(have):
        lines.append(f"comments: expected {len(want)}, got {len(have)}")
    for cid, c in want.items():
        if cid not in have:
            lines.append(f"comment {cid}: expected, not extracted "
                         f"({_show(c.get('author_name'))}: {_show(c.get('text'), 60)})")
        else:
            lines += _record_diff(f"comment {cid}", c, have[cid])
    for cid, c in have.items():
        if cid not in want:
            lines.append(f"comment {cid}: extracted, not in the fixture "
                         f"({_show(c.get('author_name'))}: {_show(c.get('text'), 60)})")
    return lines
