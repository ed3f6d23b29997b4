"""Clock synchronisation: pair lines against known clocks, outages, bad and stepping clocks."""

from __future__ import annotations

import dataclasses

import numpy as np

from skywitness.mlat import ClockKind
from skywitness.mlat.pairs import PairFilters

from .netsim import T0, figures, network, run, traffic


def test_pair_filter_recovers_offset_and_drift_and_rejects_outliers() -> None:
    rng = np.random.default_rng(1)
    x = np.sort(rng.uniform(0.0, 60.0, 3000))
    offset, drift = 1234.5, 37e-6  # s, 37 ppm
    m = offset + drift * x + rng.normal(0.0, 60e-9, x.size)
    bad = rng.random(x.size) < 0.02
    m[bad] += rng.choice([-1, 1], bad.sum()) * rng.uniform(5e-6, 1e-3, bad.sum())
    f = PairFilters(2)
    a, b = np.zeros(x.size, np.int64), np.ones(x.size, np.int64)
    acc = rej = 0
    for lo in range(0, x.size, 100):  # batches of ~2 s
        s = slice(lo, lo + 100)
        n_acc, n_rej = f.add(a[s], b[s], x[s], m[s])
        acc, rej = acc + n_acc, rej + n_rej
    pred = float(f.predict(np.array([1]), np.array([60.0]))[0])
    print(
        f"\n[mlat sync] pair line: offset error {abs(pred - (offset + drift * 60)) * 1e9:.1f} ns, "
        f"drift error {abs(f.state.b[1] - drift) * 1e9:.2f} ppb, "
        f"rejected {rej} of {bad.sum()} outliers"
    )
    assert abs(pred - (offset + drift * 60.0)) < 20e-9
    assert abs(f.state.b[1] - drift) < 2e-9
    assert f.in_sync()[1]
    assert rej >= 0.9 * bad.sum() and rej <= bad.sum() + 5


def test_outage_bad_receiver_and_clock_step() -> None:
    """rx2 is off for 40 s, rx3 has 5 us jitter (never in sync, never used), rx4's counter jumps
    by 0.25 s (a restart) at +60 s and is resynchronised."""
    dur = 120.0
    acs, only = traffic(24, 6, dur)
    rxs = list(network(ClockKind.COUNTER_12MHZ))
    rxs[1] = dataclasses.replace(rxs[1], outages=((T0 + 30.0, T0 + 70.0),))
    rxs[2] = dataclasses.replace(rxs[2], clock=dataclasses.replace(rxs[2].clock, jitter_s=5e-6))
    rxs[3] = dataclasses.replace(
        rxs[3], clock=dataclasses.replace(rxs[3].clock, steps=((T0 + 60.0, 0.25),))
    )
    r = run(tuple(rxs), acs, only, dur)
    f = figures("outage + noisy receiver + clock step", r)
    stats = {s["receiver"]: s for s in r.feed.engine.clock_stats()}
    print(
        "[mlat sync] "
        + "; ".join(
            f"{k}: synced={v['synced']} drift={v['drift_ppm']} ppm resid={v['residual_ns']} ns "
            f"pairs={v['pairs_in_sync']}"
            for k, v in stats.items()
        )
    )
    assert not stats["rx3"]["synced"] and stats["rx3"]["pairs_in_sync"] == 0
    assert stats["rx2"]["synced"] and stats["rx4"]["synced"]
    assert r.feed.engine.filters.state.resets.sum() >= 1
    assert f["median_m"] <= 250.0
    assert f["within_stated_95"] >= 0.90


def test_receivers_in_a_line_through_the_whole_path() -> None:
    """Six receivers on a 300 km east-west line (12 MHz clocks synced via ADS-B): a Mode S-only
    aircraft north of the line has a mirror image south of it that fits the times as well, so
    fixes are refused as ambiguous; any fix given holds the truth inside its stated radius."""
    from skywitness.simulate.mlat_networks import line_network

    dur = 90.0
    acs, only = traffic(20, 4, dur, seed=21)
    r = run(line_network(10.5, -66.9, 300.0, 6, ClockKind.COUNTER_12MHZ), acs, only, dur)
    c = r.feed.engine.counters
    given = len(r.fixes)
    print(
        f"\n[mlat degenerate] line network end to end: {given} fixes given, "
        f"{c['fix_refused_ambiguous']} refused as ambiguous"
    )
    assert c["fix_refused_ambiguous"] > 5 * max(given, 1)
    ok = (r.error_m <= r.fixes.error_m) | (r.fixes.error_m >= 1000.0)
    assert ok.all()
