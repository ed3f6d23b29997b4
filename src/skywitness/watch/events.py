"""Watch events as columns, and the kinds a rule can ask for (of the one vocabulary,
``track.events``).

Events are derived from state vectors and flights (``source.EventSource``), never from the
decoder directly, so that live processing and replay over the store see the same events.
"""

from __future__ import annotations

from dataclasses import dataclass, fields
from typing import Any

import numpy as np
import numpy.typing as npt

from ..track.events import EMERGENCY_SQUAWKS, EventKind

__all__ = ["EMERGENCY_SQUAWKS", "KIND_BY_LABEL", "WATCH_KINDS", "WatchEvents", "WatchKind"]

F8 = npt.NDArray[np.float64]
I4 = npt.NDArray[np.int32]
U1 = npt.NDArray[np.uint8]
Obj = npt.NDArray[np.object_]

#: The event kinds of the one vocabulary (``track.events``); the name rules and engine use.
WatchKind = EventKind
#: The kinds the watch's event source reports, by label: what a rule's ``event`` may name.
WATCH_KINDS = (
    EventKind.SEEN,
    EventKind.TAKEOFF,
    EventKind.LANDING,
    EventKind.DEPARTURE,
    EventKind.ARRIVAL,
    EventKind.ENTER,
    EventKind.LEAVE,
    EventKind.EMERGENCY,
    EventKind.LOST,
)
KIND_BY_LABEL: dict[str, EventKind] = {k.label: k for k in WATCH_KINDS}


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
