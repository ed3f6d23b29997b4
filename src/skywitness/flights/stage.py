"""The one flights stage: state vectors in, flight changes out.

Every path that turns state vectors into flights drives a ``FlightStage``: ``flights rebuild``
and ``ingest`` (``build_all``: what one step of a fresh stage gives for a chunk of aircraft,
built at once by the same builder), the live flights child of ``serve`` (after
a warm start, a step per data-time window of ``flights.windows``, so that a replay at any speed
gives the same changes), ``watch`` and ``watch --replay`` (a step per data-time window). A step
returns ``FlightChanges``: the flights that are new or changed (rows of ``FLIGHT_SCHEMA``), the
ids of the flights that no longer exist and those finished. The store, the API stream and the
watch subscribe to those changes; none of them builds flights of its own.

A flight is finished when the builder makes it final (its aircraft silent for 6 h, or two
flights on): the change gate then passes its last row at once (``flights.gate``).

A step may name the stored flights its state vectors rebuild (``supersedes``, see
``flights.warm``): those that the rebuild does not give again are reported removed, so a
warm start replaces what it recomputed instead of storing a second copy next to it.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

import pyarrow as pa
import pyarrow.compute as pc

from ..model import RejectReason
from ..stats import IngestStats
from .airports import AirportIndex
from .bridge import Recall
from .builds import build_in_groups
from .cutting import LATE_S
from .incremental import FlightBuilder
from .infer import AirportInference
from .kinds import Kinds
from .parking import RowSpill
from .rowarrays import flight_states
from .schema import FLIGHT_SCHEMA, empty_flights
from .settle import SETTLE_ROWS


@dataclass
class FlightChanges:
    """One step's output: new or changed flights (``FLIGHT_SCHEMA``), removed flight ids, the
    ids of the flights finished in this step (final: no new point changes them) and their rows
    (``ended``: a flight can be made final in a step that does not change its row)."""

    changed: pa.Table = field(default_factory=FLIGHT_SCHEMA.empty_table)
    removed: list[str] = field(default_factory=list)
    finished: list[str] = field(default_factory=list)
    ended: pa.Table = field(default_factory=FLIGHT_SCHEMA.empty_table)


class FlightStage:
    """The flights state of one run: the incremental ``FlightBuilder`` (runway-aware when
    ``runways`` or an ``inference`` are given; with ``recall``, flights forgotten in the air are
    brought back from stored rows; ``keep_final=False``: a finished flight is reported once
    (``FlightChanges.ended``) and then forgotten, for a caller that stores what is reported
    (``flights`` then lists the flights in progress); with ``kinds``, icao24 ->
    ``flights.kinds.Kind`` from the identity store or emitter categories, each aircraft's
    endurance, gaps and arrivals are judged by its kind: bulk and live callers pass the same
    mapping to agree); ``settle_rows``: rows of an aircraft held before its flight in
    progress is cut (``flights.settle``; None: never, for a stage of one step); ``late_s``:
    points up to this much older than their aircraft's newest merge exactly, and an aircraft
    this far behind the newest of any is cut as quiet (``flights.cutting``); ``spill``: where
    the rows of quiet aircraft are parked (``flights.parking``; None: they stay held)."""

    def __init__(
        self,
        runways: pa.Table | None = None,
        *,
        airports: AirportIndex | None = None,
        inference: AirportInference | None = None,
        recall: Recall | None = None,
        kinds: Kinds | None = None,
        keep_final: bool = True,
        settle_rows: int | None = SETTLE_ROWS,
        late_s: float = LATE_S,
        spill: RowSpill | None = None,
    ) -> None:
        self.builder = FlightBuilder(
            runways,
            airports=airports,
            inference=inference,
            recall=recall,
            kinds=kinds,
            keep_final=keep_final,
            settle_rows=settle_rows,
            late_s=late_s,
            quiet_s=late_s,
            spill=spill,
        )

    @property
    def inference(self) -> AirportInference:
        return self.builder.inference

    @property
    def recalls(self) -> int:
        return self.builder.recalls

    def step(
        self,
        states: pa.Table | None,
        stats: IngestStats | None = None,
        *,
        supersedes: Iterable[str] = (),
    ) -> FlightChanges:
        """Add ``states`` (None: nothing new); ``supersedes``: ids of stored flights that these
        state vectors rebuild (reported removed unless the rebuild gives them again)."""
        if states is not None and states.num_rows:
            changed, removed = self.builder.update(states, stats)
        else:
            changed, removed = empty_flights(), []
        ended = self.builder.take_finished_rows()
        old = set(supersedes)
        if old:  # those made final in this step count as given again (they may be dropped)
            now = set(self.builder.flights()["flight_id"].to_pylist())
            removed = sorted(set(removed) | (old - now - set(ended["flight_id"].to_pylist())))
        gone = set(removed)
        if gone and ended.num_rows:
            ended = ended.filter(pc.invert(pc.is_in(ended["flight_id"], pa.array(sorted(gone)))))
        finished = ended["flight_id"].to_pylist()
        return FlightChanges(changed, removed, finished, ended)

    def learn_kinds(self, kinds: Kinds) -> None:
        """Kinds learned while running (``FlightBuilder.learn_kinds``)."""
        self.builder.learn_kinds(kinds)

    def flights(self) -> pa.Table:
        """All current flights (final and still changing), by icao24 then firstSeen."""
        return self.builder.flights()


def build_all(
    states: pa.Table,
    inference: AirportInference,
    stats: IngestStats | None = None,
    *,
    kinds: Kinds | None = None,
) -> pa.Table:
    """The flights of ``states`` (all rows of the aircraft concerned): what ``flights rebuild``
    and ``ingest`` store. It is what one step of a fresh stage gives (``FlightStage.step``:
    with nothing held before, every flight its rows build is new, by icao24 then firstSeen),
    built by ``builds.build_in_groups`` (the live builder's own build), without the copy
    of the rows and the flights a stage keeps for its next steps (~40 % of such a step's CPU
    on a globe ingest's batches: bench/RESULTS.md). Addresses that come dictionary-encoded
    (the states gate's) stay so: the build codes them from their indices."""
    new = flight_states(states, addresses=True)
    lost = states.num_rows - new.num_rows
    if stats is not None and lost:
        stats.reject(RejectReason.BAD_RECORD, "flights", count=lost, detail="no time or icao24")
    if new.num_rows == 0:
        return FLIGHT_SCHEMA.empty_table()
    flights = build_in_groups(new, inference, dict(kinds) if kinds else None)
    return flights.sort_by([("icao24", "ascending"), ("firstSeen", "ascending")])
