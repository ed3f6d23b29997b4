"""Reading configuration files with a size bound: a rules file, a GeoJSON area or a question
that names ``/dev/zero`` (or a multi-gigabyte file) must fail with a clear error, not grow the
process until the OOM killer ends it. Also the one place that turns a parser's RecursionError
(JSON/TOML nested thousands deep) into an ordinary ``ValueError``.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

#: Largest rules, question or scenario TOML file read, bytes.
MAX_CONFIG_BYTES = 4 << 20
#: Largest GeoJSON area file read, bytes (a detailed country outline is a few MB).
MAX_GEOJSON_BYTES = 64 << 20
NESTED_TOO_DEEP = "nested too deep"


def read_text(path: Path, limit: int) -> str:
    """The UTF-8 text of ``path``, at most ``limit`` bytes; OSError/UnicodeDecodeError as
    ``open`` gives them, ValueError when the file is larger."""
    with path.open("rb") as fh:
        data = fh.read(limit + 1)
    if len(data) > limit:
        raise ValueError(f"larger than {limit} bytes")
    return data.decode("utf-8")


def parse(loads: Callable[[str], Any], text: str) -> Any:
    """``loads(text)`` with a RecursionError (deep nesting) raised as ValueError."""
    try:
        return loads(text)
    except RecursionError as exc:
        raise ValueError(NESTED_TOO_DEEP) from exc
