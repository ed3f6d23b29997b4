"""The serve fast paths of issue 5: SSE messages handed over and written in batches, snapshot
bodies serialised only when wanted, new aircraft identified within a time budget (classified
meanwhile)."""

from __future__ import annotations

import asyncio
import json

import numpy as np

from skywitness.runtime.hub import Hub
from skywitness.runtime.live import IDENTIFY_CHUNK, IdentityCache, build_snapshot
from skywitness.runtime.live_cols import LiveColumns


def test_publish_many_arrives_as_one_batch() -> None:
    async def run() -> list[list[str]]:
        h = Hub()
        c = h.add()
        h.publish_many("aircraft", [{"i": 0}, {"i": 1}, {"i": 2}])
        h.publish_many("aircraft", [])  # nothing to send: no message
        await asyncio.sleep(0.05)
        out = []
        gen = h.batches(c)
        async for texts in gen:
            out.append(texts)
            if len(out) == 2:
                break
        await gen.aclose()
        return out

    connected, batch = asyncio.run(run())
    assert connected == [": connected\n\n"]
    assert batch == [f'event: aircraft\ndata: {{"i":{i}}}\n\n' for i in range(3)]


def test_close_ends_every_stream_after_what_is_queued() -> None:
    async def run() -> tuple[list[list[str]], int]:
        h = Hub()
        c = h.add()
        h.publish("alert", {"n": 1})
        h.close()  # the service is stopping
        h.publish("alert", {"n": 2})  # after the end: not sent
        await asyncio.sleep(0.05)
        out = [texts async for texts in h.batches(c)]  # ends by itself
        return out, h.clients

    out, clients = asyncio.run(run())
    assert out == [[": connected\n\n"], ['event: alert\ndata: {"n":1}\n\n']]
    assert clients == 0


def _columns(hexes: list[str]) -> LiveColumns:
    e = LiveColumns.empty()
    n = len(hexes)
    f8 = np.full(n, np.nan)
    return LiveColumns(
        icao24=np.array(hexes), first_seen=np.zeros(n), last_seen=np.zeros(n),
        callsign=np.array([""] * n), latitude=f8, longitude=f8, position_time=f8,
        position_source=np.array([""] * n), altitude=f8, geoaltitude=f8, groundspeed=f8,
        track=f8, vertical_rate=f8, squawk=np.full(n, -1, dtype=np.int16),
        onground=np.full(n, -1, dtype=np.int8), source=np.array(["t"] * n),
        field_t={k: f8 for k in e.field_t}, field_k={k: np.zeros(n, np.uint8) for k in e.field_k},
        pos_k=np.zeros(n, np.uint8), messages=np.zeros(n, np.int64),
        rssi=np.full(n, np.nan, np.float32), category=np.full(n, -1, np.int8),
        emergency=np.full(n, -1, np.int8), position_error=f8,
    )  # fmt: skip


def test_lazy_bodies_equal_eager_ones() -> None:
    cols = _columns(["3c6444", "ae1234"])
    eager = build_snapshot(cols, 100.0, 7, IdentityCache(None))
    lazy = build_snapshot(cols, 100.0, 7, IdentityCache(None), eager=(False, False))
    assert not lazy.aircraft_body.built and not lazy.readsb_body.built
    assert lazy.aircraft_body.wanted_at is None
    assert lazy.aircraft == eager.aircraft and lazy.readsb == eager.readsb
    assert lazy.aircraft_body.built and lazy.aircraft_body.wanted_at is not None
    assert json.loads(lazy.readsb.plain)["messages"] == 7


def test_identity_budget_classifies_the_rest() -> None:
    # 0x3c0000 + i: Germany; the last one in a US military block (ae0000-afffff)
    hexes = [f"{0x3C0000 + i:06x}" for i in range(IDENTIFY_CHUNK + 10)] + ["ae1234"]
    cache = IdentityCache(None, budget_s=0.0)  # one chunk per call
    snap = build_snapshot(_columns(hexes), 0.0, 0, cache)
    rows = {r["icao24"]: r for r in snap.rows.all()}
    assert sum(r["country"] == "Germany" for r in rows.values()) == IDENTIFY_CHUNK
    assert rows["ae1234"]["country"] is None  # not identified yet: the last in sorted order
    assert rows["ae1234"]["classification"] == "military" and rows["ae1234"]["military"]
    snap = build_snapshot(_columns(hexes), 1.0, 0, cache)  # the rest on the next build
    one = snap.row("ae1234")  # built alone (the rows of the whole snapshot are not built yet)
    assert one is not None and one["classification"] == "military"
    assert one["country"] == "United States"
    assert all(r["country"] is not None for r in snap.rows.all())
    assert snap.rows.all()[-1] == one and snap.row("ae1234") is snap.rows.all()[-1]
    assert snap.row("3c0000") == snap.rows.all()[0] and snap.row("abcdef") is None


def test_positions_json_is_the_message_encoded() -> None:
    from skywitness.runtime.hub import sse_text
    from skywitness.runtime.tracking import positions_json, positions_message
    from skywitness.track.state_vectors import StateVectors

    sv = StateVectors.empty()
    rows = {
        "timestamp": [1.0, 2.12345, 3.5], "icao24": [0x151DC8, 0x3C6444, 0xAE1234],
        "callsign": ["AFL36", "", "A,B"], "latitude": [55.9, np.nan, 1.23456789],
        "longitude": [37.4, np.nan, -2.5], "altitude": [1000.0, np.nan, 37012.4],
        "geoaltitude": [1100.0, np.nan, 0.0], "groundspeed": [200.0, 0.04, np.nan],
        "track": [10.0, 359.96, np.nan], "vertical_rate": [0.0, -64.0, np.nan],
        "squawk": [4312, -1, 7700], "onground": [0, 1, -1], "source": ["x", "x", "x"],
        "position_source": ["adsb", "", "mlat"],
    }  # fmt: skip
    for name, v in rows.items():
        setattr(sv, name, np.asarray(v, dtype=getattr(sv, name).dtype))
    for n in (3, 2, 0):  # with the comma, without it, empty
        part = sv.take(np.arange(n))
        text = positions_json(part, 12.3456)
        want = sse_text("positions", positions_message(part, 12.3456))
        assert f"event: positions\ndata: {text}\n\n" == want
