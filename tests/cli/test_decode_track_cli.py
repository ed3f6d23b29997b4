"""The ``decode`` and ``track`` commands end to end, on the real samples and on small fixtures.

Acceptance 4 of the ingest issue: every input kind gives the canonical columns in canonical
units (ft, kt, ft/min, deg, UTC), checked on exact values.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pyarrow.parquet as pq
import pytest

from skywitness.cli.main import main
from skywitness.model import STATE_COLUMNS

from ..conftest import TEST_DATA

LFPG = "49.0097,2.5479"


def _track(tmp_path: Path, *args: str) -> list[dict[str, Any]]:
    out = tmp_path / "states.parquet"
    assert main(["track", *args, "-o", str(out), "-q"]) == 0
    table = pq.read_table(out)
    assert tuple(table.column_names) == STATE_COLUMNS
    rows: list[dict[str, Any]] = table.to_pylist()
    return rows


def _at(rows: list[dict[str, Any]], icao24: str) -> list[dict[str, Any]]:
    return [r for r in rows if r["icao24"] == icao24]


def test_track_full_flight_gate_to_gate(shared_data: Path, tmp_path: Path) -> None:
    src = shared_data / "traffic-raw-frames" / "full_flight_short.jsonl.gz"
    rows = _track(tmp_path, str(src), "--reference", LFPG)
    assert {r["icao24"] for r in rows} == {"393322"}
    assert {r["callsign"] for r in rows} - {None} == {"AFR34ZG"}
    with_pos = [r for r in rows if r["latitude"] is not None]
    first, last = with_pos[0], with_pos[-1]
    assert first["onground"] is True and last["onground"] is True
    assert round(first["latitude"], 4) == 49.0058 and round(first["longitude"], 4) == 2.5735
    assert round(last["latitude"], 4) == 43.6292 and round(last["longitude"], 4) == 1.3740
    assert first["position_source"] == "adsb"
    # at most one row per aircraft per second, but for the final state flushed at the end
    seconds = [int(r["timestamp"].timestamp()) for r in rows[:-1]]
    assert len(seconds) == len(set(seconds))
    assert rows[0]["timestamp"] == datetime(2024, 7, 6, 6, 43, 9, 525000, tzinfo=UTC)
    cruise = max(r["altitude"] or 0 for r in rows)
    assert 30000 <= cruise <= 40000  # ft, not m


def test_track_rate_zero_gives_every_update(shared_data: Path, tmp_path: Path) -> None:
    src = shared_data / "traffic-raw-frames" / "full_flight_short.jsonl.gz"
    every = _track(tmp_path, str(src), "--reference", LFPG, "--rate", "0")
    assert len(every) > 4 * len(_track(tmp_path, str(src), "--reference", LFPG))


def test_readsb_trace_canonical(shared_data: Path, tmp_path: Path) -> None:
    src = shared_data / "traffic-trajectories" / "readsb" / "trace_full_ac671b.json"
    rows = _track(tmp_path, str(src), "--rate", "0")
    assert {r["icao24"] for r in rows} == {"ac671b"}
    trace = json.loads(src.read_text())
    base = trace["timestamp"]
    point = trace["trace"][0]
    first = rows[0]
    assert first["timestamp"].timestamp() == pytest.approx(base + point[0], abs=1e-3)
    assert first["latitude"] == pytest.approx(point[1]) and first["longitude"] == pytest.approx(
        point[2]
    )
    assert first["altitude"] == point[3] and first["groundspeed"] == pytest.approx(point[4])
    assert sum(1 for r in rows if r["onground"]) > 0
    assert {r["callsign"] for r in rows} >= {"DAL1812", "DAL2927", "DAL2418", "DAL1615"}


def test_aircraft_json_canonical(tmp_path: Path) -> None:
    rows = _track(tmp_path, str(TEST_DATA / "aircraft.json"), "--rate", "0")
    afr = _at(rows, "393322")[0]
    assert afr["callsign"] == "AFR34ZG"
    assert afr["altitude"] == 35000 and afr["geoaltitude"] == 35575
    assert afr["groundspeed"] == pytest.approx(452.3) and afr["track"] == pytest.approx(181.2)
    assert afr["vertical_rate"] == -64 and afr["squawk"] == "1000"
    assert afr["latitude"] == pytest.approx(46.123456) and afr["position_source"] == "adsb"
    assert afr["timestamp"].timestamp() == pytest.approx(1720248189.5 - 0.4, abs=1e-3)


def test_opensky_csv_converts_si_units(tmp_path: Path) -> None:
    rows = _track(tmp_path, str(TEST_DATA / "opensky_states.csv"), "--rate", "0")
    ryr = _at(rows, "4ca7b5")[0]
    assert ryr["altitude"] == pytest.approx(10668.0 / 0.3048)  # m → ft
    assert ryr["geoaltitude"] == pytest.approx(10972.8 / 0.3048)
    assert ryr["groundspeed"] == pytest.approx(231.5 * 3600 / 1852)  # m/s → kt
    assert ryr["vertical_rate"] == pytest.approx(-5.2 * 60 / 0.3048)  # m/s → ft/min
    assert ryr["callsign"] == "RYR1AB" and ryr["squawk"] == "2104"
    assert ryr["timestamp"].timestamp() == pytest.approx(1654034399.5)


def test_sbs_canonical(tmp_path: Path) -> None:
    rows = _track(tmp_path, str(TEST_DATA / "sbs_sample.sbs"), "--rate", "0")
    ryr = _at(rows, "4ca2d6")
    with_pos = next(r for r in ryr if r["latitude"] is not None)
    assert with_pos["altitude"] == 36000
    assert with_pos["latitude"] == pytest.approx(48.85806)
    assert with_pos["longitude"] == pytest.approx(2.29453)
    assert ryr[-1]["groundspeed"] == 452 and ryr[-1]["vertical_rate"] == -640
    assert ryr[-1]["callsign"] == "RYR5VK"


def test_decode_jsonl_stdout_and_summary(
    shared_data: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    src = shared_data / "traffic-raw-frames" / "sample_dump1090.bin"
    assert main(["decode", str(src)]) == 0
    captured = capsys.readouterr()
    lines = [json.loads(x) for x in captured.out.splitlines()]
    assert len(lines) == 239
    df17 = [x for x in lines if x["df"] == 17]
    assert len(df17) == 23
    assert "frames/records read" in captured.err and "239" in captured.err


def test_decode_csv_output_keeps_rejects(shared_data: Path, tmp_path: Path) -> None:
    src = shared_data / "beastblackbox-example" / "ulss7-beast-bin-utc--1522782148.136310917--.log"
    out = tmp_path / "frames.csv"
    assert main(["decode", str(src), "-o", str(out), "-q"]) == 0
    text = out.read_text().splitlines()
    assert len(text) == 1 + 13954
    assert sum(1 for x in text if '"unknown_address"' in x) == 6  # dump1090 warns about 6 too
    assert text[1].startswith('"2018-04-03T19:02:28.136311Z"')


def test_missing_file_is_a_clear_error(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["decode", str(tmp_path / "nope.bin"), "-q"]) == 1
    assert "nope.bin" in capsys.readouterr().err


def test_strict_names_file_and_line(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    bad = tmp_path / "bad.jsonl"
    good = '{"timestamp": 1720248189.5, "frame": "8f393322384a02aea63afc43dcba"}'
    bad.write_text(good + "\n" + "not json at all\n")
    assert main(["decode", str(bad), "--strict", "-q"]) == 1
    err = capsys.readouterr().err
    assert "bad.jsonl" in err and "line 2" in err


def test_garbage_counts_but_does_not_crash(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    bad = tmp_path / "junk.bin"
    bad.write_bytes(bytes(range(256)) * 64)
    # counted, no traceback; nothing usable in it: exit 1, saying so
    assert main(["decode", str(bad), "--format", "beast"]) == 1
    err = capsys.readouterr().err
    assert "rejected" in err and f"{bad}:" in err


def test_every_command_is_registered_by_its_module() -> None:
    import argparse
    import importlib

    from skywitness.cli.main import COMMANDS

    for name, module in COMMANDS.items():
        parser = argparse.ArgumentParser()
        sub = parser.add_subparsers(dest="command")
        importlib.import_module(module).register(sub)
        assert name in sub.choices, f"{module} does not register {name!r}"


def test_surface_positions_resolve_at_airports_without_reference(
    shared_data: Path, tmp_path: Path
) -> None:
    """No --reference: the surface CPR candidate next to a known airport is taken (CDG)."""
    src = shared_data / "traffic-raw-frames" / "full_flight_short.jsonl.gz"
    rows = _track(tmp_path, str(src))
    with_pos = [r for r in rows if r["latitude"] is not None]
    first, last = with_pos[0], with_pos[-1]
    assert first["onground"] is True
    assert first["latitude"] == pytest.approx(49.0058, abs=1e-4)
    assert first["longitude"] == pytest.approx(2.5735, abs=1e-4)
    assert last["latitude"] == pytest.approx(43.6292, abs=1e-4)
    assert last["longitude"] == pytest.approx(1.3740, abs=1e-4)
    # the first fix needs an even/odd pair: it comes 10 s after the first frame
    assert first["timestamp"] == datetime(2024, 7, 6, 6, 43, 19, 464000, tzinfo=UTC)
