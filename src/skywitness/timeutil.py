"""Time parsing and printing, defined once for every command, output and API: UTC everywhere,
ISO 8601 with ``Z``.

Inputs accept a date (``2021-10-07``), a datetime with or without seconds/fraction/offset
(``2021-10-07T12:00``, ``2021-10-07 12:00:00Z``, ``...+02:00``), or unix seconds. A naive
datetime is read as UTC, because every time skywitness stores is UTC.
"""

from __future__ import annotations

import argparse
import re
from datetime import UTC, date, datetime, timedelta

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
    if text.endswith(("Z", "z")):
        text = text[:-1] + "+00:00"
    try:
        parsed = datetime.fromisoformat(text)
    except ValueError as exc:
        raise ValueError(
            f"not a date or time: {value!r} (use YYYY-MM-DD or YYYY-MM-DDTHH:MM[:SS][Z])"
        ) from exc
    return parse_time(parsed)


def iso_z(moment: datetime | None) -> str:
    """ISO 8601 in UTC with ``Z``, as precise as the value: no fraction on a whole second,
    milliseconds when that is all it holds (every stored time), else microseconds (a Beast
    receiver's GPS clock); ``""`` for None."""
    if moment is None:
        return ""
    utc = moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)
    us = utc.microsecond
    text = utc.strftime("%Y-%m-%dT%H:%M:%S")
    if us == 0:
        return text + "Z"
    if us % 1000 == 0:
        return f"{text}.{us // 1000:03d}Z"
    return f"{text}.{us:06d}Z"


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
