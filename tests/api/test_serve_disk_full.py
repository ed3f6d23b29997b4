"""Defect 5: a full disk in ``serve`` killed the tracker thread (the writer's error was raised
into the tracker by ``append``). Now the store writer degrades: the live service goes on, says
so in ``/api/stats``, drops and counts what it cannot store, and stores again once it can.
The disk fills through a fault seam (the lake's Parquet writer raising ENOSPC), as any user."""

from __future__ import annotations

import errno
import time
from pathlib import Path
from typing import Any

import pytest

import skywitness.store.store as store_mod
from skywitness.api import create_app
from skywitness.runtime.service import Service, ServiceConfig
from skywitness.store.lake import write_atomic
from tests.api.conftest import call, wait_for


def test_disk_full_degrades_and_recovers(
    capture: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    real = write_atomic

    def full(*a: Any, **k: Any) -> int:
        raise OSError(errno.ENOSPC, "No space left on device", "lake/part.parquet")

    monkeypatch.setattr(store_mod, "write_atomic", full)
    svc = Service(ServiceConfig(sources=[str(capture)], data_dir=tmp_path / "data",
                                idle_expiry=False)).start()  # fmt: skip
    try:
        assert svc.wait_idle(120)
        app = create_app(svc)
        assert svc.writer is not None
        wait_for(lambda: svc.writer is not None and svc.writer.degraded is not None, 30)
        stats = call(app, "GET", "/api/stats").json()
        assert stats["tracker_ok"] is True
        assert "No space left on device" in stats["store"]["degraded"]
        assert stats["store"]["rows_not_stored"] > 0 and stats["store"]["rows"] == 0
        assert call(app, "GET", "/api/aircraft").json()["count"] > 0  # live still served
        # space is back: the next batch is stored and the degraded state ends by itself
        monkeypatch.setattr(store_mod, "write_atomic", real)
        svc.writer.retry_s = 0.0
        assert svc.tracker is not None and svc.tracker.failed is None
        svc.writer.append(_some_states())
        wait_for(lambda: svc.writer is not None and svc.writer.degraded is None, 30)
        assert svc.writer.rows_stored == 3
        stats = call(app, "GET", "/api/stats").json()
        assert stats["store"]["degraded"] is None and stats["store"]["rows"] == 3
    finally:
        svc.stop()
        assert svc.wait_closed(60)


def _some_states() -> Any:
    import pyarrow as pa

    from skywitness.store import STATE_SCHEMA

    t0 = int(time.time() * 1000)
    return pa.table(
        {
            "timestamp": pa.array([t0, t0 + 1000, t0 + 2000], pa.int64()).cast(
                STATE_SCHEMA.field("timestamp").type
            ),
            "icao24": ["4840d6"] * 3,
        }
    )
