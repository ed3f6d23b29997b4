"""The offline base map: countryinfo's per-country polygons merged into one FeatureCollection,
with the Natural Earth outlines countryinfo lacks filled in."""

from __future__ import annotations

import json
from typing import Any

import pytest

from skywitness.web import static_dir
from skywitness.web.basemap import (
    GAP_PATCHES,
    basemap_geojson,
    countries_dir,
    fill_gaps,
    merge_countries,
)

#: Bytes of the served base map: measured 197,944 (193,369 before the gap patches); the bound
#: leaves a little room for a countryinfo update while keeping every page load small.
PAYLOAD_MAX_BYTES = 205_000


def _in_ring(ring: list[list[float]], lon: float, lat: float) -> bool:
    """Even-odd ray cast, written independently of the module's own helper."""
    inside = False
    n = len(ring)
    for i in range(n):
        (x0, y0), (x1, y1) = ring[i], ring[(i + 1) % n]
        if (y0 > lat) != (y1 > lat) and lon < x0 + (lat - y0) * (x1 - x0) / (y1 - y0):
            inside = not inside
    return inside


def _countries_at(doc: dict[str, Any], lat: float, lon: float) -> list[str]:
    """iso2 of every feature with a polygon (outer ring in, no hole) holding the point."""
    hits = []
    for f in doc["features"]:
        geom = f["geometry"]
        polys = [geom["coordinates"]] if geom["type"] == "Polygon" else geom["coordinates"]
        for outer, *holes in polys:
            if _in_ring(outer, lon, lat) and not any(_in_ring(h, lon, lat) for h in holes):
                hits.append(f["properties"]["iso2"])
                break
    return hits


def test_basemap_from_installed_package() -> None:
    doc = json.loads(basemap_geojson())
    assert doc["type"] == "FeatureCollection"
    feats = doc["features"]
    assert len(feats) == 179  # 173 from countryinfo + HU, RS, ME, XK, MM, JM from GAP_PATCHES
    by_iso = {f["properties"]["iso3"]: f for f in feats}
    assert by_iso["VEN"]["properties"] == {"iso2": "VE", "iso3": "VEN", "name": "Venezuela"}
    assert by_iso["RUS"]["geometry"]["type"] == "MultiPolygon"
    # Rounded to 3 decimals; every ring closed.
    for f in feats:
        polys = f["geometry"]["coordinates"]
        if f["geometry"]["type"] == "Polygon":
            polys = [polys]
        for poly in polys:
            for ring in poly:
                assert ring[0] == ring[-1]
                assert all(round(c, 3) == c for pt in ring for c in pt)
    assert len(basemap_geojson()) < PAYLOAD_MAX_BYTES
    assert countries_dir().name == "data"


@pytest.mark.parametrize(
    ("lat", "lon", "iso2"),
    [
        (47.5, 19.0, "HU"),  # Budapest
        (44.8, 20.5, "RS"),  # Belgrade
        (42.44, 19.26, "ME"),  # Podgorica
        (42.66, 21.17, "XK"),  # Pristina
        (21.0, 96.0, "MM"),  # central Myanmar
        (18.1, -77.3, "JM"),
        (35.3, 33.6, "CY"),  # Northern Cyprus, drawn as part of Cyprus
        (9.56, 44.06, "SO"),  # Hargeisa, Somaliland, drawn as part of Somalia
        (31.9, 35.2, "PS"),  # Ramallah
        (48.2, 16.37, "AT"),  # Vienna: countryinfo's own outline, untouched
    ],
)
def test_no_gaps_in_the_land(lat: float, lon: float, iso2: str) -> None:
    doc = json.loads(basemap_geojson())
    assert _countries_at(doc, lat, lon) == [iso2]


def test_no_land_in_the_sea() -> None:
    doc = json.loads(basemap_geojson())
    # countryinfo's Palestine was a bounding box reaching into the Mediterranean off Tel Aviv.
    assert _countries_at(doc, 31.9, 34.4) == []
    assert _countries_at(doc, 43.0, 16.0) == []  # Adriatic (was open to the Hungary-Serbia gap)
    assert _countries_at(doc, 17.0, -76.0) == []  # Caribbean, east of Jamaica


def test_gap_patches_are_closed_and_hold_their_label() -> None:
    assert len(GAP_PATCHES) == 9
    for patch in GAP_PATCHES:
        ring = [[float(v) for v in p.split(",")] for p in patch.ring.split()]
        assert ring[0] == ring[-1] and len(ring) >= 9, patch.iso2
        assert _in_ring(ring, patch.label[1], patch.label[0]), patch.iso2


def _square(x0: float, y0: float, size: float) -> list[list[list[float]]]:
    x1, y1 = x0 + size, y0 + size
    return [[[x0, y0], [x1, y0], [x1, y1], [x0, y1], [x0, y0]]]


def test_fill_gaps_rules() -> None:
    patches = [g for g in GAP_PATCHES if g.iso2 in ("HU", "CY", "PS", "JM")]
    hu_box = {"type": "Polygon", "coordinates": _square(18.0, 46.0, 3.0)}  # holds Budapest
    cy = {"type": "Polygon", "coordinates": [[[33, 34.6], [34, 34.6], [33.5, 35.0], [33, 34.6]]]}
    ps_box = {"type": "Polygon", "coordinates": _square(34.2, 31.2, 1.3)}
    coll: dict[str, Any] = {
        "type": "FeatureCollection",
        "features": [
            {
                "type": "Feature",
                "properties": {"iso2": i, "iso3": i + "X", "name": i},
                "geometry": g,
            }
            for i, g in (("CY", cy), ("PS", ps_box), ("ZZ", hu_box))
        ],
    }
    out = fill_gaps(coll, patches)
    by: dict[str, Any] = {f["properties"]["iso2"]: f for f in out["features"]}
    # HU: its label point is already land (ZZ's square), so nothing is added.
    assert "HU" not in by
    # CY: the north is added to the existing feature as one more polygon.
    assert by["CY"]["geometry"]["type"] == "MultiPolygon"
    assert by["CY"]["geometry"]["coordinates"][0] == cy["coordinates"]
    # PS: a bounding-box placeholder is replaced by the outline.
    assert by["PS"]["geometry"]["type"] == "Polygon"
    assert len(by["PS"]["geometry"]["coordinates"][0]) == 9
    # JM: absent, so it becomes a feature of its own, in iso3 order.
    assert by["JM"]["properties"] == {"iso2": "JM", "iso3": "JAM", "name": "Jamaica"}
    assert [f["properties"]["iso3"] for f in out["features"]] == ["CYX", "JAM", "PSX", "ZZX"]
    assert coll["features"][0]["geometry"] is cy  # the input is left as it was


def test_merge_skips_documents_without_polygons() -> None:
    docs: list[dict[str, Any]] = [
        {"name": "Nowhere", "ISO": {"alpha2": "NW", "alpha3": "NWH"}},
        {"name": "Pointland", "geoJSON": {"features": [{"geometry": {"type": "Point"}}]}},
        {"name": "Bad", "geoJSON": "oops", "ISO": "bad"},
        {
            "name": "Square",
            "ISO": {"alpha2": "SQ", "alpha3": "SQR"},
            "geoJSON": {
                "type": "FeatureCollection",
                "features": [
                    {
                        "type": "Feature",
                        "id": "SQR",
                        "geometry": {
                            "type": "Polygon",
                            "coordinates": [[[0.12345, 1], [1, 1], [1, 0], [0.12345, 1]]],
                        },
                    }
                ],
            },
        },
    ]
    out = merge_countries(docs)
    assert out == {
        "type": "FeatureCollection",
        "features": [
            {
                "type": "Feature",
                "properties": {"iso2": "SQ", "iso3": "SQR", "name": "Square"},
                "geometry": {
                    "type": "Polygon",
                    "coordinates": [[[0.123, 1.0], [1.0, 1.0], [1.0, 0.0], [0.123, 1.0]]],
                },
            }
        ],
    }


def test_static_files_present() -> None:
    root = static_dir()
    assert (root / "index.html").is_file()
    assert (root / "app.css").is_file()
    modules = sorted(p.name for p in (root / "js").glob("*.js"))
    assert "main.js" in modules
    # Every module the page imports exists (no build step: the files are served as they are).
    import re

    for path in (root / "js").glob("*.js"):
        for name in re.findall(r'from "\\./([\\w-]+\\.js)"', path.read_text()):
            assert (root / "js" / name).is_file(), f"{path.name} imports missing {name}"
