"""Re-broadcast of what comes in, like readsb: Beast (``--beast-out``) and SBS (``--sbs-out``).

The tracker thread only queues its frames here; one output thread formats them (only when a
client is connected: SBS formatting is per message) and sends them, so a slow or stuck client
never holds up tracking. When the queue is full the batch is dropped and counted.
"""

from __future__ import annotations

import logging
import queue
import threading

import numpy as np

from ..model import F8, FrameBatch, Messages
from ..simulate.serve import BeastServer
from ..simulate.writers import beast_bytes
from .sbs_out import format_sbs

log = logging.getLogger(__name__)

#: Batches queued for the outputs before new ones are dropped.
OUT_QUEUE_MAX = 256


class Rebroadcast:
    """Beast and/or SBS TCP servers fed from one queue; ``stop`` closes them."""

    def __init__(
        self, host: str, beast_port: int | None = None, sbs_port: int | None = None
    ) -> None:
        self.beast = BeastServer(host, beast_port) if beast_port is not None else None
        try:
            self.sbs = BeastServer(host, sbs_port) if sbs_port is not None else None
        except Exception:
            if self.beast is not None:
                self.beast.close()
            raise
        self.dropped = 0
        self._queue: queue.Queue[tuple[FrameBatch, Messages, F8, F8] | None] = queue.Queue(
            OUT_QUEUE_MAX
        )
        self._thread = threading.Thread(target=self._run, name="rebroadcast", daemon=True)

    @property
    def enabled(self) -> bool:
        return self.beast is not None or self.sbs is not None

    def clients(self) -> tuple[int, int]:
        return (
            self.beast.clients if self.beast is not None else 0,
            self.sbs.clients if self.sbs is not None else 0,
        )

    def start(self) -> None:
        if self.enabled:
            self._thread.start()

    def offer(self, frames: FrameBatch, msgs: Messages, lat: F8, lon: F8) -> None:
        """Queue a decoded batch (with the positions the tracker gave each row)."""
        if not self.enabled or sum(self.clients()) == 0:
            return
        try:
            self._queue.put_nowait((frames, msgs, lat, lon))
        except queue.Full:
            self.dropped += 1

    def _run(self) -> None:
        while True:
            item = self._queue.get()
            if item is None:
                return
            frames, msgs, lat, lon = item
            try:
                self._send(frames, msgs, lat, lon)
            except Exception as exc:  # an output must never take the service down
                log.warning("rebroadcast: %s", exc)

    def _send(self, frames: FrameBatch, msgs: Messages, lat: F8, lon: F8) -> None:
        if self.beast is not None and self.beast.clients:
            # Only frames that decoded cleanly are passed on, as readsb does by default.
            ok = np.flatnonzero(msgs.reject == 0)
            self.beast.broadcast(beast_bytes(frames.take(ok)))
        if self.sbs is not None and self.sbs.clients:
            lines = "".join(line + "\r\n" for line in format_sbs(msgs, lat, lon))
            self.sbs.broadcast(lines.encode("ascii", "replace"))

    def stop(self) -> None:
        if self._thread.is_alive():
            self._queue.put(None)
            self._thread.join(timeout=5.0)
        for server in (self.beast, self.sbs):
            if server is not None:
                server.close()
