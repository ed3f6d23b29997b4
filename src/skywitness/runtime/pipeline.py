"""Batch pipelines behind ``decode`` and ``track``: sources → the ingest step → tables.

Each pipeline is a generator of Arrow tables, so a caller streams them to a writer and memory
stays bounded by the batch size and the number of aircraft, never by the input length.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
import pyarrow as pa

from ..decode import decode_batch
from ..decode.rejects import count_decode_rejects
from ..model import FrameBatch, Observations, StateRows
from ..runs import distinct
from ..sources import Source, open_source
from ..stats import IngestStats
from ..track.address_filter import AddressFilter
from .records import messages_table, observations_table

if TYPE_CHECKING:  # the tracker and the airports load in ``track_tables``: ``decode`` skips them
    from ..track.tracker import Tracker

#: Called after each chunk with (source, bytes consumed so far) to drive a progress bar.
ProgressHook = Callable[[Source, int], None]


@dataclass
class RunOptions:
    """What the user asked for, shared by the ``decode`` and ``track`` pipelines."""

    fmt: str = "auto"
    strict: bool = False
    rate_s: float = 1.0  # at most one state vector per aircraft per this many seconds
    dedup: bool = True  # merge identical frames heard by several receivers
    start_time: float | None = None  # unix s: wall-clock time of a Beast file's first frame
    reference: tuple[float, float] | None = None  # receiver lat/lon for surface positions
    airports: bool = True  # resolve surface positions with no reference at known airports
    batch_size: int = 65536
    live_clock: str = "system"  # live 12 MHz counters: arrival-anchored, or "counter" (replays)
    # ``track_tables`` may give a states document's texts dictionary-encoded, as the states
    # gate makes them (``ingest``: its writer stores them so); False: decoded (``track``,
    # ``watch``: their outputs and readers take plain texts)
    dictionaries: bool = False


def iter_chunks(
    specs: Sequence[str],
    opts: RunOptions,
    stats: IngestStats,
    *,
    stop: threading.Event | None = None,
    progress: ProgressHook | None = None,
    on_open: Callable[[Source], None] | None = None,
) -> Iterator[FrameBatch | Observations | StateRows]:
    """Every chunk of every source in turn (files one after the other)."""
    for spec in specs:
        source = open_source(
            spec,
            opts.fmt,
            stats,
            stop=stop,
            batch_size=opts.batch_size,
            start_time=opts.start_time,
            live_clock=opts.live_clock,
        )
        if on_open is not None:
            on_open(source)
        for chunk in source:
            yield chunk
            if progress is not None:
                progress(source, source.position())
            if stop is not None and stop.is_set():
                return


def decode_tables(
    specs: Sequence[str],
    opts: RunOptions,
    stats: IngestStats,
    *,
    stop: threading.Event | None = None,
    progress: ProgressHook | None = None,
) -> Iterator[pa.Table]:
    """One record per frame (or per already-decoded observation), every frame kept.

    Rejected frames stay in the output with their ``reject`` reason, so nothing vanishes.
    """
    addresses = AddressFilter()
    for chunk in iter_chunks(specs, opts, stats, stop=stop, progress=progress):
        if isinstance(chunk, StateRows):  # decode keeps every report: one row each
            from ..sources.states import observations_from_states  # (only states input's)

            chunk = observations_from_states(chunk.table, chunk.source)
        if isinstance(chunk, Observations):
            stats.accepted += len(chunk)
            stats.aircraft.update(distinct(chunk.icao24))
            stats.positions += int(np.count_nonzero(np.isfinite(chunk.latitude)))
            yield observations_table(chunk)
            continue
        msgs = decode_batch(chunk)
        addresses.apply(msgs)
        count_decode_rejects(chunk, msgs, stats)
        ok = msgs.reject == 0
        stats.accepted += int(np.count_nonzero(ok))
        stats.aircraft.update(distinct(msgs.icao24[ok & (msgs.icao24 != 0)]))
        yield messages_table(chunk, msgs)


def new_tracker(opts: RunOptions, stats: IngestStats) -> Tracker:
    """The tracker ``track_tables`` uses (``spark.ingest`` makes one per aircraft too)."""
    from ..track.tracker import Tracker
    from .places import AirportPlaces

    return Tracker(
        rate_s=opts.rate_s,
        reference=opts.reference,
        stats=stats,
        places=AirportPlaces() if opts.airports else None,
    )


def _texts(table: pa.Table, dictionaries: bool) -> pa.Table:
    """``table``, its dictionary-encoded texts decoded unless ``dictionaries``."""
    if dictionaries or not any(pa.types.is_dictionary(t) for t in table.schema.types):
        return table
    from ..sources.states import plain_texts  # (only a states document's tables have them)

    return plain_texts(table)


def track_tables(
    specs: Sequence[str],
    opts: RunOptions,
    stats: IngestStats,
    *,
    stop: threading.Event | None = None,
    progress: ProgressHook | None = None,
    tracker: Tracker | None = None,
    on_categories: Callable[[dict[str, str]], object] | None = None,
) -> Iterator[pa.Table]:
    """State vectors in the canonical columns (a states document's texts dictionary-encoded
    when ``opts.dictionaries``), at most one per aircraft per ``rate_s``;
    ``on_categories``: given the emitter categories each chunk heard first (icao24 -> "B1",
    ``Stepped.categories``), to be recorded as identity facts (``identify.adsb_facts``)."""
    from ..track.ingest_step import IngestStep

    tracker = tracker or new_tracker(opts, stats)
    ingest = IngestStep(tracker, stats, dedup=opts.dedup)  # the one ingest step (serve's too)
    for chunk in iter_chunks(specs, opts, stats, stop=stop, progress=progress):
        stepped = ingest.step(chunk)  # a states document: gated, not re-tracked
        if stepped.categories and on_categories is not None:
            on_categories(stepped.categories)
        if len(stepped):
            yield _texts(stepped.to_arrow(), opts.dictionaries)
    final = ingest.flush()
    if len(final):
        yield final.to_arrow()
    stats.aircraft.update(tracker.addresses())
