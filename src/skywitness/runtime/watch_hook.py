"""Wires the watch engine into the live service: a subscriber on its state vectors.

The tracker thread only queues tables here, and the flights worker the flight changes of the
service's one flights stage (the watch builds no flights of its own: an alert names a flight
the store holds); one worker thread feeds them to ``watch.Watch`` (events → rules → alerts
stored in the catalogue and sent to the notifiers) and hands each alert to the service
(``/api/alerts``, the SSE stream). ``reload`` swaps in a freshly loaded rule set;
when the file does not load the old rules stay in force and the error goes to the caller.

The watch holds minutes of state vectors (the windows not evaluated yet, and the last
``watch.source.HISTORY_S`` for the positions behind an alert): here they go to files under
``SPOOL_DIR`` in the data directory (a temporary folder without one), so that the service's
memory does not grow with the feed rate (``watch.held``). The watch keeps no list of its alerts:
each is handed to the service as it comes.
"""

from __future__ import annotations

import logging
import queue
import shutil
import tempfile
import threading
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pyarrow as pa

from ..watch import Alert, Watch, load_rules, make_notifier
from .live import memo_identities

if TYPE_CHECKING:
    from .service import Service

log = logging.getLogger(__name__)

#: State tables queued for the watch worker before the tracker thread waits.
WATCH_QUEUE_MAX = 256
#: Longest a stop waits for the watch to process its last windows (up to 3 minutes of data
#: time: 15-30 s for 17,500 aircraft on the 2-core dev box), s.
WATCH_STOP_S = 60.0
#: The folder of the data directory the watch spools its held state vectors to.
SPOOL_DIR = "watch-spool"
_STOP = object()


def alert_message(a: Alert) -> dict[str, Any]:
    """The API's alert object (docs/api.md) from a watch ``Alert``."""
    return {
        "id": a.alert_id,
        "time": a.timestamp,
        "rule": a.rule,
        "icao24": a.icao24,
        "callsign": a.callsign or None,
        "event": a.event,
        "flight_id": a.flight_id or None,
        "message": a.title(),
        "details": {
            "latitude": a.latitude,
            "longitude": a.longitude,
            "altitude": a.altitude,
            "airport": a.airport,
            "country": a.country,
            "squawk": a.squawk,
            "area": a.area,
            "sources": a.sources,
            "positions": a.positions,
            "identity": a.identity,
        },
    }


class WatchHook:
    """The watch engine behind a queue; ``rules`` is the number of rules in force."""

    def __init__(self, service: Service, rules_path: Path) -> None:
        self.service = service
        self.rules_path = rules_path
        self._lock = threading.Lock()
        self._queue: queue.Queue[object] = queue.Queue(WATCH_QUEUE_MAX)
        self.failed: BaseException | None = None
        data_dir = service.config.data_dir
        self._tmp: Path | None = None
        if data_dir is None:
            self._tmp = Path(tempfile.mkdtemp(prefix="skywitness-watch-"))
        self.spool_dir = data_dir / SPOOL_DIR if data_dir is not None else self._tmp
        self.watch, self._notifiers = self._load()
        self._thread = threading.Thread(target=self._run, name="watch", daemon=True)

    @property
    def rules(self) -> int:
        return len(self.watch.ruleset.rules)

    def _load(self) -> tuple[Watch, list[tuple[str, Any]]]:
        ruleset = load_rules(self.rules_path)
        notifiers = [(cfg.name, make_notifier(cfg)) for cfg in ruleset.notifiers]
        con = self.service.read_connection()
        cursor = con.cursor() if con is not None else None
        watch = Watch(
            ruleset,
            con=cursor,
            # each operator designator of a window's new aircraft queried once, not per aircraft
            identities=memo_identities(cursor) if cursor is not None else None,
            store=self.service.store,
            notifiers=notifiers,
            runways=self.service.runways,
            subscribed=True,
            spool=self.spool_dir,
            keep_alerts=False,
        )
        return watch, notifiers

    def notifier_stats(self) -> list[dict[str, Any]]:
        """Each notifier's counts (``QueuedNotifier.stats``) for ``/api/stats``."""
        return [n.stats() for _, n in list(self._notifiers) if hasattr(n, "stats")]

    def start(self) -> None:
        self.service.subscribers.on_states.append(self.offer)
        self.service.subscribers.on_flights.append(self.offer_flights)
        self._thread.start()

    def offer(self, table: pa.Table) -> None:
        self._queue.put(table)

    def offer_flights(self, changed: pa.Table, removed: list[str]) -> None:
        self._queue.put((changed, removed))

    def reload(self) -> int:
        """Load the rules file again; raises (keeping the old rules) when it does not load."""
        watch, notifiers = self._load()
        with self._lock:
            watch.source.adopt_flights(self.watch.source)  # the stage does not send them again
            self.watch.source.close()
            old, self.watch = self._notifiers, watch
            self._notifiers = notifiers
        for _, n in old:
            n.close(timeout_s=5.0)
        return self.rules

    def identities(self) -> int:
        """(aircraft, callsign) identities the rule engine holds (``/api/stats`` ``memory``)."""
        return self.watch.engine.cached()

    def remembered(self) -> tuple[int, int] | None:
        """Aircraft the event source remembers (heard lately, or lost and not yet forgotten)
        and the cooldown's keys (``/api/stats`` ``memory``); None when a window changed them
        while they were counted (read without the lock, which a window holds)."""
        watch = self.watch
        try:
            return watch.source.remembered(), len(watch.cooldown)
        except RuntimeError:  # (a dict changed size while summed)
            return None

    def held_mb(self) -> tuple[float, float]:
        """MB of state vectors the watch holds in memory, and in its spool's files
        (``/api/stats`` ``memory``)."""
        source = self.watch.source
        return source.held_bytes() / 2**20, source.spool.disk_bytes() / 2**20

    def _run(self) -> None:
        while True:
            item = self._queue.get()
            final = item is _STOP
            try:
                with self._lock:
                    watch = self.watch
                    if isinstance(item, tuple):
                        watch.on_flights(*item)
                        continue
                    alerts = watch.flush() if final else watch.feed(item)
                for a in alerts:
                    self.service.publish_alert(alert_message(a))
            except Exception as exc:  # one bad batch must not stop watching
                self.failed = exc
                log.exception("watch failed on a batch")
            if final:
                return

    def stop(self) -> None:
        if self._thread.is_alive():
            self._queue.put(_STOP)
            self._thread.join(timeout=WATCH_STOP_S)
            if self._thread.is_alive():
                log.warning(
                    "the watch was still flushing its last windows after %.0f s: the alerts of "
                    "the last minutes may be missing (`skywitness watch --replay` finds them)",
                    WATCH_STOP_S,
                )
        for _, n in self._notifiers:
            n.close(timeout_s=10.0)
        if not self._thread.is_alive():
            self.watch.source.close()
            if self._tmp is not None:
                shutil.rmtree(self._tmp, ignore_errors=True)


def attach(service: Service, rules_path: Path) -> WatchHook:
    """Load the rules (raising on a bad file) and subscribe the engine to the service."""
    return WatchHook(service, rules_path)
