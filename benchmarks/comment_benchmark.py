"""Comment threads against what the markup itself states, on ../shared/corpus/threads/ (full
pages) and ../shared/corpus/wp-comment-sections/ (WordPress comment lists).

The reference is read from the markup by explicit rules of its own, not by the extractor's
code. On each page the first rule that finds anything is the reference:

1. WordPress (and Drupal 8, which uses the same ids): elements with id ``comment-N`` /
   ``li-comment-N`` (the first per N; an id'd block directly in an ``li`` stands for that
   ``li``); depth is its ``depth-N`` class and
   the parent the nearest earlier comment one level up; without the class, both come from
   nesting, where a ``div.indented`` or ``.children`` list outside any comment holds replies
   to the comment just before it.
2. Drupal 7: ``<a id="comment-N">`` followed by ``div.comment``; depth 1 + enclosing
   ``div.indented``, the parent is the comment just before that ``div.indented``.
3. Blogger: ``li.comment`` with id ``cN``; depth and parent from nesting.
4. Slash (Slashdot): ``li#tree_N``; depth and parent from nesting.
5. schema.org ``Comment`` itemscopes (microdata, RDFa ``typeof``); a scope that is the direct
   child of an ``li`` stands for that ``li``; depth and parent from nesting.
6. Otherwise ``li``/``div``/``article`` with class ``comment`` inside ``#comments``,
   ``.comments``, ``.comment-list`` or ``.commentlist``; depth and parent from nesting.

Comments are matched to the extractor's rows by id, and in document order where the markup
gives none. What is counted, per corpus:

- ``depth_class_agree``: of comments whose element has a ``depth-N`` class, the share found
  with depth N;
- ``parent_agree``: of all reference comments, the share found with the reference parent
  (for ``depth-N`` comments the nearest earlier one a level up, else the enclosing comment
  or the one a ``div.indented`` follows);
- ``pages_complete``: the share of pages where every reference comment is found with the
  reference depth (a page whose markup holds no comment counts when none is found);
- ``pages_leaking``: pages where a paragraph of ≥ 40 characters of a found comment appears in
  the article body (``body_text``; for pages that are not articles, such as the bare comment
  lists, the generic body part is checked instead), unless the page holds that paragraph
  outside its comments too (a comment quoting the article).

    python benchmarks/comment_benchmark.py
"""
from __future__ import annotations

import gzip
import json
import re
import sys
from collections import Counter
from copy import deepcopy
from dataclasses import dataclass
from pathlib import Path

from lxml import etree

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from scraper.extractors import GenericExtractor, Page, extract_page, parse_html  # noqa: E402
from scraper.extractors.comments import extract_comments  # noqa: E402
from scraper.text import collapse  # noqa: E402

LEAK_MIN_CHARS = 40
_WP_ID = re.compile(r"^(?:li-)?comment-(\d+)$")
_DEPTH = re.compile(r"(?:^|\s)depth-(\d+)(?:\s|$)")


@dataclass
class Ref:
    """One comment as the markup states it."""
    element: etree._Element
    id: str | None
    depth: int
    parent: int | None  # index into the page's reference list
    depth_class: bool = False


def _classes(el) -> list[str]:
    return (el.get("class") or "").split()


def _nested(elements: list, ids: list[str | None]) -> list[Ref]:
    """Parent = nearest enclosing element of the list; depth follows the parents."""
    index = {id(el): i for i, el in enumerate(elements)}
    refs: list[Ref] = []
    for i, el in enumerate(elements):
        parent = next((index[id(a)] for a in el.iterancestors() if id(a) in index), None)
        refs.append(Ref(el, ids[i], refs[parent].depth + 1 if parent is not None else 1, parent))
    return refs


def _indented_parent(el, index: dict) -> int | None:
    box = next((a for a in el.iterancestors() if {"indented", "children"} & set(_classes(a))), None)
    if box is None:
        return None
    for sibling in box.itersiblings(preceding=True):
        for node in sibling.iter():
            if id(node) in index:
                return index[id(node)]
    return None


def _wordpress(root) -> list[Ref]:
    elements, ids, seen = [], [], set()
    for el in root.xpath("//*[starts-with(@id, 'comment-') or starts-with(@id, 'li-comment-')]"):
        m = _WP_ID.match(el.get("id"))
        if m and el.tag in ("li", "div", "article", "section") and m.group(1) not in seen:
            seen.add(m.group(1))
            holder = el.getparent()
            elements.append(holder if el.tag != "li" and holder.tag == "li" else el)
            ids.append(m.group(1))
    refs = _nested(elements, ids)
    index = {id(el): i for i, el in enumerate(elements)}
    for i, ref in enumerate(refs):
        m = _DEPTH.search(ref.element.get("class") or "")
        if m:
            # WordPress numbers depths in document order: the parent is the nearest earlier
            # comment one level up.
            ref.depth, ref.depth_class = int(m.group(1)), True
            ref.parent = next((j for j in range(i - 1, -1, -1) if refs[j].depth == ref.depth - 1), None)
        elif ref.parent is None:
            ref.parent = _indented_parent(ref.element, index)
            ref.depth = refs[ref.parent].depth + 1 if ref.parent is not None else 1
    return refs


def _drupal(root) -> list[Ref]:
    pairs = [(a.getnext(), a.get("id")[8:]) for a in root.xpath("//a[starts-with(@id, 'comment-')]")
             if _WP_ID.match(a.get("id")) and a.getnext() is not None and "comment" in _classes(a.getnext())]
    index = {id(el): i for i, (el, _) in enumerate(pairs)}
    refs: list[Ref] = []
    for el, cid in pairs:
        parent = _indented_parent(el, index)
        refs.append(Ref(el, cid, refs[parent].depth + 1 if parent is not None else 1, parent))
    return refs


def _blogger(root) -> list[Ref]:
    found = [li for li in root.xpath("//li[starts-with(@id, 'c')]")
             if re.fullmatch(r"c\d{6,}", li.get("id")) and "comment" in _classes(li)]
    return _nested(found, [li.get("id")[1:] for li in found])


def _slash(root) -> list[Ref]:
    found = [li for li in root.xpath("//li[starts-with(@id, 'tree_')]") if li.get("id")[5:].isdigit()]
    return _nested(found, [li.get("id")[5:] for li in found])


def _schema_org(root) -> list[Ref]:
    found = []
    for el in root.xpath("//*[contains(@itemtype, 'schema.org/Comment') or @typeof='schema:Comment']"):
        parent = el.getparent()
        found.append(parent if parent is not None and parent.tag == "li" else el)
    return _nested(found, [None] * len(found))


def _generic(root) -> list[Ref]:
    area = ("//*[@id='comments' or contains(concat(' ', @class, ' '), ' comments ')"
            " or contains(concat(' ', @class, ' '), ' comment-list ')"
            " or contains(concat(' ', @class, ' '), ' commentlist ')]")
    found = root.xpath(area + "//*[self::li or self::div or self::article]"
                       "[contains(concat(' ', normalize-space(@class), ' '), ' comment ')]")
    found = list(dict.fromkeys(found))
    return _nested(found, [None] * len(found))


RULES = (_wordpress, _drupal, _blogger, _slash, _schema_org, _generic)


def reference(root) -> tuple[str, list[Ref]]:
    """The first rule that finds comments, by name, and what it finds."""
    for rule in RULES:
        refs = rule(root)
        if refs:
            return rule.__name__.lstrip("_"), refs
    return "none", []


def _match(refs: list[Ref], rows: list[dict]) -> list[dict | None]:
    """The row of each reference comment: by id, else the next unmatched row in order."""
    by_id = {r["comment_id"]: r for r in rows}
    used = {id(by_id[ref.id]) for ref in refs if ref.id in by_id}
    spare = iter([r for r in rows if id(r) not in used])
    return [by_id.get(ref.id) if ref.id in by_id else next(spare, None) for ref in refs]


def _text_outside(root, elements: list) -> str:
    """The page's text with the given comment elements cut out."""
    tree = root.getroottree()
    paths = [tree.getpath(el) for el in elements]
    copy = deepcopy(root)
    for path in paths:
        for el in copy.xpath(path):
            if el.getparent() is not None:
                el.drop_tree()
    return collapse(copy.text_content())


def _in_body(rows: list[dict], body: str) -> list[str]:
    """Paragraphs (≥ 40 characters) of comments that the body holds too."""
    body = collapse(body)
    return [para for r in rows for para in map(collapse, (r["text"] or "").split("\n\n"))
            if len(para) >= LEAK_MIN_CHARS and para in body]


def score_page(html: str | bytes, url: str) -> dict:
    """One page's figures: the reference, the rows and how they agree."""
    root = parse_html(html)
    rule, refs = reference(root)
    result = extract_page(root, url)
    rows = result["comments"]
    if result["article"] is not None:
        body = result["article"]["body_text"] or ""
    else:  # a bare comment list is no article: check the comment part and the body part alone
        page = Page(root, url)
        rows = extract_comments(page)
        body = GenericExtractor(page).body_text() or ""
    shared = _in_body(rows, body)
    # Text the page also holds outside its comments (a comment quoting the article) is the
    # article's, not a leak.
    outside = _text_outside(root, [ref.element for ref in refs]) if shared else ""
    matched = _match(refs, rows)
    depth_ok = [row is not None and row["depth"] == ref.depth for ref, row in zip(refs, matched)]
    parent_ok = []
    for ref, row in zip(refs, matched):
        want = matched[ref.parent]["comment_id"] if ref.parent is not None and matched[ref.parent] else None
        parent_ok.append(row is not None and row["parent_id"] == want
                         and (ref.parent is None or matched[ref.parent] is not None))
    return {
        "found": len(rows),
        "reference": len(refs),
        "max_depth": max((r["depth"] for r in rows), default=0),
        "depth_class": [ok for ref, ok in zip(refs, depth_ok) if ref.depth_class],
        "parent": parent_ok,
        "complete": all(depth_ok) if refs else not rows,
        "rule": rule,
        "leaks": [para for para in shared if para not in outside],
        "quotes": len(shared) - sum(para not in outside for para in shared),
    }


def _share(flags: list[bool]) -> float | None:
    return sum(flags) / len(flags) if flags else None


def score_corpus(pages: list[tuple[str, str | bytes, str]]) -> dict:
    scored = {name: score_page(html, url) for name, html, url in pages}
    figures = {
        "pages": len(scored),
        "comments_found": sum(s["found"] for s in scored.values()),
        "comments_in_markup": sum(s["reference"] for s in scored.values()),
        "max_depth": max((s["max_depth"] for s in scored.values()), default=0),
        "depth_class_agree": _share([ok for s in scored.values() for ok in s["depth_class"]]),
        "parent_agree": _share([ok for s in scored.values() for ok in s["parent"]]),
        "pages_complete": _share([s["complete"] for s in scored.values()]),
        "pages_leaking": sum(1 for s in scored.values() if s["leaks"]),
        "quoted_paragraphs": sum(s["quotes"] for s in scored.values()),
        "reference_rules": dict(Counter(s["rule"] for s in scored.values()).most_common()),
        "incomplete": sorted(n for n, s in scored.items() if not s["complete"]),
        "leaking": sorted(n for n, s in scored.items() if s["leaks"]),
    }
    return figures


def threads_pages(corpus: Path) -> list[tuple[str, bytes, str]]:
    entries = json.loads((corpus / "threads" / "index.json").read_text())
    return [(e["file"], gzip.open(corpus / "threads" / e["file"]).read(), f"https://{e['site']}/post/")
            for e in entries]


def section_pages(corpus: Path) -> list[tuple[str, str, str]]:
    return [(p.name, p.read_text().split("---", 2)[2], "https://blog.test/post/")
            for p in sorted((corpus / "wp-comment-sections").glob("*.md"))]


def _print(name: str, f: dict) -> None:
    def pct(x):
        return "n/a" if x is None else f"{100 * x:.1f} %"
    print(f"\n{name}: {f['pages']} pages, {f['comments_found']} comments found "
          f"({f['comments_in_markup']} in the markup), max depth {f['max_depth']}")
    print(f"  depth = depth-N class     {pct(f['depth_class_agree'])}")
    print(f"  parent = markup parent    {pct(f['parent_agree'])}")
    print(f"  pages complete            {pct(f['pages_complete'])}")
    print(f"  pages leaking into body   {f['pages_leaking']}"
          f"   (comment paragraphs quoting the article: {f['quoted_paragraphs']})")
    print("  markup reference by rule  " + ", ".join(f"{k} {v}" for k, v in f["reference_rules"].items()))
    for key in ("incomplete", "leaking"):
        for page in f[key]:
            print(f"    {key}: {page}")


def comments_section(corpus: Path) -> dict:
    """Figures for threads/ and wp-comment-sections/, printed and returned."""
    out = {"threads": score_corpus(threads_pages(corpus)),
           "wp-comment-sections": score_corpus(section_pages(corpus))}
    for name, figures in out.items():
        _print(name, figures)
    return out


if __name__ == "__main__":
    corpus = ROOT.parent / "shared" / "corpus"
    if not corpus.exists():
        sys.exit(f"shared corpus not found at {corpus}")
    comments_section(corpus)
