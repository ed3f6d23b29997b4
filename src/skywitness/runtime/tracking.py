"""The tracker thread of the live service: the only code that touches the ``Tracker``.

It takes queued batches from the feeds, merges frames heard by several receivers, decodes and
tracks them, and fans the results out without waiting on anyone: state vectors to the
``on_states`` consumers (store writer, flights, watch), positions and tracker events to the SSE
hub, frames to the re-broadcast outputs, the emitter categories first heard to
``on_categories`` (identity facts, the flights worker's kinds). At most once per
``snapshot_interval_s`` it copies the tracker's state, as columns, for the live snapshot
(serialised in another thread).
"""

from __future__ import annotations

import logging
import queue
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pyarrow as pa

from ..decode import decode_batch
from ..flights import AirportIndex
from ..jsontext import dumps
from ..mlat import ReceiverSite
from ..model import FrameBatch
from ..stats import IngestStats
from ..track import Tracker
from ..track.events import Event
from ..track.ingest_step import IngestStep
from ..track.row_sources import RowSources
from ..track.state_vectors import StateVectors
from .feeds import Item
from .gather import GATHER_S, gather, merge_unordered, runs
from .hub import Hub
from .live_cols import LiveColumns, take_columns
from .mlat_hook import MlatHook
from .places import AirportPlaces
from .tcp_out import Rebroadcast

log = logging.getLogger(__name__)

#: Longest the tracker thread sleeps on an empty queue before housekeeping (snapshot, expiry), s.
IDLE_POLL_S = 0.1

StatesHook = Callable[[pa.Table], None]
CategoriesHook = Callable[[dict[str, str]], None]
EventsHook = Callable[[list[Event]], None]
SnapshotHook = Callable[[LiveColumns, float], None]


def _values(a: np.ndarray[Any, Any], digits: int) -> list[Any]:
    """Column as JSON-ready values: rounded (numpy, whole column), NaN as None."""
    return [None if v != v else v for v in np.round(a, digits).tolist()]


def positions_message(sv: StateVectors, now: float) -> dict[str, Any]:
    """The ``positions`` SSE payload of one batch of state vectors (docs/api.md)."""
    og = sv.onground.tolist()
    cols = zip(
        sv.icao24_hex().tolist(),
        sv.callsign.tolist(),
        _values(sv.latitude, 6),
        _values(sv.longitude, 6),
        _values(sv.altitude, 0),
        _values(sv.groundspeed, 1),
        _values(sv.track, 1),
        _values(sv.vertical_rate, 0),
        og,
        _values(sv.timestamp, 3),
        strict=True,
    )
    rows = [
        {
            "icao24": i,
            "callsign": c or None,
            "latitude": la,
            "longitude": lo,
            "altitude": al,
            "groundspeed": gs,
            "track": tr,
            "vertical_rate": vr,
            "onground": None if g < 0 else g == 1,
            "timestamp": t,
        }
        for i, c, la, lo, al, gs, tr, vr, g, t in cols
    ]
    return {"time": round(now, 3), "aircraft": rows}


def _tokens(values: list[Any]) -> list[str]:
    """The JSON text of each value, from one ``dumps`` of the whole column."""
    if not values:
        return []
    out = dumps(values)[1:-1].split(",")
    if len(out) != len(values):  # a comma inside a string: value by value
        out = [dumps(v) for v in values]
    return out


#: The literal text before each field of a ``positions`` row, in field order, and after its
#: last field (a comma ends every row; the last row's is cut).
_ROW_TEXT = (
    '{"icao24":', ',"callsign":', ',"latitude":', ',"longitude":', ',"altitude":',
    ',"groundspeed":', ',"track":', ',"vertical_rate":', ',"onground":', ',"timestamp":', "},",
)  # fmt: skip
#: ``onground`` as JSON, indexed by 0 unknown (< 0), 1 airborne, 2 on ground.
_ONGROUND_TEXT = np.array(["null", "false", "true"])


def _number_tokens(a: np.ndarray[Any, Any], digits: int) -> list[str]:
    """``_tokens(_values(a, digits))`` from one orjson call over the rounded numpy column
    (float64, as ``tolist`` gives; NaN and infinities as null, as ``dumps`` writes them)."""
    if a.shape[0] == 0:
        return []
    out: list[str] = dumps(np.round(a, digits).astype(np.float64))[1:-1].split(",")
    return out


def positions_json(sv: StateVectors, now: float) -> str:
    """``positions_message`` as compact JSON text, built column by column: the dicts and their
    encoding cost the tracker thread ~15 % of its time at 100,000 frames/s. The rows are put
    together by slice assignment into one list of pieces and one join, not row by row."""
    g = sv.onground.astype(np.int64)
    cols = (
        _tokens(sv.icao24_hex().tolist()),
        _tokens([c or None for c in sv.callsign.tolist()]),
        _number_tokens(sv.latitude, 6),
        _number_tokens(sv.longitude, 6),
        _number_tokens(sv.altitude, 0),
        _number_tokens(sv.groundspeed, 1),
        _number_tokens(sv.track, 1),
        _number_tokens(sv.vertical_rate, 0),
        _ONGROUND_TEXT[np.where(g < 0, 0, np.where(g == 1, 2, 1))].tolist(),
        _number_tokens(sv.timestamp, 3),
    )
    n, stride = len(sv), 2 * len(cols) + 1
    parts = [""] * (n * stride)
    for i, text in enumerate(_ROW_TEXT):
        parts[2 * i :: stride] = [text] * n
    for i, col in enumerate(cols):
        parts[2 * i + 1 :: stride] = col
    rows = "".join(parts)[:-1]
    return f'{{"time":{dumps(round(now, 3))},"aircraft":[{rows}]}}'


#: A DF17 airborne position (the worked example of "The 1090 Megahertz Riddle"): decoded once
#: at start so that the decoder's first real batch finds everything loaded.
_WARM_FRAME = "8D40621D58C382D690C8AC2863A7"


def warm_up() -> None:
    """Do the one-time loads of the live path before the first frame arrives, not while its
    frames queue behind them (each holds the interpreter for 0.1-0.5 s): the airport index
    (surface positions), pyarrow's pandas shim (it imports pandas, when installed, on the
    first table built from Python objects) and the decoder's first call."""
    AirportIndex.default()
    pa.table({"warm": pa.array([0])})
    decode_batch(FrameBatch.from_hex([_WARM_FRAME], [0.0]))


def event_message(e: Event) -> dict[str, Any]:
    return {
        "kind": e.kind.label,
        "timestamp": e.timestamp,
        "icao24": e.icao24,
        "fields": e.fields,
    }


@dataclass
class TrackerWorker:
    """Runs in its own thread until it reads ``None`` from the queue (or ``stop`` is set)."""

    inbox: queue.Queue[Item | None]
    hub: Hub
    stats: IngestStats
    dedup: bool = True
    rate_s: float = 1.0
    snapshot_interval_s: float = 1.0
    #: expire aircraft by the data clock advanced by wall time while idle (off: only data time)
    idle_expiry: bool = True
    on_states: list[StatesHook] = field(default_factory=list)
    on_events: list[EventsHook] = field(default_factory=list)
    on_snapshot: SnapshotHook | None = None
    #: the emitter categories a batch heard first (icao24 -> "B1", ``Stepped.categories``),
    #: given before its state vectors
    on_categories: list[CategoriesHook] = field(default_factory=list)
    outputs: Rebroadcast | None = None
    #: unix s (wall clock) arrival of the newest batch finished; lag = now - this while busy.
    last_arrival: float | None = None
    busy: bool = False
    batches: int = 0
    #: ``serve --receivers``: the receivers for multilateration (empty: off)
    receivers: tuple[ReceiverSite, ...] = ()

    def __post_init__(self) -> None:
        self.tracker = Tracker(rate_s=self.rate_s, stats=self.stats, places=AirportPlaces())
        # the one ingest step (the batch commands' too)
        # (states files too: the live map reads the tracker's state)
        # Mode A/C replies are decoded only for the re-broadcast outputs (nothing else reads
        # a step's frames and messages; the tracker takes nothing from a reply)
        self._ingest = IngestStep(self.tracker, self.stats, dedup=self.dedup, track_states=True,
                                  modeac_messages=self.outputs is not None)  # fmt: skip
        self.mlat = MlatHook(self.receivers, self.tracker, self.stats) if self.receivers else None
        #: decoder rejects per source (the tracker's own rejects go to ``stats``)
        self.decode_stats: dict[str, IngestStats] = {}
        self._last_snapshot = 0.0
        self._data_t: float | None = None  # newest data time seen (unix s)
        self._data_wall = 0.0  # wall clock when it was seen
        self._step_start = 0.0  # time.monotonic() when the last step began
        self._thread = threading.Thread(target=self.run, name="tracker", daemon=True)
        self.failed: BaseException | None = None

    def start(self) -> None:
        warm_up()
        self._thread.start()

    def join(self, timeout: float | None = None) -> None:
        self._thread.join(timeout)

    def run(self) -> None:
        try:
            while True:
                try:
                    item = self.inbox.get(timeout=IDLE_POLL_S)
                except queue.Empty:
                    self.busy = False
                    self._housekeeping()
                    continue
                if item is None:
                    break
                self.busy = True
                items, end = gather(self.inbox, item, self._step_start + GATHER_S)
                self._step_start = time.monotonic()
                for run in runs(items, by_source=self.mlat is not None):
                    self._process_run(run)
                self._housekeeping()
                if end:
                    break
            if self.mlat is not None:
                for sv in self.mlat.finish():
                    self._emit(sv, time.time())
            self._emit(self._ingest.flush(), time.time())
            self._snapshot(time.time())
        except BaseException as exc:  # reported by the service's stats and stop()
            self.failed = exc
            log.exception("tracker thread failed")

    def _process_run(self, run: list[Item]) -> None:
        """One step over a run of queued items (``gather.runs``): frames or reports merged
        (their reordering left to the step's deduplicator, which copies the rows it keeps)."""
        item, row_sources, order = merge_unordered(run, self.decode_stats)
        self._process(item, row_sources, order)
        self.batches += 1
        self.last_arrival = item.arrival

    def _process(
        self,
        item: Item,
        row_sources: RowSources | None = None,
        order: np.ndarray[Any, np.dtype[np.intp]] | None = None,
    ) -> None:
        chunk = item.chunk
        if order is not None and self.mlat is not None and isinstance(chunk, FrameBatch):
            chunk, order = chunk.take(order), None  # multilateration takes the rows in order
        if self.mlat is not None and isinstance(chunk, FrameBatch):
            for sv in self.mlat.process(chunk):
                self._note_data(sv)
                self._emit(sv, time.time())
            return
        per_source = self.decode_stats.setdefault(item.source, IngestStats())
        out = self._ingest.step(chunk, rejects=per_source, row_sources=row_sources, order=order)
        if out.categories:
            for hook in self.on_categories:
                hook(out.categories)
        sv = out.states
        if self.outputs is not None and out.frames is not None and out.msgs is not None:
            lat, lon = self.tracker.last_positions
            self.outputs.offer(out.frames, out.msgs, lat, lon)
        self._note_data(sv)
        self._emit(sv, time.time())

    def _note_data(self, sv: StateVectors) -> None:
        if len(sv):
            t = float(np.nanmax(sv.timestamp))
            if self._data_t is None or t > self._data_t:
                self._data_t, self._data_wall = t, time.time()

    def _emit(self, sv: StateVectors, now: float) -> None:
        events = self.tracker.events()
        if len(sv):
            table = sv.to_arrow()
            for hook in self.on_states:
                hook(table)
            if self.hub.clients:  # the JSON rows cost; nobody listening, nothing to build
                self.hub.publish_text("positions", positions_json(sv, now))
        if events:
            for hook in self.on_events:
                hook(events)
            self.hub.publish_many("aircraft", [event_message(e) for e in events])

    def _housekeeping(self) -> None:
        now = time.time()
        if self._data_t is not None and self.idle_expiry:
            # Expire by the data clock advanced by the wall time since: replayed (old) data and
            # live data age the same way, and a silent feed still loses its aircraft.
            self.tracker.expire(self._data_t + (now - self._data_wall))
            events = self.tracker.events()
            for hook in self.on_events:
                hook(events)
            self.hub.publish_many("aircraft", [event_message(e) for e in events])
        if now - self._last_snapshot >= self.snapshot_interval_s:
            self._snapshot(now)

    def _snapshot(self, now: float) -> None:
        self._last_snapshot = now
        if self.on_snapshot is None:
            return
        self.on_snapshot(take_columns(self.tracker), now)
