"""WARC files: a crawl's captures written as WARC 1.1 (rotated by size, visible only once
complete), and read back record by record, a corrupt record reported and skipped.

A file is written as ``<name>.warc.gz.open`` and renamed to ``<name>.warc.gz`` when it is
closed or rotated (fsync'ed first). Each record is flushed as soon as it is written, which
survives a killed process; :meth:`WarcFileWriter.sync` fsyncs the open file, which survives a
power loss, and is called before any Parquet part whose rows point at its records is finalised
(``scraper.signals.dataset_commit``). :func:`recover_open_files` turns the ``.open`` file a
killed crawl left behind into a final one, cut after its last complete record.
"""
from __future__ import annotations

import base64
import hashlib
import json
import logging
import os
import re
import zlib
from dataclasses import dataclass
from datetime import datetime, timezone
from http import HTTPStatus
from importlib import metadata
from io import BytesIO
from pathlib import Path
from typing import TYPE_CHECKING, BinaryIO, Iterable, Iterator

from warcio.archiveiterator import ArchiveIterator
from warcio.recordloader import ArcWarcRecord
from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

import scraper
from pipelines.parquet import durable_replace

if TYPE_CHECKING:
    from scrapy.http import Request, Response

log = logging.getLogger(__name__)

WARC_SUFFIX = ".warc.gz"
OPEN_SUFFIX = ".open"
WARC_GLOBS = ("*.warc.gz", "*.warc")
_SERIAL = re.compile(r"-(\d{5})\.warc\.gz(\.open)?$")
_GZIP_MAGIC = b"\x1f\x8b\x08"
_WARC_MAGIC = b"WARC/1."
# Twisted hands Scrapy the body de-chunked: recording the header would make readers de-chunk
# a body that is not chunked. The original value is kept under the usual archival prefix.
_HOP_HEADERS = {b"transfer-encoding"}
DEFAULT_GZIP_LEVEL = 6  # WARC_GZIP_LEVEL


def _reason(status: int) -> str:
    try:
        return HTTPStatus(status).phrase
    except ValueError:
        return ""


def warc_date(record: ArcWarcRecord) -> str | None:
    """The record's WARC-Date as an ISO 8601 UTC string (the row's ``fetched_at``)."""
    value = record.rec_headers.get_header("WARC-Date")
    if not value:
        return None
    try:
        return datetime.fromisoformat(value.replace("Z", "+00:00")).astimezone(timezone.utc).isoformat()
    except ValueError:
        return None


def request_headers(request: Request) -> StatusAndHeaders:
    parts = request.url.split("/", 3)
    target = "/" + (parts[3] if len(parts) > 3 else "")
    headers = [(k.decode("latin-1"), v.decode("latin-1"))
               for k, values in request.headers.items() for v in values]
    if not any(k.lower() == "host" for k, _ in headers):
        headers.insert(0, ("Host", parts[2] if len(parts) > 2 else ""))
    return StatusAndHeaders(f"{request.method} {target}", headers, protocol="HTTP/1.1",
                            is_http_request=True)


def response_headers(response: Response) -> StatusAndHeaders:
    headers = []
    for key, values in response.headers.items():
        name = key.decode("latin-1")
        if key.lower() in _HOP_HEADERS:
            name = "X-Archive-Orig-" + name
        headers.extend((name, v.decode("latin-1")) for v in values)
    protocol = getattr(response, "protocol", None) or "HTTP/1.1"
    status = f"{response.status} {_reason(response.status)}".strip()
    return StatusAndHeaders(status, headers, protocol=protocol)


@dataclass(frozen=True)
class Capture:
    """Where one response was written: the final file name and the response record."""
    file: str
    record_id: str
    offset: int
    date: str | None


class WarcFileWriter:
    """Rotating WARC writer for one crawl: ``<folder>/<prefix>-NNNNN.warc.gz``."""

    def __init__(self, folder: Path, prefix: str, max_size: int, info: dict[str, str],
                 gzip_level: int = DEFAULT_GZIP_LEVEL) -> None:
        self.folder, self.prefix, self.max_size, self.info = folder, prefix, max_size, info
        self.gzip_level = gzip_level
        self.files: list[Path] = []
        self._serial = next_serial(folder, prefix)
        self._file: BinaryIO | None = None
        self._writer: WARCWriter | None = None

    @property
    def final_path(self) -> Path:
        return self.folder / f"{self.prefix}-{self._serial:05d}{WARC_SUFFIX}"

    @property
    def open_path(self) -> Path:
        return self.final_path.with_name(self.final_path.name + OPEN_SUFFIX)

    def write_exchange(self, request: Request, response: Response) -> Capture:
        writer = self._writer or self._open()
        assert self._file is not None
        resp = writer.create_warc_record(response.url, "response", payload=BytesIO(response.body),
                                         http_headers=response_headers(response))
        # A POST's body is archived with it (a comment system's query): what was asked, and
        # what replay tells one answer at the same URL from another by.
        req = writer.create_warc_record(response.url, "request", payload=BytesIO(request.body or b""),
                                        http_headers=request_headers(request))
        offset = self._file.tell()
        writer.write_request_response_pair(req, resp)  # response first, request Concurrent-To it
        self._file.flush()
        capture = Capture(self.final_path.name, resp.rec_headers.get_header("WARC-Record-ID"),
                          offset, warc_date(resp))
        if self._file.tell() >= self.max_size:
            self.close()
        return capture

    def sync(self) -> None:
        """Put every record written so far on disk (the final file is synced when renamed)."""
        if self._file is not None:
            self._file.flush()
            os.fsync(self._file.fileno())

    def close(self) -> None:
        if self._file is None:
            return
        self._file.close()
        self._file = self._writer = None
        durable_replace(self.open_path, self.final_path)
        self.files.append(self.final_path)
        self._serial += 1

    def abandon(self) -> None:
        """After a write error: leave the file ``.open`` (it may end inside a record) for
        :func:`recover_open_files` to cut, rather than give it its final name."""
        if self._file is not None:
            try:
                self.sync()  # keep what was written as far as the disk allows
            except OSError:
                pass
            try:
                self._file.close()
            except OSError:
                pass
        self._file = self._writer = None

    def _open(self) -> WARCWriter:
        self.folder.mkdir(parents=True, exist_ok=True)
        self._file = open(self.open_path, "xb")
        self._writer = LeveledWARCWriter(self._file, self.gzip_level, warc_version="1.1")
        self._writer.write_record(self._writer.create_warcinfo_record(self.final_path.name, self.info))
        return self._writer


class LeveledWARCWriter(WARCWriter):
    """warcio's writer (each record one gzip member) at a chosen compression level: warcio
    always compresses at 9, which costs a third more time than 6 for 0.2 % smaller files."""

    def __init__(self, filebuf: BinaryIO, level: int, **kwargs) -> None:
        super().__init__(filebuf, gzip=False, **kwargs)  # the member is opened here instead
        self.level = level

    def _write_warc_record(self, out, record) -> None:
        # warcio writes the record and flushes ``out`` once at its end: that closes the member.
        super()._write_warc_record(_GzipMember(out, self.level), record)


class _GzipMember:
    """warcio's GzippingWrapper with a compression level."""

    def __init__(self, out: BinaryIO, level: int) -> None:
        self.compressor = zlib.compressobj(level, zlib.DEFLATED, zlib.MAX_WBITS + 16)
        self.out = out

    def write(self, data: bytes) -> None:
        self.out.write(self.compressor.compress(data))

    def flush(self) -> None:
        self.out.write(self.compressor.flush())
        self.out.flush()


def next_serial(folder: Path, prefix: str = "") -> int:
    serials = [int(m[1]) for p in folder.glob(f"{prefix}*.warc.gz*")
               if (m := _SERIAL.search(p.name)) and (not prefix or _SERIAL.split(p.name)[0] == prefix)] \
        if folder.exists() else []
    return max(serials, default=-1) + 1


def crawl_of(warc_file: str) -> str:
    """The crawl id in a file name this writer made: ``<crawl id>-NNNNN.warc.gz``, or
    ``<crawl id>@<worker>-NNNNN.warc.gz`` for a worker of a shared crawl."""
    return _SERIAL.split(warc_file)[0].split("@")[0]


def file_prefix(crawl_id: str, worker: str | None) -> str:
    """The start of a crawl's WARC file names; a worker of a shared crawl has its own series."""
    return f"{crawl_id}@{worker}" if worker else crawl_id


def warcinfo(crawl_id: str, start_url: str | None, user_agent: str | None, robots_obey: bool,
             seeds: list[str] | None = None) -> dict[str, str]:
    """The warcinfo record's fields. ``seeds``: the crawl's seed-list lines (start URL, further
    hosts), so that ``scrapy reextract`` rebuilds every blog of a collection, in its scope."""
    versions = ", ".join(f"{n} {_version(n)}" for n in ("scrapy", "warcio"))
    info = {"software": f"blog-archiver/{scraper.__version__} ({versions})",
            "format": "WARC File Format 1.1",
            "conformsTo": "https://iipc.github.io/warc-specifications/specifications/warc-format/warc-1.1/",
            "isPartOf": crawl_id,
            "robots": "obey" if robots_obey else "ignore"}
    if start_url:
        info["start-url"] = start_url
    if seeds:
        info["seeds"] = json.dumps(seeds)
    if user_agent:
        info["http-header-user-agent"] = user_agent
    return info


def _version(name: str) -> str:
    try:
        return metadata.version(name)
    except metadata.PackageNotFoundError:
        return "?"


# -- reading ----------------------------------------------------------------------------------
def warc_paths(sources: Iterable[str | Path]) -> list[Path]:
    """WARC files named directly or found in the given folders, in name order."""
    paths: list[Path] = []
    for source in sources:
        source = Path(source)
        if source.is_dir():
            paths.extend(sorted(p for g in WARC_GLOBS for p in source.rglob(g)))
            unfinished = sorted(source.rglob("*.open"))
            if unfinished:
                log.warning("Not read: %d unfinished WARC file(s) of a crawl that was killed (%s). Run "
                            "that crawl again with the same crawl id (and JOBDIR) to finish them; "
                            "its complete records are kept.", len(unfinished), ", ".join(map(str, unfinished)))
        else:
            paths.append(source)
    return paths


def iter_records(path: Path) -> Iterator[tuple[int, ArcWarcRecord, dict[str, str] | None]]:
    """Every complete record of ``path``: its offset, the record (headers only: the payload has
    been read to check the record is whole) and, for a ``warcinfo`` record, its fields.

    A record that cannot be read (bad compression, bad headers, cut short) is logged with the
    file and offset, and reading goes on at the next record start found after it."""
    with open(path, "rb") as f:
        size = f.seek(0, 2)
        f.seek(0)
        magic = _GZIP_MAGIC if f.read(3) == _GZIP_MAGIC else _WARC_MAGIC
        start: int | None = 0
        while start is not None:
            start = yield from _iter_from(path, f, start, size, magic)


class IncompleteRecord(Exception):
    pass


class DamagedRecord(Exception):
    pass


def _complete_records(f: BinaryIO, check_digests: bool = True):
    """(offset, end, record, warcinfo fields, digest problems) from the current position of
    ``f``; raises on the first record that is not whole or whose block digest fails."""
    records = ArchiveIterator(f, check_digests=check_digests)
    for record in records:
        info = warcinfo_fields(record) if record.rec_type == "warcinfo" else None
        if record.rec_type == "request" and record.http_headers is not None and is_post(record):
            record.post_body = record.content_stream().read()  # read here: the check consumes it
        # warcio reads the record to its end to tell its offset and length.
        records.read_to_end(record)
        if getattr(record.raw_stream, "limit", 0) > 0:
            raise IncompleteRecord(f"{record.raw_stream.limit} bytes of its Content-Length missing")
        checker = getattr(record, "digest_checker", None) if check_digests else None
        problems = list(checker.problems) if checker is not None else []
        # The block digest covers the record's bytes as written: a mismatch is damage. Tools
        # disagree on the payload digest of chunked responses (raw or de-chunked body), so a
        # payload mismatch alone is only reported.
        damage = [p for p in problems if p.startswith("block digest failed")]
        if damage:
            raise DamagedRecord(f"{damage[0]}: its bytes are not those written")
        offset = records.get_record_offset()  # absolute
        yield offset, offset + records.get_record_length(), record, info, problems


def _iter_from(path: Path, f: BinaryIO, start: int, size: int, magic: bytes):
    f.seek(start)
    offset = start
    try:
        for offset, end, record, info, problems in _complete_records(f):
            if problems:
                log.warning("WARC record in %s at offset %d: %s; the record is used (its block "
                            "digest holds)", path, offset, "; ".join(problems))
            yield offset, record, info
            offset = end
        if offset < size:  # bytes left that warcio did not take for a record: a cut-off one
            f.seek(offset)
            if f.read(size - offset).strip(b"\r\n\0"):
                raise IncompleteRecord("the file ends inside it")
        return None
    except Exception as exc:  # warcio and zlib raise many kinds: all mean this record is unusable
        log.error("Corrupt or truncated WARC record in %s at offset %d (%s: %.100r); skipped, "
                  "reading goes on with the next record", path, offset, type(exc).__name__, str(exc))
        return _next_start(f, offset + 1, magic)


def _next_start(f: BinaryIO, position: int, magic: bytes) -> int | None:
    f.seek(position)
    chunk_size, carry = 1 << 20, b""
    while True:
        chunk = f.read(chunk_size)
        if not chunk:
            return None
        data = carry + chunk
        found = data.find(magic)
        if found >= 0:
            return position - len(carry) + found
        carry = data[-(len(magic) - 1):]
        position += len(chunk)


def is_post(record: ArcWarcRecord) -> bool:
    return (record.http_headers.protocol or "").upper() == "POST"


def post_key(url: str, body: bytes | None) -> str:
    """How replay finds the answer to a POST: its URL and a digest of what was posted."""
    return f"{url}#post-sha1={hashlib.sha1(body or b'').hexdigest()}"


def warcinfo_fields(record: ArcWarcRecord) -> dict[str, str]:
    fields = {}
    for line in record.raw_stream.read().decode("utf-8", "replace").splitlines():
        key, sep, value = line.partition(":")
        if sep:
            fields[key.strip()] = value.strip()
    return fields


def read_record_at(path: Path, offset: int) -> tuple[ArcWarcRecord, bytes]:
    """The record at ``offset`` and its payload, de-chunked and decoded (Content-Encoding)."""
    with open(path, "rb") as f:
        f.seek(offset)
        plain = _plain_response(f)
        if plain is not None:
            return plain
        f.seek(offset)
        return read_record_by_warcio(f)


def read_record_by_warcio(f: BinaryIO) -> tuple[ArcWarcRecord, bytes]:
    """The record at the position of ``f``, read by warcio, and its decoded payload."""
    record = next(iter(ArchiveIterator(f, check_digests=False)))
    return record, record.content_stream().read()


# What _plain_response reads itself: a WARC version warcio knows, a response to an http(s) URL.
_PLAIN_VERSIONS = ("WARC/1.1", "WARC/1.0")
_READ_SIZE = 1 << 14  # a page's record is a few kB compressed


def _plain_response(f: BinaryIO) -> tuple[ArcWarcRecord, bytes] | None:
    """The response record at the position of ``f`` when it is of the plain kind a crawl writes:
    one gzip member, CRLF header lines that warcio reads alike (ASCII, ``name: value``, none
    continued), a body neither chunked nor encoded. Its headers and body are warcio's, read
    without warcio's line-by-line parsing (a rebuild reads every response once more after
    indexing it). None for any other record: warcio reads it."""
    if f.read(3) != _GZIP_MAGIC:
        return None
    f.seek(-3, os.SEEK_CUR)
    inflate, parts = zlib.decompressobj(31), []
    try:
        while not inflate.eof:
            chunk = f.read(_READ_SIZE)
            if not chunk:
                return None
            parts.append(inflate.decompress(chunk))
    except zlib.error:
        return None
    data = b"".join(parts)
    end = data.find(b"\r\n\r\n")
    warc_head = _plain_header_lines(data[:end]) if end > 0 else None
    if warc_head is None or warc_head[0] not in _PLAIN_VERSIONS:
        return None
    rec_headers = StatusAndHeaders("", warc_head[1], protocol=warc_head[0])
    uri = rec_headers.get_header("WARC-Target-URI") or ""
    try:
        length = int(rec_headers.get_header("Content-Length") or "")
    except ValueError:
        return None
    if (rec_headers.get_header("WARC-Type") != "response" or not uri.startswith(("http:", "https:"))
            or " " in uri or (uri.startswith("<") and uri.endswith(">")) or length <= 0):
        return None  # what warcio corrects, or reads otherwise
    block = data[end + 4:end + 4 + length]
    http_end = block.find(b"\r\n\r\n")
    http_head = _plain_header_lines(block[:http_end]) if len(block) == length and http_end > 0 else None
    if http_head is None:
        return None
    protocol, _, status = http_head[0].partition(" ")
    http_headers = StatusAndHeaders(status.strip(), http_head[1], protocol=protocol)
    if http_headers.get_header("Content-Encoding") is not None or http_headers.get_header("Transfer-Encoding") is not None:
        return None  # decoded by warcio
    body = block[http_end + 4:]
    record = ArcWarcRecord("warc", "response", rec_headers, BytesIO(body), http_headers,
                           rec_headers.get_header("Content-Type"), length, payload_length=len(body))
    return record, body


_PLAIN_TYPES = ("warcinfo", "request", "response")


def plain_records(path: Path) -> list[tuple[int, ArcWarcRecord]] | None:
    """Every record of ``path`` with its offset, headers only (a POST request with its
    ``post_body``), where the whole file is of the plain kind a crawl writes: gzip members
    tiling the file, one record each, whole, its headers of the kind ``_plain_response`` reads,
    its SHA-1 digests holding, no body chunked or encoded. None where anything is otherwise:
    ``iter_records`` then reads the file, and says what is wrong with it. (Indexing reads every
    record of every file; warcio's line-by-line parsing was most of that.)"""
    found: list[tuple[int, ArcWarcRecord]] = []
    with open(path, "rb") as f:
        pending, offset = b"", 0
        while True:
            if not pending:
                pending = f.read(_READ_SIZE * 4)
                if not pending:
                    return found
            if len(pending) < len(_GZIP_MAGIC):  # a read that ended inside the next member's first bytes
                pending += f.read(_READ_SIZE * 4)
            if not pending.startswith(_GZIP_MAGIC):
                return None
            inflate, parts, consumed = zlib.decompressobj(31), [], 0
            try:
                while True:
                    parts.append(inflate.decompress(pending))
                    if inflate.eof:
                        consumed += len(pending) - len(inflate.unused_data)
                        pending = inflate.unused_data
                        break
                    consumed += len(pending)
                    pending = f.read(_READ_SIZE * 4)
                    if not pending:
                        return None  # cut short
            except zlib.error:
                return None
            record = _plain_record(b"".join(parts))
            if record is None:
                return None
            found.append((offset, record))
            offset += consumed


def _plain_record(data: bytes) -> ArcWarcRecord | None:
    """One whole record of the plain kind, from its uncompressed bytes; None otherwise."""
    end = data.find(b"\r\n\r\n")
    warc_head = _plain_header_lines(data[:end]) if end > 0 else None
    if warc_head is None or warc_head[0] not in _PLAIN_VERSIONS:
        return None
    rec_headers = StatusAndHeaders("", warc_head[1], protocol=warc_head[0])
    rec_type = rec_headers.get_header("WARC-Type")
    uri = rec_headers.get_header("WARC-Target-URI") or ""
    try:
        length = int(rec_headers.get_header("Content-Length") or "")
    except ValueError:
        return None
    block = data[end + 4:end + 4 + length]
    if (rec_type not in _PLAIN_TYPES or " " in uri or (uri.startswith("<") and uri.endswith(">"))
            or length < 0 or len(block) != length or data[end + 4 + length:] != b"\r\n\r\n"):
        return None
    http_headers, payload = None, block
    if rec_type != "warcinfo" and length > 0 and uri.startswith(("http:", "https:")):
        http_end = block.find(b"\r\n\r\n")
        http_head = _plain_header_lines(block[:http_end]) if http_end > 0 else None
        if http_head is None:
            return None
        protocol, _, status = http_head[0].partition(" ")
        http_headers = StatusAndHeaders(status.strip(), http_head[1], protocol=protocol)
        if (http_headers.get_header("Content-Encoding") is not None
                or http_headers.get_header("Transfer-Encoding") is not None):
            return None
        payload = block[http_end + 4:]
    if not (_digest_holds(rec_headers.get_header("WARC-Block-Digest"), block)
            and _digest_holds(rec_headers.get_header("WARC-Payload-Digest"), payload)):
        return None  # iter_records says which failed, and what that means for the record
    record = ArcWarcRecord("warc", rec_type, rec_headers, None, http_headers,
                           rec_headers.get_header("Content-Type"), length)
    if rec_type == "request" and http_headers is not None and is_post(record):
        record.post_body = payload
    return record


def _digest_holds(digest: str | None, data: bytes) -> bool:
    """True for no digest, or a SHA-1 one (base32, as writers write it) of ``data``."""
    if digest is None:
        return True
    algorithm, _, value = digest.partition(":")
    return algorithm == "sha1" and value == base64.b32encode(hashlib.sha1(data).digest()).decode("ascii")


def _plain_header_lines(head: bytes) -> tuple[str, list[tuple[str, str]]] | None:
    """The first line and the ``(name, value)`` lines of a header block as warcio's parser
    reads them, where it reads every line alike: ASCII, CRLF line ends only, each line after
    the first a ``name: value`` pair that is not continued. None for any other block."""
    if not head.isascii():
        return None
    bare = head.replace(b"\r\n", b"")
    if b"\r" in bare or b"\n" in bare:  # a line end warcio splits elsewhere
        return None
    lines = head.decode("ascii").split("\r\n")
    first = lines[0].rstrip()
    if not first:
        return None
    headers = []
    for line in lines[1:]:
        line = line.rstrip()
        name, colon, value = line.partition(":")
        if not colon or line[:1] in (" ", "\t"):
            return None
        headers.append((name.rstrip(" \t"), value.lstrip()))
    return first, headers


def recover_open_files(folder: Path, prefix: str | None = None) -> list[Path]:
    """Finalise the ``.open`` files a killed crawl left: keep every complete record, cut the
    rest, and give the file its final name. With ``prefix``, only that series' files: another
    worker of a shared crawl may be writing its own."""
    recovered = []
    for path in sorted(folder.glob(f"*{WARC_SUFFIX}{OPEN_SUFFIX}")) if folder.exists() else []:
        if prefix is not None and _SERIAL.split(path.name)[0] != prefix:
            continue
        end = 0
        with open(path, "rb") as f:
            try:
                for _, end, _, _, _ in _complete_records(f, check_digests=False):
                    pass
            except Exception as exc:  # noqa: BLE001 - the tail the kill cut short
                log.warning("%s: incomplete record at offset %d cut (%.100r)", path, end, str(exc))
        with open(path, "r+b") as f:
            f.truncate(end)
        final = path.with_name(path.name[: -len(OPEN_SUFFIX)])
        if end == 0:
            path.unlink()
            continue
        durable_replace(path, final)
        log.warning("Recovered %s from a crawl that did not close (%d bytes kept)", final, end)
        recovered.append(final)
    return recovered
