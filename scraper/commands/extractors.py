"""``scrapy extractors``: the registered site extractors and the URLs each serves."""
from __future__ import annotations

import json
import sys

from scrapy.commands import ScrapyCommand

from ..extractors import GenericExtractor, load_packages, registered


class Command(ScrapyCommand):
    requires_project = True
    default_settings = {"LOG_ENABLED": False}

    def short_desc(self) -> str:
        return "List the site extractors and the domains and URL patterns they serve"

    def add_options(self, parser) -> None:
        super().add_options(parser)
        parser.add_argument("--json", action="store_true", help="print JSON instead of a table")

    def run(self, args: list[str], opts) -> None:
        load_packages(self.settings.getlist("EXTRACTOR_PACKAGES"))
        rows = [{"name": e.name, "version": e.version, "module": e.module,
                 "domains": list(e.domains), "patterns": list(e.patterns)} for e in registered()]
        if opts.json:
            json.dump(rows, sys.stdout, indent=2)
            sys.stdout.write("\n")
            return
        rows.append({"name": GenericExtractor.name, "version": GenericExtractor.version,
                     "module": GenericExtractor.__module__, "domains": ["(every other URL)"],
                     "patterns": []})
        table = [("name", "version", "module", "domains", "patterns")] + [
            (r["name"], r["version"], r["module"], " ".join(r["domains"]) or "-",
             " ".join(r["patterns"]) or "-") for r in rows]
        widths = [max(len(row[i]) for row in table) for i in range(len(table[0]))]
        for row in table:
            print("  ".join(cell.ljust(w) for cell, w in zip(row, widths)).rstrip())
