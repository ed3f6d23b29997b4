"""Flight kinematics: a route of airports becomes phases that give the true state at any time.

Each leg is flown gate to gate: parked with the transponder on, taxi out, takeoff roll, climb at a
constant rate while accelerating to cruise speed, cruise on the great circle, descent on a 3°
path while slowing to approach speed, landing roll, taxi in, parked. Each phase moves along one
great-circle path with constant acceleration, so ``evaluate`` is closed-form and vectorised over
any array of times (frames are stamped at sub-second times, the truth table at whole seconds).
No wind is modelled: ground speed is airspeed, track is heading. Pure numpy, no I/O.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt

from ..model import B1, F8, I4

EARTH_RADIUS_M = 6_371_008.8  # mean radius (IUGG)
M_PER_NM = 1852.0
M_PER_FT = 0.3048
MS_PER_KT = M_PER_NM / 3600.0  # m/s in one knot

PARKED_S = 60.0  # transponder on at the gate before taxi-out and after taxi-in
TAXI_SPEED_KT = 15.0
TAXI_OUT_S = 300.0
TAXI_IN_S = 180.0
TAKEOFF_ROLL_M = 1800.0
ROTATE_SPEED_KT = 150.0
CLIMB_RATE_FPM = 2000.0
DESCENT_ANGLE_DEG = 3.0
APPROACH_SPEED_KT = 140.0
LANDING_ROLL_M = 1500.0
#: A leg whose great circle is shorter than this cannot hold a climb and a descent.
MIN_LEG_NM = 20.0
#: Lowest cruise level a short leg is cut down to, above the higher airport.
MIN_CRUISE_AGL_FT = 1500.0

#: Phases of every leg: parked, taxi, roll, climb, cruise, descent, roll, taxi, parked.
PHASES_PER_LEG = 9

_TAN_DESCENT = math.tan(math.radians(DESCENT_ANGLE_DEG))


class PlanError(ValueError):
    """A route that cannot be flown; ``stop`` is the index of the route stop at fault."""

    def __init__(self, stop: int, message: str) -> None:
        super().__init__(message)
        self.stop = stop


@dataclass(frozen=True, slots=True)
class Airport:
    icao: str
    name: str
    lat: float  # deg
    lon: float  # deg
    elevation_ft: float


@dataclass(frozen=True, slots=True)
class Stop:
    """One airport of a route; ``depart`` (unix s) or ``ground_s`` says when it is left."""

    airport: Airport
    depart: float | None = None  # off-block time, unix s UTC
    ground_s: float | None = None  # seconds between arriving at the gate and leaving it


@dataclass(frozen=True, slots=True)
class Leg:
    """Times (unix s UTC) of one flown leg."""

    origin: Airport
    destination: Airport
    start: float  # transponder on at the origin gate
    off_block: float
    takeoff: float
    landing: float  # touchdown
    on_block: float
    end: float  # transponder off at the destination gate
    cruise_altitude_ft: float


@dataclass(frozen=True, slots=True, eq=False)
class FlightPlan:
    """All phases of all legs of one aircraft, as columns sorted by start time."""

    legs: tuple[Leg, ...]
    t0: F8  # phase start, unix s
    dur: F8  # s
    p0: F8  # (k, 3) unit vector of the phase path's origin
    u: F8  # (k, 3) unit tangent at p0 (direction of travel)
    s0: F8  # m along the path at phase start
    v0: F8  # m/s at phase start
    acc: F8  # m/s^2
    h0: F8  # ft at phase start
    climb_fps: F8  # ft/s of altitude change with time (climb)
    slope: F8  # ft of altitude change per m flown (descent path)
    onground: B1


@dataclass(frozen=True, slots=True)
class State:
    """True state at the times asked; rows where ``valid`` is False are outside every leg."""

    valid: B1
    lat: F8
    lon: F8
    altitude: F8  # ft (pressure altitude = geometric: standard atmosphere)
    groundspeed: F8  # kt
    track: F8  # deg true, 0..360
    vertical_rate: F8  # ft/min
    onground: B1
    leg: I4  # leg index, -1 outside


def unit_vector(lat: float, lon: float) -> F8:
    la, lo = math.radians(lat), math.radians(lon)
    return np.array([math.cos(la) * math.cos(lo), math.cos(la) * math.sin(lo), math.sin(la)])


def _along(p0: F8, u: F8, dist_m: float) -> tuple[F8, F8]:
    """Point and unit tangent ``dist_m`` along the great circle leaving ``p0`` along ``u``."""
    d = dist_m / EARTH_RADIUS_M
    return math.cos(d) * p0 + math.sin(d) * u, -math.sin(d) * p0 + math.cos(d) * u


def great_circle_nm(a: Airport, b: Airport) -> float:
    pa, pb = unit_vector(a.lat, a.lon), unit_vector(b.lat, b.lon)
    return float(np.arctan2(np.linalg.norm(np.cross(pa, pb)), pa @ pb)) * EARTH_RADIUS_M / M_PER_NM


class _LegBuilder:
    """Appends the phases of one leg to column lists."""

    def __init__(self) -> None:
        self.rows: list[tuple[float, ...]] = []
        self.paths: list[tuple[F8, F8]] = []

    def add(
        self,
        t0: float,
        dur: float,
        path: tuple[F8, F8],
        s0: float,
        v0: float,
        acc: float,
        h0: float,
        *,
        climb_fps: float = 0.0,
        slope: float = 0.0,
        onground: bool,
    ) -> float:
        self.rows.append((t0, dur, s0, v0, acc, h0, climb_fps, slope, float(onground)))
        self.paths.append(path)
        return t0 + dur


def _cruise_level(a: Airport, b: Airport, dist_m: float, alt_ft: float, v_c: float) -> float:
    """The cruise altitude, lowered when the leg is too short to climb to it and come down."""
    v_r = ROTATE_SPEED_KT * MS_PER_KT
    k_climb = (v_r + v_c) / 2.0 / (CLIMB_RATE_FPM / 60.0)  # m flown per ft climbed
    k_desc = M_PER_FT / _TAN_DESCENT  # m flown per ft descended
    avail = dist_m - TAKEOFF_ROLL_M / 2.0 - LANDING_ROLL_M / 2.0
    top = (avail + a.elevation_ft * k_climb + b.elevation_ft * k_desc) / (k_climb + k_desc)
    level = min(alt_ft, math.floor(top / 100.0) * 100.0)
    floor_ft = max(a.elevation_ft, b.elevation_ft) + MIN_CRUISE_AGL_FT
    return max(level, floor_ft)


def _leg(
    out: _LegBuilder, a: Airport, b: Airport, off_block: float, alt_ft: float, speed_kt: float
) -> Leg:
    pa, pb = unit_vector(a.lat, a.lon), unit_vector(b.lat, b.lon)
    normal = np.cross(pa, pb)
    normal /= np.linalg.norm(normal)
    d_ab = float(np.arctan2(np.linalg.norm(np.cross(pa, pb)), pa @ pb)) * EARTH_RADIUS_M
    v_c, v_r, v_a = speed_kt * MS_PER_KT, ROTATE_SPEED_KT * MS_PER_KT, APPROACH_SPEED_KT * MS_PER_KT
    v_t = TAXI_SPEED_KT * MS_PER_KT
    level = _cruise_level(a, b, d_ab, alt_ft, v_c)

    # Main path: the great circle A->B, starting half a takeoff roll before A (the runway is
    # centred on the airport reference point) and ending half a landing roll past B.
    u_a = np.cross(normal, pa)
    main = _along(pa, u_a, -TAKEOFF_ROLL_M / 2.0)
    runway_start = main[0]
    # Taxi out: from a gate to the right of the runway start, towards it.
    right = np.cross(main[1], runway_start)
    taxi_out_m = v_t * TAXI_OUT_S
    gate_a, back = _along(runway_start, right, taxi_out_m)
    taxi_out = (gate_a, -back)
    end_main, u_end = _along(main[0], main[1], d_ab + (TAKEOFF_ROLL_M + LANDING_ROLL_M) / 2.0)
    taxi_in = (end_main, np.cross(u_end, end_main))

    t = off_block - PARKED_S
    start = t
    t = out.add(t, PARKED_S, taxi_out, 0.0, 0.0, 0.0, a.elevation_ft, onground=True)
    t = out.add(t, TAXI_OUT_S, taxi_out, 0.0, v_t, 0.0, a.elevation_ft, onground=True)
    acc = (v_r**2 - v_t**2) / (2.0 * TAKEOFF_ROLL_M)
    t = out.add(t, (v_r - v_t) / acc, main, 0.0, v_t, acc, a.elevation_ft, onground=True)
    takeoff = t
    climb_fps = CLIMB_RATE_FPM / 60.0
    t_climb = (level - a.elevation_ft) / climb_fps
    s = TAKEOFF_ROLL_M
    t = out.add(
        t, t_climb, main, s, v_r, (v_c - v_r) / t_climb, a.elevation_ft,
        climb_fps=climb_fps, onground=False,
    )  # fmt: skip
    s += t_climb * (v_r + v_c) / 2.0
    d_desc = (level - b.elevation_ft) * M_PER_FT / _TAN_DESCENT
    touchdown_s = TAKEOFF_ROLL_M / 2.0 + d_ab - LANDING_ROLL_M / 2.0
    d_cruise = max(touchdown_s - d_desc - s, 0.0)
    t = out.add(t, d_cruise / v_c, main, s, v_c, 0.0, level, onground=False)
    s += d_cruise
    # The descent starts where the 3° path from touchdown meets the cruise level.
    t_desc = 2.0 * (touchdown_s - s) / (v_c + v_a)
    t = out.add(
        t, t_desc, main, s, v_c, (v_a - v_c) / t_desc, level,
        slope=-_TAN_DESCENT / M_PER_FT, onground=False,
    )  # fmt: skip
    landing = t
    acc = (v_t**2 - v_a**2) / (2.0 * LANDING_ROLL_M)
    t = out.add(t, (v_t - v_a) / acc, main, touchdown_s, v_a, acc, b.elevation_ft, onground=True)
    t = out.add(t, TAXI_IN_S, taxi_in, 0.0, v_t, 0.0, b.elevation_ft, onground=True)
    on_block = t
    gate_b = _along(taxi_in[0], taxi_in[1], v_t * TAXI_IN_S)
    t = out.add(t, PARKED_S, gate_b, 0.0, 0.0, 0.0, b.elevation_ft, onground=True)
    return Leg(a, b, start, off_block, takeoff, landing, on_block, t, level)


def plan_flight(
    route: Sequence[Stop], cruise_altitude_ft: float, cruise_speed_kt: float
) -> FlightPlan:
    """Phases of every leg of ``route``; PlanError names the stop that makes it impossible."""
    if len(route) < 2 or route[0].depart is None:
        raise PlanError(0, "a route needs two stops and a departure time at the first")
    out = _LegBuilder()
    legs: list[Leg] = []
    off_block = route[0].depart
    for k in range(len(route) - 1):
        a, b = route[k].airport, route[k + 1].airport
        if great_circle_nm(a, b) < MIN_LEG_NM:
            raise PlanError(k + 1, f"{a.icao} to {b.icao} is under {MIN_LEG_NM:g} NM")
        if legs and off_block - PARKED_S < legs[-1].end:
            raise PlanError(
                k, f"leaves {a.icao} too soon after arriving (at least {2 * PARKED_S / 60:g} min)"
            )
        leg = _leg(out, a, b, off_block, cruise_altitude_ft, cruise_speed_kt)
        legs.append(leg)
        nxt = route[k + 1]
        if nxt.depart is not None:
            off_block = nxt.depart
        elif nxt.ground_s is not None:
            off_block = leg.on_block + nxt.ground_s
    cols = np.array(out.rows, dtype=np.float64)
    return FlightPlan(
        legs=tuple(legs),
        t0=cols[:, 0].copy(),
        dur=cols[:, 1].copy(),
        p0=np.array([p for p, _ in out.paths]),
        u=np.array([u for _, u in out.paths]),
        s0=cols[:, 2].copy(),
        v0=cols[:, 3].copy(),
        acc=cols[:, 4].copy(),
        h0=cols[:, 5].copy(),
        climb_fps=cols[:, 6].copy(),
        slope=cols[:, 7].copy(),
        onground=cols[:, 8] > 0.5,
    )


_PLAN_COLUMNS = ("t0", "dur", "p0", "u", "s0", "v0", "acc", "h0", "climb_fps", "slope",
                 "onground")  # fmt: skip


@dataclass(frozen=True, slots=True)
class Fleet:
    """Many aircraft's plans as one table (``FlightPlan``'s columns, end to end): aircraft
    ``j``'s phases are rows ``start[j]`` to ``start[j + 1]``; ``t0_cols[m]`` is each
    aircraft's m-th phase start (+inf past its last)."""

    start: npt.NDArray[np.int64]
    plan: FlightPlan  # the columns of every plan (its ``legs`` empty)
    t0_cols: tuple[F8, ...]

    @classmethod
    def of(cls, plans: Sequence[FlightPlan]) -> Fleet:
        sizes = np.array([len(p.t0) for p in plans], dtype=np.int64)
        start = np.concatenate([[0], np.cumsum(sizes)]).astype(np.int64)
        cols: dict[str, Any] = {c: _joined(plans, c) for c in _PLAN_COLUMNS}
        pad = np.full((len(plans), int(sizes.max(initial=0))), np.inf)
        for j, p in enumerate(plans):
            pad[j, : len(p.t0)] = p.t0
        return cls(start, FlightPlan(legs=(), **cols), tuple(pad.T.copy()))


def _joined(plans: Sequence[FlightPlan], column: str) -> Any:
    """``column`` of every plan, end to end (typed and shaped as one plan's when empty)."""
    if plans:
        return np.concatenate([getattr(p, column) for p in plans])
    if column in ("p0", "u"):
        return np.zeros((0, 3))
    return np.zeros(0, dtype=np.bool_ if column == "onground" else np.float64)


def evaluate(plan: FlightPlan, t: F8) -> State:
    """The true state at each time in ``t`` (unix s), vectorised."""
    t = np.asarray(t, dtype=np.float64)
    return evaluate_many(Fleet.of([plan]), np.zeros(t.shape, dtype=np.int64), t)


def evaluate_many(fleet: Fleet, owner: npt.NDArray[np.int64], t: F8) -> State:
    """The true state of aircraft ``owner`` (an index into ``fleet``) at each time in ``t``:
    each row's arithmetic is ``evaluate``'s of that aircraft alone."""
    t = np.asarray(t, dtype=np.float64)
    i = np.full(t.shape, -1, dtype=np.int64)  # the phase started last at t (-1: none yet)
    for col in fleet.t0_cols:
        i += col[owner] <= t
    base = fleet.start[owner]
    ic = np.clip(i, 0, fleet.start[owner + 1] - base - 1)
    plan, g = fleet.plan, base + ic
    dt = t - plan.t0[g]
    valid = (i >= 0) & (dt <= plan.dur[g])
    dt = np.clip(dt, 0.0, plan.dur[g])
    ds = plan.v0[g] * dt + 0.5 * plan.acc[g] * dt * dt
    s = plan.s0[g] + ds
    v = np.maximum(plan.v0[g] + plan.acc[g] * dt, 0.0)
    alt = plan.h0[g] + plan.climb_fps[g] * dt + plan.slope[g] * ds
    vrate = (plan.climb_fps[g] + plan.slope[g] * v) * 60.0
    d = (s / EARTH_RADIUS_M)[:, None]
    p0, u = plan.p0[g], plan.u[g]
    p = np.cos(d) * p0 + np.sin(d) * u
    tang = -np.sin(d) * p0 + np.cos(d) * u
    lat = np.arcsin(np.clip(p[:, 2], -1.0, 1.0))
    lon = np.arctan2(p[:, 1], p[:, 0])
    sin_la, cos_la, sin_lo, cos_lo = np.sin(lat), np.cos(lat), np.sin(lon), np.cos(lon)
    east = -sin_lo * tang[:, 0] + cos_lo * tang[:, 1]
    north = -sin_la * cos_lo * tang[:, 0] - sin_la * sin_lo * tang[:, 1] + cos_la * tang[:, 2]
    track = np.mod(np.degrees(np.arctan2(east, north)), 360.0)
    onground = plan.onground[g] & valid
    return State(
        valid=valid,
        lat=np.degrees(lat),
        lon=np.degrees(lon),
        altitude=np.where(plan.onground[g], plan.h0[g], alt),
        groundspeed=v / MS_PER_KT,
        track=track,
        vertical_rate=np.where(plan.onground[g], 0.0, vrate),
        onground=onground,
        leg=np.where(valid, ic // PHASES_PER_LEG, -1).astype(np.int32),
    )
