"""Track exports: GeoJSON, KML, CSV and Parquet, parsed back, exact first point."""

from __future__ import annotations

import csv
import json
import xml.etree.ElementTree as ET
from datetime import UTC, datetime
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from skywitness.errors import SkywitnessError
from skywitness.store import Provenance, Store, export_track, ingest_tables

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
    (feat,) = doc["features"]
    assert feat["geometry"]["type"] == "LineString"
    coords = feat["geometry"]["coordinates"]
    assert coords[0] == [3.8288057767, 48.4824371338]
    assert len(coords) == len(feat["properties"]["coordTimes"]) == 1290
    assert feat["properties"]["coordTimes"][0] == "2021-10-07T12:12:53Z"
    assert feat["properties"]["icao24"] == "0101de"
    assert feat["properties"]["callsigns"] == ["MSR799"]
    assert feat["properties"]["altitude_ft"][0] == 13650.0


def test_kml(filled: Store, tmp_path: Path) -> None:
    out = tmp_path / "t.kml"
    export_track(filled, "0101de", SINCE, UNTIL, out)
    root = ET.parse(out).getroot()
    track = root.find(f"{KML}Document/{KML}Placemark/{GX}Track")
    assert track is not None
    assert track.findtext(f"{KML}altitudeMode") == "absolute"
    whens = track.findall(f"{KML}when")
    coords = track.findall(f"{GX}coord")
    assert len(whens) == len(coords) == 1290
    assert whens[0].text == "2021-10-07T12:12:53Z"
    # 13,650 ft = 4,160.5 m
    assert coords[0].text == "3.8288057767 48.4824371338 4160.5"


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
