"""Small builders for watch tests: alerts and state-vector tables made by hand."""

from __future__ import annotations

from typing import Any

import pyarrow as pa

from skywitness.model import STATE_COLUMNS, STATE_TYPES, TIMESTAMP_TYPE
from skywitness.watch import Alert

T0 = 1_633_608_000.0  # 2021-10-07T12:00:00Z, a Thursday


def alert(n: int, rule: str = "r") -> Alert:
    return Alert(
        alert_id=f"id{n:04d}", rule=rule, event="landing", timestamp=T0 + n, icao24="3c6444"
    )


def states(rows: list[dict[str, Any]]) -> pa.Table:
    """State vectors from dicts with ``t`` (unix s) and any STATE_COLUMNS (others null)."""
    cols: dict[str, list[Any]] = {c: [] for c in STATE_COLUMNS}
    for r in rows:
        for c in STATE_COLUMNS:
            if c == "timestamp":
                cols[c].append(round(r["t"] * 1000))
            else:
                cols[c].append(r.get(c))
    types = {**STATE_TYPES, "timestamp": pa.int64()}  # unix ms, cast below
    arrays = {c: pa.array(v, types[c]) for c, v in cols.items()}
    arrays["timestamp"] = arrays["timestamp"].cast(TIMESTAMP_TYPE)
    return pa.table(arrays)
