"""``/api/stats`` ``memory``: each allocator's figure moves with what it holds."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

import duckdb
import numpy as np
import pyarrow as pa

from skywitness.runtime import memory, snapshots
from skywitness.runtime.live import IdentityCache
from skywitness.runtime.live_cols import LiveColumns
from skywitness.runtime.memory import memory_figures, trim_heap
from skywitness.runtime.snapshots import SnapshotWorker


def _freed_heap() -> bytes:
    """~96 MB of 1 kB blocks from ``malloc``, every one freed but the last: the freed memory
    (one free chunk, resident, below a block still held) is what glibc hands out next, as
    after the tests that ran before this one in the same process."""
    blocks = [bytes(1000) + bytes([i % 256]) for i in range(96_000)]
    return blocks[-1]


def test_each_figure_follows_its_allocator() -> None:
    con = duckdb.connect()
    kept = _freed_heap()
    # the heap's free pages back to the kernel first: memory reused from them is resident
    # already, and the RSS would not follow what is allocated (after tests/track it grew
    # 14 MB for the 64 MB below)
    trim_heap()
    before = memory_figures(con)
    assert set(before) == {"rss_mb", "arrow_mb", "duckdb_mb", "heap_used_mb", "heap_free_mb",
                           "python_blocks"}  # fmt: skip
    held_np = np.ones(64 * 2**20 // 8)  # 64 MB from malloc (numpy)
    held_pa = pa.allocate_buffer(32 * 2**20)  # 32 MB from Arrow's pool
    con.execute("CREATE TABLE t AS SELECT range AS x FROM range(4000000)")
    after = memory_figures(con)
    for k in ("rss_mb", "heap_used_mb", "arrow_mb", "duckdb_mb"):
        assert isinstance(after[k], float), k
    assert after["heap_used_mb"] - before["heap_used_mb"] >= 63  # type: ignore[operator]
    assert after["arrow_mb"] - (before["arrow_mb"] or 0.0) >= 31.9  # type: ignore[operator]
    assert after["duckdb_mb"] > before["duckdb_mb"]  # type: ignore[operator]
    assert after["rss_mb"] - before["rss_mb"] >= 60  # type: ignore[operator]
    del held_np, held_pa
    assert memory_figures(None)["duckdb_mb"] is None
    assert len(kept) == 1001


def _fragment() -> list[bytes]:
    """~96 MB of 1 kB blocks from ``malloc``, then every block but one in 16 freed: the freed
    memory lies between blocks still held, where glibc keeps it."""
    blocks = [bytes(1000) + bytes([i % 256]) for i in range(96_000)]
    return blocks[::16]


def test_a_trim_hands_freed_heap_back_to_the_kernel() -> None:
    kept = _fragment()
    before = memory_figures(None)
    assert before["heap_free_mb"] >= 60  # type: ignore[operator]
    assert trim_heap()
    after = memory_figures(None)
    assert before["rss_mb"] - after["rss_mb"] >= 50, (before, after)  # type: ignore[operator]
    assert len(kept) == 6000


def _counting(calls: list[int]) -> Callable[[], bool]:
    """A ``trim_heap`` that notes each call in ``calls``."""

    def trim() -> bool:
        calls.append(1)
        return True

    return trim


def test_the_snapshot_worker_trims_the_heap_every_trim_s(monkeypatch: Any) -> None:
    """The soak at 100,000 frames/s: serve's freed-but-kept C heap grew 10 -> 136 MB in a
    minute; the snapshot worker now trims it every ``TRIM_S`` (on a clock of our own here, so
    the count does not depend on how the box schedules the test)."""
    calls: list[int] = []
    monkeypatch.setattr(memory, "trim_heap", _counting(calls))
    clock = [1000.0]
    monkeypatch.setattr("skywitness.runtime.snapshots.time.monotonic", lambda: clock[0])
    w = SnapshotWorker(IdentityCache(None), lambda: 0)
    for _ in range(40):  # 40 looks 0.5 s apart: 20 s, two TRIM_S
        clock[0] += 0.5
        w.maybe_trim()
    # (calls may also come from another test's worker thread still running: >=)
    assert w.trims == 2 and len(calls) >= 2


def test_the_snapshot_worker_thread_trims(monkeypatch: Any) -> None:
    """The worker's own loop calls the trim (``TRIM_S`` 0: every pass trims)."""
    calls: list[int] = []
    monkeypatch.setattr(memory, "trim_heap", _counting(calls))
    monkeypatch.setattr(snapshots, "TRIM_S", 0.0)
    w = SnapshotWorker(IdentityCache(None), lambda: 0)
    w.start()
    try:
        deadline = time.monotonic() + 30.0
        while w.trims == 0 and time.monotonic() < deadline:
            w.offer(LiveColumns.empty(), time.time())
            time.sleep(0.02)
    finally:
        w.stop()
    # the worker counts a trim after making it (and may make one more while stopping)
    assert 1 <= w.trims <= len(calls)
