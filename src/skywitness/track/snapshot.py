"""``AircraftSnapshot``: a read-only copy of one aircraft's current state (for the live API)."""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np

from ..model import PositionSource, SourceKind
from .batch import POSITION_ONGROUND_BONUS
from .state_vectors import icao24_hex
from .table import SCALAR_FIELDS


@dataclass(frozen=True, slots=True)
class AircraftSnapshot:
    """Current values (None when unknown), when each was set, and by which SourceKind."""

    icao24: str
    first_seen: float
    last_seen: float
    callsign: str | None
    latitude: float | None
    longitude: float | None
    position_time: float | None
    position_source: str | None
    altitude: float | None
    geoaltitude: float | None
    groundspeed: float | None
    track: float | None
    vertical_rate: float | None
    squawk: str | None
    onground: bool | None
    times: dict[str, float]  # field -> unix s when set
    kinds: dict[str, str]  # field -> SourceKind name that set it


def _f(v: Any) -> float | None:
    x = float(v)
    return None if math.isnan(x) else x


def snapshot_of(cols: dict[str, np.ndarray[Any, Any]], s: int) -> AircraftSnapshot:
    times: dict[str, float] = {}
    kinds: dict[str, str] = {}
    for name in SCALAR_FIELDS:
        t = float(cols[name + "_t"][s])
        if math.isfinite(t):
            times[name] = t
            # onground kinds carry a bonus when implied by a position's type.
            k = int(cols[name + "_k"][s]) % POSITION_ONGROUND_BONUS
            kinds[name] = SourceKind(k).name.lower()
    has_pos = math.isfinite(float(cols["lat"][s]))
    if has_pos:
        times["position"] = float(cols["pos_t"][s])
        kinds["position"] = SourceKind(int(cols["pos_k"][s])).name.lower()
    sq = int(cols["squawk"][s])
    og = int(cols["onground"][s])
    return AircraftSnapshot(
        icao24=str(icao24_hex(cols["key"][s : s + 1])[0]),
        first_seen=float(cols["first_seen"][s]),
        last_seen=float(cols["last_seen"][s]),
        callsign=str(cols["callsign"][s]) or None,
        latitude=_f(cols["lat"][s]),
        longitude=_f(cols["lon"][s]),
        position_time=float(cols["pos_t"][s]) if has_pos else None,
        position_source=PositionSource(int(cols["pos_src"][s])).label if has_pos else None,
        altitude=_f(cols["altitude"][s]),
        geoaltitude=_f(cols["geoaltitude"][s]),
        groundspeed=_f(cols["groundspeed"][s]),
        track=_f(cols["track"][s]),
        vertical_rate=_f(cols["vertical_rate"][s]),
        squawk=None if sq < 0 else f"{sq:04d}",
        onground=None if og < 0 else og == 1,
        times=times,
        kinds=kinds,
    )
