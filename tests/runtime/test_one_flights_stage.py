"""#10 acceptance 1: ingest, then ``serve`` started and stopped, restarted, started on a busy
port, and ``demo`` without ``--once``: the stored flights stay equal, row for row, to what
``flights rebuild`` computes on the same data (no truncated copy of a finished flight from the
warm start), on the Caracas scenario and on the ``quickstart`` collection."""

from __future__ import annotations

import signal
import socket
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest

from skywitness.runtime.history import ingest, open_history, rebuild_flights
from skywitness.runtime.pipeline import RunOptions
from skywitness.simulate import load_builtin, simulate
from skywitness.simulate.writers import write_capture
from skywitness.store import Provenance, Store, ingest_tables, load_traffic_json
from skywitness.watch import list_alerts

#: Flights of the Caracas scenario (docs/demo.md): 11, two of them RFF (Russian state).
CARACAS_FLIGHTS = 11
#: Flights that `flights rebuild` gives on the quickstart collection (tests/flights).
QUICKSTART_FLIGHTS = 238


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _rows(data: Path) -> list[dict[str, Any]]:
    with Store(data, read_only=True) as st:
        return sorted(st.query_flights().to_pylist(), key=lambda r: str(r["flight_id"]))


def _rebuilt(data: Path) -> list[dict[str, Any]]:
    with Store(data) as st:
        rebuild_flights(st)
    return _rows(data)


def _run_until_serving(cmd: list[str]) -> str:
    """Run a serving command until it says it serves, then SIGTERM it; its stdout."""
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        assert proc.stdout is not None
        for line in proc.stdout:
            if "serving http" in line:
                time.sleep(3.0)  # the flights child has taken the warm start by now
                break
        proc.send_signal(signal.SIGTERM)
        out, err = proc.communicate(timeout=120)
    finally:
        proc.kill()
    assert proc.returncode == 0, err
    return out


def _serve(data: Path, port: int | None = None) -> subprocess.CompletedProcess[str] | str:
    cmd = [sys.executable, "-m", "skywitness", "serve", "--data-dir", str(data)]
    cmd += ["--source", f"beast+listen://127.0.0.1:{_free_port()}"]
    if port is not None:  # a busy port: the command fails
        cmd += ["--port", str(port)]
        return subprocess.run(cmd, capture_output=True, text=True, timeout=120)
    return _run_until_serving([*cmd, "--port", str(_free_port())])


def _serve_cycle(data: Path, expected: list[dict[str, Any]]) -> None:
    """start/stop, restart, a start on a busy port: the stored flights do not change."""
    for _ in range(2):
        assert "stopped; store flushed" in str(_serve(data))
        assert _rows(data) == expected
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        failed = _serve(data, port=busy.getsockname()[1])
    assert isinstance(failed, subprocess.CompletedProcess) and failed.returncode == 1
    assert "cannot listen on 127.0.0.1" in failed.stderr
    assert _rows(data) == expected


@pytest.fixture(scope="module")
def caracas_capture(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("caracas") / "caracas.jsonl"
    write_capture(simulate(load_builtin("caracas")), str(path))
    return path


def test_caracas_serve_keeps_the_flights_of_flights_rebuild(
    caracas_capture: Path, tmp_path: Path
) -> None:
    data = tmp_path / "cc"
    store = open_history(data)
    try:
        ingest(store, [str(caracas_capture)], RunOptions())
    finally:
        store.close()
    bulk = _rows(data)
    assert len(bulk) == CARACAS_FLIGHTS
    rff = [r for r in bulk if str(r["callsign"]).startswith("RFF")]
    assert sorted((r["estDepartureAirport"], r["estArrivalAirport"]) for r in rff) == [
        ("UUMU", "SVMI"),
        ("UUWW", "SVMI"),
    ]
    _serve_cycle(data, bulk)
    assert _rebuilt(data) == bulk


def test_quickstart_serve_keeps_the_flights_of_flights_rebuild(
    shared_data: Path, tmp_path: Path
) -> None:
    data = tmp_path / "qs"
    quickstart = shared_data / "traffic-trajectories" / "collections" / "quickstart.json.gz"
    states = load_traffic_json(quickstart)
    with Store(data) as st:
        ingest_tables(st, [states], Provenance("quickstart.json.gz", None, "traffic"))
        rebuild_flights(st)
    bulk = _rows(data)
    assert len(bulk) == QUICKSTART_FLIGHTS
    _serve_cycle(data, bulk)
    assert _rebuilt(data) == bulk


def test_demo_without_once_stores_the_flights_of_flights_rebuild(tmp_path: Path) -> None:
    data = tmp_path / "demo"
    cmd = [sys.executable, "-m", "skywitness", "demo", "--data-dir", str(data)]
    _run_until_serving([*cmd, "--port", str(_free_port())])
    stored = _rows(data)
    assert len(stored) == CARACAS_FLIGHTS
    assert _rebuilt(data) == stored
    # the rule's two alerts (the two RFF arrivals) each name a stored flight
    with Store(data, read_only=True) as st:
        alerts = list_alerts(st.connection)
    ids = {str(r["flight_id"]) for r in stored}
    assert sorted(a.callsign for a in alerts) == ["RFF7073", "RFF8322"]
    assert all(a.flight_id in ids for a in alerts)
