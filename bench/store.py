"""Store benchmark: ingest speed into the lake, and one aircraft's year in a synthetic year.

    python bench/store.py                      # full run: 100M-row synthetic year (minutes)
    python bench/store.py --year-rows 5000000  # quick run

1. Ingest: synthetic state vectors (time-ordered, as the tracker emits them) through
   ``ingest_tables`` (canonical checks, day split, sort by icao24+time, zstd Parquet, atomic
   rename, catalogue journal), measured in rows per CPU-second of the process, beside the
   plain-pyarrow way of writing the same Hive-partitioned sorted lake (``pq.write_to_dataset``
   after an Arrow sort).
2. Synthetic year: ``--year-rows`` state vectors over 365 days (flights of ~6,000 aircraft
   between real airports), ingested day by day, plus its flights table (the synthetic truth,
   stored with ``replace_flights``). Then the median latency over random aircraft of
   "all flights of one aircraft in the year" (``query_flights``) and, for reference, of the
   year's state vectors of one aircraft (``states``), with the process's peak RSS.
"""

from __future__ import annotations

import argparse
import resource
import shutil
import statistics
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

import airportsdata
import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from skywitness.store import STATE_SCHEMA, FlightFilter, Provenance, Store, ingest_tables
from skywitness.store.schema import conform

YEAR_START_S = int(datetime(2023, 1, 1, tzinfo=UTC).timestamp())
DAY_S = 86_400
POINTS_PER_FLIGHT = 300
POINT_INTERVAL_S = 10
N_AIRCRAFT = 6_000
CHUNK_ROWS = 100_000
TS = STATE_SCHEMA.field("timestamp").type


def _airports(n: int = 300) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    big = [a for a in airportsdata.load("ICAO").values() if a["iata"] and a["elevation"] < 3000]
    rng = np.random.default_rng(1)
    pick = rng.choice(len(big), n, replace=False)
    sel = [big[i] for i in pick]
    return (
        np.array([a["icao"] for a in sel]),
        np.array([a["lat"] for a in sel], dtype=np.float64),
        np.array([a["lon"] for a in sel], dtype=np.float64),
    )


def _const(value: str, n: int) -> pa.DictionaryArray:
    return pa.DictionaryArray.from_arrays(pa.array(np.zeros(n, np.int32)), pa.array([value]))


class Synth:
    """Deterministic synthetic traffic: flights between airports, one point per 10 s."""

    def __init__(self, seed: int = 0, gap_every: int = 0) -> None:
        """``gap_every``: every that many-th flight loses the middle half of its points (an
        ocean crossing out of coverage); 0: none."""
        self.rng = np.random.default_rng(seed)
        self.gap_every = gap_every
        self.codes, self.lat, self.lon = _airports()
        self.icao = np.array([f"{0x300000 + i * 37:06x}" for i in range(N_AIRCRAFT)])
        self.flight_rows: list[pa.Table] = []

    def day(self, day: int, rows: int) -> pa.Table:
        rng = self.rng
        nf = max(1, rows // POINTS_PER_FLIGHT)
        ac = rng.integers(0, N_AIRCRAFT, nf)
        start = YEAR_START_S + day * DAY_S + rng.integers(0, DAY_S - 3600, nf)
        dep = rng.integers(0, len(self.codes), nf)
        arr = rng.integers(0, len(self.codes), nf)
        k = np.tile(np.arange(POINTS_PER_FLIGHT), nf)
        f = np.repeat(np.arange(nf), POINTS_PER_FLIGHT)
        frac = k / (POINTS_PER_FLIGHT - 1)
        ts = (start[f] + k * POINT_INTERVAL_S) * 1000
        order = np.argsort(ts, kind="stable")  # the tracker emits in time order
        f, k, frac, ts = f[order], k[order], frac[order], ts[order]
        lat = self.lat[dep][f] + (self.lat[arr][f] - self.lat[dep][f]) * frac
        lon = self.lon[dep][f] + (self.lon[arr][f] - self.lon[dep][f]) * frac
        climb = np.minimum(np.minimum(k, POINTS_PER_FLIGHT - 1 - k) * 600.0, 36_000.0)
        ground = (k < 5) | (k > POINTS_PER_FLIGHT - 6)
        if self.gap_every:
            heard = ~((f % self.gap_every == 0) & (frac > 0.25) & (frac < 0.75))
            f, k, frac, ts = f[heard], k[heard], frac[heard], ts[heard]
            lat, lon, climb, ground = lat[heard], lon[heard], climb[heard], ground[heard]
        callsigns = np.array([f"SYN{x:04d}" for x in range(10_000)])
        states = pa.table(
            {
                "timestamp": pa.array(ts, pa.int64()).cast(TS),
                "icao24": pa.DictionaryArray.from_arrays(pa.array(ac[f]), pa.array(self.icao)),
                "callsign": pa.DictionaryArray.from_arrays(
                    pa.array(ac[f] % 10_000), pa.array(callsigns)
                ),
                "latitude": lat,
                "longitude": lon,
                "altitude": np.where(ground, np.nan, climb),
                "geoaltitude": pa.nulls(len(ts), pa.float64()),
                "groundspeed": np.where(ground, 15.0, 450.0),
                "track": np.full(len(ts), 90.0),
                "vertical_rate": np.zeros(len(ts)),
                "squawk": _const("1000", len(ts)),
                "onground": ground,
                "source": _const("synthetic", len(ts)),
                "position_source": _const("adsb", len(ts)),
                "position_error": np.full(len(ts), np.nan),
            }
        )
        first = start * 1000
        last = (start + (POINTS_PER_FLIGHT - 1) * POINT_INTERVAL_S) * 1000
        icao = self.icao[ac]
        self.flight_rows.append(
            pa.table(
                {
                    "flight_id": [f"{a}-{s}" for a, s in zip(icao, start, strict=True)],
                    "icao24": icao,
                    "callsign": callsigns[ac % 10_000],
                    "firstSeen": pa.array(first, pa.int64()).cast(TS),
                    "lastSeen": pa.array(last, pa.int64()).cast(TS),
                    "estDepartureAirport": self.codes[dep],
                    "estArrivalAirport": self.codes[arr],
                    "confidence": np.full(nf, 0.9),
                }
            )
        )
        return conform(states)  # columns the schema grew (position_error) all null


def cpu_s() -> float:
    r = resource.getrusage(resource.RUSAGE_SELF)
    return r.ru_utime + r.ru_stime


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def bench_ingest(rows: int, work: Path) -> None:
    synth = Synth(seed=7)
    per_day = rows // 4
    chunks = []
    for d in range(4):
        t = synth.day(d, per_day)
        chunks += [t.slice(i, CHUNK_ROWS) for i in range(0, t.num_rows, CHUNK_ROWS)]
    total = sum(c.num_rows for c in chunks)

    store = Store(work / "ingest")
    t0, c0 = time.perf_counter(), cpu_s()
    rec = ingest_tables(store, chunks, Provenance("synthetic", None, "bench"), flush_rows=1_000_000)
    wall, cpu = time.perf_counter() - t0, cpu_s() - c0
    store.close()
    assert rec.rows_stored == total

    # peer: the plain pyarrow way to write the same sorted, Hive-partitioned zstd lake
    t0, c0 = time.perf_counter(), cpu_s()
    for i in range(0, len(chunks), 10):
        batch = pa.concat_tables(chunks[i : i + 10])
        day = pc.strftime(batch.column("timestamp"), format="%Y-%m-%d")
        batch = batch.append_column("date", day)
        batch = batch.take(
            pc.sort_indices(
                batch,
                sort_keys=[
                    ("date", "ascending"),
                    ("icao24", "ascending"),
                    ("timestamp", "ascending"),
                ],
            )
        )
        pq.write_to_dataset(
            batch,
            work / "peer",
            partition_cols=["date"],
            compression="zstd",
            basename_template=f"part-{i:06d}-{{i}}.parquet",
        )
    p_wall, p_cpu = time.perf_counter() - t0, cpu_s() - c0
    print(f"## ingest of {total:,} state vectors (chunks of {CHUNK_ROWS:,}, flush every 1M rows)")
    print(f"{'':28}{'rows/s wall':>14}{'rows/CPU-s':>14}")
    print(f"{'skywitness ingest_tables':28}{total / wall:>14,.0f}{total / cpu:>14,.0f}")
    print(f"{'pyarrow write_to_dataset':28}{total / p_wall:>14,.0f}{total / p_cpu:>14,.0f}")
    print(
        f"ratio skywitness/pyarrow (per CPU-s): {p_cpu / cpu:.2f}x; "
        f"target 1,000,000 rows/CPU-s: {total / cpu / 1e6:.2f}x of target"
    )


def bench_year(rows: int, queries: int, work: Path) -> None:
    synth = Synth(seed=3)
    per_day = rows // 365
    store = Store(work / "year")
    t0, c0 = time.perf_counter(), cpu_s()
    ingest_id = store.begin_ingest("synthetic-year", None, "bench", None)
    from skywitness.store import Writer

    with Writer(store, ingest_id, flush_rows=2_000_000, flush_seconds=3600) as writer:
        for d in range(365):
            writer.append(synth.day(d, per_day))
    store.finish_ingest(ingest_id, {"read": writer.rows_stored, "accepted": writer.rows_stored})
    flights = pa.concat_tables(synth.flight_rows)
    store.replace_flights(flights, replace_all=True)
    build_wall, build_cpu = time.perf_counter() - t0, cpu_s() - c0
    synth.flight_rows.clear()
    info = store.info()
    print(
        f"\n## synthetic year: {info['rows']:,} state vectors, {info['files']} files, "
        f"{info['lake_bytes'] / 1e9:.2f} GB, {info['aircraft']:,} aircraft, "
        f"{info['flights']:,} flights; generated+stored in {build_wall:.0f} s "
        f"({info['rows'] / build_cpu:,.0f} rows/CPU-s incl. generation)"
    )
    store.close()

    rss_before = peak_rss_mb()
    store = Store(work / "year", read_only=True)
    rng = np.random.default_rng(11)
    year = (datetime(2023, 1, 1, tzinfo=UTC), datetime(2024, 1, 1, tzinfo=UTC))
    picks = rng.choice(synth.icao, queries, replace=False)
    store.query_flights(FlightFilter(icao24=str(picks[0])))  # warm the catalogue
    f_ms, s_ms, n_f, n_s = [], [], [], []
    for icao in picks:
        t0 = time.perf_counter()
        fl = store.query_flights(FlightFilter(icao24=str(icao), since=year[0], until=year[1]))
        f_ms.append((time.perf_counter() - t0) * 1000)
        n_f.append(fl.num_rows)
    for icao in picks[: max(5, queries // 5)]:
        t0 = time.perf_counter()
        st = store.states(icao24=str(icao), since=year[0], until=year[1])
        s_ms.append((time.perf_counter() - t0) * 1000)
        n_s.append(st.num_rows)
    store.close()
    print(f"{'query (one aircraft, the whole year)':44}{'median ms':>10}{'p90 ms':>9}{'rows':>9}")
    print(
        f"{'all flights (query_flights)':44}{statistics.median(f_ms):>10.1f}"
        f"{np.percentile(f_ms, 90):>9.1f}{statistics.median(n_f):>9.0f}"
    )
    print(
        f"{'all state vectors (states)':44}{statistics.median(s_ms):>10.1f}"
        f"{np.percentile(s_ms, 90):>9.1f}{statistics.median(n_s):>9.0f}"
    )
    print(f"target < 100 ms median: {100 / statistics.median(f_ms):.1f}x better than target")
    print(
        f"peak RSS: {peak_rss_mb():,.0f} MB (before queries {rss_before:,.0f} MB; target < 2,048)"
    )


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("--ingest-rows", type=int, default=8_000_000)
    ap.add_argument("--year-rows", type=int, default=100_000_000)
    ap.add_argument("--queries", type=int, default=50)
    ap.add_argument("--work-dir", type=Path, default=None, help="default: a temporary dir")
    args = ap.parse_args()
    work = args.work_dir or Path(tempfile.mkdtemp(prefix="skywitness-bench-"))
    try:
        bench_ingest(args.ingest_rows, work)
        bench_year(args.year_rows, args.queries, work)
    finally:
        if args.work_dir is None:
            shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
