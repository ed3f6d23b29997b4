"""Inline SVG for the report: a map of the tracks over country outlines, and a timeline.

Observed stretches are solid; bridged gaps (silences longer than AIR_GAP_S) are dashed straight
lines between the last position before and the first after. Pure: tables in, SVG text out.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from html import escape
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from ..flights import AirportIndex
from ..flights.segment import AIR_GAP_S
from ..timeutil import from_unix, short_z
from .query import Match

PALETTE = ("#d7263d", "#1b65a6", "#2e9e44", "#f18f01", "#7b2cbf", "#0f7173")
MAP_W = 900  # px
TL_ROW = 46  # px per timeline row


@dataclass
class Runs:
    """One flight's positions cut into observed runs at the gaps."""

    lon: list[np.ndarray[Any, Any]]
    lat: list[np.ndarray[Any, Any]]
    t: list[np.ndarray[Any, Any]]  # unix s


def runs_of(positions: pa.Table, f: dict[str, Any]) -> Runs:
    """Positions of flight ``f`` split where the silence exceeds AIR_GAP_S (pure)."""
    t = positions.filter(
        pc.and_(
            pc.equal(positions.column("icao24"), str(f["icao24"])),
            pc.is_valid(positions.column("latitude")),
        )
    )
    ts = t.column("timestamp").cast(pa.timestamp("ms")).to_numpy().astype(np.int64) / 1000.0
    lo, hi = f["firstSeen"].timestamp(), f["lastSeen"].timestamp()
    keep = (ts >= lo) & (ts <= hi)
    ts = ts[keep]
    lat = t.column("latitude").to_numpy()[keep]
    lon = t.column("longitude").to_numpy()[keep]
    cuts = np.flatnonzero(np.diff(ts) > AIR_GAP_S) + 1
    return Runs(np.split(lon, cuts), np.split(lat, cuts), np.split(ts, cuts))


def _bounds(runs: list[Runs], extra: list[tuple[float, float]]) -> tuple[float, ...]:
    lons = [float(x) for r in runs for a in r.lon for x in a] + [p[1] for p in extra]
    lats = [float(y) for r in runs for a in r.lat for y in a] + [p[0] for p in extra]
    if not lons:
        return (-180.0, -60.0, 180.0, 80.0)
    x0, x1, y0, y1 = min(lons), max(lons), min(lats), max(lats)
    pad = max(1.0, 0.08 * max(x1 - x0, y1 - y0))
    return (x0 - pad, max(-85.0, y0 - pad), x1 + pad, min(85.0, y1 + pad))


def map_svg(matches: list[Match], positions: pa.Table, basemap: dict[str, Any]) -> str:
    """The tracks map: outlines, observed runs solid, bridged gaps dashed, airports marked."""
    runs = [runs_of(positions, m.flight) for m in matches]
    airports = AirportIndex.default()
    ends = []
    for m in matches:
        for key in ("estDepartureAirport", "estArrivalAirport"):
            ap = airports.lookup(str(m.flight.get(key) or "")) if m.flight.get(key) else None
            if ap is not None:
                ends.append(ap)
    x0, y0, x1, y1 = _bounds(runs, [(a.lat, a.lon) for a in ends])
    kx = math.cos(math.radians((y0 + y1) / 2))
    scale = MAP_W / max(1e-6, (x1 - x0) * kx)
    height = int(max(260, min(640, (y1 - y0) * scale)))
    scale = min(scale, height / max(1e-6, y1 - y0))

    def xy(lon: float, lat: float) -> str:
        return f"{(lon - x0) * kx * scale:.1f},{(y1 - lat) * scale:.1f}"

    out = [
        f'<svg class="map" viewBox="0 0 {MAP_W} {height}" xmlns="http://www.w3.org/2000/svg" '
        'role="img" aria-label="map of the tracks">',
        f'<clipPath id="frame"><rect width="{MAP_W}" height="{height}"/></clipPath>',
        f'<rect width="{MAP_W}" height="{height}" fill="#dfeaf3"/><g clip-path="url(#frame)">',
    ]
    for feat in basemap.get("features", []):
        geom = feat["geometry"]
        polys = [geom["coordinates"]] if geom["type"] == "Polygon" else geom["coordinates"]
        d = []
        for rings in polys:
            for ring in rings:
                xs = [p[0] for p in ring]
                ys = [p[1] for p in ring]
                if max(xs) < x0 or min(xs) > x1 or max(ys) < y0 or min(ys) > y1:
                    continue
                d.append("M" + " L".join(xy(p[0], p[1]) for p in ring) + "Z")
        if d:
            out.append(
                f'<path d="{" ".join(d)}" fill="#f7f4ea" stroke="#9a9a9a" stroke-width="0.6"/>'
            )
    for k, r in enumerate(runs):
        color = PALETTE[k % len(PALETTE)]
        for lon, lat in zip(r.lon, r.lat, strict=True):
            if lon.size:
                pts = " ".join(xy(float(a), float(b)) for a, b in zip(lon, lat, strict=True))
                out.append(
                    f'<polyline class="observed" points="{pts}" fill="none" stroke="{color}" '
                    'stroke-width="2"/>'
                )
        for i in range(len(r.lon) - 1):
            if r.lon[i].size and r.lon[i + 1].size:
                a = xy(float(r.lon[i][-1]), float(r.lat[i][-1]))
                b = xy(float(r.lon[i + 1][0]), float(r.lat[i + 1][0]))
                out.append(
                    f'<polyline class="bridged" points="{a} {b}" fill="none" stroke="{color}" '
                    'stroke-width="1.6" stroke-dasharray="6 5" opacity="0.8"/>'
                )
    for k, ap in enumerate({a.icao: a for a in ends}.values()):
        p = xy(ap.lon, ap.lat).split(",")
        dy = -6 + 16 * (k % 2)  # alternate above/below: nearby fields (UUWW, UUMU) stay legible
        out.append(
            f'<circle cx="{p[0]}" cy="{p[1]}" r="4" fill="#222"/><text x="{float(p[0]) + 6:.1f}" '
            f'y="{float(p[1]) + dy:.1f}" class="lbl">{escape(ap.icao)}</text>'
        )
    out.append("</g>")
    out.append(
        f'<g class="legend" transform="translate(10,{height - 40})"><rect width="250" height="32" '
        'fill="#fff" opacity="0.85"/><line x1="8" y1="10" x2="40" y2="10" stroke="#333" '
        'stroke-width="2"/><text x="46" y="14" class="lbl">observed</text><line x1="8" y1="24" '
        'x2="40" y2="24" stroke="#333" stroke-dasharray="6 5"/><text x="46" y="28" class="lbl">'
        "bridged (no data; straight line)</text></g>"
    )
    out.append("</svg>")
    return "\n".join(out)


def timeline_svg(matches: list[Match], positions: pa.Table) -> str:
    """One row per flight: sighting runs as bars, gaps dashed, takeoff/landing marked."""
    if not matches:
        return ""
    t0 = min(m.flight["firstSeen"].timestamp() for m in matches)
    t1 = max(m.flight["lastSeen"].timestamp() for m in matches)
    left, width = 170, MAP_W - 170 - 80  # room for the last label
    span = max(60.0, t1 - t0)

    def x(t: float) -> float:
        return float(left + (t - t0) / span * width)

    height = 40 + TL_ROW * len(matches)
    out = [
        f'<svg class="timeline" viewBox="0 0 {MAP_W} {height}" '
        'xmlns="http://www.w3.org/2000/svg" role="img" aria-label="timeline">'
    ]
    step = max(1, math.ceil(span / 3600 / 8)) * 3600
    tick = math.ceil(t0 / step) * step
    while tick <= t1:
        xt = x(tick)
        label = short_z(from_unix(tick), "day-minute")
        out.append(
            f'<line x1="{xt:.1f}" y1="18" x2="{xt:.1f}" y2="{height}" stroke="#ddd"/>'
            f'<text x="{xt:.1f}" y="12" class="lbl" text-anchor="middle">{label}</text>'
        )
        tick += step
    for k, m in enumerate(matches):
        y = 30 + TL_ROW * k
        color = PALETTE[k % len(PALETTE)]
        f = m.flight
        out.append(
            f'<text x="4" y="{y + 14}" class="lbl">{escape(str(f["icao24"]))} '
            f"{escape(str(f.get('callsign') or ''))}</text>"
        )
        r = runs_of(positions, f)
        for i, ts in enumerate(r.t):
            if ts.size:
                a, b = x(float(ts[0])), max(x(float(ts[-1])), x(float(ts[0])) + 1.5)
                out.append(
                    f'<rect class="seen" x="{a:.1f}" y="{y + 4}" width="{b - a:.1f}" height="14" '
                    f'fill="{color}"><title>sighted {ts.size} positions</title></rect>'
                )
            if i + 1 < len(r.t) and ts.size and r.t[i + 1].size:
                a, b = x(float(ts[-1])), x(float(r.t[i + 1][0]))
                out.append(
                    f'<line x1="{a:.1f}" y1="{y + 11}" x2="{b:.1f}" y2="{y + 11}" stroke="{color}" '
                    'stroke-dasharray="5 4"/>'
                )
        for key, mark, dy in (("takeoff_time", "▲ takeoff", 34), ("landing_time", "▼ landing", 34)):
            if f.get(key) is not None:
                xt = x(f[key].timestamp())
                out.append(
                    f'<text x="{xt:.1f}" y="{y + dy}" class="lbl" text-anchor="middle">{mark} '
                    f"{short_z(f[key], 'minute')}</text>"
                )
    out.append("</svg>")
    return "\n".join(out)
