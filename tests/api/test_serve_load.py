"""#17 item 12, CI-sized: ``serve`` fed a paced Beast feed over TCP (the simulator, 3,000
frames/s from 600 aircraft for 15 s, as ``bench/serve.py stream`` does at 100,000 frames/s):
every frame is received, memory does not keep growing (RSS slope over the second half of the
run), the flights queue is drained at the end and no stream message is lost.
The long run is ``python bench/serve.py stream --rate 100000 --seconds 60`` (bench/RESULTS.md)."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import ModuleType

ROOT = Path(__file__).resolve().parents[2]
#: RSS growth over the second half of the run that counts as flat, MB/min (the run's noise:
#: arenas, the snapshot bodies; a leak of every state vector would be ~100 MB/min here).
FLAT_MB_PER_MIN = 60.0


def _bench() -> ModuleType:
    spec = importlib.util.spec_from_file_location("bench_serve", ROOT / "bench" / "serve.py")
    assert spec is not None and spec.loader is not None
    mod = importlib.util.module_from_spec(spec)
    sys.modules["bench_serve"] = mod
    spec.loader.exec_module(mod)
    return mod


def test_serve_under_a_paced_feed_keeps_memory_flat_and_flights_drained() -> None:
    out = _bench().bench_stream(3000, 15.0)
    assert out["exit_code"] == 0
    assert out["frames_received"] == out["frames_sent"] > 40_000
    assert out["rss_slope_second_half_mb_per_min"] < FLAT_MB_PER_MIN, out
    flights = out["flights_end"]
    assert flights["pending_rows"] == 0 and flights["dropped_rows"] == 0, flights
    assert flights["error"] is None and out["stream_dropped"] == 0, out
