"""``rowarrays.group_tables``: a large build's groups of whole aircraft as slices of the rows
when they lie in few runs (the lake's (day, icao24, time) order of an ingest), the same rows in
the same order as the gather by ``aircraft_groups`` indices, which it still does otherwise."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pytest

from skywitness.flights import builds, rowarrays
from skywitness.flights.builder import build_flights
from skywitness.flights.builds import build_in_groups
from skywitness.flights.rowarrays import aircraft_group_of, aircraft_groups, group_tables
from skywitness.flights.stage import build_all

from .truth import load_any


def _lake_order(states: pa.Table) -> pa.Table:
    """``states`` as the lake holds them: by UTC day, then icao24, then time."""
    day = pc.floor_temporal(states["timestamp"], unit="day")
    t = states.append_column("day", day)
    keys = [("day", "ascending"), ("icao24", "ascending"), ("timestamp", "ascending")]
    return t.take(pc.sort_indices(t, sort_keys=keys)).drop_columns(["day"])


def _gathered(table: pa.Table, rows: int) -> list[pa.Table]:
    return [table.take(pa.array(idx)) for idx in aircraft_groups(table["icao24"], rows)]


@pytest.fixture(scope="module")
def calfire(trajectories: Path) -> pa.Table:
    return load_any(next(trajectories.rglob("calfire.json.gz")))


def test_lake_ordered_rows_are_sliced_not_gathered(calfire: pa.Table) -> None:
    states = _lake_order(calfire)
    days = len(set(pc.floor_temporal(states["timestamp"], unit="day").to_pylist()))
    rows = states.num_rows // 5
    group = aircraft_group_of(states["icao24"], rows)
    runs = 1 + int(np.count_nonzero(group[1:] != group[:-1]))
    assert days >= 2 and runs <= days * len(np.unique(group))  # a run per group and day
    parts = group_tables(states, group)
    want = _gathered(states, rows)
    assert len(parts) == len(want) >= 5
    assert all(p.equals(w) for p, w in zip(parts, want, strict=True))
    # slices: every buffer of a part lies in the input's (no row copied)
    base = {b.address for c in states.columns for ch in c.chunks for b in ch.buffers() if b}
    assert all(
        b.address in base for p in parts for c in p.columns for ch in c.chunks for b in ch.buffers()
        if b
    )  # fmt: skip


def test_rows_in_many_runs_are_gathered(calfire: pa.Table, monkeypatch: pytest.MonkeyPatch) -> None:
    rng = np.random.default_rng(18)
    shuffled = calfire.take(pa.array(rng.permutation(calfire.num_rows)))
    rows = calfire.num_rows // 5
    want = _gathered(shuffled, rows)
    parts = group_tables(shuffled, aircraft_group_of(shuffled["icao24"], rows))
    assert all(p.equals(w) for p, w in zip(parts, want, strict=True))
    # the lake's order too, gathered when its runs are over the limit: the same tables
    states = _lake_order(calfire)
    monkeypatch.setattr(rowarrays, "SLICED_RUNS_MAX", 1)
    parts = group_tables(states, aircraft_group_of(states["icao24"], rows))
    assert all(p.equals(w) for p, w in zip(parts, _gathered(states, rows), strict=True))


def test_a_build_in_sliced_groups_is_one_build(
    calfire: pa.Table, runways: pa.Table, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The flights of lake-ordered rows built in sliced groups are those built from gathered
    groups (the same tables), and those of one build."""
    from skywitness.flights.builder import airport_inference

    states = _lake_order(calfire)
    inference = airport_inference(runways, None)
    order = [("icao24", "ascending"), ("firstSeen", "ascending")]
    whole = build_flights(states, inference=inference).sort_by(order)
    monkeypatch.setattr(builds, "BUILD_ROWS", max(1, states.num_rows // 7))
    sliced = build_in_groups(states, inference, None)
    monkeypatch.setattr(rowarrays, "SLICED_RUNS_MAX", 0)
    assert sliced.equals(build_in_groups(states, inference, None))
    assert sliced.sort_by(order).equals(whole)
    assert build_all(states, inference).equals(whole)
