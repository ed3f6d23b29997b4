"""Benchmark: ``skywitness flights rebuild`` of a store, whole process, CPU seconds and peak
RSS: the flights built from the lake's rows read back (what an ``ingest`` too large to hold
its rows in memory does after storing them, and what ``ingest --no-flights`` leaves to do).

The store is made once by this tree (``ingest --no-flights`` of the ingest bench's input:
quickstart ``--copies`` times, a day apart); then ``flights rebuild`` runs on it, from this
tree and, with ``--baseline REV``, from ``git archive REV src``, interleaved, each a fresh
process (CPU = user + system of the child and all its threads, ``wait4``; the best of
``--repeat``). Each rebuild replaces every flight, so every run does the same work; the
flights each tree stored are compared (every column, every row) after its last run.

Run: python bench/ingest_rebuild.py [--copies 8] [--repeat 3] [--baseline REV]
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
from pathlib import Path

from ingest_states import ROOT, _load, baseline_src, cpu_of, input_in_child


def flights_of(data: Path) -> str:
    """The SHA-256 of the store's flights (every column, every row, ordered), worked out in a
    child process (DuckDB loaded here would count in the next child's peak RSS)."""
    code = (
        "import duckdb, hashlib, sys; c = duckdb.connect(sys.argv[1], read_only=True); "
        "print(hashlib.sha256(repr(c.execute('SELECT * FROM flights ORDER BY ALL')"
        ".fetchall()).encode()).hexdigest(), c.execute('SELECT count(*) FROM flights')"
        ".fetchall()[0][0])"
    )
    cmd = [sys.executable, "-c", code, str(data / "catalog.duckdb")]
    return subprocess.run(cmd, capture_output=True, text=True, check=True).stdout.strip()


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--copies", type=int, default=8)
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--baseline", help="git revision to run the same rebuild from")
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        os.environ.pop("PYTHONDONTWRITEBYTECODE", None)  # as an installed package: .pyc files
        os.environ["PYTHONPYCACHEPREFIX"] = str(Path(tmp) / "pycache")
        src, data = Path(tmp) / "states.parquet", Path(tmp) / "d"
        n = input_in_child(src, args.copies)
        new = str(ROOT / "src")
        load = [sys.executable, "-m", "skywitness", "ingest", "-q", "--no-flights"]
        env = {**os.environ, "PYTHONPATH": new}
        subprocess.run([*load, "--data-dir", str(data), str(src)], env=env, check=True)
        print(f"store: {n:,} state vectors (quickstart x {args.copies}), loaded --no-flights")
        print(f"load average at start: {_load()}")
        trees = {"this tree": new}
        if args.baseline:
            trees[f"at {args.baseline}"] = str(baseline_src(args.baseline, Path(tmp)))
        rebuild = [sys.executable, "-m", "skywitness", "flights", "rebuild"]
        best: dict[str, tuple[float, int]] = {}
        stored: dict[str, str] = {}
        for i in range(args.repeat):
            for name, path in trees.items():
                cpu, last, rss = cpu_of([*rebuild, "--data-dir", str(data)], path)
                old = best.get(name, (float("inf"), 0))
                best[name] = (min(old[0], cpu), max(old[1], rss))
                print(f"  run {i + 1}: flights rebuild, {name:14} {cpu:6.2f} s CPU "
                      f"{rss:6,} MB peak RSS  ({last[:60]})")  # fmt: skip
                stored[name] = flights_of(data)
        print(f"load average at end: {_load()}")
        print(f"\n(best of {args.repeat})          CPU s  rows/CPU-s  peak RSS (most)")
        for name, (cpu, rss) in best.items():
            print(f"flights rebuild, {name:14} {cpu:6.2f} {n / cpu:11,.0f} {rss:9,} MB")
        digests = list(stored.values())
        same = all(f == digests[0] for f in digests)
        print(f"flights stored (sha256, count): {digests[0]}; the same from every tree: {same}")
        sys.exit(0 if same else 1)


if __name__ == "__main__":
    main()
