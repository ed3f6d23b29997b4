"""One live flights step: the incremental builder, the change gate and the stream texts.

``FlightSteps.step`` feeds new state vectors to ``FlightBuilder.update``, lets the
``ChangeGate`` choose which changed flights to pass on now (new flights and material changes at
once, progress at most about once a ``PROGRESS_S`` per flight, everything held when asked to
flush), and for stream listeners builds their server-sent-event texts. It runs in the flights
child process (``flights_proc``) or, without one, in the flights worker's thread; either way
the worker only stores and publishes what a step returns.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import pyarrow as pa

from ..flights import FLIGHT_SCHEMA, FlightBuilder
from ..flights.gate import ChangeGate
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
    counts by reason label, the stream texts (when asked for) and how many flights the gate
    still holds back."""

    changed: pa.Table
    removed: list[str]
    rejects: dict[str, int] = field(default_factory=dict)
    texts: list[str] | None = None
    held: int = 0


class FlightSteps:
    """The live flights state: a ``FlightBuilder`` (runway-aware when ``runways`` are given)
    behind a ``ChangeGate``."""

    def __init__(self, runways: pa.Table | None = None, gate: ChangeGate | None = None) -> None:
        self.builder = FlightBuilder(runways)
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
        )

    def flights(self) -> pa.Table:
        """All current flights (``FlightBuilder.flights``), passed on or not."""
        return self.builder.flights()
