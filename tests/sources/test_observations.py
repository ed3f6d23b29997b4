"""Already-decoded inputs: readsb aircraft.json (v1 and v2 API), traces, OpenSky CSV and REST."""

from __future__ import annotations

import gzip
from pathlib import Path

import numpy as np
import pytest

from skywitness.model import Observations, PositionSource, SourceKind
from skywitness.sources import open_source
from skywitness.sources.readsb import ChangeFilter, JsonDocumentParser, aircraft_rows
from skywitness.sources.records import FPM_PER_MPS, FT_PER_M, KT_PER_MPS
from skywitness.stats import IngestStats

DATA = Path(__file__).resolve().parents[1] / "data"
TRACE = "traffic-trajectories/readsb/trace_full_ac671b.json"


def _one(spec: str) -> tuple[Observations, IngestStats, str]:
    stats = IngestStats()
    src = open_source(spec, stats=stats)
    out = list(src)
    assert len(out) == 1 and isinstance(out[0], Observations)
    return out[0], stats, src.format


def test_aircraft_json() -> None:
    o, stats, fmt = _one(str(DATA / "aircraft.json"))
    assert fmt == "readsb" and len(o) == 4
    assert stats.rejected == {"bad_record": 2} and stats.frames == 6
    assert o.icao24.tolist() == [0x393322, 0x2A0B1C, 0x3C6444, 0x4B1901]
    assert o.timestamp.tolist() == pytest.approx(
        [1720248189.1, 1720248186.3, 1720248188.0, 1720248177.5]
    )
    assert o.non_icao.tolist() == [False, True, False, False]
    assert o.callsign.tolist() == ["AFR34ZG", "", "DLH9AB", ""]
    assert o.kind.tolist() == [SourceKind.ADSB, SourceKind.TISB, SourceKind.MLAT, SourceKind.MODE_S]
    assert o.position_source.tolist() == [
        PositionSource.ADSB, PositionSource.TISB, PositionSource.MLAT, PositionSource.UNKNOWN,
    ]  # fmt: skip
    assert o.onground.tolist() == [0, 0, 1, 0]
    assert np.isnan(o.altitude[2])  # "ground"
    assert (o.altitude[0], o.geoaltitude[0], o.groundspeed[0], o.vertical_rate[0]) == (
        35000.0, 35575.0, 452.3, -64.0,
    )  # fmt: skip
    assert o.squawk.tolist() == [1000, -1, -1, 7700]


def test_aircraft_json_v2() -> None:
    o, stats, fmt = _one(str(DATA / "aircraft_v2.json"))
    assert fmt == "readsb" and not stats.rejected
    assert o.timestamp.tolist() == [1738699998.0, 1738699700.0]  # now in ms, minus seen_pos
    assert o.kind.tolist() == [SourceKind.ADSR, SourceKind.ADSC]
    assert o.position_source.tolist() == [PositionSource.ADSR, PositionSource.ADSC]
    assert o.vertical_rate[0] == 320.0  # geom_rate when no baro_rate


def test_trace(shared_data: Path) -> None:
    o, stats, fmt = _one(str(shared_data / TRACE))
    assert fmt == "trace" and len(o) == 2500 and not stats.rejected
    assert np.flatnonzero(o.new_leg).tolist() == [770, 1332, 1806]
    assert int((o.onground == 1).sum()) == 394
    assert (o.icao24 == 0xAC671B).all()
    assert o.timestamp[0] == 1738703622.619 and o.timestamp[2] == pytest.approx(1738703639.339)
    assert (o.latitude[0], o.longitude[0], o.altitude[0], o.geoaltitude[0]) == (
        16.777359, -88.036868, 32000.0, 33825.0,
    )  # fmt: skip
    assert (o.groundspeed[0], o.track[0], o.vertical_rate[0]) == (478.6, 327.8, 0.0)
    assert sorted(set(o.callsign.tolist()) - {""}) == ["DAL1615", "DAL1812", "DAL2418", "DAL2927"]
    assert o.squawk[3] == 4637
    assert (o.kind == SourceKind.ADSB).all() and (o.position_source == PositionSource.ADSB).all()


def test_trace_gzip_and_truncated(shared_data: Path, tmp_path: Path) -> None:
    raw = (shared_data / TRACE).read_bytes()
    full = tmp_path / "trace_full_ac671b.json"  # no .gz in the name: magic bytes decide
    full.write_bytes(gzip.compress(raw))
    o, stats, fmt = _one(str(full))
    assert fmt == "trace" and len(o) == 2500
    cut = tmp_path / "cut.json.gz"
    cut.write_bytes(gzip.compress(raw)[:20000])
    stats = IngestStats()
    assert list(open_source(str(cut), stats=stats)) == []
    assert stats.rejected == {"truncated": 2}  # the cut gzip stream, the cut JSON document


def test_opensky_csv() -> None:
    o, stats, fmt = _one(str(DATA / "opensky_states.csv"))
    assert fmt == "opensky" and len(o) == 2 and stats.rejected == {"bad_line": 1}
    assert o.timestamp.tolist() == [1654034399.5, 1654034390.0]  # last position / last contact
    assert o.altitude[0] == pytest.approx(10668.0 * FT_PER_M) == pytest.approx(35000.0)
    assert o.geoaltitude[0] == pytest.approx(36000.0)
    assert o.groundspeed[0] == pytest.approx(231.5 * KT_PER_MPS) == pytest.approx(450.0, abs=0.01)
    assert o.vertical_rate[0] == pytest.approx(-5.2 * FPM_PER_MPS)
    assert o.callsign[0] == "RYR1AB" and o.squawk[0] == 2104
    assert o.onground.tolist() == [0, 1] and o.kind.tolist() == [SourceKind.OTHER] * 2


def test_opensky_rest() -> None:
    o, stats, fmt = _one(str(DATA / "opensky_states.json"))
    assert fmt == "opensky" and len(o) == 3 and stats.rejected == {"bad_record": 1}
    assert o.timestamp.tolist() == [1654034399.0, 1654034395.0, 1654034398.0]
    assert o.position_source.tolist() == [
        PositionSource.ADSB, PositionSource.UNKNOWN, PositionSource.MLAT,
    ]  # fmt: skip
    assert o.vertical_rate[2] == pytest.approx(500.0)
    assert o.altitude[2] == pytest.approx(1000.0 / 0.3048)
    assert o.onground.tolist() == [0, 1, 0] and o.squawk.tolist() == [2104, -1, 7700]


def test_change_filter() -> None:
    stats = IngestStats()
    p = JsonDocumentParser(stats, "poll", aircraft_rows)
    doc = (DATA / "aircraft.json").read_bytes()
    f = ChangeFilter()
    (a,) = p.parse(doc, None)
    assert len(f(a, 0.0)) == 4
    (b,) = p.parse(doc.replace(b"1720248189.5", b"1720248190.5"), None)
    assert len(f(b, 1.0)) == 0  # nothing changed but the time
    (c,) = p.parse(doc.replace(b'"gs":452.3', b'"gs":453.0'), None)
    changed = f(c, 2.0)
    assert changed.icao24.tolist() == [0x393322] and changed.groundspeed[0] == 453.0
