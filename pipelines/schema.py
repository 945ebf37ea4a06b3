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

# One line per column, for the dataset card and datapackage.json (pipelines/card.py);
# datasets/README.md explains each column in full.
DESCRIPTIONS: dict[str, dict[str, str]] = {
    "articles": {
        "article_id": "stable id of the article (join key to comments)",
        "url": "the URL the article was fetched from",
        "canonical_url": "the article's canonical URL, normalised",
        "site": "host of the canonical URL: names the blog",
        "page_kind": "post (the blog's dated stream) or page (About, links, a static page)",
        "post_id": "the platform's own post id where the page states it",
        "title": "article title",
        "author_name": "author as shown on the page",
        "author_url": "the author's page or site",
        "author_bio": "the author's biography",
        "bio_source": "where the bio came from: html or api",
        "published": "publication time, UTC",
        "published_raw": "the date as the page printed it",
        "modified": "last-modified time, UTC",
        "modified_raw": "the modified date as the page printed it",
        "body_text": "the article text, paragraphs separated by a blank line",
        "body_confidence": "how far independent readings agree on body_text (0 to 1)",
        "body_source": "which reading gave body_text: container, blocks, articleBody or links",
        "tags": "tags, in page order",
        "categories": "categories, in page order",
        "language": "page language, e.g. en-US",
        "comments_open": "true with a comment form, false when closed, null when unknown",
        "comment_count": "number of comment rows archived for the article",
        "declared_comment_count": "the number of comments the page states",
        "comment_system": "where the comments were asked for (disqus, isso, ...), null for the page's own",
        "comments_complete": "false when comments are known to be missing",
        "truncated": "null when stored whole, else why and where it was cut",
        "extractor": "the extractor and version that read the page, e.g. generic/3",
        "fetched_at": "when the article page was fetched, UTC",
        "warc_file": "the WARC file holding the article page's response",
        "warc_record_id": "that response record's WARC-Record-ID",
        "crawl_id": "the crawl that wrote the row",
    },
    "comments": {
        "comment_id": "the platform's comment id (<id>~<n> for a reused id)",
        "article_id": "the article the comment belongs to",
        "article_url": "the article's canonical URL",
        "parent_id": "comment_id of the comment replied to; null at top level",
        "depth": "nesting level, 1 = top level",
        "position": "0-based pre-order position in the thread",
        "author_name": "commenter name; for pingbacks, the linking page's title",
        "author_url": "commenter's site; for pingbacks, the linking page",
        "published": "when the comment was posted, UTC",
        "published_raw": "the date as the page or API gave it",
        "text": "comment text, paragraphs separated by a blank line",
        "kind": "comment, pingback or trackback",
        "by_post_author": "true when written by the article's author",
        "parent_source": "where parent_id comes from: html or api",
        "page_url": "the page the comment was read from",
        "extractor": "the extractor and version that read the comment",
        "warc_file": "the WARC file of the capture the comment was read from",
        "warc_record_id": "that capture's WARC-Record-ID",
        "crawl_id": "the crawl that wrote the row",
    },
    "pages": {
        "url": "the URL fetched",
        "status": "HTTP status (304: unchanged since the last crawl)",
        "etag": "the ETag the server sent",
        "last_modified": "the Last-Modified the server sent",
        "sha1": "SHA-1 (hex) of the decoded body",
        "unchanged": "true when the page is as the last crawl of the site saw it",
        "fetched_at": "when it was fetched, UTC",
        "warc_file": "the WARC file holding the page's content",
        "warc_record_id": "that record's WARC-Record-ID",
        "warc_offset": "the record's byte offset in the WARC file",
        "crawl_id": "the crawl that wrote the row",
    },
}
