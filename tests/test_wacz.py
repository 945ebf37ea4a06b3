"""``scrapy pack`` and ``-s WACZ=True``: a crawl of the sample blog as one WACZ file that py-wacz
validates and pywb replays, its articles' text found in the archived pages."""
from __future__ import annotations

import hashlib
import io
import json
import os
import re
import shutil
import subprocess
import sys
import time
import urllib.error
import urllib.request
import zipfile
from argparse import Namespace
from pathlib import Path

import pyarrow.parquet as pq
import pytest
from lxml import html as lxml_html

from scraper.replay import SAMPLE_BLOG, ReplaySite

from crawl_helpers import ROOT, crawl_env, read_table, run_crawl
from isso_server import free_port

CRAWL = "sample-wacz"
PYWB_VENV = Path(os.environ.get("PYWB_VENV", ROOT / ".venv-pywb"))


def scrapy(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "scrapy.cmdline", *map(str, args)], cwd=ROOT,
                          env=crawl_env(None), capture_output=True, text=True, timeout=120)


def crawl_sample(out: Path, crawl: str, *extra: str) -> Path:
    with ReplaySite(SAMPLE_BLOG) as site:
        proc = run_crawl(f"{site.base}/", out, crawl, site.proxy_url, *extra)
    assert proc.returncode == 0, proc.stderr[-3000:]
    return out / crawl


def sha256(data: bytes) -> str:
    return "sha256:" + hashlib.sha256(data).hexdigest()


@pytest.fixture(scope="module")
def packed(tmp_path_factory) -> tuple[Path, Path]:
    """The sample blog crawled, and packed by ``scrapy pack -o``: (crawl folder, WACZ file)."""
    out = tmp_path_factory.mktemp("wacz")
    folder = crawl_sample(out / "datasets", CRAWL)
    wacz = out / "packed" / "sample.wacz"
    proc = scrapy("pack", folder, "-o", wacz)
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert proc.stdout.startswith(f"{wacz}: 1 WARC file(s), 6 page(s)"), proc.stdout
    assert not list(wacz.parent.glob(".*")), "no temporary file is left"
    return folder, wacz


def test_pack_lists_every_file_with_its_hash_and_size(packed):
    folder, wacz = packed
    with zipfile.ZipFile(wacz) as zf:
        infos = {i.filename: i for i in zf.infolist()}
        package = json.loads(zf.read("datapackage.json"))
        digest = json.loads(zf.read("datapackage-digest.json"))
        assert digest == {"path": "datapackage.json", "hash": sha256(zf.read("datapackage.json"))}
        assert (package["profile"], package["wacz_version"]) == ("data-package", "1.2.0")
        listed = {r["path"]: r for r in package["resources"]}
        assert sorted(listed) == sorted(set(infos) - {"datapackage.json", "datapackage-digest.json"})
        for path, resource in listed.items():
            data = zf.read(path)
            assert (resource["hash"], resource["bytes"]) == (sha256(data), len(data)), path
        assert len({r["name"] for r in package["resources"]}) == len(listed)
        # The crawl's own files, byte for byte; WARC and Parquet files stored, not compressed again.
        (warc,) = sorted((folder / "warc").iterdir())
        expected = {f"archive/{warc.name}": warc, "data/crawl.json": folder / "crawl.json",
                    "data/README.md": folder / "README.md"}  # the dataset card
        for table in ("articles", "comments", "pages"):
            expected.update({f"data/{table}-{p.name}": p for p in (folder / table).glob("part-*.parquet")})
        for path, source in expected.items():
            assert zf.read(path) == source.read_bytes(), path
            if path.endswith((".warc.gz", ".parquet")):
                assert infos[path].compress_type == zipfile.ZIP_STORED
                assert listed[path].get("type", "file") == "file"
        assert set(expected) | {"indexes/index.cdx", "pages/pages.jsonl"} == set(listed)
        assert package["mainPageURL"] == "http://sample-blog.test/"
        index = zf.read("indexes/index.cdx").decode().splitlines()
        pages = [json.loads(line) for line in zf.read("pages/pages.jsonl").decode().splitlines()]
        articles = pq.read_table(io.BytesIO(zf.read("data/articles-part-00000.parquet"))).to_pylist()
    # The index: sorted CDXJ, one line per response, each naming its WARC file.
    assert index == sorted(index) and len(index) == len(read_table(folder.parent, CRAWL, "pages"))
    assert {json.loads(line.split(" ", 2)[2])["filename"] for line in index} == {warc.name}
    # pages.jsonl: its header, then every article with its capture time, title and body text.
    assert pages[0] == {"format": "json-pages-1.0", "id": "pages", "title": "All Pages"}
    rows = {a["url"]: a for a in articles}
    assert len(rows) == len(pages) - 1 == 6
    for page in pages[1:]:
        row = rows[page["url"]]
        assert (page["id"], page["title"], page["text"]) == (row["article_id"], row["title"], row["body_text"])
        assert page["text"] and page["ts"].endswith("Z")
        assert page["ts"].replace("Z", "+00:00") == row["fetched_at"].isoformat()


def test_py_wacz_validates_the_file(packed, tmp_path):
    wacz_main = pytest.importorskip("wacz.main", reason="py-wacz is not installed (the test extra)")
    from wacz.util import WACZ_VERSION
    _, wacz = packed
    # py-wacz 0.6 validates only the WACZ version it knows (1.1.1; any other version is
    # "invalid" before any check runs). So the copy it validates differs in that field alone,
    # and in the digest of datapackage.json that follows from it; every other byte is ours.
    # Its checks then run on our files: the required contents, frictionless on
    # datapackage.json (every resource's hash and size), every file listed, every hash.
    copy = tmp_path / "as-1.1.1.wacz"
    with zipfile.ZipFile(wacz) as zin, zipfile.ZipFile(copy, "w") as zout:
        for info in zin.infolist():
            data = zin.read(info)
            if info.filename == "datapackage.json":
                package = json.loads(data)
                assert package["wacz_version"] == "1.2.0"
                package["wacz_version"] = WACZ_VERSION
                data = json.dumps(package, indent=2).encode()
                digest = sha256(data)
            elif info.filename == "datapackage-digest.json":
                data = json.dumps({**json.loads(data), "hash": digest}).encode()
            zout.writestr(info, data)
    assert wacz_main.validate_wacz(Namespace(file=str(copy), verify_auth=False, verifier_url=None)) == 0
    # And it notices a file whose bytes are not those listed.
    broken = tmp_path / "broken.wacz"
    with zipfile.ZipFile(copy) as zin, zipfile.ZipFile(broken, "w") as zout:
        for info in zin.infolist():
            data = zin.read(info)
            zout.writestr(info, data + b"\n" if info.filename == "pages/pages.jsonl" else data)
    assert wacz_main.validate_wacz(Namespace(file=str(broken), verify_auth=False, verifier_url=None)) == 1


# -- replay with pywb -----------------------------------------------------------------------------
def _pywb_env() -> dict[str, str]:
    return {k: v for k, v in os.environ.items()
            if k.lower() not in ("http_proxy", "https_proxy", "no_proxy", "pythonpath")}


@pytest.fixture(scope="session")
def pywb() -> Path:
    """pywb's bin folder. pywb pins redis<3, which this project cannot share (redis>=5), so it
    lives in a virtualenv of its own, ``PYWB_VENV`` or ``.venv-pywb``, which ``.ci/run`` makes
    (tests never reach PyPI themselves)."""
    bin_dir = PYWB_VENV / "bin"
    if not (bin_dir / "wayback").exists():
        pytest.skip(f"pywb is not installed in {PYWB_VENV}: python3 -m venv {PYWB_VENV} && "
                    f"{bin_dir / 'pip'} install pywb (.ci/run does this)")
    return bin_dir


def _get(url: str) -> tuple[int, bytes]:
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
    try:
        with opener.open(url, timeout=10) as response:
            return response.status, response.read()
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read()


def _words(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()


def test_pywb_replays_the_articles_from_the_wacz(packed, pywb, tmp_path):
    _, wacz = packed
    env = _pywb_env()
    for args in (["init", "coll"], ["add", "--unpack-wacz", "coll", str(wacz)]):
        proc = subprocess.run([str(pywb / "wb-manager"), *args], cwd=tmp_path, env=env,
                              capture_output=True, text=True, timeout=120)
        assert proc.returncode == 0, proc.stderr[-2000:]
    index = (tmp_path / "collections" / "coll" / "indexes" / "index.cdxj").read_text()
    assert "sample-blog.test" in index, "wb-manager took the WACZ's index"
    port = free_port()
    server = subprocess.Popen([str(pywb / "wayback"), "-p", str(port), "-b", "127.0.0.1"], cwd=tmp_path,
                              env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        base = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 60
        while True:
            try:
                if _get(f"{base}/coll/")[0] < 500:
                    break
            except OSError:
                pass
            assert server.poll() is None and time.monotonic() < deadline, "wayback did not start"
            time.sleep(0.3)
        with zipfile.ZipFile(wacz) as zf:
            pages = [json.loads(line) for line in zf.read("pages/pages.jsonl").decode().splitlines()[1:]]
        assert len(pages) == 6
        for page in pages:
            # The page's own capture, unrewritten (id_), at the time pages.jsonl gives.
            stamp = re.sub(r"\D", "", page["ts"])[:14]
            status, body = _get(f"{base}/coll/{stamp}id_/{page['url']}")
            assert status == 200, (page["url"], body[:300])
            shown = _words(lxml_html.fromstring(body).text_content())
            first = _words(page["text"].split("\n\n")[0])[:80]
            assert first and first in shown, (page["url"], first)
            assert _words(page["title"]) in shown
    finally:
        server.terminate()
        try:
            server.wait(timeout=20)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()


# -- at the end of a crawl, and what cannot be packed --------------------------------------------
def test_wacz_setting_packs_the_crawl_when_it_ends(tmp_path):
    folder = crawl_sample(tmp_path, "at-close", "-s", "WACZ=True")
    wacz = folder / "at-close.wacz"
    assert wacz.is_file() and not list(folder.glob(".*.tmp"))
    with zipfile.ZipFile(wacz) as zf:
        names = set(zf.namelist())
        # Packed after the WARC file was finalised and crawl.json written: both whole, as on disk.
        (warc,) = (folder / "warc").iterdir()
        assert warc.name.endswith(".warc.gz")
        assert zf.read(f"archive/{warc.name}") == warc.read_bytes()
        assert zf.read("data/crawl.json") == (folder / "crawl.json").read_bytes()
        assert json.loads(zf.read("data/crawl.json"))["outcome"] == "finished"
        pages = zf.read("pages/pages.jsonl").decode().splitlines()
    assert {"indexes/index.cdx", "datapackage.json", "datapackage-digest.json"} <= names
    assert len(pages) == 1 + len(read_table(tmp_path, "at-close", "articles"))
    # Without the setting, nothing is packed.
    plain = crawl_sample(tmp_path, "plain")
    assert not list(plain.glob("*.wacz"))


def _one_line_error(proc: subprocess.CompletedProcess, *phrases: str) -> None:
    assert proc.returncode == 1, (proc.returncode, proc.stderr[-2000:])
    assert proc.stdout == ""
    assert len(proc.stderr.strip().splitlines()) == 1, proc.stderr[-2000:]
    for phrase in phrases:
        assert phrase in proc.stderr


def test_pack_refuses_what_it_cannot_pack_in_one_line(tmp_path):
    _one_line_error(scrapy("pack", tmp_path / "missing"), "missing", "no such directory")
    empty = tmp_path / "empty"
    (empty / "articles").mkdir(parents=True)
    _one_line_error(scrapy("pack", empty), "holds no WARC files")
    running = tmp_path / "running"
    (running / "warc").mkdir(parents=True)
    (running / "warc" / "running-00000.warc.gz.open").write_bytes(b"")
    _one_line_error(scrapy("pack", running), "running-00000.warc.gz.open", "unfinished")
    assert not list(tmp_path.rglob("*.wacz")) and not list(tmp_path.rglob(".*tmp"))
