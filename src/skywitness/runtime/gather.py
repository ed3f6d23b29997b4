"""What the live tracker thread takes off its queue for one step: everything queued, merged.

Receivers send small reads (a TCP read of a 100 frames/s feed holds some 20 frames), and one
tracker step costs ~2 ms of array calls whatever its size: stepping each read alone made
``serve`` spend ~300 µs of CPU per frame at 2,000 frames/s from 20 receivers (the soak), 100x
its cost on one fast feed. The tracker thread now waits, after a step, until ``GATHER_S`` has
passed since that step began (or ``COALESCE_FRAMES`` rows are queued), and steps all frame
batches queued by then as one chunk, each row's source kept (``track.row_sources``); the
``Observations`` queued together (SBS, readsb JSON sources) likewise. The wait bounds how late
a frame is tracked (at most ``GATHER_S`` more); a busy tracker never waits (its steps take
longer than that).
"""

from __future__ import annotations

import queue
import time
from itertools import pairwise

import numpy as np
import numpy.typing as npt

from ..model import FrameBatch, Observations
from ..stats import IngestStats
from ..track.row_sources import RowSources
from .feeds import Item

#: Shortest time between the starts of two tracker steps while frames trickle in, s.
GATHER_S = 0.2
#: Frames merged into one tracker step at most.
COALESCE_FRAMES = 65_536


def gather(
    inbox: queue.Queue[Item | None], first: Item, deadline: float
) -> tuple[list[Item], bool]:
    """``first`` and the items queued behind it until ``deadline`` (``time.monotonic``) or
    ``COALESCE_FRAMES`` frames, in queue order; and whether the end marker was read."""
    items, n = [first], len(first.chunk)
    while n < COALESCE_FRAMES:
        wait = deadline - time.monotonic()
        try:
            nxt = inbox.get(timeout=wait) if wait > 0 else inbox.get_nowait()
        except queue.Empty:
            break
        if nxt is None:
            return items, True
        items.append(nxt)
        n += len(nxt.chunk)
    return items, False


def runs(items: list[Item], *, by_source: bool = False) -> list[list[Item]]:
    """``items`` cut into steps, in order: consecutive frame batches together (of one source
    each when ``by_source``: multilateration takes one receiver's frames), consecutive
    ``Observations`` together, every other item alone."""
    out: list[list[Item]] = []
    for it in items:
        prev = out[-1][-1] if out else None
        if prev is not None and _joins(prev, it, by_source):
            out[-1].append(it)
        else:
            out.append([it])
    return out


def _joins(prev: Item, it: Item, by_source: bool) -> bool:
    if isinstance(it.chunk, Observations):
        return isinstance(prev.chunk, Observations)
    return (
        isinstance(it.chunk, FrameBatch)
        and isinstance(prev.chunk, FrameBatch)
        and (not by_source or it.source == prev.source)
    )


def merge(run: list[Item], rejects: dict[str, IngestStats]) -> tuple[Item, RowSources | None]:
    """One item of a run of frame batches or of ``Observations`` (its last arrival), the
    reads interleaved in time order, and each row's source where they are of several
    (``rejects``: each source's decoder-reject counts, added to)."""
    item, row_sources, order = merge_unordered(run, rejects)
    if order is not None and isinstance(item.chunk, (FrameBatch, Observations)):
        item.chunk = item.chunk.take(order)
    return item, row_sources


def merge_unordered(
    run: list[Item], rejects: dict[str, IngestStats]
) -> tuple[Item, RowSources | None, npt.NDArray[np.intp] | None]:
    """``merge`` without its reordering copy: the reads concatenated as they came, and the
    order that interleaves them in time (None: already in it), for a step that takes the
    rows it keeps in that order anyway (``Deduplicator.filter``'s ``order``); ``row_sources``
    are in the interleaved order."""
    if len(run) == 1:
        return run[0], None, None
    chunks = [it.chunk for it in run]
    if all(isinstance(c, FrameBatch) for c in chunks):
        chunk: FrameBatch | Observations = FrameBatch.concat(
            [c for c in chunks if isinstance(c, FrameBatch)]
        )
    else:
        chunk = Observations.concat([c for c in chunks if isinstance(c, Observations)])
    # The reads of several receivers queued together overlap in time, and the tracker takes an
    # aircraft's rows in the order they come (a row back in time in a pass of its own after the
    # newer ones: track/arrival.py): the reads are interleaved in time order, each read's own
    # rows kept in their order (sorted on the newest time of the read so far).
    bounds = np.cumsum([0, *(len(c) for c in chunks)]).tolist()
    t = chunk.timestamp
    newest = np.concatenate([np.fmax.accumulate(t[a:z]) for a, z in pairwise(bounds)])
    # (already in that order, as one fast feed's reads mostly are: nothing to reorder)
    order = None if bool(np.all(newest[1:] >= newest[:-1])) else np.argsort(newest, kind="stable")
    names = tuple(dict.fromkeys(it.source for it in run))
    item = Item(run[0].source, run[-1].arrival, chunk)
    if len(names) == 1:
        return item, None, order
    index = {name: k for k, name in enumerate(names)}
    code = np.repeat(
        np.array([index[it.source] for it in run], dtype=np.int64), [len(c) for c in chunks]
    )
    code = code if order is None else code[order]
    stats = tuple(rejects.setdefault(name, IngestStats()) for name in names)
    return item, RowSources(names, code, stats), order
