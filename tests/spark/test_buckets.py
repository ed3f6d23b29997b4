"""The Arrow side of the Spark flights shuffle (``spark.buckets``) and the shuffle keys: every
row of an aircraft in one bucket, the window kept, the flights stage's columns only, and each
bucket's key sent by Spark's hash partitioning to its own partition."""

from __future__ import annotations

import ast
import io
import os
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq
import pytest

from skywitness.flights.rowarrays import FLIGHT_COLUMNS
from skywitness.spark import buckets
from skywitness.spark.buckets import bucket_of, read_payloads, read_window, split_by_bucket
from skywitness.spark.flights import shuffle_keys, spark_int_hash
from skywitness.store import load_traffic_json
from skywitness.store.schema import conform


@pytest.fixture(scope="module")
def quickstart(shared_data: Path) -> pa.Table:
    path = shared_data / "traffic-trajectories" / "collections" / "quickstart.json.gz"
    return conform(load_traffic_json(path))


def _parquet(table: pa.Table) -> bytes:
    sink = io.BytesIO()
    pq.write_table(table, sink)
    return sink.getvalue()


def test_a_file_is_cut_by_aircraft_and_read_back_whole(
    quickstart: pa.Table, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(buckets, "PAYLOAD_ROWS", 1000)  # several payloads for a bucket too
    lo, hi = datetime(2000, 1, 1, tzinfo=UTC), datetime(2100, 1, 1, tzinfo=UTC)
    table = read_window(_parquet(quickstart), lo, hi)
    assert table.column_names == list(FLIGHT_COLUMNS) and table.num_rows == quickstart.num_rows
    parts = list(split_by_bucket(table, 3))
    assert len(parts) > 3  # payloads of at most 1,000 rows
    got: dict[int, pa.Table] = {}
    for b in range(3):
        got[b] = read_payloads([p for k, p in parts if k == b])
        names = set(got[b].column("icao24").to_pylist())
        assert names and all(bucket_of(n, 3) == b for n in names)
    whole = pa.concat_tables(got.values())
    assert whole.num_rows == quickstart.num_rows
    key = ["icao24", "timestamp", "latitude", "callsign"]
    want = quickstart.select(key).sort_by([("icao24", "ascending"), ("timestamp", "ascending")])
    assert (
        whole.select(key)
        .sort_by([("icao24", "ascending"), ("timestamp", "ascending")])
        .equals(want)
    )


def test_rows_of_one_bucket_stay_in_their_order(
    quickstart: pa.Table, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A file whose rows all fall in one bucket (every file of a job with one partition, or of
    one aircraft) is cut without reordering: its payloads, read back, are the file's rows."""
    monkeypatch.setattr(buckets, "PAYLOAD_ROWS", 1000)
    lo, hi = datetime(2000, 1, 1, tzinfo=UTC), datetime(2100, 1, 1, tzinfo=UTC)
    table = read_window(_parquet(quickstart), lo, hi)
    key = ["timestamp", "icao24", "latitude", "callsign"]
    parts = list(split_by_bucket(table, 1))
    assert {b for b, _ in parts} == {0} and len(parts) == -(-table.num_rows // 1000)
    assert read_payloads([p for _, p in parts]).select(key).equals(table.select(key))
    one = table.filter(pc.equal(table.column("icao24"), table.column("icao24")[0]))
    b = bucket_of(one.column("icao24")[0].as_py(), 5)
    parts = list(split_by_bucket(one, 5))
    assert {k for k, _ in parts} == {b}
    assert read_payloads([p for _, p in parts]).select(key).equals(one.select(key))


def test_the_window_and_a_missing_column(quickstart: pa.Table) -> None:
    ts = quickstart.column("timestamp")
    lo, hi = pc.min(ts).as_py(), pc.max(ts).as_py()
    table = read_window(_parquet(quickstart.drop_columns(["source"])), lo, hi)
    assert table.num_rows == quickstart.num_rows - pc.sum(pc.equal(ts, hi)).as_py()
    assert table.column("source").null_count == table.num_rows  # absent: all null


def test_rows_without_an_address_go_to_bucket_zero(quickstart: pa.Table) -> None:
    head = quickstart.slice(0, 10).select(list(FLIGHT_COLUMNS))
    nulls = head.set_column(1, "icao24", pa.nulls(10, pa.string()))
    parts = list(split_by_bucket(nulls, 4))
    assert [b for b, _ in parts] == [0] and read_payloads([parts[0][1]]).num_rows == 10
    assert list(split_by_bucket(head.slice(0, 0), 4)) == []
    assert read_payloads([]).column_names == list(FLIGHT_COLUMNS)


def test_bucket_of_is_the_same_in_every_process() -> None:
    # not Python's str hash, which is salted per process: two interpreters agree
    code = "from skywitness.spark.buckets import bucket_of as b; print([b(a, 7) for a in A])"
    code = code.replace("A", repr(["ac671b", "3c6444", "000001", "e49406"]))
    seen = {
        subprocess.run(
            [sys.executable, "-c", code],
            env={**os.environ, "PYTHONHASHSEED": seed},
            capture_output=True,
            text=True,
            check=True,
        ).stdout
        for seed in ("1", "2")
    }
    assert len(seen) == 1 and len(set(ast.literal_eval(seen.pop()))) > 1  # not all in one


def test_each_shuffle_key_reaches_its_own_partition(spark: Any) -> None:
    from pyspark.sql import functions as F

    rows = (
        spark.range(-1000, 1000)
        .select(F.col("id").cast("int").alias("k"))
        .select("k", F.hash("k").alias("h"))
        .collect()
    )
    assert all(spark_int_hash(r["k"]) == r["h"] for r in rows)
    for n in (1, 2, 7, 64):
        keys = shuffle_keys(n)
        df = spark.createDataFrame([(k,) for k in keys], "key int").repartition(n, "key")
        placed = df.rdd.mapPartitionsWithIndex(lambda i, it: [(r["key"], i) for r in it]).collect()
        assert sorted(placed, key=lambda kv: kv[1]) == [(k, p) for p, k in enumerate(keys)]
