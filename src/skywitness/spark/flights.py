"""The states lake → the flights table, on Spark: the states of the window (plus a lookback, so a
flight that began before it is whole, and a lookahead, so one still in the air at its end is
too) are shuffled by ``icao24`` into partitions of at most ``PARTITION_ROWS`` rows; each task
runs the embedded flights stage (``flights.build_flights``, which orders its input by aircraft
and time itself) over its whole partition — every state vector of its aircraft — so the flights
are exactly those the embedded path builds. No sort in the JVM and no row-by-row conversion:
the rows reach Python as Arrow batches (``mapInArrow``) of ``ARROW_BATCH_ROWS``. Flights that
start in the window are written to ``<lake>/flights/date=YYYY-MM-DD/`` (the day of
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
from ..store.schema import conform
from .arrowtypes import FLIGHTS_WITH_DATE, conform_to, for_spark, spark_schema
from .session import ARROW_BATCH

FLIGHTS_DIR = "flights"
#: States read before the window: the longest flight (an ocean crossing with its gaps) fits, s.
LOOKBACK = timedelta(hours=30)
#: And after it: a flight that starts in the window and ends after it is built whole.
LOOKAHEAD = timedelta(hours=30)
#: Rows of one shuffle partition (one task's memory: ~0.5 GB of Arrow at ~250 bytes a row with
#: the flights stage's working arrays); the window's rows decide the partition count.
PARTITION_ROWS = 2_000_000
#: Rows per Arrow batch handed to a Python task (session.SESSION_CONF sets it).
ARROW_BATCH_ROWS = ARROW_BATCH


def catalogue_reference(catalog_dir: Path | None) -> tuple[pa.Table | None, dict[str, int]]:
    """What the embedded rebuild reads from a store besides the states: its runways table
    (None when none is imported) and the aircraft kinds of its identity facts; (None, {})
    without a catalogue."""
    from ..identify.kinds import aircraft_kinds
    from .investigate import working_set

    con = working_set(catalog_dir)
    try:
        tables = {
            name for (name,) in con.execute("SELECT table_name FROM duckdb_tables()").fetchall()
        }
        runways = con.table("runways").to_arrow_table() if "runways" in tables else None
        return (runways if runways is not None and runways.num_rows else None), aircraft_kinds(con)
    finally:
        con.close()


def _builder(
    runways: pa.Table | None, since: datetime, until: datetime, kinds: dict[str, int]
) -> Any:
    """The ``mapInArrow`` function over a partition holding all the rows of its aircraft."""
    key = _digest(runways)
    lo = pa.scalar(since, pa.timestamp("ms", tz="UTC"))
    hi = pa.scalar(until, pa.timestamp("ms", tz="UTC"))

    def run(batches: Iterator[pa.RecordBatch]) -> Iterator[pa.RecordBatch]:
        kept = [rb for rb in batches if rb.num_rows]
        if not kept:
            return
        states = conform(pa.Table.from_batches(kept))
        del kept
        inference = _inference_cache.get(key)
        if inference is None:
            inference = _inference_cache[key] = airport_inference(runways, None)
        flights = build_flights(states, inference=inference, kinds=kinds or None)
        del states
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
    for ``PARTITION_ROWS`` each, and at least the cluster's parallelism)."""
    from pyspark.sql import functions as F

    base = str(lake).rstrip("/")  # a local folder or a Spark filesystem URI (s3a://, hdfs://)
    lo, hi = since - LOOKBACK, until + LOOKAHEAD
    states = (
        spark.read.parquet(f"{base}/{STATES_DIR}")
        .where((F.col("date") >= lo.date()) & (F.col("date") <= hi.date()))
        .where((F.col("timestamp") >= lo) & (F.col("timestamp") < hi))
        .drop("date")
    )
    n = partitions or max(
        spark.sparkContext.defaultParallelism, -(-states.count() // PARTITION_ROWS)
    )
    flights = states.repartition(n, "icao24").mapInArrow(
        _builder(runways, since.astimezone(UTC), until.astimezone(UTC), dict(kinds or {})),
        spark_schema(FLIGHTS_WITH_DATE),
    )
    target = f"{base}/{FLIGHTS_DIR}"
    flights.write.mode("overwrite").partitionBy("date").parquet(target)
    return spark.read.parquet(target)
