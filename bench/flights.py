"""Benchmark: flight reconstruction by skywitness vs the ``traffic`` library, same state vectors.

Times are CPU seconds of this process (``time.process_time``: steady on a loaded box). The
job on both sides: split every aircraft's state vectors into flights and name the takeoff
and landing airport of each. traffic does it the documented way (``Traffic`` iteration,
``Flight.split("10 min")``, ``infer_airport("takeoff"/"landing")``), given the same airport
table skywitness uses (airportsdata, offline). skywitness does more (ground/air transitions,
runway-aware attribution, gap bridging, confidence, alternatives) and is still timed whole.

Run: python bench/flights.py [--repeat 3]   (needs `pip install traffic "pandas<3"`, bench only)
     python bench/flights.py --no-traffic      (skywitness alone: no traffic needed)
     python bench/flights.py --large 7         (CPU microseconds per state vector of
         ``build_flights`` over 7 copies of quickstart + switzerland, ~3M rows, each copy its
         own aircraft: in time order as a live feed gives them, and in a lake's (aircraft,
         time) order as the store and the globe ingest give them; no traffic run)
     python bench/flights.py --live            (the live flights stage as ``serve``'s flights
         child steps it: ``LIVE_LATE_S``, 60 s data-time windows, finished flights handed over;
         quickstart and switzerland in time order, CPU s of the steps, cuts and quiet cuts,
         the flights it gave against ``build_flights``'; no traffic run)
"""

from __future__ import annotations

import argparse
import gzip
import sys
import time
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from skywitness.flights import build_flights, load_runways
from skywitness.store import load_traffic_json

DATA = Path(__file__).resolve().parents[1].parent / "shared" / "data"
FILES = ("collections/quickstart.json.gz", "collections/switzerland.json.gz")


def _traffic_airports():  # type: ignore[no-untyped-def]
    import pandas as pd
    from traffic.data.basic.airports import Airports

    with gzip.open(DATA / "airportsdata" / "airports.csv.gz", "rt") as f:
        df = pd.read_csv(f, keep_default_na=False, na_values=[""])
    df = df.rename(columns={"lat": "latitude", "lon": "longitude", "elevation": "altitude"})
    df["municipality"] = df["city"]
    df["type"] = "airport"
    return Airports(data=df[["name", "iata", "icao", "latitude", "longitude", "country",
                             "altitude", "type", "municipality"]])  # fmt: skip


def run_traffic(table: pa.Table, airports) -> tuple[float, int]:  # type: ignore[no-untyped-def]
    from traffic.core import Traffic

    df = table.to_pandas()
    t0 = time.process_time()
    n = 0
    for flight in Traffic(df):
        for seg in flight.split("10 min"):
            seg.infer_airport("takeoff", dataset=airports)
            seg.infer_airport("landing", dataset=airports)
            n += 1
    return time.process_time() - t0, n


def run_skywitness(table: pa.Table, runways: pa.Table | None, repeat: int) -> tuple[float, int]:
    build_flights(table.slice(0, 100), runways=runways)  # load the airport table once
    best = float("inf")
    n = 0
    for _ in range(repeat):
        t0 = time.process_time()
        n = build_flights(table, runways=runways).num_rows
        best = min(best, time.process_time() - t0)
    return best, n


def large_input(copies: int) -> pa.Table:
    """``copies`` of quickstart + switzerland, copy k's addresses shifted by k x 0x010101 (its
    own aircraft), all rows in time order."""
    base = pa.concat_tables(load_traffic_json(DATA / "traffic-trajectories" / f) for f in FILES)
    addr = np.array([int(a, 16) for a in base["icao24"].to_pylist()], dtype=np.int64)
    parts = []
    for k in range(copies):
        shifted = [f"{a:06x}" for a in (addr + k * 0x010101) % (1 << 24)]
        parts.append(base.set_column(base.schema.get_field_index("icao24"), "icao24",
                                     pa.array(shifted, pa.string())))  # fmt: skip
    table = pa.concat_tables(parts)
    return table.take(pc.sort_indices(table["timestamp"]))


def run_large(copies: int, runways: pa.Table, repeat: int) -> None:
    """CPU microseconds per state vector of ``build_flights`` (best of ``repeat``)."""
    timed = large_input(copies)
    lake = timed.take(pc.sort_indices(timed, [("icao24", "ascending"), ("timestamp", "ascending")]))
    build_flights(timed.slice(0, 100), runways=runways)  # load the airport table once
    print(f"{'input':28} {'rows':>10} {'flights':>8} {'CPU s':>8} {'us/state vector':>16}")
    for name, table in (
        ("time order (live, ingest)", timed),
        ("lake order (aircraft, time)", lake),
    ):
        best, n = float("inf"), 0
        for _ in range(repeat):
            t0 = time.process_time()
            n = build_flights(table, runways=runways).num_rows
            best = min(best, time.process_time() - t0)
        print(f"{name:28} {table.num_rows:>10} {n:>8} {best:>8.3f} "
              f"{best / table.num_rows * 1e6:>16.3f}")  # fmt: skip


def run_live(runways: pa.Table, repeat: int) -> None:
    """``--live``: each file's state vectors through a live ``FlightStage`` (best of
    ``repeat``)."""
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
    from bench.data_windows import time_order, window_bounds
    from skywitness.flights.stage import FlightStage
    from skywitness.runtime.flight_steps import LIVE_LATE_S

    print(f"{'file':34} {'rows':>8} {'windows':>7} {'CPU s':>7} {'cuts':>5} {'quiet':>5} same")
    for name in FILES:
        table = load_traffic_json(DATA / "traffic-trajectories" / name)
        table = time_order(table)
        bounds = window_bounds(table)
        best, windows = float("inf"), 0
        for _ in range(repeat):
            stage = FlightStage(runways, keep_final=False, late_s=LIVE_LATE_S)
            ended, windows = [], 0
            t0 = time.process_time()
            for a, n in bounds:
                ended.append(stage.step(table.slice(a, n)).ended)
                windows += 1
            best = min(best, time.process_time() - t0)
        order_by = [("icao24", "ascending"), ("firstSeen", "ascending")]
        live = pa.concat_tables([*ended, stage.flights()]).sort_by(order_by)
        same = live.equals(build_flights(table, runways=runways).sort_by(order_by))
        b = stage.builder
        print(f"{name:34} {table.num_rows:>8} {windows:>7} {best:>7.2f} {b.cuts:>5} "
              f"{b.quiet_cuts:>5} {same}")  # fmt: skip


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--no-traffic", action="store_true", help="time skywitness only")
    ap.add_argument("--large", type=int, metavar="COPIES", help="microseconds per state vector")
    ap.add_argument("--live", action="store_true", help="the live flights stage")
    args = ap.parse_args()
    runways = load_runways(DATA / "ourairports" / "runways.csv.gz")
    if args.live:
        run_live(runways, args.repeat)
        return
    if args.large:
        run_large(args.large, runways, args.repeat)
        return
    apts = None if args.no_traffic else _traffic_airports()
    print(f"{'file':34} {'rows':>8} {'skywitness CPU s':>16} {'flights':>7} "
          f"{'traffic CPU s':>13} {'flights':>7} {'ratio':>7}")  # fmt: skip
    for name in FILES:
        table = load_traffic_json(DATA / "traffic-trajectories" / name)
        sw_s, sw_n = run_skywitness(table, runways, args.repeat)
        if apts is None:
            print(f"{name:34} {table.num_rows:>8} {sw_s:>16.3f} {sw_n:>7}")
            continue
        tr_s, tr_n = run_traffic(table, apts)
        print(f"{name:34} {table.num_rows:>8} {sw_s:>16.3f} {sw_n:>7} {tr_s:>13.2f} "
              f"{tr_n:>7} {tr_s / sw_s:>6.0f}x")  # fmt: skip


if __name__ == "__main__":
    main()
