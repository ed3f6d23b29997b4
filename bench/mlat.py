"""Multilateration benchmark (not a test): solver fixes per second and clock-sync throughput,
pinned to one CPU core (single-threaded numpy).

1. Solver: 20,000 synthetic transmissions of aircraft inside a 6-receiver, ~300 km network
   (50 ns timing noise, Mode S altitude), solved cold (grid-search first guess) and from a
   tracking prediction within 1 km (the usual case: an aircraft already tracked).
2. Clock sync: 50 receivers over ~600 km, 100,000 frames per second of data time (20,000
   transmissions heard by 5 receivers each, a third of them ADS-B positions = sync points),
   through the engine's grouping, pair filters and network solution, 10 windows of 1 s.

Run from the repository root:  python bench/mlat.py
"""

from __future__ import annotations

import os

for _var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ[_var] = "1"

import sys  # noqa: E402
import time  # noqa: E402
from pathlib import Path  # noqa: E402

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))

import numpy as np  # noqa: E402

from skywitness.mlat.engine import Decoded, Engine  # noqa: E402
from skywitness.mlat.geodesy import C_AIR_M_S, llh_to_ecef  # noqa: E402
from skywitness.mlat.receivers import ClockKind, ReceiverSite  # noqa: E402
from skywitness.mlat.solver import solve  # noqa: E402


def _ring(n: int, radius_deg: float) -> np.ndarray:
    ang = np.linspace(0, 2 * np.pi, n, endpoint=False)
    return llh_to_ecef(10.5 + radius_deg * np.sin(ang), -66.9 + radius_deg * np.cos(ang), 300.0)


def bench_solver(n: int = 20_000) -> None:
    rng = np.random.default_rng(1)
    sites = _ring(6, 1.35)
    lat, lon = 10.5 + rng.uniform(-1, 1, n), -66.9 + rng.uniform(-1, 1, n)
    h = rng.uniform(3000, 11000, n)
    p = llh_to_ecef(lat, lon, h)
    t = np.linalg.norm(p[:, None] - sites[None], axis=-1) / C_AIR_M_S + rng.normal(0, 50e-9, (n, 6))
    s = np.broadcast_to(sites, (n, 6, 3)).copy()
    sig, mask = np.full((n, 6), 50e-9), np.ones((n, 6), bool)
    near = p + rng.normal(0, 600.0, (n, 3))
    for name, start in (("cold (grid-search first guess)", None), ("tracked (prediction)", near)):
        best = np.inf
        for _ in range(3):
            t0 = time.process_time()
            fx = solve(s, t, sig, mask, h, start)
            best = min(best, time.process_time() - t0)
        print(f"solver {name}: {n:,} fixes in {best:.3f} s CPU = {n / best:,.0f} fixes/s "
              f"({fx.ok.mean():.1%} given)")  # fmt: skip


def bench_sync(receivers: int = 50, frames_per_s: int = 100_000, seconds: int = 10) -> None:
    rng = np.random.default_rng(2)
    ang = rng.uniform(0, 2 * np.pi, receivers)
    rad = np.sqrt(rng.uniform(0, 1, receivers)) * 2.7
    sites = tuple(
        ReceiverSite.make(f"rx{i}", i + 1, 10.5 + rad[i] * np.sin(ang[i]),
                          -66.9 + rad[i] * np.cos(ang[i]), 200.0, ClockKind.COUNTER_12MHZ)
        for i in range(receivers)
    )  # fmt: skip
    ecef = np.array([x.ecef for x in sites])
    ppm = rng.uniform(-50, 50, receivers)
    start = rng.uniform(0, 1e6, receivers)
    eng = Engine(sites, track=False)
    per_tx = 5
    n_tx = frames_per_s // per_tx
    spent = 0.0
    t_start = 1.6e9
    for sec in range(seconds):
        t_tx = t_start + sec + np.sort(rng.uniform(0, 1, n_tx))
        lat = 10.5 + rng.uniform(-2, 2, n_tx)
        lon = -66.9 + rng.uniform(-2, 2, n_tx)
        alt_ft = rng.uniform(5000, 38000, n_tx)
        pos = llh_to_ecef(lat, lon, alt_ft * 0.3048)
        d = np.linalg.norm(pos[:, None] - ecef[None], axis=-1)
        rx = np.argsort(d, axis=1)[:, :per_tx].ravel()
        tx = np.repeat(np.arange(n_tx), per_tx)
        arrival = t_tx[tx] + d[tx, rx] / C_AIR_M_S
        local = start[rx] + (arrival - t_start) * (1 + ppm[rx] * 1e-6)
        local += rng.normal(0, 60e-9, local.size)
        ticks = np.floor(local * 12e6).astype(np.uint64)
        data = rng.integers(0, 256, (n_tx, 14), dtype=np.uint8)
        sync = rng.random(n_tx) < 1 / 3
        data[:, 0] = np.where(sync, 0x8D, 0x5D)
        data[:, 4] = np.where(sync, 0x58, data[:, 4])
        order = np.argsort(arrival, kind="stable")
        rx, tx, ticks, arrival = rx[order], tx[order], ticks[order], arrival[order]
        dat = data[tx]
        length = np.full(tx.size, 14, dtype=np.uint8)

        def decode(rows: np.ndarray, _times: np.ndarray, tx: np.ndarray = tx,
                   sync: np.ndarray = sync, lat: np.ndarray = lat, lon: np.ndarray = lon,
                   alt_ft: np.ndarray = alt_ft) -> Decoded:  # fmt: skip
            g = tx[rows]
            return Decoded(
                icao24=np.zeros(g.size, dtype=np.uint32),  # no addresses: sync only
                adsb_position=sync[g],
                lat=np.where(sync[g], lat[g], np.nan),
                lon=np.where(sync[g], lon[g], np.nan),
                altitude_ft=alt_ft[g],
            )

        t0 = time.process_time()
        loc, coarse = eng.clocks(rx.astype(np.int64), ticks, arrival)
        eng.process(rx.astype(np.int64), loc, coarse, dat, length, decode)
        spent += time.process_time() - t0
    sol = eng.solution
    print(f"clock sync: {receivers} receivers, {frames_per_s:,} frames/s for {seconds} s of data: "
          f"{spent:.2f} s CPU = {frames_per_s * seconds / spent:,.0f} frames/s "
          f"({spent / seconds:.2f} s per data second); {int(sol.synced.sum())}/{receivers} in "
          f"sync, median residual {np.nanmedian(sol.residual) * 1e9:.1f} ns")  # fmt: skip


def bench_feed(seconds: float = 120.0) -> None:
    """The whole path of ``track --receivers`` after framing: 6 receivers (12 MHz), 24
    aircraft of which 6 Mode S-only, through grouping, decode, tracker, sync and fixes."""
    from skywitness.mlat import MlatFeed
    from skywitness.model import FrameBatch
    from skywitness.simulate.mlat_networks import ring_network
    from skywitness.simulate.multirx import ModeSOnly, capture, cruise
    from skywitness.sources.beast import signal_dbfs
    from skywitness.stats import IngestStats
    from skywitness.track import Tracker

    t0 = 1.6e9
    rng = np.random.default_rng(5)
    rxs = ring_network(10.5, -66.9, 300.0, 6, ClockKind.COUNTER_12MHZ, seed=3)
    acs = [
        cruise(0x0D0000 + i, f"T{i}", 10.5 + rng.uniform(-1.2, 1.2), -66.9 + rng.uniform(-1.2, 1.2),
               rng.uniform(0, 360), rng.uniform(250, 480), rng.uniform(8000, 38000), t0, seconds)
        for i in range(24)
    ]  # fmt: skip
    cap = capture(
        acs, rxs, t0, t0 + seconds, mode_s_only=ModeSOnly(frozenset(range(0x0D0000, 0x0D0006)))
    )
    parts = []
    for r, h in zip(rxs, cap.heard, strict=True):
        for a in np.arange(t0, t0 + seconds, 1.0):
            sel = np.flatnonzero((h.arrival >= a) & (h.arrival < a + 1.0))
            fb = FrameBatch(
                np.round(h.arrival[sel], 3),
                h.data[sel],
                h.length[sel],
                signal_dbfs(h.signal_byte[sel]),
                h.ticks[sel],
                np.zeros(sel.size, np.uint64),
                f"{r.site.name}.beast",
            )
            parts.append((a, fb))
    parts.sort(key=lambda x: x[0])
    n = sum(len(b) for _, b in parts)
    stats = IngestStats()
    feed = MlatFeed(tuple(r.site for r in rxs), Tracker(stats=stats), stats)
    t = time.process_time()
    for _, b in parts:
        feed.feed(b)
    feed.finish()
    spent = time.process_time() - t
    c = feed.engine.counters
    print(f"feed (decode + tracker + sync + fixes): {n:,} frames of 6 receivers in {spent:.2f} s "
          f"CPU = {n / spent:,.0f} frames/s; {c['fixes']:,} fixes = {c['fixes'] / spent:,.0f} "
          f"fixes/s in this path ({seconds:.0f} s of data)")  # fmt: skip


if __name__ == "__main__":
    bench_solver()
    bench_sync()
    bench_feed()
