"""Memory of ``serve``'s flights child at scale (bench/RESULTS.md, "## serve"; issue 17 item 12).

N airborne aircraft (straight cruises, one state vector a second each, the tracker's columns)
handed to a ``FlightsProcess`` (the flights child of ``serve``) 2 s of data at a time, as fast
as it takes them. After each call that stepped a 60 s data-time window, 2.1 s later and one
more call without rows (the child hands freed memory back at most every ``RELEASE_EVERY_S``),
the wall time of the call that stepped it and the child's RSS; at the end its peak RSS
(``VmHWM``) and its CPU over the feed. The rows it holds grow by design until the first cuts
(every aircraft is in the air: each then holds its flight's last ``LIVE_LATE_S`` to about
twice that, at least ``SPAN_MIN_ROWS`` before a cut: ``flights/cutting.py``).

Usage: python bench/flights_child_memory.py AIRCRAFT SECONDS   (e.g. 20000 190)
"""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path

import numpy as np
import pyarrow as pa

REPO = Path(__file__).resolve().parents[1]
RUNWAYS = REPO.parent / "shared/data/ourairports/runways.csv.gz"
CHUNK_S = 2  # data seconds a call
T0_MS = 1_717_200_000_000


def rss_mb(pid: int, key: str = "VmRSS:") -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(key):
            return int(line.split()[1]) / 1024
    return 0.0


def cruise_table(
    t: np.ndarray,
    k: np.ndarray,
    d: np.ndarray,
    start: tuple[np.ndarray, ...],
    icao: object,
    callsign: object,
) -> pa.Table:
    """Rows of aircraft ``k`` at times ``t`` (ms), ``d`` degrees flown from ``start`` (lat, lon,
    heading per aircraft) at 450 kt and 36,000 ft, in the tracker's columns (also
    bench/flights_many.py's)."""
    lat0, lon0, hdg = start
    rows = len(t)
    return pa.table(
        {
            "timestamp": pa.array(t, pa.timestamp("ms", "UTC")),
            "icao24": pa.array(icao, pa.string()),
            "callsign": pa.array(callsign, pa.string()),
            "latitude": lat0[k] + d * np.cos(np.radians(hdg[k])),
            "longitude": lon0[k] + d * np.sin(np.radians(hdg[k])),
            "altitude": np.full(rows, 36000.0),
            "geoaltitude": np.full(rows, 36500.0),
            "groundspeed": np.full(rows, 450.0),
            "track": hdg[k],
            "vertical_rate": np.zeros(rows),
            "squawk": pa.array(["1000"] * rows),
            "onground": np.zeros(rows, bool),
            "source": pa.array(["beast+tcp://127.0.0.1:30005"] * rows),
            "position_source": pa.array(["adsb"] * rows),
            "position_error": np.full(rows, 10.0),
        }
    )  # fmt: skip


def states(n: int, s0: int, s1: int) -> pa.Table:
    """Data seconds s0..s1 of ``n`` aircraft cruising at 450 kt, a row a second each."""
    rng = np.random.default_rng(3)
    lat0, lon0, hdg = rng.uniform(45, 55, n), rng.uniform(0, 20, n), rng.uniform(0, 360, n)
    icao = np.array([f"{0x400000 + i:06x}" for i in range(n)])
    sec = np.arange(s0, s1)
    t = (T0_MS + sec[:, None] * 1000 + (np.arange(n) % 1000)[None, :]).ravel()
    k = np.tile(np.arange(n), len(sec))
    d = np.repeat(sec, n) * 450 / 3600 / 60  # degrees flown
    return cruise_table(t, k, d, (lat0, lon0, hdg), icao[k], [f"BNC{i:04d}  " for i in k])


def main() -> None:
    from skywitness.flights.runway_table import load_runways
    from skywitness.runtime.flights_proc import FlightsProcess
    from skywitness.runtime.proc_stat import cpu_s

    n, seconds = int(sys.argv[1]), int(sys.argv[2])
    print(f"cpus: {os.cpu_count()}, load average: {os.getloadavg()}")
    proc = FlightsProcess(load_runways(RUNWAYS), keep_final=False).start()
    proc.advance(None)
    pid = proc.process.pid
    print(f"command: python bench/flights_child_memory.py {n} {seconds}; "
          f"child rss at start {rss_mb(pid):.0f} MB", flush=True)  # fmt: skip
    w0, after, cpu0 = time.monotonic(), [], cpu_s(pid)
    for s in range(0, seconds, CHUNK_S):
        table = states(n, s, s + CHUNK_S)
        t0 = time.monotonic()
        r = proc.advance(table)
        step_s = time.monotonic() - t0  # wall s of the call that stepped a window
        if r.windows:
            time.sleep(2.1)  # then a call without rows: a release put off is made at it
            proc.advance(None)
            after.append(round(rss_mb(pid)))
            print(f"data {s + CHUNK_S:4d} s: windows {r.windows} rows_held {r.rows_held:,} "
                  f"buffered {r.buffered:,} step {step_s:.2f} s child rss {after[-1]} MB",
                  flush=True)  # fmt: skip
    used = (cpu_s(pid) or 0.0) - (cpu0 or 0.0)  # the child's CPU-seconds over the feed
    slope = round((after[-1] - after[0]) / max(1, len(after) - 1), 1) if after else None
    print(f"child peak rss (VmHWM) {round(rss_mb(pid, 'VmHWM:'))} MB; child rss after each "
          f"window's step, MB: {after}; slope MB per window: {slope}; "
          f"wall {time.monotonic() - w0:.1f} s; child cpu {used:.2f} s")  # fmt: skip
    proc.close()


if __name__ == "__main__":
    main()
