"""Source threads of the live service: open a source, decode its batches, queue them for the
tracker; reopen a live source with backoff when it ends or fails.

Decoding happens in the tracker thread, after frames heard by several receivers are merged
(the deduplicator needs every source's frames). Each feed keeps its own ``IngestStats`` so
``/api/stats`` can report rejects per source; the queue to the tracker is bounded, so a tracker
that falls behind slows the sources (TCP flow control then holds the sender back) instead of
growing memory without limit.
"""

from __future__ import annotations

import collections
import logging
import queue
import threading
import time
from dataclasses import dataclass, field

from ..errors import SkywitnessError
from ..model import FrameBatch, Observations, StateRows
from ..sources import open_source
from ..sources.link import LinkState
from ..sources.net import Backoff
from ..sources.source import is_live_spec
from ..stats import IngestStats

log = logging.getLogger(__name__)

#: Window over which ``frames_per_s`` is computed, s.
RATE_WINDOW_S = 10.0
#: Longest a feed waits to put a batch on a full tracker queue before looking at ``stop``, s.
PUT_POLL_S = 0.2


@dataclass(slots=True)
class Item:
    """One unit of work for the tracker: raw frames or already-decoded observations."""

    source: str
    arrival: float  # unix s (wall clock) when the feed handed the batch over
    chunk: FrameBatch | Observations | StateRows


@dataclass
class FeedState:
    """Counters of one feed, read by ``/api/stats`` (plain values, updated by its thread)."""

    spec: str
    stats: IngestStats = field(default_factory=IngestStats)
    connected: bool = False
    frames: int = 0
    batches: int = 0
    last_data: float | None = None
    error: str | None = None
    failures: int = 0  # reads that ended on an error (the feed is reopened after each)
    link: LinkState | None = None  # the open source's transport events (reconnects, errors)
    _recent: collections.deque[tuple[float, int]] = field(default_factory=collections.deque)

    def count(self, n: int, now: float) -> None:
        self.frames += n
        self.batches += 1
        self.last_data = now
        self._recent.append((now, n))
        while self._recent and self._recent[0][0] < now - RATE_WINDOW_S:
            self._recent.popleft()

    def rate(self, now: float) -> float:
        """Frames per second over the last ``RATE_WINDOW_S``."""
        recent = [n for t, n in list(self._recent) if t >= now - RATE_WINDOW_S]
        return sum(recent) / RATE_WINDOW_S


class Feed:
    """One ``--source``: a thread from open to end (or to ``stop`` for live sources)."""

    def __init__(
        self,
        spec: str,
        out: queue.Queue[Item | None],
        stop: threading.Event,
        *,
        fmt: str = "auto",
        batch_size: int = 8192,
        backoff: Backoff | None = None,
        live_clock: str = "system",
    ) -> None:
        self.spec = spec
        self._live_clock = live_clock
        self.state = FeedState(spec)
        self._out = out
        self._stop = stop
        self._fmt = fmt
        self._batch_size = batch_size
        self._backoff = backoff or Backoff()
        self._thread = threading.Thread(target=self._run, name=f"feed {spec}", daemon=True)
        self.done = threading.Event()

    def start(self) -> None:
        self._thread.start()

    def join(self, timeout: float | None = None) -> None:
        self._thread.join(timeout)

    def _run(self) -> None:
        try:
            while not self._stop.is_set():
                self._read_once()
                if not is_live_spec(self.spec) or self._stop.is_set():
                    break
                # A live source that ended (server gone, poll failed, reader failed): reopen
                # after a pause (counted in its link's reconnects when it opens again).
                self._backoff.wait(self._stop)
        finally:
            self.state.connected = False
            self.done.set()

    def _read_once(self) -> None:
        st = self.state
        try:
            source = open_source(
                self.spec,
                self._fmt,
                st.stats,
                stop=self._stop,
                batch_size=self._batch_size,
                live_clock=self._live_clock,
            )
            prev = st.link
            if prev is not None:  # carry the counts over to the reopened source
                source.link.reconnects += prev.reconnects + 1
                source.link.refused += prev.refused
            st.link = source.link
            for chunk in source:
                now = time.time()
                st.connected = True
                st.error = None
                self._backoff.reset()
                st.count(len(chunk), now)
                self._put(Item(self.spec, now, chunk))
                if self._stop.is_set():
                    return
        except (SkywitnessError, OSError) as exc:
            st.failures += 1
            st.error = str(exc)
            log.warning("source %s: %s", self.spec, exc)
        except Exception as exc:  # a reader bug must not end the feed for good, nor hide
            st.failures += 1
            st.error = f"{type(exc).__name__}: {exc}"
            log.exception("source %s failed; reopened after a pause", self.spec)
        finally:
            st.connected = False

    def _put(self, item: Item) -> None:
        while not self._stop.is_set():
            try:
                self._out.put(item, timeout=PUT_POLL_S)
                return
            except queue.Full:
                continue
