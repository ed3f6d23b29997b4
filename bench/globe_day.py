"""A whole globe-history day: write a synthetic day archive of a chosen size, ingest it once in a
fresh ``skywitness ingest`` process, report wall, CPU, peak RSS, disk and rows stored.

The archive is shaped like a published day (``v2019.09.20-planes-readsb-prod-0.tar.aa``,
``.ab``, ...: ~1 GB parts of one tar of ``traces/XX/trace_full_<hex>.json`` members, each
gzip'd, in readsb's own layout of a point a line). Every trace is the real trace in
../shared/data (traffic-trajectories/readsb/trace_full_ac671b.json, 2,500 points over 22.7 h)
or its first ``--points-per-trace`` points, re-addressed (``a00000`` + i), moved east by
0.01 degrees per trace, and retimed into 2019-09-20 UTC: trace ``i`` starts ``i * stagger`` s
after midnight, the stagger chosen so that every trace ends within the day (as a day's
``trace_full`` files do). See ``skywitness.simulate.globe_archive``.

A real day holds ~50,000 traces and ~100 M points: the default is 100 M points (40,000 traces
of 2,500), ~3.4 GB of parts, written in a few minutes of one core.

Usage: python bench/globe_day.py [--points N] [--points-per-trace N] [--workdir DIR]
[--reuse] [--write-only] [--keep]
"""

from __future__ import annotations

import argparse
import json
import math
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from globe import DAY, PART_BYTES, TRACE, ingest, stored

DAY_START = 1_568_937_600.0  # 2019-09-20T00:00:00Z
DAY_S = 86_400.0


def write(work: Path, points: int, per_trace: int) -> tuple[list[Path], int, float]:
    from skywitness.simulate.globe_archive import split_parts, variants, write_archive

    template = json.loads(TRACE.read_text())
    template["trace"] = template["trace"][:per_trace]
    traces = math.ceil(points / len(template["trace"]))
    span = float(template["trace"][-1][0])
    template["timestamp"] = DAY_START
    stagger = max(0.0, min(60.0, (DAY_S - 1.0 - span) / traces))
    t = time.perf_counter()
    tar = write_archive(work / DAY, variants(template, traces, stagger_s=stagger))
    part = min(PART_BYTES, tar.stat().st_size // 2 + 1)
    return split_parts(tar, part), traces, time.perf_counter() - t


def counts(data: Path) -> str:
    """What the store holds besides the state vectors."""
    from skywitness.store import Store

    sql = {
        "aircraft": "SELECT count(DISTINCT icao24) FROM stored_traces",
        "traces": "SELECT count(*) FROM stored_traces",
        "leg starts": "SELECT count(*) FROM trace_legs",
        "identity facts": "SELECT count(*) FROM aircraft_facts",
        "flights": "SELECT count(*) FROM flights",
    }
    with Store(data, read_only=True) as s:
        got = {k: s.connection.execute(q).fetchone() for k, q in sql.items()}
    return ", ".join(f"{(v or (0,))[0]:,} {k}" for k, v in got.items())


def disk_bytes(path: Path) -> int:
    out = subprocess.run(["du", "-sb", str(path)], capture_output=True, text=True, check=True)
    return int(out.stdout.split()[0])


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--points", type=int, default=100_000_000, help="points in the day")
    ap.add_argument("--points-per-trace", type=int, default=2_500)
    ap.add_argument("--workdir", type=Path, default=None)
    ap.add_argument("--reuse", action="store_true", help="ingest the archive in --workdir")
    ap.add_argument("--write-only", action="store_true")
    ap.add_argument("--keep", action="store_true", help="keep the archive and the store")
    args = ap.parse_args()
    work = args.workdir or Path(tempfile.mkdtemp(prefix="globe-day-"))
    work.mkdir(parents=True, exist_ok=True)
    try:
        parts = sorted(work.glob(f"{DAY}.a?")) if args.reuse else []
        if parts:
            print(f"archive: {len(parts)} parts (written before)", end="")
        else:
            parts, traces, write_s = write(work, args.points, args.points_per_trace)
            print(f"archive: {traces:,} traces in {len(parts)} parts, ", end="")
            print(f"written in {write_s:.0f} s", end="")
        size = sum(p.stat().st_size for p in parts)
        print(f", {size / 1e6:,.1f} MB", flush=True)
        if args.write_only:
            return
        data = work / "store"
        shutil.rmtree(data, ignore_errors=True)
        r = ingest(parts, data)
        rows = stored(data)
        lake = disk_bytes(data)
        print("| points stored | wall s | CPU s | points/CPU-s | peak RSS MB | store on disk MB |")
        print("|---:|---:|---:|---:|---:|---:|")
        print(
            f"| {rows:,} | {r['wall']:.0f} | {r['cpu']:.0f} | {rows / r['cpu']:,.0f} | "
            f"{r['rss_mb']:,.0f} | {lake / 1e6:,.1f} |"
        )
        print(f"stored: {counts(data)}")
        rate = rows / r["cpu"]
        print(
            f"bars: points/s per core {rate:,.0f} (>= 1,000,000: "
            f"{'met' if rate >= 1e6 else 'NOT met'}); peak RSS {r['rss_mb']:,.0f} MB "
            f"(< 2,048: {'met' if r['rss_mb'] < 2048 else 'NOT met'})"
        )
    finally:
        if not (args.keep or args.write_only):
            shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
