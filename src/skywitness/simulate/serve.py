"""A Beast TCP server for simulated traffic: what readsb offers on port 30005, for any client.

Binds to localhost by default; accepts any number of clients, each getting the stream from the
moment it connects. A client that stops reading for ``SEND_TIMEOUT_S`` is dropped, so one slow
reader never holds up the others. Whatever clients send is ignored.
"""

from __future__ import annotations

import contextlib
import socket
import threading
from collections.abc import Iterable

from ..errors import SkywitnessError
from ..model import FrameBatch
from .writers import CaptureSummary, beast_bytes

SEND_TIMEOUT_S = 5.0
ACCEPT_POLL_S = 0.2


class BeastServer:
    """Serves Beast bytes to every connected client; ``broadcast`` sends to all."""

    def __init__(self, host: str = "127.0.0.1", port: int = 30005) -> None:
        try:
            self._sock = socket.create_server((host, port), reuse_port=False)
        except OSError as exc:
            raise SkywitnessError(f"cannot listen on {host}:{port} ({exc})") from exc
        self._sock.settimeout(ACCEPT_POLL_S)
        self._clients: list[socket.socket] = []
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._accept, name="beast-server", daemon=True)
        self._thread.start()

    @property
    def address(self) -> tuple[str, int]:
        host, port = self._sock.getsockname()[:2]
        return str(host), int(port)

    @property
    def clients(self) -> int:
        with self._lock:
            return len(self._clients)

    def _accept(self) -> None:
        while not self._stop.is_set():
            try:
                conn, _ = self._sock.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            conn.settimeout(SEND_TIMEOUT_S)
            with self._lock:
                self._clients.append(conn)

    def broadcast(self, payload: bytes) -> int:
        """Send to every client (dropping those that fail); returns how many got it."""
        if not payload:
            return self.clients
        with self._lock:
            clients = list(self._clients)
        dead = []
        for conn in clients:
            try:
                conn.sendall(payload)
            except OSError:
                dead.append(conn)
        if dead:
            with self._lock:
                self._clients = [c for c in self._clients if c not in dead]
            for conn in dead:
                conn.close()
        return len(clients) - len(dead)

    def close(self) -> None:
        self._stop.set()
        self._sock.close()
        self._thread.join(timeout=2.0)
        with self._lock:
            clients, self._clients = self._clients, []
        for conn in clients:
            with contextlib.suppress(OSError):
                conn.shutdown(socket.SHUT_RDWR)
            conn.close()

    def __enter__(self) -> BeastServer:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def serve_beast(
    batches: Iterable[FrameBatch],
    server: BeastServer,
    stop: threading.Event | None = None,
) -> CaptureSummary:
    """Broadcast every batch (paced by whoever made them) until done or ``stop`` is set."""
    summary = CaptureSummary()
    for batch in batches:
        if stop is not None and stop.is_set():
            break
        server.broadcast(beast_bytes(batch))
        summary.add(batch)
    return summary
