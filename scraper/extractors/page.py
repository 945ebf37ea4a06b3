"""A parsed page: the lxml tree plus the lookups every extractor part shares (meta tags, JSON-LD,
body classes). Built once per page; extractors never parse again."""
from __future__ import annotations

import json
from functools import cached_property

from lxml import etree, html
from w3lib.encoding import html_to_unicode

from ..text import collapse

MAX_HTML_BYTES = 20_000_000  # bound the work per page: parsing past this gains nothing


def cls(name: str) -> str:
    """XPath predicate: the element has CSS class ``name``.

    The cheap substring test runs first, so the costly token test (which builds a string per
    element) only runs on the few elements that can match.
    """
    return (f"(contains(@class, '{name}') and "
            f"contains(concat(' ', normalize-space(@class), ' '), ' {name} '))")


def parse_html(document: str | bytes, content_type: str | None = None) -> html.HtmlElement:
    """Decode (by header, BOM, <meta charset> or sniffing) and parse leniently into lxml."""
    if isinstance(document, bytes):
        _, document = html_to_unicode(content_type, document[:MAX_HTML_BYTES])
    data = document[:MAX_HTML_BYTES].encode("utf-8", "replace")
    parser = html.HTMLParser(recover=True, encoding="utf-8", huge_tree=True)
    try:
        root = html.document_fromstring(data, parser=parser)
    except (etree.ParserError, ValueError):
        root = None
    return root if root is not None else html.document_fromstring("<html><body></body></html>")


def _flatten_jsonld(node: object, out: list[dict]) -> None:
    if isinstance(node, list):
        for item in node:
            _flatten_jsonld(item, out)
    elif isinstance(node, dict):
        out.append(node)
        for key in ("@graph", "mainEntity", "mainEntityOfPage"):
            if isinstance(node.get(key), (list, dict)):
                _flatten_jsonld(node[key], out)


def jsonld_types(obj: dict) -> set[str]:
    t = obj.get("@type")
    return {str(x) for x in t} if isinstance(t, list) else {str(t)} if t else set()


ARTICLE_TYPES = {"Article", "BlogPosting", "NewsArticle", "Report", "TechArticle",
                 "ScholarlyArticle", "OpinionNewsArticle", "AnalysisNewsArticle", "LiveBlogPosting"}


class Page:
    def __init__(self, root: html.HtmlElement, url: str):
        self.root = root
        self.url = url

    def xpath(self, query: str, node: etree._Element | None = None) -> list:
        return (self.root if node is None else node).xpath(query)

    def first(self, query: str, node: etree._Element | None = None):
        found = self.xpath(query, node)
        return found[0] if found else None

    @cached_property
    def _class_index(self) -> tuple[dict[str, list], dict[int, int]]:
        """Class name → elements, and document order: built in one walk, so class lookups do
        not each scan the whole page."""
        index: dict[str, list] = {}
        order: dict[int, int] = {}
        for position, el in enumerate(self.root.xpath("//*[@class]")):
            order[id(el)] = position
            for name in el.get("class").split():
                index.setdefault(name, []).append(el)
        return index, order

    def with_class(self, *names: str) -> list:
        """Elements carrying any of the class ``names``, in document order."""
        index, order = self._class_index
        found = {id(el): el for name in names for el in index.get(name, ())}
        return sorted(found.values(), key=lambda el: order[id(el)])

    @cached_property
    def meta(self) -> dict[str, str]:
        """<meta name|property|itemprop=...> content, first occurrence wins, keys lower-cased."""
        out: dict[str, str] = {}
        for m in self.root.iter("meta"):
            key = m.get("property") or m.get("name") or m.get("itemprop")
            if key and m.get("content") is not None:
                out.setdefault(key.lower(), m.get("content"))
        return out

    @cached_property
    def jsonld(self) -> list[dict]:
        out: list[dict] = []
        for script in self.root.xpath('//script[@type="application/ld+json"]'):
            try:
                _flatten_jsonld(json.loads(script.text or "", strict=False), out)
            except ValueError:
                continue  # broken JSON-LD is common; the markup still has the rest
        return out

    @cached_property
    def jsonld_by_id(self) -> dict[str, dict]:
        """JSON-LD nodes by ``@id``, to follow references such as ``"author": {"@id": ...}``."""
        return {str(o["@id"]): o for o in self.jsonld if o.get("@id") and len(o) > 1}

    @cached_property
    def site_name(self) -> str | None:
        return collapse(self.meta.get("og:site_name")) or None

    @cached_property
    def jsonld_article(self) -> dict | None:
        for obj in self.jsonld:
            if jsonld_types(obj) & ARTICLE_TYPES:
                return obj
        return None

    @cached_property
    def body_classes(self) -> set[str]:
        body = self.first("//body")
        return set((body.get("class") or "").split()) if body is not None else set()

    @cached_property
    def language(self) -> str | None:
        lang = self.root.get("lang") or self.meta.get("og:locale") or self.meta.get("language")
        return collapse(lang).replace("_", "-") or None

    def link(self, rel: str, type_: str | None = None) -> str | None:
        query = f'//link[@rel="{rel}"' + (f' and @type="{type_}"' if type_ else "") + "]/@href"
        href = self.first(query)
        return str(href).strip() if href else None
