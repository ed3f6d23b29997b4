"""The Arrow side of the Spark flights shuffle, pure functions over bytes and tables.

A states Parquet file's bytes (as Spark's ``binaryFile`` source hands them over) become the
rows of the window, only the columns the flights stage reads (``flights.rowarrays.FLIGHT_COLUMNS``),
cut by aircraft into ``buckets`` Arrow IPC payloads: every row of an aircraft lands in the same
bucket, whatever file it came from (a stable hash of its ``icao24``). Spark then moves a few
large payloads per file and bucket (zstd-compressed Arrow) instead of one shuffle row per state
vector, and a bucket's payloads read back (``read_payloads``) are all the rows of its aircraft.
"""

from __future__ import annotations

import zlib
from collections.abc import Iterator
from datetime import datetime

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from ..flights.rowarrays import FLIGHT_COLUMNS
from ..store.schema import STATE_SCHEMA, conform

#: Rows of one payload at most (~7 MB at ~26 compressed bytes a row): a file's slice for one
#: bucket is cut into payloads of this size, so no Arrow batch between the JVM and Python nears
#: its 2 GB limit.
PAYLOAD_ROWS = 250_000
#: Payloads compressed: ~26 bytes a state vector instead of ~90, in less CPU than copying the
#: uncompressed bytes through the shuffle costs.
_ZSTD = pa.ipc.IpcWriteOptions(compression="zstd")
#: The timestamp type of the window's bounds and of the rows compared with them.
_MS_UTC = pa.timestamp("ms", tz="UTC")


def bucket_of(icao24: str, buckets: int) -> int:
    """The bucket of an aircraft: a hash that is the same in every worker process (Python's
    own ``hash`` of a str is salted per process)."""
    return zlib.crc32(icao24.encode()) % buckets


def read_window(data: pa.Buffer | bytes, lo: datetime, hi: datetime) -> pa.Table:
    """The rows of a states Parquet file (its bytes) with ``lo <= timestamp < hi``, the flights
    stage's columns only, in STATE_SCHEMA's types (a column the file lacks: all null)."""
    pf = pq.ParquetFile(pa.BufferReader(data))
    present = [c for c in FLIGHT_COLUMNS if c in pf.schema_arrow.names]
    table = conform(pf.read(columns=present), FLIGHT_COLUMNS)
    ts = table.column("timestamp")
    keep = pc.and_(
        pc.greater_equal(ts, pa.scalar(lo, _MS_UTC)), pc.less(ts, pa.scalar(hi, _MS_UTC))
    )
    return table.filter(keep)


def split_by_bucket(table: pa.Table, buckets: int) -> Iterator[tuple[int, bytes]]:
    """(bucket, Arrow IPC stream bytes) for each bucket that has rows of ``table``; rows keep
    their order within a bucket. A row without an icao24 goes to bucket 0 (the flights stage
    counts and drops it there, as the embedded path does)."""
    if not table.num_rows:
        return
    enc = pc.dictionary_encode(table.column("icao24")).combine_chunks()
    per_value = np.array(
        [bucket_of(v, buckets) for v in enc.dictionary.to_pylist()] or [0], dtype=np.int64
    )
    codes = pc.fill_null(enc.indices, 0).to_numpy(zero_copy_only=False)
    bucket = np.where(pc.is_valid(enc.indices).to_numpy(zero_copy_only=False), per_value[codes], 0)
    if (bucket == bucket[0]).all():  # one bucket (a small job's one partition): no reordering
        ordered, cuts = table, np.where(np.arange(buckets + 1) > bucket[0], table.num_rows, 0)
    else:
        order = np.argsort(bucket, kind="stable")
        ordered = table.take(pa.array(order))
        cuts = np.searchsorted(bucket[order], np.arange(buckets + 1))
    for b in range(buckets):
        for start in range(int(cuts[b]), int(cuts[b + 1]), PAYLOAD_ROWS):
            stop = min(start + PAYLOAD_ROWS, int(cuts[b + 1]))
            yield b, _ipc(ordered.slice(start, stop - start))


def _ipc(table: pa.Table) -> bytes:
    sink = pa.BufferOutputStream()
    with pa.ipc.new_stream(sink, table.schema, options=_ZSTD) as w:
        w.write_table(table)
    data: bytes = sink.getvalue().to_pybytes()
    return data


def read_payloads(payloads: list[pa.Buffer | bytes]) -> pa.Table:
    """The rows of a bucket's payloads, one table."""
    tables = [pa.ipc.open_stream(p).read_all() for p in payloads]
    if not tables:
        schema = pa.schema([STATE_SCHEMA.field(c) for c in FLIGHT_COLUMNS])
        return schema.empty_table()
    return pa.concat_tables(tables)
