"""The demo: the built-in Caracas scenario through the whole system, answering its question.

simulate (real Mode S frames, labelled simulated) → decode → track (surface positions
resolved at known airports, no receiver position needed) → flights (airports, Atlantic gap
bridged) → identify (built-in address blocks and state operator designators) → the question
"Russian state aircraft arriving in Venezuela" → an answer with what was observed and what was
estimated.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

import numpy as np
import pyarrow as pa

from ..decode import decode_batch
from ..flights import AirportIndex, build_flights
from ..flights.recall import TableRecall
from ..flights.stage import FlightStage
from ..identify.identity import Identity, identify
from ..simulate import Scenario, load_builtin, simulate
from ..stats import IngestStats
from ..timeutil import short_z
from ..track import Tracker
from ..watch import Alert, Watch, parse_rules
from .places import AirportPlaces

#: The demo's question as a watch rule (the same TOML a user would write; docs/rules.md).
DEMO_RULES = """
[[rule]]
name = "russian-state-aircraft-arriving-in-venezuela"
event = "arrival"
country = "VE"                 # country of the arrival airport
registry_country = "RU"        # state of registry, from the ICAO address block
classification = ["military", "government"]
"""


@dataclass
class DemoFlight:
    """One matching flight, with the identity and airport facts behind the answer."""

    identity: Identity
    flight: dict[str, object]
    departure_country: str
    arrival_country: str


@dataclass
class DemoAnswer:
    scenario: Scenario
    frames: int
    states: int
    flights: int
    matches: list[DemoFlight] = field(default_factory=list)
    stats: IngestStats = field(default_factory=IngestStats)
    alerts: list[Alert] = field(default_factory=list)  # what the watch rule raised
    states_table: pa.Table | None = None


def run_demo(scenario: Scenario | None = None) -> DemoAnswer:
    """Run the scenario end to end and answer its question (pure computation, no I/O)."""
    scenario = scenario or load_builtin("caracas")
    stats = IngestStats()
    tracker = Tracker(rate_s=1.0, stats=stats, places=AirportPlaces())
    # the one flights stage, recalling the Atlantic crossing from the capture held in memory
    recall = TableRecall()
    watch = Watch(parse_rules(DEMO_RULES, path="<demo rules>"), stage=FlightStage(recall=recall))
    tables: list[pa.Table] = []
    n_frames = 0
    for batch in simulate(scenario):
        n_frames += len(batch)
        stats.frames += len(batch)
        msgs = decode_batch(batch)
        stats.accepted += int(np.count_nonzero(msgs.reject == 0))
        states = tracker.update(msgs, batch.source)
        if len(states):
            tables.append(states.to_arrow())
            recall.add(tables[-1])
            watch.feed(tables[-1])
    final = tracker.flush()
    if len(final):
        tables.append(final.to_arrow())
        recall.add(tables[-1])
        watch.feed(tables[-1])
    watch.flush()
    states = pa.concat_tables(tables).sort_by([("icao24", "ascending"), ("timestamp", "ascending")])
    flights = build_flights(states, stats=stats)
    answer = DemoAnswer(scenario, n_frames, states.num_rows, flights.num_rows, stats=stats)
    answer.states_table, answer.alerts = states, list(watch.alerts)
    rows = flights.to_pylist()
    airports = AirportIndex.default()
    seen: set[str] = set()
    for alert in watch.alerts:
        # the stored flight holding the alert (the rule fires as data arrives; the flight is
        # rebuilt whole once the data is in)
        row = next(
            (
                r
                for r in rows
                if r["icao24"] == alert.icao24
                and r["firstSeen"].timestamp() <= alert.timestamp <= r["lastSeen"].timestamp()
            ),
            None,
        )
        if row is None or str(row["flight_id"]) in seen:
            continue
        seen.add(str(row["flight_id"]))
        ident = identify(None, alert.icao24, callsign=alert.callsign or None)
        dep = airports.lookup(str(row["estDepartureAirport"] or ""))
        arr = airports.lookup(str(row["estArrivalAirport"] or ""))
        answer.matches.append(
            DemoFlight(ident, row, dep.country if dep else "", arr.country if arr else "")
        )
    answer.matches.sort(key=lambda m: str(m.flight["icao24"]))
    return answer


def _time(value: object) -> str:
    if isinstance(value, datetime):
        return short_z(value, "date-second")
    return "—"


def _duration(seconds: float) -> str:
    minutes = round(seconds / 60)
    return f"{minutes // 60} h {minutes % 60:02d} min"


def describe(match: DemoFlight) -> str:
    """The answer for one flight in plain language, with observed and estimated kept apart."""
    f, ident = match.flight, match.identity
    who = f"{f['icao24']} ({f['callsign'] or 'no callsign'})"
    reasons = "; ".join(f"{r.detail} [{r.source}]" for r in ident.reasons) or "—"
    dep_how = "observed" if f["departure_observed"] else "estimated"
    arr_how = "observed" if f["arrival_observed"] else "estimated"
    if f["landing_time"] is not None:
        arrival = f"landed {_time(f['landing_time'])}"
    elif f["arrival_window_start"] is not None:
        arrival = (
            f"arrived between {_time(f['arrival_window_start'])} and "
            f"{_time(f['arrival_window_end'])}"
        )
    else:
        arrival = f"last seen {_time(f['lastSeen'])}"
    takeoff = f["takeoff_time"] if f["takeoff_time"] is not None else f["firstSeen"]
    gap = ""
    if int(f["gaps_bridged"] or 0):  # type: ignore[call-overload]
        gap = (
            f"; out of coverage for {_duration(float(f['longest_gap_s']))} "  # type: ignore[arg-type]
            f"({f['gaps_bridged']} gap(s) bridged)"
        )
    return (
        f"{who}: {ident.classification}, address block of {ident.country} "
        f"({ident.operator or 'operator unknown'}) [{reasons}]\n"
        f"    left {f['estDepartureAirport']} at {_time(takeoff)} ({dep_how}), "
        f"{arrival} at {f['estArrivalAirport']} ({arr_how}){gap}"
    )
