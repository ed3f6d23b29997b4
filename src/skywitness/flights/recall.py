"""Recalls for the flights stage: one aircraft's earlier state vectors, to bring back a flight
it forgot in the air (an ocean crossing). ``LakeRecall`` reads a store's Parquet lake,
``TableRecall`` the tables of a run held in memory.

An in-memory DuckDB reads the Parquet files of the days concerned; the catalogue file is never
opened (the live service holds it read-write, and the stage may run in a child process).
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime, timedelta
from pathlib import Path

import duckdb
import pyarrow as pa
import pyarrow.compute as pc

from ..store import STATE_SCHEMA
from ..store.catalog import sql_quote
from ..store.lake import partition_dir

log = logging.getLogger(__name__)

EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
#: Reads of the lake tried before giving up (a compaction may remove a file listed a moment
#: before): then nothing is recalled, the flight stays as it was.
RECALL_TRIES = 3


def _at(ms: int) -> datetime:
    return EPOCH + timedelta(milliseconds=ms)  # exact: no float seconds


class LakeRecall:
    """A ``FlightBuilder`` recall over a store's lake (``<lake>/states/date=YYYY-MM-DD/``):
    one aircraft's state vectors with ``since_ms <= timestamp <= until_ms``, in the lake's
    schema, by time, exact duplicate rows (a compaction's old and new files) dropped."""

    def __init__(self, lake: Path) -> None:
        self.lake = Path(lake)
        self.calls = 0
        self._con: duckdb.DuckDBPyConnection | None = None

    def __call__(self, icao24: str, since_ms: int, until_ms: int) -> pa.Table:
        self.calls += 1
        since, until = _at(since_ms), _at(until_ms)
        n_days = (until.date() - since.date()).days + 1
        days = [since.date() + timedelta(days=k) for k in range(n_days)]
        cols = ", ".join(f'"{c}"' for c in STATE_SCHEMA.names)
        for attempt in range(RECALL_TRIES):
            files = [f for d in days for f in sorted(partition_dir(self.lake, d).glob("*.parquet"))]
            if not files:
                break
            paths = ", ".join(sql_quote(str(f)) for f in files)
            sql = (
                f"SELECT DISTINCT {cols} FROM read_parquet([{paths}], hive_partitioning = true, "
                "hive_types = {'date': 'DATE'}, union_by_name = true) "
                "WHERE icao24 = ? AND timestamp >= ? AND timestamp <= ? ORDER BY timestamp"
            )
            try:
                if self._con is None:
                    self._con = duckdb.connect(":memory:")
                rel = self._con.sql(sql, params=[icao24.lower(), since, until])
                return rel.to_arrow_table().cast(STATE_SCHEMA)
            except duckdb.Error as exc:  # a file gone meanwhile: list again
                if attempt == RECALL_TRIES - 1:
                    log.warning("recall of %s from %s failed: %s", icao24, self.lake, exc)
        return STATE_SCHEMA.empty_table()


class TableRecall:
    """A ``FlightBuilder`` recall over state vectors held in memory (``add`` each table as it
    is produced): for a run without a store, such as the demo's simulated capture."""

    def __init__(self) -> None:
        self._tables: list[pa.Table] = []
        self.calls = 0

    def add(self, table: pa.Table) -> None:
        if table.num_rows:
            self._tables.append(table)

    def __call__(self, icao24: str, since_ms: int, until_ms: int) -> pa.Table:
        self.calls += 1
        if not self._tables:
            return STATE_SCHEMA.empty_table()
        rows = pa.concat_tables(self._tables, promote_options="default")
        ms = pc.cast(rows["timestamp"], pa.timestamp("ms", tz="UTC")).cast(pa.int64())
        keep = pc.and_(
            pc.equal(rows["icao24"], icao24.lower()),
            pc.and_(pc.greater_equal(ms, since_ms), pc.less_equal(ms, until_ms)),
        )
        return rows.filter(keep).sort_by("timestamp")
