"""Check: ``skywitness decode`` of this tree and of a base tree (``--base-src``, e.g. a
``git archive`` of main's ``src``) write the same Parquet columns and values, on the bench's
inputs (``decode_process.py``'s writer, ``--frames`` frames per format) and on every shared
sample file of a format ``decode`` reads. Each pair of outputs is read back with pyarrow and
compared with ``Table.equals`` (schema and values); the decode summaries (frames read,
accepted, rejected by reason) are compared too. Prints one line per input and exits 1 on any
difference.

Run: python bench/decode_same_output.py --base-src DIR [--frames 500000]
"""

from __future__ import annotations

import argparse
import os
import re
import subprocess
import sys
import tempfile
from pathlib import Path

import pyarrow.parquet as pq

sys.path.insert(0, str(Path(__file__).resolve().parent))

from decode_process import DATA, write_inputs

ROOT = Path(__file__).resolve().parents[1]
_LOG_TIME = re.compile(r"^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d,\d+Z ", re.M)
SAMPLES = (
    ("beastblackbox-example/ulss7-beast-bin-utc--1522782148.136310917--.log", "beast"),
    ("beastblackbox-example/beast_extract_71be34.log", "beast"),
    ("beastblackbox-example/beast_decoded_dump1090.txt.gz", "avr"),
    ("beastblackbox-example/beast_decoded_sbs.txt.gz", "sbs"),
    ("pymodes-tests/sample_data_adsb.csv", "hex"),
    ("pymodes-tests/sample_data_commb_df20.csv", "hex"),
    ("pymodes-tests/sample_data_commb_df21.csv", "hex"),
    ("pymodes-tests/ehs_20160310_with_reference.csv", "auto"),
    ("pymodes-tests/data_20150303_raw.txt", "auto"),
    ("traffic-raw-frames/tutorial.jsonl.gz", "jsonl"),
    ("traffic-raw-frames/full_flight_short.jsonl.gz", "jsonl"),
)


def decode(src: str, fmt: str, path: Path, out: Path) -> str:
    """Run ``decode`` of one tree; its summary (stderr)."""
    env = {**os.environ, "PYTHONPATH": src}
    cmd = [sys.executable, "-m", "skywitness", "decode", "--format", fmt, str(path), "-o"]
    r = subprocess.run([*cmd, str(out)], capture_output=True, env=env, check=False)
    text = _LOG_TIME.sub("", r.stderr.decode(errors="replace"))  # (when each log line was)
    return f"rc={r.returncode} {text}"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--base-src", required=True)
    ap.add_argument("--frames", type=int, default=500_000)
    args = ap.parse_args()
    ours = str(ROOT / "src")
    bad = 0
    with tempfile.TemporaryDirectory() as d:
        tmp = Path(d)
        bench = write_inputs(tmp, args.frames)
        fmts = {"beast": "beast", "csv": "hex", "avr": "avr", "jsonl": "jsonl", "sbs": "sbs"}
        inputs = [(p, fmts[k], f"bench {k} ({args.frames:,} frames)") for k, p in bench.items()]
        inputs += [(DATA / name, fmt, name) for name, fmt in SAMPLES]
        for path, fmt, label in inputs:
            a, b = tmp / "ours.parquet", tmp / "base.parquet"
            sa = decode(ours, fmt, path, a).replace(str(path), "IN")
            sb = decode(args.base_src, fmt, path, b).replace(str(path), "IN")
            ta, tb = pq.read_table(a), pq.read_table(b)
            same = ta.schema.equals(tb.schema) and ta.equals(tb) and sa == sb
            bad += not same
            what = "same" if same else "DIFFERENT"
            print(f"{what:9} {ta.num_rows:>9,} rows {ta.num_columns:>2} columns  {fmt:5} {label}")
            if sa != sb:
                print(f"  summaries differ:\n  ours: {sa!r}\n  base: {sb!r}")
    print("every output the same" if not bad else f"{bad} outputs differ")
    sys.exit(1 if bad else 0)


if __name__ == "__main__":
    main()
