"""Segmentation of state vectors into per-aircraft segments (flights and ground-only stays).

Pure functions over arrays sorted by (aircraft, time). Each point is ground or airborne: from
``onground`` where present, else from speed and altitude above the nearest airport (and never
ground when reached from the previous fix faster than taxiing); an unknown state is taken from
a known one at most ``FILL_MAX_S`` away. Short or motionless runs are noise and take the state
of the surrounding runs of the same session (no silence over ``AIR_GAP_S``), so a glitch
neither makes nor breaks a flight; a short run that covered the ground its speed says (a short
final) is flight. Segments are cut inside a ground stay between two airborne runs (at its
longest silence, where the aircraft was parked), at silences over ``GROUND_SPLIT_GAP_S`` next
to a ground point, at silences next to an airborne point longer than the aircraft's endurance
(by its kind where known, else by its speed) or followed by a new callsign, and at airborne
gaps the gap-bridging rule says could hide a landing. Every point gets exactly one segment id.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt
import pyarrow as pa
import pyarrow.compute as pc

from ..decode.hexio import numeric_column
from ..model import RejectReason
from ..runs import run_stops
from ..stats import IngestStats
from .kinds import KIND_ENDURANCE_S, Kinds, kinds_of, per_kind
from .point_order import AircraftCodes, aircraft_codes, point_order
from .rowarrays import as_int64, run_heads, run_tails

F8 = npt.NDArray[np.float64]
I8 = npt.NDArray[np.int64]
I1 = npt.NDArray[np.int8]
B1 = npt.NDArray[np.bool_]

GROUND_SPEED_MAX_KT = 60.0  # without onground: slower than this and low is on the ground
GROUND_ALT_MARGIN_FT = 500.0  # without onground: within this of airport elevation is low
MIN_AIR_RUN_S = 60.0  # a shorter airborne run between ground runs is noise
MIN_AIR_RUN_EXTENT_M = 1500.0  # an airborne run that moves less than this is noise
FLOWN_FRACTION = 0.5  # a run covering this share of speed x duration really moved
MIN_FLOWN_EXTENT_M = 300.0  # ... and at least this far
MIN_GROUND_RUN_S = 30.0  # a shorter ground run between airborne runs is noise
AIR_GAP_S = 600.0  # airborne silence longer than this is a coverage gap (bridging decides)
FILL_MAX_S = AIR_GAP_S  # an unknown state is taken from a known one at most this far, s
GROUND_SPLIT_GAP_S = 6 * 3600.0  # ground silence longer than this always ends a segment
ENDURANCE_S = 20 * 3600.0  # longest flight without landing (the longest airliner routes), s
SLOW_ENDURANCE_S = 10 * 3600.0  # same for an aircraft slower than FAST_KT (light, glider...)
FAST_KT = 250.0  # ground speed above which an aircraft is an airliner or jet, kt
MIN_TURNAROUND_S = 15 * 60.0  # shortest stop on the ground between two flights, s
MOVED_MAX_DT_S = 300.0  # straight-line speed between fixes at most this far apart, s
M_PER_DEG = 111_195.0  # metres per degree of latitude
KT_TO_MPS = 1852.0 / 3600.0


@dataclass(slots=True)
class Points:
    """State vectors sorted by (aircraft, time); ``row`` maps back to the input table."""

    row: I8
    ac: I8  # aircraft code: index into ``icao24``
    icao24: npt.NDArray[Any]  # object array of 6-hex strings, one per aircraft code
    t: F8  # unix seconds UTC
    lat: F8
    lon: F8
    alt: F8  # barometric ft
    gs: F8  # kt
    trk: F8  # deg
    vr: F8  # ft/min
    onground: I1  # 1 ground, 0 airborne, -1 unknown
    callsign: pa.ChunkedArray | pa.Array | None = None  # the table's column (index by ``row``)
    kind: I1 | None = None  # per aircraft code: ``flights.kinds.Kind`` (None: none known)

    def __len__(self) -> int:
        return int(self.t.shape[0])


def _floats(table: pa.Table, name: str) -> F8:
    if name not in table.column_names:
        return np.full(table.num_rows, np.nan)
    return np.asarray(_as(table[name], pa.float64()).to_numpy(zero_copy_only=False), np.float64)


def _as(col: pa.ChunkedArray, typ: pa.DataType) -> pa.ChunkedArray:
    """``pc.cast(col, typ)``, without the call where ``col`` is of that type already (a live
    step's columns are: ten casts a build that only cost their dispatch)."""
    return col if col.type == typ else pc.cast(col, typ)


def points_from_table(
    table: pa.Table,
    stats: IngestStats | None = None,
    kinds: Kinds | None = None,
    *,
    codes: AircraftCodes | None = None,
) -> Points:
    """Canonical state table -> sorted Points. Rows without time or address are counted as
    rejects (BAD_RECORD) in ``stats`` and left out; ``kinds``: the aircraft kinds known;
    ``codes``: the rows' ``aircraft_codes`` where the caller has them (an ingest's build in
    groups: coded once for all groups)."""
    n = table.num_rows
    ts_ms = as_int64(_as(table["timestamp"], pa.timestamp("ms", tz="UTC")))
    icao_col = table["icao24"]  # (the addresses dictionary-encoded: coded as they are)
    if not pa.types.is_dictionary(icao_col.type):
        icao_col = _as(icao_col, pa.string())
    if ts_ms.null_count or icao_col.null_count:
        valid = pc.and_(pc.is_valid(ts_ms), pc.is_valid(icao_col))
        valid_np = np.asarray(pc.fill_null(valid, False).to_numpy(zero_copy_only=False), bool)
    else:  # (a live window's rows: checked when they came)
        valid_np = np.ones(n, dtype=bool)
    bad = int(n - valid_np.sum())
    if bad and stats is not None:
        stats.reject(RejectReason.BAD_RECORD, "flights", count=bad, detail="no time or icao24")
    code, names = codes or aircraft_codes(icao_col)
    ms_col = pc.fill_null(ts_ms, 0) if ts_ms.null_count else ts_ms
    ms = np.asarray(ms_col.to_numpy(zero_copy_only=False), dtype=np.int64)
    if "onground" in table.column_names:
        og = pc.fill_null(pc.cast(table["onground"], pa.int8()), -1)
        onground = np.asarray(og.to_numpy(zero_copy_only=False), dtype=np.int8)
    else:
        onground = np.full(n, -1, dtype=np.int8)
    rows = np.flatnonzero(valid_np) if bad else None
    order = point_order(ms, code, rows, names.shape[0])

    def take(x: npt.NDArray[Any]) -> npt.NDArray[Any]:
        # rows already in (aircraft, time) order (a lake's day): no gather, a writable copy
        if order is None:
            return x if x.flags.writeable else x.copy()
        return x[order]

    # renumber aircraft codes densely (sorted by code, so a new code starts each aircraft)
    sc = take(code)
    new = run_heads(sc)
    ac = np.cumsum(new) - 1
    used = sc[new]

    def col(name: str) -> F8:
        return take(_floats(table, name))

    return Points(
        row=np.arange(n, dtype=np.int64) if order is None else order,
        ac=ac.astype(np.int64),
        icao24=names[used],
        t=take(ms) / 1e3,
        lat=col("latitude"),
        lon=col("longitude"),
        alt=col("altitude"),
        gs=col("groundspeed"),
        trk=col("track"),
        vr=col("vertical_rate"),
        onground=take(onground),
        callsign=table["callsign"] if "callsign" in table.column_names else None,
        kind=kinds_of(names[used], kinds) if kinds else None,
    )


def callsigns_at(p: Points, idx: I8) -> npt.NDArray[Any]:
    """Trimmed callsign of points ``idx`` ("" where none)."""
    if p.callsign is None or idx.size == 0:
        return np.full(idx.shape[0], "", dtype=object)
    # the rows taken first, then made text (not the whole column: a dictionary's 1M rows on
    # an ingest); the indices over their own bytes (``pa.array`` of numpy imports numpy.ma)
    col = pc.cast(pc.take(p.callsign, numeric_column(p.row[idx], pa.int64())), pa.string())
    words = pc.fill_null(pc.utf8_trim_whitespace(col), "").to_pylist()
    return np.array(words, dtype=object)


def moved_kt(p: Points, idx: I8) -> F8:
    """For points ``idx``, the straight-line speed (kt) from the previous point of the same
    aircraft with a position, if that fix is at most MOVED_MAX_DT_S old; NaN elsewhere."""
    out = np.full(idx.shape[0], np.nan)
    if idx.size == 0:
        return out
    has = np.isfinite(p.lat) & np.isfinite(p.lon)
    before = np.maximum.accumulate(np.where(has, np.arange(len(p)), -1))
    a = before[np.maximum(idx - 1, 0)]
    ok = (idx > 0) & (a >= 0) & has[idx]
    a = np.maximum(a, 0)
    dt = p.t[idx] - p.t[a]
    ok &= (p.ac[a] == p.ac[idx]) & (dt > 0) & (dt <= MOVED_MAX_DT_S)
    coslat = np.cos(np.radians(p.lat[a]))
    m = np.hypot(p.lat[idx] - p.lat[a], (p.lon[idx] - p.lon[a]) * coslat) * M_PER_DEG
    out[ok] = m[ok] / dt[ok] / KT_TO_MPS
    return out


def raw_ground_state(p: Points, ground_elev_ft: F8) -> I1:
    """1 ground / 0 airborne / -1 unknown per point, before noise removal.

    ``ground_elev_ft`` is the elevation of the nearest airport (NaN where none is near).
    """
    g = p.onground.copy()
    unknown = g < 0
    agl = p.alt - ground_elev_ft
    low = np.isnan(p.alt) | (np.isfinite(agl) & (agl < GROUND_ALT_MARGIN_FT))
    slow = p.gs < GROUND_SPEED_MAX_KT
    # far from any airport is airborne; without a position nothing says where the point is
    placed = np.isfinite(p.lat) & np.isfinite(p.lon)
    high = np.isfinite(agl) & (agl >= GROUND_ALT_MARGIN_FT) | (
        np.isnan(ground_elev_ft) & ~low & placed
    )
    # a point reached from the previous fix faster than any taxiing is not on the ground,
    # whatever the reported speed (a helicopter slowing down low over an airport)
    fast = p.gs >= GROUND_SPEED_MAX_KT
    cand = np.flatnonzero(unknown & slow & low)
    jump = cand[moved_kt(p, cand) >= GROUND_SPEED_MAX_KT]
    fast[jump] = True
    g[unknown & slow & low & ~fast] = 1
    g[unknown & (fast | high)] = 0
    return g


def _fill(g: I1, ac: I8, t: F8) -> I1:
    """Unknown states take the previous known state of the aircraft, else the next, from at
    most FILL_MAX_S away (never the state of a point hours earlier); else 0."""
    if not (g < 0).any():  # every state known (an onground flag on every row): nothing to fill
        return g.astype(np.int8)
    n = g.shape[0]
    idx = np.arange(n)
    start = run_heads(ac)
    ac_start = np.maximum.accumulate(np.where(start, idx, 0)) if n else idx
    prev = np.maximum.accumulate(np.where(g >= 0, idx, -1)) if n else idx
    pc_ = np.maximum(prev, 0)
    ok = (g < 0) & (prev >= ac_start) & (t - t[pc_] <= FILL_MAX_S)
    out = np.where(ok, g[pc_], g)
    end = run_tails(ac)
    ac_end = np.minimum.accumulate(np.where(end, idx, n)[::-1])[::-1] if n else idx
    nxt = np.minimum.accumulate(np.where(g >= 0, idx, n)[::-1])[::-1] if n else idx
    nc = np.minimum(nxt, n - 1)
    ok = (out < 0) & (nxt <= ac_end) & (t[nc] - t <= FILL_MAX_S)
    out = np.where(ok, g[nc], out)
    return np.where(out < 0, 0, out).astype(np.int8)


def _run_bounds(new: B1, g: I1) -> tuple[I8, I8]:
    """First and last point index per run: runs of equal state ``g`` within the groups
    (sessions, stretches) that ``new`` starts."""
    n = g.shape[0]
    first = np.flatnonzero(new | run_heads(g))
    last = run_stops(first, n) - 1
    return first.astype(np.int64), last.astype(np.int64)


def ground_state(p: Points, ground_elev_ft: F8) -> I1:
    """Ground (1) / airborne (0) per point after filling unknowns and removing noise runs."""
    g = _fill(raw_ground_state(p, ground_elev_ft), p.ac, p.t)
    if not g.size:
        return g
    # runs are judged within sessions: an aircraft's points without a silence longer than
    # AIR_GAP_S (a run never spans hours of silence, nor takes the state of a point before one)
    new_sess = run_heads(p.ac)
    new_sess[1:] |= np.diff(p.t) > AIR_GAP_S
    first, last = _run_bounds(new_sess, g)
    state = g[first]
    dur = p.t[last] - p.t[first]
    # extent of a run: the farthest of its last point and its bounding box corner from its first
    # (fmax/fmin skip NaN: a run without any position has no extent)
    lat_rng = np.nan_to_num(np.fmax.reduceat(p.lat, first) - np.fmin.reduceat(p.lat, first))
    lon_rng = np.nan_to_num(np.fmax.reduceat(p.lon, first) - np.fmin.reduceat(p.lon, first))
    coslat = np.cos(np.radians(np.nan_to_num(p.lat[first])))
    extent = np.hypot(np.clip(lat_rng, 0, 10), np.clip(lon_rng, 0, 10) * coslat) * 111_195.0
    # a short airborne run that covered the ground its reported speed says (a short final seen
    # for the last 20 s) is flight, not noise: noise bursts hardly move whatever they report
    gs_ok = np.isfinite(p.gs)
    n_gs = np.add.reduceat(gs_ok.astype(np.float64), first)
    mean_gs = np.add.reduceat(np.where(gs_ok, p.gs, 0.0), first) / np.maximum(n_gs, 1)
    flown = (
        (n_gs > 0)
        & (mean_gs >= GROUND_SPEED_MAX_KT)
        & (extent >= FLOWN_FRACTION * mean_gs * KT_TO_MPS * dur)
        & (extent >= MIN_FLOWN_EXTENT_M)
    ) | ((first == last) & (mean_gs >= GROUND_SPEED_MAX_KT))  # one point: its speed says
    run_ac = np.cumsum(new_sess[first])  # session of each run
    nr = first.shape[0]
    idx = np.arange(nr)
    # a run at the edge of a session may be cut short by coverage: only a motionless airborne
    # run there is noise
    edge = run_heads(run_ac) | run_tails(run_ac)
    short = np.where(
        state == 1,
        (dur < MIN_GROUND_RUN_S) & ~edge,
        ((dur < MIN_AIR_RUN_S) & ~edge) | ((extent < MIN_AIR_RUN_EXTENT_M) & ~flown),
    )
    if not short.any():
        return g
    ac_start = np.maximum.accumulate(np.where(run_heads(run_ac), idx, 0))
    prev_long = np.maximum.accumulate(np.where(~short, idx, -1))
    new_state = np.where(short & (prev_long >= ac_start), state[np.maximum(prev_long, 0)], state)
    # short runs at an aircraft's start take the next long run's state
    ac_end = np.minimum.accumulate(np.where(run_tails(run_ac), idx, nr)[::-1])[::-1]
    next_long = np.minimum.accumulate(np.where(~short, idx, nr)[::-1])[::-1]
    lead = short & (prev_long < ac_start) & (next_long <= ac_end)
    new_state = np.where(lead, state[np.minimum(next_long, nr - 1)], new_state)
    return np.repeat(new_state, last - first + 1).astype(np.int8)


GapDecider = Callable[[I8, I8], B1]


def split_segments(p: Points, ground: I1, same_flight: GapDecider) -> I8:
    """Segment id per point (0, 1, ... in point order).

    ``same_flight(before, after)`` gets the point indices around each airborne gap and returns
    True where the two sides are one flight.
    """
    n = len(p)
    if n == 0:
        return np.zeros(0, dtype=np.int64)
    new_ac = run_heads(p.ac)
    dt = np.empty(n)
    dt[0] = np.inf
    np.subtract(p.t[1:], p.t[:-1], out=dt[1:])
    dt[new_ac] = np.inf
    cut = new_ac.copy()
    # runs after a silence of GROUND_SPLIT_GAP_S belong to a new stretch of the aircraft's data:
    # a ground stay is "between" two airborne runs only within one stretch
    new_stretch = new_ac | (dt > GROUND_SPLIT_GAP_S)
    first, last = _run_bounds(new_stretch, ground)
    state = ground[first]
    run_ac = np.cumsum(new_stretch[first])  # stretch of each run
    prev_air = np.concatenate(([False], (run_ac[1:] == run_ac[:-1]) & (state[:-1] == 0)))
    next_air = np.concatenate(((run_ac[1:] == run_ac[:-1]) & (state[1:] == 0), [False]))
    between = (state == 1) & prev_air & next_air
    # a ground stay between two airborne runs ends one flight and starts the next: cut at its
    # longest silence (parked) — which may be the one just before the next airborne point
    # (parked in the evening, first heard airborne next morning: the flight starts airborne,
    # its takeoff unobserved); a one-point stay stays with the landing
    stays = np.flatnonzero(between & (first != last))
    # every point of a stay but its first (a run is of one state, and a new aircraft or
    # stretch starts a run), and the point after it
    size = last[stays] - first[stays]
    k = np.repeat(np.arange(stays.shape[0]), size)
    inner = first[stays][k] + 1 + np.arange(k.shape[0]) - (np.cumsum(size) - size)[k]
    inner_run = stays[k]
    cand = np.concatenate((inner, last[stays] + 1))
    cand_run = np.concatenate((inner_run, stays))
    if cand.size:
        order = np.lexsort((-dt[cand], cand_run))
        c, r = cand[order], cand_run[order]
        firsts = c[run_heads(r)]
        cut[firsts] = True
    single = np.flatnonzero(between & (first == last))
    cut[np.minimum(last[single] + 1, n - 1)] = True
    # the silences: the rules below only look at points after one (a new aircraft's first
    # point is cut already)
    quiet = np.flatnonzero((dt > AIR_GAP_S) & ~new_ac)
    g_now, g_before = ground[quiet], ground[quiet - 1]
    # a silence longer than GROUND_SPLIT_GAP_S next to a ground point: on the ground, between
    # parking and the first airborne point, or between the last airborne point and a ground
    # point hours later (its landing is not seen: the live builder has forgotten the flight
    # by then, and both paths must agree)
    by_ground = (g_now == 1) | (g_before == 1)
    cut[quiet[by_ground & (dt[quiet] > GROUND_SPLIT_GAP_S)]] = True
    # a silence next to an airborne point longer than the aircraft can stay up (its endurance,
    # by how fast it flies), or after which it flies under another callsign, ends the flight:
    # the ground point days later is not its landing
    at = (g_now == 0) | (g_before == 0)
    silent = quiet[at]
    if silent.size:
        kt = np.fmax(p.gs[silent - 1], p.gs[silent])
        endurance = np.where(kt < FAST_KT, SLOW_ENDURANCE_S, ENDURANCE_S)
        # the aircraft's kind, where known, says better than its speed (a helicopter: 5 h)
        kind = None if p.kind is None else p.kind[p.ac[silent]]
        own = per_kind(KIND_ENDURANCE_S, kind, silent.size)
        endurance = np.where(np.isfinite(own), own, endurance)
        cs0, cs1 = callsigns_at(p, silent - 1), callsigns_at(p, silent)
        renamed = (cs0 != "") & (cs1 != "") & (cs0 != cs1)
        # (a new callsign after an airborne gap shorter than a turnaround is a renaming in
        # flight: no landing fits in it)
        grounded = by_ground[at] | (dt[silent] > MIN_TURNAROUND_S)
        cut[silent] |= (dt[silent] > endurance) | (renamed & grounded)
    # airborne gaps: bridging decides
    gap = quiet[(g_now == 0) & (g_before == 0)]
    if gap.size:
        cut[gap] |= ~same_flight(gap - 1, gap)
    return (np.cumsum(cut) - 1).astype(np.int64)
