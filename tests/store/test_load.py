"""load_traffic_json: records and columns orient, canonical types, bad records counted."""

from __future__ import annotations

import gzip
import json
from pathlib import Path

import pyarrow as pa
import pytest

from skywitness.errors import FormatError, InputError
from skywitness.stats import IngestStats
from skywitness.store import STATE_SCHEMA, load_traffic_json

TRAJ = "traffic-trajectories"


def test_columns_orient(shared_data: Path) -> None:
    stats = IngestStats()
    t = load_traffic_json(shared_data / TRAJ / "noisy" / "noisy_ground.json.gz", stats=stats)
    assert t.schema == STATE_SCHEMA
    assert t.num_rows == 924
    assert stats.accepted == 924 and stats.rejected_total == 0
    first = t.slice(0, 1).to_pylist()[0]
    assert first["icao24"] == "440549" and first["callsign"] == "AUA570"
    assert first["onground"] is True
    assert first["timestamp"].isoformat() == "2019-11-11T14:13:50+00:00"
    assert t.column("onground").to_pylist().count(True) == 307


def test_quickstart_types(quickstart: pa.Table) -> None:
    assert quickstart.schema == STATE_SCHEMA
    assert quickstart.column("onground").to_pylist().count(True) == 55_371
    assert len(quickstart.column("icao24").unique()) == 213


def test_bad_records_counted(tmp_path: Path) -> None:
    recs = [
        {"timestamp": 1633608773000, "icao24": "3C6444", "squawk": 7700, "latitude": 48.0},
        {"timestamp": None, "icao24": "3c6444"},
        {"timestamp": 1633608774000, "icao24": "nothex"},
        "not an object",
    ]
    p = tmp_path / "x.json.gz"
    p.write_bytes(gzip.compress(json.dumps(recs).encode()))
    stats = IngestStats()
    t = load_traffic_json(p, stats=stats, source="feed")
    assert t.to_pylist()[0]["icao24"] == "3c6444"
    assert t.to_pylist()[0]["squawk"] == "7700"
    assert t.to_pylist()[0]["source"] == "feed"
    assert t.num_rows == 1
    assert dict(stats.rejected) == {"bad_record": 2, "bad_timestamp": 1}
    assert stats.frames == 4
    with pytest.raises(InputError):
        load_traffic_json(tmp_path / "missing.json")
    (tmp_path / "bad.json").write_text("{")
    with pytest.raises(InputError, match="not JSON"):
        load_traffic_json(tmp_path / "bad.json")
    (tmp_path / "shape.json").write_text("42")
    with pytest.raises(FormatError):
        load_traffic_json(tmp_path / "shape.json")
