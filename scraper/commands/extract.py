"""``scrapy extract <file or URL> [--url URL]``: one page's extraction as JSON, for maintainers
checking what the extractor makes of a page.

A URL is fetched the way a crawl fetches it, by the blog spider limited to this one page: its
comment pages, its comment system's endpoint and the WordPress REST API are asked too, so the
thread printed is the thread a crawl stores. A saved file is read alone (no network); without
``--url``, the page's canonical URL picks its site extractor. A WARC file is refused: it holds a
crawl, not a page (``scrapy reextract`` reads it)."""
from __future__ import annotations

import gzip
import json
import sys
import zlib
from pathlib import Path
from typing import NoReturn

from lxml import html as lxml_html
from scrapy.commands import ScrapyCommand
from scrapy.exceptions import UsageError

from ..extractors import (ExtractionError, GenericExtractor, Page, extract_page, extractor_for,
                          load_packages, parse_html)
from ..extractors.metadata import canonical_url


def is_warc(path: Path) -> bool:
    """Whether ``path`` is a WARC file, gzipped or not: its first record starts ``WARC/1.``."""
    with path.open("rb") as f:
        head = f.read(2)
        f.seek(0)
        try:
            head = gzip.GzipFile(fileobj=f).read(8) if head == b"\x1f\x8b" else f.read(8)
        except (OSError, EOFError, zlib.error):  # a damaged gzip: whatever it is, not a WARC we read
            return False
    return head.startswith(b"WARC/1.")


class Command(ScrapyCommand):
    requires_project = True
    default_settings = {"LOG_ENABLED": False}

    def syntax(self) -> str:
        return "<file or URL> [--url URL] [--extractor NAME]"

    def short_desc(self) -> str:
        return "Print one page's extraction (article, comments) as JSON"

    def add_options(self, parser) -> None:
        super().add_options(parser)
        parser.add_argument("--url", help="the page's URL, for a saved file (resolves links and picks "
                                          "the site extractor; default: the page's canonical URL where "
                                          "a site extractor serves it)")
        parser.add_argument("--extractor", help="use this extractor (a name from `scrapy extractors`, "
                                                "or `generic`) instead of the one the URL picks")

    def run(self, args: list[str], opts) -> None:
        if len(args) != 1:
            raise UsageError()
        if args[0].startswith(("http://", "https://")):
            result = self.crawl_one(args[0], opts)
        else:
            body, url, ctype, _ = self.load(args[0], opts)
            page = body
            if not opts.url and not opts.extractor:
                page, url = self.by_canonical_url(body, url, ctype)
            result = self.extract(page, url, ctype, opts)
        json.dump({"article": result["article"], "comments": result["comments"],
                   "page": result["page"]}, sys.stdout, ensure_ascii=False, indent=2)
        sys.stdout.write("\n")

    def load(self, source: str, opts) -> tuple[bytes, str, str | None, Path | None]:
        """(body, URL, Content-Type, file) of a saved page (``.gz`` is read too) or a fetched URL."""
        load_packages(self.settings.getlist("EXTRACTOR_PACKAGES"))
        if source.startswith(("http://", "https://")):
            body, url, ctype = self._fetch(source)
            return body, opts.url or url, ctype, None
        path = Path(source)
        if not path.is_file():
            raise UsageError(f"no such file: {source}")
        if is_warc(path):  # read as one page, a whole crawl would give a made-up article
            self.fail(f"{source}: a WARC file, not a saved page; rebuild its pages with "
                      f"`scrapy reextract {source} -a out=DIR`")
        from ..fixtures import read_page  # here: a rebuild's start-up imports every command module
        return read_page(path), opts.url or path.resolve().as_uri(), None, path

    def by_canonical_url(self, body: bytes, url: str, ctype: str | None
                         ) -> tuple[bytes | lxml_html.HtmlElement, str]:
        """A saved page given without ``--url``, whose canonical URL (or ``og:url``) is one a site
        extractor serves: read it as that URL, as ``--url`` would, so the site's extractor reads
        it and its links resolve on the site; said on stderr. Returns the page (parsed once) and
        the URL to read it as: ``url`` unchanged for any other page, and for bytes that are not a
        page at all (``extract`` then says what they are)."""
        try:
            root = parse_html(body, ctype)
        except ExtractionError:
            return body, url
        canonical = canonical_url(Page(root, url))
        chosen = extractor_for(canonical) if canonical.startswith(("http://", "https://")) else None
        if chosen is None or chosen is GenericExtractor:
            return root, url
        sys.stderr.write(f"No --url: read as the page's canonical URL {canonical}, which picks the "
                         f"{chosen.name}/{chosen.version} extractor (--url or --extractor to choose)\n")
        return root, canonical

    def extract(self, body: bytes | lxml_html.HtmlElement, url: str, ctype: str | None, opts) -> dict:
        try:
            return extract_page(body, url, content_type=ctype, extractor=opts.extractor)
        except KeyError as exc:
            raise UsageError(exc.args[0]) from None
        except ExtractionError as exc:  # not a web page: say what it is, no traceback
            self.fail(f"{url}: {exc}")

    def fail(self, message: str) -> NoReturn:
        """One line on stderr and exit 1: input the command cannot use, no usage text or traceback."""
        sys.stderr.write(message + "\n")
        self.exitcode = 1
        raise SystemExit(1)

    def crawl_one(self, url: str, opts) -> dict:
        """The page and its whole thread, assembled by the blog spider exactly as in a crawl."""
        from scrapy import signals

        from ..extractors import extractor_named
        from ..spiders.blog import BlogSpider

        load_packages(self.settings.getlist("EXTRACTOR_PACKAGES"))
        if opts.extractor:
            try:
                extractor_named(opts.extractor)
            except KeyError as exc:
                raise UsageError(exc.args[0]) from None
        items: list = []
        # One page to look at, not a crawl: no dataset, no capture, no re-crawl validators.
        self.settings.setdict({"ITEM_PIPELINES": {}, "WARC_ENABLED": False, "INCREMENTAL_ENABLED": False,
                               "EXTENSIONS": {}}, priority="cmdline")
        crawler = self.crawler_process.create_crawler(BlogSpider)
        def collect(item, **_) -> None:
            items.append(item)
        # Signals hold their receivers weakly: ``collect`` lives as long as this call.
        crawler.signals.connect(collect, signal=signals.item_scraped)
        self.crawler_process.crawl(crawler, url=url, single_page=True, extractor=opts.extractor,
                                   crawl="extract")
        self.crawler_process.start()
        spider = crawler.spider
        result = next(iter(spider.results.values()), None) if spider else None
        if result is None:
            raise UsageError(f"could not fetch or read {url} (-s LOG_ENABLED=True shows why)")
        if items:
            result = dict(result, article=items[0].article, comments=items[0].comments)
        return result

    def _fetch(self, url: str) -> tuple[bytes, str, str | None]:
        """Fetch through Scrapy, so robots.txt, the user agent and proxies apply as in a crawl."""
        from scrapy import Request, Spider

        result: dict = {}

        class FetchOne(Spider):
            name = "extract-fetch"
            # One page to look at, not a crawl: no dataset, no capture, no re-crawl validators.
            custom_settings = {"ITEM_PIPELINES": {}, "WARC_ENABLED": False, "INCREMENTAL_ENABLED": False,
                               "EXTENSIONS": {}}

            async def start(self):
                yield Request(url, callback=self.keep, errback=self.failed, dont_filter=True)

            def keep(self, response):
                result["response"] = response

            def failed(self, failure):
                result["error"] = failure

        self.crawler_process.crawl(FetchOne)
        self.crawler_process.start()
        if "response" not in result:
            error = result.get("error")
            raise UsageError(f"could not fetch {url}: {error.value if error else 'no response'}")
        response = result["response"]
        ctype = (response.headers.get("Content-Type") or b"").decode("latin-1") or None
        return response.body, response.url, ctype
