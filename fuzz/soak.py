"""Soak: ``serve`` fed by simulated receivers for a long time, watched from outside.

    python -m fuzz.soak --rate 2000 --seconds 7200 --out /work/soak-out     # the long run
    python -m fuzz.soak --rate 500 --seconds 300 --sample-s 10 --out OUT    # the CI size
    python -m fuzz.soak --rate 108000 --seconds 1800 --sample-s 30 --warmup-s 720 \
        --frame-cache CACHE --disconnect-min-s 120 --disconnect-max-s 300 --out OUT  # #17 item 12

20 receivers (``fuzz/soak_feed.py``) feed ``serve --source beast+tcp://...`` x 20 at ``--rate``
frames/s in total, each receiver's connection closed every ``--disconnect-min-s`` ..
``--disconnect-max-s`` s (serve reconnects); two stream clients read ``/api/stream`` as open
maps do and time every ``positions`` row (receive time minus the frame's time, which the live
Beast clock anchors on arrival); watch rules (takeoffs, landings, an area) fire alerts. Every
``--sample-s`` s the server's RSS (``/proc/PID/status``), lag, queue and counters are sampled.

At the end the feeders stop, the server drains, and every frame is accounted for: frames sent
= frames serve read (per receiver) = accepted + rejected (by reason); every state vector the
tracker made is stored (none dropped, none pending) and the store after a clean stop holds
exactly those rows. Written to ``--out``: ``soak.json`` (every figure and the samples),
``soak.svg`` (RSS, lag and rate over time, drawn by ``fuzz.soak_svg``), ``serve.log``.
``scripts/reliability.py --soak OUT/soak.json`` puts them in docs/reliability.md.

``serve`` runs from this checkout's ``src`` (``--serve-src DIR``: another tree's, e.g. a
``git archive`` of a base commit, for before/after pairs); ``--profile-out FILE`` samples its
CPU by thread and function (``fuzz/soak_profile.py``; ``python -m fuzz.soak_profile report
FILE`` prints the tables).
"""

from __future__ import annotations

import argparse
import json
import multiprocessing as mp
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any

import httpx
import numpy as np

from . import soak_feed
from .soak_svg import write_svg

REPO = Path(__file__).resolve().parents[1]
#: The rules the server runs: takeoffs and landings anywhere, and an area around Frankfurt.
RULES = """
[[notifier]]
name = "feed"
kind = "atom"
path = "alerts.xml"

[[rule]]
name = "first-seen"
event = "seen"

[[rule]]
name = "takeoff-or-landing"
event = ["takeoff", "landing"]

[[rule]]
name = "frankfurt-area"
event = ["enter", "leave"]
area = { circle = { lat = 50.03, lon = 8.57, radius_nm = 40 } }
"""
#: A sample of /api/stats also taken this often (lag peaks between the RSS samples), s.
LAG_POLL_S = 2.0
#: Longest the server may take to read and store what was sent, after the feeders stop, s.
DRAIN_S = 300.0
#: The drain ends early when nothing moved (frames read, queue, rows to store) for this long, s.
STILL_S = 20.0


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def cpu_s(pid: int) -> float:
    """User + system CPU seconds of process ``pid`` so far (0 when it is gone)."""
    from skywitness.runtime.proc_stat import cpu_s as cpu_of

    return cpu_of(pid) or 0.0


def cpu_tree_s(pid: int) -> float:
    """CPU seconds of ``pid`` and its live descendants (0 for any already gone)."""
    if not pid:
        return 0.0
    total = 0.0
    for p in [pid, *children(pid)]:
        try:
            total += cpu_s(p)
        except (OSError, IndexError):
            continue
    return total


def rss_mb(pid: int) -> float:
    """Resident memory of process ``pid``, MB (0 when it is gone)."""
    from skywitness.runtime.memory import rss_mb as rss_of

    return rss_of(pid) or 0.0


def rss_split(pids: list[int]) -> dict[str, float]:
    """Anonymous and file-backed resident MB of ``pids`` together (``memory.rss_split_mb``)."""
    from skywitness.runtime.memory import rss_split_mb

    out = {"anon": 0.0, "file": 0.0}
    for pid in pids:
        parts = rss_split_mb(pid) or {}
        for k in out:
            out[k] += parts.get(k, 0.0)
    return {k: round(v, 1) for k, v in out.items()}


def children(pid: int) -> list[int]:
    """Every descendant of ``pid`` (serve's flights worker is a child process)."""
    out: list[int] = []
    for task in Path(f"/proc/{pid}/task").glob("*/children"):
        try:
            kids = [int(k) for k in task.read_text().split()]
        except OSError:
            continue
        for k in kids:
            out += [k, *children(k)]
    return out


class StreamClient(threading.Thread):
    """One open map: reads ``/api/stream``, times each positions row, counts alerts and the
    messages the server says this client missed."""

    def __init__(self, base: str, done: threading.Event) -> None:
        super().__init__(daemon=True)
        self.base, self.done = base, done
        self.latency: list[float] = []
        self.alerts = self.dropped = self.messages = self.reconnects = 0
        self.t0 = time.monotonic()
        #: (s since the client started, count) of each ``dropped`` notice
        self.drops: list[tuple[float, int]] = []
        self.errors: list[str] = []

    def run(self) -> None:
        while not self.done.is_set():
            try:
                self._read()
            except (httpx.HTTPError, ValueError) as exc:
                self.errors.append(f"{type(exc).__name__}: {exc}"[:200])
                self.reconnects += 1
                time.sleep(1.0)

    def _read(self) -> None:
        with httpx.stream("GET", self.base + "/api/stream", timeout=60.0) as r:
            event = ""
            for line in r.iter_lines():
                if self.done.is_set():
                    return
                if line.startswith("event: "):
                    event = line[7:]
                elif line.startswith("data: "):
                    self.messages += 1
                    now = time.time()
                    if event == "positions":
                        rows = json.loads(line[6:])["aircraft"]
                        self.latency.extend(now - float(row["timestamp"]) for row in rows)
                    elif event == "alert":
                        self.alerts += 1
                    elif event == "dropped":
                        n = int(json.loads(line[6:])["count"])
                        self.dropped += n
                        self.drops.append((round(time.monotonic() - self.t0, 1), n))


def slope_per_hour(t: list[float], y: list[float]) -> float:
    """Least-squares slope of ``y`` over ``t`` (s), per hour; 0 with fewer than 3 samples."""
    if len(t) < 3:
        return 0.0
    return float(np.polyfit(np.array(t) / 3600.0, np.array(y), 1)[0])


def percentile(v: list[float], q: float) -> float:
    return round(float(np.percentile(v, q)), 3) if v else 0.0


def sample(base: str, pid: int, t0: float) -> dict[str, Any]:
    s = httpx.get(base + "/api/stats", timeout=30).json()
    fl = s.get("flights") or {}
    kids = children(pid)
    own, theirs = rss_split([pid]), rss_split(kids)
    return {
        "t": round(time.monotonic() - t0, 1),
        "rss_mb": round(rss_mb(pid), 1),
        "rss_anon_mb": own["anon"],
        "rss_file_mb": own["file"],
        "rss_children_mb": round(sum(rss_mb(k) for k in kids), 1),
        "rss_children_anon_mb": theirs["anon"],
        "cpu_s": round(cpu_s(pid), 1),
        "cpu_s_children": round(cpu_tree_s(pid) - cpu_s(pid), 1),
        "frames": s["frames"],
        "lag_s": s["lag_s"],
        "queue": s["queue_batches"],
        "live": s["aircraft_live"],
        "flights_held": fl.get("held"),
        "flights_rows_held": fl.get("rows_held"),
        "flights_rows_held_quiet": fl.get("rows_held_quiet"),
        "flights_rows_parked": fl.get("rows_parked"),
        "flight_steps": fl.get("steps"),
        "pending_rows": (s.get("store") or {}).get("pending_rows"),
        "flights_pending": fl.get("pending_rows"),
        "memory": s.get("memory"),
    }


def start_serve(
    out: Path, ports: list[int], http: int, src: Path | None = None, profile: Path | None = None
) -> subprocess.Popen[bytes]:
    """``serve`` from ``src`` (default: this checkout's ``src``, never an installed package);
    ``profile``: sampled by ``fuzz.soak_profile`` (CPU by thread and function) into that file."""
    rules = out / "rules.toml"
    rules.write_text(RULES)
    run = ["fuzz.soak_profile", "run", str(profile), "--"] if profile else ["skywitness"]
    cmd = [sys.executable, "-m", *run, "serve", "--data-dir", str(out / "data")]
    for p in ports:
        cmd += ["--source", f"beast+tcp://127.0.0.1:{p}"]
    cmd += ["--port", str(http), "--rules", str(rules)]
    paths = [str((src or REPO / "src").resolve()), str(REPO)]
    env = dict(os.environ, PYTHONPATH=os.pathsep.join(paths))
    log = (out / "serve.log").open("wb")
    return subprocess.Popen(cmd, cwd=REPO, env=env, stdout=log, stderr=subprocess.STDOUT)


def wait_http(base: str, proc: subprocess.Popen[bytes]) -> None:
    for _ in range(600):
        if proc.poll() is not None:
            raise RuntimeError(f"serve exited at start ({proc.returncode}); see serve.log")
        try:
            httpx.get(base + "/api/stats", timeout=5)
            return
        except httpx.HTTPError:
            time.sleep(0.1)
    raise RuntimeError("serve did not answer in 60 s")


def drain(base: str, sent: int, drain_s: float = DRAIN_S) -> tuple[dict[str, Any], float]:
    """Wait until serve has read ``sent`` frames, its queue is empty and nothing waits to be
    stored; the last stats and the seconds it took."""
    t0 = last_change = time.monotonic()
    s: dict[str, Any] = {}
    frames = -1
    while time.monotonic() - t0 < drain_s and time.monotonic() - last_change < STILL_S:
        s = httpx.get(base + "/api/stats", timeout=30).json()
        pending = (s.get("store") or {}).get("pending_rows", 0)
        # the flights backlog too: "flights keep up" is judged by what still waits at the end
        flights = (s.get("flights") or {}).get("pending_rows", 0)
        caught_up = s["frames"] >= sent and s["queue_batches"] == 0 and s["lag_s"] == 0
        if caught_up and not pending and not flights:
            break
        if s["frames"] != frames or s["queue_batches"] or pending or flights:
            frames, last_change = s["frames"], time.monotonic()
        time.sleep(1.0)
    return s, time.monotonic() - t0


def run(a: argparse.Namespace) -> dict[str, Any]:
    out = Path(a.out)
    out.mkdir(parents=True, exist_ok=True)
    n = a.receivers
    # the scenario's span (its aircraft, its frames) may be longer than the feed: a run fed
    # the first part of a longer scenario replays that scenario's saved chunks
    span = getattr(a, "scenario_seconds", None) or a.seconds
    aircraft, _per = soak_feed.calibrate(a.rate, n, span, a.seed)
    toml = soak_feed.scenario_toml(aircraft, n, span, a.seed)
    chunks = int(np.ceil(a.seconds / soak_feed.CHUNK_S))
    cfg = {"receivers": n, "toml": toml, "chunks": chunks, "seed": a.seed,
           "disconnect_min_s": a.disconnect_min_s,
           "disconnect_max_s": a.disconnect_max_s}  # fmt: skip
    if getattr(a, "frame_cache", None):  # chunks made (or found) before: the feeder replays
        cache = soak_feed.pregenerate(toml, n, chunks, Path(a.frame_cache))
        cfg["cache"] = [str(p) for p in cache]
        if getattr(a, "pregenerate_only", False):
            return {"frame_cache": cfg["cache"], "aircraft": aircraft}
    ports, counters = mp.Array("q", n), mp.Array("q", 4 * n + 3)
    ready, stop = mp.Event(), mp.Event()
    feeder = mp.Process(target=soak_feed.feed, args=(cfg, ports, counters, ready, stop))
    feeder.start()
    if not ready.wait(300):
        raise RuntimeError("the feeder did not start")
    http = free_port()
    base = f"http://127.0.0.1:{http}"
    src, prof = getattr(a, "serve_src", None), getattr(a, "profile_out", None)
    proc = start_serve(out, ports[:], http, src and Path(src), prof and Path(prof))
    wait_http(base, proc)
    done = threading.Event()
    clients = [StreamClient(base, done) for _ in range(2)]
    for c in clients:
        c.start()
    t0 = time.monotonic()
    own0 = time.process_time()
    samples: list[dict[str, Any]] = []
    lags: list[float] = []
    next_sample = t0
    feeder_cpu = 0.0
    while feeder.is_alive() and time.monotonic() - t0 < a.seconds + 120:
        feeder_cpu = max(feeder_cpu, cpu_tree_s(feeder.pid or 0))
        try:
            s = sample(base, proc.pid, t0)
        except httpx.HTTPError:
            continue
        lags.append(float(s["lag_s"]))
        if time.monotonic() >= next_sample:
            samples.append(s)
            next_sample += a.sample_s
            print(json.dumps(s), flush=True)
        if proc.poll() is not None:
            break
        time.sleep(LAG_POLL_S)
    feed_s = time.monotonic() - t0
    feeder_cpu = max(feeder_cpu, cpu_tree_s(feeder.pid or 0))
    stop.set()
    feeder.join(60)
    counts: list[int] = counters[:]
    sent = sum(counts[:n])
    final: dict[str, Any] = {}
    drain_s = 0.0
    try:
        if proc.poll() is None:
            final, drain_s = drain(base, sent, getattr(a, "drain_s", DRAIN_S))
            samples.append(sample(base, proc.pid, t0))
    except httpx.HTTPError as exc:  # said in the results, not a lost run
        final["harness_error"] = f"{type(exc).__name__}: {exc}"
    done.set()
    cpu = {"feeder": round(feeder_cpu, 1), "harness": round(time.process_time() - own0, 1)}
    proc.send_signal(signal.SIGTERM)
    try:
        code = proc.wait(300)
    except subprocess.TimeoutExpired:
        proc.kill()
        code = proc.wait()
    raw = {"final": final, "samples": samples, "lags": lags, "counters": counts, "feed_s": feed_s,
           "drain_s": drain_s, "exit_code": code, "aircraft": aircraft,
           "latency_p99": [percentile(cl.latency, 99) for cl in clients], "cpu": cpu}  # fmt: skip
    (out / "soak-raw.json").write_text(json.dumps(raw))  # kept should the summary fail
    res = summarise(a, out, final, samples, lags, clients, counts, feed_s, drain_s, code, aircraft)
    res["cpu_s_feeder"], res["cpu_s_harness"] = cpu["feeder"], cpu["harness"]
    res["frames_replayed_from_cache"] = bool(getattr(a, "frame_cache", None))
    (out / "soak.json").write_text(json.dumps(res, indent=1))
    return res


#: Rejects counted under "tracker" in /api/stats that are made before the decoder (the
#: duplicate filter): the frames they name were not accepted.
BEFORE_DECODE = frozenset({"duplicate"})


def account(res: dict[str, Any]) -> dict[str, Any]:
    """Every frame sent, accounted for, from the per-receiver counts and serve's final
    ``/api/stats`` (``final_stats``): frames sent = accepted by the decoder + rejected before
    it with a reason (per source: reading, decoding, a frame a connection cut; under
    "tracker": duplicates). The tracker's other rejects (unknown address...) are of accepted
    frames. Per receiver: sent = read + frames cut by a connection (counted "truncated")."""
    final = res.get("final_stats") or {}
    by_source = final.get("rejects_by_source", {})
    specs = [s["spec"] for s in final.get("sources", [])]
    per_source = sum(int(v) for k, c in by_source.items() if k != "tracker" for v in c.values())
    tracker = by_source.get("tracker", {})
    before = sum(int(v) for k, v in tracker.items() if k in BEFORE_DECODE)
    cut = [int(by_source.get(spec, {}).get("truncated", 0)) for spec in specs]
    sent, read = res["per_receiver_sent"], res["per_receiver_read"]
    accepted = int(final.get("accepted", 0))
    return {
        "rejected_before_or_in_decoding": per_source + before,
        "rejected_by_tracker_of_accepted": sum(
            int(v) for k, v in tracker.items() if k not in BEFORE_DECODE
        ),
        "per_receiver_sent_equals_read_plus_cut": len(sent) == len(read)
        and all(s == r + k for s, r, k in zip(sent, read, cut, strict=False)),
        "every_frame_accounted": sum(sent) == accepted + per_source + before
        and len(sent) == len(read)
        and all(s == r + k for s, r, k in zip(sent, read, cut, strict=False))
        and res["frames_in_failed_sends"] == 0,
    }


def stored_rows(data: Path) -> tuple[int, int, int]:
    """State vectors, distinct (icao24, timestamp, source) and alerts in the stopped store."""
    from skywitness.store import Store
    from skywitness.store.catalog import table_exists

    with Store(data, read_only=True) as st:
        n, distinct = st.connection.execute(
            "SELECT count(*), count(DISTINCT (icao24, timestamp, source)) FROM states"
        ).fetchall()[0]
        alerts = (
            st.connection.execute("SELECT count(*) FROM alerts").fetchall()[0][0]
            if table_exists(st.connection, "alerts")
            else 0
        )
    return int(n), int(distinct), int(alerts)


def summarise(a: argparse.Namespace, out: Path, final: dict[str, Any],
              samples: list[dict[str, Any]], lags: list[float], clients: list[StreamClient],
              c: list[int], feed_s: float, drain_s: float, code: int,
              aircraft: int) -> dict[str, Any]:  # fmt: skip
    n = a.receivers
    sent = c[:n]
    srcs = final.get("sources", [])
    read = [int(s["frames"]) for s in srcs]
    accepted = int(final.get("accepted", 0))
    store = final.get("store") or {}
    rows, distinct, alerts_stored = stored_rows(out / "data")
    pts = [s for s in samples if s]
    warmup_s = getattr(a, "warmup_s", None)
    warmup_s = 0.1 * a.seconds if warmup_s is None else warmup_s
    warm = [s for s in pts if s["t"] >= warmup_s] or pts
    lat = [x for cl in clients for x in cl.latency]
    res: dict[str, Any] = {
        "command": "python -m fuzz.soak "
        + " ".join(
            f"--{k.replace('_', '-')} {v}"
            for k, v in sorted(vars(a).items())
            if v is not None and v is not False  # flags not given
        ),
        "rate_target": a.rate,
        "seconds": a.seconds,
        "scenario_seconds": getattr(a, "scenario_seconds", None) or a.seconds,
        "receivers": n,
        "aircraft_in_scenario": aircraft,
        "frames_sent": sum(sent),
        "offered_rate": round(sum(sent) / max(feed_s, 1e-9)),
        "frames_not_sent_no_client": sum(c[n : 2 * n]),
        "frames_in_failed_sends": sum(c[2 * n : 3 * n]),
        "disconnects_made": sum(c[3 * n : 4 * n]),
        "reconnects_seen": sum(int(s["reconnects"]) for s in srcs),
        "feeder_max_behind_s": c[4 * n + 1] / 1000,
        "generator_fell_behind": bool(c[4 * n + 2]),
        "frames_read": sum(read),
        "per_receiver_sent": sent,
        "per_receiver_read": read,
        "accepted": accepted,
        "rejects": final.get("rejects", {}),
        "cpu_s_serve": pts[-1]["cpu_s"] if pts else 0,
        "cpu_s_flights_child": pts[-1].get("cpu_s_children") if pts else 0,
        "state_rows_stored": int(store.get("rows", -1)),
        "rows_not_stored": store.get("rows_not_stored"),
        "pending_rows_at_end": store.get("pending_rows"),
        "rows_in_store_after_stop": rows,
        "duplicate_rows": rows - distinct,
        "flights": store.get("flights"),
        # the flights stage (serve's child process): steps taken, data-time windows built, and
        # what waited at the end of the drain: rows queued for it, rows in unsealed windows
        "flights_steps": (final.get("flights") or {}).get("steps"),
        "flights_windows": (final.get("flights") or {}).get("windows"),
        "flights_pending_rows_at_end": (final.get("flights") or {}).get("pending_rows"),
        "flights_buffered_rows_at_end": (final.get("flights") or {}).get("buffered_rows"),
        "flights_dropped_rows": (final.get("flights") or {}).get("dropped_rows"),
        "memory_end": final.get("memory"),
        "alerts_stored": alerts_stored,
        "alerts_per_client": [cl.alerts for cl in clients],
        "stream_messages_per_client": [cl.messages for cl in clients],
        "stream_dropped_per_client": [cl.dropped for cl in clients],
        "stream_reconnects_per_client": [cl.reconnects for cl in clients],
        "stream_drops_per_client": [cl.drops for cl in clients],
        "latency_p50_s": percentile(lat, 50),
        "latency_p99_s": percentile(lat, 99),
        "latency_max_s": percentile(lat, 100),
        "lag_p99_s": percentile(lags, 99),
        "lag_max_s": percentile(lags, 100),
        "rss_start_mb": pts[0]["rss_mb"] if pts else 0,
        "rss_end_mb": pts[-1]["rss_mb"] if pts else 0,
        "rss_max_mb": max((s["rss_mb"] for s in pts), default=0),
        "rss_children_max_mb": max((s["rss_children_mb"] for s in pts), default=0),
        "rss_children_slope_mb_per_h": round(
            slope_per_hour([s["t"] for s in pts], [s["rss_children_mb"] for s in pts]), 1
        ),
        "rss_slope_mb_per_h": round(
            slope_per_hour([s["t"] for s in pts], [s["rss_mb"] for s in pts]), 1
        ),
        "warmup_s": warmup_s,
        "rss_slope_after_warmup_mb_per_h": round(
            slope_per_hour([s["t"] for s in warm], [s["rss_mb"] for s in warm]), 1
        ),
        "rss_anon_slope_after_warmup_mb_per_h": round(
            slope_per_hour([s["t"] for s in warm], [s.get("rss_anon_mb", 0) for s in warm]), 1
        ),
        "rss_children_slope_after_warmup_mb_per_h": round(
            slope_per_hour([s["t"] for s in warm], [s["rss_children_mb"] for s in warm]), 1
        ),
        "rss_after_warmup_min_max_mb": [
            min((s["rss_mb"] for s in warm), default=0),
            max((s["rss_mb"] for s in warm), default=0),
        ],
        "rss_children_after_warmup_min_max_mb": [
            min((s["rss_children_mb"] for s in warm), default=0),
            max((s["rss_children_mb"] for s in warm), default=0),
        ],
        "flights_backlog_after_warmup_max_rows": max(
            (s.get("flights_pending") or 0 for s in warm), default=0
        ),
        "drain_s": round(drain_s, 1),
        "exit_code": code,
        "samples": samples,
        "final_stats": final,
    }
    res.update(account(res))
    res["every_row_stored"] = (
        res["rows_not_stored"] == 0
        and not res["pending_rows_at_end"]
        and rows >= res["state_rows_stored"]  # the tracker's last rows are stored at stop
        and rows == distinct
    )
    (out / "soak.json").write_text(json.dumps(res, indent=1))
    write_svg(res, out / "soak.svg")
    return res


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m fuzz.soak", description=__doc__.split("\n")[0])
    ap.add_argument("--rate", type=float, default=2000.0, help="frames/s, all receivers")
    ap.add_argument("--seconds", type=float, default=7200.0, help="how long the feeders send")
    ap.add_argument("--receivers", type=int, default=20)
    ap.add_argument("--disconnect-min-s", type=float, default=120.0)
    ap.add_argument("--disconnect-max-s", type=float, default=300.0)
    ap.add_argument("--sample-s", type=float, default=60.0, help="RSS sampled this often, s")
    ap.add_argument("--seed", type=int, default=2026)
    ap.add_argument("--out", required=True, help="folder for soak.json, soak.svg, serve.log")
    ap.add_argument(
        "--frame-cache",
        default=None,
        help="folder of saved chunks: made before the run (on every core) or found "
        "there from an earlier run, then replayed: the simulator's CPU is not "
        "spent during the run (needed at 100,000 frames/s on a small machine)",
    )
    ap.add_argument(
        "--drain-s",
        type=float,
        default=DRAIN_S,
        help="longest wait for serve to read and store what was sent, s",
    )
    ap.add_argument("--scenario-seconds", type=float, default=None,
                    help="the scenario's span (default: --seconds); longer: the feed sends its "
                    "first --seconds (replaying a longer run's frame cache)")  # fmt: skip
    ap.add_argument("--warmup-s", type=float, default=None,
                    help="RSS slopes after warm-up are taken from here on, s "
                    "(default: 10 %% of --seconds)")  # fmt: skip
    ap.add_argument("--serve-src", default=None,
                    help="run serve from this src/ folder (e.g. a git archive of a base "
                    "commit) instead of this checkout's")  # fmt: skip
    ap.add_argument("--profile-out", default=None,
                    help="sample serve's CPU by thread and function into this JSON file "
                    "(python -m fuzz.soak_profile report FILE prints it)")  # fmt: skip
    ap.add_argument("--pregenerate-only", action="store_true",
                    help="with --frame-cache: make the chunks and stop")  # fmt: skip
    a = ap.parse_args(argv)
    res = run(a)
    if a.pregenerate_only:
        print(json.dumps(res, indent=1))
        return 0
    keep = {k: v for k, v in res.items() if k != "samples"}
    print(json.dumps(keep, indent=1))
    return 0 if res["every_frame_accounted"] and res["every_row_stored"] else 1


if __name__ == "__main__":
    sys.exit(main())
