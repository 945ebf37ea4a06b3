"""Which comment system a page uses: every registered system is asked, the highest
``priority`` among those that recognise the page wins.

Systems live one per module in ``scraper.commentsystems`` and in any package named in the
``COMMENT_SYSTEM_PACKAGES`` setting (``load_packages``); a class is registered when it
subclasses ``CommentSystem`` and declares a ``name``. A package loaded later replaces a
built-in system of the same name.
"""
from __future__ import annotations

import importlib
import logging
import pkgutil
from collections.abc import Iterable

from ..extractors.page import Page
from .base import CommentSystem, Embed

log = logging.getLogger(__name__)

BUILTIN_PACKAGE = "scraper.commentsystems"
_SKIP_MODULES = {"base", "registry"}
_systems: dict[str, CommentSystem] = {}
_loaded: set[str] = set()


def load_packages(packages: Iterable[str] = ()) -> None:
    for name in [BUILTIN_PACKAGE, *packages]:
        if name in _loaded:
            continue
        _loaded.add(name)
        package = importlib.import_module(name)
        for info in pkgutil.iter_modules(package.__path__):
            if info.name not in _SKIP_MODULES and not info.name.startswith("_"):
                _register_module(importlib.import_module(f"{name}.{info.name}"))


def _register_module(module) -> None:
    for value in vars(module).values():
        if (isinstance(value, type) and issubclass(value, CommentSystem) and value is not CommentSystem
                and value.__module__ == module.__name__ and value.name):
            _systems[value.name] = value()


def systems() -> dict[str, CommentSystem]:
    """Every registered system by name."""
    load_packages()
    return dict(_systems)


def system_named(name: str) -> CommentSystem:
    load_packages()
    return _systems[name]


def detect(page: Page) -> Embed | None:
    """The comment system of the page, or None. A detector that raises is logged and skipped:
    one broken system must not cost the page."""
    found: list[tuple[int, Embed]] = []
    for system in systems().values():
        try:
            embed = system.detect(page)
        except Exception:
            log.exception("Comment system %s failed to read %s", system.name, page.url)
            continue
        if embed is not None:
            found.append((system.priority, embed))
    return max(found, key=lambda pe: pe[0])[1] if found else None
