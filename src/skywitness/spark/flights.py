"""The states lake → the flights table, on Spark: the states of the window (plus a lookback, so a
flight that began before it is whole, and a lookahead, so one still in the air at its end is
too) are shuffled by ``icao24`` and sorted; each task runs the embedded flights stage
(``flights.build_flights``) over whole aircraft at a time (``mapInArrow`` over the sorted
partition, cut only between aircraft), so the flights are exactly those the embedded path
builds. Flights that start in the window are written to ``<lake>/flights/date=YYYY-MM-DD/``
(the day of ``firstSeen``); the days written are replaced, others kept.

A flight across midnight UTC, or across an ocean gap that spans midnight, is one flight: the
grouping is by aircraft over the whole window, never by day.
"""

from __future__ import annotations

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

FLIGHTS_DIR = "flights"
#: States read before the window: the longest flight (an ocean crossing with its gaps) fits, s.
LOOKBACK = timedelta(hours=30)
#: And after it: a flight that starts in the window and ends after it is built whole.
LOOKAHEAD = timedelta(hours=30)
#: Rows buffered in a task before the complete aircraft in it are built (memory bound).
CHUNK_ROWS = 2_000_000


def _complete(buffer: list[pa.RecordBatch]) -> tuple[pa.Table, list[pa.RecordBatch]]:
    """The buffered rows of every aircraft but the last one seen (which may go on), and the
    last aircraft's rows to keep."""
    table = pa.Table.from_batches(buffer)
    icao = table.column("icao24")
    last = icao[table.num_rows - 1].as_py()
    keep = pc.equal(icao, last)
    first_kept = int(pc.index(keep, True).as_py())
    return table.slice(0, first_kept), table.slice(first_kept).combine_chunks().to_batches()


def _builder(runways: pa.Table | None, since: datetime, until: datetime) -> Any:
    """The ``mapInArrow`` function over a partition sorted by (icao24, timestamp)."""

    def build(states: pa.Table) -> Iterator[pa.RecordBatch]:
        if not states.num_rows:
            return
        inference = _inference_cache.setdefault("inf", airport_inference(runways, None))
        flights = build_flights(conform(states), inference=inference)
        first = pc.cast(flights.column("firstSeen"), pa.timestamp("ms", tz="UTC"))
        keep = pc.and_(
            pc.greater_equal(first, pa.scalar(since, pa.timestamp("ms", tz="UTC"))),
            pc.less(first, pa.scalar(until, pa.timestamp("ms", tz="UTC"))),
        )
        flights = flights.filter(keep)
        day = pc.cast(pc.cast(flights.column("firstSeen"), pa.timestamp("ms")), pa.date32())
        out = conform_to(flights.append_column("date", day), for_spark(FLIGHTS_WITH_DATE))
        yield from out.to_batches()

    def run(batches: Iterator[pa.RecordBatch]) -> Iterator[pa.RecordBatch]:
        buffer: list[pa.RecordBatch] = []
        rows = 0
        for rb in batches:
            if rb.num_rows == 0:
                continue
            buffer.append(rb)
            rows += rb.num_rows
            if rows >= CHUNK_ROWS:
                done, buffer = _complete(buffer)
                rows = sum(b.num_rows for b in buffer)
                yield from build(done)
        if buffer:
            yield from build(pa.Table.from_batches(buffer))

    return run


#: One airport inference per Python worker process (built on first use: ~0.3 s).
_inference_cache: dict[str, Any] = {}


def spark_rebuild_flights(
    spark: Any,
    lake: str | Path,
    since: datetime,
    until: datetime,
    *,
    runways: pa.Table | None = None,
    partitions: int | None = None,
) -> Any:
    """Rebuild the flights starting in [since, until) from ``lake``'s states; returns the
    flights DataFrame written."""
    from pyspark.sql import functions as F

    base = str(lake).rstrip("/")  # a local folder or a Spark filesystem URI (s3a://, hdfs://)
    lo, hi = since - LOOKBACK, until + LOOKAHEAD
    states = (
        spark.read.parquet(f"{base}/{STATES_DIR}")
        .where((F.col("date") >= lo.date()) & (F.col("date") <= hi.date()))
        .where((F.col("timestamp") >= lo) & (F.col("timestamp") < hi))
        .drop("date")
    )
    n = partitions or spark.sparkContext.defaultParallelism
    ordered = states.repartition(n, "icao24").sortWithinPartitions("icao24", "timestamp")
    flights = ordered.mapInArrow(
        _builder(runways, since.astimezone(UTC), until.astimezone(UTC)),
        spark_schema(FLIGHTS_WITH_DATE),
    )
    target = f"{base}/{FLIGHTS_DIR}"
    flights.write.mode("overwrite").partitionBy("date").parquet(target)
    return spark.read.parquet(target)
