"""Per-aircraft state as a struct of arrays (one slot per aircraft), keyed by address.

Slot 0 is a permanent blank (all values missing): gathering it gives a fresh aircraft's
"carried" state, so the batch code never branches on new versus known aircraft. Freed slots
are reused, so memory grows with the number of live aircraft, not with frames.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from .position_gate import REJECTED_COLUMNS
from .state_vectors import POSITION_SOURCE_LABELS, StateVectors

#: Per-field columns kept for every scalar state field: value, time set (unix s), SourceKind.
SCALAR_FIELDS: dict[str, tuple[str, Any]] = {
    "callsign": ("<U8", ""),
    "altitude": ("f8", np.nan),
    "geoaltitude": ("f8", np.nan),
    "groundspeed": ("f8", np.nan),
    "track": ("f8", np.nan),
    "vertical_rate": ("f8", np.nan),
    "squawk": ("i2", -1),
    "onground": ("i1", -1),
}

#: CPR memory: last message per (airborne/surface, even/odd) class, for pairing.
CPR_CLASSES = ("air0", "air1", "sfc0", "sfc1")


def _columns() -> dict[str, tuple[str, Any]]:
    cols: dict[str, tuple[str, Any]] = {
        "key": ("u4", 0),
        "first_seen": ("f8", np.nan),
        "last_seen": ("f8", -np.inf),
        "last_update": ("f8", np.nan),
        # the latest emission bucket floor(t / rate_s) holding an update (emitted or not)
        "emit_bucket": ("f8", -np.inf),
        # the stored millisecond (``stored_ms``) of the last emitted row: a later update in
        # that millisecond is not a new row (the store would hold that instant twice)
        "emit_ms": ("f8", np.nan),
        "pending": ("?", False),  # updated since the last emitted row
        "source": ("i4", 0),  # index into the tracker's list of source names
        # Position state: the last accepted (gated, trusted) position.
        "lat": ("f8", np.nan),
        "lon": ("f8", np.nan),
        "pos_t": ("f8", -np.inf),
        "pos_k": ("u1", 0),
        "pos_src": ("u1", 0),
        "pos_err": ("f8", np.nan),  # m, the position's 95 % radius (multilateration)
        "pos_sfc": ("?", False),
        # Last accepted airborne position: the surface reference of a landing aircraft.
        "air_lat": ("f8", np.nan),
        "air_lon": ("f8", np.nan),
        # Last value heard (accepted or not), to confirm Mode S squawks/callsigns by repetition.
        "squawk_raw": ("i2", -1),
        "callsign_raw": ("<U8", ""),
        # What a receiver page shows (readsb's aircraft.json): frames since the aircraft was
        # (re)acquired, last signal level (dBFS), emitter category, emergency state.
        "messages": ("i8", 0),
        "rssi": ("f4", np.nan),
        "category": ("i1", -1),
        "emergency": ("i1", -1),
    }
    for name, (dtype, blank) in SCALAR_FIELDS.items():
        cols[name] = (dtype, blank)
        cols[name + "_t"] = ("f8", -np.inf)
        cols[name + "_k"] = ("u1", 0)
    cols.update(REJECTED_COLUMNS)  # the position gate's last rejected fix
    for c in CPR_CLASSES:
        cols[c + "_lat"] = ("i4", -1)
        cols[c + "_lon"] = ("i4", -1)
        cols[c + "_t"] = ("f8", -np.inf)
    return cols


COLUMNS = _columns()


class AircraftTable:
    """Struct-of-arrays state with a dict from key to slot."""

    def __init__(self, capacity: int = 256) -> None:
        self.cols: dict[str, np.ndarray[Any, Any]] = {}
        self.slot: dict[int, int] = {}
        self._free: list[int] = []
        self._capacity = 0
        self._grow(max(capacity, 2))
        self._used = 1  # slot 0: blank

    def __len__(self) -> int:
        return len(self.slot)

    def _grow(self, capacity: int) -> None:
        for name, (dtype, blank) in COLUMNS.items():
            arr = np.empty(capacity, dtype=dtype)
            arr.fill(blank)
            old = self.cols.get(name)
            if old is not None:
                arr[: old.shape[0]] = old
            self.cols[name] = arr
        self._capacity = capacity

    def lookup(self, keys: list[int]) -> np.ndarray[Any, np.dtype[np.int64]]:
        """Slots of known keys, 0 for unknown ones."""
        get = self.slot.get
        return np.array([get(k, 0) for k in keys], dtype=np.int64)

    def allocate(self, keys: list[int]) -> np.ndarray[Any, np.dtype[np.int64]]:
        """New blank slots for (unknown) keys."""
        out = np.empty(len(keys), dtype=np.int64)
        for i, k in enumerate(keys):
            if self._free:
                s = self._free.pop()
            else:
                if self._used >= self._capacity:
                    self._grow(self._capacity * 2)
                s = self._used
                self._used += 1
            self.slot[k] = s
            out[i] = s
        self.cols["key"][out] = np.asarray(keys, dtype=np.uint32)
        return out

    def release(self, slots: np.ndarray[Any, np.dtype[np.int64]]) -> None:
        """Forget aircraft: reset their slots to blank and make them reusable. Their keys are
        deleted from the slot dict one by one (the others keep their order): rebuilding the
        dict of 20,000 aircraft at each expiry cost ~1 % of serve's CPU at 100,000 frames/s."""
        for k in self.cols["key"][slots].tolist():
            del self.slot[k]
        for name, (_dtype, blank) in COLUMNS.items():
            self.cols[name][slots] = blank
        for s in slots.tolist():
            self._free.append(s)

    def gather(self, slots: np.ndarray[Any, Any]) -> dict[str, np.ndarray[Any, Any]]:
        return {name: arr[slots] for name, arr in self.cols.items()}

    def scatter(self, slots: np.ndarray[Any, Any], values: dict[str, np.ndarray[Any, Any]]) -> None:
        for name, v in values.items():
            self.cols[name][slots] = v

    def active_slots(self) -> np.ndarray[Any, np.dtype[np.int64]]:
        return np.fromiter(self.slot.values(), dtype=np.int64, count=len(self.slot))

    def rows(self, slots: np.ndarray[Any, np.dtype[np.int64]], sources: list[str]) -> StateVectors:
        """The current state of ``slots`` as state-vector rows at their last update."""
        c = {k: v[slots] for k, v in self.cols.items()}
        names = np.array(sources, dtype=str)
        return StateVectors(
            timestamp=c["last_update"],
            icao24=c["key"],
            callsign=c["callsign"],
            latitude=c["lat"],
            longitude=c["lon"],
            altitude=c["altitude"],
            geoaltitude=c["geoaltitude"],
            groundspeed=c["groundspeed"],
            track=c["track"],
            vertical_rate=c["vertical_rate"],
            squawk=c["squawk"],
            onground=c["onground"],
            source=names[c["source"]],
            position_source=np.where(
                np.isfinite(c["lat"]), POSITION_SOURCE_LABELS[c["pos_src"]], ""
            ),
        )
