"""A ``serve`` process under a paced live feed, for ``fuzz.serve_kills``: the feed, the start,
the looks at ``/api/stats``, the kill -9 (and its children's end), the clean stop.

The feed is the soak's (``fuzz.soak_feed``): simulated Beast receivers, TCP servers as readsb's
port 30005, sending the simulator's traffic at a steady rate for as long as the block runs.
Each receiver's frames due while no ``serve`` is connected are not sent (a live feed does not
wait for a dead server) and are counted as such.
"""

from __future__ import annotations

import contextlib
import math
import multiprocessing as mp
import os
import random
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from . import soak_feed
from .faults import REPO, _free_port
from .soak import children

#: Seconds between looks at /api/stats while serve runs; the kill follows the last look.
POLL_S = 0.25
#: Longest a serve may take to answer, and to stop on SIGTERM, s.
START_LIMIT_S, STOP_LIMIT_S = 180.0, 300.0
#: Seconds the children of a killed serve (its flights process) are given to exit before the
#: next start.
CHILD_EXIT_S = 3.0


@dataclass
class Feed:
    ports: list[int]
    counters: Any  # ``soak_feed.feed``'s shared counters

    def sent(self) -> dict[str, int]:
        """Frames sent whole into a connected serve, due while none was connected, in sends
        that failed (a serve killed while they were written)."""
        n, c = len(self.ports), self.counters[:]
        return {"frames_sent": sum(c[:n]), "frames_not_sent_no_serve": sum(c[n : 2 * n]),
                "frames_in_failed_sends": sum(c[2 * n : 3 * n])}  # fmt: skip


@contextlib.contextmanager
def paced_feed(rate: float, receivers: int, span_s: float, seed: int) -> Iterator[Feed]:
    """``soak_feed.feed`` in a child process at ``rate`` frames/s for up to ``span_s`` s, with
    no disconnects of its own (the kills are the disconnects), until the block ends."""
    aircraft, _per = soak_feed.calibrate(rate, receivers, span_s, seed)
    toml = soak_feed.scenario_toml(aircraft, receivers, span_s, seed)
    cfg = {"receivers": receivers, "toml": toml, "chunks": math.ceil(span_s / soak_feed.CHUNK_S),
           "seed": seed, "disconnect_min_s": 10 * span_s,
           "disconnect_max_s": 10 * span_s}  # fmt: skip
    ports, counters = mp.Array("q", receivers), mp.Array("q", 4 * receivers + 3)
    ready, stop = mp.Event(), mp.Event()
    # not a daemon: the feeder has a child of its own (its frame generator)
    proc = mp.Process(target=soak_feed.feed, args=(cfg, ports, counters, ready, stop))
    proc.start()
    try:
        t0 = time.monotonic()
        while not ready.wait(1.0):
            if not proc.is_alive() or time.monotonic() - t0 > START_LIMIT_S:
                raise RuntimeError(f"the feed did not start (exit code {proc.exitcode})")
        yield Feed(list(ports[:]), counters)
    finally:
        stop.set()
        proc.join(60)
        if proc.is_alive():
            proc.kill()


def start_serve(data: Path, feed: Feed, log: Path) -> tuple[subprocess.Popen[bytes], int]:
    """``skywitness serve`` of ``feed`` into ``data``, its output into ``log``; and its port."""
    port = _free_port()
    cmd = [sys.executable, "-m", "skywitness", "serve", "--data-dir", str(data), "--port",
           str(port)]  # fmt: skip
    for p in feed.ports:
        cmd += ["--source", f"beast+tcp://127.0.0.1:{p}"]
    env = dict(os.environ, PYTHONPATH=str(REPO / "src"))
    with log.open("wb") as out:
        proc = subprocess.Popen(cmd, env=env, stdout=out, stderr=subprocess.STDOUT)
    return proc, port


def look(port: int, timeout: float) -> dict[str, int] | None:
    """The store's rows committed and received-not-committed, from ``/api/stats`` (None: no
    answer)."""
    import httpx

    try:
        store = httpx.get(f"http://127.0.0.1:{port}/api/stats", timeout=timeout).json()["store"]
    except (httpx.HTTPError, ValueError, KeyError, TypeError):
        return None
    if not isinstance(store, dict):
        return None
    return {"committed": int(store.get("rows") or 0),
            "unflushed": int(store.get("pending_rows") or 0)}  # fmt: skip


@dataclass
class Killed:
    """How a run ended."""

    look: dict[str, int] | None  # the last look before the kill (None: it never answered)
    after_s: float  # from the start to the kill
    answered_after_s: float | None  # from the start to its first answer
    exited: int | None  # the exit code of a serve that ended before its kill
    children_left: list[int]  # children still running CHILD_EXIT_S after the kill


def run_then_kill(
    proc: subprocess.Popen[bytes], port: int, rng: random.Random, live_s: tuple[float, float],
    start_kill_s: float | None = None,
) -> Killed:  # fmt: skip
    """Let ``proc`` run, then SIGKILL it: ``start_kill_s`` after it started (a kill while it
    starts), else a uniform ``live_s`` after it first answered, right after a last look."""
    t0 = time.monotonic()
    last: dict[str, int] | None = None
    answered: float | None = None
    until = t0 + (start_kill_s if start_kill_s is not None else START_LIMIT_S)
    while proc.poll() is None:
        left = until - time.monotonic()
        if left <= 0:
            break
        now = look(port, timeout=max(0.05, min(2.0, left)))
        if now is not None and answered is None:
            answered = time.monotonic() - t0
            if start_kill_s is None:  # it answers: its time to run starts
                until = time.monotonic() + rng.uniform(*live_s)
        last = now or last
        time.sleep(max(0.0, min(POLL_S, until - time.monotonic())))
    if start_kill_s is None and last is not None:  # the last look, right before the kill
        last = look(port, timeout=2.0) or last
    after = time.monotonic() - t0
    if proc.poll() is not None:
        return Killed(last, after, answered, proc.returncode, [])
    kids = children(proc.pid)
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    return Killed(last, after, answered, None, _reap(kids))


def alive(pid: int) -> bool:
    """Whether process ``pid`` runs (a zombie does not)."""
    from skywitness.runtime.proc_stat import stat_fields

    fields = stat_fields(pid)
    return fields is not None and fields[0] not in ("Z", "X")  # the state


def _reap(kids: list[int]) -> list[int]:
    """A killed serve's children should end by themselves (the flights process sees its pipe
    close): those still running ``CHILD_EXIT_S`` later."""
    deadline = time.monotonic() + CHILD_EXIT_S
    while any(map(alive, kids)) and time.monotonic() < deadline:
        time.sleep(0.1)
    return [pid for pid in kids if alive(pid)]


def run_then_stop(proc: subprocess.Popen[bytes], port: int, run_s: float) -> int | None:
    """Let ``proc`` answer and run ``run_s`` s more, then SIGTERM it: its exit code (None: it
    did not stop in ``STOP_LIMIT_S`` and was killed)."""
    t0 = time.monotonic()
    while look(port, timeout=2.0) is None and time.monotonic() - t0 < START_LIMIT_S:
        time.sleep(POLL_S)
    time.sleep(run_s)
    proc.send_signal(signal.SIGTERM)
    try:
        return proc.wait(STOP_LIMIT_S)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()
        return None
