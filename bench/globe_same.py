"""Whether two stores hold the same globe ingest: the lake's Parquet files (names and bytes), a
hash over every stored row and column, and the rows of the trace, leg, identity-fact and flight
tables (their count and a hash over every column; an identity fact's ``imported_at``, the time
it was stored, left out). For comparing two trees' ingests of one archive
(``bench/globe_day.py --keep`` with each tree's ``src`` on PYTHONPATH, or ``skywitness ingest
--data-dir``).

Usage: python bench/globe_same.py STORE_A STORE_B (exit 1 when they differ)
"""

from __future__ import annotations

import sys
from pathlib import Path

import duckdb

TABLES = ("stored_traces", "trace_legs", "aircraft_facts", "flights")
#: Columns that differ between two ingests of one archive by design.
WHEN_STORED = ("imported_at",)


def main() -> int:
    a, b = (Path(p) for p in sys.argv[1:3])
    files = [sorted(p.relative_to(s) for p in (s / "lake").rglob("*.parquet")) for s in (a, b)]
    same_names = files[0] == files[1]
    same_bytes = same_names and all((a / p).read_bytes() == (b / p).read_bytes() for p in files[0])
    print(f"Parquet files: {len(files[0])} and {len(files[1])}, byte-identical: {same_bytes}")
    sums = []
    for s in (a, b):
        pattern = s / "lake" / "**" / "*.parquet"
        sums.append(
            duckdb.connect()
            .execute(f"SELECT count(*), sum(hash(COLUMNS(*))) FROM read_parquet('{pattern}')")
            .fetchone()
        )
    rows = [x[0] if x else 0 for x in sums]
    print(f"rows: {rows[0]:,} and {rows[1]:,}, every column's hash sum equal: {sums[0] == sums[1]}")
    ok = same_bytes and sums[0] == sums[1]
    counts = []
    for s in (a, b):
        con = duckdb.connect(str(s / "catalog.duckdb"), read_only=True)
        got = []
        for t in TABLES:
            names = [r[0] for r in con.execute(f"DESCRIBE {t}").fetchall()]
            left = ", ".join(c for c in names if c in WHEN_STORED)
            cols = f"* EXCLUDE ({left})" if left else "*"
            got.append(
                con.execute(f"SELECT count(*), sum(hash(COLUMNS({cols}))) FROM {t}").fetchone()
            )
        counts.append(got)
        con.close()
    for t, x, y in zip(TABLES, *counts, strict=True):
        print(f"{t}: {x[0] if x else 0:,} and {y[0] if y else 0:,}, hash sums equal: {x == y}")
        ok = ok and x == y
    print("same" if ok else "DIFFERENT")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
