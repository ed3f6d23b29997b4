"""``track --receivers``: several receivers' Beast feeds, merged in time, through multilateration.

Sources are read side by side (always from the one that is furthest behind in time), so the
copies of one transmission from every receiver reach ``mlat.MlatFeed`` together; a single
stream with 0xe3 receiver ids works the same way. Output: the canonical state columns, with
``position_error`` (m, 95 % radius) on rows whose position came from multilateration.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator, Sequence

import numpy as np
import pyarrow as pa

from ..mlat import MlatFeed, ReceiverSite
from ..model import FrameBatch, Observations, StateRows
from ..runs import run_starts
from ..sources import open_source
from ..sources.states import observations_from_states
from ..stats import IngestStats
from ..track import Tracker
from .pipeline import RunOptions
from .places import AirportPlaces

#: Sources are interleaved in slices of this many seconds.
SLICE_S = 0.5


def mlat_track_tables(
    specs: Sequence[str],
    opts: RunOptions,
    stats: IngestStats,
    sites: tuple[ReceiverSite, ...],
    *,
    stop: threading.Event | None = None,
) -> Iterator[pa.Table]:
    tracker = Tracker(
        rate_s=opts.rate_s,
        reference=opts.reference,
        stats=stats,
        places=AirportPlaces() if opts.airports else None,
    )
    feed = MlatFeed(sites, tracker, stats)
    its = [
        iter(
            open_source(
                s,
                opts.fmt,
                stats,
                stop=stop,
                batch_size=opts.batch_size,
                start_time=opts.start_time,
                clock="auto",
            )
        )
        for s in specs
    ]
    heads: list[FrameBatch | None] = [None] * len(its)
    pending: list[list[FrameBatch]] = [[] for _ in its]
    alive = list(range(len(its)))
    while alive:
        for i in list(alive):
            if heads[i] is None:
                chunk = next(its[i], None)
                while isinstance(chunk, (Observations, StateRows)) or (
                    chunk is not None and not len(chunk)
                ):
                    if isinstance(chunk, StateRows):  # one tracker for every source here
                        obs = observations_from_states(chunk.table, chunk.source)
                        # in time order, as the ingest step tracks a document (the tracker
                        # takes an aircraft's rows in the order they come)
                        chunk = obs.take(np.argsort(obs.timestamp, kind="stable"))
                    if isinstance(chunk, Observations):
                        yield tracker.update_observations(chunk).to_arrow()
                    chunk = next(its[i], None)
                if chunk is None:
                    alive.remove(i)
                else:
                    pending[i] = _slices(chunk) if len(its) > 1 else [chunk]
                    heads[i] = pending[i].pop(0)
        if not alive:
            break
        i = min(alive, key=lambda j: _last_time(heads[j]))
        batch, heads[i] = heads[i], (pending[i].pop(0) if pending[i] else None)
        assert batch is not None
        for table in feed.feed(batch):
            yield table
        if stop is not None and stop.is_set():
            break
    for table in feed.finish():
        yield table
    stats.aircraft.update(tracker.addresses())


def _slices(batch: FrameBatch) -> list[FrameBatch]:
    """A batch cut into SLICE_S pieces of its own time, so sources advance in step."""
    t = batch.timestamp
    if not len(batch) or not np.isfinite(t).all():
        return [batch]
    cut = run_starts(np.floor((t - t[0]) / SLICE_S))[1:]
    return [batch.take(idx) for idx in np.split(np.arange(len(batch)), cut)]


def _last_time(batch: FrameBatch | None) -> float:
    if batch is None or not len(batch):
        return float("inf")
    return float(batch.timestamp[-1])
