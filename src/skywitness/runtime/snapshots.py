"""The snapshot worker of the live service: ``SnapshotWorker`` serialises the tracker's state
copy into a ``LiveSnapshot`` off the tracker thread (the latest copy wins: if serialising falls
behind, intermediate copies are skipped). Every ``TRIM_S`` it also hands the C heap's free
pages back to the kernel (``memory.trim_heap``): the service's threads free far more than they
keep, and glibc would otherwise hold the freed pages for good."""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable

from . import memory
from .live import IdentityCache, LiveSnapshot, build_snapshot
from .live_cols import LiveColumns

log = logging.getLogger(__name__)

#: A snapshot's bodies are serialised as it is built while one was requested this recently, s.
DEMAND_S = 10.0
#: How often the C heap's free pages go back to the kernel, s (a trim costs milliseconds).
TRIM_S = 10.0


class SnapshotWorker:
    """Builds ``LiveSnapshot``s off the tracker thread; ``current`` is always a complete one."""

    def __init__(self, identities: IdentityCache, messages: Callable[[], int]) -> None:
        self.identities = identities
        self.current = LiveSnapshot.empty(time.time())
        self.built = 0
        self.last_build_s = 0.0
        self._messages = messages
        self.trims = 0
        self._trimmed = time.monotonic()
        self._pending: tuple[LiveColumns, float] | None = None
        self._wanted_at = [-DEMAND_S, -DEMAND_S]  # monotonic s: last request of each body
        self._cv = threading.Condition()
        self._stopping = False
        self._thread = threading.Thread(target=self._run, name="snapshot", daemon=True)

    def start(self) -> None:
        self._thread.start()

    def offer(self, columns: LiveColumns, now: float) -> None:
        with self._cv:
            self._pending = (columns, now)
            self._cv.notify()

    def build_now(self, columns: LiveColumns, now: float, eager: bool | None = None) -> None:
        """Build a snapshot; its bodies are serialised now when ``eager``, or (None) when one
        was asked for in the last ``DEMAND_S`` (else on their first request)."""
        t0 = time.perf_counter()
        prev = (self.current.aircraft_body, self.current.readsb_body)
        for k, body in enumerate(prev):
            if body.wanted_at is not None:
                self._wanted_at[k] = max(self._wanted_at[k], body.wanted_at)
        mono = time.monotonic()
        want = tuple(eager if eager is not None else mono - t < DEMAND_S for t in self._wanted_at)
        self.current = build_snapshot(
            columns, now, self._messages(), self.identities, eager=(want[0], want[1])
        )
        self.last_build_s = time.perf_counter() - t0
        self.built += 1

    def _run(self) -> None:
        while True:
            with self._cv:
                while self._pending is None and not self._stopping:
                    self._cv.wait()
                job, self._pending = self._pending, None
                if job is None:
                    return
            try:
                self.build_now(*job)
            except Exception:  # a bad snapshot must not stop the next one
                log.exception("live snapshot failed")
            self.maybe_trim()

    def maybe_trim(self) -> None:
        """``memory.trim_heap`` when ``TRIM_S`` has passed since the last."""
        if time.monotonic() - self._trimmed >= TRIM_S:
            memory.trim_heap()
            self._trimmed = time.monotonic()
            self.trims += 1

    def stop(self) -> None:
        with self._cv:
            self._stopping = True
            self._cv.notify()
        if self._thread.is_alive():
            self._thread.join()  # a build in progress finishes (it may be using the store)
