"""Aircraft DB imports: real tar1090-db / plane-alert-db, history on re-import, rejects, kinds."""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import gzip
import json
import random
from pathlib import Path
from typing import Any

import duckdb
import pytest

from skywitness.cli import aircraft_cmd
from skywitness.errors import InputError
from skywitness.identify.identity import identify
from skywitness.identify.importer import import_aircraft
from skywitness.identify.store_schema import fact_history

T0 = dt.datetime(2026, 1, 1)
T1 = dt.datetime(2026, 2, 1)


def test_real_imports_are_complete(catalog_con: Any) -> None:
    imports = catalog_con.execute(
        "SELECT source, rows_read, rows_rejected, keys FROM aircraft_imports ORDER BY source"
    ).fetchall()
    # plane-alert-db: 17,198 rows, two with leading zeros dropped upstream (10166 -> 010166).
    assert imports == [("planealert", 17198, 0, 17198), ("tar1090", 619472, 0, 619472)]
    (mil,) = catalog_con.execute(
        "SELECT count(*) FROM aircraft WHERE flag_military = '1'"
    ).fetchone()
    assert mil == 20_783  # dbflags 10 + 11 + 1001 + 11000 in SOURCE.md
    (listed,) = catalog_con.execute("SELECT count(*) FROM aircraft_watchlist").fetchone()
    assert listed == 17_198


def test_registration_and_type_of_1000_random_aircraft(
    catalog: Path, shared_data: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Through the CLI (in-process): ``skywitness aircraft ICAO24... --json``."""
    with gzip.open(shared_data / "tar1090-db" / "aircraft_from_shards.csv.gz", "rt") as fh:
        rows = list(csv.DictReader(fh))
    sample = random.Random(20260406).sample(rows, 1000)
    args = _parser().parse_args(
        ["aircraft", *[r["icao24"] for r in sample], "--json", "--data-dir", str(catalog)]
    )
    assert args.func(args) == 0
    out = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert len(out) == 1000
    computed = 0
    for r, ident in zip(sample, out, strict=True):
        assert ident["icao24"] == r["icao24"]
        if not r["registration"] and ident["registration"]:
            # No registration in the file: the N-number is computed from the address.
            assert [f["source"] for f in ident["facts"] if f["field"] == "registration"] == [
                "builtin:FAA N-number algorithm"
            ]
            computed += 1
        else:
            assert ident["registration"] == r["registration"], r
        assert ident["typecode"] == r["typecode"], r
    assert computed == 85


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="skywitness")
    sub = parser.add_subparsers()
    aircraft_cmd.register(sub)
    aircraft_cmd.register_db_commands(sub.add_parser("db").add_subparsers())
    return parser


def test_plane_alert_aircraft_in_trajectories_cite_the_list(
    catalog_con: Any, trajectories: dict[str, set[str]], shared_data: Path
) -> None:
    with (shared_data / "plane-alert-db" / "plane-alert-db.csv").open() as fh:
        listed = {r["$ICAO"].lower().zfill(6) for r in csv.DictReader(fh)}
    on_list = sorted(set(trajectories) & listed)
    assert len(on_list) == 51
    classes: dict[str, int] = {}
    for icao in on_list:
        cs = sorted(trajectories[icao])
        ident = identify(catalog_con, icao, cs[0] if cs else None)
        sources = [r.source for r in ident.reasons if r.kind == "watchlist"]
        assert sources and sources[0].startswith("planealert "), icao
        classes[ident.classification] = classes.get(ident.classification, 0) + 1
    assert classes == {"military": 7, "government": 31, "civil": 13}


def _write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


def test_reimport_updates_in_place_and_keeps_history(tmp_path: Path) -> None:
    con = duckdb.connect()
    v1 = _write(
        tmp_path / "v1.csv",
        "icao24,registration,typecode,dbflags,description\n"
        "4b1901,HB-JMF,A343,00,AIRBUS A-340-300\n3c6444,D-AIBD,A319,,AIRBUS A-319\n",
    )
    v2 = _write(
        tmp_path / "v2.csv",
        "icao24,registration,typecode,dbflags,description\n"
        "4b1901,HB-JMF,A343,10,AIRBUS A-340-300\n3c6444,D-AIBX,A319,,AIRBUS A-319\n"
        "ac671b,N899DN,B739,,BOEING 737-900\n",
    )
    r1 = import_aircraft(con, v1, "tar1090", source_version="v1", now=T0)
    assert (r1.rows_read, r1.keys, r1.facts_added, r1.facts_retired) == (2, 2, 6, 0)
    assert import_aircraft(con, v1, "tar1090", now=T1).already_imported
    r2 = import_aircraft(con, v2, "tar1090", source_version="v2", now=T1)
    # new: D-AIBX, flag_military of 4b1901, 3 facts of ac671b; retired: D-AIBD
    assert (r2.facts_added, r2.facts_retired, r2.facts_unchanged) == (5, 1, 5)
    assert identify(con, "3c6444").registration == "D-AIBX"
    assert identify(con, "4b1901").classification == "military"
    history = [h for h in fact_history(con, "3c6444") if h[0] == "registration"]
    assert history == [
        ("registration", "D-AIBD", "tar1090", "v1", T0, T1),
        ("registration", "D-AIBX", "tar1090", "v2", T1, None),
    ]


def test_rejects_are_counted_and_strict_names_the_line(tmp_path: Path) -> None:
    con = duckdb.connect()
    bad = _write(
        tmp_path / "bad.csv",
        "icao24,registration,typecode,dbflags,description\n"
        "4b1901,HB-JMF,A343,,\nzzzzzz,X,Y,,\n~abc123,T,U,,\n4b1901,HB-XXX,A343,,\n",
    )
    rep = import_aircraft(con, bad, "tar1090")
    assert dict(rep.stats.rejected) == {"bad_record": 1, "non_icao": 1, "duplicate": 1}
    assert identify(con, "4b1901").registration == "HB-JMF"  # the first row wins
    with pytest.raises(InputError, match=r"line 3"):
        import_aircraft(duckdb.connect(), bad, "tar1090", strict=True)
    broken = _write(
        tmp_path / "broken.csv",
        "icao24,registration,typecode,dbflags,description\n4b1901,HB-JMF,A343,,\n"
        '4b1902,"unterminated,A,B\n3c6444,D-AIBD,A319,,,extra,extra\n3c6445,D-AIBE,A319,,\n',
    )
    rep = import_aircraft(duckdb.connect(), broken, "tar1090")
    # The open quote swallows the last lines: 4 records expected, 2 read, 2 counted as bad lines.
    assert (rep.rows_read, rep.stats.frames, dict(rep.stats.rejected)) == (2, 4, {"bad_line": 2})


def test_upstream_headerless_tar1090_csv(tmp_path: Path) -> None:
    con = duckdb.connect()
    path = tmp_path / "aircraft.csv.gz"
    with gzip.open(path, "wt") as fh:
        fh.write(
            "ae503d;09-0540;B737;10;Boeing C-40C Clipper;2009;USAF;\n"
            "4b1901;HB-JMF;A343;;AIRBUS A-340-300;;;\n"
        )
    rep = import_aircraft(con, path, "tar1090")
    assert rep.keys == 2
    ident = identify(con, "ae503d")
    assert (ident.registration, ident.typecode, ident.flags) == ("09-0540", "B737", ("military",))


@pytest.mark.parametrize(
    "text",
    [
        '"icao24","registration","manufacturericao","manufacturername","model","typecode",'
        '"serialnumber","linenumber","icaoaircrafttype","operator","operatorcallsign",'
        '"operatoricao","operatoriata","owner"\n'
        '"3c6444","D-AIBD","AIRBUS","Airbus","A319 112","A319","4037","","L2J",'
        '"Lufthansa","LUFTHANSA","DLH","LH","Lufthansa"\n',
        "'icao24','timestamp','acars','adsb','built','categoryDescription','country',"
        "'manufacturerIcao','model','operatorIcao','registration','typecode'\n"
        "'3c6444','2024-10-01 00:00:00','0','0','2010-01-01','','Germany','AIRBUS',"
        "'A319 112','DLH','D-AIBD','A319'\n",
    ],
    ids=["opensky-2020", "opensky-2024"],
)
def test_opensky_formats(tmp_path: Path, text: str) -> None:
    con = duckdb.connect()
    import_aircraft(con, _write(tmp_path / "os.csv", text), "opensky")
    ident = identify(con, "3c6444", "DLH4TR")
    assert (ident.registration, ident.typecode) == ("D-AIBD", "A319")
    assert ident.source_of("operator_icao").startswith("opensky ")


def test_generic_with_column_map(tmp_path: Path) -> None:
    con = duckdb.connect()
    path = _write(tmp_path / "mine.csv", "hex;tail;kind\n3b7777;739;K35R\n")
    import_aircraft(
        con,
        path,
        "generic",
        source="mine",
        column_map={"icao24": "hex", "registration": "tail", "typecode": "kind"},
    )
    ident = identify(con, "3b7777")
    assert (ident.registration, ident.typecode) == ("739", "K35R")
    assert ident.source_of("registration").startswith("mine ")


def test_operators_csv_and_json(tmp_path: Path, shared_data: Path) -> None:
    con = duckdb.connect()
    rep = import_aircraft(con, shared_data / "tar1090-db" / "operators.csv", "operators")
    # 'FIRE LEAD' and 'FLORIDA STATE' sit in the designator column upstream: rejected.
    assert (rep.rows_read, rep.keys, rep.stats.rejected_total) == (6310, 6307, 3)
    assert identify(con, None, "DAL1812").operator == "Delta Air Lines"
    js = tmp_path / "operators.json.gz"
    with gzip.open(js, "wt") as fh:
        fh.write('{"RCH": {"n": "Air Mobility Command", "c": "United States", "r": "REACH"}}')
    con2 = duckdb.connect()
    import_aircraft(con2, js, "operators")
    ident = identify(con2, None, "RCH123")
    assert (ident.operator, ident.classification) == ("Air Mobility Command", "military")
