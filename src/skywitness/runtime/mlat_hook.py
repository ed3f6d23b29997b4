"""``serve --receivers``: the live tracker's frames go through multilateration first.

A thin hook for ``TrackerWorker``: frame batches from every receiver feed go to one
``mlat.MlatFeed`` that shares the worker's ``Tracker`` (one copy of each transmission is decoded
and tracked as usual; fixes enter as MLAT observations, below ADS-B in trust), and the state
vectors it returns go out through the worker's usual fan-out. ``stats`` is the ``mlat`` object
of ``/api/stats``: per-receiver clock sync and the engine's counters.
"""

from __future__ import annotations

from typing import Any

from ..mlat import MlatFeed, ReceiverSite
from ..model import FrameBatch
from ..stats import IngestStats
from ..track import Tracker
from ..track.state_vectors import StateVectors


class MlatHook:
    def __init__(
        self, sites: tuple[ReceiverSite, ...], tracker: Tracker, stats: IngestStats
    ) -> None:
        self.feed = MlatFeed(sites, tracker, stats)
        self.feed.strict_receivers = False  # counted in stats["counters"], never fatal live

    def process(self, chunk: FrameBatch) -> list[StateVectors]:
        return self.feed.feed_states(chunk)

    def finish(self) -> list[StateVectors]:
        return self.feed.finish_states()

    def stats(self) -> dict[str, Any]:
        eng = self.feed.engine
        return {
            "receivers": eng.clock_stats(),
            "counters": dict(sorted((eng.counters + self.feed.counters).items())),
        }
