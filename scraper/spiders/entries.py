"""One WARC file's share of a parallel rebuild (``scrapy reextract -a processes=N``, see
``scraper/parallel.py``): the blog spider, answered from the index of all the crawl's files, with
the requests answered from this one file as its only entry points.

Why it gives the rows of a single-process rebuild:

* every page the crawl fetched is held by some file, so links to it need no following: each task
  asks for the page URLs its file answers (what the single-process rebuild reaches by following
  links), and the thread of each article it reads is assembled exactly as there, its comment
  pages, REST and comment-system answers looked up in whichever file holds them;
* the other requests its file answers (sitemaps, feeds, comment pages, API answers) are asked
  too, without reading them, so that every response has its ``pages`` row; as optional requests,
  so that only the task that uses an answer lists its errors;
* a URL the files do not hold (the crawl got no answer: a timeout, a dead start page) is asked
  where the single-process rebuild asks it, from a start URL or a page's links, so that it is
  answered 404 and listed there too;
* the single-process rebuild stores an article from the first page it reads with its canonical
  URL. Here the pages are read one at a time, in file order (the crawl's order of fetching), so
  within a file the first capture wins; between files the merge keeps the earliest capture
  (``pipelines/merge.py``). No outcome depends on how tasks are scheduled.
"""
from __future__ import annotations

import json
from functools import cached_property
from pathlib import Path

import scrapy
from scrapy.http import Response
from scrapy.utils.defer import maybe_deferred_to_future
from twisted.internet.defer import Deferred
from twisted.python.failure import Failure

from ..middlewares import WarcIndex, WarcReplayMiddleware
from ..outcome import CrawlSetupError
from . import discovery
from .blog import BlogSpider, _netloc


class WarcEntriesSpider(BlogSpider):
    name = "blog-entries"

    def __init__(self, *args, entries: str | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        if not entries:
            raise CrawlSetupError("no entry points: give -a entries=FILE (written by scrapy reextract)")
        # [{"url", "method", "body"}] in file order; a POST's body as latin-1 text.
        self.entries = json.loads(Path(entries).read_text(encoding="utf-8"))
        self._read: Deferred | None = None

    async def start(self):
        async for request in super().start():  # the start URLs and their sitemap probes
            if not self._held(request.url):
                yield request
        for entry in self.entries:
            if entry["method"] == "GET" and self._is_page(entry["url"]):
                self._read = Deferred()
                # Past the duplicate filter: every entry reaches its callback or errback. Only a
                # start page is at depth 0, where its feeds are asked for.
                yield scrapy.Request(entry["url"], callback=self.parse_entry, errback=self.entry_failed,
                                     dont_filter=True, meta={"depth": int(entry["url"] not in self._seed_urls)})
                await maybe_deferred_to_future(self._read)  # one page claims its article at a time
            else:
                body = entry["body"].encode("latin-1") if entry["body"] is not None else None
                yield scrapy.Request(entry["url"], method=entry["method"], body=body, callback=self.answered,
                                     errback=self.answered, dont_filter=True, meta={"optional": True})

    def _is_page(self, url: str) -> bool:
        """What the single-process rebuild asks ``parse_page`` to read: a start URL, or a link
        it follows."""
        return url in self._seed_urls or discovery.is_page_link(url, self.hosts)

    def parse_entry(self, response: Response):
        try:
            yield from self.parse_page(response)
        finally:
            self._next_entry()

    def entry_failed(self, failure: Failure):
        try:
            self.page_failed(failure)
        finally:
            self._next_entry()

    def _next_entry(self) -> None:
        read, self._read = self._read, None
        if read is not None:
            read.callback(None)

    def answered(self, response_or_failure) -> None:
        """Asked only for its ``pages`` row: the task whose article needs the answer reads it."""

    @cached_property
    def _index(self) -> WarcIndex:
        return next(mw.index for mw in self.crawler.engine.downloader.middleware.middlewares
                    if isinstance(mw, WarcReplayMiddleware))

    def _held(self, url: str) -> bool:
        return self._index.lookup(url) is not None

    # Links are followed only to what the files do not hold: what they hold is an entry point of
    # the file it is in.
    def _follow(self, urls, remember: bool = True):
        return (r for r in super()._follow(urls, remember) if not self._held(r.url))

    def _feeds(self, root, base: str):
        return (r for r in super()._feeds(root, base) if not self._held(r.url))

    def _on_robots(self, robotparser, request) -> None:
        for url in discovery.robots_sitemaps(robotparser):
            if _netloc(url) in self.hosts and not self._held(url):
                self.crawler.engine.crawl(self._probe(url, self.parse_sitemap))
