"""What a live transport reports about its link (``LinkState``, read by ``/api/stats``) and
the ``CUT`` marker that ends one TCP connection in a chunk stream. Kept apart from ``net`` so
that reading files never imports the HTTP client."""

from __future__ import annotations

from dataclasses import dataclass

#: Marks the end of one TCP connection in a chunk stream.
CUT = b""


@dataclass
class LinkState:
    """What a transport says about its link (read by other threads as plain values)."""

    connected: bool = False
    connects: int = 0  # connections made (polls: successful polls after a failure)
    reconnects: int = 0  # connections made after the first
    refused: int = 0  # pushers turned away over MAX_LISTEN_CLIENTS, bodies over the bound
    error: str | None = None  # the last failure, None once data flows again
    drift_s: float | None = None  # a live 12 MHz counter's time minus the system clock, s

    def up(self) -> None:
        if self.connects:
            self.reconnects += 1
        self.connects += 1
        self.connected = True
        self.error = None

    def down(self, why: str) -> None:
        self.connected = False
        self.error = why
