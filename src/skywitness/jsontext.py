"""JSON values and text, defined once: ``jsonable`` turns Arrow ``to_pylist`` values into JSON
values (every command's and export's JSON lines); ``dumpb`` / ``dumps`` write compact JSON text
for the live paths (stream messages, snapshot bodies) through orjson.

These are built beside the tracker, in the same interpreter, at up to tens of thousands of
objects a second; orjson encodes them 10-14x faster than the standard library (bench/RESULTS.md
"## serve"). Output is the standard library's compact form: the same numbers (shortest
round-trip floats), numpy scalars as numbers, NaN and infinities as null (never invalid JSON),
datetimes as ISO 8601 with ``Z``, anything else unknown through ``str``.
"""

from __future__ import annotations

import math
from datetime import date, datetime
from decimal import Decimal
from typing import Any

import orjson

from .timeutil import iso_day, iso_z

#: Datetimes are passed through to ``_default``, so that they print as ``iso_z`` prints them
#: (orjson's own form would give six fraction digits: a second way of printing a time).
_OPTIONS = orjson.OPT_SERIALIZE_NUMPY | orjson.OPT_PASSTHROUGH_DATETIME | orjson.OPT_NON_STR_KEYS


def _default(v: Any) -> Any:
    if isinstance(v, date):
        return jsonable(v)
    return str(v)


def dumpb(obj: Any) -> bytes:
    """``obj`` as compact JSON bytes."""
    return orjson.dumps(obj, default=_default, option=_OPTIONS)


def dumps(obj: Any) -> str:
    """``obj`` as compact JSON text."""
    return dumpb(obj).decode()


def jsonable(v: Any) -> Any:
    """A plain value as a JSON value: datetimes ISO 8601 UTC with ``Z`` (``iso_z``), dates
    ISO, decimals as floats, NaN and infinities as null, lists and dicts element-wise."""
    if isinstance(v, datetime):
        return iso_z(v)
    if isinstance(v, date):
        return iso_day(v)
    if isinstance(v, float):
        return v if math.isfinite(v) else None
    if isinstance(v, Decimal):
        return float(v)
    if isinstance(v, list | tuple):
        return [jsonable(x) for x in v]
    if isinstance(v, dict):
        return {k: jsonable(x) for k, x in v.items()}
    return v
