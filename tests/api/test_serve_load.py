"""#17 item 12, CI-sized: ``serve`` fed a paced Beast feed over TCP (the simulator, 3,000
frames/s from 600 aircraft for 20 s, as ``bench/serve.py stream`` does at 100,000 frames/s):
every frame is received, memory does not keep growing, the flights queue is drained at the end
and no stream message is lost.

Memory is judged per process while the feed runs, once both processes have settled and after
the feed's first seconds (``bench/serve.py``: ``settle``, ``FEED_WARMUP_S``, ``rss_figures``).
A slope of the sum over the second half of the run measured the flights child's start (its
imports, 70 MB, done in the second half on a busy 2-core machine: 167 MB/min in CI) and the
first data-time window's step (16 MB in the child, 5 MB in serve), all one-off; the slopes
are taken over the longer part of the feed before or after that step.

What a leak gives at this rate (~550 state vectors/s, 3,000 frames/s): a Python dict kept per
state vector (~990 bytes) 33 MB/min, a decoded message kept per frame (~1 KB) 180 MB/min, a raw
frame kept per frame (~55 bytes) 10 MB/min, an Arrow row per state vector (~122 bytes)
4 MB/min. The bar, ``FLAT_MB_PER_MIN``, catches what is kept per frame as Python objects; the
smaller leaks show in the long run, ``python bench/serve.py stream --rate 100000 --seconds 60``
(bench/RESULTS.md: 33 times the rate; an Arrow row per state vector there is ~140 MB/min)."""

from __future__ import annotations

import asyncio
import importlib.util
import sys
from pathlib import Path
from types import ModuleType
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
#: RSS growth of each process while the feed runs that counts as flat, MB/min. The noise (runs
#: on a loaded 2-core machine: up to 28): the allocators grow in steps of 1-4 MB (one step in
#: the 16 s measured reads up to 20 MB/min); the child's data-time windows hold up to 65 s of
#: state vectors by design (~8 MB/min here, ~150 bytes each).
FLAT_MB_PER_MIN = 40.0


def _bench() -> ModuleType:
    spec = importlib.util.spec_from_file_location("bench_serve", ROOT / "bench" / "serve.py")
    assert spec is not None and spec.loader is not None
    mod = importlib.util.module_from_spec(spec)
    sys.modules["bench_serve"] = mod
    spec.loader.exec_module(mod)
    return mod


def test_serve_under_a_paced_feed_keeps_memory_flat_and_flights_drained() -> None:
    out = _bench().bench_stream(3000, 20.0)
    assert out["exit_code"] == 0
    assert out["frames_received"] == out["frames_sent"] > 55_000
    assert out["rss_feed_samples"] >= 25 and out["rss_slope_samples"] >= 10, out
    assert out["rss_serve_feed_slope_mb_per_min"] < FLAT_MB_PER_MIN, out
    assert out["rss_flights_feed_slope_mb_per_min"] < FLAT_MB_PER_MIN, out
    flights = out["flights_end"]
    assert flights["pending_rows"] == 0 and flights["dropped_rows"] == 0, flights
    assert flights["error"] is None and out["stream_dropped"] == 0, out


def test_a_slow_stream_client_holds_a_bounded_number_of_bytes(monkeypatch: Any) -> None:
    """At 100,000 frames/s a ``positions`` message is ~1 MB: a client that reads slowly held
    1,000 of them (the RSS of #17 item 12). The queue is bounded in bytes too."""
    from skywitness.runtime import hub as hub_mod

    big = "x" * 1000
    monkeypatch.setattr(hub_mod, "CLIENT_QUEUE_BYTES", 3500)

    async def run() -> tuple[int, int, list[str]]:
        h = hub_mod.Hub()
        c = h.add()
        for i in range(10):
            h.publish("p", {"i": i, "pad": big})
        await asyncio.sleep(0.05)
        held, nbytes = c.qsize(), c.bytes
        out: list[str] = []
        gen = h.batches(c)
        async for texts in gen:
            out += texts
            if len(out) >= 2 + held:  # connected, dropped notice, what was held
                break
        await gen.aclose()
        return held, nbytes, out

    held, nbytes, out = asyncio.run(run())
    assert held == 3 and nbytes <= 3500  # each message ~1,030 characters
    assert out[1] == 'event: dropped\ndata: {"count":7}\n\n'
    assert '"i":9' in out[-1]
