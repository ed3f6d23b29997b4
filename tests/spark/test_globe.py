"""Globe-history day archives on Spark: ``spark ingest`` of a split day archive (``.tar.aa`` +
``.tar.ab``, built in the real layout from the shared real readsb trace, with one corrupt
member) stores row for row the state vectors, and records the same identity facts, that the
embedded ``skywitness ingest`` of it stores; ``spark flights`` then builds the flights the
embedded ingest built; a second ingest stores nothing; the joined ``.tar`` and the extracted
day folder give the same rows. The tar streams are shared by the two tasks of local[2], the
folder's traces spread over three.

Expected values are the embedded path's, computed here from the same archive; the corrupt
member is named by both, as what it is (gzip data that does not inflate).
"""

from __future__ import annotations

import contextlib
import gzip
import io
import json
import shutil
import tarfile
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from skywitness.cli.main import main
from skywitness.runtime.history import open_history
from skywitness.simulate.globe_archive import member_name, split_parts, variants, write_archive
from skywitness.sources.globe import GlobeInput
from skywitness.spark import globe as spark_globe
from skywitness.spark.ingest import RECORDS_DIR, TRACES_DIR, spark_ingest
from skywitness.store.schema import conform
from tests.runtime.test_emitter_categories import _flights, _runways

DAY = "v2019.09.20-planes-readsb-prod-0.tar"
TRACES = 8
BAD = "traces/ff/trace_full_a0ffff.json"
KEY = [("icao24", "ascending"), ("timestamp", "ascending")]


def _docs(shared_data: Path) -> list[dict[str, Any]]:
    """``TRACES`` traces of the real one (every 3rd point and every leg start), two of them of
    another type."""
    doc = json.loads(
        (shared_data / "traffic-trajectories/readsb/trace_full_ac671b.json").read_text()
    )
    doc["trace"] = [p for i, p in enumerate(doc["trace"]) if i % 3 == 0 or p[6] & 2]
    docs = list(variants(doc, TRACES))
    for d in docs[:2]:  # a helicopter type, so the kinds the facts give matter to flights
        d.update(t="EC35", desc="EUROCOPTER EC-135")
    return docs


@pytest.fixture(scope="module")
def archive(shared_data: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The day as a joined ``.tar``: ``_docs``, and a member cut inside its gzip data."""
    cut = gzip.compress(b'{"icao":"a0ffff","trace":[]}')[:-6]
    docs = _docs(shared_data)
    return write_archive(tmp_path_factory.mktemp("day") / DAY, docs, extra=[(BAD, cut)])


def _parts(archive: Path, where: Path) -> list[str]:
    where.mkdir()
    tar = shutil.copy(archive, where / archive.name)
    return [str(p) for p in split_parts(tar, Path(tar).stat().st_size // 2 + 1)]


def _folder(archive: Path, where: Path) -> Path:
    """The day extracted as ``globe_history/2019/09/20/``."""
    day = where / "globe_history" / "2019" / "09" / "20"
    with tarfile.open(archive) as tar:
        tar.extractall(day, filter="data")
    return day


def _embedded_states(data: Path) -> pa.Table:
    with open_history(data) as store:
        table = store.connection.sql("SELECT * FROM states").to_arrow_table()
    return conform(table).sort_by(KEY)


def _lake_states(lake: Path) -> pa.Table:
    return conform(pq.read_table(lake / "states").drop_columns(["date"])).sort_by(KEY)


def _facts(data: Path) -> list[tuple[Any, ...]]:
    with open_history(data) as store:
        rows = store.connection.execute(
            "SELECT icao24, field, value, source, source_version FROM aircraft_facts ORDER BY ALL"
        ).fetchall()
    return [tuple(r) for r in rows]


def _quiet(argv: list[str]) -> tuple[int, str]:
    with contextlib.redirect_stdout(io.StringIO()) as out:
        return main(argv), out.getvalue()


def test_split_archive_states_facts_and_flights_as_embedded(
    spark: Any, archive: Path, shared_data: Path, tmp_path: Path
) -> None:
    parts = _parts(archive, tmp_path / "parts")
    edir, sdir = tmp_path / "embedded", tmp_path / "spark"
    _runways(edir, shared_data)
    _runways(sdir, shared_data)
    # the corrupt member is skipped and named: both exit 1
    assert _quiet(["ingest", "--quiet", "--data-dir", str(edir), *parts])[0] == 1
    code, printed = _quiet(["spark", "ingest", *parts, "--data-dir", str(sdir)])
    assert code == 1
    report = json.loads(printed)
    expected = _embedded_states(edir)
    got = _lake_states(sdir / "lake")
    assert expected.num_rows == report["rows"] > 0
    assert got.equals(expected)  # row for row, each row's source "day.tar:member" included
    with open_history(edir) as store:
        (note,) = store.connection.execute("SELECT note FROM ingests").fetchone() or ("",)
    (record,) = (p for p in (sdir / "lake" / RECORDS_DIR).glob("*.json"))
    rec = json.loads(record.read_text())
    assert [f"{m}: {what}" for m, _, what in rec["problems"]] == [note]
    assert note.startswith(f"{BAD}: ")
    assert report["problems"] == [f"{' + '.join(parts)}: {note}"]
    assert report["counts"]["members_unreadable"] == 1
    # the trace facts (r, t, desc, ...) feed the kinds: the store attached to the lake holds
    # the embedded store's facts, version the day's name
    day = got.column("timestamp")[0].as_py().date().isoformat()
    last = got.column("timestamp")[got.num_rows - 1].as_py().date().isoformat()
    assert _quiet(["spark", "flights", "--since", day, "--until", last,
                   "--data-dir", str(sdir)])[0] == 0  # fmt: skip
    assert _quiet(["spark", "attach", "--data-dir", str(sdir)])[0] == 0
    facts = _facts(edir)
    assert ("a00000", "typecode", "EC35", "readsb-globe", DAY) in facts
    assert _facts(sdir) == facts
    flights = _flights(edir)
    assert len(flights) >= TRACES
    assert _flights(sdir) == flights
    # a second ingest stores nothing twice
    code, printed = _quiet(["spark", "ingest", *parts, "--data-dir", str(sdir)])
    assert json.loads(printed)["skipped"] == [" + ".join(parts)]
    assert _lake_states(sdir / "lake").num_rows == expected.num_rows


def test_joined_tar_and_day_folder_give_the_same_rows(
    spark: Any, archive: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    parts = _parts(archive, tmp_path / "parts")
    spark_ingest(spark, parts, tmp_path / "split")
    expected = _lake_states(tmp_path / "split")
    tar = spark_ingest(spark, [str(archive)], tmp_path / "tar")
    assert _lake_states(tmp_path / "tar").equals(expected)  # the same name: the same sources
    problem = f"{BAD}: {_problem(tmp_path / 'split')}"
    assert tar.problems == [f"{archive}: {problem}"]
    # the 2 tasks of local[2] shared the tar stream: each took some of its traces
    shares = [spark_globe.share_of(i, 2) for i in range(2)]
    names = [member_name(f"{0xA00000 + i:06x}") for i in range(TRACES)] + [BAD]
    taken = [sum(map(mine, names)) for mine in shares]
    assert sum(taken) == TRACES + 1 and min(taken) > 0
    assert len(spark_globe.archive_pieces(GlobeInput(DAY, parts=[archive]), tar_tasks=2)) == 2
    monkeypatch.setattr(spark_globe, "FOLDER_FILES", 3)  # 9 trace members: 3 tasks
    folder = _folder(archive, tmp_path / "x")
    assert len(spark_globe.archive_pieces(GlobeInput(str(folder), folder=folder))) == 3
    report = spark_ingest(spark, [str(folder)], tmp_path / "folder")
    got = _lake_states(tmp_path / "folder")
    sources = [s.replace(f"{DAY}:", f"{folder}:") for s in expected.column("source").to_pylist()]
    assert got.equals(expected.set_column(expected.schema.get_field_index("source"), "source",
                                          pa.array(sources)))  # fmt: skip
    assert report.problems == [f"{folder}: {problem}"]
    again = spark_ingest(spark, [str(folder)], tmp_path / "folder")
    assert again.skipped == [str(folder)] and again.files == 0


def _problem(lake: Path) -> str:
    (record,) = (lake / RECORDS_DIR).glob("*.json")
    ((_, _, what),) = json.loads(record.read_text())["problems"]
    return str(what)


def test_a_grown_folder_stores_only_what_is_new(
    spark: Any, shared_data: Path, tmp_path: Path
) -> None:
    """A feeder's day folder ingested, then grown (one trace has more points, one trace is
    new): the second ``spark ingest`` stores the new trace and the new points only, as the
    embedded ingest of the same folder, twice, stores them (it resumes per trace). It stored
    the whole folder again: every trace stored before was in the lake twice."""
    docs = _docs(shared_data)
    day = tmp_path / "globe_history" / "2019" / "09" / "20"

    def put(doc: dict[str, Any], points: int) -> None:
        f = day / member_name(doc["icao"])
        f.parent.mkdir(parents=True, exist_ok=True)
        f.write_bytes(gzip.compress(json.dumps({**doc, "trace": doc["trace"][:points]}).encode()))

    half = len(docs[0]["trace"]) // 2
    put(docs[0], half)
    for d in docs[1:4]:
        put(d, len(d["trace"]))
    edir, lake = tmp_path / "embedded", tmp_path / "lake"
    ingest = ["ingest", "--quiet", "--no-flights", "--data-dir", str(edir), str(day)]
    assert _quiet(ingest)[0] == 0
    first = spark_ingest(spark, [str(day)], lake)
    assert "traces_already" not in first.counts and "traces_grown" not in first.counts  # 0
    put(docs[0], len(docs[0]["trace"]))  # the feeder writes on
    put(docs[4], len(docs[4]["trace"]))
    assert _quiet(ingest)[0] == 0
    again = spark_ingest(spark, [str(day)], lake)
    assert again.skipped == [] and again.files == 1
    assert (again.counts["traces_already"], again.counts["traces_grown"]) == (3, 1)
    expected = _embedded_states(edir)
    assert again.rows == expected.num_rows - first.rows > 0
    assert _lake_states(lake).equals(expected)
    (kept,) = (lake / TRACES_DIR).glob("*.json")
    assert len(json.loads(kept.read_text())["traces"]) == 5
