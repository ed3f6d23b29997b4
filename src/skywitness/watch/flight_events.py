"""Which flight events a flight row gives, and from which window end on (its deadline).

A takeoff or landing is reported once ``settle_s`` of data time has passed after it (the
flights stage may still move it before then); the departure airport once the takeoff (or the
first point) has settled; the arrival airport once the landing has settled or the flight is
closed (no point for ``lost_s``). The event source evaluates these deadlines at window ends
and skips windows before the earliest one.
"""

from __future__ import annotations

import math
from typing import Any, NamedTuple

from .events import WatchKind


class Want(NamedTuple):
    """A flight event and the window end from which it is reported."""

    kind: WatchKind
    t: float  # event time, unix s
    airport: str
    due: float  # unix s


def _s(v: Any) -> float | None:
    return v.timestamp() if v is not None else None


def flight_wants(r: dict[str, Any], settle_s: float, lost_s: float) -> tuple[list[Want], float]:
    """(the events of flight row ``r`` with their deadlines, the time from which it is closed)."""
    first, last = r["firstSeen"].timestamp(), r["lastSeen"].timestamp()
    toff, land = _s(r["takeoff_time"]), _s(r["landing_time"])
    dep, arr = r["estDepartureAirport"] or "", r["estArrivalAirport"] or ""
    closed_at = last + lost_s
    landed_at = land + settle_s if r["arrival_observed"] and land is not None else math.inf
    out: list[Want] = []
    if r["departure_observed"] and toff is not None:
        out.append(Want(WatchKind.TAKEOFF, toff, dep, toff + settle_s))
    if landed_at < math.inf and land is not None:
        out.append(Want(WatchKind.LANDING, land, arr, landed_at))
    t_dep = toff if toff is not None else first
    if dep:
        out.append(Want(WatchKind.DEPARTURE, t_dep, dep, t_dep + settle_s))
    if arr:
        t_arr = land if land is not None else last
        out.append(Want(WatchKind.ARRIVAL, t_arr, arr, min(landed_at, closed_at)))
    return out, closed_at
