"""``scrapy crawl``, ending with an exit code that says how the crawl ended (0 finished, 3 with
errors, 4 failed, 5 interrupted, 6 write error: ``scraper/outcome.py``), and with one line, not a
traceback, when it cannot start (no start URL, its folder in use or not writable)."""
from __future__ import annotations

import argparse

from scrapy.commands.crawl import Command as ScrapyCrawlCommand
from scrapy.exceptions import UsageError

from ..outcome import run
from ..progress import quiet_preamble
from ..summary import manifest_path, print_summary


class Command(ScrapyCrawlCommand):
    def process_options(self, args: list[str], opts: argparse.Namespace) -> None:
        quiet_preamble()  # before the process logs Scrapy's versions
        super().process_options(args, opts)

    def run(self, args: list[str], opts: argparse.Namespace) -> None:
        if not args:
            raise UsageError()
        if len(args) > 1:
            raise UsageError("name one spider: scrapy crawl blog -a url=<URL>")
        assert self.crawler_process is not None
        crawler = self._create_crawler(args[0])
        self.exitcode = run(self.crawler_process, crawler, **opts.spargs)
        # The closing summary, from the crawl.json the dataset wrote (none: no dataset, no summary).
        print_summary(manifest_path(crawler))
