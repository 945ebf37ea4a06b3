"""One comment thread assembled from several sources: the pages of a paginated thread and,
where the site has them, an API: the WordPress REST API or the page's comment system (a Blogger
comment feed, Disqus, Isso ...).

HTML gives every public comment (pingbacks included) but WordPress flattens replies deeper than
its display setting; the REST API gives true parents but hides pingbacks from anonymous
visitors. So the two are merged, never one replacing the other: the API's parent wins, and a
field the page left empty (Blogger prints a localised date, its feed the exact time) is taken
from the API.
"""
from __future__ import annotations


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

    def _html_rows(self) -> list[dict]:
        seen: set[str] = set()
        rows = []
        for comments in self._ordered_pages():
            for row in comments:
                if row["comment_id"] not in seen:  # ?replytocom and page 1 repeat comments
                    seen.add(row["comment_id"])
                    rows.append(dict(row))
        return rows

    def rows(self) -> list[dict]:
        """All comments, true parents where the API knows them, depth and pre-order position
        recomputed over the merged tree."""
        rows = self._html_rows()
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
        return _preorder(rows, by_id)


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
    visited: set[str] = set()
    while stack:
        row, depth = stack.pop()
        if row["comment_id"] in visited:
            continue
        visited.add(row["comment_id"])
        row["depth"] = depth
        ordered.append(row)
        stack.extend((c, depth + 1) for c in reversed(children.get(row["comment_id"], [])))
    # Rows on a parent cycle (bad data) are kept at top level rather than lost.
    for row in rows:
        if row["comment_id"] not in visited:
            row["depth"] = 1
            ordered.append(row)
    for position, row in enumerate(ordered):
        row["position"] = position
    return ordered
