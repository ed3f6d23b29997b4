"""The incremental ``FlightBuilder`` in a child process, so that its steps (seconds of Python
and numpy over every live aircraft) never hold the live service's interpreter.

``FlightsProcess`` has ``FlightSteps``' ``step`` / ``flights``: state tables go to the child
(the columns the stage reads, ``flight_columns``) as Arrow IPC bytes through a pipe, and the
flights to pass on (Arrow IPC), the ids of the removed ones, the reject counts and the stream
texts come back. Storing and publishing stay in the parent. The child is started with the
"spawn" context (no copy of the parent's threads or locks), ignores SIGINT/SIGTERM (a Ctrl-C
reaches the whole process group; the parent decides when it ends, after its last step), runs at
a lower CPU priority, and exits on a stop message, when the parent's end of the pipe closes, or
(``watch_parent``) within ``PARENT_POLL_S`` of its parent's death even in the middle of a step,
so it never outlives the service. Given the store's lake folder, the child recalls flights
forgotten in the air from its Parquet files (``LakeRecall``; the parent keeps the DuckDB
catalogue file to itself). After a call that stepped a window it hands the memory the step freed
back to the system (``release.Releaser``, at most every ``RELEASE_EVERY_S``): Arrow's pool and the C
heap would otherwise keep a big step's temporaries resident. Both ends send the IPC streams as
written (Arrow buffers, no ``bytes`` copy) and read them into memory of Arrow's pool
(``pipe_buffer.recv_buffer``): a fresh ``bytes`` per message had the kernel zero new pages for
every one, two thirds of the parent's share of this pipe.
"""

from __future__ import annotations

import contextlib
import logging
import multiprocessing as mp
import os
import signal
import threading
import time
import traceback
from collections.abc import Sequence
from multiprocessing.connection import Connection
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pyarrow as pa

from ..errors import SkywitnessError
from .flight_steps import StepResult
from .flights_ipc import flight_columns, from_ipc, held_states, to_ipc
from .pipe_buffer import recv_buffer
from .proc_stat import cpu_s as proc_cpu_s
from .release import Releaser

if TYPE_CHECKING:
    from .flight_steps import FlightSteps

log = logging.getLogger(__name__)

#: Seconds the child gets to exit after the stop message before it is terminated.
CHILD_EXIT_S = 10.0
#: Niceness added to the child: on a machine with few cores the tracker (latency-critical)
#: gets the CPU first, the flights step (not latency-critical) takes what is left.
CHILD_NICE = 10
#: Seconds between the child's checks that its parent process still lives.
PARENT_POLL_S = 0.25
#: The message for "no state vectors".
_EMPTY = pa.py_buffer(b"")


def watch_parent(parent_pid: int, poll_s: float = PARENT_POLL_S) -> threading.Thread:
    """End this process (``os._exit``) once its parent ``parent_pid`` is gone, whatever its
    main thread is doing: the pipe's EOF is only seen between steps, and a step under load
    took up to ~81 s after a killed serve. ``getppid`` (the child is reparented when the
    parent process dies), not ``PR_SET_PDEATHSIG``: that signal fires when the parent's
    thread that started the child ends, which a live serve's worker thread may do."""

    def run() -> None:
        while os.getppid() == parent_pid:
            time.sleep(poll_s)
        os._exit(0)

    thread = threading.Thread(target=run, name="skywitness-parent-watch", daemon=True)
    thread.start()
    return thread


def _reply(conn: Connection, res: StepResult) -> None:
    body = to_ipc(res.changed)  # before the header: an error then sends one reply
    counts = {
        "held": res.held,
        "recalls": res.recalls,
        "buffered": res.buffered,
        "windows": res.windows,
        "more": res.more,
        "rows_held": res.rows_held,
        "rows_held_quiet": res.rows_held_quiet,
        "rows_parked": res.rows_parked,
    }
    conn.send(("ok", res.removed, res.rejects, res.texts, counts))
    conn.send_bytes(body)


def _serve(
    conn: Connection,
    runways: bytes | None,
    lake: str | None,
    kinds: dict[str, int] | None,
    keep_final: bool,
) -> None:
    """The child's loop: one request, one reply, until "stop" or the pipe closes."""
    from .flight_steps import FlightSteps as Steps  # imported here: the builder lives in the child

    steps = Steps(
        from_ipc(runways) if runways is not None else None,
        lake=Path(lake) if lake is not None else None,
        kinds=kinds,
        keep_final=keep_final,
    )
    try:
        _loop(conn, steps)
    finally:
        steps.close()


def _loop(conn: Connection, steps: FlightSteps) -> None:
    releaser = Releaser()
    while True:
        try:
            kind, flags = conn.recv()
        except (EOFError, OSError):  # the parent is gone
            return
        if kind == "stop":
            return
        try:
            steps.learn_kinds(flags.get("kinds") or {})
            if kind == "advance":
                payload, warm = recv_buffer(conn), recv_buffer(conn)
                # the stream texts are built here too: thousands of rows of Python work the
                # parent's interpreter is spared (it only unpickles the strings)
                res = steps.advance(
                    held_states(payload),
                    warm=held_states(warm),
                    supersedes=flags.get("supersedes", ()),
                    drain=flags["drain"],
                    flush=flags["flush"],
                    want_texts=flags["texts"],
                )
                _reply(conn, res)
                releaser.after(res.windows > 0)
            elif kind == "step":
                payload = recv_buffer(conn)
                res = steps.step(
                    held_states(payload),
                    flush=flags["flush"],
                    want_texts=flags["texts"],
                    supersedes=flags.get("supersedes", ()),
                )
                _reply(conn, res)
                releaser.after(len(payload) > 0)
            elif kind == "flights":
                body = to_ipc(steps.flights())
                conn.send(("ok", [], {}, None, {}))
                conn.send_bytes(body)
            else:
                conn.send(("error", f"unknown request {kind!r}", {}, None, {}))
        except (EOFError, BrokenPipeError, ConnectionResetError):  # the parent died mid-request
            return
        except Exception:  # reported to the parent, which logs it; the next step tries again
            try:
                conn.send(("error", traceback.format_exc(), {}, None, {}))
            except (BrokenPipeError, ConnectionResetError):  # ... unless it is gone
                return


def child_main(
    conn: Connection,
    runways: bytes | None = None,
    lake: str | None = None,
    kinds: dict[str, int] | None = None,
    keep_final: bool = True,
    parent_pid: int | None = None,
) -> None:
    """Entry point of the child process (``parent_pid``: the service's, ``watch_parent``)."""
    if parent_pid is not None:
        watch_parent(parent_pid)
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_IGN)
    with contextlib.suppress(OSError, AttributeError):  # no os.nice on Windows
        os.nice(CHILD_NICE)
    try:
        _serve(conn, runways, lake, kinds, keep_final)
    finally:
        conn.close()


class FlightsProcess:
    """``FlightSteps`` living in a child process; ``start`` before use, ``close`` at the end.

    Calls are serialised (one request in flight); they block the calling thread only, which
    waits on the pipe without holding the GIL. A child that dies fails the call in progress
    (``SkywitnessError``) and is replaced by a fresh one at the next call: the flights in
    progress then start again from the next state vectors (logged), the service keeps going.
    """

    def __init__(
        self,
        runways: pa.Table | None = None,
        lake: Path | None = None,
        kinds: dict[str, int] | None = None,
        keep_final: bool = True,
    ) -> None:
        self._ctx = mp.get_context("spawn")
        self._keep_final = keep_final  # False: finished flights dropped once passed on
        # icao24 -> aircraft kind, handed to every child (a fresh one too: learned ones
        # included); learned ones not yet sent go with the next call
        self._kinds = dict(kinds) if kinds else None
        self._learned: dict[str, int] = {}
        # handed to every child (a fresh one too) as Arrow IPC bytes
        self._runways = to_ipc(runways).to_pybytes() if runways is not None else None
        self._lake = str(lake) if lake is not None else None  # recall from here (None: never)
        self._conn: Connection | None = None
        self.process: Any = None  # multiprocessing's SpawnProcess (untyped in typeshed)
        self.restarts = 0
        self._closed = False
        self._lock = threading.Lock()

    def start(self) -> FlightsProcess:
        with self._lock:
            self._start()
        return self

    def _start(self) -> None:
        if self.process is None and not self._closed:
            parent, child = self._ctx.Pipe()
            proc = self._ctx.Process(
                target=child_main,
                args=(
                    child,
                    self._runways,
                    self._lake,
                    self._kinds,
                    self._keep_final,
                    os.getpid(),
                ),
                name="skywitness-flights",
                daemon=True,
            )
            proc.start()
            child.close()  # the child holds its end: EOF here means it died
            self._conn, self.process = parent, proc

    def _call(
        self,
        kind: str,
        payloads: Sequence[pa.Buffer] = (),
        flags: dict[str, Any] | None = None,
    ) -> StepResult:
        with self._lock:
            if self._closed:
                raise SkywitnessError("flights process is closed")
            if self.process is None:  # the first call, or the child died: a fresh one
                self._start()
            conn = self._conn
            assert conn is not None
            flags = {**(flags or {}), "kinds": self._learned}
            self._learned = {}  # a fresh child has them from the start
            try:
                conn.send((kind, flags))
                for payload in payloads:
                    conn.send_bytes(payload)
                status, removed, rejects, texts, counts = conn.recv()
                if status != "ok":
                    raise SkywitnessError(f"flights process: {removed}")
                table = from_ipc(recv_buffer(conn))
            except (EOFError, OSError) as exc:
                code = self._reap()
                self.restarts += 1
                log.error("flights process died (exit code %s); starting a new one", code)
                raise SkywitnessError(f"flights process died (exit code {code})") from exc
        return StepResult(
            table,
            list(removed),
            dict(rejects),
            texts,
            int(counts.get("held", 0)),
            int(counts.get("recalls", 0)),
            int(counts.get("buffered", 0)),
            int(counts.get("windows", 0)),
            bool(counts.get("more", False)),
            int(counts.get("rows_held", 0)),
            int(counts.get("rows_held_quiet", 0)),
            int(counts.get("rows_parked", 0)),
        )

    def _reap(self) -> int | None:
        """Forget a dead child (its exit code)."""
        conn, proc = self._conn, self.process
        self._conn, self.process = None, None
        if conn is not None:
            conn.close()
        if proc is None:
            return None
        proc.join(CHILD_EXIT_S)
        return proc.exitcode  # type: ignore[no-any-return]

    def step(
        self,
        states: pa.Table | None,
        *,
        flush: bool = False,
        want_texts: bool = False,
        supersedes: Sequence[str] = (),
    ) -> StepResult:
        """``FlightSteps.step`` in the child."""
        payload = to_ipc(flight_columns(states)) if states is not None else _EMPTY
        flags = {"flush": flush, "texts": want_texts, "supersedes": list(supersedes)}
        return self._call("step", [payload], flags)

    def advance(
        self,
        states: pa.Table | None,
        *,
        warm: pa.Table | None = None,
        supersedes: Sequence[str] = (),
        drain: bool = False,
        flush: bool = False,
        want_texts: bool = False,
    ) -> StepResult:
        """``FlightSteps.advance`` in the child (of ``states`` and ``warm`` only their
        ``flight_columns``)."""
        payload = to_ipc(flight_columns(states)) if states is not None else _EMPTY
        warm_bytes = to_ipc(flight_columns(warm)) if warm is not None else _EMPTY
        flags = {
            "drain": drain,
            "flush": flush,
            "texts": want_texts,
            "supersedes": list(supersedes),
        }
        return self._call("advance", [payload, warm_bytes], flags)

    def learn_kinds(self, kinds: dict[str, int]) -> None:
        """Kinds learned while running, sent to the child with the next call."""
        if kinds:
            with self._lock:
                self._kinds = {**(self._kinds or {}), **kinds}
                self._learned.update(kinds)

    def flights(self) -> pa.Table:
        """All current flights (``FlightSteps.flights`` in the child)."""
        return self._call("flights").changed

    def cpu_s(self) -> float | None:
        """CPU-seconds the child has used (None: no child, or not readable here)."""
        proc = self.process
        return None if proc is None or proc.pid is None else proc_cpu_s(int(proc.pid))

    def kill(self) -> None:
        """Kill the child now, without waiting for a call in progress (which then fails);
        no call starts a new one after this."""
        self._closed = True
        proc = self.process
        if proc is not None:
            proc.kill()

    def close(self) -> None:
        """Stop the child and wait for it (killed if it does not exit in time: it ignores
        SIGTERM)."""
        with self._lock:
            self._closed = True
            conn, proc = self._conn, self.process
            self._conn = None
            if conn is not None:
                with contextlib.suppress(OSError):  # already gone
                    conn.send(("stop", {}))
                conn.close()
            if proc is not None:
                proc.join(CHILD_EXIT_S)
                if proc.is_alive():
                    proc.kill()
                    proc.join(CHILD_EXIT_S)
