"""Live transports against local servers started here (127.0.0.1 only)."""

from __future__ import annotations

import json
import socket
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, HTTPServer
from pathlib import Path
from typing import ClassVar

import numpy as np
import pytest

from skywitness.model import FrameBatch, Observations
from skywitness.sources import open_source
from skywitness.sources.beast import encode_beast, frame_beast
from skywitness.sources.live import ListenSource
from skywitness.stats import IngestStats

CAPTURE = "beastblackbox-example/ulss7-beast-bin-utc--1522782148.136310917--.log"
DATA = Path(__file__).resolve().parents[1] / "data"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _collect(
    src: Iterator[FrameBatch], want: int, stop: threading.Event, limit_s: float
) -> list[FrameBatch]:
    watchdog = threading.Timer(limit_s, stop.set)  # a live source only ends when told to
    watchdog.start()
    got, n = [], 0
    for b in src:
        got.append(b)
        n += len(b)
        if n >= want:
            break
    stop.set()
    watchdog.cancel()
    return got


def test_tcp_reconnect_resets_the_parser_and_counts_the_cut_frame(shared_data: Path) -> None:
    """Defect 6: a new connection is a new byte stream. The frame the first connection cut is
    dropped and counted TRUNCATED; the second connection's leading half-frame is garbage
    outside any frame (BAD_ESCAPE), never glued to the first half."""
    raw = (shared_data / CAPTURE).read_bytes()
    cut = len(raw) // 2 + 7  # mid-frame on purpose
    srv = socket.create_server(("127.0.0.1", 0))
    port = srv.getsockname()[1]
    connections = []

    def serve() -> None:
        for k, part in enumerate((raw[:cut], raw[cut:])):
            conn, _ = srv.accept()
            connections.append(conn)
            conn.sendall(part)
            if k == 0:
                conn.close()  # drop midway
        # keep the second connection open: a live feed does not end

    t = threading.Thread(target=serve, daemon=True)
    t.start()
    stop = threading.Event()
    stats = IngestStats()
    src = open_source(f"beast+tcp://127.0.0.1:{port}", stats=stats, stop=stop)
    assert src.live and src.format == "beast"
    got = FrameBatch.concat(_collect(iter(src), 13953, stop, 20.0))  # type: ignore[arg-type]
    first, second = frame_beast(raw[:cut], final=True), frame_beast(raw[cut:], final=True)
    assert len(first) + len(second) == 13953 == len(got)
    assert np.array_equal(got.data, np.concatenate([first.data, second.data]))
    assert np.array_equal(got.ticks, np.concatenate([first.ticks, second.ticks]))
    assert len(connections) == 2
    assert dict(stats.rejected) == {"truncated": 1, "bad_escape": 1}
    assert src.link.connects == 2 and src.link.reconnects == 1
    # live clock: anchored on arrival time
    assert abs(got.timestamp[0] - time.time()) < 60
    srv.close()


def test_tcp_unreachable_then_stop_promptly() -> None:
    stop = threading.Event()
    src = open_source(f"beast+tcp://127.0.0.1:{_free_port()}", stop=stop)
    threading.Timer(0.3, stop.set).start()
    t0 = time.monotonic()
    assert list(src) == []
    assert time.monotonic() - t0 < 2.0


def test_listen_accepts_several_clients() -> None:
    port = _free_port()
    stop = threading.Event()
    src = open_source(f"beast+listen://127.0.0.1:{port}", stop=stop)
    assert isinstance(src, ListenSource)
    frame = bytes.fromhex("8d4840d6202cc371c32ce0576098")
    feeds = [
        encode_beast([frame] * 3, ticks=[12_000_000, 24_000_000, 36_000_000], receiver=0xAB),
        encode_beast([frame] * 2, ticks=[5, 6]),
    ]

    def push() -> None:
        src.bound.wait(5)
        for data in feeds:
            with socket.create_connection(("127.0.0.1", port)) as c:
                c.sendall(data[:7])
                time.sleep(0.05)
                c.sendall(data[7:])

    threading.Thread(target=push, daemon=True).start()
    got = FrameBatch.concat(_collect(iter(src), 5, stop, 10.0))  # type: ignore[arg-type]
    assert len(got) == 5
    assert sorted(got.receiver.tolist()) == [2, 2, 0xAB, 0xAB, 0xAB]  # own id, else conn. no.
    assert src.position() == sum(len(f) for f in feeds)


class _Handler(BaseHTTPRequestHandler):
    docs: ClassVar[list[bytes]] = []
    hits: ClassVar[list[str]] = []
    token_posts: ClassVar[list[bytes]] = []

    def do_GET(self) -> None:
        type(self).hits.append(self.headers.get("Authorization", ""))
        i = min(len(self.hits) - 1, len(self.docs) - 1)
        if self.path.endswith("fail") or (len(self.hits) == 2 and self.path.endswith("flaky")):
            self.send_response(503)
            self.end_headers()
            return
        body = self.docs[i]
        self.send_response(200)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def do_POST(self) -> None:
        n = int(self.headers.get("Content-Length", "0"))
        type(self).token_posts.append(self.rfile.read(n))
        body = json.dumps({"access_token": "tok123", "expires_in": 1800}).encode()
        self.send_response(200)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def http_server() -> Iterator[tuple[int, type[_Handler]]]:
    handler = type("H", (_Handler,), {"docs": [], "hits": [], "token_posts": []})
    srv = HTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=srv.serve_forever, daemon=True).start()
    yield srv.server_address[1], handler
    srv.shutdown()


def test_readsb_poll_passes_only_changes(http_server: tuple[int, type[_Handler]]) -> None:
    port, h = http_server
    doc = (DATA / "aircraft.json").read_bytes()
    h.docs = [
        doc,
        doc.replace(b"1720248189.5", b"1720248190.5"),
        doc.replace(b'"gs":452.3', b'"gs":460'),
    ]
    stop = threading.Event()
    src = open_source(f"readsb+http://127.0.0.1:{port}/data/flaky", stop=stop, poll_interval_s=0.05)
    threading.Timer(15.0, stop.set).start()  # watchdog: never hang the suite
    got: list[Observations] = []
    for o in src:
        got.append(o)  # type: ignore[arg-type]
        if sum(len(x) for x in got) >= 5:
            stop.set()
    assert [len(o) for o in got] == [4, 1]  # the 2nd poll failed (503), the 3rd changed one
    assert got[1].groundspeed[0] == 460.0
    assert len(h.hits) >= 3


def test_opensky_poll_with_oauth(
    http_server: tuple[int, type[_Handler]], monkeypatch: pytest.MonkeyPatch
) -> None:
    port, h = http_server
    h.docs = [(DATA / "opensky_states.json").read_bytes()]
    monkeypatch.setenv("OPENSKY_CLIENT_ID", "me")
    monkeypatch.setenv("OPENSKY_CLIENT_SECRET", "secret")
    stop = threading.Event()
    src = open_source(
        f"opensky+http://127.0.0.1:{port}/api/states/all",
        stop=stop,
        token_url=f"http://127.0.0.1:{port}/token",
    )
    threading.Timer(15.0, stop.set).start()  # watchdog: never hang the suite
    first = next(iter(src))
    stop.set()
    assert len(first) == 3
    assert h.hits[0] == "Bearer tok123"
    assert b"grant_type=client_credentials" in h.token_posts[0]
    assert b"client_id=me" in h.token_posts[0]
