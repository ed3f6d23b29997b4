"""The event source: state vectors (+ the flights of the one flights stage) -> watch events.

Live and replay share this code path. Flights come from ``flights.stage.FlightStage``: stepped
here once per data-time window (``watch``, ``watch --replay``, the demo), or, inside ``serve``,
the service's own stage whose changes this source subscribes to (``subscribed=True``,
``on_flights``), so an alert's flight id is one the store and ``/api/flights`` hold.

Data time is cut into fixed windows of ``step_s`` seconds aligned on the epoch; a window is
processed once the newest state seen is ``lateness_s`` past its end, and every decision (flight
update, takeoff/landing settled, aircraft lost) is taken at the window boundary, never at the
arrival time of a chunk. Chunking therefore cannot change the events: the same states in time
order give the same events whether they come from a live tracker in small chunks or from the
store in big slices. Windows in which nothing can happen (no state vector, no takeoff or
landing to settle, no aircraft to lose) are skipped in one jump: a replay costs what its data
costs, not its calendar span. Flight events before the first window (``start_s``: flights of a
warm start, in progress when the input began) are not reported; the run that saw them did.
The events of the state vectors alone (seen, emergency squawk, geofence) are
``state_events.state_events``'s; this module adds flights, losses and the window clock. A lost
aircraft is remembered in columns until it is forgotten (``lost.LostAircraft``).
"""

from __future__ import annotations

import math
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from ..flights import AirportIndex, airport_inference
from ..flights.rowarrays import canonical_states
from ..flights.stage import FlightStage
from .events import WatchEvents, WatchKind
from .flight_events import flight_wants
from .geo import Geofence
from .held import ROW_ORDER, Pending, Spool
from .history import History
from .lost import LostAircraft
from .state_events import AircraftState, state_events

STEP_S = 60.0  # window length, s of data time
LATENESS_S = 120.0  # a window is processed when data this far past its end has been seen
SETTLE_S = 300.0  # a takeoff/landing is reported once this much data time has passed after it
LOST_S = 300.0  # an aircraft is lost after this long without a state vector
HISTORY_S = 1800.0  # recent state vectors kept for the positions behind an alert, s
FORGET_S = 86_400.0  # per-aircraft state kept this long after the aircraft was lost, s
#: The columns kept for the positions behind an alert (the keys of each position, in order).
HISTORY_COLUMNS = (
    "timestamp", "icao24", "latitude", "longitude", "altitude", "source", "position_source"
)  # fmt: skip
#: The columns a window's events and history read (without a flights stage of its own).
EVENT_COLUMNS = (*HISTORY_COLUMNS, "callsign", "squawk")
#: The fields of a flight row its events read (``flight_events``): kept per flight in progress,
#: so not the other twenty (18,000 flights at 100,000 frames/s).
FLIGHT_FIELDS = (
    "flight_id", "icao24", "callsign", "firstSeen", "lastSeen", "takeoff_time", "landing_time",
    "estDepartureAirport", "estArrivalAirport", "departure_observed", "arrival_observed",
)  # fmt: skip


class EventSource:
    """Feeds state vectors, returns events; ``flush`` at the end of the input."""

    def __init__(
        self,
        fences: Sequence[Geofence] = (),
        *,
        stage: FlightStage | None = None,
        subscribed: bool = False,
        airports: AirportIndex | None = None,
        runways: pa.Table | None = None,
        step_s: float = STEP_S,
        lateness_s: float = LATENESS_S,
        settle_s: float = SETTLE_S,
        lost_s: float = LOST_S,
        spool: Path | None = None,
    ) -> None:
        self.fences = list(fences)
        inference = airport_inference(runways, airports)  # airports moved onto their runways
        self.airports = inference.airports
        # the flights: stepped here per window, or (subscribed) pushed by ``on_flights``
        self.stage = None if subscribed else (stage or FlightStage(inference=inference))
        self.start_s: float | None = None  # flight events before this are not reported
        self.windows_run = 0  # windows evaluated (skipped empty ones not counted)
        self.step_s, self.lateness_s = step_s, lateness_s
        self.settle_s, self.lost_s = settle_s, lost_s
        self.late = 0  # states older than an already processed window (live input out of order)
        # rows held between windows: in memory, or in files under ``spool`` (``held``)
        self.spool = Spool(spool)
        self._pending = Pending(step_s, self.spool, EVENT_COLUMNS if self.stage is None else None)
        self._history = History(HISTORY_S, self.spool, HISTORY_COLUMNS)
        self._next: float | None = None  # end of the next window to process, unix s
        self._max_t = -math.inf
        self._aircraft: dict[str, AircraftState] = {}  # heard lately (and lost, not columnar)
        self._lost = LostAircraft()  # lost, until forgotten
        self._flights: dict[str, dict[str, Any]] = {}  # flight id -> row, not yet resolved
        # icao24 -> flight id -> the flight event kinds reported (kept until the aircraft is
        # forgotten: the flights stage may change a closed flight again while it is known)
        self._emitted: dict[str, dict[str, set[int]]] = {}
        self.forgotten: list[str] = []  # aircraft forgotten since ``take_forgotten``
        self._forgot_at = -math.inf  # end of the window that forgot the last of them, unix s
        self._spans: dict[str, dict[str, float]] = {}  # icao24 -> flight id -> firstSeen

    # -- input ---------------------------------------------------------------------------
    def feed(self, states: pa.Table) -> WatchEvents:
        """Buffer ``states``; return the events of every window now complete."""
        return WatchEvents.concat(list(self.windows(states)))

    def flush(self) -> WatchEvents:
        """Process everything buffered, then report every pending flight end and every loss."""
        return WatchEvents.concat(list(self.flush_windows()))

    def windows(self, states: pa.Table) -> Iterator[WatchEvents]:
        """Like ``feed``, one window at a time: ``positions`` holds the history of the window
        just yielded (take the evidence for its events before asking for the next)."""
        rows = canonical_states(states)
        if rows.num_rows == 0:
            return
        t = rows["timestamp"].cast(pa.int64()).to_numpy() / 1000.0
        if self._next is None:
            self._next = (math.floor(float(t.min()) / self.step_s) + 1) * self.step_s
            if self.start_s is None:
                self.start_s = self._next - self.step_s
        else:
            self.late += int(np.count_nonzero(t < self._next - self.step_s))
        self._max_t = max(self._max_t, float(t.max()))
        self._pending.add(rows)
        while self._next is not None and self._max_t >= self._next + self.lateness_s:
            # the first window end that may not be evaluated yet: skipping stops before it
            ready = (math.floor((self._max_t - self.lateness_s) / self.step_s) + 1) * self.step_s
            self._next = min(self._skip(), ready)
            if self._next >= ready:
                return
            end = self._next
            self._next += self.step_s
            yield self._window(end, final=False)

    def flush_windows(self) -> Iterator[WatchEvents]:
        while self._next is not None and self._pending:
            self._next = self._skip()
            end = self._next
            self._next += self.step_s
            yield self._window(end, final=False)
        if self._next is not None:
            yield self._window(self._next, final=True)

    def on_flights(self, changed: pa.Table, removed: list[str]) -> None:
        """Flight changes from the service's flights stage (``subscribed``)."""
        self._update_flights(changed, removed)

    def adopt_flights(self, other: EventSource) -> None:
        """Take over the flights ``other`` knows (a subscribed source replaced by a reload)."""
        self._flights = dict(other._flights)
        self._spans = {k: dict(v) for k, v in other._spans.items()}

    def _skip(self) -> float:
        """The end of the first window from ``_next`` on in which something can happen: one
        that takes buffered rows, or reaches a deadline (a takeoff or landing to settle, a
        flight to close, an aircraft to lose or forget). Windows before it emit nothing."""
        assert self._next is not None
        first = self._pending.min_ms()
        due = [] if first is None else [first / 1000.0]
        for fid, r in self._flights.items():
            wants, closed_at = flight_wants(r, self.settle_s, self.lost_s)
            due.append(closed_at)
            done = self._emitted.get(r["icao24"], {}).get(fid, ())
            due += [w.due for w in wants if int(w.kind) not in done]
        for ac in self._aircraft.values():
            due.append(ac.last_t + (FORGET_S if ac.lost else self.lost_s))
        if (oldest := self._lost.first_t()) is not None:
            due.append(oldest + FORGET_S)
        if not due:
            return self._next
        # a window ending at or after a deadline reaches it (one early at worst: harmless)
        at = float(math.ceil(min(due) / self.step_s) * self.step_s)
        return max(self._next, at)

    # -- one window ------------------------------------------------------------------------
    def _take(self, end: float) -> pa.Table | None:
        now = self._pending.take(round(end * 1000))
        return now.sort_by(ROW_ORDER) if now is not None else None

    def _window(self, end: float, *, final: bool) -> WatchEvents:
        rows = self._take(end)
        parts: list[WatchEvents] = []
        self.windows_run += 1
        if rows is not None:
            self._history.remember(rows, end)
            if self.stage is not None:
                step = self.stage.step(rows)
                self._update_flights(step.changed, step.removed)
            self._back(rows)
            parts.append(state_events(rows, self._aircraft, self.fences, self.flight_at))
        parts.append(self._flight_events(end, final))
        parts.append(self._lost_events(end, final))
        return WatchEvents.concat(parts).sorted()

    def _update_flights(self, changed: pa.Table, removed: list[str]) -> None:
        for fid in removed:
            self._flights.pop(fid, None)
            self._spans.get(fid.split("-")[0], {}).pop(fid, None)
        for r in changed.select(list(FLIGHT_FIELDS)).to_pylist():
            self._flights[r["flight_id"]] = r
            self._spans.setdefault(r["icao24"], {})[r["flight_id"]] = r["firstSeen"].timestamp()

    def flight_at(self, icao24: str, t: float) -> str:
        """Id of the flight of ``icao24`` in progress at ``t`` ("" when none is known)."""
        best, best_first = "", -math.inf
        for fid, first in self._spans.get(icao24, {}).items():
            if best_first < first <= t + 1e-3:
                best, best_first = fid, first
        return best

    def _flight_events(self, end: float, final: bool) -> WatchEvents:
        """Takeoff/landing once settled, departure/arrival airports once known for good."""
        out: list[dict[str, Any]] = []
        done: list[str] = []
        for fid, r in self._flights.items():
            wants, closed_at = flight_wants(r, self.settle_s, self.lost_s)
            closed = final or end >= closed_at
            emitted = self._emitted.get(r["icao24"], {}).get(fid, ())
            for w in wants:
                if int(w.kind) in emitted or not (final or end >= w.due):
                    continue
                self._emitted.setdefault(r["icao24"], {}).setdefault(fid, set()).add(int(w.kind))
                if self.start_s is not None and w.t < self.start_s:
                    continue  # before this run's input (a warm start's flight)
                out.append(
                    {
                        "kind": w.kind,
                        "t": w.t,
                        "fid": fid,
                        "icao24": r["icao24"],
                        "airport": w.airport,
                        "callsign": r["callsign"] or "",
                    }
                )
            if closed:
                done.append(fid)
        for fid in done:
            del self._flights[fid]
        events = WatchEvents.empty(len(out))
        for n, ev in enumerate(out):
            events.kind[n] = ev["kind"]
            events.timestamp[n] = ev["t"]
            events.icao24[n] = ev["icao24"]
            events.flight_id[n] = ev["fid"]
            events.callsign[n] = ev["callsign"]
            events.airport[n] = ev["airport"]
            apt = self.airports.lookup(ev["airport"]) if ev["airport"] else None
            events.country[n] = apt.country if apt is not None else ""
            near = self.positions(ev["icao24"], ev["t"], before=1, after=0)
            if near:
                p = near[-1]
                events.latitude[n], events.longitude[n] = p["latitude"], p["longitude"]
                events.altitude[n] = p["altitude"]
        return events

    def _back(self, rows: pa.Table) -> None:
        """The lost aircraft of ``rows`` back in the dict, as they left (seen again)."""
        if len(self._lost):
            keys = pc.unique(rows["icao24"]).to_pylist()
            self._aircraft.update(self._lost.take([k for k in keys if k not in self._aircraft]))

    def _lost_events(self, end: float, final: bool) -> WatchEvents:
        rows = []
        gone = [k for k, a in self._aircraft.items() if a.lost and a.last_t < end - FORGET_S]
        for key in gone:
            del self._aircraft[key]
        # long gone: its next state vector makes it new (seen)
        for key in [*gone, *self._lost.forget(end - FORGET_S)]:
            self._spans.pop(key, None)
            self._emitted.pop(key, None)
            self.forgotten.append(key)
            self._forgot_at = end
        lost = []
        for key, ac in self._aircraft.items():
            if not ac.lost and (final or end - ac.last_t > self.lost_s):
                ac.lost = True
                rows.append(
                    {
                        "kind": WatchKind.LOST,
                        "timestamp": ac.last_t,
                        "icao24": key,
                        "callsign": ac.callsign,
                        "latitude": ac.lat,
                        "longitude": ac.lon,
                        "altitude": ac.alt,
                        "squawk": ac.squawk,
                        "flight_id": self.flight_at(key, ac.last_t),
                    }
                )
                lost.append(key)
        stay = set(self._lost.add(lost, [self._aircraft[k] for k in lost]))
        for i, key in enumerate(lost):
            if i not in stay:
                del self._aircraft[key]  # in the columns now
        return WatchEvents.from_rows(rows)

    def remembered(self) -> int:
        """Aircraft remembered: heard lately, or lost and not yet forgotten."""
        return len(self._aircraft) + len(self._lost)

    def kept(self) -> dict[str, int]:
        """What this source remembers between windows, counted (bounded by the aircraft
        heard in the last ``FORGET_S``; a long run's check that nothing else piles up)."""
        return {
            "aircraft": self.remembered(),
            "flights": len(self._flights),
            "spans": sum(len(v) for v in self._spans.values()),
            "emitted": sum(len(k) for v in self._emitted.values() for k in v.values()),
        }

    def take_forgotten(self) -> tuple[list[str], float]:
        """The aircraft forgotten since the last call (the cooldown forgets them too), and
        the data time (unix s) they were forgotten at."""
        out, self.forgotten = self.forgotten, []
        return out, self._forgot_at

    def positions(
        self, icao24: str, t: float, *, before: int = 3, after: int = 2
    ) -> list[dict[str, Any]]:
        """Up to ``before`` state vectors at or before ``t`` and ``after`` after it (recent ones
        only: the last HISTORY_S seconds of data time)."""
        return self._history.positions(icao24, t, before=before, after=after)

    def held_bytes(self) -> int:
        """Bytes of state vectors held in memory (pending windows, history and its index)."""
        return self._pending.nbytes() + self._history.nbytes()

    def close(self) -> None:
        """Remove the spool's files (the rows they held are gone)."""
        self._pending.close()
        self._history.close()
        self.spool.close()
