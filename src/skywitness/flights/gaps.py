"""Gap bridging: is an aircraft that vanished airborne and reappeared airborne on one flight?

Two tests, over arrays of gaps at once:

1. Continuity: if the straight-line speed across the gap is close to the speed the aircraft was
   flying, it kept flying (an ocean crossing out of coverage): one flight.
2. Otherwise the aircraft lost time. It may have landed and taken off again if some airport is
   reachable: fly from the last point to the airport, descend, stay on the ground at least
   ``MIN_TURNAROUND_S``, climb, and fly to the next point, all within the gap. If so, two
   flights; if no airport makes that possible (holding, a long detour), still one flight.
   The feasibility uses the aircraft's own performance: its observed ground speed (with a
   margin) and a climb/descent rate that goes with that speed (about 10 ft/min per kt: 600
   ft/min for a 60 kt glider or light aircraft, 3,000 for a 300 kt airliner) or the rate it
   was seen flying, whichever is higher: a glider thermalling at 8,000 ft before and after a
   27-minute gap could not have landed and climbed back. Where the aircraft's kind is known
   (``flights.kinds``: from its emitter category or its type in the aircraft database), its
   kind bounds both: a glider seen without speed is not assumed to fly at an airliner's
   250 kt, and a jet may descend and climb at up to 4,000 ft/min.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

from .airports import AirportIndex, haversine_m
from .kinds import KIND_RATE_FPM, KIND_SPEED_KT, per_kind
from .segment import MIN_TURNAROUND_S

F8 = npt.NDArray[np.float64]
B1 = npt.NDArray[np.bool_]
I8 = npt.NDArray[np.int64]
I1 = npt.NDArray[np.int8]

KT_TO_MPS = 1852.0 / 3600.0
CONTINUOUS_SPEED_FRACTION = 0.6  # straight-line speed >= 60 % of flown speed: kept flying
DEFAULT_SPEED_KT = 250.0  # when the gap's sides carry no ground speed
MAX_SPEED_KT = 600.0  # upper bound used for reachability (ground speed, with tailwind)
SPEED_MARGIN = 1.25  # in the gap the aircraft may have flown this much faster than seen
FPM_PER_KT = 10.0  # climb/descent rate that goes with a speed, ft/min per kt
MIN_RATE_FPM = 500.0  # slowest climb/descent assumed, ft/min
MAX_RATE_FPM = 3000.0  # fastest climb/descent assumed, ft/min (unknown speed: this)
MAX_REACH_M = 250_000.0  # airports farther than this from both sides are not searched
FIRST_LOOK_M = 30_000.0  # airports searched first, before the whole reach (m)


def same_flight(
    airports: AirportIndex,
    t1: F8,
    lat1: F8,
    lon1: F8,
    alt1: F8,
    gs1: F8,
    t2: F8,
    lat2: F8,
    lon2: F8,
    alt2: F8,
    gs2: F8,
    vr1: F8 | None = None,
    vr2: F8 | None = None,
    kind: I1 | None = None,
) -> B1:
    """True where the gap between side 1 (last point before) and side 2 (first after) is bridged
    (one flight), False where the aircraft could have landed and taken off again. ``vr1``,
    ``vr2``: vertical rates (ft/min) seen at the sides, if known; ``kind``: the aircraft's
    ``flights.kinds.Kind`` per gap, if known."""
    dt = np.maximum(t2 - t1, 1e-3)
    dist = np.asarray(haversine_m(lat1, lon1, lat2, lon2), dtype=np.float64)
    seen_kt = np.fmax(gs1, gs2)
    flown_kt = np.where(np.isfinite(seen_kt), seen_kt, DEFAULT_SPEED_KT)
    straight_kt = dist / dt / KT_TO_MPS
    same = straight_kt >= CONTINUOUS_SPEED_FRACTION * flown_kt
    lost = np.flatnonzero(~same)
    if lost.size:
        nan = np.full(np.shape(t1), np.nan)
        seen_fpm = np.fmax(
            np.abs(nan if vr1 is None else np.asarray(vr1, dtype=np.float64)),
            np.abs(nan if vr2 is None else np.asarray(vr2, dtype=np.float64)),
        )
        args = (dt, lat1, lon1, alt1, lat2, lon2, alt2, seen_kt, seen_fpm)
        landed = could_have_landed(
            airports,
            *(np.asarray(a)[lost] for a in args),
            kind=None if kind is None else np.asarray(kind)[lost],
        )
        same[lost] = ~landed
    return same


def could_have_landed(
    airports: AirportIndex,
    dt: F8,
    lat1: F8,
    lon1: F8,
    alt1: F8,
    lat2: F8,
    lon2: F8,
    alt2: F8,
    speed_kt: F8,
    rate_fpm: F8 | None = None,
    *,
    kind: I1 | None = None,
) -> B1:
    """True where some airport near either side allows descent, a turnaround and a climb, at
    the aircraft's own speed ``speed_kt`` (NaN: unknown, an airliner's assumed) and rates,
    bounded by its kind's (``kind``, where known: the fastest it flies and climbs)."""
    n = dt.shape[0]
    kind_kt = per_kind(KIND_SPEED_KT, kind, n)
    kind_fpm = per_kind(KIND_RATE_FPM, kind, n)
    unseen_kt = np.where(np.isfinite(kind_kt), kind_kt, DEFAULT_SPEED_KT)
    kt = np.where(np.isfinite(speed_kt), np.fmin(speed_kt * SPEED_MARGIN, kind_kt), unseen_kt)
    speed = np.clip(kt, 1.0, MAX_SPEED_KT) * KT_TO_MPS
    top_fpm = np.where(np.isfinite(kind_fpm), kind_fpm, MAX_RATE_FPM)
    by_speed = np.where(np.isfinite(speed_kt), kt * FPM_PER_KT, top_fpm)
    seen = np.zeros(n) if rate_fpm is None else np.nan_to_num(np.asarray(rate_fpm))
    rate = np.clip(np.fmax(by_speed, seen), MIN_RATE_FPM, top_fpm)
    # an airport farther than this from a side cannot be reached, turned around at and left
    reach = np.minimum(speed * np.maximum(dt - MIN_TURNAROUND_S, 0.0), MAX_REACH_M)
    sides = (lat1, lon1, alt1, lat2, lon2, alt2)
    # nearest airports first: a landing is found there for most gaps, and only the gaps
    # without one search the whole reach (the same (gap, airport) pairs as one whole search:
    # those nearer than FIRST_LOOK_M are a part of them; an OR over pairs is order-free)
    out = np.zeros(n, dtype=bool)
    out |= _landable(airports, dt, sides, speed, rate, np.minimum(reach, FIRST_LOOK_M))
    rest = np.flatnonzero(~out & (reach > FIRST_LOOK_M))
    if rest.size:
        part = tuple(a[rest] for a in sides)
        out[rest] = _landable(airports, dt[rest], part, speed[rest], rate[rest], reach[rest])
    return out


def _landable(
    airports: AirportIndex, dt: F8, sides: tuple[F8, ...], speed: F8, rate: F8, radius: F8
) -> B1:
    """``could_have_landed`` over the airports within ``radius`` of either side of each gap:
    (lat, lon, alt) of side 1 then side 2 in ``sides``, speed m/s, rate ft/min."""
    lat1, lon1, alt1, lat2, lon2, alt2 = sides
    n = dt.shape[0]
    qlat = np.r_[lat1, lat2]
    qlon = np.r_[lon1, lon2]
    qi, ai, _ = airports.within(qlat, qlon, np.r_[radius, radius])
    gi = qi % n if n else qi
    elev = airports.elevation_ft[ai]
    d1 = haversine_m(lat1[gi], lon1[gi], airports.lat[ai], airports.lon[ai])
    d2 = haversine_m(airports.lat[ai], airports.lon[ai], lat2[gi], lon2[gi])
    # unknown altitude: assume low (as feasible as possible)
    down = np.nan_to_num(np.maximum(alt1[gi] - elev, 0.0)) / rate[gi] * 60.0
    up = np.nan_to_num(np.maximum(alt2[gi] - elev, 0.0)) / rate[gi] * 60.0
    need = (d1 + d2) / speed[gi] + down + up + MIN_TURNAROUND_S
    ok = need <= dt[gi]
    out = np.zeros(n, dtype=bool)
    out[gi[ok]] = True
    return out
