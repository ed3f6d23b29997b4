"""docs/api.md documents every endpoint and every field the API returns (datasette-style):
each JSON key seen in a real answer must appear in backticks in the document."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import numpy as np
from fastapi import FastAPI
from fastapi.routing import APIRoute

from skywitness.runtime.tracking import positions_message
from skywitness.track.state_vectors import StateVectors
from tests.api.conftest import REPO_DOCS, call

#: Keys whose values are maps of data (reason → count, field → time), not documented fields.
DATA_MAPS = {"fields", "details", "times", "kinds", "rejects", "rejects_by_source", "rejected"}


def documented() -> set[str]:
    text = Path(REPO_DOCS).read_text(encoding="utf-8")
    text = re.sub(r"```.*?```", "", text, flags=re.S)  # examples do not count as documentation
    spans = " ".join(re.findall(r"`([^`]+)`", text))
    return set(re.findall(r"[A-Za-z_][A-Za-z0-9_]*", spans))


def keys_of(obj: Any, out: set[str]) -> set[str]:
    if isinstance(obj, dict):
        for k, v in obj.items():
            out.add(k)
            if k not in DATA_MAPS:
                keys_of(v, out)
    elif isinstance(obj, list):
        for v in obj:
            keys_of(v, out)
    return out


def one_state_vector() -> StateVectors:
    sv = StateVectors.empty()
    row = {
        "timestamp": [1.0], "icao24": [0x151DC8], "callsign": ["AFL36"], "latitude": [55.9],
        "longitude": [37.4], "altitude": [1000.0], "geoaltitude": [1100.0],
        "groundspeed": [200.0], "track": [10.0], "vertical_rate": [0.0], "squawk": [4312],
        "onground": [0], "source": ["x"], "position_source": ["adsb"],
    }  # fmt: skip
    for name, v in row.items():
        setattr(sv, name, np.asarray(v, dtype=getattr(sv, name).dtype))
    return sv


def test_every_returned_field_is_documented(app: FastAPI) -> None:
    urls = [
        "/api/aircraft",
        "/data/aircraft.json",
        "/api/aircraft/151dc8",
        "/api/aircraft/151dc8/track?since=2020-01-01&until=2020-01-02",
        "/api/flights",
        "/api/alerts",
        "/api/stats",
        "/data/receiver.json",
        "/data/stats.json",
        "/data/outline.json",
        "/api/airports?bbox=55.8,37.2,56.1,37.7",
    ]
    seen: set[str] = set()
    for url in urls:
        r = call(app, "GET", url)
        assert r.status_code == 200, url
        keys_of(r.json(), seen)
    keys_of(positions_message(one_state_vector(), 0.0), seen)
    keys_of({"flight_id": "x", "change": "new", "count": 1}, seen)  # flight / dropped events
    keys_of({"kind": "lost", "timestamp": 0.0, "icao24": "x", "fields": {}}, seen)
    keys_of({"id": "", "time": 0, "rule": "", "icao24": "", "callsign": "", "event": "",
             "flight_id": "", "message": "", "details": {}}, seen)  # fmt: skip
    missing = sorted(seen - documented())
    assert missing == [], f"fields missing from docs/api.md: {missing}"


def test_every_route_is_documented(app: FastAPI) -> None:
    text = Path(REPO_DOCS).read_text(encoding="utf-8")
    routes = [r for r in app.routes if isinstance(r, APIRoute) and r.include_in_schema]
    for r in routes:
        for method in (r.methods or set()) - {"HEAD"}:
            assert f"## {method} {r.path}" in text, f"{method} {r.path} not in docs/api.md"
