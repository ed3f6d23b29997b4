"""Benchmark: CLI start-up, whole process, for ``--version``, ``decode`` of a small file and a
``flights --icao24`` query (a store made by ``ingest`` of the real Beast capture first).

Each command runs ``--repeat`` times as a fresh process; printed: the best CPU time (user +
system) and the best wall time, and which heavy modules the process loaded. The skywitness on
``PYTHONPATH`` is the one measured (point it at another checkout's ``src`` to compare).

Children run with bytecode caching on (``PYTHONDONTWRITEBYTECODE`` dropped, the cache under
the run's temporary folder through ``PYTHONPYCACHEPREFIX``), as an installed package has its
``.pyc`` files: otherwise every run would recompile every skywitness module (~0.1 s CPU).

Run: python bench/startup.py [--repeat 5]
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT.parent / "shared" / "data"
BEAST = DATA / "beastblackbox-example/ulss7-beast-bin-utc--1522782148.136310917--.log"
HEAVY = ("pandas", "duckdb", "httpx", "pyarrow.compute", "pyarrow.parquet", "numpy", "pyarrow")
CHILD = """
import json, sys
from skywitness.cli.main import main
try:
    main(sys.argv[1:])
except SystemExit:
    pass
print(json.dumps([m for m in HEAVY if m in sys.modules]), file=sys.stderr)
""".replace("HEAVY", repr(HEAVY))


def run(argv: list[str]) -> tuple[float, float]:
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    t = time.perf_counter()
    subprocess.run([sys.executable, "-m", "skywitness", *argv], capture_output=True, check=True)
    wall = time.perf_counter() - t
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime), wall


def loaded(argv: list[str]) -> list[str]:
    r = subprocess.run([sys.executable, "-c", CHILD, *argv], capture_output=True, text=True)
    out: list[str] = json.loads(r.stderr.strip().splitlines()[-1])
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--repeat", type=int, default=5)
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        os.environ.pop("PYTHONDONTWRITEBYTECODE", None)  # as an installed package: .pyc files
        os.environ["PYTHONPYCACHEPREFIX"] = str(Path(tmp) / "pycache")
        ddir = str(Path(tmp) / "db")
        subprocess.run(
            [sys.executable, "-m", "skywitness", "ingest", "-q", "--data-dir", ddir, str(BEAST)],
            check=True,
            env=os.environ,
        )
        small = str(DATA / "pymodes-tests/sample_data_adsb.csv")
        cmds = {
            "--version": ["--version"],
            "decode (2,000 frames, -o x.parquet)": [
                "decode",
                "-q",
                small,
                "-o",
                f"{tmp}/x.parquet",
            ],
            "flights --icao24": ["flights", "--data-dir", ddir, "--icao24", "4ca2d6"],
        }
        print(f"{'command':38} {'CPU s':>6} {'wall s':>7}  heavy modules loaded")
        for name, argv in cmds.items():
            runs = [run(argv) for _ in range(args.repeat)]
            cpu, wall = min(r[0] for r in runs), min(r[1] for r in runs)
            print(f"{name:38} {cpu:6.3f} {wall:7.3f}  {', '.join(loaded(argv)) or '-'}")
        floor = min(run_code("import numpy, pyarrow") for _ in range(3))
        bare = min(run_code("pass") for _ in range(3))
        print(f"(best of {args.repeat}; CPU of python -c pass: {bare:.3f} s, of python -c ")
        print(f"'import numpy, pyarrow': {floor:.3f} s)")


def run_code(code: str) -> float:
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    subprocess.run([sys.executable, "-c", code], check=True)
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


if __name__ == "__main__":
    main()
