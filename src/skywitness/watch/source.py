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
``state_events.state_events``'s; this module adds flights, losses and the window clock.
"""

from __future__ import annotations

import math
from collections.abc import Iterator, Sequence
from typing import Any

import numpy as np
import numpy.typing as npt
import pyarrow as pa
import pyarrow.compute as pc

from ..flights import AirportIndex, airport_inference
from ..flights.rowarrays import canonical_states
from ..flights.stage import FlightStage
from .events import WatchEvents, WatchKind
from .flight_events import flight_wants
from .geo import Geofence
from .state_events import AircraftState, state_events

STEP_S = 60.0  # window length, s of data time
LATENESS_S = 120.0  # a window is processed when data this far past its end has been seen
SETTLE_S = 300.0  # a takeoff/landing is reported once this much data time has passed after it
LOST_S = 300.0  # an aircraft is lost after this long without a state vector
HISTORY_S = 1800.0  # recent state vectors kept for the positions behind an alert, s
FORGET_S = 86_400.0  # per-aircraft state kept this long after the aircraft was lost, s
_SORT = [("icao24", "ascending"), ("timestamp", "ascending"), ("latitude", "ascending")]
_HIST_COLS = ("icao24", "latitude", "longitude", "altitude", "source", "position_source")


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
        self._buffer: list[pa.Table] = []
        self._next: float | None = None  # end of the next window to process, unix s
        self._max_t = -math.inf
        self._aircraft: dict[str, AircraftState] = {}
        self._flights: dict[str, dict[str, Any]] = {}  # flight id -> row, not yet resolved
        self._emitted: set[tuple[str, int]] = set()
        self._spans: dict[str, dict[str, float]] = {}  # icao24 -> flight id -> firstSeen
        self._history: pa.Table | None = None
        # icao24 -> (first, end) rows of ``_history``, and its timestamps in ms
        self._hist_index: tuple[dict[str, tuple[int, int]], npt.NDArray[np.int64]] | None = None

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
        self._buffer.append(rows)
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
        while self._next is not None and self._buffer:
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
        due = [pc.min(t["timestamp"].cast(pa.int64())).as_py() / 1000.0 for t in self._buffer]
        for fid, r in self._flights.items():
            wants, closed_at = flight_wants(r, self.settle_s, self.lost_s)
            due.append(closed_at)
            due += [w.due for w in wants if (fid, int(w.kind)) not in self._emitted]
        for ac in self._aircraft.values():
            due.append(ac.last_t + (FORGET_S if ac.lost else self.lost_s))
        if not due:
            return self._next
        # a window ending at or after a deadline reaches it (one early at worst: harmless)
        at = float(math.ceil(min(due) / self.step_s) * self.step_s)
        return max(self._next, at)

    # -- one window ------------------------------------------------------------------------
    def _take(self, end: float) -> pa.Table | None:
        if not self._buffer:
            return None
        allrows = pa.concat_tables(self._buffer)
        ms = allrows["timestamp"].cast(pa.int64())
        cut = pc.less(ms, round(end * 1000))
        now, later = allrows.filter(cut), allrows.filter(pc.invert(cut))
        self._buffer = [later] if later.num_rows else []
        return now.sort_by(_SORT) if now.num_rows else None

    def _window(self, end: float, *, final: bool) -> WatchEvents:
        rows = self._take(end)
        parts: list[WatchEvents] = []
        self.windows_run += 1
        if rows is not None:
            self._remember(rows, end)
            if self.stage is not None:
                step = self.stage.step(rows)
                self._update_flights(step.changed, step.removed)
            parts.append(state_events(rows, self._aircraft, self.fences, self.flight_at))
        parts.append(self._flight_events(end, final))
        parts.append(self._lost_events(end, final))
        return WatchEvents.concat(parts).sorted()

    def _remember(self, rows: pa.Table, end: float) -> None:
        hist = rows.select(["timestamp", *_HIST_COLS])
        self._history = hist if self._history is None else pa.concat_tables([self._history, hist])
        lo = round((end - HISTORY_S) * 1000)
        keep = pc.greater_equal(self._history["timestamp"].cast(pa.int64()), lo)
        # by aircraft then time, indexed on first use: ``positions`` is asked for every flight
        # event, and a filter over the whole history per call cost seconds per window
        self._history = self._history.filter(keep).sort_by(_SORT).combine_chunks()
        self._hist_index = None

    def _update_flights(self, changed: pa.Table, removed: list[str]) -> None:
        for fid in removed:
            self._flights.pop(fid, None)
            self._spans.get(fid.split("-")[0], {}).pop(fid, None)
        for r in changed.to_pylist():
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
            for w in wants:
                if (fid, int(w.kind)) in self._emitted or not (final or end >= w.due):
                    continue
                self._emitted.add((fid, int(w.kind)))
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

    def _lost_events(self, end: float, final: bool) -> WatchEvents:
        rows = []
        for key in [k for k, a in self._aircraft.items() if a.lost and a.last_t < end - FORGET_S]:
            del self._aircraft[key]  # long gone: its next state vector makes it new (seen)
            self._spans.pop(key, None)
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
        return WatchEvents.from_rows(rows)

    def _history_index(
        self, h: pa.Table
    ) -> tuple[dict[str, tuple[int, int]], npt.NDArray[np.int64]]:
        if self._hist_index is None:
            icao = h["icao24"].to_numpy(zero_copy_only=False)
            starts = np.flatnonzero(np.r_[True, icao[1:] != icao[:-1]]) if len(icao) else icao
            ends = np.r_[starts[1:], len(icao)].astype(np.int64)
            spans = {
                str(icao[a]): (int(a), int(b))
                for a, b in zip(starts.tolist(), ends.tolist(), strict=True)
            }
            ms = np.asarray(h["timestamp"].cast(pa.int64()).to_numpy(), dtype=np.int64)
            self._hist_index = (spans, ms)
        return self._hist_index

    def positions(
        self, icao24: str, t: float, *, before: int = 3, after: int = 2
    ) -> list[dict[str, Any]]:
        """Up to ``before`` state vectors at or before ``t`` and ``after`` after it (recent ones
        only: the last HISTORY_S seconds of data time)."""
        h = self._history
        if h is None:
            return []
        spans, ms = self._history_index(h)
        first, end = spans.get(icao24, (0, 0))
        if first == end:
            return []
        k = int(np.searchsorted(ms[first:end], round(t * 1000), side="right"))
        lo = max(k - before, 0)
        rows: list[dict[str, Any]] = h.slice(
            first + lo, min(min(k, before) + after, end - first - lo)
        ).to_pylist()
        for r in rows:
            r["timestamp"] = r["timestamp"].timestamp()
        return rows
