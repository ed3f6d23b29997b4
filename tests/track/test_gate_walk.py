"""The gate's fix-up takes shortcuts (``position_gate._fix_up``): a row decoded locally against
the previous row's position as it stands is not walked, and a row whose anchor is its own
reference is not re-decoded. Both rest on the local decode being exact arithmetic, so they must
give exactly the positions of the full walk (every locally decoded row re-decoded against the
last accepted position), which the same code does when it is told no row's reference: that is
the oracle here, on the real Beast capture replayed with jumps back and on generated tracks.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from skywitness.decode import decode_batch
from skywitness.model import FrameBatch
from skywitness.sources import open_source
from skywitness.sources.dedup import Deduplicator
from skywitness.stats import IngestStats
from skywitness.track import Tracker, position_gate, positions
from skywitness.track.position_gate import References

from .helpers import messages

CAPTURE = "beastblackbox-example/ulss7-beast-bin-utc--1522782148.136310917--.log"


def _full_walk(monkeypatch: pytest.MonkeyPatch) -> None:
    """Make the fix-up walk as before the shortcuts: no row's reference is known."""
    real = positions._local_passes

    def unknown(*args: Any) -> References:
        refs = real(*args)
        return References(refs.kind, np.full_like(refs.lat, np.nan), np.full_like(refs.lon, np.nan))

    monkeypatch.setattr(positions, "_local_passes", unknown)


def _count_redecodes(mp: pytest.MonkeyPatch) -> list[int]:
    """A counter of the fix-up's one-row re-decodes."""
    calls = [0]
    real = position_gate._redecode

    def counted(*args: Any) -> tuple[float, float]:
        calls[0] += 1
        return real(*args)

    mp.setattr(position_gate, "_redecode", counted)
    return calls


def _track(batches: list[Any]) -> tuple[np.ndarray, np.ndarray, dict[str, int]]:
    stats = IngestStats()
    tracker = Tracker(rate_s=0, stats=stats)
    lat, lon = [], []
    for msgs in batches:
        tracker.update(msgs, "test")
        la, lo = tracker.last_positions
        lat.append(la)
        lon.append(lo)
    return np.concatenate(lat), np.concatenate(lon), dict(stats.rejected)


def _replayed(shared_data: Path, copies: int) -> list[Any]:
    """The real capture ``copies`` times, each copy's times moved on by its span plus 1 s: the
    aircraft jump back 61 s of flight at each copy (the gate rejects, the fix-up walks)."""
    stats = IngestStats()
    parts = open_source(str(shared_data / CAPTURE), "beast", stats)
    # merged as a step merges them: the capture repeats blocks of frames a quarter of a second
    # later, rows back in time that the tracker takes in passes of their own (track/arrival.py)
    base = Deduplicator().filter(FrameBatch.concat([b for b in parts if isinstance(b, FrameBatch)]))
    span = float(base.timestamp.max() - base.timestamp.min()) + 1.0
    out = []
    for k in range(copies):
        part = base.take(np.arange(len(base)))
        part.timestamp = base.timestamp + k * span
        out.append(decode_batch(part))
    return out


def test_real_capture_replayed_same_positions_as_the_full_walk(
    shared_data: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    once = _track(_replayed(shared_data, 1))[2]
    batches = _replayed(shared_data, 3)
    calls = _count_redecodes(monkeypatch)
    lat, lon, rejected = _track(batches)
    short = calls[0]
    _full_walk(monkeypatch)
    lat0, lon0, rejected0 = _track(batches)
    full = calls[0] - short
    assert rejected == rejected0
    # the jumps back were rejected: the fix-up walked, and took its shortcuts
    assert once.get("implausible_position", 0) == 0 < rejected["implausible_position"]
    assert 0 < short < full
    np.testing.assert_array_equal(lat, lat0)  # NaN where NaN, else bit for bit
    np.testing.assert_array_equal(lon, lon0)


KT_450_DEG_PER_S = 450.0 / 3600.0 / 60.0


@st.composite
def tracks(draw: st.DrawFn) -> list[dict[str, Any]]:
    """Two aircraft flying north, messages every 0.5 s, some even ones lost (local decodes),
    some positions jumping away (rejected) and some jumps that stay (the reference was wrong)."""
    rows: list[dict[str, Any]] = []
    for a, icao in enumerate((0x3C6444, 0x4CA123)):
        lat, lon = 45.0 + 3 * a, 5.0
        for i in range(draw(st.integers(4, 60))):
            lat += KT_450_DEG_PER_S * 0.5
            event = draw(st.sampled_from(("ok", "ok", "ok", "lost", "spike", "jump")))
            if event == "lost" and i % 2 == 0:
                continue
            if event == "jump":
                lat += draw(st.floats(0.5, 2.0))
            p = lat + (draw(st.floats(0.5, 2.0)) if event == "spike" else 0.0)
            rows.append({"timestamp": 0.5 * i, "icao24": icao, "pos": (p, lon, i % 2)})
    rows.sort(key=lambda r: r["timestamp"])
    return rows


@settings(max_examples=60, deadline=None)
@given(rows=tracks(), cut=st.integers(0, 200))
def test_generated_tracks_same_positions_as_the_full_walk(
    rows: list[dict[str, Any]], cut: int
) -> None:
    batches = [messages(part) for part in (rows[:cut], rows[cut:]) if part]
    lat, lon, rejected = _track(batches)
    with pytest.MonkeyPatch.context() as mp:
        _full_walk(mp)
        lat0, lon0, rejected0 = _track(batches)
    assert rejected == rejected0
    np.testing.assert_array_equal(lat, lat0)
    np.testing.assert_array_equal(lon, lon0)
