"""Benchmark: ingest of an already-tracked states Parquet, whole process, CPU seconds.

Three ways to put the same rows into a store, each a fresh process (start-up included),
CPU = user + system of the child:

- ``duckdb``: ``CREATE TABLE s AS SELECT * FROM read_parquet(...)`` into a new DuckDB file
  (the bar: "DuckDB COPY");
- ``ingest (tracker)``: ``skywitness ingest --data-dir D file.parquet`` as the CLI does it
  today (states re-tracked as observations, flights rebuilt from the lake);
- ``ingest (gated)``: the column-wise path: ``sources.states.states_table`` ->
  ``track.states_gate.gate_states`` -> ``store.ingest_tables`` -> ``build_flights`` on the
  table in memory -> ``Store.replace_flights``.

Input: the real quickstart collection (284,505 state vectors) repeated ``--copies`` times,
each copy a day later (same aircraft, same flights shifted by a day).

Run: python bench/ingest_states.py [--copies 4]
"""

from __future__ import annotations

import argparse
import os
import resource
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT.parent / "shared" / "data"

GATED = """
import sys
from pathlib import Path
from skywitness.flights import airport_inference, build_flights
from skywitness.runtime.history import open_history
from skywitness.sources.states import states_table
from skywitness.stats import IngestStats
from skywitness.store import Provenance, ingest_tables
from skywitness.track.states_gate import gate_states
path, ddir = sys.argv[1], sys.argv[2]
stats = IngestStats()
store = open_history(ddir)
table = gate_states(states_table(Path(path).read_bytes(), stats, path), stats=stats, source=path)
rec = ingest_tables(store, [table], Provenance.of_file(path, "states"), stats=stats)
flights = build_flights(table, inference=airport_inference(store.table("runways"), None))
store.replace_flights(flights, icao24s=sorted(set(table.column("icao24").to_pylist())))
store.close()
print(f"{rec.rows_stored:,} stored, {flights.num_rows:,} flights, rejected {dict(stats.rejected)}")
"""

DUCK = """
import sys, duckdb
c = duckdb.connect(sys.argv[2] + ".duckdb")
c.execute("CREATE TABLE s AS SELECT * FROM read_parquet(?)", [sys.argv[1]])
print(f"{c.execute('SELECT count(*) FROM s').fetchone()[0]:,} rows")
c.close()
"""


def make_input(path: Path, copies: int) -> int:
    import pyarrow as pa
    import pyarrow.compute as pc
    import pyarrow.parquet as pq

    from skywitness.store import load_traffic_json

    q = load_traffic_json(DATA / "traffic-trajectories/collections/quickstart.json.gz")
    parts = []
    for k in range(copies):
        ts = pc.cast(pc.add(pc.cast(q.column("timestamp"), pa.int64()), k * 86_400_000), pa.int64())
        parts.append(q.set_column(0, "timestamp", ts.cast(q.schema.field("timestamp").type)))
    table = pa.concat_tables(parts)
    pq.write_table(table, path, compression="zstd")
    return int(table.num_rows)


def cpu_of(cmd: list[str]) -> tuple[float, str]:
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    r = subprocess.run(cmd, capture_output=True, text=True, env=os.environ, check=True)
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return cpu, (r.stdout + r.stderr).strip().splitlines()[-2 if "store:" in r.stderr else -1]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--copies", type=int, default=4)
    ap.add_argument("--repeat", type=int, default=2)
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        src = Path(tmp) / "states.parquet"
        n = make_input(src, args.copies)
        print(f"input: {n:,} state vectors, {src.stat().st_size:,} bytes of zstd Parquet")
        runs = {
            "duckdb CREATE TABLE AS read_parquet": [sys.executable, "-c", DUCK, str(src)],
            "skywitness ingest (tracker, CLI)": [
                *(sys.executable, "-m", "skywitness", "ingest", "--data-dir", "D", str(src))
            ],
            "skywitness ingest (gated, in memory)": [sys.executable, "-c", GATED, str(src), "D"],
        }
        best: dict[str, float] = {}
        for i in range(args.repeat):
            for name, cmd in runs.items():
                ddir = str(Path(tmp) / f"d{i}-{len(best)}-{abs(hash(name))}")
                cmd = [ddir if c == "D" else c for c in cmd]
                cmd = cmd if name.startswith("skywitness") else [*cmd, ddir]
                cpu, last = cpu_of(cmd)
                best[name] = min(best.get(name, float("inf")), cpu)
                print(f"  run {i + 1}: {name:38} {cpu:6.2f} s CPU  ({last[:90]})")
        duck = best["duckdb CREATE TABLE AS read_parquet"]
        head = f"(best of {args.repeat})"
        print(f"\n{head:40} {'CPU s':>7} {'rows/CPU-s':>11} {'vs duckdb':>9}")
        for name, cpu in best.items():
            print(f"{name:40} {cpu:7.2f} {n / cpu:11,.0f} {duck / cpu:8.2f}x")


if __name__ == "__main__":
    main()
