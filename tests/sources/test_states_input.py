"""State vectors as input: Parquet with the canonical columns and traffic/pandas JSON."""

from __future__ import annotations

import gzip
import json
from pathlib import Path

import numpy as np
import pyarrow.parquet as pq

from skywitness.cli.main import main
from skywitness.model import Observations, StateRows
from skywitness.sources import detect_format, open_source
from skywitness.sources.states import observations_from_states
from skywitness.stats import IngestStats

QUICKSTART = "traffic-trajectories/collections/quickstart.json.gz"


def test_detects_parquet_and_both_json_orients(shared_data: Path) -> None:
    assert detect_format(b"PAR1\x15\x04") == "states"
    with gzip.open(shared_data / QUICKSTART) as fh:
        head = fh.read(4096)
    assert detect_format(head) == "states"
    columns = json.dumps({"timestamp": {"0": 1633608001000}, "icao24": {"0": "3c6444"}})
    assert detect_format(columns.encode()) == "states"


def test_traffic_json_rows_become_observations(shared_data: Path) -> None:
    stats = IngestStats()
    chunks = list(open_source(str(shared_data / QUICKSTART), stats=stats))
    assert len(chunks) == 1 and isinstance(chunks[0], StateRows)  # the document, whole
    n = sum(len(c) for c in chunks)
    assert n + stats.rejected_total == 284_505 == stats.frames
    first = observations_from_states(chunks[0].table, chunks[0].source)
    assert isinstance(first, Observations) and len(first) == n
    assert np.isfinite(first.timestamp).all() and first.timestamp.min() >= 1633608001.0


def test_parquet_states_round_trip(shared_data: Path, tmp_path: Path) -> None:
    """``track`` output read back as input gives the same positions (units unchanged)."""
    src = shared_data / "traffic-raw-frames" / "full_flight_short.jsonl.gz"
    once, twice = tmp_path / "once.parquet", tmp_path / "twice.parquet"
    assert main(["track", str(src), "-o", str(once), "-q"]) == 0
    assert main(["track", str(once), "-o", str(twice), "-q"]) == 0
    a, b = pq.read_table(once).to_pylist(), pq.read_table(twice).to_pylist()
    pos = lambda rows: [(r["latitude"], r["longitude"]) for r in rows if r["latitude"] is not None]  # noqa: E731
    assert pos(a) == pos(b)
    assert [r["altitude"] for r in a] == [r["altitude"] for r in b]


def test_truncated_parquet_is_counted(tmp_path: Path) -> None:
    bad = tmp_path / "cut.parquet"
    bad.write_bytes(b"PAR1" + b"\x00" * 100)
    stats = IngestStats()
    assert list(open_source(str(bad), stats=stats)) == []
    assert stats.rejected == {"truncated": 1}
