"""The Caracas scenario's multilateration option: six receivers around Caracas, the state
aircraft sending no ADS-B near Maiquetia, placed there by multilateration alone."""

from __future__ import annotations

import numpy as np

from skywitness.mlat import MlatFeed
from skywitness.model import FrameBatch
from skywitness.simulate import load_builtin
from skywitness.simulate.mlat_networks import CARACAS_SILENT_NM, caracas_network
from skywitness.simulate.multirx import capture
from skywitness.sources.beast import signal_dbfs
from skywitness.stats import IngestStats
from skywitness.track import Tracker

from .netsim import Run, concat_fixes, figures, truth_error


def test_state_aircraft_placed_by_mlat_near_caracas() -> None:
    scenario = load_builtin("caracas")
    receivers, only = caracas_network(scenario)
    assert {f"{a:06x}" for a in only.icao24} == {"1551e0", "154073"}
    assert only.radius_nm == CARACAS_SILENT_NM
    spec = next(a for a in scenario.aircraft if a.icao24 == 0x154073)
    landing = spec.plan.legs[-1].landing
    t0, t1 = landing - 900.0, landing - 60.0
    cap = capture(scenario.aircraft, receivers, t0, t1, seed=scenario.seed, mode_s_only=only)
    # no ADS-B (DF17) from the state aircraft near Caracas
    for h in cap.heard:
        mine = h.icao24 == 0x154073
        assert mine.any() and not ((h.data[mine, 0] >> 3) == 17).any()
    stats = IngestStats()
    feed = MlatFeed(tuple(r.site for r in receivers), Tracker(stats=stats), stats)
    feed.keep_fixes = True
    parts = []
    for r, h in zip(receivers, cap.heard, strict=True):
        for a in np.arange(t0, t1, 1.0):
            sel = np.flatnonzero((h.arrival >= a) & (h.arrival < a + 1.0))
            if sel.size:
                fb = FrameBatch(
                    np.round(h.arrival[sel], 3), h.data[sel], h.length[sel],
                    signal_dbfs(h.signal_byte[sel]), h.ticks[sel],
                    np.zeros(sel.size, np.uint64), f"{r.site.name}.beast",
                )  # fmt: skip
                parts.append((a, fb))
    parts.sort(key=lambda x: x[0])
    for _, fb in parts:
        feed.feed(fb)
    feed.finish()
    fx = concat_fixes(feed.fixes)
    assert set(np.unique(fx.icao24).tolist()) == {0x154073}
    f = figures(
        "Caracas option, 154073 on approach",
        Run(feed, fx, truth_error(list(scenario.aircraft), fx), []),
    )
    assert f["fixes"] > 500
    assert f["within_stated_95"] >= 0.90
