"""Comment systems, per system: comments found against comments declared, on the real captures
in ../shared/corpus/comment-systems/ and, for systems with none, the fixtures built from the
system's own source (tests/fixtures/commentsystems/).

Each case is a page (the system is detected on it) and the answers its endpoint gave, in the
order the system asks for them: the first answer is read with ``first_fetch``'s request, each
next one with the request the previous answer named. "declared" is the total the capture itself
states (Blogger's ``openSearch:totalResults``, the Disqus thread's ``posts``, the page's count).

    python benchmarks/comment_systems.py
"""
from __future__ import annotations

import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from scraper.commentsystems import CommentSystemError, Unavailable, detect, system_named  # noqa: E402
from scraper.extractors import extract_page, parse_html  # noqa: E402
from scraper.extractors.page import Page  # noqa: E402

CAPTURES = ROOT.parent / "shared" / "corpus" / "comment-systems"
FIXTURES = ROOT / "tests" / "fixtures" / "commentsystems"
SETTINGS = {"DISQUS_API_KEY": "benchmark-key"}  # the keyed path: every page of the API

# (system, source, page, URL, answers, declared)
CASES = [
    ("disqus", "real", CAPTURES / "disqus/page_caktusgroup.com_disqus_shortname.html",
     "https://www.caktusgroup.com/blog/2015/06/08/testing-client-side-applications-django-post-mortem/",
     [CAPTURES / "disqus/api3_threads_listPosts__disqus-sdk-net.json"], 49),
    ("blogger", "real", CAPTURES / "blogger/hradiska_divinka_page.html",
     "http://www.hradiska.sk/2011/06/hradisko-velky-vrch-divinka.html",
     [CAPTURES / "blogger/hradiska_divinka_feed_atom.xml"], 23),
    ("blogger", "real", CAPTURES / "blogger/hradiska_novezamky_page.html",
     "http://www.hradiska.sk/2016/10/pevnost-nove-zamky-3d.html",
     [CAPTURES / "blogger/hradiska_novezamky_feed_atom.xml"], 10),
    ("blogger", "real", CAPTURES / "blogger/hradiska_slovania_page_171comments.html",
     "http://www.hradiska.sk/2016/12/kedy-prisli-slovania-na-slovensko.html",
     [CAPTURES / "blogger/hradiska_slovania_feed_atom_page1of7.xml"], 171),
    ("jetpack", "real", CAPTURES / "jetpack-wpcom/page_zulang.wordpress.com_depth4.html",
     "https://zulang.wordpress.com/2012/08/31/genitalverstummelung/", [], 6),
    ("facebook", "real", CAPTURES / "facebook/page_skateboardmsm.de_fb-comments.html",
     "https://www.skateboardmsm.de/news/dormhagen.html", [], None),
    ("remark42", "fixture", FIXTURES / "remark42/page.html", None, [FIXTURES / "remark42/find_plain.json"], None),
    ("commento", "fixture", FIXTURES / "commento/page.html", None, [FIXTURES / "commento/comment_list.json"], None),
    ("waline", "fixture", FIXTURES / "waline/page.html", None,
     [FIXTURES / "waline/comment_page1.json", FIXTURES / "waline/comment_page2.json"], None),
    ("cusdis", "fixture", FIXTURES / "cusdis/page.html", None,
     [FIXTURES / "cusdis/comments_page1.json", FIXTURES / "cusdis/comments_page2.json"], None),
    ("giscus", "fixture", FIXTURES / "giscus/page.html", None,
     [FIXTURES / "giscus/discussion_page1.json", FIXTURES / "giscus/discussion_page2.json"], None),
    ("mastodon", "fixture", FIXTURES / "mastodon/page.html", None, [FIXTURES / "mastodon/context.json"], None),
    ("substack", "fixture", FIXTURES / "substack/page.html", None, [FIXTURES / "substack/comments.json"], None),
]


def answer_body(path: Path) -> bytes:
    """The answer's bytes; a test-suite recording keyed by its query string (the Disqus API
    capture) gives its one answer."""
    body = path.read_bytes()
    if path.suffix == ".json":
        data = json.loads(body.decode("utf-8-sig"))
        if isinstance(data, dict) and len(data) == 1 and "=" in next(iter(data)):
            return json.dumps(next(iter(data.values()))).encode()
    return body


def run_case(system: str, page_path: Path, url: str | None, answers: list[Path]) -> dict:
    """Detection, then the answers read in the order the system asks for them."""
    url = url or "https://blog.example.org/2024/01/a-post/"
    html = page_path.read_bytes()
    embed = detect(Page(parse_html(html), url))
    row = {"detected": embed.system if embed else None, "found": 0, "pages": 0, "note": ""}
    if embed is None or embed.system != system:
        row["note"] = "not detected"
        return row
    impl = system_named(system)
    try:
        fetch = impl.first_fetch(embed, SETTINGS)
    except Unavailable as exc:
        row["note"] = f"unavailable: {exc}"
        return row
    if fetch is None:  # the page's markup is the thread
        row["found"] = len(extract_page(html, url)["comments"])
        row["note"] = "the page's markup"
        return row
    for answer in answers:
        try:
            batch = impl.parse(embed, fetch, answer_body(answer), {})
        except CommentSystemError as exc:
            row["note"] = f"invalid answer: {exc}"
            return row
        row["found"] += len(batch.comments)
        row["pages"] += 1
        if batch.incomplete:
            row["note"] = batch.incomplete
        if batch.next is None:
            break
        fetch = batch.next
    else:
        if answers:
            row["note"] = row["note"] or "more pages than captured"
    return row


def main() -> None:
    print(f"{'system':10s} {'source':8s} {'found':>6s} {'declared':>9s} {'answers':>8s}  note")
    totals: dict[str, list[int]] = {}
    for system, source, page, url, answers, declared in CASES:
        if not page.exists() or not all(a.exists() for a in answers):
            print(f"{system:10s} {source:8s} {'-':>6s} {'-':>9s} {'-':>8s}  not found: {page.parent}")
            continue
        row = run_case(system, page, url, answers)
        print(f"{system:10s} {source:8s} {row['found']:6d} {declared if declared is not None else '-':>9} "
              f"{row['pages']:8d}  {row['note'] or page.name}")
        if declared:
            found, stated = totals.setdefault(system, [0, 0])
            totals[system] = [found + row["found"], stated + declared]
    print("\nfound of declared, per system (cases that state a total):")
    for system, (found, stated) in totals.items():
        print(f"  {system:10s} {found}/{stated} ({100 * found / stated:.0f} %)")


if __name__ == "__main__":
    main()
