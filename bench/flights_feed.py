"""Benchmark of the live flights stage on the Beast feed's state vectors (bench/RESULTS.md,
"## serve"): what the flights child of ``serve`` does with them.

The state vectors ``bench/serve.py feed`` stored (``--lake``: the ``lake`` folder beside the
``serve_log`` that bench prints) are stepped through a ``FlightStage`` as the child steps it
(60 s data-time windows, finished flights handed over, ``keep_final=False``), once with flights
in progress cut (``flights.settle``, the default) and once without (``settle_rows=None``, the
builder before the cut). Printed per run: CPU seconds of the steps, state vectors rebuilt,
rows held at the end and at most, cuts; and whether both runs gave the same flights.

``--changes``: instead, the live path itself (``FlightSteps.advance`` as the child runs it:
the lake's rows pushed in ``CHUNK_ROWS`` chunks in time order, the lake for recalls; drained
and flushed at the end): CPU seconds of the ``advance`` calls (the hashing left out), windows,
and the SHA-1 of every flight change in order (each call's changed rows and removed ids, and
the stream texts, which say new / changed / finished, unless ``--no-texts``: the bench feed's
serve has no stream client, so its child builds none), so that two trees can be compared bit
for bit; ``--base-src DIR`` (e.g. ``git archive main src | tar -x -C DIR``): the same run of
that tree's ``src`` in a subprocess, interleaved ``--repeat`` times; ``--timers``: one run
with the CPU of the stage's main calls (``TIMED``).

Usage: python bench/flights_feed.py --lake /tmp/skywitness-bench-feed-XXXX/lake
       python bench/flights_feed.py --lake ... --changes [--no-texts] [--base-src DIR/src]
                                    [--repeat 3]
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq

REPO = Path(__file__).resolve().parents[1]
# ``--src DIR``: run that tree's package (the subprocess of ``--base-src``)
SRC = sys.argv[sys.argv.index("--src") + 1] if "--src" in sys.argv else str(REPO / "src")
sys.path.insert(0, SRC)
sys.path.insert(0, str(REPO))

from bench.data_windows import WINDOW_S, time_order, window_bounds  # noqa: E402
from skywitness.flights.runway_table import load_runways  # noqa: E402
from skywitness.flights.settle import SETTLE_ROWS  # noqa: E402
from skywitness.flights.stage import FlightStage  # noqa: E402

CHUNK_ROWS = 2_000  # rows pushed per ``advance`` in ``--changes`` (a tracker batch or so)
#: ``--timers``: the stage's calls timed (module, attribute), CPU-seconds and calls of each.
TIMED = (
    ("skywitness.runtime.flight_steps", "FlightSteps.step"),
    ("skywitness.flights.incremental", "FlightBuilder.update"),
    ("skywitness.flights.incremental", "build_in_groups"),
    ("skywitness.flights.builder", "build_flights_tallied"),
    ("skywitness.flights.builder", "assemble"),
    ("skywitness.flights.builder", "points_from_table"),
    ("skywitness.flights.builder", "segment_points"),
    ("skywitness.flights.settled", "SettledFlights.merge"),
    ("skywitness.flights.cutting", "cut"),
    ("skywitness.flights.settled", "SettledFlights.cut"),
    ("skywitness.flights.incremental", "FlightBuilder._rows"),
    ("skywitness.flights.incremental", "_diff"),
    ("skywitness.flights.incremental", "flight_states"),
    ("skywitness.flights.incremental", "FlightBuilder._compact"),
    ("skywitness.flights.incremental", "FlightBuilder._codes"),
    ("skywitness.flights.retain", "retain"),
    ("skywitness.flights.incremental", "FlightBuilder._build_tallied"),
    ("skywitness.flights.settled", "find_cuts"),
    ("skywitness.flights.gate", "ChangeGate.select"),
    ("skywitness.flights.windows", "DataWindows._take"),
)
RUNWAYS = REPO.parent / "shared/data/ourairports/runways.csv.gz"


def _states(lake: Path) -> pa.Table:
    files = sorted(lake.rglob("*.parquet"))
    return time_order(pa.concat_tables([pq.read_table(f) for f in files]))


def run(states: pa.Table, runways: pa.Table, settle_rows: int | None) -> dict[str, Any]:
    stage = FlightStage(runways, keep_final=False, settle_rows=settle_rows)
    bounds = window_bounds(states, WINDOW_S)
    ended, held_max = [], 0
    cpu0 = time.process_time()
    for a, n in bounds:
        ended.append(stage.step(states.slice(a, n)).ended)
        held_max = max(held_max, stage.builder.retained_rows())
    cpu = time.process_time() - cpu0
    flights = pa.concat_tables([*ended, stage.flights()]).sort_by("flight_id")
    return {
        "settle_rows": settle_rows,
        "steps": len(ended),
        "cpu_s": round(cpu, 2),
        "rows_per_cpu_s": round(states.num_rows / cpu),
        "rows_rebuilt": stage.builder.rebuilt_rows,
        "rows_held_end": stage.builder.retained_rows(),
        "rows_held_max": held_max,
        "cuts": stage.builder.cuts,
        "flights": flights,
    }


def hash_changes(digest: Any, res: Any) -> None:
    """Add one ``FlightSteps.advance`` result (a ``StepResult``) to ``digest``: its changed
    rows, its stream texts (where asked for) and the ids removed, in order (also
    bench/flights_many.py's ``--changes``)."""
    digest.update(repr(res.changed.to_pylist()).encode())
    for text in res.texts or ():
        digest.update(text.encode())
    digest.update(json.dumps(res.removed).encode())


def changes(states: pa.Table, runways: pa.Table, lake: Path, texts: bool) -> dict[str, Any]:
    """The live path over ``states`` (see the module): CPU of the steps (the hashing left out),
    windows, SHA-1 of the changes (each step's changed rows, removed ids and, with ``texts``,
    its stream texts, which also say new / changed / finished)."""
    from skywitness.runtime.flight_steps import FlightSteps

    steps = FlightSteps(runways, lake=lake, keep_final=False)
    digest, n_rows, n_removed, windows, cpu = hashlib.sha1(), 0, 0, 0, 0.0
    for at in range(0, states.num_rows + 1, CHUNK_ROWS):
        last = at + CHUNK_ROWS > states.num_rows
        cpu0 = time.process_time()
        res = steps.advance(
            states.slice(at, CHUNK_ROWS), want_texts=texts, drain=last, flush=last,
            max_windows=None,
        )  # fmt: skip
        cpu += time.process_time() - cpu0
        windows += res.windows
        hash_changes(digest, res)
        n_rows, n_removed = n_rows + res.changed.num_rows, n_removed + len(res.removed)
    return {
        "src": SRC,
        "texts": texts,
        "cpu_s": round(cpu, 2),
        "windows": windows,
        "changed_rows": n_rows,
        "removed": n_removed,
        "changes_sha1": digest.hexdigest(),
    }


def timers() -> dict[str, list[float]]:
    """Wrap the ``TIMED`` calls with CPU timers: name -> [CPU-seconds, calls], filled as they
    run (``--timers``; a call inside another is counted in both)."""
    import functools
    import importlib

    got: dict[str, list[float]] = {}
    for mod, attr in TIMED:
        *path, name = attr.split(".")
        try:  # a base tree may lack a name (the calls moved): left out of its timers
            owner: Any = importlib.import_module(mod)
            for part in path:
                owner = getattr(owner, part)
            f = getattr(owner, name)
        except (ImportError, AttributeError):
            continue
        cell = got.setdefault(f"{mod.rsplit('.', 1)[1]}.{attr}", [0.0, 0])

        def timed(*a: Any, _f: Any = f, _cell: list[float] = cell, **k: Any) -> Any:
            t = time.process_time()
            try:
                return _f(*a, **k)
            finally:
                _cell[0] += time.process_time() - t
                _cell[1] += 1

        setattr(owner, name, functools.wraps(f)(timed))
    return got


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--lake", required=True, help="the lake folder of a bench/serve.py feed run")
    ap.add_argument("--changes", action="store_true", help="the live path's changes, hashed")
    ap.add_argument("--src", help="the package tree to run (default: this repository's)")
    ap.add_argument("--base-src", help="--changes: also run this tree's src, interleaved")
    ap.add_argument("--repeat", type=int, default=1, help="--changes: runs of each")
    ap.add_argument("--no-texts", action="store_true", help="--changes: no stream texts")
    ap.add_argument("--timers", action="store_true", help="--changes: CPU of the stage's calls")
    args = ap.parse_args()
    states = _states(Path(args.lake))
    runways = load_runways(RUNWAYS)
    if args.changes:
        if args.src or args.timers:  # one run, its line for the caller
            got = timers() if args.timers else {}
            print(json.dumps(changes(states, runways, Path(args.lake), not args.no_texts)))
            for name, (cpu, calls) in sorted(got.items(), key=lambda x: -x[1][0]):
                print(f"{name:40s} {cpu:6.2f} CPU-s {int(calls):5d} calls "
                      f"{1000 * cpu / max(calls, 1):6.2f} ms a call")  # fmt: skip
            return
        print(f"cpus: {os.cpu_count()}, load average: {os.getloadavg()}")
        print("command: python bench/flights_feed.py " + " ".join(sys.argv[1:]))
        for _ in range(args.repeat):
            for src in [args.base_src, SRC] if args.base_src else [SRC]:
                cmd = [sys.executable, __file__, "--lake", args.lake, "--changes", "--src", src]
                cmd += ["--no-texts"] if args.no_texts else []
                text = subprocess.run(cmd, check=True, capture_output=True, text=True).stdout
                print(text.strip().splitlines()[-1])
        return
    ms = np.asarray(states["timestamp"].cast(pa.int64()).to_numpy())
    print(f"cpus: {os.cpu_count()}, load average: {os.getloadavg()}")
    print("command: python bench/flights_feed.py " + " ".join(sys.argv[1:]))
    out: dict[str, Any] = {
        "state_vectors": states.num_rows,
        "aircraft": len(set(states["icao24"].to_pylist())),
        "data_hours": round(float(ms[-1] - ms[0]) / 3.6e6, 2),
    }
    runs = [run(states, runways, None), run(states, runways, SETTLE_ROWS)]
    same = runs[0]["flights"].equals(runs[1]["flights"])
    for r in runs:
        r["flights"] = r["flights"].num_rows
    out["uncut"], out["cut"] = runs
    out["same_flights"] = same
    out["cpu_ratio"] = round(runs[0]["cpu_s"] / runs[1]["cpu_s"], 2)
    out["rows_rebuilt_ratio"] = round(runs[0]["rows_rebuilt"] / runs[1]["rows_rebuilt"], 2)
    print(json.dumps(out, indent=1))


if __name__ == "__main__":
    main()
