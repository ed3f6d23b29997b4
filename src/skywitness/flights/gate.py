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
from dataclasses import dataclass
from typing import Any

import pyarrow as pa

from .rowarrays import as_int64

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
        col = as_int64(col)
    values: list[Any] = col.to_pylist()
    return values


@dataclass(slots=True)
class _Held:
    """A flight's row held back: row ``row`` of a step's changed table (no copy of the wide
    table: each Arrow filter or take of it costs ~0.1 ms, and a live step made three), its id
    and its material values."""

    table: pa.Table
    row: int
    fid: str
    material: tuple[Any, ...]


def _rows_of(held: list[_Held], like: pa.Table) -> pa.Table:
    """The rows ``held`` name, in order, as one table (``like``: the schema, when none)."""
    if not held:
        return like.slice(0, 0)
    if all(h.table is like for h in held) and [h.row for h in held] == list(range(like.num_rows)):
        return like
    parts, at = [], 0
    for i in range(1, len(held) + 1):  # runs of rows of one table: one take each
        if i == len(held) or held[i].table is not held[at].table:
            rows = pa.array([h.row for h in held[at:i]], pa.int64())
            parts.append(held[at].table.take(rows))
            at = i
    return parts[0] if len(parts) == 1 else pa.concat_tables(parts)


class ChangeGate:
    """Holds progress-only flight changes back; see the module docstring."""

    def __init__(self, progress_s: float = PROGRESS_S, forget_s: float = FORGET_S) -> None:
        self.progress_s = progress_s
        self.forget_s = forget_s
        self._material: dict[str, tuple[Any, ...]] = {}  # last passed material values by id
        self._due: dict[str, float] = {}  # when a progress-only change may pass, by id
        self._held: list[_Held] = []  # latest rows held back, in order
        self._pruned_at = float("-inf")
        self._last_now = float("-inf")  # the clock of the last ``select``

    @property
    def held(self) -> int:
        """Flights with a change held back."""
        return len(self._held)

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
        done, gone = set(finished), list(removed)
        if not (changed.num_rows or gone or done) and now <= self._last_now:
            # nothing new, and a clock no later than the last call's: every row held stays
            # held (a live service's hand-overs between two windows, over every flight held)
            return changed.slice(0, 0), gone
        self._last_now = max(self._last_now, now)
        for fid in done:  # final: nothing to remember (their rows, if any, pass below)
            self._material.pop(fid, None)
            self._due.pop(fid, None)
        for fid in gone:
            self._material.pop(fid, None)
            self._due.pop(fid, None)
        ids: list[str] = changed.column("flight_id").to_pylist()
        rows = self._merge(ids, gone)
        names = set(changed.column_names)  # (a list made anew at each use)
        present = [c for c in MATERIAL_COLUMNS if c in names]
        cols = [_plain(changed.column(c)) for c in present]
        values = list(zip(*cols, strict=True)) if cols else [()] * len(ids)
        pairs = enumerate(zip(ids, values, strict=True))
        rows += [_Held(changed, i, fid, m) for i, (fid, m) in pairs]
        passed, held = [], []
        for h in rows:
            fid = h.fid
            if fid in done:
                passed.append(h)
            elif self._material.get(fid) != h.material or now >= self._due.get(fid, now):
                self._material[fid] = h.material
                self._due[fid] = now + self.progress_s * _spread(fid)
                passed.append(h)
            else:
                held.append(h)
        self._held = held
        if rows:
            self._prune(now)
        return _rows_of(passed, changed), gone

    def held_rows(self) -> pa.Table | None:
        """The rows held back (None when none), still held."""
        return _rows_of(self._held, self._held[0].table) if self._held else None

    def flush(self) -> pa.Table | None:
        """Everything held back (None when nothing is); the gate then holds nothing."""
        held, self._held = self.held_rows(), []
        return held

    def _merge(self, ids: list[str], gone: list[str]) -> list[_Held]:
        """Held rows not superseded by this step's ``ids`` or removed."""
        if not self._held:
            return []
        drop = {*ids, *gone}
        return [h for h in self._held if h.fid not in drop]

    def _prune(self, now: float) -> None:
        """Forget flights that have not been passed on for ``forget_s`` (checked once a
        ``progress_s``): the builder has finalised them, they do not change again."""
        if now - self._pruned_at < self.progress_s:
            return
        self._pruned_at = now
        held = {h.fid for h in self._held}
        # due = last pass + progress_s * spread (<= 1.5 progress_s)
        limit = now - self.forget_s + 1.5 * self.progress_s
        for fid in [f for f, due in self._due.items() if due < limit and f not in held]:
            del self._due[fid]
            self._material.pop(fid, None)
