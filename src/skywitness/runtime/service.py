"""The live service's composition root: sources → decode → track → fan-out, started and stopped
in one place.

Started in this order (stopped in reverse): store (its batched state-vector ``Writer``), the
re-broadcast TCP outputs, the watch hook (``--rules``), the flights worker (warm-started with
the flights in progress at the last stop, ``flights/warm.py``), the snapshot worker, the
tracker thread, the source feeds. The store's catalogue is written by the store's one
catalogue writer thread only (``Store.write``): the states writer, the flights worker, the
watch hook's alerts and API imports hand it jobs. Everything downstream of the tracker is a
subscriber: ``on_states`` (state-vector tables), ``on_events`` (tracker events) and
``on_flights`` (changed flights; the watch hook takes them too) are plain lists of callables.
``stop`` drains the feeds, lets the tracker flush its last rows, builds the last flights and
flushes the store before closing it.
"""

from __future__ import annotations

import logging
import queue
import threading
import time
from collections import Counter, deque
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import duckdb
import pyarrow as pa

from ..errors import SkywitnessError
from ..flights.warm import warm_start
from ..identify import ensure_schema as ensure_identity_schema
from ..identify.adsb_facts import PendingCategories
from ..identify.kinds import aircraft_kinds
from ..mlat import load_receivers
from ..stats import IngestStats
from ..store import Store, Writer
from ..watch import list_alerts
from ..watch.recent import RecentSet
from .feeds import Feed, Item
from .hub import Hub
from .live import IdentityCache, LiveSnapshot
from .snapshots import SnapshotWorker
from .tcp_out import Rebroadcast
from .tracking import EventsHook, StatesHook, TrackerWorker
from .watch_hook import alert_message
from .workers import FlightsHook, FlightsWorker

log = logging.getLogger(__name__)

#: Batches queued between the feeds and the tracker (each up to ``batch_size`` frames).
TRACKER_QUEUE_MAX = 64
#: Queued batches above which the tracker counts as behind (background work then waits).
BACKLOG_BATCHES = 8
#: Alerts kept in memory for ``/api/alerts`` when no store holds them.
ALERTS_KEPT = 10_000
#: Interpreter time each snapshot may spend identifying new aircraft, s (the rest wait for the
#: next snapshot, classified meanwhile): a burst of thousands of new aircraft must not stall
#: the tracker thread for seconds.
IDENTIFY_BUDGET_S = 0.2
#: Store writer flush interval for the live service, s (the track endpoint reads the store).
STORE_FLUSH_S = 1.0
#: How often the store writer notes the rows it has received, s: after a kill -9 the next
#: start reports those received and never stored (``store.recovery``).
STORE_JOURNAL_S = 0.25
#: Longest a flights step waits for the store to take the rows before it, s.
LAKE_SYNC_S = 5.0


@dataclass
class ServiceConfig:
    sources: list[str]
    data_dir: Path | None = None  # None: no store (flights and tracks only live)
    rules: Path | None = None
    bind: str = "127.0.0.1"
    port: int = 8080
    beast_out: int | None = None
    sbs_out: int | None = None
    auth_read: bool = False
    token: str | None = None
    allowed_hosts: tuple[str, ...] = ()  # Host names answered besides the bound ones ("*": any)
    cors_origins: tuple[str, ...] = ()  # origins allowed to read cross-site (none: CORS off)
    live_clock: str = "system"  # live 12 MHz counters: "system" (arrival) or "counter" (replays)
    fmt: str = "auto"
    #: the receiver's (latitude, longitude), deg: readsb's receiver.json, range and outline
    receiver_position: tuple[float, float] | None = None
    #: a tar1090 ``html/`` folder served at /tar1090/ (its data/ from this server)
    tar1090_html: Path | None = None
    batch_size: int = 8192
    rate_s: float = 1.0
    snapshot_interval_s: float = 1.0
    flights_interval_s: float = 2.0
    #: merge identical frames within 0.1 s (several receivers, or one feed delivering copies):
    #: the ingest step's policy, the same as ``track`` and ``ingest`` (``--no-dedup``)
    dedup: bool = True
    #: lose aircraft after 60 s of wall time without data (off: only when newer data says so)
    idle_expiry: bool = True
    #: multilateration: the receivers file (docs/mlat.md); None: off
    receivers: Path | None = None


@dataclass
class Subscribers:
    """The fan-out hook: callables given every new state table, tracker event list, flights."""

    on_states: list[StatesHook] = field(default_factory=list)
    on_events: list[EventsHook] = field(default_factory=list)
    on_flights: list[FlightsHook] = field(default_factory=list)


class Service:
    """The running system; ``start`` / ``stop`` / ``wait_closed``."""

    def __init__(self, config: ServiceConfig) -> None:
        self.config = config
        self.started = time.time()
        self.stats = IngestStats()
        self.hub = Hub()
        self.subscribers = Subscribers()
        self.alerts: deque[dict[str, Any]] = deque(maxlen=ALERTS_KEPT)
        # aircraft with one of the last ALERTS_KEPT alerts of this run (``watched`` in /api)
        self.watched = RecentSet(ALERTS_KEPT)
        self.rules_loaded = 0
        self.watch: Any = None  # the watch hook (``--rules``): ``rules``, ``reload()``, ``stop()``
        self.store: Store | None = None
        self.writer: Writer | None = None
        # the emitter categories heard, recorded as identity facts by ``writer``
        self._categories = PendingCategories("serve")
        self._ingest_id: int | None = None
        self._read_con: duckdb.DuckDBPyConnection | None = None
        self._identity_con: duckdb.DuckDBPyConnection | None = None
        self.read_lock = threading.Lock()  # one API query on the read cursor at a time
        self._stop = threading.Event()
        self._closed = threading.Event()
        self._running = False
        self._flights_timeout_s: float | None = None
        self.inbox: queue.Queue[Item | None] = queue.Queue(TRACKER_QUEUE_MAX)
        self.feeds = [
            Feed(
                s,
                self.inbox,
                self._stop,
                fmt=config.fmt,
                batch_size=config.batch_size,
                live_clock=config.live_clock,
            )
            for s in config.sources
        ]
        self.outputs = Rebroadcast(config.bind, config.beast_out, config.sbs_out)
        self.flights: FlightsWorker | None = None
        self.runways: pa.Table | None = None  # the store's (``db import-runways``), or None
        self.snapshots: SnapshotWorker | None = None
        self.tracker: TrackerWorker | None = None

    # -- lifecycle ---------------------------------------------------------------------
    def start(self) -> Service:
        cfg = self.config
        try:
            if cfg.data_dir is not None:
                self.store = Store(cfg.data_dir)
                if not self.store.recovery.clean:  # a kill -9 before: say what it cost
                    log.warning("store recovered after an unclean stop: %s",
                                self.store.recovery.summary())  # fmt: skip
                self.store.write(ensure_identity_schema)
                self._read_con = self.store.connection.cursor()
                self._read_con.execute("SET TimeZone = 'UTC'")
                spec = " ".join(cfg.sources) or "serve"
                self._ingest_id = self.store.begin_ingest(spec, None, "live", None)
                self.writer = Writer(
                    self.store,
                    self._ingest_id,
                    flush_seconds=STORE_FLUSH_S,
                    stats=self.stats,
                    degrade=True,  # a full disk stops storing, never the live service
                    facts=self._categories.take,  # emitter categories, stored with the rows
                    journal_s=STORE_JOURNAL_S,
                ).start()
                # alerts stored earlier (a previous run, a replay) are listed from the start
                for stored in list_alerts(self.store.connection)[-ALERTS_KEPT:]:
                    self.alerts.append(alert_message(stored))
                self.runways = self.store.table("runways")
            self.outputs.start()
            if cfg.rules is not None:
                self._attach_watch(cfg.rules)
            self.flights = FlightsWorker(
                self.hub,
                self.stats,
                store=self.store,
                interval_s=cfg.flights_interval_s,
                backlog=self._backlog,
                process=True,  # the build runs in a child process, off the tracker's GIL
                runways=self.runways,
                lake=self.store.lake if self.store is not None else None,  # recall (ocean gaps)
                lake_sync=self._sync_lake,
                # the aircraft kinds the identity store knows, as ``flights rebuild`` has them
                kinds=aircraft_kinds(self.store.connection) if self.store is not None else None,
                # for the emitter categories heard live: their aircraft's type kinds
                catalogue=self.store.connection.cursor() if self.store is not None else None,
            )
            self.flights.subscribers.append(self._on_flights)
            if self.store is not None:  # flights in progress at the last stop continue
                warm = warm_start(self.store)
                if warm is not None:
                    self.flights.warm(warm)
            self.flights.start()
            identity_con = self.store.connection.cursor() if self.store is not None else None
            self._identity_con = identity_con
            self.snapshots = SnapshotWorker(
                IdentityCache(identity_con, lambda: set(self.watched), IDENTIFY_BUDGET_S),
                self.frames,
            )
            self.snapshots.start()
            self.tracker = TrackerWorker(
                self.inbox,
                self.hub,
                self.stats,
                dedup=cfg.dedup,
                rate_s=cfg.rate_s,
                snapshot_interval_s=cfg.snapshot_interval_s,
                idle_expiry=cfg.idle_expiry,
                on_states=[self._on_states],
                on_events=[self._on_events],
                on_categories=[self._on_categories],
                on_snapshot=self.snapshots.offer,
                outputs=self.outputs if self.outputs.enabled else None,
                receivers=load_receivers(cfg.receivers) if cfg.receivers else (),
            )
            self.tracker.start()
            for feed in self.feeds:
                feed.start()
        except BaseException:
            self._teardown()
            raise
        self._running = True
        return self

    def _attach_watch(self, rules: Path) -> None:
        try:
            from .watch_hook import attach
        except ImportError as exc:
            raise SkywitnessError(
                f"--rules given but the watch engine is unavailable: {exc}"
            ) from exc
        self.watch = attach(self, rules)
        self.rules_loaded = self.watch.rules
        self.watch.start()

    def _sync_lake(self) -> None:
        """Everything the tracker gave so far into the lake before a flights step (bounded)."""
        if self.writer is not None:
            self.writer.sync(LAKE_SYNC_S)

    def stop(self, flights_timeout_s: float | None = None) -> None:
        """Stop the feeds, drain the tracker, build the last flights, flush and close the store;
        ``flights_timeout_s``: longest the last flights step may take (a SIGTERM)."""
        if self._closed.is_set():
            return
        self._flights_timeout_s = flights_timeout_s
        self._stop.set()
        for feed in self.feeds:
            feed.join(timeout=10.0)
        if self.tracker is not None:
            self.inbox.put(None)
            self.tracker.join(timeout=60.0)
        self._teardown()

    def _teardown(self) -> None:
        self._running = False
        if self.snapshots is not None:
            self.snapshots.stop()
        if self.flights is not None:
            self.flights.stop(self._flights_timeout_s)
        if self.watch is not None and hasattr(self.watch, "stop"):
            self.watch.stop()
        self.outputs.stop()
        if self.writer is not None:
            try:
                self.writer.stop()
            except Exception:
                log.exception("store writer failed")
        if self.store is not None:
            if self._ingest_id is not None:
                self.store.finish_ingest(self._ingest_id, self.counts())
            for con in (self._read_con, self._identity_con):
                if con is not None:
                    con.close()
            self.store.close()
        self._closed.set()

    def wait_closed(self, timeout: float | None = None) -> bool:
        return self._closed.wait(timeout)

    def wait_idle(self, timeout: float = 30.0) -> bool:
        """Wait until every file feed is done and the tracker has drained its queue (tests)."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            files_done = all(f.done.is_set() for f in self.feeds if "://" not in f.spec)
            if files_done and self.inbox.empty() and self.tracker and not self.tracker.busy:
                return True
            time.sleep(0.05)
        return False

    # -- fan-out -----------------------------------------------------------------------
    def _on_states(self, table: Any) -> None:
        if self.writer is not None:
            self.writer.append(table)
        if self.flights is not None:
            self.flights.add(table)
        for hook in self.subscribers.on_states:
            hook(table)

    def _on_categories(self, categories: dict[str, str]) -> None:
        if self.writer is not None:
            self._categories.add(categories)
        if self.flights is not None:
            self.flights.learn(categories)

    def _on_events(self, events: list[Any]) -> None:
        for hook in self.subscribers.on_events:
            hook(events)

    def _on_flights(self, table: Any, removed: list[str]) -> None:
        for hook in self.subscribers.on_flights:
            hook(table, removed)

    def publish_alert(self, alert: dict[str, Any]) -> None:
        """Record an alert (from the watch engine) and push it to stream clients."""
        self.alerts.append(alert)
        if alert.get("icao24"):
            self.watched.add(str(alert["icao24"]))
        self.hub.publish("alert", alert)

    # -- reads for the API -------------------------------------------------------------
    @property
    def snapshot(self) -> LiveSnapshot:
        return self.snapshots.current if self.snapshots is not None else LiveSnapshot.empty()

    def read_connection(self) -> duckdb.DuckDBPyConnection | None:
        """The store cursor for API reads (hold ``read_lock`` while using it)."""
        return self._read_con

    def frames(self) -> int:
        return sum(f.state.frames for f in self.feeds)

    def rejects_by_source(self) -> dict[str, Counter[str]]:
        """Reject counts per source (reading and decoding) and under "tracker" (tracking)."""
        decode = self.tracker.decode_stats if self.tracker is not None else {}
        out: dict[str, Counter[str]] = {}
        for f in self.feeds:
            c: Counter[str] = Counter(f.state.stats.rejected)
            if f.spec in decode:
                c.update(decode[f.spec].rejected)
            out[f.spec] = c
        out["tracker"] = Counter(self.stats.rejected)
        return out

    def rejects(self) -> Counter[str]:
        total: Counter[str] = Counter()
        for c in self.rejects_by_source().values():
            total.update(c)
        return total

    def counts(self) -> dict[str, Any]:
        return {"read": self.frames(), "accepted": self.stats.accepted, "rejected": self.rejects()}

    def _backlog(self) -> bool:
        """The tracker is behind: more than ``BACKLOG_BATCHES`` batches wait for it."""
        return self.inbox.qsize() > BACKLOG_BATCHES

    def mlat_stats(self) -> dict[str, Any] | None:
        """Multilateration clock sync and counters (``--receivers``), else None."""
        tr = self.tracker
        return tr.mlat.stats() if tr is not None and tr.mlat is not None else None

    def lag_s(self) -> float:
        """Arrival of the newest finished batch to now, while work is queued; 0 when caught up."""
        t = self.tracker
        if t is None or t.last_arrival is None or (not t.busy and self.inbox.empty()):
            return 0.0
        return max(0.0, time.time() - t.last_arrival)
