"""Array helpers for rows sorted by (aircraft, time): group starts and forward fills."""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import numpy.typing as npt

from ..model import F8
from ..runs import run_heads
from .state_vectors import stored_ms

I8 = npt.NDArray[np.int64]


def ffill_index(mask: npt.NDArray[np.bool_], gstart: I8) -> I8:
    """For each row, the index of the latest row at or before it in its group where ``mask``
    holds; -1 where none (rows of other groups never leak across the start)."""
    n = mask.shape[0]
    idx = np.where(mask, np.arange(n, dtype=np.int64), -1)
    if n:
        np.maximum.accumulate(idx, out=idx)  # in place: no second array of n
    idx[idx < gstart] = -1
    return idx


def prev_index(mask: npt.NDArray[np.bool_], gstart: I8) -> I8:
    """Like ``ffill_index`` but strictly before each row."""
    ff = ffill_index(mask, gstart)
    out = np.empty_like(ff)
    if out.shape[0]:
        out[0] = -1
        out[1:] = ff[:-1]
    out[out < gstart] = -1
    return out


def pick(values: npt.NDArray[Any], idx: I8, fallback: npt.NDArray[Any]) -> npt.NDArray[Any]:
    """``values[idx]`` where ``idx >= 0``, else ``fallback`` (same length as ``idx``)."""
    if values.shape[0] == 0:
        return fallback.copy()
    return np.where(idx >= 0, values[np.maximum(idx, 0)], fallback)


def dist_nm(lat1: Any, lon1: Any, lat2: Any, lon2: Any) -> npt.NDArray[np.float64]:
    """Equirectangular distance in NM: exact enough for plausibility gates (short hops)."""
    dlon = (np.asarray(lon2) - lon1 + 180.0) % 360.0 - 180.0
    mean_lat = np.radians((np.asarray(lat1) + lat2) / 2.0)
    out: npt.NDArray[np.float64] = 60.0 * np.hypot(np.asarray(lat2) - lat1, dlon * np.cos(mean_lat))
    return out


def dist_nm_one(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """``dist_nm`` of one pair, bit for bit (the same IEEE operations in the same order; the
    cosine and the hypotenuse by numpy's own ``cos`` and ``hypot``, which libm's can differ
    from in the last bit), at a third of the cost of numpy's scalar path: for sequential
    walks."""
    dlon = (lon2 - lon1 + 180.0) % 360.0 - 180.0
    mean_lat = math.radians((lat1 + lat2) / 2.0)
    return 60.0 * float(_hypot(lat2 - lat1, dlon * float(_cos(mean_lat))))


_cos, _hypot = np.cos, np.hypot


def last_at(idx: I8, rows: I8, first: I8) -> I8:
    """For each of ``rows``, the largest element of the sorted index array ``idx`` that is at
    or before it and not before ``first`` (its group's first row); -1 where none."""
    if idx.shape[0] == 0:
        return np.full(rows.shape[0], -1, dtype=np.int64)
    p = np.searchsorted(idx, rows, side="right") - 1
    out = idx[np.maximum(p, 0)]
    out[(p < 0) | (out < first)] = -1
    return out


def prev_in(idx: I8, g: I8) -> I8:
    """For each element of the sorted row-index array ``idx``, the previous element in the
    same group (``g``: group of every row); -1 for a group's first."""
    out = np.empty_like(idx)
    if out.shape[0] == 0:
        return out
    out[0] = -1
    out[1:] = idx[:-1]
    gi = g[idx]
    out[run_heads(gi)] = -1
    return out


def distinct_ms(e: I8, t: F8, g: I8, carried_ms: F8) -> I8:
    """The emitted rows ``e`` less those in the same stored millisecond (``stored_ms``) as
    the previous emitted row of their segment, or, for a segment's first, as the row its
    aircraft emitted last (``carried_ms``, per segment). The store keeps time to the
    millisecond, so such a row would be the same (icao24, timestamp) stored twice: a frame
    0.3 ms after the one that opened a second (two receivers' frames, or a squitter after a
    reply), or two frames either side of a second's boundary."""
    if e.shape[0] == 0:
        return e
    ms = stored_ms(t[e])
    # the previous emitted row of a segment is the previous element of ``e``: its
    # millisecond is ``ms``'s previous one, not rounded again
    ge = g[e]
    before = carried_ms[ge]
    same = np.flatnonzero(ge[1:] == ge[:-1]) + 1
    before[same] = ms[same - 1]
    out: I8 = e[ms != before]
    return out
