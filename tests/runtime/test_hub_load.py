"""The stream's fan-out at 100,000 frames/s (#17 item 12): a client that keeps up gets every
message of a burst, and a client that falls behind loses superseded ``positions`` first."""

from __future__ import annotations

import asyncio
import json
from typing import Any

from skywitness.runtime import hub as hub_mod
from skywitness.runtime.hub import Hub, sse_text

#: Tracker events handed over at once at a start at 100,000 frames/s (the soak's first step
#: had ~17,000 aircraft, each ``seen`` and ``position``).
BURST = 35_000


async def _read_all(h: Hub, expect: int) -> list[str]:
    """Every text the client's stream gives until ``expect`` messages (no comments) came."""
    c = h.add()
    h.publish_many("aircraft", [{"kind": "seen", "icao24": f"{i:06x}"} for i in range(expect)])
    out: list[str] = []
    gen = h.batches(c)
    async for texts in gen:
        out += [t for t in texts if not t.startswith(":")]
        if len(out) >= expect or any(t.startswith("event: dropped") for t in texts):
            break
    await gen.aclose()
    return out


def test_a_burst_of_a_start_reaches_a_client_that_keeps_up_whole() -> None:
    """The soak at 100,000 frames/s: ~35,000 events of one tracker step were handed over at
    once, and the per-client bound of 1,000 messages dropped all but the newest 1,000 before
    the client could read any (it was told it missed 51,543 messages in 60 s)."""
    out = asyncio.run(_read_all(Hub(), BURST))
    assert not [t for t in out if t.startswith("event: dropped")]
    assert len(out) == BURST
    assert json.loads(out[0].split("data: ")[1])["icao24"] == "000000"
    assert json.loads(out[-1].split("data: ")[1])["icao24"] == f"{BURST - 1:06x}"


def test_over_the_byte_bound_superseded_positions_go_first(monkeypatch: Any) -> None:
    """A client behind by more than its byte bound: the oldest ``positions`` messages are
    dropped, every alert and tracker event is kept, in order, and the client is told."""
    monkeypatch.setattr(hub_mod, "CLIENT_QUEUE_BYTES", 5_000)
    pad = "x" * 900

    async def run() -> list[str]:
        h = Hub()
        c = h.add()
        for i in range(10):
            h.publish("positions", {"time": i, "aircraft": [], "pad": pad})
            h.publish("alert", {"id": f"a{i}"})
        await asyncio.sleep(0.05)
        out: list[str] = []
        gen = h.batches(c)
        async for texts in gen:
            out += [t for t in texts if not t.startswith(":")]
            if len(out) >= 1 + 10 + 1:
                break
        await gen.aclose()
        return out

    out = asyncio.run(run())
    assert out[0] == sse_text("dropped", {"count": 6})
    alerts = [t for t in out if t.startswith("event: alert")]
    assert alerts == [sse_text("alert", {"id": f"a{i}"}) for i in range(10)]
    kept = [json.loads(t.split("data: ")[1])["time"] for t in out if "positions" in t[:20]]
    assert kept == [6, 7, 8, 9]  # the newest positions; the order with the alerts is kept
    assert out.index(sse_text("alert", {"id": "a5"})) < out.index(
        next(t for t in out if '"time":6' in t)
    )


def test_the_newest_message_is_kept_even_when_alone_over_the_bound(monkeypatch: Any) -> None:
    monkeypatch.setattr(hub_mod, "CLIENT_QUEUE_BYTES", 10)

    async def run() -> list[str]:
        h = Hub()
        c = h.add()
        h.publish("alert", {"id": "first"})
        h.publish("positions", {"time": 1, "aircraft": []})
        await asyncio.sleep(0.05)
        gen = h.batches(c)
        out: list[str] = []
        async for texts in gen:
            out += [t for t in texts if not t.startswith(":")]
            if out:
                break
        await gen.aclose()
        return out

    out = asyncio.run(run())
    assert out == [
        sse_text("dropped", {"count": 1}),
        sse_text("positions", {"time": 1, "aircraft": []}),
    ]


def test_a_burst_of_flight_changes_is_paced_by_bytes_for_a_client_that_keeps_up(
    monkeypatch: Any,
) -> None:
    """The soak at 100,000 frames/s: when the input went quiet, ~18,000 flight changes were
    published at once; the pacing counted messages only (room for 250 of 1,000), so with the
    bound in bytes a client that kept up was told it missed 4,034. The flights worker now
    waits for room in bytes too."""
    import pyarrow as pa

    from skywitness.runtime.flight_steps import StepResult
    from skywitness.runtime.workers import FlightsWorker
    from skywitness.stats import IngestStats

    monkeypatch.setattr(hub_mod, "CLIENT_QUEUE_BYTES", 600_000)  # 2.5 chunks of 250
    texts = [sse_text("flight", {"flight_id": f"f{i}", "pad": "x" * 900}) for i in range(3000)]

    async def run() -> list[str]:
        h = Hub()
        c = h.add()
        loop = asyncio.get_running_loop()
        w = FlightsWorker(h, IngestStats())
        pub = loop.run_in_executor(None, w._pass_on, StepResult(pa.table({}), [], texts=texts))
        out: list[str] = []
        gen = h.batches(c)
        async for got in gen:
            out += [t for t in got if not t.startswith(":")]
            await asyncio.sleep(0.001)  # a client that reads as the messages come
            if len(out) >= len(texts) or any(t.startswith("event: dropped") for t in got):
                break
        await gen.aclose()
        await pub
        return out

    out = asyncio.run(run())
    assert not [t for t in out if t.startswith("event: dropped")]
    assert out == texts
