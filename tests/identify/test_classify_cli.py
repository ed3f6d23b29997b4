"""classify_many agrees with identify; the CLI works in-process with and without a catalogue."""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import Any

import httpx
import numpy as np
import pytest

from skywitness.cli import aircraft_cmd
from skywitness.identify.classify import Classification, ReasonKind, classify_many
from skywitness.identify.download import DOWNLOADS, download
from skywitness.identify.identity import identify
from skywitness.identify.operators import builtin_operators, designator_of


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="skywitness")
    sub = parser.add_subparsers()
    aircraft_cmd.register(sub)
    aircraft_cmd.register_db_commands(sub.add_parser("db").add_subparsers())
    return parser


def _run(argv: list[str]) -> int:
    args = _parser().parse_args(argv)
    return int(args.func(args))


def test_classify_many_matches_identify(
    catalog_con: Any, trajectories: dict[str, set[str]]
) -> None:
    icaos = sorted(trajectories)
    callsigns = [min(trajectories[i]) if trajectories[i] else "" for i in icaos]
    res = classify_many(catalog_con, np.array(icaos), np.array(callsigns))
    # identify() per row is slow-ish (one DB query each): check every non-civil or listed row
    # and the first 100 others.
    check = sorted(
        set(np.flatnonzero((res.classification > 0) | res.watchlisted).tolist()) | set(range(100))
    )
    for i in check:
        icao, cs = icaos[i], callsigns[i]
        ident = identify(catalog_con, icao, cs or None)
        assert Classification(res.classification[i]).label == ident.classification, icao
        kinds = {r.kind for r in ident.reasons}
        assert {k.label for k in ReasonKind if k and res.reasons[i] & k} == kinds, icao
    counts = np.bincount(res.classification, minlength=4).tolist()
    assert counts == [1076, 31, 0, 8]  # civil, government, police, military
    assert int(res.watchlisted.sum()) == 51


def test_military_samples_without_database() -> None:
    res = classify_many(
        None, np.array(["ae0455", "3b7777", "393322"]), np.array(["PSWRD35", "FAF4011", "AFR34ZG"])
    )
    assert res.classification.tolist() == [3, 3, 0]
    assert res.reasons.tolist() == [4, 4 | 8, 0]


def test_callsign_designators() -> None:
    assert designator_of("RCH123") == "RCH" and designator_of("rff7075 ") == "RFF"
    assert designator_of("FGALN") == "" and designator_of("PSWRD35") == ""
    ops = builtin_operators()
    assert ops["RSD"].klass == "government" and ops["UKP"].klass == "police"
    assert identify(None, None, "SPAR19").classification == "military"


def test_builtin_designators_agree_with_tar1090_operators(shared_data: Path) -> None:
    import csv

    names = {
        "United States": "US",
        "United Kingdom": "GB",
        "Russia": "RU",
        "Germany": "DE",
        "France": "FR",
        "Canada": "CA",
        "Australia": "AU",
    }
    with (shared_data / "tar1090-db" / "operators.csv").open(encoding="utf-8") as fh:
        theirs = {r["icao_designator"]: r for r in csv.DictReader(fh)}
    for code, op in builtin_operators().items():
        assert code in theirs, code
        country = theirs[code]["country"]
        if country in names:
            assert names[country] == op.country, code


def test_cli_builtin_only(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert (
        _run(
            [
                "aircraft",
                "N899DN",
                "3b7777",
                "RFF7075",
                "--json",
                "--data-dir",
                str(tmp_path / "none"),
            ]
        )
        == 0
    )
    out = [json.loads(x) for x in capsys.readouterr().out.splitlines()]
    assert [o["icao24"] for o in out] == ["ac671b", "3b7777", ""]
    assert [o["matched_by"] for o in out] == ["n-number", "icao24", "callsign"]
    assert [o["classification"] for o in out] == ["civil", "military", "military"]
    assert out[0]["registration"] == "N899DN" and out[1]["country_iso2"] == "FR"
    assert _run(["aircraft", "!!", "--data-dir", str(tmp_path)]) == 1


def test_cli_import_and_lookup(
    tmp_path: Path, shared_data: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    pa_csv = str(shared_data / "plane-alert-db" / "plane-alert-db.csv")
    assert (
        _run(["db", "import-aircraft", pa_csv, "--kind", "planealert", "--data-dir", str(tmp_path)])
        == 0
    )
    assert "17198 rows" in capsys.readouterr().out
    assert (
        _run(["db", "import-aircraft", pa_csv, "--kind", "planealert", "--data-dir", str(tmp_path)])
        == 0
    )
    assert "nothing changed" in capsys.readouterr().out
    assert _run(["aircraft", "ae503d", "--data-dir", str(tmp_path)]) == 0
    text = capsys.readouterr().out
    assert "classification: military" in text and "Governments" in text
    assert "planealert sha256:" in text


def test_download_with_mock_transport(tmp_path: Path) -> None:
    body = b"$ICAO,$Registration\nAE503D,09-0540\n"

    def handler(request: httpx.Request) -> httpx.Response:
        assert str(request.url) == DOWNLOADS["planealert"][1]
        return httpx.Response(200, content=body)

    with httpx.Client(transport=httpx.MockTransport(handler)) as client:
        path = download("planealert", tmp_path, client=client)
    assert path.read_bytes() == body and path.suffix == ".csv"


def test_cli_shows_last_position_and_recent_flights(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """With a store's ``states`` view and ``flights`` table present (stand-ins made here)."""
    import duckdb

    con = duckdb.connect(str(tmp_path / "catalog.duckdb"))
    con.execute(
        """CREATE TABLE states AS SELECT * FROM (VALUES
           (TIMESTAMPTZ '2025-02-05 19:54:38+00', 'ac671b', 39.85, -104.67, NULL, 'DAL1615'),
           (TIMESTAMPTZ '2025-02-05 19:00:00+00', 'ac671b', 40.0, -104.0, 12000.0, 'DAL1615'))
           t(timestamp, icao24, latitude, longitude, altitude, callsign)"""
    )
    con.execute(
        """CREATE TABLE flights AS SELECT 'ac671b-20250205T170000Z' AS flight_id,
           'ac671b' AS icao24, 'DAL1615' AS callsign,
           TIMESTAMPTZ '2025-02-05 17:00:00+00' AS firstSeen,
           TIMESTAMPTZ '2025-02-05 19:54:38+00' AS lastSeen,
           'KMSP' AS estDepartureAirport, 'KDEN' AS estArrivalAirport"""
    )
    con.close()
    assert _run(["aircraft", "DAL1615", "--json", "--data-dir", str(tmp_path)]) == 0
    out = json.loads(capsys.readouterr().out)
    assert (out["icao24"], out["matched_by"], out["registration"]) == (
        "ac671b",
        "callsign (store)",
        "N899DN",
    )
    assert out["last_position"]["latitude"] == 39.85
    assert [(f["from"], f["to"]) for f in out["recent_flights"]] == [("KMSP", "KDEN")]
    assert _run(["aircraft", "ac671b", "--data-dir", str(tmp_path)]) == 0
    assert "KMSP -> KDEN" in capsys.readouterr().out
