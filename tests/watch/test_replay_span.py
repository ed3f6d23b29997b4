"""#11: a replay costs what its data costs, not its calendar span. Two bursts of real traffic
two months apart (43,200 one-minute windows between them) are evaluated in about as many
windows as the two bursts alone, with the same events."""

from __future__ import annotations

import time
from datetime import timedelta

import pyarrow as pa
import pyarrow.compute as pc

from skywitness.watch import Watch, parse_rules

RULES = """
[[rule]]
name = "everything"
event = ["seen", "takeoff", "landing", "departure", "arrival", "lost"]
"""
#: Aircraft of the quickstart sample taken (the first by address): about 10,000 rows.
AIRCRAFT = 25
GAP = timedelta(days=60)


def _run(*parts: pa.Table) -> tuple[list[tuple[str, str, str, float, str]], int, float]:
    watch = Watch(parse_rules(RULES))
    t0 = time.perf_counter()
    for part in parts:
        watch.feed(part)
    watch.flush()
    took = time.perf_counter() - t0
    alerts = sorted(
        (a.event, a.icao24, a.flight_id, round(a.timestamp, 3), a.airport) for a in watch.alerts
    )
    return alerts, watch.source.windows_run, took


def _shift(states: pa.Table, by: timedelta) -> pa.Table:
    ts = pc.add(states["timestamp"], pa.scalar(by, pa.duration("us")))
    return states.set_column(states.schema.get_field_index("timestamp"), "timestamp", ts)


def test_empty_windows_cost_nothing(quickstart_states: pa.Table) -> None:
    icaos = sorted(pc.unique(quickstart_states["icao24"]).to_pylist())[:AIRCRAFT]
    first = quickstart_states.filter(pc.is_in(quickstart_states["icao24"], pa.array(icaos)))
    later = _shift(first, GAP)
    a, wa, _ = _run(first)
    b, wb, _ = _run(later)
    both, w, _ = _run(first, later)
    assert first.num_rows > 5_000 and len(a) == len(b) > 0
    # the same events as the two bursts alone; the later burst's are the first's, shifted
    assert both == sorted(a + b)
    gap_s = GAP.total_seconds()
    assert sorted((e, i, t) for e, i, _, t, _ in b) == sorted(
        (e, i, round(t + gap_s, 3)) for e, i, _, t, _ in a
    )
    # windows: those of the bursts, and in between one at most per deadline (an aircraft
    # forgotten 24 h after it was lost, a flight closed), not the 86,400 of the calendar
    assert wa + wb <= w <= wa + wb + 2 * AIRCRAFT
