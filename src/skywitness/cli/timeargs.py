"""``--since``/``--until`` argument types: dates or datetimes, read as UTC.

``parse_time`` lives in the store package, whose import loads DuckDB; it is imported only when
a time argument is actually given, so commands that never take one start fast.
"""

from __future__ import annotations

import argparse
from datetime import datetime


def time_arg(text: str) -> datetime:
    """A start time: ``2024-07-06`` is that day's first instant."""
    from ..store.timeutil import parse_time

    try:
        return parse_time(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from exc


def end_time_arg(text: str) -> datetime:
    """An end time: ``2024-07-06`` is the end of that day."""
    from ..store.timeutil import parse_time

    try:
        return parse_time(text, end=True)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from exc
