"""Claims checked on real data: the AFR34ZG Paris CDG -> Toulouse flight of Saturday
2024-07-06 (traffic's raw-frame sample, ../shared/data), read from a Sunday's paper."""

from __future__ import annotations

from pathlib import Path

import pytest

from skywitness.cli.main import main


def test_real_flight_claims(
    capsys: pytest.CaptureFixture[str], afr_store: Path, tmp_path: Path
) -> None:
    claims = tmp_path / "claims.txt"
    claims.write_text(
        "Air France flight AFR34ZG landed in Toulouse on Saturday\n"
        "A French plane flew from Paris to Toulouse on July 6, 2024\n"
        "A French military plane landed in Toulouse on July 6, 2024\n"
        "The plane took off from Bordeaux on July 6, 2024\n"
        "An Airbus A320 landed in Toulouse on July 6, 2024\n",
        encoding="utf-8",
    )
    argv = ["check", "--file", str(claims), "--published", "2024-07-07"]
    assert main([*argv, "--data-dir", str(afr_store)]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].startswith("SUPPORTED      393322 ")
    assert lines[1].startswith("SUPPORTED      393322 ")
    # the receivers saw the airliner's approach over every Toulouse airfield: no military plane
    assert lines[2].startswith("CONTRADICTED   -")
    # "the plane": the French aircraft of the sentence before; Bordeaux: no data at all
    assert lines[3].startswith("NOT CHECKABLE  -")
    # a type, and this store holds no aircraft database: no match proves nothing
    assert lines[4].startswith("NOT CHECKABLE  -")
    assert len(lines) == 5
