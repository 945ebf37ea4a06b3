"""``blog-archiver``: the project's commands from any directory.

Scrapy finds a project's commands through ``scrapy.cfg`` in the working directory, so
``scrapy extract`` works only from the repository root. The console command names the settings
module itself (``SCRAPY_SETTINGS_MODULE``) and hands the command line to Scrapy, so every
project command (``reextract``, ``extract``, ``merge`` …) works wherever it is run. ``crawl``
gets a command line of its own (``blog-archiver crawl URL --out DIR``) with every argument and
setting an archivist needs listed by ``--help``; the same crawl as ``scrapy crawl blog -a
url=URL`` inside the project.
"""
from __future__ import annotations

import argparse
import os
import sys

from scraper import __version__

SETTINGS_MODULE = "scraper.settings"

# Commands handed to Scrapy as they are: (name, what it does). ``crawl`` is ours (below).
COMMANDS = {
    "crawl": "crawl a blog, or a collection of blogs, into a dataset (--help for every option)",
    "demo": "crawl the bundled sample blog on 127.0.0.1 and summarise the dataset",
    "extract": "extract one page (a file or a URL) and print the record",
    "reextract": "rebuild a dataset from WARC files, without the network",
    "report": "write an HTML report of a crawl folder",
    "pack": "pack a crawl folder into a WACZ file (WARCs, index, pages, tables)",
    "export": "write a crawl's tables as JSONL or CSV",
    "merge": "merge the folders of workers on other machines into one crawl folder",
    "extractors": "list the site extractors and what each overrides",
    "savefixture": "save a page and its expected record as a site extractor's fixture",
}

# -- crawl's options: (flags, setting or spider argument, argparse keywords) -------------------
# One table, so --help, the translation to Scrapy's -a/-s and the README agree.
SPIDER_ARGS = [
    (("--seeds",), "seeds", dict(metavar="FILE", help="a collection: one blog a line (start URL, "
                                 "then further hosts of it), '#' comments; instead of URL")),
    (("--out", "-o"), "out", dict(metavar="DIR", help="dataset root (default: datasets/)")),
    (("--crawl",), "crawl", dict(metavar="NAME", help="crawl id and folder name (default: "
                                 "<host>-<UTC timestamp>); needed with --redis-url")),
    (("--hosts",), "hosts", dict(metavar="A,B", help="further hosts that belong to the blog")),
]
SETTING_ARGS = [
    (("--contact",), "USER_AGENT", dict(metavar="EMAIL_OR_URL", help="how site owners reach you; "
                                        "goes into the User-Agent (a warning until it is set)")),
    (("--max-pages",), "CLOSESPIDER_PAGECOUNT", dict(type=int, metavar="N",
                                                    help="stop after N responses (all sites)")),
    (("--max-pages-per-site",), "MAX_PAGES_PER_SITE", dict(type=int, metavar="N", help=(
        "fetch at most N pages of each blog; the rest is listed as skipped, not lost silently"))),
    (("--max-articles",), "CLOSESPIDER_ITEMCOUNT", dict(type=int, metavar="N",
                                                       help="stop after N articles stored")),
    (("--max-time",), "CLOSESPIDER_TIMEOUT", dict(type=float, metavar="SECONDS",
                                                 help="stop after this long")),
    (("--max-errors",), "CLOSESPIDER_ERRORCOUNT", dict(type=int, metavar="N",
                                                      help="stop after N errors")),
    (("--depth",), "DEPTH_LIMIT", dict(type=int, metavar="N",
                                       help="follow links at most N steps from the start page")),
    (("--delay",), "DOWNLOAD_DELAY", dict(type=float, metavar="SECONDS",
                                          help="least delay between requests to a site (0.5)")),
    (("--per-site",), "CONCURRENT_REQUESTS_PER_DOMAIN", dict(
        type=int, metavar="N", help="requests at a time per site (2)")),
    (("--jobdir",), "JOBDIR", dict(metavar="DIR", help="keep the queue here: the same command "
                                   "resumes after Ctrl-C, a crash or kill -9")),
    (("--redis-url",), "REDIS_URL", dict(metavar="URL", help="one worker of a crawl shared over "
                                         "Redis (redis://host:port/db); start as many as you like")),
    (("--worker-id",), "WORKER_ID", dict(metavar="NAME", help="this worker's name in file names "
                                         "(default host-pid)")),
    (("--log-level",), "LOG_LEVEL", dict(metavar="LEVEL", help="DEBUG, INFO (default), WARNING")),
    (("--log-file",), "LOG_FILE", dict(metavar="FILE", help="log here instead of the terminal")),
]
SWITCHES = [
    (("--no-warc",), "WARC_ENABLED", False, "do not write WARC files"),
    (("--wacz",), "WACZ", True, "pack the crawl into a WACZ file at the end"),
    (("--no-comment-systems",), "COMMENT_SYSTEMS_ENABLED", False,
     "ask no third-party comment system (Disqus, Isso …)"),
]


def main(argv: list[str] | None = None) -> None:
    """Run one command; exits with the command's code (``README.md``'s exit codes)."""
    argv = sys.argv[1:] if argv is None else list(argv)
    os.environ.setdefault("SCRAPY_SETTINGS_MODULE", SETTINGS_MODULE)
    if not argv or argv[0] in ("-h", "--help", "help"):
        print(overview())
        sys.exit(0)
    if argv[0] in ("-V", "--version"):
        print(f"blog-archiver {__version__}")
        sys.exit(0)
    command, rest = argv[0], argv[1:]
    if command not in COMMANDS:
        print(f"blog-archiver: unknown command {command!r}\n\n{overview()}", file=sys.stderr)
        sys.exit(2)
    scrapy_argv = crawl_arguments(rest) if command == "crawl" else [command, *rest]
    from scrapy.cmdline import execute  # after the settings module is named

    execute(["blog-archiver", *scrapy_argv])


def overview() -> str:
    width = max(map(len, COMMANDS))
    lines = [f"blog-archiver {__version__}: archive blogs (articles, bios, threaded comments) "
             "into Parquet and WARC", "", "usage: blog-archiver <command> [options]", "",
             "commands:"]
    lines += [f"  {name:<{width}}  {desc}" for name, desc in COMMANDS.items()]
    lines += ["", "blog-archiver <command> --help lists a command's options."]
    return "\n".join(lines)


def crawl_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="blog-archiver crawl", formatter_class=argparse.RawDescriptionHelpFormatter,
        description="Crawl a blog (URL) or a collection (--seeds FILE) into <out>/<crawl>/: "
                    "Parquet tables, WARC files, crawl.json. Polite by default: robots.txt, "
                    "AutoThrottle, two requests at a time per site.",
        epilog="Any other Scrapy setting: -s NAME=VALUE (README.md lists the project's). "
               "Exit codes: 0 finished, 1 could not start, 2 bad command line, 3 finished with "
               "errors, 4 failed, 5 interrupted (run again to resume), 6 write error.")
    parser.add_argument("url", nargs="?", help="the blog's start page")
    for flags, _, kw in SPIDER_ARGS + SETTING_ARGS:
        parser.add_argument(*flags, **kw)
    for flags, _, _, desc in SWITCHES:
        parser.add_argument(*flags, action="store_true", help=desc)
    parser.add_argument("-s", "--set", action="append", default=[], metavar="NAME=VALUE",
                        help="a Scrapy setting (repeatable)")
    parser.add_argument("-a", action="append", default=[], metavar="NAME=VALUE",
                        help="a spider argument (repeatable)")
    return parser


def crawl_arguments(argv: list[str]) -> list[str]:
    """``blog-archiver crawl …`` as ``scrapy crawl blog …`` arguments."""
    parser = crawl_parser()
    opts = parser.parse_args(argv)
    if not opts.url and not opts.seeds:
        parser.error("name the blog's start page (URL) or a seed file (--seeds FILE)")
    out = ["crawl", "blog"]
    if opts.url:
        out += ["-a", f"url={opts.url}"]
    for flags, name, _ in SPIDER_ARGS:
        value = getattr(opts, _dest(flags))
        if value is not None:
            out += ["-a", f"{name}={value}"]
    for flags, name, _ in SETTING_ARGS:
        value = getattr(opts, _dest(flags))
        if value is not None:
            out += ["-s", f"{name}={user_agent(value) if name == 'USER_AGENT' else value}"]
    for flags, name, value, _ in SWITCHES:
        if getattr(opts, _dest(flags)):
            out += ["-s", f"{name}={value}"]
    for pair in opts.a:
        out += ["-a", pair]
    for pair in opts.set:
        out += ["-s", pair]
    return out


def user_agent(contact: str) -> str:
    """The crawler's User-Agent with the archivist's contact, as site owners expect to find it."""
    if "@" in contact and not contact.startswith(("mailto:", "http")):
        contact = f"mailto:{contact}"
    return f"blog-archiver/{__version__} (archival crawler; +{contact})"


def _dest(flags: tuple[str, ...]) -> str:
    return flags[0].lstrip("-").replace("-", "_")


if __name__ == "__main__":
    main()
