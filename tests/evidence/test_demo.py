"""Acceptance on the simulated caracas scenario: the Russian state flights to Venezuela, the
evidence pack, verify (every file, one byte changed) and --rerun, and a question with no match."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import pyarrow.parquet as pq
import pytest

from skywitness.evidence.manifest import MANIFEST, read_manifest
from skywitness.store import STATE_SCHEMA

from .conftest import cli

QUESTION = [
    "--registry-country", "RU", "--military", "--government", "--via-country", "VE",
    "--since", "2019-09-15", "--until", "2019-09-25",
    "--text", "Russian state aircraft that flew to Venezuela between 2019-09-15 and 2019-09-25",
]  # fmt: skip
#: Positions of the two matching flights (deterministic: the scenario has a fixed seed).
DEMO_POSITIONS = 16_470


@pytest.fixture(scope="module")
def demo_pack(demo_store: Path, tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str]:
    pack = tmp_path_factory.mktemp("pack") / "caracas"
    code, out = cli(
        ["investigate", "--data-dir", str(demo_store), *QUESTION, "--report", str(pack)]
    )
    assert code == 0, out
    return pack, out


def test_answers_both_aircraft(demo_pack: tuple[Path, str]) -> None:
    pack, out = demo_pack
    flights = json.loads((pack / "flights.json").read_text())
    got = [
        (
            f["icao24"],
            f["callsign"],
            f["estDepartureAirport"],
            f["takeoff_time"][:16],
            f["estArrivalAirport"],
            f["landing_time"][:16],
            f["gaps_bridged"],
            f["identity"]["classification"],
            f["identity"]["country"],
        )
        for f in flights
    ]
    ru = ("military", "Russia")
    assert got == [
        ("1551e0", "RFF7073", "UUWW", "2019-09-20T05:15", "SVMI", "2019-09-20T17:07", 2, *ru),
        ("154073", "RFF8322", "UUMU", "2019-09-20T06:10", "SVMI", "2019-09-20T18:52", 2, *ru),
    ]
    answer = read_manifest(pack)["answer"]
    assert answer.startswith(
        "2 flights of 2 aircraft match. 1551e0 RA-86496 RFF7073 (military, registered in Russia, "
        "Russian Air Force) left Vnukovo"
    )
    assert "left Vnukovo International Airport (UUWW) at 2019-09-20 05:15Z, observed" in answer
    assert "left Chkalovskiy Airport (UUMU) at 2019-09-20 06:10Z, observed" in answer
    assert "out of coverage over the North Atlantic for 9 h 20 min, from 07:07Z" in answer
    assert "out of coverage over the North Atlantic for 9 h 57 min, from 08:13Z" in answer
    assert "the track there is estimated (2 gap(s) bridged)" in answer
    # the terminal shows the table and the same answer
    assert "UUWW 2019-09-20 05:15Z" in out and "UUMU 2019-09-20 06:10Z" in out
    assert "SVMI 2019-09-20 17:07Z" in out and "SVMI 2019-09-20 18:52Z" in out
    assert "over the North Atlantic for 9 h 57 min" in out


def test_pack_exports_the_data_used(demo_pack: tuple[Path, str]) -> None:
    pack, _ = demo_pack
    positions = pq.read_table(pack / "positions.parquet")
    assert positions.schema.names == STATE_SCHEMA.names
    assert positions.num_rows == DEMO_POSITIONS
    assert sorted(set(positions.column("icao24").to_pylist())) == ["154073", "1551e0"]
    csv_lines = (pack / "positions.csv").read_text().splitlines()
    assert len(csv_lines) == DEMO_POSITIONS + 1
    assert csv_lines[0].replace('"', "").split(",") == STATE_SCHEMA.names
    tracks = json.loads((pack / "tracks.geojson").read_text())
    # per aircraft three observed runs (Moscow area, the receiver on the way, Caracas) and the
    # two silences between them drawn as estimated segments, never as observed lines
    kinds = [(f["properties"]["icao24"], f["properties"]["kind"]) for f in tracks["features"]]
    runs = ["observed", "estimated", "observed", "estimated", "observed"]
    assert kinds == [("154073", k) for k in runs] + [("1551e0", k) for k in runs]
    kml = (pack / "tracks.kml").read_text()
    assert kml.count("<Folder>") == 2 and kml.count("<styleUrl>#estimated</styleUrl>") == 4
    assert len((pack / "flights.csv").read_text().splitlines()) == 3
    manifest = read_manifest(pack)
    assert manifest["skywitness_version"] == "0.1.0"
    assert manifest["command"][:2] == ["skywitness", "investigate"]
    assert manifest["question"]["registry_country"] == ["RU"]
    assert manifest["question"]["class"] == ["military", "government"]
    (inp,) = manifest["inputs"]
    assert inp["source"].endswith("caracas.jsonl") and len(inp["sha256"]) == 64
    assert inp["rows_read"] == 245_627 and inp["rows_stored"] == 46_226
    assert sorted(manifest["files"]) == [
        "flights.csv", "flights.json", "positions.csv", "positions.parquet", "report.html",
        "tracks.geojson", "tracks.kml",
    ]  # fmt: skip
    assert [(r["source"], r["kind"], r["rows_read"]) for r in manifest["reference_inputs"]] == [
        ("tar1090", "tar1090", 619_472),
        ("planealert", "planealert", 17_198),
    ]
    facts = {
        f["field"]: f
        for f in json.loads((pack / "flights.json").read_text())[0]["identity"]["facts"]
    }
    assert facts["registration"] == {
        "field": "registration",
        "value": "RA-86496",
        "source": "tar1090 sha256:7487617468a7",
    }
    assert facts["watchlist_class"]["source"] == "planealert sha256:a4309bfc15f7"
    cov = {c["place"]: c for c in manifest["coverage"]}
    assert cov["Venezuela"]["rows"] == 13_805 and cov["Venezuela"]["aircraft"] == 5
    assert cov["Venezuela"]["hours_with_data"] == 5 and cov["Venezuela"]["hours_total"] == 264


def test_verify_names_each_changed_file(demo_pack: tuple[Path, str], tmp_path: Path) -> None:
    pack = tmp_path / "copy"
    shutil.copytree(demo_pack[0], pack)
    code, out = cli(["verify", str(pack)])
    assert (code, out.strip()) == (0, "all 8 files match their SHA-256")
    for path in sorted(pack.iterdir()):
        original = path.read_bytes()
        changed = bytearray(original)
        changed[len(changed) // 2] ^= 0x01
        path.write_bytes(bytes(changed))
        code, out = cli(["verify", str(pack)])
        # Which byte sits mid-file depends on the pack's paths and times; a flip there may
        # leave manifest.json unparseable, and verify then says why after the name.
        why = r"( \(.+\))?" if path.name == MANIFEST else ""
        assert code == 1 and re.fullmatch(rf"changed: {re.escape(path.name)}{why}", out.strip())
        path.write_bytes(original)
    (pack / "flights.csv").unlink()
    assert cli(["verify", str(pack)]) == (1, "missing: flights.csv\n")


def test_rerun_on_unchanged_store(demo_pack: tuple[Path, str], demo_store: Path) -> None:
    code, out = cli(["verify", str(demo_pack[0]), "--rerun"])
    assert code == 0, out
    assert out.splitlines()[-1] == f"rerun: the answer from {demo_store} is unchanged"


def test_rerun_reports_a_different_answer(demo_pack: tuple[Path, str], tmp_path: Path) -> None:
    """A pack whose recorded question now matches differently (edited and re-sealed)."""
    from skywitness.evidence.manifest import file_entries, manifest_bytes

    pack = tmp_path / "copy"
    shutil.copytree(demo_pack[0], pack)
    doc = read_manifest(pack)
    doc.pop("manifest_sha256")
    doc["question"]["icao24"] = ["1551e0"]
    doc["files"] = file_entries(pack, sorted(doc["files"]))
    (pack / MANIFEST).write_bytes(manifest_bytes(doc))
    code, out = cli(["verify", str(pack), "--rerun"])
    assert code == 1
    assert "rerun: flights.json: the data now differs from the pack" in out
    assert "rerun: answer now reads: 1 flight of 1 aircraft match." in out


def test_sequence_question(demo_store: Path) -> None:
    code, out = cli(["investigate", "--data-dir", str(demo_store), "--sequence", "UUWW,SVMI,14"])
    assert code == 0
    assert "2 flights of 2 aircraft match. 1551e0 RA-86496 RFF7073" in out
    code, out = cli(["investigate", "--data-dir", str(demo_store), "--sequence", "UUWW,SVMI,12"])
    # last seen within 30 nm of UUWW to first within 30 nm of SVMI: RFF7073 11 h 35 min,
    # RFF8322 12 h 24 min (it left Chkalovskiy, 27 nm from Vnukovo)
    assert "1 flight of 1 aircraft match. 1551e0 RA-86496 RFF7073" in out


def test_no_match_says_so_with_coverage(demo_store: Path, tmp_path: Path) -> None:
    code, out = cli(
        [
            "investigate", "--data-dir", str(demo_store), "--registry-country", "US",
            "--via-country", "VE", "--since", "2019-09-20", "--until", "2019-09-20",
            "--report", str(tmp_path / "none"),
        ]
    )  # fmt: skip
    assert code == 0
    answer = read_manifest(tmp_path / "none")["answer"]
    source = demo_store.parent / "caracas.jsonl"  # the source column names the ingested file
    assert answer == (
        "No flight matches the question (11 flight(s) in the store overlap the time asked). "
        "Coverage: In Venezuela between 2019-09-20T00:00:00Z and 2019-09-21T00:00:00Z: 13,805 "
        f"state vectors of 5 aircraft (by source: {source} 13,805); data in 5 of 24 "
        "hours, from 2019-09-20T14:02:41.104Z to 2019-09-20T18:57:50.312Z."
    )
    assert "No flight matches the question" in out
    code, out = cli(
        ["investigate", "--data-dir", str(demo_store), "--via", "SVMI", "--since", "2019-09-01",
         "--until", "2019-09-10"]
    )  # fmt: skip
    assert "No flight matches the question (0 flight(s) in the store overlap" in out
    assert "no state vectors at all from any source" in out
