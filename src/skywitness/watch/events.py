"""Watch events as columns, and the kinds a rule can ask for.

Events are derived from state vectors and flights (``source.EventSource``), never from the
decoder directly, so that live processing and replay over the store see the same events.
"""

from __future__ import annotations

from dataclasses import dataclass, fields
from enum import IntEnum
from typing import Any

import numpy as np
import numpy.typing as npt

F8 = npt.NDArray[np.float64]
I4 = npt.NDArray[np.int32]
U1 = npt.NDArray[np.uint8]
Obj = npt.NDArray[np.object_]

#: Squawk codes that raise an ``emergency`` event (ICAO Annex 10).
EMERGENCY_SQUAWKS: dict[str, str] = {"7500": "hijack", "7600": "radio_failure", "7700": "emergency"}


class WatchKind(IntEnum):
    SEEN = 0  # first state vector of an aircraft (or the first after it was lost)
    TAKEOFF = 1  # observed ground -> air transition of a flight
    LANDING = 2  # observed air -> ground transition of a flight
    DEPARTURE = 3  # a flight's departure airport is known (observed or estimated)
    ARRIVAL = 4  # a flight's arrival airport is known (observed or estimated)
    ENTER = 5  # position moved from outside to inside a geofence
    LEAVE = 6  # position moved from inside to outside a geofence
    EMERGENCY = 7  # squawk changed to 7500 / 7600 / 7700
    LOST = 8  # no state vector for the lost timeout

    @property
    def label(self) -> str:
        return self.name.lower()


KIND_BY_LABEL: dict[str, WatchKind] = {k.label: k for k in WatchKind}


@dataclass(slots=True)
class WatchEvents:
    """One row per event; strings as object arrays ("" when none)."""

    kind: U1  # WatchKind
    timestamp: F8  # unix s UTC
    icao24: Obj
    callsign: Obj
    flight_id: Obj
    latitude: F8  # deg; NaN unknown
    longitude: F8
    altitude: F8  # ft
    airport: Obj  # takeoff/landing/departure/arrival airport ICAO
    country: Obj  # that airport's ISO country
    fence: I4  # geofence index for enter/leave; -1 otherwise
    squawk: Obj

    def __len__(self) -> int:
        return int(self.kind.shape[0])

    @classmethod
    def empty(cls, n: int = 0) -> WatchEvents:
        def obj() -> Obj:
            return np.full(n, "", dtype=object)

        return cls(
            kind=np.zeros(n, np.uint8),
            timestamp=np.full(n, np.nan),
            icao24=obj(),
            callsign=obj(),
            flight_id=obj(),
            latitude=np.full(n, np.nan),
            longitude=np.full(n, np.nan),
            altitude=np.full(n, np.nan),
            airport=obj(),
            country=obj(),
            fence=np.full(n, -1, np.int32),
            squawk=obj(),
        )

    @classmethod
    def from_rows(cls, rows: list[dict[str, Any]]) -> WatchEvents:
        out = cls.empty(len(rows))
        for i, r in enumerate(rows):
            for k, v in r.items():
                getattr(out, k)[i] = v
        return out

    def take(self, index: npt.NDArray[Any]) -> WatchEvents:
        return WatchEvents(**{f.name: getattr(self, f.name)[index] for f in fields(self)})

    @staticmethod
    def concat(parts: list[WatchEvents]) -> WatchEvents:
        if not parts:
            return WatchEvents.empty()
        return WatchEvents(
            **{
                f.name: np.concatenate([getattr(p, f.name) for p in parts])
                for f in fields(parts[0])
            }
        )

    def sorted(self) -> WatchEvents:
        """Deterministic order: time, aircraft, kind, fence."""
        order = np.lexsort((self.fence, self.kind, self.icao24.astype(str), self.timestamp))
        return self.take(order)

    def row(self, i: int) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for f in fields(self):
            v = getattr(self, f.name)[i]
            if f.name == "kind":
                out["event"] = WatchKind(int(v)).label
            elif isinstance(v, float | np.floating):
                out[f.name] = None if np.isnan(v) else float(v)
            elif isinstance(v, np.integer):
                out[f.name] = int(v)
            else:
                out[f.name] = v
        return out
