"""readsb's other JSON files, built pure from plain values: ``receiver.json``, ``stats.json``,
``outline.json`` and trace files (``traces/XX/trace_full_<hex>.json``), in the shapes readsb
writes (its README-json.md), so tar1090 and graphs1090 read skywitness as they read readsb.

Trace points are readsb's arrays ``[dt_s, lat, lon, alt_ft | "ground" | null, gs_kt,
track_deg, flags, vertical_rate_fpm, details, type, geom_alt_ft, geom_rate, ias, roll]``;
``flags`` bit 1 marks a stale point (a silence before it), bit 2 the first point of a new
leg (a flight of skywitness's flights table starts there).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

import numpy as np
import numpy.typing as npt

from .. import __version__
from ..flights.airports import bearing_deg, haversine_m

F8 = npt.NDArray[np.float64]

#: readsb trace flag bits.
TRACE_STALE, TRACE_NEW_LEG = 1, 2
#: A silence longer than this before a point marks it stale (readsb: 20 s), s.
TRACE_STALE_S = 20.0
#: Bearing sectors of the coverage outline (readsb: 360 / 5 deg... kept coarse), count.
OUTLINE_SECTORS = 72


def receiver_json(
    *,
    refresh_ms: int,
    history: int,
    have_traces: bool,
    position: tuple[float, float] | None,
) -> dict[str, Any]:
    """What tar1090 reads first: version, refresh interval, history count, capabilities."""
    out: dict[str, Any] = {
        "version": f"skywitness {__version__}",
        "refresh": refresh_ms,
        "history": history,
        "haveTraces": have_traces,
    }
    if position is not None:
        out["lat"], out["lon"] = round(position[0], 4), round(position[1], 4)
    return out


def _round(x: float, digits: int) -> float | None:
    return None if not math.isfinite(x) else round(x, digits)


def _num(x: Any, digits: int) -> float | int | None:
    """A rounded number, or None for missing/NaN."""
    if x is None:
        return None
    v = float(x)
    if not math.isfinite(v):
        return None
    return round(v) if digits == 0 else round(v, digits)


def trace_json(
    icao24: str,
    cols: dict[str, Sequence[Any]],
    leg_starts: Sequence[float],
    identity: dict[str, Any],
) -> dict[str, Any]:
    """A readsb trace file from state vectors (``cols``: ``t`` unix s ascending, ``latitude``,
    ``longitude``, ``altitude``, ``geoaltitude``, ``groundspeed``, ``track``,
    ``vertical_rate``, ``onground``, ``position_source``); ``leg_starts``: first-seen times
    of the aircraft's flights (a point at or after one, with none before it since, starts a
    leg); ``identity``: ``r``, ``t``, ``desc``, ``dbFlags`` when known."""
    t = np.asarray(cols["t"], dtype=np.float64)
    base = float(t[0]) if t.size else 0.0
    legs = np.sort(np.asarray(leg_starts, dtype=np.float64))
    # the first point at or after each leg start
    leg_rows = set(np.searchsorted(t, legs, side="left").tolist()) - {0, int(t.size)}
    trace: list[list[Any]] = []
    for i in range(int(t.size)):
        flags = 0
        if i > 0 and t[i] - t[i - 1] > TRACE_STALE_S:
            flags |= TRACE_STALE
        if i in leg_rows:
            flags |= TRACE_NEW_LEG
        og = cols["onground"][i]
        alt: Any = "ground" if og is True else _num(cols["altitude"][i], 0)
        psrc = cols["position_source"][i] or ""
        trace.append(
            [
                round(float(t[i]) - base, 2),
                _num(cols["latitude"][i], 6),
                _num(cols["longitude"][i], 6),
                alt,
                _num(cols["groundspeed"][i], 1),
                _num(cols["track"][i], 1),
                flags,
                _num(cols["vertical_rate"][i], 0),
                None,
                "mlat" if psrc == "mlat" else "adsb_icao" if psrc == "adsb" else "other",
                _num(cols["geoaltitude"][i], 0),
                None,
                None,
                None,
            ]
        )
    out: dict[str, Any] = {"icao": icao24, "timestamp": round(base, 3), "trace": trace}
    for key in ("r", "t", "desc", "dbFlags"):
        if identity.get(key):
            out[key] = identity[key]
    return out


def outline_points(
    lat: F8, lon: F8, center: tuple[float, float], sectors: int = OUTLINE_SECTORS
) -> list[list[float]]:
    """The farthest position seen in each bearing sector around ``center``, as readsb's
    ``outline.json`` ``[[lat, lon, alt], ...]`` ring (sectors without a position left out)."""
    ok = np.isfinite(lat) & np.isfinite(lon)
    if not ok.any():
        return []
    bearing = bearing_deg(center[0], center[1], lat[ok], lon[ok])
    dist = haversine_m(center[0], center[1], lat[ok], lon[ok])
    sector = np.minimum((bearing / (360.0 / sectors)).astype(np.int64), sectors - 1)
    out: list[list[float]] = []
    for s in range(sectors):
        idx = np.flatnonzero(sector == s)
        if idx.size:
            j = idx[np.argmax(dist[idx])]
            out.append([round(float(lat[ok][j]), 4), round(float(lon[ok][j]), 4), 0.0])
    return out


def stats_json(
    now: float,
    started: float,
    total: dict[str, int],
    last1min: tuple[float, dict[str, int]],
    aircraft: int,
    with_pos: int,
    max_distance_m: float,
) -> dict[str, Any]:
    """readsb's ``stats.json`` (the subset skywitness measures): ``total`` counters since
    ``started`` and ``last1min`` (its start, the counts since) of messages (frames accepted),
    rejects and positions."""

    def period(start: float, c: dict[str, int]) -> dict[str, Any]:
        return {
            "start": round(start, 1),
            "end": round(now, 1),
            "messages": c.get("accepted", 0),
            "local": {
                "accepted": [c.get("accepted", 0), 0],
                "bad": c.get("rejected", 0),
                "unknown_icao": c.get("unknown_address", 0),
                "modes": c.get("frames", 0),
            },
            "position_count_total": c.get("positions", 0),
            "max_distance": _round(max_distance_m, 0),
        }

    return {
        "now": round(now, 1),
        "aircraft_with_pos": with_pos,
        "aircraft_without_pos": aircraft - with_pos,
        "last1min": period(*last1min),
        "total": period(started, total),
    }
