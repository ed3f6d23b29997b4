"""A live TCP read takes whatever the socket holds, up to ``net.RECV_BYTES`` (a fast feed goes
through the parser in few large reads; a slow one's reads stay as small as what came), and a
large parsed batch is split into views of its arrays, not copies (bench/RESULTS.md "## serve")."""

from __future__ import annotations

import socket
import threading
from pathlib import Path

import numpy as np

from skywitness.model import FrameBatch
from skywitness.sources.link import CUT
from skywitness.sources.net import RECV_BYTES, tcp_chunks
from skywitness.sources.source import _split

CAPTURE = "beastblackbox-example/ulss7-beast-bin-utc--1522782148.136310917--.log"


def _reads(payload: bytes, pause: threading.Event | None = None) -> list[bytes]:
    """The chunks ``tcp_chunks`` yields for one connection that sends ``payload`` in one
    ``sendall`` (``pause``: then a one-byte send after the first read) and closes."""
    srv = socket.create_server(("127.0.0.1", 0))
    port = srv.getsockname()[1]
    stop = threading.Event()

    def serve() -> None:
        conn, _ = srv.accept()
        with conn:
            conn.sendall(payload)
            if pause is not None:
                pause.wait(10)
                conn.sendall(b"x")
        srv.close()

    threading.Thread(target=serve, daemon=True).start()
    got: list[bytes] = []
    for data, _ in tcp_chunks("127.0.0.1", port, stop):
        if data == CUT:
            stop.set()
            break
        got.append(data)
        if pause is not None:
            pause.set()
    return got


def test_a_burst_is_read_in_large_reads_and_nothing_is_lost(shared_data: Path) -> None:
    raw = (shared_data / CAPTURE).read_bytes()
    payload = raw * (3 * RECV_BYTES // len(raw) + 1)  # > 3 MB sent at once
    got = _reads(payload)
    assert b"".join(got) == payload
    assert max(len(g) for g in got) > 1 << 16  # more than the old fixed 64 KB read
    assert max(len(g) for g in got) <= RECV_BYTES


def test_a_small_send_is_handed_on_as_it_came() -> None:
    got = _reads(b"\x1a\x31" + bytes(9), pause=threading.Event())
    assert got == [b"\x1a\x31" + bytes(9), b"x"]  # not held back to fill a large read


def test_a_large_batch_is_split_into_views() -> None:
    n = 20_000
    b = FrameBatch.from_hex(["8D40621D58C382D690C8AC2863A7"] * n, np.arange(n, dtype=np.float64))
    parts = [p for p in _split(b, 8192) if isinstance(p, FrameBatch)]
    assert [len(p) for p in parts] == [8192, 8192, n - 2 * 8192]
    assert all(np.shares_memory(p.data, b.data) for p in parts)
    whole = FrameBatch.concat(parts)
    for name in ("timestamp", "data", "length", "signal", "ticks", "receiver"):
        assert np.array_equal(getattr(whole, name), getattr(b, name), equal_nan=True)
