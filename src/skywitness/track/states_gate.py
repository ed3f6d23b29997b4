"""Already-tracked state vectors (canonical STATE_SCHEMA tables: our own lake files,
``traffic``/OpenSky exports) through the tracker's rules, column-wise, without the tracker.

The tracker turns *messages* into states: pairing CPR frames, trusting some sources over
others, confirming Mode S values. Rows that are already states need none of that; what a fresh
``Tracker`` does to one document of them comes down to a few whole-column passes, which this
module makes (tests/track/test_states_gate.py checks it row for row against the tracker):

- rows of address ``000000`` are counted ``bad_record`` and dropped;
- rows are taken in (aircraft, time) order, cut into segments where an aircraft went unheard
  for more than ``lost_after_s``;
- a position is accepted when the tracker's own speed gate (``track.positions._gate``, called
  here, sequential fix-up included) accepts it; the others are counted
  ``implausible_position``;
- a row is *updated* when it carries any field or an accepted position; the first update of
  each aircraft in each ``rate_s`` bucket is emitted, and so is the last update of each segment
  (the tracker's row for a lost aircraft, or its flush at the end of input);
- each emitted row holds, per field, the last value given at or before it in its segment
  (position and position source: the last accepted position), and the document's name as
  ``source``.

Rows come out in the lake's order (UTC day, icao24, time), so the lake writer need not sort.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt
import pyarrow as pa

from ..decode.hexio import numpy_of
from ..model import STATE_SCHEMA, PositionSource, RejectReason
from ..stats import IngestStats
from ..store.lake import MS_PER_DAY, icao_keys
from .fields import present
from .groups import I8, ffill_index, pick, prev_in
from .position_gate import References
from .position_gate import gate as _gate
from .state_vectors import POSITION_SOURCE_LABELS, _bitmap, _packed, _strings, squawk_strings

B1 = npt.NDArray[np.bool_]
F8 = npt.NDArray[np.float64]
#: Width of a callsign as the tracker holds it (characters; longer ones are cut).
CALLSIGN_DTYPE = "<U8"
FLOAT_FIELDS = ("altitude", "geoaltitude", "groundspeed", "track", "vertical_rate")
_POSITION_SOURCES = {p.label: int(p) for p in PositionSource}
_HEX = np.frombuffer(b"0123456789abcdef", dtype=np.uint8)
TIMESTAMP = pa.timestamp("ms", tz="UTC")
#: Bits of a row's time (ms since the document's first) in the single sort key: ~17 years.
TIME_BITS = 39


def _ints(v: npt.NDArray[np.signedinteger[Any]]) -> pa.Array:
    """int32 or int64 indices as Arrow (nulls where negative), off the numpy buffer."""
    typ = pa.int32() if v.dtype == np.int32 else pa.int64()
    v = np.ascontiguousarray(v, dtype=np.int32 if v.dtype == np.int32 else np.int64)
    return pa.Array.from_buffers(typ, v.shape[0], [_bitmap(v >= 0), pa.py_buffer(v)])


def _codes(
    col: pa.ChunkedArray, fn: Any, dtype: npt.DTypeLike
) -> tuple[npt.NDArray[Any], npt.NDArray[np.int32]]:
    """(``fn`` of each distinct value of a string column, nulls as ""; each row's index into
    them): the observations reader's per-value work, once per distinct value."""
    import pyarrow.compute as pc

    enc = pc.dictionary_encode(col).combine_chunks()
    values = np.array([fn(v) for v in [*enc.dictionary.to_pylist(), ""]], dtype=dtype)
    idx = numpy_of(enc.indices, -1)  # int32: half the bytes to gather of int64
    idx[idx < 0] = values.shape[0] - 1
    return values, idx


def _squawk(s: str) -> int:
    return int(s) if s and s.isdigit() else -1


def _position_source(label: str) -> int:
    return _POSITION_SOURCES.get(label, 0)


def _has(values: npt.NDArray[Any], idx: npt.NDArray[np.int32]) -> B1:
    """Rows whose value (``values[idx]``) is present, as the tracker's ``fields.present``."""
    mask = np.zeros(values.shape[0], dtype=np.bool_)
    mask[present(values)] = True
    out: B1 = mask[idx]
    return out


def _sort(key: I8, ms: I8) -> I8 | None:
    """Stable (aircraft, time) order, as the tracker sorts a batch; None when already so.
    One stable sort of a single int64 key (address above the time since the first row) when
    the times span less than ``2**TIME_BITS`` ms: half the CPU of a two-key ``lexsort``."""
    n = key.shape[0]
    if n < 2 or bool(np.all((key[1:] > key[:-1]) | ((key[1:] == key[:-1]) & (ms[1:] >= ms[:-1])))):
        return None
    lo, hi = int(ms.min()), int(ms.max())
    if hi - lo < 1 << TIME_BITS:  # addresses are 24 bits: 24 + TIME_BITS < 64
        out: I8 = np.argsort((key << TIME_BITS) | (ms - lo), kind="stable")
        return out
    out = np.lexsort((ms, key))
    return out


def _segments(key: I8, t: F8, lost_after_s: float) -> tuple[I8, I8]:
    """(segment of each row, first row of its segment): a new one per aircraft and after
    more than ``lost_after_s`` unheard."""
    cut = np.ones(key.shape[0], dtype=np.bool_)
    cut[1:] = (key[1:] != key[:-1]) | (t[1:] - t[:-1] > lost_after_s)
    g = np.cumsum(cut) - 1
    return g, np.flatnonzero(cut)[g]


def _positions(lat: F8, lon: F8, t: F8, g: I8, stats: IngestStats | None, source: str) -> B1:
    """Rows whose given position the tracker's speed gate accepts (fresh aircraft)."""
    p = np.flatnonzero(np.isfinite(lat) & np.isfinite(lon))
    gp, m = g[p], p.shape[0]
    start = np.ones(m, dtype=np.bool_)
    start[1:] = gp[1:] != gp[:-1]
    gstart = np.maximum.accumulate(np.where(start, np.arange(m), 0)) if m else p
    ng = int(g[-1]) + 1
    carry = {
        "lat": np.full(ng, np.nan),
        "lon": np.full(ng, np.nan),
        "pos_t": np.full(ng, -np.inf),
        "pos_sfc": np.zeros(ng, dtype=np.bool_),
    }
    yes, cpr = np.ones(m, dtype=np.bool_), np.full(m, -1, dtype=np.int32)
    ok_p = _gate(
        t[p], gp, gstart, lat[p], lon[p], yes, ~yes, yes,
        References.none(m), cpr, cpr, cpr.astype(np.int8), carry,
    )  # fmt: skip
    accepted = int(np.count_nonzero(ok_p))
    if stats is not None:
        stats.reject(RejectReason.IMPLAUSIBLE_POSITION, source, count=m - accepted)
        stats.positions += accepted
    ok = np.zeros(lat.shape[0], dtype=np.bool_)
    ok[p[ok_p]] = True
    return ok


def _emitted(updated: B1, t: F8, g: I8, rate_s: float) -> I8:
    """Rows emitted: each segment's first update per ``rate_s`` bucket, and its last update."""
    upd = np.flatnonzero(updated)
    if rate_s > 0:
        bucket = np.floor(t / rate_s)
        prev_b = pick(bucket, prev_in(upd, g), np.full(upd.shape[0], -np.inf))
        keep = bucket[upd] > prev_b
    else:
        keep = np.ones(upd.shape[0], dtype=np.bool_)
    gu = g[upd]
    keep[:-1] |= gu[1:] != gu[:-1]
    keep[-1:] = True
    out: I8 = upd[keep]
    return out


class _Held:
    """Where each emitted row's fields were last given (``_at``), computed once per distinct
    mask: ground speed, track and vertical rate come together and share one."""

    def __init__(self, gstart: I8, rows: I8) -> None:
        self.gstart, self.rows = gstart, rows
        self._done: list[tuple[B1, I8 | None]] = []

    def at(self, has: B1) -> I8 | None:
        for mask, at in self._done:
            if mask is has or np.array_equal(mask, has):
                return at
        at = _at(has, self.gstart, self.rows)
        self._done.append((has, at))
        return at


def _at(has: B1, gstart: I8, rows: I8) -> I8 | None:
    """For each of ``rows``, the last row at or before it in its segment where ``has`` holds
    (-1: none); None when that is the row itself for all (every row has it)."""
    if bool(has.all()):
        return None
    if not has.any():
        return np.full(rows.shape[0], -1, dtype=np.int64)
    out: I8 = ffill_index(has, gstart)[rows]
    return out


def _held(values: npt.NDArray[Any], at: I8 | None, rows: I8, missing: Any) -> npt.NDArray[Any]:
    """``values`` held at ``rows``: ``values[at]`` (``missing`` where -1), or ``values[rows]``
    when ``at`` is None."""
    if at is None:
        return values[rows]
    out: npt.NDArray[Any] = values[at]  # -1 picks the last value: replaced just below
    out[at < 0] = missing
    return out


def _hex_strings(key: I8, rows: I8) -> pa.Array:
    """The 24-bit addresses ``key[rows]`` (``key`` sorted) as 6-lowercase-hex-digit strings,
    built as Arrow's buffers: each distinct address spelt once, its 6 bytes gathered per row."""
    new = np.ones(key.shape[0], dtype=np.bool_)
    new[1:] = key[1:] != key[:-1]
    code = np.cumsum(new) - 1
    k = key[new].astype(np.uint32)
    spelt = _HEX[(k[:, None] >> np.array([20, 16, 12, 8, 4, 0], dtype=np.uint32)) & 0xF]
    chars = spelt[code[rows]]
    offsets = np.arange(0, 6 * rows.shape[0] + 1, 6, dtype=np.int32)
    bufs = [None, pa.py_buffer(offsets), pa.py_buffer(np.ascontiguousarray(chars))]
    return pa.Array.from_buffers(pa.string(), rows.shape[0], bufs)


def _floats(v: F8) -> pa.Array:
    v = np.ascontiguousarray(v, dtype=np.float64)
    return pa.Array.from_buffers(pa.float64(), v.shape[0], [_bitmap(~np.isnan(v)), pa.py_buffer(v)])


def _lake_order(e: I8, ms: I8) -> I8:
    """Emitted rows (in aircraft, time order) by UTC day first, as the lake's files are."""
    day = ms[e] // MS_PER_DAY
    if day.shape[0] < 2 or bool(np.all(day[1:] == day[:-1])):
        return e
    out: I8 = e[np.argsort(day, kind="stable")]
    return out


@dataclass
class _Columns:
    """The input's columns in (aircraft, time) order, and where each field has a value."""

    floats: dict[str, F8]  # FLOAT_FIELDS and latitude, longitude (NaN: none)
    codes: dict[str, tuple[npt.NDArray[Any], npt.NDArray[np.int32]]]  # values, each row's
    onground: npt.NDArray[np.int8]  # -1 unknown
    has: dict[str, B1]


def _one_chunk(col: pa.ChunkedArray) -> pa.Array:
    return col.combine_chunks() if col.num_chunks != 1 else col.chunk(0)


def _ordered(values: npt.NDArray[Any], order: I8 | None) -> npt.NDArray[Any]:
    """``values`` in the rows' (aircraft, time) order: one gather, or one copy."""
    return values[order] if order is not None else values.copy()


def _valid(arr: pa.Array) -> B1:
    bits = np.frombuffer(arr.buffers()[0], dtype=np.uint8)
    out: B1 = np.unpackbits(bits, bitorder="little")[arr.offset : arr.offset + len(arr)].view(
        np.bool_
    )
    return out


def _float_column(col: pa.ChunkedArray, order: I8 | None) -> F8:
    """A float64 column in row order, nulls NaN: gathered straight off the Arrow buffer (no
    intermediate copies: each fresh array of a million rows costs page faults too)."""
    arr = _one_chunk(col)
    n = len(arr)
    if arr.null_count == n:
        return np.full(n, np.nan)
    view = np.frombuffer(arr.buffers()[1], dtype=np.float64)[arr.offset : arr.offset + n]
    out: F8 = _ordered(view, order)
    if arr.null_count:
        out[~_ordered(_valid(arr), order)] = np.nan
    return out


def _onground(col: pa.ChunkedArray, order: I8 | None) -> npt.NDArray[np.int8]:
    """1 on ground, 0 airborne, -1 unknown, in row order, from the Arrow bits."""
    arr = _one_chunk(col)
    n = len(arr)
    bits = np.frombuffer(arr.buffers()[1], dtype=np.uint8)
    og = np.unpackbits(bits, bitorder="little")[arr.offset : arr.offset + n].view(np.int8)
    if arr.null_count:
        og = og.copy()
        og[~_valid(arr)] = -1
    return _ordered(og, order)


def _read(table: pa.Table, order: I8 | None) -> _Columns:
    floats = {f: _float_column(table.column(f), order) for f in ("latitude", "longitude",
                                                                  *FLOAT_FIELDS)}  # fmt: skip
    codes = {
        "callsign": _codes(table.column("callsign"), str, CALLSIGN_DTYPE),
        "squawk": _codes(table.column("squawk"), _squawk, np.int16),
        "position_source": _codes(table.column("position_source"), _position_source, np.uint8),
    }
    codes = {f: (values, _ordered(idx, order)) for f, (values, idx) in codes.items()}
    og = _onground(table.column("onground"), order)
    has = {f: np.isfinite(floats[f]) for f in FLOAT_FIELDS}
    has["callsign"], has["squawk"] = _has(*codes["callsign"]), _has(*codes["squawk"])
    has["onground"] = og >= 0
    return _Columns(floats, codes, og, has)


def _rows(
    c: _Columns, pos: B1, key: I8, ms: I8, gstart: I8, e: I8, source: str
) -> dict[str, pa.Array]:
    """The emitted rows ``e``: each field as last given at or before them in their segment."""
    n = e.shape[0]
    held = _Held(gstart, e)
    at_pos = held.at(pos)
    cols: dict[str, pa.Array] = {
        "timestamp": pa.Array.from_buffers(TIMESTAMP, n, [None, pa.py_buffer(ms[e])]),
        "icao24": _hex_strings(key, e),
        "latitude": _floats(_held(c.floats["latitude"], at_pos, e, np.nan)),
        "longitude": _floats(_held(c.floats["longitude"], at_pos, e, np.nan)),
        "source": pa.DictionaryArray.from_arrays(
            _ints(np.zeros(n, np.int64)), _strings(np.array([source]), nulls=False)
        ).cast(pa.string()),
        "position_error": pa.nulls(n, pa.float64()),
    }
    for f in FLOAT_FIELDS:
        cols[f] = _floats(_held(c.floats[f], held.at(c.has[f]), e, np.nan))
    texts = {  # each distinct value as the tracker renders it
        "callsign": (c.codes["callsign"][0], c.has["callsign"]),
        "squawk": (squawk_strings(c.codes["squawk"][0]), c.has["squawk"]),
        "position_source": (POSITION_SOURCE_LABELS[c.codes["position_source"][0]], pos),
    }
    for f, (values, given) in texts.items():
        idx = _held(c.codes[f][1], held.at(given), e, -1)
        cols[f] = _strings(values).take(_ints(idx))
    o = _held(c.onground, held.at(c.has["onground"]), e, -1)
    cols["onground"] = pa.Array.from_buffers(pa.bool_(), n, [_bitmap(o >= 0), _packed(o == 1)])
    return cols


def gate_states(
    table: pa.Table,
    *,
    stats: IngestStats | None = None,
    source: str = "states",
    rate_s: float = 1.0,
    lost_after_s: float = 60.0,
) -> pa.Table:
    """The state vectors a fresh tracker makes of ``table`` (canonical STATE_SCHEMA: each row
    with a time and a 6-hex-digit address), as described above; rejects counted in ``stats``."""
    key = icao_keys(table.column("icao24"))
    if not key.all():
        bad = key == 0
        if stats is not None:
            stats.reject(RejectReason.BAD_RECORD, source, count=int(bad.sum()))
        table = table.filter(pa.Array.from_buffers(pa.bool_(), len(bad), [None, _packed(~bad)]))
        key = key[~bad]
    if table.num_rows == 0:
        return STATE_SCHEMA.empty_table()
    ms = numpy_of(table.column("timestamp"))
    order = _sort(key, ms)
    if order is not None:
        key, ms = key[order], ms[order]
    t = ms / 1000.0
    g, gstart = _segments(key, t, lost_after_s)
    c = _read(table, order)
    pos = _positions(c.floats["latitude"], c.floats["longitude"], t, g, stats, source)
    updated = pos.copy()
    for mask in c.has.values():
        updated |= mask
    e = _lake_order(_emitted(updated, t, g, rate_s), ms)
    cols = _rows(c, pos, key, ms, gstart, e, source)
    if stats is not None:
        stats.aircraft.update(key[np.r_[True, key[1:] != key[:-1]]].tolist())  # sorted
    return pa.Table.from_arrays([cols[name] for name in STATE_SCHEMA.names], schema=STATE_SCHEMA)
