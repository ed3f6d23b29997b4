"""Token rules (state-changing endpoints, --auth read), the aircraft DB import, the rules
reload hook, and the server-sent event stream."""

from __future__ import annotations

import asyncio
import threading
from typing import Any

import httpx
import pytest
from fastapi import FastAPI

from skywitness.api import admin, create_app
from skywitness.runtime.service import Service, ServiceConfig
from tests.api.conftest import call, wait_for

AUTH = {"Authorization": "Bearer s3cret"}


def test_post_needs_token(app: FastAPI) -> None:
    r = call(app, "POST", "/api/rules/reload")
    assert r.status_code == 401 and r.headers["www-authenticate"] == "Bearer"
    r = call(app, "POST", "/api/rules/reload", headers={"Authorization": "Bearer wrong"})
    assert r.status_code == 401
    r = call(app, "POST", "/api/rules/reload", headers=AUTH)
    assert r.status_code == 409 and "--rules" in r.text


def test_post_disabled_without_server_token() -> None:
    bare = create_app(Service(ServiceConfig(sources=[])))
    r = call(bare, "POST", "/api/rules/reload", headers=AUTH)
    assert r.status_code == 403 and "SKYWITNESS_TOKEN" in r.text
    # reads stay open, and a service that has not started serves an empty snapshot
    r = call(bare, "GET", "/api/aircraft")
    assert r.status_code == 200 and r.json()["count"] == 0
    r = call(bare, "GET", "/api/flights")
    assert r.status_code == 409 and "--data-dir" in r.text


def test_auth_read() -> None:
    locked = create_app(Service(ServiceConfig(sources=[], token="s3cret", auth_read=True)))
    for url in ("/api/aircraft", "/data/aircraft.json", "/api/stats"):
        assert call(locked, "GET", url).status_code == 401
        assert call(locked, "GET", url, headers=AUTH).status_code == 200
    assert call(locked, "GET", "/").status_code == 200  # the page itself; its data needs the token


def test_rules_reload_hook(service: Service, app: FastAPI, monkeypatch: Any) -> None:
    class Engine:
        def reload(self) -> int:
            return 3

    monkeypatch.setattr(service, "watch", Engine())
    monkeypatch.setattr(service.config, "rules", "rules.toml")
    r = call(app, "POST", "/api/rules/reload", headers=AUTH)
    assert r.status_code == 200 and r.json() == {"rules": 3}
    assert call(app, "GET", "/api/stats").json()["rules"] == 3
    service.rules_loaded = 0


def test_import_aircraft_db(service: Service, app: FastAPI, monkeypatch: Any) -> None:
    csv = b"icao24,registration,typecode,dbflags,description\n151dc8,RA-73160,A321,,Airbus A321\n"
    url = "/api/import?kind=tar1090&name=testdb"
    assert call(app, "POST", url, content=csv).status_code == 401
    r = call(app, "POST", "/api/import?kind=nope", content=csv, headers=AUTH)
    assert r.status_code == 400 and "tar1090" in r.text
    assert call(app, "POST", url, content=b"", headers=AUTH).status_code == 400
    monkeypatch.setattr(admin, "IMPORT_MAX_BYTES", 10)  # the guard reads it there too
    assert call(app, "POST", url, content=csv, headers=AUTH).status_code == 413
    monkeypatch.undo()
    r = call(app, "POST", url, content=csv, headers=AUTH)
    assert r.status_code == 200, r.text
    rep = r.json()["report"]
    assert rep["rows_read"] == 1 and rep["keys"] == 1 and rep["source"] == "testdb"
    ident = call(app, "GET", "/api/aircraft/151dc8").json()["identity"]
    assert ident["registration"] == "RA-73160" and ident["typecode"] == "A321"
    assert ident["description"] == "Airbus A321"
    reg = next(f for f in ident["facts"] if f["field"] == "registration")
    assert reg["value"] == "RA-73160" and reg["source"].startswith("testdb ")
    # the live snapshot picks the new identity up at its next rebuild
    wait_for(lambda: (service.snapshot.row("151dc8") or {}).get("registration") == "RA-73160")
    a = call(app, "GET", "/api/aircraft").json()["aircraft"][0]
    assert a["typecode"] == "A321" and a["classification"] == "civil"


async def _stream(app: FastAPI, service: Service, url: str) -> str:
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://localhost") as c:
        before = service.hub.clients
        task = asyncio.create_task(c.get(url))
        while service.hub.clients == before:
            await asyncio.sleep(0.01)

        def publish() -> None:  # from another thread, as the workers do
            service.publish_alert(
                {
                    "id": "a1",
                    "time": 1577840500.0,
                    "rule": "r1",
                    "icao24": "e48a1f",
                    "callsign": "TAM3300",
                    "event": "landing",
                    "flight_id": None,
                    "message": "TAM3300 landed",
                    "details": {},
                }
            )
            service.hub.publish(
                "aircraft", {"kind": "lost", "timestamp": 1.0, "icao24": "151dc8", "fields": {}}
            )

        threading.Thread(target=publish).start()
        r = await task
        assert r.status_code == 200
        assert r.headers["content-type"].startswith("text/event-stream")
        return r.text


def test_stream_and_alerts(service: Service, app: FastAPI) -> None:
    text = asyncio.run(_stream(app, service, "/api/stream?limit=2"))
    assert text.startswith(": connected\n\n")
    assert 'event: alert\ndata: {"id":"a1"' in text
    assert 'event: aircraft\ndata: {"kind":"lost"' in text
    body = call(app, "GET", "/api/alerts?rule=r1").json()
    assert body["count"] == 1 and body["alerts"][0]["message"] == "TAM3300 landed"
    assert call(app, "GET", "/api/alerts?rule=other").json()["count"] == 0
    assert call(app, "GET", "/api/alerts?since=2020-01-02").json()["count"] == 0
    assert service.hub.clients == 0  # the client went away with the response
    assert "e48a1f" in service.watched


def test_stream_client_limit(service: Service, app: FastAPI, monkeypatch: Any) -> None:
    from skywitness.runtime import hub

    monkeypatch.setattr(hub, "MAX_CLIENTS", 0)
    r = call(app, "GET", "/api/stream?limit=1")
    assert r.status_code == 503 and "stream clients" in r.text


@pytest.mark.parametrize("n", [3])
def test_hub_drops_oldest_for_slow_clients(n: int, monkeypatch: Any) -> None:
    from skywitness.runtime import hub as hub_mod

    monkeypatch.setattr(hub_mod, "CLIENT_QUEUE_MAX", n)

    async def run() -> list[str]:
        h = hub_mod.Hub()
        c = h.add()
        for i in range(n + 2):
            h.publish("x", {"i": i})
        await asyncio.sleep(0.05)
        out = []
        gen = h.stream(c)
        async for text in gen:
            out.append(text)
            if len(out) == 1 + 1 + n:  # connected, dropped notice, n kept messages
                break
        await gen.aclose()
        return out

    out = asyncio.run(run())
    assert out[1] == 'event: dropped\ndata: {"count":2}\n\n'
    assert out[2] == 'event: x\ndata: {"i":2}\n\n'
    assert out[-1] == 'event: x\ndata: {"i":4}\n\n'
