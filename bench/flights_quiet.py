"""Benchmark of the rows the live flights stage holds when aircraft land and go quiet
(bench/RESULTS.md, "## serve"; issue 17's soak: the flights child's memory must be flat).

The soak's traffic (``fuzz/soak_feed.py``: aircraft departing all the time between 20 hubs,
each one flight, its transponder off a minute after taxi-in) as true state vectors every
``--step-s`` s from the scenario's steady state on, stepped through a ``FlightStage`` as the
flights child of ``serve`` steps it (60 s data-time windows, finished flights handed over,
``keep_final=False``, its lateness horizon ``--late-s``, by default the child's
``LIVE_LATE_S``), once with quiet aircraft cut (the horizon behind the newest point) and once
without (``quiet_s=None``, the builder before), and once with the rows of quiet aircraft parked on
disk after their quiet cut (``flights.parking.FileSpill`` in a temporary folder, as the child
parks them beside the lake: ``parked_every``, ``spill_mb_every`` its files). Printed per run: the
rows held every ``--every-min`` minutes of data time, the slope of the rows held over the second
half (rows per hour), CPU seconds of the steps, cuts; and whether all runs gave the same
flights, equal to the bulk build over all the rows. ``of_them_by_quiet_aircraft``: the rows held
for aircraft the horizon behind the newest point (landed and switched off), the part quiet cuts
release and parking moves to disk; ``arrow_mb_kept_every``: the Arrow buffers the builder keeps
alive (``FlightBuilder.held_bytes``: rows, flights, cut summaries; measured outside ``cpu_s``).

Usage: python bench/flights_quiet.py [--aircraft 300] [--hours 3] [--step-s 10]
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "src"))
sys.path.insert(0, str(REPO))

from bench.data_windows import WINDOW_S, time_order, window_bounds  # noqa: E402
from fuzz.soak_feed import WARM_S, parse, scenario_toml  # noqa: E402
from skywitness.flights import build_flights  # noqa: E402
from skywitness.flights.parking import FileSpill  # noqa: E402
from skywitness.flights.runway_table import load_runways  # noqa: E402
from skywitness.flights.stage import FlightStage  # noqa: E402
from skywitness.runtime.flight_steps import LIVE_LATE_S  # noqa: E402
from skywitness.simulate.flightpath import evaluate  # noqa: E402

RUNWAYS = REPO.parent / "shared/data/ourairports/runways.csv.gz"
ORDER = [("icao24", "ascending"), ("firstSeen", "ascending")]


def states(n_aircraft: int, hours: float, step_s: float, seed: int) -> pa.Table:
    """Every aircraft's true state every ``step_s`` s over ``hours`` from the steady state."""
    sc = parse(scenario_toml(n_aircraft, 20, hours * 3600.0, seed))
    t0 = sc.start + WARM_S
    t = np.arange(t0, t0 + hours * 3600.0, step_s)
    parts = []
    for a in sc.aircraft:
        st = evaluate(a.plan, t)
        ok = st.valid
        if not ok.any():
            continue
        n = int(ok.sum())
        parts.append(
            pa.table(
                {
                    "timestamp": pa.array(np.round(t[ok] * 1000).astype(np.int64)).cast(
                        pa.timestamp("ms", tz="UTC")
                    ),
                    "icao24": pa.array([f"{a.icao24:06x}"] * n),
                    "callsign": pa.array([a.callsign] * n),
                    "latitude": st.lat[ok],
                    "longitude": st.lon[ok],
                    "altitude": st.altitude[ok],
                    "groundspeed": st.groundspeed[ok],
                    "track": st.track[ok],
                    "vertical_rate": st.vertical_rate[ok],
                    "onground": pa.array(st.onground[ok]),
                    "source": pa.array(["sim"] * n),
                }
            )
        )
    return time_order(pa.concat_tables(parts))


def run(
    table: pa.Table, runways: pa.Table, mode: str, every_min: float, late_s: float
) -> dict[str, Any]:
    """One run: ``mode`` "without" quiet cuts, "with" them, or "parked" (with, and parking)."""
    with tempfile.TemporaryDirectory() as tmp:
        spill = FileSpill(Path(tmp)) if mode == "parked" else None
        return _run(table, runways, mode, every_min, late_s, spill)


def _run(
    table: pa.Table,
    runways: pa.Table,
    mode: str,
    every_min: float,
    late_s: float,
    spill: FileSpill | None,
) -> dict[str, Any]:
    stage = FlightStage(runways, keep_final=False, late_s=late_s, spill=spill)
    if mode == "without":
        stage.builder._quiet_ms = None  # the builder before quiet cuts
    ended, held, quiet_held, mb, parked, disk = [], [], [], [], [], []
    cpu = 0.0
    for a, n in window_bounds(table, WINDOW_S):
        cpu0 = time.process_time()
        ended.append(stage.step(table.slice(a, n)).ended)
        cpu += time.process_time() - cpu0
        held.append(stage.builder.retained_rows())
        quiet_held.append(stage.builder.retained_rows_quiet())
        mb.append(round(stage.builder.held_bytes() / 1e6, 2))
        parked.append(stage.builder.parked_rows())
        files = spill.root.rglob("*.arrow") if spill is not None else ()
        disk.append(round(sum(f.stat().st_size for f in files) / 1e6, 2))
    flights = pa.concat_tables([*ended, stage.flights()]).sort_by(ORDER)
    k = max(1, round(every_min * 60 / WINDOW_S))
    half = np.arange(len(held) // 2, len(held))
    slope = np.polyfit(half * WINDOW_S / 3600.0, np.asarray(held)[half], 1)[0]
    return {
        "quiet_cuts": mode != "without",
        "parking": mode == "parked",
        "cpu_s": round(cpu, 2),
        "rows_held_every": held[k - 1 :: k],
        "of_them_by_quiet_aircraft": quiet_held[k - 1 :: k],
        "arrow_mb_kept_every": mb[k - 1 :: k],
        "parked_every": parked[k - 1 :: k],
        "spill_mb_every": disk[k - 1 :: k],
        "rows_held_max": max(held),
        "rows_held_end": held[-1],
        "rows_held_slope_second_half_per_h": round(float(slope)),
        "cuts": stage.builder.cuts,
        "quiet": stage.builder.quiet_cuts,
        "flights": flights,
    }


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--aircraft", type=int, default=300)
    ap.add_argument("--hours", type=float, default=3.0)
    ap.add_argument("--step-s", type=float, default=10.0)
    ap.add_argument("--every-min", type=float, default=15.0)
    ap.add_argument("--seed", type=int, default=2026)
    ap.add_argument("--late-s", type=float, default=LIVE_LATE_S,
                    help="the stage's lateness horizon, s (default: the live stage's)")  # fmt: skip
    args = ap.parse_args()
    print(f"cpus: {os.cpu_count()}, load average: {os.getloadavg()}")
    print("command: python bench/flights_quiet.py " + " ".join(sys.argv[1:]))
    table = states(args.aircraft, args.hours, args.step_s, args.seed)
    runways = load_runways(RUNWAYS)
    modes = ("without", "with", "parked")
    runs = [run(table, runways, m, args.every_min, args.late_s) for m in modes]
    bulk = build_flights(table, runways=runways).sort_by(ORDER)
    same = all(r.pop("flights").equals(bulk) for r in runs)
    out = {
        "state_vectors": table.num_rows,
        "aircraft": len(set(table["icao24"].to_pylist())),
        "data_hours": args.hours,
        "every_min": args.every_min,
        "without": runs[0],
        "with": runs[1],
        "with_parking": runs[2],
        "same_flights_as_bulk": same,
    }
    print(json.dumps(out, indent=1))
    print(f"load average after: {os.getloadavg()}")


if __name__ == "__main__":
    main()
