"""Ask a ``Question`` of a store: the matching flights, who flew them, and the positions used.

The flights are ``flights.query.select_flights`` of the question's filters (docs/filters.md:
the same answer as ``skywitness flights`` and ``/api/flights``); the investigation-only
constraints (areas flown through, a sequence of places) are then judged on the positions
from the Parquet lake. Filters are AND-ed across kinds and OR-ed within a kind.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from ..flights.query import select_flights
from ..identify.filter import identities
from ..identify.identity import Identity
from ..store import STATE_SCHEMA, FlightFilter, Store
from .places import Outlines, Place, resolve
from .question import Question

#: Added to a flight's lastSeen so the last state vector is inside the half-open window.
_LAST_ROW = timedelta(milliseconds=1)


@dataclass
class Match:
    """One matching flight (a FLIGHT_SCHEMA row as plain values) and its aircraft's identity."""

    flight: dict[str, Any]
    identity: Identity


@dataclass
class Result:
    question: Question
    matches: list[Match] = field(default_factory=list)
    positions: pa.Table = field(default_factory=STATE_SCHEMA.empty_table)
    candidates: int = 0  # flights in the window before the aircraft/place filters
    outlines: Outlines = field(default_factory=Outlines)  # country outlines the answer used


def _in_flight(ts: Any, flight: dict[str, Any]) -> Any:
    lo = np.datetime64(flight["firstSeen"].replace(tzinfo=None), "ms")
    hi = np.datetime64(flight["lastSeen"].replace(tzinfo=None), "ms")
    return (ts >= lo) & (ts <= hi)


def _columns(states: pa.Table) -> tuple[Any, Any, Any, Any]:
    ts = states.column("timestamp").cast(pa.timestamp("ms")).to_numpy()
    lat = states.column("latitude").to_numpy(zero_copy_only=False)
    lon = states.column("longitude").to_numpy(zero_copy_only=False)
    icao = np.asarray(states.column("icao24").to_pylist(), dtype=object)
    return ts, np.asarray(lat, np.float64), np.asarray(lon, np.float64), icao


def sequence_window(
    ts: Any, in_a: Any, in_b: Any, hours: float
) -> tuple[np.datetime64, np.datetime64] | None:
    """The first time in B that follows a time in A by at most ``hours``, with the last
    time in A before it (the tightest pair), or None (pure)."""
    ta, tb = np.sort(ts[in_a]), np.sort(ts[in_b])
    if ta.size == 0 or tb.size == 0:
        return None
    prev = np.searchsorted(ta, tb, side="left") - 1  # last A strictly before each B
    limit = np.timedelta64(int(hours * 3_600_000), "ms")
    good = np.flatnonzero((prev >= 0) & ((tb - ta[np.maximum(prev, 0)]) <= limit))
    if good.size == 0:
        return None
    j = int(good[0])
    return ta[int(prev[j])], tb[j]


def _where_filter(
    q: Question, flights: list[Match], states: pa.Table, outlines: Outlines
) -> list[Match]:
    """Keep flights passing the geofence / sequence constraints, judged on their positions."""
    ts, lat, lon, icao = _columns(states)
    fences = [resolve(g, outlines) for g in q.geofences]
    seq: tuple[Place, Place] | None = None
    if q.sequence is not None:
        seq = (resolve(q.sequence.first, outlines), resolve(q.sequence.then, outlines))
    kept = []
    windows: dict[str, tuple[np.datetime64, np.datetime64] | None] = {}
    for m in flights:
        a = str(m.flight["icao24"])
        mine = icao == a
        if fences:
            sel = mine & _in_flight(ts, m.flight)
            if not any(bool(f.contains(lat[sel], lon[sel]).any()) for f in fences):
                continue
        if seq is not None and q.sequence is not None:
            if a not in windows:
                in_a = mine & seq[0].contains(lat, lon)
                in_b = mine & seq[1].contains(lat, lon)
                windows[a] = sequence_window(ts, in_a, in_b, q.sequence.hours)
            win = windows[a]
            lo = np.datetime64(m.flight["firstSeen"].replace(tzinfo=None), "ms")
            hi = np.datetime64(m.flight["lastSeen"].replace(tzinfo=None), "ms")
            if win is None or hi < win[0] or lo > win[1]:
                continue
        kept.append(m)
    return kept


def _states_for(store: Store, flights: list[dict[str, Any]]) -> pa.Table:
    if not flights:
        return STATE_SCHEMA.empty_table()
    lo: datetime = min(f["firstSeen"] for f in flights)
    hi: datetime = max(f["lastSeen"] for f in flights)
    return store.states(
        icao24=sorted({str(f["icao24"]) for f in flights}), since=lo, until=hi + _LAST_ROW
    )


def positions_of(states: pa.Table, flights: list[dict[str, Any]]) -> pa.Table:
    """The state vectors inside the flights' [firstSeen, lastSeen] (pure)."""
    if states.num_rows == 0 or not flights:
        return STATE_SCHEMA.empty_table()
    ts, _, _, icao = _columns(states)
    keep = np.zeros(states.num_rows, dtype=np.bool_)
    for f in flights:
        keep |= (icao == str(f["icao24"])) & _in_flight(ts, f)
    return states.filter(pa.array(keep))


def ask(store: Store, q: Question, outlines: Outlines | None = None) -> Result:
    """Answer ``q`` from ``store``: matching flights in time order, identities, positions.

    ``outlines``: country outlines, needed when a sequence names a country."""
    outlines = outlines or Outlines()
    con = store.connection
    window = FlightFilter(since=q.since, until=q.until)
    result = Result(q, candidates=store.query_flights(window).num_rows, outlines=outlines)
    table = select_flights(con, q.query)
    known = identities(con, table) if table.num_rows else {}
    matches = [
        Match(r, known[(str(r["icao24"]), str(r.get("callsign") or ""))])
        for r in (table.to_pylist() if table.num_rows else [])
    ]
    if q.geofences and matches:
        states = _states_for(store, [m.flight for m in matches])
        matches = _where_filter(Question(geofences=q.geofences), matches, states, outlines)
    if q.sequence is not None and matches:
        states = _sequence_states(store, q, matches)
        matches = _where_filter(Question(sequence=q.sequence), matches, states, outlines)
    matches.sort(key=lambda m: (m.flight["firstSeen"], m.flight["icao24"]))
    result.matches = matches
    flights = [m.flight for m in matches]
    result.positions = positions_of(_states_for(store, flights), flights)
    return result


def _sequence_states(store: Store, q: Question, matches: list[Match]) -> pa.Table:
    """The candidates' positions over their flights and the sequence's hours around them."""
    assert q.sequence is not None
    pad = timedelta(hours=q.sequence.hours)
    lo = min(m.flight["firstSeen"] for m in matches) - pad
    hi = max(m.flight["lastSeen"] for m in matches) + pad
    icaos = sorted({str(m.flight["icao24"]) for m in matches})
    states = store.states(icao24=icaos, since=lo, until=hi)
    ok = pc.and_(pc.is_valid(states.column("latitude")), pc.is_valid(states.column("longitude")))
    return states.filter(ok)
