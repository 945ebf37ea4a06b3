"""Progress for people watching a crawl: pages fetched, articles and comments stored, the rate,
the queue, errors, and an estimate of the time left where the sitemaps gave a total.

On a terminal (stderr a tty) one live line, redrawn under the log (``rich``); elsewhere (a log
file, CI) one log line every ``PROGRESS_INTERVAL`` seconds (0: none). Everything is read from
Scrapy's stats and the engine: the spider counts ``blog/articles``, ``blog/comments`` and
``blog/sitemap_urls``, the dataset ``crawl/errors``; neither is imported here.

``quiet_preamble()`` demotes the lists Scrapy logs at INFO when a crawl starts (versions,
overridden settings, enabled add-ons, extensions, middlewares, pipelines) to DEBUG: ``-s LOG_LEVEL=DEBUG``
shows them as before.
"""
from __future__ import annotations

import atexit
import logging
import sys
import time
from collections import deque
from dataclasses import dataclass

from scrapy import signals
from twisted.internet import task

log = logging.getLogger(__name__)

LIVE_REFRESH = 0.5  # seconds between redraws of the live line
RATE_WINDOW = 60.0  # the rate is over the last minute (or the crawl so far, if shorter)


@dataclass
class Figures:
    pages: int
    articles: int
    comments: int
    errors: int
    queued: int | None
    pages_per_min: float
    sitemap_urls: int
    remaining: int  # of the pages the sitemaps list, those not yet stored or found unchanged
    eta: float | None  # seconds, where the sitemaps gave a total and articles are being stored

    def text(self) -> str:
        queued = "-" if self.queued is None else str(self.queued)
        line = (f"{self.pages} pages fetched ({self.pages_per_min:.1f} pages/min), {self.articles} articles, "
                f"{self.comments} comments, {queued} queued, {self.errors} errors")
        return line + self.eta_text()

    def eta_text(self) -> str:
        if not self.sitemap_urls:
            return ""
        left = f", about {duration(self.eta)} left" if self.eta is not None and self.remaining > 0 else ""
        return f"; sitemaps list {self.sitemap_urls} pages{left}"


def duration(seconds: float) -> str:
    seconds = int(round(seconds))
    if seconds < 60:
        return f"{seconds}s"
    hours, rest = divmod(seconds, 3600)
    return f"{hours}h {rest // 60:02d}m" if hours else f"{rest // 60}m {rest % 60:02d}s"


class Progress:
    """Scrapy extension (``EXTENSIONS``): the live line, or the periodic log line."""

    def __init__(self, crawler, interval: float, live: bool):
        self.crawler = crawler
        self.stats = crawler.stats
        self.interval = interval
        self.live = live
        # Also log the plain line where the log does not go to the terminal the live line is on.
        self.log_lines = interval > 0 and (not live or bool(crawler.settings.get("LOG_FILE")))
        self._loops: list[task.LoopingCall] = []
        self._samples: deque[tuple[float, int, int]] = deque()
        self._display = None

    @classmethod
    def from_crawler(cls, crawler):
        interval = crawler.settings.getfloat("PROGRESS_INTERVAL", 30.0)
        ext = cls(crawler, interval, live=interval > 0 and _is_terminal(sys.stderr))
        crawler.signals.connect(ext.spider_opened, signal=signals.spider_opened)
        crawler.signals.connect(ext.spider_closed, signal=signals.spider_closed)
        crawler.signals.connect(ext.stop, signal=signals.engine_stopped)
        return ext

    # -- figures --------------------------------------------------------------------------
    def figures(self) -> Figures:
        get = self.stats.get_value
        now, pages, articles = time.monotonic(), get("response_received_count", 0), get("blog/articles", 0)
        self._samples.append((now, pages, articles))
        while len(self._samples) > 2 and now - self._samples[1][0] >= RATE_WINDOW:
            self._samples.popleft()
        then, pages_then, articles_then = self._samples[0]
        minutes = (now - then) / 60
        page_rate = (pages - pages_then) / minutes if minutes > 0 else 0.0
        article_rate = (articles - articles_then) / minutes if minutes > 0 else 0.0
        total = get("blog/sitemap_urls", 0)
        # Articles the sitemaps still list: those stored, found unchanged or stored by an earlier
        # run are done.
        done = articles + get("blog/unchanged_pages_not_extracted", 0) + get("blog/already_stored", 0)
        eta = (total - done) / article_rate * 60 if total > done and article_rate > 0 else None
        return Figures(pages=pages, articles=articles, comments=get("blog/comments", 0),
                       errors=get("crawl/errors", 0), queued=self.queued(), pages_per_min=page_rate,
                       sitemap_urls=total, remaining=total - done, eta=eta)

    def queued(self) -> int | None:
        """Requests waiting in the scheduler (a shared crawl's: every worker's) and in the downloader."""
        engine = getattr(self.crawler, "engine", None)
        scheduler = getattr(engine, "scheduler", None)  # Scrapy >= 2.19
        if scheduler is None:
            slot = getattr(engine, "_slot", None) or getattr(engine, "slot", None)
            scheduler = getattr(slot, "scheduler", None)
        try:
            waiting = len(scheduler)  # type: ignore[arg-type]
        except Exception:  # noqa: BLE001 - no scheduler yet, one without a length, Redis away
            get = self.stats.get_value
            waiting = max(0, get("scheduler/enqueued", 0) - get("scheduler/dequeued", 0))
        active = getattr(getattr(engine, "downloader", None), "active", None)
        return waiting + (len(active) if active is not None else 0)

    # -- the periodic log line ------------------------------------------------------------------
    def report(self) -> None:
        log.info("Progress: %s", self.figures().text())

    # -- the live line --------------------------------------------------------------------------
    def render(self):
        from rich.text import Text

        f = self.figures()
        line = Text()
        for value, label in ((f.pages, "pages"), (f"{f.pages_per_min:.1f}", "pages/min"),
                             (f.articles, "articles"), (f.comments, "comments"),
                             ("-" if f.queued is None else f.queued, "queued")):
            line.append(f"{value} ", style="bold").append(f"{label}  ", style="dim")
        line.append(f"{f.errors} ", style="bold red" if f.errors else "bold").append("errors", style="dim")
        if f.sitemap_urls:
            if f.remaining > 0:
                line.append(f"  ETA {duration(f.eta) if f.eta is not None else '-'}", style="bold cyan")
            line.append(f"  ({f.sitemap_urls} in sitemaps)", style="dim")
        return line

    def _start_live(self) -> None:
        from rich.console import Console
        from rich.live import Live

        console = Console(file=sys.stderr, stderr=True)
        # stdout is left alone: a feed export may write there (-o -).
        self._display = Live(self.render(), console=console, auto_refresh=False, transient=False,
                             redirect_stdout=False, redirect_stderr=True)
        self._display.start()
        atexit.register(self.stop)  # the cursor back even after a forced shutdown
        # The log goes above the line: handlers that write to the terminal write through the
        # display while it is shown.
        self._handlers = []
        for handler in logging.root.handlers:
            stream = getattr(handler, "stream", None)
            if isinstance(handler, logging.StreamHandler) and stream in (sys.__stderr__, console.file):
                self._handlers.append((handler, handler.setStream(_AboveTheLine(console))))

    def refresh(self) -> None:
        if self._display is not None:
            self._display.update(self.render(), refresh=True)

    # -- lifecycle -----------------------------------------------------------------------------
    def spider_opened(self, spider=None) -> None:
        self.figures()  # the first sample: rates are from here
        if self.live:
            try:
                self._start_live()
            except Exception as exc:  # noqa: BLE001 - a display problem never stops a crawl
                log.warning("No live progress line: %s", exc)
                self.live, self.log_lines = False, self.interval > 0
            else:
                self._loop(self.refresh, LIVE_REFRESH)
        if self.log_lines:
            self._loop(self.report, self.interval)

    def _loop(self, call, interval: float) -> None:
        loop = task.LoopingCall(call)
        loop.start(interval, now=False)
        self._loops.append(loop)

    def spider_closed(self, spider=None, reason=None) -> None:
        self.stop()

    def stop(self) -> None:
        for loop in self._loops:
            if loop.running:
                loop.stop()
        self._loops.clear()
        if self._display is not None:
            display, self._display = self._display, None
            try:
                display.update(self.render(), refresh=True)
            finally:
                for handler, stream in self._handlers:
                    handler.setStream(stream)
                display.stop()
                atexit.unregister(self.stop)


class _AboveTheLine:
    """A stream for a log handler: each whole line printed above the live line, as it is (no
    wrapping of rich's own, no markup)."""

    def __init__(self, console):
        self.console = console
        self._pending = ""

    def write(self, text: str) -> int:
        *lines, self._pending = (self._pending + text).split("\n")
        if lines:
            from rich.text import Text

            self.console.print(Text("\n".join(lines)), soft_wrap=True, highlight=False)
        return len(text)

    def flush(self) -> None:
        pass


def _is_terminal(stream) -> bool:
    try:
        return bool(stream.isatty())
    except (AttributeError, ValueError):
        return False


# -- the preamble -------------------------------------------------------------------------------
_PREAMBLE = ("Overridden settings:", "Enabled %(componentname)ss:", "Enabled addons:", "Versions:")
_PREAMBLE_LOGGERS = ("scrapy.crawler", "scrapy.middleware", "scrapy.addons", "scrapy.utils.log")


class _Demote(logging.Filter):
    """Logs the start-up lists at DEBUG: the handlers' level (``LOG_LEVEL``) decides."""

    def filter(self, record: logging.LogRecord) -> bool:
        if record.levelno == logging.INFO and isinstance(record.msg, str) and record.msg.startswith(_PREAMBLE):
            record.levelno, record.levelname = logging.DEBUG, "DEBUG"
        return True


_FILTER = _Demote()


def quiet_preamble() -> None:
    """Install the demotion on Scrapy's loggers (once). Logging's configuration (Scrapy's
    ``configure_logging``) keeps a logger's filters: commands call this before the process
    logs its versions, and ``outcome.run`` before the crawler logs its settings."""
    for name in _PREAMBLE_LOGGERS:
        logger = logging.getLogger(name)
        if _FILTER not in logger.filters:
            logger.addFilter(_FILTER)
