"""One live flights step: the incremental builder, the change gate and the stream texts.

``FlightSteps.step`` feeds new state vectors to ``FlightBuilder.update``, lets the
``ChangeGate`` choose which changed flights to pass on now (new flights and material changes at
once, progress at most about once a ``PROGRESS_S`` per flight, everything held when asked to
flush), and for stream listeners builds their server-sent-event texts. It runs in the flights
child process (``flights_proc``) or, without one, in the flights worker's thread; either way
the worker only stores and publishes what a step returns. Given the store's lake, the builder
recalls a flight forgotten in the air (``LakeRecall``: the lake's Parquet files read directly,
never the catalogue the service holds open) when the aircraft comes back over an ocean.
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import duckdb
import pyarrow as pa

from ..flights import FLIGHT_SCHEMA, FlightBuilder
from ..flights.gate import ChangeGate
from ..stats import IngestStats
from ..store import STATE_SCHEMA, iso_z
from ..store.catalog import sql_quote
from ..store.lake import partition_dir
from .hub import sse_text

log = logging.getLogger(__name__)

EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
#: Reads of the lake tried before giving up (a compaction may remove a file listed a moment
#: before): then nothing is recalled, the flight stays as it was.
RECALL_TRIES = 3


def jsonable(v: Any) -> Any:
    """Arrow ``to_pylist`` values as JSON values: datetimes ISO 8601 with Z, dates ISO."""
    if isinstance(v, datetime):
        return iso_z(v)
    if isinstance(v, list):
        return [jsonable(x) for x in v]
    if isinstance(v, dict):
        return {k: jsonable(x) for k, x in v.items()}
    if hasattr(v, "isoformat"):
        return v.isoformat()
    if isinstance(v, float) and v != v:
        return None
    return v


def flight_rows(table: pa.Table) -> list[dict[str, Any]]:
    """The API's flight objects (docs/api.md) of a flights table."""
    return [jsonable(r) for r in table.to_pylist()]


def flight_texts(changed: pa.Table, removed: list[str]) -> list[str]:
    """The ``event: flight`` messages for changed and removed flights (docs/api.md)."""
    texts = [sse_text("flight", {**row, "change": "upsert"}) for row in flight_rows(changed)]
    texts += [sse_text("flight", {"flight_id": fid, "change": "removed"}) for fid in removed]
    return texts


@dataclass
class StepResult:
    """What a step passes on: flights to store and publish, ids of removed flights, reject
    counts by reason label, the stream texts (when asked for), how many flights the gate
    still holds back and how many flights have been recalled from the lake so far."""

    changed: pa.Table
    removed: list[str]
    rejects: dict[str, int] = field(default_factory=dict)
    texts: list[str] | None = None
    held: int = 0
    recalls: int = 0


def _at(ms: int) -> datetime:
    return EPOCH + timedelta(milliseconds=ms)  # exact: no float seconds


class LakeRecall:
    """A ``FlightBuilder`` recall over a store's lake (``<lake>/states/date=YYYY-MM-DD/``):
    one aircraft's state vectors with ``since_ms <= timestamp <= until_ms``, in the lake's
    schema, by time, exact duplicate rows (a compaction's old and new files) dropped. An
    in-memory DuckDB reads the Parquet files of the days concerned; the catalogue file is never
    opened (the service holds it read-write)."""

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


class FlightSteps:
    """The live flights state: a ``FlightBuilder`` (runway-aware when ``runways`` are given)
    behind a ``ChangeGate``; with ``lake`` (a store's lake folder) flights forgotten in the air
    are recalled from it (``LakeRecall``)."""

    def __init__(
        self,
        runways: pa.Table | None = None,
        gate: ChangeGate | None = None,
        lake: Path | None = None,
    ) -> None:
        self.recall = LakeRecall(lake) if lake is not None else None
        self.builder = FlightBuilder(runways, recall=self.recall)
        self.gate = gate or ChangeGate()

    def step(
        self,
        states: pa.Table | None,
        *,
        flush: bool = False,
        want_texts: bool = False,
        now: float | None = None,
    ) -> StepResult:
        """Add ``states`` (None: nothing new) and return what to pass on; ``flush``: also
        everything the gate holds; ``now``: the gate's clock (default ``time.monotonic()``)."""
        stats = IngestStats()
        if states is not None and states.num_rows:
            changed, removed = self.builder.update(states, stats)
        else:
            changed, removed = FLIGHT_SCHEMA.empty_table(), []
        changed, removed = self.gate.select(
            changed, removed, time.monotonic() if now is None else now
        )
        if flush and (held := self.gate.flush()) is not None:
            changed = pa.concat_tables([changed, held]) if changed.num_rows else held
        return StepResult(
            changed=changed,
            removed=removed,
            rejects=dict(stats.rejected),
            texts=flight_texts(changed, removed) if want_texts else None,
            held=self.gate.held,
            recalls=self.builder.recalls,
        )

    def flights(self) -> pa.Table:
        """All current flights (``FlightBuilder.flights``), passed on or not."""
        return self.builder.flights()
