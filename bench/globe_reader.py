"""The globe ingest's column-wise trace reader alone (``sources.trace_bytes.read_points``), on a
day archive written by ``bench/globe_day.py --write-only``: its CPU a point, and that of the
functions inside it named with ``--parts`` (CPU inside each, ``time.process_time``).

The archive's traces are inflated and split first, in groups as the ingest makes them
(``runtime.globe.GROUP_BYTES``), and only the reads are timed: a before/after of a change to
the reader, with each tree's ``src`` on PYTHONPATH, sees that change alone (the whole ingest
varies by more than it on a shared box). Process settings as the command's (pandas kept out,
freed memory kept).

Usage: python bench/globe_reader.py --workdir DIR [--groups N]
[--parts trace_bytes:_rows pyarrow.csv:read_csv ...]
"""

from __future__ import annotations

import argparse
import collections
import importlib
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from globe import DAY
from globe_stages import timed  # (the stages bench's CPU-per-function wrapper)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--workdir", type=Path, required=True)
    ap.add_argument("--groups", type=int, default=80, help="groups read (~50,000 points each)")
    ap.add_argument(
        "--parts", nargs="*", default=[], help="module:function (as its caller looks it up)"
    )
    args = ap.parse_args()
    from skywitness.alloc import keep_freed_memory
    from skywitness.pandas_off import keep_pandas_out

    keep_pandas_out()
    keep_freed_memory()
    from skywitness.runtime import globe as rg
    from skywitness.sources import trace_bytes
    from skywitness.sources.globe import GlobeReader, TraceDoc, group_inputs, trace_documents

    parts = sorted(args.workdir.glob(f"{DAY}.a?"))
    if not parts:
        raise SystemExit(f"no {DAY}.a? in {args.workdir}: write one with globe_day.py")
    inp = group_inputs([str(p) for p in parts])[0][0]
    groups: list[list[TraceDoc]] = []
    group: list[TraceDoc] = []
    size = 0
    for item in trace_documents(GlobeReader(inp).members(None)):
        if not isinstance(item, TraceDoc):
            continue
        group.append(item)
        size += len(item.data)
        if size >= rg.GROUP_BYTES:
            groups.append(group)
            group, size = [], 0
            if len(groups) >= args.groups:
                break
    spans = [
        [(d.data, d.split.start, d.split.end) if d.split else d.data for d in g] for g in groups
    ]
    acc: dict[str, float] = collections.defaultdict(float)
    for name in args.parts:
        where, _, fn = name.partition(":")
        mod = importlib.import_module(where if "." in where else f"skywitness.sources.{where}")
        setattr(mod, fn, timed(getattr(mod, fn), name, acc))
    points = 0
    t0 = time.process_time()
    for bodies in spans:
        points += sum(len(c.dt) for c in trace_bytes.read_points(bodies) if c is not None)
    total = time.process_time() - t0
    print(
        f"points {points:,}; read_points {total:.3f} CPU s, {total / points * 1e6:.3f} µs a point"
    )
    for label, cpu in sorted(acc.items(), key=lambda kv: -kv[1]):
        print(f"  {label}: {cpu:.3f} CPU s, {cpu / points * 1e6:.3f} µs a point")


if __name__ == "__main__":
    main()
