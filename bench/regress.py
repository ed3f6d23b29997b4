"""Regression bench: the readers' rows per CPU-second, ``build_flights`` on quickstart and the
live flights stage on the Beast capture's state vectors (``flights_live_beast``), each as a
*cost relative to a fixed pure-numpy reference loop* timed in the same run, so the machine's
speed and load cancel out. ``bench/regress.json`` holds the figures the test
(``tests/test_bench_regression.py``) holds the code to: it fails when a workload costs more
than 25 % above its stored figure.

``flights_live_beast`` is measured against its own yardstick, one ``build_flights`` of the same
state vectors (``YARDSTICKS``): the live stage's cost over the batch build of its rows, which
the two flights paths' common code cancels out of, and which moves less from box to box than a
cost against the numpy loop (this workload's figure was written on a box whose reference loop
is slower than the one the others' were).

Each figure is the best (lowest) of several repeats, the reference loop timed between the
workload's repeats, so a loaded 2-core box (other jobs stealing the CPU now and then) still
gives steady ratios: a slow-down from load hits single repeats, and the best one survives.

Run: python bench/regress.py            (print the figures and rows per CPU-second)
     python bench/regress.py --write    (measure twice, store the higher cost of each)
     python bench/regress.py --line-by-line   (the text readers without their column-wise path)
     python bench/regress.py --only reader_jsonl_plain --write   (store just those figures)
"""

from __future__ import annotations

import argparse
import gzip
import json
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT.parent / "shared" / "data"
FIGURES = ROOT / "bench" / "regress.json"
BEAST = DATA / "beastblackbox-example/ulss7-beast-bin-utc--1522782148.136310917--.log"
#: How much slower than its stored figure a workload may get before the test fails.
TOLERANCE = 1.25


def reference() -> None:
    """The fixed yardstick: sorting, scanning and arithmetic over 1M floats (~40 ms)."""
    x = np.random.default_rng(0).random(1 << 20)
    for _ in range(2):
        y = np.sort(x)
        z = np.cumsum(y) * 1.5 + 2.0
        float(z.sum() + np.searchsorted(y, x[:4096]).sum())


def _read(path: Path) -> bytes:
    raw = path.read_bytes()
    return gzip.decompress(raw) if path.suffix == ".gz" else raw


def _parse(make: Callable[[], Any], data: bytes) -> Callable[[], int]:
    def run() -> int:
        p = make()
        out = p.feed(data) + p.finish()
        return sum(len(b) for b in out)

    return run


#: Workloads timed against a yardstick of their own instead of ``reference`` (set by
#: ``workloads``).
YARDSTICKS: dict[str, Callable[[], Any]] = {}
#: Copies of the Beast capture (~62 s each) tracked back to back for ``flights_live_beast``.
LIVE_COPIES = 60


def live_states() -> Any:
    """The Beast capture repeated ``LIVE_COPIES`` times, its 12 MHz counter carried on (the
    same 11 aircraft again every ~62 s, as ``bench/serve.py feed`` sends it), tracked: ~31,000
    state vectors over an hour, in time order."""
    import pyarrow as pa

    from skywitness.model import FrameBatch
    from skywitness.sources import open_source
    from skywitness.stats import IngestStats
    from skywitness.track import Tracker
    from skywitness.track.ingest_step import IngestStep

    ticks_per_s = 12_000_000
    parts = open_source(str(BEAST), "beast", IngestStats())
    base = FrameBatch.concat([p for p in parts if isinstance(p, FrameBatch)])
    span = int(base.ticks.max() - base.ticks.min()) + ticks_per_s
    copies = []
    for k in range(LIVE_COPIES):
        f = base.take(np.arange(len(base)))
        f.ticks = base.ticks + np.uint64(k * span)
        copies.append(f)
    whole = FrameBatch.concat(copies)
    whole.timestamp = 1_717_200_000.0 + whole.ticks.astype(np.float64) / ticks_per_s
    stats = IngestStats()
    step = IngestStep(Tracker(stats=stats), stats)
    reads = [whole.take(np.arange(a, min(a + 200_000, len(whole))))
             for a in range(0, len(whole), 200_000)]  # fmt: skip
    tables = [step.step(r).to_arrow() for r in reads] + [step.flush().to_arrow()]
    states = pa.concat_tables(tables)
    ms = np.asarray(states["timestamp"].cast(pa.int64()).to_numpy())
    return states.take(pa.array(np.argsort(ms, kind="stable")))


def _batch_flights(states: Any, runways: Any) -> Callable[[], None]:
    """``flights_live_beast``'s yardstick: one ``build_flights`` of the same state vectors."""
    from skywitness.flights import build_flights

    def run() -> None:
        build_flights(states, runways=runways)

    return run


def _live_flights(states: Any, runways: Any) -> Callable[[], int]:
    """The live flights stage as ``serve``'s flights child runs it (``LIVE_LATE_S``, 60 s
    windows, finished flights handed over): few aircraft, each cut again and again, so the
    fixed cost of a step and of a cut is what it measures (a cut made every step cost the
    child 1.6x: bench/RESULTS.md "## serve", session 19)."""
    if str(ROOT) not in sys.path:
        sys.path.insert(0, str(ROOT))
    from bench.data_windows import window_bounds
    from skywitness.flights.stage import FlightStage
    from skywitness.runtime.flight_steps import LIVE_LATE_S

    bounds = window_bounds(states)

    def run() -> int:
        stage = FlightStage(runways, keep_final=False, late_s=LIVE_LATE_S)
        ended = 0
        for a, n in bounds:
            ended += stage.step(states.slice(a, n)).ended.num_rows
        return ended + stage.flights().num_rows

    return run


def workloads() -> dict[str, tuple[Callable[[], int], str]]:
    """Each workload (returns how many rows it made) and what a row is."""
    from skywitness.flights import build_flights, load_runways
    from skywitness.sources.avr import AvrParser
    from skywitness.sources.beast import BeastParser
    from skywitness.sources.clock import TickClock
    from skywitness.sources.hexlines import HexParser, JsonlParser
    from skywitness.sources.sbs import SbsParser
    from skywitness.stats import IngestStats
    from skywitness.store import load_traffic_json

    jsonl = _read(DATA / "traffic-raw-frames/tutorial.jsonl.gz")
    rows = [json.loads(x) for x in jsonl.splitlines()]
    csv = b"".join(f"{r['timestamp']!r},{r['frame']}\n".encode() for r in rows)
    plain = b"".join(  # the two-key shape of jet1090 / rs1090 frame logs
        (json.dumps({"timestamp": r["timestamp"], "frame": r["frame"]}) + "\n").encode()
        for r in rows
    )
    dump = _read(DATA / "beastblackbox-example/beast_decoded_dump1090.txt.gz").splitlines()
    avr = b"".join(ln + b"\n" for ln in dump if ln.startswith(b"*") and ln.endswith(b";")) * 20
    sbs_lines = _read(DATA / "beastblackbox-example/beast_decoded_sbs.txt.gz").splitlines()
    sbs = b"".join(ln + b"\n" for ln in sbs_lines if ln.startswith(b"MSG")) * 20
    beast_data = BEAST.read_bytes() * 20
    quick = load_traffic_json(DATA / "traffic-trajectories/collections/quickstart.json.gz")
    runways = load_runways(DATA / "ourairports/runways.csv.gz")
    build_flights(quick.slice(0, 100), runways=runways)  # load the airport index once

    def flights() -> int:
        return int(build_flights(quick, runways=runways).num_rows)

    live = live_states()
    YARDSTICKS["flights_live_beast"] = _batch_flights(live, runways)
    return {
        "reader_hex_csv": (_parse(lambda: HexParser(IngestStats(), "b"), csv), "frames"),
        "reader_jsonl": (_parse(lambda: JsonlParser(IngestStats(), "b"), jsonl), "frames"),
        "reader_jsonl_plain": (_parse(lambda: JsonlParser(IngestStats(), "b"), plain), "frames"),
        "reader_avr": (
            _parse(lambda: AvrParser(IngestStats(), "b", TickClock(0.0)), avr),
            "frames",
        ),
        "reader_sbs": (_parse(lambda: SbsParser(IngestStats(), "b"), sbs), "rows"),
        "reader_beast": (
            _parse(lambda: BeastParser(IngestStats(), "b", TickClock(0.0)), beast_data),
            "frames",
        ),
        "flights_quickstart": (flights, "flights"),
        "flights_live_beast": (_live_flights(live, runways), "flights"),
    }


def _cpu(fn: Callable[[], Any]) -> tuple[float, Any]:
    t = time.process_time()
    out = fn()
    return time.process_time() - t, out


def measure(repeat: int = 5, only: set[str] | None = None) -> dict[str, dict[str, float]]:
    """{workload: {cost (workload CPU / reference CPU), rows, rows_per_cpu_s}}, best of
    ``repeat`` each, the reference re-timed beside every repeat (``only``: these workloads)."""
    reference()
    out: dict[str, dict[str, float]] = {}
    for name, (fn, _unit) in workloads().items():
        if only is not None and name not in only:
            continue
        fn()  # warm: first-call imports and caches are not what is measured
        yardstick = YARDSTICKS.get(name, reference)
        best_ratio, best_s, rows = float("inf"), float("inf"), 0
        for _ in range(repeat):
            ref_s, _ = _cpu(yardstick)
            s, rows = _cpu(fn)
            ref2_s, _ = _cpu(yardstick)
            best_ratio = min(best_ratio, s / max(min(ref_s, ref2_s), 1e-6))
            best_s = min(best_s, s)
        out[name] = {
            "cost": round(best_ratio, 3),
            "rows": rows,
            "rows_per_cpu_s": round(rows / max(best_s, 1e-9)),
        }
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("--write", action="store_true", help="store the figures in bench/regress.json")
    ap.add_argument("--repeat", type=int, default=5)
    ap.add_argument(
        "--line-by-line",
        action="store_true",
        help="readers without their column-wise path (as before it), for comparison",
    )
    ap.add_argument(
        "--only",
        default=None,
        help="comma-separated workloads; with --write only their figures are replaced",
    )
    args = ap.parse_args()
    only = set(args.only.split(",")) if args.only else None
    if args.line_by_line:
        from skywitness.sources import avr, hexlines, sbs

        for cls in (hexlines.HexParser, hexlines.JsonlParser, avr.AvrParser, sbs.SbsParser):
            cls.parse_block = lambda self, *a: None  # type: ignore[method-assign]
    got = measure(args.repeat, only)
    stored = json.loads(FIGURES.read_text()) if FIGURES.exists() else {}
    print(f"{'workload':20} {'cost':>7} {'stored':>7} {'rows':>9} {'rows/CPU-s':>12}")
    for name, g in got.items():
        s = stored.get(name, {}).get("cost", float("nan"))
        print(f"{name:20} {g['cost']:>7.3f} {s:>7.3f} {g['rows']:>9,} {g['rows_per_cpu_s']:>12,}")
    print(
        "cost = workload CPU s / reference loop CPU s (flights_live_beast: / one batch build of "
        "its rows; best of the repeats; lower is faster)"
    )
    if args.write:
        # the higher of this run and a second one: run-to-run noise is not a regression
        again = measure(args.repeat, only)
        for name, g in again.items():
            if g["cost"] > got[name]["cost"]:
                got[name] = g
        figures = {**stored, **got} if only else got
        FIGURES.write_text(json.dumps(figures, indent=1, sort_keys=True) + "\n")
        print(f"written to {FIGURES}")


if __name__ == "__main__":
    main()
