"""Flights from state vectors in one pass: ``build_flights`` (and ``ground_stays``).

The composition of the flights stage: points -> ground state -> segments (with gap bridging)
-> flight ends -> airport inference -> one Arrow row per flight (FLIGHT_SCHEMA). The
incremental ``FlightBuilder`` (``incremental.py``) calls ``build_flights`` on the points of the
aircraft whose data changed; ``bridge.py`` reuses ``segment_points``.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
import pyarrow as pa
import pyarrow.compute as pc

from ..stats import IngestStats
from .airports import AirportIndex, RunwayIndex, bearing_deg
from .gaps import same_flight
from .infer import (
    ESTIMATED_RADIUS_M,
    OBSERVED_RADIUS_M,
    AirportInference,
    Attribution,
    FlightEnds,
    RunwayAwareInference,
)
from .schema import ALTERNATIVE, FLIGHT_SCHEMA
from .segment import (
    AIR_GAP_S,
    GROUND_SPEED_MAX_KT,
    Points,
    ground_state,
    points_from_table,
    split_segments,
)

F8 = npt.NDArray[np.float64]
I8 = npt.NDArray[np.int64]
B1 = npt.NDArray[np.bool_]

ELEVATION_RADIUS_M = 10_000.0  # airport elevation used for points within this distance
GROUND_SAMPLES = 16  # ground points per observed end used for attribution
TRANSITION_MAX_GAP_S = 120.0  # a takeoff/landing is timed only if seen within this
DIRECTION_POINTS = 5  # direction of motion from this many points back/forward
VR_WINDOW_S = 90.0  # vertical rate of an end: points within this of its first/last point, s
WINDOW_APPROACH_KT = 120.0  # slow approach speed bounding an estimated arrival window
WINDOW_DESCENT_FPM = 1_000.0  # slow descent bounding an estimated arrival window
KT_TO_MPS = 1852.0 / 3600.0
MIN_CONFIDENCE = 0.1  # an end whose best airport is less sure than this is shown unknown
INFERENCE_CACHE_SIZE = 4  # (airports, runways) pairs whose inference is kept

_INFERENCE_CACHE: dict[tuple[int, int], tuple[AirportIndex, pa.Table, RunwayAwareInference]] = {}


@dataclass(slots=True)
class Segmented:
    """Points with their ground state and segment ids (the input of flight assembly)."""

    points: Points
    ground: npt.NDArray[np.int8]
    seg: I8
    before: I8  # per point, the last point at or before it with a position (-1: none)
    after: I8  # per point, the first point at or after it with a position (-1: none)


def airport_inference(
    runways: pa.Table | None, airports: AirportIndex | None
) -> RunwayAwareInference:
    """Airport inference over ``airports`` (default: airportsdata) and ``runways``: with
    runways, airports listed far from their runways are first moved onto them."""
    apts = airports or AirportIndex.default()
    if runways is None:
        return RunwayAwareInference(apts, None)
    key = (id(apts), id(runways))
    hit = _INFERENCE_CACHE.get(key)
    # the cache holds the airports and runways it was keyed on, so their ids stay theirs
    if hit is not None and hit[0] is apts and hit[1] is runways:
        return hit[2]
    moved, _ = apts.moved_to_runways(runways)
    inf = RunwayAwareInference(moved, RunwayIndex(runways, moved))
    if len(_INFERENCE_CACHE) >= INFERENCE_CACHE_SIZE:
        _INFERENCE_CACHE.pop(next(iter(_INFERENCE_CACHE)))
    _INFERENCE_CACHE[key] = (apts, runways, inf)
    return inf


def positioned_neighbours(p: Points) -> tuple[I8, I8]:
    """Per point, the index of the last point at or before it and of the first at or after it
    that has a position, within the same aircraft (-1 where there is none)."""
    n = len(p)
    idx = np.arange(n, dtype=np.int64)
    has = np.isfinite(p.lat) & np.isfinite(p.lon)
    before = np.maximum.accumulate(np.where(has, idx, -1)) if n else idx
    after = np.minimum.accumulate(np.where(has, idx, n)[::-1])[::-1] if n else idx
    before = np.where((before >= 0) & (p.ac[np.maximum(before, 0)] == p.ac), before, -1)
    ok = (after < n) & (p.ac[np.minimum(after, n - 1)] == p.ac)
    return before, np.where(ok, after, -1)


def segment_points(p: Points, airports: AirportIndex) -> Segmented:
    """Ground state and segment id of every point."""
    elev = np.full(len(p), np.nan)
    need = np.flatnonzero((p.onground < 0) & ~(p.gs >= GROUND_SPEED_MAX_KT))
    if need.size:
        apt, _ = airports.nearest(p.lat[need], p.lon[need], ELEVATION_RADIUS_M)
        elev[need] = np.where(apt >= 0, airports.elevation_ft[np.maximum(apt, 0)], np.nan)
    g = ground_state(p, elev)
    before, after = positioned_neighbours(p)

    def decide(i: I8, j: I8) -> B1:
        # judged on the nearest points with a position on each side: a first point after a gap
        # often has none (an altitude or velocity message comes first), and a gap without
        # positions would look bridgeable however long it is
        i, j = np.where(before[i] >= 0, before[i], i), np.where(after[j] >= 0, after[j], j)
        return same_flight(
            airports,
            p.t[i], p.lat[i], p.lon[i], p.alt[i], p.gs[i],
            p.t[j], p.lat[j], p.lon[j], p.alt[j], p.gs[j],
            p.vr[i], p.vr[j],
        )  # fmt: skip

    return Segmented(p, g, split_segments(p, g, decide), before, after)


def _direction(p: Points, i: I8, j: I8) -> F8:
    """Bearing from point i to point j; the reported track where they coincide."""
    b = np.asarray(bearing_deg(p.lat[i], p.lon[i], p.lat[j], p.lon[j]), dtype=np.float64)
    return np.where((i == j) | np.isnan(b), p.trk[j], b)


def _median_vr(p: Points, ref: I8, i: I8, j: I8) -> F8:
    """Median vertical rate over the points i..j (at most DIRECTION_POINTS + 1 of them) seen
    within VR_WINDOW_S of the reference point ``ref``: never a point repeated to fill the
    window, never one minutes away in sparse data. Without reported rates, the altitude
    change over those points."""
    k = np.arange(DIRECTION_POINTS + 1)
    pos = i[:, None] + k[None, :]
    inside = pos <= j[:, None]
    pos = np.minimum(pos, j[:, None])
    inside &= np.abs(p.t[pos] - p.t[ref][:, None]) <= VR_WINDOW_S
    vr = np.where(inside, p.vr[pos], np.nan)
    out = np.full(i.shape[0], np.nan)
    has = np.isfinite(vr).any(axis=1)
    out[has] = np.nanmedian(vr[has], axis=1)
    # no vertical rate reported: the altitude change over the same points
    alt = np.where(inside, p.alt[pos], np.nan)
    ok = np.isfinite(alt)
    first = np.argmax(ok, axis=1)
    last = ok.shape[1] - 1 - np.argmax(ok[:, ::-1], axis=1)
    rows = np.arange(i.shape[0])
    a0, a1 = pos[rows, first], pos[rows, last]
    dt = p.t[a1] - p.t[a0]
    climb = (p.alt[a1] - p.alt[a0]) / np.maximum(dt, 1e-9) * 60.0
    use = ~has & ok.any(axis=1) & (dt > 0)
    out[use] = climb[use]
    return out


def _positioned(
    s: Segmented, i: I8, lo: I8, hi: I8, forward: bool, default: I8 | None = None
) -> I8:
    """The first point with a position at or after ``i`` (``forward``), or the last at or
    before it, within lo..hi; ``default`` (else ``i``) where there is none."""
    n = s.seg.shape[0]
    ic = np.clip(i, 0, max(n - 1, 0))
    cand = (s.after if forward else s.before)[ic] if n else ic
    ok = (i >= 0) & (i < n) & (cand >= lo) & (cand <= hi) & (cand >= 0)
    return np.where(ok, cand, i if default is None else default)


def _ends(s: Segmented, fl_first: I8, fl_last: I8, fa: I8, la: I8, vmax: F8) -> FlightEnds:
    """Departure ends (rows 0..n-1) then arrival ends (rows n..2n-1) of the flights."""
    p, g = s.points, s.ground
    dep_obs = g[fl_first] == 1
    arr_obs = g[fl_last] == 1
    # reference points: the nearest points with a position (a flight's first row is often an
    # altitude or velocity message without one), the liftoff/touchdown side first
    fpos = _positioned(s, fa, fa, la, forward=True)
    lpos = _positioned(s, la, fa, la, forward=False)
    dep_ref = np.where(dep_obs, _positioned(s, fa - 1, fl_first, fa - 1, False, fpos), fpos)
    arr_ref = np.where(arr_obs, _positioned(s, la + 1, la + 1, fl_last, True, lpos), lpos)
    dep_dir = _direction(p, fpos, _positioned(s, np.minimum(fpos + DIRECTION_POINTS, la), fpos,
                                              la, forward=False))  # fmt: skip
    arr_dir = _direction(p, _positioned(s, np.maximum(lpos - DIRECTION_POINTS, fa), fa, lpos,
                                        forward=True), lpos)  # fmt: skip
    # ground samples: evenly spread over each observed end's ground points
    lo = np.r_[fl_first, la + 1]
    hi = np.r_[fa - 1, fl_last]
    obs = np.r_[dep_obs, arr_obs]
    m = np.where(obs, hi - lo + 1, 0)
    k = np.minimum(m, GROUND_SAMPLES)
    end = np.repeat(np.arange(obs.shape[0]), k)
    offs = np.cumsum(k) - k
    j = np.arange(end.shape[0]) - offs[end]
    step = (m[end] - 1) / np.maximum(k[end] - 1, 1)
    si = lo[end] + np.floor(j * step).astype(np.int64)
    ref = np.r_[dep_ref, arr_ref]
    return FlightEnds(
        observed=obs,
        arrival=np.r_[np.zeros(fa.shape[0], bool), np.ones(la.shape[0], bool)],
        lat=p.lat[ref],
        lon=p.lon[ref],
        alt=np.where(obs, np.nan, p.alt[ref]),
        direction=np.r_[dep_dir, arr_dir],
        vrate=np.r_[
            _median_vr(p, fa, fa, np.minimum(fa + DIRECTION_POINTS, la)),
            _median_vr(p, la, np.maximum(la - DIRECTION_POINTS, fa), la),
        ],
        speed_kt=np.r_[vmax, vmax],
        end_kt=np.r_[p.gs[fpos], p.gs[lpos]],
        sample_end=end.astype(np.int64),
        sample_lat=p.lat[si],
        sample_lon=p.lon[si],
    )


def _per_flight_strings(
    col: pa.ChunkedArray | None, rows: I8, fid: I8, nfl: int
) -> tuple[pa.Array, pa.Array]:
    """Most frequent non-empty string per flight, and all distinct ones in first-seen order."""
    if col is None:
        empty = pa.ListArray.from_arrays(
            pa.array(np.zeros(nfl + 1, np.int32)), pa.array([], pa.string())
        )
        return pa.nulls(nfl, pa.string()), empty
    # encode first, trim the (small) dictionary after: words equal once trimmed share a code
    enc = pc.dictionary_encode(pc.cast(col, pa.string())).combine_chunks()
    codes = np.asarray(pc.fill_null(enc.indices, -1).to_numpy(zero_copy_only=False))[rows]
    trimmed = pc.utf8_trim_whitespace(enc.dictionary).to_pylist()
    words_list = sorted(set(trimmed))
    at = {w: i for i, w in enumerate(words_list)}
    remap = np.array([at[w] for w in trimmed] + [-1], dtype=np.int64)
    codes = remap[codes.astype(np.int64)]  # -1 (null) maps to the appended -1
    words = np.array(words_list, dtype=object)
    blank = np.array([not w for w in words], dtype=bool)
    ok = (fid >= 0) & (codes >= 0)
    ok[ok] &= ~blank[codes[ok]]
    f, c = fid[ok], codes[ok]
    pos = np.flatnonzero(ok)
    key = f * (len(words) + 1) + c
    uk, first_pos, cnt = np.unique(key, return_index=True, return_counts=True)
    uf, uc, upos = uk // (len(words) + 1), uk % (len(words) + 1), pos[first_pos]
    # list: ordered by (flight, first position)
    order = np.lexsort((upos, uf))
    offsets = np.searchsorted(uf[order], np.arange(nfl + 1), side="left").astype(np.int32)
    lists = pa.ListArray.from_arrays(
        pa.array(offsets), pa.array(words[uc[order]].tolist(), pa.string())
    )
    # most frequent: by (flight, -count, first position)
    o2 = np.lexsort((upos, -cnt, uf))
    head = o2[np.r_[True, uf[o2][1:] != uf[o2][:-1]]] if o2.size else o2
    best = np.full(nfl, None, dtype=object)
    best[uf[head]] = words[uc[head]]
    return pa.array(best.tolist(), pa.string()), lists


def _alternatives(att: Attribution, rows: I8, airports: AirportIndex) -> pa.Array:
    a = att.alt_airport[rows]
    valid = a >= 0
    counts = valid.sum(axis=1)
    offsets = np.r_[0, np.cumsum(counts)].astype(np.int32)
    names = airports.icao[a[valid]]
    values = pa.StructArray.from_arrays(
        [
            pa.array(names.tolist(), pa.string()),
            pa.array(att.alt_distance_m[rows][valid], pa.float64()),
            pa.array(att.alt_score[rows][valid], pa.float64()),
        ],
        fields=list(ALTERNATIVE),
    )
    return pa.ListArray.from_arrays(pa.array(offsets), values)


def _ts(sec: F8, valid: B1 | None = None) -> pa.Array:
    ms = np.round(np.nan_to_num(sec) * 1000).astype(np.int64)
    mask = ~np.isfinite(sec) if valid is None else ~valid | ~np.isfinite(sec)
    return pa.array(ms, pa.int64(), mask=mask).cast(pa.timestamp("ms", tz="UTC"))


def _sure(att: Attribution, rows: I8, observed: B1) -> tuple[I8, npt.NDArray[np.object_]]:
    """The airport of ends ``rows`` where it is sure enough (-1 elsewhere), and a note saying
    why an end names none: no candidate at all, or a best one below MIN_CONFIDENCE (shown
    as unknown; its candidates stay in the alternatives)."""
    apt = att.airport[rows]
    conf = att.confidence[rows]
    weak = (apt >= 0) & ~(conf >= MIN_CONFIDENCE)
    note = np.full(rows.shape[0], None, dtype=object)
    radius_km = np.where(observed, OBSERVED_RADIUS_M, ESTIMATED_RADIUS_M) / 1000.0
    for i in np.flatnonzero(apt < 0):
        what = "on the ground" if observed[i] else "fitting its height and direction"
        note[i] = f"no airport within {radius_km[i]:.0f} km {what}"
    for i in np.flatnonzero(weak):
        note[i] = f"unknown: best candidate below confidence {MIN_CONFIDENCE:.2f}"
    return np.where(weak, -1, apt), note


def _named(values: F8, apt: I8) -> pa.Array:
    """Per-end values that belong to the named airport: null where none is named."""
    return pa.array(np.where(apt >= 0, values, np.nan), pa.float64(), from_pandas=True)


def _codes(apt: I8, airports: AirportIndex) -> pa.Array:
    names = np.full(apt.shape[0], None, dtype=object)
    names[apt >= 0] = airports.icao[apt[apt >= 0]]
    return pa.array(names.tolist(), pa.string())


def assemble(s: Segmented, table: pa.Table, inference: AirportInference) -> pa.Table:
    """One FLIGHT_SCHEMA row per segment that has airborne points."""
    p, g, seg = s.points, s.ground, s.seg
    n = len(p)
    if n == 0:
        return FLIGHT_SCHEMA.empty_table()
    nseg = int(seg[-1]) + 1
    air = g == 0
    # a flight needs an airborne point with a position: a run of rows without one (noise
    # between an altitude and a velocity message) flies nowhere
    placed = air & np.isfinite(p.lat) & np.isfinite(p.lon)
    has_air = np.bincount(seg, weights=placed.astype(np.float64), minlength=nseg) > 0
    fl_of_seg = np.cumsum(has_air) - 1
    fid = np.where(has_air[seg], fl_of_seg[seg], -1)
    starts = np.flatnonzero(np.r_[True, seg[1:] != seg[:-1]])
    ends_ = np.r_[starts[1:] - 1, n - 1]
    flights = np.flatnonzero(has_air)
    nfl = flights.shape[0]
    fl_first, fl_last = starts[flights], ends_[flights]
    idx = np.arange(n)
    fa = np.full(nseg, n, dtype=np.int64)
    la = np.full(nseg, -1, dtype=np.int64)
    np.minimum.at(fa, seg[air], idx[air])
    np.maximum.at(la, seg[air], idx[air])
    fa, la = fa[flights], la[flights]
    vmax = np.full(nfl, -np.inf)
    np.fmax.at(vmax, fid[fid >= 0], p.gs[fid >= 0])
    vmax[~np.isfinite(vmax)] = np.nan
    att = inference.attribute(_ends(s, fl_first, fl_last, fa, la, vmax))
    apts = inference.airports
    dep, arr = np.arange(nfl), np.arange(nfl, 2 * nfl)
    dep_obs, arr_obs = g[fl_first] == 1, g[fl_last] == 1
    # transition times, only where the air/ground change was seen within TRANSITION_MAX_GAP_S
    t = p.t
    takeoff_ok = dep_obs & (t[fa] - t[np.maximum(fa - 1, 0)] <= TRANSITION_MAX_GAP_S)
    landing_ok = arr_obs & (t[np.minimum(la + 1, n - 1)] - t[la] <= TRANSITION_MAX_GAP_S)
    touchdown = t[np.minimum(la + 1, n - 1)]
    # arrival windows: a landing hidden in a gap, or an estimated arrival
    win_start = np.where(
        (arr_obs & ~landing_ok) | (~arr_obs & (att.airport[arr] >= 0)), t[la], np.nan
    )
    est_end = (
        t[la]
        + np.nan_to_num(att.horiz_m[arr]) / (WINDOW_APPROACH_KT * KT_TO_MPS)
        + np.nan_to_num(np.maximum(att.vert_m[arr], 0) / 0.3048) / WINDOW_DESCENT_FPM * 60.0
    )
    # never later than the aircraft's next appearance
    nxt = np.where(
        (fl_last + 1 < n) & (p.ac[np.minimum(fl_last + 1, n - 1)] == p.ac[fl_last]),
        t[np.minimum(fl_last + 1, n - 1)],
        np.inf,
    )
    win_end = np.where(arr_obs, touchdown, np.minimum(est_end, nxt))
    win_end = np.where(np.isfinite(win_start), win_end, np.nan)
    # gaps inside each flight
    dt = np.r_[0.0, np.diff(t)]
    inside = np.r_[False, seg[1:] == seg[:-1]] & (fid >= 0)
    longest = np.zeros(nfl)
    np.maximum.at(longest, fid[inside], dt[inside])
    bridged = inside & air & np.r_[False, air[:-1]] & (dt > AIR_GAP_S)
    n_bridged = np.bincount(fid[bridged], minlength=nfl)
    n_pos = np.bincount(fid[fid >= 0], minlength=nfl)
    cs_best, cs_list = _per_flight_strings(
        table["callsign"] if "callsign" in table.column_names else None, p.row, fid, nfl
    )
    _, src_list = _per_flight_strings(
        table["source"] if "source" in table.column_names else None, p.row, fid, nfl
    )
    dep_apt, dep_note = _sure(att, dep, dep_obs)
    arr_apt, arr_note = _sure(att, arr, arr_obs)
    dconf, aconf = att.confidence[dep], att.confidence[arr]
    conf = np.fmin(np.where(dep_apt >= 0, dconf, np.nan), np.where(arr_apt >= 0, aconf, np.nan))
    icao = p.icao24[p.ac[fl_first]]
    first_seen = _ts(t[fl_first])
    stamp = pc.strftime(first_seen, format="%Y%m%dT%H%M%SZ")
    flight_id = pc.binary_join_element_wise(pa.array(icao.tolist(), pa.string()), stamp, "-")
    cols = {
        "flight_id": flight_id,
        "icao24": pa.array(icao.tolist(), pa.string()),
        "callsign": cs_best,
        "callsigns": cs_list,
        "firstSeen": first_seen,
        "lastSeen": _ts(t[fl_last]),
        "takeoff_time": _ts(t[fa], takeoff_ok),
        "landing_time": _ts(touchdown, landing_ok),
        "estDepartureAirport": _codes(dep_apt, apts),
        "estArrivalAirport": _codes(arr_apt, apts),
        "departure_observed": pa.array(dep_obs),
        "arrival_observed": pa.array(arr_obs),
        "estDepartureAirportHorizDistance": _named(att.horiz_m[dep], dep_apt),
        "estDepartureAirportVertDistance": _named(att.vert_m[dep], dep_apt),
        "estArrivalAirportHorizDistance": _named(att.horiz_m[arr], arr_apt),
        "estArrivalAirportVertDistance": _named(att.vert_m[arr], arr_apt),
        "departure_confidence": _named(dconf, dep_apt),
        "arrival_confidence": _named(aconf, arr_apt),
        "confidence": pa.array(conf, from_pandas=True),
        "departureAirportCandidatesCount": pa.array(att.n_candidates[dep].astype(np.int32)),
        "arrivalAirportCandidatesCount": pa.array(att.n_candidates[arr].astype(np.int32)),
        "departure_alternatives": _alternatives(att, dep, apts),
        "arrival_alternatives": _alternatives(att, arr, apts),
        "gaps_bridged": pa.array(n_bridged.astype(np.int32)),
        "longest_gap_s": pa.array(longest),
        "arrival_window_start": _ts(win_start),
        "arrival_window_end": _ts(win_end),
        "first_airborne": _ts(t[fa]),
        "last_airborne": _ts(t[la]),
        "departure_note": pa.array(dep_note.tolist(), pa.string()),
        "arrival_note": pa.array(arr_note.tolist(), pa.string()),
        "n_positions": pa.array(n_pos.astype(np.int64)),
        "sources": src_list,
        "day": pc.cast(pc.cast(first_seen, pa.timestamp("ms")), pa.date32()),
    }
    return pa.table(cols).cast(FLIGHT_SCHEMA)


def build_flights(
    states: pa.Table,
    *,
    runways: pa.Table | None = None,
    stats: IngestStats | None = None,
    airports: AirportIndex | None = None,
    inference: AirportInference | None = None,
) -> pa.Table:
    """Reconstruct all flights in ``states`` (canonical state-vector columns)."""
    inf = inference or airport_inference(runways, airports)
    p = points_from_table(states, stats)
    return assemble(segment_points(p, inf.airports), states, inf)


def ground_stays(
    states: pa.Table,
    *,
    runways: pa.Table | None = None,
    airports: AirportIndex | None = None,
    inference: AirportInference | None = None,
) -> pa.Table:
    """Every ground stay (run of ground points of one aircraft) and the airport it is on.

    Columns: icao24, start, end (timestamp[ms, UTC]), n_positions, airport (ICAO or null),
    distance_m, confidence. Used to check attribution and by users asking "what was parked".
    """
    inf = inference or airport_inference(runways, airports)
    p = points_from_table(states, None)
    s = segment_points(p, inf.airports)
    n = len(p)
    ground = s.ground == 1
    brk = np.r_[True, (p.ac[1:] != p.ac[:-1]) | (s.seg[1:] != s.seg[:-1])] if n else ground
    brk = brk | np.r_[True, ground[1:] != ground[:-1]] if n else brk
    first = np.flatnonzero(brk)
    last = np.r_[first[1:] - 1, n - 1] if n else first
    keep = ground[first] if n else np.zeros(0, bool)
    first, last = first[keep], last[keep]
    m = last - first + 1
    k = np.minimum(m, GROUND_SAMPLES)
    end = np.repeat(np.arange(first.shape[0]), k)
    j = np.arange(end.shape[0]) - (np.cumsum(k) - k)[end]
    si = first[end] + np.floor(j * (m[end] - 1) / np.maximum(k[end] - 1, 1)).astype(np.int64)
    mid = (first + last) // 2
    ends = FlightEnds(
        observed=np.ones(first.shape[0], bool),
        arrival=np.ones(first.shape[0], bool),
        lat=p.lat[mid],
        lon=p.lon[mid],
        alt=np.full(first.shape[0], np.nan),
        direction=np.full(first.shape[0], np.nan),
        vrate=np.full(first.shape[0], np.nan),
        speed_kt=np.full(first.shape[0], np.nan),
        end_kt=np.full(first.shape[0], np.nan),
        sample_end=end.astype(np.int64),
        sample_lat=p.lat[si],
        sample_lon=p.lon[si],
    )
    att = inf.attribute(ends)
    return pa.table(
        {
            "icao24": pa.array(p.icao24[p.ac[first]].tolist(), pa.string()),
            "start": _ts(p.t[first]),
            "end": _ts(p.t[last]),
            "n_positions": pa.array(m.astype(np.int64)),
            "airport": _codes(att.airport, inf.airports),
            "distance_m": pa.array(att.horiz_m, from_pandas=True),
            "confidence": pa.array(att.confidence, from_pandas=True),
        }
    )
