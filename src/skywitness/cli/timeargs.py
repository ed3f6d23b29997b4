"""``--since``/``--until`` argument types: dates or datetimes, read as UTC (``timeutil``)."""

from __future__ import annotations

import argparse
from datetime import datetime

from ..timeutil import parse_time


def time_arg(text: str) -> datetime:
    """A start time: ``2024-07-06`` is that day's first instant."""
    try:
        return parse_time(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from exc


def end_time_arg(text: str) -> datetime:
    """An end time: ``2024-07-06`` is the end of that day."""
    try:
        return parse_time(text, end=True)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from exc
