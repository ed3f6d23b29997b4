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
from ..identify.identity import Identity, identify
from ..simulate import Scenario, load_builtin, simulate
from ..stats import IngestStats
from ..track import Tracker
from .places import AirportPlaces

#: Classifications that count as "state aircraft" for the demo's question.
STATE_CLASSES = ("military", "government")


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


def run_demo(scenario: Scenario | None = None) -> DemoAnswer:
    """Run the scenario end to end and answer its question (pure computation, no I/O)."""
    scenario = scenario or load_builtin("caracas")
    stats = IngestStats()
    tracker = Tracker(rate_s=1.0, stats=stats, places=AirportPlaces())
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
    final = tracker.flush()
    if len(final):
        tables.append(final.to_arrow())
    states = pa.concat_tables(tables).sort_by([("icao24", "ascending"), ("timestamp", "ascending")])
    flights = build_flights(states, stats=stats)
    answer = DemoAnswer(scenario, n_frames, states.num_rows, flights.num_rows, stats=stats)
    airports = AirportIndex.default()
    for row in flights.to_pylist():
        ident = identify(None, str(row["icao24"]), callsign=row["callsign"] or None)
        if ident.country_iso2 != "RU" or ident.classification not in STATE_CLASSES:
            continue
        dep = airports.lookup(str(row["estDepartureAirport"] or ""))
        arr = airports.lookup(str(row["estArrivalAirport"] or ""))
        if arr is None or arr.country != "VE":
            continue
        answer.matches.append(
            DemoFlight(ident, row, dep.country if dep else "", arr.country if arr else "")
        )
    return answer


def _time(value: object) -> str:
    if isinstance(value, datetime):
        return value.strftime("%Y-%m-%d %H:%M:%SZ")
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
