"""Segmentation never loses or duplicates a point (hypothesis), and noise runs are absorbed."""

from __future__ import annotations

from typing import Any

import numpy as np
import pyarrow as pa
from hypothesis import given, settings
from hypothesis import strategies as st

from skywitness.flights import AirportIndex, build_flights
from skywitness.flights.builder import segment_points
from skywitness.flights.segment import Points, ground_state, points_from_table
from skywitness.stats import IngestStats

TS = pa.timestamp("ms", tz="UTC")

row = st.tuples(
    st.one_of(st.none(), st.sampled_from(["4ca123", "3C6444", "a0b1c2"])),  # icao24
    st.one_of(st.none(), st.integers(1_600_000_000_000, 1_600_000_000_000 + 30 * 3600_000)),
    st.one_of(st.none(), st.floats(48.5, 49.2)),  # lat: around Paris airports
    st.one_of(st.none(), st.floats(2.0, 2.8)),
    st.one_of(st.none(), st.floats(-500, 40_000)),  # altitude ft
    st.one_of(st.none(), st.floats(0, 550)),  # ground speed kt
    st.one_of(st.none(), st.booleans()),  # onground
)


def _table(rows: list[tuple[Any, ...]]) -> pa.Table:
    cols = list(zip(*rows, strict=True)) if rows else [()] * 7
    return pa.table(
        {
            "icao24": pa.array(cols[0], pa.string()),
            "timestamp": pa.array(cols[1], pa.int64()).cast(TS),
            "latitude": pa.array(cols[2], pa.float64()),
            "longitude": pa.array(cols[3], pa.float64()),
            "altitude": pa.array(cols[4], pa.float64()),
            "groundspeed": pa.array(cols[5], pa.float64()),
            "onground": pa.array(cols[6], pa.bool_()),
        }
    )


@settings(max_examples=150, deadline=None)
@given(st.lists(row, max_size=120))
def test_every_point_in_exactly_one_segment(rows: list[tuple[Any, ...]]) -> None:
    table = _table(rows)
    stats = IngestStats()
    p = points_from_table(table, stats)
    valid = [i for i, r in enumerate(rows) if r[0] is not None and r[1] is not None]
    assert sorted(p.row.tolist()) == valid  # nothing lost, nothing duplicated
    assert stats.rejected_total == len(rows) - len(valid)  # the rest counted, not dropped
    s = segment_points(p, AirportIndex.default())
    assert s.seg.shape == p.t.shape
    if len(p):
        assert s.seg[0] == 0 and np.all(np.diff(s.seg) >= 0) and np.all(np.diff(s.seg) <= 1)
        # a segment never spans two aircraft, and time never goes back inside one
        same = s.seg[1:] == s.seg[:-1]
        assert np.all(p.ac[1:][same] == p.ac[:-1][same])
        assert np.all(np.diff(p.t)[same] >= 0)
    flights = build_flights(table)
    # flights are the segments with airborne points that have a position: their rows add up
    placed = (s.ground == 0) & np.isfinite(p.lat) & np.isfinite(p.lon)
    airborne_segments = {int(x) for x in np.unique(s.seg[placed])}
    assert flights.num_rows == len(airborne_segments)
    per_seg = np.bincount(s.seg, minlength=int(s.seg.max()) + 1) if len(p) else np.zeros(0)
    assert sum(flights["n_positions"].to_pylist()) == sum(
        int(per_seg[k]) for k in airborne_segments
    )


def _points(t: list[int], og: list[int], lat: list[float] | None = None) -> Points:
    n = len(t)
    lat_ = np.array(lat if lat is not None else [47.45] * n)
    return Points(
        row=np.arange(n),
        ac=np.zeros(n, np.int64),
        icao24=np.array(["4b1814"], dtype=object),
        t=np.array(t, float),
        lat=lat_,
        lon=np.full(n, 8.56),
        alt=np.full(n, np.nan),
        gs=np.full(n, np.nan),
        trk=np.full(n, np.nan),
        vr=np.full(n, np.nan),
        onground=np.array(og, np.int8),
    )


def test_motionless_airborne_burst_is_ground() -> None:
    t = list(range(300))
    og = [1] * 100 + [0] * 100 + [1] * 100  # 100 s "airborne" without moving
    g = ground_state(_points(t, og), np.full(300, np.nan))
    assert g.tolist() == [1] * 300


def test_short_ground_flicker_in_flight_is_airborne() -> None:
    t = list(range(300))
    lat = list(np.linspace(47.0, 48.0, 300))
    og = [0] * 140 + [1] * 10 + [0] * 150
    g = ground_state(_points(t, og, lat), np.full(300, np.nan))
    assert g.tolist() == [0] * 300


def test_unknown_states_filled_from_neighbours() -> None:
    t = list(range(0, 600, 10))
    og = [-1] * 5 + [1] * 20 + [-1] * 10 + [1] * 25
    g = ground_state(_points(t, og), np.full(60, np.nan))
    assert g.tolist() == [1] * 60
