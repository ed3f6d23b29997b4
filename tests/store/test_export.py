"""Track exports: GeoJSON, KML, CSV and Parquet, parsed back, exact first point."""

from __future__ import annotations

import csv
import json
import xml.etree.ElementTree as ET
from datetime import UTC, datetime
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pyogrio
import pytest

from skywitness.errors import SkywitnessError
from skywitness.store import Provenance, Store, export_track, ingest_tables, to_geojson, to_kml

KML = "{http://www.opengis.net/kml/2.2}"
GX = "{http://www.google.com/kml/ext/2.2}"
SINCE = datetime(2021, 10, 7, 12, 0, tzinfo=UTC)
UNTIL = datetime(2021, 10, 7, 15, 0, tzinfo=UTC)


@pytest.fixture
def filled(store: Store, quickstart: pa.Table) -> Store:
    ingest_tables(store, [quickstart], Provenance("quickstart", None, "traffic-json"))
    return store


def test_geojson(filled: Store, tmp_path: Path) -> None:
    out = tmp_path / "t.geojson"
    assert export_track(filled, "0101DE", SINCE, UNTIL, out) == 1290
    doc = json.loads(out.read_text())
    (feat,) = doc["features"]  # one observed run: no silence over 10 min in this flight
    assert feat["geometry"]["type"] == "LineString"
    coords = feat["geometry"]["coordinates"]
    # 3-D: 13,650 ft = 4,160.5 m
    assert coords[0] == [3.8288057767, 48.4824371338, 4160.5]
    assert len(coords) == len(feat["properties"]["coordTimes"]) == 1290
    assert feat["properties"]["coordTimes"][0] == "2021-10-07T12:12:53Z"
    assert feat["properties"] | {"coordTimes": None} == {
        "icao24": "0101de",
        "callsign": "MSR799",
        "kind": "observed",
        "start": "2021-10-07T12:12:53Z",
        "end": feat["properties"]["coordTimes"][-1],
        "points": 1290,
        "coordTimes": None,
    }


def test_geojson_reads_back_in_gdal(filled: Store, tmp_path: Path) -> None:
    """GDAL (through pyogrio, what geopandas.read_file uses) reads every feature and field."""
    out = tmp_path / "t.geojson"
    export_track(filled, "0101de", SINCE, UNTIL, out)
    info = pyogrio.read_info(out)
    assert info["geometry_type"] == "LineString Z" and info["features"] == 1
    meta, _, _, fields = pyogrio.raw.read(out)
    names = list(meta["fields"])
    assert names == ["icao24", "callsign", "kind", "start", "end", "points", "coordTimes"]
    assert fields[names.index("callsign")][0] == "MSR799"
    assert fields[names.index("points")][0] == 1290
    assert len(fields[names.index("coordTimes")][0]) == 1290


def test_kml(filled: Store, tmp_path: Path) -> None:
    out = tmp_path / "t.kml"
    export_track(filled, "0101de", SINCE, UNTIL, out)
    root = ET.parse(out).getroot()
    folder = root.find(f"{KML}Document/{KML}Folder")
    assert folder is not None and folder.findtext(f"{KML}name") == "0101de MSR799"
    track = folder.find(f"{KML}Placemark/{GX}Track")
    assert track is not None
    assert track.findtext(f"{KML}altitudeMode") == "absolute"
    whens = track.findall(f"{KML}when")
    coords = track.findall(f"{GX}coord")
    assert len(whens) == len(coords) == 1290
    assert whens[0].text == "2021-10-07T12:12:53Z"
    # 13,650 ft = 4,160.5 m
    assert coords[0].text == "3.8288057767 48.4824371338 4160.5"
    # the observed run drawn in altitude colours: one style per band, lines that use them
    styles = {s.get("id") for s in root.iter(f"{KML}Style")}
    assert {"alt0", "alt3", "alt6", "estimated"} <= styles
    used = [p.findtext(f"{KML}styleUrl") for p in folder.findall(f"{KML}Placemark")]
    # a descent from 13,650 ft to the runway: the five bands below 20,000 ft
    assert used[0] == "#track" and set(used[1:]) == {"#alt0", "#alt1", "#alt2", "#alt3", "#alt4"}
    assert "#estimated" not in used  # no silence in this flight


def test_silences_are_estimated_segments(tmp_path: Path) -> None:
    """A 20-minute silence: GeoJSON gets an ``estimated`` feature between two observed runs,
    KML a dashed grey line; nothing is drawn as observed across it."""
    t0 = datetime(2021, 1, 1, 12, 0, tzinfo=UTC).timestamp()
    times = [t0, t0 + 10, t0 + 20, t0 + 1220, t0 + 1230]
    table = pa.table(
        {
            "timestamp": pa.array([int(t * 1000) for t in times], pa.timestamp("ms", tz="UTC")),
            "icao24": ["3c6444"] * 5,
            "callsign": ["DLH1", "DLH1", "DLH1", "DLH1", None],
            "latitude": [50.0, 50.01, 50.02, 51.0, 51.01],
            "longitude": [8.0, 8.01, 8.02, 9.0, 9.01],
            "altitude": [1000.0, 1200.0, None, 30000.0, 30000.0],
            "geoaltitude": [None, None, 1500.0, None, None],
        }
    )
    doc = to_geojson(table)
    kinds = [(f["properties"]["kind"], f["properties"]["points"]) for f in doc["features"]]
    assert kinds == [("observed", 3), ("estimated", 2), ("observed", 2)]
    gap = doc["features"][1]
    assert gap["geometry"]["coordinates"] == [[8.02, 50.02, 457.2], [9.0, 51.0, 9144.0]]
    assert (gap["properties"]["start"], gap["properties"]["end"]) == (
        "2021-01-01T12:00:20Z", "2021-01-01T12:20:20Z",
    )  # fmt: skip
    root = ET.fromstring(to_kml(table))
    dashed = [
        p for p in root.iter(f"{KML}Placemark") if p.findtext(f"{KML}styleUrl") == "#estimated"
    ]
    assert len(dashed) == 1
    assert len(dashed[0].findall(f"{KML}MultiGeometry/{KML}LineString")) == 12


def test_csv_and_parquet(filled: Store, tmp_path: Path) -> None:
    export_track(filled, "0101de", None, None, tmp_path / "t.csv")
    with open(tmp_path / "t.csv", newline="") as fh:
        rows = list(csv.DictReader(fh))
    assert len(rows) == 1290
    assert rows[0]["timestamp"] == "2021-10-07T12:12:53Z"
    assert float(rows[0]["latitude"]) == 48.4824371338
    assert rows[0]["callsign"] == "MSR799"
    export_track(filled, "0101de", SINCE, UNTIL, tmp_path / "t.parquet")
    t = pq.read_table(tmp_path / "t.parquet")
    assert t.num_rows == 1290
    assert t.column("longitude")[0].as_py() == 3.8288057767


def test_export_errors(filled: Store, tmp_path: Path) -> None:
    with pytest.raises(SkywitnessError, match="no state vectors"):
        export_track(filled, "ffffff", None, None, tmp_path / "x.kml")
    with pytest.raises(SkywitnessError, match="unknown track format"):
        export_track(filled, "0101de", None, None, tmp_path / "x.txt")
