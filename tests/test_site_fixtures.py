"""Every site fixture under tests/fixtures/sites/: the page's extraction equals the reviewed
expected output. Add a fixture with ``scrapy savefixture``; nothing here needs changing."""
from __future__ import annotations

import pytest

from scraper.extractors import extract_page
from scraper.fixtures import Fixture, diff, find_fixtures, read_page, stable

from conftest import ROOT

FIXTURES = find_fixtures(ROOT)


@pytest.mark.parametrize("path", FIXTURES, ids=[f"{p.parent.name}/{p.name}" for p in FIXTURES])
def test_site_fixture(path):
    fixture = Fixture.load(path)
    page = fixture.page_path(ROOT)
    if not page.is_file():
        if fixture.shared:
            pytest.skip(f"shared corpus page not found: {page}")
        pytest.fail(f"{path.relative_to(ROOT)}: page {fixture.page} is missing")
    got = stable(extract_page(read_page(page), fixture.url, content_type=fixture.content_type))
    assert got["page"]["extractor"] == fixture.extractor, "a different extractor served the URL"
    problems = diff(fixture.expected, got)
    assert not problems, (f"{path.relative_to(ROOT)} differs ({len(problems)}):\n" + "\n".join(problems)
                          + "\nIf the new output is right, re-run `scrapy savefixture --force` and review the diff.")


def test_fixtures_exist_and_are_stable():
    assert FIXTURES, "no site fixtures found"
    for path in FIXTURES:
        fixture = Fixture.load(path)
        text = path.read_text(encoding="utf-8")
        assert '"fetched_at"' not in text and '"crawl_id"' not in text
        assert not fixture.page.startswith("/"), "pages are referred to relative to the project root"
