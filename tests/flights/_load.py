"""Private test loaders: traffic sample JSON and readsb trace files -> canonical state tables.

Stand-ins until ``skywitness.store.load_traffic_json`` and the ``sources`` trace reader exist;
they build the canonical STATE_COLUMNS types (timestamp[ms, UTC], ft, kt, ft/min).
"""

from __future__ import annotations

import gzip
import json
from pathlib import Path
from typing import Any

import pyarrow as pa

from skywitness.model import STATE_TYPES, TIMESTAMP_TYPE

#: The float columns of the state schema; these samples carry no position error.
FLOATS = tuple(c for c, t in STATE_TYPES.items() if t == pa.float64() and c != "position_error")


def _table(cols: dict[str, list[Any]], n: int) -> pa.Table:
    out: dict[str, pa.Array] = {
        "timestamp": pa.array(
            [None if v is None else int(v) for v in cols["timestamp"]], pa.int64()
        ).cast(TIMESTAMP_TYPE),
        "icao24": pa.array([None if v is None else str(v).lower() for v in cols["icao24"]]),
        "callsign": pa.array(
            [None if v is None else str(v).strip() for v in cols.get("callsign", [None] * n)],
            pa.string(),
        ),
    }
    for c in FLOATS:
        out[c] = pa.array(
            [None if v is None else float(v) for v in cols.get(c, [None] * n)], pa.float64()
        )
    out["squawk"] = pa.array(
        [None if v is None else str(v) for v in cols.get("squawk", [None] * n)], pa.string()
    )
    out["onground"] = pa.array(
        [None if v is None else bool(v) for v in cols.get("onground", [None] * n)], pa.bool_()
    )
    out["source"] = pa.array(cols.get("source", ["traffic"] * n), pa.string())
    out["position_source"] = pa.array([None] * n, pa.string())
    return pa.table(out)


def load_traffic_json(path: Path) -> pa.Table:
    """traffic sample (records or columns orientation), unix ms timestamps."""
    opener = gzip.open if path.suffix == ".gz" else open
    with opener(path, "rt") as f:
        data = json.load(f)
    if isinstance(data, dict):  # orient="columns": {column: {row: value}}
        keys = sorted(next(iter(data.values())).keys(), key=int)
        cols = {c: [data[c].get(k) for k in keys] for c in data}
        n = len(keys)
    else:
        names = {k for r in data for k in r}
        cols = {c: [r.get(c) for r in data] for c in names}
        n = len(data)
    for c in ("origin", "destination"):
        cols.pop(c, None)
    return _table(cols, n)


def load_trace(path: Path) -> tuple[pa.Table, list[int]]:
    """readsb globe-history trace -> (state table, indices of points with the new-leg flag)."""
    with open(path) as f:
        doc = json.load(f)
    base = float(doc["timestamp"])
    cols: dict[str, list[Any]] = {
        k: []
        for k in (
            "timestamp",
            "icao24",
            "callsign",
            "latitude",
            "longitude",
            "altitude",
            "groundspeed",
            "track",
            "vertical_rate",
            "onground",
            "source",
        )
    }
    legs = []
    callsign = None
    for i, p in enumerate(doc["trace"]):
        if p[6] is not None and int(p[6]) & 2:
            legs.append(i)
        if p[8] and p[8].get("flight"):
            callsign = p[8]["flight"].strip()
        ground = p[3] == "ground"
        cols["timestamp"].append(round((base + p[0]) * 1000))
        cols["icao24"].append(doc["icao"])
        cols["callsign"].append(callsign)
        cols["latitude"].append(p[1])
        cols["longitude"].append(p[2])
        cols["altitude"].append(None if ground else p[3])
        cols["groundspeed"].append(p[4])
        cols["track"].append(p[5])
        cols["vertical_rate"].append(p[7])
        cols["onground"].append(ground)
        cols["source"].append("readsb-trace")
    return _table(cols, len(doc["trace"])), legs
