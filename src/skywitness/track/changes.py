"""Event detection over a sorted batch: first seen, first position, callsign/squawk changes,
ground/air flag changes and in-batch losses (pure: arrays in, ``Event`` list out; the kinds
are the one vocabulary of ``events``)."""

from __future__ import annotations

from typing import Any

import numpy as np
import numpy.typing as npt

from ..model import F8
from .events import EMERGENCY_SQUAWKS, Event, EventKind
from .groups import I8, pick, prev_in

Arr = npt.NDArray[Any]


def squawk_fields(old: int, new: int) -> dict[str, Any]:
    """Event fields of a squawk change; ``alert`` names 7500/7600/7700."""
    s_new = f"{new:04d}"
    out: dict[str, Any] = {"old": None if old < 0 else f"{old:04d}", "new": s_new}
    if s_new in EMERGENCY_SQUAWKS:
        out["alert"] = EMERGENCY_SQUAWKS[s_new]
    return out


def detect(
    t: F8,
    g: I8,
    hexes: Arr,
    starts: I8,
    ends: I8,
    new_aircraft: npt.NDArray[np.bool_],
    continues: npt.NDArray[np.bool_],
    accepted: dict[str, I8],
    values: dict[str, Arr],
    carry: dict[str, Arr],
    pos: I8,
    lat: F8,
    lon: F8,
    lost_after_s: float,
) -> list[Event]:
    """Events of one batch. ``hexes``: icao24 text per group; ``new_aircraft``: groups with no
    carried state; ``continues``: groups followed by another segment of the same aircraft
    (it was lost in between); ``accepted``: accepted row indices per field."""
    ev: list[Event] = []
    for gi in np.flatnonzero(new_aircraft).tolist():
        ev.append(Event(EventKind.SEEN, float(t[starts[gi]]), str(hexes[gi])))
    first = pos[(prev_in(pos, g) < 0) & np.isnan(carry["lat"][g[pos]])]
    for r in first.tolist():
        where = {"latitude": float(lat[r]), "longitude": float(lon[r])}
        ev.append(Event(EventKind.POSITION, float(t[r]), str(hexes[g[r]]), where))
    for name in ("callsign", "squawk", "onground"):
        a = accepted[name]
        vals = values[name]
        prev = pick(vals, prev_in(a, g), carry[name][g[a]])
        now = vals[a]
        for j in np.flatnonzero(now != prev).tolist():
            r = int(a[j])
            old, new = prev[j], now[j]
            h, ts = str(hexes[g[r]]), float(t[r])
            if name == "callsign":
                ev.append(
                    Event(EventKind.CALLSIGN, ts, h, {"old": str(old) or None, "new": str(new)})
                )
            elif name == "squawk":
                ev.append(Event(EventKind.SQUAWK, ts, h, squawk_fields(int(old), int(new))))
            elif old >= 0:  # a state change; takeoff and landing are the flights stage's
                ev.append(Event(EventKind.ONGROUND, ts, h, {"onground": bool(new == 1)}))
    for gi in np.flatnonzero(continues).tolist():
        last = float(t[ends[gi]])
        ev.append(Event(EventKind.LOST, last + lost_after_s, str(hexes[gi]), {"last_seen": last}))
    return ev
