"""Flights in progress cut (``flights.settle``): a long flight built live in data-time windows,
its rows before each cut replaced by a summary, equals the bulk build over all its rows, and
the rows held for it stay bounded however long it flies."""

from __future__ import annotations

import datetime as dt
import itertools
from pathlib import Path

import numpy as np
import pyarrow as pa
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from skywitness.flights import FlightBuilder, build_flights, cutting
from skywitness.flights.cutting import LATE_S
from skywitness.flights.schema import FLIGHT_SCHEMA
from skywitness.flights.settle import ARRIVAL_COLUMNS, DEPARTURE_COLUMNS, WHOLE_COLUMNS
from skywitness.runtime.flight_steps import LIVE_LATE_S

from .truth import load_any

WINDOW_S = 60  # the live child's data-time window
ORDER = [("icao24", "ascending"), ("firstSeen", "ascending")]


def _live(states: pa.Table, builder: FlightBuilder, window_s: int = WINDOW_S) -> list[int]:
    """Feed ``states`` in time windows; the rows held after each update."""
    ms = np.asarray(states["timestamp"].cast(pa.int64()).to_numpy())
    order = np.argsort(ms, kind="stable")
    states, ms = states.take(pa.array(order)), ms[order]
    held = []
    edges = np.arange(ms[0], ms[-1] + window_s * 1000 + 1, window_s * 1000)
    for lo, hi in itertools.pairwise(edges):
        a, b = np.searchsorted(ms, [lo, hi])
        if b > a:
            builder.update(states.slice(int(a), int(b - a)))
            held.append(builder.retained_rows())
    return held


def _flight(
    hours: float,
    step_s: float,
    cruise_kt: float,
    *,
    gap_min: float = 0.0,
    renamed: bool = False,
    no_flag: bool = False,
    start: tuple[float, float] = (49.0097, 2.5479),  # LFPG
    heading: float = 95.0,
) -> pa.Table:
    """One aircraft: 5 min on the ground, a climb, a cruise (an airborne coverage gap of
    ``gap_min`` in its middle), callsigns switching halfway where ``renamed``; ``no_flag``:
    no onground flag in flight (airborne by speed)."""
    t = np.arange(0.0, hours * 3600.0, step_s)
    taxi = t < 300.0
    climb_s = np.clip(t - 300.0, 0.0, None)
    gs = np.where(taxi, 12.0, np.minimum(140.0 + climb_s * 1.0, cruise_kt))
    alt = np.where(taxi, 392.0, np.minimum(392.0 + climb_s * 30.0, 35_000.0))
    vr = np.where(taxi | (alt >= 35_000.0), 0.0, 1800.0)
    nm = np.cumsum(gs * step_s / 3600.0)
    hd = np.radians(heading)
    lat = start[0] + nm * np.cos(hd) / 60.0
    lon = start[1] + nm * np.sin(hd) / 60.0 / np.cos(np.radians(start[0]))
    keep = np.ones(t.shape[0], bool)
    if gap_min:
        mid = t[-1] / 2
        keep &= (t < mid) | (t > mid + gap_min * 60.0)
    ground = pa.array(taxi, pa.bool_())
    if no_flag:
        ground = pa.array([True if x else None for x in taxi.tolist()], pa.bool_())
    cs = np.where(renamed & (t > t[-1] / 2), "AFR12B  ", "AFR12A  ").astype(object)
    cs[::7] = None  # most rows carry no callsign
    table = pa.table(
        {
            "timestamp": pa.array((1_717_660_000_000 + t * 1000).astype(np.int64)).cast(
                pa.timestamp("ms", tz="UTC")
            ),
            "icao24": pa.array(["39bda3"] * t.shape[0]),
            "callsign": pa.array(cs.tolist(), pa.string()),
            "latitude": lat,
            "longitude": lon,
            "altitude": alt,
            "groundspeed": gs,
            "track": np.full(t.shape[0], heading),
            "vertical_rate": vr,
            "onground": ground,
            "source": pa.array(np.where(t % 600 < 300, "rx1", "rx2").tolist()),
        }
    )
    return table.filter(pa.array(keep))


def test_columns_are_each_from_one_side() -> None:
    """Every flight column is either the departure end's, the tail's or the whole flight's,
    so a new column cannot be merged by default."""
    parts = [*DEPARTURE_COLUMNS, *ARRIVAL_COLUMNS, *WHOLE_COLUMNS]
    assert sorted(parts) == sorted(FLIGHT_SCHEMA.names)


@pytest.mark.parametrize("cruise_kt,airborne_start", [(450.0, False), (200.0, True)])
def test_six_hour_flight_equals_bulk_with_bounded_rows(
    runways: pa.Table, cruise_kt: float, airborne_start: bool
) -> None:
    """6 h at one row a second in 60 s windows: cut again and again, the same row as bulk;
    the rows held stop growing (the uncut builder holds all 21,600). Also a slow flight first
    seen airborne (its departure estimated, named as a slow aircraft's)."""
    states = _flight(6.0, 1.0, cruise_kt, renamed=True)
    if airborne_start:
        states = states.filter(pa.array(~np.asarray(states["onground"].to_numpy(False), bool)))
    builder = FlightBuilder(runways)
    held = _live(states, builder)
    bulk = build_flights(states, runways=runways)
    assert builder.flights().equals(bulk.sort_by(ORDER))
    assert bulk.num_rows == 1 and bulk["n_positions"][0].as_py() == states.num_rows
    assert bulk["departure_observed"][0].as_py() is not airborne_start
    assert builder.cuts >= 10
    # bounded: the late margin and a window, doubled before the next cut
    bound = 2 * (LATE_S + 2 * WINDOW_S)
    assert max(held) <= bound < states.num_rows
    assert max(held[len(held) // 2 :]) <= max(held[: len(held) // 2])


def test_live_horizon_holds_fewer_rows_and_counts_later_points(
    runways: pa.Table, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The live stage's lateness horizon (``LIVE_LATE_S``, 2 minutes): the same flight as
    bulk, the rows held bounded by that horizon (about a fifth of the default's), and a point
    older than it counted late where the default's 10 minutes still merge it. One aircraft
    stands for the many whose cuts pay for their build (``cutting.CUT_MIN_ROWS`` 0; a few
    aircraft wait for more rows: ``test_cut_batch``)."""
    monkeypatch.setattr(cutting, "CUT_MIN_ROWS", 0)
    states = _flight(3.0, 1.0, 450.0)
    live = FlightBuilder(runways, late_s=LIVE_LATE_S, quiet_s=LIVE_LATE_S)
    default = FlightBuilder(runways)
    held_live, held_default = _live(states, live), _live(states, default)
    bulk = build_flights(states, runways=runways).sort_by(ORDER)
    assert live.flights().equals(bulk) and default.flights().equals(bulk)
    assert live.cuts > default.cuts >= 1
    # cut once rows span twice the horizon (300 rows at least), kept from the horizon on,
    # cut again once they doubled: within the horizon and two windows, doubled
    assert max(held_live[20:]) <= 2 * (LIVE_LATE_S + 2 * WINDOW_S) < max(held_default[20:]) / 2
    # one point 5 minutes older than the newest: late to the live horizon only
    newest = states.slice(states.num_rows - 1, 1)
    old = newest["timestamp"][0].as_py() - dt.timedelta(seconds=300)
    point = newest.set_column(
        newest.schema.get_field_index("timestamp"), "timestamp",
        pa.array([old], newest.schema.field("timestamp").type),
    )  # fmt: skip
    assert (live.late, default.late) == (0, 0)
    live.update(point)
    default.update(point)
    assert (live.late, default.late) == (1, 0)


def test_rebuilt_rows_per_window_stay_bounded(runways: pa.Table) -> None:
    """The work of each window is its new rows and the bounded tail, not the flight so far."""
    states = _flight(4.0, 1.0, 450.0)
    cut, whole = FlightBuilder(runways), FlightBuilder(runways, settle_rows=None)
    _live(states, cut)
    _live(states, whole)
    assert cut.flights().equals(whole.flights())
    assert cut.rebuilt_rows * 5 < whole.rebuilt_rows


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    hours=st.floats(1.0, 3.0),
    step_s=st.sampled_from([1.0, 4.0, 15.0]),
    cruise_kt=st.sampled_from([110.0, 200.0, 240.0, 460.0]),
    gap_min=st.sampled_from([0.0, 12.0, 45.0]),
    renamed=st.booleans(),
    no_flag=st.booleans(),
    heading=st.floats(0.0, 359.0),
    settle_rows=st.sampled_from([50, 200]),
    window_s=st.sampled_from([60, 300]),
    late_s=st.sampled_from([LIVE_LATE_S, LATE_S]),
)
def test_cut_flights_equal_bulk(
    runways: pa.Table,
    hours: float,
    step_s: float,
    cruise_kt: float,
    gap_min: float,
    renamed: bool,
    no_flag: bool,
    heading: float,
    settle_rows: int,
    window_s: int,
    late_s: float,
) -> None:
    """Whatever the speed (slow, near and above the fast aircraft's 250 kt), row rate,
    coverage gap, callsign change, onground flag or lateness horizon (the live stage's and
    the default), cut live flights equal bulk."""
    states = _flight(
        hours, step_s, cruise_kt, gap_min=gap_min, renamed=renamed, no_flag=no_flag,
        heading=heading,
    )  # fmt: skip
    builder = FlightBuilder(runways, settle_rows=settle_rows, late_s=late_s, quiet_s=late_s)
    _live(states, builder, window_s)
    assert builder.flights().equals(build_flights(states, runways=runways).sort_by(ORDER))


@pytest.mark.parametrize(
    "name",
    [
        "switzerland.json.gz",
        "calfire.json.gz",
        "alpi_italiane.json.gz",
        "noisy_time_issue.json.gz",
        "liguria.json.gz",
        "trace_full_ac671b.json",
    ],
)
@pytest.mark.parametrize("late_s", [LIVE_LATE_S, LATE_S])
def test_real_flights_cut_live_equal_bulk(
    trajectories: Path, runways: pa.Table, name: str, late_s: float
) -> None:
    """Real trajectories in 5-minute windows, cut every 100 rows held, with the live stage's
    lateness horizon and the default's: equal to bulk."""
    states = load_any(next(trajectories.rglob(name)))
    builder = FlightBuilder(runways, settle_rows=100, late_s=late_s, quiet_s=late_s)
    _live(states, builder, 300)
    assert builder.cuts > 0
    live, bulk = builder.flights(), build_flights(states, runways=runways).sort_by(ORDER)
    assert live.equals(bulk)
