"""The replay server: a captured site served on 127.0.0.1, as a proxy and as a plain server."""
from __future__ import annotations

import json
import re
import subprocess
import sys
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from scraper.replay import SAMPLE_BLOG, ReplaySite

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared"
CAPTURED = SHARED / "corpus" / "wordpress" / "site" / "twentytwentyone"
WP = "http://blog.example.test:8081"


def _get(url: str, proxy: str | None = None, method: str = "GET",
         headers: dict | None = None) -> tuple[int, dict, bytes]:
    # An explicit ProxyHandler, so an http_proxy in the environment never takes part.
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({"http": proxy} if proxy else {}))
    request = urllib.request.Request(url, method=method, headers=headers or {})
    try:
        with opener.open(request, timeout=10) as r:
            return r.status, dict(r.headers), r.read()
    except urllib.error.HTTPError as e:
        return e.code, dict(e.headers), e.read()


@pytest.fixture
def captured():
    if not (CAPTURED / "manifest.json").exists():
        pytest.skip(f"shared WordPress corpus not found at {CAPTURED}")
    with ReplaySite(CAPTURED) as site:
        yield site


@pytest.fixture
def sample():
    with ReplaySite(SAMPLE_BLOG) as site:
        yield site


def test_proxy_mode_serves_captured_urls_unchanged(captured):
    manifest = json.loads((CAPTURED / "manifest.json").read_text())
    assert captured.base == manifest["base"] == WP
    assert captured.url.startswith("http://127.0.0.1:") and captured.proxy_url == captured.url
    for entry in manifest["entries"][:12]:
        status, headers, body = _get(entry["url"], captured.proxy_url)
        assert (status, headers["Content-Type"]) == (entry["status"], entry["content_type"])
        assert body == (CAPTURED / entry["file"]).read_bytes()  # no rewriting through the proxy
        assert int(headers["Content-Length"]) == len(body)


def test_rest_collections_carry_wordpress_paging_headers(captured):
    status, headers, body = _get(f"{WP}/wp-json/wp/v2/comments?post=8&per_page=100", captured.proxy_url)
    assert status == 200
    assert headers["X-WP-Total"] == str(len(json.loads(body))) and headers["X-WP-TotalPages"] == "1"
    _, headers, _ = _get(f"{WP}/wp-json/wp/v2/posts/8", captured.proxy_url)
    assert "X-WP-Total" not in headers  # one object, not a collection
    status, headers, _ = _get(f"{WP}/wp-json/wp/v2/comments?post=8&per_page=100&type=pingback",
                              captured.proxy_url)
    assert status == 401 and "X-WP-Total" not in headers


def test_query_matches_in_any_order(captured):
    _, _, captured_order = _get(f"{WP}/wp-json/wp/v2/comments?post=8&per_page=100", captured.proxy_url)
    status, _, swapped = _get(f"{WP}/wp-json/wp/v2/comments?per_page=100&post=8", captured.proxy_url)
    assert status == 200 and swapped == captured_order
    status, _, _ = _get(f"{WP}/wp-json/wp/v2/comments?per_page=100&post=999", captured.proxy_url)
    assert status == 404


def test_plain_mode_serves_the_sample_blog_at_its_own_address(sample):
    status, headers, body = _get(sample.url + "/")
    assert status == 200 and headers["Content-Type"].startswith("text/html")
    assert b'href="/2024/06/why-i-stopped-buying-restored-sets/"' in body
    # The Host header names some other site: the path alone decides.
    status, _, again = _get(sample.url + "/", headers={"Host": "elsewhere.example"})
    assert status == 200 and again == body
    # Absolute links to the placeholder base point back at the server.
    _, _, robots = _get(sample.url + "/robots.txt")
    assert f"Sitemap: {sample.url}/wp-sitemap.xml".encode() in robots
    _, _, users = _get(sample.url + "/wp-json/wp/v2/users")
    assert {u["link"] for u in json.loads(users)} == {f"{sample.url}/author/margo/", f"{sample.url}/author/tomas/"}
    assert b"sample-blog.test" not in _get(sample.url + "/wp-sitemap-posts-post-1.xml")[2]


def test_placeholder_base_works_through_the_proxy_too(sample):
    status, headers, body = _get("http://sample-blog.test/wp-json/wp/v2/comments?per_page=100&post=14",
                                 sample.proxy_url)
    assert status == 200 and headers["X-WP-Total"] == str(len(json.loads(body))) == "14"
    assert b"http://sample-blog.test/2024/04/" in body  # a proxied client sees the captured URLs


def test_unknown_url_is_a_404_page(sample):
    status, headers, body = _get(sample.url + "/no/such/page/")
    assert status == 404 and headers["Content-Type"].startswith("text/html") and b"Not Found" in body
    status, _, _ = _get(sample.url + "/2024/03/recapping-a-1950s-mains-set/?replytocom=21")
    assert status == 404


def test_head_has_headers_and_no_body(sample):
    status, headers, body = _get(sample.url + "/feed/", method="HEAD")
    assert status == 200 and body == b"" and int(headers["Content-Length"]) > 0


def test_override_injects_faults_and_new_content(sample):
    post = "http://sample-blog.test/2024/05/a-drawer-of-valves/"
    sample.override(post, status=500, body=b"<html><body>Internal error</body></html>")
    sample.override("/wp-json/wp/v2/comments?per_page=100&post=11", body=b'[{"id": 21, "parent"',
                    content_type="application/json")
    sample.override("/tag/valves/", body=b"\x00\x01\x02" * 100, content_type="text/html")
    sample.override("/new/", body=b"<p>new</p>", headers={"Retry-After": "5"})
    assert _get(sample.url + "/2024/05/a-drawer-of-valves/")[0] == 500
    status, _, body = _get(sample.url + "/wp-json/wp/v2/comments?post=11&per_page=100")
    assert status == 200 and body == b'[{"id": 21, "parent"'
    assert _get(sample.url + "/tag/valves/")[2] == b"\x00\x01\x02" * 100
    status, headers, body = _get(sample.url + "/new/")
    assert (status, headers["Retry-After"], body) == (200, "5", b"<p>new</p>")
    # Through the proxy too, whatever the host.
    assert _get(post, sample.proxy_url)[0] == 500


def test_requests_are_logged_in_order_as_absolute_urls(sample):
    for path in ("/", "/feed/", "/", "/missing/"):
        _get(sample.url + path)
    _get("http://sample-blog.test/robots.txt", sample.proxy_url)
    assert sample.requests == [sample.url + "/", sample.url + "/feed/", sample.url + "/",
                               sample.url + "/missing/", "http://sample-blog.test/robots.txt"]


def test_start_and_stop():
    site = ReplaySite(SAMPLE_BLOG)
    with pytest.raises(RuntimeError):
        site.url
    site.start()
    url = site.url
    assert _get(url + "/")[0] == 200
    site.stop()
    with pytest.raises(OSError):
        urllib.request.build_opener(urllib.request.ProxyHandler({})).open(url + "/", timeout=2)


def test_command_line_serves_until_stopped():
    proc = subprocess.Popen([sys.executable, "-m", "scraper.replay", str(SAMPLE_BLOG), "--port", "0"],
                            cwd=ROOT, stdout=subprocess.PIPE, text=True)
    try:
        line = proc.stdout.readline()
        url = re.search(r"at (http://127\.0\.0\.1:\d+)/", line).group(1)
        assert _get(url + "/robots.txt")[0] == 200
    finally:
        proc.terminate()
        proc.wait(timeout=10)


def test_command_line_names_a_port_in_use_in_one_line():
    with ReplaySite(SAMPLE_BLOG) as taken:
        port = taken.url.rsplit(":", 1)[1]
        proc = subprocess.run([sys.executable, "-m", "scraper.replay", str(SAMPLE_BLOG), "--port", port],
                              cwd=ROOT, capture_output=True, text=True, timeout=30)
    assert proc.returncode != 0
    assert proc.stderr == (f"python -m scraper.replay: port {port} on 127.0.0.1 is already in use: "
                           "choose another with --port N, or --port 0 for any free port\n")
