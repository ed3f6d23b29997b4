"""Store-backed endpoints: /api/flights (the CLI's filters), the GeoJSON track, /api/alerts,
and every kind of bad parameter getting a clear 4xx."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi import FastAPI

from tests.api.conftest import call

AFL = "151dc8-20200101T000400.133Z"
TAM = "e48a1f-20200101T001900.213Z"


@pytest.mark.parametrize(
    ("query", "ids"),
    [
        ("", [AFL, TAM]),
        ("?icao24=e48a1f", [TAM]),
        ("?callsign=AFL*", [AFL]),
        ("?to=ULLI", [AFL]),
        ("?to=LED", [AFL]),  # IATA code of Pulkovo
        ("?to_country=BR", [TAM]),
        ("?since=2020-01-01T01:10:00Z", [AFL]),  # TAM3300 last seen 01:06
        ("?until=2020-01-01T00:10:00Z", [AFL]),  # TAM3300 first seen 00:19
        ("?since=1577836800&until=1577923200", [AFL, TAM]),  # unix seconds
        ("?min_confidence=0.5&limit=1", [AFL]),
        ("?since=2020-01-02", []),
    ],
)
def test_flight_filters(get: Any, query: str, ids: list[str]) -> None:
    body = get("/api/flights" + query)
    assert [f["flight_id"] for f in body["flights"]] == ids
    assert body["count"] == len(ids)


def test_flight_fields(get: Any) -> None:
    f = get("/api/flights?icao24=151dc8")["flights"][0]
    assert f["firstSeen"] == "2020-01-01T00:04:00.133Z"
    assert f["takeoff_time"] == "2020-01-01T00:10:42.417Z"
    assert f["landing_time"] == "2020-01-01T01:07:21.236Z"
    assert f["estArrivalAirport"] == "ULLI" and f["arrival_observed"] is True
    assert f["n_positions"] == 4044 and f["gaps_bridged"] == 0
    assert f["day"] == "2020-01-01"


def test_track_geojson(get: Any) -> None:
    g = get("/api/aircraft/151dc8/track?since=2020-01-01&until=2020-01-01T02:00:00Z")
    assert g["type"] == "FeatureCollection"
    p = g["properties"]
    assert (p["since"], p["until"]) == (1577836800.0, 1577844000.0)
    assert p["truncated"] is False and p["points"] == 4043
    kinds = [f["properties"]["kind"] for f in g["features"]]
    assert kinds == ["observed"]  # receivers at both ends: no silence over 10 min
    line = g["features"][0]
    coords = line["geometry"]["coordinates"]
    assert len(coords) == len(line["properties"]["times"]) == 4043
    assert coords[0] == [37.451985, 55.980439]  # at the gate at Sheremetyevo
    assert coords[-1] == [30.269205, 59.814086]  # at Pulkovo
    assert line["properties"]["onground"][-1] is True


def test_track_thinned(get: Any) -> None:
    g = get("/api/aircraft/151dc8/track?since=2020-01-01&until=2020-01-01T02:00:00Z&max_points=5")
    assert g["properties"]["truncated"] is True and g["properties"]["points"] == 5
    assert [f["properties"]["kind"] for f in g["features"]] == ["observed"]


def test_track_outside_data(get: Any) -> None:
    g = get("/api/aircraft/151dc8/track?since=2021-01-01&until=2021-01-02")
    assert g["features"] == [] and g["properties"]["points"] == 0


@pytest.mark.parametrize(
    ("url", "status", "says"),
    [
        ("/api/aircraft/12345", 400, "6 hex digits"),
        ("/api/aircraft/zzzzzz/track", 400, "6 hex digits"),
        ("/api/aircraft/~000001", 404, "not live"),
        ("/api/aircraft/151dc8?limit=0", 422, "greater than or equal to 1"),
        ("/api/aircraft/151dc8/track?since=yesterday", 400, "bad since"),
        ("/api/aircraft/151dc8/track?since=2020-01-01&until=2020-01-09", 400, "at most 7 days"),
        ("/api/aircraft/151dc8/track?since=2020-01-02&until=2020-01-01", 400, "after since"),
        ("/api/aircraft/151dc8/track?max_points=1000000", 422, "less than or equal"),
        ("/api/flights?from=ZZZZ", 400, "unknown airport"),
        ("/api/flights?to_country=XX1", 400, "not an ISO 3166 alpha-2 country code"),
        ("/api/flights?from_country=1X", 400, "ISO 3166"),
        ("/api/flights?since=2020-01-01&until=2022-01-01", 400, "at most 366 days"),
        ("/api/flights?until=2020-13-01", 400, "bad until"),
        ("/api/flights?limit=1001", 422, "less than or equal to 1000"),
        ("/api/flights?min_confidence=2", 422, "less than or equal to 1"),
        ("/api/flights?icao24=xyz", 400, "6 hex digits"),
        ("/api/alerts?limit=0", 422, "greater than or equal to 1"),
        ("/api/alerts?since=2020-01-02&until=2020-01-01", 400, "after since"),
        ("/api/stream?timeout_s=0", 422, "greater than 0"),
        ("/api/flights?callsign=" + "A" * 3000, 414, "longer than 2048"),
    ],
)
def test_bad_parameters(app: FastAPI, url: str, status: int, says: str) -> None:
    r = call(app, "GET", url)
    assert r.status_code == status, r.text
    assert says in r.text


def test_alerts_of_unknown_rule(get: Any) -> None:
    assert get("/api/alerts?rule=no-such-rule") == {"count": 0, "alerts": []}
