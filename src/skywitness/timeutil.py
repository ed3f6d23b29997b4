"""Time parsing and printing, defined once for every command, output and API: UTC everywhere,
ISO 8601 with ``Z``. No other module formats or parses a time itself (``strftime``,
``isoformat``, ``fromtimestamp``, ``fromisoformat``): ``tests/test_time_once.py`` checks it.

Printing: ``iso_z`` (machine text, to a chosen ``precision``), ``short_z`` (the human forms of
reports, tables and charts, ``SHORT_FORMS``), ``iso_day`` (a date), ``sbs_fields`` (the
BaseStation wire form), for Arrow columns ``iso_z_column`` / ``short_z_column``, and for
numpy columns of microseconds ``iso_z_micros`` (``iso_z``'s automatic precision).

Inputs accept a date (``2021-10-07``), a datetime with or without seconds/fraction/offset
(``2021-10-07T12:00``, ``2021-10-07 12:00:00Z``, ``...+02:00``), or unix seconds. A naive
datetime is read as UTC, because every time skywitness stores is UTC.
"""

from __future__ import annotations

import argparse
import logging
import math
import re
import time
from datetime import UTC, date, datetime, timedelta, tzinfo
from typing import TYPE_CHECKING, Literal

if TYPE_CHECKING:
    import numpy as np
    import numpy.typing as npt
    import pyarrow as pa

Precision = Literal["auto", "s", "ms", "us"]

#: The human-readable forms of a UTC time, by name (reports, tables, charts, file names).
SHORT_FORMS: dict[str, str] = {
    "minute": "%H:%MZ",  # a time in a sentence whose day is known
    "day-minute": "%d %H:%MZ",  # a chart's axis tick
    "date-minute": "%Y-%m-%d %H:%MZ",  # a time in a report
    "date-second": "%Y-%m-%d %H:%M:%SZ",
    "iso-minute": "%Y-%m-%dT%H:%MZ",  # a table cell
    "compact": "%Y%m%dT%H%M%SZ",  # in identifiers (flight ids); Arrow adds the column's fraction
    "compact-day": "%Y%m%d",  # in file names
}

_DATE_ONLY = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_UNIX = re.compile(r"^-?\d+(\.\d+)?$")


def parse_time(value: str | date | datetime | float, *, end: bool = False) -> datetime:
    """Parse ``value`` into an aware UTC datetime.

    With ``end=True`` a bare date means the *end* of that day (next midnight, exclusive), so
    ``--until 2021-10-07`` includes the whole of 7 October.
    Raises ValueError on text that is none of the accepted forms.
    """
    if isinstance(value, datetime):
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)
    if isinstance(value, date):
        start = datetime(value.year, value.month, value.day, tzinfo=UTC)
        return start + timedelta(days=1) if end else start
    if isinstance(value, int | float):
        return datetime.fromtimestamp(float(value), tz=UTC)
    text = value.strip()
    if _DATE_ONLY.match(text):
        return parse_time(date.fromisoformat(text), end=end)
    if _UNIX.match(text):
        return datetime.fromtimestamp(float(text), tz=UTC)
    try:
        parsed = parse_iso(text)
    except ValueError as exc:
        raise ValueError(
            f"not a date or time: {value!r} (use YYYY-MM-DD or YYYY-MM-DDTHH:MM[:SS][Z])"
        ) from exc
    return parse_time(parsed)


def parse_iso(text: str) -> datetime:
    """ISO 8601 text (``Z`` or an offset, or none: then the result is naive); ValueError else."""
    if text.endswith(("Z", "z")):
        text = text[:-1] + "+00:00"
    return datetime.fromisoformat(text)


def parse_local(text: str, zone: tzinfo) -> datetime:
    """Naive ISO 8601 text read as a wall-clock time in ``zone``, as an aware UTC datetime."""
    return datetime.fromisoformat(text).replace(tzinfo=zone).astimezone(UTC)


def parse_day(text: str) -> date:
    """A ``YYYY-MM-DD`` date; ValueError else."""
    return date.fromisoformat(text)


def from_unix(seconds: float) -> datetime:
    """Unix seconds as an aware UTC datetime."""
    return datetime.fromtimestamp(seconds, tz=UTC)


def _utc(moment: datetime) -> datetime:
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


def iso_z(moment: datetime | None, precision: Precision = "auto") -> str:
    """ISO 8601 in UTC with ``Z``; ``""`` for None. ``precision`` ``"auto"``: as precise as the
    value (no fraction on a whole second, milliseconds when that is all it holds, as every
    stored time, else microseconds, as a Beast receiver's GPS clock); ``"s"``, ``"ms"``,
    ``"us"``: always to that unit (truncated)."""
    if moment is None:
        return ""
    utc = _utc(moment)
    us = utc.microsecond
    text = utc.strftime("%Y-%m-%dT%H:%M:%S")
    if precision == "auto":
        precision = "s" if us == 0 else "ms" if us % 1000 == 0 else "us"
    if precision == "s":
        return text + "Z"
    if precision == "ms":
        return f"{text}.{us // 1000:03d}Z"
    return f"{text}.{us:06d}Z"


def unix_z(seconds: float, precision: Precision = "auto") -> str:
    """``iso_z`` of unix seconds."""
    return iso_z(from_unix(seconds), precision)


def short_z(moment: datetime, form: str) -> str:
    """``moment`` in UTC in one of the ``SHORT_FORMS`` (by name)."""
    return _utc(moment).strftime(SHORT_FORMS[form])


def iso_day(day: date) -> str:
    """A date as ``YYYY-MM-DD``."""
    return day.isoformat()


def sbs_fields(seconds: float) -> tuple[str, str]:
    """BaseStation (SBS) date and time fields, ``2021/01/31`` and ``12:00:05.123``: UTC,
    milliseconds truncated, as dump1090 writes them."""
    ms = math.floor(seconds * 1000)
    utc = from_unix(ms // 1000)
    return utc.strftime("%Y/%m/%d"), utc.strftime("%H:%M:%S") + f".{ms % 1000:03d}"


def utc_log_formatter(fmt: str) -> logging.Formatter:
    """A log formatter whose ``asctime`` is UTC (``fmt`` adds the ``Z``)."""
    formatter = logging.Formatter(fmt)
    formatter.converter = time.gmtime
    return formatter


def iso_z_column(col: pa.ChunkedArray | pa.Array) -> pa.ChunkedArray | pa.Array:
    """A timestamp column as ISO 8601 text with ``T`` and ``Z``, to the column's unit (Arrow's
    own CSV text has a space and no ``Z``; its ``strftime`` prints the same text). UTC or
    naive columns within the years 1000-9999 are printed column-wise in numpy: Arrow's
    ``strftime`` loads ``pyarrow.compute``, and its ``"Z"`` scalar pandas (~0.3 s of every
    ``decode -o x.csv``)."""
    import pyarrow as pa

    chunks = col.chunks if isinstance(col, pa.ChunkedArray) else [col]
    text = [_iso_z_chunk(c) for c in chunks]
    if any(t is None for t in text):
        return _strftime_column(col, "%Y-%m-%dT%H:%M:%SZ")
    if isinstance(col, pa.ChunkedArray):
        return pa.chunked_array(text, type=pa.string())
    return text[0]


#: Ticks per second and the fraction's digits (Arrow's ``%S``) of each timestamp unit.
_PER_SECOND = {"s": 1, "ms": 1_000, "us": 1_000_000, "ns": 1_000_000_000}
_FRACTION_DIGITS = {"s": 0, "ms": 3, "us": 6, "ns": 9}
#: Seconds since the epoch of 1000-01-01 and 10000-01-01 (where ``%Y`` is four digits).
_ISO_LOW_S, _ISO_HIGH_S = -30_610_224_000, 253_402_300_800


def _iso_z_chunk(arr: pa.Array) -> pa.Array | None:
    """``iso_z_column`` of one chunk, or None where numpy cannot print it as Arrow does."""
    import numpy as np
    import pyarrow as pa

    unit, tz = arr.type.unit, arr.type.tz
    if tz not in (None, "UTC", "+00:00") or unit not in _PER_SECOND:
        return None
    n = len(arr)
    bufs = arr.buffers()
    ticks = np.frombuffer(bufs[1], dtype=np.int64)[arr.offset : arr.offset + n]
    if arr.null_count:
        bits = np.frombuffer(bufs[0], dtype=np.uint8)
        valid = np.unpackbits(bits, bitorder="little")[arr.offset : arr.offset + n].astype(bool)
        ticks = np.where(valid, ticks, 0)
    secs = np.floor_divide(ticks, _PER_SECOND[unit])
    if not bool(((secs >= _ISO_LOW_S) & (secs < _ISO_HIGH_S)).all()):
        return None
    rows = _iso_rows(ticks, _PER_SECOND[unit], _FRACTION_DIGITS[unit])
    k = rows.shape[1]
    validity = None
    if arr.null_count:
        validity = pa.py_buffer(np.packbits(valid, bitorder="little"))
    offsets = pa.py_buffer(np.arange(n + 1, dtype=np.int32) * k)
    chars = pa.py_buffer(np.ascontiguousarray(rows))
    return pa.Array.from_buffers(
        pa.string(), n, [validity, offsets, chars], null_count=arr.null_count
    )


#: The width of ``iso_z``'s longest ("us") text.
_ISO_US_CHARS = 27


def iso_z_micros(us: npt.NDArray[np.int64]) -> tuple[npt.NDArray[np.uint8], npt.NDArray[np.int64]]:
    """``iso_z`` (precision ``"auto"``) of whole columns of microseconds since the epoch, with
    no Python work per value: (ASCII rows (n, 27), each row's length). Years must lie in
    1000-9999 (``in_iso_years``), where ``iso_z``'s ``%Y`` is four digits."""
    import numpy as np

    rows = _iso_rows(us, 1_000_000, 6)
    frac = us % 1_000_000
    length = np.full(us.shape[0], _ISO_US_CHARS, dtype=np.int64)
    ms = frac % 1000 == 0
    length[ms] = 24  # "...SS.mmmZ"
    rows[ms, 23] = ord("Z")
    whole = frac == 0
    length[whole] = 20  # "...SSZ"
    rows[whole, 19] = ord("Z")
    return rows, length


def _iso_rows(ticks: npt.NDArray[np.int64], per_second: int, digits: int) -> npt.NDArray[np.uint8]:
    """``YYYY-MM-DDTHH:MM:SS[.f]Z`` of ticks (``per_second`` a second) since the epoch, with
    ``digits`` of fraction (none: no point), as ASCII rows (n, 20 or 21 + digits)."""
    import numpy as np

    secs, frac = np.divmod(ticks, per_second)
    days, tod = np.divmod(secs, 86_400)
    # the proleptic Gregorian date of a day number (H. Hinnant's civil_from_days)
    z = days + 719_468
    era = np.floor_divide(z, 146_097)
    doe = z - era * 146_097
    yoe = (doe - doe // 1460 + doe // 36_524 - doe // 146_096) // 365
    doy = doe - (365 * yoe + yoe // 4 - yoe // 100)
    mp = (5 * doy + 2) // 153
    day = doy - (153 * mp + 2) // 5 + 1
    month = np.where(mp < 10, mp + 3, mp - 9)
    year = yoe + era * 400 + (month <= 2)
    fields = [  # (value, digits, separator after) in print order
        (year, 4, "-"), (month, 2, "-"), (day, 2, "T"), (tod // 3600, 2, ":"),
        (tod // 60 % 60, 2, ":"), (tod % 60, 2, "." if digits else "Z"),
    ]  # fmt: skip
    if digits:
        fields.append((frac, digits, "Z"))
    rows = np.zeros((ticks.shape[0], 20 + (digits + 1 if digits else 0)), dtype=np.uint8)
    col = 0
    for value, width, sep in fields:
        for k in range(width):
            rows[:, col + k] = 48 + value // 10 ** (width - 1 - k) % 10
        rows[:, col + width] = ord(sep)
        col += width + 1
    return rows


def in_iso_years(us: npt.NDArray[np.int64]) -> bool:
    """Every microsecond count falls in the years 1000-9999 (``iso_z_micros``' range)."""
    low, high = -30_610_224_000_000_000, 253_402_300_800_000_000  # 1000-01-01, 10000-01-01
    return bool(((us >= low) & (us < high)).all())


def short_z_column(col: pa.ChunkedArray | pa.Array, form: str) -> pa.ChunkedArray | pa.Array:
    """``short_z`` of a timestamp column; seconds carry the column's fraction (Arrow's ``%S``)."""
    return _strftime_column(col, SHORT_FORMS[form])


def _strftime_column(col: pa.ChunkedArray | pa.Array, pattern: str) -> pa.ChunkedArray | pa.Array:
    import pyarrow as pa
    import pyarrow.compute as pc  # on use: ~0.08 s of start-up that JSON output never needs

    head, zulu, tail = pattern.rpartition("Z")
    if not zulu or tail:  # no literal Z at the end: Arrow's strftime gives it all
        return pc.strftime(col, format=pattern, locale="C")
    text = pc.strftime(col, format=head, locale="C")  # Arrow's %Z would print the zone name
    return pc.binary_join_element_wise(text, pa.scalar("Z"), "")


def time_arg(text: str) -> datetime:
    """``argparse`` type of a start time (``--since``): ``2024-07-06`` is that day's first
    instant; a bad value is a usage error naming it."""
    try:
        return parse_time(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from exc


def end_time_arg(text: str) -> datetime:
    """``argparse`` type of an end time (``--until``): ``2024-07-06`` is the end of that day."""
    try:
        return parse_time(text, end=True)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from exc
