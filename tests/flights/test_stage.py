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


def test_the_input_columns_are_all_the_flights_stage_reads(
    quickstart: pa.Table, runways: pa.Table
) -> None:
    # the Spark rebuild ships only INPUT_COLUMNS to its tasks: the flights must be the same
    from skywitness.flights.builder import INPUT_COLUMNS
    from skywitness.store.schema import conform

    full = conform(quickstart)
    only = conform(quickstart, INPUT_COLUMNS)
    assert only.column_names == list(INPUT_COLUMNS)
    assert set(full.column_names) - set(INPUT_COLUMNS) == {
        "geoaltitude", "squawk", "position_source", "position_error"
    }  # fmt: skip
    got = build_flights(only, runways=runways)
    assert got.num_rows == 238
    assert got.equals(build_flights(full, runways=runways))
