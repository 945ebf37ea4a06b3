"""Which extractor serves a URL.

Site extractors live one per module in packages: ``scraper.extractors.sites`` always, plus any
named in the ``EXTRACTOR_PACKAGES`` setting (or passed to :func:`load_packages` by a script).
A class is registered when it subclasses ``GenericExtractor`` and declares ``domains`` and/or
``patterns``.

The rule, most specific first:

1. an extractor with a domain equal to the URL's host;
2. an extractor with a domain the host ends with (``slashdot.org`` serves
   ``linux.slashdot.org``), the longer domain first;
3. an extractor that declares only ``patterns``;
4. the generic extractor.

An extractor that declares ``patterns`` serves only URLs one of them matches (``re.search`` on
the whole URL); with ``domains`` as well, the URL must match both, and it beats an extractor of
the same domain without patterns. Remaining ties go to the extractor registered last, so an
extra package can replace a built-in site extractor by declaring the same domain.
"""
from __future__ import annotations

import importlib
import logging
import pkgutil
import re
from collections.abc import Iterable
from dataclasses import dataclass
from types import ModuleType
from urllib.parse import urlsplit

from .generic import GenericExtractor

log = logging.getLogger(__name__)

BUILTIN_PACKAGE = "scraper.extractors.sites"


@dataclass(frozen=True)
class Entry:
    """One registered extractor and where it came from."""
    cls: type[GenericExtractor]
    package: str
    order: int

    @property
    def name(self) -> str:
        return self.cls.name

    @property
    def version(self) -> str:
        return str(self.cls.version)

    @property
    def module(self) -> str:
        return self.cls.__module__

    @property
    def domains(self) -> tuple[str, ...]:
        return tuple(d.lower().strip(".") for d in getattr(self.cls, "domains", ()) or ())

    @property
    def patterns(self) -> tuple[str, ...]:
        return tuple(getattr(self.cls, "patterns", ()) or ())


_entries: list[Entry] = []
_packages: list[str] = []
_compiled: dict[str, re.Pattern] = {}


def _is_site_extractor(obj: object, module: ModuleType) -> bool:
    return (isinstance(obj, type) and issubclass(obj, GenericExtractor)
            and obj.__module__ == module.__name__
            and bool(getattr(obj, "domains", None) or getattr(obj, "patterns", None)))


def _modules(package: str) -> Iterable[ModuleType]:
    root = importlib.import_module(package)
    yield root
    for info in pkgutil.iter_modules(getattr(root, "__path__", [])):
        yield importlib.import_module(f"{root.__name__}.{info.name}")


def register(cls: type[GenericExtractor], package: str | None = None) -> type[GenericExtractor]:
    """Register one extractor class (also usable as a class decorator). Registering the same
    class again changes nothing."""
    if not (isinstance(cls, type) and issubclass(cls, GenericExtractor)):
        raise TypeError(f"{cls!r} is not a GenericExtractor subclass")
    if not (getattr(cls, "domains", None) or getattr(cls, "patterns", None)):
        raise ValueError(f"{cls.__name__} declares neither domains nor patterns")
    if any(e.cls is cls for e in _entries):
        return cls
    for pattern in getattr(cls, "patterns", ()) or ():
        _compiled.setdefault(pattern, re.compile(pattern))  # a bad regex fails here, not mid-crawl
    _entries.append(Entry(cls, package or cls.__module__, len(_entries)))
    return cls


def load_packages(packages: Iterable[str]) -> list[type[GenericExtractor]]:
    """Import each package (or module) once and register the site extractors it defines.
    An unimportable package raises: a crawl must not start with an extractor silently missing.
    The built-in extractors are registered first, so a package can replace one of them."""
    added = []
    if BUILTIN_PACKAGE not in _packages and list(packages) != [BUILTIN_PACKAGE]:
        load_packages([BUILTIN_PACKAGE])
    for package in packages:
        if package in _packages:
            continue
        for module in _modules(package):
            for obj in vars(module).values():
                if _is_site_extractor(obj, module) and not any(e.cls is obj for e in _entries):
                    added.append(register(obj, package))
        _packages.append(package)
        log.debug("Extractor package %s loaded", package)
    return added


def _ensure_builtin() -> None:
    if BUILTIN_PACKAGE not in _packages:
        load_packages([BUILTIN_PACKAGE])


def registered() -> list[Entry]:
    """Every registered site extractor, in registration order."""
    _ensure_builtin()
    return list(_entries)


def _rank(entry: Entry, host: str, url: str) -> tuple[int, int, int, int] | None:
    """Sort key of ``entry`` for this URL (higher is more specific), None when it does not serve it."""
    if entry.patterns and not any(_compiled[p].search(url) for p in entry.patterns):
        return None
    if entry.domains:
        matching = [d for d in entry.domains if host == d or host.endswith("." + d)]
        if not matching:
            return None
        best = max(matching, key=len)
        tier = 2 if best == host else 1
        return tier, best.count(".") + 1, bool(entry.patterns), entry.order
    return 0, 0, 1, entry.order


def extractor_for(url: str) -> type[GenericExtractor]:
    """The most specific registered extractor for ``url``; ``GenericExtractor`` when none serves it."""
    host = (urlsplit(url).hostname or "").lower().rstrip(".")
    ranked = [(key, e) for e in registered() if (key := _rank(e, host, url)) is not None]
    return max(ranked, key=lambda ke: ke[0])[1].cls if ranked else GenericExtractor


def extractor_named(name: str) -> type[GenericExtractor]:
    """The extractor called ``name`` (``"slashdot"`` or ``"slashdot/1"``); ``"generic"`` is the
    generic one. KeyError when nothing by that name is registered."""
    wanted = name.split("/", 1)[0]
    if wanted == GenericExtractor.name:
        return GenericExtractor
    for entry in reversed(registered()):
        if entry.name == wanted:
            return entry.cls
    raise KeyError(f"no extractor named {name!r}; registered: "
                   f"{', '.join(e.name for e in registered()) or 'none'}")
