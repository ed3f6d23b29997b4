"""Gate already-tracked state vectors (canonical STATE_SCHEMA tables: our own lake files,
``traffic``/OpenSky exports) with whole-column checks, instead of re-tracking them.

The tracker exists to turn *messages* into states: pairing CPR frames, holding fields, thinning
to one row per second. Input that is already states needs none of that, only the checks that
keep bad rows out of the lake, and those are vectorised here (one sort, then array compares):

- rows the lake cannot hold (no time, bad address): ``store.schema.canonicalize`` (counted);
- a second row for the same aircraft and millisecond: ``duplicate`` (the first is kept);
- positions out of range (|lat| > 90, |lon| > 180, or exactly 0,0): ``bad_position``, the
  row is kept without its position;
- isolated position spikes: a position unreachable from the aircraft's previous position
  *and* from its next one, at the tracker's own speed gate (``track.positions``: 1,000 kt in
  the air, 180 kt on the ground, plus its slack): ``implausible_position``, the row is kept
  without its position. A jump followed by reachable positions is a relocation, not a spike,
  and is kept; the last position of an aircraft is judged on its previous one alone.

Rows keep their order (the lake's writer sorts each day's file by aircraft and time).
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt
import pyarrow as pa

from ..model import RejectReason
from ..stats import IngestStats
from .groups import dist_nm
from .position_gate import gate_allowed_nm

B1 = npt.NDArray[np.bool_]


def _neighbours(has: B1, group: npt.NDArray[np.int64]) -> tuple[npt.NDArray[np.int64], ...]:
    """Index of the previous and next row with a position in the same group (-1: none)."""
    n = has.shape[0]
    idx = np.arange(n, dtype=np.int64)
    prev = np.maximum.accumulate(np.where(has, idx, -1))
    prev = np.concatenate(([-1], prev[:-1])) if n else prev
    nxt = np.minimum.accumulate(np.where(has, idx, n)[::-1])[::-1]
    nxt = np.concatenate((nxt[1:], [n])) if n else nxt
    same_prev = (prev >= 0) & (group[np.maximum(prev, 0)] == group)
    same_next = (nxt < n) & (group[np.minimum(nxt, n - 1)] == group)
    return np.where(same_prev, prev, -1), np.where(same_next, nxt, -1)


def _reachable(
    a: npt.NDArray[np.int64], b: npt.NDArray[np.int64], lat: npt.NDArray[np.float64],
    lon: npt.NDArray[np.float64], t: npt.NDArray[np.float64], ground: B1,
) -> B1:  # fmt: skip
    """Whether position row ``b`` is reachable from row ``a`` (pairs with ``a >= 0``)."""
    d = dist_nm(lat[a], lon[a], lat[b], lon[b])
    allowed = gate_allowed_nm(t[b] - t[a], ground[a] & ground[b])
    out: B1 = d <= allowed
    return out


def gate_states(
    table: pa.Table, *, stats: IngestStats | None = None, source: str = "states"
) -> pa.Table:
    """``table`` (canonical STATE_SCHEMA) gated as described above, in its own row order;
    every row or position removed is counted in ``stats`` with its reason."""
    import pyarrow.compute as pc

    n = table.num_rows
    if n == 0:
        return table
    # judged in (aircraft, time) order through an index; the table itself is not reordered
    # (the lake writer sorts each day's file anyway, and moving every column costs more)
    g = pc.dictionary_encode(table.column("icao24")).combine_chunks().indices
    g = g.to_numpy(zero_copy_only=False).astype(np.int64)
    ms = pc.cast(table.column("timestamp"), pa.int64()).to_numpy(zero_copy_only=False)
    order = np.lexsort((ms, g))  # stable: of equal rows the first given comes first
    g, ms = g[order], ms[order]
    dup_s = np.zeros(n, dtype=np.bool_)
    dup_s[1:] = (g[1:] == g[:-1]) & (ms[1:] == ms[:-1])
    keep_s = ~dup_s

    def col(name: str, fill: object) -> npt.NDArray[np.float64]:
        v = pc.fill_null(table.column(name), fill).to_numpy(zero_copy_only=False)
        out: npt.NDArray[np.float64] = v[order][keep_s].astype(np.float64)
        return out

    lat, lon = col("latitude", np.nan), col("longitude", np.nan)
    ground = col("onground", False) != 0
    g, ms = g[keep_s], ms[keep_s]
    given = np.isfinite(lat) | np.isfinite(lon)
    has = np.isfinite(lat) & np.isfinite(lon)
    has &= (np.abs(lat) <= 90) & (np.abs(lon) <= 180) & ~((lat == 0) & (lon == 0))
    bad_range = given & ~has
    t = ms.astype(np.float64) / 1000.0
    prev, nxt = _neighbours(has, g)
    rows = np.flatnonzero(has & (prev >= 0))
    far_prev = np.zeros(g.shape[0], dtype=np.bool_)
    far_prev[rows] = ~_reachable(prev[rows], rows, lat, lon, t, ground)
    rows = np.flatnonzero(far_prev & (nxt >= 0))
    far_next = np.zeros(g.shape[0], dtype=np.bool_)
    far_next[rows] = ~_reachable(rows, nxt[rows], lat, lon, t, ground)
    spike = far_prev & ((nxt < 0) | far_next)
    drop_s = bad_range | spike
    dup = np.zeros(n, dtype=np.bool_)
    dup[order[dup_s]] = True
    drop = np.zeros(n, dtype=np.bool_)
    drop[order[np.flatnonzero(keep_s)[drop_s]]] = True
    if dup.any():
        table = table.filter(pa.array(~dup))
        drop = drop[~dup]
        if stats is not None:
            stats.reject(RejectReason.DUPLICATE, source, count=int(dup.sum()))
    if drop.any():
        mask = pa.array(drop)
        for name in ("latitude", "longitude"):
            i = table.schema.get_field_index(name)
            table = table.set_column(i, name, pc.if_else(mask, None, table.column(name)))
        if stats is not None:
            stats.reject(RejectReason.BAD_POSITION, source, count=int(bad_range.sum()))
            stats.reject(RejectReason.IMPLAUSIBLE_POSITION, source, count=int(spike.sum()))
    return table
