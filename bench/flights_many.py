"""A live flights step's CPU and memory against the rows held, many aircraft (issue 17 item 12).

N airborne aircraft (straight cruises at 450 kt), each reporting one state vector every
``PERIOD`` seconds (staggered: N / PERIOD state vectors a second), handed to
``runtime.flight_steps.FlightSteps`` in-process in 60 s data-time windows (``STEP_S``, as
``serve``'s flights stage steps them). Per step: its CPU (process time), the rows the stage
holds, the aircraft it knows (``FlightBuilder``'s code dict), the process's RSS. ``--profile``:
the steps under cProfile, the flights/runtime functions by cumulative time at the end.

Usage: python bench/flights_many.py AIRCRAFT SECONDS [--period 3] [--profile]
(e.g. 60000 1200: 20,000 state vectors a second for 20 minutes of data time)
"""

from __future__ import annotations

import argparse
import os
import time
from pathlib import Path

import numpy as np
import pyarrow as pa
from flights_child_memory import cruise_table

REPO = Path(__file__).resolve().parents[1]
RUNWAYS = REPO.parent / "shared/data/ourairports/runways.csv.gz"
T0_MS = 1_717_200_000_000
WINDOW_S = 60  # data seconds a step (flights.windows.STEP_S)


def rss_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


def states(n: int, period: int, s0: int, s1: int) -> pa.Table:
    """Data seconds s0..s1 of ``n`` aircraft, aircraft i reporting at seconds = i mod period."""
    rng = np.random.default_rng(3)
    lat0, lon0, hdg = rng.uniform(45, 55, n), rng.uniform(0, 20, n), rng.uniform(0, 360, n)
    sec = np.arange(s0, s1)
    k = np.concatenate([np.arange(s % period, n, period) for s in sec])
    s = np.concatenate([np.full(len(range(s % period, n, period)), s) for s in sec])
    t = T0_MS + s * 1000 + k % 1000
    d = s * 450 / 3600 / 60  # degrees flown
    icao = np.char.mod("%06x", 0x400000 + k).astype(object)
    callsign = np.char.mod("BNC%05d ", k).astype(object)
    return cruise_table(t, k, d, (lat0, lon0, hdg), icao, callsign)


def main() -> None:
    from skywitness.flights.runway_table import load_runways
    from skywitness.runtime.flight_steps import FlightSteps

    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("aircraft", type=int)
    ap.add_argument("seconds", type=int)
    ap.add_argument("--period", type=int, default=3, help="s between an aircraft's reports")
    ap.add_argument("--profile", action="store_true")
    ap.add_argument("--profile-from", type=int, default=0, help="data s profiled from")
    a = ap.parse_args()
    print(f"command: python bench/flights_many.py {a.aircraft} {a.seconds} --period {a.period}; "
          f"load average: {os.getloadavg()}", flush=True)  # fmt: skip
    steps = FlightSteps(load_runways(RUNWAYS), keep_final=False)
    prof = None
    if a.profile:
        import cProfile

        prof = cProfile.Profile()
    total = 0.0
    for s in range(0, a.seconds + WINDOW_S, WINDOW_S):
        rows = states(a.aircraft, a.period, s, s + WINDOW_S) if s < a.seconds else None
        c0 = time.process_time()
        if prof is not None and s >= a.profile_from:
            prof.enable()
        r = steps.advance(rows, drain=rows is None)
        if prof is not None:
            prof.disable()
        cpu = time.process_time() - c0
        total += cpu
        b = steps.stage.builder
        print(f"data {min(s + WINDOW_S, a.seconds):5d} s: step cpu {cpu:6.2f} s "
              f"({cpu / WINDOW_S:.3f} of its data time); windows {r.windows}; "
              f"rows held {r.rows_held:,}; kept-row slots {b._k_alive.shape[0]:,}; "
              f"aircraft codes {len(b._code):,}; rss {rss_mb():.0f} MB", flush=True)  # fmt: skip
    print(f"total step cpu {total:.1f} s over {a.seconds} s of data "
          f"({total / a.seconds:.3f} of its data time)")  # fmt: skip
    if prof is not None:
        import pstats

        pstats.Stats(prof).sort_stats("cumtime").print_stats(r"flights/|runtime/", 40)


if __name__ == "__main__":
    main()
