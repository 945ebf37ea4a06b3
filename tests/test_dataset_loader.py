"""``open_dataset`` and ``scrapy export`` on real crawls of the sample blog: a crawl, then a
re-crawl into the same root after a comment changed on the site."""
from __future__ import annotations

import csv
import json
import re
import shutil
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq
import pytest

from scraper import open_dataset
from scraper.dataset import latest_sql
from scraper.replay import SAMPLE_BLOG, ReplaySite

from crawl_helpers import ROOT, crawl_env, run_crawl

START = "http://sample-blog.test/"
POST = START + "2024/03/recapping-a-1950s-mains-set/"
POST_API = START + "wp-json/wp/v2/comments?post=11&per_page=100"
OLD, NEW = "Do you replace the mica capacitors as well", "Do you replace the silvered mica capacitors too"
KEYS = {"articles": ("article_id",), "comments": ("article_id", "comment_id"), "pages": ("url",)}
README = ROOT / "datasets" / "README.md"


def _served(url: str) -> Path:
    manifest = json.loads((SAMPLE_BLOG / "manifest.json").read_text(encoding="utf-8"))
    return SAMPLE_BLOG / next(e["file"] for e in manifest["entries"] if e["url"] == url)


@pytest.fixture(scope="module")
def root(tmp_path_factory) -> Path:
    """``first``: the sample blog; ``second``: a re-crawl after comment 21's text changed."""
    out = tmp_path_factory.mktemp("datasets")
    with ReplaySite(SAMPLE_BLOG) as site:
        first = run_crawl(START, out, "first", site.proxy_url)
        assert first.returncode == 0, first.stderr[-3000:]
        for url, ctype in ((POST, "text/html; charset=UTF-8"), (POST_API, "application/json; charset=UTF-8")):
            body = _served(url).read_text(encoding="utf-8")
            assert body.count(OLD) == 1, url
            site.override(url, body=body.replace(OLD, NEW).encode(), content_type=ctype)
        second = run_crawl(START, out, "second", site.proxy_url)
        assert second.returncode == 0, second.stderr[-3000:]
    return out


def _parts(folders: list[Path], table: str) -> pa.Table:
    """The table's rows as stored, read with pyarrow alone, part file by part file."""
    files = sorted(f for folder in folders for f in (folder / table).glob("*.parquet"))
    assert files
    return pa.concat_tables([pq.read_table(f) for f in files], promote_options="default")


def _keys(rows: list[dict], table: str) -> list[tuple]:
    return [tuple(r[k] for k in KEYS[table]) for r in rows]


def test_one_crawl_has_the_rows_of_its_parquet_parts(root):
    ds = open_dataset(root / "first")
    assert ds.tables == ("articles", "comments", "pages")
    assert [p.name for p in ds.crawls] == ["first"]
    for table in ds.tables:
        stored = _parts([root / "first"], table)
        loaded = ds.arrow(table)
        assert loaded.num_rows == stored.num_rows > 0, table
        assert sorted(_keys(loaded.to_pylist(), table)) == sorted(_keys(stored.to_pylist(), table))
        assert ds.relation(table).count("*").fetchall() == [(stored.num_rows,)]


def test_a_recrawl_gives_the_latest_version_of_the_changed_row_and_no_duplicates(root):
    ds = open_dataset(root)
    assert [p.name for p in ds.crawls] == ["first", "second"] and ds.without_manifest == []
    comments = ds.arrow("comments").to_pylist()
    second = _parts([root / "second"], "comments").to_pylist()
    assert [c["comment_id"] for c in second] == ["21"]  # the re-crawl stored only the changed comment
    (changed,) = [c for c in comments if c["article_url"] == POST and c["comment_id"] == "21"]
    assert changed["crawl_id"] == "second" and changed["text"].startswith(NEW)
    assert not any(OLD in (c["text"] or "") for c in comments)
    for table in ds.tables:
        keys = _keys(ds.arrow(table).to_pylist(), table)
        assert not [k for k, n in Counter(keys).items() if n > 1], table
        stored = set(_keys(_parts(ds.crawls, table).to_pylist(), table))
        assert set(keys) == stored, table
    assert ds.sql("SELECT count(*) FROM comments WHERE crawl_id = 'second'").fetchall() == [(1,)]


def _walk(nodes: list[dict], parent: str | None = None, depth: int = 1):
    previous = None
    for node in nodes:
        assert previous is None or previous <= node["position"]  # siblings in stored order
        previous = node["position"]
        yield node, parent, depth
        yield from _walk(node["replies"], node["comment_id"], depth + 1)


def test_thread_rebuilds_the_tree_of_depth_and_parent_id(root):
    ds = open_dataset(root)
    comments = ds.arrow("comments").to_pylist()
    articles = {c["article_id"] for c in comments}
    assert len(articles) >= 3
    for article in articles:
        table = {c["comment_id"]: c for c in comments if c["article_id"] == article}
        seen = []
        for node, parent, depth in _walk(ds.thread(article)):
            row = table[node["comment_id"]]
            assert (depth, parent) == (row["depth"], row["parent_id"]), node["comment_id"]
            assert node["orphan"] is False
            assert {k: node[k] for k in row} == row
            seen.append(node["comment_id"])
        assert sorted(seen) == sorted(table)
    assert max(c["depth"] for c in comments) >= 4
    assert ds.thread("0000000000000000") == []


def test_thread_puts_a_comment_whose_parent_is_missing_at_top_level_flagged(root, tmp_path):
    """A crawl folder whose comments table lost a parent: its replies stay together under the
    orphan, which stands at top level with ``orphan`` true."""
    crawl = tmp_path / "cut"
    shutil.copytree(root / "first", crawl, ignore=shutil.ignore_patterns("warc"))
    comments = _parts([crawl], "comments")
    parent = next(c for c in comments.to_pylist() if c["depth"] == 3)
    child = next(c for c in comments.to_pylist() if c["parent_id"] == parent["comment_id"])
    for f in (crawl / "comments").glob("*.parquet"):
        f.unlink()
    kept = pc.invert(pc.and_(pc.equal(comments["article_id"], parent["article_id"]),
                             pc.equal(comments["comment_id"], parent["comment_id"])))
    pq.write_table(comments.filter(kept), crawl / "comments" / "part-00000.parquet")
    top = open_dataset(crawl).thread(parent["article_id"])
    (orphan,) = [n for n in top if n["orphan"]]
    assert orphan["comment_id"] == child["comment_id"] and orphan["parent_id"] == parent["comment_id"]
    assert all(n["parent_id"] is None for n in top if n is not orphan)
    assert [n["comment_id"] for n in orphan["replies"]] == [
        c["comment_id"] for c in comments.to_pylist()
        if c["article_id"] == child["article_id"] and c["parent_id"] == child["comment_id"]]


@pytest.mark.parametrize("table", ["articles", "comments", "pages"])
def test_pandas_polars_and_arrow_agree(root, table):
    ds = open_dataset(root)
    order = [(k, "ascending") for k in KEYS[table]]
    arrow = ds.arrow(table).sort_by(order)
    frame = ds.pandas(table)
    assert list(frame.columns) == arrow.column_names and len(frame) == arrow.num_rows
    assert pa.Table.from_pandas(frame, schema=arrow.schema, preserve_index=False).sort_by(order).equals(arrow)
    try:
        import polars  # noqa: F401
    except ImportError:
        pytest.skip("polars is not installed (pip install polars): .polars() not compared")
    assert ds.polars(table).to_arrow().cast(arrow.schema).sort_by(order).equals(arrow)


def test_polars_missing_says_how_to_install_it(root, monkeypatch):
    monkeypatch.setitem(sys.modules, "polars", None)
    with pytest.raises(ImportError, match="pip install polars"):
        open_dataset(root).polars("articles")


def test_a_crawl_without_manifest_is_left_out_and_named(root, tmp_path):
    shutil.copytree(root / "first", tmp_path / "first", ignore=shutil.ignore_patterns("warc"))
    shutil.copytree(root / "second", tmp_path / "killed", ignore=shutil.ignore_patterns("warc", "crawl.json"))
    ds = open_dataset(tmp_path)
    assert [p.name for p in ds.crawls] == ["first"] and ds.without_manifest == [tmp_path / "killed"]
    assert ds.arrow("comments").num_rows == _parts([root / "first"], "comments").num_rows
    with pytest.raises(FileNotFoundError, match="holds no crawl.json"):
        open_dataset(tmp_path / "killed")


def test_not_a_dataset_is_a_clear_error(tmp_path):
    with pytest.raises(FileNotFoundError, match="no such folder"):
        open_dataset(tmp_path / "missing")
    with pytest.raises(FileNotFoundError, match="neither a crawl folder nor a dataset root"):
        open_dataset(tmp_path)


def test_the_views_datasets_readme_shows_are_the_loaders():
    blocks = re.findall(r"```sql\n(.*?)```", README.read_text(encoding="utf-8"), re.S)
    assert latest_sql() in blocks, "datasets/README.md must show scraper/latest.sql as it is"


def _export(*args: str | Path) -> subprocess.CompletedProcess:
    cmd = [sys.executable, "-m", "scrapy.cmdline", "export", *map(str, args)]
    return subprocess.run(cmd, cwd=ROOT, env=crawl_env(None), capture_output=True, text=True, timeout=120)


def test_export_writes_every_table_as_jsonl_and_csv(root, tmp_path):
    out = tmp_path / "export"
    proc = _export(root, "-o", out, "--format", "jsonl", "--format", "csv")
    assert proc.returncode == 0, proc.stderr[-3000:]
    ds = open_dataset(root)
    assert sorted(p.name for p in out.iterdir()) == sorted(f"{t}.{f}" for t in ds.tables for f in ("csv", "jsonl"))
    for table in ds.tables:
        expected = sorted(_keys(ds.arrow(table).to_pylist(), table))
        lines = (out / f"{table}.jsonl").read_text(encoding="utf-8").splitlines()
        assert sorted(_keys([json.loads(line) for line in lines], table)) == expected
        with (out / f"{table}.csv").open(encoding="utf-8", newline="") as f:
            rows = list(csv.DictReader(f))
        assert list(rows[0]) == ds.relation(table).columns
        assert sorted(_keys(rows, table)) == expected
        assert f"{out / table}.jsonl: {len(expected)} rows" in proc.stdout
    articles = {r["article_id"]: r for r in csv.DictReader((out / "articles.csv").open(encoding="utf-8", newline=""))}
    for row in ds.arrow("articles").to_pylist():
        assert json.loads(articles[row["article_id"]]["tags"]) == row["tags"]
    comment = next(json.loads(line) for line in (out / "comments.jsonl").open(encoding="utf-8")
                   if json.loads(line)["comment_id"] == "21")
    assert comment["text"].startswith(NEW) and comment["crawl_id"] == "second"


def test_export_of_a_missing_folder_is_one_error_line(tmp_path):
    proc = _export(tmp_path / "nowhere", "-o", tmp_path / "out")
    assert proc.returncode == 1
    assert proc.stderr.strip().splitlines() == [f"{tmp_path / 'nowhere'}: no such folder"]
    assert not (tmp_path / "out").exists()
