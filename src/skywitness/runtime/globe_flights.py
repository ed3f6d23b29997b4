"""Flights of a globe-history ingest: built from each batch as it is stored, or from the lake.

A day of the world is ~100 M points in ~200 batches, each a few hundred whole traces. While a
batch's rows are all the lake holds of its aircraft around its time (no file of another ingest
overlaps its window and no earlier batch of this ingest held the same aircraft), their flights
are built from the batch in memory, right after it is committed: the day is never read back.
Otherwise the flights are rebuilt from the lake at the end (``rebuild_flights``), a chunk of
aircraft at a time: every aircraft's once another ingest overlaps (a resumed or repeated
ingest), and those of an aircraft met in two batches (two traces of one address).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

import pyarrow as pa
import pyarrow.compute as pc

from ..flights import airport_inference
from ..flights.infer import RunwayAwareInference
from ..store import Store
from ..timeutil import from_unix
from .history import REBUILD_MARGIN, others_overlap, rebuild_flights

#: Stored points whose flights are rebuilt together from the lake (the aircraft's earlier days
#: come too).
REBUILD_POINTS = 1_000_000


@dataclass
class GlobeFlights:
    """The flights side of one archive's ingest (see module doc)."""

    store: Store
    from_lake: bool = False  # another ingest overlaps: all aircraft from the lake at the end
    built: set[str] = field(default_factory=set)  # aircraft whose flights a batch built
    again: set[str] = field(default_factory=set)  # met in two batches: from the lake at the end
    flights: int = 0
    _inference: RunwayAwareInference | None = None

    def batch(
        self, ingest_id: int, states: pa.Table, aircraft: Iterable[str], lo: float, hi: float
    ) -> None:
        """Build the flights of a committed batch: ``states`` (canonical rows as stored) of
        ``aircraft`` between unix ``lo`` and ``hi``."""
        if self.from_lake:
            return
        since, until = from_unix(lo) - REBUILD_MARGIN, from_unix(hi) + REBUILD_MARGIN
        if others_overlap(self.store, ingest_id, (since, until)):
            self.from_lake = True
            return
        mine = set(aircraft)
        twice = mine & self.built
        if twice:
            self.again |= twice
            mine -= twice
            states = states.filter(
                pc.invert(pc.is_in(states.column("icao24"), pa.array(sorted(twice))))
            )
        if not mine:
            return
        self.built |= mine
        if self._inference is None:
            self._inference = airport_inference(self.store.table("runways"), None)
        self.flights += rebuild_flights(
            self.store,
            since=since,
            until=until,
            icao24s=sorted(mine),
            states=states,
            inference=self._inference,
        )[1]

    def finish(self, aircraft: dict[str, int], first: float, last: float) -> int:
        """Rebuild from the lake what the batches could not build (``aircraft``: icao24 ->
        points stored, between unix ``first`` and ``last``); return the flights stored."""
        todo = aircraft if self.from_lake else {a: aircraft[a] for a in self.again}
        if not todo:
            return self.flights
        since = from_unix(first) - REBUILD_MARGIN
        until = from_unix(last) + REBUILD_MARGIN
        flights = 0 if self.from_lake else self.flights - self._stored(sorted(todo))
        chunk: list[str] = []
        points = 0
        for icao, n in sorted(todo.items()):
            chunk.append(icao)
            points += n
            if points >= REBUILD_POINTS:
                flights += rebuild_flights(self.store, since=since, until=until, icao24s=chunk)[1]
                chunk, points = [], 0
        if chunk:
            flights += rebuild_flights(self.store, since=since, until=until, icao24s=chunk)[1]
        return flights

    def _stored(self, aircraft: list[str]) -> int:
        """Flights stored of ``aircraft`` (those a batch built, to be replaced)."""
        row = self.store.connection.execute(
            "SELECT count(*) FROM flights WHERE list_contains(?, icao24)", [aircraft]
        ).fetchone()
        return int(row[0]) if row else 0
