"""Position resolution through the tracker on simulated CPR (encoders): pairing, local
decoding, the plausibility gate, surface references."""

from __future__ import annotations

from typing import Any

import numpy as np

from skywitness.stats import IngestStats
from skywitness.track import EventKind, Tracker
from skywitness.track.groups import dist_nm

from .helpers import LFPG, messages

A = 0x3C6444
KT_450_DEG_PER_S = 450.0 / 3600.0 / 60.0  # 450 kt due north, degrees of latitude per second


def _flight(n: int, t0: float = 0.0, lat0: float = 45.0, lon0: float = 5.0) -> list[dict[str, Any]]:
    """n position messages every 0.5 s, alternating even/odd, 450 kt north."""
    return [
        {
            "timestamp": t0 + 0.5 * i,
            "icao24": A,
            "pos": (lat0 + KT_450_DEG_PER_S * 0.5 * i, lon0, i % 2),
            "altitude": 30000.0,
        }
        for i in range(n)
    ]


def test_global_then_local_within_quantisation() -> None:
    rows = _flight(120)
    tracker = Tracker(rate_s=0)
    # Odd-only stretch: messages 40..79 lose their even partners (kept odd ones decode locally).
    keep = [r for i, r in enumerate(rows) if not (40 <= i < 80 and i % 2 == 0)]
    tracker.update(messages(keep), "sim")
    lat, lon = tracker.last_positions
    truth = np.array([r["pos"][0] for r in keep])
    assert np.isnan(lat[0])  # waiting for a partner
    err_m = np.abs(lat[1:] - truth[1:]) * 111_195.0
    assert np.all(err_m < 5.1) and np.all(np.abs(lon[1:] - 5.0) < 1e-4)
    assert tracker.counters["position_waiting"] == 1
    assert tracker.counters["position_accepted"] == len(keep) - 1
    (pos,) = [e for e in tracker.events() if e.kind is EventKind.POSITION]
    assert pos.timestamp == 0.5


def test_gate_rejects_jump_and_never_uses_it_as_reference() -> None:
    stats = IngestStats()
    rows = _flight(40)
    # Message 21 (odd) claims a point 2° north: 120 NM in 0.5 s.
    bad = dict(rows[21])
    bad["pos"] = (rows[21]["pos"][0] + 2.0, 5.0, 1)
    rows[21] = bad
    for split in (len(rows), 21, 22):  # the jump inside a batch, or opening the next one
        tracker = Tracker(rate_s=0, stats=stats)
        lat = []
        for part in (rows[:split], rows[split:]):
            if part:
                tracker.update(messages(part), "sim")
                lat.append(tracker.last_positions[0])
        got = np.concatenate(lat)
        truth = np.array([r["pos"][0] for r in rows])
        ok = np.isfinite(got)
        # Row 21 and row 22 (whose pair includes the bad odd) are rejected; all else agree.
        assert np.flatnonzero(~ok).tolist() == [0, 21, 22]
        assert np.all(np.abs(got[ok] - truth[ok]) * 111_195.0 < 5.1)
    assert stats.rejected["implausible_position"] == 6


def test_gate_recovers_from_a_wrong_reference() -> None:
    """Two consecutive unambiguous fixes that agree win over an old wrong reference."""
    tracker = Tracker(rate_s=0)
    first = _flight(2, lat0=45.0)
    tracker.update(messages(first), "sim")
    # The aircraft really is 3° further north (say the first pair was a corrupted one).
    later = _flight(6, t0=1.0, lat0=48.0)
    tracker.update(messages(later), "sim")
    lat, _ = tracker.last_positions
    assert np.isnan(lat[0]) and np.isfinite(lat[2:]).all()
    assert abs(lat[-1] - later[-1]["pos"][0]) < 1e-4


def test_surface_positions_need_a_reference() -> None:
    lat0, lon0 = 49.0058, 2.5735
    rows = [
        {"timestamp": 2.0 * i, "icao24": A, "sfc": (lat0, lon0 + 1e-5 * i, i % 2),
         "groundspeed": 3.0}
        for i in range(6)
    ]  # fmt: skip
    stats = IngestStats()
    blind = Tracker(rate_s=0, stats=stats)
    blind.update(messages(rows), "sim")
    assert np.isnan(blind.last_positions[0]).all()
    assert stats.rejected["bad_position"] == 5  # pairs found, no quadrant reference
    seeing = Tracker(rate_s=0, reference=LFPG)
    seeing.update(messages(rows), "sim")
    lat, lon = seeing.last_positions
    assert np.all(np.abs(lat - lat0) < 2e-5)
    assert np.all(np.abs(lon - (lon0 + 1e-5 * np.arange(6))) < 2e-5)
    assert seeing.snapshot()[0].onground is True


def test_landing_uses_last_airborne_position_for_the_surface() -> None:
    lat0, lon0 = 43.6294, 1.3678
    rows = _flight(4, lat0=lat0 - 0.02, lon0=lon0)
    rows += [
        {"timestamp": 3.0 + i, "icao24": A, "sfc": (lat0, lon0, i % 2), "groundspeed": 120.0}
        for i in range(3)
    ]
    tracker = Tracker(rate_s=0)  # no receiver reference: the airborne fix serves
    sv = tracker.update(messages(rows), "sim")
    lat, lon = tracker.last_positions
    assert np.all(np.abs(lat[4:] - lat0) < 2e-5) and np.all(np.abs(lon[4:] - lon0) < 2e-5)
    assert float(dist_nm(lat[3], lon[3], lat[4], lon[4])) < 1.3
    assert sv.onground.tolist()[-1] == 1
    landings = [e for e in tracker.events() if e.kind is EventKind.ONGROUND]
    assert [(e.timestamp, e.fields["onground"]) for e in landings] == [(3.0, True)]
