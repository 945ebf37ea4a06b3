"""``open_dataset(path)``: a crawl's tables, or those of every crawl of a dataset root, as the
latest version of every row, for reading in DuckDB, pandas, polars or pyarrow.

    from scraper import open_dataset
    ds = open_dataset("datasets")            # a dataset root, or one crawl folder
    ds.tables                                # ('articles', 'comments', 'pages')
    ds.pandas("articles")                    # pandas needs pyarrow (a dependency of this package)
    ds.sql("SELECT kind, count(*) FROM comments GROUP BY kind").fetchall()
    ds.thread(article_id)                    # the comments as a tree

"Latest" is what the ``latest_*`` views of datasets/README.md give: a re-crawl into the same root
stores only what is new or changed, so an article, a comment or a page is its row from the most
recent crawl (by ``started_at``) that stored it. The views are defined once, in
``scraper/latest.sql`` (the block datasets/README.md shows); this module runs that file with the
crawls' files in place of its ``datasets/*/`` globs. Only crawls with a ``crawl.json`` count (a
folder without one is a crawl that is running or was killed; a root's such folders are listed in
``.without_manifest``), as in the views.

Needs duckdb (a dependency of this package) and, for ``.pandas()`` / ``.polars()``, pandas or
polars (neither is: ``pip install pandas`` / ``pip install polars``).
"""
from __future__ import annotations

import re
from importlib import resources
from pathlib import Path
from typing import Any

TABLES = ("articles", "comments", "pages")
MANIFEST = "crawl.json"
# The views' globs: 'datasets/*/crawl.json', 'datasets/*/articles/*.parquet', ...
_GLOB = re.compile(r"'datasets/\*/([^']*)'")
_VIEW = re.compile(r"CREATE VIEW (\w+)")


def latest_sql() -> str:
    """The statements that define the ``crawls`` and ``latest_*`` views (scraper/latest.sql)."""
    return resources.files(__package__).joinpath("latest.sql").read_text(encoding="utf-8")


def crawl_folders(path: str | Path) -> list[Path]:
    """The crawl folders ``path`` stands for: itself when it is a crawl folder (it holds
    ``crawl.json`` or a table folder), else its sub-folders that hold a ``crawl.json``."""
    path = Path(path)
    if not path.is_dir():
        raise FileNotFoundError(f"{path}: no such folder")
    if (path / MANIFEST).is_file() or any((path / table).is_dir() for table in TABLES):
        if not (path / MANIFEST).is_file():
            raise FileNotFoundError(f"{path} holds no {MANIFEST}: a crawl that is running or was killed "
                                    "(its finished parts can be read with pyarrow or duckdb directly)")
        return [path]
    found = sorted(p.parent for p in path.glob(f"*/{MANIFEST}"))
    if not found:
        raise FileNotFoundError(f"{path} is neither a crawl folder nor a dataset root: "
                                f"no {MANIFEST} in it or in its sub-folders")
    return found


def _literal(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


class Dataset:
    """The latest rows of one crawl or of every crawl under a dataset root (see the module's
    docstring). Tables are views on an in-memory DuckDB connection (``.connection``) over the
    files present when the dataset was opened."""

    def __init__(self, path: str | Path):
        import duckdb

        self.path = Path(path)
        self.crawls = crawl_folders(self.path)
        # Sub-folders of a root with tables but no crawl.json (running or killed): left out.
        self.without_manifest = sorted(
            p for p in self.path.iterdir() if p.is_dir() and p not in self.crawls
            and not (p / MANIFEST).is_file() and any((p / table).is_dir() for table in TABLES))
        self.connection = duckdb.connect(":memory:")
        tables = []
        for statement in filter(str.strip, latest_sql().split(";")):
            view = _VIEW.search(statement).group(1)
            files: dict[str, list[str]] = {}
            for rel in _GLOB.findall(statement):
                files[rel] = sorted(str(f) for crawl in self.crawls for f in crawl.glob(rel) if f.is_file())
            if not all(files.values()):
                continue  # a table no crawl has (pages before schema 1.1)
            self.connection.execute(_GLOB.sub(
                lambda m: "[" + ", ".join(map(_literal, files[m.group(1)])) + "]", statement))
            table = view.removeprefix("latest_")
            if view != table and table in TABLES:
                self.connection.execute(f"CREATE VIEW {table} AS SELECT * FROM {view}")
                tables.append(table)
        self.tables: tuple[str, ...] = tuple(tables)

    def __repr__(self) -> str:
        return f"<Dataset {self.path}: {len(self.crawls)} crawl(s), tables {', '.join(self.tables)}>"

    def __enter__(self) -> Dataset:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        self.connection.close()

    def relation(self, name: str):
        """The table ``name`` (latest rows) as a DuckDB relation."""
        if name not in self.tables:
            raise KeyError(f"no table {name!r} in {self.path}; tables: {', '.join(self.tables)}")
        return self.connection.table(name)

    def sql(self, query: str, params: Any = None):
        """Run ``query`` on the dataset's connection, where the tables are views under their
        names (and ``crawls`` lists the crawls with their ``started_at``); a DuckDB relation."""
        return self.connection.sql(query, params=params)

    def arrow(self, name: str):
        """The table as a ``pyarrow.Table``."""
        rel = self.relation(name)
        return rel.to_arrow_table() if hasattr(rel, "to_arrow_table") else rel.fetch_arrow_table()

    def pandas(self, name: str):
        """The table as a pandas DataFrame (converted from Arrow, so it needs pyarrow, which this
        package depends on, and pandas, which it does not: ``pip install pandas``)."""
        try:
            import pandas  # noqa: F401
        except ImportError:
            raise ImportError("Dataset.pandas() needs pandas: pip install pandas") from None
        return self.arrow(name).to_pandas()

    def polars(self, name: str):
        """The table as a polars DataFrame (needs polars: ``pip install polars``)."""
        try:
            import polars
        except ImportError:
            raise ImportError("Dataset.polars() needs polars, which is not installed: pip install polars") from None
        return polars.from_arrow(self.arrow(name))

    def thread(self, article_id: str) -> list[dict]:
        """The article's comments as a tree: a list of top-level comments, each a dict of its
        columns plus ``replies`` (the same, nested) and ``orphan``; siblings in stored order
        (``position``). A comment whose ``parent_id`` names no stored comment of the article is
        placed at top level with ``orphan`` true (so is one whose parent chain loops)."""
        if "comments" not in self.tables:
            return []
        rows = self.sql("SELECT * FROM comments WHERE article_id = $1 ORDER BY position, comment_id",
                        params=[article_id])
        table = rows.to_arrow_table() if hasattr(rows, "to_arrow_table") else rows.fetch_arrow_table()
        nodes = [dict(row, replies=[], orphan=False) for row in table.to_pylist()]
        by_id = {node["comment_id"]: node for node in nodes}
        top = []
        for node in nodes:
            parent = by_id.get(node["parent_id"]) if node["parent_id"] is not None else None
            if parent is None or parent is node:
                node["orphan"] = node["parent_id"] is not None
                top.append(node)
            else:
                parent["replies"].append(node)
        # A loop of parents (possible only across crawls) is reachable from no top-level comment.
        seen, stack = set(), list(top)
        while stack:
            node = stack.pop()
            seen.add(id(node))
            stack.extend(node["replies"])
        for node in nodes:
            if id(node) not in seen:
                by_id[node["parent_id"]]["replies"].remove(node)
                node["orphan"] = True
                top.append(node)
                stack = [node]
                while stack:
                    n = stack.pop()
                    seen.add(id(n))
                    stack.extend(n["replies"])
        return top


def open_dataset(path: str | Path) -> Dataset:
    """Open a crawl folder (``datasets/<crawl_id>``) or a dataset root holding several crawls
    (re-crawls of a blog) as a :class:`Dataset` of the latest version of every row."""
    return Dataset(path)
