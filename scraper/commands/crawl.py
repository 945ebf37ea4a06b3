"""``scrapy crawl``, ending with an exit code that says how the crawl ended (0 finished, 3 with
errors, 4 failed, 5 interrupted, 6 write error: ``scraper/outcome.py``), and with one line, not a
traceback, when it cannot start (no start URL, its folder in use or not writable)."""
from __future__ import annotations

import argparse

from scrapy.commands.crawl import Command as ScrapyCrawlCommand
from scrapy.exceptions import UsageError

from ..outcome import run


class Command(ScrapyCrawlCommand):
    def run(self, args: list[str], opts: argparse.Namespace) -> None:
        if not args:
            raise UsageError()
        if len(args) > 1:
            raise UsageError("name one spider: scrapy crawl blog -a url=<URL>")
        assert self.crawler_process is not None
        self.exitcode = run(self.crawler_process, self._create_crawler(args[0]), **opts.spargs)
