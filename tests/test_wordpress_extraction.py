"""Extraction from real WordPress renders (classic and block themes) against exact truth."""
from __future__ import annotations

import json

import pytest

from scraper.extractors import extract_page
from scraper.text import collapse
from scraper.threads import CommentThread
from scraper import wordpress

from conftest import manifest_files, truth_posts, wordpress_themes

THEMES = wordpress_themes() or ["(no shared corpus)"]
POSTS = truth_posts() or [{"slug": "(no shared corpus)"}]


def _iso_utc(value: str | None) -> str | None:
    from datetime import datetime, timezone
    return datetime.fromisoformat(value).astimezone(timezone.utc).isoformat() if value else None


def _thread(theme: str, post: dict, with_api: bool) -> tuple[dict, list[dict]]:
    files = manifest_files(theme)
    first = extract_page(files[post["url"]].read_bytes(), post["url"])
    thread = CommentThread()
    thread.add_page(1, first["comments"])
    todo, seen = list(first["page"]["comment_page_urls"]), set()
    while todo:  # block themes link only the next page, as a crawler finds them
        url = todo.pop(0)
        if url in seen:
            continue
        seen.add(url)
        page = extract_page(files[url].read_bytes(), url)
        thread.add_page(int(url.rstrip("/").rsplit("-", 1)[1]), page["comments"])
        todo += page["page"]["comment_page_urls"]
    if with_api:
        api_url = wordpress.comments_url(first["page"]["rest_api_root"], first["article"]["post_id"])
        thread.add_api(wordpress.parse_comments(json.loads(files[api_url].read_bytes())))
    return first["article"], thread.rows()


@pytest.mark.parametrize("theme", THEMES)
@pytest.mark.parametrize("post", POSTS, ids=lambda p: p["slug"][:30])
def test_article_fields_equal_truth(wordpress_corpus, theme, post):
    files = manifest_files(theme)
    article = extract_page(files[post["url"]].read_bytes(), post["url"])["article"]
    assert article["title"] == post["title"]
    assert article["author_name"] == post["author"]
    assert article["published"] == _iso_utc(post["published"])
    assert article["tags"] == post["tags"]
    assert article["categories"] == post["categories"]
    assert article["canonical_url"] == post["url"]
    body = [collapse(p) for p in article["body_text"].split("\n\n")]
    assert body == [collapse(p) for p in post["body_paragraphs"]]
    bio_in_page = theme == "twentytwentyone"  # block themes print no bio (the REST API has it)
    if bio_in_page:
        assert collapse(article["author_bio"] or "") == collapse(post["author_bio"] or "")
    if post["author_bio"]:
        assert collapse(post["author_bio"]) not in collapse(article["body_text"])
    assert article["comments_open"] is (not post["comments_closed"])


def _compare(rows: list[dict], post: dict, exact_parents: bool) -> None:
    got = {r["comment_id"]: r for r in rows}
    want = {str(c["id"]): c for c in post["comments"]}
    assert set(got) == set(want), "comment set differs"
    for cid, c in want.items():
        r = got[cid]
        assert r["author_name"] == c["author"], cid
        assert r["author_url"] == c["author_url"], cid
        assert r["kind"] == c["type"], cid
        if c["type"] == "comment":  # the themes print no excerpt or date for pingbacks
            assert r["published"] == _iso_utc(c["published"]), cid
            assert collapse(r["text"]) == collapse(c["text"]), cid
            assert r["by_post_author"] is c["by_post_author"], cid
        flattened = c["depth"] != c["displayed_depth"]
        if exact_parents or not flattened:
            assert r["parent_id"] == (str(c["parent_id"]) if c["parent_id"] else None), cid
            assert r["depth"] == c["depth"], cid
        else:
            assert r["depth"] == c["displayed_depth"], cid
    assert not set(got) & {str(i) for i in post.get("unapproved_comment_ids", [])}
    assert [r["position"] for r in rows] == list(range(len(rows)))


@pytest.mark.parametrize("theme", THEMES)
@pytest.mark.parametrize("post", POSTS, ids=lambda p: p["slug"][:30])
def test_comments_from_html_equal_truth(wordpress_corpus, theme, post):
    _, rows = _thread(theme, post, with_api=False)
    _compare(rows, post, exact_parents=False)
    assert all(r["parent_source"] == "html" for r in rows)


@pytest.mark.parametrize("theme", THEMES)
@pytest.mark.parametrize("post", POSTS, ids=lambda p: p["slug"][:30])
def test_comments_with_rest_api_have_true_parents(wordpress_corpus, theme, post):
    _, rows = _thread(theme, post, with_api=True)
    _compare(rows, post, exact_parents=True)
    kinds = {r["comment_id"]: r["parent_source"] for r in rows}
    for c in post["comments"]:  # the API hides pingbacks; they must still be there, from HTML
        assert kinds[str(c["id"])] == ("html" if c["type"] != "comment" else "api")


def test_thread_shown_newest_first_keeps_every_page():
    """The article URL shows the newest page and links only older ones: no page is dropped,
    and pages come in thread order."""
    def rows(*ids):
        return [{"comment_id": i, "parent_id": None} for i in ids]
    thread = CommentThread()
    thread.add_page(None, rows("c5", "c6"))   # the article URL: the last page
    thread.add_page(2, rows("c3", "c4"))
    thread.add_page(1, rows("c1", "c2"))
    thread.add_page(3, rows("c5", "c6"))      # the same page under its own URL
    assert [r["comment_id"] for r in thread.rows()] == ["c1", "c2", "c3", "c4", "c5", "c6"]
    only_older = CommentThread()
    only_older.add_page(None, rows("c5", "c6"))
    only_older.add_page(2, rows("c3", "c4"))
    assert {r["comment_id"] for r in only_older.rows()} == {"c3", "c4", "c5", "c6"}
