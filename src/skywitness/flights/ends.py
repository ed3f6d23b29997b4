"""Flight ends for airport inference: reference points, direction, vertical rate, samples.

Pure functions over the segmented points (``Segmented``): for each flight, its departure and
arrival reference points are the nearest points with a position (a flight's first row is
often an altitude or velocity message without one), its direction of motion and vertical
rate come from the real points near them (never a window padded by repeating the last point,
never points minutes away in sparse data), and an observed end carries up to
``GROUND_SAMPLES`` of its ground points.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from .airports import bearing_deg
from .infer import FlightEnds
from .segment import Points

F8 = npt.NDArray[np.float64]
I8 = npt.NDArray[np.int64]

GROUND_SAMPLES = 16  # ground points per observed end used for attribution
DIRECTION_POINTS = 5  # direction of motion from this many points back/forward
VR_WINDOW_S = 90.0  # vertical rate of an end: points within this of its first/last point, s


@dataclass(slots=True)
class Positioned:
    """The points with a position (``at``: their indices, ascending) among points sorted by
    (aircraft, time) whose aircraft codes are ``ac``: a point's nearest positioned
    neighbours, looked up for the few points asked about (gap sides, flight ends)."""

    at: I8
    ac: I8

    @classmethod
    def of(cls, p: Points) -> Positioned:
        return cls(np.flatnonzero(np.isfinite(p.lat) & np.isfinite(p.lon)), p.ac)

    def before(self, i: I8) -> I8:
        """Per point ``i``, the last point at or before it with a position, of the same
        aircraft (-1 where there is none)."""
        if not self.at.size:
            return np.full(i.shape[0], -1, dtype=np.int64)
        k = np.searchsorted(self.at, i, side="right") - 1
        cand = self.at[np.maximum(k, 0)]
        return np.where((k >= 0) & (self.ac[cand] == self.ac[i]), cand, -1)

    def after(self, i: I8) -> I8:
        """Per point ``i``, the first point at or after it with a position, of the same
        aircraft (-1 where there is none)."""
        if not self.at.size:
            return np.full(i.shape[0], -1, dtype=np.int64)
        k = np.searchsorted(self.at, i, side="left")
        cand = self.at[np.minimum(k, self.at.shape[0] - 1)]
        return np.where((k < self.at.shape[0]) & (self.ac[cand] == self.ac[i]), cand, -1)


@dataclass(slots=True)
class Segmented:
    """Points with their ground state and segment ids (the input of flight assembly)."""

    points: Points
    ground: npt.NDArray[np.int8]
    seg: I8
    positioned: Positioned  # each point's nearest points with a position


def _direction(p: Points, i: I8, j: I8) -> F8:
    """Bearing from point i to point j; the reported track where they coincide."""
    b = np.asarray(bearing_deg(p.lat[i], p.lon[i], p.lat[j], p.lon[j]), dtype=np.float64)
    return np.where((i == j) | np.isnan(b), p.trk[j], b)


def _row_nanmedian(v: F8) -> F8:
    """``np.nanmedian(v, axis=1)`` of rows with a value each, the same values (the middle one,
    or the mean of the middle two): a sort, where numpy's masked-array median of small rows costs
    ~0.4 ms a call, a live step's largest fixed cost after the build's Arrow calls."""
    s = np.sort(v, axis=1)  # NaN last
    n = np.count_nonzero(~np.isnan(v), axis=1)
    rows = np.arange(v.shape[0])
    return np.asarray((s[rows, (n - 1) // 2] + s[rows, n // 2]) / 2.0, dtype=np.float64)


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
    out[has] = _row_nanmedian(vr[has])
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
    pos = s.positioned
    cand = (pos.after if forward else pos.before)(ic) if n else ic
    ok = (i >= 0) & (i < n) & (cand >= lo) & (cand <= hi) & (cand >= 0)
    return np.where(ok, cand, i if default is None else default)


def flight_ends(s: Segmented, fl_first: I8, fl_last: I8, fa: I8, la: I8, vmax: F8) -> FlightEnds:
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
    lo = np.concatenate((fl_first, la + 1))
    hi = np.concatenate((fa - 1, fl_last))
    obs = np.concatenate((dep_obs, arr_obs))
    m = np.where(obs, hi - lo + 1, 0)
    k = np.minimum(m, GROUND_SAMPLES)
    end = np.repeat(np.arange(obs.shape[0]), k)
    offs = np.cumsum(k) - k
    j = np.arange(end.shape[0]) - offs[end]
    step = (m[end] - 1) / np.maximum(k[end] - 1, 1)
    si = lo[end] + np.floor(j * step).astype(np.int64)
    ref = np.concatenate((dep_ref, arr_ref))
    return FlightEnds(
        observed=obs,
        arrival=np.concatenate((np.zeros(fa.shape[0], bool), np.ones(la.shape[0], bool))),
        lat=p.lat[ref],
        lon=p.lon[ref],
        alt=np.where(obs, np.nan, p.alt[ref]),
        direction=np.concatenate((dep_dir, arr_dir)),
        vrate=np.concatenate(
            (
                _median_vr(p, fa, fa, np.minimum(fa + DIRECTION_POINTS, la)),
                _median_vr(p, la, np.maximum(la - DIRECTION_POINTS, fa), la),
            )
        ),
        speed_kt=np.concatenate((vmax, vmax)),
        end_kt=np.concatenate((p.gs[fpos], p.gs[lpos])),
        sample_end=end.astype(np.int64),
        sample_lat=p.lat[si],
        sample_lon=p.lon[si],
        kind=None if p.kind is None else np.tile(p.kind[p.ac[fl_first]], 2),
    )
