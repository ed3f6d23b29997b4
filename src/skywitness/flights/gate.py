"""Which of the live flight builder's changed flights to pass on (store, stream) now.

Each step the incremental ``FlightBuilder`` returns every flight whose row changed. For an
airborne aircraft that is every step: ``lastSeen`` and ``n_positions`` move with each position.
Storing and streaming all of them each time costs a live service at 20,000 aircraft seconds of
work per step and floods stream clients with messages that say nothing new.

``ChangeGate`` passes a flight on at once when it is new or one of its ``MATERIAL_COLUMNS``
changed (airports, observed flags, takeoff and landing, callsigns, gaps bridged, arrival
window), and holds a progress-only change (``lastSeen``, ``n_positions``, distances,
confidences) back until the flight's progress interval has passed since it was last passed on;
the latest row of a held flight wins. ``flush`` hands over everything held (when the input goes
quiet and at stop), and a flight the stage reports finished passes at once, so the store always
ends up with every flight's last row. The interval of
each flight is spread between 0.5x and 1.5x ``progress_s`` by a hash of its id, so that flights
first seen together (a service's start) are not all passed on again in the same step.
A pure object: the caller supplies the clock.
"""

from __future__ import annotations

import zlib
from collections.abc import Iterable
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc

#: Columns whose change is news: a flight is passed on at once when one of them changes.
MATERIAL_COLUMNS = (
    "callsign",
    "callsigns",
    "takeoff_time",
    "landing_time",
    "estDepartureAirport",
    "estArrivalAirport",
    "departure_observed",
    "arrival_observed",
    "gaps_bridged",
    "arrival_window_start",
    "arrival_window_end",
)
#: Mean interval between two passes of a flight whose changes are progress only, s.
PROGRESS_S = 60.0
#: A flight not passed on for this long is forgotten (it then counts as new if it changes), s.
FORGET_S = 6 * 3600.0


def _spread(flight_id: str) -> float:
    """0.5..1.5, fixed per flight id."""
    return 0.5 + zlib.crc32(flight_id.encode()) / 2**32


def _plain(col: pa.ChunkedArray) -> list[Any]:
    """Python values of a column, timestamps as integers (cheaper than datetimes)."""
    if pa.types.is_timestamp(col.type):
        col = col.cast(pa.int64())
    values: list[Any] = col.to_pylist()
    return values


class ChangeGate:
    """Holds progress-only flight changes back; see the module docstring."""

    def __init__(self, progress_s: float = PROGRESS_S, forget_s: float = FORGET_S) -> None:
        self.progress_s = progress_s
        self.forget_s = forget_s
        self._material: dict[str, tuple[Any, ...]] = {}  # last passed material values by id
        self._due: dict[str, float] = {}  # when a progress-only change may pass, by id
        self._held: pa.Table | None = None  # latest rows held back
        self._pruned_at = float("-inf")

    @property
    def held(self) -> int:
        """Flights with a change held back."""
        return 0 if self._held is None else self._held.num_rows

    def known(self, flight_id: str) -> bool:
        """Whether the flight was passed on before (and not forgotten since)."""
        return flight_id in self._material

    def select(
        self,
        changed: pa.Table,
        removed: Iterable[str],
        now: float,
        finished: Iterable[str] = (),
    ) -> tuple[pa.Table, list[str]]:
        """What to pass on of this step's ``changed`` flights (and those held before), and the
        ``removed`` ids (always passed on); ``now``: the caller's clock, s; ``finished``: flights
        that are final now: their latest row passes at once and the gate forgets them."""
        done = set(finished)
        for fid in done:  # final: nothing to remember (their rows, if any, pass below)
            self._material.pop(fid, None)
            self._due.pop(fid, None)
        gone = list(removed)
        for fid in gone:
            self._material.pop(fid, None)
            self._due.pop(fid, None)
        rows = self._merge(changed, gone)
        if rows.num_rows == 0:
            self._held = None
            return rows, gone
        ids = rows.column("flight_id").to_pylist()
        present = [c for c in MATERIAL_COLUMNS if c in rows.column_names]
        values = list(zip(*(_plain(rows.column(c)) for c in present), strict=True))
        passed = []
        for fid, material in zip(ids, values, strict=True):
            if fid in done:
                passed.append(True)
            elif self._material.get(fid) != material or now >= self._due.get(fid, now):
                self._material[fid] = material
                self._due[fid] = now + self.progress_s * _spread(fid)
                passed.append(True)
            else:
                passed.append(False)
        mask = pa.array(passed, pa.bool_())
        held = rows.filter(pc.invert(mask))
        self._held = held if held.num_rows else None
        self._prune(now)
        return rows.filter(mask), gone

    def flush(self) -> pa.Table | None:
        """Everything held back (None when nothing is); the gate then holds nothing."""
        held, self._held = self._held, None
        return held

    def _merge(self, changed: pa.Table, gone: list[str]) -> pa.Table:
        """Held rows not superseded by ``changed`` or removed, then ``changed``."""
        if self._held is None:
            return changed
        drop = pa.array([*changed.column("flight_id").to_pylist(), *gone], pa.string())
        keep = self._held.filter(pc.invert(pc.is_in(self._held.column("flight_id"), drop)))
        if not keep.num_rows:
            return changed
        if not changed.num_rows:
            return keep
        return pa.concat_tables([keep, changed])

    def _prune(self, now: float) -> None:
        """Forget flights that have not been passed on for ``forget_s`` (checked once a
        ``progress_s``): the builder has finalised them, they do not change again."""
        if now - self._pruned_at < self.progress_s:
            return
        self._pruned_at = now
        held = set() if self._held is None else set(self._held.column("flight_id").to_pylist())
        # due = last pass + progress_s * spread (<= 1.5 progress_s)
        limit = now - self.forget_s + 1.5 * self.progress_s
        for fid in [f for f, due in self._due.items() if due < limit and f not in held]:
            del self._due[fid]
            self._material.pop(fid, None)
