"""flights table storage: replace by ids/scope, and every query filter."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pyarrow as pa
import pytest

from skywitness.errors import SkywitnessError
from skywitness.store import FlightFilter, Store, airport_icao, country_airports
from skywitness.store.flightdb import query_flight_rows, query_flights

TS = pa.timestamp("ms", tz="UTC")


def _t(h: int, m: int = 0, day: int = 7) -> datetime:
    return datetime(2021, 10, day, h, m, tzinfo=UTC)


def flights(rows: list[tuple[Any, ...]]) -> pa.Table:
    cols = list(zip(*rows, strict=True))
    return pa.table(
        {
            "flight_id": pa.array(cols[0], pa.string()),
            "icao24": pa.array(cols[1], pa.string()),
            "callsign": pa.array(cols[2], pa.string()),
            "callsigns": pa.array([[c] for c in cols[2]], pa.list_(pa.string())),
            "firstSeen": pa.array(cols[3], TS),
            "lastSeen": pa.array(cols[4], TS),
            "estDepartureAirport": pa.array(cols[5], pa.string()),
            "estArrivalAirport": pa.array(cols[6], pa.string()),
            "confidence": pa.array(cols[7], pa.float64()),
        }
    )


ROWS = [
    ("a-1", "39856b", "AFR6110", _t(8), _t(9, 30), "LFPG", "LFBO", 0.95),
    ("a-2", "39856b", "AFR6115", _t(10), _t(11, 20), "LFBO", "LFPG", 0.9),
    ("b-1", "4ca7b5", "RYR4TR", _t(9), _t(11), "EIDW", "LFPB", 0.4),
    ("c-1", "3c6444", "DLH9U", _t(12), _t(13), "EDDF", None, 0.7),
    ("c-2", "3c6444", "DLH9U", _t(7, day=8), _t(8, day=8), None, "EDDM", 0.5),
]


def ids(t: pa.Table) -> list[str]:
    got: list[str] = t.column("flight_id").to_pylist()
    return got


@pytest.fixture
def stored(store: Store) -> Store:
    assert store.replace_flights(flights(ROWS)) == 0
    return store


def test_filters(stored: Store) -> None:
    q = stored.query_flights
    assert ids(q()) == ["a-1", "b-1", "a-2", "c-1", "c-2"]
    assert ids(q(FlightFilter(icao24="39856B"))) == ["a-1", "a-2"]
    assert ids(q(FlightFilter(callsign="afr611?"))) == ["a-1", "a-2"]
    assert ids(q(FlightFilter(callsign="RYR*"))) == ["b-1"]
    assert ids(q(FlightFilter(origin="CDG"))) == ["a-1"]  # IATA for LFPG
    assert ids(q(FlightFilter(destination="LFPG"))) == ["a-2"]
    assert ids(q(FlightFilter(origin_country="fr"))) == ["a-1", "a-2"]
    assert ids(q(FlightFilter(destination_country="DE"))) == ["c-2"]
    assert ids(q(FlightFilter(since=_t(11, 10)))) == ["a-2", "c-1", "c-2"]
    assert ids(q(FlightFilter(until=_t(9, 30)))) == ["a-1", "b-1"]
    assert ids(q(FlightFilter(min_confidence=0.7))) == ["a-1", "a-2", "c-1"]
    assert ids(q(FlightFilter(origin="TLS", destination="CDG"))) == ["a-2"]
    assert ids(q(FlightFilter(limit=2))) == ["a-1", "b-1"]


def test_replace_scoped_and_by_id(stored: Store) -> None:
    # a rebuild of aircraft 39856b on 7 October: its two flights become one
    new = flights([("a-9", "39856b", "AFR6110", _t(8), _t(11, 20), "LFPG", "LFPG", 0.8)])
    deleted = stored.replace_flights(
        new, icao24s=["39856b"], since=_t(0), until=datetime(2021, 10, 8, tzinfo=UTC)
    )
    assert deleted == 2
    assert ids(stored.query_flights()) == ["a-9", "b-1", "c-1", "c-2"]
    # an incremental update: c-2 changed, b-1 removed
    upd = flights([("c-2", "3c6444", "DLH9V", _t(7, day=8), _t(9, day=8), "EDDF", "EDDM", 0.9)])
    assert stored.replace_flights(upd, remove_ids=["b-1"]) == 2
    got = stored.query_flights(FlightFilter(icao24="3c6444")).to_pylist()
    assert [(r["flight_id"], r["callsign"]) for r in got] == [("c-1", "DLH9U"), ("c-2", "DLH9V")]
    assert stored.info()["flights"] == 3
    assert stored.replace_flights(new, replace_all=True) == 3
    assert ids(stored.query_flights()) == ["a-9"]


def test_schema_growth_and_errors(stored: Store) -> None:
    grown = flights(ROWS[:1]).append_column("gaps_bridged", pa.array([2], pa.int32()))
    stored.replace_flights(grown)
    got = stored.query_flights(FlightFilter(icao24="39856b")).to_pylist()
    assert [(r["flight_id"], r["gaps_bridged"]) for r in got] == [("a-1", 2), ("a-2", None)]
    with pytest.raises(SkywitnessError, match="lacks column"):
        stored.replace_flights(pa.table({"flight_id": ["x"]}))
    with pytest.raises(SkywitnessError, match="unknown airport"):
        stored.query_flights(FlightFilter(origin="ZZZZ9"))
    with pytest.raises(SkywitnessError, match="alpha-2"):
        country_airports("FRA")
    assert airport_icao("tls") == "LFBO"


def test_empty_store_has_no_flights(store: Store) -> None:
    assert store.query_flights().num_rows == 0
    assert store.info()["flights"] == 0


def test_rows_query_is_the_arrow_query(stored: Store) -> None:
    """``query_flight_rows`` (a terminal table's query, no pyarrow) selects what
    ``query_flights`` does, same columns, same values, same order."""
    con = stored.connection
    for flt in (
        FlightFilter(),
        FlightFilter(icao24="39856B"),
        FlightFilter(callsign="DLH*", min_confidence=0.6),
        FlightFilter(via_country="FR", limit=2),
        FlightFilter(icao24="000000"),
    ):
        names, rows = query_flight_rows(con, flt)
        table = query_flights(con, flt)
        assert names == table.column_names
        assert [dict(zip(names, r, strict=True)) for r in rows] == table.to_pylist()
    assert len(query_flight_rows(con, FlightFilter(icao24="39856b"))[1]) == 2


def test_rows_query_without_flights_table(store: Store) -> None:
    assert query_flight_rows(store.connection, FlightFilter()) == ([], [])
