"""``scrapy report DIR [-o report.html]``: one crawl folder as one self-contained HTML page
(``scraper/report.py``)."""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

from scrapy.commands import ScrapyCommand
from scrapy.exceptions import UsageError


class Command(ScrapyCommand):
    requires_project = False
    default_settings = {"LOG_ENABLED": False}

    def syntax(self) -> str:
        return "<crawl folder> [-o report.html]"

    def short_desc(self) -> str:
        return "Write one self-contained HTML page of a crawl's articles, comments and errors"

    def add_options(self, parser: argparse.ArgumentParser) -> None:
        super().add_options(parser)
        parser.add_argument("-o", "--output", default="report.html", metavar="FILE",
                            help="the HTML file to write (default: report.html)")

    def run(self, args: list[str], opts: argparse.Namespace) -> None:
        if len(args) != 1:
            raise UsageError("name one crawl folder, e.g. datasets/<crawl id>")
        from ..report import NotACrawl, write  # here: a rebuild's start-up imports every command module
        try:
            out = write(Path(args[0]), Path(opts.output))
        except NotACrawl as exc:
            print(f"scrapy report: {exc}", file=sys.stderr)
            self.exitcode = 1
            return
        except OSError as exc:
            print(f"scrapy report: cannot write {opts.output}: {exc}", file=sys.stderr)
            self.exitcode = 1
            return
        print(f"{out}: report of {args[0]}")
