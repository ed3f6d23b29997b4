"""A live flights step's CPU and memory against the rows held, many aircraft (issue 17 item 12).

N airborne aircraft (straight cruises at 450 kt), each reporting one state vector every
``PERIOD`` seconds (staggered: N / PERIOD state vectors a second), handed to
``runtime.flight_steps.FlightSteps`` in-process in 60 s data-time windows (``STEP_S``, as
``serve``'s flights stage steps them). Per step: its CPU (process time), the rows the stage
holds, the aircraft it knows (``FlightBuilder``'s code dict), the process's RSS once the step's
freed memory is handed back (``release_freed``, as the flights child does); at the end its peak
RSS (``VmHWM``). ``--profile``: the steps under cProfile, the flights/runtime functions by
cumulative time at the end. ``--changes``: the SHA-1 of every flight change the steps give
(each call's changed rows and removed ids, ``flights_feed.hash_changes``; the last call also
flushes the gate), so that two trees can be compared bit for bit (``PYTHONPATH`` the other
tree's ``src``). ``--cycle-every N``: every Nth aircraft flies ``AIR_S``, lands (on the ground
``GROUND_S`` where it stopped: ground speed 5 kt, no altitude) and takes off again, so that
flights end, landed aircraft go quiet between and flights are made final.

Usage: python bench/flights_many.py AIRCRAFT SECONDS [--period 3] [--profile] [--changes]
                                    [--cycle-every N]
(e.g. 60000 1200: 20,000 state vectors a second for 20 minutes of data time)
"""

from __future__ import annotations

import argparse
import hashlib
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
AIR_S, GROUND_S = 900, 300  # ``--cycle-every``: a cycle's flight and its ground stay, s


def rss_mb(key: str = "VmRSS:") -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(key):
            return int(line.split()[1]) / 1024
    return 0.0


def states(n: int, period: int, s0: int, s1: int, cycle_every: int = 0) -> pa.Table:
    """Data seconds s0..s1 of ``n`` aircraft, aircraft i reporting at seconds = i mod period
    (``cycle_every``: every such aircraft flying cycles, see the module)."""
    rng = np.random.default_rng(3)
    lat0, lon0, hdg = rng.uniform(45, 55, n), rng.uniform(0, 20, n), rng.uniform(0, 360, n)
    sec = np.arange(s0, s1)
    k = np.concatenate([np.arange(s % period, n, period) for s in sec])
    s = np.concatenate([np.full(len(range(s % period, n, period)), s) for s in sec])
    t = T0_MS + s * 1000 + k % 1000
    cyc = (k % cycle_every == 0) if cycle_every else np.zeros(k.shape[0], bool)
    u = s + (k * 37) % (AIR_S + GROUND_S)  # (cycles staggered per aircraft)
    air_s = u // (AIR_S + GROUND_S) * AIR_S + np.minimum(u % (AIR_S + GROUND_S), AIR_S)
    ground = cyc & (u % (AIR_S + GROUND_S) >= AIR_S)
    d = np.where(cyc, air_s, s) * 450 / 3600 / 60  # degrees flown
    icao = np.char.mod("%06x", 0x400000 + k).astype(object)
    callsign = np.char.mod("BNC%05d ", k).astype(object)
    table = cruise_table(t, k, d, (lat0, lon0, hdg), icao, callsign)
    if not ground.any():
        return table
    cols = {
        "groundspeed": pa.array(np.where(ground, 5.0, 450.0)),
        "onground": pa.array(ground),
        "altitude": pa.array(np.where(ground, np.nan, 36000.0), from_pandas=True),
    }
    for name, col in cols.items():
        table = table.set_column(table.schema.get_field_index(name), name, col)
    return table


def main() -> None:
    import skywitness
    from skywitness.flights.runway_table import load_runways
    from skywitness.runtime.flight_steps import FlightSteps
    from skywitness.runtime.release import release_freed

    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("aircraft", type=int)
    ap.add_argument("seconds", type=int)
    ap.add_argument("--period", type=int, default=3, help="s between an aircraft's reports")
    ap.add_argument("--profile", action="store_true")
    ap.add_argument("--profile-from", type=int, default=0, help="data s profiled from")
    ap.add_argument("--changes", action="store_true", help="SHA-1 of every flight change")
    ap.add_argument("--cycle-every", type=int, default=0, help="every Nth aircraft lands")
    ap.add_argument("--recut", help="NUM/DEN: cutting.RECUT_NUM / RECUT_DEN for this run")
    a = ap.parse_args()
    if a.recut:
        from skywitness.flights import cutting

        cutting.RECUT_NUM, cutting.RECUT_DEN = (int(v) for v in a.recut.split("/"))
    # (after the package's modules: flights_feed puts this tree's src first on the path, and
    # the package already imported, from PYTHONPATH, is the one that runs)
    from flights_feed import hash_changes

    print(f"command: python bench/flights_many.py {a.aircraft} {a.seconds} --period {a.period}"
          f"{' --changes' if a.changes else ''} --cycle-every {a.cycle_every}"
          f"{' --recut ' + a.recut if a.recut else ''}; "
          f"src: {Path(skywitness.__file__).parents[1]}; "
          f"load average: {os.getloadavg()}", flush=True)  # fmt: skip
    digest, changed, removed = hashlib.sha1(), 0, 0
    steps = FlightSteps(load_runways(RUNWAYS), keep_final=False)
    prof = None
    if a.profile:
        import cProfile

        prof = cProfile.Profile()
    total = 0.0
    for s in range(0, a.seconds + WINDOW_S, WINDOW_S):
        last = s >= a.seconds
        rows = None if last else states(a.aircraft, a.period, s, s + WINDOW_S, a.cycle_every)
        c0 = time.process_time()
        if prof is not None and s >= a.profile_from:
            prof.enable()
        r = steps.advance(rows, drain=last, flush=last and a.changes)
        if prof is not None:
            prof.disable()
        cpu = time.process_time() - c0
        total += cpu
        if a.changes:
            hash_changes(digest, r)
            changed, removed = changed + r.changed.num_rows, removed + len(r.removed)
        release_freed()  # as the flights child after a step: the RSS at rest
        b = steps.stage.builder
        print(f"data {min(s + WINDOW_S, a.seconds):5d} s: step cpu {cpu:6.2f} s "
              f"({cpu / WINDOW_S:.3f} of its data time); windows {r.windows}; "
              f"rows held {r.rows_held:,}; kept-row slots {b._k_alive.shape[0]:,}; "
              f"aircraft codes {len(b._code):,}; cuts {b.cuts:,}; rss {rss_mb():.0f} MB",
              flush=True)  # fmt: skip
    print(f"total step cpu {total:.1f} s over {a.seconds} s of data "
          f"({total / a.seconds:.3f} of its data time); "
          f"peak rss {rss_mb('VmHWM:'):.0f} MB")  # fmt: skip
    if a.changes:
        print(f"changes: {changed:,} rows, {removed:,} removed; sha1 {digest.hexdigest()}")
    if prof is not None:
        import pstats

        pstats.Stats(prof).sort_stats("cumtime").print_stats(r"flights/|runtime/", 40)


if __name__ == "__main__":
    main()
