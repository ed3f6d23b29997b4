"""The one ingest step: dedupe → decode → count → track, one chunk at a time, without I/O.

Every batch command (``runtime.pipeline.track_tables``: ``track``, ``ingest``, ``watch``) and
the live tracker thread of ``serve`` run their chunks through ``IngestStep.step``, so that the
same input gives the same accepted counts and the same state vectors whichever path read it.
A chunk is a ``FrameBatch`` (raw frames: merged with identical copies heard within 0.1 s when
``dedup``, decoded, the decoder's rejects counted by reason, accepted frames counted, tracked)
or ``Observations`` (already decoded reports: counted, tracked).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from ..decode import decode_batch
from ..model import FrameBatch, Messages, Observations, RejectReason
from ..sources.dedup import Deduplicator
from ..stats import IngestStats
from .state_vectors import StateVectors

if TYPE_CHECKING:  # the tracker is given, not made here: ``decode`` counts without it
    from .tracker import Tracker


def count_decode_rejects(frames: FrameBatch, msgs: Messages, stats: IngestStats) -> None:
    """Add the decoder's per-frame reject reasons to ``stats`` (strict: raise on the first)."""
    bad = np.flatnonzero(msgs.reject)
    if bad.size == 0:
        return
    if stats.strict:
        i = int(bad[0])
        stats.reject(
            RejectReason(int(msgs.reject[i])),
            frames.source,
            detail=f"frame {frames.hex(i)} at t={frames.timestamp[i]:.6f}",
        )
    counts = np.bincount(msgs.reject[bad], minlength=len(RejectReason))
    for code in np.flatnonzero(counts):
        stats.reject(RejectReason(int(code)), frames.source, count=int(counts[code]))


@dataclass(frozen=True, slots=True)
class Stepped:
    """What one chunk gave: state vectors, and for raw frames the frames kept and decoded."""

    states: StateVectors
    frames: FrameBatch | None = None
    msgs: Messages | None = None


class IngestStep:
    """The ingest step over one ``Tracker``; ``stats`` gets the accepted counts (and the
    decoder's rejects unless a ``step`` names its own ``rejects``)."""

    def __init__(self, tracker: Tracker, stats: IngestStats, *, dedup: bool = True) -> None:
        self.tracker = tracker
        self.stats = stats
        self._dedup = Deduplicator(stats=stats) if dedup else None

    def step(self, chunk: FrameBatch | Observations, rejects: IngestStats | None = None) -> Stepped:
        """Dedupe, decode, count and track one chunk."""
        if isinstance(chunk, Observations):
            self.stats.accepted += len(chunk)
            return Stepped(self.tracker.update_observations(chunk))
        frames = self._dedup.filter(chunk) if self._dedup is not None else chunk
        msgs = decode_batch(frames)
        count_decode_rejects(frames, msgs, rejects if rejects is not None else self.stats)
        self.stats.accepted += int(np.count_nonzero(msgs.reject == 0))
        return Stepped(self.tracker.update(msgs, frames.source), frames, msgs)

    def flush(self) -> StateVectors:
        """The tracker's last state vectors (end of input)."""
        return self.tracker.flush()
