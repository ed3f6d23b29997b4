"""FR24 flight playback JSON read as a source (tests/data/fr24_playback.json, hand-written)."""

from __future__ import annotations

from pathlib import Path

import pytest

from skywitness.model import Observations
from skywitness.sources import open_source
from skywitness.stats import IngestStats

DATA = Path(__file__).resolve().parents[1] / "data"


def test_fr24_playback() -> None:
    stats = IngestStats()
    src = open_source(str(DATA / "fr24_playback.json"), stats=stats)
    (o,) = list(src)
    assert isinstance(o, Observations) and src.format == "fr24"
    assert stats.frames == 6 and stats.rejected == {"bad_record": 2}
    assert o.icao24.tolist() == [0x1511A2] * 4
    assert o.timestamp.tolist() == [1568966400.0, 1568966520.0, 1568966580.0, 1568967000.0]
    assert o.latitude.tolist() == [55.5915, 55.585, 55.57, 55.1]
    assert o.longitude.tolist() == [37.2615, 37.24, 37.18, 35.9]
    assert o.altitude[2:].tolist() == [2500.0, 33000.0]
    assert o.onground.tolist() == [1, 1, 0, 0]
    assert o.groundspeed.tolist() == [12.0, 150.0, 180.0, 480.0]
    assert o.track.tolist() == [240.0, 240.0, 241.0, 262.0]
    assert o.vertical_rate.tolist() == [0.0, 0.0, 2200.0, 0.0]
    assert o.squawk.tolist() == [1000, 1000, 1000, 7700]
    assert o.callsign.tolist() == ["RSD018"] * 4
    assert all(o.altitude[:2] != o.altitude[:2])  # on the ground: no altitude (NaN)


@pytest.mark.parametrize("fmt", ["auto", "fr24"])
def test_fr24_named_or_detected(fmt: str) -> None:
    assert open_source(str(DATA / "fr24_playback.json"), fmt).format == "fr24"
