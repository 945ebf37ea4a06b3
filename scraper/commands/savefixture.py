"""``scrapy savefixture <file or URL> [--url URL] [--name NAME] [--force]``: keep a page and its
current extraction as a site fixture under ``tests/fixtures/sites/<host>/``, for a maintainer to
review and commit. ``tests/test_site_fixtures.py`` then checks the extraction against it. An
existing fixture is replaced only with ``--force``: it holds reviewed, hand-corrected values."""
from __future__ import annotations

import gzip
import os
from pathlib import Path
from urllib.parse import urlsplit

from scrapy.exceptions import UsageError
from scrapy.utils.conf import closest_scrapy_cfg

from .extract import Command as ExtractCommand


class Command(ExtractCommand):
    def syntax(self) -> str:
        return "<file or URL> [--url URL] [--name NAME] [--dir DIR] [--force]"

    def short_desc(self) -> str:
        return "Save a page and its extraction as a site fixture (tests/fixtures/sites/)"

    def add_options(self, parser) -> None:
        from ..fixtures import FIXTURES  # here: a rebuild's start-up imports every command module
        super().add_options(parser)
        parser.add_argument("--name", help="fixture name (default: from the URL's last path segment)")
        parser.add_argument("--dir", help=f"fixtures folder (default: {FIXTURES.as_posix()}/ in the project)")
        parser.add_argument("--force", action="store_true",
                            help="replace the fixture if it exists (its reviewed values are lost)")

    def run(self, args: list[str], opts) -> None:
        if len(args) != 1:
            raise UsageError()
        if opts.extractor:
            raise UsageError("a fixture records what the registry picks for its URL; "
                             "--extractor is for `scrapy extract`")
        if not args[0].startswith(("http://", "https://")) and not opts.url:
            raise UsageError("a saved page needs --url: the fixture must not depend on where the file is")
        from ..fixtures import EXPECTED_SUFFIX, FIXTURES, Fixture, fixture_name, stable
        body, url, ctype, source = self.load(args[0], opts)
        root = Path(closest_scrapy_cfg() or ".").resolve().parent
        folder = Path(opts.dir or root / FIXTURES).resolve() / (urlsplit(url).hostname or "unknown")
        name = opts.name or fixture_name(url)
        expected = folder / f"{name}{EXPECTED_SUFFIX}"
        if expected.exists() and not opts.force:
            self.fail(f"{os.path.relpath(expected)} already exists, with its reviewed values: give "
                      "--force to replace it (and review the diff), or another --name")
        folder.mkdir(parents=True, exist_ok=True)
        result = self.extract(body, url, ctype, opts)
        fixture = Fixture(expected, url,
                          self._page_file(root, folder, name, body, source), ctype,
                          result["page"]["extractor"], stable(result))
        fixture.path.write_text(fixture.dump(), encoding="utf-8")
        article, thread = result["article"], result["comments"]
        print(f"{os.path.relpath(fixture.path, root)}: extractor {fixture.extractor}, "
              f"{'an article' if article else 'no article'}, {len(thread)} comments, "
              f"page {fixture.page}")
        print("Review the expected output, correct what is wrong, then commit both files.")

    def _page_file(self, root: Path, folder: Path, name: str, body: bytes,
                   source: Path | None) -> str:
        """The page's path relative to the project root. A page of the shared corpus is referred
        to (it must never be copied into the repository); any other is stored, gzipped."""
        from ..fixtures import SHARED_PREFIX
        shared = (root / SHARED_PREFIX).resolve()
        if source is not None and source.resolve().is_relative_to(shared):
            return SHARED_PREFIX + source.resolve().relative_to(shared).as_posix()
        page = folder / f"{name}.html.gz"
        page.write_bytes(gzip.compress(body, mtime=0))
        return Path(os.path.relpath(page, root)).as_posix()
