"""Where a globe-history ingest's CPU goes, stage by stage, without a profiler's overhead.

Ingests a day archive written by ``bench/globe_day.py --write-only`` in this process (no
start-up counted: the CLI's imports and argument parsing are ~1 s of every process) and
reports the CPU time (``time.process_time``: all threads) spent inside each stage's function,
with the command's process settings (pandas kept out, freed memory kept for reuse),
wrapped with a timer. cProfile's per-call overhead inflates the numpy- and Python-heavy stages
against the Arrow kernels (and a wall-clock profile on a loaded machine measures the load);
this measures what a stage costs as it runs. The stages do not nest (``store.write_batch``
canonicalizes the batch again, counted in it).

Also prints the ingest's minor page faults and its user and system CPU (``getrusage``):
``--duckdb SQL`` runs a statement on the store's connection first (``"SET threads=1"``: DuckDB
then runs no worker threads, whose flush after each task calls glibc's ``malloc_trim``, which
hands every free page of the heap, numpy's and Arrow's, back to the kernel).

Usage: python bench/globe_stages.py --workdir DIR (the archive's folder, as globe_day.py's)
[--duckdb SQL]
"""

from __future__ import annotations

import argparse
import functools
import resource
import shutil
import sys
import time
from collections import defaultdict
from collections.abc import Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
from globe import DAY

#: (module, attribute, label): the functions timed.
STAGES = [
    ("skywitness.sources.globe", "inflate_trace", "inflate (ISA-L)"),
    ("skywitness.sources.globe", "split_document", "head parse and split"),
    ("skywitness.runtime.globe", "read_points", "read_points (rows, CSV, columns, details)"),
    ("skywitness.runtime.globe", "observations", "trace_arrays"),
    ("skywitness.runtime.globe", "take_trace", "take_trace (carry forward, facts)"),
    ("skywitness.runtime.globe", "obs_concat", "flush: obs_concat"),
    ("skywitness.runtime.globe", "lake_rows", "flush: lake_rows"),
    ("skywitness.runtime.globe", "labels", "flush: source labels"),
    ("skywitness.runtime.globe", "source_column", "flush: source column"),
    ("skywitness.runtime.globe", "callsign_column", "flush: callsign column"),
    ("skywitness.runtime.globe", "run_columns", "flush: columns from runs (callsign, icao24, ...)"),
    ("skywitness.runtime.globe", "observations_table", "flush: observations_table"),
    ("skywitness.runtime.globe", "canonicalize", "flush: canonicalize"),
    ("skywitness.store.store:Store", "write_batch", "store.write_batch (Parquet, catalogue)"),
    ("skywitness.runtime.globe_flights:GlobeFlights", "batch", "flights of each batch"),
    ("skywitness.runtime.globe_flights:GlobeFlights", "finish", "flights finish"),
]


def timed(f: Callable[..., Any], label: str, acc: dict[str, float]) -> Callable[..., Any]:
    @functools.wraps(f)
    def run(*a: Any, **k: Any) -> Any:
        t = time.process_time()
        try:
            return f(*a, **k)
        finally:
            acc[label] += time.process_time() - t

    return run


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--workdir", type=Path, required=True)
    ap.add_argument("--duckdb", default=None, help="a statement run on the store's connection")
    args = ap.parse_args()
    import importlib

    from skywitness.pandas_off import keep_pandas_out

    keep_pandas_out()  # as the command does (pyarrow would import it: ~0.3 CPU s, unused)
    try:  # as the command does (a tree before the allocator's settings: without them)
        from skywitness.alloc import keep_freed_memory

        keep_freed_memory()
    except ImportError:
        pass
    from skywitness.runtime.globe import ingest_globe
    from skywitness.sources.globe import group_inputs
    from skywitness.store import Store

    acc: dict[str, float] = defaultdict(float)
    for where, name, label in STAGES:
        mod_name, _, cls = where.partition(":")
        owner: Any = importlib.import_module(mod_name)
        if cls:
            owner = getattr(owner, cls)
        if hasattr(owner, name):  # (a stage an older tree has not: not timed there)
            setattr(owner, name, timed(getattr(owner, name), label, acc))
    parts = sorted(args.workdir.glob(f"{DAY}.a?"))
    if not parts:
        raise SystemExit(f"no {DAY}.a? in {args.workdir}: write one with globe_day.py")
    data = args.workdir / "stages-store"
    shutil.rmtree(data, ignore_errors=True)
    inp = group_inputs([str(p) for p in parts])[0][0]
    t0 = time.process_time()
    r0 = resource.getrusage(resource.RUSAGE_SELF)
    with Store(data) as store:
        if args.duckdb:
            store.connection.execute(args.duckdb)
        out = ingest_globe(store, inp)
    total = time.process_time() - t0
    r1 = resource.getrusage(resource.RUSAGE_SELF)
    shutil.rmtree(data, ignore_errors=True)
    n = max(out.points, 1)
    print(f"points {out.points:,}; ingest_globe {total:.2f} CPU s, {n / total:,.0f} points/CPU-s")
    print(
        f"minor page faults {r1.ru_minflt - r0.ru_minflt:,}; "
        f"user {r1.ru_utime - r0.ru_utime:.2f} s, system {r1.ru_stime - r0.ru_stime:.2f} s"
        + (f" (with {args.duckdb!r})" if args.duckdb else "")
    )
    print("| stage | CPU s | µs a point |")
    print("|---|---:|---:|")
    for label, s in sorted(acc.items(), key=lambda kv: -kv[1]):
        print(f"| {label} | {s:.2f} | {s / n * 1e6:.3f} |")
    rest = total - sum(acc.values())
    print(
        f"| the rest (tar read, SHA-256, loops, catalogue thread) | {rest:.2f} "
        f"| {rest / n * 1e6:.3f} |"
    )


if __name__ == "__main__":
    main()
