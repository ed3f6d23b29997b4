"""Every time argument is read by ``timeutil.parse_time``: unix seconds, dates, datetimes with
or without an offset (none: UTC, as every time skywitness stores)."""

from __future__ import annotations

import argparse
from datetime import UTC, datetime

import pytest

from skywitness.cli.common import parse_start_time
from skywitness.cli.timeargs import end_time_arg, time_arg


def test_start_time_forms() -> None:
    t = datetime(2018, 4, 3, 19, 2, 28, tzinfo=UTC).timestamp()
    assert parse_start_time("1522782148") == t
    assert parse_start_time("2018-04-03T19:02:28Z") == t
    assert parse_start_time("2018-04-03T19:02:28") == t  # naive: UTC
    assert parse_start_time("2018-04-03T21:02:28+02:00") == t
    with pytest.raises(argparse.ArgumentTypeError, match="not a unix time or ISO 8601"):
        parse_start_time("yesterday")


def test_since_until() -> None:
    assert time_arg("2024-07-06") == datetime(2024, 7, 6, tzinfo=UTC)
    assert end_time_arg("2024-07-06") == datetime(2024, 7, 7, tzinfo=UTC)  # the day's end
    with pytest.raises(argparse.ArgumentTypeError):
        time_arg("2024-13-01")
