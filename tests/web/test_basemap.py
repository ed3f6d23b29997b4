"""The offline base map: countryinfo's per-country polygons merged into one FeatureCollection."""

from __future__ import annotations

import json

from skywitness.web import static_dir
from skywitness.web.basemap import basemap_geojson, countries_dir, merge_countries


def test_basemap_from_installed_package() -> None:
    doc = json.loads(basemap_geojson())
    assert doc["type"] == "FeatureCollection"
    feats = doc["features"]
    assert len(feats) == 173
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
    assert len(basemap_geojson()) < 250_000  # small enough to send to every page load
    assert countries_dir().name == "data"


def test_merge_skips_documents_without_polygons() -> None:
    docs = [
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
