"""Write the sample blog that ships with the scraper (``scraper/sample_blog/``).

A small fictional WordPress blog, "The Valve Bench", in the markup of a classic WordPress theme:
pages, comment pages, feed, sitemaps, robots.txt and the REST API answers a crawler asks for,
plus ``manifest.json`` (the format of a captured site, served by ``scraper.replay``) and
``truth.json`` (what a correct crawl extracts). Both come from the one data structure below, so
they cannot disagree. Links in pages are root-relative, so the site works at any address.

    python scripts/make_sample_blog.py [--out DIR]
"""
from __future__ import annotations

import argparse
import json
import re
import shutil
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta, timezone
from email.utils import format_datetime
from html import escape, unescape
from pathlib import Path

BASE = "http://sample-blog.test"
SITE_NAME = "The Valve Bench"
TAGLINE = "Notes from a radio restorer’s workbench"
THREAD_DEPTH = 5  # WordPress "nest comments N levels deep": deeper replies show at level N
COMMENTS_PER_PAGE = 5  # top-level comments per comment page, oldest first
POSTS_PER_PAGE = 2
FIRST_COMMENT_ID = 21
DEFAULT_OUT = Path(__file__).resolve().parents[1] / "scraper" / "sample_blog"

MONTHS = ["January", "February", "March", "April", "May", "June", "July", "August",
          "September", "October", "November", "December"]


# -- the blog ---------------------------------------------------------------------------
@dataclass
class Author:
    id: int
    slug: str
    name: str
    bio: str
    bio_in_page: bool  # the theme prints the bio box; otherwise only the REST API has it


@dataclass
class Comment:
    author: str
    when: str  # local time, Europe/London
    blocks: list[str]  # HTML paragraphs; "> text" is a blockquote
    replies: list[Comment] = field(default_factory=list)
    url: str | None = None
    kind: str = "comment"
    # Filled in by number_comments():
    id: int = 0
    parent: Comment | None = None
    depth: int = 1
    page: int = 1
    post: Post | None = None


@dataclass
class Post:
    id: int
    slug: str
    title: str
    author: Author
    when: str
    category: str
    tags: list[str]
    body: list[str]  # HTML paragraphs
    comments: list[Comment] = field(default_factory=list)
    comments_open: bool = True

    @property
    def path(self) -> str:
        return f"/{self.when[:4]}/{self.when[5:7]}/{self.slug}/"


def C(author: str, when: str, *blocks: str, replies: list[Comment] | None = None,
      url: str | None = None) -> Comment:
    return Comment(author, when, list(blocks), replies or [], url)


MARGO = Author(2, "margo", "Margo Okafor",
               "Margo Okafor has restored valve radios since her student days and still "
               "keeps a soldering iron warm most weekends.", bio_in_page=True)
TOMAS = Author(3, "tomas", "Tomas Lindqvist",
               "Tomas Lindqvist repairs test equipment for a living and old radios for fun. "
               "He answers the reader mailbag.", bio_in_page=False)
AUTHORS = [MARGO, TOMAS]
CATEGORIES = {"Restoration": 3, "Workshop": 4}
TAGS = {"Capacitors": 5, "Safety": 6, "Dial cords": 7, "Valves": 8}

SPARKY = "https://sparky.example.net/"
PINGBACK = Comment("Workbench Diaries » Spring cleaning the capacitor drawer", "2024-03-10 09:00",
                   ["[…] Margo has a sensible order of work for recapping an old set […]"],
                   url="http://workbench-diaries.example.com/2024/03/spring-cleaning/",
                   kind="pingback")

POSTS = [
    Post(11, "recapping-a-1950s-mains-set", "Recapping a 1950s Mains Set: Where to Start", MARGO,
         "2024-03-09 10:00", "Restoration", ["Capacitors", "Safety"], [
             "Most of the sets that land on my bench have spent forty years in a loft, and nearly "
             "all of them share one weakness: paper and wax capacitors that stopped behaving like "
             "capacitors long ago.",
             "Before anything is plugged in, I list every capacitor in the set and mark the ones "
             "that couple the anode of one valve to the grid of the next. A leaky coupling "
             "capacitor can drag a grid positive and cook an output valve within minutes.",
             "The smoothing electrolytics come next. I prefer to restuff the original cans, hiding "
             "modern parts inside them, so the chassis still looks right to anyone who lifts it "
             "out of the cabinet.",
             "Only when the new parts are in do I bring the set up <em>slowly</em> on a variac, "
             "with a lamp limiter in series and <a href=\"https://example.org/valve-data\">the "
             "valve data sheets</a> open beside me. Patience at this stage is cheaper than a new "
             "mains transformer.",
         ], [
             C("Ingrid Sæther", "2024-03-09 12:40",
               "Do you replace the mica capacitors as well, or leave them alone?", replies=[
                   C("Margo Okafor", "2024-03-09 13:05",
                     "I leave the silvered micas alone unless one measures badly. They fail far "
                     "less often than the paper types.", replies=[
                         C("Ingrid Sæther", "2024-03-09 13:30",
                           "That is reassuring. I have a set where two of them are buried under "
                           "the coil pack.", replies=[
                               C("Dev Malhotra", "2024-03-09 15:10",
                                 "If they are under the coil pack, test them in circuit first. "
                                 "Lifting one leg is usually enough to check for leakage."),
                           ]),
                     ]),
                   C("Old Sparky", "2024-03-10 08:15",
                     "Seconded on the micas. The only ones I have seen fail were cracked.",
                     url=SPARKY),
               ]),
             C("Dev Malhotra", "2024-03-09 14:20",
               "> A leaky coupling capacitor can drag a grid positive and cook an output valve "
               "within minutes.",
               "This happened to me last winter. The output valve glowed <em>cherry red</em> "
               "before I noticed the smell.", replies=[
                   C("Margo Okafor", "2024-03-09 16:00",
                     "Sorry to hear it. Did the output transformer survive?", replies=[
                         C("Dev Malhotra", "2024-03-09 17:45",
                           "It did, luckily. The valve was the only casualty."),
                     ]),
               ]),
             PINGBACK,
             C("Pat Quigley", "2024-03-11 19:30",
               "What size of lamp do you use in the limiter for a small table set?", replies=[
                   C("Margo Okafor", "2024-03-11 21:00",
                     "A 60 W bulb for most table sets, 100 W for anything with a push-pull "
                     "output stage."),
               ]),
             C("Ingrid Sæther", "2024-03-12 07:50",
               "Restuffing the cans is a lovely touch.",
               "Do you have a favourite way of getting the old filling out?"),
         ]),
    Post(14, "reader-questions-dial-cords-hum", "Reader Questions: Dial Cords, Hum and That Hot Smell",
         TOMAS, "2024-04-20 09:30", "Workshop", ["Dial cords", "Safety"], [
             "Every few months the inbox fills with the same handful of questions, so here they "
             "are in one place, with answers as honest as I can make them.",
             "Dial cords slip because the drive drum is greasy or the tension spring has "
             "stretched. Clean the drum, fit a new spring, and restring using the diagram inside "
             "the cabinet back if you are lucky enough to still have it.",
             "Hum at full volume usually means tired smoothing capacitors. Hum that changes with "
             "the tuning points somewhere else, often a heater-to-cathode leak in the frequency "
             "changer.",
             "A hot smell is never something to ignore. Switch off, find it, and fix it before "
             "the set goes back on.",
         ], [
             C("Hannah Brook", "2024-04-20 11:00",
               "My dial cord keeps jumping off the pulley. New spring, same problem.", replies=[
                   C("Tomas Lindqvist", "2024-04-20 12:15",
                     "Check that the pulley is not bent. One that wobbles will throw the cord no "
                     "matter how good the spring is."),
               ]),
             C("Felix Amari", "2024-04-20 13:40",
               "Is there a safe way to test for a heater-to-cathode leak without pulling the valve?"),
             C("Old Sparky", "2024-04-21 08:05",
               "The hot smell in mine was a dropper resistor. A properly rated replacement and "
               "the smell is gone.", url=SPARKY, replies=[
                   C("Hannah Brook", "2024-04-21 09:30",
                     "Same story here. The original was rated far too close to the limit."),
               ]),
             C("Ngozi Eze", "2024-04-21 18:20",
               "Thank you for the tip about the cabinet back. Mine still has the diagram, "
               "slightly chewed by mice."),
             C("Rafael Duarte", "2024-04-22 10:10",
               "Some sets use separate cords for the pointer and the gang. Worth checking before "
               "you cut anything."),
             C("Pat Quigley", "2024-04-23 09:00",
               "About hum that changes with tuning: could it also be a bad earth on the gang?", replies=[
                   C("Felix Amari", "2024-04-23 10:30",
                     "It could. I once found a cracked solder joint on the gang earth tag.", replies=[
                         C("Pat Quigley", "2024-04-23 11:45",
                           "How did you find it? Mine looks fine to the eye.", replies=[
                               C("Felix Amari", "2024-04-23 13:00",
                                 "A wooden chopstick and gentle pressure while the set was "
                                 "playing. The hum came and went.", replies=[
                                     C("Tomas Lindqvist", "2024-04-23 14:20",
                                       "The chopstick test is underrated. It has found more "
                                       "faults for me than any meter.", replies=[
                                           C("Pat Quigley", "2024-04-23 16:05",
                                             "Found it: a dry joint right at the tag. Thanks, "
                                             "both of you."),
                                       ]),
                                 ]),
                           ]),
                     ]),
               ]),
             C("Ngozi Eze", "2024-04-24 20:00",
               "I would love a follow-up post on restringing, with photos."),
         ]),
    Post(17, "a-drawer-of-valves", "A Drawer of Valves, Tested and Sorted", TOMAS,
         "2024-05-02 20:15", "Restoration", ["Valves"], [
             "A friend cleared out his late father's workshop and gave me a drawer full of "
             "valves, most of them still in their boxes.",
             "Each one went through the tester twice, a week apart. Anything that read low both "
             "times went into the spares box for experiments rather than the bin.",
             "The survivors are now sorted by type in labelled trays, which is the first time "
             "this workshop has known where its rectifiers are.",
         ]),
    Post(19, "why-i-stopped-buying-restored-sets", "Why I Stopped Buying “Restored” Sets Online",
         MARGO, "2024-06-15 08:45", "Workshop", ["Capacitors", "Valves"], [
             "Three sets in a row arrived described as fully restored, and three sets in a row "
             "had their original capacitors under a fresh coat of polish.",
             "A cabinet can be beautiful and a chassis can still be dangerous. I now ask for a "
             "photograph of the underside before I buy, and walk away if the seller will not "
             "send one.",
         ], [
             C("Rafael Duarte", "2024-06-15 10:30",
               "The photos always show the front, never the chassis. That tells you everything.",
               replies=[C("Margo Okafor", "2024-06-15 11:10",
                          "Exactly. If a seller will not show the underside, I walk away.")]),
         ], comments_open=False),
]


@dataclass
class StaticPage:
    """A WordPress page: outside the dated stream of posts, no date, no comments."""
    id: int
    slug: str
    title: str
    body: list[str]  # HTML blocks
    kind_of_content: str  # "prose" or "links": what a correct crawl keeps as its text

    @property
    def path(self) -> str:
        return f"/{self.slug}/"


SUPPLIERS = [
    ("Radiomuseum.org", "https://www.radiomuseum.org/", "the set and valve database everyone ends up on"),
    ("The Valve Page", "https://frank.pocnet.net/", "scanned valve data sheets, searchable by type"),
    ("Antique Wireless Association", "https://www.antiquewireless.org/", "a club with a museum and a journal"),
    ("British Vintage Wireless Society", "https://www.bvws.org.uk/", "swapmeets, a bulletin and a capacitor service"),
    ("Langrex", "https://www.langrex.co.uk/", "new old stock valves, posted quickly"),
    ("Workbench Diaries", "http://workbench-diaries.example.com/", "a fellow restorer's blog"),
]
PAGES = [
    StaticPage(2, "about", "About The Valve Bench", [
        "The Valve Bench is the workshop notebook of two people who cannot walk past a broken "
        "radio. Margo Okafor restores domestic valve sets from the 1930s to the 1960s; Tomas "
        "Lindqvist repairs test equipment for a living and answers the reader mailbag.",
        "We write up what worked, what did not, and what nearly caught fire, so that the next "
        "person with the same set on their bench has a head start. Nothing here is sponsored, and "
        "every set described was on one of our benches.",
        "Mains-powered valve equipment runs at voltages that can kill. If you are new to it, "
        "learn to discharge capacitors and use an isolating transformer before you follow any "
        "of our notes.",
    ], "prose"),
    StaticPage(9, "links", "Links", [
        "Places we buy parts, look things up and read other restorers' notes:",
        "<ul>" + "".join(f'<li><a href="{url}">{name}</a> – {what}</li>' for name, url, what in SUPPLIERS)
        + "</ul>",
    ], "links"),
]


# -- dates --------------------------------------------------------------------------------
def _last_sunday(year: int, month: int) -> date:
    d = date(year + month // 12, month % 12 + 1, 1) - timedelta(days=1)
    return d - timedelta(days=(d.weekday() + 1) % 7)


def london(local: str) -> datetime:
    """A local Europe/London time with its offset (summer time from the last Sunday of March
    to the last Sunday of October)."""
    naive = datetime.fromisoformat(local)
    summer = _last_sunday(naive.year, 3) <= naive.date() < _last_sunday(naive.year, 10)
    return naive.replace(tzinfo=timezone(timedelta(hours=1 if summer else 0)))


def long_date(d: datetime) -> str:
    return f"{MONTHS[d.month - 1]} {d.day}, {d.year}"


def long_time(d: datetime) -> str:
    return f"{(d.hour - 1) % 12 + 1}:{d:%M} {'am' if d.hour < 12 else 'pm'}"


def gmt(d: datetime) -> str:
    return d.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%S")


# -- the comment tree -----------------------------------------------------------------------
def walk(comments: list[Comment]):
    for c in comments:
        yield c
        yield from walk(c.replies)


def number_comments() -> None:
    """Ids in order of posting across the site, as WordPress assigns them; parents, true
    depths and the comment page each top-level thread falls on."""
    for post in POSTS:
        for n, top in enumerate(post.comments):
            for c in walk([top]):
                c.post, c.page = post, n // COMMENTS_PER_PAGE + 1
            _link(top, None, 1)
    every = sorted((c for p in POSTS for c in walk(p.comments)), key=lambda c: london(c.when))
    for i, c in enumerate(every):
        c.id = FIRST_COMMENT_ID + i


def _link(c: Comment, parent: Comment | None, depth: int) -> None:
    c.parent, c.depth = parent, depth
    for r in c.replies:
        assert london(r.when) > london(c.when), f"reply before its parent: {r.when}"
        _link(r, c, depth + 1)


def comment_pages(post: Post) -> int:
    return max(1, -(-len(post.comments) // COMMENTS_PER_PAGE))


def page_path(post: Post, page: int) -> str:
    return post.path if page == 1 else f"{post.path}comment-page-{page}/"


def comment_link(c: Comment) -> str:
    return f"{page_path(c.post, c.page)}#comment-{c.id}"


def by_post_author(c: Comment) -> bool:
    return c.kind == "comment" and c.author == c.post.author.name


def author_of(name: str) -> Author | None:
    return next((a for a in AUTHORS if a.name == name), None)


def plain(fragment: str) -> str:
    return unescape(re.sub(r"<[^>]+>", "", fragment)).strip()


def block_html(block: str) -> str:
    if block.startswith("> "):
        return f"<blockquote><p>{block[2:]}</p></blockquote>"
    return f"<p>{block}</p>"


def text_of(blocks: list[str]) -> str:
    return "\n\n".join(plain(b.removeprefix("> ")) for b in blocks)


# -- HTML ----------------------------------------------------------------------------------
def document(title: str, body_class: str, main: str, head: str = "", post: Post | None = None) -> str:
    return f"""<!doctype html>
<html lang="en-GB">
<head>
<meta charset="UTF-8" />
<meta name="viewport" content="width=device-width, initial-scale=1" />
<title>{escape(title)}</title>
<link rel="alternate" type="application/rss+xml" title="{SITE_NAME} &raquo; Feed" href="/feed/" />
<link rel="https://api.w.org/" href="/wp-json/" />{head}
<meta name="generator" content="WordPress 6.4.3" />
</head>
<body class="{body_class} wp-embed-responsive is-light-theme no-js">
<div id="page" class="site">
<a class="skip-link screen-reader-text" href="#content">Skip to content</a>
<header id="masthead" class="site-header has-title-and-tagline">
<div class="site-branding">
<p class="site-title"><a href="/">{SITE_NAME}</a></p>
<p class="site-description">{escape(TAGLINE)}</p>
</div><!-- .site-branding -->
<nav id="site-navigation" class="primary-navigation" aria-label="Primary menu"><ul id="primary-menu-list" class="menu-wrapper">
<li class="menu-item"><a href="/">Home</a></li>
{"".join(f'<li class="menu-item menu-item-type-post_type menu-item-object-page"><a href="{pg.path}">{escape(pg.title)}</a></li>' for pg in PAGES)}
</ul></nav><!-- #site-navigation -->
</header><!-- #masthead -->
<div id="content" class="site-content">
<aside class="widget-area widget-area-top">
<section id="rss-2" class="widget widget_rss"><h2 class="widget-title">Parts suppliers</h2><p>Invalid or Broken rss link.</p></section>
</aside>
<div id="primary" class="content-area">
<main id="main" class="site-main">
{main}
</main><!-- #main -->
</div><!-- #primary -->
</div><!-- #content -->
{sidebar(post)}
<footer id="colophon" class="site-footer">
<div class="site-info"><div class="site-name"><a href="/">{SITE_NAME}</a></div>
<div class="powered-by">Proudly powered by <a href="https://wordpress.org/">WordPress</a>.</div></div>
</footer><!-- #colophon -->
</div><!-- #page -->
</body>
</html>
"""


def sidebar(current: Post | None) -> str:
    """Recent posts, the latest comments on other posts (never part of this page's thread),
    categories."""
    posts = "\n".join(f'<li><a class="wp-block-latest-posts__post-title" href="{p.path}">{escape(p.title)}</a></li>'
                      for p in newest_first())
    others = [c for p in POSTS if p is not current for c in walk(p.comments) if c.kind == "comment"]
    latest = sorted(others, key=lambda c: c.id, reverse=True)[:5]
    items = []
    for c in latest:
        user = author_of(c.author)
        href = f"/author/{user.slug}/" if user else c.url
        who = (f'<a class="wp-block-latest-comments__comment-author" href="{href}">{escape(c.author)}</a>' if href
               else f'<span class="wp-block-latest-comments__comment-author">{escape(c.author)}</span>')
        items.append(f'<li class="wp-block-latest-comments__comment"><article><footer class="wp-block-latest-comments__comment-meta">'
                     f'{who} on <a class="wp-block-latest-comments__comment-link" href="{comment_link(c)}">'
                     f'{escape(c.post.title)}</a></footer></article></li>')
    cats = "\n".join(f'<li class="cat-item cat-item-{i}"><a href="/category/{slug(n)}/">{n}</a></li>'
                     for n, i in CATEGORIES.items())
    return f"""<aside class="widget-area">
<section id="block-2" class="widget widget_block widget_search"><form role="search" method="get" action="/" class="wp-block-search"><label for="s" class="wp-block-search__label">Search</label><input type="search" id="s" class="wp-block-search__input" name="s" value="" /><button type="submit" class="wp-block-search__button">Search</button></form></section>
<section id="block-3" class="widget widget_block"><h2>Recent Posts</h2><ul class="wp-block-latest-posts__list wp-block-latest-posts">
{posts}
</ul></section>
<section id="block-4" class="widget widget_block"><h2>Recent Comments</h2><ol class="wp-block-latest-comments">{"".join(items)}</ol></section>
<section id="block-5" class="widget widget_block"><h2>Categories</h2><ul class="wp-block-categories-list wp-block-categories">
{cats}
</ul></section>
</aside><!-- .widget-area -->"""


def slug(name: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")


def newest_first(posts: list[Post] | None = None) -> list[Post]:
    return sorted(posts if posts is not None else POSTS, key=lambda p: p.when, reverse=True)


def post_classes(p: Post) -> str:
    terms = [f"category-{slug(p.category)}"] + [f"tag-{slug(t)}" for t in p.tags]
    return f"post-{p.id} post type-post status-publish format-standard hentry {' '.join(terms)} entry"


def posted_on(p: Post) -> str:
    d = london(p.when)
    return (f'<span class="posted-on">Published <time class="entry-date published updated" '
            f'datetime="{d.isoformat()}">{long_date(d)}</time></span>')


def taxonomies(p: Post) -> str:
    tags = ", ".join(f'<a href="/tag/{slug(t)}/" rel="tag">{t}</a>' for t in p.tags)
    return (f'<div class="post-taxonomies"><span class="cat-links">Categorized as <a href="/category/'
            f'{slug(p.category)}/" rel="category tag">{p.category}</a> </span>'
            f'<span class="tags-links">Tagged {tags}</span></div>')


def single(p: Post, page: int, here: str) -> str:
    """The post at URL path ``here``, showing comment page ``page`` of its thread."""
    # The theme prints a byline only for authors without a bio; the bio box names the others.
    byline = "" if p.author.bio_in_page else (
        f'<span class="byline">By <a href="/author/{p.author.slug}/" rel="author">{p.author.name}</a></span>')
    bio = "" if not p.author.bio_in_page else f"""
<div class="author-bio show-avatars">
<div class="author-bio-content">
<h2 class="author-title">By {p.author.name}</h2>
<p class="author-description">{escape(p.author.bio)}</p><!-- .author-description -->
<a class="author-link" href="/author/{p.author.slug}/" rel="author">View all of {p.author.name}&#039;s posts.</a>
</div><!-- .author-bio-content -->
</div><!-- .author-bio -->"""
    ordered = newest_first()
    i = ordered.index(p)
    nav = []
    if i + 1 < len(ordered):
        nav.append(f'<div class="nav-previous"><a href="{ordered[i + 1].path}" rel="prev"><p class="meta-nav">'
                   f'Previous post</p><p class="post-title">{escape(ordered[i + 1].title)}</p></a></div>')
    if i > 0:
        nav.append(f'<div class="nav-next"><a href="{ordered[i - 1].path}" rel="next"><p class="meta-nav">'
                   f'Next post</p><p class="post-title">{escape(ordered[i - 1].title)}</p></a></div>')
    body = "\n".join(f"<p>{b}</p>" for b in p.body)
    main = f"""<article id="post-{p.id}" class="{post_classes(p)}">
<header class="entry-header alignwide">
<h1 class="entry-title">{escape(p.title)}</h1>
</header><!-- .entry-header -->
<div class="entry-content">
{body}
</div><!-- .entry-content -->
<footer class="entry-footer default-max-width">
<div class="posted-by">{posted_on(p)}{byline}</div>{taxonomies(p)}
</footer><!-- .entry-footer -->{bio}
</article><!-- #post-{p.id} -->
{comments_area(p, page, here)}
<nav class="navigation post-navigation" aria-label="Posts">
<h2 class="screen-reader-text">Post navigation</h2>
<div class="nav-links">{"".join(nav)}</div>
</nav>"""
    # WordPress names a comment page in the canonical link, the first one as the post's #comments.
    canonical = p.path if here == p.path else f"{page_path(p, page)}#comments"
    head = (f'\n<link rel="alternate" type="application/json" href="/wp-json/wp/v2/posts/{p.id}" />'
            f'\n<link rel="canonical" href="{canonical}" />')
    return document(f"{p.title} – {SITE_NAME}",
                    f"post-template-default single single-post postid-{p.id} single-format-standard singular",
                    main, head, p)


def static_page(pg: StaticPage) -> str:
    """A page as the classic theme prints it: no date, no byline, no comments (closed, none)."""
    body = "\n".join(b if b.startswith("<") else f"<p>{b}</p>" for b in pg.body)
    main = f"""<article id="post-{pg.id}" class="post-{pg.id} page type-page status-publish hentry entry">
<header class="entry-header alignwide">
<h1 class="entry-title">{escape(pg.title)}</h1>
</header><!-- .entry-header -->
<div class="entry-content">
{body}
</div><!-- .entry-content -->
</article><!-- #post-{pg.id} -->"""
    head = f'\n<link rel="canonical" href="{pg.path}" />'
    return document(f"{pg.title} – {SITE_NAME}", f"page-template-default page page-id-{pg.id} singular",
                    main, head)


def page_text(pg: StaticPage) -> list[str]:
    """The paragraphs a crawl keeps: the prose, or for a page of links each item with its address."""
    if pg.kind_of_content == "prose":
        return [plain(b) for b in pg.body]
    return [plain(pg.body[0])] + [f"{name} – {what} {url}" for name, url, what in SUPPLIERS]


def comments_area(p: Post, page: int, here: str) -> str:
    parts = [f'<div id="comments" class="comments-area default-max-width show-avatars">']
    if p.comments:
        n = sum(1 for _ in walk(p.comments))
        parts.append(f'<h2 class="comments-title">{n} comment{"s" if n != 1 else ""} on “{escape(p.title)}”</h2><!-- .comments-title -->')
        roots = p.comments[(page - 1) * COMMENTS_PER_PAGE:page * COMMENTS_PER_PAGE]
        parts.append('<ol class="comment-list">')
        parts.append(Walker(p, here).render(roots))
        parts.append("</ol><!-- .comment-list -->")
        if comment_pages(p) > 1:
            nav = []
            if page > 1:
                nav.append(f'<div class="nav-previous"><a href="{p.path}comment-page-{page - 1}/#comments">Older comments</a></div>')
            if page < comment_pages(p):
                nav.append(f'<div class="nav-next"><a href="{p.path}comment-page-{page + 1}/#comments">Newer comments</a></div>')
            parts.append(f'<nav class="navigation comment-navigation" aria-label="Comments">\n'
                         f'<h2 class="screen-reader-text">Comments navigation</h2>\n'
                         f'<div class="nav-links">{"".join(nav)}</div>\n</nav>')
    if p.comments_open:
        parts.append(f"""<div id="respond" class="comment-respond">
<h2 id="reply-title" class="comment-reply-title">Leave a comment</h2>
<form action="/wp-comments-post.php" method="post" id="commentform" class="comment-form" novalidate>
<p class="comment-notes"><span id="email-notes">Your email address will not be published.</span> Required fields are marked <span class="required">*</span></p>
<p class="comment-form-comment"><label for="comment">Comment <span class="required">*</span></label> <textarea id="comment" name="comment" cols="45" rows="5" required></textarea></p>
<p class="comment-form-author"><label for="author">Name <span class="required">*</span></label> <input id="author" name="author" type="text" value="" size="30" required /></p>
<p class="comment-form-email"><label for="email">Email <span class="required">*</span></label> <input id="email" name="email" type="email" value="" size="30" required /></p>
<p class="form-submit"><input name="submit" type="submit" id="submit" class="submit" value="Post Comment" /> <input type="hidden" name="comment_post_ID" value="{p.id}" id="comment_post_ID" /> <input type="hidden" name="comment_parent" id="comment_parent" value="0" /></p>
</form>
</div><!-- #respond -->""")
    elif p.comments:
        parts.append('<p class="no-comments">Comments are closed.</p>')
    parts.append("</div><!-- #comments -->")
    return "\n".join(parts)


class Walker:
    """WordPress's comment walker: replies nest up to THREAD_DEPTH levels; replies to a comment
    at the last level follow it as siblings at that level."""

    def __init__(self, post: Post, here: str):
        self.post, self.here = post, here
        self.alt = self.thread_alt = 0
        self.out: list[str] = []

    def render(self, roots: list[Comment]) -> str:
        for c in roots:
            self.element(c, 1)
        return "\n".join(self.out)

    def element(self, c: Comment, depth: int) -> None:
        self.out.append(self.start(c, depth))
        if c.replies and depth < THREAD_DEPTH:
            self.out.append('<ol class="children">')
            for r in c.replies:
                self.element(r, depth + 1)
            self.out.append("</ol><!-- .children -->")
        self.out.append("</li><!-- #comment-## -->")
        if c.replies and depth >= THREAD_DEPTH:
            for r in c.replies:
                self.element(r, depth)

    def classes(self, c: Comment, depth: int) -> str:
        cls = [c.kind]
        user = author_of(c.author) if c.kind == "comment" else None
        if user:
            cls += ["byuser", f"comment-author-{user.slug}"]
        if by_post_author(c):
            cls.append("bypostauthor")
        cls += ["even"] if self.alt % 2 == 0 else ["odd", "alt"]
        self.alt += 1
        if depth == 1:
            cls += ["thread-even"] if self.thread_alt % 2 == 0 else ["thread-odd", "thread-alt"]
            self.thread_alt += 1
        cls.append(f"depth-{depth}")
        if c.replies:
            cls.append("parent")
        return " ".join(cls)

    def start(self, c: Comment, depth: int) -> str:
        li = f'<li id="comment-{c.id}" class="{self.classes(c, depth)}">'
        if c.kind == "pingback":
            return (f"{li}\n<div class=\"comment-body\">\nPingback: <a href='{c.url}' rel='external nofollow ugc' "
                    f"class='url'>{escape(c.author)}</a> \n</div>")
        name = escape(c.author)
        if c.url:
            name = f"<a href='{c.url}' rel='external nofollow ugc' class='url'>{name}</a>"
        d = london(c.when)
        content = "\n".join(block_html(b) for b in c.blocks)
        reply = ""
        if self.post.comments_open and depth < THREAD_DEPTH:  # no replying past the last level
            reply = (f"\n<div class=\"reply\"><a rel='nofollow' class='comment-reply-link' href='{self.here}?replytocom={c.id}#respond' "
                     f"data-commentid=\"{c.id}\" data-postid=\"{self.post.id}\" data-belowelement=\"div-comment-{c.id}\" "
                     f"data-respondelement=\"respond\" data-replyto=\"Reply to {escape(c.author)}\" "
                     f"aria-label='Reply to {escape(c.author)}'>Reply</a></div>")
        return f"""{li}
<article id="div-comment-{c.id}" class="comment-body">
<footer class="comment-meta">
<div class="comment-author vcard">
<b class="fn">{name}</b> <span class="says">says:</span>
</div><!-- .comment-author -->
<div class="comment-metadata">
<a href="{comment_link(c)}"><time datetime="{d.isoformat()}">{long_date(d)} at {long_time(d)}</time></a>
</div><!-- .comment-metadata -->
</footer><!-- .comment-meta -->
<div class="comment-content">
{content}
</div><!-- .comment-content -->{reply}
</article><!-- .comment-body -->"""


def listing(posts: list[Post], path: str, body_class: str, heading: str = "", page: int = 1,
            pages: int = 1) -> str:
    """Home, archive: one excerpt per post, newest first, and links to the other pages."""
    blocks = [heading] if heading else []
    for p in posts:
        blocks.append(f"""<article id="post-{p.id}" class="{post_classes(p)}">
<header class="entry-header"><h2 class="entry-title default-max-width"><a href="{p.path}">{escape(p.title)}</a></h2></header>
<div class="entry-content"><p>{p.body[0]} <a class="more-link" href="{p.path}">Continue reading<span class="screen-reader-text"> {escape(p.title)}</span></a></p></div>
<footer class="entry-footer default-max-width">{posted_on(p)}{taxonomies(p)}</footer>
</article><!-- #post-{p.id} -->""")
    if pages > 1:
        links = []
        if page > 1:
            prev = path if page == 2 else f"{path}page/{page - 1}/"
            links.append(f'<a class="prev page-numbers" href="{prev}"><span class="nav-prev-text">Newer posts</span></a>')
        for n in range(1, pages + 1):
            href = path if n == 1 else f"{path}page/{n}/"
            links.append(f'<span aria-current="page" class="page-numbers current">Page {n}</span>' if n == page
                         else f'<a class="page-numbers" href="{href}">Page {n}</a>')
        if page < pages:
            links.append(f'<a class="next page-numbers" href="{path}page/{page + 1}/"><span class="nav-next-text">Older posts</span></a>')
        blocks.append(f'<nav class="navigation pagination" aria-label="Posts">\n<h2 class="screen-reader-text">Posts navigation</h2>\n'
                      f'<div class="nav-links">{"".join(links)}</div>\n</nav>')
    if page > 1:
        body_class += f" paged paged-{page}"
    return document(SITE_NAME if path == "/" else f"{plain(heading)} – {SITE_NAME}", body_class + " hfeed",
                    "\n".join(blocks))


def page_header(title: str, description: str = "") -> str:
    return f'<header class="page-header alignwide"><h1 class="page-title">{title}</h1>{description}</header>'


def archives() -> dict[str, str]:
    """Every listing page: home (paginated), each category, tag and author."""
    out: dict[str, str] = {}

    def add(path: str, posts: list[Post], body_class: str, heading: str = "") -> None:
        posts = newest_first(posts)
        pages = -(-len(posts) // POSTS_PER_PAGE)
        for n in range(1, pages + 1):
            chunk = posts[(n - 1) * POSTS_PER_PAGE:n * POSTS_PER_PAGE]
            out[path if n == 1 else f"{path}page/{n}/"] = listing(chunk, path, body_class, heading, n, pages)

    add("/", POSTS, "home blog")
    for name, i in CATEGORIES.items():
        add(f"/category/{slug(name)}/", [p for p in POSTS if p.category == name],
            f"archive category category-{slug(name)} category-{i}",
            page_header(f"Category: <span>{name}</span>"))
    for name, i in TAGS.items():
        add(f"/tag/{slug(name)}/", [p for p in POSTS if name in p.tags],
            f"archive tag tag-{slug(name)} tag-{i}",
            page_header(f"Tag: <span>{name}</span>"))
    for a in AUTHORS:
        about = f'<div class="archive-description"><p>{escape(a.bio)}</p></div>' if a.bio_in_page else ""
        add(f"/author/{a.slug}/", [p for p in POSTS if p.author is a],
            f"archive author author-{a.slug} author-{a.id}",
            page_header(f'Author: <span class="vcard">{a.name}</span>', about))
    return out


# -- feeds, sitemaps, robots.txt ------------------------------------------------------------
def rss() -> str:
    items = []
    for p in newest_first():
        cats = "".join(f"<category><![CDATA[{t}]]></category>" for t in [p.category] + p.tags)
        body = "\n".join(f"<p>{b}</p>" for b in p.body)
        items.append(f"""<item>
<title>{escape(p.title)}</title>
<link>{BASE}{p.path}</link>
<comments>{BASE}{p.path}#comments</comments>
<dc:creator><![CDATA[{p.author.name}]]></dc:creator>
<pubDate>{format_datetime(london(p.when).astimezone(timezone.utc))}</pubDate>
{cats}
<guid isPermaLink="false">{BASE}/?p={p.id}</guid>
<description><![CDATA[{plain(p.body[0])}]]></description>
<content:encoded><![CDATA[{body}]]></content:encoded>
</item>""")
    latest = format_datetime(london(newest_first()[0].when).astimezone(timezone.utc))
    return f"""<?xml version="1.0" encoding="UTF-8"?><rss version="2.0" xmlns:content="http://purl.org/rss/1.0/modules/content/" xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:atom="http://www.w3.org/2005/Atom">
<channel>
<title>{SITE_NAME}</title>
<atom:link href="{BASE}/feed/" rel="self" type="application/rss+xml" />
<link>{BASE}</link>
<description>{escape(TAGLINE)}</description>
<lastBuildDate>{latest}</lastBuildDate>
<language>en-GB</language>
{chr(10).join(items)}
</channel>
</rss>
"""


def sitemap_index() -> str:
    return ('<?xml version="1.0" encoding="UTF-8"?>\n<sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">'
            f"<sitemap><loc>{BASE}/wp-sitemap-posts-post-1.xml</loc></sitemap>"
            f"<sitemap><loc>{BASE}/wp-sitemap-posts-page-1.xml</loc></sitemap></sitemapindex>\n")


def sitemap_pages() -> str:
    urls = "".join(f"<url><loc>{BASE}{pg.path}</loc></url>" for pg in PAGES)
    return f'<?xml version="1.0" encoding="UTF-8"?>\n<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">{urls}</urlset>\n'


def sitemap_posts() -> str:
    urls = "".join(f"<url><loc>{BASE}{p.path}</loc></url>" for p in sorted(POSTS, key=lambda p: p.id))
    return f'<?xml version="1.0" encoding="UTF-8"?>\n<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">{urls}</urlset>\n'


ROBOTS = f"""User-agent: *
Disallow: /wp-admin/
Allow: /wp-admin/admin-ajax.php

Sitemap: {BASE}/wp-sitemap.xml
"""


# -- REST API -------------------------------------------------------------------------------
def rest_post(p: Post) -> dict:
    d = london(p.when)
    return {
        "id": p.id, "date": d.strftime("%Y-%m-%dT%H:%M:%S"), "date_gmt": gmt(d),
        "guid": {"rendered": f"{BASE}/?p={p.id}"},
        "modified": d.strftime("%Y-%m-%dT%H:%M:%S"), "modified_gmt": gmt(d),
        "slug": p.slug, "status": "publish", "type": "post", "link": BASE + p.path,
        "title": {"rendered": escape(p.title, quote=False)},
        "content": {"rendered": "\n".join(f"<p>{b}</p>" for b in p.body) + "\n", "protected": False},
        "excerpt": {"rendered": f"<p>{p.body[0]}</p>\n", "protected": False},
        "author": p.author.id, "featured_media": 0,
        "comment_status": "open" if p.comments_open else "closed", "ping_status": "open",
        "sticky": False, "template": "", "format": "standard", "meta": [],
        "categories": [CATEGORIES[p.category]], "tags": [TAGS[t] for t in p.tags],
    }


def rest_comments(p: Post) -> list[dict]:
    """Approved comments of one post, newest first; pingbacks are hidden from anonymous visitors."""
    out = []
    for c in sorted(walk(p.comments), key=lambda c: c.id, reverse=True):
        if c.kind != "comment":
            continue
        d, user = london(c.when), author_of(c.author)
        out.append({
            "id": c.id, "post": p.id, "parent": c.parent.id if c.parent else 0,
            "author": user.id if user else 0, "author_name": c.author, "author_url": c.url or "",
            "date": d.strftime("%Y-%m-%dT%H:%M:%S"), "date_gmt": gmt(d),
            "content": {"rendered": "\n".join(block_html(b) for b in c.blocks) + "\n"},
            "link": BASE + comment_link(c), "status": "approved", "type": "comment", "meta": [],
        })
    return out


def rest_index() -> dict:
    """The API root that every page links (``rel="https://api.w.org/"``), cut to what this site has."""
    routes = ["/wp/v2/posts", "/wp/v2/posts/(?P<id>[\\d]+)", "/wp/v2/comments", "/wp/v2/users"]
    return {"name": SITE_NAME, "description": TAGLINE, "url": BASE, "home": BASE,
            "gmt_offset": 0, "timezone_string": "Europe/London", "namespaces": ["wp/v2"],
            "routes": {r: {"namespace": "wp/v2", "methods": ["GET"]} for r in routes}}


def rest_users() -> list[dict]:
    return [{"id": a.id, "name": a.name, "url": "", "description": a.bio,
             "link": f"{BASE}/author/{a.slug}/", "slug": a.slug, "meta": []} for a in AUTHORS]


# -- truth ----------------------------------------------------------------------------------
def truth() -> dict:
    posts = []
    for p in sorted(POSTS, key=lambda p: p.id):
        comments = []
        for c in walk(p.comments):
            comments.append({
                "id": c.id, "parent_id": c.parent.id if c.parent else None, "depth": c.depth,
                "displayed_depth": min(c.depth, THREAD_DEPTH), "author": c.author,
                "author_url": c.url, "by_post_author": by_post_author(c),
                "published": london(c.when).isoformat(), "kind": c.kind,
                "text": text_of(c.blocks), "comment_page": c.page,
            })
        posts.append({
            "url": BASE + p.path, "url_path": p.path, "post_id": p.id, "slug": p.slug,
            "title": p.title, "author": p.author.name,
            "author_url": f"{BASE}/author/{p.author.slug}/", "author_bio": p.author.bio,
            "author_bio_source": "html" if p.author.bio_in_page else "api",
            "published": london(p.when).isoformat(), "categories": [p.category], "tags": p.tags,
            "body_paragraphs": [plain(b) for b in p.body],
            "comments_closed": not p.comments_open, "comment_count": len(comments),
            "comment_pages": comment_pages(p) if p.comments else 0,
            "max_depth": max((c["depth"] for c in comments), default=0),
            "comments": comments,
        })
    return {
        "site": {"name": SITE_NAME, "base": BASE, "thread_depth": THREAD_DEPTH,
                 "comments_per_page": COMMENTS_PER_PAGE, "posts_per_page": POSTS_PER_PAGE},
        "notes": [
            "URLs are under the placeholder base; pages link root-relative, so a crawl of the "
            "replayed site sees them under the server's address.",
            f"Replies deeper than {THREAD_DEPTH} levels show at level {THREAD_DEPTH} in the HTML "
            "(displayed_depth); parent_id and depth are the true values, which the REST API has.",
            "Pingbacks show only their source title and link in the HTML and are absent from the "
            "REST API; their text and published date are not on any public page.",
            "author_bio_source 'api': the theme prints no bio; the REST users endpoint has it.",
        ],
        "posts": posts,
        "pages": [{"url": BASE + pg.path, "url_path": pg.path, "page_id": pg.id, "title": pg.title,
                   "page_kind": "page", "content": pg.kind_of_content, "body_paragraphs": page_text(pg)}
                  for pg in PAGES],
    }


# -- writing --------------------------------------------------------------------------------
HTML = "text/html; charset=UTF-8"
JSON = "application/json; charset=UTF-8"


def site_files() -> list[tuple[str, str, str]]:
    """(URL path, content type, text) for every captured URL."""
    files = [(path, HTML, html) for path, html in archives().items()]
    files += [(pg.path, HTML, static_page(pg)) for pg in PAGES]
    for p in POSTS:
        files.append((p.path, HTML, single(p, 1, p.path)))
        if comment_pages(p) > 1:
            for n in range(1, comment_pages(p) + 1):
                here = f"{p.path}comment-page-{n}/"
                files.append((here, HTML, single(p, n, here)))
    files += [
        ("/feed/", "application/rss+xml; charset=UTF-8", rss()),
        ("/wp-sitemap.xml", "application/xml; charset=UTF-8", sitemap_index()),
        ("/wp-sitemap-posts-post-1.xml", "application/xml; charset=UTF-8", sitemap_posts()),
        ("/wp-sitemap-posts-page-1.xml", "application/xml; charset=UTF-8", sitemap_pages()),
        ("/robots.txt", "text/plain; charset=utf-8", ROBOTS),
        ("/wp-json/", JSON, dump(rest_index())),
        ("/wp-json/wp/v2/users", JSON, dump(rest_users())),
        ("/wp-json/wp/v2/posts", JSON, dump([rest_post(p) for p in newest_first()])),
    ]
    for p in POSTS:
        files.append((f"/wp-json/wp/v2/posts/{p.id}", JSON, dump(rest_post(p))))
        files.append((f"/wp-json/wp/v2/comments?post={p.id}&per_page=100", JSON, dump(rest_comments(p))))
    return files


def dump(data: object) -> str:
    return json.dumps(data, ensure_ascii=False, separators=(",", ":"))


def file_for(path: str, content_type: str) -> str:
    """Where a URL's body is stored, as in the captured corpus: ``<path>/index.<ext>``, a query
    string as a ``_q_<query>`` folder."""
    path, _, query = path.partition("?")
    ext = "html" if "html" in content_type else "json" if "json" in content_type else \
        "xml" if "xml" in content_type else "txt"
    folder = path.strip("/") + (f"/_q_{query}" if query else "")
    return f"{folder}/index.{ext}" if folder else f"index.{ext}"


def write(out: Path) -> None:
    if out.exists():
        if any(out.iterdir()) and not (out / "manifest.json").exists():
            raise SystemExit(f"{out} is not empty and holds no manifest.json; not overwriting it")
        shutil.rmtree(out)
    number_comments()
    entries = []
    for path, ctype, text in site_files():
        data = text.encode("utf-8")
        name = file_for(path, ctype)
        (out / name).parent.mkdir(parents=True, exist_ok=True)
        (out / name).write_bytes(data)
        entries.append({"url": BASE + path, "file": name, "status": 200, "content_type": ctype,
                        "bytes": len(data)})
    manifest = {"theme": "sample-classic", "base": BASE, "entries": entries}
    for name, data in (("manifest.json", manifest), ("truth.json", truth())):
        (out / name).write_text(json.dumps(data, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT,
                        help=f"folder to write (default {DEFAULT_OUT})")
    args = parser.parse_args()
    write(args.out)
    print(f"wrote {args.out}")


if __name__ == "__main__":
    main()
