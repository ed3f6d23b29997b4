"""The one ingest step: dedupe → decode → count → track, one chunk at a time, without I/O.

Every batch command (``runtime.pipeline.track_tables``: ``track``, ``ingest``, ``watch``) and
the live tracker thread of ``serve`` run their chunks through ``IngestStep.step``, so that the
same input gives the same accepted counts and the same state vectors whichever path read it,
and however it is cut into chunks (``track/arrival.py``).
A chunk is a ``FrameBatch`` (raw frames: merged with identical copies heard within 0.1 s when
``dedup``, decoded, the decoder's rejects counted by reason, accepted frames counted, tracked),
``Observations`` (already decoded reports: counted, tracked) or ``StateRows`` (a document of
already-tracked state vectors: counted, and gated column-wise by ``states_gate`` with the
tracker's rate and loss time, which gives the rows a fresh tracker would, at a fraction of the
cost; a step that must keep the tracker's live state, ``serve``'s, tracks them instead, in
time order: the gate's order).

The step also notes the ADS-B emitter category each aircraft transmits (decoded from
identification messages, or a report's ``category``): ``Stepped.categories`` holds those of a
chunk that are informative (not 0, "no information") and new for the aircraft (first heard,
or changed), so that its caller records each as an identity fact once
(``identify.adsb_facts``), never per message.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import numpy as np
import numpy.typing as npt
import pyarrow as pa

from ..decode import decode_batch
from ..decode.codes import emitter_category, informative_category
from ..decode.rejects import count_decode_rejects
from ..model import (
    B1,
    I1,
    MODEAC_FRAME_BYTES,
    U4,
    FrameBatch,
    Messages,
    Observations,
    StateRows,
    icao_hex,
)
from ..sources.dedup import Deduplicator
from ..stats import IngestStats
from .row_sources import RowSources
from .state_vectors import StateVectors

if TYPE_CHECKING:  # the tracker is given, not made here: ``decode`` counts without it
    from .tracker import Tracker


#: Aircraft whose category ``EmitterCategories`` remembers at most (the newest half kept beyond):
#: a service hears ~40,000 new aircraft an hour at 100,000 frames/s, and the dict grew with every
#: one for as long as it ran (#17 item 12). One forgotten and heard again is given again: its
#: kind is learned twice, the same.
NOTED_MAX = 100_000


class EmitterCategories:
    """The informative emitter category last noted per aircraft (ICAO addresses only; the
    last ``NOTED_MAX`` aircraft noted)."""

    def __init__(self) -> None:
        self._noted: dict[int, int] = {}  # address -> category code, oldest first

    def note(self, icao24: U4, category: I1, keep: B1) -> dict[str, str]:
        """icao24 -> category ("B1") of the rows ``keep`` whose informative category is new
        for their aircraft; the next call no longer gives them."""
        sel = keep & (category >= 0)
        if not sel.any():
            return {}
        pairs = np.unique((icao24[sel].astype(np.int64) << 8) | category[sel].astype(np.int64))
        out: dict[str, str] = {}
        for pair in pairs.tolist():
            address, code = pair >> 8, pair & 0xFF
            if informative_category(code) and self._noted.get(address) != code:
                self._noted[address] = code
                out[icao_hex(address)] = emitter_category(code) or ""
        if len(self._noted) > NOTED_MAX:
            drop = len(self._noted) - NOTED_MAX // 2
            self._noted = dict(itertools.islice(self._noted.items(), drop, None))
        return out

    def __len__(self) -> int:
        return len(self._noted)


@dataclass(frozen=True, slots=True)
class Stepped:
    """What one chunk gave: state vectors (``table`` instead, in the canonical columns, for
    gated ``StateRows``), and for raw frames the frames kept and decoded; ``categories``:
    icao24 -> emitter category ("A7") first heard (or changed) in this chunk."""

    states: StateVectors
    frames: FrameBatch | None = None
    msgs: Messages | None = None
    table: pa.Table | None = None
    categories: dict[str, str] = field(default_factory=dict)

    def to_arrow(self) -> pa.Table:
        """The new state vectors in the canonical columns."""
        return self.table if self.table is not None else self.states.to_arrow()

    def __len__(self) -> int:
        return self.table.num_rows if self.table is not None else len(self.states)


class IngestStep:
    """The ingest step over one ``Tracker``; ``stats`` gets the accepted counts (and the
    decoder's rejects unless a ``step`` names its own ``rejects``). ``track_states``: track
    ``StateRows`` (as reports) rather than gate them, for a caller that reads the tracker's
    state (the live map). ``modeac_messages=False``: Mode A/C replies are counted (accepted,
    as their decode always is, and in the tracker's ``modeac_or_no_address``) but not decoded,
    and the step's ``frames`` and ``msgs`` leave them out: for a caller that reads neither
    (``serve`` without re-broadcast outputs). A reply carries no address, so the tracker
    takes nothing else from it; on a feed of a third Mode A/C they are most of the rows left
    after the duplicates (bench/RESULTS.md "## serve")."""

    def __init__(
        self,
        tracker: Tracker,
        stats: IngestStats,
        *,
        dedup: bool = True,
        track_states: bool = False,
        modeac_messages: bool = True,
    ) -> None:
        self.tracker = tracker
        self.stats = stats
        self._dedup = Deduplicator(stats=stats) if dedup else None
        self._track_states = track_states
        self._modeac_messages = modeac_messages
        self.categories = EmitterCategories()

    def step(
        self,
        chunk: FrameBatch | Observations | StateRows,
        rejects: IngestStats | None = None,
        row_sources: RowSources | None = None,
        order: npt.NDArray[np.intp] | None = None,
    ) -> Stepped:
        """Dedupe, decode, count and track (or gate) one chunk; ``row_sources``: the rows of
        a ``FrameBatch`` or ``Observations`` are of several sources (each one's decoder
        rejects counted in its own ``IngestStats``, each state vector naming its own);
        ``order``: the chunk's rows are to be taken in this order (``gather.merge_unordered``:
        a ``FrameBatch`` is reordered by the deduplicator's one copy)."""
        if order is not None and isinstance(chunk, Observations):
            chunk, order = chunk.take(order), None
        if isinstance(chunk, StateRows):
            if self._track_states:
                from ..sources.states import observations_from_states

                obs = observations_from_states(chunk.table, chunk.source)
                # a document's rows come in time order: the gate's order (``gate_states``)
                chunk = obs.take(np.argsort(obs.timestamp, kind="stable"))
            else:
                self.stats.accepted += len(chunk)
                from .states_gate import gate_states  # states documents only

                table = gate_states(
                    chunk.table,
                    stats=self.tracker.stats,
                    source=chunk.source,
                    rate_s=self.tracker.rate_s,
                    lost_after_s=self.tracker.lost_after_s,
                )
                return Stepped(StateVectors.empty(), table=table)
        if isinstance(chunk, Observations):
            cats = self.note_observations(chunk)
            sv = self.tracker.update_observations(chunk, row_sources)
            return Stepped(sv, categories=cats)
        frames, msgs, row_sources, cats = self.decode_frames(chunk, rejects, row_sources, order)
        sv = self.tracker.update(msgs, frames.source, row_sources)
        return Stepped(sv, frames, msgs, categories=cats)

    def note_observations(self, chunk: Observations) -> dict[str, str]:
        """The step's part before the tracker for ``Observations``: counted, categories noted
        (``spark.ingest`` tracks them apart, per aircraft)."""
        self.stats.accepted += len(chunk)
        return self.categories.note(chunk.icao24, chunk.category, ~chunk.non_icao)

    def decode_frames(
        self,
        chunk: FrameBatch,
        rejects: IngestStats | None = None,
        row_sources: RowSources | None = None,
        order: npt.NDArray[np.intp] | None = None,
    ) -> tuple[FrameBatch, Messages, RowSources | None, dict[str, str]]:
        """The step's part before the tracker for raw frames: deduped, decoded, the decoder's
        rejects and the accepted frames counted, categories noted; the frames kept, their
        messages, their ``row_sources`` and the new categories (``spark.ingest`` tracks the
        messages apart, per aircraft). ``order``: as ``step``'s."""
        if self._dedup is not None:
            frames = self._dedup.filter(chunk, order, modeac=self._modeac_messages)
            self._count_modeac(self._dedup.last_modeac)
            if row_sources is not None:
                row_sources = row_sources.take(self._dedup.last_kept)
        else:
            frames = chunk if order is None else chunk.take(order)
            if not self._modeac_messages:
                frames, row_sources = self._without_modeac(frames, row_sources)
        msgs = decode_batch(frames)
        if row_sources is None:
            count_decode_rejects(frames, msgs, rejects if rejects is not None else self.stats)
        else:
            for j, rows in row_sources.rows_of():
                count_decode_rejects(frames, msgs, row_sources.rejects[j], rows)
        ok = msgs.reject == 0
        self.stats.accepted += int(np.count_nonzero(ok))
        cats = self.categories.note(msgs.icao24, msgs.category, ok & msgs.address_verified
                                    & ~msgs.non_icao)  # fmt: skip
        return frames, msgs, row_sources, cats

    def _without_modeac(
        self, frames: FrameBatch, row_sources: RowSources | None
    ) -> tuple[FrameBatch, RowSources | None]:
        """``frames`` (and their ``row_sources``) less the Mode A/C replies, counted as their
        decode and the tracker would count them (never rejected, no address)."""
        ac = frames.length == MODEAC_FRAME_BYTES
        n = int(np.count_nonzero(ac))
        if n == 0:
            return frames, row_sources
        self._count_modeac(n)
        keep = np.flatnonzero(~ac)
        return frames.take(keep), None if row_sources is None else row_sources.take(keep)

    def _count_modeac(self, n: int) -> None:
        """``n`` Mode A/C replies left out, counted as their decode (never rejected) and the
        tracker (no address) would count them."""
        if n:
            self.stats.accepted += n
            if self.tracker is not None:
                self.tracker.counters["modeac_or_no_address"] += n

    def flush(self) -> StateVectors:
        """The tracker's last state vectors (end of input)."""
        return self.tracker.flush()
