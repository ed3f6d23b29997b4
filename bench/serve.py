"""Benchmark of ``skywitness serve`` (bench/RESULTS.md, "## serve").

1. ``stream``: the simulator feeds Beast frames over TCP at a target rate (default 100,000
   frames/s, paced in real time, 10 ms slices) into a ``serve`` subprocess; a client reads
   ``/api/stream`` and measures, for every ``positions`` row, receive time minus the frame's
   timestamp (the live Beast clock anchors frame times on their arrival), and polls
   ``/api/stats`` for the lag and queue. Reported: frames in/out, p50/p99/max latency, max lag.
   Memory: the RSS of ``serve`` and of its flights child, each on its own, every half second;
   the feed starts once both have settled (the child's imports done), and the slopes that
   count (``rss_*_feed_slope_mb_per_min``) are taken while the feed runs, after its first
   ``FEED_WARMUP_S`` (every aircraft new then: tracks, identities, the first builder step).
   ``--map-clients N``: N more clients poll ``/api/aircraft`` (gzip) once a second meanwhile,
   as open web maps do (the snapshot bodies are then built every second). ``--rules FILE``:
   ``serve --rules FILE`` (the watch engine runs beside the tracker).
2. ``aircraft``: a server process pinned to one CPU core serves ``/api/aircraft`` for 20,000
   live aircraft (a tracker fed 20,000 synthetic reports); client threads pinned to the other
   core(s) request it over keep-alive connections (raw sockets, bodies read and discarded) for
   a fixed time, gzip, plain and conditional (If-None-Match). Reported: requests/s, MB/s.

3. ``feed``: a fixed real-derived Beast feed (default 5,000,000 frames) sent as fast as
   ``serve`` takes it; frames per CPU-second of serve and its flights child (bench/serve_feed.py).

Usage: python bench/serve.py [stream|aircraft|feed|all] [--rate 100000] [--seconds 20]
       [--map-clients 0] [--frames 5000000] [--stream-client] [--no-store]
"""

from __future__ import annotations

import argparse
import contextlib
import json
import multiprocessing as mp
import os
import pickle
import socket
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

import httpx
import numpy as np

REPO = Path(__file__).resolve().parents[1]
SERVE = """
import argparse, sys
from skywitness.cli import serve_cmd
p = argparse.ArgumentParser(); sub = p.add_subparsers()
serve_cmd.register(sub)
args = p.parse_args(sys.argv[1:])
sys.exit(args.func(args))
"""
#: Six receivers with overlapping 400 nm coverage over central Europe (an aggregated feed).
RECEIVERS = (
    ("fra", 50.03, 8.57),
    ("ams", 52.31, 4.76),
    ("vie", 48.11, 16.57),
    ("muc", 48.35, 11.79),
    ("zrh", 47.46, 8.55),
    ("prg", 50.10, 14.26),
)
#: Seconds of the stream counted as start-up in the second set of latency figures.
STARTUP_S = 5.0
#: Seconds of the feed left out of the RSS slopes (the start-up burst's one-off allocations).
FEED_WARMUP_S = 4.0
#: RSS sampling period, s; and what counts as settled before the feed starts: neither process
#: moved more than SETTLE_MB over SETTLE_S (waited for at most SETTLE_MAX_S).
RSS_EVERY_S = 0.5
SETTLE_MB, SETTLE_S, SETTLE_MAX_S = 2.0, 3.0, 90.0
HUBS = ("EDDF", "EDDM", "EHAM", "LFPG", "EGLL", "LSZH", "LOWW", "EKCH", "EPWA", "LKPR", "EDDB")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


# -- 1. stream latency under a 100k frames/s feed ---------------------------------------------
def scenario_toml(n: int) -> str:
    """``n`` aircraft on routes between central European hubs, all airborne at 01:00."""
    rng = np.random.default_rng(5)
    out = ['name = "bench"', "start = 2024-06-01T00:00:00Z", "seed = 3"]
    for name, lat, lon in RECEIVERS:
        out += ["[[receivers]]", f'name = "{name}"', f"lat = {lat}", f"lon = {lon}"]
        out += ["radius_nm = 400", "altitude_ft = 600"]
    for i in range(n):
        a, b = rng.choice(len(HUBS), 2, replace=False)
        dep = 30 + int(rng.integers(0, 20))  # minutes after start: en route at 01:00
        out += ["[[aircraft]]", f'icao24 = "{0x400000 + i:06x}"', f'callsign = "BNC{i:04d}"']
        out.append(f'registration = "D-B{i:04d}"')
        out += ['type = "A320"', "cruise_altitude_ft = 36000", "cruise_speed_kt = 450"]
        out += [
            f'route = [{{ airport = "{HUBS[a]}", depart = 2024-06-01T00:{dep:02d}:00Z }}, '
            f'{{ airport = "{HUBS[b]}" }}]'
        ]
    return "\n".join(out) + "\n"


def make_frames(n_aircraft: int, seconds: float) -> tuple[list[tuple[float, bytes]], int]:
    """Beast bytes in 10 ms slices of scenario time: [(offset_s, bytes)], frame count (kept in
    the temp folder: simulating 20,000 aircraft takes a minute, the same every run)."""
    cache = Path(tempfile.gettempdir()) / f"skywitness-bench-frames-{n_aircraft}-{seconds}.pkl"
    if cache.exists():
        with cache.open("rb") as f:
            got: tuple[list[tuple[float, bytes]], int] = pickle.load(f)
        return got
    slices, n = _simulate(n_aircraft, seconds)
    with cache.open("wb") as f:
        pickle.dump((slices, n), f)
    return slices, n


def _simulate(n_aircraft: int, seconds: float) -> tuple[list[tuple[float, bytes]], int]:
    from skywitness.simulate import parse_scenario
    from skywitness.simulate.run import _window
    from skywitness.simulate.writers import beast_bytes

    sc = parse_scenario(scenario_toml(n_aircraft), "bench.toml")
    w0 = sc.start + 3600.0
    fb = _window(sc, w0, w0 + seconds, 0)
    t = fb.timestamp - w0
    edges = np.searchsorted(t, np.arange(0.0, seconds + 0.01, 0.01))
    slices = []
    for k in range(len(edges) - 1):
        if edges[k + 1] > edges[k]:
            part = fb.take(np.arange(edges[k], edges[k + 1]))
            slices.append((k * 0.01, beast_bytes(part)))
    return slices, len(fb)


def send_paced(
    port: int, slices: list[tuple[float, bytes]], ready: Any, go: Any, span: Any
) -> None:
    """Serve the slices, paced, to the first client once ``go`` is set; ``span`` gets the
    feed's first and last send times (``time.monotonic``, the same clock in every process)."""
    from skywitness.simulate.serve import BeastServer

    with BeastServer("127.0.0.1", port) as srv:
        ready.set()
        while srv.clients == 0:
            time.sleep(0.01)
        go.wait(SETTLE_MAX_S + 30.0)
        time.sleep(0.5)
        t0 = time.monotonic()
        span[0] = t0
        for off, payload in slices:
            delay = t0 + off + 0.01 - time.monotonic()  # a slice goes out when it is complete
            if delay > 0:
                time.sleep(delay)
            srv.broadcast(payload)
        span[1] = time.monotonic()
        time.sleep(5.0)


def bench_stream(
    rate: int, seconds: float, map_clients: int = 0, rules: str | None = None
) -> dict[str, Any]:
    per_aircraft = 5.0  # frames/s per aircraft in coverage (measured: each frame heard once)
    n_aircraft = max(1, int(rate / per_aircraft))
    t0 = time.perf_counter()
    slices, n_frames = make_frames(n_aircraft, seconds)
    gen_s = time.perf_counter() - t0
    beast_port, http_port = free_port(), free_port()
    ready, go, span = mp.Event(), mp.Event(), mp.Array("d", 2)
    sender = mp.Process(target=send_paced, args=(beast_port, slices, ready, go, span), daemon=True)
    sender.start()
    ready.wait(30)
    data = tempfile.mkdtemp(prefix="skywitness-bench-")
    cmd = [sys.executable, "-c", SERVE, "serve", "--source", f"beast+tcp://127.0.0.1:{beast_port}"]
    cmd += ["--data-dir", data, "--port", str(http_port)]
    cmd += ["--rules", rules] if rules else []
    log_path = Path(data) / "serve.log"
    log_file = log_path.open("wb")
    proc = subprocess.Popen(cmd, cwd=REPO, stdout=subprocess.DEVNULL, stderr=log_file)
    base = f"http://127.0.0.1:{http_port}"
    lat: list[float] = []
    recv: list[float] = []  # receive time of each row
    stats: list[dict[str, Any]] = []
    dropped: list[int] = []  # counts of the stream's "dropped" messages
    rss: list[tuple[float, float, float]] = []  # (monotonic s, serve MB, flights child MB)
    done = threading.Event()

    def read_stream() -> None:
        with httpx.stream("GET", base + "/api/stream", timeout=None) as r:
            event = ""
            for line in r.iter_lines():
                if line.startswith("event: "):
                    event = line[7:]
                elif line.startswith("data: ") and event == "dropped":
                    dropped.append(int(json.loads(line[6:])["count"]))
                elif line.startswith("data: ") and event == "positions":
                    now = time.time()
                    rows = json.loads(line[6:])["aircraft"]
                    lat.extend(now - row["timestamp"] for row in rows)
                    recv.extend(now for _ in rows)
                if done.is_set():
                    return

    for _ in range(200):
        try:
            httpx.get(base + "/api/stats")
            break
        except httpx.HTTPError:
            time.sleep(0.1)
    reader = threading.Thread(target=read_stream, daemon=True)
    reader.start()
    threading.Thread(target=sample_rss, args=(proc.pid, rss, done), daemon=True).start()
    settle_s = settle(proc.pid, rss)
    go.set()
    lags: list[float] = []
    first_step: list[tuple[float, float]] = []  # the flights child's first window step
    threading.Thread(target=poll_lag, args=(base, lags, done, first_step), daemon=True).start()
    polls: list[int] = []
    for _ in range(map_clients):
        threading.Thread(target=poll_map, args=(base, polls, done), daemon=True).start()
    sender.join(seconds + SETTLE_MAX_S + 60)
    for _ in range(5):
        stats.append(httpx.get(base + "/api/stats", timeout=30).json())
        time.sleep(0.2)
    done.set()
    cpu = cpu_s(proc.pid)
    t_stop = time.monotonic()
    proc.terminate()
    proc.wait(600)
    stop_s = time.monotonic() - t_stop
    log_file.close()
    print(f"serve's log: {log_path}", file=sys.stderr)
    a = np.array(lat) if lat else np.zeros(1)
    # after the start-up burst (every aircraft new: tracks, identities) of the first STARTUP_S
    late = a[np.array(recv) >= recv[0] + STARTUP_S] if lat else a
    late = late if late.size else np.zeros(1)
    return {
        "aircraft": n_aircraft,
        "frames_sent": n_frames,
        "target_rate": rate,
        "offered_rate": round(n_frames / seconds),
        "frames_received": stats[-1]["frames"],
        "positions_rows": len(lat),
        "latency_p50_s": round(float(np.percentile(a, 50)), 3),
        "latency_p99_s": round(float(np.percentile(a, 99)), 3),
        "latency_max_s": round(float(a.max()), 3),
        f"latency_p99_after_{STARTUP_S:.0f}s": round(float(np.percentile(late, 99)), 3),
        f"latency_max_after_{STARTUP_S:.0f}s": round(float(late.max()), 3),
        "map_clients": map_clients,
        "rules": rules,
        "map_polls": len(polls),
        "lag_max_s": max(lags, default=0.0),
        "lag_end_s": stats[-1]["lag_s"],
        "queue_end": stats[-1]["queue_batches"],
        "serve_cpu_s": round(cpu, 1),
        "frames_per_cpu_s": round(stats[-1]["frames"] / cpu) if cpu else None,
        "stream_dropped": sum(dropped),
        **rss_figures(rss, span[0] + FEED_WARMUP_S, span[1], first_step),
        "settle_s": round(settle_s, 1),
        "flights_end": stats[-1]["flights"],
        "generate_s": round(gen_s, 1),
        "exit_code": proc.returncode,
        "stop_s": round(stop_s, 1),
    }


def flights_child(pid: int) -> int | None:
    """The flights child of ``pid`` (the multiprocessing "spawn" child; not its resource
    tracker), or None."""
    with contextlib.suppress(OSError):
        for k in Path(f"/proc/{pid}/task/{pid}/children").read_text().split():
            with contextlib.suppress(OSError):
                if b"spawn_main" in Path(f"/proc/{k}/cmdline").read_bytes():
                    return int(k)
    return None


def rss_mb(pid: int) -> tuple[float, float]:
    """Resident memory of ``pid`` and of its flights child, MB (Linux /proc)."""
    from skywitness.runtime.memory import rss_mb as rss_of

    child = flights_child(pid)
    return rss_of(pid) or 0.0, (rss_of(child) or 0.0) if child else 0.0


def cpu_s(pid: int, children: bool = True) -> float:
    """CPU seconds (user + system) of ``pid`` and (``children``) its live children so far
    (Linux /proc)."""
    from skywitness.runtime.proc_stat import cpu_s as cpu_of

    pids = [pid]
    with contextlib.suppress(OSError):
        if children:
            kids = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
            pids += [int(k) for k in kids]
    return sum(cpu_of(p) or 0.0 for p in pids)


def sample_rss(pid: int, out: list[tuple[float, float, float]], done: threading.Event) -> None:
    while not done.is_set():
        out.append((time.monotonic(), *rss_mb(pid)))
        time.sleep(RSS_EVERY_S)


def settle(pid: int, rss: list[tuple[float, float, float]]) -> float:
    """Wait until the flights child is idle (no CPU time for SETTLE_S: its imports are done;
    it runs at a lower priority, so it may be slow on a busy machine) and neither process's
    RSS moved more than SETTLE_MB over the last SETTLE_S; at most SETTLE_MAX_S. Seconds
    waited."""
    t0 = time.monotonic()
    n = round(SETTLE_S / RSS_EVERY_S) + 1
    cpu, since = -1.0, t0
    while time.monotonic() - t0 < SETTLE_MAX_S:
        time.sleep(RSS_EVERY_S)
        child = flights_child(pid)
        now_cpu = cpu_s(child, children=False) if child else -1.0
        if now_cpu != cpu or child is None:
            cpu, since = now_cpu, time.monotonic()
            continue
        last = rss[-n:]
        if time.monotonic() - since >= SETTLE_S and len(last) == n:
            moved = [max(r[k] for r in last) - min(r[k] for r in last) for k in (1, 2)]
            if max(moved) <= SETTLE_MB:
                break
    return time.monotonic() - t0


def slope_mb_per_min(samples: list[tuple[float, float]]) -> float:
    """Least-squares slope of (s, MB) samples, MB/min (0 with fewer than two)."""
    if len(samples) < 2:
        return 0.0
    t, m = np.array([s[0] for s in samples]), np.array([s[1] for s in samples])
    return round(float(np.polyfit(t, m, 1)[0]) * 60.0, 1)


def rss_figures(
    rss: list[tuple[float, float, float]],
    t0: float,
    t1: float,
    first_step: list[tuple[float, float]],
) -> dict[str, Any]:
    """RSS figures: serve and its flights child at the feed's start (``t0``, after its
    warm-up) and end (``t1``), their maxima, and each one's slope while the feed ran (samples
    in [t0, t1]). The first data-time window the flights stage steps allocates once (in the
    child: compute kernels, the runway index's first queries; in serve: the first flights
    stored and published): the slopes are then taken over the longer part of the feed before
    or after that step (``first_step``: its earliest start and latest end, if it came). Also,
    for comparison with earlier runs, the slope of the sum over the second half of all samples
    (it includes the seconds after the feed and, on a busy machine, the child's start)."""
    feed = [r for r in rss if t0 <= r[0] <= t1]
    part = feed
    if first_step:
        a, b = first_step[0]
        before = [r for r in feed if r[0] < a]
        after = [r for r in feed if r[0] > b + RSS_EVERY_S]
        part = max(before, after, key=len)
    out: dict[str, Any] = {"rss_feed_samples": len(feed), "rss_slope_samples": len(part)}
    for k, name in ((1, "serve"), (2, "flights")):
        out[f"rss_{name}_feed_start_mb"] = round(part[0][k]) if part else None
        out[f"rss_{name}_feed_end_mb"] = round(part[-1][k]) if part else None
        out[f"rss_{name}_max_mb"] = round(max(r[k] for r in rss)) if rss else None
        out[f"rss_{name}_feed_slope_mb_per_min"] = slope_mb_per_min([(r[0], r[k]) for r in part])
    total = [(r[0], r[1] + r[2]) for r in rss]
    out["rss_max_mb"] = round(max(m for _, m in total)) if total else None
    out["rss_slope_second_half_mb_per_min"] = slope_mb_per_min(total[len(total) // 2 :])
    return out


def poll_lag(
    base: str, out: list[float], done: threading.Event, steps: list[tuple[float, float]]
) -> None:
    """Poll /api/stats once a second: the lag into ``out``; ``steps`` gets, for the first
    data-time window the flights stage stepped, (earliest start, latest end) in monotonic s."""
    polled = time.monotonic()
    while not done.is_set():
        try:
            s = httpx.get(base + "/api/stats", timeout=30).json()
            now = time.monotonic()
            out.append(float(s["lag_s"]))
            fl = s["flights"]
            if fl["windows"] and not steps:
                steps.append((polled - fl["last_step_s"], now))
            polled = now
            src = s["sources"][0]
            print(
                f"  t={s['uptime_s']:6.1f}s frames {s['frames']:>9,} "
                f"in {src['frames_per_s']:>9,.0f}/s lag {s['lag_s']:6.2f}s "
                f"queue {s['queue_batches']:3d} live {s['aircraft_live']:>6,} "
                f"snapshot age {s['snapshot_age_s']:5.1f}s flights: pending "
                f"{fl['pending_rows']:>7,} buffered {fl['buffered_rows']:>9,} "
                f"windows {fl['windows']:3d} last step {fl['last_step_s']:5.1f}s",
                file=sys.stderr,
                flush=True,
            )
        except httpx.HTTPError:
            pass
        time.sleep(1.0)


def poll_map(base: str, out: list[int], done: threading.Event) -> None:
    """A web map: /api/aircraft (gzip) once a second; ``out`` gets each body's aircraft count."""
    with httpx.Client(timeout=30, headers={"Accept-Encoding": "gzip"}) as client:
        while not done.is_set():
            with contextlib.suppress(httpx.HTTPError):
                out.append(int(client.get(base + "/api/aircraft").json()["count"]))
            time.sleep(1.0)


# -- 2. /api/aircraft with 20,000 aircraft on one core -----------------------------------------
def serve_snapshot(port: int, n: int, ready: Any) -> None:
    os.sched_setaffinity(0, {0})
    import uvicorn

    from skywitness.api import create_app
    from skywitness.model import Observations
    from skywitness.runtime.live import IdentityCache
    from skywitness.runtime.live_cols import take_columns
    from skywitness.runtime.service import Service, ServiceConfig
    from skywitness.runtime.snapshots import SnapshotWorker
    from skywitness.track import Tracker

    rng = np.random.default_rng(1)
    obs = Observations.empty(n)
    now = time.time()
    obs.timestamp[:] = now - rng.random(n) * 5
    obs.icao24[:] = 0x300000 + rng.choice(0x200000, n, replace=False)
    obs.latitude[:], obs.longitude[:] = 40 + 20 * rng.random(n), -10 + 40 * rng.random(n)
    obs.altitude[:] = rng.integers(0, 400, n) * 100.0
    obs.groundspeed[:], obs.track[:] = 500 * rng.random(n), 360 * rng.random(n)
    obs.vertical_rate[:] = rng.integers(-20, 20, n) * 64.0
    obs.callsign[:] = np.array([f"BNC{i:04d}" for i in range(n)])
    obs.source = "bench"
    tracker = Tracker()
    tracker.update_observations(obs)
    svc = Service(ServiceConfig(sources=[]))
    svc.snapshots = SnapshotWorker(IdentityCache(None), lambda: 0)
    cols = take_columns(tracker)
    t0 = time.perf_counter()
    svc.snapshots.build_now(cols, time.time(), eager=True)
    first = time.perf_counter() - t0
    t0 = time.perf_counter()
    svc.snapshots.build_now(cols, time.time(), eager=True)
    print(f"snapshot of {len(cols):,} aircraft: first build {first:.2f} s (identities), "
          f"rebuild {time.perf_counter() - t0:.2f} s", flush=True)  # fmt: skip
    cfg = uvicorn.Config(
        create_app(svc), host="127.0.0.1", port=port, log_level="error", access_log=False,
        lifespan="off",
    )  # fmt: skip
    ready.set()
    uvicorn.Server(cfg).run()


def _client(port: int, headers: str, until: float, counts: list[int], cpus: set[int]) -> None:
    os.sched_setaffinity(0, cpus)
    req = f"GET /api/aircraft HTTP/1.1\r\nHost: x\r\n{headers}\r\n".encode()
    buf = bytearray(1 << 22)
    view = memoryview(buf)
    with socket.create_connection(("127.0.0.1", port)) as s:
        while time.monotonic() < until:
            s.sendall(req)
            head = b""
            while b"\r\n\r\n" not in head:
                head += s.recv(65536)
            h, _, rest = head.partition(b"\r\n\r\n")
            length = 0
            for line in h.split(b"\r\n"):
                if line.lower().startswith(b"content-length:"):
                    length = int(line.split(b":")[1])
            got = len(rest)
            while got < length:
                got += s.recv_into(view, min(len(buf), length - got))
            counts[0] += 1
            counts[1] += length


def bench_aircraft(n: int = 20_000, seconds: float = 10.0, conns: int = 8) -> list[str]:
    port = free_port()
    ready = mp.Event()
    server = mp.Process(target=serve_snapshot, args=(port, n, ready), daemon=True)
    server.start()
    ready.wait(120)
    time.sleep(1.0)
    etag = httpx.get(f"http://127.0.0.1:{port}/api/aircraft").headers["etag"]
    others = set(range(os.cpu_count() or 1)) - {0} or {0}
    lines = []
    modes = (
        ("gzip", "Accept-Encoding: gzip\r\n"),
        ("plain", "Accept-Encoding: identity\r\n"),
        ("if-none-match (304)", f"If-None-Match: {etag}\r\n"),
    )
    for name, headers in modes:
        counts = [[0, 0] for _ in range(conns)]
        until = time.monotonic() + seconds
        threads = [
            threading.Thread(target=_client, args=(port, headers, until, c, others)) for c in counts
        ]
        for th in threads:
            th.start()
        for th in threads:
            th.join()
        reqs, nbytes = sum(c[0] for c in counts), sum(c[1] for c in counts)
        lines.append(
            f"{name:<22} {reqs / seconds:8.0f} req/s  {nbytes / seconds / 1e6:8.1f} MB/s  "
            f"body {nbytes / max(reqs, 1) / 1e6:.2f} MB"
        )
    server.terminate()
    return lines


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("what", nargs="?", default="all", choices=("stream", "aircraft", "feed", "all"))
    ap.add_argument("--rate", type=int, default=100_000)
    ap.add_argument("--seconds", type=float, default=20.0)
    ap.add_argument("--map-clients", type=int, default=0)
    ap.add_argument("--rules", help="a rules file for serve --rules (the watch engine runs)")
    ap.add_argument("--frames", type=int, default=5_000_000, help="feed: frames to send")
    ap.add_argument("--stream-client", action="store_true", help="feed: one /api/stream reader")
    ap.add_argument("--no-store", action="store_true", help="feed: serve --no-store")
    ap.add_argument("--profile", help="feed: py-spy raw stacks of the live path to this file")
    ap.add_argument("--live-only", action="store_true", help="feed: no wait for deferred work")
    args = ap.parse_args()
    print(f"cpus: {os.cpu_count()}, load average: {os.getloadavg()}")
    if args.what in ("aircraft", "all"):
        for line in bench_aircraft():
            print(line)
    if args.what in ("stream", "all"):
        out = bench_stream(args.rate, args.seconds, args.map_clients, args.rules)
        print(json.dumps(out, indent=1))
    if args.what == "feed":
        from serve_feed import bench_feed

        print(f"command: python bench/serve.py feed --frames {args.frames}"
              + (" --stream-client" if args.stream_client else "")
              + (" --no-store" if args.no_store else "")
              + (" --live-only" if args.live_only else ""))  # fmt: skip
        out = bench_feed(args.frames, args.stream_client, not args.no_store, args.profile,
                         not args.live_only)  # fmt: skip
        print(json.dumps(out, indent=1))
        print(f"load average after: {os.getloadavg()}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
