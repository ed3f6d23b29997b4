"""The flights stage's fast paths give what the plain computation gives, on real-derived input.

Each shortcut of the stage (issue 18: CPU per state vector) is held to the computation it
replaced, over a large mixed input built from the shared quickstart and switzerland samples:

- rows already in (aircraft, time) order (a lake's day) are not sorted or gathered, rows in
  time order are sorted by 16-bit aircraft codes, rows without time or address are left out:
  the same flights, every column, whichever way the same rows come;
- gap bridging searches the airports near a gap first and the whole reach only where none
  allows a landing: the same answer as one search of the whole reach, for every gap;
- a point's nearest positioned neighbours, looked up for the points asked about, are the
  running maximum / minimum the stage computed for every point before;
- callsigns per flight, counted over runs of one word, are a plain count of every row;
- each flight's first/last airborne point, top speed and longest silence, taken over runs,
  are the unbuffered ``ufunc.at`` reductions over every point.
"""

from __future__ import annotations

from collections import Counter
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pytest

from skywitness.flights import AirportIndex, build_flights, gaps
from skywitness.flights.builder import _flights_of, _per_flight_stats, segment_points
from skywitness.flights.columns import per_flight_strings
from skywitness.flights.ends import Positioned
from skywitness.flights.segment import points_from_table
from skywitness.stats import IngestStats
from skywitness.store import load_traffic_json

COPIES = 2  # copies of quickstart + switzerland (~850k rows), each its own aircraft


def _same(a: pa.Table, b: pa.Table) -> None:
    """Equal flights tables, NaN equal to NaN (``repr`` of every value: bit-exact floats),
    in flight_id order (flights come in the order their aircraft first appear)."""
    assert a.schema == b.schema
    a, b = (t.take(pc.sort_indices(t["flight_id"])) for t in (a, b))
    for name in a.column_names:
        assert repr(a[name].to_pylist()) == repr(b[name].to_pylist()), name


@pytest.fixture(scope="module")
def mixed(quickstart: pa.Table, trajectories: Path) -> pa.Table:
    """Quickstart and switzerland, ``COPIES`` times with shifted addresses, in time order, made
    as raw as a receiver's: positions missing on 30 % of rows (altitude and velocity
    messages), callsigns padded, blank, missing or another flight's now and then, and the
    second copy silent 25 minutes in every 100 (airborne gaps to bridge or not)."""
    swiss = load_traffic_json(trajectories / "collections" / "switzerland.json.gz")
    base = pa.concat_tables([quickstart, swiss])
    addr = np.array([int(a, 16) for a in base["icao24"].to_pylist()], dtype=np.int64)
    sec = pc.cast(base["timestamp"], pa.int64()).to_numpy() // 1000
    parts = []
    for k in range(COPIES):
        icao = pa.array([f"{a:06x}" for a in (addr + k * 0x010101) % (1 << 24)], pa.string())
        part = base.set_column(base.schema.get_field_index("icao24"), "icao24", icao)
        parts.append(part.filter(pa.array((sec // 1500) % 4 != 1)) if k % 2 else part)
    table = pa.concat_tables(parts)
    table = table.take(pc.sort_indices(table["timestamp"]))
    rng = np.random.default_rng(18)
    n = table.num_rows
    hide = pa.array(rng.random(n) < 0.3)
    for name in ("latitude", "longitude"):
        i = table.schema.get_field_index(name)
        table = table.set_column(
            i, name, pc.if_else(hide, pa.scalar(None, pa.float64()), table[name])
        )
    words = table["callsign"].to_pylist()
    pool = sorted({w for w in words if w})
    draw = rng.random(n)
    other = rng.integers(0, len(pool), n)
    words = [
        pool[o] if r < 0.002 else f" {w} " if w and r < 0.05 else
        "  " if r > 0.995 else None if r > 0.99 else w
        for w, r, o in zip(words, draw, other, strict=True)
    ]  # fmt: skip
    return table.set_column(
        table.schema.get_field_index("callsign"), "callsign", pa.array(words, pa.string())
    )


def test_rows_in_any_order_or_with_bad_rows_give_the_same_flights(
    mixed: pa.Table, runways: pa.Table
) -> None:
    timed = build_flights(mixed, runways=runways)
    assert timed.num_rows > 2 * 1400
    lake = mixed.take(pc.sort_indices(mixed, [("icao24", "ascending"), ("timestamp", "ascending")]))
    _same(build_flights(lake, runways=runways), timed)
    # rows without time or address (left out, counted) and upper-case addresses
    n = 5000
    junk = mixed.slice(0, n)
    junk = junk.set_column(0, "timestamp", pa.nulls(n, junk.schema.field("timestamp").type))
    upper = mixed.set_column(
        mixed.schema.get_field_index("icao24"), "icao24", pc.utf8_upper(mixed["icao24"])
    )
    stats = IngestStats()
    _same(build_flights(pa.concat_tables([junk, upper]), runways=runways, stats=stats), timed)
    assert stats.rejected_total == n


def test_nearest_airports_first_is_the_whole_search(monkeypatch: pytest.MonkeyPatch) -> None:
    rng = np.random.default_rng(12)
    n = 6_000
    lat1, lon1 = rng.uniform(35, 60, n), rng.uniform(-10, 30, n)
    # the other side up to ~300 km away, after a silence of 10 min to 6 h
    lat2, lon2 = lat1 + rng.normal(0, 1.5, n), lon1 + rng.normal(0, 2.0, n)
    dt = rng.uniform(600, 6 * 3600, n)
    alt1, alt2 = rng.uniform(0, 40_000, n), rng.uniform(0, 40_000, n)
    speed = np.where(rng.random(n) < 0.1, np.nan, rng.uniform(40, 500, n))
    rate = rng.uniform(0, 4000, n)
    kind = rng.integers(0, 8, n).astype(np.int8)
    args = (dt, lat1, lon1, alt1, lat2, lon2, alt2, speed, rate)
    apts = AirportIndex.default()
    staged = gaps.could_have_landed(apts, *args, kind=kind)
    monkeypatch.setattr(gaps, "FIRST_LOOK_M", 1e12)  # one search of the whole reach
    whole = gaps.could_have_landed(apts, *args, kind=kind)
    assert 0.1 < staged.mean() < 0.9  # both answers are common
    assert np.array_equal(staged, whole)


def _neighbours(ac: Any, has: Any) -> tuple[Any, Any]:
    """Per point, the last positioned point at or before it and the first at or after it,
    of its aircraft (-1 none): running maximum / minimum over every point."""
    n = ac.shape[0]
    idx = np.arange(n)
    before = np.maximum.accumulate(np.where(has, idx, -1))
    after = np.minimum.accumulate(np.where(has, idx, n)[::-1])[::-1]
    before = np.where((before >= 0) & (ac[np.maximum(before, 0)] == ac), before, -1)
    ok = (after < n) & (ac[np.minimum(after, n - 1)] == ac)
    return before, np.where(ok, after, -1)


def test_positioned_lookup_is_the_running_extremes(mixed: pa.Table) -> None:
    p = points_from_table(mixed)
    has = np.isfinite(p.lat) & np.isfinite(p.lon)
    assert 0.2 < has.mean() < 0.9  # many rows without a position
    before, after = _neighbours(p.ac, has)
    pos = Positioned.of(p)
    every = np.arange(len(p))
    assert np.array_equal(pos.before(every), before)
    assert np.array_equal(pos.after(every), after)
    none = Positioned(np.zeros(0, np.int64), p.ac[:10])
    assert none.before(np.arange(10)).tolist() == [-1] * 10


def test_runs_are_the_per_point_reductions(mixed: pa.Table, runways: pa.Table) -> None:
    p = points_from_table(mixed)
    s = segment_points(p, AirportIndex.default())
    air = s.ground == 0
    fid, fl_first, fl_last, fa, la = _flights_of(p, s.seg, air)
    nfl = fl_first.shape[0]
    # first/last airborne point per flight, and rows
    flight_seg = s.seg[fl_first]
    first_air = np.full(int(s.seg[-1]) + 1, len(p))
    last_air = np.full(int(s.seg[-1]) + 1, -1)
    idx = np.arange(len(p))
    np.minimum.at(first_air, s.seg[air], idx[air])
    np.maximum.at(last_air, s.seg[air], idx[air])
    assert np.array_equal(fa, first_air[flight_seg])
    assert np.array_equal(la, last_air[flight_seg])
    vmax, longest, bridged, n_pos = _per_flight_stats(p, s.seg, fid, air, fl_first, fl_last)
    on = fid >= 0
    top = np.full(nfl, -np.inf)
    np.fmax.at(top, fid[on], p.gs[on])
    top[~np.isfinite(top)] = np.nan
    dt = np.r_[0.0, np.diff(p.t)]
    inside = np.r_[False, s.seg[1:] == s.seg[:-1]] & on
    silence = np.zeros(nfl)
    np.maximum.at(silence, fid[inside], dt[inside])
    assert np.array_equal(vmax, top, equal_nan=True)
    assert np.array_equal(longest, silence)
    assert np.array_equal(n_pos, np.bincount(fid[on], minlength=nfl))
    assert int(bridged.sum()) > 0


def test_callsigns_over_runs_are_a_count_of_every_row(mixed: pa.Table) -> None:
    p = points_from_table(mixed)
    s = segment_points(p, AirportIndex.default())
    fid, fl_first, *_ = _flights_of(p, s.seg, s.ground == 0)
    nfl = fl_first.shape[0]
    best, lists = per_flight_strings(mixed, "callsign", p.row, fid, nfl)
    words = np.array(mixed["callsign"].to_pylist(), dtype=object)[p.row]
    seen: list[list[str]] = [[] for _ in range(nfl)]
    counts: list[Counter[str]] = [Counter() for _ in range(nfl)]
    for f, w in zip(fid.tolist(), words.tolist(), strict=True):
        w = (w or "").strip()
        if f >= 0 and w:
            counts[f][w] += 1
            if w not in seen[f]:
                seen[f].append(w)
    # most frequent, ties to the first seen
    want = [max(s_, key=c.__getitem__) if s_ else None for s_, c in zip(seen, counts, strict=True)]
    assert lists.to_pylist() == seen
    assert best.to_pylist() == want
    assert sum(len(x) > 1 for x in seen) > 10  # flights with several callsigns
