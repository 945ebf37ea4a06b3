"""The blog spider: follow one blog's pages, feeds and sitemaps; turn each article page, its
comment pages, its comment system's answers (Disqus, a Blogger feed, an Isso server ...) and (on
WordPress) its REST API answers into one ArticleItem."""
from __future__ import annotations

import ipaddress
import json
import logging
from dataclasses import dataclass, field, replace
from datetime import datetime, timezone
from pathlib import Path
from urllib.parse import urljoin, urlsplit

import scrapy
from scrapy import signals
from scrapy.exceptions import IgnoreRequest
from scrapy.http import Response, TextResponse
from twisted.python.failure import Failure

from pipelines.ledger import stored_article_ids

from .. import commentsystems, wordpress
from ..extractors import ExtractionError, extract_page, load_packages, parse_html
from ..signals import article_claim, page_error
from ..extractors.interstitial import interstitial
from ..extractors.decoding import binary_reason
from ..extractors.page import Page
from ..extractors.comments import comment_page_number
from ..items import ArticleItem
from ..limits import PageLimitReached
from ..outcome import CrawlSetupError
from ..seeds import read_seeds, seed
from ..threads import CommentThread
from ..urls import absolute, absolute_links, normalize_url, safe_join, split_or_none
from . import discovery
from .links import ArticleIds, FollowedLinks

log = logging.getLogger(__name__)
CHAIN_PRIORITY = 10  # finish an article's comment pages and API calls before new pages
HTML_TYPES = (b"text/html", b"application/xhtml")


# A blog's own page (start, listing, article), as MAX_PAGES_PER_SITE counts them (scraper/limits.py).
PAGE_META = {"site_page": True}


@dataclass
class ArticleAssembly:
    """An article waiting for the rest of its thread (more comment pages, REST answers)."""
    article: dict
    thread: CommentThread = field(default_factory=CommentThread)
    todo_pages: list[str] = field(default_factory=list)
    seen_pages: set[str] = field(default_factory=set)
    api_root: str | None = None
    api_page: int = 1
    declared_comments: int | None = None  # what the page says its thread holds
    embed: dict | None = None  # the comment system the page uses, and its endpoint's parameters
    system_fetch: commentsystems.Fetch | None = None  # its next request
    system_started: bool = False
    system_urls: set[str] = field(default_factory=set)  # asked already: a paging loop ends here
    incomplete: list[str] = field(default_factory=list)  # why comments are known to be missing
    lease: object = None  # a shared crawl's lease on the page it came from (scraper/shared.py)


class BlogSpider(scrapy.Spider):
    name = "blog"

    def __init__(self, url: str | None = None, out: str | None = None, crawl: str | None = None,
                 hosts: str | None = None, seeds: str | None = None, single_page: bool = False,
                 extractor: str | None = None, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # ``scrapy extract URL``: this one page with its whole thread (comment pages, comment
        # system, REST API), nothing else of the blog; ``extractor`` overrides the registry.
        self.single_page, self.extractor = single_page, extractor
        self.results: dict[str, dict] = {}  # single_page: each extracted page's result
        if not url and not seeds:
            raise CrawlSetupError("no start URL: give one with -a url=<URL>, e.g. "
                                  "scrapy crawl blog -a url=https://blog.example.org/, or a seed list "
                                  "with -a seeds=FILE")
        # A collection (-a seeds=FILE) or one blog: each seed its own scope, all in one dataset.
        self.seeds = read_seeds(seeds) if seeds else [seed(url, hosts or "")]
        self.start_url = self.seeds[0].url
        self.hosts = {h for s in self.seeds for h in s.hosts}
        self._site_hosts = {_site_host(f"//{h}") for h in self.hosts}  # without www. or default port
        self._seed_urls = {s.url for s in self.seeds}
        stamp = datetime.now(timezone.utc).strftime("%Y%m%dT%H%M%SZ")
        name = Path(seeds).stem if seeds else self.seeds[0].hosts[0].replace(":", "_")
        self.crawl_id = crawl or f"{name}-{stamp}"
        self.out = out
        self._articles = ArticleIds()  # assembled here, or stored by a killed run of this crawl
        self._followed = FollowedLinks()  # pages asked for already: not built again to be dropped
        self._assembling: dict[str, ArticleAssembly] = {}  # articles waiting for their thread
        self._stored_before: set[str] = set()  # a resumed run: stored by the killed run
        self._users: dict[str, list | None] = {}
        self._waiting_for_users: dict[str, list[ArticleAssembly]] = {}

    @classmethod
    def from_crawler(cls, crawler, *args, crawl: str | None = None, **kwargs):
        spider = super().from_crawler(crawler, *args, crawl=crawl, **kwargs)
        # Settings are not frozen yet: spider arguments become the settings pipelines read.
        if spider.out:
            crawler.settings.set("DATASET_ROOT", spider.out, priority="spider")
        if crawler.settings.get("REDIS_URL") and not crawl:
            # Workers find each other by the crawl id: a default one (with the time) differs per worker.
            raise CrawlSetupError("a shared crawl (REDIS_URL) needs a crawl id that every worker is given: "
                                  "-a crawl=NAME")
        crawler.settings.set("CRAWL_ID", spider.crawl_id, priority="spider")
        crawler.settings.set("CRAWL_START_URL", spider.start_url, priority="spider")
        crawler.settings.set("CRAWL_SEEDS", [s.as_line() for s in spider.seeds], priority="spider")
        crawler.signals.connect(spider._on_robots, signal=signals.robots_parsed)
        # A resumed crawl: articles already stored are not assembled again.
        spider._stored_before = stored_article_ids(
            Path(crawler.settings.get("DATASET_ROOT") or "datasets") / spider.crawl_id)
        spider._articles.update(spider._stored_before)
        load_packages(crawler.settings.getlist("EXTRACTOR_PACKAGES"))  # fails the start if one is missing
        commentsystems.load_packages(crawler.settings.getlist("COMMENT_SYSTEM_PACKAGES"))
        return spider

    async def start(self):
        for s in self.seeds:
            if s.url == normalize_url(s.url):  # as _follow would ask for it: every page links home
                self._followed.add(s.url)
            yield scrapy.Request(s.url, callback=self.parse_page, errback=self.page_failed,
                                 meta=PAGE_META)
            if self.single_page:
                return
            for path in ("/wp-sitemap.xml", "/sitemap.xml"):
                yield self._probe(urljoin(s.url, path), self.parse_sitemap)

    # -- discovery ----------------------------------------------------------------------
    def _on_robots(self, robotparser, request) -> None:
        if self.single_page:
            return
        for url in discovery.robots_sitemaps(robotparser):
            if _netloc(url) in self.hosts:
                self.crawler.engine.crawl(self._probe(url, self.parse_sitemap))

    def parse_sitemap(self, response: Response):
        children, pages = discovery.sitemap_links(response.body)
        for url in children:
            if _netloc(url) in self.hosts:
                yield self._probe(url, self.parse_sitemap)
        # The pages the sitemaps list: the total the progress line estimates the end from.
        self.crawler.stats.inc_value("blog/sitemap_urls", sum(discovery.is_page_link(u, self.hosts) for u in pages))
        yield from self._follow(pages, self._below_depth_limit(response))

    def parse_feed(self, response: Response):
        yield from self._follow(discovery.feed_links(response.body), self._below_depth_limit(response))

    def _follow(self, urls, remember: bool = True):
        """Requests for the pages among ``urls`` not asked for before. ``remember`` false: these
        requests may be dropped before the duplicate filter sees them (past DEPTH_LIMIT), so a
        later link to the same page must still be followed."""
        followed = self._followed
        for url in urls:
            # Without its fragment: no request has one, and a comment's permalink (#comment-N)
            # is its article's page, one entry rather than one per comment.
            url = url.partition("#")[0]
            if url in followed:
                continue
            if not discovery.is_page_link(url, self.hosts):
                continue
            page = normalize_url(url)
            if remember:
                followed.add(url)
                if page != url:
                    if page in followed:
                        continue
                    followed.add(page)
            yield scrapy.Request(page, callback=self.parse_page, errback=self.page_failed, meta=PAGE_META)

    def _below_depth_limit(self, response: Response) -> bool:
        """Whether links found on ``response`` pass DepthMiddleware (and so reach the filter)."""
        limit = self.settings.getint("DEPTH_LIMIT")
        return not limit or response.meta.get("depth", 0) + 1 <= limit

    def _probe(self, url: str, callback) -> scrapy.Request:
        """A discovery request (sitemap, feed) whose absence is normal, not an error."""
        return scrapy.Request(url, callback=callback, errback=self.probe_failed,
                              meta={"optional": True})

    def _page_links(self, root, base: str) -> list[str]:
        hrefs = root.xpath("//a/@href | //link[@rel='next' or @rel='prev']/@href")
        return absolute_links(base, hrefs)  # a malformed one is skipped

    def _feeds(self, root, base: str):
        for href in root.xpath("//link[@rel='alternate' and (contains(@type, 'rss') or "
                               "contains(@type, 'atom'))]/@href"):
            url = absolute(base, str(href))
            if url and _netloc(url) in self.hosts:
                yield self._probe(url, self.parse_feed)

    # -- pages --------------------------------------------------------------------------
    def parse_page(self, response: Response):
        root = self._tree(response)
        if root is None:
            return
        page = Page(root, response.url)  # its lookups serve the extraction too
        served_instead = interstitial(page)
        if served_instead:
            # Not the page: neither its links nor its text are the site's. Listed, and checked
            # before the unchanged-page short-cut, so every crawl reports it and may retry it.
            self._page_error(response.url, logging.ERROR, "Not stored %s: a %s page was served instead of the page",
                             served_instead)
            self.crawler.stats.inc_value("blog/interstitial_pages")
            return
        if not self.single_page:
            if response.meta.get("depth", 0) == 0:  # a seed's start page (or where it redirected)
                yield from self._feeds(root, response.url)
            yield from self._follow(self._page_links(root, response.url), self._below_depth_limit(response))
        if response.meta.get("revalidated") or response.meta.get("unchanged_content"):
            # Unchanged since the last crawl (a 304, or the same bytes): its links are followed,
            # its article and thread are already stored, so nothing is extracted again.
            self.crawler.stats.inc_value("blog/unchanged_pages_not_extracted")
            return
        result = self._extract(page, response.url)
        if self.single_page and result is not None:
            self.results[response.url] = result
        article = result and result["article"]
        if not article or article["article_id"] in self._articles or not self._claim(article["article_id"]):
            if article and article["article_id"] in self._stored_before:
                self._stored_before.discard(article["article_id"])  # counted once
                self.crawler.stats.inc_value("blog/already_stored")
            return
        self._articles.add(article["article_id"])
        article.update(_capture(response))
        article["fetched_at"] = article["fetched_at"] or datetime.now(timezone.utc).isoformat()
        assembly = ArticleAssembly(article, api_root=self._in_scope(result["page"]["rest_api_root"]),
                                   declared_comments=result["page"].get("declared_comment_count"),
                                   embed=result["page"].get("comment_system") if self._systems_enabled else None,
                                   lease=response.meta.get("lease"))
        self._assembling[article["article_id"]] = assembly
        links = result["page"]["comment_page_urls"]
        assembly.thread.add_page(None, _captured(result["comments"], response))
        assembly.seen_pages.add(normalize_url(response.url))
        assembly.todo_pages.extend(links)
        yield from self._advance(assembly)

    def _claim(self, article_id: str) -> bool:
        """False when another worker of a shared crawl assembles (or stored) the article."""
        answers = self.crawler.signals.send_catch_log(article_claim, article_id=article_id)
        return all(answer is not False for _, answer in answers)

    def held_leases(self) -> set:
        """The leases (scraper/shared.py) of the articles whose thread is still being assembled:
        their work is not stored yet."""
        return {a.lease for a in self._assembling.values() if a.lease is not None}

    def _is_html(self, response: Response) -> bool:
        ctype = (response.headers.get("Content-Type") or b"").lower()
        if not isinstance(response, TextResponse) or (ctype and not any(t in ctype for t in HTML_TYPES)):
            self._page_error(response.url, logging.WARNING, "Skipped non-HTML response %s (Content-Type %r)",
                             ctype.decode(errors="replace"))
            return False
        reason = binary_reason(response.body)
        if reason:
            self._page_error(response.url, logging.ERROR, "Skipped binary body served as HTML: %s (%s)", reason)
            return False
        return True

    def _tree(self, response: Response):
        """The page parsed once, exactly as ``extract_page`` parses bytes (same decoding, same
        limits), for both the links to follow and the extraction."""
        if not self._is_html(response):
            return None
        ctype = (response.headers.get("Content-Type") or b"").decode("latin-1") or None
        try:
            return parse_html(response.body, ctype)
        except ExtractionError as exc:  # input the extractor refuses, with the reason: no traceback
            self._page_error(response.url, logging.ERROR, "Not extracted %s: %s", exc)
            self.crawler.stats.inc_value("extract/errors")
            return None

    def _extract(self, root, url: str) -> dict | None:
        """``extract_page`` of the parsed page (its tree or its ``Page``), its errors listed."""
        try:
            result = extract_page(root, url, extractor=self.extractor)
        except ExtractionError as exc:
            self._page_error(url, logging.ERROR, "Not extracted %s: %s", exc)
            self.crawler.stats.inc_value("extract/errors")
            return None
        except Exception as exc:  # one broken page must not end an archival crawl
            self.logger.exception("Extraction failed for %s", url)
            self._page_error(url, None, f"Extraction failed: {exc!r}")
            self.crawler.stats.inc_value("extract/errors")
            return None
        if result["page"].get("fallback_from"):  # extract_page logged the traceback
            self._page_error(url, None, f"Extractor {result['page']['fallback_from']} failed; generic result used")
        return result

    def _page_error(self, url: str, level: int | None, message: str, *args) -> None:
        """Log (unless ``level`` is None: already logged) and record in the crawl's manifest."""
        if level is not None:
            self.logger.log(level, message, url, *args)
            message = message % (url, *args)
        self.crawler.signals.send_catch_log(page_error, url=url, message=message)

    def page_failed(self, failure: Failure):
        self._log_failure(failure, logging.ERROR)

    def probe_failed(self, failure: Failure):
        # Optional discovery endpoints (sitemaps, feeds) are often absent: an HTTP error answer
        # is no error, nor a probe refused (robots.txt, a feed moved to another host such as
        # FeedBurner). A probe that got no answer at all (a timeout, a reset) is still listed.
        if getattr(failure.value, "response", None) is not None or failure.check(IgnoreRequest):
            self.logger.debug("Optional %s: %s", failure_reason(failure), failure.request.url)
            return
        self._log_failure(failure, logging.WARNING)

    def _log_failure(self, failure: Failure, level: int) -> None:
        """Log a failed request and list it in crawl.json with its reason. An HTTP error answer
        is listed by the storage pipeline as it arrives; a URL robots.txt forbids is the site's
        wish, counted but not a failure."""
        reason = failure_reason(failure)
        # Listed under the URL the crawl asked for, not the last one of its redirects.
        url = (failure.request.meta.get("redirect_urls") or [failure.request.url])[0]
        if failure.check(PageLimitReached):  # counted by the limit, per seed
            return
        if failure.check(IgnoreRequest) and "robots.txt" in str(failure.value):
            self.crawler.stats.inc_value("blog/forbidden_by_robots")
            if url in self._seed_urls:  # the whole blog may be closed to crawlers
                self._page_error(url, logging.ERROR, "Not fetched %s: robots.txt forbids the start page")
            else:
                self.logger.debug("Not fetched, %s: %s", reason, url)
            return
        self.logger.log(level, "Request failed (%s): %s", reason, url)
        if getattr(failure.value, "response", None) is None:
            self._page_error(url, None, f"Request failed: {reason}")

    # -- scope ----------------------------------------------------------------------------
    def _in_scope(self, url: str | None) -> str | None:
        """``url`` if it is on the crawl's hosts (or their ``www.`` twins), else None: a page
        copied to another host still names its original's REST API, which is not this blog."""
        if not url:
            return None
        return url if _netloc(url) in self.hosts or _site_host(url) in self._site_hosts else None

    def redirect_refused(self, source: str, target: str) -> str | None:
        """Why a redirect from ``source`` to ``target`` is not followed, or None. A redirect
        stays on the crawl's hosts (``-a hosts=`` adds more), on the host it came from (a
        comment system's endpoint), or moves between a host and its ``www.`` twin; anything else
        would archive another site's page as this blog's."""
        if self._in_scope(target) or _site_host(target) == _site_host(source):
            return None
        return (f"a redirect to another host ({_netloc(target)}) is not followed: "
                f"add it with -a hosts=... to allow it")

    # -- one article's thread -----------------------------------------------------------
    def _advance(self, a: ArticleAssembly):
        """Next step for an article: another comment page, its comment system's endpoint, the
        REST API, the author's bio, or, when nothing is left, the finished item."""
        while a.todo_pages:
            url = normalize_url(a.todo_pages.pop(0))
            if url not in a.seen_pages:
                a.seen_pages.add(url)
                yield self._chain(url, self.parse_comment_page, self.comment_page_failed, a)
                return
        if a.embed and not a.system_started:
            a.system_started = True
            a.system_fetch = self._first_fetch(a)
        fetch, a.system_fetch = a.system_fetch, None
        if fetch is not None and len(a.system_urls) >= self.settings.getint("COMMENT_SYSTEM_MAX_REQUESTS"):
            # A server that says its thread has a billion pages must not keep the crawl forever.
            a.incomplete.append(f"{a.embed['system']}: stopped after {len(a.system_urls)} requests")
            fetch = None
        if fetch is not None and fetch.url not in a.system_urls:
            a.system_urls.add(fetch.url)
            refused = self._refused_endpoint(fetch.url)
            if refused:  # reported with the article's incomplete thread
                a.incomplete.append(f"{a.embed['system']}: {refused}")
            else:
                yield self._system_request(fetch, a)
                return
        if a.api_root and a.article.get("post_id") and self._rest_enabled and a.api_page > 0:
            url = wordpress.comments_url(a.api_root, a.article["post_id"], a.api_page)
            yield self._chain(url, self.parse_rest_comments, self.rest_failed, a)
            return
        yield from self._bio_then_finish(a)

    @property
    def _systems_enabled(self) -> bool:
        return self.crawler.settings.getbool("COMMENT_SYSTEMS_ENABLED", True)

    @property
    def _rest_enabled(self) -> bool:
        return self.crawler.settings.getbool("WORDPRESS_REST_API", True)

    def _chain(self, url: str, callback, errback, a: ArticleAssembly) -> scrapy.Request:
        # Past the duplicate filter: a dropped request would leave the article unfinished and
        # lost. The assembly's own seen_pages keeps each thread page to one fetch.
        return scrapy.Request(url, callback=callback, errback=errback, priority=CHAIN_PRIORITY,
                              cb_kwargs={"a": a}, meta=_thread_meta(a), dont_filter=True)

    def parse_comment_page(self, response: Response, a: ArticleAssembly):
        root = self._tree(response)
        if root is not None:
            result = self._extract(root, response.url)
            if result is not None:
                number = comment_page_number(response.url) or 1
                a.thread.add_page(number, _captured(result["comments"], response))
                a.todo_pages.extend(result["page"]["comment_page_urls"])
        yield from self._advance(a)

    def comment_page_failed(self, failure: Failure):
        self._log_failure(failure, logging.ERROR)
        yield from self._advance(failure.request.cb_kwargs["a"])

    def parse_rest_comments(self, response: Response, a: ArticleAssembly):
        try:
            rows = wordpress.parse_comments(json.loads(response.body))
        except (ValueError, UnicodeDecodeError) as exc:
            self._page_error(response.url, logging.ERROR,
                             "Invalid REST comments JSON at %s (%s); parents come from HTML", exc)
            self.crawler.stats.inc_value("wordpress/rest_invalid_json")
            a.api_page = 0
        else:
            a.thread.add_api(_captured(rows, response))
            pages = wordpress.total_pages(response.headers.get("X-WP-TotalPages"), len(rows))
            a.api_page = a.api_page + 1 if a.api_page < pages and rows else 0
        yield from self._advance(a)

    # -- the comment system's endpoint (commentsystems/) ---------------------------------
    def _first_fetch(self, a: ArticleAssembly) -> commentsystems.Fetch | None:
        name = a.embed["system"]
        try:
            return commentsystems.system_named(name).first_fetch(_embed(a), self.crawler.settings)
        except commentsystems.Unavailable as exc:
            a.incomplete.append(f"{name}: {exc}")
        except KeyError:
            a.incomplete.append(f"{name}: no such comment system is installed")
        except Exception as exc:  # noqa: BLE001 - a system's bug must not cost the article
            self.logger.exception("Comment system %s failed on %s", name, a.article["url"])
            a.incomplete.append(f"{name}: failed ({exc!r})")
        return None

    def _refused_endpoint(self, url: str) -> str | None:
        """Why a page-named endpoint is not asked: only http(s), and no private, loopback or
        link-local address unless the blog itself is on one (a page must not make the crawler
        read local files or reach the machine's own network)."""
        parts = split_or_none(url)
        if parts is None or parts.scheme not in ("http", "https") or not parts.hostname:
            return f"not an http(s) URL: {url[:200]}"
        if _private_host(parts.hostname) and not any(_private_host(urlsplit(s.url).hostname or "")
                                                     for s in self.seeds):
            return f"a private or local address: {url[:200]}"
        return None

    def _system_request(self, fetch: commentsystems.Fetch, a: ArticleAssembly) -> scrapy.Request:
        return scrapy.Request(fetch.url, method=fetch.method, body=fetch.body, headers=dict(fetch.headers),
                              callback=self.parse_system_comments, errback=self.system_failed,
                              priority=CHAIN_PRIORITY, cb_kwargs={"a": a, "fetch": fetch},
                              meta={**_thread_meta(a), "comment_system": a.embed["system"]},
                              dont_filter=True)

    def parse_system_comments(self, response: Response, a: ArticleAssembly, fetch: commentsystems.Fetch):
        name = a.embed["system"]
        try:
            batch = commentsystems.system_named(name).parse(_embed(a), fetch, response.body,
                                                            response.headers.to_unicode_dict())
        except commentsystems.CommentSystemError as exc:
            # The thread the page prints (if any) is kept; what the endpoint held is missing.
            self._page_error(response.url, logging.ERROR, "Invalid answer at %s from the %s comment system (%s); "
                             "comments from the page only", name, exc)
            self.crawler.stats.inc_value(f"commentsystems/{name}/invalid")
            a.incomplete.append(f"{name}: invalid answer from {response.url}")
        except Exception as exc:  # noqa: BLE001 - a system's bug must not cost the article
            self.logger.exception("Comment system %s failed on %s", name, response.url)
            self._page_error(response.url, None, f"Comment system {name} failed: {exc!r}")
            a.incomplete.append(f"{name}: failed to read {response.url}")
        else:
            a.thread.add_api(_captured(batch.comments, response))
            self.crawler.stats.inc_value(f"commentsystems/{name}/comments", len(batch.comments))
            if batch.incomplete:
                a.incomplete.append(f"{name}: {batch.incomplete}")
            # A next page may be named relative to the answer (a feed's rel="next", a Link header).
            a.system_fetch = _absolute(batch.next, response.url)
            if batch.next is not None and a.system_fetch is None:
                a.incomplete.append(f"{name}: a malformed next-page URL at {response.url}")
        yield from self._advance(a)

    def system_failed(self, failure: Failure):
        a = failure.request.cb_kwargs["a"]
        response = getattr(failure.value, "response", None)
        what = f"HTTP {response.status}" if response is not None else failure.value.__class__.__name__
        if failure.check(IgnoreRequest) and response is None:
            what = "refused by robots.txt or a download limit"
        self._page_error(failure.request.url, logging.WARNING, "Comment system request failed at %s (%s: %s)",
                         a.embed["system"], what)
        a.incomplete.append(f"{a.embed['system']}: {what} at {failure.request.url}")
        yield from self._advance(a)

    def rest_failed(self, failure: Failure):
        self._log_failure(failure, logging.WARNING)
        a = failure.request.cb_kwargs["a"]
        a.api_page = 0
        yield from self._advance(a)

    # -- author bio from the REST users list, fetched once per site and shared ----------
    def _bio_then_finish(self, a: ArticleAssembly):
        if a.article.get("author_bio") or not a.api_root or not self._rest_enabled:
            yield self._finish(a)
            return
        if a.api_root in self._users:
            yield self._finish(self._with_user_bio(a, self._users[a.api_root]))
            return
        waiting = self._waiting_for_users.setdefault(a.api_root, [])
        waiting.append(a)
        if len(waiting) == 1:
            yield self._users_request(a.api_root, 1, [])

    def _users_request(self, api_root: str, page: int, found: list) -> scrapy.Request:
        return scrapy.Request(wordpress.users_url(api_root, page), callback=self.parse_users,
                              errback=self.users_failed, priority=CHAIN_PRIORITY, dont_filter=True,
                              meta={"local": True},  # the articles waiting for it are held here
                              cb_kwargs={"api_root": api_root, "page": page, "found": found})

    def parse_users(self, response: Response, api_root: str, page: int, found: list):
        try:
            users = wordpress.parse_users(json.loads(response.body))
        except (ValueError, UnicodeDecodeError) as exc:
            self._page_error(response.url, logging.ERROR, "Invalid REST users JSON at %s (%s)", exc)
            yield from self._release_users(api_root, found or None)
            return
        found = found + users
        pages = wordpress.total_pages(response.headers.get("X-WP-TotalPages"), 0)
        if page < pages and users:
            yield self._users_request(api_root, page + 1, found)
        else:
            yield from self._release_users(api_root, found)

    def users_failed(self, failure: Failure):
        self._log_failure(failure, logging.WARNING)
        kwargs = failure.request.cb_kwargs
        yield from self._release_users(kwargs["api_root"], kwargs["found"] or None)

    def _release_users(self, api_root: str, users: list | None):
        self._users[api_root] = users
        for a in self._waiting_for_users.pop(api_root, []):
            yield self._finish(self._with_user_bio(a, users))

    def _with_user_bio(self, a: ArticleAssembly, users: list | None) -> ArticleAssembly:
        if users:
            user = wordpress.find_user(users, a.article.get("author_name"), a.article.get("author_url"))
            bio = wordpress.user_bio(user)
            if bio:
                a.article["author_bio"], a.article["bio_source"] = bio, "api"
            if user and not a.article.get("author_url"):
                a.article["author_url"] = user.get("link")
        return a

    def _finish(self, a: ArticleAssembly) -> ArticleItem:
        self._assembling.pop(a.article["article_id"], None)
        comments = a.thread.rows()
        for row in comments:
            row["article_id"] = a.article["article_id"]
            row["article_url"] = a.article["canonical_url"]
        a.article["comment_count"] = len(comments)
        short = a.declared_comments is not None and len(comments) < a.declared_comments
        if short:
            # Markup that broke off, comments loaded by script, pages not linked: say so.
            self._page_error(a.article["url"], logging.WARNING,
                             "Incomplete thread at %s: the page states %d comments, %d were found",
                             a.declared_comments, len(comments))
        for reason in a.incomplete:
            self._page_error(a.article["url"], logging.WARNING, "Incomplete thread at %s: %s", reason)
        a.article["comments_complete"] = not (short or a.incomplete)
        if not a.article["comments_complete"]:
            self.crawler.stats.inc_value("blog/incomplete_threads")
        self.crawler.stats.inc_value("blog/articles")
        self.crawler.stats.inc_value("blog/comments", len(comments))
        return ArticleItem(article=a.article, comments=comments)


def _site_host(url: str) -> str:
    """The host a URL names, with no ``www.``, no default port (http → https keeps it)."""
    parts = split_or_none(url)
    if parts is None:
        return ""
    host = (parts.hostname or "").removeprefix("www.")
    try:
        port = parts.port if parts.port not in (None, 80, 443) else None
    except ValueError:  # a port that is no number
        return host
    return f"{host}:{port}" if port else host


def _netloc(url: str) -> str:
    """Host and port of ``url`` in lower case; "" for a malformed one."""
    parts = split_or_none(url)
    return parts.netloc.lower() if parts else ""


def failure_reason(failure: Failure) -> str:
    """A failed request's reason in a few words: ``HTTP 503``, ``timed out``, ``DNS lookup
    failed`` ..., else the exception's own."""
    response = getattr(failure.value, "response", None)
    if response is not None:
        return f"HTTP {response.status}"
    text = failure.getErrorMessage()  # a refusal (IgnoreRequest) says it all in its message
    if not failure.check(IgnoreRequest):
        text = f"{failure.type.__name__}: {text}"
    for marker, reason in _FAILURE_REASONS:
        if marker in text:
            return reason
    return text[:300]


# Markers in a download failure's type or message → the reason listed in crawl.json.
_FAILURE_REASONS = (
    ("DataLoss", "the connection closed before the whole body arrived (data loss)"),
    ("TimeoutError", "timed out (DOWNLOAD_TIMEOUT)"),
    ("DNS lookup failed", "DNS lookup failed"),
    ("ConnectionRefusedError", "connection refused"),
    ("ConnectionLost", "connection lost"),
    ("max redirections reached", "too many redirects (REDIRECT_MAX_TIMES)"),
    ("larger than download max size", "the body is larger than DOWNLOAD_MAXSIZE: not downloaded"),
    ("BadGzipFile", "the compressed body is corrupt"),
    ("zlib.error", "the compressed body is corrupt"),
    ("Error -3 while decompressing", "the compressed body is corrupt"),
)


def _absolute(fetch: commentsystems.Fetch | None, base: str) -> commentsystems.Fetch | None:
    if fetch is None:
        return None
    url = safe_join(base, fetch.url)
    if url is None:  # malformed: the caller marks the thread incomplete
        return None
    return fetch if url == fetch.url else replace(fetch, url=url)


def _private_host(host: str) -> bool:
    if host.lower() in ("localhost", "localhost.localdomain"):
        return True
    try:
        address = ipaddress.ip_address(host.strip("[]"))
    except ValueError:
        return False  # a name: not resolved here
    return address.is_private or address.is_loopback or address.is_link_local or address.is_reserved


def _thread_meta(a: ArticleAssembly) -> dict:
    """Meta of a request of an article's thread: ``local``, since the partial thread it carries
    lives in this process (a shared crawl keeps it on this worker), under the page's lease."""
    return {"article_id": a.article["article_id"], "local": True, "lease": a.lease}


def _embed(a: ArticleAssembly) -> commentsystems.Embed:
    return commentsystems.Embed(a.embed["system"], a.embed.get("params") or {})


def _capture(response: Response) -> dict:
    """Where the response is archived (WarcCaptureMiddleware / WarcReplayMiddleware) and when
    it was fetched; None values without WARC capture."""
    return {k: response.meta.get(k) for k in ("warc_file", "warc_record_id", "fetched_at")}


def _captured(comments: list[dict], response: Response) -> list[dict]:
    """Comments tagged with the capture they were read from: a merged thread keeps, for each
    comment, the page (or REST answer) that gave it."""
    capture = _capture(response)
    del capture["fetched_at"]
    for c in comments:
        c.update(capture)
    return comments
