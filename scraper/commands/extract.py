"""``scrapy extract <file or URL> [--url URL]``: one page's extraction as JSON, for maintainers
checking what the extractor makes of a page.

A URL is fetched the way a crawl fetches it, by the blog spider limited to this one page: its
comment pages, its comment system's endpoint and the WordPress REST API are asked too, so the
thread printed is the thread a crawl stores. A saved file is read alone (no network)."""
from __future__ import annotations

import json
import sys
from pathlib import Path

from scrapy.commands import ScrapyCommand
from scrapy.exceptions import UsageError

from ..extractors import ExtractionError, extract_page, load_packages
from ..fixtures import read_page


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
                                          "the site extractor)")
        parser.add_argument("--extractor", help="use this extractor (a name from `scrapy extractors`, "
                                                "or `generic`) instead of the one the URL picks")

    def run(self, args: list[str], opts) -> None:
        if len(args) != 1:
            raise UsageError()
        if args[0].startswith(("http://", "https://")):
            result = self.crawl_one(args[0], opts)
        else:
            body, url, ctype, _ = self.load(args[0], opts)
            result = self.extract(body, url, ctype, opts)
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
        return read_page(path), opts.url or path.resolve().as_uri(), None, path

    def extract(self, body: bytes, url: str, ctype: str | None, opts) -> dict:
        try:
            return extract_page(body, url, content_type=ctype, extractor=opts.extractor)
        except KeyError as exc:
            raise UsageError(exc.args[0]) from None
        except ExtractionError as exc:  # not a web page: say what it is, no traceback
            sys.stderr.write(f"{url}: {exc}\n")
            self.exitcode = 1
            raise SystemExit(1) from None

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
