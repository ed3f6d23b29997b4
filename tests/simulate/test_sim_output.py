"""Beast and JSON-lines captures, the Beast server, pacing and the ``simulate`` command."""

from __future__ import annotations

import argparse
import json
import socket
import threading
import time
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from skywitness.cli import simulate_cmd
from skywitness.errors import SkywitnessError
from skywitness.model import FrameBatch
from skywitness.simulate import Scenario, beast_bytes, jsonl_text, simulate, write_capture
from skywitness.simulate.serve import BeastServer, serve_beast
from skywitness.simulate.writers import CaptureSummary, signal_byte
from skywitness.sources.beast import frame_beast

from .conftest import SHORT_TOML, Run


def parse_beast(buf: bytes) -> list[tuple[int, int, int, bytes]]:
    """Minimal private Beast reader: (type, ticks, signal byte, payload) per frame."""
    sizes = {0x31: 2, 0x32: 7, 0x33: 14}
    out = []
    i = 0
    while i < len(buf):
        assert buf[i] == 0x1A, f"no frame start at {i}"
        kind = buf[i + 1]
        i += 2
        body = bytearray()
        while len(body) < 7 + sizes[kind]:
            b = buf[i]
            if b == 0x1A:
                assert buf[i + 1] == 0x1A, f"lone 0x1a inside a frame at {i}"
                i += 1
            body.append(b)
            i += 1
        out.append((kind, int.from_bytes(body[:6], "big"), body[6], bytes(body[7:])))
    return out


def _batch(payloads: list[bytes], ticks: list[int], signal: list[float]) -> FrameBatch:
    b = FrameBatch.from_hex([p.hex() for p in payloads], np.arange(len(payloads), dtype=float))
    b.ticks = np.array(ticks, dtype=np.uint64)
    b.signal = np.array(signal, dtype=np.float32)
    return b


def test_beast_escapes_and_reads_back() -> None:
    payloads = [bytes.fromhex("1a1a1a1a1a1a1a"), bytes.fromhex("8d1a" + "00" * 12), b"\x1a\x00"]
    ticks = [0x1A1A1A1A1A1A, 1, 0x00001A000000]
    b = _batch(payloads, ticks, [-1.0, -20.0, float("nan")])
    raw = beast_bytes(b)
    assert raw.startswith(b"\x1a\x32" + b"\x1a\x1a" * 6)
    got = parse_beast(raw)
    assert [g[0] for g in got] == [0x32, 0x33, 0x31]
    assert [g[1] for g in got] == ticks
    assert [g[2] for g in got] == [227, 26, 0]
    assert [g[3] for g in got] == payloads
    assert beast_bytes(FrameBatch.empty()) == b""


@settings(max_examples=60, deadline=None)
@given(
    st.lists(
        st.tuples(
            st.sampled_from([2, 7, 14]).flatmap(lambda n: st.binary(min_size=n, max_size=n)),
            st.integers(0, (1 << 48) - 1),
            st.floats(-60.0, 5.0),
        ),
        min_size=1,
        max_size=30,
    )
)
def test_beast_round_trip_property(frames: list[tuple[bytes, int, float]]) -> None:
    b = _batch([f[0] for f in frames], [f[1] for f in frames], [f[2] for f in frames])
    got = parse_beast(beast_bytes(b))
    assert [(g[1], g[3]) for g in got] == [(f[1], f[0]) for f in frames]
    assert [g[2] for g in got] == signal_byte(b.signal).tolist()


def test_simulated_capture_in_beast_and_jsonl(short_run: Run, tmp_path: Path) -> None:
    frames = short_run.frames
    raw = beast_bytes(frames)
    got = parse_beast(raw)
    assert len(got) == len(frames)
    assert all(g[3] == bytes(frames.data[i, : frames.length[i]]) for i, g in enumerate(got))
    assert np.array_equal([g[1] for g in got], frames.ticks)
    # the sources helper's framer reads the same frames back
    theirs = frame_beast(raw, final=True)
    assert len(theirs) == len(frames) and not theirs.rejects
    assert np.array_equal(theirs.data, frames.data) and np.array_equal(theirs.ticks, frames.ticks)
    # ticks: 12 MHz from the scenario start
    expected = np.rint((frames.timestamp - short_run.scenario.start) * 12e6)
    assert np.array_equal(frames.ticks, expected.astype(np.uint64))

    lines = jsonl_text(frames.take(np.arange(3))).splitlines()
    first = json.loads(lines[0])
    assert set(first) == {"timestamp", "frame"}
    assert first["frame"] == frames.hex(0)
    assert first["timestamp"] == round(float(frames.timestamp[0]), 6)

    out = tmp_path / "cap.bin"
    summary = write_capture([frames], str(out))
    assert out.read_bytes() == raw and summary.frames == len(frames)
    assert summary.first == frames.timestamp[0] and summary.last == frames.timestamp[-1]
    assert not (tmp_path / "cap.bin.partial").exists()
    with pytest.raises(SkywitnessError, match="unknown capture extension"):
        write_capture([frames], str(tmp_path / "cap.txt"))


def test_paced_replay_keeps_time(short_scenario: Scenario) -> None:
    clock = [1000.0]
    slept: list[float] = []

    def sleep(s: float) -> None:
        slept.append(s)
        clock[0] += s

    flat = FrameBatch.concat(list(simulate(short_scenario)))
    paced = list(simulate(short_scenario, speed=50.0, clock=lambda: clock[0], sleep=sleep))
    joined = FrameBatch.concat(paced)
    assert np.array_equal(joined.data, flat.data) and np.array_equal(joined.ticks, flat.ticks)
    span = flat.timestamp[-1] - flat.timestamp[0]
    assert clock[0] - 1000.0 == pytest.approx(span / 50.0, abs=1e-6)
    # each paced batch holds at most 0.1 s of real time (5 s of scenario at 50x)
    assert max(float(b.timestamp[-1] - b.timestamp[0]) for b in paced) < 5.0
    with pytest.raises(ValueError, match="speed"):
        next(simulate(short_scenario, speed=-1.0))


def _read_all(sock: socket.socket, out: bytearray) -> None:
    while chunk := sock.recv(65536):
        out += chunk


def test_beast_server_feeds_several_clients(short_run: Run) -> None:
    part = short_run.frames.take(np.arange(2000))
    with BeastServer("127.0.0.1", 0) as server:
        host, port = server.address
        assert host == "127.0.0.1"
        clients = [socket.create_connection((host, port)) for _ in range(2)]
        deadline = time.monotonic() + 5
        while server.clients < 2 and time.monotonic() < deadline:
            time.sleep(0.01)
        received = [bytearray(), bytearray()]
        readers = [
            threading.Thread(target=_read_all, args=(c, r))
            for c, r in zip(clients, received, strict=True)
        ]
        for r in readers:
            r.start()
        halves = [part.take(np.arange(1000)), part.take(np.arange(1000, 2000))]
        summary = serve_beast(halves, server)
        assert summary.frames == 2000
    for r in readers:
        r.join(timeout=5)
    for c in clients:
        c.close()
    assert bytes(received[0]) == bytes(received[1]) == beast_bytes(part)


def _cli(*argv: str) -> int:
    parser = argparse.ArgumentParser()
    simulate_cmd.register(parser.add_subparsers())
    args = parser.parse_args(["simulate", *argv])
    return int(args.func(args))


def test_simulate_command(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], short_scenario: Scenario
) -> None:
    scenario = tmp_path / "short.toml"
    scenario.write_text(SHORT_TOML, encoding="utf-8")
    out = tmp_path / "short.jsonl"
    assert _cli(str(scenario), "-o", str(out)) == 0
    lines = out.read_text(encoding="utf-8").splitlines()
    err = capsys.readouterr().err
    assert "SIMULATED traffic, scenario 'short': 2 aircraft, 4 receivers" in err
    assert f"{len(lines):,} frames, 2020-01-01T00:04:" in err
    assert json.loads(lines[0])["frame"]
    assert _cli(str(scenario), "--quiet") == 0  # a dry run: made, counted, not kept
    assert capsys.readouterr().err == ""
    assert _cli(str(scenario)) == 0
    assert f"{len(lines):,} frames" in capsys.readouterr().err
    empty = simulate_cmd.summary_text(short_scenario, CaptureSummary(), "x")
    assert "no frames in coverage" in empty
    with pytest.raises(SkywitnessError, match="not both"):
        _cli(str(scenario), "-o", str(out), "--serve-beast", "0")
    with pytest.raises(SystemExit):
        _cli(str(scenario), "--speed", "-2")
