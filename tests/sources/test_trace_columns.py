"""The column-wise trace decoder on hand-made points covering every shape readsb writes:
"ground" altitudes, missing values (null), points of 7 to 14 values, details objects (callsign,
squawk, and the source type of points that lack one), bad points and points without time."""

from __future__ import annotations

import math

from skywitness.model import PositionSource, SourceKind
from skywitness.sources.readsb import trace_observations

DOC = {
    "icao": "~ABC123",
    "timestamp": 1000.5,
    "trace": [
        [
            0,
            51.5,
            -0.1,
            1200,
            150.5,
            90,
            0,
            640,
            {"type": "mlat", "flight": "BAW1 ", "squawk": "7700"},
        ],
        [1.5, 51.6, -0.2, 1300, 151, 91, 2, None, None, "adsb_icao", 1400, -64],
        [3, 95.0, 0.0, "ground", 0, None, 0],  # latitude out of range: no position
        [4, 51.7, -0.3, None, None, None, 0, None, None, "tisb_other", None, None, 1, 2],
        "not a point",
        [5, 1, 2],  # too short
        [None, 1, 2, 3, 4, 5, 0],  # no time
    ],
}


def test_trace_points_as_columns() -> None:
    o, bad = trace_observations(DOC, "t")
    assert o is not None and len(o) == 4 and o.source == "t"
    assert bad == [
        "trace point is not a list of >= 7 values",
        "trace point is not a list of >= 7 values",
        "trace point without time",
    ]
    assert o.timestamp.tolist() == [1000.5, 1002.0, 1003.5, 1004.5]
    assert o.icao24.tolist() == [0xABC123] * 4 and o.non_icao.all()
    assert o.callsign.tolist() == ["BAW1", "", "", ""]
    assert o.squawk.tolist() == [7700, -1, -1, -1]
    assert o.altitude[:2].tolist() == [1200.0, 1300.0] and math.isnan(o.altitude[2])
    assert o.onground.tolist() == [0, 0, 1, -1]
    assert o.vertical_rate[:2].tolist() == [640.0, -64.0]  # geom_rate when no baro rate
    assert o.geoaltitude[1] == 1400.0 and math.isnan(o.geoaltitude[0])
    assert math.isnan(o.latitude[2]) and math.isnan(o.longitude[2])
    assert o.new_leg.tolist() == [False, True, False, False]
    assert o.kind.tolist() == [SourceKind.MLAT, SourceKind.ADSB, SourceKind.OTHER, SourceKind.TISB]
    assert o.position_source.tolist() == [
        PositionSource.MLAT, PositionSource.ADSB, PositionSource.UNKNOWN, PositionSource.TISB,
    ]  # fmt: skip


def test_whole_document_unusable() -> None:
    assert trace_observations({"trace": []}) == (None, ["trace without icao/timestamp"])
    assert trace_observations([1, 2]) == (None, ["not a readsb trace"])
    o, bad = trace_observations({"icao": "abc123", "timestamp": 1, "trace": [[None] * 7]})
    assert o is None and bad == ["trace point without time"]
