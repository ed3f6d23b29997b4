"""One live flights step: the flights stage, the change gate and the stream texts.

``FlightSteps.step`` feeds new state vectors to the one ``FlightStage``, lets the
``ChangeGate`` choose which changed flights to pass on now (new flights and material changes at
once, progress at most about once a ``PROGRESS_S`` per flight, everything held when asked to
flush), and for stream listeners builds their server-sent-event texts. It runs in the flights
child process (``flights_proc``) or, without one, in the flights worker's thread; either way
the worker only stores and publishes what a step returns. Given the store's lake, the stage
recalls a flight forgotten in the air (``flights.recall.LakeRecall``: the lake's Parquet files
read directly, never the catalogue the service holds open) when the aircraft comes back over an
ocean. A warm start's step names the stored flights it rebuilds (``supersedes``).
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

import pyarrow as pa

from ..flights.gate import ChangeGate
from ..flights.recall import LakeRecall
from ..flights.stage import FlightStage
from ..stats import IngestStats
from ..store import iso_z
from .hub import sse_text


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


class FlightSteps:
    """The live flights state: a ``FlightStage`` (runway-aware when ``runways`` are given)
    behind a ``ChangeGate``; with ``lake`` (a store's lake folder) flights forgotten in the air
    are recalled from it (``LakeRecall``)."""

    def __init__(
        self,
        runways: pa.Table | None = None,
        gate: ChangeGate | None = None,
        lake: Path | None = None,
    ) -> None:
        self.recall = LakeRecall(lake) if lake is not None else None
        self.stage = FlightStage(runways, recall=self.recall)
        self.gate = gate or ChangeGate()

    def step(
        self,
        states: pa.Table | None,
        *,
        flush: bool = False,
        want_texts: bool = False,
        now: float | None = None,
        supersedes: Sequence[str] = (),
    ) -> StepResult:
        """Add ``states`` (None: nothing new) and return what to pass on; ``flush``: also
        everything the gate holds; ``now``: the gate's clock (default ``time.monotonic()``);
        ``supersedes``: stored flights these states rebuild (a warm start)."""
        stats = IngestStats()
        res = self.stage.step(states, stats, supersedes=supersedes)
        changed, removed = self.gate.select(
            res.changed, res.removed, time.monotonic() if now is None else now, res.finished
        )
        if flush and (held := self.gate.flush()) is not None:
            changed = pa.concat_tables([changed, held]) if changed.num_rows else held
        return StepResult(
            changed=changed,
            removed=removed,
            rejects=dict(stats.rejected),
            texts=flight_texts(changed, removed) if want_texts else None,
            held=self.gate.held,
            recalls=self.stage.recalls,
        )

    def flights(self) -> pa.Table:
        """All current flights (``FlightStage.flights``), passed on or not."""
        return self.stage.flights()
