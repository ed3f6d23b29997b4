"""Which inputs are readsb globe-history day archives, by name and kind alone: split parts
(``day.tar.aa``), a ``.tar`` (optionally compressed) or a folder of traces. Kept apart from
``sources.globe`` (ISA-L, orjson, the tar reader) so that an ingest of other sources asks
without loading the archive readers."""

from __future__ import annotations

import re
from pathlib import Path

PART = re.compile(r"^(?P<base>.+\.tar)\.(?P<suffix>[a-z]{2})$")
TAR = re.compile(r"\.tar(\.gz|\.xz|\.bz2)?$")


def is_globe_input(spec: str) -> bool:
    """A split part, a ``.tar`` or a folder holding trace files."""
    p = Path(spec)
    if p.is_dir():
        return (p / "traces").is_dir() or any(p.glob("[0-9][0-9][0-9][0-9]"))
    return bool(PART.match(p.name) or TAR.search(p.name)) and p.is_file()
