"""Settled prefixes of long flights in progress (``incremental.FlightBuilder``): the rows of a
flight's past replaced by a summary, so that a flight in progress costs memory and per-step
work bounded by its recent rows, not by how long it has flown, with the rows the bulk build
(``build_flights`` over all rows) gives.

The cut. A flight in progress is cut at a row ``c`` of its airborne middle where nothing the
bulk build computes on either side can reach the other: ``CUT_POINTS`` rows from ``c`` on, and
the one before it, have a position, are airborne by their own report (``onground`` false, or
none and faster than taxiing), follow each other within ``AIR_GAP_S`` and span at least
``MIN_AIR_RUN_S`` and ``MIN_AIR_RUN_EXTENT_M`` (the extent bounded below whatever latitude
the run holding them began at). So the run holding them is flight however it began or goes on
(``segment.ground_state``), no state is filled across ``c``, no silence or gap is judged
across it, the positioned neighbours of the rows on each side stay on their side, the
departure end's direction and climb (``ends.DIRECTION_POINTS`` rows from its first airborne
point) end before ``c`` and the arrival end's start after it. Those rows end ``LATE_S`` or
more before the aircraft's newest point: from then on points older than them are counted
late (``FlightBuilder.late``), the merge guarantee of ``LATE_S`` untouched.

The summary (``Settled``). Rows before ``c`` are dropped, and the flights before the one cut
made final. Kept: the departure end's columns (as the flight's row had them, and as they read
once the flight is fast, ``infer.FAST_AIRCRAFT_KT``: its top speed is the only way later rows
reach its departure end), the count of rows, airborne gaps bridged, longest silence and top
speed of the rows dropped, their callsigns with counts and sources in first-seen order, and a
*seed*: row ``c`` again at its time, carrying the top speed and no callsign or source. Each
step builds the flight from the seed and the rows from ``c`` on (``seeds``) and ``merge`` puts
the summary back: departure columns from the summary, arrival columns from the rebuild,
counts added, maxima taken, callsigns counted over both. A flight is cut again when its rows
have doubled; ``FlightBuilder`` checks each cut against the flight's row before dropping
anything (a cut that would not give that row back is not made).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import numpy.typing as npt
import pyarrow as pa
import pyarrow.compute as pc

from .columns import table_words
from .ends import DIRECTION_POINTS
from .infer import FAST_AIRCRAFT_KT
from .rowarrays import floats_of, run_heads
from .schema import FLIGHT_SCHEMA, empty_flights
from .segment import (
    AIR_GAP_S,
    GROUND_SPEED_MAX_KT,
    M_PER_DEG,
    MIN_AIR_RUN_EXTENT_M,
    MIN_AIR_RUN_S,
)

I8 = npt.NDArray[np.int64]
F8 = npt.NDArray[np.float64]
B1 = npt.NDArray[np.bool_]

CUT_POINTS = DIRECTION_POINTS + 3  # airborne rows from a cut on (the arrival end's window)
SETTLE_ROWS = 1000  # rows of an aircraft held before its flight in progress is cut
FAST_SEED_KT = 10_000.0  # the seed's speed when the departure end is taken as a fast flight's
SEARCH_S = 300.0  # a cut is looked for among the rows of this long before the bound, s
COS_MARGIN = 1e-9  # taken off a run's smallest cos(latitude): a lower bound whatever rounding

#: Columns of a flight's row from its departure end (kept in the summary).
DEPARTURE_COLUMNS = (
    "flight_id", "icao24", "firstSeen", "day", "takeoff_time", "estDepartureAirport",
    "departure_observed", "estDepartureAirportHorizDistance",
    "estDepartureAirportVertDistance", "departure_confidence",
    "departureAirportCandidatesCount", "departure_alternatives", "first_airborne",
    "departure_note",
)  # fmt: skip
DEPARTURE = frozenset(DEPARTURE_COLUMNS)
#: Columns from the rows after the cut (the rebuild's).
ARRIVAL_COLUMNS = (
    "lastSeen", "landing_time", "estArrivalAirport", "arrival_observed",
    "estArrivalAirportHorizDistance", "estArrivalAirportVertDistance", "arrival_confidence",
    "arrivalAirportCandidatesCount", "arrival_alternatives", "arrival_window_start",
    "arrival_window_end", "last_airborne", "arrival_note",
)  # fmt: skip
#: Columns over the whole flight (``merge``).
WHOLE_COLUMNS = (
    "callsign", "callsigns", "sources", "n_positions", "gaps_bridged", "longest_gap_s",
    "confidence",
)  # fmt: skip


@dataclass(slots=True)
class Settled:
    """The summary of a flight in progress's rows before its cut (see the module)."""

    fid: str
    cut_ms: int  # time of the cut row (the seed's)
    accept_ms: int  # points older than this are late
    dep: pa.Table | None  # 1 row: the departure columns while the flight is slow (None: never)
    dep_fast: pa.Table  # 1 row: ... once it is fast
    vmax: float  # kt, NaN none
    n: int
    bridged: int
    longest: float  # s
    coslat: float  # smallest cos(latitude) of the flight's rows so far
    callsigns: dict[str, int]  # word -> count, in first-seen order
    sources: list[str]
    seed: pa.Table  # 1 row of state vector columns

    def departure(self, fast: bool) -> pa.Table:
        return self.dep_fast if fast or self.dep is None else self.dep


@dataclass(slots=True)
class Sorted:
    """Rows of some aircraft as ``build_flights`` orders them: by aircraft, time, position."""

    table: pa.Table  # in that order
    code: I8
    ms: I8
    start: I8  # per row, the index of its aircraft's first row
    _cache: dict[str, Any] = field(default_factory=dict)

    @classmethod
    def of(cls, table: pa.Table, code: I8, ms: I8, rows: I8 | None = None) -> Sorted:
        """``table``'s rows (those at ``rows`` if given) with their codes and times sorted."""
        if rows is not None:
            code, ms = code[rows], ms[rows]
        order = np.lexsort((np.arange(code.shape[0]), ms, code))
        code, ms = code[order], ms[order]
        new = run_heads(code)
        start = np.maximum.accumulate(np.where(new, np.arange(code.shape[0]), 0))
        take = order if rows is None else rows[order]
        return cls(table.take(pa.array(take)), code, ms, start)

    def aircraft(self) -> I8:
        """Per row, its aircraft's index (0, 1, ... in row order): computed once."""
        if "aircraft" not in self._cache:
            n = self.code.shape[0]
            self._cache["aircraft"] = np.cumsum(self.start == np.arange(n)) - 1
        out: I8 = self._cache["aircraft"]
        return out

    def firsts(self) -> I8:
        """Each aircraft's first row."""
        return np.flatnonzero(self.start == np.arange(self.code.shape[0]))

    def sizes(self) -> I8:
        """Rows per aircraft (by aircraft index)."""
        if "sizes" not in self._cache:
            self._cache["sizes"] = np.bincount(self.aircraft())
        out: I8 = self._cache["sizes"]
        return out

    def floats(self, name: str) -> F8:
        if name not in self._cache:
            self._cache[name] = floats_of(self.table[name])
        out: F8 = self._cache[name]
        return out

    def words(self, name: str) -> tuple[I8, list[str]]:
        """``word_codes`` of column ``name``, through ``columns.table_words``: the one cache
        of a table's word codes, which the build of the same window fills too."""
        return table_words(self.table, name)


def tally(codes: I8, words: list[str], group: I8, ngroups: int) -> list[dict[str, int]]:
    """Per group, its rows' words (``word_codes``) with counts, in first-seen order (rows in
    order; group -1: no group)."""
    out: list[dict[str, int]] = [{} for _ in range(ngroups)]
    ok = np.flatnonzero((group >= 0) & (codes >= 0))
    if ok.size == 0:
        return out
    if len(words) == 1:  # one word (a feed's one source): its count per group, no sort
        counts = np.bincount(group[ok], minlength=ngroups)
        for g in np.flatnonzero(counts).tolist():
            out[g][words[0]] = int(counts[g])
        return out
    key = group[ok] * (len(words) + 1) + codes[ok]
    uk, first, cnt = np.unique(key, return_index=True, return_counts=True)
    order = np.lexsort((first, uk // (len(words) + 1)))
    for k, c in zip(uk[order].tolist(), cnt[order].tolist(), strict=True):
        out[k // (len(words) + 1)][words[k % (len(words) + 1)]] = c
    return out


def _group_cummin(v: F8, g: I8) -> F8:
    """Running minimum of ``v`` (values in [0, 2]) restarting at each group's first row
    (``g``: each row's group, ascending)."""
    return np.asarray(np.minimum.accumulate(v - 3.0 * g) + 3.0 * g, dtype=np.float64)


def find_cuts(s: Sorted, lo: I8, hi_ms: I8, fa_ms: I8, coslat: F8) -> tuple[I8, I8]:
    """Per aircraft (``lo``: index of the first row of its flight in progress held), the last
    row of ``s`` that can be its cut (-1 none) and the last of the rows that make it one: see
    the module. ``hi_ms``: the cut rows must
    end by then; ``fa_ms``: the flight's first airborne point where its departure is held
    (``DIRECTION_POINTS`` + 1 positioned rows after it come before the cut), else NEVER;
    ``coslat``: the smallest cos(latitude) of the flight's rows before ``lo`` (2: none)."""
    n, k = s.code.shape[0], CUT_POINTS
    ac = s.aircraft()
    out = np.full(lo.shape[0], -1, dtype=np.int64)
    if n < k + 1:
        return out, out
    t = s.ms / 1e3  # as build_flights
    lat, lon, gs = s.floats("latitude"), s.floats("longitude"), s.floats("groundspeed")
    og = s.table["onground"]
    never = np.asarray(pc.fill_null(pc.invert(og), False).to_numpy(zero_copy_only=False), bool)
    unknown = np.asarray(og.is_null().to_numpy(zero_copy_only=False), dtype=bool)
    placed = np.isfinite(lat) & np.isfinite(lon)
    good = placed & (never | (unknown & (gs >= GROUND_SPEED_MAX_KT)))
    idx = np.arange(n)
    row_lo = lo[ac]
    follows = np.r_[False, (ac[1:] == ac[:-1]) & (np.diff(t) <= AIR_GAP_S)]
    # the rows i..e: at least CUT_POINTS, over at least MIN_AIR_RUN_S (a candidate only in
    # the last SEARCH_S before the bound: the latest cut is wanted)
    span = int(s.ms.max() - s.ms.min()) + 1
    key = ac * span + (s.ms - s.ms.min())
    e = np.searchsorted(key, key + round(MIN_AIR_RUN_S * 1000), side="left")
    e = np.maximum(e, idx + k - 1)
    inside = (e < n) & (ac[np.minimum(e, n - 1)] == ac)
    e = np.minimum(e, n - 1)
    inside &= (s.ms[e] <= hi_ms[ac]) & (s.ms >= hi_ms[ac] - round(SEARCH_S * 1000))
    inside &= (t[e] - t >= MIN_AIR_RUN_S) & (idx > row_lo)
    cb = np.r_[0, np.cumsum(~good)]
    cf = np.r_[0, np.cumsum(~follows)]
    ok = inside & (cb[e + 1] - cb[idx] == 0) & (cf[e + 1] - cf[np.minimum(idx + 1, n)] == 0)
    # the row before: a position, no silence, an earlier time
    ok &= follows & np.r_[False, placed[:-1]] & np.r_[False, s.ms[:-1] < s.ms[1:]]
    cos = np.where(idx >= row_lo, np.cos(np.radians(np.nan_to_num(lat))), 2.0)
    cos = np.fmin(_group_cummin(cos, ac), coslat[ac]) - COS_MARGIN
    cand = np.flatnonzero(ok)
    if cand.size:
        bounds = np.stack([cand, e[cand] + 1], axis=1).ravel()
        lat_p, lon_p = np.r_[lat, 0.0], np.r_[lon, 0.0]
        lat_rng = np.maximum.reduceat(lat_p, bounds)[::2] - np.minimum.reduceat(lat_p, bounds)[::2]
        lon_rng = np.maximum.reduceat(lon_p, bounds)[::2] - np.minimum.reduceat(lon_p, bounds)[::2]
        extent = np.hypot(
            np.clip(lat_rng, 0, 10), np.clip(lon_rng, 0, 10) * np.maximum(cos[e[cand]], 0.0)
        )
        ok[cand[extent * M_PER_DEG < MIN_AIR_RUN_EXTENT_M]] = False
    # the departure end's rows (direction, climb) all before the cut
    after_fa = placed & (s.ms > fa_ms[ac])
    seen = np.cumsum(np.r_[0, after_fa])
    ok &= (seen[idx] - seen[np.maximum(row_lo, 0)]) >= DIRECTION_POINTS + 1
    ok &= idx - row_lo >= k  # worth it: drops rows
    cand = np.flatnonzero(ok)
    np.maximum.at(out, ac[cand], cand)
    return out, np.where(out >= 0, e[np.maximum(out, 0)], -1)


def seed_row(row: pa.Table, vmax: float) -> pa.Table:
    """Row ``c`` as the seed: its top speed so far, airborne, no callsign or source; a copy
    (``take``), so that a summary kept for hours does not pin the buffers of every row it
    was cut from (a slice shares them)."""
    return seed_rows(row, np.zeros(1, np.int64), np.array([vmax]))


def seed_rows(table: pa.Table, rows: I8, vmax: F8) -> pa.Table:
    """The seeds (``seed_row``) of rows ``rows`` of ``table``, top speeds ``vmax`` (NaN:
    none), as one table taken at once (a step's cuts: one ``take`` and four columns, not
    those per cut; a summary kept takes a copy of its row, ``SettledFlights.cut``)."""
    out = table.take(pa.array(rows))
    n = out.num_rows
    gs = pa.array(vmax, pa.float64(), from_pandas=True)  # (NaN: null, as a row without one)
    out = out.set_column(out.schema.get_field_index("groundspeed"), "groundspeed", gs)
    out = out.set_column(
        out.schema.get_field_index("onground"), "onground", pa.array(np.zeros(n, bool))
    )
    for name in ("callsign", "source"):
        i = out.schema.get_field_index(name)
        out = out.set_column(i, name, pa.nulls(n, out.schema.field(name).type))
    return out


def is_fast(vmax: float) -> bool:
    """Whether a flight of top speed ``vmax`` is fast to airport inference."""
    return bool(vmax >= FAST_AIRCRAFT_KT)


def _one_array(table: pa.Table, name: str) -> pa.Array:
    """Column ``name`` of ``table`` as one array: its chunk where it has one (a rebuild's
    column does; ``combine_chunks`` copies it, ~3 us a column of a merge's 27)."""
    col = table.column(name)
    return col.chunk(0) if col.num_chunks == 1 else col.combine_chunks()


def combined(tables: list[pa.Table]) -> pa.Table:
    """``tables`` (of one schema) as one table of one chunk."""
    return pa.concat_tables(tables).combine_chunks()


def merge(
    tails: pa.Table,
    settled: list[Settled],
    callsigns: list[dict[str, int]],
    sources: list[dict[str, int]],
    vmax: F8,
    combine: Callable[[list[pa.Table]], pa.Table] = combined,
) -> pa.Table:
    """The flights' rows over all their rows: ``tails`` (their rows from the seed on, as
    built), with each one's summary and the words and top speed of its tail rows;
    ``combine``: makes the departure rows one table (``combined``, or a caller's cache)."""
    if not settled:
        return empty_flights()
    fast = [is_fast(float(np.fmax(s.vmax, v))) for s, v in zip(settled, vmax, strict=True)]
    dep = combine([s.departure(f) for s, f in zip(settled, fast, strict=True)])
    best, lists, srcs = [], [], []
    for s, cs, src in zip(settled, callsigns, sources, strict=True):
        both = dict(s.callsigns)
        for w, c in cs.items():
            both[w] = both.get(w, 0) + c
        best.append(max(both, key=lambda w: both[w]) if both else None)
        lists.append(list(both))
        srcs.append(list(dict.fromkeys([*s.sources, *src])))
    n = np.asarray(tails["n_positions"].to_numpy(), np.int64)
    gb = np.asarray(tails["gaps_bridged"].to_numpy(), np.int64)
    longest = np.asarray(tails["longest_gap_s"].to_numpy(), np.float64)
    dconf = np.asarray(dep["departure_confidence"].to_numpy(zero_copy_only=False), np.float64)
    aconf = np.asarray(tails["arrival_confidence"].to_numpy(zero_copy_only=False), np.float64)
    whole = {
        "callsign": pa.array(best, pa.string()),
        "callsigns": pa.array(lists, pa.list_(pa.string())),
        "sources": pa.array(srcs, pa.list_(pa.string())),
        "n_positions": pa.array(n - 1 + np.array([s.n for s in settled], np.int64)),
        "gaps_bridged": pa.array(
            gb + np.array([s.bridged for s in settled], np.int64),
            FLIGHT_SCHEMA.field("gaps_bridged").type,
        ),
        "longest_gap_s": pa.array(np.fmax(longest, [s.longest for s in settled])),
        "confidence": pa.array(np.fmin(dconf, aconf), pa.float64(), from_pandas=True),
    }
    cols = [
        whole[name] if name in whole else _one_array(dep if name in DEPARTURE else tails, name)
        for name in FLIGHT_SCHEMA.names
    ]
    # every column of the schema's type already: no cast of the table (~0.1 ms a step)
    return pa.Table.from_arrays(cols, schema=FLIGHT_SCHEMA)
