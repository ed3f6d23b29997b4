"""Benchmark: CLI start-up, whole process, for ``--version``, ``decode`` of a small file and a
``flights --icao24`` query (a store made by ``ingest`` of the real Beast capture first).

"Start" is one whole fresh process ``python -m skywitness ARGV``, from spawn to exit, with its
output captured by a pipe (so ``flights`` prints TSV, not a rich table):

- ``--version``;
- ``decode -q pymodes-tests/sample_data_adsb.csv -o TMP/x.parquet``: 2,000 ``timestamp,hex``
  CSV lines decoded to a Parquet file;
- ``flights --data-dir DB --icao24 4ca2d6``: one query of the catalogue of a store made by
  ``ingest -q`` of the real Beast capture (ulss7-...log); that address has no stored flight,
  so the query prints the header alone (the same SQL, DESCRIBE and SELECT, as any address).

Each command runs ``--repeat`` times; printed: the best (least) CPU time, user + system of the
child and its threads (``getrusage(RUSAGE_CHILDREN)``), and, found separately, the best wall
time; then which heavy modules a run loads (an extra run through ``cli.main.main``). The
skywitness on ``PYTHONPATH`` is the one measured (point it at another checkout's ``src`` to
compare). The floors printed at the end are the CPU of ``python -c`` of ``pass``, of ``import
numpy, pyarrow`` (``decode``'s; with ``OPENBLAS_NUM_THREADS=1`` as the CLI runs) and of ``import
duckdb`` (a ``flights`` query's), best of 3 each; the load average before and after.

Children run with bytecode caching on (``PYTHONDONTWRITEBYTECODE`` dropped, the cache under
the run's temporary folder through ``PYTHONPYCACHEPREFIX``), as an installed package has its
``.pyc`` files: otherwise every run would recompile every skywitness module (~0.1 s CPU).

With ``--baseline REV`` the same commands also run from ``git archive REV src``, interleaved
with this tree's runs (run i of each in turn), so both see the same load.

Run: python bench/startup.py [--repeat 5] [--baseline REV]
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
sys.path.insert(0, str(ROOT / "bench"))
from ingest_states import baseline_src  # noqa: E402  (one git-archive helper for the benches)

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


def run(argv: list[str], src: str | None = None) -> tuple[float, float]:
    env = {**os.environ, "PYTHONPATH": src} if src else None
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    t = time.perf_counter()
    subprocess.run(
        [sys.executable, "-m", "skywitness", *argv], capture_output=True, check=True, env=env
    )
    wall = time.perf_counter() - t
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime), wall


def loaded(argv: list[str], src: str | None = None) -> list[str]:
    env = {**os.environ, "PYTHONPATH": src} if src else None
    r = subprocess.run(
        [sys.executable, "-c", CHILD, *argv], capture_output=True, text=True, env=env
    )
    out: list[str] = json.loads(r.stderr.strip().splitlines()[-1])
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--repeat", type=int, default=5)
    ap.add_argument("--baseline", help="git revision to run the same commands from, interleaved")
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        trees: dict[str, str | None] = {"": None}
        if args.baseline:
            trees[f" at {args.baseline}"] = str(baseline_src(args.baseline, Path(tmp)))
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
        print("load average before: {:.2f} {:.2f} {:.2f}".format(*os.getloadavg()))
        print(f"{'command':50} {'CPU s':>6} {'wall s':>7}  heavy modules loaded")
        for name, argv in cmds.items():
            runs: dict[str, list[tuple[float, float]]] = {tag: [] for tag in trees}
            for _ in range(args.repeat):
                for tag, src in trees.items():
                    runs[tag].append(run(argv, src))
            for tag, src in trees.items():
                cpu, wall = min(r[0] for r in runs[tag]), min(r[1] for r in runs[tag])
                mods = ", ".join(loaded(argv, src)) or "-"
                print(f"{name + tag:50} {cpu:6.3f} {wall:7.3f}  {mods}")
        floor = min(run_code("import numpy, pyarrow") for _ in range(3))
        one = {"OPENBLAS_NUM_THREADS": "1"}  # as the CLI sets it (config.OPENBLAS_THREADS_ENV)
        floor1 = min(run_code("import numpy, pyarrow", one) for _ in range(3))
        bare = min(run_code("pass") for _ in range(3))
        duck = min(run_code("import duckdb") for _ in range(3))
        print(f"(best of {args.repeat}; CPU of python -c pass: {bare:.3f} s, of python -c ")
        print(f"'import numpy, pyarrow': {floor:.3f} s, with OPENBLAS_NUM_THREADS=1 as the CLI")
        print(f"runs: {floor1:.3f} s; of python -c 'import duckdb': {duck:.3f} s)")
        print("load average after: {:.2f} {:.2f} {:.2f}".format(*os.getloadavg()))


def run_code(code: str, env: dict[str, str] | None = None) -> float:
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    subprocess.run([sys.executable, "-c", code], check=True, env={**os.environ, **(env or {})})
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


if __name__ == "__main__":
    main()
