"""Cuts of several aircraft's flights in progress checked in one build (``flights.cutting``,
issue 18: a live step's cost is mostly fixed, and each cut's check is a build): aircraft within
``BATCH_NUM / BATCH_DEN`` of their cut's rows are cut along with one that is due. Fewer steps
build a check, and the flights still equal the bulk build's. A large window is built in groups
of whole aircraft (``BUILD_ROWS``), the same flights as one build. Also the vertical-rate median of
the flight ends (``ends._row_nanmedian``): numpy's ``nanmedian``, by a sort."""

from __future__ import annotations

import itertools
from pathlib import Path

import numpy as np
import pyarrow as pa
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from skywitness.flights import FlightBuilder, build_flights, builds, cutting
from skywitness.flights.builder import FlightTally
from skywitness.flights.ends import _row_nanmedian
from skywitness.flights.point_order import AircraftCodes
from skywitness.flights.rowarrays import aircraft_groups
from skywitness.runtime.flight_steps import LIVE_LATE_S

from .test_settle import ORDER, WINDOW_S, _flight
from .truth import load_any


def _aircraft(icao24: str, offset_s: float, heading: float) -> pa.Table:
    """``_flight`` (2 h, a row a second) of ``icao24`` first seen ``offset_s`` later."""
    t = _flight(2.0, 1.0, 450.0, heading=heading)
    ms = t["timestamp"].cast(pa.int64()).to_numpy() + round(offset_s * 1000)
    t = t.set_column(0, "timestamp", pa.array(ms).cast(pa.timestamp("ms", tz="UTC")))
    return t.set_column(1, "icao24", pa.array([icao24] * t.num_rows))


def _steps_with_cuts(
    states: pa.Table, builder: FlightBuilder, held: list[int] | None = None
) -> tuple[int, int]:
    """Feed ``states`` in 60 s windows: (steps that cut, builds made); ``held``: appended
    the most rows an aircraft holds after each step."""
    builds = 0
    build, build_tallied = builder._build, builder._build_tallied

    def counted(window: pa.Table, codes: AircraftCodes | None = None) -> pa.Table:
        nonlocal builds
        builds += 1
        return build(window, codes)

    def counted_tallied(
        window: pa.Table, codes: AircraftCodes | None = None
    ) -> tuple[pa.Table, FlightTally | None]:
        nonlocal builds
        builds += 1
        return build_tallied(window, codes)

    builder._build = counted  # type: ignore[method-assign]
    builder._build_tallied = counted_tallied  # type: ignore[method-assign]
    ms = np.asarray(states["timestamp"].cast(pa.int64()).to_numpy())
    order = np.argsort(ms, kind="stable")
    states, ms = states.take(pa.array(order)), ms[order]
    cutting_steps = 0
    edges = np.arange(ms[0], ms[-1] + WINDOW_S * 1000 + 1, WINDOW_S * 1000)
    for lo, hi in itertools.pairwise(edges):
        a, b = np.searchsorted(ms, [lo, hi])
        before = builder.cuts
        builder.update(states.slice(int(a), int(b - a)))
        cutting_steps += builder.cuts > before
        if held is not None:
            held.append(int(builder._held.max()))
    return cutting_steps, builds


def test_aircraft_nearly_due_are_cut_with_one_that_is_due(
    runways: pa.Table, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Four aircraft first seen 20 s apart, cut every 300 rows held: with the batch their
    cuts share steps (and check builds); one at a time (the fraction 1) each cuts on a step of
    its own. The same flights either way, the bulk build's."""
    states = pa.concat_tables([_aircraft(f"39bda{k}", 20.0 * k, 40.0 + 70 * k) for k in range(4)])
    bulk = build_flights(states, runways=runways).sort_by(ORDER)
    batched = FlightBuilder(runways, settle_rows=300)
    steps_b, builds_b = _steps_with_cuts(states, batched)
    monkeypatch.setattr(cutting, "BATCH_NUM", 1)
    monkeypatch.setattr(cutting, "BATCH_DEN", 1)
    alone = FlightBuilder(runways, settle_rows=300)
    steps_a, builds_a = _steps_with_cuts(states, alone)
    assert batched.flights().equals(bulk) and alone.flights().equals(bulk)
    assert batched.cuts >= 4 * 5 and alone.cuts >= 4 * 5
    assert 2 * steps_b <= steps_a and builds_b < builds_a


def test_a_step_cuts_at_most_its_budget_of_rows(
    runways: pa.Table, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Four aircraft due together (first seen 1 s apart), the rows a step may cut below two
    aircraft's (``CUT_ROWS``): each step cuts one of them, the others in the steps after, and
    the flights are still the bulk build's (the cuts are checked)."""
    states = pa.concat_tables([_aircraft(f"39bdb{k}", 1.0 * k, 30.0 + 80 * k) for k in range(4)])
    bulk = build_flights(states, runways=runways).sort_by(ORDER)
    together = FlightBuilder(runways, settle_rows=300)
    steps_t, _ = _steps_with_cuts(states, together)
    monkeypatch.setattr(cutting, "CUT_ROWS", 500)
    capped = FlightBuilder(runways, settle_rows=300)
    steps_c, _ = _steps_with_cuts(states, capped)
    assert together.flights().equals(bulk) and capped.flights().equals(bulk)
    assert capped.cuts == steps_c and capped.cuts >= 4 * 5  # one aircraft a cutting step
    assert together.cuts > steps_t  # uncapped, several aircraft a cutting step


def test_few_aircraft_wait_for_a_cut_that_pays(
    runways: pa.Table, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Four aircraft on the live stage's horizon (``LIVE_LATE_S``): due by their rows' span
    every few minutes each, out of step, they are cut only once their rows would pay for the
    cut's build (``CUT_MIN_ROWS``) or one holds ``settle_rows``: far fewer steps cut and fewer
    builds than cutting each as it falls due, every aircraft still held within its
    ``settle_rows`` and a window, and the flights the bulk build's either way."""
    states = pa.concat_tables([_aircraft(f"39bdc{k}", 45.0 * k, 20.0 + 85 * k) for k in range(4)])
    bulk = build_flights(states, runways=runways).sort_by(ORDER)
    waits = FlightBuilder(runways, late_s=LIVE_LATE_S, quiet_s=LIVE_LATE_S)
    held_w: list[int] = []
    steps_w, builds_w = _steps_with_cuts(states, waits, held_w)
    monkeypatch.setattr(cutting, "CUT_MIN_ROWS", 0)
    eager = FlightBuilder(runways, late_s=LIVE_LATE_S, quiet_s=LIVE_LATE_S)
    steps_e, builds_e = _steps_with_cuts(states, eager)
    assert waits.flights().equals(bulk) and eager.flights().equals(bulk)
    assert steps_w >= 5 and 3 * steps_w <= steps_e and builds_w < builds_e
    assert max(held_w) <= 1000 + WINDOW_S


@settings(max_examples=200, deadline=None)
@given(
    st.lists(st.integers(0, 2_000), min_size=0, max_size=40),
    st.integers(0, 2**40),
    st.integers(1, 5_000),
)
def test_within_budget_takes_the_due_with_most_rows_first(
    held: list[int], due_bits: int, budget: int
) -> None:
    h = np.array(held, dtype=np.int64)
    due = np.array([bool(due_bits >> i & 1) for i in range(h.size)], dtype=bool)
    got = cutting.within_budget(h, due, budget)
    assert np.array_equal(got, np.sort(got)) and np.unique(got).size == got.size
    if h.size == 0:
        assert got.size == 0
        return
    assert got.size >= 1 and (got.size == 1 or h[got].sum() <= budget)
    left = np.setdiff1d(np.arange(h.size), got)

    # nothing left out ranks before something taken (due first, then more rows)
    def rank(i: int) -> tuple[bool, int]:
        return (not due[i], -int(h[i]))

    assert all(rank(i) >= rank(j) for i in left for j in got)


@settings(max_examples=300, deadline=None)
@given(
    hnp.arrays(
        np.float64,
        st.tuples(st.integers(1, 30), st.integers(1, 9)),
        elements=st.floats(allow_nan=True, allow_infinity=True, width=64)
        | st.sampled_from([np.nan, 0.0, -0.0, 1500.0]),
    )
)
def test_the_row_median_is_numpys(v: np.ndarray) -> None:
    has = (~np.isnan(v)).any(axis=1)
    rows = v[has]
    with np.errstate(invalid="ignore", over="ignore"):
        want = np.nanmedian(rows, axis=1) if rows.size else np.zeros(0)
        got = _row_nanmedian(rows)
    assert np.array_equal(got, want, equal_nan=True)


@pytest.mark.parametrize("name", ["switzerland.json.gz", "calfire.json.gz"])
def test_a_large_window_built_in_groups_of_aircraft_is_one_build(
    trajectories: Path, runways: pa.Table, monkeypatch: pytest.MonkeyPatch, name: str
) -> None:
    """A window over ``BUILD_ROWS`` rows is built in groups of whole aircraft (#17 item 12:
    the temporaries of one build over 1.2M rows): the same table, in the same order."""
    states = load_any(next(trajectories.rglob(name)))
    builder = FlightBuilder(runways)
    whole = builder._build(states)
    monkeypatch.setattr(builds, "BUILD_ROWS", max(1, states.num_rows // 7))
    groups = aircraft_groups(states["icao24"], builds.BUILD_ROWS)
    assert len(groups) >= 3
    assert np.array_equal(np.sort(np.concatenate(groups)), np.arange(states.num_rows))
    assert builder._build(states).equals(whole)
    assert whole.equals(build_flights(states, runways=runways))
