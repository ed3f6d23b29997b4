"""Live endpoints over the short simulated scenario: /api/aircraft, /data/aircraft.json,
/api/aircraft/{icao24}, /api/stats, and the pre-serialised body handling (gzip, ETag)."""

from __future__ import annotations

import json
from typing import Any

from fastapi import FastAPI

from tests.api.conftest import SHORT_FRAMES, call


def test_aircraft_snapshot(get: Any) -> None:
    body = get("/api/aircraft")
    # e48a1f landed more than 60 s before 151dc8's last message: only 151dc8 is still live
    assert body["count"] == 1
    a = body["aircraft"][0]
    assert a["icao24"] == "151dc8"
    assert a["callsign"] == "AFL36"
    assert a["squawk"] == "4312"
    assert a["country"] == "Russia" and a["country_iso2"] == "RU"
    assert a["classification"] == "civil" and a["military"] is False and a["watched"] is False
    assert a["onground"] is True
    assert a["position_source"] == "adsb"
    assert (a["latitude"], a["longitude"]) == (59.814086, 30.269205)  # at ULLI
    assert a["last_seen"] == 1577841117.732
    assert a["first_seen"] == 1577837040.133


def test_readsb_format(get: Any) -> None:
    body = get("/data/aircraft.json")
    assert body["messages"] == SHORT_FRAMES
    (a,) = body["aircraft"]
    assert a["hex"] == "151dc8" and a["type"] == "adsb_icao"
    assert a["flight"] == "AFL36   "
    assert a["alt_baro"] == "ground"
    assert a["squawk"] == "4312"
    assert (a["lat"], a["lon"]) == (59.814086, 30.269205)
    assert a["seen"] >= 0 and a["seen_pos"] >= 0


def test_gzip_and_etag(app: FastAPI) -> None:
    r = call(app, "GET", "/api/aircraft", headers={"Accept-Encoding": "gzip"})
    assert r.status_code == 200 and r.headers["content-encoding"] == "gzip"
    etag = r.headers["etag"]
    plain = call(app, "GET", "/api/aircraft", headers={"Accept-Encoding": "identity"})
    assert "content-encoding" not in plain.headers
    assert json.loads(plain.content)["count"] == 1
    r2 = call(app, "GET", "/api/aircraft", headers={"If-None-Match": etag})
    assert r2.status_code in (200, 304)  # 304 unless a new snapshot was built in between
    if r2.status_code == 304:
        assert r2.content == b""


def test_aircraft_detail_live(get: Any) -> None:
    body = get("/api/aircraft/151DC8")  # case-insensitive
    assert body["icao24"] == "151dc8"
    assert body["live"]["callsign"] == "AFL36"
    ident = body["identity"]
    assert ident["country_iso2"] == "RU" and ident["classification"] == "civil"
    assert ident["facts"][0]["field"] == "country"
    assert body["state"]["kinds"]["position"] == "adsb"
    assert [f["flight_id"] for f in body["flights"]] == ["151dc8-20200101T000400.133Z"]


def test_aircraft_detail_not_live(get: Any) -> None:
    body = get("/api/aircraft/e48a1f?limit=1")
    assert body["live"] is None and body["state"] is None
    assert body["identity"]["country"] == "Brazil"
    (f,) = body["flights"]
    assert f["callsign"] == "TAM3300" and f["estArrivalAirport"] == "SBGL"


def test_stats(get: Any) -> None:
    s = get("/api/stats")
    assert s["frames"] == SHORT_FRAMES
    assert s["accepted"] == SHORT_FRAMES
    assert s["positions"] == 13_444
    assert s["aircraft_live"] == 1
    assert s["lag_s"] == 0.0 and s["queue_batches"] == 0
    (src,) = s["sources"]
    assert src["frames"] == SHORT_FRAMES and src["reconnects"] == 0 and src["error"] is None
    # surface positions need no reference position: they resolve at known airports
    assert s["rejects"] == {}
    assert s["rejects_by_source"].get("tracker", {}) == {}
    assert s["store"]["rows"] == 6850 and s["store"]["flights"] == 2
    assert s["store"]["pending_rows"] == 0
    fl = s["flights"]
    assert fl["steps"] >= 1 and fl["held"] == 0  # the fixture's final step stored everything
    assert fl["recalls"] == 0 and fl["restarts"] == 0 and fl["dropped_rows"] == 0
    assert 0 < fl["rows_held"] <= s["store"]["rows"]  # the flights stage's rows
    assert 0 <= fl["rows_held_quiet"] <= fl["rows_held"]
    assert fl["error"] is None
    assert s["outputs"] == {"beast_clients": 0, "sbs_clients": 0}
    assert s["rules"] == 0 and s["tracker_ok"] is True


def test_web_ui_and_leaflet(app: FastAPI) -> None:
    r = call(app, "GET", "/")
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/html")
    js = call(app, "GET", "/static/leaflet/leaflet.js")
    assert js.status_code == 200 and len(js.content) > 100_000
    css = call(app, "GET", "/static/leaflet/leaflet.css")
    assert css.status_code == 200 and b".leaflet-container" in css.content


def test_openapi(get: Any) -> None:
    spec = get("/openapi.json")
    paths = set(spec["paths"])
    for p in (
        "/api/aircraft",
        "/api/aircraft/{icao24}",
        "/api/aircraft/{icao24}/track",
        "/api/flights",
        "/api/alerts",
        "/api/stream",
        "/api/stats",
        "/data/aircraft.json",
        "/api/rules/reload",
        "/api/import",
    ):
        assert p in paths


def test_basemap(app: FastAPI) -> None:
    r = call(app, "GET", "/api/basemap.geojson")
    assert r.status_code == 200
    assert r.headers["content-type"] == "application/geo+json"
    assert r.headers["cache-control"] == "public, max-age=86400"
    body = r.json()
    assert body["type"] == "FeatureCollection" and len(body["features"]) > 100
