"""Benchmark: the per-batch column steps of ``decode`` that issue 18's text6 and text8
branches reworked, in this tree against another (``--base-src``), each in a fresh process,
interleaved.

Steps (32,768 rows, a ``decode`` batch): ``Messages.empty`` with the frames' timestamp and
signal (the base tree: empty, then both overwritten), ``records.timestamps`` of finite times
and of times with NaN/inf, ``records.identity_codes`` of identity codes on 1 row in 20 (the
rest missing, as in real traffic), ``crc.remainder`` of a mix of long (3 in 4) and short
frames, ``hexio.text_column`` of callsigns on 1 row in 16, ``hexio.address_column`` (1 in 50
null) and ``AddressFilter.accept_sorted`` of rows sorted by (address, time) over 200
addresses, 3 in 8 verified (a fresh filter a call). Each
child runs as ``skywitness decode`` of a file does: numpy's huge pages off, freed memory
kept for reuse (``alloc``). Each figure: best of 7 repeats of 300 calls, µs a call; the
median of ``--rounds`` interleaved rounds. Synthetic inputs (fixed seed): the steps are
column arithmetic whose cost depends on the row count and the missing share, not on values.

Run: python bench/decode_columns_micro.py --base-src DIR [--rounds 3]
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROWS = 32_768
REPEATS, CALLS = 7, 300


def _best_us(f: Callable[[], Any]) -> float:
    best = float("inf")
    for _ in range(REPEATS):
        t = time.perf_counter()
        for _ in range(CALLS):
            f()
        best = min(best, (time.perf_counter() - t) / CALLS * 1e6)
    return best


def measure() -> dict[str, float]:
    """The steps' µs a call in the tree on ``sys.path``."""
    import inspect

    from skywitness import alloc

    alloc.keep_freed_memory()  # as ``decode`` of a file (before numpy allocates anything)
    import numpy as np

    from skywitness.decode.crc import remainder
    from skywitness.decode.hexio import address_column, text_column
    from skywitness.model import Messages
    from skywitness.runtime.records import identity_codes, timestamps
    from skywitness.track.address_filter import AddressFilter

    rng = np.random.default_rng(18)
    ts = 1.7e9 + rng.random(ROWS) * 1000
    sig = np.full(ROWS, -10.0, dtype=np.float32)
    holes = ts.copy()
    holes[::7] = np.nan
    holes[5] = np.inf
    codes = np.full(ROWS, -1, dtype=np.int16)
    octal = (rng.integers(0, 8, (ROWS, 4)) * np.array([1000, 100, 10, 1])).sum(1)
    codes[::20] = octal[::20]
    if "timestamp" in inspect.signature(Messages.empty).parameters:

        def empty() -> Any:
            return Messages.empty(ROWS, timestamp=ts, signal=sig)
    else:

        def empty() -> Any:
            m = Messages.empty(ROWS)
            m.timestamp[:] = ts
            m.signal[:] = sig
            return m

    return {
        "Messages.empty + time, signal": _best_us(empty),
        "timestamps (finite)": _best_us(lambda: timestamps(ts)),
        "timestamps (NaN 1 in 7)": _best_us(lambda: timestamps(holes)),
        "identity_codes (1 in 20)": _best_us(lambda: identity_codes(codes)),
        **_text8_steps(np, remainder, text_column, address_column, AddressFilter),
    }


def _text8_steps(np: Any, remainder: Any, text_column: Any, address_column: Any, af: Any) -> Any:
    rng = np.random.default_rng(8)
    data = rng.integers(0, 256, (ROWS, 14)).astype(np.uint8)
    length = np.where(rng.random(ROWS) < 0.75, 14, 7).astype(np.uint8)
    calls = np.zeros(ROWS, dtype="<U8")
    calls[::16] = "ABC1234"
    icao = rng.integers(1, 1 << 24, ROWS).astype(np.uint32)
    icao[::50] = 0
    key = np.sort(rng.integers(1, 201, ROWS).astype(np.uint32))
    t = 1.7e9 + np.arange(ROWS, dtype=np.float64) * 0.01  # (ordered within each address)
    ver = rng.random(ROWS) < 0.375
    return {
        "crc remainder (3 in 4 long)": _best_us(lambda: remainder(data, length)),
        "text_column (1 in 16)": _best_us(lambda: text_column(calls)),
        "address_column (1 in 50 null)": _best_us(lambda: address_column(icao, icao == 0)),
        "accept_sorted (200 keys)": _best_us(lambda: af().accept_sorted(key, ver, t)),
    }


def _child(src: str) -> dict[str, float]:
    # (the names ``skywitness.config`` gives them; set as ``skywitness.cli.main`` sets them)
    env = {
        **os.environ,
        "PYTHONPATH": src,
        "NUMPY_MADVISE_HUGEPAGE": "0",
        "OPENBLAS_NUM_THREADS": "1",
    }
    out = subprocess.run(
        [sys.executable, __file__, "--child"], env=env, check=True, capture_output=True, text=True
    )
    return dict(json.loads(out.stdout))


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--base-src", help="a src/ folder of another tree to compare")
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.child:
        print(json.dumps(measure()))
        return
    here = str(Path(__file__).resolve().parents[1] / "src")
    new: list[dict[str, float]] = []
    base: list[dict[str, float]] = []
    for r in range(args.rounds):  # interleaved; the trees swap places every other round
        order = [(new, here), (base, args.base_src)] if args.base_src else [(new, here)]
        for runs, src in order if r % 2 == 0 else order[::-1]:
            runs.append(_child(src))
    print(f"{ROWS:,} rows; µs a call, best of {REPEATS}x{CALLS}, median of {args.rounds} rounds")
    print(f"{'step':32} {'this':>8} {'base':>8} {'this/base':>9}")
    for step in new[0]:
        a = statistics.median(x[step] for x in new)
        if base:
            b = statistics.median(x[step] for x in base)
            print(f"{step:32} {a:8.1f} {b:8.1f} {a / b:9.2f}")
        else:
            print(f"{step:32} {a:8.1f}")


if __name__ == "__main__":
    main()
