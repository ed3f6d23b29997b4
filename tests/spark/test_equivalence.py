"""Spark (local mode) and the embedded path give the same state vectors and the same flights,
row for row, on the quickstart collection, the readsb trace and the Caracas simulation; flights
across midnight UTC (observed, and across an ocean gap) are one flight in both engines."""

from __future__ import annotations

import csv
import lzma
import shutil
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq
import pytest

from skywitness.flights import build_flights
from skywitness.runtime.pipeline import RunOptions, track_tables
from skywitness.spark.flights import spark_rebuild_flights
from skywitness.spark.ingest import SparkIngestReport, ingest_records, spark_ingest, with_date
from skywitness.spark.investigate import spark_inputs
from skywitness.stats import IngestStats
from skywitness.store.schema import conform

KEY = [("icao24", "ascending"), ("timestamp", "ascending")]


def embedded_states(path: str) -> pa.Table:
    tables = list(track_tables([path], RunOptions(), IngestStats()))
    return conform(pa.concat_tables(tables)).sort_by(KEY)


def lake_states(lake: Path) -> pa.Table:
    t = pq.read_table(lake / "states").drop_columns(["date"])
    return conform(t).sort_by(KEY)


@pytest.fixture(scope="module")
def embedded(inputs: dict[str, str]) -> dict[str, pa.Table]:
    return {name: embedded_states(path) for name, path in inputs.items()}


def test_states_row_for_row(
    spark_lake: tuple[Path, SparkIngestReport], embedded: dict[str, pa.Table]
) -> None:
    lake, report = spark_lake
    assert report.files == 3 and report.skipped == []
    expected = pa.concat_tables(embedded.values()).sort_by(KEY)
    got = lake_states(lake)
    assert got.num_rows == expected.num_rows == report.rows
    assert got.equals(expected)
    # partitioned by UTC day, as the embedded lake
    days = sorted(p.name for p in (lake / "states").iterdir() if p.name.startswith("date="))
    assert "date=2019-09-20" in days and "date=2021-10-07" in days


def test_a_second_ingest_stores_nothing_twice(
    spark: Any, spark_lake: tuple[Path, SparkIngestReport], inputs: dict[str, str]
) -> None:
    lake, first = spark_lake
    again = spark_ingest(spark, list(inputs.values()), lake)
    assert again.files == 0 and sorted(again.skipped) == sorted(inputs.values())
    assert pq.read_table(lake / "states").num_rows == first.rows


def _window(states: pa.Table) -> tuple[datetime, datetime]:
    lo, hi = pc.min_max(states.column("timestamp")).values()
    day = lo.as_py().replace(hour=0, minute=0, second=0, microsecond=0)
    return day, hi.as_py() + timedelta(days=1)


def _flights_key(t: pa.Table) -> pa.Table:
    return t.sort_by([("icao24", "ascending"), ("firstSeen", "ascending")])


def test_flights_row_for_row(
    spark: Any, spark_lake: tuple[Path, SparkIngestReport], embedded: dict[str, pa.Table]
) -> None:
    lake, _ = spark_lake
    states = pa.concat_tables(embedded.values())
    since, until = _window(states)
    got = spark_rebuild_flights(spark, lake, since, until)
    spark_flights = conform_flights(pq.read_table(lake / "flights"))
    expected = build_flights(states)
    assert spark_flights.num_rows == expected.num_rows == got.count()
    assert _flights_key(spark_flights).equals(_flights_key(expected))


def conform_flights(t: pa.Table) -> pa.Table:
    from skywitness.flights.schema import FLIGHT_SCHEMA
    from skywitness.spark.arrowtypes import conform_to

    return conform_to(t.drop_columns(["date"]), FLIGHT_SCHEMA)


def _moved(t: pa.Table, hours: int) -> pa.Table:
    shift = pa.scalar(hours * 3600 * 1000, pa.duration("ms"))
    return t.set_column(0, "timestamp", pc.add(t.column("timestamp"), shift))


def test_midnight_and_ocean_gap_across_midnight(
    spark: Any, embedded: dict[str, pa.Table], tmp_path: Path
) -> None:
    """Quickstart moved 10 h later (12:00-15:00 becomes 22:00-01:00: flights observed across
    midnight) and the Caracas day 12 h later (the Atlantic gaps span midnight): each such
    flight is one flight, in both engines."""
    moved = conform(pa.concat_tables([_moved(embedded["quickstart"], 10),
                                      _moved(embedded["caracas"], 12)]))  # fmt: skip
    pq.write_to_dataset(with_date(moved), tmp_path / "states", partition_cols=["date"])
    spark_rebuild_flights(spark, tmp_path, datetime(2019, 9, 1, tzinfo=UTC),
                          datetime(2021, 10, 9, tzinfo=UTC))  # fmt: skip
    got = _flights_key(conform_flights(pq.read_table(tmp_path / "flights")))
    expected = _flights_key(build_flights(moved))
    assert got.equals(expected)
    rows = got.select(["icao24", "firstSeen", "lastSeen", "estDepartureAirport",
                       "estArrivalAirport", "gaps_bridged"]).to_pylist()  # fmt: skip
    across = [r for r in rows if r["firstSeen"].date() != r["lastSeen"].date()]
    state = {r["icao24"]: r for r in across if r["icao24"] in ("154073", "1551e0")}
    # left Moscow on the 20th, crossed the Atlantic out of coverage over midnight, landed on
    # the 21st at Maiquetia: one flight each
    assert {k: (r["estDepartureAirport"], r["estArrivalAirport"], r["gaps_bridged"])
            for k, r in state.items()} == {"154073": ("UUMU", "SVMI", 2),
                                           "1551e0": ("UUWW", "SVMI", 2)}  # fmt: skip
    assert all(r["firstSeen"].day == 20 and r["lastSeen"].day == 21 for r in state.values())
    observed_across = [r for r in across if r["firstSeen"].year == 2021]
    # 32 of quickstart's 237 flights are in the air at the moved midnight (embedded count)
    assert len(observed_across) == 32


def test_flights_with_the_stores_runways_and_kinds(
    spark: Any,
    spark_lake: tuple[Path, SparkIngestReport],
    embedded: dict[str, pa.Table],
    shared_data: Path,
    tmp_path: Path,
) -> None:
    """The reference data the embedded rebuild reads from a store — its runways and the
    aircraft kinds of its identity facts — reach the Spark tasks (``catalogue_reference``), so
    both engines still build the same flights when the store knows them (the readsb trace's
    737, ac671b, is a jet by FlightAware's ICAO description)."""
    from skywitness.cli.main import main as cli
    from skywitness.identify.kinds import Kind
    from skywitness.spark.flights import catalogue_reference

    store_dir = tmp_path / "store"
    runways_csv = shared_data / "ourairports" / "runways.csv.gz"
    assert cli(["db", "import-runways", str(runways_csv), "--data-dir", str(store_dir)]) == 0
    fa = shared_data / "flightaware-aircraft-db" / "flightaware-20250514.csv.xz"
    with lzma.open(fa, "rt", newline="") as f:  # FlightAware's row for the trace's 737
        rows = [r for r in csv.reader(f) if r[0] in ("icao24", "AC671B")]
    sub = tmp_path / "flightaware.csv"
    with sub.open("w", newline="") as f:
        csv.writer(f).writerows(rows)
    for path, source in [
        (shared_data / "tar1090-db" / "aircraft_from_shards.csv.gz", "tar1090"),
        (sub, "flightaware"),
    ]:
        args = ["db", "import-aircraft", str(path), "--kind", "tar1090", "--source", source]
        assert cli([*args, "--data-dir", str(store_dir)]) == 0
    runways, kinds = catalogue_reference(store_dir)
    assert runways is not None and runways.num_rows > 40_000
    assert kinds["ac671b"] == int(Kind.JET)

    lake = tmp_path / "lake"
    shutil.copytree(spark_lake[0] / "states", lake / "states")
    states = pa.concat_tables(embedded.values())
    since, until = _window(states)
    spark_rebuild_flights(spark, lake, since, until, runways=runways, kinds=kinds)
    got = _flights_key(conform_flights(pq.read_table(lake / "flights")))
    expected = _flights_key(build_flights(states, runways=runways, kinds=kinds))
    assert got.equals(expected)
    assert not expected.equals(_flights_key(build_flights(states)))  # the reference matters


def test_a_file_split_into_many_lake_files_gives_the_same_flights(
    spark: Any,
    inputs: dict[str, str],
    embedded: dict[str, pa.Table],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """``spark flights`` hands each states file to one task whole, so ``spark ingest`` caps a
    lake file's rows (``FILE_ROWS``); an aircraft's rows spread over many files still make its
    flights."""
    from skywitness.spark import ingest

    monkeypatch.setattr(ingest, "FILE_ROWS", 500)
    spark_ingest(spark, [inputs["readsb"]], tmp_path)
    files = list((tmp_path / "states").rglob("*.parquet"))
    assert len(files) >= embedded["readsb"].num_rows // 500
    assert max(pq.ParquetFile(f).metadata.num_rows for f in files) <= 500
    assert lake_states(tmp_path).equals(embedded["readsb"])
    since, until = _window(embedded["readsb"])
    spark_rebuild_flights(spark, tmp_path, since, until)
    got = conform_flights(pq.read_table(tmp_path / "flights"))
    expected = build_flights(embedded["readsb"])
    assert got.num_rows == expected.num_rows > 0
    assert _flights_key(got).equals(_flights_key(expected))


def test_a_lake_given_as_a_uri(
    spark: Any, inputs: dict[str, str], embedded: dict[str, pa.Table], tmp_path: Path
) -> None:
    """``--lake URI``: ingest and flights go through Spark's own filesystems (``file://`` here,
    Hadoop's FileSystem as for ``s3a://`` or ``hdfs://``), the ingest records too, so a second
    ingest of the same file stores nothing (``pathlib`` folded ``//`` and wrote them to a local
    folder named ``file:``)."""
    uri = tmp_path.as_uri()
    report = spark_ingest(spark, [inputs["readsb"]], uri)
    assert report.rows == embedded["readsb"].num_rows
    assert lake_states(tmp_path).equals(embedded["readsb"])
    assert len(list((tmp_path / "_spark" / "ingested").glob("*.json"))) == 1
    assert spark_ingest(spark, [inputs["readsb"]], uri).skipped == [inputs["readsb"]]
    # its records (the evidence's inputs, the identity facts) read back through the URI too:
    # the folder path of the URI was read as a local folder named "file:" and gave none
    records = ingest_records(uri)
    assert len(records) == 1 and records == ingest_records(tmp_path)
    assert [r.sha256 for r in spark_inputs(uri)] == [records[0]["sha256"]]
    since, until = _window(embedded["readsb"])
    assert spark_rebuild_flights(spark, uri + "/", since, until).count() > 0
    got = conform_flights(pq.read_table(tmp_path / "flights"))
    assert _flights_key(got).equals(_flights_key(build_flights(embedded["readsb"])))


def test_an_opensky_export(spark: Any, tmp_path: Path) -> None:
    """An OpenSky state-vector export (the dataset CSV, hand-written in tests/data), one of the
    issue's inputs of ``spark ingest``: the same state vectors as embedded ingest."""
    opensky = str(Path(__file__).resolve().parents[1] / "data" / "opensky_states.csv")
    report = spark_ingest(spark, [opensky], tmp_path)
    expected = embedded_states(opensky)
    assert report.files == 1 and report.rows == expected.num_rows > 0
    assert lake_states(tmp_path).equals(expected)
