"""Benchmark of ``skywitness serve`` (bench/RESULTS.md, "## serve").

1. ``stream``: the simulator feeds Beast frames over TCP at a target rate (default 100,000
   frames/s, paced in real time, 10 ms slices) into a ``serve`` subprocess; a client reads
   ``/api/stream`` and measures, for every ``positions`` row, receive time minus the frame's
   timestamp (the live Beast clock anchors frame times on their arrival), and polls
   ``/api/stats`` for the lag and queue. Reported: frames in/out, p50/p99/max latency, max lag.
   ``--map-clients N``: N more clients poll ``/api/aircraft`` (gzip) once a second meanwhile,
   as open web maps do (the snapshot bodies are then built every second). ``--rules FILE``:
   ``serve --rules FILE`` (the watch engine runs beside the tracker).
2. ``aircraft``: a server process pinned to one CPU core serves ``/api/aircraft`` for 20,000
   live aircraft (a tracker fed 20,000 synthetic reports); client threads pinned to the other
   core(s) request it over keep-alive connections (raw sockets, bodies read and discarded) for
   a fixed time, gzip, plain and conditional (If-None-Match). Reported: requests/s, MB/s.

Usage: python bench/serve.py [stream|aircraft|all] [--rate 100000] [--seconds 20]
       [--map-clients 0]
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


def send_paced(port: int, slices: list[tuple[float, bytes]], ready: Any) -> None:
    from skywitness.simulate.serve import BeastServer

    with BeastServer("127.0.0.1", port) as srv:
        ready.set()
        while srv.clients == 0:
            time.sleep(0.01)
        time.sleep(0.5)
        t0 = time.monotonic()
        for off, payload in slices:
            delay = t0 + off + 0.01 - time.monotonic()  # a slice goes out when it is complete
            if delay > 0:
                time.sleep(delay)
            srv.broadcast(payload)
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
    ready = mp.Event()
    sender = mp.Process(target=send_paced, args=(beast_port, slices, ready), daemon=True)
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
    rss: list[tuple[float, float]] = []  # (s since start, MB) of serve and its flights child
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
    lags: list[float] = []
    threading.Thread(target=poll_lag, args=(base, lags, done), daemon=True).start()
    polls: list[int] = []
    for _ in range(map_clients):
        threading.Thread(target=poll_map, args=(base, polls, done), daemon=True).start()
    sender.join(seconds + 60)
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
        "rss_start_mb": round(rss[0][1]) if rss else None,
        "rss_max_mb": round(max(m for _, m in rss)) if rss else None,
        "rss_end_mb": round(rss[-1][1]) if rss else None,
        "rss_slope_second_half_mb_per_min": slope_mb_per_min(rss),
        "flights_end": stats[-1]["flights"],
        "generate_s": round(gen_s, 1),
        "exit_code": proc.returncode,
        "stop_s": round(stop_s, 1),
    }


def rss_mb(pid: int) -> float:
    """Resident memory of ``pid`` and its children (the flights child), MB (Linux /proc)."""
    total = 0
    pids = [pid]
    with contextlib.suppress(OSError):
        kids = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
        pids += [int(k) for k in kids]
    for p in pids:
        with contextlib.suppress(OSError):
            for line in Path(f"/proc/{p}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    total += int(line.split()[1])
    return total / 1024.0


def cpu_s(pid: int) -> float:
    """CPU seconds (user + system) of ``pid`` and its live children so far (Linux /proc)."""
    total = 0
    pids = [pid]
    with contextlib.suppress(OSError):
        kids = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
        pids += [int(k) for k in kids]
    for p in pids:
        with contextlib.suppress(OSError):
            fields = Path(f"/proc/{p}/stat").read_text().rsplit(")", 1)[1].split()
            total += int(fields[11]) + int(fields[12])  # utime, stime (fields 14, 15)
    return total / os.sysconf("SC_CLK_TCK")


def sample_rss(pid: int, out: list[tuple[float, float]], done: threading.Event) -> None:
    t0 = time.monotonic()
    while not done.is_set():
        out.append((time.monotonic() - t0, rss_mb(pid)))
        time.sleep(1.0)


def slope_mb_per_min(samples: list[tuple[float, float]]) -> float:
    """Least-squares RSS slope over the second half of the samples, MB/min."""
    half = samples[len(samples) // 2 :]
    if len(half) < 2:
        return 0.0
    t, m = np.array([s[0] for s in half]), np.array([s[1] for s in half])
    return round(float(np.polyfit(t, m, 1)[0]) * 60.0, 1)


def poll_lag(base: str, out: list[float], done: threading.Event) -> None:
    while not done.is_set():
        try:
            s = httpx.get(base + "/api/stats", timeout=30).json()
            out.append(float(s["lag_s"]))
            src = s["sources"][0]
            print(
                f"  t={s['uptime_s']:6.1f}s frames {s['frames']:>9,} "
                f"in {src['frames_per_s']:>9,.0f}/s lag {s['lag_s']:6.2f}s "
                f"queue {s['queue_batches']:3d} live {s['aircraft_live']:>6,} "
                f"snapshot age {s['snapshot_age_s']:5.1f}s",
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
    from skywitness.runtime.workers import SnapshotWorker
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
    ap.add_argument("what", nargs="?", default="all", choices=("stream", "aircraft", "all"))
    ap.add_argument("--rate", type=int, default=100_000)
    ap.add_argument("--seconds", type=float, default=20.0)
    ap.add_argument("--map-clients", type=int, default=0)
    ap.add_argument("--rules", help="a rules file for serve --rules (the watch engine runs)")
    args = ap.parse_args()
    print(f"cpus: {os.cpu_count()}, load average: {os.getloadavg()}")
    if args.what in ("aircraft", "all"):
        for line in bench_aircraft():
            print(line)
    if args.what in ("stream", "all"):
        out = bench_stream(args.rate, args.seconds, args.map_clients, args.rules)
        print(json.dumps(out, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
