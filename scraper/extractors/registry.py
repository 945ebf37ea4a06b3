"""Which extractor serves a URL: a site extractor from ``sites/`` where one claims the URL's
host, the generic extractor otherwise."""
from __future__ import annotations

import importlib
import pkgutil
from functools import lru_cache
from urllib.parse import urlsplit

from .generic import GenericExtractor


@lru_cache(maxsize=1)
def site_extractors() -> tuple[type[GenericExtractor], ...]:
    """Every class in ``scraper.extractors.sites`` that declares ``domains``."""
    from . import sites

    found = []
    for info in pkgutil.iter_modules(sites.__path__):
        module = importlib.import_module(f"{sites.__name__}.{info.name}")
        for obj in vars(module).values():
            if (isinstance(obj, type) and issubclass(obj, GenericExtractor)
                    and getattr(obj, "domains", None) and obj.__module__ == module.__name__):
                found.append(obj)
    return tuple(found)


def extractor_for(url: str) -> type[GenericExtractor]:
    host = (urlsplit(url).hostname or "").lower()
    best, best_len = GenericExtractor, -1
    for cls_ in site_extractors():
        for domain in cls_.domains:
            if (host == domain or host.endswith("." + domain)) and len(domain) > best_len:
                best, best_len = cls_, len(domain)
    return best
