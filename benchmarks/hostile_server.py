"""The hostile blog server of ``benchmarks/faults.py``: a small WordPress-like blog on 127.0.0.1
that also misbehaves on chosen URLs.

Every URL path is a route: a function that writes the whole HTTP exchange itself, so a route can
send a wrong Content-Length, garbage "gzip", a redirect loop, or reset the connection; pages it
does not know are a plain 404. Each request is logged with the time it arrived, so a benchmark
can tell how a crawler behaved (how long it waited before a retry, how many times it asked).

The blog pages follow the markup of a classic WordPress theme (``entry-title``,
``entry-content``, ``<ol class="commentlist">`` with ``<li class="comment" id="comment-N">`` and
``<ol class="children">`` for replies), so the generic extractor reads them as a real blog.
"""
from __future__ import annotations

import random
import socket
import struct
import threading
import time
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from html import escape
from http.server import BaseHTTPRequestHandler
from typing import Callable
from urllib.parse import urlsplit

from scraper.replay import LoopbackServer, send

SITE_NAME = "The Hostile Bench"
NOT_FOUND_PAGE = b"<!doctype html><html><head><title>Not Found</title></head><body><h1>Not Found</h1></body></html>"
ROBOTS_TXT = b"User-agent: *\nDisallow: /wp-admin/\n"

Route = Callable[[BaseHTTPRequestHandler], None]


# -- one HTTP exchange, as a route writes it -------------------------------------------------
def page_route(body: bytes, content_type: str = "text/html; charset=utf-8", status: int = 200,
               headers: dict[str, str] | None = None) -> Route:
    return lambda handler: send(handler, status, body, content_type, headers)


def redirect_route(location: str, status: int = 302) -> Route:
    return lambda handler: send(handler, status, b"", headers={"Location": location})


def reset_connection(handler: BaseHTTPRequestHandler) -> None:
    """Close the socket with a TCP RST instead of an answer (SO_LINGER 0 discards the FIN)."""
    handler.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    handler.close_connection = True
    handler.connection.close()


def short_body_route(body: bytes, missing: int = 10_000) -> Route:
    """Promise ``missing`` bytes more than are sent, then hang up: a response cut off mid-body."""
    def route(handler: BaseHTTPRequestHandler) -> None:
        handler.send_response(200)
        handler.send_header("Content-Type", "text/html; charset=utf-8")
        handler.send_header("Content-Length", str(len(body) + missing))
        handler.end_headers()
        handler.wfile.write(body)
        handler.wfile.flush()
        handler.close_connection = True
    return route


def slow_route(body: bytes, delay: float) -> Route:
    """Answer only after ``delay`` seconds; a client that gave up by then just gets a closed pipe."""
    def route(handler: BaseHTTPRequestHandler) -> None:
        time.sleep(delay)
        send(handler, 200, body)
    return route


# -- the server ---------------------------------------------------------------------------------
@dataclass(frozen=True)
class Hit:
    """One request as the server saw it."""
    path: str
    query: str
    at: float  # time.monotonic() when the request line was read


class HostileServer(LoopbackServer):
    """A loopback HTTP server whose answers are routes keyed by URL path (the query is ignored
    for routing, kept in the log). ``delay`` slows every answer, to make crawls overlap."""

    def __init__(self, host: str = "127.0.0.1", delay: float = 0.0) -> None:
        self.host = host
        self.delay = delay
        self.routes: dict[str, Route] = {"/robots.txt": page_route(ROBOTS_TXT, "text/plain")}
        self.hits: list[Hit] = []
        self._lock = threading.Lock()
        super().__init__(host=host, name="hostile")

    def handler(self) -> type[BaseHTTPRequestHandler]:
        return _handler_for(self)

    def address(self, path: str = "/", host: str | None = None) -> str:
        """The URL of ``path``, under another name for this machine if ``host`` is given."""
        return f"http://{host or self.host}:{self.port}{path}"

    def route(self, path: str, route: Route) -> None:
        self.routes[path] = route

    def page(self, path: str, body: bytes | str, content_type: str = "text/html; charset=utf-8") -> None:
        self.routes[path] = page_route(body.encode() if isinstance(body, str) else body, content_type)

    def request_count(self) -> int:
        with self._lock:
            return len(self.hits)

    def hits_since(self, index: int) -> list[Hit]:
        with self._lock:
            return self.hits[index:]

    def hits_under(self, prefix: str) -> list[Hit]:
        with self._lock:
            return [hit for hit in self.hits if hit.path.startswith(prefix)]

    def _answer(self, handler: BaseHTTPRequestHandler) -> None:
        parts = urlsplit(handler.path)
        with self._lock:
            self.hits.append(Hit(parts.path, parts.query, time.monotonic()))
        if self.delay:
            time.sleep(self.delay)
        route = self.routes.get(parts.path)
        if route is None:
            send(handler, 404, NOT_FOUND_PAGE)
        else:
            route(handler)


def _handler_for(server: HostileServer) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"  # keep-alive, as real servers do
        server_version = "HostileBench/1"

        def do_GET(self) -> None:
            server._answer(self)

        def do_HEAD(self) -> None:
            server._answer(self)

        def log_message(self, format: str, *args: object) -> None:
            pass  # the crawl's own log says what it fetched

    return Handler


# -- WordPress-like markup ------------------------------------------------------------------------
@dataclass
class Comment:
    id: int
    author: str
    text: str
    when: datetime
    replies: list[Comment] = field(default_factory=list)


def _comment_start(comment: Comment, article_path: str, depth: int) -> str:
    return f"""<li class="comment depth-{depth}" id="comment-{comment.id}">
<article id="div-comment-{comment.id}" class="comment-body">
<footer class="comment-meta"><div class="comment-author vcard"><b class="fn">{escape(comment.author)}</b> <span class="says">says:</span></div>
<div class="comment-metadata"><a href="{article_path}#comment-{comment.id}"><time datetime="{comment.when.isoformat()}">{comment.when:%B %d, %Y at %H:%M}</time></a></div></footer>
<div class="comment-content"><p>{escape(comment.text)}</p></div>
</article>"""


def comments_html(comments: list[Comment], article_path: str) -> str:
    """``<li class="comment">`` elements, replies nested in ``<ol class="children">``. Written
    with an explicit stack, not recursion: a thread may be 500 levels deep."""
    out: list[str] = []
    # Work items: a comment to open at a depth, or a literal closing tag.
    stack: list[tuple[Comment, int] | str] = [(c, 1) for c in reversed(comments)]
    while stack:
        item = stack.pop()
        if isinstance(item, str):
            out.append(item)
            continue
        comment, depth = item
        out.append(_comment_start(comment, article_path, depth))
        if comment.replies:
            out.append('<ol class="children">')
            stack.append("</ol>\n</li>")
            stack.extend((reply, depth + 1) for reply in reversed(comment.replies))
        else:
            stack.append("</li>")
    return "\n".join(out)


def comments_area(comments: list[Comment], article_path: str, total: int, title: str,
                  older: str | None = None, newer: str | None = None) -> str:
    if not comments:
        return ""
    items = comments_html(comments, article_path)
    nav = ""
    if older or newer:
        links = ""
        if older:
            links += f'<div class="nav-previous"><a href="{older}#comments">Older comments</a></div>'
        if newer:
            links += f'<div class="nav-next"><a href="{newer}#comments">Newer comments</a></div>'
        nav = f'\n<nav class="navigation comment-navigation"><div class="nav-links">{links}</div></nav>'
    return f"""<div id="comments" class="comments-area">
<h2 class="comments-title">{total} comments on &ldquo;{escape(title)}&rdquo;</h2>
<ol class="commentlist">
{items}
</ol>{nav}
</div>"""


def document(title: str, body_class: str, main: str, head: str = "", charset: str = "UTF-8",
             lang: str = "en") -> str:
    return f"""<!doctype html>
<html lang="{lang}">
<head>
<meta charset="{charset}" />
<title>{escape(title)}</title>{head}
<meta name="generator" content="WordPress 6.4.3" />
</head>
<body class="{body_class}">
<div id="page" class="site">
<header class="site-header"><p class="site-title"><a href="/">{SITE_NAME}</a></p></header>
<div id="content" class="site-content"><main id="main" class="site-main">
{main}
</main></div>
<footer class="site-footer"><a href="/">{SITE_NAME}</a></footer>
</div>
</body>
</html>
"""


def article_page(*, title: str, path: str, post_id: int, published: datetime, author: str,
                 body_html: str, comments: list[Comment] | None = None, comment_total: int | None = None,
                 head: str = "", charset: str = "UTF-8", lang: str = "en",
                 older: str | None = None, newer: str | None = None) -> str:
    """A single post, with its (page of the) comment thread."""
    comments = comments or []
    total = comment_total if comment_total is not None else count_comments(comments)
    main = f"""<article id="post-{post_id}" class="post-{post_id} post type-post status-publish format-standard hentry entry">
<header class="entry-header"><h1 class="entry-title">{escape(title)}</h1></header>
<div class="entry-content">
{body_html}
</div>
<footer class="entry-footer"><span class="posted-on"><time class="entry-date published" datetime="{published.isoformat()}">{published:%B %d, %Y}</time></span>
<span class="byline">By <span class="author vcard fn">{escape(author)}</span></span></footer>
</article>
{comments_area(comments, path, total, title, older, newer)}"""
    return document(f"{title} – {SITE_NAME}", f"post-template-default single single-post postid-{post_id} singular",
                    main, head or f'\n<link rel="canonical" href="{path}" />', charset, lang)


def listing_page(title: str, entries: list[tuple[str, str, str]], older: str | None = None,
                 newer: str | None = None, body_class: str = "blog hfeed") -> str:
    """Home or archive page: one excerpt per (path, title, excerpt), and the pagination links."""
    blocks = [f"""<article class="post type-post status-publish hentry entry">
<header class="entry-header"><h2 class="entry-title"><a href="{path}">{escape(entry_title)}</a></h2></header>
<div class="entry-content"><p>{escape(excerpt)} <a class="more-link" href="{path}">Continue reading</a></p></div>
</article>""" for path, entry_title, excerpt in entries]
    links = ""
    if newer:
        links += f'<a class="prev page-numbers" href="{newer}">Newer posts</a>'
    if older:
        links += f'<a class="next page-numbers" href="{older}">Older posts</a>'
    if links:
        blocks.append(f'<nav class="navigation pagination"><div class="nav-links">{links}</div></nav>')
    return document(title, body_class, "\n".join(blocks))


def count_comments(comments: list[Comment]) -> int:
    return len(walk(comments))


def walk(comments: list[Comment]) -> list[Comment]:
    """Every comment of the forest, pre-order, without recursion (threads may be deep)."""
    found, stack = [], list(reversed(comments))
    while stack:
        comment = stack.pop()
        found.append(comment)
        stack.extend(reversed(comment.replies))
    return found


# -- a generated blog -------------------------------------------------------------------------------
WORDS = ("valve chassis capacitor solder bench dial cord speaker grille cabinet mains hum rectifier "
         "transformer resistor coil aerial tuning knob shellac varnish walnut veneer bakelite "
         "schematic meter probe variac filament anode grid cathode signal restore careful patient "
         "evening workshop drawer spare original replace measure test listen warm glow station").split()
NAMES = ("Ingrid Saether", "Dev Malhotra", "Old Sparky", "Margo Okafor", "Tomas Lindqvist",
         "Ruth Abara", "Kenji Sato", "Lena Vogel", "Paulo Reis", "Amira Haddad")


def sentence(rng: random.Random, words: int) -> str:
    text = " ".join(rng.choice(WORDS) for _ in range(words))
    return text[0].upper() + text[1:] + "."


def paragraphs(rng: random.Random, count: int) -> str:
    return "\n".join("<p>" + " ".join(sentence(rng, rng.randint(8, 16)) for _ in range(rng.randint(3, 6)))
                     + "</p>" for _ in range(count))


@dataclass
class Post:
    id: int
    path: str
    title: str
    published: datetime
    author: str
    body_html: str
    comments: list[Comment]
    # Top-level comments per comment page; a thread longer than that is split over
    # ``comment-page-N/`` pages, as WordPress does with "break comments into pages".
    per_page: int

    @property
    def comment_pages(self) -> int:
        return max(1, -(-len(self.comments) // self.per_page))

    def comment_page_path(self, number: int) -> str:
        return f"{self.path}comment-page-{number}/"

    def render(self, page: int) -> str:
        pages = self.comment_pages
        shown = self.comments[(page - 1) * self.per_page:page * self.per_page]
        older = self.comment_page_path(page - 1) if page > 1 else None
        newer = self.comment_page_path(page + 1) if page < pages else None
        return article_page(title=self.title, path=self.path, post_id=self.id, published=self.published,
                            author=self.author, body_html=self.body_html, comments=shown,
                            comment_total=count_comments(self.comments), older=older, newer=newer)


class GeneratedBlog:
    """``posts`` seeded posts with threaded comments (some split over comment pages), a paged
    home, a sitemap; everything in memory, served by a HostileServer. ``truth`` is what a
    complete crawl must store."""

    POSTS_PER_PAGE = 10
    COMMENTS_PER_PAGE = 6

    def __init__(self, posts: int, seed: int, first_comment_id: int = 1000,
                 path_prefix: str = "") -> None:
        rng = random.Random(seed)
        self.prefix = path_prefix
        start = datetime(2021, 1, 4, 9, 0, tzinfo=timezone.utc)
        next_id = first_comment_id
        self.posts: list[Post] = []
        for n in range(posts):
            published = start + timedelta(days=3 * n, hours=rng.randint(0, 10))
            title = f"Bench note {n + 1}: {sentence(rng, 4)[:-1]}"
            roots: list[Comment] = []
            for _ in range(rng.choice((0, 0, 1, 2, 3, 4, 5, 8, 12))):
                comment, next_id = self._thread(rng, next_id, published, depth=1)
                roots.append(comment)
            path = f"{path_prefix}/{published:%Y/%m}/bench-note-{n + 1}/"
            self.posts.append(Post(100 + n, path, title, published, rng.choice(NAMES[3:5]),
                                   paragraphs(rng, rng.randint(3, 6)), roots, self.COMMENTS_PER_PAGE))

    def _thread(self, rng: random.Random, next_id: int, after: datetime, depth: int) -> tuple[Comment, int]:
        when = after + timedelta(minutes=rng.randint(5, 600))
        comment = Comment(next_id, rng.choice(NAMES), sentence(rng, rng.randint(6, 20)), when)
        next_id += 1
        # Replies thin out with depth: most threads are two or three levels deep.
        while depth < 6 and rng.random() < 0.45 / depth:
            reply, next_id = self._thread(rng, next_id, when, depth + 1)
            comment.replies.append(reply)
        return comment, next_id

    @property
    def home_pages(self) -> int:
        return max(1, -(-len(self.posts) // self.POSTS_PER_PAGE))

    def home_path(self, number: int) -> str:
        return f"{self.prefix}/" if number == 1 else f"{self.prefix}/page/{number}/"

    def install(self, server: HostileServer, sitemap: bool = True) -> None:
        newest_first = sorted(self.posts, key=lambda p: p.published, reverse=True)
        for number in range(1, self.home_pages + 1):
            chunk = newest_first[(number - 1) * self.POSTS_PER_PAGE:number * self.POSTS_PER_PAGE]
            entries = [(p.path, p.title, "A note from the bench.") for p in chunk]
            older = self.home_path(number + 1) if number < self.home_pages else None
            newer = self.home_path(number - 1) if number > 1 else None
            server.page(self.home_path(number), listing_page(SITE_NAME, entries, older, newer,
                                                             "home blog hfeed" if number == 1 else "blog hfeed paged"))
        for post in self.posts:
            server.page(post.path, post.render(1))
            if post.comment_pages > 1:
                for number in range(1, post.comment_pages + 1):
                    server.page(post.comment_page_path(number), post.render(number))
        if sitemap:
            urls = "".join(f"<url><loc>{server.address(p.path)}</loc></url>" for p in self.posts)
            server.page(f"{self.prefix}/sitemap.xml",
                        f'<?xml version="1.0" encoding="UTF-8"?>\n<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">{urls}</urlset>',
                        "application/xml")

    def truth(self) -> dict[str, set[str]]:
        """Article path → the comment ids its thread holds."""
        return {p.path: {str(c.id) for c in walk(p.comments)} for p in self.posts}

    def request_estimate(self) -> int:
        """Requests of one complete crawl: robots.txt, two sitemap probes, the home pages, every
        post and every comment page."""
        comment_pages = sum(p.comment_pages for p in self.posts if p.comment_pages > 1)
        return 3 + self.home_pages + len(self.posts) + comment_pages
