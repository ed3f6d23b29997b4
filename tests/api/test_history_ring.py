"""readsb's ``history_N.json`` ring: samples keep the snapshot's gzip bytes only, the ring holds
at most its byte bound (the oldest go first), and each sample is served as it was taken, gzip
or plain. Before the bound, a world-scale feed's ring held an hour of plain bodies (~660 MB at
20,000 aircraft) and grew for the whole hour: all of serve's heap growth in the load run."""

from __future__ import annotations

import gzip
import json

import httpx
from fastapi import FastAPI

from skywitness.api.app import serve_body
from skywitness.api.history_ring import HistoryRing, Sample
from skywitness.api.tar1090 import counters, router
from skywitness.runtime.service import Service

from .conftest import call


def _sample(k: int, size: int) -> Sample:
    return Sample(bytes([k]) * size, f'"{k}"')


def test_the_oldest_go_past_the_byte_bound(service: Service) -> None:
    ring = HistoryRing(service, counters, max_items=5, max_bytes=35, start=False)
    for k in range(4):
        ring.add(_sample(k, 10))
    assert [s.etag for s in ring.items] == ['"1"', '"2"', '"3"']
    assert (ring.nbytes, ring.dropped) == (30, 1)
    ring.add(_sample(9, 100))  # larger than the bound alone: the newest is always kept
    assert [s.etag for s in ring.items] == ['"9"'] and ring.nbytes == 100
    assert ring.dropped == 4


def test_the_hour_ends_without_counting_a_drop(service: Service) -> None:
    ring = HistoryRing(service, counters, max_items=3, max_bytes=10**6, start=False)
    for k in range(7):
        ring.add(_sample(k, 10))
    assert [s.etag for s in ring.items] == ['"4"', '"5"', '"6"']
    assert (ring.nbytes, ring.dropped) == (30, 0)
    assert ring.get(0) is ring.items[0] and ring.get(3) is None and ring.get(-1) is None


def test_a_sample_keeps_the_snapshots_gzip_bytes_and_serves_them(service: Service) -> None:
    for _ in range(100):  # snapshots are rebuilt every 0.2 s: sample between two rebuilds
        snap, ring = service.snapshot, HistoryRing(service, counters, start=False)
        ring.sample()
        if service.snapshot is snap:
            break
    body = snap.readsb_body.get(demand=False)
    (sample,) = ring.items
    assert sample.gz is body.gz and sample.etag == body.etag  # no copy, no plain bytes kept
    assert ring.counters[0][1]["frames"] == service.frames()
    app = FastAPI()
    app.include_router(router(service, serve_body, ring), prefix="/data")
    plain = call(app, "GET", "/data/history_0.json", headers={"Accept-Encoding": "identity"})
    assert plain.status_code == 200 and "content-encoding" not in plain.headers
    assert plain.content == body.plain
    live = set(snap.columns.icao24.tolist())
    assert live and {a["hex"] for a in json.loads(plain.content)["aircraft"]} == live
    zipped = _raw_gzip(app)
    assert zipped == body.gz and gzip.decompress(zipped) == body.plain
    assert call(app, "GET", "/data/history_1.json").status_code == 404


def _raw_gzip(app: FastAPI) -> bytes:
    """The bytes of ``history_0.json`` as sent to a client that takes gzip."""
    import asyncio

    async def go() -> bytes:
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://localhost") as c:
            req = c.build_request(
                "GET", "/data/history_0.json", headers={"Accept-Encoding": "gzip"}
            )
            r = await c.send(req, stream=True)
            assert r.headers["content-encoding"] == "gzip"
            return b"".join([chunk async for chunk in r.aiter_raw()])

    return asyncio.run(go())
