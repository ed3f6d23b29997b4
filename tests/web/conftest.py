"""Fixtures for the web UI tests: a live service fed by the simulator, served over HTTP on
localhost by uvicorn, and a headless Debian Chromium driven by Playwright.

The scenario is small and inline: three aircraft around Moscow, cut 50 minutes in, so two are
airborne (live, with stored tracks) and one short hop has already landed (a finished flight).
"""

from __future__ import annotations

import contextlib
import socket
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import duckdb
import numpy as np
import pytest
import uvicorn

from skywitness.api.app import create_app
from skywitness.model import FrameBatch
from skywitness.runtime.service import Service, ServiceConfig
from skywitness.simulate import parse_scenario, simulate
from skywitness.simulate.writers import write_capture
from tests.fixtures import chromium

SCENARIO_TOML = """
name = "web"
description = "Simulated traffic for the browser test"
label = "simulated"
start = 2020-01-01T00:00:00Z
seed = 11

[[receivers]]
name = "sheremetyevo"
lat = 55.97
lon = 37.41
radius_nm = 250
altitude_ft = 600

[[aircraft]]
icao24 = "1551e0"
registration = "RA-86496"
type = "IL62"
callsign = "RFF7073"
category = "A5"
squawk = "4312"
cruise_altitude_ft = 33000
cruise_speed_kt = 440
route = [
    { airport = "UUEE", depart = 2020-01-01T00:10:00Z },
    { airport = "ULLI" },
]

[[aircraft]]
icao24 = "151dc8"
registration = "RA-73160"
type = "A321"
callsign = "AFL36"
category = "A3"
squawk = "2312"
cruise_altitude_ft = 33000
cruise_speed_kt = 440
route = [
    { airport = "UUWW", depart = 2020-01-01T00:15:00Z },
    { airport = "URSS" },
]

[[aircraft]]
icao24 = "4b1812"
registration = "HB-JCA"
type = "BCS3"
callsign = "SWR1325"
category = "A3"
squawk = "5521"
cruise_altitude_ft = 12000
cruise_speed_kt = 300
route = [
    { airport = "UUDD", depart = 2020-01-01T00:05:00Z },
    { airport = "UUEE" },
]
"""
#: Frames after this are dropped (unix s, 2020-01-01T00:50:00Z): two aircraft still airborne.
CUT_UNIX_S = 1577839800.0


@dataclass
class LiveSite:
    url: str
    service: Service


def _stored_flights(service: Service) -> int:
    # through the API's read cursor: the store's own connection belongs to its writer threads
    con = service.read_connection()
    assert con is not None
    with service.read_lock:
        try:
            return int(con.execute("SELECT count(*) FROM flights").fetchall()[0][0])
        except duckdb.Error:  # no flights table before the first flights step
            return 0


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def write_web_capture(path: Path, shift_s: float = 0.0) -> None:
    """The scenario's frames up to ``CUT_UNIX_S`` as a JSON-lines capture, their times moved
    by ``shift_s`` (a live-looking feed ends now)."""
    scenario = parse_scenario(SCENARIO_TOML, "web.toml")

    def batches() -> Iterator[FrameBatch]:
        for b in simulate(scenario):
            b = b.take(np.flatnonzero(b.timestamp < CUT_UNIX_S))
            b.timestamp += shift_s
            yield b

    write_capture(batches(), str(path))


@contextlib.contextmanager
def serve_site(config: ServiceConfig) -> Iterator[LiveSite]:
    """A service reading its capture, then served over HTTP once the capture is tracked and
    its finished flights stored; stopped on exit."""
    service = Service(config).start()
    server: uvicorn.Server | None = None
    thread: threading.Thread | None = None
    try:
        assert service.wait_idle(60.0), "the service did not finish reading the capture"
        deadline = time.monotonic() + 20.0
        while service.snapshot.count < 2 and time.monotonic() < deadline:
            time.sleep(0.1)
        # the panel lists stored flights: the first flights step (every 2 s) has stored them
        while _stored_flights(service) < 3 and time.monotonic() < deadline:
            time.sleep(0.1)
        port = _free_port()
        uv_config = uvicorn.Config(
            create_app(service), host="127.0.0.1", port=port, log_level="warning", lifespan="off"
        )
        server = uvicorn.Server(uv_config)
        thread = threading.Thread(target=server.run, name="web-test-uvicorn", daemon=True)
        thread.start()
        deadline = time.monotonic() + 20.0
        while not server.started and time.monotonic() < deadline:
            time.sleep(0.05)
        assert server.started, "uvicorn did not start"
        yield LiveSite(f"http://127.0.0.1:{port}", service)
    finally:
        if server is not None:
            # SSE responses stay open: let uvicorn cut them instead of waiting for them.
            server.should_exit = True
            server.force_exit = True
        if thread is not None:
            thread.join(timeout=15.0)
        service.stop()


@pytest.fixture(scope="session")
def live_site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveSite]:
    root = tmp_path_factory.mktemp("web")
    capture = root / "capture.jsonl"
    write_web_capture(capture)
    with serve_site(ServiceConfig(sources=[str(capture)], data_dir=root / "data")) as site:
        yield site


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    with chromium() as b:
        yield b
