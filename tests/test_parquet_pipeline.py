"""The validation and Parquet pipelines, run without the network on realistic items and read
back with pyarrow and duckdb."""
from __future__ import annotations

import copy
import json
import logging
import re
from datetime import datetime, timedelta, timezone
from pathlib import Path

import duckdb
import pyarrow as pa
import pyarrow.dataset as ds
import pyarrow.parquet as pq
import pytest
from scrapy import signals
from scrapy.exceptions import DropItem
from scrapy.http import HtmlResponse, Request
from scrapy.utils.test import get_crawler

from conftest import WORDPRESS
from pipelines.parquet import ParquetDatasetPipeline
from pipelines.schema import ARTICLES, COMMENTS, METADATA_KEY, SCHEMA_VERSION
from pipelines.validation import ThreadValidationPipeline
from scraper.items import ArticleItem
from scraper.signals import dataset_commit

README = Path(__file__).resolve().parents[1] / "datasets" / "README.md"
UTC = timezone.utc
BASE = datetime(2016, 3, 29, 9, 15, tzinfo=UTC)


# -- items ------------------------------------------------------------------------------------
def article(n: int, **extra) -> dict:
    url = f"https://blog.example.org/2016/03/post-{n}/"
    return {"article_id": f"{n:016x}", "url": url, "canonical_url": url, "site": "blog.example.org",
            "post_id": str(100 + n), "title": f"Post {n}", "author_name": "Ada",
            "published": "2016-03-29T09:15:00+00:00", "published_raw": "March 29, 2016 at 11:15",
            "modified": None, "tags": ["history", "archives"], "categories": ["Notes"],
            "language": "en-GB", "comments_open": True, "body_text": "One.\n\nTwo.",
            "theme": "twentytwentyone", **extra}  # "theme": an unknown key, to be ignored


def comment(cid: str, parent: str | None, depth: int, minutes: int, kind: str = "comment",
            source: str = "html") -> dict:
    published = BASE + timedelta(minutes=minutes)
    return {"comment_id": cid, "parent_id": parent, "depth": depth, "author_name": f"author {cid}",
            "author_url": None, "published": published.isoformat(),
            "published_raw": published.strftime("%B %d, %Y at %H:%M"), "text": f"text of {cid}",
            "kind": kind, "by_post_author": cid == "12", "parent_source": source,
            "page_url": "https://blog.example.org/2016/03/post-1/"}


def thread_item() -> ArticleItem:
    """A 3-level thread with a pingback; positions absent, as validation numbers them."""
    comments = [comment("10", None, 1, 0), comment("11", "10", 2, 5, source="api"),
                comment("12", "11", 3, 9, source="api"), comment("13", "10", 2, 12),
                comment("14", None, 1, 30, kind="pingback"), comment("15", None, 1, 45)]
    comments[4].update(author_name="A linking post", text=None)
    return ArticleItem(article(1, comment_count=6), comments)


def big_item(n_comments: int = 2500) -> ArticleItem:
    comments = [comment(str(1000 + i), None if i % 5 == 0 else str(1000 + i - i % 5),
                        1 if i % 5 == 0 else 2, i) for i in range(n_comments)]
    for position, c in enumerate(comments):
        c["position"] = position
    return ArticleItem(article(3, comment_count=n_comments), comments)


THREAD_ORDER = ["10", "11", "12", "13", "14", "15"]


# -- harness ------------------------------------------------------------------------------------
class Chain:
    """Validation then storage, as ITEM_PIPELINES wires them."""

    def __init__(self, root: Path, **settings):
        self.crawler = get_crawler(settings_dict={
            "EXTENSIONS_BASE": {},  # no crawl runs, so no core stats or log stats to close
            "DATASET_ROOT": str(root), "CRAWL_ID": "test-crawl",
            "CRAWL_START_URL": "https://blog.example.org/", "PARQUET_ROW_GROUP_SIZE": 500,
            "PARQUET_FILE_ROWS": 1000, **settings})
        self.validation = ThreadValidationPipeline.from_crawler(self.crawler)
        self.storage = ParquetDatasetPipeline.from_crawler(self.crawler)
        self.storage.open_spider()
        self.folder = root / self.crawler.settings["CRAWL_ID"]

    def feed(self, *items):
        for item in items:
            self.storage.process_item(self.validation.process_item(copy.deepcopy(item)))

    def close(self, reason: str = "finished"):
        self.storage.close_spider()
        self.crawler.signals.send_catch_log(signal=signals.spider_closed, spider=None, reason=reason)

    def stat(self, key: str):
        return self.crawler.stats.get_value(key)

    def manifest(self) -> dict:
        return json.loads((self.folder / "crawl.json").read_text())


def names(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir())


def readme_thread_query() -> str:
    """The recursive query exactly as datasets/README.md documents it."""
    blocks = re.findall(r"```sql\n(.*?)```", README.read_text(), re.S)
    return next(b for b in blocks if "WITH RECURSIVE" in b)


@pytest.fixture
def crawl(tmp_path):
    chain = Chain(tmp_path)
    chain.feed(thread_item(), ArticleItem(article(2, comments_open=False, comment_count=0)), big_item())
    chain.crawler.signals.send_catch_log(
        signal=signals.response_received, spider=None,
        request=Request("https://blog.example.org/gone/"),
        response=HtmlResponse("https://blog.example.org/gone/", status=404))
    chain.close()
    return chain


# -- files ----------------------------------------------------------------------------------------
def test_final_files_only(crawl):
    assert names(crawl.folder) == ["README.md", "articles", "comments", "crawl.json", "datapackage.json", "pages"]
    assert names(crawl.folder / "pages") == ["part-00000.parquet"]
    assert names(crawl.folder / "articles") == ["part-00000.parquet"]
    assert names(crawl.folder / "comments") == [f"part-0000{i}.parquet" for i in range(3)]
    assert list(crawl.folder.rglob("*.tmp")) == []


def test_pyarrow_reads_schema_rows_and_row_groups(crawl):
    parts = sorted((crawl.folder / "comments").glob("*.parquet"))
    files = [pq.ParquetFile(p) for p in parts]
    assert [f.metadata.num_rows for f in files] == [1000, 1000, 506]
    assert [f.metadata.num_row_groups for f in files] == [2, 2, 2]
    for path, schema in ((parts[0], COMMENTS), (crawl.folder / "articles/part-00000.parquet", ARTICLES)):
        read = pq.read_schema(path)
        assert read.equals(schema)
        assert read.metadata[METADATA_KEY] == SCHEMA_VERSION.encode()
    assert ds.dataset(crawl.folder / "comments").count_rows() == 2506
    assert ds.dataset(crawl.folder / "articles").count_rows() == 3


def test_values_and_utc_timestamps_round_trip(crawl):
    articles = {a["article_id"]: a for a in pq.read_table(crawl.folder / "articles").to_pylist()}
    first = articles[f"{1:016x}"]
    assert first["published"] == BASE and first["published"].utcoffset() == timedelta(0)
    assert first["modified"] is None
    assert first["tags"] == ["history", "archives"] and first["post_id"] == "101"
    assert first["crawl_id"] == "test-crawl"
    assert abs(first["fetched_at"] - datetime.now(UTC)) < timedelta(minutes=5)
    assert articles[f"{2:016x}"]["comments_open"] is False
    thread = sorted((c for c in pq.read_table(crawl.folder / "comments").to_pylist()
                     if c["article_id"] == f"{1:016x}"), key=lambda c: c["position"])
    assert [c["comment_id"] for c in thread] == THREAD_ORDER
    assert [c["position"] for c in thread] == list(range(6))
    assert [c["depth"] for c in thread] == [1, 2, 3, 2, 1, 1]
    assert thread[2]["published"] == BASE + timedelta(minutes=9)
    assert thread[2]["published"].tzinfo is not None
    assert thread[2]["article_url"] == "https://blog.example.org/2016/03/post-1/"
    assert thread[2]["by_post_author"] is True
    assert (thread[4]["kind"], thread[4]["text"]) == ("pingback", None)


def test_duckdb_join_and_readme_thread_query(crawl):
    con = duckdb.connect()
    base = crawl.folder
    rows = con.execute(f"""
        SELECT a.title, count(c.comment_id), max(c.depth)
        FROM read_parquet('{base}/articles/*.parquet') a
        LEFT JOIN read_parquet('{base}/comments/*.parquet') c USING (article_id)
        GROUP BY a.title ORDER BY a.title""").fetchall()
    assert rows == [("Post 1", 6, 3), ("Post 2", 0, None), ("Post 3", 2500, 2)]
    query = readme_thread_query().replace("datasets/<crawl_id>", str(base)) \
        .replace("<article_id>", f"{1:016x}")
    *setup, select = [s for s in query.split(";") if s.strip()]
    for statement in setup:
        con.execute(statement)
    thread = con.execute(select).fetchall()
    assert [(r[2], r[3], r[1]) for r in thread] == [
        ("10", None, 1), ("11", "10", 2), ("12", "11", 3),
        ("13", "10", 2), ("14", None, 1), ("15", None, 1)]
    assert thread[2][0] == "        author 12"
    version = con.execute(f"""SELECT DISTINCT decode(value) FROM parquet_kv_metadata('{base}/*/*.parquet')
                              WHERE decode(key) = 'blog_archiver.schema_version'""").fetchall()
    assert version == [(SCHEMA_VERSION,)]


def test_manifest_and_summary(crawl):
    m = crawl.manifest()
    assert m["crawl_id"] == "test-crawl" and m["schema_version"] == SCHEMA_VERSION
    assert m["start_url"] == "https://blog.example.org/"
    assert m["finish_reason"] == "finished"
    # A 404 is listed, but a page the site says is gone is no failure of the crawl's.
    assert (m["outcome"], m["exit_code"]) == ("finished", 0)
    assert m["truncated"] == []
    assert datetime.fromisoformat(m["started_at"]) <= datetime.fromisoformat(m["finished_at"])
    assert m["settings"]["ROBOTSTXT_OBEY"] is False  # get_crawler's default, not the project's
    assert set(m["settings"]) >= {"AUTOTHROTTLE_ENABLED", "DOWNLOAD_DELAY", "USER_AGENT", "DEPTH_LIMIT",
                                  "CONCURRENT_REQUESTS_PER_DOMAIN", "AUTOTHROTTLE_TARGET_CONCURRENCY"}
    assert set(m["versions"]) == {"python", "scrapy", "pyarrow", "lxml", "dateparser", "warcio",
                                  "blog_archiver"}
    assert m["versions"]["blog_archiver"] == "0.1.0"
    assert m["counts"] == {
        "articles": 3, "articles_by_kind": {"post": 3}, "comments": 2506,
        "comments_by_kind": {"comment": 2505, "pingback": 1},
        "comments_by_parent_source": {"api": 2, "html": 2504}, "max_depth": 3,
        "articles_by_comment_system": {}, "incomplete_threads": 0,
        "files_written": {"articles": 1, "comments": 3, "pages": 1}, "http_errors": {"404": 1},
        "pages": 1, "unchanged_pages": 0, "unchanged_articles": 0, "unchanged_comments": 0,
        "already_stored": 0, "truncated_articles": 0,
        "thread_repairs": {"parent_cycles_broken": 0, "shared_ids_derived": 0}}
    assert m["files"]["comments"] == [f"comments/part-0000{i}.parquet" for i in range(3)]
    assert [(e["url"], e["message"]) for e in m["errors"]] == [
        ("https://blog.example.org/gone/", "HTTP 404")]
    assert set(m["log_counts"]) == {"ERROR", "WARNING"}
    assert crawl.storage.summary["articles"] == 3
    assert crawl.storage.summary["comments"] == 2506
    assert crawl.storage.summary["max_depth"] == 3
    assert crawl.storage.summary["dataset"] == str(crawl.folder.resolve())


def test_manifest_settings_extra_and_summary_log(tmp_path, caplog):
    chain = Chain(tmp_path, MANIFEST_SETTINGS=["WORDPRESS_REST_API"], WORDPRESS_REST_API=False)
    chain.feed(thread_item())
    with caplog.at_level(logging.INFO, logger="pipelines.parquet"):
        chain.close("shutdown")
    assert chain.manifest()["settings"]["WORDPRESS_REST_API"] is False
    assert chain.manifest()["finish_reason"] == "shutdown"
    assert f"1 articles, 6 comments, max thread depth 3, 0 incomplete thread(s), in {chain.folder.resolve()}" in caplog.text


def test_article_without_comments_gives_empty_comments_file(tmp_path):
    chain = Chain(tmp_path)
    chain.feed(ArticleItem(article(2)))
    chain.close()
    empty = pq.read_table(chain.folder / "comments/part-00000.parquet")
    assert empty.num_rows == 0 and empty.schema.equals(COMMENTS)
    count = duckdb.sql(f"SELECT count(*) FROM read_parquet('{chain.folder}/comments/*.parquet')").fetchall()
    assert count == [(0,)]


# -- validation -------------------------------------------------------------------------------------
def test_duplicate_and_orphan_comments(tmp_path, caplog):
    chain = Chain(tmp_path)
    comments = [comment("1", None, 1, 0), comment("2", "1", 2, 1), comment("1", None, 1, 2),
                comment("3", "999", 2, 3), comment("4", "2", 0, 4, kind="Pingback", source=None)]
    comments[2]["text"] = "the second copy"
    with caplog.at_level(logging.WARNING):
        item = chain.validation.process_item(ArticleItem(article(1), comments))
    assert [c["comment_id"] for c in item.comments] == ["1", "2", "3", "4"]
    assert item.comments[0]["text"] == "text of 1"
    assert [c["position"] for c in item.comments] == [0, 1, 2, 3]
    assert item.comments[2]["parent_id"] == "999"  # an orphan is kept, not re-parented
    assert (item.comments[3]["depth"], item.comments[3]["kind"], item.comments[3]["parent_source"]) \
        == (3, "pingback", "html")
    assert chain.stat("validation/duplicate_comments") == 1
    assert chain.stat("validation/orphan_comments") == 1
    assert "duplicate comment_id 1" in caplog.text and "parent 999" in caplog.text
    chain.storage.process_item(item)
    chain.close()
    stored = pq.read_table(chain.folder / "comments").to_pylist()
    assert [(c["comment_id"], c["parent_id"]) for c in stored] == [
        ("1", None), ("2", "1"), ("3", "999"), ("4", "2")]


def test_validation_drops_only_unidentifiable_articles(tmp_path):
    chain = Chain(tmp_path)
    with pytest.raises(DropItem, match="without url"):
        chain.validation.process_item(ArticleItem({"article_id": "abc", "title": "x"}))
    with pytest.raises(DropItem, match="without article_id and url"):
        chain.validation.process_item(ArticleItem({"title": "x"}))
    other = {"just": "a dict"}
    assert chain.validation.process_item(other) is other
    assert chain.storage.process_item(other) is other
    item = chain.validation.process_item(ArticleItem(
        {"article_id": "abc", "url": "https://Blog.example.org:443/a", "post_id": 7,
         "comment_count": "2", "comments_open": "yes", "tags": "solo"},
        [{"comment_id": 5, "parent_id": None, "depth": "1"}]))
    a, c = item.article, item.comments[0]
    assert (a["canonical_url"], a["site"], a["post_id"], a["comment_count"], a["comments_open"], a["tags"]) \
        == ("https://Blog.example.org:443/a", "blog.example.org", "7", 2, True, ["solo"])
    assert (c["comment_id"], c["depth"], c["position"], c["kind"], c["parent_source"]) \
        == ("5", 1, 0, "comment", "html")


def test_dropped_item_is_listed_in_manifest(tmp_path):
    chain = Chain(tmp_path)
    bad = ArticleItem({"article_id": "abc"})
    try:
        chain.validation.process_item(bad)
    except DropItem as exc:
        chain.crawler.signals.send_catch_log(signal=signals.item_dropped, item=bad, response=None,
                                             exception=exc, spider=None)
    chain.close()
    assert [e["message"] for e in chain.manifest()["errors"]] == ["Item dropped: Article without url dropped: ?"]


def test_bad_timestamp_becomes_null_and_crawl_goes_on(tmp_path, caplog):
    chain = Chain(tmp_path)
    item = thread_item()
    item.article["published"] = "the 29th of March"
    item.comments[1]["published"] = "2016-13-45T99:00:00+00:00"
    with caplog.at_level(logging.WARNING, logger="pipelines.parquet"):
        chain.feed(item, ArticleItem(article(2)))
    chain.close()
    articles = {a["title"]: a for a in pq.read_table(chain.folder / "articles").to_pylist()}
    assert articles["Post 1"]["published"] is None
    assert articles["Post 1"]["published_raw"] == "March 29, 2016 at 11:15"
    assert articles["Post 2"]["published"] == BASE
    comments = {c["comment_id"]: c for c in pq.read_table(chain.folder / "comments").to_pylist()}
    assert comments["11"]["published"] is None and comments["12"]["published"] is not None
    assert "unreadable published 'the 29th of March'" in caplog.text


# -- interruption, resumption, write errors -------------------------------------------------------
def test_killed_crawl_leaves_only_hidden_temp_then_close_finalises(tmp_path):
    chain = Chain(tmp_path, PARQUET_ROW_GROUP_SIZE=100, PARQUET_FILE_ROWS=10_000)
    chain.feed(big_item(250))  # two row groups written, 50 rows still buffered
    comments_dir = chain.folder / "comments"
    # What another process sees while this one is "killed" here:
    assert names(comments_dir) == [".part-00000.parquet.tmp"]
    assert names(chain.folder / "articles") == []
    assert not (chain.folder / "crawl.json").exists()
    assert ds.dataset(comments_dir, format="parquet").files == []
    with pytest.raises(duckdb.IOException):
        duckdb.sql(f"SELECT count(*) FROM read_parquet('{comments_dir}/*.parquet')").fetchall()
    with pytest.raises(pa.ArrowInvalid):  # the unfinished file has no footer yet
        pq.read_table(comments_dir / ".part-00000.parquet.tmp")
    chain.close("shutdown")
    assert names(comments_dir) == ["part-00000.parquet"]
    finished = pq.ParquetFile(comments_dir / "part-00000.parquet")
    assert (finished.metadata.num_rows, finished.metadata.num_row_groups) == (250, 3)
    assert chain.manifest()["finish_reason"] == "shutdown"


def test_second_run_with_same_crawl_id_adds_parts(tmp_path):
    first = Chain(tmp_path)
    first.feed(thread_item())
    first.close()
    (first.folder / "comments" / ".part-00001.parquet.tmp").write_bytes(b"PAR1 killed run")
    second = Chain(tmp_path)
    second.feed(ArticleItem(article(4), [comment("7", None, 1, 0)]))
    second.close()
    # The killed run's unfinished part is removed: it has no footer and its rows were not stored.
    assert names(first.folder / "comments") == ["part-00000.parquet", "part-00001.parquet"]
    assert pq.read_table(first.folder / "comments").num_rows == 7
    assert second.manifest()["files"]["comments"] == ["comments/part-00001.parquet"]


def test_write_error_is_logged_and_finalised_parts_stay(tmp_path, monkeypatch, caplog):
    chain = Chain(tmp_path, PARQUET_ROW_GROUP_SIZE=3, PARQUET_FILE_ROWS=6)
    chain.feed(thread_item())  # exactly one full comments part, sealed but waiting for its article
    assert names(chain.folder / "comments") == [".part-00000.parquet.tmp"]
    chain.storage.commit()
    assert names(chain.folder / "comments") == ["part-00000.parquet"]

    def disk_full(self, *args, **kwargs):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(pq.ParquetWriter, "write_table", disk_full)
    with caplog.at_level(logging.ERROR), pytest.raises(DropItem, match="write error"):
        chain.feed(big_item(10))
    with pytest.raises(DropItem, match="not writable"):
        chain.feed(ArticleItem(article(5)))
    chain.close()
    assert "Dataset write failed" in caplog.text and "No space left on device" in caplog.text
    assert names(chain.folder / "comments") == ["part-00000.parquet"]
    assert pq.read_table(chain.folder / "comments/part-00000.parquet").num_rows == 6
    assert names(chain.folder / "articles") == ["part-00000.parquet"]
    assert pq.read_table(chain.folder / "articles").num_rows == 1
    assert list(chain.folder.rglob("*.tmp")) == []
    manifest = chain.manifest()
    assert (manifest["outcome"], manifest["exit_code"]) == ("write_error", 6)
    assert (manifest["counts"]["articles"], manifest["counts"]["comments"]) == (1, 6)
    assert manifest["counts"]["comments_by_kind"] == {"comment": 5, "pingback": 1}
    messages = [e["message"] for e in manifest["errors"]]
    assert any("No space left on device" in m for m in messages)


def test_a_full_disk_while_articles_are_written_stores_none_of_their_comments(tmp_path, monkeypatch):
    """The comments of an article are written first; when the disk fills up as the article's own
    part is written, those comments must not be left visible without their article."""
    chain = Chain(tmp_path)
    chain.feed(thread_item())
    chain.storage.commit()  # article 1 and its 6 comments stored
    chain.feed(big_item(10))  # article 3 and 10 comments, buffered
    write_table = pq.ParquetWriter.write_table

    def disk_full_for_articles(self, table, *args, **kwargs):
        if "body_text" in table.schema.names:
            raise OSError(28, "No space left on device")
        return write_table(self, table, *args, **kwargs)

    monkeypatch.setattr(pq.ParquetWriter, "write_table", disk_full_for_articles)
    chain.storage._commit_pending()  # the commit timer
    chain.close()
    articles = pq.read_table(chain.folder / "articles").column("article_id").to_pylist()
    comments = pq.read_table(chain.folder / "comments").column("article_id").to_pylist()
    assert articles == [article(1)["article_id"]]
    assert len(comments) == 6 and set(comments) == set(articles)
    assert list(chain.folder.rglob("*.tmp")) == []
    assert chain.manifest()["counts"]["comments"] == 6


def test_the_pages_rows_of_an_article_are_stored_before_it(tmp_path):
    """A resumed crawl does not fetch a stored article's comment pages again, so their pages
    rows must be final by the time the article is."""
    chain = Chain(tmp_path, PARQUET_COMMIT_INTERVAL=3600)
    for url in ("https://blog.example.org/2016/03/post-1/", "https://blog.example.org/2016/03/post-1/comment-page-2/"):
        chain.crawler.signals.send_catch_log(signal=signals.response_received, spider=None,
                                             request=Request(url), response=HtmlResponse(url, body=b"<html></html>"))
    chain.feed(thread_item())
    chain.storage.writers["articles"].commit()  # a part finalised, e.g. when it is full
    # The crawl is killed here: what a resumed run sees.
    stored = pq.read_table(chain.folder / "pages").column("url").to_pylist()
    assert sorted(stored) == ["https://blog.example.org/2016/03/post-1/",
                              "https://blog.example.org/2016/03/post-1/comment-page-2/"]
    assert pq.read_table(chain.folder / "comments").num_rows == 6


def test_write_error_in_pages_commits_the_articles_and_their_comments(tmp_path, monkeypatch, caplog):
    chain = Chain(tmp_path, PARQUET_ROW_GROUP_SIZE=1)
    chain.feed(thread_item())  # written to the open parts, none finalised yet
    assert names(chain.folder / "articles") == [".part-00000.parquet.tmp"]

    def disk_full(group):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(chain.storage.writers["pages"], "_write", disk_full)
    with caplog.at_level(logging.ERROR):
        chain.crawler.signals.send_catch_log(
            signal=signals.response_received, spider=None, request=Request("https://blog.example.org/"),
            response=HtmlResponse("https://blog.example.org/", body=b"<html></html>"))
    chain.close()
    assert "Dataset write failed" in caplog.text
    assert pq.read_table(chain.folder / "articles").num_rows == 1
    assert pq.read_table(chain.folder / "comments").num_rows == 6
    assert pq.read_table(chain.folder / "pages").num_rows == 0
    assert list(chain.folder.rglob("*.tmp")) == []
    counts = chain.manifest()["counts"]
    assert (counts["articles"], counts["comments"], counts["pages"]) == (1, 6, 0)


def test_commits_on_a_timer_and_only_with_pending_rows(tmp_path):
    chain = Chain(tmp_path, PARQUET_COMMIT_INTERVAL=30)
    assert chain.storage._commit_loop is not None and chain.storage._commit_loop.running
    chain.crawler.signals.send_catch_log(  # a page of the discovery phase, no article yet
        signal=signals.response_received, spider=None, request=Request("https://blog.example.org/"),
        response=HtmlResponse("https://blog.example.org/", body=b"<html></html>"))
    chain.storage._commit_pending()  # what the timer calls
    assert names(chain.folder / "pages") == ["part-00000.parquet"]
    chain.storage._commit_pending()  # nothing new: no new, empty part
    assert names(chain.folder / "pages") == ["part-00000.parquet"]
    assert names(chain.folder / "articles") == []
    chain.close()
    assert not chain.storage._commit_loop.running
    assert names(chain.folder / "pages") == ["part-00000.parquet"]
    assert chain.manifest()["counts"]["pages"] == 1


def test_commit_interval_zero_commits_every_row_at_once(tmp_path):
    chain = Chain(tmp_path, PARQUET_COMMIT_INTERVAL=0)
    assert chain.storage._commit_loop is None
    chain.crawler.signals.send_catch_log(
        signal=signals.response_received, spider=None, request=Request("https://blog.example.org/"),
        response=HtmlResponse("https://blog.example.org/", body=b"<html></html>"))
    chain.feed(thread_item())
    assert names(chain.folder / "pages") == ["part-00000.parquet"]
    assert names(chain.folder / "articles") == ["part-00000.parquet"]
    chain.close()


def test_captures_are_made_durable_before_a_part_is_final(tmp_path):
    chain = Chain(tmp_path)
    seen = []
    chain.crawler.signals.connect(
        lambda: seen.append(sorted(str(p.relative_to(chain.folder)) for p in chain.folder.glob("*/part-*"))),
        signal=dataset_commit, weak=False)
    chain.feed(thread_item())
    chain.close()
    # Before the comments part is sealed, then before the articles part is; nothing is visible
    # yet either time (the comments part is published with its articles); the empty pages part
    # needs none.
    assert seen == [[], []]
    assert names(chain.folder / "comments") == ["part-00000.parquet"]


def test_a_capture_that_cannot_be_made_durable_keeps_the_part_unfinished(tmp_path, caplog):
    chain = Chain(tmp_path)

    def fsync_failed():
        raise OSError(5, "Input/output error")

    chain.crawler.signals.connect(fsync_failed, signal=dataset_commit, weak=False)
    chain.feed(thread_item())
    with caplog.at_level(logging.ERROR):
        chain.close()
    assert "Dataset write failed" in caplog.text
    for table in ("articles", "comments"):
        assert pq.read_table(chain.folder / table).num_rows == 0
    assert chain.manifest()["counts"]["articles"] == 0


def test_an_identical_error_page_is_unchanged(tmp_path):
    def respond(chain, body):
        for url, status, page in (("https://blog.example.org/", 200, b"<html>Home</html>"),
                                  ("https://blog.example.org/gone/", 404, body)):
            chain.crawler.signals.send_catch_log(
                signal=signals.response_received, spider=None, request=Request(url),
                response=HtmlResponse(url, status=status, body=page))

    first = Chain(tmp_path, CRAWL_ID="first")
    respond(first, b"<html>Not found</html>")
    first.close()
    second = Chain(tmp_path, CRAWL_ID="second")
    respond(second, b"<html>Not found</html>")
    second.close()
    third = Chain(tmp_path, CRAWL_ID="third")
    respond(third, b"<html>Not found, really</html>")
    third.close()
    assert [p["unchanged"] for p in pq.read_table(second.folder / "pages").to_pylist()] == [True, True]
    assert [p["unchanged"] for p in pq.read_table(third.folder / "pages").to_pylist()] == [True, False]


def test_an_unreadable_finished_part_is_logged_and_its_rows_stored_again(tmp_path, caplog):
    first = Chain(tmp_path)
    first.feed(thread_item())
    first.close()
    (first.folder / "articles" / "part-00001.parquet").write_bytes(b"PAR1 damaged")
    with caplog.at_level(logging.ERROR, logger="pipelines.ledger"):
        second = Chain(tmp_path)
    assert "articles/part-00001.parquet" in caplog.text
    assert "its rows count as not stored: this run stores them again" in caplog.text
    second.feed(ArticleItem(article(1)))
    second.close()
    # part-00000 was read: article 1 is known as stored and not written twice.
    assert second.manifest()["counts"]["already_stored"] == 1


def test_crawl_id_must_be_a_folder_name(tmp_path):
    with pytest.raises(ValueError, match="CRAWL_ID"):
        Chain(tmp_path, CRAWL_ID="../elsewhere")


def test_crawl_id_generated_when_absent(tmp_path):
    crawler = get_crawler(settings_dict={"DATASET_ROOT": str(tmp_path)})
    pipe = ParquetDatasetPipeline.from_crawler(crawler)
    assert re.fullmatch(r"crawl-\d{8}T\d{6}Z", pipe.crawl_id)
    assert pipe.folder == tmp_path / pipe.crawl_id


def test_validation_stores_page_kind_as_post_or_page(tmp_path, caplog):
    chain = Chain(tmp_path)

    def kind(value) -> str:
        fields = {"article_id": "abc", "url": "https://blog.example.org/about/"}
        if value is not None:
            fields["page_kind"] = value
        return chain.validation.process_item(ArticleItem(fields)).article["page_kind"]
    assert (kind(None), kind("page"), kind(" Page "), kind("post")) == ("post", "page", "page", "post")
    with caplog.at_level(logging.WARNING, logger="pipelines.validation"):
        assert kind("listing") == "post"
    assert "page_kind 'listing' is not one of ['page', 'post']" in caplog.text


def test_a_recrawl_compares_rows_written_before_page_kind_as_posts(tmp_path):
    from pipelines import ledger

    earlier = tmp_path / "old"
    (earlier / "articles").mkdir(parents=True)
    row = {"article_id": "a1", "url": "https://blog.example.org/2024/05/x/", "title": "X", "crawl_id": "old"}
    pq.write_table(pa.Table.from_pylist([row]), earlier / "articles" / "part-00000.parquet")  # a 1.1 row
    (earlier / "crawl.json").write_text(json.dumps({"crawl_id": "old", "start_url": "https://blog.example.org/",
                                                    "started_at": "2024-01-01T00:00:00", "finish_reason": "finished"}))
    loaded = ledger.load(tmp_path / "new", "https://blog.example.org/")
    assert loaded.is_unchanged("articles", {**row, "page_kind": "post", "crawl_id": "new"})
    assert not loaded.is_unchanged("articles", {**row, "page_kind": "page", "crawl_id": "new"})


def test_articles_stored_cut_are_listed_with_their_reason(tmp_path):
    chain = Chain(tmp_path)
    chain.feed(thread_item(), ArticleItem(article(2, truncated="body cut: the page is 70,000,000 bytes")))
    chain.close()
    m = chain.manifest()
    assert m["truncated"] == [{"url": article(2)["url"], "reason": "body cut: the page is 70,000,000 bytes"}]
    assert m["counts"]["truncated_articles"] == 1


def test_rows_are_hashed_only_where_an_earlier_version_can_match(tmp_path, monkeypatch):
    from pipelines import ledger

    hashed: list[str] = []
    real_hash = ledger.row_hash
    monkeypatch.setattr(ledger, "row_hash", lambda table, row: hashed.append(table) or real_hash(table, row))
    # A first crawl: no earlier crawl of the site, so no row is hashed, and every row is stored.
    first = Chain(tmp_path, CRAWL_ID="first")
    first.feed(thread_item())
    assert hashed == []
    first.close()
    assert len(pq.read_table(tmp_path / "first" / "comments").to_pylist()) == 6
    # A re-crawl: rows with an earlier version are hashed and compared, a changed one is stored.
    second = Chain(tmp_path, CRAWL_ID="second")
    assert hashed.count("comments") == 6 and hashed.count("articles") == 1  # the earlier rows, loaded
    hashed.clear()
    item = thread_item()
    item.comments[0]["text"] = "edited"
    second.feed(item)
    second.close()
    assert hashed.count("comments") == 6 and hashed.count("articles") == 1
    stored = pq.read_table(tmp_path / "second" / "comments").to_pylist()
    assert [(c["comment_id"], c["text"]) for c in stored] == [("10", "edited")]


def test_comment_keys_answer_as_a_set_of_keys():
    from pipelines.ledger import CommentKeys

    keys = CommentKeys([("a", "1"), ("a", "2")])
    keys.update([("a", "2"), ("a", "3"), ("b", "1")] + [("long", str(n)) for n in range(100)])
    keys.add(("b", "1"))
    expected = {("a", "1"), ("a", "2"), ("a", "3"), ("b", "1")} | {("long", str(n)) for n in range(100)}
    assert set(keys) == expected and len(keys) == len(expected)
    assert all(k in keys for k in expected)
    assert ("a", "4") not in keys and ("c", "1") not in keys and ("long", "100") not in keys


def test_comment_keys_are_kept_only_for_articles_not_stored_with_them(tmp_path):
    # A first crawl: the article is stored, so its comments' keys are not kept; the article's
    # key alone keeps a second item of it from being stored again.
    first = Chain(tmp_path, CRAWL_ID="first")
    first.feed(thread_item())
    assert len(first.storage.ledger.stored["comments"]) == 0
    first.feed(thread_item())
    assert first.storage.counts["already_stored"] == 1
    first.close()
    assert len(pq.read_table(tmp_path / "first" / "comments")) == 6
    # A re-crawl: the article is unchanged, one reply is new; its key is kept, so the same
    # thread met again in this crawl stores nothing twice.
    second = Chain(tmp_path, CRAWL_ID="second")
    item = thread_item()
    item.comments.append(comment("16", "15", 2, 50))  # comment_count as before: the article unchanged
    second.feed(item)
    stored = second.storage.ledger.stored["comments"]
    assert len(stored) == 1 and ("0000000000000001", "16") in stored
    second.feed(item)
    second.close()
    rows = pq.read_table(tmp_path / "second" / "comments").to_pylist()
    assert [c["comment_id"] for c in rows] == ["16"]


# -- pages rows kept as Python values until their row group is written ---------------------------------
CAPTURE = WORDPRESS / "warc" / "twentytwentyone.warc.gz"


def captured_responses() -> list[tuple[Request, object]]:
    """Every response of a real WARC capture (wget's, of a WordPress blog), as replay answers it."""
    if not CAPTURE.exists():
        pytest.skip(f"shared WARC capture not found at {CAPTURE}")
    from scraper.middlewares import response_from_record
    from scraper.warc import iter_records

    found = []
    for offset, record, _ in iter_records(CAPTURE):
        if record.rec_type == "response":
            request = Request(record.rec_headers.get_header("WARC-Target-URI"))
            found.append((request, response_from_record(request, CAPTURE, offset)))
    return found


def part_layout(folder: Path) -> list[tuple[str, list[list[dict]]]]:
    """Each part file's row groups, row by row."""
    layout = []
    for path in sorted(folder.glob("part-*.parquet")):
        parquet = pq.ParquetFile(path)
        layout.append((path.name, [parquet.read_row_group(i).to_pylist() for i in range(parquet.num_row_groups)]))
    return layout


def test_pages_rows_batched_are_the_files_one_table_a_row_gave(tmp_path):
    """The pages rows of a real capture, kept as Python values until a row group is due, give
    the files that one Arrow table a row gave: the same rows in the same row groups and parts,
    a commit in the middle included."""
    responses = captured_responses()
    assert len(responses) > 30
    settings = {"PARQUET_ROW_GROUP_SIZE": 7, "PARQUET_FILE_ROWS": 20, "PARQUET_COMMIT_INTERVAL": 3600}
    batched = Chain(tmp_path / "batched", **settings)
    one_by_one = Chain(tmp_path / "one-by-one", **settings)
    writer = one_by_one.storage.writers["pages"]
    writer.add_rows = lambda rows: writer.add(pa.Table.from_pylist(rows, schema=writer.schema))  # the former way
    for n, (request, response) in enumerate(responses):
        for chain in (batched, one_by_one):
            chain.crawler.signals.send_catch_log(signal=signals.response_received, spider=None,
                                                 request=request, response=response)
            if n == 12:
                chain.storage.commit()  # what the timer does
        if n == 16:  # the rows before the commit are final, the next ones pending as Python values
            assert pq.read_table(batched.folder / "pages").num_rows == 13
            assert len(batched.storage.writers["pages"]._rows) == 4
    for chain in (batched, one_by_one):
        chain.close()
    got, expected = part_layout(batched.folder / "pages"), part_layout(one_by_one.folder / "pages")
    assert got == expected
    urls = {response.url for _, response in responses}  # a URL captured twice is one row
    assert sum(len(group) for _, groups in got for group in groups) == len(urls)
    assert [len(groups[0]) for _, groups in got][:2] == [7, 7]
    assert batched.manifest()["counts"]["pages"] == len(urls)


def test_a_pages_row_pyarrow_refuses_is_reported_and_the_others_stored(tmp_path, caplog):
    """A value that passes the checks but that pyarrow refuses (a URL holding a lone surrogate)
    costs its own row only, when its row group is made: logged, listed in crawl.json, not counted."""
    responses = captured_responses()[:10]
    chain = Chain(tmp_path, PARQUET_ROW_GROUP_SIZE=4)
    bad_url = "https://blog.example.org/\udcff/"
    for n, (request, response) in enumerate(responses):
        if n == 5:
            response, request = response.replace(url=bad_url), Request("https://blog.example.org/x/")
        chain.crawler.signals.send_catch_log(signal=signals.response_received, spider=None,
                                             request=request, response=response)
    with caplog.at_level(logging.ERROR):
        chain.close()
    stored = pq.read_table(chain.folder / "pages").column("url").to_pylist()
    assert stored == [r.url for n, (_, r) in enumerate(responses) if n != 5]
    assert f"Page {bad_url} not recorded" in caplog.text
    manifest = chain.manifest()
    assert manifest["counts"]["pages"] == 9
    assert [e["url"] for e in manifest["errors"] if "not recorded" in e["message"]] == [bad_url]


# -- value coercion: the column kinds -----------------------------------------------------------
KIND_CHECKS = {"timestamp": pa.types.is_timestamp, "string": pa.types.is_string, "integer": pa.types.is_integer,
               "boolean": pa.types.is_boolean, "list": pa.types.is_list}


def test_coercion_tells_column_kinds_as_pyarrow_types_does():
    """``coerce_value`` looks a column's kind up by its type id: the kind is the one the
    ``pyarrow.types`` checks give, for the schema's own types and for their near relatives."""
    from pipelines.validation import _KINDS

    schema_types = {f.type for table in (ARTICLES, COMMENTS) for f in table}
    relatives = {pa.large_string(), pa.string_view(), pa.large_list(pa.string()), pa.timestamp("ns"),
                 pa.float64(), pa.binary(), pa.date32(), pa.uint16(), pa.dictionary(pa.int32(), pa.string())}
    for type_ in schema_types | relatives:
        expected = [kind for kind, check in KIND_CHECKS.items() if check(type_)]
        found = [_KINDS[type_.id]] if type_.id in _KINDS else []
        assert found == expected, type_


def test_coercion_converts_by_kind_and_leaves_other_types_alone():
    from pipelines.validation import coerce_value

    assert coerce_value(7, pa.string()) == "7"
    assert coerce_value("7", pa.int32()) == 7
    assert coerce_value("yes", pa.bool_()) is True
    assert coerce_value("tag", pa.list_(pa.string())) == ["tag"]
    assert coerce_value("2024-05-01T10:00:00", pa.timestamp("us", tz="UTC")) == datetime(2024, 5, 1, 10, tzinfo=timezone.utc)
    # Not a kind it converts: a large string column is given the value as it is.
    assert coerce_value(7, pa.large_string()) == 7
    with pytest.raises(ValueError):
        coerce_value(2 ** 40, pa.int32())


def test_a_record_is_coerced_column_by_column_as_coerce_value_says():
    """Each table's ``Coercion`` (its columns' conversions, read from pyarrow once) gives every
    column what ``coerce_value`` gives its value, or None where it raises; ``coerce_record``
    reads the fields it is given."""
    from pipelines.parquet import PAGE_COERCION
    from pipelines.schema import ARTICLE_FIELDS, COMMENT_FIELDS, PAGE_FIELDS
    from pipelines.validation import ARTICLE_COERCION, COMMENT_COERCION, coerce_record, coerce_value

    class Text(str):
        pass

    values = [None, "7", 7, Text("x"), True, 1.0, 2 ** 40, "2024-05-01T10:00:00", "not a date", ["a", None],
              datetime(2024, 5, 1, tzinfo=timezone.utc), "yes", ""]
    tables = ((ARTICLE_FIELDS, ARTICLE_COERCION), (COMMENT_FIELDS, COMMENT_COERCION), (PAGE_FIELDS, PAGE_COERCION))
    for fields, coercion in tables:
        assert [name for name, _ in coercion.columns] == [f.name for f in fields]
        for value in values:
            record = {f.name: value for f in fields}
            expected = {}
            for f in fields:
                try:
                    expected[f.name] = coerce_value(value, f.type)
                except (ValueError, OverflowError):
                    expected[f.name] = None
            nulled = coercion(record, "test")
            assert record == expected
            assert nulled == sum(value is not None and expected[f.name] is None for f in fields)
            assert all(type(record[f.name]) is type(expected[f.name]) for f in fields)
    record = {"n": 7, "m": "8"}
    assert coerce_record(record, [pa.field("n", pa.string()), pa.field("m", pa.int32())], "test") == 0
    assert record == {"n": "7", "m": 8}


def test_articles_added_one_at_a_time_are_held_as_few_tables_and_stored_in_order(tmp_path):
    """Each article is added as a table of its row: a row group of them is joined into one
    table every ``PENDING_TABLES_MAX`` tables (each table holds its columns' arrays, tens of KB),
    and the stored rows are those fed, in the order fed."""
    from pipelines.parquet import PENDING_TABLES_MAX
    chain = Chain(tmp_path, PARQUET_ROW_GROUP_SIZE=1000, PARQUET_FILE_ROWS=100_000)
    held = []
    for n in range(1, 700):
        chain.feed(ArticleItem(article(n, body_text=f"Paragraph {n}.\n\n" * (n % 7 + 1)), [comment(f"{n}", None, 1, n)]))
        held.append(len(chain.storage.writers["articles"]._pending))
    assert max(held) == PENDING_TABLES_MAX - 1 < 100
    chain.close()
    stored = pq.read_table(chain.folder / "articles").to_pylist()
    assert [r["post_id"] for r in stored] == [str(100 + n) for n in range(1, 700)]
    assert [r["body_text"] for r in stored] == [f"Paragraph {n}.\n\n" * (n % 7 + 1) for n in range(1, 700)]
    assert pq.read_table(chain.folder / "comments").num_rows == 699
