"""Compact JSON text for the live paths (stream messages, snapshot bodies) through orjson.

These are built beside the tracker, in the same interpreter, at up to tens of thousands of
objects a second; orjson encodes them 10-14x faster than the standard library (bench/RESULTS.md
"## serve"). Output is the standard library's compact form: the same numbers (shortest
round-trip floats), numpy scalars as numbers, NaN and infinities as null (never invalid JSON),
datetimes as ISO 8601 with ``Z``, anything else unknown through ``str``.
"""

from __future__ import annotations

from typing import Any

import orjson

_OPTIONS = orjson.OPT_SERIALIZE_NUMPY | orjson.OPT_UTC_Z | orjson.OPT_NON_STR_KEYS


def dumpb(obj: Any) -> bytes:
    """``obj`` as compact JSON bytes."""
    return orjson.dumps(obj, default=str, option=_OPTIONS)


def dumps(obj: Any) -> str:
    """``obj`` as compact JSON text."""
    return dumpb(obj).decode()
