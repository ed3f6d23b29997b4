"""Benchmark: decoding a ``timestamp,hex`` file in process (issue 12's "≥ 30× in-process"):
skywitness's reader + ``decode_batch`` vs a plain pyModeS loop over the same lines, both in
this one process (no start-up, no output file).

Input: the real frames of ``shared/data/traffic-raw-frames`` with their times, repeated to
``--frames`` lines (default 648,000, the file size the issue names), written as
``timestamp,hex`` CSV (``bench/decode_process.py``'s writer). skywitness: the file through
``sources.open_source`` (the column-wise CSV reader, in blocks of a batch) and every chunk
through ``decode_batch`` (the decoded ``Messages``: every field of every frame); a second
figure adds ``messages_table`` (the Arrow table ``decode`` writes). pyModeS: the file read line
by line, each line split and ``pyModeS.decode(hex)`` kept in a list, as in
``decode_process.py``'s peer program. CPU seconds (``time.process_time``), the best of
``--repeat`` runs for skywitness, one run for pyModeS (``--pymodes-sample N`` times every
N-th line only and scales up).

Run: python bench/decode_inprocess.py [--frames 648000] [--repeat 5] [--pymodes-sample 0]
"""

from __future__ import annotations

import os

# One core for everyone: no thread pools in numpy (the bench measures CPU, not wall time).
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

import argparse
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from decode_process import frames


def ours(path: Path, table: bool) -> tuple[float, int]:
    from skywitness.cli.decode_cmd import DECODE_BATCH
    from skywitness.decode import decode_batch
    from skywitness.runtime.pipeline import RunOptions, iter_chunks
    from skywitness.runtime.records import messages_table
    from skywitness.stats import IngestStats

    t0 = time.process_time()
    n = 0
    for chunk in iter_chunks(
        [str(path)], RunOptions(fmt="hex", batch_size=DECODE_BATCH), IngestStats()
    ):
        msgs = decode_batch(chunk)  # type: ignore[arg-type]
        if table:
            messages_table(chunk, msgs)  # type: ignore[arg-type]
        n += len(msgs)
    return time.process_time() - t0, n


def pymodes(path: Path, every: int) -> tuple[float, int]:
    import pyModeS

    t0 = time.process_time()
    out = []
    with open(path, "rb") as f:
        for k, line in enumerate(f):
            if k % every:
                continue
            ts, msg = line.strip().split(b",")
            out.append((float(ts), pyModeS.decode(msg.decode())))
    return (time.process_time() - t0) * every, len(out) * every


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--frames", type=int, default=648_000)
    ap.add_argument("--repeat", type=int, default=5)
    ap.add_argument("--pymodes-sample", type=int, default=0, help="time every N-th line only")
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as d:
        path = Path(d) / "in.csv"
        with open(path, "w") as f:
            f.writelines(f"{t!r},{h}\n" for t, h in frames(args.frames))
        ours(path, True)  # warm the file cache and the lazily built tables
        runs = {table: [ours(path, table) for _ in range(args.repeat)] for table in (False, True)}
        peer, n_peer = pymodes(path, max(1, args.pymodes_sample))
    load = " ".join(f"{x:.2f}" for x in os.getloadavg())
    print(f"{args.frames:,} lines of timestamp,hex; CPU s in process; load average {load}")
    print(f"{'decoder':46} {'CPU s':>7} {'frames/s':>10} {'vs pyModeS':>10}")
    rows = [
        ("skywitness reader + decode_batch", min(r[0] for r in runs[False])),
        ("skywitness reader + decode_batch + table", min(r[0] for r in runs[True])),
        ("pyModeS decode per line" + (" (sampled)" if args.pymodes_sample > 1 else ""), peer),
    ]
    n = runs[False][0][1]
    assert n == args.frames and n_peer >= args.frames - args.pymodes_sample
    for name, cpu in rows:
        print(f"{name:46} {cpu:7.3f} {n / cpu:10,.0f} {peer / cpu:9.1f}x")


if __name__ == "__main__":
    main()
