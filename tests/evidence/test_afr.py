"""Acceptance on real data: the AFR34ZG flight LFPG -> LFBO of 2024-07-06 (traffic sample)."""

from __future__ import annotations

import json
from pathlib import Path

from .conftest import cli

QUESTION_TOML = """
text = "When did AFR34ZG leave Paris CDG and land in Toulouse on 6 July 2024?"
[aircraft]
callsign = ["AFR34ZG"]
[where]
airports = ["CDG"]
[when]
since = 2024-07-06
until = 2024-07-06
"""


def test_afr34zg_observed_takeoff_and_landing(afr_store: Path, tmp_path: Path) -> None:
    qfile = tmp_path / "afr.toml"
    qfile.write_text(QUESTION_TOML, encoding="utf-8")
    pack = tmp_path / "pack"
    code, out = cli(
        [
            "investigate",
            "--data-dir",
            str(afr_store),
            "--question",
            str(qfile),
            "--report",
            str(pack),
        ]
    )
    assert code == 0, out
    (flight,) = json.loads((pack / "flights.json").read_text())
    assert (flight["icao24"], flight["callsign"]) == ("393322", "AFR34ZG")
    assert (flight["estDepartureAirport"], flight["estArrivalAirport"]) == ("LFPG", "LFBO")
    assert flight["takeoff_time"] == "2024-07-06T06:59:22.289Z"
    assert flight["landing_time"] == "2024-07-06T07:58:43.160Z"
    assert flight["departure_observed"] is True and flight["arrival_observed"] is True
    assert "1 flight of 1 aircraft match. 393322 AFR34ZG (civil, registered in France) left " in out
    assert "Charles de Gaulle International Airport (LFPG) at 2024-07-06 06:59Z, observed" in out
    assert "landed at Toulouse-Blagnac Airport (LFBO) at 2024-07-06 07:58Z, observed" in out
    assert "no coverage gap." in out
    # the same question from options gives the same data files
    again = tmp_path / "again"
    code, _ = cli(
        ["investigate", "--data-dir", str(afr_store), "--callsign", "AFR34ZG", "--via", "LFPG",
         "--since", "2024-07-06", "--until", "2024-07-06", "--report", str(again)]
    )  # fmt: skip
    assert code == 0
    for name in ("flights.json", "positions.csv", "tracks.geojson", "tracks.kml"):
        assert (again / name).read_bytes() == (pack / name).read_bytes(), name
    assert cli(["verify", str(pack), "--rerun"])[0] == 0
