"""Acceptance: ``track`` on a live Beast feed that drops midway reconnects and gets every frame.

A local TCP server (127.0.0.1) serves the real beastblackbox capture, closes the connection in
the middle of a frame, accepts the reconnection and sends the rest. Every frame must arrive, and
the same aircraft and positions come out as from the file.
"""

from __future__ import annotations

import socket
import threading
import time
from pathlib import Path

import pyarrow as pa

from skywitness.runtime.pipeline import RunOptions, track_tables
from skywitness.stats import IngestStats

CAPTURE = "beastblackbox-example/ulss7-beast-bin-utc--1522782148.136310917--.log"
FRAMES = 13954


def test_track_reconnects_and_gets_every_frame(shared_data: Path) -> None:
    raw = (shared_data / CAPTURE).read_bytes()
    cut = len(raw) // 3 + 5  # mid-frame on purpose
    server = socket.create_server(("127.0.0.1", 0))
    port = server.getsockname()[1]
    accepted: list[socket.socket] = []

    def serve() -> None:
        for k, part in enumerate((raw[:cut], raw[cut:])):
            conn, _ = server.accept()
            accepted.append(conn)
            conn.sendall(part)
            if k == 0:
                conn.close()  # the feed drops; the second connection stays open like a live one

    threading.Thread(target=serve, daemon=True).start()
    stop = threading.Event()
    stats = IngestStats()
    opts = RunOptions(rate_s=1, dedup=False, live_clock="counter")  # served at full speed
    tables: list[pa.Table] = []

    def run() -> None:
        spec = f"beast+tcp://127.0.0.1:{port}"
        tables.extend(track_tables([spec], opts, stats, stop=stop))

    worker = threading.Thread(target=run, daemon=True)
    worker.start()
    deadline = time.monotonic() + 30
    # the frame the first connection cut is dropped (truncated) and the second connection's
    # leading half-frame is garbage (bad_escape): 13,953 frames + 2 counted rejects
    while stats.frames < FRAMES + 1 and time.monotonic() < deadline:
        time.sleep(0.05)
    stop.set()
    worker.join(10)
    server.close()
    assert not worker.is_alive()
    assert len(accepted) == 2  # it reconnected
    assert stats.frames == FRAMES + 1
    assert stats.rejected["truncated"] == 1 and stats.rejected["bad_escape"] == 1
    # the 6 unknown-address replies dump1090 warns about too, and the two above
    assert stats.rejected_total == 8, stats.rejected

    # the same capture from the file: the same aircraft, the same resolved positions
    # (row times differ: a live Beast clock is anchored on arrival, a file's on its name)
    file_stats = IngestStats()
    from_file = pa.concat_tables(list(track_tables([str(shared_data / CAPTURE)], opts, file_stats)))
    live = pa.concat_tables(tables)
    assert stats.aircraft == file_stats.aircraft and len(stats.aircraft) == 11
    assert stats.positions == file_stats.positions > 1000
    assert set(live.column("icao24").to_pylist()) == set(from_file.column("icao24").to_pylist())
