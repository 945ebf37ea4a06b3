"""Pages served instead of the page asked for: a bot challenge ("Just a moment…") or a
firewall's block page. Their few sentences are no post: the page is not stored, and the crawl
lists its URL with the reason, so a re-crawl can fetch it again.

Each rule names the service and what its page always carries: its whole title, and an element
id or a name in its scripts that an ordinary page does not use. Pages that only load such a
service's script (an article with Cloudflare's ``/cdn-cgi/challenge-platform/`` bot-detection
script) are ordinary pages: the title decides first.
"""
from __future__ import annotations

import re
from typing import NamedTuple

from .page import Page


class Interstitial(NamedTuple):
    name: str
    title: re.Pattern[str]
    markers: tuple[str, ...]  # any one of them: "#id" an element's id, else a name in a script


# Evidence: tests/test_interstitial.py (each rule on its page; the corpora's articles that load
# the challenge script, and posts titled after these services, are the negatives). A title is
# the service's whole title; a marker is an element id or a name in the page's own scripts.
INTERSTITIALS = (
    Interstitial("Cloudflare challenge",
                 re.compile(r"^\s*(just a moment|attention required!? \| cloudflare|un instant|einen moment)"
                            r"\s*(\.\.\.|…)?\s*$", re.I),
                 ("#challenge-form", "#cf-error-details", "#challenge-running", "_cf_chl_opt")),
    Interstitial("Sucuri firewall", re.compile(r"^\s*sucuri website firewall - (access denied|cloudproxy)", re.I),
                 ("#sucuri_cloudproxy_js", "sucuri_cloudproxy_js")),
    Interstitial("DDoS-Guard check", re.compile(r"^\s*ddos-guard\s*$", re.I), ("#ddg-captcha", "ddg_captcha")),
)
MAX_TEXT_CHARS = 3000  # a challenge says a few sentences; a page that says more is a page
_SCRIPT_TYPES = ("", "text/javascript", "application/javascript", "module")


def interstitial(page: Page) -> str | None:
    """The service whose challenge or block page this is; None for an ordinary page."""
    # ``root.findtext(".//title")``, from the page's tag lookups: its first <title> below the root.
    first = next((el for el in page.tagged("title") if el is not page.root), None)
    title = (first.text if first is not None else None) or ""
    rules = [rule for rule in INTERSTITIALS if rule.title.search(title)]
    if not rules or page.jsonld_article is not None:  # a page that states it is an article is one
        return None
    body = page.root.find("body")
    if body is not None and len(" ".join(body.text_content().split())) > MAX_TEXT_CHARS:
        return None
    ids = {"#" + el.get("id") for el in page.root.iter() if isinstance(el.tag, str) and el.get("id")}
    scripts = " ".join(el.text or "" for el in page.root.iter("script")
                       if (el.get("type") or "").lower() in _SCRIPT_TYPES)
    for rule in rules:
        if any(marker in ids if marker.startswith("#") else marker in scripts for marker in rule.markers):
            return rule.name
    return None
