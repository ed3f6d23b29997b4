"""Text inputs: AVR, hex lines (pyModeS samples), JSON lines (jet1090), SBS."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from skywitness.errors import InputError
from skywitness.model import FrameBatch, Observations, PositionSource, SourceKind
from skywitness.sources import open_source
from skywitness.stats import IngestStats

DATA = Path(__file__).resolve().parents[1] / "data"


def _frames(spec: str, **kw: object) -> tuple[FrameBatch, IngestStats]:
    stats = IngestStats()
    out = [b for b in open_source(spec, stats=stats, **kw) if isinstance(b, FrameBatch)]  # type: ignore[arg-type]
    return FrameBatch.concat(out), stats


def test_avr_fixture() -> None:
    b, stats = _frames(str(DATA / "avr_sample.avr"), start_time=1000.0)
    assert [b.hex(i) for i in range(len(b))] == [
        "8d4840d6202cc371c32ce0576098",
        "8d4840d6202cc371c32ce0576098",
        "5d4840d6f87407",
        "02e1",
        "20000ca8f70aa7",
        "8d4840d6202cc371c32ce0576098",
    ]
    assert b.ticks.tolist() == [0, 0x16D3A5B, 0x16D3A5C, 0x16D3A60, 0, 0x16D3A6B]
    assert np.isnan(b.timestamp[0]) and b.timestamp[1] == 1000.0
    assert b.timestamp[2] == pytest.approx(1000.0 + 1 / 12e6)
    assert b.signal[2] == pytest.approx(20 * np.log10(0x9F / 255), abs=1e-5)
    assert stats.rejected == {"bad_line": 1, "bad_hex": 2}
    assert stats.frames == 9


def test_avr_strict_names_the_line() -> None:
    with pytest.raises(InputError) as e:
        list(open_source(str(DATA / "avr_sample.avr"), stats=IngestStats(strict=True)))
    assert e.value.line == 8 and e.value.reason == "bad_line"


@pytest.mark.parametrize(
    ("name", "count", "t0", "first"),
    [
        ("data_20150303_raw.txt", 4516, 1425399144.846557, "5d4840d6f87407"),
        ("sample_data_adsb.csv", 2000, 1457996400.0, "8d406b909945de10000405999be4"),
        ("sample_data_commb_df20.csv", 5000, 1495353600.0, "a00015b7c26e1370aa00005dd34a"),
        ("ehs_20160310_with_reference.csv", 2000, 1457617492.197, "a0281838cae9e12fa037ff5db1e5"),
    ],
)
def test_hex_samples(shared_data: Path, name: str, count: int, t0: float, first: str) -> None:
    src = open_source(str(shared_data / "pymodes-tests" / name))
    b = FrameBatch.concat(list(src))  # type: ignore[arg-type]
    assert src.format == "hex"
    assert len(b) == count and b.hex(0) == first
    assert b.timestamp[0] == pytest.approx(t0, abs=1e-6)
    assert np.isfinite(b.timestamp).all()


def test_hex_csv_variants(tmp_path: Path) -> None:
    p = tmp_path / "frames.csv"
    p.write_bytes(
        b"timestamp,hex\n"
        b"1720248189.5,8D4840D6202CC371C32CE0576098\r\n"
        b"2024-07-06T06:43:10Z,5D4840D6F87407\n"
        b"1720248191500,8D4840D6202CC371C32CE0576098\n"
        b"bad,line\n"
        b"1720248192,8D4840D6202CC371C32CE05760\n"
        b"\xff\xfe,junk\n"
    )
    b, stats = _frames(str(p), fmt="hex")
    assert b.timestamp.tolist() == [1720248189.5, 1720248190.0, 1720248191.5]
    assert stats.rejected == {"bad_line": 2, "bad_encoding": 1}


def test_jsonl_tutorial(shared_data: Path) -> None:
    b, stats = _frames(str(shared_data / "traffic-raw-frames/tutorial.jsonl.gz"))
    assert len(b) == 71939 and not stats.rejected
    assert b.hex(0) == "8c3461ce399e40586b4ee4932241"
    assert b.timestamp[0] == 1717664319.147975


def test_jsonl_variants(tmp_path: Path) -> None:
    p = tmp_path / "x.jsonl"
    p.write_text(
        '{"timestamp": 1720248189.5, "frame": "8d4840d6202cc371c32ce0576098"}\n'
        '{"ts": 1720248190000, "rawmsg": "*5D4840D6F87407;"}\n'
        '{"time": "2024-07-06T06:43:11", "hex": "8D4840D6202CC371C32CE0576098"}\n'
        '{"timestamp": 1, "frame": "zz"}\n'
        '{"nothing": 1}\n'
        "[1, 2]\n"
        "{not json\n"
    )
    b, stats = _frames(str(p))
    assert b.timestamp.tolist() == [1720248189.5, 1720248190.0, 1720248191.0]
    assert b.hex(1) == "5d4840d6f87407"
    assert stats.rejected == {"bad_hex": 1, "bad_record": 2, "bad_line": 1}


def _obs(spec: str, **kw: object) -> tuple[list[Observations], IngestStats]:
    stats = IngestStats()
    return [o for o in open_source(spec, stats=stats, **kw) if isinstance(o, Observations)], stats  # type: ignore[arg-type]


def test_sbs_real(shared_data: Path) -> None:
    obs, stats = _obs(str(shared_data / "beastblackbox-example/beast_decoded_sbs.txt.gz"))
    o = obs[0]
    assert sum(len(x) for x in obs) == 8622
    assert stats.rejected == {"bad_line": 2}  # the two summary lines at the end
    assert o.timestamp[0] == pytest.approx(1522782148.136)
    assert f"{o.icao24[0]:06X}" == "400159"
    assert (o.kind == SourceKind.SBS).all()
    i = int(np.flatnonzero(o.altitude == 33000)[0])
    assert f"{o.icao24[i]:06X}" == "780A5C" and o.onground[i] == 0


def test_sbs_fixture() -> None:
    (o,), stats = _obs(str(DATA / "sbs_sample.sbs"))
    assert len(o) == 5 and stats.rejected == {"bad_line": 3}
    assert o.callsign[0] == "RYR5VK" and o.timestamp[0] == 1720248189.5
    assert (o.latitude[1], o.longitude[1], o.altitude[1]) == (48.85806, 2.29453, 36000.0)
    assert o.position_source[1] == PositionSource.OTHER
    assert (o.groundspeed[2], o.track[2], o.vertical_rate[2]) == (452.0, 271.4, -640.0)
    assert o.squawk[3] == 7700
    # GNSS values (H suffix), non-ICAO, on ground
    assert np.isnan(o.altitude[4]) and o.geoaltitude[4] == 37025.0 and o.vertical_rate[4] == 512
    assert bool(o.non_icao[4]) and o.icao24[4] == 0xA1B2C3 and o.onground[4] == 1


def test_sbs_time_zone() -> None:
    (o,), _ = _obs(str(DATA / "sbs_sample.sbs"), tz="Europe/Paris")
    assert o.timestamp[0] == 1720248189.5 - 7200  # CEST = UTC+2
