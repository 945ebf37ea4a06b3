"""The dataset schema: one definition shared by the writer, the validator and the docs.

Bump ``SCHEMA_VERSION`` on any change a reader could notice (a column added, renamed or
retyped); it is stored in every Parquet file's metadata under ``blog_archiver.schema_version``.
"""
from __future__ import annotations

import pyarrow as pa

SCHEMA_VERSION = "1.4"
METADATA_KEY = b"blog_archiver.schema_version"

_TS = pa.timestamp("us", tz="UTC")

ARTICLE_FIELDS = [
    pa.field("article_id", pa.string(), nullable=False),
    pa.field("url", pa.string(), nullable=False),
    pa.field("canonical_url", pa.string(), nullable=False),
    pa.field("site", pa.string(), nullable=False),
    pa.field("page_kind", pa.string(), nullable=False),  # 1.2
    pa.field("post_id", pa.string()),
    pa.field("title", pa.string()),
    pa.field("author_name", pa.string()),
    pa.field("author_url", pa.string()),
    pa.field("author_bio", pa.string()),
    pa.field("bio_source", pa.string()),
    pa.field("published", _TS),
    pa.field("published_raw", pa.string()),
    pa.field("modified", _TS),
    pa.field("modified_raw", pa.string()),
    pa.field("body_text", pa.string()),
    pa.field("body_confidence", pa.float32()),  # 1.2
    pa.field("body_source", pa.string()),  # 1.2
    pa.field("tags", pa.list_(pa.string())),
    pa.field("categories", pa.list_(pa.string())),
    pa.field("language", pa.string()),
    pa.field("comments_open", pa.bool_()),
    pa.field("comment_count", pa.int32()),
    pa.field("declared_comment_count", pa.int32()),  # 1.3
    pa.field("comment_system", pa.string()),  # 1.3
    pa.field("comments_complete", pa.bool_()),  # 1.3
    pa.field("truncated", pa.string()),  # 1.4
    pa.field("extractor", pa.string()),  # 1.1
    pa.field("fetched_at", _TS, nullable=False),
    pa.field("warc_file", pa.string()),  # 1.1
    pa.field("warc_record_id", pa.string()),  # 1.1
    pa.field("crawl_id", pa.string(), nullable=False),
]

COMMENT_FIELDS = [
    pa.field("comment_id", pa.string(), nullable=False),
    pa.field("article_id", pa.string(), nullable=False),
    pa.field("article_url", pa.string(), nullable=False),
    pa.field("parent_id", pa.string()),
    pa.field("depth", pa.int16(), nullable=False),
    pa.field("position", pa.int32(), nullable=False),
    pa.field("author_name", pa.string()),
    pa.field("author_url", pa.string()),
    pa.field("published", _TS),
    pa.field("published_raw", pa.string()),
    pa.field("text", pa.string()),
    pa.field("kind", pa.string(), nullable=False),
    pa.field("by_post_author", pa.bool_()),
    pa.field("parent_source", pa.string(), nullable=False),
    pa.field("page_url", pa.string()),
    pa.field("extractor", pa.string()),  # 1.1
    pa.field("warc_file", pa.string()),  # 1.1
    pa.field("warc_record_id", pa.string()),  # 1.1
    pa.field("crawl_id", pa.string(), nullable=False),
]

# One row per response of a crawl (since 1.1): what a re-crawl compares against.
PAGE_FIELDS = [
    pa.field("url", pa.string(), nullable=False),
    pa.field("status", pa.int16(), nullable=False),
    pa.field("etag", pa.string()),
    pa.field("last_modified", pa.string()),
    pa.field("sha1", pa.string()),
    pa.field("unchanged", pa.bool_(), nullable=False),
    pa.field("fetched_at", _TS, nullable=False),
    pa.field("warc_file", pa.string()),
    pa.field("warc_record_id", pa.string()),
    pa.field("warc_offset", pa.int64()),
    pa.field("crawl_id", pa.string(), nullable=False),
]


def _schema(fields: list[pa.Field]) -> pa.Schema:
    return pa.schema(fields, metadata={METADATA_KEY: SCHEMA_VERSION.encode()})


ARTICLES = _schema(ARTICLE_FIELDS)
COMMENTS = _schema(COMMENT_FIELDS)
PAGES = _schema(PAGE_FIELDS)
TABLES: dict[str, pa.Schema] = {"articles": ARTICLES, "comments": COMMENTS, "pages": PAGES}
COMMENT_KINDS = frozenset({"comment", "pingback", "trackback"})
PARENT_SOURCES = frozenset({"html", "api"})
PAGE_KINDS = frozenset({"post", "page"})  # 1.2
