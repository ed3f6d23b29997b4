"""What one ``/api/stats`` poll costs ``serve`` (bench/RESULTS.md, "## serve"): a ``serve``
with its store (no frames: its source is a listening socket that sends nothing) is polled
``--polls`` times over one keep-alive connection after it settled; its process CPU over the
polls less its idle rate, per poll. ``bench/serve.py feed`` polls twice a second (a new
connection each: a little more than this).

Usage: ``python bench/serve_stats_poll.py [--polls 200] [--path /api/stats]``.
"""

from __future__ import annotations

import argparse
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parent))
#: Seconds serve is left to settle (imports, the flights child) before the idle rate is taken.
SETTLE_S = 8.0
IDLE_S = 3.0


def main() -> int:
    from serve import SERVE, cpu_s, free_port  # bench/serve.py

    ap = argparse.ArgumentParser()
    ap.add_argument("--polls", type=int, default=200)
    ap.add_argument("--path", default="/api/stats")
    args = ap.parse_args()
    lsock = socket.create_server(("127.0.0.1", 0))
    beast, http = lsock.getsockname()[1], free_port()
    data = tempfile.mkdtemp(prefix="skywitness-bench-poll-")
    cmd = [sys.executable, "-c", SERVE, "serve", "--source", f"beast+tcp://127.0.0.1:{beast}"]
    cmd += ["--live-clock", "counter", "--port", str(http), "--data-dir", data]
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    base = f"http://127.0.0.1:{http}"
    try:
        for _ in range(300):
            try:
                httpx.get(base + args.path)
                break
            except httpx.HTTPError:
                time.sleep(0.1)
        time.sleep(SETTLE_S)
        c0 = cpu_s(proc.pid, children=False)
        time.sleep(IDLE_S)
        idle = (cpu_s(proc.pid, children=False) - c0) / IDLE_S
        with httpx.Client() as client:
            c0, t0 = cpu_s(proc.pid, children=False), time.monotonic()
            for _ in range(args.polls):
                client.get(base + args.path)
            wall = time.monotonic() - t0
            used = cpu_s(proc.pid, children=False) - c0 - idle * wall
        print(f"{args.path}: {args.polls} polls, {used / args.polls * 1e3:.2f} ms of serve's CPU "
              f"per poll (idle rate {idle:.3f} CPU-s/s subtracted)")  # fmt: skip
    finally:
        proc.terminate()
        proc.wait(60)
        shutil.rmtree(data, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
