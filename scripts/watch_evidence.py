"""Digests of every alert the watch gives on the quickstart sample, evidence included.

``tests/watch/test_held.py`` pins these digests: they are what the watch gave before its held
state vectors were spooled (``watch.held``, commit a023281, where the history was one Arrow
table re-sorted per window), and the watch must give the same alerts with the same positions
whether its rows are held in memory or in files. Regenerate at that commit with

    PYTHONPATH=src python scripts/watch_evidence.py ../shared/data

(the same command at a later commit must print the same digests). Four ways of feeding the
same sample: in time order (the replay test's chunks); chunks two by two in swapped order with
some positions made null or NaN and some timestamps repeated (late rows, ties and the sort
order of missing values); and a 20-minute slice in windows of 7.3005 s (window ends that fall
inside a bucket of pending rows, which is split); and the second as ``serve``'s watch sees it,
subscribed to a flights stage (which sends no flights here: the events of state vectors alone,
from the compact columns it holds).
"""

from __future__ import annotations

import hashlib
import inspect
import json
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa

from skywitness.store import load_traffic_json
from skywitness.watch import Watch, parse_rules

QUICKSTART = "traffic-trajectories/collections/quickstart.json.gz"
RULES = """
[[rule]]
name = "landing-lfpb"
event = "landing"
airport = "LFPB"

[[rule]]
name = "takeoff-france"
event = "takeoff"
country = "FR"

[[rule]]
name = "near-cdg"
event = ["enter", "leave"]
area = { circle = { lat = 49.0097, lon = 2.5479, radius_nm = 5 } }
once_per = "none"

[[rule]]
name = "lost-near-lfpb-lfpg"
event = "lost"
area = { polygon = [[2.3, 48.9], [2.7, 48.9], [2.7, 49.1], [2.3, 49.1]] }

[[rule]]
name = "seen"
event = "seen"
once_per = "none"
cooldown = 0

[[rule]]
name = "departure-arrival"
event = ["departure", "arrival"]
"""
CHUNK_ROWS = 4_000  # about what the tracker hands on per batch
#: Each feeding: (window length s, the rows fed in which order and how perturbed).
VARIANTS = ("in-order", "swapped-perturbed", "slice-7.3005s", "subscribed-swapped")


def sample(shared_data: Path) -> pa.Table:
    states = load_traffic_json(shared_data / QUICKSTART)
    return states.sort_by([("timestamp", "ascending"), ("icao24", "ascending")])


def _perturbed(states: pa.Table) -> pa.Table:
    """Every 7th latitude null, every 11th NaN, every 13th timestamp the one before it, every
    17th source null: ties and missing values in the history's sort."""
    n = states.num_rows
    i = np.arange(n)
    lat = states["latitude"].to_numpy()
    lat = np.where(i % 11 == 5, np.nan, lat)
    lat_arr = pa.array(lat, mask=(i % 7 == 3))
    ms = states["timestamp"].cast(pa.int64()).to_numpy().copy()
    tie = np.flatnonzero((i % 13 == 6) & (i > 0))
    ms[tie] = ms[tie - 1]
    src = pa.array(states["source"].to_pylist(), mask=(i % 17 == 2))
    cols = {name: states[name] for name in states.column_names}
    cols["latitude"] = lat_arr
    cols["timestamp"] = pa.array(ms).cast(states.schema.field("timestamp").type)
    cols["source"] = src
    return pa.table(cols)


def feeding(states: pa.Table, variant: str) -> tuple[float, Iterator[pa.Table]]:
    """(window length, the tables fed) of ``variant``."""
    if variant == "in-order":
        return 300.0, (states.slice(o, CHUNK_ROWS) for o in range(0, states.num_rows, CHUNK_ROWS))
    if variant in ("swapped-perturbed", "subscribed-swapped"):
        return 300.0, _swapped(_perturbed(states), CHUNK_ROWS)
    if variant == "slice-7.3005s":
        t0 = states["timestamp"][0].as_py().timestamp()
        ms = states["timestamp"].cast(pa.int64()).to_numpy()
        end = int(np.searchsorted(ms, (t0 + 1200) * 1000))
        return 7.3005, _swapped(states.slice(0, end), 1_000)
    raise ValueError(variant)


def _swapped(states: pa.Table, rows: int) -> Iterator[pa.Table]:
    chunks = [states.slice(o, rows) for o in range(0, states.num_rows, rows)]
    for k in range(0, len(chunks), 2):
        yield from reversed(chunks[k : k + 2])


def alerts_of(states: pa.Table, variant: str, spool: Path | None = None) -> list[dict[str, Any]]:
    """Every alert (``Alert.as_dict``: evidence included) of feeding ``states`` as ``variant``."""
    step_s, tables = feeding(states, variant)
    kw: dict[str, Any] = {"step_s": step_s, "subscribed": variant.startswith("subscribed")}
    if spool is not None:
        kw["spool"] = spool
    watch = Watch(parse_rules(RULES), **kw)
    for t in tables:
        watch.feed(t)
    watch.flush()
    if "spool" in inspect.signature(Watch).parameters:
        watch.source.close()
    return [a.as_dict() for a in watch.alerts]


def digest(alerts: list[dict[str, Any]]) -> dict[str, Any]:
    text = json.dumps(alerts, sort_keys=False, default=str)
    return {
        "alerts": len(alerts),
        "positions": sum(len(a["positions"]) for a in alerts),
        "sha256": hashlib.sha256(text.encode()).hexdigest(),
    }


def main() -> None:
    states = sample(Path(sys.argv[1]))
    print(json.dumps({v: digest(alerts_of(states, v)) for v in VARIANTS}, indent=1))


if __name__ == "__main__":
    main()
