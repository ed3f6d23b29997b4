"""The incremental ``FlightBuilder`` in a child process, so that its steps (seconds of Python
and numpy over every live aircraft) never hold the live service's interpreter.

``FlightsProcess`` has the builder's ``update`` / ``flights`` signatures: state tables go to the
child as Arrow IPC bytes through a pipe, and the changed flights (Arrow IPC), the ids of the
removed ones and the reject counts come back. Storing and publishing stay in the parent. The
child is started with the "spawn" context (no copy of the parent's threads or locks), ignores
SIGINT/SIGTERM (a Ctrl-C reaches the whole process group; the parent decides when it ends,
after its last step), runs at a lower CPU priority, and exits on a stop message or when the
parent's end of the pipe closes, so it never outlives the service.
"""

from __future__ import annotations

import contextlib
import multiprocessing as mp
import os
import signal
import threading
import traceback
from multiprocessing.connection import Connection
from typing import Any

import pyarrow as pa

from ..errors import SkywitnessError
from ..model import RejectReason
from ..stats import IngestStats

#: Seconds the child gets to exit after the stop message before it is terminated.
CHILD_EXIT_S = 10.0
#: Niceness added to the child: on a machine with few cores the tracker (latency-critical)
#: gets the CPU first, the flights step (not latency-critical) takes what is left.
CHILD_NICE = 10
#: Reject reasons by label (the child reports counts by label).
_REASONS = {r.label: r for r in RejectReason}


def to_ipc(table: pa.Table) -> bytes:
    """``table`` as Arrow IPC stream bytes."""
    sink = pa.BufferOutputStream()
    with pa.ipc.new_stream(sink, table.schema) as writer:
        writer.write_table(table)
    return bytes(sink.getvalue())


def from_ipc(data: bytes) -> pa.Table:
    return pa.ipc.open_stream(pa.py_buffer(data)).read_all()


def _serve(conn: Connection) -> None:
    """The child's loop: one request, one reply, until "stop" or the pipe closes."""
    from ..flights import FlightBuilder  # imported here: the parent never needs it loaded
    from .workers import flight_rows

    builder = FlightBuilder()
    while True:
        try:
            kind, want_rows = conn.recv()
        except (EOFError, OSError):  # the parent is gone
            return
        if kind == "stop":
            return
        try:
            if kind == "update":
                states = from_ipc(conn.recv_bytes())
                stats = IngestStats()
                changed, removed = builder.update(states, stats)
                # the rows for stream clients are built here too: thousands of rows of Python
                # work the parent's interpreter is spared (it only unpickles them)
                rows = flight_rows(changed) if want_rows else None
                body = to_ipc(changed)  # before the header: an error then sends one reply
                conn.send(("ok", removed, dict(stats.rejected), rows))
                conn.send_bytes(body)
            elif kind == "flights":
                body = to_ipc(builder.flights())
                conn.send(("ok", [], {}, None))
                conn.send_bytes(body)
            else:
                conn.send(("error", f"unknown request {kind!r}", {}, None))
        except Exception:  # reported to the parent, which logs it; the next step tries again
            conn.send(("error", traceback.format_exc(), {}, None))


def child_main(conn: Connection) -> None:
    """Entry point of the child process."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_IGN)
    with contextlib.suppress(OSError, AttributeError):  # no os.nice on Windows
        os.nice(CHILD_NICE)
    try:
        _serve(conn)
    finally:
        conn.close()


class FlightsProcess:
    """A ``FlightBuilder`` living in a child process; ``start`` before use, ``close`` at the end.

    Calls are serialised (one request in flight); they block the calling thread only, which
    waits on the pipe without holding the GIL.
    """

    def __init__(self) -> None:
        self._ctx = mp.get_context("spawn")
        self._conn: Connection | None = None
        self.process: Any = None  # multiprocessing's SpawnProcess (untyped in typeshed)
        self._lock = threading.Lock()

    def start(self) -> FlightsProcess:
        with self._lock:
            if self.process is None:
                parent, child = self._ctx.Pipe()
                proc = self._ctx.Process(
                    target=child_main, args=(child,), name="skywitness-flights", daemon=True
                )
                proc.start()
                child.close()  # the child holds its end: EOF here means it died
                self._conn, self.process = parent, proc
        return self

    def _call(
        self, kind: str, payload: bytes | None = None, want_rows: bool = False
    ) -> tuple[pa.Table, list[str], dict[str, int], list[dict[str, Any]] | None]:
        self.start()
        with self._lock:
            conn = self._conn
            if conn is None:
                raise SkywitnessError("flights process is closed")
            try:
                conn.send((kind, want_rows))
                if payload is not None:
                    conn.send_bytes(payload)
                status, removed, rejects, rows = conn.recv()
                if status != "ok":
                    raise SkywitnessError(f"flights process: {removed}")
                table = from_ipc(conn.recv_bytes())
            except (EOFError, OSError) as exc:
                code = self.process.exitcode if self.process is not None else None
                raise SkywitnessError(f"flights process died (exit code {code})") from exc
        return table, list(removed), rejects, rows

    def update(
        self, states: pa.Table, stats: IngestStats | None = None
    ) -> tuple[pa.Table, list[str]]:
        """``FlightBuilder.update`` in the child; its rejects are counted in ``stats``."""
        changed, removed, _ = self.update_rows(states, stats, want_rows=False)
        return changed, removed

    def update_rows(
        self, states: pa.Table, stats: IngestStats | None = None, *, want_rows: bool = True
    ) -> tuple[pa.Table, list[str], list[dict[str, Any]] | None]:
        """``update``, and the changed flights as JSON-ready rows (``flight_rows``) built in the
        child when ``want_rows``."""
        changed, removed, rejects, rows = self._call("update", to_ipc(states), want_rows)
        if stats is not None:
            for label, count in rejects.items():
                stats.reject(_REASONS[label], "flights", count=int(count))
        return changed, removed, rows

    def flights(self) -> pa.Table:
        """All current flights (``FlightBuilder.flights`` in the child)."""
        return self._call("flights")[0]

    def close(self) -> None:
        """Stop the child and wait for it (terminated if it does not exit in time)."""
        with self._lock:
            conn, proc = self._conn, self.process
            self._conn = None
            if conn is not None:
                with contextlib.suppress(OSError):  # already gone
                    conn.send(("stop", False))
                conn.close()
            if proc is not None:
                proc.join(CHILD_EXIT_S)
                if proc.is_alive():
                    proc.terminate()
                    proc.join(CHILD_EXIT_S)
