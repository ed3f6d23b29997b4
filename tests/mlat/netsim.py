"""A simulated MLAT network run end to end, shared by the acceptance tests (seeded)."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pyarrow as pa

from skywitness.mlat import ClockKind, MlatFeed
from skywitness.mlat.engine import MlatFixes
from skywitness.mlat.geodesy import horizontal_error_m
from skywitness.model import FrameBatch
from skywitness.simulate.flightpath import evaluate
from skywitness.simulate.mlat_networks import ring_network
from skywitness.simulate.multirx import (
    Capture,
    ModeSOnly,
    SimReceiver,
    capture,
    cruise,
)
from skywitness.simulate.scenario import AircraftSpec
from skywitness.sources.beast import signal_dbfs
from skywitness.stats import IngestStats
from skywitness.track import Tracker

T0 = 1_600_000_000.0
CENTRE = (10.5, -66.9)


@dataclass
class Run:
    feed: MlatFeed
    fixes: MlatFixes
    error_m: np.ndarray  # true horizontal error of each fix
    tables: list[pa.Table]


def traffic(
    n: int, n_modes: int, duration_s: float, *, seed: int = 5, spread_deg: float = 1.2
) -> tuple[list[AircraftSpec], ModeSOnly]:
    rng = np.random.default_rng(seed)
    acs = []
    for i in range(n):
        lat = CENTRE[0] + rng.uniform(-spread_deg, spread_deg)
        lon = CENTRE[1] + rng.uniform(-spread_deg, spread_deg)
        acs.append(
            cruise(
                0x0D0000 + i,
                f"T{i}",
                lat,
                lon,
                rng.uniform(0, 360),
                rng.uniform(250, 480),
                rng.uniform(8000, 38000),
                T0,
                duration_s,
            )
        )
    return acs, ModeSOnly(frozenset(a.icao24 for a in acs[:n_modes]))


def batches(cap: Capture, step_s: float = 1.0) -> list[FrameBatch]:
    """Per-receiver batches (named like one Beast file per receiver), interleaved in time."""
    out = []
    for r, h in zip(cap.receivers, cap.heard, strict=True):
        for s in np.arange(T0, h.arrival.max() + step_s, step_s) if len(h.arrival) else []:
            sel = np.flatnonzero((h.arrival >= s) & (h.arrival < s + step_s))
            if sel.size:
                fb = FrameBatch(
                    timestamp=np.round(h.arrival[sel], 3),
                    data=h.data[sel],
                    length=h.length[sel],
                    signal=signal_dbfs(h.signal_byte[sel]),
                    ticks=h.ticks[sel],
                    receiver=np.zeros(sel.size, np.uint64),
                    source=f"{r.site.name}.beast",
                )
                out.append((s, fb))
    out.sort(key=lambda x: x[0])
    return [fb for _, fb in out]


def run(
    receivers: tuple[SimReceiver, ...],
    acs: list[AircraftSpec],
    only: ModeSOnly,
    duration_s: float,
    *,
    seed: int = 7,
) -> Run:
    cap = capture(acs, receivers, T0, T0 + duration_s, seed=seed, mode_s_only=only)
    stats = IngestStats()
    feed = MlatFeed(tuple(r.site for r in receivers), Tracker(rate_s=1.0, stats=stats), stats)
    feed.keep_fixes = True
    tables = []
    for fb in batches(cap):
        tables.extend(feed.feed(fb))
    tables.extend(feed.finish())
    return Run(feed, concat_fixes(feed.fixes), truth_error(acs, concat_fixes(feed.fixes)), tables)


def concat_fixes(parts: list[MlatFixes]) -> MlatFixes:
    if not parts:
        return MlatFixes.empty()
    return MlatFixes(*(np.concatenate([getattr(p, f) for p in parts]) for f in MlatFixes.__slots__))


def truth_error(acs: list[AircraftSpec], fx: MlatFixes) -> np.ndarray:
    specs = {a.icao24: a for a in acs}
    lat = np.zeros(len(fx))
    lon = np.zeros(len(fx))
    for icao in np.unique(fx.icao24).tolist():
        m = fx.icao24 == icao
        st = evaluate(specs[int(icao)].plan, fx.timestamp[m])
        lat[m], lon[m] = st.lat, st.lon
    return horizontal_error_m(fx.lat, fx.lon, lat, lon)


def network(kind: ClockKind, seed: int = 3) -> tuple[SimReceiver, ...]:
    return ring_network(CENTRE[0], CENTRE[1], 300.0, 6, kind, seed=seed)


def figures(name: str, r: Run) -> dict[str, float]:
    e = r.error_m
    inside = float(np.mean(e <= r.fixes.error_m)) if e.size else float("nan")
    out = {
        "fixes": float(e.size),
        "median_m": float(np.median(e)),
        "p95_m": float(np.percentile(e, 95)),
        "within_stated_95": inside,
        "median_stated_m": float(np.median(r.fixes.error_m)),
    }
    print(f"\n[mlat acceptance] {name}: " + ", ".join(f"{k}={v:.3f}" for k, v in out.items()))
    return out
