"""Shared test fixtures. Real pages come from ../shared/ next to the project; tests that need
them skip with a reason where it is absent, so a fresh clone's own tests still pass."""
from __future__ import annotations

import gzip
import json
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared"
WORDPRESS = SHARED / "corpus" / "wordpress"


def wordpress_themes() -> list[str]:
    site = WORDPRESS / "site"
    return sorted(p.name for p in site.iterdir() if (p / "manifest.json").exists()) if site.exists() else []


def truth_posts() -> list[dict]:
    folder = WORDPRESS / "truth"
    if not folder.exists():
        return []
    return [json.loads(p.read_text()) for p in sorted(folder.glob("*.json")) if not p.name.startswith("_")]


@pytest.fixture
def wordpress_corpus() -> Path:
    if not (WORDPRESS / "truth").exists():
        pytest.skip(f"shared WordPress corpus not found at {WORDPRESS}")
    return WORDPRESS


def manifest_files(theme: str) -> dict[str, Path]:
    """Captured URL → file, for one theme's replayable site."""
    site = WORDPRESS / "site" / theme
    manifest = json.loads((site / "manifest.json").read_text())
    return {e["url"]: site / e["file"] for e in manifest["entries"]}


def wcxb_article(key: str) -> dict | None:
    """The article ``extract_page`` reads from a WCXB benchmark page (skipped where absent)."""
    from scraper.extractors import extract_page
    base = SHARED / "corpus" / "wcxb-articles"
    path = base / "ground-truth" / f"{key}.json"
    if not path.exists():
        pytest.skip(f"WCXB pages not found at {base}")
    truth = json.loads(path.read_text())
    return extract_page(gzip.open(base / "html" / f"{key}.html.gz").read(), truth["url"])["article"]
