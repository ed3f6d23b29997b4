"""decode_batch against the traffic samples' rs1090 reference decode (real jet1090 recordings).

Every frame must decode; wherever the reference has a value we must agree, or the disagreement
must carry a reason that ``reference.traffic_reason`` has checked (a second oracle, or a
documented quirk of the reference). The per-field table is printed (``pytest -s``).
"""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import numpy as np
import pytest

from skywitness.model import Messages, RejectReason, SourceKind

from .ref_traffic import (
    REQUIRED,
    TrafficRef,
    ambiguity_summary,
    compare_traffic,
    load_traffic,
    traffic_reason,
)
from .reference import decode_hex

#: Disagreements per reference field, every one with a checked reason (see the printed table).
EXPECTED_DISAGREEMENTS = {
    "full_flight_short": {
        "IAS": 8,
        "Mach": 8,
        "altitude": 4,
        "bds": 8,
        "groundspeed": 889,
        "heading": 8,
        "selected_mcp": 4378,
        "squawk": 1,
        "vrate_barometric": 130,
    },
    "tutorial": {
        "altitude": 287,
        "bds": 1,
        "callsign": 2,
        "groundspeed": 1125,
        "selected_altitude": 4320,
        "selected_mcp": 4803,
        "squawk": 9,
        "vrate_barometric": 1472,
    },
}
#: DF mix from SOURCE.md.
EXPECTED_DF = {
    "full_flight_short": {0: 15691, 16: 810, 4: 4296, 5: 1031, 17: 15573, 20: 7770, 21: 12622},
    "tutorial": {17: 30900, 20: 22581, 21: 18458},
}


@pytest.fixture(scope="module", params=sorted(EXPECTED_DF))
def decoded(request: pytest.FixtureRequest, shared_data: Path) -> tuple[str, TrafficRef, Messages]:
    name = str(request.param)
    ref = load_traffic(shared_data / "traffic-raw-frames" / f"{name}.jsonl.gz")
    return name, ref, decode_hex(ref.frames, ref.timestamps)


def test_every_frame_decoded(decoded: tuple[str, TrafficRef, Messages]) -> None:
    name, ref, msg = decoded
    assert len(msg) == len(ref.frames)
    assert (msg.reject == RejectReason.OK).all()
    assert dict(Counter(msg.df.tolist())) == EXPECTED_DF[name]
    np.testing.assert_array_equal(msg.timestamp, np.asarray(ref.timestamps))
    adsb = msg.df == 17
    assert (msg.kind[adsb] == SourceKind.ADSB).all() and msg.address_verified[adsb].all()
    ap = np.isin(msg.df, (0, 4, 5, 16, 20, 21))
    assert (msg.kind[ap] == SourceKind.MODE_S).all() and not msg.address_verified[ap].any()


def test_field_agreement_with_reasons(decoded: tuple[str, TrafficRef, Messages]) -> None:
    name, ref, msg = decoded
    agreement = compare_traffic(ref, msg, traffic_reason)
    print()
    print(agreement.report(f"traffic {name} vs rs1090 reference"))
    print(ambiguity_summary(ref, msg))
    assert agreement.unexplained() == []
    counts = Counter(d.key for d in agreement.disagreements)
    assert dict(counts) == EXPECTED_DISAGREEMENTS[name]
    # The identity, register and position fields agree everywhere the reference has them.
    for key in ("icao24", "df", "lat_cpr", "lon_cpr", "parity", "track", "vertical_rate"):
        assert agreement.ratio(key) == 1.0, key
    for key in REQUIRED:
        assert agreement.total[key] > 0, key


def test_known_frames(decoded: tuple[str, TrafficRef, Messages]) -> None:
    name, ref, msg = decoded
    rows = {f: i for i, f in enumerate(ref.frames)}
    if name == "full_flight_short":
        first = msg.row(rows["8f393322384a02aea63afc43dcba"])
        assert first["icao24"] == 0x393322 and first["typecode"] == 7 and first["onground"] == 1
        assert (first["groundspeed"], first["track"]) == (0.375, 90.0)
        assert (first["cpr_lat"], first["cpr_lon"], first["cpr_odd"]) == (87891, 15100, 0)
        ident = msg.row(rows["8f393322200464b3d1a1e03df1bf"])
        assert ident["callsign"] == "AFR34ZG" and ident["bds"] == 0x08
        vel = msg.row(rows["8d3933229914a182408c8a8bf9bb"])
        assert vel["groundspeed"] == pytest.approx(160.90059042775448)
        assert vel["track"] == pytest.approx(263.93507755455204)
        assert (vel["vertical_rate"], vel["geo_minus_baro"]) == (2176.0, -225.0)
        # DF4 delivered in a 14-byte buffer: decoded from its first 56 bits.
        df4 = msg.row(rows["212800bf40f1ef7e5817e9cc428d"])
        assert (df4["df"], df4["icao24"], df4["altitude"], df4["onground"]) == (
            4,
            0x393322,
            575.0,
            1,
        )
    else:
        tss = msg.row(rows["8d3461ceea0dc870013c0028c2c4"])
        assert tss["selected_altitude"] == 7008.0 and tss["baro_setting"] == pytest.approx(1015.2)
        assert (tss["nac_p"], tss["bds"]) == (9, 0x62)
