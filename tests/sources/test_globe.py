"""readsb globe-history day archives: split parts in the real layout, built from the shared
real trace (``traffic-trajectories/readsb/trace_full_ac671b.json``), ingested through the CLI.

Expected values are read from the trace JSON itself (its points, their flags and its r/t/desc
fields), never from our own output.
"""

from __future__ import annotations

import argparse
import gzip
import json
import threading
from pathlib import Path
from typing import Any

import pytest

from skywitness.cli import ingest_cmd
from skywitness.runtime.globe import ingest_globe
from skywitness.runtime.history import open_history
from skywitness.simulate.globe_archive import member_name, split_parts, variants, write_archive
from skywitness.sources.globe import group_inputs
from skywitness.sources.only import parse_only

TRACES = 300
DAY = "v2019.09.20-planes-readsb-prod-0.tar"


def run(*argv: str) -> int:
    parser = argparse.ArgumentParser(prog="skywitness")
    ingest_cmd.register(parser.add_subparsers())
    args = parser.parse_args(["ingest", "--quiet", *argv])
    return int(args.func(args))


@pytest.fixture(scope="module")
def template(shared_data: Path) -> dict[str, Any]:
    """The real trace, every 5th point plus every leg start (so legs are in every variant)."""
    doc: dict[str, Any] = json.loads(
        (shared_data / "traffic-trajectories/readsb/trace_full_ac671b.json").read_text()
    )
    doc["trace"] = [p for i, p in enumerate(doc["trace"]) if i % 5 == 0 or p[6] & 2]
    return doc


def _archive(tmp: Path, template: dict[str, Any], n: int = TRACES, **kw: Any) -> list[Path]:
    tar = write_archive(tmp / DAY, variants(template, n, **kw), extra=[("acas/acas.csv", b"x\n")])
    return split_parts(tar, tar.stat().st_size // 2 + 1)


def _count(data: Path, sql: str) -> Any:
    with open_history(data) as store:
        return store.connection.execute(sql).fetchall()


def test_split_archive_every_point_once_with_legs_and_facts(
    tmp_path: Path, template: dict[str, Any]
) -> None:
    parts = _archive(tmp_path, template)
    assert [p.suffix for p in parts] == [".aa", ".ab"]
    data = tmp_path / "data"
    assert run("--data-dir", str(data), *map(str, parts)) == 0
    points = len(template["trace"])
    legs = sum(1 for p in template["trace"] if p[6] & 2)
    assert legs == 3
    rows = _count(
        data,
        "SELECT count(*), count(DISTINCT icao24), count(DISTINCT (icao24, timestamp)) FROM states",
    )
    assert rows == [(TRACES * points, TRACES, TRACES * points)]
    assert _count(data, "SELECT count(*) FROM trace_legs") == [(TRACES * legs,)]
    first = template["trace"][0]
    got = _count(
        data,
        "SELECT epoch(timestamp), latitude, longitude, altitude, geoaltitude, groundspeed, "
        "track, source FROM states WHERE icao24 = 'a00000' ORDER BY timestamp LIMIT 1",
    )[0]
    assert got[:7] == pytest.approx(
        (
            template["timestamp"] + first[0],
            first[1],
            first[2],
            first[3],
            first[10],
            first[4],
            first[5],
        ),
        abs=1e-3,
    )
    assert got[7] == f"{DAY}:{member_name('a00000')}"
    facts = dict(
        _count(
            data,
            "SELECT field, value FROM aircraft_facts "
            "WHERE icao24 = 'a00001' AND source = 'readsb-globe'",
        )
    )
    assert facts == {
        "registration": template["r"],
        "typecode": template["t"],
        "description": template["desc"],
        "owner": template["ownOp"],
        "year": template["year"],
    }
    # ingesting the same day again adds nothing and records no ingest
    assert run("--data-dir", str(data), *map(str, parts)) == 0
    assert _count(data, "SELECT count(*) FROM states") == [(TRACES * points,)]
    assert _count(data, "SELECT count(*) FROM ingests") == [(1,)]


def test_interrupted_ingest_resumes_without_duplicates(
    tmp_path: Path, template: dict[str, Any]
) -> None:
    parts = _archive(tmp_path, template, n=60)
    data = tmp_path / "data"
    (inp,), _ = group_inputs([str(p) for p in parts])
    stop = threading.Event()

    def halt(_reader: object, o: Any) -> None:
        if o.kept >= 25:
            stop.set()

    with open_history(data) as store:
        first = ingest_globe(
            store, inp, stop=stop, progress=halt, batch_points=2_000, rebuild=False
        )
    assert first.interrupted and 25 <= first.traces < 60
    (inp,), _ = group_inputs([str(p) for p in parts])
    with open_history(data) as store:
        second = ingest_globe(store, inp, batch_points=2_000, rebuild=False)
    assert second.already == first.traces and second.traces == 60 - first.traces
    n = len(template["trace"])
    assert _count(data, "SELECT count(*), count(DISTINCT (icao24, timestamp)) FROM states") == [
        (60 * n, 60 * n)
    ]


def test_only_filters_while_reading(tmp_path: Path, template: dict[str, Any]) -> None:
    # addresses ADF7B8.. cross into the US military block ADF7C8-AFFFFF at the 17th trace
    parts = _archive(tmp_path, template, n=40, base_address=0xADF7B8, lon_step_deg=1.0)
    (inp,), _ = group_inputs([str(p) for p in parts])
    listed = tmp_path / "list.txt"
    listed.write_text("# wanted\nadf7b8 adf7bb\nadf7c9\n")
    cases = {
        ("icao24=@" + str(listed),): {"adf7b8", "adf7bb", "adf7c9"},
        ("icao24=adf7b9,adf7cd",): {"adf7b9", "adf7cd"},
        ("class=military",): {f"{0xADF7C8 + i:06x}" for i in range(24)},
        ("country=US", "icao24=adf7ba,adf7ca"): {"adf7ba", "adf7ca"},
        ("country=RU",): set(),
    }
    for terms, want in cases.items():
        (inp,), _ = group_inputs([str(p) for p in parts])
        with open_history(tmp_path / f"d{len(want)}{terms[0][:5]}") as store:
            o = ingest_globe(store, inp, parse_only(list(terms), store.connection), rebuild=False)
            got = {
                r[0]
                for r in store.connection.execute("SELECT DISTINCT icao24 FROM states").fetchall()
            }
        assert got == want, terms
    # bbox: the trace of aircraft i is moved i degrees east, so its easternmost point is at
    # east + i: a box from east + 30.5 eastwards holds points of aircraft 31..39 only
    east = max(p[2] for p in template["trace"])
    (inp,), _ = group_inputs([str(p) for p in parts])
    with open_history(tmp_path / "bbox") as store:
        o = ingest_globe(store, inp, parse_only([f"bbox=-90,{east + 30.5},90,180"]), rebuild=False)
    assert o.filtered == 31 and o.traces == 9


def test_bad_members_counted_named_rest_stored_and_retry_adds_nothing(
    tmp_path: Path, template: dict[str, Any]
) -> None:
    good = list(variants(template, 20))
    gz = gzip.compress(json.dumps(good[0]).encode())
    extra = [
        (member_name("b00001"), gz[: len(gz) // 2]),  # gzip cut short
        (member_name("b00002"), b"\x1f\x8b\x08\x00garbage" * 10),  # corrupt gzip
        (member_name("b00003"), gzip.compress(b'{"icao": "b00003", "trace": [[0, 1')),
    ]
    tar = write_archive(tmp_path / DAY, good, extra=extra)
    parts = split_parts(tar, tar.stat().st_size // 3 + 1)
    data = tmp_path / "data"
    n = len(template["trace"])
    # all parts: three broken members named, the 20 good traces stored, exit status 1
    assert run("--data-dir", str(data), *map(str, parts)) == 1
    assert _count(data, "SELECT count(*) FROM states") == [(20 * n,)]
    note = _count(data, "SELECT note FROM ingests")[0][0]
    for name in ("b00001", "b00002", "b00003"):
        assert f"trace_full_{name}.json" in note
    assert "broken JSON" in note and "gzip" in note
    # a retry stores nothing twice (and still says what is broken)
    assert run("--data-dir", str(data), *map(str, parts)) == 1
    assert _count(data, "SELECT count(*) FROM states") == [(20 * n,)]


def test_missing_part_names_it_and_keeps_what_was_read(
    tmp_path: Path, template: dict[str, Any]
) -> None:
    parts = _archive(tmp_path, template, n=30)
    data = tmp_path / "data"
    (inp,), _ = group_inputs([str(parts[0])])
    with open_history(data) as store:
        o = ingest_globe(store, inp, rebuild=False)
    assert 0 < o.traces < 30
    assert len(o.problems) == 1 and "missing or cut part" in o.problems[0].what
    assert o.problems[0].name.startswith("traces/")
    # a gap in the series is named before anything is read
    ac = parts[0].with_suffix(".ac")
    ac.write_bytes(parts[1].read_bytes())
    (gap,), _ = group_inputs([str(parts[0]), str(ac)])
    assert gap.missing == [f"{DAY}.ab"]
    # then with the second part: the rest of the day, nothing twice
    (inp,), _ = group_inputs([str(p) for p in parts])
    with open_history(data) as store:
        o2 = ingest_globe(store, inp, rebuild=False)
    assert o2.already == o.traces and o.traces + o2.traces == 30 and not o2.problems
    n = len(template["trace"])
    assert _count(data, "SELECT count(*) FROM states") == [(30 * n,)]


def test_extracted_folder_and_empty_input(tmp_path: Path, template: dict[str, Any]) -> None:
    day = tmp_path / "globe_history" / "2019" / "09" / "20"
    for doc in variants(template, 5):
        f = day / member_name(doc["icao"])
        f.parent.mkdir(parents=True, exist_ok=True)
        f.write_bytes(
            gzip.compress(json.dumps(doc).encode())
            if doc["icao"] < "a00003"
            else json.dumps(doc).encode()
        )
    data = tmp_path / "data"
    assert run("--data-dir", str(data), str(tmp_path / "globe_history")) == 0
    assert _count(data, "SELECT count(DISTINCT icao24) FROM states") == [(5,)]
    # an archive without a single trace: exit 1, no ingest recorded
    empty = write_archive(tmp_path / "empty.tar", [], extra=[("acas/acas.csv", b"x\n")])
    other = tmp_path / "other"
    assert run("--data-dir", str(other), str(empty)) == 1
    assert _count(other, "SELECT count(*) FROM ingests") == [(0,)]


def test_damaged_tar_region_skipped_rest_stored(tmp_path: Path, template: dict[str, Any]) -> None:
    tar = write_archive(tmp_path / DAY, variants(template, 10))
    raw = bytearray(tar.read_bytes())
    # the third member's header: after two (header + padded data) members
    offsets = [0]
    for _ in range(3):
        size = int(raw[offsets[-1] + 124 : offsets[-1] + 136].strip(b"\x00 "), 8)
        offsets.append(offsets[-1] + 512 + -(-size // 512) * 512)
    raw[offsets[2] : offsets[2] + 512] = b"\xff" * 512
    tar.write_bytes(bytes(raw))
    (inp,), _ = group_inputs([str(tar)])
    with open_history(tmp_path / "data") as store:
        o = ingest_globe(store, inp, rebuild=False)
    assert o.traces == 9 and len(o.problems) == 1
    assert o.problems[0].offset == offsets[2] and "damaged tar skipped" in o.problems[0].what


def test_flights_from_batches_as_from_the_lake_whole_or_in_chunks(
    tmp_path: Path, template: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    """A day's flights built from each batch in memory are those rebuilt from the lake, whole
    or a bounded number of points at a time; an address met in two batches (two traces of
    one aircraft) is rebuilt from the lake."""
    docs = list(variants(template, 6))
    docs.append({**docs[0], "timestamp": docs[0]["timestamp"] + 86_400.0})  # a0000 again
    tar = write_archive(tmp_path / DAY, docs)
    n = len(template["trace"])
    flights = []
    runs = (("batches", 10**9, False), ("lake", 10**9, True), ("chunks", n + 1, True))
    for name, limit, lake in runs:
        monkeypatch.setattr("skywitness.runtime.globe_flights.REBUILD_POINTS", limit)
        if lake:  # as when another ingest overlaps the day
            monkeypatch.setattr("skywitness.runtime.globe_flights.others_overlap", lambda *a: True)
        (inp,), _ = group_inputs([str(tar)])
        with open_history(tmp_path / name) as store:
            o = ingest_globe(store, inp, batch_points=2 * n)
            rows = store.connection.execute(
                "SELECT flight_id, firstSeen, lastSeen FROM flights ORDER BY flight_id"
            ).fetchall()
        assert o.points == 7 * n and o.flights == len(rows) > 7
        flights.append(rows)
    assert flights[0] == flights[1] == flights[2]


def test_gzipped_joined_tar_and_dbflags_facts(tmp_path: Path, template: dict[str, Any]) -> None:
    docs = list(variants(template, 4))
    docs[1] = {**docs[1], "dbFlags": 9, "r": "N899DX"}  # military + LADD, another registration
    plain = write_archive(tmp_path / "day.tar", docs, gzip_members=False)
    gz = tmp_path / "day.tar.gz"
    gz.write_bytes(gzip.compress(plain.read_bytes()))
    (inp,), _ = group_inputs([str(gz)])
    with open_history(tmp_path / "data") as store:
        o = ingest_globe(store, inp, rebuild=False)
        facts = store.connection.execute(
            "SELECT field, value FROM aircraft_facts WHERE icao24 = 'a00001' AND field <> 'year' "
            "ORDER BY field"
        ).fetchall()
        source = store.connection.execute(
            "SELECT DISTINCT source, source_version FROM aircraft_facts ORDER BY source"
        ).fetchall()
    assert o.traces == 4 and not o.problems and o.points == 4 * len(template["trace"])
    # the emitter category of the points' details (the real trace's "A3"), of source adsb
    assert facts == [
        ("description", template["desc"]),
        ("emitter_category", "A3"),
        ("flag_ladd", "1"),
        ("flag_military", "1"),
        ("owner", template["ownOp"]),
        ("registration", "N899DX"),
        ("typecode", template["t"]),
    ]
    assert source == [("adsb", "day.tar.gz"), ("readsb-globe", "day.tar.gz")]


def test_grown_trace_stores_only_its_new_points(tmp_path: Path, template: dict[str, Any]) -> None:
    """A feeder's globe history of today: a trace file grows between two ingests."""
    day = tmp_path / "globe_history" / "2025" / "02" / "04"
    docs = list(variants(template, 3))
    half = len(template["trace"]) // 2
    for doc in docs:
        f = day / member_name(doc["icao"])
        f.parent.mkdir(parents=True, exist_ok=True)
        f.write_bytes(gzip.compress(json.dumps({**doc, "trace": doc["trace"][:half]}).encode()))
    data = tmp_path / "data"
    assert run("--data-dir", str(data), str(tmp_path / "globe_history")) == 0
    assert _count(data, "SELECT count(*) FROM states") == [(3 * half,)]
    grown = docs[1]  # the file now holds the whole trace
    (day / member_name(grown["icao"])).write_bytes(gzip.compress(json.dumps(grown).encode()))
    (inp,), _ = group_inputs([str(tmp_path / "globe_history")])
    with open_history(data) as store:
        o = ingest_globe(store, inp, rebuild=False)
        row = store.connection.execute(
            "SELECT points, last_point FROM stored_traces WHERE icao24 = 'a00001'"
        ).fetchall()
    n = len(template["trace"])
    assert (o.already, o.grown, o.traces, o.points) == (2, 1, 1, n - half)
    last = template["timestamp"] + 60.0 + template["trace"][-1][0]
    assert row == [(n, pytest.approx(last))]
    assert _count(data, "SELECT count(*), count(DISTINCT (icao24, timestamp)) FROM states") == [
        (3 * half + n - half, 3 * half + n - half)
    ]


def test_follow_reads_what_the_feeder_writes_next(
    tmp_path: Path, template: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    """``ingest --follow`` of a feeder's folder: a round reads only the files that changed."""
    from skywitness.cli import globe_ingest
    from skywitness.runtime import globe
    from skywitness.runtime.globe import ingest_globe as real

    day = tmp_path / "globe_history" / "2025" / "02" / "04"
    docs = list(variants(template, 3))
    half = len(template["trace"]) // 2

    def put(doc: dict[str, Any], points: int) -> None:
        f = day / member_name(doc["icao"])
        f.parent.mkdir(parents=True, exist_ok=True)
        f.write_bytes(gzip.compress(json.dumps({**doc, "trace": doc["trace"][:points]}).encode()))

    put(docs[0], half)
    put(docs[1], half)
    rounds: list[Any] = []
    stop = threading.Event()

    def recording(*a: Any, **kw: Any) -> Any:
        o = real(*a, **kw)
        rounds.append(o)
        if len(rounds) == 1:  # the feeder writes on: one trace grows, a new one appears
            put(docs[0], len(template["trace"]))
            put(docs[2], half)
        else:
            stop.set()
        return o

    monkeypatch.setattr(globe, "ingest_globe", recording)  # imported by the command on use
    args = argparse.Namespace(
        sources=[str(tmp_path / "globe_history")], only=None, follow=0.01, quiet=True
    )
    data = tmp_path / "data"
    with open_history(data) as store:
        rest, status = globe_ingest.ingest_archives(args, store, stop)
    assert rest == [] and status == 0 and len(rounds) == 2
    second = rounds[1]
    assert (second.traces, second.grown, second.already) == (2, 1, 0)  # docs[1] not read again
    n = len(template["trace"])
    assert _count(data, "SELECT count(*) FROM states") == [(2 * half + (n - half) + half,)]


def test_traces_timed_finer_than_a_millisecond_are_stored_rounded(
    tmp_path: Path, template: dict[str, Any]
) -> None:
    """A trace ``timestamp`` of 4+ decimals (here a stagger of 0.1186 s) is stored at the
    lake's whole ms, not refused by the store's cast (which ended the whole ingest)."""
    tar = write_archive(tmp_path / DAY, variants(template, 3, stagger_s=0.1186))
    (inp,), _ = group_inputs([str(tar)])
    with open_history(tmp_path / "data") as store:
        o = ingest_globe(store, inp, rebuild=False)
        first = store.connection.execute(
            "SELECT epoch_ms(min(timestamp)) FROM states WHERE icao24 = 'a00002'"
        ).fetchone()
    assert o.points == 3 * len(template["trace"]) and not o.problems
    assert first == (round((template["timestamp"] + 2 * 0.1186) * 1e3),)


def test_no_flights_archive_then_the_rebuild_it_names(
    tmp_path: Path, template: dict[str, Any], capsys: pytest.CaptureFixture[str]
) -> None:
    """``ingest --no-flights`` of a day archive stores its points and no flights, and names the
    ``flights rebuild`` that stores exactly the flights a plain ingest stores."""
    from skywitness.cli.main import main

    tar = write_archive(tmp_path / DAY, list(variants(template, 4)))
    plain, bulk = tmp_path / "plain", tmp_path / "bulk"
    assert run("--data-dir", str(plain), str(tar)) == 0
    capsys.readouterr()
    assert run("--data-dir", str(bulk), "--no-flights", str(tar)) == 0
    err = capsys.readouterr().err
    line = next(x for x in err.splitlines() if x.startswith("flights not rebuilt"))
    argv = line.split(": skywitness ", 1)[1].split()
    assert argv[:4] == ["flights", "rebuild", "--data-dir", str(bulk)]
    with open_history(bulk) as store:
        assert store.query_flights().num_rows == 0
    sql = "SELECT count(*) FROM states"
    assert _count(bulk, sql) == _count(plain, sql) == [(4 * len(template["trace"]),)]
    assert main(argv) == 0
    sql = "SELECT flight_id, icao24, firstSeen, lastSeen FROM flights ORDER BY flight_id"
    got = _count(bulk, sql)
    assert got == _count(plain, sql) and len(got) >= 4
