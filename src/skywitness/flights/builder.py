"""Flights from state vectors in one pass: ``build_flights`` (and ``ground_stays``).

The composition of the flights stage: points -> ground state -> segments (with gap bridging)
-> flight ends -> airport inference -> one Arrow row per flight (FLIGHT_SCHEMA). The
incremental ``FlightBuilder`` (``incremental.py``) calls ``build_flights`` on the points of the
aircraft whose data changed; ``bridge.py`` reuses ``segment_points``. The flight ends' reference
points live in ``ends.py``, the per-flight Arrow columns in ``columns.py``.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
import pyarrow as pa
import pyarrow.compute as pc

from ..decode.hexio import bool_column, numeric_column
from ..runs import run_starts, run_stops
from ..stats import IngestStats
from .airports import AirportIndex, RunwayIndex
from .columns import (
    Counts,
    airport_codes,
    alternatives,
    flight_ids,
    flight_strings,
    named_values,
    sure_airports,
    ts_array,
)
from .ends import GROUND_SAMPLES, Positioned, Segmented, flight_ends
from .gaps import same_flight
from .infer import AirportInference, Attribution, FlightEnds, RunwayAwareInference
from .kinds import Kinds
from .point_order import AircraftCodes
from .rowarrays import run_heads, run_tails
from .schema import FLIGHT_SCHEMA
from .segment import (
    AIR_GAP_S,
    GROUND_SPEED_MAX_KT,
    GROUND_SPLIT_GAP_S,
    Points,
    ground_state,
    points_from_table,
    split_segments,
)

F8 = npt.NDArray[np.float64]
I8 = npt.NDArray[np.int64]
B1 = npt.NDArray[np.bool_]

ELEVATION_RADIUS_M = 10_000.0  # airport elevation used for points within this distance
TRANSITION_MAX_GAP_S = 120.0  # a takeoff/landing is timed only if seen within this
WINDOW_APPROACH_KT = 120.0  # slow approach speed bounding an estimated arrival window
WINDOW_DESCENT_FPM = 1_000.0  # slow descent bounding an estimated arrival window
KT_TO_MPS = 1852.0 / 3600.0
INFERENCE_CACHE_SIZE = 4  # (airports, runways) pairs whose inference is kept

_INFERENCE_CACHE: dict[tuple[int, int], tuple[AirportIndex, pa.Table, RunwayAwareInference]] = {}


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


def segment_points(p: Points, airports: AirportIndex) -> Segmented:
    """Ground state and segment id of every point (gaps judged by the aircraft's kind where
    ``p.kind`` knows it)."""
    elev = np.full(len(p), np.nan)
    need = np.flatnonzero((p.onground < 0) & ~(p.gs >= GROUND_SPEED_MAX_KT))
    if need.size:
        apt, _ = airports.nearest(p.lat[need], p.lon[need], ELEVATION_RADIUS_M)
        elev[need] = np.where(apt >= 0, airports.elevation_ft[np.maximum(apt, 0)], np.nan)
    g = ground_state(p, elev)
    pos = Positioned.of(p)

    def decide(i: I8, j: I8) -> B1:
        # judged on the nearest points with a position on each side: a first point after a gap
        # often has none (an altitude or velocity message comes first), and a gap without
        # positions would look bridgeable however long it is
        bi, aj = pos.before(i), pos.after(j)
        i, j = np.where(bi >= 0, bi, i), np.where(aj >= 0, aj, j)
        return same_flight(
            airports,
            p.t[i], p.lat[i], p.lon[i], p.alt[i], p.gs[i],
            p.t[j], p.lat[j], p.lon[j], p.alt[j], p.gs[j],
            p.vr[i], p.vr[j], None if p.kind is None else p.kind[p.ac[i]],
        )  # fmt: skip

    return Segmented(p, g, split_segments(p, g, decide), pos)


def _flights_of(p: Points, seg: I8, air: B1) -> tuple[I8, I8, I8, I8, I8]:
    """The segments that are flights: flight index per point (-1 none), and per flight its
    first and last point and its first and last airborne point. A flight needs an airborne
    point with a position: a run of rows without one (noise between an altitude and a
    velocity message) flies nowhere."""
    n, nseg = len(p), int(seg[-1]) + 1
    placed = air & np.isfinite(p.lat) & np.isfinite(p.lon)
    has_air = np.zeros(nseg, dtype=bool)
    has_air[seg[placed]] = True
    fid = np.where(has_air[seg], (np.cumsum(has_air) - 1)[seg], -1)
    starts = run_starts(seg)
    ends = run_stops(starts, n) - 1
    flights = np.flatnonzero(has_air)
    # first and last airborne point of each segment (``seg`` never decreases along points)
    at = np.flatnonzero(air)
    sa = seg[at]
    head = run_heads(sa)
    tail = run_tails(sa)
    fa = np.full(nseg, n, dtype=np.int64)
    la = np.full(nseg, -1, dtype=np.int64)
    fa[sa[head]] = at[head]
    la[sa[tail]] = at[tail]
    return fid, starts[flights], ends[flights], fa[flights], la[flights]


def _per_flight_stats(
    p: Points, seg: I8, fid: I8, air: B1, fl_first: I8, fl_last: I8
) -> tuple[F8, F8, I8, I8]:
    """Per flight: highest ground speed (kt, NaN unknown), longest silence inside it (s),
    airborne gaps bridged, and rows. A flight is the points ``fl_first..fl_last``."""
    nfl = fl_first.shape[0]
    n_pos = fl_last - fl_first + 1
    if not nfl:
        z = np.zeros(0)
        return z, z, np.zeros(0, np.int64), np.zeros(0, np.int64)
    # the flights' points, flight after flight: each flight a run from ``at``
    m = fid >= 0
    at = np.concatenate(([0], np.cumsum(n_pos)[:-1]))
    vmax = np.fmax.reduceat(p.gs[m], at)
    vmax[~np.isfinite(vmax)] = np.nan
    dt = np.concatenate(([0.0], np.diff(p.t)))
    inside = np.concatenate(([False], seg[1:] == seg[:-1])) & m
    # a flight's first point is never inside it: each run has a 0 (no silence)
    longest = np.maximum.reduceat(np.where(inside, dt, 0.0)[m], at)
    bridged = inside & air & np.concatenate(([False], air[:-1])) & (dt > AIR_GAP_S)
    n_bridged = np.bincount(fid[bridged], minlength=nfl)
    return vmax, longest, n_bridged, n_pos.astype(np.int64)


def _arrival_window(
    p: Points, att: Attribution, arr: I8, la: I8, fl_last: I8, arr_obs: B1, landing_ok: B1
) -> tuple[F8, F8]:
    """Start and end (s) of each flight's arrival window: a landing hidden in a gap, or an
    arrival not observed (from the last airborne point to the estimated arrival at the named
    airport, else to the aircraft's next appearance); NaN where there is none (the landing
    was seen, or nothing bounds its end)."""
    t, n = p.t, len(p)
    touchdown = t[np.minimum(la + 1, n - 1)]
    win_start = np.where((arr_obs & ~landing_ok) | ~arr_obs, t[la], np.nan)
    est_end = (
        t[la]
        + np.nan_to_num(att.horiz_m[arr]) / (WINDOW_APPROACH_KT * KT_TO_MPS)
        + np.nan_to_num(np.maximum(att.vert_m[arr], 0) / 0.3048) / WINDOW_DESCENT_FPM * 60.0
    )
    # never later than the aircraft's next appearance, if within GROUND_SPLIT_GAP_S (beyond
    # it the live builder has forgotten the flight: both paths leave the end open)
    after = t[np.minimum(fl_last + 1, n - 1)]
    nxt = np.where(
        (fl_last + 1 < n)
        & (p.ac[np.minimum(fl_last + 1, n - 1)] == p.ac[fl_last])
        & (after - t[fl_last] <= GROUND_SPLIT_GAP_S),
        after,
        np.inf,
    )
    est_end = np.where(att.airport[arr] >= 0, est_end, np.inf)
    win_end = np.where(arr_obs, touchdown, np.minimum(est_end, nxt))
    win_end = np.where(np.isfinite(win_end), win_end, np.nan)
    return win_start, np.where(np.isfinite(win_start), win_end, np.nan)


@dataclass(slots=True)
class FlightTally:
    """Per flight of a build (in its rows' order): its callsigns and sources with their rows
    in first-seen order (``columns.flight_strings``), its top ground speed (kt, NaN
    none; an infinite one kept) and whether it starts at its aircraft's first point: what
    the merge of a cut flight with its summary counts over the flight's rows (``settled``),
    taken from the build instead of counted again."""

    callsigns: list[dict[str, int]]
    sources: list[dict[str, int]]
    vmax: F8
    leads: B1


def assemble(s: Segmented, table: pa.Table, inference: AirportInference) -> pa.Table:
    """One FLIGHT_SCHEMA row per segment that has airborne points."""
    return assemble_tallied(s, table, inference, tally=False)[0]


def _tally(p: Points, fid: I8, fl_first: I8, fl_last: I8, cs: Counts, src: Counts) -> FlightTally:
    nfl = fl_first.shape[0]
    at = np.concatenate(([0], np.cumsum(fl_last - fl_first + 1)[:-1])).astype(np.int64)
    vmax = np.fmax.reduceat(p.gs[fid >= 0], at) if nfl else np.zeros(0)
    leads = (fl_first == 0) | (p.ac[np.maximum(fl_first - 1, 0)] != p.ac[fl_first])
    return FlightTally(cs, src, np.asarray(vmax, dtype=np.float64), leads)


def assemble_tallied(
    s: Segmented, table: pa.Table, inference: AirportInference, *, tally: bool = True
) -> tuple[pa.Table, FlightTally | None]:
    """``assemble``, and with ``tally`` each flight's ``FlightTally``."""
    p, g, seg = s.points, s.ground, s.seg
    n = len(p)
    if n == 0:
        none = FlightTally([], [], np.zeros(0), np.zeros(0, dtype=bool))
        return FLIGHT_SCHEMA.empty_table(), none if tally else None
    air = g == 0
    fid, fl_first, fl_last, fa, la = _flights_of(p, seg, air)
    nfl = fl_first.shape[0]
    vmax, longest, n_bridged, n_pos = _per_flight_stats(p, seg, fid, air, fl_first, fl_last)
    att = inference.attribute(flight_ends(s, fl_first, fl_last, fa, la, vmax))
    apts = inference.airports
    dep, arr = np.arange(nfl), np.arange(nfl, 2 * nfl)
    dep_obs, arr_obs = g[fl_first] == 1, g[fl_last] == 1
    # transition times, only where the air/ground change was seen within TRANSITION_MAX_GAP_S
    t = p.t
    takeoff_ok = dep_obs & (t[fa] - t[np.maximum(fa - 1, 0)] <= TRANSITION_MAX_GAP_S)
    landing_ok = arr_obs & (t[np.minimum(la + 1, n - 1)] - t[la] <= TRANSITION_MAX_GAP_S)
    touchdown = t[np.minimum(la + 1, n - 1)]
    win_start, win_end = _arrival_window(p, att, arr, la, fl_last, arr_obs, landing_ok)
    cs_best, cs_list, cs_n = flight_strings(table, "callsign", p.row, fid, nfl, counted=tally)
    _, src_list, src_n = flight_strings(table, "source", p.row, fid, nfl, counted=tally)
    dep_apt, dep_note = sure_airports(att, dep, dep_obs)
    arr_apt, arr_note = sure_airports(att, arr, arr_obs)
    dconf, aconf = att.confidence[dep], att.confidence[arr]
    conf = np.fmin(np.where(dep_apt >= 0, dconf, np.nan), np.where(arr_apt >= 0, aconf, np.nan))
    icao = pa.array(p.icao24[p.ac[fl_first]].tolist(), pa.string())
    n_cand = att.n_candidates.astype(np.int32)
    first_seen = ts_array(t[fl_first])
    flight_id = flight_ids(icao, first_seen)
    cols = {
        "flight_id": flight_id,
        "icao24": icao,
        "callsign": cs_best,
        "callsigns": cs_list,
        "firstSeen": first_seen,
        "lastSeen": ts_array(t[fl_last]),
        "takeoff_time": ts_array(t[fa], takeoff_ok),
        "landing_time": ts_array(touchdown, landing_ok),
        "estDepartureAirport": airport_codes(dep_apt, apts),
        "estArrivalAirport": airport_codes(arr_apt, apts),
        "departure_observed": bool_column(dep_obs),
        "arrival_observed": bool_column(arr_obs),
        "estDepartureAirportHorizDistance": named_values(att.horiz_m[dep], dep_apt),
        "estDepartureAirportVertDistance": named_values(att.vert_m[dep], dep_apt),
        "estArrivalAirportHorizDistance": named_values(att.horiz_m[arr], arr_apt),
        "estArrivalAirportVertDistance": named_values(att.vert_m[arr], arr_apt),
        "departure_confidence": named_values(dconf, dep_apt),
        "arrival_confidence": named_values(aconf, arr_apt),
        "confidence": numeric_column(conf.astype(np.float64), pa.float64(), np.isnan(conf)),
        "departureAirportCandidatesCount": numeric_column(n_cand[dep], pa.int32()),
        "arrivalAirportCandidatesCount": numeric_column(n_cand[arr], pa.int32()),
        "departure_alternatives": alternatives(att, dep, apts),
        "arrival_alternatives": alternatives(att, arr, apts),
        "gaps_bridged": numeric_column(n_bridged.astype(np.int32), pa.int32()),
        "longest_gap_s": numeric_column(longest.astype(np.float64), pa.float64()),
        "arrival_window_start": ts_array(win_start),
        "arrival_window_end": ts_array(win_end),
        "first_airborne": ts_array(t[fa]),
        "last_airborne": ts_array(t[la]),
        "departure_note": pa.array(dep_note.tolist(), pa.string()),
        "arrival_note": pa.array(arr_note.tolist(), pa.string()),
        "n_positions": numeric_column(n_pos.astype(np.int64), pa.int64()),
        "sources": src_list,
        "day": pc.cast(pc.cast(first_seen, pa.timestamp("ms")), pa.date32()),
    }
    # each column built with its schema type: no cast of the table (~0.1 ms a call, a live
    # flights step's fixed cost)
    out = pa.Table.from_arrays([cols[n] for n in FLIGHT_SCHEMA.names], schema=FLIGHT_SCHEMA)
    if cs_n is None or src_n is None:
        return out, None
    return out, _tally(p, fid, fl_first, fl_last, cs_n, src_n)


def build_flights(
    states: pa.Table,
    *,
    runways: pa.Table | None = None,
    stats: IngestStats | None = None,
    airports: AirportIndex | None = None,
    inference: AirportInference | None = None,
    kinds: Kinds | None = None,
    codes: AircraftCodes | None = None,
) -> pa.Table:
    """Reconstruct all flights in ``states`` (canonical state-vector columns); ``kinds``: the
    kind of the aircraft known (icao24 -> ``flights.kinds.Kind``), for endurance, gaps and
    arrivals; ``codes``: its rows' aircraft codes where the caller has them
    (``point_order.aircraft_codes``)."""
    inf = inference or airport_inference(runways, airports)
    p = points_from_table(states, stats, kinds, codes=codes)
    return assemble(segment_points(p, inf.airports), states, inf)


def build_flights_tallied(
    states: pa.Table,
    inference: AirportInference,
    kinds: Kinds | None,
    codes: AircraftCodes | None = None,
) -> tuple[pa.Table, FlightTally | None]:
    """``build_flights`` of ``states`` (one build, whatever its size: ``builds`` groups a
    large window) and each flight's ``FlightTally``."""
    p = points_from_table(states, None, kinds, codes=codes)
    return assemble_tallied(segment_points(p, inference.airports), states, inference)


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
    first = np.flatnonzero(run_heads(p.ac) | run_heads(s.seg) | run_heads(ground))
    last = run_stops(first, n) - 1
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
            "start": ts_array(p.t[first]),
            "end": ts_array(p.t[last]),
            "n_positions": pa.array(m.astype(np.int64)),
            "airport": airport_codes(att.airport, inf.airports),
            "distance_m": pa.array(att.horiz_m, from_pandas=True),
            "confidence": pa.array(att.confidence, from_pandas=True),
        }
    )
