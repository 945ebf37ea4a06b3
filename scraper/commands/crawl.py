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
    def long_desc(self) -> str:
        # Scrapy's help lists its own options only; the blog spider's arguments and the
        # project's settings are what a user needs (the same table as ``blog-archiver crawl -h``).
        from ..cli import crawl_parser

        return ("Run a spider. The blog spider: scrapy crawl blog -a url=URL [-a out=DIR] "
                "[-a crawl=NAME] [-a hosts=A,B] | -a seeds=FILE, and -s settings. Each option "
                "of blog-archiver crawl, with the spider argument (-a) or setting (-s) it "
                "stands for:\n\n" + spider_options(crawl_parser()))

    def add_options(self, parser: argparse.ArgumentParser) -> None:
        super().add_options(parser)
        # The description's option lines as written, one per line (Scrapy's formatter refills it).
        parser.formatter_class = type("RawDescription", (argparse.RawDescriptionHelpFormatter,
                                                         parser.formatter_class), {})

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


def spider_options(parser: argparse.ArgumentParser) -> str:
    """``blog-archiver crawl``'s options as ``-a``/``-s`` lines, one per option."""
    from ..cli import SETTING_ARGS, SPIDER_ARGS, SWITCHES

    lines = [f"  -a {name}=...  ({flags[0]}) {kw['help']}" for flags, name, kw in SPIDER_ARGS]
    lines += [f"  -s {name}=...  ({flags[0]}) {kw['help']}" for flags, name, kw in SETTING_ARGS]
    lines += [f"  -s {name}={value}  ({flags[0]}) {desc}" for flags, name, value, desc in SWITCHES]
    return "\n".join(lines)
