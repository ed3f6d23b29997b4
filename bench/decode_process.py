"""Benchmark: ``skywitness decode`` as a whole process vs a pyModeS program on the same files,
per input format, and the SBS reader vs pandas ``read_csv`` of the same file.

Every run is a fresh process (start-up included); CPU = user + system of the child. Input: the
real frames of ``shared/data/traffic-raw-frames`` (tutorial + full_flight_short, with their
times) repeated to ``--frames`` frames, written as Beast (12 MHz ticks, signal byte),
``timestamp,hex`` CSV, AVR ``@ticks HEX;`` lines and JSON lines; SBS: the real
``beastblackbox-example`` BaseStation lines repeated. skywitness writes zstd Parquet
(``decode FILE -o out.parquet``: frame, address, every decoded field, reject reasons); the
pyModeS program reads the file line by line (Beast: a plain Python unescaping loop) and calls
``pyModeS.decode(hex)`` on each message, keeping the dicts in memory; pandas reads the SBS file
with ``read_csv(header=None)`` (pandas from ``--pandas-path``, or the venv's own).

Children run with bytecode caching on (``PYTHONDONTWRITEBYTECODE`` dropped, the cache under
the run's temporary folder through ``PYTHONPYCACHEPREFIX``), as an installed package has its
``.pyc`` files: otherwise every run would recompile every skywitness module (~0.1 s CPU).

Runs are interleaved (per round: skywitness, the base tree when ``--base-src`` names one, then
the peer) and every figure is the median of ``--rounds`` rounds, so load that comes and goes
on a shared machine falls on all sides alike; the two trees swap places every other round,
so that neither always runs just after a peer. ``--output`` picks the file skywitness
writes (``parquet``, ``jsonl`` or ``csv``). ``--no-peer`` skips the peers: more rounds of
skywitness against ``--base-src`` in the same time. The load average before and after is
printed.

Run: python bench/decode_process.py [--frames 500000] [--rounds 3] [--base-src DIR]
[--output parquet] [--pandas-path DIR] [--no-peer]
"""

from __future__ import annotations

import argparse
import gzip
import importlib.util
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT.parent / "shared" / "data"

PYMODES_TEXT = """
import sys, json
import pyModeS
fmt, path = sys.argv[1], sys.argv[2]
out = []
with open(path, "rb") as f:
    for line in f:
        line = line.strip()
        if fmt == "csv":
            ts, msg = line.split(b",")
            t = float(ts)
        elif fmt == "avr":
            t = int(line[1:13], 16) / 12e6
            msg = line[13:-1]
        else:
            o = json.loads(line)
            t, msg = o["timestamp"], o["frame"].encode()
        out.append((t, pyModeS.decode(msg.decode())))
print(len(out), "messages")
"""

PYMODES_BEAST = """
import sys
import pyModeS
data = open(sys.argv[2], "rb").read()
out, i, n = [], 0, len(data)
sizes = {0x32: 7, 0x33: 14, 0x31: 2}
while i < n:
    if data[i] != 0x1A:
        i += 1
        continue
    kind = data[i + 1]
    want = 6 + 1 + sizes.get(kind, 0)
    body = bytearray()
    j = i + 2
    while len(body) < want and j < n:
        b = data[j]
        if b == 0x1A:
            j += 1  # escaped 0x1a
        body.append(data[j])
        j += 1
    i = j
    ticks = int.from_bytes(body[:6], "big")
    out.append((ticks / 12e6, pyModeS.decode(bytes(body[7:]).hex())))
print(len(out), "messages")
"""

PANDAS_SBS = """
import sys
import pandas as pd
df = pd.read_csv(sys.argv[1], header=None, low_memory=False)
print(len(df), "rows")
"""


def frames(total: int) -> list[tuple[float, str]]:
    rows = []
    for name in ("tutorial.jsonl.gz", "full_flight_short.jsonl.gz"):
        text = gzip.decompress((DATA / "traffic-raw-frames" / name).read_bytes())
        rows += [(float(o["timestamp"]), o["frame"]) for o in map(json.loads, text.splitlines())]
    rows = [r for r in rows if len(r[1]) in (14, 28)]
    out, k = [], 0
    while len(out) < total:  # repeats run on in time, as one long capture
        shift = k * (rows[-1][0] - rows[0][0] + 1.0)
        out += [(t + shift, h) for t, h in rows[: total - len(out)]]
        k += 1
    return out


def write_inputs(tmp: Path, total: int) -> dict[str, Path]:
    fr = frames(total)
    t0 = fr[0][0]
    paths = {k: tmp / f"in.{k}" for k in ("beast", "csv", "avr", "jsonl", "sbs")}
    with open(paths["csv"], "w") as f:
        f.writelines(f"{t!r},{h}\n" for t, h in fr)
    with open(paths["avr"], "w") as f:
        f.writelines(f"@{round((t - t0) * 12e6):012X}{h};\n" for t, h in fr)
    with open(paths["jsonl"], "w") as f:
        f.writelines(json.dumps({"timestamp": t, "frame": h}) + "\n" for t, h in fr)
    with open(paths["beast"], "wb") as f:
        for t, h in fr:
            body = round((t - t0) * 12e6).to_bytes(6, "big") + b"\x80" + bytes.fromhex(h)
            kind = b"\x33" if len(h) == 28 else b"\x32"
            f.write(b"\x1a" + kind + body.replace(b"\x1a", b"\x1a\x1a"))
    sbs = gzip.decompress((DATA / "beastblackbox-example/beast_decoded_sbs.txt.gz").read_bytes())
    lines = [ln + b"\n" for ln in sbs.splitlines() if ln.startswith(b"MSG")]
    paths["sbs"].write_bytes(b"".join(lines) * (total // len(lines) + 1))
    return paths


def cached_bytecode(tmp: Path) -> None:
    """Children write and reuse ``.pyc`` files (under ``tmp``), as an installed package does."""
    os.environ.pop("PYTHONDONTWRITEBYTECODE", None)
    os.environ["PYTHONPYCACHEPREFIX"] = str(tmp / "pycache")


def cpu_of(cmd: list[str], env: dict[str, str] | None = None) -> float:
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    subprocess.run(cmd, check=True, capture_output=True, env=env or os.environ)
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def median_cpu(runs: list[float]) -> float:
    return statistics.median(runs)


def load() -> str:
    return " ".join(f"{x:.2f}" for x in os.getloadavg())


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--frames", type=int, default=500_000)
    ap.add_argument("--rounds", type=int, default=3, help="interleaved rounds (medians)")
    ap.add_argument("--base-src", default=None, help="a src/ folder of another tree to compare")
    ap.add_argument("--output", default="parquet", choices=("parquet", "jsonl", "csv"))
    ap.add_argument("--only", default=None, help="comma-separated formats (beast,csv,avr,...)")
    ap.add_argument("--pandas-path", default=None, help="a folder holding pandas (pip --target)")
    ap.add_argument(
        "--no-peer",
        action="store_true",
        help="skip the peers (pyModeS, pandas): more rounds of skywitness against --base-src",
    )
    args = ap.parse_args()
    py = sys.executable
    has_pandas = bool(args.pandas_path or importlib.util.find_spec("pandas"))
    only = set(args.only.split(",")) if args.only else None
    with tempfile.TemporaryDirectory() as d:
        tmp = Path(d)
        cached_bytecode(tmp)
        # (after ``cached_bytecode``: a copy taken before it ran the base tree without cached
        # bytecode, recompiling every module each run, ~0.03-0.05 CPU s against it)
        base_env = {**os.environ, "PYTHONPATH": args.base_src} if args.base_src else None
        pandas_env = {**os.environ, "PYTHONPATH": args.pandas_path} if args.pandas_path else None
        paths = write_inputs(tmp, args.frames)
        out = str(tmp / f"out.{args.output}")
        sw = [py, "-m", "skywitness", "decode", "-q", "-o", out, "--format"]
        cpu_of([*sw, "hex", str(paths["csv"])])  # warm the file cache and bytecode
        if base_env is not None:
            cpu_of([*sw, "hex", str(paths["csv"])], base_env)
        plan = [("beast", "beast"), ("csv", "hex"), ("avr", "avr"), ("jsonl", "jsonl")]
        plan += [("sbs", "sbs")]
        plan = [p for p in plan if only is None or p[0] in only]
        runs: dict[tuple[str, str], list[float]] = {}
        print(f"load average before: {load()}")
        trees: list[tuple[str, dict[str, str] | None]] = [("ours", None)]
        if base_env is not None:
            trees.append(("base", base_env))
        for r in range(args.rounds):
            for fmt, swfmt in plan:
                cmd = [*sw, swfmt, str(paths[fmt])]
                for side, env in trees[::-1] if r % 2 else trees:
                    runs.setdefault((fmt, side), []).append(cpu_of(cmd, env))
                if args.no_peer:
                    continue
                if fmt == "sbs":
                    if has_pandas:
                        peer = [py, "-c", PANDAS_SBS, str(paths["sbs"])]
                        runs.setdefault((fmt, "peer"), []).append(cpu_of(peer, pandas_env))
                    continue
                prog = PYMODES_BEAST if fmt == "beast" else PYMODES_TEXT
                peer = [py, "-c", prog, fmt, str(paths[fmt])]
                runs.setdefault((fmt, "peer"), []).append(cpu_of(peer))
        print(f"load average after: {load()}")
        print(
            f"{args.frames:,} frames per format; CPU s of the whole process, median of "
            f"{args.rounds} interleaved rounds; skywitness writes {args.output}"
        )
        head = f"{'format':8} {'skywitness':>10}"
        head += f" {'base':>7} {'new/base':>8}" if base_env is not None else ""
        print(f"{head} {'peer':>8} {'ratio':>7}  peer")
        n_sbs = paths["sbs"].read_bytes().count(b"\n")
        for fmt, _ in plan:
            ours = median_cpu(runs[(fmt, "ours")])
            row = f"{fmt:8} {ours:10.2f}"
            if base_env is not None:
                base = median_cpu(runs[(fmt, "base")])
                row += f" {base:7.2f} {ours / base:8.2f}"
            if (fmt, "peer") not in runs:
                why = "--no-peer" if args.no_peer else "no pandas: give --pandas-path"
                print(f"{row} {'-':>8} {'-':>7}  ({why})")
                continue
            peer_cpu = median_cpu(runs[(fmt, "peer")])
            what = (
                f"pandas read_csv ({n_sbs:,} lines)" if fmt == "sbs" else f"pyModeS {fmt} program"
            )
            print(f"{row} {peer_cpu:8.2f} {peer_cpu / ours:6.1f}x  {what}")


if __name__ == "__main__":
    main()
