"""``python bench/serve.py feed``: frames per CPU-second of ``serve`` on a fixed Beast feed
(issue 18, bar "serve >= 1M frames per CPU-second on the 5M-frame Beast feed").

The feed is real-derived: the project's real Beast capture (``beastblackbox-example``, 13,954
frames of 11 aircraft over 61 s near St Petersburg: 5,026 Mode A/C, 4,942 short, 3,986 long)
repeated until ``--frames`` frames, each copy's 12 MHz counter moved on by the capture's span
plus one second, so the counter runs on without a jump (a replay of ~6 h for 5M frames). It is
sent over one TCP connection as fast as ``serve`` reads it (blocking writes: TCP flow control
holds the sender while the tracker is behind), to ``serve --source beast+tcp://...
--live-clock counter`` (the mode for a replay served faster than real time) with its store and
flights child running, as ``serve`` runs by default; no HTTP client but the bench's
``/api/stats`` poll (twice a second) unless ``--stream-client``.

Reported: frames sent, frames counted by the feed plus frames the reader rejected (every frame
accounted: they must equal), serve's CPU seconds (process and its live children, all threads,
from /proc, as ``cpu_s``) from the moment the feed connects to the moment the last frame is
tracked (``lag_s`` 0, queue empty) and frames per such CPU-second (the live path; of it, each
of serve's threads, ``main`` = its first, and the flights child); then, after
waiting until the store and the flights child have nothing left of the feed (the flights'
quiet step comes ``FLIGHTS_QUIET_S`` after the last row), the CPU of all that work less serve's
idle CPU rate (measured before the feed) over the wait, and frames per that CPU-second; of it,
the flights child's own CPU (``flights_child_cpu_s``).
``--live-only``: no wait for the deferred work. ``--profile FILE``: py-spy samples serve and
its child over the live path (raw stacks).
"""

from __future__ import annotations

import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import numpy as np

REPO = Path(__file__).resolve().parents[1]
CAPTURE = (
    REPO.parent
    / "shared/data/beastblackbox-example/ulss7-beast-bin-utc--1522782148.136310917--.log"
)
TICKS_PER_S = 12_000_000
#: Bytes per ``sendall`` of the sender.
SEND_BYTES = 1 << 20
#: Longest the bench waits for serve to take the whole feed, s.
FEED_TIMEOUT_S = 900.0
#: serve counts as started when it uses less than this CPU-s in a second (at most SETTLE_MAX_S).
IDLE_CPU_RATE = 0.1
SETTLE_MAX_S = 30.0
#: Seconds over which serve's idle CPU is measured before the feed starts.
IDLE_MEASURE_S = 2.0
#: Interval of the bench's /api/stats polls, s.
POLL_S = 0.5
#: Polls in a row with nothing left for the store and flights and serve's CPU at idle that end
#: the wait.
SETTLED_POLLS = 3


def feed_bytes(frames: int) -> bytes:
    """``frames`` Beast frames: the real capture repeated, its counter carried on per copy."""
    from skywitness.model import FrameBatch
    from skywitness.simulate.writers import beast_bytes
    from skywitness.sources import open_source
    from skywitness.stats import IngestStats

    stats = IngestStats()
    parts = list(open_source(str(CAPTURE), "beast", stats))
    base = FrameBatch.concat([p for p in parts if isinstance(p, FrameBatch)])
    if sum(stats.rejected.values()):
        raise SystemExit(f"{CAPTURE}: the reader rejected {dict(stats.rejected)}")
    n = len(base)
    ticks = base.ticks.astype(np.int64)
    span = int(ticks.max() - ticks.min()) + TICKS_PER_S
    out = []
    for copy in range(-(-frames // n)):
        take = min(n, frames - copy * n)
        part = base.take(np.arange(take))
        part.ticks = (ticks[:take] + copy * span).astype(part.ticks.dtype)
        out.append(beast_bytes(part))
    return b"".join(out)


def _send(
    sock: socket.socket, payload: bytes, go: threading.Event, connected: threading.Event,
    sent: list[float],
) -> None:  # fmt: skip
    conn, _ = sock.accept()
    connected.set()
    go.wait()
    view = memoryview(payload)
    for at in range(0, len(payload), SEND_BYTES):
        conn.sendall(view[at : at + SEND_BYTES])
    sent.append(time.monotonic())
    time.sleep(FEED_TIMEOUT_S)  # keep the connection open: serve would reconnect


def _stream_client(base: str, rows: list[int], done: threading.Event) -> None:
    with httpx.stream("GET", base + "/api/stream", timeout=None) as r:
        for line in r.iter_lines():
            if line.startswith("data: "):
                rows[0] += 1
            if done.is_set():
                return


def bench_feed(
    frames: int,
    stream_client: bool = False,
    store: bool = True,
    profile: str | None = None,
    deferred: bool = True,
) -> dict[str, Any]:
    from serve import SERVE, cpu_s, free_port  # bench/serve.py (this folder is on sys.path)

    t0 = time.perf_counter()
    payload = feed_bytes(frames)
    gen_s = time.perf_counter() - t0
    lsock = socket.create_server(("127.0.0.1", 0))
    beast_port, http_port = lsock.getsockname()[1], free_port()
    feed = Feed(go=threading.Event(), connected=threading.Event())
    args = (lsock, payload, feed.go, feed.connected, feed.sent)
    threading.Thread(target=_send, args=args, daemon=True).start()
    data = tempfile.mkdtemp(prefix="skywitness-bench-feed-")
    cmd = [sys.executable, "-c", SERVE, "serve", "--source", f"beast+tcp://127.0.0.1:{beast_port}"]
    cmd += ["--live-clock", "counter", "--port", str(http_port)]
    cmd += ["--data-dir", data] if store else ["--no-store"]
    # the log outlives the run (its path is printed); the store (~3 MB a run) does not
    log_fd, log_name = tempfile.mkstemp(prefix="skywitness-bench-feed-", suffix=".log")
    log_path = Path(log_name)
    with open(log_fd, "wb") as log_file:
        proc = subprocess.Popen(cmd, cwd=REPO, stdout=subprocess.DEVNULL, stderr=log_file)
        try:
            out = _measure(proc.pid, f"http://127.0.0.1:{http_port}", frames, feed,
                           stream_client, cpu_s, profile, deferred)  # fmt: skip
        finally:
            proc.terminate()
            proc.wait(120)
            shutil.rmtree(data, ignore_errors=True)
    return out | {"generate_s": round(gen_s, 1), "serve_log": str(log_path)}


@dataclass
class Feed:
    go: threading.Event  # set: the sender starts
    connected: threading.Event  # set by the sender: serve connected
    sent: list[float] = field(default_factory=list)  # monotonic time the last byte was written


def _settle(pid: int, cpu_s: Any) -> float:
    """Wait until serve (and its flights child) has finished starting: CPU below
    ``IDLE_CPU_RATE`` over a second, at most ``SETTLE_MAX_S``; its idle CPU rate, CPU-s/s, over
    ``IDLE_MEASURE_S`` then."""
    t_end = time.monotonic() + SETTLE_MAX_S
    while time.monotonic() < t_end:
        c0 = cpu_s(pid)
        time.sleep(1.0)
        if cpu_s(pid) - c0 < IDLE_CPU_RATE:
            break
    c0, t0 = cpu_s(pid), time.monotonic()
    time.sleep(IDLE_MEASURE_S)
    return float(cpu_s(pid) - c0) / (time.monotonic() - t0)


def _stats(base: str) -> dict[str, Any] | None:
    try:
        got: dict[str, Any] = httpx.get(base + "/api/stats", timeout=30).json()
        return got
    except httpx.HTTPError:
        return None


def threads_cpu(pid: int) -> dict[str, float]:
    """CPU seconds of each thread of ``pid`` (``main`` for its first, else the thread id)."""
    from skywitness.runtime.proc_stat import cpu_of, stat_fields

    out: dict[str, float] = {}
    for task in Path(f"/proc/{pid}/task").iterdir():
        fields = stat_fields(f"{pid}/task/{task.name}")
        if fields is not None:
            out["main" if task.name == str(pid) else task.name] = cpu_of(fields)
    return out


def _by_thread(before: dict[str, float], after: dict[str, float]) -> list[float]:
    """CPU seconds each thread used between two ``threads_cpu``, largest first (>= 0.01)."""
    got = [after[k] - before.get(k, 0.0) for k in after]
    return sorted((round(x, 2) for x in got if x >= 0.01), reverse=True)


def _profiler(pid: int, path: str | None) -> subprocess.Popen[bytes] | None:
    """``py-spy`` sampling serve and its flights child (threads holding the GIL, raw stacks)
    into ``path``, from now until it gets SIGINT; None without ``path``."""
    if path is None:
        return None
    spy = Path(sys.executable).with_name("py-spy")
    cmd = [str(spy), "record", "--pid", str(pid), "--subprocesses", "--gil", "-r", "250"]
    proc = subprocess.Popen([*cmd, "-f", "raw", "-o", path], stderr=subprocess.DEVNULL)
    time.sleep(1.0)  # py-spy attaches
    return proc


def _measure(
    pid: int,
    base: str,
    frames: int,
    feed: Feed,
    stream_client: bool,
    cpu_s: Any,
    profile: str | None = None,
    deferred: bool = True,
) -> dict[str, Any]:
    from serve import flights_child  # bench/serve.py

    done = threading.Event()
    rows = [0]
    for _ in range(600):
        if _stats(base) is not None:
            break
        time.sleep(0.1)
    if stream_client:
        threading.Thread(target=_stream_client, args=(base, rows, done), daemon=True).start()
    if not feed.connected.wait(120):
        raise SystemExit("serve never connected to the feed")
    idle_rate = _settle(pid, cpu_s)
    spy = _profiler(pid, profile)
    child = flights_child(pid)
    kid0 = cpu_s(child, children=False) if child else 0.0
    cpu0, t0, th0 = cpu_s(pid), time.monotonic(), threads_cpu(pid)
    feed.go.set()
    # 1. the live path: every frame counted, decoded and tracked (queue empty, no lag)
    stats: dict[str, Any] = {}
    still = 0  # polls caught up with no new frame (a feed short of frames ends the wait)
    while time.monotonic() - t0 < FEED_TIMEOUT_S:
        time.sleep(POLL_S)
        now = _stats(base)
        if now is None:
            continue
        caught_up = now["queue_batches"] == 0 and now["lag_s"] == 0
        still = still + 1 if caught_up and now["frames"] == stats.get("frames") else 0
        stats = now
        if caught_up and (now["frames"] >= frames or still >= 10):
            break
    cpu1, t1, th1 = cpu_s(pid), time.monotonic(), threads_cpu(pid)
    kid1 = cpu_s(child, children=False) if child else 0.0
    if spy is not None:  # the profile covers the live path only
        spy.send_signal(signal.SIGINT)
        spy.wait(60)
    # 2. and the work deferred: rows stored, flights stepped (the quiet step of a stopped feed)
    end, clear, c_prev = stats, 0, cpu1
    while deferred and time.monotonic() - t1 < FEED_TIMEOUT_S and clear < SETTLED_POLLS:
        time.sleep(POLL_S)
        now, c_now = _stats(base), cpu_s(pid)
        idle = c_now - c_prev < IDLE_CPU_RATE * POLL_S  # no step (of the child) running
        c_prev = c_now
        if now is None:
            continue
        fl, st = now.get("flights") or {}, now.get("store") or {}
        busy = fl.get("pending_rows") or fl.get("buffered_rows") or st.get("pending_rows")
        clear = clear + 1 if idle and not busy else 0
        end = now
    cpu2, t2 = cpu_s(pid), time.monotonic()
    kid2 = cpu_s(child, children=False) if child else 0.0
    done.set()
    live_cpu = cpu1 - cpu0
    all_cpu = cpu2 - cpu0 - idle_rate * (t2 - t1)
    return {
        "frames_sent": frames,
        "frames_received": stats.get("frames"),
        "all_received": stats.get("frames") == frames,
        "rejects_by_source": stats.get("rejects_by_source"),
        "aircraft_live": stats.get("aircraft_live"),
        "idle_cpu_s_per_s": round(idle_rate, 3),
        "live_wall_s": round(t1 - t0, 1),
        "send_s": round(feed.sent[0] - t0, 1) if feed.sent else None,
        "live_cpu_s": round(live_cpu, 2),
        "frames_per_cpu_s": round(frames / live_cpu) if live_cpu else None,
        # of the live path: serve's threads (largest first), and the flights child
        "live_cpu_s_by_thread": _by_thread(th0, th1),
        "live_cpu_s_flights_child": round(kid1 - kid0, 2),
        "deferred_wall_s": round(t2 - t1, 1),
        "all_cpu_s_less_idle": round(all_cpu, 2) if deferred else None,
        "frames_per_cpu_s_all_work": round(frames / all_cpu) if deferred and all_cpu > 0 else None,
        "serve_cpu_s_total": round(cpu2, 2),
        # of all the work, the flights child's CPU (its steps, IPC both ways, its own idle)
        "flights_child_cpu_s": round(kid2 - kid0, 2) if deferred else None,
        "stream_client_messages": rows[0] if stream_client else None,
        "flights_end": end.get("flights"),
        "store_rows": (end.get("store") or {}).get("rows"),
    }
