"""The pure builders of readsb's data files: trace points and their flags, the coverage outline,
stats periods, and readsb's emitter category names."""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

import numpy as np

from skywitness.api.readsb_data import (
    TRACE_NEW_LEG,
    TRACE_STALE,
    outline_points,
    stats_json,
    trace_json,
)
from skywitness.decode.codes import emitter_category


def test_emitter_category_names() -> None:
    # TC 4 (set A) CA 5: heavy; TC 3 set B CA 1: glider; TC 1 set D; unknown stays unknown
    assert [emitter_category(c) for c in (4 * 8 + 5, 3 * 8 + 1, 1 * 8 + 0, 4 * 8, -1)] == [
        "A5", "B1", "D0", "A0", None,
    ]  # fmt: skip


def test_trace_points_flags_and_identity() -> None:
    cols: dict[str, Sequence[Any]] = {
        "t": [100.0, 101.0, 150.0, 151.0],
        "latitude": [50.0, 50.01, 50.5, 50.51],
        "longitude": [8.0, 8.01, 8.5, 8.51],
        "altitude": [1000.0, 1100.0, math.nan, 2000.0],
        "geoaltitude": [None, None, None, 2100.0],
        "groundspeed": [150.0, 151.0, 10.0, 200.0],
        "track": [90.0, 91.0, 92.0, 93.0],
        "vertical_rate": [500.0, 500.0, 0.0, 1000.0],
        "onground": [False, False, True, False],
        "position_source": ["adsb", "adsb", "mlat", "adsb"],
    }
    out = trace_json("3c6444", cols, leg_starts=[150.5], identity={"r": "D-AIBD", "t": ""})
    assert out["icao"] == "3c6444" and out["timestamp"] == 100.0 and out["r"] == "D-AIBD"
    assert "t" not in out  # empty identity fields are left out
    trace = out["trace"]
    assert [p[0] for p in trace] == [0.0, 1.0, 50.0, 51.0]
    # 49 s of silence before the third point (> 20 s): stale; the fourth starts a new leg
    assert [p[6] for p in trace] == [0, 0, TRACE_STALE, TRACE_NEW_LEG]
    assert trace[2][3] == "ground" and trace[2][9] == "mlat" and trace[0][9] == "adsb_icao"
    assert trace[3][10] == 2100 and trace[0][10] is None and len(trace[0]) == 14


def test_outline_keeps_the_farthest_point_per_sector() -> None:
    center = (50.0, 8.0)
    # north: 0.5 and 1.0 deg of latitude (the farther wins); east: 1 deg of longitude
    lat = np.array([50.5, 51.0, 50.0, np.nan])
    lon = np.array([8.0, 8.0, 9.0, 9.0])
    assert outline_points(lat, lon, center) == [[51.0, 8.0, 0.0], [50.0, 9.0, 0.0]]
    assert outline_points(np.array([np.nan]), np.array([np.nan]), center) == []


def test_stats_periods() -> None:
    total = {"frames": 100, "accepted": 90, "positions": 40, "rejected": 10, "unknown_address": 3}
    out = stats_json(1000.0, 500.0, total, (940.0, {"accepted": 9}), 5, 2, float("nan"))
    assert out["total"]["start"] == 500.0 and out["total"]["messages"] == 90
    assert out["total"]["local"] == {
        "accepted": [90, 0],
        "bad": 10,
        "unknown_icao": 3,
        "modes": 100,
    }
    assert out["last1min"]["start"] == 940.0 and out["last1min"]["messages"] == 9
    assert out["aircraft_with_pos"] == 2 and out["aircraft_without_pos"] == 3
    assert out["total"]["max_distance"] is None
