"""Benchmark of the live flights stage on the Beast feed's state vectors (bench/RESULTS.md,
"## serve"): what the flights child of ``serve`` does with them.

The state vectors ``bench/serve.py feed`` stored (``--lake``: the ``lake`` folder beside the
``serve_log`` that bench prints) are stepped through a ``FlightStage`` as the child steps it
(60 s data-time windows, finished flights handed over, ``keep_final=False``), once with flights
in progress cut (``flights.settle``, the default) and once without (``settle_rows=None``, the
builder before the cut). Printed per run: CPU seconds of the steps, state vectors rebuilt,
rows held at the end and at most, cuts; and whether both runs gave the same flights.

Usage: python bench/flights_feed.py --lake /tmp/skywitness-bench-feed-XXXX/lake
"""

from __future__ import annotations

import argparse
import itertools
import json
import os
import sys
import time
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "src"))

from skywitness.flights.runway_table import load_runways  # noqa: E402
from skywitness.flights.settle import SETTLE_ROWS  # noqa: E402
from skywitness.flights.stage import FlightStage  # noqa: E402

WINDOW_S = 60  # the flights child's data-time window, s
RUNWAYS = REPO.parent / "shared/data/ourairports/runways.csv.gz"


def _states(lake: Path) -> pa.Table:
    files = sorted(lake.rglob("*.parquet"))
    table = pa.concat_tables([pq.read_table(f) for f in files])
    ms = np.asarray(table["timestamp"].cast(pa.int64()).to_numpy())
    return table.take(pa.array(np.argsort(ms, kind="stable")))


def run(states: pa.Table, runways: pa.Table, settle_rows: int | None) -> dict[str, Any]:
    stage = FlightStage(runways, keep_final=False, settle_rows=settle_rows)
    ms = np.asarray(states["timestamp"].cast(pa.int64()).to_numpy())
    edges = np.arange(ms[0], ms[-1] + WINDOW_S * 1000 + 1, WINDOW_S * 1000)
    ended, held_max = [], 0
    cpu0 = time.process_time()
    for lo, hi in itertools.pairwise(edges):
        a, b = np.searchsorted(ms, [lo, hi])
        if b > a:
            ended.append(stage.step(states.slice(int(a), int(b - a))).ended)
            held_max = max(held_max, stage.builder.retained_rows())
    cpu = time.process_time() - cpu0
    flights = pa.concat_tables([*ended, stage.flights()]).sort_by("flight_id")
    return {
        "settle_rows": settle_rows,
        "steps": len(ended),
        "cpu_s": round(cpu, 2),
        "rows_per_cpu_s": round(states.num_rows / cpu),
        "rows_rebuilt": stage.builder.rebuilt_rows,
        "rows_held_end": stage.builder.retained_rows(),
        "rows_held_max": held_max,
        "cuts": stage.builder.cuts,
        "flights": flights,
    }


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--lake", required=True, help="the lake folder of a bench/serve.py feed run")
    args = ap.parse_args()
    states = _states(Path(args.lake))
    runways = load_runways(RUNWAYS)
    ms = np.asarray(states["timestamp"].cast(pa.int64()).to_numpy())
    print(f"cpus: {os.cpu_count()}, load average: {os.getloadavg()}")
    print(f"command: python bench/flights_feed.py --lake {args.lake}")
    out: dict[str, Any] = {
        "state_vectors": states.num_rows,
        "aircraft": len(set(states["icao24"].to_pylist())),
        "data_hours": round(float(ms[-1] - ms[0]) / 3.6e6, 2),
    }
    runs = [run(states, runways, None), run(states, runways, SETTLE_ROWS)]
    same = runs[0]["flights"].equals(runs[1]["flights"])
    for r in runs:
        r["flights"] = r["flights"].num_rows
    out["uncut"], out["cut"] = runs
    out["same_flights"] = same
    out["cpu_ratio"] = round(runs[0]["cpu_s"] / runs[1]["cpu_s"], 2)
    out["rows_rebuilt_ratio"] = round(runs[0]["rows_rebuilt"] / runs[1]["rows_rebuilt"], 2)
    print(json.dumps(out, indent=1))


if __name__ == "__main__":
    main()
