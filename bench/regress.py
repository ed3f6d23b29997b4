"""Regression bench: the readers' rows per CPU-second and ``build_flights`` on quickstart, each
as a *cost relative to a fixed pure-numpy reference loop* timed in the same run, so the
machine's speed and load cancel out. ``bench/regress.json`` holds the figures the test
(``tests/test_bench_regression.py``) holds the code to: it fails when a workload costs more
than 25 % above its stored figure.

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
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT.parent / "shared" / "data"
FIGURES = ROOT / "bench" / "regress.json"
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
    beast = DATA / "beastblackbox-example/ulss7-beast-bin-utc--1522782148.136310917--.log"
    beast_data = beast.read_bytes() * 20
    quick = load_traffic_json(DATA / "traffic-trajectories/collections/quickstart.json.gz")
    runways = load_runways(DATA / "ourairports/runways.csv.gz")
    build_flights(quick.slice(0, 100), runways=runways)  # load the airport index once

    def flights() -> int:
        return int(build_flights(quick, runways=runways).num_rows)

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
        best_ratio, best_s, rows = float("inf"), float("inf"), 0
        for _ in range(repeat):
            ref_s, _ = _cpu(reference)
            s, rows = _cpu(fn)
            ref2_s, _ = _cpu(reference)
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
    print("cost = workload CPU s / reference loop CPU s (best of the repeats; lower is faster)")
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
