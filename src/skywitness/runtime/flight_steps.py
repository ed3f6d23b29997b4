"""The live flights steps: data-time windows, the flights stage, the change gate, the texts.

``FlightSteps.advance`` cuts the live state vectors into data-time windows
(``flights.windows.DataWindows``) and makes one ``FlightStage`` step per sealed window, the
window's end the ``ChangeGate``'s clock: the gate passes new flights and material changes at
once, progress at most about once a ``PROGRESS_S`` of data time per flight, a finished flight at
once, everything held when asked to flush. So a replay at any speed gives the same flight
changes, in the same order, and for stream listeners the same server-sent-event texts (each
flight message says whether the flight is new, changed or finished). It runs in the flights
child process (``flights_proc``) or, without one, in the flights worker's thread; either way
the worker only stores and publishes what a step returns. Given the store's lake, the stage
recalls a flight forgotten in the air (``flights.recall.LakeRecall``: the lake's Parquet files
read directly, never the catalogue the service holds open) when the aircraft comes back over an
ocean, and parks the rows of quiet aircraft (landed) in a folder beside it
(``flights.parking.FileSpill``: ``SPILL_DIR`` in the data folder, removed on ``close``). A warm
start's step names the stored flights it rebuilds (``supersedes``).
"""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

import pyarrow as pa
import pyarrow.compute as pc

from ..flights.gate import ChangeGate
from ..flights.kinds import Kinds
from ..flights.parking import FileSpill
from ..flights.recall import LakeRecall
from ..flights.rowarrays import UNREAD_COLUMNS
from ..flights.stage import FlightStage
from ..flights.windows import DataWindows
from ..jsontext import jsonable
from ..stats import IngestStats
from .hub import sse_text


class FlightsEngine(Protocol):
    """What the flights worker (``workers.FlightsWorker``) steps: ``FlightSteps`` or a
    ``flights_proc.FlightsProcess``."""

    def advance(
        self,
        states: pa.Table | None,
        *,
        warm: pa.Table | None = None,
        supersedes: Sequence[str] = (),
        drain: bool = False,
        flush: bool = False,
        want_texts: bool = False,
    ) -> StepResult: ...

    def learn_kinds(self, kinds: dict[str, int]) -> None: ...

    def flights(self) -> pa.Table: ...

    def close(self) -> None: ...


def flight_rows(table: pa.Table) -> list[dict[str, Any]]:
    """The API's flight objects (docs/api.md) of a flights table."""
    return [jsonable(r) for r in table.to_pylist()]


#: Sealed data-time windows stepped in one ``advance`` at most (an hour of data): a replay far
#: ahead of the flights stage hands over its flights an hour at a time, and a stop is heard
#: between two calls.
MAX_WINDOWS = 60
#: Points up to this much older than their aircraft's newest merge into its live flight, and an
#: aircraft this far behind the newest of any is cut as quiet, s of data time
#: (``flights.cutting``; a batch build's stage takes 10 minutes, ``LATE_S``). A live feed comes
#: in time order to within seconds (the tracker's batches, multilateration's ~2 s, a polled
#: feed's age), and each aircraft's rows held and rebuilt every window grow with this horizon:
#: at 20,000 aircraft in the air (#17 item 12) 10 minutes held ~21M rows and 5.6-6.6 GB in the
#: flights child. Later points are stored all the same and counted ``late`` by the stage;
#: ``flights rebuild`` builds them in.
LIVE_LATE_S = 120.0
#: Where a service's flights stage parks the rows of quiet aircraft: this folder of the data
#: folder (beside the lake), one folder in it per flights stage.
SPILL_DIR = "spill"
#: The ``change`` of an ``event: flight`` message (docs/api.md).
NEW, CHANGED, FINISHED, REMOVED = "new", "changed", "finished", "removed"


def flight_texts(changed: pa.Table, removed: list[str], kinds: Sequence[str]) -> list[str]:
    """The ``event: flight`` messages for changed flights (``kinds``: the change of each row,
    new / changed / finished) and removed ones (docs/api.md)."""
    rows = flight_rows(changed)
    texts = [sse_text("flight", {**r, "change": k}) for r, k in zip(rows, kinds, strict=True)]
    texts += [sse_text("flight", {"flight_id": fid, "change": REMOVED}) for fid in removed]
    return texts


@dataclass
class StepResult:
    """What a step passes on: flights to store and publish (the latest row of each), ids of
    removed flights, reject counts by reason label, the stream texts (when asked for, in the
    order of the changes), how many flights the gate still holds back, how many flights have
    been recalled from the lake so far, the state vectors buffered in data-time windows not yet
    stepped, and the windows stepped."""

    changed: pa.Table
    removed: list[str]
    rejects: dict[str, int] = field(default_factory=dict)
    texts: list[str] | None = None
    held: int = 0
    recalls: int = 0
    buffered: int = 0
    windows: int = 0
    more: bool = False  # sealed windows wait for the next call (``max_windows`` reached)
    rows_held: int = 0  # state vectors the flights stage holds (``FlightBuilder.retained_rows``)
    rows_held_quiet: int = 0  # ... of them for aircraft gone quiet (``retained_rows_quiet``)
    rows_parked: int = 0  # state vectors of quiet aircraft parked on disk (``parked_rows``)


def merge_results(parts: Sequence[StepResult]) -> StepResult:
    """Several steps' results as one: the latest row of each flight changed and not removed
    after, the flights removed and not back after, counts summed, texts in order."""
    if len(parts) == 1:
        return parts[0]
    latest: dict[str, int] = {}  # flight id -> row of the concatenated changes
    gone: dict[str, None] = {}
    rejects: Counter[str] = Counter()
    offset = 0
    for p in parts:
        for j, fid in enumerate(p.changed["flight_id"].to_pylist()):
            latest[fid] = offset + j
            gone.pop(fid, None)
        for fid in p.removed:
            latest.pop(fid, None)
            gone[fid] = None
        offset += p.changed.num_rows
        rejects.update(p.rejects)
    tables = [p.changed for p in parts if p.changed.num_rows]
    changed = pa.concat_tables(tables) if tables else parts[0].changed
    if changed.num_rows:
        changed = changed.take(pa.array(sorted(latest.values()), pa.int64()))
    texts = None
    if all(p.texts is not None for p in parts):
        texts = [t for p in parts for t in p.texts or ()]
    last = parts[-1]
    return StepResult(
        changed,
        list(gone),
        dict(rejects),
        texts,
        last.held,
        last.recalls,
        last.buffered,
        sum(p.windows for p in parts),
        last.more,
        last.rows_held,
        last.rows_held_quiet,
        last.rows_parked,
    )


def _newest_s(table: pa.Table) -> float:
    newest = pc.max(table["timestamp"].cast(pa.timestamp("ms", "UTC")).cast(pa.int64())).as_py()
    return float("-inf") if newest is None else newest / 1000.0


class FlightSteps:
    """The live flights state: a ``FlightStage`` (runway-aware when ``runways`` are given)
    behind a ``ChangeGate``, stepped per data-time window (``DataWindows``, see ``advance``);
    with ``lake`` (a store's lake folder) flights forgotten in the air are recalled from it
    (``LakeRecall``) and the rows of quiet aircraft parked beside it (``FileSpill``, until
    ``close``); ``kinds``: icao24 -> aircraft kind, from the identity store as
    ``flights rebuild`` has them (``identify.kinds.aircraft_kinds``); ``keep_final=False``
    (the caller stores what the steps pass on): a finished flight is passed on, then
    forgotten, so that memory holds the flights in progress only; ``late_s``: the stage's
    lateness horizon (``LIVE_LATE_S``)."""

    def __init__(
        self,
        runways: pa.Table | None = None,
        gate: ChangeGate | None = None,
        lake: Path | None = None,
        windows: DataWindows | None = None,
        kinds: Kinds | None = None,
        keep_final: bool = True,
        late_s: float = LIVE_LATE_S,
    ) -> None:
        self.recall = LakeRecall(lake) if lake is not None else None
        self.spill = FileSpill(Path(lake).parent / SPILL_DIR) if lake is not None else None
        if self.spill is not None:
            self.spill.stale()
        self.stage = FlightStage(
            runways,
            recall=self.recall,
            kinds=kinds,
            keep_final=keep_final,
            late_s=late_s,
            spill=self.spill,
        )
        self.gate = gate or ChangeGate()
        self.windows = windows or DataWindows()
        self.clock = float("-inf")  # the data time of the last step, unix s (the gate's clock)

    def advance(
        self,
        states: pa.Table | None,
        *,
        warm: pa.Table | None = None,
        supersedes: Sequence[str] = (),
        drain: bool = False,
        flush: bool = False,
        want_texts: bool = False,
        max_windows: int | None = MAX_WINDOWS,
    ) -> StepResult:
        """The live path: ``warm`` (a warm start's rows, rebuilding the stored flights
        ``supersedes``) in one step first, then ``states`` into the data-time windows and one
        step per window sealed (``drain``: per window buffered, the input went quiet or
        ended), the gate's clock the window's end; ``flush``: then everything the gate holds;
        at most ``max_windows`` sealed windows a call (``more``: some wait for the next; a
        drain takes them all). The same rows in the same order give the same steps however
        they are cut."""
        parts = []
        if warm is not None or supersedes:
            now = _newest_s(warm) if warm is not None and warm.num_rows else self.clock
            parts.append(self._timed(warm, now, want_texts, supersedes=supersedes))
        if states is not None:
            # only the columns the stage reads: the windows' sort and take copy the rest too
            unread = [c for c in states.column_names if c in UNREAD_COLUMNS]
            self.windows.push(states.drop_columns(unread) if unread else states)
        windows = self.windows.drain() if drain else self.windows.ready(max_windows)
        for end, rows in windows:
            parts.append(self._timed(rows, end, want_texts))
        if flush or not parts:
            parts.append(self._timed(None, self.clock, want_texts, flush=flush))
        out = merge_results(parts)
        out.more = self.windows.sealed_left
        return out

    def _timed(
        self,
        states: pa.Table | None,
        now: float,
        want_texts: bool,
        *,
        flush: bool = False,
        supersedes: Sequence[str] = (),
    ) -> StepResult:
        self.clock = max(self.clock, now)
        res = self.step(
            states, flush=flush, want_texts=want_texts, now=self.clock, supersedes=supersedes
        )
        res.windows = int(states is not None)
        return res

    def step(
        self,
        states: pa.Table | None,
        *,
        flush: bool = False,
        want_texts: bool = False,
        now: float | None = None,
        supersedes: Sequence[str] = (),
    ) -> StepResult:
        """One stage step: add ``states`` (None: nothing new) and return what to pass on;
        ``flush``: also everything the gate holds; ``now``: the gate's clock (default
        ``time.monotonic()``); ``supersedes``: stored flights these states rebuild."""
        stats = IngestStats()
        res = self.stage.step(states, stats, supersedes=supersedes)
        changed = res.changed
        if res.ended.num_rows:  # finished without a change of their row: passed on too
            extra = res.ended.filter(
                pc.invert(pc.is_in(res.ended["flight_id"], changed["flight_id"].combine_chunks()))
            )
            if extra.num_rows:
                changed = pa.concat_tables([changed, extra.cast(changed.schema)])
        ids = changed["flight_id"].to_pylist()
        prior = {fid for fid in ids if self.gate.known(fid)}
        passed, removed = self.gate.select(
            changed, res.removed, time.monotonic() if now is None else now, res.finished
        )
        done, fresh = set(res.finished), set(ids) - prior
        kinds = [
            FINISHED if f in done else NEW if f in fresh else CHANGED
            for f in passed["flight_id"].to_pylist()
        ]
        if flush and (held := self.gate.flush()) is not None:
            passed = pa.concat_tables([passed, held]) if passed.num_rows else held
            kinds += [CHANGED] * held.num_rows
        return StepResult(
            changed=passed,
            removed=removed,
            rejects=dict(stats.rejected),
            texts=flight_texts(passed, removed, kinds) if want_texts else None,
            held=self.gate.held,
            recalls=self.stage.recalls,
            rows_held=self.stage.builder.retained_rows(),
            rows_held_quiet=self.stage.builder.retained_rows_quiet(),
            rows_parked=self.stage.builder.parked_rows(),
            buffered=self.windows.rows,
        )

    def close(self) -> None:
        """Remove the parked rows (the stage is not stepped after)."""
        if self.spill is not None:
            self.spill.close()

    def learn_kinds(self, kinds: Kinds) -> None:
        """Kinds learned while running (an emitter category first heard)."""
        self.stage.learn_kinds(kinds)

    def flights(self) -> pa.Table:
        """All current flights (``FlightStage.flights``), passed on or not (with
        ``keep_final=False``: the flights in progress)."""
        return self.stage.flights()
