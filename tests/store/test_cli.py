"""The db and flights commands, run in-process on a real store."""

from __future__ import annotations

import argparse
import io
import json
from pathlib import Path

import httpx
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq
import pytest

from skywitness.cli import db_cmd, flights_cmd
from skywitness.errors import SkywitnessError
from skywitness.flights.airports import load_runways
from skywitness.flights.builder import build_flights
from skywitness.store import Provenance, Store, ingest_tables

from .test_flightdb import ROWS, flights


def run(*argv: str) -> int:
    parser = argparse.ArgumentParser(prog="skywitness")
    sub = parser.add_subparsers()
    db_cmd.register(sub)
    flights_cmd.register(sub)
    args = parser.parse_args(list(argv))
    return int(args.func(args))


@pytest.fixture(scope="module")
def data_dir(tmp_path_factory: pytest.TempPathFactory, quickstart: pa.Table) -> Path:
    d = tmp_path_factory.mktemp("cli") / "data"
    with Store(d) as s:
        ingest_tables(
            s,
            [quickstart.slice(i, 100_000) for i in range(0, quickstart.num_rows, 100_000)],
            Provenance("quickstart.json.gz", "0" * 64, "traffic-json", 5_650_151),
            flush_rows=100_000,
        )
    return d


def test_db_info_and_compact(data_dir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert run("db", "info", "--data-dir", str(data_dir)) == 0
    text = capsys.readouterr().out
    assert "284,505" in text and "2021-10-07T12:00:01Z" in text and "1 done" in text
    assert run("db", "--data-dir", str(data_dir), "compact", "--date", "2021-10-07") == 0
    assert "2021-10-07: 3 file(s) → 1" in capsys.readouterr().out
    with pytest.raises(SkywitnessError, match="no store"):
        run("db", "info", "--data-dir", str(data_dir.parent / "none"))


def test_import_runways_and_rebuild(
    data_dir: Path, shared_data: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    src = shared_data / "ourairports" / "runways.csv.gz"
    assert run("db", "import-runways", str(src), "--data-dir", str(data_dir)) == 0
    n_runways = load_runways(src).num_rows
    text = capsys.readouterr().out
    assert f"imported {n_runways:,} runways" in text
    assert "42 airports are listed 5-50 km from their runways in airportsdata" in text
    assert "EBBR 42 km, EBBE 40 km, EBBX 40 km, EBKT 37 km" in text and "and 34 more" in text
    assert run("flights", "--data-dir", str(data_dir), "rebuild") == 0
    with Store(data_dir, read_only=True) as s:
        expected = build_flights(s.states(), runways=s.table("runways"))
        stored = s.query_flights()
    assert f"rebuilt {expected.num_rows:,} flight(s) of 213 aircraft" in capsys.readouterr().out
    assert sorted(stored.column("flight_id").to_pylist()) == sorted(
        expected.column("flight_id").to_pylist()
    )
    # the real flights schema (lists, structs, dates) goes out as JSON lines and CSV
    assert run("flights", "--data-dir", str(data_dir), "--format", "json") == 0
    lines = capsys.readouterr().out.splitlines()
    assert len(lines) == expected.num_rows
    assert json.loads(lines[0])["day"] == "2021-10-07"
    assert run("flights", "--data-dir", str(data_dir), "--format", "csv") == 0
    assert len(capsys.readouterr().out.splitlines()) == expected.num_rows + 1
    # a second rebuild of one day replaces rather than duplicates
    assert run("flights", "--data-dir", str(data_dir), "rebuild", "--since", "2021-10-07") == 0
    with Store(data_dir, read_only=True) as s:
        assert s.query_flights().num_rows == expected.num_rows


def test_flights_query_formats(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("COLUMNS", "200")  # rich: room for the whole table
    d = tmp_path / "data"
    with Store(d) as s:
        s.replace_flights(flights(ROWS))
    base = ["flights", "--data-dir", str(d)]
    assert run(*base, "--from", "CDG", "--format", "json") == 0
    (line,) = capsys.readouterr().out.splitlines()
    rec = json.loads(line)
    assert rec["flight_id"] == "a-1" and rec["firstSeen"] == "2021-10-07T08:00:00Z"
    assert run(*base, "--icao24", "39856b", "--format", "csv") == 0
    csv_lines = capsys.readouterr().out.splitlines()
    assert csv_lines[0].startswith('"flight_id","icao24","callsign","callsigns","firstSeen"')
    assert '"a-2","39856b","AFR6115","[""AFR6115""]","2021-10-07T10:00:00Z"' in csv_lines[2]
    out_file = str(tmp_path / "f.parquet")
    assert run(*base, "--to-country", "DE", "--until", "2021-10-08", "-o", out_file) == 0
    assert pq.read_table(tmp_path / "f.parquet").column("flight_id").to_pylist() == ["c-2"]
    assert run(*base, "--callsign", "DLH*", "--min-confidence", "0.6") == 0
    # not a terminal: the table as TSV (its header, one line a flight), nothing wrapped
    out = capsys.readouterr().out
    assert out.splitlines() == ["icao24\tcallsign\tfrom\tto\tconf", "3c6444\tDLH9U\tEDDF\t\t0.70"]


def test_download_runways(tmp_path: Path) -> None:
    body = b"id,airport_ident\n1,LFPG\n"

    def handler(request: httpx.Request) -> httpx.Response:
        assert str(request.url) == db_cmd.RUNWAYS_URL
        return httpx.Response(200, content=body)

    dest = tmp_path / "runways.csv"
    with httpx.Client(transport=httpx.MockTransport(handler)) as client:
        assert db_cmd.download_runways(dest, client=client) == len(body)
    assert dest.read_bytes() == body

    def fail(request: httpx.Request) -> httpx.Response:
        return httpx.Response(404)

    with (
        httpx.Client(transport=httpx.MockTransport(fail)) as client,
        pytest.raises(SkywitnessError, match="HTTP 404"),
    ):
        db_cmd.download_runways(tmp_path / "x.csv", client=client)
    assert not (tmp_path / "x.csv").exists()


def test_table_marks_the_first_airborne_point(
    tmp_path: Path,
    quickstart: pa.Table,
    shared_data: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """#11 class 9 in the table: DFORH's departure from Le Bourget is observed (parked until
    13:55:39) across a silence, so it has no takeoff time; the table gives its first airborne
    point (14:02:44) marked "~", not a takeoff."""
    monkeypatch.setenv("COLUMNS", "200")
    dforh = quickstart.filter(pc.equal(quickstart["icao24"], "3d7009"))
    runways = load_runways(shared_data / "ourairports" / "runways.csv.gz")
    d = tmp_path / "data"
    with Store(d) as s:
        s.replace_flights(build_flights(dforh, runways=runways))
    assert run("flights", "--data-dir", str(d), "--from", "LFPB") == 0
    header, *rows = capsys.readouterr().out.splitlines()
    assert header.split("\t")[:4] == ["icao24", "callsign", "from", "departure"]
    assert [r.split("\t")[:4] for r in rows] == [
        ["3d7009", "DFORH", "LFPB", "~2021-10-07T14:02Z"]  # to the minute
    ]


class _Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_flights_table_on_a_terminal(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """On a terminal the query's rows are drawn by rich (title, the same cells as the TSV)."""
    monkeypatch.setenv("COLUMNS", "200")
    d = tmp_path / "data"
    with Store(d) as s:
        s.replace_flights(flights(ROWS))
    term = _Terminal()
    monkeypatch.setattr("sys.stdout", term)
    assert run("flights", "--data-dir", str(d), "--icao24", "39856b") == 0
    text = term.getvalue()
    assert "2 flight(s)" in text and "AFR6110" in text and "AFR6115" in text
    assert "LFPG" in text and "0.95" in text and "\t" not in text
