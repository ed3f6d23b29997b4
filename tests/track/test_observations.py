"""Already-decoded reports (SBS, readsb, OpenSky) through the tracker, and the Arrow output."""

from __future__ import annotations

from typing import Any

import numpy as np
import pyarrow as pa

from skywitness.model import Observations, PositionSource, SourceKind
from skywitness.stats import IngestStats
from skywitness.track import EventKind, StateVectors, Tracker, icao24_hex, state_schema

A = 0x3C6444
B = 0x4CA216


def _obs(rows: list[dict[str, Any]]) -> Observations:
    o = Observations.empty(len(rows), source="sbs:test")
    for i, r in enumerate(rows):
        for k, v in r.items():
            getattr(o, k)[i] = v
    return o


def test_observations_share_state_gates_and_trust() -> None:
    stats = IngestStats()
    tracker = Tracker(rate_s=0, stats=stats)
    adsb, mlat, sbs = int(SourceKind.ADSB), int(SourceKind.MLAT), int(SourceKind.SBS)
    p_adsb, p_mlat = int(PositionSource.ADSB), int(PositionSource.MLAT)
    obs = _obs(
        [
            {"timestamp": 0.0, "icao24": A, "latitude": 48.0, "longitude": 2.0,
             "kind": adsb, "position_source": p_adsb, "onground": 0, "callsign": "AFR1"},
            # MLAT 5 s after an ADS-B position: not taken (ADS-B is fresh for 15 s).
            {"timestamp": 5.0, "icao24": A, "latitude": 48.01, "longitude": 2.0,
             "kind": mlat, "position_source": p_mlat},
            # A 3° jump in 5 s: implausible, counted, never a reference.
            {"timestamp": 10.0, "icao24": A, "latitude": 51.0, "longitude": 2.0,
             "kind": adsb, "position_source": p_adsb},
            {"timestamp": 20.0, "icao24": A, "latitude": 48.02, "longitude": 2.0,
             "kind": mlat, "position_source": p_mlat, "squawk": 7700},
            {"timestamp": 1.0, "icao24": B, "altitude": 3000.0, "kind": sbs, "squawk": 1200,
             "onground": 1},
            {"timestamp": 2.0, "icao24": 0, "altitude": 1.0},  # no address: a bad record
        ]
    )  # fmt: skip
    sv = tracker.update_observations(obs)
    assert stats.rejected == {"implausible_position": 1, "bad_record": 1}
    # Rows per update, sorted by (aircraft, time): A's three updates, then B.
    assert sv.icao24_hex().tolist() == ["3c6444", "3c6444", "4ca216"]
    assert sv.timestamp.tolist() == [0.0, 20.0, 1.0]
    assert sv.latitude.tolist() == [48.0, 48.02, np.nan] or np.isnan(sv.latitude[2])
    assert sv.position_source.tolist() == ["adsb", "mlat", ""]
    assert sv.source.tolist() == ["sbs:test"] * 3
    kinds = [(e.kind, e.icao24) for e in tracker.events()]
    assert (EventKind.SQUAWK, "3c6444") in kinds
    assert kinds.count((EventKind.SEEN, "4ca216")) == 1
    assert stats.positions == 2

    table = sv.to_arrow()
    assert table.schema == state_schema()
    assert table.column("timestamp").to_pylist()[1].isoformat() == "1970-01-01T00:00:20+00:00"
    assert table.column("squawk").to_pylist() == [None, "7700", "1200"]
    assert table.column("onground").to_pylist() == [False, False, True]
    assert table.column("callsign").to_pylist() == ["AFR1", "AFR1", None]
    assert table.column("latitude").to_pylist()[2] is None
    assert table.column("altitude").to_pylist() == [None, None, 3000.0]


def test_state_vectors_helpers() -> None:
    keys = np.array([0x00ABCD, 0xFFFFFF, B | (1 << 24)], dtype=np.uint32)
    assert icao24_hex(keys).tolist() == ["00abcd", "ffffff", "~4ca216"]
    empty = StateVectors.empty()
    assert len(empty) == 0 and empty.to_arrow().schema == state_schema()
    assert len(StateVectors.concat([empty, empty])) == 0
    table = StateVectors.concat([empty]).to_arrow()
    assert isinstance(table, pa.Table) and table.column_names[0] == "timestamp"
