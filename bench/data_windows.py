"""Data-time windows of a state-vector table, as the flights benches step them: the rows in time
order, cut every ``window_s`` s of data time from the first row (``serve``'s flights child steps
60 s windows, ``runtime.flight_steps``; these benches time the ``FlightStage`` steps alone, so
they slice the table themselves instead of streaming it through ``flights.windows.DataWindows``).
"""

from __future__ import annotations

import itertools

import numpy as np
import pyarrow as pa

WINDOW_S = 60  # the flights child's data-time window, s
PER_S = {"s": 1, "ms": 1_000, "us": 1_000_000, "ns": 1_000_000_000}  # a timestamp unit's ticks


def time_order(table: pa.Table) -> pa.Table:
    """``table`` by timestamp (stable: rows of one time keep their order)."""
    ms = np.asarray(table["timestamp"].cast(pa.int64()).to_numpy())
    return table.take(pa.array(np.argsort(ms, kind="stable")))


def window_bounds(table: pa.Table, window_s: float = WINDOW_S) -> list[tuple[int, int]]:
    """(offset, rows) of each non-empty window of ``table`` (in time order, ``time_order``):
    ``table.slice(offset, rows)`` is a step's input."""
    col = table["timestamp"]
    t = np.asarray(col.cast(pa.int64()).to_numpy())  # in the column's unit
    if t.size == 0:
        return []
    step = round(window_s * PER_S[col.type.unit])
    edges = np.arange(t[0], t[-1] + step + 1, step)
    at = np.searchsorted(t, edges).tolist()
    return [(a, b - a) for a, b in itertools.pairwise(at) if b > a]
