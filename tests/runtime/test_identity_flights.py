"""``skywitness flights`` by who flies it (issue 4): --military, --class, --operator,
--registry-country and, after importing tar1090-db, --registration — on the simulated Caracas
scenario (the meanings of docs/filters.md)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from skywitness.cli.main import main
from skywitness.simulate import load_builtin, simulate, write_capture


@pytest.fixture(scope="module")
def store_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    tmp = tmp_path_factory.mktemp("caracas")
    capture = tmp / "caracas.jsonl"
    write_capture(simulate(load_builtin("caracas")), str(capture))
    data = tmp / "store"
    assert main(["ingest", str(capture), "--data-dir", str(data), "-q"]) == 0
    return data


def _flights(store_dir: Path, capsys: pytest.CaptureFixture[str], *args: str) -> list[str]:
    capsys.readouterr()
    assert main(["flights", "--data-dir", str(store_dir), "--format", "json", *args]) == 0
    rows = [json.loads(x) for x in capsys.readouterr().out.splitlines()]
    return sorted(
        f"{r['icao24']} {r['estDepartureAirport']}-{r['estArrivalAirport']}" for r in rows
    )


def test_military_operator_country(store_dir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    state = ["154073 UUMU-SVMI", "1551e0 UUWW-SVMI"]
    assert _flights(store_dir, capsys, "--military") == state
    assert _flights(store_dir, capsys, "--government", "--to-country", "VE") == []  # not mil
    assert _flights(store_dir, capsys, "--class", "government,military", "--to-country", "VE") == (
        state
    )
    assert _flights(store_dir, capsys, "--operator", "RFF") == state
    assert _flights(store_dir, capsys, "--operator", "federation air force") == state
    russian = _flights(store_dir, capsys, "--registry-country", "RU")
    assert set(state) < set(russian) and all(r[:2] == "15" for r in russian)
    assert _flights(store_dir, capsys, "--registry-country", "VE", "--military") == []


def test_registration_after_import(
    shared_data: Path, store_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    db = shared_data / "tar1090-db" / "aircraft_from_shards.csv.gz"
    assert (
        main(["db", "import-aircraft", str(db), "--kind", "tar1090", "--data-dir", str(store_dir)])
        == 0
    )
    assert _flights(store_dir, capsys, "--registration", "RA-86496") == ["1551e0 UUWW-SVMI"]
    assert _flights(store_dir, capsys, "--registration", "ra-8*", "--military") == [
        "154073 UUMU-SVMI",
        "1551e0 UUWW-SVMI",
    ]
