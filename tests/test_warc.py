"""WARC capture during a crawl and ``scrapy reextract`` from WARC files, without the network."""
from __future__ import annotations

import json
import logging
import os
import shutil
from datetime import datetime, timezone
from pathlib import Path

import pytest
from scrapy.http import HtmlResponse, Request
from scrapy.utils.test import get_crawler

from scraper.middlewares import WarcCaptureMiddleware
from scraper.replay import ReplaySite
from scraper.signals import dataset_commit
from scraper.warc import iter_records

from conftest import WORDPRESS, truth_posts
from crawl_helpers import read_table, run_crawl, run_reextract, warcio

THEME = "twentytwentyone"
START = "http://blog.example.test:8081/"


def _records(folder: Path) -> list[tuple[Path, int, object]]:
    return [(p, offset, r) for p in sorted(folder.glob("*.warc.gz")) for offset, r, _ in iter_records(p)]


def _sorted(rows: list[dict]) -> list[dict]:
    return sorted(rows, key=lambda r: (r["article_id"], r.get("comment_id") or ""))


@pytest.fixture(scope="module")
def captured(tmp_path_factory):
    """One crawl with small WARC files (so they rotate), and its re-extraction."""
    if not (WORDPRESS / "site" / THEME / "manifest.json").exists():
        pytest.skip(f"shared WordPress corpus not found at {WORDPRESS}")
    out = tmp_path_factory.mktemp("warc-crawl")
    with ReplaySite(WORDPRESS / "site" / THEME) as site:
        proc = run_crawl(START, out, "live", site.proxy_url, "-s", "WARC_MAX_SIZE=150000")
    assert proc.returncode == 0, proc.stderr[-3000:]
    again = tmp_path_factory.mktemp("warc-reextract")
    replay = run_reextract([out / "live" / "warc"], again)
    assert replay.returncode == 0, replay.stderr[-3000:]
    return {"out": out, "warc": out / "live" / "warc", "again": again, "log": replay.stderr}


def test_warc_files_are_complete_valid_and_rotated(captured):
    folder = captured["warc"]
    files = sorted(folder.iterdir())
    assert len(files) >= 2 and all(p.name.endswith(".warc.gz") for p in files)  # no .open left
    for path in files:
        assert warcio("check", path).returncode == 0
        index = warcio("index", path)
        assert index.returncode == 0 and index.stdout.strip()
        first = next(iter_records(path))
        assert first[1].rec_type == "warcinfo"
        info = first[2]
        assert info["isPartOf"] == "live" and info["start-url"] == START and info["robots"] == "obey"
        assert info["software"].startswith("blog-archiver/") and "warcio" in info["software"]


def test_requests_and_responses_are_linked_pairs(captured):
    records = _records(captured["warc"])
    responses = {r.rec_headers.get_header("WARC-Record-ID"): r for _, _, r in records if r.rec_type == "response"}
    requests = [r for _, _, r in records if r.rec_type == "request"]
    assert len(requests) == len(responses)
    for req in requests:
        resp = responses[req.rec_headers.get_header("WARC-Concurrent-To")]
        assert resp.rec_headers.get_header("WARC-Target-URI") == req.rec_headers.get_header("WARC-Target-URI")
        assert resp.rec_headers.get_header("WARC-Payload-Digest", "").startswith("sha1:")
    uris = {r.rec_headers.get_header("WARC-Target-URI") for r in responses.values()}
    assert f"{START}robots.txt" in uris


def test_every_row_points_at_its_capture(captured):
    records = {r.rec_headers.get_header("WARC-Record-ID"): (p.name, r) for p, _, r in _records(captured["warc"])
               if r.rec_type == "response"}
    articles = read_table(captured["out"], "live", "articles")
    comments = read_table(captured["out"], "live", "comments")
    assert len(articles) == len(truth_posts())
    for a in articles:
        name, record = records[a["warc_record_id"]]
        assert a["warc_file"] == name and record.rec_headers.get_header("WARC-Target-URI") == a["url"]
    api_only = 0
    for c in comments:
        name, record = records[c["warc_record_id"]]
        uri = record.rec_headers.get_header("WARC-Target-URI")
        assert c["warc_file"] == name
        if "/wp-json/" in uri:
            api_only += 1
        else:
            assert uri == c["page_url"].split("#")[0] or c["page_url"].startswith(uri)
    assert api_only < len(comments)


def test_reextract_gives_the_same_rows(captured):
    for table in ("articles", "comments"):
        live = _sorted(read_table(captured["out"], "live", table))
        again = _sorted(read_table(captured["again"], "live", table))
        assert live and len(again) == len(live)
        for a, b in zip(live, again):
            # fetched_at is the capture's WARC-Date in both; extractor is not a timestamp either.
            assert a == b
    manifest = json.loads((captured["again"] / "live" / "crawl.json").read_text())
    assert manifest["start_url"] == START and manifest["finish_reason"] == "finished"
    assert "Replaying" in captured["log"]


def test_a_rebuilt_dataset_keeps_the_capture_start(captured):
    live = json.loads((captured["out"] / "live" / "crawl.json").read_text())
    rebuilt = json.loads((captured["again"] / "live" / "crawl.json").read_text())
    first = sorted(captured["warc"].glob("*.warc.gz"))[0]
    warc_date = next(iter(iter_records(first)))[1].rec_headers.get_header("WARC-Date")
    assert rebuilt["started_at"] == datetime.fromisoformat(warc_date).astimezone(timezone.utc).isoformat()
    assert live["started_at"] <= rebuilt["started_at"] <= live["finished_at"] < rebuilt["rebuilt_at"]
    assert "rebuilt_at" not in live


def test_corrupt_and_truncated_records_are_reported_and_skipped(captured, tmp_path):
    broken = tmp_path / "broken"
    shutil.copytree(captured["warc"], broken)
    files = sorted(broken.glob("*.warc.gz"))
    # Garble one response in the middle of the first file, cut the last file inside a record.
    target = [(o, r) for o, r, _ in iter_records(files[0])]
    index = next(i for i, (_, r) in enumerate(target) if r.rec_type == "response" and i > 2)
    bad_offset, next_offset = target[index][0], target[index + 1][0]
    data = bytearray(files[0].read_bytes())
    middle = (bad_offset + next_offset) // 2
    data[middle:middle + 16] = b"\x00" * 16
    files[0].write_bytes(bytes(data))
    last = [o for o, _, _ in iter_records(files[-1])]
    cut_offset = last[-2]
    files[-1].write_bytes(files[-1].read_bytes()[:cut_offset + 200])

    out = tmp_path / "out"
    proc = run_reextract([broken], out)
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert f"Corrupt or truncated WARC record in {files[0]} at offset {bad_offset}" in proc.stderr
    assert f"Corrupt or truncated WARC record in {files[-1]} at offset {cut_offset}" in proc.stderr
    # Re-extraction went on: the records after the bad one were still read.
    articles = read_table(out, "live", "articles")
    assert len(articles) >= len(truth_posts()) - 1


def test_a_record_whose_bytes_do_not_match_its_digest_is_reported_and_skipped(captured, tmp_path):
    """An uncompressed WARC has no CRC: a changed byte is seen only by the record's digest."""
    import gzip

    plain = tmp_path / "plain" / "live-00000.warc"
    plain.parent.mkdir()
    plain.write_bytes(b"".join(gzip.decompress(p.read_bytes()) for p in sorted(captured["warc"].glob("*.warc.gz"))))
    data = plain.read_bytes()
    title = b"A Quiet Note on Archive Formats"
    spot = data.index(title)
    offset = max(o for o, r, _ in iter_records(plain) if o < spot)
    plain.write_bytes(data[:spot] + b"A QuieXXXXte on Archive Formats" + data[spot + len(title):])
    proc = run_reextract([plain.parent], tmp_path / "out")
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert f"Corrupt or truncated WARC record in {plain} at offset {offset}" in proc.stderr
    assert "digest" in proc.stderr.lower()
    titles = [a["title"] for a in read_table(tmp_path / "out", "live", "articles")]
    assert "A QuieXXXXte on Archive Formats" not in titles and titles  # the rest was read


@pytest.mark.parametrize("theme", ["twentytwentyone", "twentytwentytwo"])
def test_reextract_a_third_party_wget_warc(theme, tmp_path):
    path = WORDPRESS / "warc" / f"{theme}.warc.gz"
    if not path.exists():
        pytest.skip(f"shared WARC not found at {path}")
    proc = run_reextract([path], tmp_path, "-a", "crawl=wget")
    assert proc.returncode == 0, proc.stderr[-3000:]
    articles = {a["canonical_url"]: a for a in read_table(tmp_path, "wget", "articles")}
    comments = read_table(tmp_path, "wget", "comments")
    posts = truth_posts()
    assert set(articles) == {p["url"] for p in posts}
    assert {(c["article_url"], c["comment_id"]) for c in comments} == \
        {(p["url"], str(c["id"])) for p in posts for c in p["comments"]}
    # wget did not fetch the REST comments endpoints: parents come from the HTML alone, so the
    # replies deeper than the theme's display depth are flattened onto an ancestor.
    assert {c["parent_source"] for c in comments} == {"html"}
    assert "wp-json/wp/v2/comments?post=" in proc.stderr  # asked for, not in the WARC: a 404
    truth = {(p["url"], str(c["id"])): c for p in posts for c in p["comments"]}
    wrong = [c for c in comments if c["parent_id"] != (str(truth[(c["article_url"], c["comment_id"])]["parent_id"])
                                                       if truth[(c["article_url"], c["comment_id"])]["parent_id"] else None)]
    assert len(wrong) == 2 and all(c["depth"] == 5 for c in wrong)


def test_warc_capture_can_be_turned_off(tmp_path):
    if not (WORDPRESS / "site" / THEME / "manifest.json").exists():
        pytest.skip(f"shared WordPress corpus not found at {WORDPRESS}")
    with ReplaySite(WORDPRESS / "site" / THEME) as site:
        proc = run_crawl(START, tmp_path, "nowarc", site.proxy_url, "-s", "WARC_ENABLED=False")
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert not (tmp_path / "nowarc" / "warc").exists()
    articles = read_table(tmp_path, "nowarc", "articles")
    assert len(articles) == len(truth_posts()) and {a["warc_file"] for a in articles} == {None}
    assert {a["fetched_at"] is not None for a in articles} == {True}


def test_reextract_refuses_to_write_into_an_existing_crawl(captured):
    proc = run_reextract([captured["warc"]], captured["out"])
    assert proc.returncode != 0 and "already holds a dataset" in proc.stderr


def test_the_open_warc_file_is_fsynced_when_the_dataset_commits(tmp_path, monkeypatch):
    """Parquet parts are fsync'ed: the records their rows point at must be on disk before."""
    crawler = get_crawler(settings_dict={"DATASET_ROOT": str(tmp_path), "CRAWL_ID": "sync",
                                         "EXTENSIONS_BASE": {}})
    capture = WarcCaptureMiddleware.from_crawler(crawler)
    request = Request(START)
    capture.process_response(request, HtmlResponse(START, body=b"<html></html>", request=request))
    synced = []
    monkeypatch.setattr(os, "fsync", synced.append)
    crawler.signals.send_catch_log(signal=dataset_commit)
    assert synced == [capture.writer._file.fileno()]
    capture.spider_closed()


def test_reextract_says_which_unfinished_files_it_leaves_out(captured, tmp_path):
    folder = tmp_path / "warc"
    shutil.copytree(captured["warc"], folder)
    last = sorted(folder.glob("*.warc.gz"))[-1]
    last.rename(last.with_name(last.name + ".open"))
    proc = run_reextract([folder], tmp_path / "out")
    assert proc.returncode == 3, proc.stderr[-3000:]
    assert "Not read: 1 unfinished WARC file(s) of a crawl that was killed" in proc.stderr
    assert last.name + ".open" in proc.stderr


def test_a_chunked_response_digested_after_dechunking_is_still_read(tmp_path, caplog):
    """The WARC spec digests a chunked payload de-chunked, warcio and wget digest it raw: a
    payload mismatch alone is reported, the record (whose block digest holds) is kept."""
    import base64
    import hashlib
    import io
    import logging

    from warcio.warcwriter import WARCWriter

    def sha1(data: bytes) -> str:
        return "sha1:" + base64.b32encode(hashlib.sha1(data).digest()).decode()

    body = b"<html><body><article><h1>Hi</h1><p>" + b"x" * 300 + b"</p></article></body></html>"
    http = (b"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nTransfer-Encoding: chunked\r\n\r\n"
            + b"%x\r\n%s\r\n0\r\n\r\n" % (len(body), body))
    path = tmp_path / "spec.warc.gz"
    with open(path, "wb") as f:
        writer = WARCWriter(f, gzip=True)
        writer.write_record(writer.create_warc_record(
            "http://example.org/post/", "response", payload=io.BytesIO(http), length=len(http),
            warc_headers_dict={"WARC-Payload-Digest": sha1(body), "WARC-Block-Digest": sha1(http),
                               "Content-Type": "application/http; msgtype=response"}))
    with caplog.at_level(logging.WARNING, logger="scraper.warc"):
        records = [r.rec_headers.get_header("WARC-Target-URI") for _, r, _ in iter_records(path)]
    assert records == ["http://example.org/post/"]
    assert "payload digest failed" in caplog.text and "the record is used" in caplog.text


def test_posts_to_one_url_are_archived_with_their_bodies_and_replayed_apart(tmp_path):
    """A comment system asked by POST (Commento's ``/api/comment/list``) sends every page's
    query to the same URL: the request record keeps what was posted, and replay answers each
    query with its own response, a GET of the URL with neither."""
    from scraper.middlewares import WarcIndex
    from scrapy.http import TextResponse
    crawler = get_crawler(settings_dict={"DATASET_ROOT": str(tmp_path), "CRAWL_ID": "post",
                                         "EXTENSIONS_BASE": {}})
    capture = WarcCaptureMiddleware.from_crawler(crawler)
    url = "http://127.0.0.1:9/api/comment/list"
    for path in ("/a/", "/b/"):
        body = json.dumps({"path": path}).encode()
        request = Request(url, method="POST", body=body)
        capture.process_response(request, TextResponse(url, body=b'{"for": "%s"}' % path.encode(), request=request))
    capture.spider_closed()
    files = sorted((tmp_path / "post" / "warc").glob("*.warc.gz"))
    posted = [r.post_body for f in files for _, r, _ in iter_records(f) if r.rec_type == "request"]
    assert posted == [b'{"path": "/a/"}', b'{"path": "/b/"}']
    index = WarcIndex(files)
    from scraper.middlewares import response_from_record
    for path in ("/a/", "/b/"):
        request = Request(url, method="POST", body=json.dumps({"path": path}).encode())
        found = index.lookup(url, "POST", request.body)
        assert found is not None
        assert response_from_record(request, *found).body == b'{"for": "%s"}' % path.encode()
    assert index.lookup(url) is None
    assert index.lookup(url, "POST", b'{"path": "/c/"}') is None


@pytest.mark.parametrize("level", [1, 6, 9])
def test_records_are_valid_gzip_members_at_any_warc_gzip_level(tmp_path, level):
    """WARC_GZIP_LEVEL changes only the compression: each record is still its own gzip member,
    read back at its offset, and warcio checks the file."""
    from scraper.warc import read_record_at

    crawler = get_crawler(settings_dict={"DATASET_ROOT": str(tmp_path), "CRAWL_ID": "level",
                                         "EXTENSIONS_BASE": {}, "WARC_GZIP_LEVEL": level})
    capture = WarcCaptureMiddleware.from_crawler(crawler)
    bodies = {f"{START}post-{n}/": b"<html><body><p>" + b"words %d " % n * 200 + b"</p></body></html>"
              for n in range(3)}
    for url, body in bodies.items():
        request = Request(url)
        capture.process_response(request, HtmlResponse(url, body=body, request=request))
    capture.spider_closed()
    [path] = sorted((tmp_path / "level" / "warc").glob("*.warc.gz"))
    assert warcio("check", path).returncode == 0
    responses = [(offset, r) for offset, r, _ in iter_records(path) if r.rec_type == "response"]
    assert [r.rec_headers.get_header("WARC-Target-URI") for _, r in responses] == list(bodies)
    for offset, _ in responses:
        record, body = read_record_at(path, offset)
        assert body.endswith(bodies[record.rec_headers.get_header("WARC-Target-URI")])


def _as_warcio_reads(path: Path, offset: int):
    from scraper.warc import read_record_by_warcio

    with open(path, "rb") as f:
        f.seek(offset)
        return read_record_by_warcio(f)


def _same_record(path: Path, offset: int) -> bool:
    """``read_record_at`` gives what warcio gives for the record; True where it read the
    record itself (the plain kind a crawl writes)."""
    from scraper.warc import _plain_response, read_record_at

    record, body = read_record_at(path, offset)
    expected, expected_body = _as_warcio_reads(path, offset)
    assert body == expected_body
    assert record.rec_type == expected.rec_type and record.content_type == expected.content_type
    assert (record.rec_headers.protocol, record.rec_headers.headers) == (expected.rec_headers.protocol,
                                                                         expected.rec_headers.headers)
    assert (record.http_headers.protocol, record.http_headers.statusline, record.http_headers.headers) == (
        expected.http_headers.protocol, expected.http_headers.statusline, expected.http_headers.headers)
    assert record.http_headers.get_statuscode() == expected.http_headers.get_statuscode()
    with open(path, "rb") as f:
        f.seek(offset)
        return _plain_response(f) is not None


def test_a_response_read_at_its_offset_is_what_warcio_reads(tmp_path):
    """Every response of a capture the crawler wrote (plain bodies, a compressed one, headers
    warcio reads in its own way) and of wget's captures of a WordPress blog: read at its
    offset, the same headers and body as warcio's reading; the plain ones without warcio."""
    import gzip

    crawler = get_crawler(settings_dict={"DATASET_ROOT": str(tmp_path), "CRAWL_ID": "plain", "EXTENSIONS_BASE": {}})
    capture = WarcCaptureMiddleware.from_crawler(crawler)
    answers = [(b"<html><body><p>plain</p></body></html>", {"Content-Type": "text/html; charset=utf-8"}),
               (b"", {"Content-Type": "text/html"}),
               (gzip.compress(b"<html><body><p>compressed</p></body></html>"),
                {"Content-Type": "text/html", "Content-Encoding": "gzip"}),
               (b"<p>spaced</p>", {"Content-Type": "text/html", "X-Spaced": "  two  words  "}),
               (b"<p>latin</p>", {"Content-Type": "text/html", "X-Name": "Bj\xf6rk".encode("latin-1")}),
               (b"\r\n\r\n<p>blank lines first</p>\r\n", {"Content-Type": "text/html"})]
    for n, (body, headers) in enumerate(answers):
        url = f"{START}page-{n}/"
        request = Request(url)
        capture.process_response(request, HtmlResponse(url, body=body, headers=headers, request=request))
    capture.spider_closed()
    [written] = sorted((tmp_path / "plain" / "warc").glob("*.warc.gz"))
    read_plain = [_same_record(written, offset) for offset, r, _ in iter_records(written) if r.rec_type == "response"]
    assert len(read_plain) == len(answers)
    assert read_plain[0] and read_plain[1] and not read_plain[2]  # a compressed body is warcio's to decode
    wget = sorted((WORDPRESS / "warc").glob("*.warc.gz"))
    if not wget:
        pytest.skip(f"shared WARC captures not found in {WORDPRESS / 'warc'}")
    for path in wget:
        for offset, record, _ in iter_records(path):
            if record.rec_type == "response":
                _same_record(path, offset)


def _index_by_warcio(path: Path, monkeypatch) -> list:
    from scraper import warc
    from scraper.middlewares import index_file

    with monkeypatch.context() as patched:
        patched.setattr(warc, "plain_records", lambda path: None)
        return index_file(path)


def test_a_plain_file_is_indexed_as_warcio_indexes_it(tmp_path, monkeypatch, caplog):
    """A file the crawler wrote (warcinfo, GETs, POSTs with their bodies, answers of every
    kind) is indexed without warcio, to the same entries; a file with anything else in it
    (wget's captures, a record cut short, a failed digest) is read by warcio alone, with the
    warnings and errors it gives."""
    import gzip
    from scrapy.http import TextResponse

    from scraper import warc
    from scraper.middlewares import index_file

    crawler = get_crawler(settings_dict={"DATASET_ROOT": str(tmp_path), "CRAWL_ID": "mixed", "EXTENSIONS_BASE": {}})
    capture = WarcCaptureMiddleware.from_crawler(crawler)
    api = "http://127.0.0.1:9/api/comment/list"
    for n, path in enumerate(("/a/", "/b/")):
        request = Request(api, method="POST", body=json.dumps({"path": path}).encode())
        capture.process_response(request, TextResponse(api, body=b'{"for": "%s"}' % path.encode(), request=request))
        url = f"{START}page-{n}/"
        request = Request(url)
        capture.process_response(request, HtmlResponse(url, body=b"<p>%d</p>" % n, request=request))
    for status, body, headers in ((404, b"gone", {}), (301, b"", {"Location": f"{START}page-0/"}),
                                  (200, gzip.compress(b"<p>z</p>"), {"Content-Encoding": "gzip"})):
        url = f"{START}status-{status}/"
        request = Request(url)
        capture.process_response(request, HtmlResponse(url, status=status, body=body, headers=headers, request=request))
    capture.spider_closed()
    [plain, *_] = sorted((tmp_path / "mixed" / "warc").glob("*.warc.gz"))
    # The compressed answer makes this file warcio's; the same file without it is plain.
    assert warc.plain_records(plain) is None
    cut = tmp_path / "plain.warc.gz"
    records = [(o, r) for o, r, _ in iter_records(plain)]
    last = records[-2][0]  # the compressed answer and its request are the last two records
    cut.write_bytes(plain.read_bytes()[:last])
    assert warc.plain_records(cut) is not None
    assert index_file(cut) == [h._replace(path=cut) for h in _index_by_warcio(cut, monkeypatch)]
    assert [h.method for h in index_file(cut)].count("POST") == 2
    assert index_file(plain) == _index_by_warcio(plain, monkeypatch)
    # Cut inside its last record: warcio's reading, and its error.
    broken = tmp_path / "broken.warc.gz"
    broken.write_bytes(cut.read_bytes()[:-300])
    assert warc.plain_records(broken) is None
    with caplog.at_level(logging.ERROR, logger="scraper.warc"):
        held = index_file(broken)
    assert "Corrupt or truncated WARC record" in caplog.text
    assert held == _index_by_warcio(broken, monkeypatch)
    for wget in sorted((WORDPRESS / "warc").glob("*.warc.gz")):
        assert warc.plain_records(wget) is None  # its URIs in <...>: warcio corrects them
        assert index_file(wget) == _index_by_warcio(wget, monkeypatch)


def test_a_payload_digest_that_fails_sends_the_file_to_warcio(tmp_path, monkeypatch, caplog):
    """A plain record whose payload digest does not hold is warcio's to read: the index is
    the same, and the warning says the record is used all the same."""
    import io

    from warcio.warcwriter import WARCWriter

    from scraper import warc
    from scraper.middlewares import index_file

    http = b"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\n\r\n<p>body</p>"
    path = tmp_path / "digest.warc.gz"
    with open(path, "wb") as f:
        writer = WARCWriter(f, gzip=True, warc_version="1.1")
        writer.write_record(writer.create_warc_record(
            "http://example.org/post/", "response", payload=io.BytesIO(http), length=len(http),
            warc_headers_dict={"WARC-Payload-Digest": "sha1:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA",
                               "Content-Type": "application/http; msgtype=response"}))
    assert warc.plain_records(path) is None
    with caplog.at_level(logging.WARNING, logger="scraper.warc"):
        held = index_file(path)
    assert "payload digest failed" in caplog.text and "the record is used" in caplog.text
    assert [h.url for h in held] == ["http://example.org/post/"] and held == _index_by_warcio(path, monkeypatch)


def test_a_plain_file_read_in_chunks_that_end_inside_a_members_magic_is_still_plain(captured, monkeypatch):
    """Indexing reads a file in chunks: one that ends one or two bytes into the next gzip
    member still finds that member's start (the file was read by warcio instead, at twice the
    cost). Chunk sizes are chosen so that a read ends 1 and 2 bytes past a real record's start;
    a file ending in a lone first byte of a member stays warcio's."""
    from scraper import warc

    path = sorted(captured["warc"].glob("*.warc.gz"))[0]
    expected = [offset for offset, _, _ in iter_records(path)]
    assert warc.plain_records(path) is not None
    for inside in (1, 2):
        # A read of _READ_SIZE * 4 bytes: the first member start s with s + inside a multiple of 4.
        start = next(s for s in expected[1:] if (s + inside) % 4 == 0)
        monkeypatch.setattr(warc, "_READ_SIZE", (start + inside) // 4)
        found = warc.plain_records(path)
        assert found is not None, inside
        assert [offset for offset, _ in found] == expected
    monkeypatch.undo()
    tail = path.with_name("tail.warc.gz")
    tail.write_bytes(path.read_bytes() + b"\x1f")
    try:
        assert warc.plain_records(tail) is None
    finally:
        tail.unlink()
