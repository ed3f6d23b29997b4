"""Which receiver hears a frame, and how loud: range, radio line of sight and a level model.

A receiver hears an aircraft within its coverage radius and above its radio horizon on a smooth
spherical Earth (4/3 Earth radius refraction: d_NM = 1.23 (sqrt(h_rx_ft) + sqrt(h_ac_ft)), heights
above sea level). Where several receivers hear a frame, the nearest one (the strongest signal)
reports it; nothing is heard over the ocean, so long crossings leave real gaps. Pure numpy.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import numpy.typing as npt

from ..model import F8, I4
from .flightpath import EARTH_RADIUS_M, M_PER_NM
from .scenario import Receiver

#: Radio horizon constant, NM per sqrt(ft), with standard refraction.
HORIZON_NM_PER_SQRT_FT = 1.23
#: Signal level (dBFS) at REFERENCE_RANGE_NM; free-space loss beyond it (20 dB per decade).
REFERENCE_LEVEL_DBFS = -20.0
REFERENCE_RANGE_NM = 10.0
#: Readable dBFS range of a Beast signal byte (1..255).
MIN_LEVEL_DBFS = -48.0
MAX_LEVEL_DBFS = -1.0


def _unit(lat: F8, lon: F8) -> F8:
    la, lo = np.radians(lat), np.radians(lon)
    out: F8 = np.stack([np.cos(la) * np.cos(lo), np.cos(la) * np.sin(lo), np.sin(la)], axis=-1)
    return out


def _cosines(receivers: Sequence[Receiver], lat: F8, lon: F8) -> F8:
    """Cosine of the central angle from every receiver (columns) to every position (rows)."""
    p = _unit(np.asarray(lat), np.asarray(lon))
    r = _unit(np.array([x.lat for x in receivers]), np.array([x.lon for x in receivers]))
    out: F8 = np.clip(p @ r.T, -1.0, 1.0)
    return out


def _arc_nm(cos: F8) -> F8:
    """Great-circle distance (NM) of central-angle cosines."""
    out: F8 = np.arccos(cos) * EARTH_RADIUS_M / M_PER_NM
    return out


def ranges_nm(receivers: Sequence[Receiver], lat: F8, lon: F8) -> F8:
    """Great-circle distance (NM) from every receiver (columns) to every position (rows)."""
    return _arc_nm(_cosines(receivers, lat, lon))


#: Receiver-aircraft pairs are measured only within this far beyond a receiver's radius (a
#: cosine test first: the arc cosine of every pair was most of the simulator's coverage time).
PAIR_MARGIN_NM = 1.0


def hear(receivers: Sequence[Receiver], lat: F8, lon: F8, altitude_ft: F8) -> tuple[I4, F8]:
    """Index of the receiver that reports each position (-1: nobody hears it) and its range."""
    n = np.asarray(lat).shape[0]
    if n == 0 or not receivers:
        return np.full(n, -1, dtype=np.int32), np.full(n, np.nan)
    cos = _cosines(receivers, lat, lon)
    radius = np.array([x.radius_nm for x in receivers])
    rows, cols = np.nonzero(cos >= np.cos((radius + PAIR_MARGIN_NM) * M_PER_NM / EARTH_RADIUS_M))
    dist = _arc_nm(cos[rows, cols])
    rx_ft = np.array([x.altitude_ft for x in receivers])
    ac_ft = np.maximum(np.asarray(altitude_ft, dtype=np.float64), 0.0)
    horizon = HORIZON_NM_PER_SQRT_FT * (np.sqrt(rx_ft)[cols] + np.sqrt(ac_ft)[rows])
    ok = (dist <= radius[cols]) & (dist <= horizon)
    masked = np.full(cos.shape, np.inf)
    masked[rows[ok], cols[ok]] = dist[ok]
    best = np.argmin(masked, axis=1)
    best_range = masked[np.arange(n), best]
    heard = np.isfinite(best_range)
    return np.where(heard, best, -1).astype(np.int32), np.where(heard, best_range, np.nan)


def near_any(receivers: Sequence[Receiver], lat: F8, lon: F8, margin_nm: float) -> bool:
    """Whether any position is within some receiver's radius plus ``margin_nm`` (a cheap
    test to skip stretches nobody can hear)."""
    return bool(near_each(receivers, lat, lon, margin_nm).any())


def near_each(
    receivers: Sequence[Receiver], lat: F8, lon: F8, margin_nm: float
) -> npt.NDArray[np.bool_]:
    """Per position: within some receiver's radius plus ``margin_nm``."""
    n = np.asarray(lat).shape[0]
    if n == 0 or not receivers:
        return np.zeros(n, dtype=np.bool_)
    radius = np.array([x.radius_nm for x in receivers])
    within = ranges_nm(receivers, lat, lon) <= radius[None, :] + margin_nm
    out: npt.NDArray[np.bool_] = np.asarray(within.any(axis=1), dtype=np.bool_)
    return out


def level_dbfs(range_nm: F8) -> F8:
    """Signal level by range: free-space loss from a reference level, clipped to what a
    receiver's 8-bit level can say."""
    r = np.maximum(np.asarray(range_nm, dtype=np.float64), 0.1)
    level = REFERENCE_LEVEL_DBFS - 20.0 * np.log10(r / REFERENCE_RANGE_NM)
    out: F8 = np.clip(level, MIN_LEVEL_DBFS, MAX_LEVEL_DBFS)
    return out
