"""`serve` end to end: a Beast TCP source (a local server fed with simulated frames) that
disconnects half-way and comes back; the service keeps running, catches up, runs the watch
rules, and shuts down cleanly with everything stored. And the real command under SIGTERM."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import numpy as np

from skywitness.api.health import memory_stats
from skywitness.model import FrameBatch
from skywitness.runtime.service import Service, ServiceConfig
from skywitness.simulate import Scenario, simulate
from skywitness.simulate.serve import BeastServer
from skywitness.simulate.writers import beast_bytes
from skywitness.store import Store
from tests.api.conftest import SHORT_FRAMES, wait_for

RULES = """
[[rule]]
name = "landing-ulli"
event = "landing"
airport = "ULLI"

[[rule]]
name = "brazil-seen"
event = "seen"
registry_country = "BR"
"""


def chunks(fb: FrameBatch, size: int = 4096) -> Iterator[FrameBatch]:
    for i in range(0, len(fb), size):
        yield fb.take(np.arange(i, min(i + size, len(fb))))


def test_beast_source_reconnects_and_catches_up(scenario: Scenario, tmp_path: Path) -> None:
    frames = FrameBatch.concat(list(simulate(scenario)))
    n, half = len(frames), len(frames) // 2
    assert n == SHORT_FRAMES
    rules = tmp_path / "rules.toml"
    rules.write_text(RULES, encoding="utf-8")
    server = BeastServer("127.0.0.1", 0)
    port = server.address[1]
    cfg = ServiceConfig(
        sources=[f"beast+tcp://127.0.0.1:{port}"],
        data_dir=tmp_path / "data",
        rules=rules,
        live_clock="counter",  # the capture is served far faster than real time
    )
    svc = Service(cfg).start()
    try:
        wait_for(lambda: server.clients == 1)
        for c in chunks(frames.take(np.arange(half))):
            server.broadcast(beast_bytes(c))
        wait_for(lambda: svc.frames() == half)
        server.close()  # the feed goes away ...
        time.sleep(0.5)
        assert svc.tracker is not None and svc.tracker.failed is None
        server = BeastServer("127.0.0.1", port)  # ... and comes back on the same port
        wait_for(lambda: server.clients == 1)
        for c in chunks(frames.take(np.arange(half, n))):
            server.broadcast(beast_bytes(c))
        wait_for(lambda: svc.frames() == n)
        wait_for(lambda: svc.lag_s() == 0.0 and svc.inbox.empty())
        assert svc.rejects() == {}  # surface positions resolve at airports: none rejected
        assert svc.rules_loaded == 2
        mem = memory_stats(svc, None)  # what the watch remembers, counted for /api/stats
        assert (mem["watch_aircraft"] or 0) > 0 and mem["watch_cooldown_keys"] is not None
    finally:
        svc.stop()
        server.close()
    assert svc.wait_closed(0)
    alerts = sorted((a["rule"], a["icao24"], a["event"]) for a in svc.alerts)
    assert alerts == [("brazil-seen", "e48a1f", "seen"), ("landing-ulli", "151dc8", "landing")]
    with Store(tmp_path / "data", read_only=True) as st:
        (ingest,) = st.ingests()
        assert ingest.status == "done" and ingest.rows_read == n
        assert ingest.rows_stored == st.info()["rows"] > 6800
        flights = st.query_flights().to_pylist()
        assert sorted(f["estArrivalAirport"] for f in flights) == ["SBGL", "ULLI"]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


SERVE = """
import argparse, sys
from skywitness.cli import serve_cmd
p = argparse.ArgumentParser(); sub = p.add_subparsers()
serve_cmd.register(sub)
args = p.parse_args(sys.argv[1:])
sys.exit(args.func(args))
"""


def test_serve_command_stops_cleanly_on_sigterm(capture: Path, tmp_path: Path) -> None:
    port = _free_port()
    cmd = [sys.executable, "-c", SERVE, "serve", "--source", str(capture)]
    cmd += ["--data-dir", str(tmp_path / "data"), "--port", str(port)]
    env = {**os.environ, "SKYWITNESS_TOKEN": "t"}
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env)
    try:
        deadline = time.monotonic() + 60
        frames = 0
        while frames < SHORT_FRAMES and time.monotonic() < deadline:
            try:
                frames = httpx.get(f"http://127.0.0.1:{port}/api/stats").json()["frames"]
            except httpx.HTTPError:
                time.sleep(0.2)
        assert frames == SHORT_FRAMES
        page = httpx.get(f"http://127.0.0.1:{port}/")
        assert page.status_code == 200
        # an open /api/stream (a browser) must not hold the stop up: its response ends
        ended = threading.Event()

        def listen() -> None:
            with httpx.stream("GET", f"http://127.0.0.1:{port}/api/stream", timeout=60) as r:
                for _ in r.iter_lines():
                    pass
            ended.set()

        threading.Thread(target=listen, daemon=True).start()
        time.sleep(0.5)
        t0 = time.monotonic()
        proc.send_signal(signal.SIGTERM)
        out, err = proc.communicate(timeout=60)
        assert time.monotonic() - t0 < 20.0 and ended.wait(5.0)
    finally:
        proc.kill()
    assert proc.returncode == 0, err.decode()
    assert b"stopped; store flushed" in out
    with Store(tmp_path / "data", read_only=True) as st:
        (ingest,) = st.ingests()
        assert ingest.status == "done" and ingest.rows_read == SHORT_FRAMES
        assert st.query_flights().num_rows == 2


def test_bad_rules_file_stops_start(tmp_path: Path) -> None:
    from skywitness.errors import SkywitnessError

    rules = tmp_path / "rules.toml"
    rules.write_text('[[rule]]\nname = "x"\nevent = "seen"\nclasification = "military"\n')
    svc = Service(ServiceConfig(sources=[], data_dir=tmp_path / "data", rules=rules))
    try:
        svc.start()
    except SkywitnessError as exc:
        assert "line 4" in str(exc) and "clasification" in str(exc)
    else:
        raise AssertionError("a bad rules file must stop the service from starting")
    assert svc.wait_closed(0)  # what was started is closed again
    with Store(tmp_path / "data") as st:  # the store is not left locked
        assert st.ingests()[0].status == "done"


def _read_all(sock: socket.socket, idle_s: float = 1.0) -> bytes:
    sock.settimeout(idle_s)
    out = bytearray()
    while True:
        try:
            data = sock.recv(1 << 16)
        except TimeoutError:
            return bytes(out)
        if not data:
            return bytes(out)
        out += data


def test_beast_and_sbs_rebroadcast(scenario: Scenario, tmp_path: Path) -> None:
    from skywitness.sources.beast import frame_beast

    frames = FrameBatch.concat(list(simulate(scenario)))
    server = BeastServer("127.0.0.1", 0)
    beast_port, sbs_port = _free_port(), _free_port()
    cfg = ServiceConfig(
        sources=[f"beast+tcp://127.0.0.1:{server.address[1]}"],
        live_clock="counter",  # the capture is served far faster than real time
        beast_out=beast_port,
        sbs_out=sbs_port,
    )
    svc = Service(cfg).start()
    try:
        beast = socket.create_connection(("127.0.0.1", beast_port))
        sbs = socket.create_connection(("127.0.0.1", sbs_port))
        wait_for(lambda: svc.outputs.clients() == (1, 1) and server.clients == 1)
        part = frames.take(np.arange(5000))
        server.broadcast(beast_bytes(part))
        wait_for(lambda: svc.frames() == 5000)
        got_beast, got_sbs = _read_all(beast), _read_all(sbs)
        beast.close()
        sbs.close()
    finally:
        svc.stop()
        server.close()
    relayed = frame_beast(got_beast, final=True)
    assert len(relayed) == 5000  # every frame decoded cleanly, so every frame is passed on
    assert np.array_equal(relayed.data, part.data)
    lines = got_sbs.decode("ascii").splitlines()
    assert lines and all(line.startswith("MSG,") for line in lines)
    assert any(line.split(",")[4] == "151DC8" for line in lines)
    assert svc.outputs.dropped == 0
