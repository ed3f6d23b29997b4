"""Flight ends whose airport is clear from the data itself, and the share of them named right.

A flight end's truth is clear when its end point (the flight's first point with a position for
a departure, its last for an arrival) lies within ``CLEAR_RADIUS_M`` of exactly one airport's
runway centre line (its centre where runways are unknown), every other airport being at least
``CLEAR_RATIO`` times farther; under ``CLEAR_HEIGHT_FT`` above that airport (on the ground
counts, and needs nothing more); and, airborne, moving the right way: over the next (previous,
for an arrival) ``MOTION_S`` the aircraft gets higher (lower) or, where its height hardly
changes or is unknown, farther from (closer to) the airport. The geometry is the project's
airport index moved onto OurAirports runways; the inference under test is not used.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pyarrow as pa

from skywitness.flights import AirportIndex, build_flights
from skywitness.flights.airports import RunwayIndex, haversine_m
from skywitness.store import load_traffic_json

from ._load import load_trace

CLEAR_RADIUS_M = 3_000.0
CLEAR_RATIO = 2.0
CLEAR_HEIGHT_FT = 1_000.0
MOTION_S = 120.0


def trajectory_files(root: Path) -> list[Path]:
    """Every shared real trajectory file (traffic samples and the readsb trace)."""
    return sorted(root.rglob("*.json.gz")) + sorted(root.rglob("*.json"))


def load_any(path: Path) -> pa.Table:
    return load_trace(path)[0] if path.suffix == ".json" else load_traffic_json(path)


@dataclass
class Geometry:
    airports: AirportIndex
    runways: RunwayIndex

    @staticmethod
    def of(runways: pa.Table) -> Geometry:
        apts, _ = AirportIndex.default().moved_to_runways(runways)
        return Geometry(apts, RunwayIndex(runways, apts))

    def distances(self, lat: float, lon: float) -> tuple[np.ndarray, np.ndarray]:
        """Airports within 2 * CLEAR_RADIUS_M * CLEAR_RATIO and their distance (runway line)."""
        a = self.airports
        _, ai, centre = a.within(np.array([lat]), np.array([lon]), 4 * CLEAR_RADIUS_M)
        line, _ = self.runways.distance(np.full(ai.shape, lat), np.full(ai.shape, lon), ai)
        return ai, np.where(np.isnan(line), centre, line)


@dataclass
class End:
    file: str
    flight_id: str
    arrival: bool
    truth: str
    got: str | None


class _Columns:
    """A file's state vectors sorted by (icao24, time), sliced per flight by binary search."""

    def __init__(self, states: pa.Table) -> None:
        ic = np.asarray(states["icao24"].to_numpy(zero_copy_only=False)).astype(str)
        ts = np.asarray(states["timestamp"].cast("int64").to_numpy(zero_copy_only=False))
        order = np.lexsort((ts, ic))
        self.ic, self.ts = ic[order], ts[order]

        def col(name: str) -> np.ndarray:
            v = states[name].to_numpy(zero_copy_only=False)[order]
            return np.asarray(v, dtype=np.float64)

        og = states["onground"].to_numpy(zero_copy_only=False)[order]
        self.cols = {
            "t": self.ts / 1e3,
            "lat": col("latitude"),
            "lon": col("longitude"),
            "alt": col("altitude"),
            "ground": np.array([v is not None and bool(v) for v in og], dtype=bool),
        }

    def points(self, icao: str, t0: int, t1: int) -> dict[str, np.ndarray]:
        lo = int(np.searchsorted(self.ic, icao, side="left"))
        hi = int(np.searchsorted(self.ic, icao, side="right"))
        i = lo + int(np.searchsorted(self.ts[lo:hi], t0, side="left"))
        j = lo + int(np.searchsorted(self.ts[lo:hi], t1, side="right"))
        return {k: v[i:j] for k, v in self.cols.items()}


def clear_truth(geo: Geometry, pts: dict[str, np.ndarray], arrival: bool) -> str | None:
    """The airport of one flight end if the data makes it clear, else None."""
    has = np.flatnonzero(np.isfinite(pts["lat"]) & np.isfinite(pts["lon"]))
    if has.size < 2:
        return None
    k = has[-1] if arrival else has[0]
    lat, lon = pts["lat"][k], pts["lon"][k]
    ai, d = geo.distances(lat, lon)
    if ai.size == 0:
        return None
    o = np.argsort(d)
    best, bd = ai[o[0]], d[o[0]]
    if bd > CLEAR_RADIUS_M or (o.size > 1 and d[o[1]] < CLEAR_RATIO * max(bd, 300.0)):
        return None
    elev = geo.airports.elevation_ft[best]
    ground = bool(pts["ground"][k])
    alt = pts["alt"][k]
    if not ground and not (np.isfinite(alt) and alt - elev < CLEAR_HEIGHT_FT):
        return None
    if ground:  # a flight that ends (starts) on the ground there: nothing else to check
        return str(geo.airports.icao[best])
    # moving the right way: farther from the airport (or higher) after a departure's first
    # point, closer (or lower) before an arrival's last point
    t = pts["t"]
    near = has[np.abs(t[has] - t[k]) <= MOTION_S]
    other = near[0] if arrival else near[-1]
    if other == k:
        return None
    dd = float(haversine_m(pts["lat"][other], pts["lon"][other], geo.airports.lat[best],
                           geo.airports.lon[best])) - float(
        haversine_m(lat, lon, geo.airports.lat[best], geo.airports.lon[best]))  # fmt: skip
    with_alt = near[np.isfinite(pts["alt"][near])]
    da = np.nan
    if with_alt.size:
        da = pts["alt"][with_alt[0] if arrival else with_alt[-1]] - alt
    # the height trend where it is known (a climb-out passes the airport's centre too)
    right = bool(da > 0) if np.isfinite(da) and abs(da) > 50.0 else bool(dd > 0)
    return str(geo.airports.icao[best]) if right else None


def clear_ends(path: Path, root: Path, runways: pa.Table, geo: Geometry) -> list[End]:
    states = load_any(path)
    flights = build_flights(states, runways=runways)
    cols = _Columns(states)
    out = []
    for r in flights.to_pylist():
        t0, t1 = (int(r[k].timestamp() * 1000) for k in ("firstSeen", "lastSeen"))
        pts = cols.points(r["icao24"], t0, t1)
        for arrival, key in ((False, "estDepartureAirport"), (True, "estArrivalAirport")):
            truth = clear_truth(geo, pts, arrival)
            if truth is not None:
                rel = str(path.relative_to(root))
                out.append(End(rel, r["flight_id"], arrival, truth, r[key]))
    return out
