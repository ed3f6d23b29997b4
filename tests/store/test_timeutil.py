"""parse_time / iso_z: dates and datetimes in, UTC ISO 8601 with Z out."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, timezone

import pytest

from skywitness.store import iso_z, parse_time


def test_parse_time_forms() -> None:
    noon = datetime(2021, 10, 7, 12, 0, tzinfo=UTC)
    assert parse_time("2021-10-07") == datetime(2021, 10, 7, tzinfo=UTC)
    assert parse_time("2021-10-07", end=True) == datetime(2021, 10, 8, tzinfo=UTC)
    assert parse_time("2021-10-07T12:00") == noon
    assert parse_time("2021-10-07 12:00:00Z") == noon
    assert parse_time("2021-10-07T14:00:00+02:00") == noon
    assert parse_time(str(int(noon.timestamp()))) == noon
    assert parse_time(noon.timestamp()) == noon
    assert parse_time(date(2021, 10, 7), end=True) == datetime(2021, 10, 8, tzinfo=UTC)
    assert parse_time(datetime(2021, 10, 7, 12)) == noon
    assert parse_time(datetime(2021, 10, 7, 14, tzinfo=timezone(timedelta(hours=2)))) == noon
    with pytest.raises(ValueError, match="not a date or time"):
        parse_time("yesterday")


def test_iso_z() -> None:
    assert iso_z(datetime(2021, 10, 7, 12, 0, 1, tzinfo=UTC)) == "2021-10-07T12:00:01Z"
    assert iso_z(datetime(2021, 10, 7, 12, 0, 1, 250_000)) == "2021-10-07T12:00:01.250Z"
    assert iso_z(datetime(2021, 10, 7, 14, tzinfo=timezone(timedelta(hours=2)))) == (
        "2021-10-07T12:00:00Z"
    )
    assert iso_z(None) == ""
    # as precise as the value: a Beast receiver's GPS time keeps its microseconds
    assert iso_z(datetime(2018, 4, 3, 19, 2, 28, 136_311, tzinfo=UTC)) == (
        "2018-04-03T19:02:28.136311Z"
    )
