"""``scrapy pack <crawl folder> [-o FILE]``: the crawl as one WACZ file (``scraper/wacz.py``),
``<crawl folder>/<crawl id>.wacz`` by default: its WARC files with a CDXJ index, its articles as
pages, its Parquet tables and crawl.json, for pywb or ReplayWeb.page. A folder that cannot be
packed (missing, no WARC files, a WARC file still ``.open``) is one line on stderr and exit 1."""
from __future__ import annotations

import sys
from pathlib import Path
from typing import NoReturn

from scrapy.commands import ScrapyCommand
from scrapy.exceptions import UsageError


class Command(ScrapyCommand):
    requires_project = True
    default_settings = {"LOG_ENABLED": False}

    def syntax(self) -> str:
        return "<crawl folder> [-o FILE.wacz]"

    def short_desc(self) -> str:
        return "Pack a crawl folder (WARC files, index, pages, Parquet tables) into a WACZ file"

    def add_options(self, parser) -> None:
        super().add_options(parser)
        parser.add_argument("-o", "--output", metavar="FILE",
                            help="where to write the WACZ file (default: <crawl folder>/<crawl id>.wacz)")

    def run(self, args: list[str], opts) -> None:
        if len(args) != 1:
            raise UsageError("name one crawl folder: scrapy pack datasets/<crawl id>")
        from ..wacz import PackError, pack  # here: a rebuild's start-up imports every command module
        try:
            package = pack(Path(args[0]), opts.output)
        except PackError as exc:
            self.fail(str(exc))
        except OSError as exc:
            self.fail(f"Could not write the WACZ file: {exc}")
        archives = sum(r["path"].startswith("archive/") for r in package["resources"])
        size = sum(r["bytes"] for r in package["resources"])
        print(f"{package['path']}: {archives} WARC file(s), {package['pages_count']} page(s), "
              f"{len(package['resources'])} files, {size} bytes before packing")

    def fail(self, message: str) -> NoReturn:
        sys.stderr.write(message + "\n")
        self.exitcode = 1
        raise SystemExit(1)
