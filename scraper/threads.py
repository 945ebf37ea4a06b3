"""One comment thread assembled from several sources: the pages of a paginated thread and,
where the site has them, an API: the WordPress REST API or the page's comment system (a Blogger
comment feed, Disqus, Isso ...).

HTML gives every public comment (pingbacks included) but WordPress flattens replies deeper than
its display setting; the REST API gives true parents but hides pingbacks from anonymous
visitors. So the two are merged, never one replacing the other: the API's parent wins, and a
field the page left empty (Blogger prints a localised date, its feed the exact time) is taken
from the API.

The merged thread is made sound before it is numbered, without losing a comment:

* **Comments sharing an id.** A comment shown again with the same id, author and text (page 1
  at the article URL and at ``comment-page-1``, a ``?replytocom`` page) is one comment, kept
  once. A *different* comment printed with an id already taken keeps its place and gets a
  derived id, ``<id>~<n>`` for the n-th different comment with that id (``123~2``): stable as
  long as the page shows them in the same order. A reply naming a shared id on the same page
  replies to the comment the page nests it under (the nearest earlier one with that id, one
  level up); from another page or an API, to the first one, whose id is unchanged.
* **Parent cycles.** Comments whose parents lead round in a circle (an API saying 11 replies to
  12 and 12 to 11, or a comment naming itself) go to top level: ``parent_id`` None, depth 1,
  and their replies below them at the depths that follow.
* **Parents outside the thread** (a comment page that could not be fetched) are kept as they
  are: the reply keeps its ``parent_id`` and sits at depth 2 or more, walked in its place.

Each repair is noted on the rows it changed (``REPAIRS_KEY``, not a column) for the validation
pipeline, which logs it with the article's URL, counts it (``REPAIR_RULES``) and removes the note.
"""
from __future__ import annotations

from dataclasses import dataclass

from .text import collapse

REPAIRS_KEY = "thread_repairs"  # [{"rule": ..., "comment_ids": [...]}, ...] on a repaired row
DERIVED_ID_SEPARATOR = "~"
PARENT_CYCLE = "parent_cycle"
SHARED_ID = "shared_id"


@dataclass(frozen=True)
class RepairRule:
    stat: str  # Scrapy stats counter, one per repair
    message: str  # the warning: {ids} the repair's comment ids, {first} and {last} the ends,
    # {chain} the ids followed by the first again (a cycle read along its parents)


REPAIR_RULES: dict[str, RepairRule] = {
    # comment_ids: the cycle, each comment followed by its (former) parent
    PARENT_CYCLE: RepairRule("threads/parent_cycles_broken",
                             "parent cycle {chain} broken: {ids} stored at top level, replies below them"),
    # comment_ids: the id as shown, then the derived id given to the later comment
    SHARED_ID: RepairRule("threads/shared_ids_derived",
                          "comment id {first} is shown on different comments: the later one stored as {last}"),
}


def describe_repair(repair: dict) -> tuple[str, str]:
    """(stats counter, warning) for one note of ``REPAIRS_KEY``."""
    rule, ids = REPAIR_RULES[repair["rule"]], repair["comment_ids"]
    return rule.stat, rule.message.format(ids=", ".join(ids), first=ids[0], last=ids[-1],
                                          chain=" → ".join([*ids, ids[0]]))


def _note(row: dict, rule: str, comment_ids: list[str]) -> None:
    row.setdefault(REPAIRS_KEY, []).append({"rule": rule, "comment_ids": list(comment_ids)})


class CommentThread:
    def __init__(self) -> None:
        self._pages: list[tuple[int | None, list[dict]]] = []
        self._api: dict[str, dict] = {}
        self._api_order: list[str] = []

    def add_page(self, number: int | None, comments: list[dict]) -> None:
        """One fetched page of the thread; ``number`` None for the article's own URL, whose
        place in the thread (first page, or last when shown newest first) is worked out when
        all pages are in. No page is ever dropped: comments are merged by id."""
        self._pages.append((number, comments))

    def add_api(self, comments: list[dict]) -> None:
        # An API's ids are its keys: an id seen again is the same comment (pages that overlap).
        for c in comments:
            if c["comment_id"] not in self._api:
                self._api[c["comment_id"]] = c
                self._api_order.append(c["comment_id"])

    def _ordered_pages(self) -> list[list[dict]]:
        numbered = [(n, c) for n, c in self._pages if n is not None]
        known = {n for n, _ in numbered}
        for number, comments in self._pages:
            if number is not None:
                continue
            ids = {c["comment_id"] for c in comments}
            twin = next((n for n, c in numbered if {x["comment_id"] for x in c} == ids), None)
            # The article URL shows the page whose comments it repeats; else page 1, or the
            # page after the last when page 1 is linked as an older page.
            numbered.append((twin if twin is not None else (max(known) + 1 if 1 in known else 1),
                             comments))
        return [c for _, c in sorted(numbered, key=lambda nc: nc[0])]

    def rows(self) -> list[dict]:
        """All comments, true parents where the API knows them, depth and pre-order position
        recomputed over the merged tree."""
        rows = separate_shared_ids(self._ordered_pages())
        by_id = {r["comment_id"]: r for r in rows}
        for cid in self._api_order:
            api = self._api[cid]
            row = by_id.get(cid)
            if row is None:  # in the API only: a page we could not fetch, or never linked
                row = dict(api)
                rows.append(row)
                by_id[cid] = row
            else:
                for key, value in api.items():
                    if row.get(key) is None and value is not None:
                        row[key] = value
            row["parent_id"] = api["parent_id"]
            row["parent_source"] = "api"
        break_parent_cycles(rows)
        return _preorder(rows, by_id)


def separate_shared_ids(pages: list[list[dict]]) -> list[dict]:
    """Copies of the rows of ``pages`` (pages in thread order, each in its page's order), each
    comment once and each id once: a row repeating a kept comment (same id, author and text) is
    left out; a different comment with a taken id gets a derived id. Replies are pointed at the
    comment they reply to (see the module's docstring)."""
    taken = {row["comment_id"] for page in pages for row in page}
    kept_by_id: dict[str, list[dict]] = {}  # id as shown → the kept comments shown with it
    rows: list[dict] = []
    for page in pages:
        on_page: dict[str, list[dict]] = {}  # id as shown → the kept comments it named here, in order
        for shown in page:
            row = dict(shown, parent_id=_parent_on_page(shown, on_page))
            cid = shown["comment_id"]
            kept = _same_comment(row, kept_by_id.get(cid, []))
            if kept is None:
                if cid in kept_by_id:
                    row["comment_id"] = _derived_id(cid, len(kept_by_id[cid]) + 1, taken)
                    _note(row, SHARED_ID, [cid, row["comment_id"]])
                kept_by_id.setdefault(cid, []).append(row)
                rows.append(row)
                kept = row
            on_page.setdefault(cid, []).append(kept)
    return rows


def _parent_on_page(row: dict, on_page: dict[str, list[dict]]) -> str | None:
    """The kept id of the comment ``row`` replies to: of the earlier comments on its page shown
    with its parent's id, the nearest one level above it, else the nearest."""
    named = on_page.get(row.get("parent_id"))
    if not named:
        return row.get("parent_id")
    depth = row.get("depth")
    above = [c for c in named if isinstance(depth, int) and c.get("depth") == depth - 1]
    return (above or named)[-1]["comment_id"]


def _same_comment(row: dict, kept: list[dict]) -> dict | None:
    """The comment of ``kept`` that ``row`` shows again, if any."""
    return next((k for k in kept if _fingerprint(k) == _fingerprint(row)), None)


def _fingerprint(row: dict) -> tuple[str, str]:
    # Whitespace aside: pages of one thread print a comment with the same template.
    return collapse(row.get("author_name")), collapse(row.get("text"))


def _derived_id(cid: str, n: int, taken: set[str]) -> str:
    derived = f"{cid}{DERIVED_ID_SEPARATOR}{n}"
    while derived in taken:  # a platform id that already looks derived: the next number
        n += 1
        derived = f"{cid}{DERIVED_ID_SEPARATOR}{n}"
    taken.add(derived)
    return derived


def break_parent_cycles(rows: list[dict]) -> list[list[str]]:
    """Put every parent cycle of ``rows`` (ids unique) at top level, in place: its comments'
    ``parent_id`` None and depth 1, the depths of the replies below them recomputed. Returns
    the cycles, each from its first comment in ``rows``' order, followed by parents."""
    by_id = {r["comment_id"]: r for r in rows}
    cycles = _parent_cycles(rows, by_id)
    for cycle in cycles:
        for cid in cycle:
            by_id[cid]["parent_id"] = None
            _note(by_id[cid], PARENT_CYCLE, cycle)
    if cycles:
        _depths_below(rows, [cid for cycle in cycles for cid in cycle])
    return cycles


def _parent_cycles(rows: list[dict], by_id: dict[str, dict]) -> list[list[str]]:
    settled: set[str] = set()  # known to lead to the top, to a missing parent, or into a cycle
    cycles = []
    for row in rows:
        chain: list[str] = []
        on_chain: set[str] = set()
        cid = row["comment_id"]
        while cid in by_id and cid not in settled and cid not in on_chain:
            chain.append(cid)
            on_chain.add(cid)
            cid = by_id[cid]["parent_id"]
        if cid in on_chain:  # the parents came back round to a comment of this chain
            cycles.append(chain[chain.index(cid):])
        settled.update(chain)
    return cycles


def _depths_below(rows: list[dict], tops: list[str]) -> None:
    """Depth 1 for the comments ``tops``, and one more at each level of replies below them."""
    children: dict[str, list[dict]] = {}
    for row in rows:
        if row["parent_id"] is not None:
            children.setdefault(row["parent_id"], []).append(row)
    by_id = {r["comment_id"]: r for r in rows}
    stack = [(cid, 1) for cid in tops]
    while stack:
        cid, depth = stack.pop()
        by_id[cid]["depth"] = depth
        stack.extend((c["comment_id"], depth + 1) for c in children.get(cid, []))


def _preorder(rows: list[dict], by_id: dict[str, dict]) -> list[dict]:
    children: dict[str | None, list[dict]] = {}
    for row in rows:
        # A reply whose parent is missing (a page that failed) keeps its parent_id and the
        # depth its source gave, and is walked as a root so it is not lost.
        parent = row["parent_id"] if row["parent_id"] in by_id else None
        children.setdefault(parent, []).append(row)
    ordered: list[dict] = []
    roots = children.get(None, [])
    stack = [(r, 1 if r["parent_id"] is None else max(r.get("depth") or 2, 2))
             for r in reversed(roots)]
    while stack:
        row, depth = stack.pop()
        row["depth"] = depth
        ordered.append(row)
        stack.extend((c, depth + 1) for c in reversed(children.get(row["comment_id"], [])))
    for position, row in enumerate(ordered):
        row["position"] = position
    return ordered
