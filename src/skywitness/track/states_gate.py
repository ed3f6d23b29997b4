"""Already-tracked state vectors (canonical STATE_SCHEMA tables: our own lake files,
``traffic``/OpenSky exports) through the tracker's rules, column-wise, without the tracker.

The tracker turns *messages* into states: pairing CPR frames, trusting some sources over
others, confirming Mode S values. Rows that are already states need none of that; what a fresh
``Tracker`` does to one document of them comes down to a few whole-column passes, which this
module makes (tests/track/test_states_gate.py checks it row for row against the tracker):

- rows of address ``000000`` are counted ``bad_record`` and dropped;
- rows are taken in (aircraft, time) order, cut into segments where an aircraft went unheard
  for more than ``lost_after_s``;
- a position is accepted when the tracker's own speed gate accepts it
  (``position_gate.gate_given``: ``gate_carrying``'s check and sequential fix-up, for rows of
  given positions); the others are counted ``implausible_position``;
- a row is *updated* when it carries any field or an accepted position; the first update of
  each aircraft in each ``rate_s`` bucket is emitted, and so is the last update of each segment
  (the tracker's row for a lost aircraft, or its flush at the end of input);
- each emitted row holds, per field, the last value given at or before it in its segment
  (position and position source: the last accepted position), and the document's name as
  ``source``.

Rows come out in the lake's order (UTC day, icao24, time), so the lake writer need not sort,
and their texts (``icao24``, ``callsign``, ``squawk``, ``source``, ``position_source``)
dictionary-encoded, as the states reader gives them (``sources.states.plain_texts`` decodes
them): each distinct text made once, not a text per row, and the lake's Parquet writer takes
them as they are rather than hashing a text per row for its dictionary pages.
"""

from __future__ import annotations

import itertools
from typing import Any

import numpy as np
import numpy.typing as npt
import pyarrow as pa

from ..decode.hexio import address_column, numpy_of
from ..model import STATE_SCHEMA, RejectReason
from ..runs import run_heads
from ..sources.states import position_source_of, squawk_of
from ..stats import IngestStats
from ..store.lake import MS_PER_DAY, icao_keys
from .groups import I8, distinct_ms
from .position_gate import gate_given
from .state_vectors import POSITION_SOURCE_LABELS, _bitmap, _packed, _strings, squawk_strings
from .states_columns import Columns, Held, read_columns

B1 = npt.NDArray[np.bool_]
F8 = npt.NDArray[np.float64]
#: Width of a callsign as the tracker holds it (characters; longer ones are cut).
CALLSIGN_DTYPE = "<U8"
FLOAT_FIELDS = ("altitude", "geoaltitude", "groundspeed", "track", "vertical_rate")
TIMESTAMP = pa.timestamp("ms", tz="UTC")
#: Bits of a row's time (ms since the document's first) in the single sort key: ~17 years.
TIME_BITS = 39
#: The texts the gate gives dictionary-encoded (int32 indices into their distinct values).
TEXTS = ("icao24", "callsign", "squawk", "source", "position_source")
#: What the gate gives: STATE_SCHEMA with ``TEXTS`` dictionary-encoded.
GATED_SCHEMA = pa.schema(
    [
        pa.field(f.name, pa.dictionary(pa.int32(), f.type)) if f.name in TEXTS else f
        for f in STATE_SCHEMA
    ]
)
#: Bound on |ms| below which ``round(ms / 1000.0 * 1000.0) == ms`` (``state_vectors.stored_ms``
#: of the gate's ``t``): the two roundings' error, under ms * 2**-52, stays below half a ms.
EXACT_MS = 2**50
#: Position rows the speed gate takes at a time (whole segments; see ``_gate_chunks``).
GATE_CHUNK_ROWS = 131_072


def _ints(v: npt.NDArray[np.signedinteger[Any]]) -> pa.Array:
    """int32 or int64 indices as Arrow (nulls where negative), off the numpy buffer."""
    typ = pa.int32() if v.dtype == np.int32 else pa.int64()
    v = np.ascontiguousarray(v, dtype=np.int32 if v.dtype == np.int32 else np.int64)
    return pa.Array.from_buffers(typ, v.shape[0], [_bitmap(v >= 0), pa.py_buffer(v)])


#: The string fields read, each as (its value per distinct text, dtype), and those whose
#: presence makes a row an update (the position source comes with an accepted position).
#: Each text is read by the states reader's own function (``sources.states``), so the gate
#: and the tracker fed by ``observations_from_states`` cannot read a value differently.
STRINGS: dict[str, tuple[Any, npt.DTypeLike]] = {
    "callsign": (str, CALLSIGN_DTYPE),
    "squawk": (squawk_of, np.int16),
    "position_source": (position_source_of, np.uint8),
}
GIVEN = ("callsign", "squawk")


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
    cut = run_heads(key)
    cut[1:] |= t[1:] - t[:-1] > lost_after_s
    g = np.cumsum(cut) - 1
    return g, np.flatnonzero(cut)[g]


def _positions(c: Columns, t: F8, g: I8, stats: IngestStats | None, source: str) -> B1:
    """Rows whose given position the tracker's speed gate accepts (fresh aircraft)."""
    given = c.has["latitude"] & c.has["longitude"]
    every = bool(given.all())  # the usual case: no row's times and segments to gather
    p = np.arange(t.shape[0]) if every else np.flatnonzero(given)
    src = c.order if every and c.order is not None else c.sorted_rows(p)
    lat, lon = c.floats["latitude"], c.floats["longitude"]
    lat_p = lat[src] if lat is not None else np.zeros(0)  # no latitude: no position either
    lon_p = lon[src] if lon is not None else np.zeros(0)
    del src
    tp, gp = (t, g) if every else (t[p], g[p])
    m = p.shape[0]
    ok_p = np.zeros(m, dtype=np.bool_)
    for lo, hi in _gate_chunks(gp):
        ok_p[lo:hi] = gate_given(tp[lo:hi], gp[lo:hi] - gp[lo], lat_p[lo:hi], lon_p[lo:hi])
    accepted = int(np.count_nonzero(ok_p))
    if stats is not None:
        stats.reject(RejectReason.IMPLAUSIBLE_POSITION, source, count=m - accepted)
        stats.positions += accepted
    if every:
        return ok_p
    ok = np.zeros(t.shape[0], dtype=np.bool_)
    ok[p[ok_p]] = True
    return ok


def _gate_chunks(gp: I8) -> list[tuple[int, int]]:
    """Runs of whole segments (``gp``: sorted segment of each position row) of about
    ``GATE_CHUNK_ROWS`` rows: the gate works segment by segment, so it gives the same verdicts
    run over each in turn, with a tenth of the fresh memory of one whole-document pass (its
    ~20 temporaries of a row each; a page faulted in costs more than the arithmetic)."""
    m = gp.shape[0]
    cuts = [0]
    while cuts[-1] < m:
        at = cuts[-1] + GATE_CHUNK_ROWS
        if at >= m:
            cuts.append(m)
            break
        nxt = int(np.searchsorted(gp, gp[at], side="left"))  # the segment's first row
        if nxt <= cuts[-1]:
            nxt = int(np.searchsorted(gp, gp[at], side="right"))  # one segment that long
        cuts.append(nxt)
    return list(itertools.pairwise(cuts))


def _emitted(updated: B1, t: F8, ms: I8, g: I8, rate_s: float) -> I8:
    """Rows emitted: each segment's first update per ``rate_s`` bucket, and its last update.
    The update before each update of a segment is the one before it in ``upd``. Times ``t``
    are ``ms`` / 1000: the millisecond ``distinct_ms`` stores a row at is its ``ms`` (within
    ``EXACT_MS``), compared as integers, without the rounding and the gathers."""
    upd = np.flatnonzero(updated)
    every = upd.shape[0] == t.shape[0]  # the usual case: every row updates (no gathers)
    tu, gu = (t, g) if every else (t[upd], g[upd])
    new_segment = run_heads(gu)
    if rate_s > 0:  # a segment's first update, or one in a later bucket than the one before
        bucket = np.floor(tu / rate_s)
        keep = new_segment.copy()
        keep[1:] |= bucket[1:] > bucket[:-1]
        del bucket
    else:
        keep = np.ones(upd.shape[0], dtype=np.bool_)
    keep[:-1] |= new_segment[1:]  # a segment's last update
    keep[-1:] = True
    e = upd[keep]
    if rate_s <= 0 or e.shape[0] < 2:
        return e
    # as the tracker: one row per aircraft per stored millisecond (``groups.distinct_ms``)
    if int(ms.min()) > -EXACT_MS and int(ms.max()) < EXACT_MS:  # a row's stored ms is its own
        me, ge = (ms, g) if e.shape[0] == ms.shape[0] else (ms[e], g[e])  # (all: e is 0..n-1)
        again = (ge[1:] == ge[:-1]) & (me[1:] == me[:-1])  # the ms of the row before it
        return e if not again.any() else e[np.r_[True, ~again]]
    out: I8 = distinct_ms(e, t, g, np.full(int(g[-1]) + 1 if g.shape[0] else 0, np.nan))
    return out


def _hex_codes(key: I8, rows: I8) -> pa.DictionaryArray:
    """The 24-bit addresses ``key[rows]`` (``key`` sorted) as 6-lowercase-hex-digit texts,
    dictionary-encoded: each distinct address spelt once (``address_column``), each row its
    index."""
    new = run_heads(key)
    code = np.cumsum(new, dtype=np.int32)
    code -= 1
    words = address_column(key[new].astype(np.uint32))
    return pa.DictionaryArray.from_arrays(_ints(code[rows]), words)


def _one_text(value: str, n: int) -> pa.DictionaryArray:
    """``value`` on each of ``n`` rows, dictionary-encoded (its indices zeros from ``calloc``:
    not a text per row)."""
    zeros = pa.Array.from_buffers(pa.int32(), n, [None, pa.py_buffer(np.zeros(n, np.int32))])
    return pa.DictionaryArray.from_arrays(zeros, pa.array([value], pa.string()))


def _floats(v: F8) -> pa.Array:
    v = np.ascontiguousarray(v, dtype=np.float64)
    return pa.Array.from_buffers(pa.float64(), v.shape[0], [_bitmap(~np.isnan(v)), pa.py_buffer(v)])


def _null_floats(n: int) -> pa.Array:
    """``n`` nulls as a float64 column, its buffers zeros from ``calloc``: pages a reader of
    the validity bitmap alone (the Parquet writer) never faults in, where ``pa.nulls`` and
    ``np.full`` write every byte of the n x 8 bytes."""
    bits, values = np.zeros((n + 7) // 8, dtype=np.uint8), np.zeros(n, dtype=np.float64)
    return pa.Array.from_buffers(
        pa.float64(), n, [pa.py_buffer(bits), pa.py_buffer(values)], null_count=n
    )


def _lake_order(e: I8, ms: I8) -> I8:
    """Emitted rows (in aircraft, time order) by UTC day first, as the lake's files are.
    Days as uint16 offsets from the first when they span fewer than 65,536: numpy's stable
    sort of 16-bit keys is a radix sort, ~2x faster than its merge sort of int64 keys."""
    day = ms[e] // MS_PER_DAY
    if day.shape[0] < 2 or bool(np.all(day[1:] == day[:-1])):
        return e
    lo = int(day.min())
    if int(day.max()) - lo < 1 << 16:
        day = (day - lo).astype(np.uint16)
    out: I8 = e[np.argsort(day, kind="stable")]
    return out


def _rows(
    c: Columns, pos: B1, key: I8, ms: I8, gstart: I8, e: I8, source: str
) -> dict[str, pa.Array]:
    """The emitted rows ``e``: each field as last given at or before them in their segment.
    Fields held alike (the position's three, then ground speed, track and vertical rate) are
    picked one after the other: ``Held`` keeps the rows of one presence mask at a time."""
    n = e.shape[0]
    held = Held(c, gstart, e)
    cols: dict[str, pa.Array] = {
        "timestamp": pa.Array.from_buffers(TIMESTAMP, n, [None, pa.py_buffer(ms[e])]),
        "icao24": _hex_codes(key, e),
        "latitude": _floats(held.pick(c.floats["latitude"], pos, np.nan)),
        "longitude": _floats(held.pick(c.floats["longitude"], pos, np.nan)),
        "position_source": _text(held, c, "position_source", pos),
        "source": _one_text(source, n),
        "position_error": _null_floats(n),
    }
    for f in FLOAT_FIELDS:
        values = c.floats[f]  # None: all null in the document, so in every row emitted
        cols[f] = (
            _null_floats(n) if values is None else _floats(held.pick(values, c.has[f], np.nan))
        )
    for f in GIVEN:
        cols[f] = _text(held, c, f, c.has[f])
    o = held.pick(c.onground, c.has["onground"], -1)
    cols["onground"] = pa.Array.from_buffers(pa.bool_(), n, [_bitmap(o >= 0), _packed(o == 1)])
    return cols


def _text(held: Held, c: Columns, f: str, given: B1) -> pa.DictionaryArray:
    """Text field ``f`` held at the emitted rows, dictionary-encoded: each distinct value as
    the tracker renders it (``STRINGS``' reading of it, back to text; none empty: an empty
    rendering is a null row, not a null word)."""
    values = c.codes[f][0]
    if f == "squawk":
        values = squawk_strings(values)
    elif f == "position_source":
        values = POSITION_SOURCE_LABELS[values]
    values = np.asarray(values).astype(str)
    word = values != ""
    at = np.full(values.shape[0] + 1, -1, dtype=np.int32)  # each value's word; [-1]: none
    at[:-1][word] = np.arange(int(np.count_nonzero(word)), dtype=np.int32)
    words = _strings(values[word], nulls=False)
    idx = held.pick(c.codes[f][1], given, -1) if word.any() else None
    n = held.rows.shape[0]
    rows = at[idx] if idx is not None else np.full(n, -1, dtype=np.int32)
    return pa.DictionaryArray.from_arrays(_ints(rows), words)


def gate_states(
    table: pa.Table,
    *,
    stats: IngestStats | None = None,
    source: str = "states",
    rate_s: float = 1.0,
    lost_after_s: float = 60.0,
) -> pa.Table:
    """The state vectors a fresh tracker makes of ``table`` (canonical STATE_SCHEMA: each row
    with a time and a 6-hex-digit address), as described above (STATE_SCHEMA's columns, the
    texts dictionary-encoded); rejects counted in ``stats``."""
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
    c = read_columns(table, order, ("latitude", "longitude", *FLOAT_FIELDS), STRINGS, GIVEN)
    pos = _positions(c, t, g, stats, source)
    updated = pos.copy()
    for f, mask in c.has.items():
        if f not in ("latitude", "longitude"):  # a position counts once the gate accepts it
            updated |= mask
    e = _lake_order(_emitted(updated, t, ms, g, rate_s), ms)
    del t, g, updated  # ~19 MB the output's columns reuse rather than fault in afresh
    cols = _rows(c, pos, key, ms, gstart, e, source)
    if stats is not None:
        stats.aircraft.update(key[run_heads(key)].tolist())  # sorted
    return pa.Table.from_arrays([cols[name] for name in GATED_SCHEMA.names], schema=GATED_SCHEMA)
