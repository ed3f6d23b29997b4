"""Tracker semantics on hand-made batches: trust, address filter, losses, squawks, emission."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

from skywitness.model import RejectReason, SourceKind
from skywitness.stats import IngestStats
from skywitness.track import AddressFilter, EventKind, Tracker

from .helpers import messages, mode_s

A = 0x3C6444  # an address for the hand-made aircraft
B = 0x4CA216


def test_trust_ordering_and_staleness() -> None:
    tracker = Tracker(rate_s=0, lost_after_s=300)
    sv = tracker.update(
        messages(
            [
                {"timestamp": 0.0, "icao24": A, "altitude": 10000.0, "callsign": "AFR1"},
                mode_s(timestamp=1.0, icao24=A, altitude=12000.0),  # ADS-B fresh: ignored
                mode_s(timestamp=30.0, icao24=A, df=20, callsign="XXX1"),
                mode_s(timestamp=31.0, icao24=A, df=20, callsign="XXX1"),  # within 60 s
                mode_s(timestamp=20.0, icao24=A, altitude=13000.0),  # ADS-B 20 s old: taken
                {"timestamp": 85.0, "icao24": A, "df": 11, "kind": 7},  # DF11: vouches, no data
                mode_s(timestamp=90.0, icao24=A, df=20, callsign="XXX2"),
                mode_s(timestamp=91.0, icao24=A, df=20, callsign="XXX2"),  # confirmed, stale
            ]
        ),
        "test",
    )
    assert sv.timestamp.tolist() == [0.0, 20.0, 91.0]
    assert sv.altitude.tolist() == [10000.0, 13000.0, 13000.0]
    assert sv.callsign.tolist() == ["AFR1", "AFR1", "XXX2"]
    snap = tracker.snapshot()[0]
    assert snap.kinds["altitude"] == "mode_s" and snap.kinds["callsign"] == "mode_s"
    assert snap.times["altitude"] == 20.0
    # A more trusted kind always overwrites.
    sv = tracker.update(messages([{"timestamp": 92.0, "icao24": A, "altitude": 9000.0}]), "t")
    assert sv.altitude.tolist() == [9000.0]
    assert tracker.snapshot()[0].kinds["altitude"] == "adsb"


def test_address_filter_time_order_within_and_across_batches() -> None:
    stats = IngestStats()
    tracker = Tracker(rate_s=0, stats=stats)
    batch = messages(
        [
            mode_s(timestamp=5.0, icao24=A, altitude=11000.0),  # row before its vouching DF17
            {"timestamp": 1.0, "icao24": A, "groundspeed": 300.0},
            mode_s(timestamp=0.5, icao24=A, altitude=9000.0),  # earlier than the DF17: reject
            mode_s(timestamp=2.0, icao24=B, altitude=5000.0),  # never heard: reject
        ]
    )
    sv = tracker.update(batch, "t")
    # the DF17 came in after the reply at 5 s: it is tracked after it (track/arrival.py), as
    # a step of its own would track it, and its state has the reply's altitude
    assert sv.timestamp.tolist() == [5.0, 1.0]
    assert sv.altitude.tolist() == [11000.0, 11000.0]
    assert stats.rejected == {"unknown_address": 2}
    sv = tracker.update(
        messages(
            [
                mode_s(timestamp=50.0, icao24=A, altitude=11500.0),  # 49 s after the DF17
                mode_s(timestamp=70.0, icao24=A, altitude=11600.0),  # 69 s: too late
            ]
        ),
        "t",
    )
    assert sv.altitude.tolist() == [11500.0]
    assert stats.rejected == {"unknown_address": 3}
    # The decode command's use: mark in place, count later.
    af = AddressFilter()
    msgs = messages([mode_s(timestamp=0.0, icao24=B), {"timestamp": 1.0, "icao24": B}])
    assert af.apply(msgs).tolist() == [False, True]
    assert msgs.reject.tolist() == [int(RejectReason.UNKNOWN_ADDRESS), 0]


def test_untimed_messages_are_counted_not_tracked() -> None:
    stats = IngestStats()
    tracker = Tracker(rate_s=0, stats=stats)
    sv = tracker.update(
        messages(
            [
                {"timestamp": np.nan, "icao24": A, "altitude": 1.0},
                {"timestamp": 3.0, "icao24": A, "altitude": 2.0},
            ]
        ),
        "t",
    )
    assert sv.altitude.tolist() == [2.0]
    assert stats.rejected == {"bad_timestamp": 1}


def test_strict_mode_counts_unknown_address_without_raising() -> None:
    # an address/parity reply from an aircraft not yet heard in DF11/17/18 happens in every
    # real stream: it describes the traffic, not broken input (stats.NOT_INPUT_ERRORS)
    stats = IngestStats(strict=True)
    tracker = Tracker(stats=stats)
    tracker.update(messages([mode_s(timestamp=0.0, icao24=B, altitude=1.0)]), "feed")
    assert stats.rejected == {"unknown_address": 1}


def test_lost_in_batch_between_batches_and_expire() -> None:
    tracker = Tracker(rate_s=0)
    tracker.update(
        messages(
            [
                {"timestamp": 0.0, "icao24": A, "altitude": 1000.0},
                {"timestamp": 100.0, "icao24": A, "altitude": 2000.0},
            ]
        ),
        "t",
    )
    got = [(e.kind, e.timestamp) for e in tracker.events()]
    assert got == [
        (EventKind.SEEN, 0.0),
        (EventKind.LOST, 60.0),
        (EventKind.SEEN, 100.0),
    ]
    # A batch for another aircraft far later expires A (data time drives expiry).
    tracker.update(messages([{"timestamp": 200.0, "icao24": B, "altitude": 1.0}]), "t")
    named = [(e.kind, e.icao24, e.timestamp) for e in tracker.events()]
    assert named == [(EventKind.LOST, "3c6444", 160.0), (EventKind.SEEN, "4ca216", 200.0)]
    assert len(tracker) == 1
    tracker.expire(now=261.0)
    lost = tracker.events()
    assert [(e.kind, e.icao24, e.fields) for e in lost] == [
        (EventKind.LOST, "4ca216", {"last_seen": 200.0})
    ]
    assert len(tracker) == 0 and tracker.snapshot() == []


def test_final_state_of_lost_aircraft_is_emitted() -> None:
    tracker = Tracker(rate_s=1.0)
    rows = [
        {"timestamp": 0.0, "icao24": A, "altitude": 1000.0},
        {"timestamp": 0.5, "icao24": A, "altitude": 1100.0},  # same second: pending
        {"timestamp": 100.0, "icao24": A, "altitude": 2000.0},  # after a loss
        {"timestamp": 100.5, "icao24": A, "altitude": 2100.0},
    ]
    sv = tracker.update(messages(rows), "t")
    assert sv.timestamp.tolist() == [0.0, 0.5, 100.0]
    assert sv.altitude.tolist() == [1000.0, 1100.0, 2000.0]
    # Across batches: expiry holds the final row until the next call returns it.
    sv = tracker.update(messages([{"timestamp": 300.0, "icao24": B, "altitude": 5.0}]), "t")
    assert sv.icao24_hex().tolist() == ["3c6444", "4ca216"]
    assert sv.timestamp.tolist() == [100.5, 300.0]
    assert len(tracker.flush()) == 0


def test_emergency_squawks() -> None:
    tracker = Tracker(rate_s=0)
    tracker.update(
        messages(
            [
                {"timestamp": 0.0, "icao24": A, "squawk": 1000},
                {"timestamp": 1.0, "icao24": A, "squawk": 7700},  # ADS-B: taken at once
                mode_s(timestamp=20.0, df=5, icao24=A, squawk=7500),  # once: not yet
                mode_s(timestamp=21.0, df=5, icao24=A, squawk=7600),  # a different one
                mode_s(timestamp=21.5, df=5, icao24=A, squawk=7600),  # confirmed
            ]
        ),
        "t",
    )
    changes = [e.fields for e in tracker.events() if e.kind is EventKind.SQUAWK]
    assert changes == [
        {"old": None, "new": "1000"},
        {"old": "1000", "new": "7700", "alert": "emergency"},
        {"old": "7700", "new": "7600", "alert": "radio_failure"},
    ]
    tracker.update(
        messages([mode_s(timestamp=t, df=21, icao24=A, squawk=7500) for t in (40.0, 40.5)]), "t"
    )
    (hijack,) = [e for e in tracker.events() if e.kind is EventKind.SQUAWK]
    assert hijack.fields["alert"] == "hijack" and hijack.timestamp == 40.5


def test_rate_limited_emission_and_flush() -> None:
    tracker = Tracker(rate_s=1.0)
    rows = [{"timestamp": 0.25 * i, "icao24": A, "altitude": 100.0 * i} for i in range(12)]
    source = "file:/data/receivers/a-rather-long-name/2024-07-06.beast.gz"
    sv = tracker.update(messages(rows), source)
    assert sv.timestamp.tolist() == [0.0, 1.0, 2.0]
    assert sv.altitude.tolist() == [0.0, 400.0, 800.0]
    final = tracker.flush()
    assert final.timestamp.tolist() == [2.75] and final.altitude.tolist() == [1100.0]
    assert final.source.tolist() == [source] and sv.source.tolist() == [source] * 3
    assert len(tracker.flush()) == 0
    # The next batch starts a new bucket: emitted at once; same bucket as flushed: not again.
    sv = tracker.update(messages([{"timestamp": 2.9, "icao24": A, "altitude": 1.0}]), "t")
    assert len(sv) == 0
    sv = tracker.update(messages([{"timestamp": 3.1, "icao24": A, "altitude": 2.0}]), "t")
    assert sv.timestamp.tolist() == [3.1] and sv.altitude.tolist() == [2.0]


def test_geoaltitude_from_geo_minus_baro() -> None:
    tracker = Tracker(rate_s=0)
    sv = tracker.update(
        messages(
            [
                {"timestamp": 0.0, "icao24": A, "altitude": 10000.0},
                {"timestamp": 0.5, "icao24": A, "geo_minus_baro": 250.0, "groundspeed": 400.0},
                {"timestamp": 30.0, "icao24": A, "geo_minus_baro": 300.0},  # baro 30 s old
            ]
        ),
        "t",
    )
    assert sv.geoaltitude.tolist()[:2] == [pytest.approx(np.nan, nan_ok=True), 10250.0]
    assert len(sv) == 2


def test_onground_from_position_type_beats_flags() -> None:
    """Around takeoff the CA flag says airborne before positions do: no flapping events."""
    lat, lon = 49.0097, 2.5479
    tracker = Tracker(rate_s=0, reference=(lat, lon))
    tracker.update(
        messages(
            [
                {"timestamp": 0.0, "icao24": A, "sfc": (lat, lon, 0), "groundspeed": 5.0},
                {"timestamp": 1.0, "icao24": A, "sfc": (lat, lon, 1), "groundspeed": 5.0},
                {"timestamp": 2.0, "icao24": A, "onground": 0, "callsign": "AFR1"},  # CA flag
                {"timestamp": 2.5, "icao24": A, "sfc": (lat, lon + 0.001, 0)},
                mode_s(timestamp=3.0, icao24=A, onground=0, altitude=100.0),  # FS flag
                {"timestamp": 4.0, "icao24": A, "pos": (lat, lon + 0.01, 0), "altitude": 300.0},
                {"timestamp": 4.5, "icao24": A, "pos": (lat, lon + 0.012, 1)},
            ]
        ),
        "t",
    )
    events = tracker.events()
    flips = [(e.kind, e.timestamp, e.fields) for e in events if e.kind is EventKind.ONGROUND]
    assert flips == [(EventKind.ONGROUND, 4.0, {"onground": False})]
    snap = tracker.snapshot()[0]
    assert snap.onground is False and snap.kinds["onground"] == "adsb"
    assert snap.latitude == pytest.approx(lat, abs=1e-4)
    assert snap.longitude == pytest.approx(lon + 0.012, abs=1e-4)
    assert snap.position_source == "adsb"


def test_snapshot_and_len() -> None:
    tracker = Tracker()
    tracker.update(
        messages(
            [
                {"timestamp": 5.0, "icao24": A, "callsign": "BAW3AK", "squawk": 4321},
                {"timestamp": 6.0, "icao24": B, "non_icao": True, "altitude": 3000.0},
            ]
        ),
        "t",
    )
    assert len(tracker) == 2
    a, b = tracker.snapshot()
    assert (a.icao24, a.callsign, a.squawk, a.first_seen, a.latitude) == (
        "3c6444",
        "BAW3AK",
        "4321",
        5.0,
        None,
    )
    assert b.icao24 == "~4ca216" and b.altitude == 3000.0 and b.onground is None
    assert sorted(tracker.addresses()) == sorted([A, B | (1 << 24)])
    assert a.kinds == {"callsign": "adsb", "squawk": "adsb"}
    assert SourceKind.ADSB.name.lower() == "adsb"


def test_no_aircraft_state_stored_twice_in_one_millisecond() -> None:
    """The 2-hour soak stored 2 state vectors twice: the store keeps time to the millisecond,
    and the final flush emitted an update 0.3 ms after the row that opened its second (same
    stored (icao24, timestamp)); two frames either side of a second's boundary did the same
    while running. A row in the millisecond of the aircraft's last emitted row is that row."""

    def stored(*parts: Any) -> list[int]:
        return [int(v) for p in parts for v in p.to_arrow().column("timestamp").cast("int64")]

    rows = [{"timestamp": 56.215, "icao24": A, "altitude": 9175.0},
            {"timestamp": 57.2591, "icao24": A, "altitude": 9125.0},
            {"timestamp": 57.2594, "icao24": A, "altitude": 9125.0}]  # fmt: skip
    tracker = Tracker(rate_s=1.0)
    sv = tracker.update(messages(rows), "rx")
    assert stored(sv, tracker.flush()) == [56215, 57259]
    # the same, the second frame in the next batch (a later read of the feed)
    tracker = Tracker(rate_s=1.0)
    sv = tracker.update(messages(rows[:2]), "rx")
    later = tracker.update(messages(rows[2:]), "rx")
    assert stored(sv, later, tracker.flush()) == [56215, 57259]
    # either side of a second: two buckets, one stored millisecond
    edge = [{"timestamp": 56.9996, "icao24": A, "altitude": 9175.0},
            {"timestamp": 57.0002, "icao24": A, "altitude": 9125.0}]  # fmt: skip
    tracker = Tracker(rate_s=1.0)
    assert stored(tracker.update(messages(edge), "rx"), tracker.flush()) == [57000]
    # every update asked for (rate 0): each one a row, even two in one millisecond
    tracker = Tracker(rate_s=0)
    assert stored(tracker.update(messages(rows), "rx"), tracker.flush()) == [56215, 57259, 57259]
