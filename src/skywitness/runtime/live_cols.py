"""A columnar copy of the tracker's current state, taken in the tracker thread in milliseconds.

``Tracker.snapshot()`` builds one Python object per aircraft (about 1.5 s for 20,000 aircraft),
too slow to run every second in the tracker thread. ``take_columns`` copies the needed columns
of the active slots with numpy fancy indexing instead; everything per aircraft (JSON rows,
labels) is then done from the copy in the snapshot thread.
"""

from __future__ import annotations

from dataclasses import dataclass, fields
from typing import Any

import numpy as np
import numpy.typing as npt

from ..model import F8, I1, I2, SourceKind, Str
from ..track import Tracker
from ..track.batch import POSITION_ONGROUND_BONUS
from ..track.state_vectors import POSITION_SOURCE_LABELS, icao24_hex
from ..track.table import SCALAR_FIELDS

#: Fields whose time and message kind the detail endpoint reports (``state``).
PROVENANCE_FIELDS = tuple(SCALAR_FIELDS)  # every field the tracker carries
_KIND_NAMES = [k.name.lower() for k in SourceKind]


@dataclass(frozen=True, slots=True)
class LiveColumns:
    """One row per live aircraft, sorted by ``icao24``; NaN / -1 / "" where unknown."""

    icao24: Str
    first_seen: F8
    last_seen: F8
    callsign: Str
    latitude: F8
    longitude: F8
    position_time: F8  # NaN where no position
    position_source: Str  # label, "" where no position
    altitude: F8
    geoaltitude: F8
    groundspeed: F8
    track: F8
    vertical_rate: F8
    squawk: I2  # octal digits as decimal, -1 none
    onground: I1  # 1 ground, 0 airborne, -1 unknown
    source: Str
    field_t: dict[str, F8]  # provenance: unix s each field was set (-inf never)
    field_k: dict[str, npt.NDArray[np.uint8]]  # and the SourceKind that set it
    pos_k: npt.NDArray[np.uint8]
    messages: npt.NDArray[np.int64]  # frames since (re)acquired
    rssi: npt.NDArray[np.float32]  # last signal level, dBFS; NaN unknown
    category: I1  # ADS-B emitter category code (TC * 8 + CA, as Messages); -1 unknown
    emergency: I1  # ADS-B emergency state 0..7; -1 unknown
    position_error: F8  # m, 95 % radius of a multilateration position; NaN otherwise

    def __len__(self) -> int:
        return int(self.icao24.shape[0])

    @classmethod
    def empty(cls) -> LiveColumns:
        f8 = np.zeros(0, dtype=np.float64)
        s = np.zeros(0, dtype="<U8")
        u1 = np.zeros(0, dtype=np.uint8)
        return cls(
            icao24=s, first_seen=f8, last_seen=f8, callsign=s, latitude=f8, longitude=f8,
            position_time=f8, position_source=s, altitude=f8, geoaltitude=f8, groundspeed=f8,
            track=f8, vertical_rate=f8, squawk=np.zeros(0, dtype=np.int16),
            onground=np.zeros(0, dtype=np.int8), source=s,
            field_t={n: f8 for n in PROVENANCE_FIELDS},
            field_k={n: u1 for n in PROVENANCE_FIELDS}, pos_k=u1,
            messages=np.zeros(0, dtype=np.int64), rssi=np.zeros(0, dtype=np.float32),
            category=np.zeros(0, dtype=np.int8), emergency=np.zeros(0, dtype=np.int8),
            position_error=f8,
        )  # fmt: skip

    def take(self, idx: npt.NDArray[np.int64]) -> LiveColumns:
        """The rows at ``idx``."""
        return LiveColumns(
            **{
                f.name: getattr(self, f.name)[idx]
                for f in fields(self)
                if f.name not in ("field_t", "field_k")
            },
            field_t={n: a[idx] for n, a in self.field_t.items()},
            field_k={n: a[idx] for n, a in self.field_k.items()},
        )

    def provenance(self, i: int) -> dict[str, dict[str, Any]]:
        """``state`` of the detail endpoint: field → time set and kind of message."""
        times: dict[str, float] = {}
        kinds: dict[str, str] = {}
        for name in PROVENANCE_FIELDS:
            t = float(self.field_t[name][i])
            if np.isfinite(t):
                times[name] = t
                kinds[name] = _KIND_NAMES[int(self.field_k[name][i]) % POSITION_ONGROUND_BONUS]
        if np.isfinite(self.position_time[i]):
            times["position"] = float(self.position_time[i])
            kinds["position"] = _KIND_NAMES[int(self.pos_k[i])]
        return {"times": times, "kinds": kinds}


def take_columns(tracker: Tracker) -> LiveColumns:
    """Copy the live state out of the tracker (call in the tracker thread only)."""
    # reading the tracker's columns directly is what makes a once-a-second copy affordable
    cols, active, sources = tracker.columns()
    slots = np.sort(active)
    hexes = icao24_hex(cols["key"][slots]) if slots.size else np.zeros(0, dtype="<U7")
    order = np.argsort(hexes, kind="stable")
    slots, hexes = slots[order], hexes[order]
    lat = cols["lat"][slots].astype(np.float64)
    has_pos = np.isfinite(lat)
    names = np.array(sources, dtype=str)
    return LiveColumns(
        icao24=hexes,
        first_seen=cols["first_seen"][slots].astype(np.float64),
        last_seen=cols["last_seen"][slots].astype(np.float64),
        callsign=cols["callsign"][slots].astype(str),
        latitude=lat,
        longitude=cols["lon"][slots].astype(np.float64),
        position_time=np.where(has_pos, cols["pos_t"][slots], np.nan),
        position_source=np.where(has_pos, POSITION_SOURCE_LABELS[cols["pos_src"][slots]], ""),
        altitude=cols["altitude"][slots].astype(np.float64),
        geoaltitude=cols["geoaltitude"][slots].astype(np.float64),
        groundspeed=cols["groundspeed"][slots].astype(np.float64),
        track=cols["track"][slots].astype(np.float64),
        vertical_rate=cols["vertical_rate"][slots].astype(np.float64),
        squawk=cols["squawk"][slots].astype(np.int16),
        onground=cols["onground"][slots].astype(np.int8),
        source=names[cols["source"][slots]] if names.size else np.zeros(0, dtype=str),
        field_t={n: cols[n + "_t"][slots].astype(np.float64) for n in PROVENANCE_FIELDS},
        field_k={n: cols[n + "_k"][slots].astype(np.uint8) for n in PROVENANCE_FIELDS},
        pos_k=cols["pos_k"][slots].astype(np.uint8),
        messages=cols["messages"][slots].astype(np.int64),
        rssi=cols["rssi"][slots].astype(np.float32),
        category=cols["category"][slots].astype(np.int8),
        emergency=cols["emergency"][slots].astype(np.int8),
        position_error=np.where(has_pos, cols["pos_err"][slots], np.nan),
    )
