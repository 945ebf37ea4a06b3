"""Pages served instead of the page asked for: a bot challenge ("Just a moment…") or a
firewall's block page. Their few sentences are no post: the page is not stored, and the crawl
lists its URL with the reason, so a re-crawl can fetch it again.

Each rule names the service and what its page always carries: a title, and a marker in its
markup that an ordinary page never prints. Pages that only load such a service's script (an
article with Cloudflare's ``/cdn-cgi/challenge-platform/`` bot-detection script) are ordinary
pages: the title decides first.
"""
from __future__ import annotations

import re
from typing import NamedTuple

from lxml import etree

from .page import Page


class Interstitial(NamedTuple):
    name: str
    title: re.Pattern[str]
    markers: tuple[str, ...]  # any one of them, in the page's scripts, forms or element ids


# Evidence: tests/test_interstitial.py (each rule on its page; the corpora's articles that load
# the challenge script are the negatives).
INTERSTITIALS = (
    Interstitial("Cloudflare challenge", re.compile(r"^\s*(just a moment|attention required|un instant|einen moment)",
                                                    re.I),
                 ("_cf_chl_opt", "challenge-form", "cf-browser-verification", "cf-challenge", "cf-error-details")),
    Interstitial("Sucuri firewall", re.compile(r"sucuri website firewall", re.I),
                 ("sucuri_cloudproxy", "sucuri-firewall", "cloudproxy")),
    Interstitial("DDoS-Guard check", re.compile(r"^\s*ddos-guard", re.I), ("ddos-guard", "ddg-captcha")),
)
MAX_TEXT_CHARS = 3000  # a challenge says a few sentences; a page that says more is a page

_MARKUP_WITH_MARKERS = etree.XPath("//script | //form | //*[@id]")


def interstitial(page: Page) -> str | None:
    """The service whose challenge or block page this is; None for an ordinary page."""
    title = page.root.findtext(".//title") or ""
    rules = [rule for rule in INTERSTITIALS if rule.title.search(title)]
    if not rules:
        return None
    body = page.root.find("body")
    if body is not None and len(" ".join(body.text_content().split())) > MAX_TEXT_CHARS:
        return None
    markup = " ".join((el.text or "") + " " + " ".join(el.attrib.values()) for el in _MARKUP_WITH_MARKERS(page.root))
    return next((rule.name for rule in rules if any(marker in markup for marker in rule.markers)), None)
