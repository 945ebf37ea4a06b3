"""A seeded slice of ``benchmarks/fuzz_extract.py``: a few hundred mutations of the smaller real
pages of ../shared/corpus/ (skipped where absent). ``extract_page`` gives a result or raises
``ExtractionError`` on each, nothing else; the slice's inputs are the same on every run."""
from __future__ import annotations

import random
import time

import pytest

from benchmarks.fuzz_extract import SHARED_CORPUS, Mutator, crash_site, fuzz, fuzz_input, seed_pages

SEED = 20_260_101
INPUTS = 300
SMALL_PAGE_BYTES = 30_000  # stored (mostly gzipped) size: keeps the slice well under 30 s
SLICE_SECONDS = 30


@pytest.fixture(scope="module")
def small_pages():
    pages = seed_pages(max_bytes=SMALL_PAGE_BYTES)
    if not pages:
        pytest.skip(f"shared corpus not found at {SHARED_CORPUS}")
    return pages


def test_an_input_is_the_same_bytes_on_every_run(small_pages):
    first, again = fuzz_input(SEED, 17, small_pages), fuzz_input(SEED, 17, small_pages)
    assert (first.data, first.steps, first.content_type) == (again.data, again.steps, again.content_type)
    assert fuzz_input(SEED, 18, small_pages).data != first.data


def test_every_mutation_changes_the_page(small_pages):
    page = small_pages[0].read()
    for name in ("byte_flips", "truncate", "deep_nesting", "duplicated_tags", "unbalanced_tags", "bad_urls",
                 "broken_jsonld", "odd_encoding", "nul_bytes", "huge_attribute", "comment_markup", "markup_garbage"):
        mutated, what = getattr(Mutator(random.Random(name), heavy=False), name)(page)
        assert what and (mutated != page or name == "truncate"), name


def test_a_crash_is_named_by_its_type_and_the_project_frame_it_came_from():
    from scraper.urls import normalize_url
    with pytest.raises(AttributeError) as raised:
        normalize_url(None)  # type: ignore[arg-type]
    site = crash_site(raised.value)
    assert (site.error, site.file, site.function) == ("AttributeError", "scraper/urls.py", "normalize_url")


def test_a_seeded_slice_raises_nothing_but_extraction_error(small_pages):
    started = time.process_time()  # CPU time: other processes on the machine do not count
    report = fuzz(small_pages, seed=SEED, budget=None, max_inputs=INPUTS, heavy=False)
    assert report.tried == INPUTS
    assert time.process_time() - started < SLICE_SECONDS
    assert not report.crashes, "\n\n".join(f"{site}: {finding.message}\n{finding.recipe}\n{finding.traceback}"
                                            for site, finding in report.crashes.items())
