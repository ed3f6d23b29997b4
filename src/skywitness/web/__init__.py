"""The web UI: static files (index.html, ES modules, CSS) served by the API, and the base map.

No build step: the browser loads the plain ES modules from ``static/`` as they are.
"""

from __future__ import annotations

from pathlib import Path

__all__ = ["static_dir"]

_STATIC = Path(__file__).resolve().parent / "static"


def static_dir() -> Path:
    """The folder holding index.html, the ES modules and the CSS (package data)."""
    return _STATIC
