"""Scrapy's check for a callback that is a generator returning a value, which the crawl turns
off (WARN_ON_GENERATOR_RETURN_VALUE: it re-reads the source on every response), run once here."""
from __future__ import annotations

import inspect

import pytest
from scrapy.utils.misc import is_generator_with_return_value

from scraper.spiders.blog import BlogSpider
from scraper.spiders.entries import WarcEntriesSpider


def _callbacks(cls) -> list[str]:
    return sorted(name for name, member in inspect.getmembers(cls, inspect.isgeneratorfunction)
                  if not name.startswith("__"))


@pytest.mark.parametrize("cls", [BlogSpider, WarcEntriesSpider])
def test_no_callback_is_a_generator_that_returns_a_value(cls):
    callbacks = _callbacks(cls)
    assert "parse_page" in callbacks or cls is not BlogSpider
    assert [name for name in callbacks if is_generator_with_return_value(getattr(cls, name))] == []
