"""Lazy package exports: a package's ``__getattr__`` imports the module that defines a name on
first use, so importing the package (``skywitness.store``, ``.track``, ``.flights``) costs
nothing a command does not use (start-up, issue 18)."""

from __future__ import annotations

import importlib
from collections.abc import Mapping
from typing import Any


def lazy_attr(package: str, where: Mapping[str, str], namespace: dict[str, Any], name: str) -> Any:
    """``name`` of ``package``, imported from its module ``where[name]`` (relative to the
    package) and kept in ``namespace`` (the package's globals) so the next use is direct."""
    module = where.get(name)
    if module is None:
        raise AttributeError(f"module {package!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(f".{module}", package), name)
    namespace[name] = value
    return value
