"""Rows of quiet aircraft parked out of memory (``flights.parking``): after its quiet cut a landed
aircraft holds the rows of its newest point only, its other rows in the spill until it is heard
again, and the flights are the bulk build's (and the unparked builder's) whatever comes after
the silence. ``FileSpill``: Arrow IPC files in a folder of its own, removed on close; a folder a
killed process left is removed by the next; a spill that cannot be written leaves the rows held.
Quiet cuts are made however few rows the quiet aircraft hold (``CUT_MIN_ROWS`` 0, as in
test_quiet_cut.py: each test's one aircraft stands for many)."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pyarrow as pa
import pytest
from hypothesis import HealthCheck, given, settings

from skywitness.flights import FlightBuilder, build_flights, cutting
from skywitness.flights.parking import FileSpill, MemorySpill
from skywitness.runtime.flight_steps import SPILL_DIR, FlightSteps

from .test_quiet_cut import DAYS, _day
from .test_settle import ORDER, _live
from .truth import load_any

LANDED = "39bda3"


@pytest.fixture(autouse=True, scope="module")
def _every_quiet_cut() -> Iterator[None]:
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(cutting, "CUT_MIN_ROWS", 0)
        yield


def _until(states: pa.Table, hours: float) -> pa.Table:
    """The rows of ``states`` in its first ``hours``."""
    ms = np.asarray(states["timestamp"].cast(pa.int64()).to_numpy())
    return states.filter(pa.array(ms < ms.min() + hours * 3_600_000))


def test_a_landed_aircraft_is_parked_until_it_flies_again(runways: pa.Table) -> None:
    """Out and back at one row a second, landed, silent 2 h, out again: while silent it holds
    one row (its newest point's), the rest in the spill; heard again, its rows are held again
    and the spill is empty (till it goes quiet again at the end, out of coverage); the flights
    are bulk's and the unparked builder's."""
    states = _day(1.0, 1.0, 450.0, 2.0, 0.0, True, 95.0, clock_s=120.0)
    spill = MemorySpill()
    parked, kept = FlightBuilder(runways, spill=spill), FlightBuilder(runways)
    during = _until(states, 3.0)  # the two legs (~2 h 10 min) and most of the silence
    _live(during, parked)
    _live(during, kept)
    assert parked.quiet_cuts == kept.quiet_cuts == 1
    assert parked.retained_rows_of(LANDED) == 1
    assert parked.parked_rows() == kept.retained_rows_of(LANDED) - 1 > 100
    assert len(spill) == 1
    builder, kept = FlightBuilder(runways, spill=MemorySpill()), FlightBuilder(runways)
    by_step = _stepped(states, builder)
    _live(states, kept)
    bulk = build_flights(states, runways=runways).sort_by(ORDER)
    assert builder.flights().equals(bulk) and kept.flights().equals(bulk)
    first = next(i for i, n in enumerate(by_step) if n)
    assert by_step[first] > 100 and 0 in by_step[first:]  # parked, then held again
    assert builder.retained_rows() + builder.parked_rows() == kept.retained_rows()


def _stepped(states: pa.Table, builder: FlightBuilder) -> list[int]:
    """``_live``'s 60 s windows; the rows parked after each update."""
    ms = np.asarray(states["timestamp"].cast(pa.int64()).to_numpy())
    states, ms = states.take(pa.array(np.argsort(ms, kind="stable"))), np.sort(ms)
    parked = []
    for lo in range(int(ms[0]), int(ms[-1]) + 1, 60_000):
        a, b = np.searchsorted(ms, [lo, lo + 60_000])
        if b > a:
            builder.update(states.slice(int(a), int(b - a)))
            parked.append(builder.parked_rows())
    return parked


def test_a_forgotten_aircraft_takes_its_parked_rows_along(runways: pa.Table) -> None:
    """Landed and silent for more than ``FINAL_SILENCE_S``: forgotten, its parked rows dropped
    from the spill; the flights are bulk's."""
    states = _day(0.6, 5.0, 450.0, 6.5, 0.0, False, 40.0, clock_s=120.0)
    spill = MemorySpill()
    builder = FlightBuilder(runways, spill=spill)
    _live(states, builder)
    assert builder.parked_rows() == 0 and len(spill) == 0
    assert builder._parking is not None and builder._parking.parked > 0
    assert builder.retained_rows_of(LANDED) == 0
    assert builder.flights().equals(build_flights(states, runways=runways).sort_by(ORDER))


@settings(max_examples=10, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(**DAYS)
def test_parking_never_changes_a_flight(
    runways: pa.Table,
    out_h: float,
    step_s: float,
    kt: float,
    silence_h: float,
    vanish_min: float,
    again: bool,
    heading: float,
    window_s: int,
) -> None:
    """Landed or vanished airborne, silent for minutes or hours, back for a new flight or not:
    the live flights with parking equal the bulk build over all the rows."""
    states = _day(out_h, step_s, kt, silence_h, vanish_min, again, heading)
    builder = FlightBuilder(runways, spill=MemorySpill())
    _live(states, builder, window_s)
    assert builder.late == 0
    assert builder.flights().equals(build_flights(states, runways=runways).sort_by(ORDER))


@pytest.mark.parametrize("name", ["switzerland.json.gz", "calfire.json.gz"])
def test_real_quiet_aircraft_parked_equal_bulk(
    trajectories: Path, runways: pa.Table, name: str
) -> None:
    """Real trajectories of many aircraft in 60 s windows: quiet aircraft parked (fewer rows
    held than without), the same flights as bulk; what is parked at the end is what the
    unparked builder holds more."""
    states = load_any(next(trajectories.rglob(name)))
    builder, kept = FlightBuilder(runways, spill=MemorySpill()), FlightBuilder(runways)
    held, held_kept = _live(states, builder), _live(states, kept)
    assert builder._parking is not None and builder._parking.parked > 0
    assert sum(held) < sum(held_kept)
    assert builder.retained_rows() + builder.parked_rows() == kept.retained_rows()
    bulk = build_flights(states, runways=runways).sort_by(ORDER)
    assert builder.flights().equals(bulk) and kept.flights().equals(bulk)


def _rows(n: int) -> pa.Table:
    ts = pa.array(np.arange(n, dtype=np.int64) * 1000).cast(pa.timestamp("ms", tz="UTC"))
    return pa.table({"timestamp": ts, "icao24": pa.array(["4ca777"] * n).dictionary_encode()})


def test_file_spill_round_trip_and_close(tmp_path: Path) -> None:
    spill = FileSpill(tmp_path / "spill")
    a, b = spill.put(_rows(5)), spill.put(_rows(3))
    folder = next((tmp_path / "spill").iterdir())
    assert folder.name.startswith(f"flights-{os.getpid()}-")
    assert sorted(p.name for p in folder.iterdir()) == [f"{a}.arrow", f"{b}.arrow"]
    assert spill.get(a).equals(_rows(5)) and spill.get(b).equals(_rows(3))
    spill.drop(a)
    assert [p.name for p in folder.iterdir()] == [f"{b}.arrow"]
    spill.close()
    assert not folder.exists()


def test_stale_spills_of_dead_processes_are_removed(tmp_path: Path) -> None:
    root = tmp_path / "spill"
    (root / "flights-999999999-x").mkdir(parents=True)  # no such process
    (root / "flights-junk").mkdir()
    (root / f"flights-{os.getppid()}-y").mkdir()  # alive: another service's
    assert FileSpill(root).stale() == 2
    assert [p.name for p in root.iterdir()] == [f"flights-{os.getppid()}-y"]


def test_a_spill_that_cannot_be_written_leaves_the_rows_held(
    runways: pa.Table, tmp_path: Path
) -> None:
    """The spill's root is a file (as a full or read-only disk, an OSError): nothing parked,
    counted, the rows held, the flights bulk's."""
    (tmp_path / "spill").write_text("not a folder")
    states = _until(_day(1.0, 1.0, 450.0, 2.0, 0.0, True, 95.0, clock_s=120.0), 3.0)
    builder, kept = (
        FlightBuilder(runways, spill=FileSpill(tmp_path / "spill")),
        FlightBuilder(runways),
    )
    _live(states, builder)
    _live(states, kept)
    assert builder._parking is not None and builder._parking.failed >= 1
    assert builder.parked_rows() == 0
    assert builder.retained_rows() == kept.retained_rows()
    assert builder.flights().equals(kept.flights())


def test_the_service_steps_park_beside_the_lake_and_clean_up(tmp_path: Path) -> None:
    """``FlightSteps`` given a lake parks in ``<data>/spill/flights-<pid>-*`` (made on first
    park), a dead process's folder removed at start, its own on ``close``."""
    (tmp_path / SPILL_DIR / "flights-999999999-old").mkdir(parents=True)
    steps = FlightSteps(lake=tmp_path / "lake")
    assert not any((tmp_path / SPILL_DIR).iterdir())
    assert steps.spill is not None
    steps.spill.put(_rows(2))
    assert len(list((tmp_path / SPILL_DIR).iterdir())) == 1
    steps.close()
    assert not any((tmp_path / SPILL_DIR).iterdir())
