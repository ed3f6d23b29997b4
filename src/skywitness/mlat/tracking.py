"""Per-aircraft tracking filter: smooths successive fixes and rejects the ones that do not fit.

The smoothed position keeps the fix's own stated error (not the filter's smaller variance):
the clock-sync part of a fix's error is shared by its neighbours and does not average out.

A constant-velocity Kalman filter in ECEF with one isotropic 2x2 covariance (position,
velocity) shared by the three axes: cheap (plain floats), and adequate because a fix's stated
error is one radius, not an ellipse. Process noise is white acceleration of ``ACCEL_M_S2``.
A fix whose distance from the prediction exceeds ``GATE_SIGMAS`` times the combined standard
deviation (plus what ``MAX_SPEED_M_S`` allows since the last fix) is rejected and counted;
``RESTART_AFTER`` rejections in a row restart the track on the new fix (the old one was wrong
or the aircraft was lost). A track unheard for ``LOST_AFTER_S`` restarts too.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from ..model import F8
from .solver import CHI2_2D_95

ACCEL_M_S2 = 3.0
GATE_SIGMAS = 4.0
MAX_SPEED_M_S = 350.0
RESTART_AFTER = 3
LOST_AFTER_S = 60.0
#: 95 % radius over the 1-sigma of an isotropic 2-D error.
R95_PER_SIGMA = math.sqrt(CHI2_2D_95)


@dataclass(slots=True)
class _Track:
    t: float
    pos: F8
    vel: F8
    p: float  # position variance per axis, m^2
    c: float  # position-velocity covariance
    v: float  # velocity variance, (m/s)^2
    misses: int = 0
    fixes: int = 1


class TrackFilter:
    """Tracks of every aircraft placed by multilateration."""

    def __init__(self) -> None:
        self.tracks: dict[int, _Track] = {}
        self.rejected = 0
        self.restarts = 0

    def predict(self, icao24: int, t: float) -> F8 | None:
        tr = self.tracks.get(icao24)
        if tr is None or t - tr.t > LOST_AFTER_S:
            return None
        out: F8 = tr.pos + tr.vel * (t - tr.t)
        return out

    def update(self, icao24: int, t: float, z: F8, error_m: float) -> tuple[F8, float] | None:
        """Fold one fix in; returns the smoothed (ECEF position, 95 % radius m) or None when
        the fix is rejected as an outlier."""
        r = (error_m / R95_PER_SIGMA) ** 2
        tr = self.tracks.get(icao24)
        if tr is None or t - tr.t > LOST_AFTER_S or t < tr.t - 5.0:
            self.tracks[icao24] = _Track(t, z.copy(), np.zeros(3), r, 0.0, MAX_SPEED_M_S**2)
            return z, error_m
        dt = max(t - tr.t, 0.0)
        q = ACCEL_M_S2**2
        p = tr.p + 2 * dt * tr.c + dt * dt * tr.v + q * dt**4 / 4
        c = tr.c + dt * tr.v + q * dt**3 / 2
        v = tr.v + q * dt * dt
        pred = tr.pos + tr.vel * dt
        innov = z - pred
        dist = float(np.linalg.norm(innov))
        # 3-D miss distance against a 2-sigma-ish allowance per axis
        gate = GATE_SIGMAS * math.sqrt(p + r) * math.sqrt(3.0) + 10.0
        if dist > gate and dist > MAX_SPEED_M_S * dt:
            tr.misses += 1
            self.rejected += 1
            if tr.misses >= RESTART_AFTER:
                self.restarts += 1
                self.tracks[icao24] = _Track(t, z.copy(), np.zeros(3), r, 0.0, MAX_SPEED_M_S**2)
            return None
        s = p + r
        kp, kv = p / s, c / s
        tr.pos = pred + kp * innov
        tr.vel = tr.vel + kv * innov
        tr.p, tr.c, tr.v = (1 - kp) * p, (1 - kp) * c, v - kv * c
        tr.t, tr.misses, tr.fixes = t, 0, tr.fixes + 1
        # The stated error stays the fix's own: successive fixes share their clock-sync error,
        # which smoothing does not average away (the filter's variance would claim it does).
        return tr.pos.copy(), max(error_m, R95_PER_SIGMA * math.sqrt(tr.p))

    def forget_before(self, t: float) -> None:
        for k in [k for k, tr in self.tracks.items() if tr.t < t - LOST_AFTER_S]:
            del self.tracks[k]
