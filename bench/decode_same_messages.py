"""Check: ``decode_batch`` of this tree and of a base tree (``--base-src``, e.g. a ``git
archive`` of main's ``src``) give the same ``Messages``, every column bit for bit (NaNs
included), in process, with no reader or writer in between. ``decode_same_output.py`` compares
the Parquet files ``decode`` writes; this one reaches the columns the writer leaves out and
frames no real capture holds:

- real: every frame of ``shared/data/traffic-raw-frames`` (DF17/20/21, as the benches use);
- commb-mutated: those Comm-B frames with 1-4 MB bits flipped and half their AC13/ID13
  headers random: words near every register's edges (1,0 ... 6,0 and the ambiguous ones);
- commb-random, commb-sparse: random DF20/21 MB words, dense and mostly zero bits;
- es: random DF17/18 frames with a valid parity: every type code and DF18 control field;
- short: DF0/4/5/11 with a valid parity XOR a small II/SI code, in 7- and 14-byte buffers;
- mixed: random bytes of every DF and length (2, 5, 7, 14 bytes).

Each set is decoded whole and again in batches of 777 frames (its first 20,000). The two trees
each run in a child process (``--dump``) that writes its columns to an ``.npz``.

Run: python bench/decode_same_messages.py --base-src DIR [--seed 12]
"""

from __future__ import annotations

import argparse
import gzip
import json
import os
import subprocess
import sys
import tempfile
from dataclasses import fields
from pathlib import Path
from typing import Any

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT.parent / "shared" / "data" / "traffic-raw-frames"
_FRAME_COLUMNS = ("timestamp", "data", "length", "signal", "ticks", "receiver")
_CHUNK = 777
_CHUNKED_ROWS = 20_000


def _batch(data: np.ndarray, length: np.ndarray, rng: np.random.Generator) -> Any:
    from skywitness.model import FrameBatch

    n = len(length)
    return FrameBatch(
        timestamp=rng.random(n) * 1e9,
        data=data,
        length=length.astype(np.uint8),
        signal=rng.random(n).astype(np.float32),
        ticks=np.zeros(n, dtype=np.uint64),
        receiver=np.zeros(n, dtype=np.uint64),
    )


def _real(rng: np.random.Generator) -> Any:
    hexes = []
    for name in ("tutorial.jsonl.gz", "full_flight_short.jsonl.gz"):
        text = gzip.decompress((DATA / name).read_bytes())
        hexes += [o["frame"] for o in map(json.loads, text.splitlines())]
    hexes = [h for h in hexes if len(h) in (14, 28)]
    data = np.zeros((len(hexes), 14), dtype=np.uint8)
    length = np.array([len(h) // 2 for h in hexes])
    for i, h in enumerate(hexes):
        data[i, : len(h) // 2] = np.frombuffer(bytes.fromhex(h), dtype=np.uint8)
    return _batch(data, length, rng)


def _random(rng: np.random.Generator, n: int, dfs: list[int], lengths: list[int]) -> Any:
    data = rng.integers(0, 256, size=(n, 14), dtype=np.uint8)
    df = rng.choice(dfs, size=n)
    data[:, 0] = (data[:, 0] & 7) | (df << 3).astype(np.uint8)
    length = rng.choice(lengths, size=n)
    for nbytes in (2, 5, 7):
        data[length == nbytes, nbytes:] = 0
    return _batch(data, length, rng)


def _with_parity(batch: Any, rng: np.random.Generator, nbytes: int, max_ii: int) -> Any:
    from skywitness.decode.crc import crc24

    data = batch.data
    for i in range(data.shape[0]):
        p = crc24(bytes(data[i, : nbytes - 3])) ^ int(rng.integers(0, max_ii + 1))
        data[i, nbytes - 3 : nbytes] = [(p >> 16) & 255, (p >> 8) & 255, p & 255]
    return batch


def _mutated(real: Any, rng: np.random.Generator, n: int) -> Any:
    commb = np.flatnonzero(np.isin(real.data[:, 0] >> 3, [20, 21]))
    idx = rng.choice(commb, size=n)
    data = real.data[idx].copy()
    flips = rng.integers(1, 5, size=n)
    for k in range(4):
        rows = np.flatnonzero(flips > k)
        bit = rng.integers(0, 56, size=rows.size)
        data[rows, 4 + bit // 8] ^= (1 << (bit % 8)).astype(np.uint8)
    head = np.flatnonzero(rng.random(n) < 0.5)
    data[head, 2:4] = rng.integers(0, 256, size=(head.size, 2), dtype=np.uint8)
    return _batch(data, real.length[idx], rng)


def frame_sets(seed: int) -> dict[str, Any]:
    """The named frame batches both trees decode (the same for the same seed)."""
    rng = np.random.default_rng(seed)
    real = _real(rng)
    sparse = _random(rng, 300_000, [20, 21], [14])
    keep = rng.random((300_000, 7)) < 0.15
    thin = rng.integers(0, 256, (3, 300_000, 7), dtype=np.uint8)
    sparse.data[:, 4:11] &= np.where(keep, 0xFF, thin[0] & thin[1] & thin[2]).astype(np.uint8)
    return {
        "real": real,
        "commb-mutated": _mutated(real, rng, 1_000_000),
        "commb-random": _random(rng, 400_000, [20, 21], [14]),
        "commb-sparse": sparse,
        "es": _with_parity(_random(rng, 100_000, [17, 18], [14]), rng, 14, 0),
        "short": _with_parity(_random(rng, 50_000, [0, 4, 5, 11], [7, 14]), rng, 7, 200),
        "mixed": _random(rng, 300_000, list(range(32)), [2, 5, 7, 14, 14, 14]),
    }


def dump(out: Path, seed: int) -> None:
    """Decode every set with the ``skywitness`` on ``sys.path``; its columns to ``out``."""
    from skywitness.decode import decode_batch
    from skywitness.model import FrameBatch

    columns: dict[str, np.ndarray] = {}
    for name, batch in frame_sets(seed).items():
        whole = decode_batch(batch)
        parts = [
            decode_batch(
                FrameBatch(**{c: getattr(batch, c)[i : i + _CHUNK] for c in _FRAME_COLUMNS})
            )
            for i in range(0, min(_CHUNKED_ROWS, len(batch)), _CHUNK)
        ]
        for f in fields(whole):
            columns[f"{name}/{f.name}"] = getattr(whole, f.name)
            columns[f"{name}/{f.name} (batches of {_CHUNK})"] = np.concatenate(
                [getattr(p, f.name) for p in parts]
            )
    np.savez(out, **columns)


def _same(a: np.ndarray, b: np.ndarray) -> bool:
    if a.dtype != b.dtype or a.shape != b.shape:
        return False
    if a.dtype.kind == "f":  # bit for bit: NaN payloads and signed zeros too
        return bool(np.array_equal(a.view(f"u{a.itemsize}"), b.view(f"u{b.itemsize}")))
    return bool(np.array_equal(a, b))


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--base-src", help="the base tree's src folder")
    ap.add_argument("--seed", type=int, default=12)
    ap.add_argument("--dump", type=Path, help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.dump:
        dump(args.dump, args.seed)
        return
    if not args.base_src:
        ap.error("--base-src is required")
    with tempfile.TemporaryDirectory() as d:
        outs = {}
        for label, src in (("ours", str(ROOT / "src")), ("base", args.base_src)):
            outs[label] = Path(d) / f"{label}.npz"
            cmd = [sys.executable, __file__, "--seed", str(args.seed), "--dump", str(outs[label])]
            subprocess.run(cmd, check=True, env={**os.environ, "PYTHONPATH": src})
        ours, base = np.load(outs["ours"]), np.load(outs["base"])
        names = sorted(set(ours.files) | set(base.files))
        bad = [k for k in names if k not in ours or k not in base or not _same(ours[k], base[k])]
        sets: dict[str, int] = {}
        for k in names:
            sets.setdefault(k.split("/")[0], len(ours[k]) if k in ours else 0)
    for name, rows in sets.items():
        diff = [k for k in bad if k.startswith(name + "/")]
        print(f"{'same' if not diff else 'DIFFERENT':9} {rows:>9,} rows  {name}")
        for k in diff:
            print(f"  column differs: {k}")
    print(
        f"{len(names)} columns compared: "
        + ("every one the same" if not bad else f"{len(bad)} differ")
    )
    sys.exit(1 if bad else 0)


if __name__ == "__main__":
    main()
