"""Places a question names, as geofences: airports (circles), countries (outlines), GeoJSON files.

Airports come from airportsdata (``AirportIndex``); country outlines from a GeoJSON
FeatureCollection with ``iso2``/``name`` properties handed in by the caller (the CLI passes the
offline base map, ``web.basemap``: Natural Earth 1:110m, coarse near coasts — hence the airport
margin in ``Place.contains``).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from ..errors import SkywitnessError
from ..flights import AirportIndex
from ..watch.geo import B1, F8, Geofence, geojson_polygons, load_geojson

#: Radius around an airport that counts as "at" it for sightings and coverage, nautical miles:
#: wide enough to hold the approach and climb-out a receiver near the field would hear.
AIRPORT_RADIUS_NM = 30.0
#: Around each airport of a country, nautical miles, also "in" that country (see Place.contains).
COUNTRY_AIRPORT_RADIUS_NM = 10.0
M_PER_NM = 1852.0  # metres per nautical mile


@dataclass(frozen=True)
class Place:
    """A named area: ``kind`` airport | country | geofence."""

    code: str
    kind: str
    label: str
    fence: Geofence

    def contains(self, lat: F8, lon: F8) -> B1:
        """Whether each point is in the place; a country also counts the points within
        COUNTRY_AIRPORT_RADIUS_NM of its airports (the 1:110m outline cuts coastal fields)."""
        inside = self.fence.contains(lat, lon)
        if self.kind == "country":
            idx = AirportIndex.default()
            qi, ai, _ = idx.within(lat, lon, COUNTRY_AIRPORT_RADIUS_NM * M_PER_NM)
            near = qi[idx.country[ai] == self.code]
            inside[near] = True
        return inside

    def bbox(self) -> tuple[float, float, float, float]:
        """(min_lon, min_lat, max_lon, max_lat) around the place, degrees."""
        x0, y0, x1, y1 = fence_bbox(self.fence)
        if self.kind == "country":  # room for the airport margin
            pad = COUNTRY_AIRPORT_RADIUS_NM / 60.0 * 2
            return (
                max(-180.0, x0 - pad),
                max(-90.0, y0 - pad),
                min(180.0, x1 + pad),
                min(90.0, y1 + pad),
            )
        return (x0, y0, x1, y1)


class Outlines:
    """Country outlines by ISO 3166 alpha-2, from a GeoJSON FeatureCollection (kept as ``doc``
    for the report's map); each country's geofence is built once, on first use."""

    def __init__(self, doc: dict[str, Any] | None = None) -> None:
        self.doc: dict[str, Any] = doc or {"type": "FeatureCollection", "features": []}
        self.countries: dict[str, tuple[str, list[Any]]] = {}
        for feat in self.doc.get("features", []):
            props, geom = feat.get("properties") or {}, feat.get("geometry") or {}
            polys = geojson_polygons(geom)
            if polys and props.get("iso2"):
                self.countries[str(props["iso2"]).upper()] = (str(props.get("name") or ""), polys)
        self._fences: dict[str, Geofence] = {}

    def fence(self, iso2: str) -> Geofence | None:
        if iso2 not in self._fences and iso2 in self.countries:
            self._fences[iso2] = Geofence.make_polygons(iso2, self.countries[iso2][1])
        return self._fences.get(iso2)

    def on_land(self, lat: float, lon: float) -> bool:
        """Whether a point lies on any country's outline."""
        la, lo = np.array([lat]), np.array([lon])
        for iso2 in self.countries:
            fence = self.fence(iso2)
            if fence is not None and bool(fence.contains(la, lo)[0]):
                return True
        return False


def airport_label(code: str) -> str:
    """ "Name (ICAO)" for an airport code, or the code itself when unknown."""
    ap = AirportIndex.default().lookup(code) if code else None
    return f"{ap.name} ({ap.icao})" if ap else code


def resolve(code: str, outlines: Outlines) -> Place:
    """A place from an airport code (ICAO/IATA), a country code (alpha-2) or a GeoJSON path."""
    text = code.strip()
    if text.lower().endswith((".geojson", ".json")) or Path(text).is_file():
        try:
            fence = load_geojson(Path(text).stem, Path(text))
        except ValueError as exc:
            raise SkywitnessError(str(exc)) from exc
        return Place(text, "geofence", f"area {Path(text).name}", fence)
    up = text.upper()
    if len(up) == 2 and up.isalpha():
        outline = outlines.fence(up)
        if outline is None:
            raise SkywitnessError(f"no outline for country {up!r} in the base map")
        return Place(up, "country", outlines.countries[up][0], outline)
    ap = AirportIndex.default().lookup(up)
    if ap is None:
        raise SkywitnessError(f"unknown place {code!r} (airport code, country code or GeoJSON)")
    fence = Geofence.make_circle(ap.icao, ap.lat, ap.lon, AIRPORT_RADIUS_NM)
    return Place(ap.icao, "airport", f"{ap.name} ({ap.icao})", fence)


def fence_bbox(fence: Geofence) -> tuple[float, float, float, float]:
    """(min_lon, min_lat, max_lon, max_lat) around a geofence, degrees."""
    if fence.circle is None:
        return fence.bbox
    lat, lon, r_nm = fence.circle
    dlat = r_nm / 60.0  # one nautical mile is one minute of latitude
    dlon = min(180.0, dlat / max(0.05, abs(math.cos(math.radians(lat)))))
    return (lon - dlon, lat - dlat, lon + dlon, lat + dlat)
