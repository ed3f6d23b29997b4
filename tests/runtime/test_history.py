"""History end to end (issue 3 acceptance 1, 4 and 6): frames → store → flights.

- full_flight_short (real frames of AFR34ZG): exactly one flight of 393322, LFPG → LFBO, with
  takeoff and landing times within 30 s of the air/ground transitions visible in the frames
  (the last surface position before the first airborne one, and the reverse).
- The same frames with 30 minutes of cruise removed: still one flight, the gap bridged.
- kill -9 during ``skywitness ingest``: the store reopens cleanly, says what was lost, and
  ingesting again completes without duplicates.
"""

from __future__ import annotations

import gzip
import json
import os
import signal
import subprocess
import sys
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from skywitness.model import FrameBatch
from skywitness.runtime.history import ingest, open_history
from skywitness.runtime.pipeline import RunOptions
from skywitness.simulate import beast_bytes
from skywitness.sources import open_source
from skywitness.stats import IngestStats
from skywitness.store import Store
from tests.fixtures import frames_of

FLIGHT = "traffic-raw-frames/full_flight_short.jsonl.gz"
LFPG = (49.0097, 2.5479)


def _frames(shared: Path) -> list[dict[str, Any]]:
    with gzip.open(shared / FLIGHT, "rt") as fh:
        return [json.loads(line) for line in fh]


def _transitions(lines: list[dict[str, Any]]) -> tuple[float, float]:
    """(takeoff, landing) as the data shows them: surface (BDS 0,6) vs airborne (0,5) frames."""
    pos = [(float(x["timestamp"]), x["bds"]) for x in lines if x.get("bds") in ("05", "06")]
    first_air = next(t for t, b in pos if b == "05")
    last_ground_before = max(t for t, b in pos if b == "06" and t < first_air)
    last_air = max(t for t, b in pos if b == "05")
    first_ground_after = min(t for t, b in pos if b == "06" and t > last_air)
    return (last_ground_before + first_air) / 2, (last_air + first_ground_after) / 2


def _flights(data_dir: Path) -> list[dict[str, Any]]:
    store = Store(data_dir, read_only=True)
    try:
        rows: list[dict[str, Any]] = store.query_flights().to_pylist()
        return rows
    finally:
        store.close()


def test_frames_to_one_flight_lfpg_lfbo(shared_data: Path, tmp_path: Path) -> None:
    store = open_history(tmp_path)
    outcomes = ingest(store, [str(shared_data / FLIGHT)], RunOptions(reference=LFPG))
    store.close()
    assert outcomes[0].record.status == "done"
    flights = _flights(tmp_path)
    assert len(flights) == 1
    f = flights[0]
    assert (f["icao24"], f["callsign"]) == ("393322", "AFR34ZG")
    assert (f["estDepartureAirport"], f["estArrivalAirport"]) == ("LFPG", "LFBO")
    assert f["departure_observed"] and f["arrival_observed"]
    takeoff, landing = _transitions(_frames(shared_data))
    assert abs(f["takeoff_time"].timestamp() - takeoff) <= 30
    assert abs(f["landing_time"].timestamp() - landing) <= 30
    print(
        f"takeoff {f['takeoff_time']} (data {datetime.fromtimestamp(takeoff, UTC)}), "
        f"landing {f['landing_time']} (data {datetime.fromtimestamp(landing, UTC)})"
    )


def test_thirty_minutes_of_cruise_removed_is_one_bridged_flight(
    shared_data: Path, tmp_path: Path
) -> None:
    lines = _frames(shared_data)
    cruise = [float(x["timestamp"]) for x in lines if float(x.get("altitude", 0) or 0) > 30000]
    cut_from = cruise[len(cruise) // 4]
    cut_to = cut_from + 30 * 60
    kept = [x for x in lines if not cut_from <= float(x["timestamp"]) < cut_to]
    src = tmp_path / "afr34zg_gap.jsonl"
    src.write_text(
        "".join(json.dumps({"timestamp": x["timestamp"], "frame": x["frame"]}) + "\n" for x in kept)
    )
    store = open_history(tmp_path / "store")
    ingest(store, [str(src)], RunOptions(reference=LFPG))
    store.close()
    flights = _flights(tmp_path / "store")
    assert len(flights) == 1
    f = flights[0]
    assert (f["estDepartureAirport"], f["estArrivalAirport"]) == ("LFPG", "LFBO")
    assert f["gaps_bridged"] >= 1 and f["longest_gap_s"] >= 30 * 60


BEAST = "beastblackbox-example/ulss7-beast-bin-utc--1522782148.136310917--.log"
TICKS_PER_S = 12_000_000


@pytest.fixture(scope="module")
def capture(shared_data: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A large Beast file: the real capture 200 times over, its clock running on (2.8M frames,
    45 MB), so that ingest commits batches for a few seconds before it is killed."""
    frames = FrameBatch.concat(
        frames_of(open_source(str(shared_data / BEAST), "beast", IngestStats()))
    )
    span = int(frames.ticks.max() - frames.ticks.min()) + TICKS_PER_S
    path = tmp_path_factory.mktemp("capture") / "big-1522782148.beast"
    shifted = frames.take(np.arange(len(frames)))
    with open(path, "wb") as fh:
        for k in range(200):
            shifted.ticks = frames.ticks + np.uint64(k * span)
            fh.write(beast_bytes(shifted))
    return path


def _ingest_cmd(src: Path, data_dir: Path) -> list[str]:
    return [
        sys.executable, "-m", "skywitness", "ingest", str(src), "--data-dir", str(data_dir),
        "--flush-rows", "2000", "--flush-seconds", "0.2", "-q",
    ]  # fmt: skip


def test_kill_9_during_ingest_then_recover(capture: Path, tmp_path: Path) -> None:
    data = tmp_path / "store"
    proc = subprocess.Popen(_ingest_cmd(capture, data), stderr=subprocess.PIPE)
    lake = data / "lake"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if len(list(lake.rglob("*.parquet"))) >= 2 or proc.poll() is not None:
            break
        time.sleep(0.01)
    assert proc.poll() is None, "ingest finished before it could be killed"
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()

    store = Store(data)  # reopening runs the recovery
    report = store.recovery
    assert not report.clean
    summary = report.summary()
    print(summary)
    assert "interrupted" in summary
    rows_left = store.info()["rows"]
    store.close()
    assert rows_left == 0  # a file's partial ingest is removed, so a retry adds no duplicates

    again = subprocess.run(_ingest_cmd(capture, data), capture_output=True, text=True)
    assert again.returncode == 0, again.stderr
    store = Store(data, read_only=True)
    try:
        done = [r for r in store.ingests() if r.status == "done"]
        assert len(done) == 1
        assert store.info()["rows"] == done[0].rows_stored > 1_000
        # every stored file belongs to the completed ingest: nothing of the killed one is left
        owners = store.connection.execute("SELECT DISTINCT ingest_id FROM files").fetchall()
        assert owners == [(done[0].id,)]
        on_disk = sum(1 for _ in (data / "lake").rglob("*.parquet"))
        assert on_disk == store.connection.execute("SELECT count(*) FROM files").fetchall()[0][0]
        assert store.query_flights().num_rows > 0
    finally:
        store.close()
