"""The one flights stage (``flights/stage.py``): a step's changes, and finished flights."""

from __future__ import annotations

from datetime import timedelta

import pyarrow as pa
import pyarrow.compute as pc

from skywitness.flights import build_flights
from skywitness.flights.stage import FlightStage, build_all


def test_one_step_is_the_bulk_build(quickstart: pa.Table) -> None:
    bulk = build_flights(quickstart)
    staged = build_all(quickstart, FlightStage().inference)
    key = ["flight_id", "firstSeen", "lastSeen", "estDepartureAirport", "estArrivalAirport"]
    assert staged.num_rows == bulk.num_rows == 238
    assert sorted(staged.select(key).to_pylist(), key=str) == sorted(
        bulk.select(key).to_pylist(), key=str
    )


def test_flights_are_reported_finished_when_final(quickstart: pa.Table) -> None:
    first = sorted(pc.unique(quickstart["icao24"]).to_pylist())[0]
    mine = quickstart.filter(pc.equal(quickstart["icao24"], first))
    stage = FlightStage()
    step = stage.step(mine)
    ids = sorted(step.changed["flight_id"].to_pylist())
    assert ids and step.removed == []
    assert set(step.finished) < set(ids)  # flights two before the last are final already
    # another aircraft 7 h later: the first has been silent for more than 6 h, its flights
    # are final
    last = pc.max(mine["timestamp"]).as_py()
    other = quickstart.slice(0, 1).set_column(
        0, "timestamp", pa.array([last + timedelta(hours=7)], quickstart["timestamp"].type)
    )
    other = other.set_column(1, "icao24", pa.array(["ffffff"]))
    later = stage.step(other)
    assert sorted(step.finished + later.finished) == ids
    assert not set(ids) & set(later.changed["flight_id"].to_pylist())
    assert stage.step(None).finished == []


def test_a_stage_that_forgets_finished_flights_reports_the_same(quickstart: pa.Table) -> None:
    """#17 item 12: a live service with a store keeps in memory the flights in progress only
    (``keep_final=False``): every step reports what a stage keeping them all reports, and a
    finished flight, once reported, is no longer held (a run of months held every flight)."""
    first = sorted(pc.unique(quickstart["icao24"]).to_pylist())[0]
    mine = quickstart.filter(pc.equal(quickstart["icao24"], first))
    last = pc.max(mine["timestamp"]).as_py()
    other = quickstart.slice(0, 1).set_column(
        0, "timestamp", pa.array([last + timedelta(hours=7)], quickstart["timestamp"].type)
    )
    other = other.set_column(1, "icao24", pa.array(["ffffff"]))
    keeping, forgetting = FlightStage(), FlightStage(keep_final=False)
    for part in (mine.slice(0, 500), mine.slice(500), other, None):
        a, b = keeping.step(part), forgetting.step(part)
        assert a.changed.equals(b.changed) and a.ended.equals(b.ended)
        assert (a.removed, a.finished) == (b.removed, b.finished)
        final = set(a.finished)
        held = set(forgetting.flights()["flight_id"].to_pylist())
        assert not held & final
    every = sorted(keeping.flights()["flight_id"].to_pylist())
    assert every == [f"{first}-20211007T121253.000Z", "ffffff-20211007T193422.000Z"]
    # the first aircraft's flight is final (silent for 7 h): stored, no longer held
    assert forgetting.flights()["flight_id"].to_pylist() == every[1:]


def test_the_input_columns_are_all_the_flights_stage_reads(
    quickstart: pa.Table, runways: pa.Table
) -> None:
    # the Spark rebuild ships only FLIGHT_COLUMNS to its tasks: the flights must be the same
    from skywitness.flights.rowarrays import FLIGHT_COLUMNS
    from skywitness.store.schema import conform

    full = conform(quickstart)
    only = conform(quickstart, FLIGHT_COLUMNS)
    assert only.column_names == list(FLIGHT_COLUMNS)
    assert set(full.column_names) - set(FLIGHT_COLUMNS) == {
        "geoaltitude", "squawk", "position_source", "position_error"
    }  # fmt: skip
    got = build_flights(only, runways=runways)
    assert got.num_rows == 238
    assert got.equals(build_flights(full, runways=runways))
