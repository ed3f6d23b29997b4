"""The states lake → the flights table, on Spark: the states of the window (plus a lookback, so a
flight that began before it is whole, and a lookahead, so one still in the air at its end is
too) are shuffled by ``icao24`` into partitions of about ``PARTITION_BYTES`` of states files;
each task runs the embedded flights stage (``flights.build_flights``, which orders its input by
aircraft and time itself) over its whole partition — every state vector of its aircraft — so the
flights are exactly those the embedded path builds.

Where the time goes decided the shape (bench/spark.py --profile): Spark reads the window's
states files through its own filesystems (``binaryFile``: local disk, HDFS, s3a://, ...) and
hands their bytes to Python tasks, which decode only the columns the flights stage reads with
pyarrow and cut them by aircraft into Arrow IPC payloads (``buckets``); Spark shuffles those
few large payloads, not one row per state vector, and the task of a partition reads its
payloads back. No JVM row conversion of the states, no JVM sort, no pickling.
Flights that start in the window are written to ``<lake>/flights/date=YYYY-MM-DD/`` (the day of
``firstSeen``); the days written are replaced, others kept.

A flight across midnight UTC, or across an ocean gap that spans midnight, is one flight: the
grouping is by aircraft over the whole window, never by day. The reference data the embedded
rebuild uses, the store's runways and the aircraft kinds its identity facts give
(``catalogue_reference``), travel with the task, so both engines build the same flights.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc

from ..flights import airport_inference, build_flights
from ..store.lake import STATES_DIR
from .arrowtypes import FLIGHTS_WITH_DATE, conform_to, for_spark, spark_schema
from .buckets import read_payloads, read_window, split_by_bucket

FLIGHTS_DIR = "flights"
#: States read before the window: the longest flight (an ocean crossing with its gaps) fits, s.
LOOKBACK = timedelta(hours=30)
#: And after it: a flight that starts in the window and ends after it is built whole.
LOOKAHEAD = timedelta(hours=30)
#: States Parquet bytes per shuffle partition: ~2.5 M rows at the lake's ~26 bytes a row (zstd
#: or snappy), one task's memory ~0.6 GB with the flights stage's working arrays; the window's
#: files decide the partition count.
PARTITION_BYTES = 64 * 1024 * 1024


def catalogue_reference(
    catalog_dir: Path | None, lake: str | Path | None = None
) -> tuple[pa.Table | None, dict[str, int]]:
    """What the embedded rebuild reads from a store besides the states: its runways table
    (None when none is imported) and the aircraft kinds of its identity facts, with the
    emitter categories ``lake``'s ``spark ingest`` heard (``investigate.working_set``);
    (None, {}) without a catalogue or categories."""
    from ..identify.kinds import aircraft_kinds
    from .investigate import working_set

    con = working_set(catalog_dir, lake)
    try:
        tables = {
            name for (name,) in con.execute("SELECT table_name FROM duckdb_tables()").fetchall()
        }
        runways = con.table("runways").to_arrow_table() if "runways" in tables else None
        return (runways if runways is not None and runways.num_rows else None), aircraft_kinds(con)
    finally:
        con.close()


def _splitter(lo: datetime, hi: datetime, keys: list[int]) -> Any:
    """The ``mapInArrow`` function over states files' bytes: each file's rows of the window, cut
    into (shuffle key, payload) rows, one per bucket (``buckets.split_by_bucket``)."""

    def run(batches: Iterator[pa.RecordBatch]) -> Iterator[pa.RecordBatch]:
        for rb in batches:
            for content in rb.column("content"):
                table = read_window(content.as_buffer(), lo, hi)
                out = list(split_by_bucket(table, len(keys)))
                if out:
                    yield pa.record_batch(
                        [
                            pa.array([keys[b] for b, _ in out], pa.int32()),
                            pa.array([p for _, p in out], pa.binary()),
                        ],
                        schema=_BLOB,
                    )

    return run


#: The shuffled rows: a bucket's shuffle key and one Arrow IPC payload of its states.
_BLOB = pa.schema([pa.field("key", pa.int32()), pa.field("payload", pa.binary())])


def _builder(
    runways: pa.Table | None, since: datetime, until: datetime, kinds: dict[str, int]
) -> Any:
    """The ``mapInArrow`` function over a partition holding all the payloads of its aircraft."""
    key = _digest(runways)
    lo = pa.scalar(since, pa.timestamp("ms", tz="UTC"))
    hi = pa.scalar(until, pa.timestamp("ms", tz="UTC"))

    def run(batches: Iterator[pa.RecordBatch]) -> Iterator[pa.RecordBatch]:
        kept = [rb for rb in batches if rb.num_rows]  # the batches own the payloads' memory
        if not kept:
            return
        states = read_payloads([p.as_buffer() for rb in kept for p in rb.column("payload")])
        inference = _inference_cache.get(key)
        if inference is None:
            inference = _inference_cache[key] = airport_inference(runways, None)
        flights = build_flights(states, inference=inference, kinds=kinds or None)
        del states, kept
        first = pc.cast(flights.column("firstSeen"), pa.timestamp("ms", tz="UTC"))
        flights = flights.filter(pc.and_(pc.greater_equal(first, lo), pc.less(first, hi)))
        day = pc.cast(pc.cast(flights.column("firstSeen"), pa.timestamp("ms")), pa.date32())
        out = conform_to(flights.append_column("date", day), for_spark(FLIGHTS_WITH_DATE))
        yield from out.to_batches()

    return run


#: One airport inference per Python worker process and runways table (built on first use:
#: ~0.3 s), by the table's digest (``_digest``).
_inference_cache: dict[str, Any] = {}


def _digest(runways: pa.Table | None) -> str:
    """A runways table's content digest (a worker process may serve jobs of several stores)."""
    if runways is None:
        return "none"
    sink = pa.BufferOutputStream()
    with pa.ipc.new_stream(sink, runways.schema) as w:
        w.write_table(runways)
    return hashlib.sha256(sink.getvalue().to_pybytes()).hexdigest()


def spark_rebuild_flights(
    spark: Any,
    lake: str | Path,
    since: datetime,
    until: datetime,
    *,
    runways: pa.Table | None = None,
    kinds: dict[str, int] | None = None,
    partitions: int | None = None,
) -> Any:
    """Rebuild the flights starting in [since, until) from ``lake``'s states; returns the
    flights DataFrame written. ``runways`` and ``kinds`` (icao24 -> ``Kind``): the store's
    reference data (``catalogue_reference``); ``partitions``: the shuffle's (default: enough
    for ``PARTITION_BYTES`` of states files each, and at least the cluster's parallelism)."""
    from pyspark.sql import functions as F
    from pyspark.sql.pandas.types import from_arrow_schema

    base = str(lake).rstrip("/")  # a local folder or a Spark filesystem URI (s3a://, hdfs://)
    lo, hi = (since - LOOKBACK).astimezone(UTC), (until + LOOKAHEAD).astimezone(UTC)
    files = (
        spark.read.format("binaryFile")
        .option("pathGlobFilter", "*.parquet")
        .load(f"{base}/{STATES_DIR}")
        .where((F.col("date") >= lo.date()) & (F.col("date") <= hi.date()))
    )
    if partitions is None:
        size = files.agg(F.sum("length")).first()[0] or 0  # the listing only, no file read
        partitions = max(spark.sparkContext.defaultParallelism, -(-size // PARTITION_BYTES))
    flights = (
        files.select("content")
        .mapInArrow(_splitter(lo, hi, shuffle_keys(partitions)), from_arrow_schema(_BLOB))
        .repartition(partitions, "key")
        .mapInArrow(
            _builder(runways, since.astimezone(UTC), until.astimezone(UTC), dict(kinds or {})),
            spark_schema(FLIGHTS_WITH_DATE),
        )
    )
    target = f"{base}/{FLIGHTS_DIR}"
    # one file per day, not one per day and partition (a month over 80 partitions: 2,500 files,
    # each a Parquet writer to open and a commit to make); the flights are few, their shuffle
    # cheap
    flights.repartition("date").write.mode("overwrite").partitionBy("date").parquet(target)
    return spark.read.schema(spark_schema(FLIGHTS_WITH_DATE)).parquet(target)  # no inference job


def shuffle_keys(partitions: int) -> list[int]:
    """For each shuffle partition p, an int key that Spark's hash partitioning by an int column
    (``pmod(hash(key), partitions)``) sends to p: bucket p's payloads go to partition p, so the
    buckets spread one to a partition (hashing the bucket numbers themselves would put several
    in one partition and leave others empty)."""
    found: dict[int, int] = {}
    k = 0
    while len(found) < partitions:
        found.setdefault(spark_int_hash(k) % partitions, k)  # Python's % is Spark's pmod here
        k += 1
    return [found[p] for p in range(partitions)]


_M32 = 0xFFFFFFFF


def _rotl(x: int, r: int) -> int:
    return ((x << r) | (x >> (32 - r))) & _M32


def spark_int_hash(value: int, seed: int = 42) -> int:
    """Spark's ``hash()`` of an int column (Murmur3 x86 32-bit, seed 42: what its hash
    partitioning and bucketing use), as a signed 32-bit int."""
    k = (value & _M32) * 0xCC9E2D51 & _M32
    k = _rotl(k, 15) * 0x1B873593 & _M32
    h = _rotl(seed ^ k, 13)
    h = (h * 5 + 0xE6546B64) & _M32
    h ^= 4
    h ^= h >> 16
    h = h * 0x85EBCA6B & _M32
    h ^= h >> 13
    h = h * 0xC2B2AE35 & _M32
    h ^= h >> 16
    return h - (1 << 32) if h & 0x80000000 else h
