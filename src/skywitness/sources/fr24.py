"""Flightradar24 flight playback JSON -> Observations (how many journalists hold evidence).

Shape: ``result.response.data.flight`` with ``identification`` (``callsign``, ``number``),
``aircraft.identification.modes`` (the 24-bit address, hex) and ``.registration``,
``airport.origin``/``destination`` and ``track[]``: ``timestamp`` (unix s), ``latitude``,
``longitude``, ``altitude.feet``, ``speed.kts``, ``heading``, ``verticalSpeed.fpm``, ``squawk``.
Units are already ours (ft, kt, ft/min). FR24 reports an aircraft on the ground as altitude 0:
such points are ``onground`` with no altitude. The callsign is the flight's
``identification.callsign`` on every point. Kind OTHER: FR24 does not say how a point was heard.
"""

from __future__ import annotations

import math
from typing import Any

from ..model import PositionSource, SourceKind
from .records import ObsRows, icao_of, num, squawk_code


def flight_of(doc: Any) -> dict[str, Any] | None:
    """The ``flight`` object of a playback document, or None when ``doc`` is not one."""
    node = doc
    for key in ("result", "response", "data", "flight"):
        if not isinstance(node, dict):
            return None
        node = node.get(key)
    return node if isinstance(node, dict) else None


def _get(d: Any, *path: str) -> Any:
    for key in path:
        if not isinstance(d, dict):
            return None
        d = d.get(key)
    return d


def fr24_rows(doc: Any, rows: ObsRows, arrival: float | None = None) -> list[str]:
    """Append one row per track point; the reasons of the points (or document) not used."""
    flight = flight_of(doc)
    if flight is None:
        return ["not an FR24 flight playback (no result.response.data.flight)"]
    addr = icao_of(_get(flight, "aircraft", "identification", "modes"))
    if addr is None:
        return ["flight without aircraft.identification.modes (24-bit address)"]
    track = flight.get("track")
    if not isinstance(track, list):
        return ["flight without a track list"]
    callsign = _get(flight, "identification", "callsign")
    callsign = callsign if isinstance(callsign, str) else ""
    bad: list[str] = []
    for p in track:
        if not isinstance(p, dict):
            bad.append("track point is not an object")
            continue
        t = num(p.get("timestamp"))
        if math.isnan(t):
            bad.append("track point without timestamp")
            continue
        alt = num(_get(p, "altitude", "feet"))
        ground = alt == 0.0
        lat, lon = num(p.get("latitude")), num(p.get("longitude"))
        rows.add(
            t,
            addr[0],
            non_icao=addr[1],
            callsign=callsign,
            lat=lat,
            lon=lon,
            alt=math.nan if ground else alt,
            gs=num(_get(p, "speed", "kts")),
            track=num(p.get("heading")),
            vr=num(_get(p, "verticalSpeed", "fpm")),
            squawk=squawk_code(p.get("squawk")),
            onground=1 if ground else (0 if not math.isnan(alt) else -1),
            kind=SourceKind.OTHER,
            possrc=PositionSource.OTHER,
        )
    return bad
