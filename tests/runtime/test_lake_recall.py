"""``LakeRecall``: one aircraft's state vectors read straight from a store's Parquet lake (the
catalogue stays with the open store), duplicates dropped; and the live flights step (in the
thread and in the child process) given the lake bridges the Caracas ocean crossings like the
bulk build does."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc
import pytest

from skywitness.flights import build_flights
from skywitness.flights.recall import LakeRecall
from skywitness.runtime.flight_steps import FlightSteps
from skywitness.runtime.history import ingest, open_history
from skywitness.runtime.hub import Hub
from skywitness.runtime.pipeline import RunOptions
from skywitness.runtime.workers import FlightsWorker
from skywitness.simulate import load_builtin, simulate, write_capture
from skywitness.stats import IngestStats
from skywitness.store import STATE_SCHEMA, Store

IL62_OCEAN = (1568956140160, 1568963225314)  # ms: the Il-62's flight before its ocean gap
BY = [("icao24", "ascending"), ("firstSeen", "ascending")]
IDS = {"1551e0": "1551e0-20190920T050900.160Z", "154073": "154073-20190920T060400.546Z"}


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Store]:
    """The Caracas scenario ingested into a store, held open (as the live service holds it)."""
    root = tmp_path_factory.mktemp("lake")
    capture = root / "caracas.jsonl"
    write_capture(simulate(load_builtin("caracas")), str(capture))
    st = open_history(root / "data")
    ingest(st, [str(capture)], RunOptions())
    yield st
    st.close()


def _at(ms: int) -> datetime:
    return datetime(1970, 1, 1, tzinfo=UTC) + timedelta(milliseconds=ms)


def _slices(states: pa.Table, step_ms: int) -> Iterator[pa.Table]:
    ts = states["timestamp"].cast("int64").to_numpy()
    for lo in range(int(ts.min()), int(ts.max()) + 1, step_ms):
        yield states.filter(pa.array((ts >= lo) & (ts < lo + step_ms)))


def test_lake_recall_reads_one_aircraft(store: Store, tmp_path: Path) -> None:
    recall = LakeRecall(store.lake)
    got = recall("1551E0", *IL62_OCEAN)
    # the store's own query: since inclusive, until exclusive
    want = store.states("1551e0", _at(IL62_OCEAN[0]), _at(IL62_OCEAN[1] + 1))
    assert got.schema == STATE_SCHEMA
    assert got.num_rows == 5178  # the flight's positions before the builder forgot it
    assert got.equals(want)
    ts = got["timestamp"].cast("int64")
    assert (pc.min(ts).as_py(), pc.max(ts).as_py()) == IL62_OCEAN
    # nothing of the day before, nothing for an unknown aircraft, a lake without files
    assert recall("1551e0", IL62_OCEAN[0] - 86_400_000, IL62_OCEAN[0] - 1).num_rows == 0
    assert recall("abcdef", *IL62_OCEAN).num_rows == 0
    empty = LakeRecall(tmp_path / "nothing")("1551e0", *IL62_OCEAN)
    assert empty.num_rows == 0 and empty.schema == STATE_SCHEMA
    # a compaction's old and new files both present for a moment: each row once
    lake = tmp_path / "lake"
    shutil.copytree(store.lake, lake)
    (part,) = lake.glob("states/date=2019-09-20/*.parquet")
    shutil.copy(part, part.with_name("part-compacted.parquet"))
    twice = LakeRecall(lake)
    assert twice("1551e0", *IL62_OCEAN).equals(want)
    assert twice.calls == 1 and recall.calls == 3


def test_flight_steps_with_the_lake_bridge_like_bulk(store: Store) -> None:
    states = store.states()
    bulk = build_flights(states).sort_by(BY)
    steps = FlightSteps(lake=store.lake)
    for part in _slices(states, 600_000):
        steps.step(part, now=0.0)
    assert steps.recall is not None and steps.recall.calls == 2
    assert steps.stage.recalls == 2
    assert steps.flights().equals(bulk)
    # without a store: no recall, the crossings come back as second flights
    alone = FlightSteps()
    for part in _slices(states, 600_000):
        alone.step(part, now=0.0)
    assert alone.recall is None and alone.flights().num_rows == bulk.num_rows + 2


def test_flights_worker_child_recalls_from_the_lake(store: Store) -> None:
    states = store.states()
    bulk = build_flights(states).sort_by(BY)
    worker = FlightsWorker(Hub(), IngestStats(), interval_s=60.0, process=True, lake=store.lake)
    assert worker.process is not None
    try:
        for part in _slices(states, 3_600_000):
            worker.add(part)
            worker.step()
        assert worker.failed is None
        got = worker.engine.flights()
    finally:
        worker.process.close()
    mine = got.filter(pc.is_in(got["icao24"], pa.array(sorted(IDS))))
    rows = mine.select(["flight_id", "estDepartureAirport", "estArrivalAirport", "gaps_bridged"])
    assert sorted(tuple(r.values()) for r in rows.to_pylist()) == [
        (IDS["154073"], "UUMU", "SVMI", 2),
        (IDS["1551e0"], "UUWW", "SVMI", 2),
    ]
    assert got.sort_by(BY).equals(bulk)
