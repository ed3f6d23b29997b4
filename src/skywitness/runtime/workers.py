"""The flights worker of the live service, beside the tracker thread (the snapshot worker is
in ``snapshots``).

- ``FlightsWorker``: hands the state vectors to the flights stage every ``interval_s`` of wall
  time (``FlightSteps.advance``: one stage step per data-time window sealed, so the flight
  changes do not depend on the wall clock; new flights, material changes and finished flights
  pass at once, progress about once a minute of data time per flight); when no state vector
  came for ``FLIGHTS_QUIET_S`` (the input went quiet) every window buffered is stepped and
  everything held passed on. It stores what the steps pass on and publishes it (SSE, watch
  subscribers).
  With ``process=True`` the builder runs in a child process (``FlightsProcess``): the worker
  thread then only ships tables and waits on a pipe, without holding the GIL for the build.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Mapping
from pathlib import Path

import duckdb
import pyarrow as pa
import pyarrow.compute as pc

from ..errors import SkywitnessError
from ..flights.warm import WarmStart
from ..flights.windows import LATENESS_S as WINDOW_LATENESS_S
from ..flights.windows import STEP_S as WINDOW_S
from ..identify.kinds import kinds_heard
from ..model import RejectReason
from ..stats import IngestStats
from ..store import Store
from .flight_steps import FlightsEngine, FlightSteps, StepResult
from .flight_store import FlightStorer
from .flights_proc import CHILD_EXIT_S, FlightsProcess
from .hub import Hub
from .step_wait import LAST_STEP_IDLE_S, join_working

log = logging.getLogger(__name__)

FlightsHook = Callable[[pa.Table, list[str]], None]
#: The flights worker waits at least this many times its last step's duration between steps.
FLIGHTS_DUTY_WAIT = 3.0
#: Longest wait between two flights steps, s (a slow step, the child's start, does not leave the
#: queue unattended for long).
FLIGHTS_WAIT_MAX_S = 10.0
#: Later than any timestamp, ms.
NEVER_END = 2**62
#: Longest a flights step is put off while the tracker has a backlog, s; and how often it looks.
FLIGHTS_DEFER_MAX_S = 20.0
FLIGHTS_DEFER_POLL_S = 0.25
#: Changed flights serialised and published at a time, and the pause between chunks while the
#: tracker is behind, s.
FLIGHTS_PUBLISH_CHUNK = 250
FLIGHTS_YIELD_S = 0.05
#: Longest a chunk of flight messages waits for room in the stream clients' queues, s, and how
#: often it looks.
FLIGHTS_PACE_MAX_S = 2.0
FLIGHTS_PACE_POLL_S = 0.01
#: Wall seconds without a new state vector after which the input counts as quiet: every
#: data-time window buffered is then stepped and every held change passed on (a replay that
#: pauses this long is the one case where wall time shapes the flight changes).
FLIGHTS_QUIET_S = 10.0
#: State vectors queued for the flights stage at most; the oldest are dropped beyond (counted).
PENDING_MAX_ROWS = 2_000_000
#: Reject reasons by label (a step reports counts by label).
REASONS = {r.label: r for r in RejectReason}


class FlightsWorker:
    """Incremental flights in a thread: ``add`` queues state vectors (never blocks).

    ``process=True``: the flights state (``FlightSteps``) lives in a ``FlightsProcess``
    (started with the worker, closed by ``stop`` after the last step), else in this thread.
    ``learn`` takes the emitter categories the tracker hears first (never blocks): before its
    next step the worker resolves them into kinds as ``aircraft_kinds`` does
    (``identify.kinds.kinds_heard`` over ``catalogue``, a cursor of the identity store used by
    this thread only, or none) and the stage judges those aircraft by them from then on.
    """

    def __init__(
        self,
        hub: Hub,
        stats: IngestStats,
        *,
        store: Store | None = None,
        interval_s: float = 2.0,
        backlog: Callable[[], bool] | None = None,
        process: bool = False,
        runways: pa.Table | None = None,
        lake: Path | None = None,
        lake_sync: Callable[[], object] | None = None,
        kinds: dict[str, int] | None = None,
        catalogue: duckdb.DuckDBPyConnection | None = None,
        quiet_s: float = FLIGHTS_QUIET_S,
    ) -> None:
        self.hub = hub
        # no input for this long (wall time): every buffered window is stepped (math.inf:
        # never, for a replay whose steps must not depend on pauses)
        self.quiet_s = quiet_s
        self.catalogue = catalogue  # read in the worker thread only
        self._categories: dict[str, str] = {}  # heard, not yet resolved
        # stores what the tracker gave so far before a step: a recall from the lake must see
        # the rows before an ocean gap even when they came a moment ago (a fast replay)
        self.lake_sync = lake_sync
        self.stats = stats
        self.store = store
        self.interval_s = interval_s
        # lake: the store's Parquet lake, whence flights forgotten in the air are recalled
        # kinds: icao24 -> aircraft kind (the identity store's, as ``flights rebuild`` uses)
        # with a store, a finished flight is stored, then forgotten: memory holds the flights
        # in progress, not every flight of a run of months (#17 item 12)
        keep = store is None
        self.process = FlightsProcess(runways, lake, kinds, keep) if process else None
        self.engine: FlightsEngine = self.process or FlightSteps(
            runways, lake=lake, kinds=kinds, keep_final=keep
        )
        self.backlog = backlog  # True while the tracker is behind: steps are put off
        self.subscribers: list[FlightsHook] = []
        self.updates = 0
        self.held = 0  # flights whose latest change the gate holds back
        self.dropped_rows = 0  # state vectors whose flights were not built (two failed steps)
        self.recalls = 0  # flights recalled from the lake (forgotten in the air, back)
        self.rows_held = 0  # state vectors the flights stage holds (flights in progress)
        self.rows_held_quiet = 0  # ... of them for aircraft gone quiet (landed, out of range)
        self.rows_parked = 0  # state vectors of quiet aircraft parked on disk (not held)
        self.buffered = 0  # state vectors in data-time windows not yet stepped
        # stores what the steps pass on; a full disk degrades it (live flights go on)
        self.storer = FlightStorer(store) if store is not None else None
        self.windows = 0  # data-time windows stepped
        self._requeued = False  # the pending tables include a failed step's, retried once
        self.last_step_s = 0.0
        self.failed: BaseException | None = None
        self._pending: list[pa.Table] = []
        self._pending_rows = 0
        self._last_input = time.monotonic()  # when the last state vectors were queued
        self._more = False  # the last step left sealed windows for the next
        self._newest_ms = -(2**62)  # newest state vector handed over, ms
        self._unsynced_ms = NEVER_END  # oldest state vector handed over since the last sync, ms
        self._warm: pa.Table | None = None  # a warm start's rows, stepped first
        self._supersedes: list[str] = []  # stored flights the warm rows rebuild
        self._lock = threading.Lock()
        self._step_lock = threading.Lock()  # steps in order, one at a time (stop, tests)
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="flights", daemon=True)

    def start(self) -> None:
        if self.process is not None:
            self.process.start()
        self._thread.start()

    def add(self, table: pa.Table) -> None:
        """Queue state vectors for the next step; beyond ``PENDING_MAX_ROWS`` queued (the
        flights stage far behind) the oldest are dropped and counted (``dropped_rows``; they
        are in the store, ``skywitness flights rebuild`` builds their flights)."""
        with self._lock:
            self._pending.append(table)
            self._pending_rows += table.num_rows
            self._last_input = time.monotonic()
            while self._pending_rows > PENDING_MAX_ROWS and len(self._pending) > 1:
                old = self._pending.pop(0)
                self._pending_rows -= old.num_rows
                self.dropped_rows += old.num_rows

    def learn(self, categories: Mapping[str, str]) -> None:
        """Emitter categories first heard (icao24 -> "B1"), resolved into kinds before the
        next step."""
        with self._lock:
            self._categories.update(categories)

    def _learn_kinds(self) -> None:
        with self._lock:
            categories, self._categories = self._categories, {}
        if categories:
            self.engine.learn_kinds(kinds_heard(self.catalogue, categories))

    @property
    def pending_rows(self) -> int:
        """State vectors queued for the next step."""
        return self._pending_rows

    def warm(self, warm: WarmStart) -> None:
        """Queue a warm start (``flights.warm``): its rows first, in one step, with the stored
        flights they rebuild, so that the first step replaces those instead of adding copies."""
        with self._lock:
            self._warm = warm.states
            self._supersedes += warm.supersedes

    def _run(self) -> None:
        # The incremental builder's cost grows with the aircraft touched per step, and it
        # shares the CPU (in a thread also the interpreter) with the tracker: waiting
        # FLIGHTS_DUTY_WAIT times as long as the last step took caps its share of the CPU, and
        # bigger batches cost less per row.
        # While the tracker has a backlog a step waits (up to FLIGHTS_DEFER_MAX_S): flights are
        # not latency-critical, positions are.
        wait = self.interval_s
        deferred_since: float | None = None
        while not self._stop.wait(wait):
            t0 = time.monotonic()
            if self.backlog is not None and self.backlog():
                deferred_since = t0 if deferred_since is None else deferred_since
                if t0 - deferred_since < FLIGHTS_DEFER_MAX_S:
                    wait = FLIGHTS_DEFER_POLL_S
                    continue
            deferred_since = None
            with self._step_lock:
                quiet = time.monotonic() - self._last_input >= self.quiet_s
                self._step(final=False, drain=False, quiet=quiet)
            self.last_step_s = time.monotonic() - t0
            wait = min(
                max(self.interval_s, FLIGHTS_DUTY_WAIT * self.last_step_s), FLIGHTS_WAIT_MAX_S
            )
            if self._more:  # sealed windows wait: the stage is behind, no pause
                wait = 0.0
        self.step(final=True)

    def step(self, final: bool = False) -> None:
        """Step every data-time window buffered with everything queued so far (tests, stop);
        ``final`` (stop): also pass on every change the gate holds back."""
        with self._step_lock:
            self._step(final, drain=True, quiet=False)

    def _step(self, final: bool, drain: bool, quiet: bool) -> None:
        """One hand-over: the queued rows to the windows, the sealed windows (``drain``: all)
        stepped. With nothing queued and ``quiet`` (no input for ``FLIGHTS_QUIET_S``) every
        window is stepped and the gate flushed: the store catches up."""
        with self._lock:
            tables, self._pending, self._pending_rows = self._pending, [], 0
            warm, self._warm = self._warm, None
            supersedes, self._supersedes = self._supersedes, []
        quiet = quiet and not tables and warm is None
        if not (tables or warm is not None or supersedes or final or drain or quiet or self._more):
            return
        idle = not (tables or warm is not None or supersedes or self.held or self.buffered)
        if idle and (self.storer is None or not self.storer.unstored):
            return
        try:
            self._learn_kinds()
            states = pa.concat_tables(tables) if tables else None
            if self.lake_sync is not None and self._seals(tables, warm, drain or quiet):
                self.lake_sync()
            t0 = time.monotonic()
            try:
                res = self.engine.advance(
                    states,
                    warm=warm,
                    supersedes=supersedes,
                    drain=drain or quiet,
                    flush=final or quiet or (drain and not tables),
                    want_texts=self.hub.clients > 0,
                )
            except SkywitnessError as exc:  # the child failed or died (a fresh one follows)
                self._retry(tables, exc, warm, supersedes)
                return
            self._requeued = False
            self.updates += bool(tables)
            self.held, self.recalls, self.rows_held = res.held, res.recalls, res.rows_held
            self.rows_held_quiet, self.rows_parked = res.rows_held_quiet, res.rows_parked
            self.buffered, self.windows = res.buffered, self.windows + res.windows
            self._more = res.more
            for label, count in res.rejects.items():
                self.stats.reject(REASONS[label], "flights", count=int(count))
            t1 = time.monotonic()
            self._pass_on(res)
            if res.windows:  # once a minute of data: where a step's wall time went
                log.info(
                    "flights: %d rows, %d windows, %d changes: stage %.2f s, stored and "
                    "published in %.2f s; %d rows held, %d queued",
                    states.num_rows if states is not None else 0,
                    res.windows,
                    res.changed.num_rows,
                    t1 - t0,
                    time.monotonic() - t1,
                    res.rows_held,
                    self._pending_rows,
                )
        except Exception as exc:  # counted and logged; the next step tries again
            self.failed = exc
            log.exception("flights update failed")

    def _room_for(self, texts: list[str]) -> None:
        """Wait (at most ``FLIGHTS_PACE_MAX_S``) until every stream client has room for
        ``texts`` (in messages and in bytes): a window's flight changes (thousands at a
        service's start, or when the input goes quiet) reach a client that keeps up whole,
        instead of pushing its oldest messages out; a client that does not read is not waited
        for longer."""
        deadline = time.monotonic() + FLIGHTS_PACE_MAX_S
        size = sum(map(len, texts))
        while not self.hub.has_room(len(texts), size) and time.monotonic() < deadline:
            time.sleep(FLIGHTS_PACE_POLL_S)

    def _seals(self, tables: list[pa.Table], warm: pa.Table | None, drain: bool) -> bool:
        """Whether this hand-over may step a window (then the store must hold every row given
        so far: a recall reads them from the lake); in live running once a window, not at
        every hand-over."""
        for t in tables:
            if t.num_rows and "timestamp" in t.column_names:
                ms = t["timestamp"].cast(pa.timestamp("ms", "UTC")).cast(pa.int64())
                lo, hi = pc.min_max(ms).values()
                if lo.as_py() is not None:
                    self._unsynced_ms = min(self._unsynced_ms, lo.as_py())
                    self._newest_ms = max(self._newest_ms, hi.as_py())
        step, late = round(WINDOW_S * 1000), round(WINDOW_LATENESS_S * 1000)
        sealed = (self._newest_ms - late) // step * step  # windows ending here or before
        first_end = (self._unsynced_ms // step + 1) * step  # the oldest row's window
        if warm is not None or ((drain or first_end <= sealed) and self._unsynced_ms < NEVER_END):
            self._unsynced_ms = NEVER_END  # every row handed over so far is in the store
            return True
        return False

    def _pass_on(self, res: StepResult) -> None:
        """Store and publish what a step passed on."""
        changed, removed = res.changed, res.removed
        if self.storer is not None:
            self.storer.store(res)
        texts = res.texts or []
        for at in range(0, len(texts), FLIGHTS_PUBLISH_CHUNK):
            chunk = texts[at : at + FLIGHTS_PUBLISH_CHUNK]
            self._room_for(chunk)
            self.hub.publish_texts(chunk)
            if self.backlog is not None and self.backlog():
                time.sleep(FLIGHTS_YIELD_S)  # let the tracker catch up between chunks
        for hook in self.subscribers:
            hook(changed, removed)

    def _retry(
        self,
        tables: list[pa.Table],
        exc: SkywitnessError,
        warm: pa.Table | None,
        supersedes: list[str],
    ) -> None:
        """Queue a failed step's state vectors again, once: a child that died is replaced at
        the next step, which then builds them; a second failure drops them (they are in the
        store: ``skywitness flights rebuild`` recomputes their flights). The rows a dead child
        held in its windows are lost with its flights in progress (counted)."""
        self.failed = exc
        rows = sum(t.num_rows for t in tables)
        if self.process is not None and self.process.process is None:  # the child died
            self.dropped_rows += self.buffered
            self.buffered = 0
        if (tables or warm is not None) and not self._requeued:
            self._requeued = True
            with self._lock:
                self._pending[:0] = tables
                self._pending_rows += rows
                self._warm = warm if self._warm is None else self._warm
                self._supersedes[:0] = supersedes
            log.error("flights step failed (%s); its %d state vectors are retried", exc, rows)
        else:
            self._requeued = False
            self.dropped_rows += rows
            log.error("flights step failed again (%s); %d state vectors not built", exc, rows)

    def stop(self, timeout: float | None = None) -> None:
        """The last step (every window, everything held), then the child's exit. ``timeout``
        (s, a SIGTERM): longest the last step may take; none: as long as the child works, up
        to ``step_wait.LAST_STEP_CPU_S`` of its CPU (a niced child on a loaded machine takes
        minutes of wall time for seconds of work); then the child is killed and the flights
        in progress are left to the next start (its warm start rebuilds them from the stored
        state vectors)."""
        self._stop.set()
        if self._thread.is_alive():
            if self.process is None or timeout is not None:
                self._thread.join(timeout=LAST_STEP_IDLE_S if timeout is None else timeout)
            else:
                join_working(self._thread, self.process.cpu_s)
            if self._thread.is_alive() and self.process is not None:
                log.error(
                    "flights: the last step did not end (%s); stopped without it "
                    "(the next start rebuilds the flights in progress)",
                    f"{timeout:.0f} s" if timeout is not None else "the child's work bound",
                )
                self.process.kill()
                self._thread.join(timeout=CHILD_EXIT_S)
        else:
            self.step(final=True)
        if self.process is not None:
            self.process.close()
        elif not self._thread.is_alive():
            self.engine.close()  # (the steps' parked rows)
