"""Decode benchmark (not a test): skywitness ``decode_batch`` vs pyModeS 3 (per message) vs
rs1090 (batch) on the same >= 1,000,000 real frames, pinned to one CPU core.

The corpus repeats the real frames of ``shared/data/traffic-raw-frames`` and
``shared/data/pymodes-tests``. Field agreement is measured once on the distinct frames, with
the comparison helpers of ``tests/decode`` (pyModeS: every value it decodes; rs1090: every value
of its output in traffic's vocabulary).

Run from the repository root:  python bench/decode.py [--pymodes-sample N]
"""

from __future__ import annotations

import os

# One core for everyone: no thread pools in numpy or in rs1090's Rust (rayon).
for _var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS", "RAYON_NUM_THREADS"):
    os.environ[_var] = "1"

import argparse  # noqa: E402
import csv  # noqa: E402
import gc  # noqa: E402
import gzip  # noqa: E402
import json  # noqa: E402
import math  # noqa: E402
import sys  # noqa: E402
import time  # noqa: E402
from pathlib import Path  # noqa: E402

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

import numpy as np  # noqa: E402

from skywitness.decode import decode_batch, frames_from_hex  # noqa: E402
from tests.decode.ref_pymodes import pymodes_reason, pymodes_records  # noqa: E402
from tests.decode.ref_traffic import (  # noqa: E402
    compare_traffic,
    traffic_from_dicts,
    traffic_reason,
)
from tests.decode.reference import compare_records  # noqa: E402

DATA = Path(os.environ.get("SKYWITNESS_SHARED_DATA", REPO.parent / "shared" / "data"))
TARGET = 1_000_000


def real_frames() -> list[str]:
    frames: list[str] = []
    for name in ("full_flight_short", "tutorial"):
        with gzip.open(DATA / "traffic-raw-frames" / f"{name}.jsonl.gz", "rt") as fh:
            frames += [json.loads(line)["frame"] for line in fh]
    pm = DATA / "pymodes-tests"
    frames += [ln.split()[1].lower() for ln in (pm / "data_20150303_raw.txt").open() if ln.strip()]
    for name, col in (
        ("sample_data_adsb.csv", 1),
        ("sample_data_commb_df20.csv", 2),
        ("sample_data_commb_df21.csv", 2),
        ("ehs_20160310_with_reference.csv", 2),
    ):
        with (pm / name).open(encoding="utf-8-sig", newline="") as fh:
            frames += [row[col].lower() for row in csv.reader(fh)]
    return frames


def timed(fn, *args, repeat: int = 1):  # type: ignore[no-untyped-def]
    best, out = math.inf, None
    for _ in range(repeat):
        gc.collect()
        t0 = time.perf_counter()
        out = fn(*args)
        best = min(best, time.perf_counter() - t0)
    return best, out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--pymodes-sample", type=int, default=0, help="0: the whole corpus")
    args = parser.parse_args()
    cpu = min(os.sched_getaffinity(0))
    os.sched_setaffinity(0, {cpu})

    unique = real_frames()
    corpus = unique * math.ceil(TARGET / len(unique))
    n = len(corpus)
    stamps = np.arange(n, dtype=np.float64)
    print(f"corpus: {n:,} frames ({len(unique):,} distinct real frames repeated), CPU {cpu} only")

    t_fast, batch = timed(frames_from_hex, corpus, stamps, repeat=3)
    decode_batch(batch.take(np.arange(1000)))  # warm the lazily built tables
    t_ours, msg = timed(decode_batch, batch, repeat=5)
    assert len(msg) == n

    import pyModeS
    import rs1090

    sample = corpus if args.pymodes_sample <= 0 else corpus[:: max(1, n // args.pymodes_sample)]
    t_pms_sample, _ = timed(lambda fs: [pyModeS.decode(f) for f in fs], sample)
    t_pms = t_pms_sample * n / len(sample)
    t_rs, _ = timed(rs1090.decode, corpus)

    print("agreement on the distinct frames ...", flush=True)
    ours_u = decode_batch(frames_from_hex(unique))
    pms = compare_records(pymodes_records(unique), ours_u, pymodes_reason)
    rs_ref = traffic_from_dicts(unique, [0.0] * len(unique), rs1090.decode(unique))
    rs = compare_traffic(rs_ref, ours_u, traffic_reason)

    speed = n / t_ours
    speed_hex = n / (t_fast + t_ours)
    print()
    print(
        f"{'decoder':44s} {'seconds':>8s} {'msgs/s':>10s} {'x decode':>9s} {'x hex+dec':>9s}"
        f" {'agree':>8s} {'unexplained':>11s}"
    )
    scaled = "" if sample is corpus else f" ({len(sample):,} timed, scaled)"
    rows = [
        ("skywitness decode_batch (decode only)", t_ours, None),
        ("skywitness frames_from_hex + decode_batch", t_fast + t_ours, None),
        ("pyModeS 3 decode, per message" + scaled, t_pms, pms),
        ("rs1090 decode(list), batch", t_rs, rs),
    ]
    for name, secs, agreement in rows:
        rate = n / secs
        tail = ""
        if agreement is not None:
            tail = f" {100 * agreement.overall():7.3f}% {len(agreement.unexplained()):11d}"
        print(
            f"{name:44s} {secs:8.3f} {rate:10,.0f} {speed / rate:8.1f}x {speed_hex / rate:8.1f}x"
            + tail
        )
    print()
    print(f"hex -> FrameBatch (FrameBatch.from_hex): {t_fast:.3f} s")
    from importlib.metadata import version

    print(f"pyModeS {version('pyModeS')}, rs1090 {version('rs1090')}, numpy {np.__version__}")
    print("x decode / x hex+dec: how many times faster skywitness is, without / with hex parsing")
    print("agree: share of the other decoder's field values (on the distinct frames) that")
    print("skywitness reproduces; unexplained: disagreements without a checked reason")
    print("(the reasons are listed by: pytest -s tests/decode)")


if __name__ == "__main__":
    main()
