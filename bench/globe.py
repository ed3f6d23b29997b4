"""Globe-history day archive bench: write a synthetic day of the real shape, ingest it whole and
with ``--only`` 100 aircraft, each in a fresh ``skywitness ingest`` process.

The archive is derived from the real trace in ../shared/data (traffic-trajectories/readsb:
2,500 points, gzip'd members in ``traces/XX/trace_full_<hex>.json``, split ``.tar.aa``/``.ab``
parts); see ``skywitness.simulate.globe_archive``. A real day holds ~50,000 traces and ~100 M
points: ``--full-scale`` writes 40,000 traces of 2,500 points (100 M points, tens of GB of
disk); the default is 400 traces (1 M points).

Reported per run: wall s, CPU s (user + system of the ingest process), points per CPU-second
("per core": the ingest is one process, one thread doing the work), peak RSS. Bars: >= 1 M
points/s per core, peak RSS < 2 GB, filtered read >= 5x faster than full (wall).

Usage: python bench/globe.py [--traces N] [--points-per-trace N] [--full-scale] [--workdir DIR]
[--keep] [--reuse] [--write-only]

``--write-only`` writes the archive into ``--workdir`` and stops; ``--reuse`` ingests the
archive already there (so a day-sized archive is written once).
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
TRACE = REPO.parent / "shared/data/traffic-trajectories/readsb/trace_full_ac671b.json"
FULL_SCALE_TRACES = 40_000
PART_BYTES = 1 << 30  # the published parts are ~1-2 GB each
DAY = "v2019.09.20-planes-readsb-prod-0.tar"
FILTERED_AIRCRAFT = 100
DAY_S = 86_400.0


def write(workdir: Path, traces: int, points: int | None) -> tuple[list[Path], float]:
    from skywitness.simulate.globe_archive import split_parts, variants, write_archive

    template = json.loads(TRACE.read_text())
    if points is not None:  # a contiguous stretch of the real trace: shorter traces, same shape
        template["trace"] = template["trace"][:points]
    t = time.perf_counter()
    stagger = min(60.0, DAY_S / traces)  # a day's traces start within the day, as in a real one
    tar = write_archive(workdir / DAY, variants(template, traces, stagger_s=stagger))
    part = min(PART_BYTES, tar.stat().st_size // 2 + 1)  # always at least two parts
    return split_parts(tar, part), time.perf_counter() - t


def ingest(parts: list[Path], data: Path, *extra: str) -> dict[str, float]:
    cmd = [sys.executable, "-m", "skywitness", "ingest", "--quiet", "--data-dir", str(data)]
    t = time.perf_counter()
    proc = subprocess.Popen([*cmd, *extra, *map(str, parts)], env=os.environ.copy())
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - t
    if os.waitstatus_to_exitcode(status) != 0:
        raise SystemExit(f"ingest failed: {status}")
    return {
        "wall": wall,
        "cpu": usage.ru_utime + usage.ru_stime,
        "rss_mb": usage.ru_maxrss / 1024,
    }


def stored(data: Path) -> int:
    from skywitness.store import Store

    with Store(data, read_only=True) as s:
        row = s.connection.execute("SELECT count(*) FROM states").fetchone()
    return int(row[0]) if row else 0


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--traces", type=int, default=400)
    ap.add_argument(
        "--points-per-trace", type=int, default=None, help="first N points of the real trace"
    )
    ap.add_argument("--full-scale", action="store_true", help=f"{FULL_SCALE_TRACES:,} traces")
    ap.add_argument("--workdir", type=Path, default=None)
    ap.add_argument("--keep", action="store_true", help="keep the archive and stores")
    ap.add_argument("--reuse", action="store_true", help="ingest the archive in --workdir")
    ap.add_argument("--write-only", action="store_true", help="write the archive, no ingest")
    args = ap.parse_args()
    traces = FULL_SCALE_TRACES if args.full_scale else args.traces
    work = args.workdir or Path(tempfile.mkdtemp(prefix="globe-bench-"))
    work.mkdir(parents=True, exist_ok=True)
    try:
        parts = sorted(work.glob(f"{DAY}.a?")) if args.reuse else []
        if parts:
            print(f"archive: {traces:,} traces in {len(parts)} parts (written before), ", end="")
            print(f"{sum(p.stat().st_size for p in parts) / 1e6:,.1f} MB")
        else:
            points = None if args.full_scale else args.points_per_trace
            parts, write_s = write(work, traces, points)
            size = sum(p.stat().st_size for p in parts)
            print(
                f"archive: {traces:,} traces in {len(parts)} parts, {size / 1e6:,.1f} MB, "
                f"written in {write_s:.1f} s"
            )
        if args.write_only:
            return
        for old in ("full", "only"):
            shutil.rmtree(work / old, ignore_errors=True)
        wanted = work / "only.txt"
        step = max(1, traces // FILTERED_AIRCRAFT)
        wanted.write_text("\n".join(f"{0xA00000 + i:06x}" for i in range(0, traces, step)[:100]))
        full = ingest(parts, work / "full")
        n_full = stored(work / "full")
        only = ingest(parts, work / "only", "--only", f"icao24=@{wanted}")
        n_only = stored(work / "only")
        print("| run | points stored | wall s | CPU s | points/CPU-s | peak RSS MB |")
        print("|---|---:|---:|---:|---:|---:|")
        for name, r, n in (("full", full, n_full), ("--only 100 aircraft", only, n_only)):
            print(
                f"| {name} | {n:,} | {r['wall']:.2f} | {r['cpu']:.2f} | "
                f"{n / r['cpu']:,.0f} | {r['rss_mb']:,.0f} |"
            )
        speedup = full["wall"] / only["wall"]
        rate = n_full / full["cpu"]
        print(
            f"bars: points/s per core {rate:,.0f} (>= 1,000,000: "
            f"{'met' if rate >= 1e6 else 'NOT met'}); peak RSS {full['rss_mb']:,.0f} MB "
            f"(< 2,048: {'met' if full['rss_mb'] < 2048 else 'NOT met'}); filtered "
            f"{speedup:.1f}x faster (>= 5x: {'met' if speedup >= 5 else 'NOT met'})"
        )
    finally:
        if not (args.keep or args.write_only):
            shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
