"""Geofences for watch rules: polygons (inline or GeoJSON) and circles, tested on whole arrays.

Point-in-polygon is the even-odd ray cast, vectorised over points for each polygon edge, in plain
lon/lat degrees (geofences are drawn in those coordinates; no antimeridian-crossing polygons).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

from .. import bounded

F8 = npt.NDArray[np.float64]
B1 = npt.NDArray[np.bool_]

EARTH_RADIUS_NM = 3440.065  # mean Earth radius, nautical miles


def _ring(coords: Any) -> F8:
    arr = np.asarray(coords, dtype=np.float64)
    if arr.ndim != 2 or arr.shape[1] < 2 or arr.shape[0] < 3:
        raise ValueError("a polygon ring needs at least 3 [lon, lat] points")
    return arr[:, :2]


@dataclass(frozen=True)
class Geofence:
    """An area: polygons (each a list of rings, outer first, holes after) or a circle."""

    name: str
    polygons: tuple[tuple[F8, ...], ...] = ()
    circle: tuple[float, float, float] | None = None  # lat deg, lon deg, radius nm
    bbox: tuple[float, float, float, float] = field(default=(-180.0, -90.0, 180.0, 90.0))

    @staticmethod
    def make_circle(name: str, lat: float, lon: float, radius_nm: float) -> Geofence:
        if not (-90 <= lat <= 90 and -180 <= lon <= 180 and radius_nm > 0):
            raise ValueError("circle needs lat in -90..90, lon in -180..180, radius_nm > 0")
        return Geofence(name, circle=(lat, lon, radius_nm))

    @staticmethod
    def make_polygons(name: str, polygons: list[list[Any]]) -> Geofence:
        polys = tuple(tuple(_ring(r) for r in rings) for rings in polygons)
        if not polys:
            raise ValueError("no polygon")
        pts = np.concatenate([r for p in polys for r in p])
        bbox = (
            float(pts[:, 0].min()),
            float(pts[:, 1].min()),
            float(pts[:, 0].max()),
            float(pts[:, 1].max()),
        )
        return Geofence(name, polygons=polys, bbox=bbox)

    def contains(self, lat: F8, lon: F8) -> B1:
        """Whether each point lies inside; False where the position is unknown (NaN)."""
        lat = np.asarray(lat, dtype=np.float64)
        lon = np.asarray(lon, dtype=np.float64)
        if self.circle is not None:
            clat, clon, r_nm = self.circle
            p1, p2 = np.radians(lat), np.radians(clat)
            dl = np.radians(lon - clon)
            h = np.sin((p2 - p1) / 2) ** 2 + np.cos(p1) * np.cos(p2) * np.sin(dl / 2) ** 2
            d_nm = 2 * EARTH_RADIUS_NM * np.arcsin(np.sqrt(np.clip(h, 0.0, 1.0)))
            out: B1 = d_nm <= r_nm
            return out
        x0, y0, x1, y1 = self.bbox
        inside = np.zeros(lat.shape, dtype=np.bool_)
        cand = np.flatnonzero((lon >= x0) & (lon <= x1) & (lat >= y0) & (lat <= y1))
        if cand.size == 0:
            return inside
        px, py = lon[cand], lat[cand]
        hit = np.zeros(cand.shape, dtype=np.bool_)
        for rings in self.polygons:
            odd = np.zeros(cand.shape, dtype=np.bool_)
            for ring in rings:  # holes flip parity back: even-odd over all rings
                xs, ys = ring[:, 0], ring[:, 1]
                xe, ye = np.roll(xs, -1), np.roll(ys, -1)
                for a, b, c, d in zip(xs, ys, xe, ye, strict=True):
                    if b == d:
                        continue
                    crosses = (b > py) != (d > py)
                    xcross = a + (py - b) * (c - a) / (d - b)
                    odd ^= crosses & (px < xcross)
            hit |= odd
        inside[cand] = hit
        return inside


def geojson_polygons(doc: Any) -> list[list[Any]]:
    """Every Polygon / MultiPolygon of a GeoJSON geometry, Feature or FeatureCollection."""
    kind = doc.get("type") if isinstance(doc, dict) else None
    if kind == "FeatureCollection":
        return [p for f in doc.get("features", []) for p in geojson_polygons(f)]
    if kind == "Feature":
        return geojson_polygons(doc.get("geometry") or {})
    if kind == "GeometryCollection":
        return [p for g in doc.get("geometries", []) for p in geojson_polygons(g)]
    if kind == "Polygon":
        return [doc["coordinates"]]
    if kind == "MultiPolygon":
        return list(doc["coordinates"])
    return []


def load_geojson(name: str, path: Path) -> Geofence:
    """A geofence from a GeoJSON file; ValueError when it cannot be read or holds no polygon."""
    try:
        doc = bounded.parse(json.loads, bounded.read_text(path, bounded.MAX_GEOJSON_BYTES))
        polys = bounded.parse(geojson_polygons, doc)
    except (OSError, ValueError) as exc:  # JSONDecodeError, UnicodeDecodeError are ValueErrors
        raise ValueError(f"cannot read GeoJSON {path}: {exc}") from exc
    if not polys:
        raise ValueError(f"no Polygon or MultiPolygon in {path}")
    return Geofence.make_polygons(name, polys)
