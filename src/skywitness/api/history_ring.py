"""readsb's ``history_N.json``: the live ``aircraft.json`` as it was, one every 30 s.

readsb keeps 120 of them (an hour), which tar1090 loads to draw the trails of the aircraft on
screen. A home receiver's body is a few kB; at world scale (20,000 aircraft) it is ~5.5 MB plain
and ~1 MB gzip-compressed, so an hour of plain bodies was 660 MB that grew for an hour without
end in sight: in the 50-minute load run serve's heap grew ~0.3 MB/s all the way, and the ring
was all of it. So a sample keeps only the gzip bytes the snapshot already made (the plain ones
are made again for the rare client that does not take gzip), and the ring keeps at most
``HISTORY_MAX_BYTES`` of them, dropping the oldest: the whole hour for any receiver, the last
quarter of an hour or so of the whole world's sky.
"""

from __future__ import annotations

import gzip
import threading
import time
import weakref
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from ..runtime.service import Service

#: Samples kept and their spacing: readsb's defaults (``history_N.json``), 1 h.
HISTORY_ITEMS = 120
HISTORY_INTERVAL_S = 30.0
#: Compressed bytes the samples may hold together (32 samples of 20,000 aircraft).
HISTORY_MAX_BYTES = 32 * 2**20


@dataclass(frozen=True, slots=True)
class Sample:
    """One ``aircraft.json`` as it was: its gzip bytes and ETag."""

    gz: bytes
    etag: str

    @property
    def plain(self) -> bytes:
        """The plain bytes, made again (only for a client that does not take gzip)."""
        return gzip.decompress(self.gz)


class HistoryRing:
    """The last ``max_items`` samples, at most ``max_bytes`` of them, one every ``interval_s``,
    with the service's ``counters`` (readsb's running totals, for ``stats.json``'s last
    minute), taken by a daemon thread that ends with the service (closed, or gone)."""

    def __init__(
        self,
        service: Service,
        counters: Callable[[Service], dict[str, int]],
        interval_s: float = HISTORY_INTERVAL_S,
        *,
        max_items: int = HISTORY_ITEMS,
        max_bytes: int = HISTORY_MAX_BYTES,
        start: bool = True,
    ) -> None:
        self.items: deque[Sample] = deque()
        self.counters: deque[tuple[float, dict[str, int]]] = deque(maxlen=max_items)
        self.nbytes = 0  # gzip bytes held by ``items``
        self.dropped = 0  # samples let go for the byte bound (not counting the hour's end)
        self.max_items, self.max_bytes = max_items, max_bytes
        self._lock = threading.Lock()
        self._service = weakref.ref(service)
        self._interval = interval_s
        self._counters = counters
        if start:
            threading.Thread(target=self._run, name="tar1090-history", daemon=True).start()

    def sample(self) -> None:
        """Take one sample: the counters and, with aircraft live, their body."""
        service = self._service()
        if service is None:
            return
        self.counters.append((time.time(), self._counters(service)))
        if service.snapshot.count:
            # not a demand: a sample every 30 s made 10 s of snapshots serialise theirs eagerly
            body = service.snapshot.readsb_body.get(demand=False)
            self.add(Sample(body.gz, body.etag))

    def add(self, sample: Sample) -> None:
        """Keep ``sample``; the oldest go while more than ``max_items`` or ``max_bytes`` are
        held (the newest is always kept)."""
        with self._lock:
            self.items.append(sample)
            self.nbytes += len(sample.gz)
            while len(self.items) > 1 and (
                len(self.items) > self.max_items or self.nbytes > self.max_bytes
            ):
                old = self.items.popleft()
                self.nbytes -= len(old.gz)
                if len(self.items) < self.max_items:
                    self.dropped += 1

    def get(self, n: int) -> Sample | None:
        """Sample ``n`` (0 the oldest), None when there is none."""
        with self._lock:
            items = list(self.items)
        return items[n] if 0 <= n < len(items) else None

    def since(self, now: float, span_s: float) -> tuple[float, dict[str, int]] | None:
        """The newest counter sample at least ``span_s`` old (else the oldest), if any."""
        old = [c for c in self.counters if c[0] <= now - span_s]
        return old[-1] if old else (self.counters[0] if self.counters else None)

    def _run(self) -> None:
        while True:
            service = self._service()
            wait = getattr(service, "wait_closed", None)  # a stand-in service has none
            if wait is None or wait(timeout=self._interval):
                return
            del service  # no strong reference between samples
            self.sample()
