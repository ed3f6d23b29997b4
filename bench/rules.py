"""Benchmark: rule evaluation, 1,000 rules against 100,000 events, on one CPU core.

The job: ``RuleEngine.match`` (identity pre-filter per aircraft, then per event kind and rule the
airport / country / geofence / time-window tests on whole arrays) followed by the cooldown gate
for every match — everything between an event batch and the alerts, except building the alert
records. The events are synthetic but shaped like the tracker's: 2,000 aircraft around Paris,
every event kind, airports from the real table. The rules mix identity matchers (icao24 lists,
registry country, classification), airports and countries, circles and polygons, hours and days.

Run: python bench/rules.py [--mix selective|permissive] [--rules 1000] [--events 100000]
"""

from __future__ import annotations

import argparse
import os
import time

import numpy as np

from skywitness.watch import Cooldown, RuleEngine, WatchEvents, WatchKind, parse_rules
from skywitness.watch.events import EMERGENCY_SQUAWKS, WATCH_KINDS

AIRPORTS = ["LFPG", "LFPO", "LFPB", "EGLL", "EDDF", "LEMD", "LIRF", "EHAM", "SVMI", "UUEE"]
COUNTRIES = {"LFPG": "FR", "LFPO": "FR", "LFPB": "FR", "EGLL": "GB", "EDDF": "DE",
             "LEMD": "ES", "LIRF": "IT", "EHAM": "NL", "SVMI": "VE", "UUEE": "RU"}  # fmt: skip
T0 = 1_633_608_000.0


def make_rules(n: int, rng: np.random.Generator, aircraft: list[str], mix: str) -> str:
    """``permissive``: a third of the rules match any aircraft (stress: ~10 matches per event);
    ``selective``: every rule names its aircraft (icao24 lists, rare countries of registry,
    military/government) as watch rules do (a few matches per hundred events)."""
    out = []
    kinds = [k.label for k in WATCH_KINDS]  # what a rule may name
    for i in range(n):
        kind = kinds[i % len(kinds)]
        lines = ["[[rule]]", f'name = "r{i}"', f'event = "{kind}"']
        if kind in ("takeoff", "landing", "departure", "arrival"):
            if i % 2:
                lines.append(f'airport = "{AIRPORTS[i % len(AIRPORTS)]}"')
            else:
                lines.append(f'country = "{COUNTRIES[AIRPORTS[i % len(AIRPORTS)]]}"')
        if kind in ("enter", "leave", "lost") or i % 7 == 0:
            la, lo = 48.5 + rng.random(), 1.8 + rng.random()
            if i % 3:
                lines.append(
                    f"area = {{ circle = {{ lat = {la:.4f}, lon = {lo:.4f}, radius_nm = 8 }} }}"
                )
            else:
                ring = [[lo, la], [lo + 0.3, la], [lo + 0.3, la + 0.2], [lo, la + 0.2]]
                lines.append(f"area = {{ polygon = {ring} }}")
        which = i % 5 if mix == "permissive" else i % 3
        if which == 0:
            picks = rng.choice(aircraft, size=20, replace=False)
            lines.append("icao24 = [" + ", ".join(f'"{a}"' for a in picks) + "]")
        elif which == 1:
            countries = '["FR", "DE"]' if mix == "permissive" else '["RU", "BY", "VE", "IR"]'
            lines.append(f"registry_country = {countries}")
        elif which == 2:
            lines.append('classification = ["military", "government"]')
        if i % 4 == 0:
            lines.append('hours = ["06:00-22:00"]')
        if i % 6 == 0:
            lines.append('days = ["mon", "tue", "wed", "thu", "fri"]')
        if i % 10 == 3:
            lines.append('cooldown = "10m"')
        out.append("\n".join(lines))
    return "\n\n".join(out)


def make_events(n: int, rng: np.random.Generator, aircraft: list[str], fences: int) -> WatchEvents:
    ev = WatchEvents.empty(n)
    ev.kind[:] = rng.choice(np.array([int(k) for k in WATCH_KINDS]), n)
    ev.timestamp[:] = np.sort(T0 + rng.random(n) * 86_400)
    ev.icao24[:] = np.array(aircraft, dtype=object)[rng.integers(0, len(aircraft), n)]
    ev.callsign[:] = ""
    ev.flight_id[:] = np.char.add(ev.icao24.astype(str), "-f").astype(object)
    ev.latitude[:] = 48.5 + rng.random(n) * 1.2
    ev.longitude[:] = 1.8 + rng.random(n) * 1.2
    apt = np.array(AIRPORTS, dtype=object)[rng.integers(0, len(AIRPORTS), n)]
    flight = np.isin(
        ev.kind, [WatchKind.TAKEOFF, WatchKind.LANDING, WatchKind.DEPARTURE, WatchKind.ARRIVAL]
    )
    ev.airport[flight] = apt[flight]
    ev.country[flight] = np.array([COUNTRIES[a] for a in apt[flight]], dtype=object)
    fence = np.isin(ev.kind, [WatchKind.ENTER, WatchKind.LEAVE])
    ev.fence[fence] = rng.integers(0, fences, int(fence.sum()))
    ev.squawk[ev.kind == WatchKind.EMERGENCY] = next(iter(EMERGENCY_SQUAWKS))
    return ev


def run(engine: RuleEngine, ev: WatchEvents) -> int:
    rows, rules = engine.match(ev)
    return int(Cooldown().gate(engine.ruleset.rules, ev, rows, rules).sum())


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--rules", type=int, default=1_000)
    ap.add_argument("--events", type=int, default=100_000)
    ap.add_argument("--aircraft", type=int, default=2_000)
    ap.add_argument("--repeat", type=int, default=5)
    ap.add_argument("--mix", choices=("selective", "permissive"), default="selective")
    a = ap.parse_args()
    if hasattr(os, "sched_setaffinity"):
        os.sched_setaffinity(0, {min(os.sched_getaffinity(0))})
    rng = np.random.default_rng(7)
    aircraft = [f"{x:06x}" for x in rng.choice(0xFFFFFF, a.aircraft, replace=False)]
    ruleset = parse_rules(make_rules(a.rules, rng, aircraft, a.mix))
    events = make_events(a.events, rng, aircraft, len(ruleset.fences))
    engine = RuleEngine(ruleset)
    t = time.perf_counter()
    fired = run(engine, events)  # cold: identities of every aircraft looked up once
    cold = time.perf_counter() - t
    best = min(_timed(engine, events) for _ in range(a.repeat))
    print(f"mix {a.mix}  rules {len(ruleset.rules):,}  events {len(events):,}  "
          f"aircraft {a.aircraft:,}  fences {len(ruleset.fences):,}  alerts {fired:,}")  # fmt: skip
    print(f"cold (identity lookups included): {cold:.3f} s = {len(events) / cold:,.0f} events/s")
    print(f"warm (best of {a.repeat}): {best:.3f} s = {len(events) / best:,.0f} events/s")
    print(
        "target: 100,000 events/s with 1,000 rules on one core:",
        "met" if best <= len(events) / 100_000 else "NOT met",
    )


def _timed(engine: RuleEngine, ev: WatchEvents) -> float:
    t = time.perf_counter()
    run(engine, ev)
    return time.perf_counter() - t


if __name__ == "__main__":
    main()
