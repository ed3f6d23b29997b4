"""Benchmark: the lake writer's Parquet options, by measurement. The ingest bench's input (the
quickstart collection 4 times, a day apart: 1,138,020 state vectors) gated as ``ingest`` gates
it, split into its four day files as the lake writes them, then each variant written to memory
(``pq.write_table``, as ``store.lake.write_atomic`` but for the option changed), interleaved,
``--repeat`` times: the best CPU of the writing thread (``time.thread_time``: Arrow's Parquet
writer runs on it), the files' bytes, and whether the rows read back equal the lake's own
(pyarrow) and DuckDB counts them all.

Run: python bench/lake_write_options.py [--repeat 5]
"""

from __future__ import annotations

import argparse
import io
import os
import tempfile
import time
from pathlib import Path
from typing import Any

os.environ.setdefault("NUMPY_MADVISE_HUGEPAGE", "0")  # as the program (``cli.main``)

F8_COLUMNS = ["latitude", "longitude", "altitude", "geoaltitude", "groundspeed", "track",
              "vertical_rate", "position_error"]  # fmt: skip


def variants() -> dict[str, dict[str, Any]]:
    from skywitness.store import lake

    bss = {c: "BYTE_STREAM_SPLIT" for c in F8_COLUMNS}
    floats = ["altitude", "groundspeed", "track", "vertical_rate"]
    return {
        "lake's (zstd 1, dict texts, stats 5 cols)": {},
        "zstd level -1": {"compression_level": -1},
        "zstd level 3": {"compression_level": 3},
        "lz4 (LZ4_RAW)": {"compression": "lz4", "compression_level": None},
        "snappy": {"compression": "snappy", "compression_level": None},
        "no compression": {"compression": "none", "compression_level": None},
        "statistics on every column": {"write_statistics": True},
        "no statistics": {"write_statistics": False},
        "dictionary + 4 float columns": {"use_dictionary": lake.DICTIONARY_COLUMNS + floats},
        "floats BYTE_STREAM_SPLIT": {"column_encoding": {**lake.COLUMN_ENCODINGS, **bss}},
        "data pages v2": {"data_page_version": "2.0"},
        "data pages 4 MiB": {"data_page_size": 4 << 20},
        "row groups of 1 Mi rows": {"row_group_size": 1 << 20},
    }


def day_files() -> list[Any]:
    """The lake's day tables of the bench input, as ``ingest`` makes them."""
    from ingest_states import make_input

    from skywitness.model import StateRows
    from skywitness.sources.states import drop_implausible_states, states_table
    from skywitness.stats import IngestStats
    from skywitness.store.lake import split_by_day
    from skywitness.track.states_gate import gate_states

    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "states.parquet"
        make_input(path, 4)
        buf = path.read_bytes()
    stats = IngestStats()
    table = states_table(buf, stats, "states.parquet")
    assert table is not None
    rows = drop_implausible_states(StateRows(table, "states.parquet"), stats, "states.parquet")
    gated = gate_states(rows.table, stats=stats, source="states.parquet")
    return [part.table for part in split_by_day(gated)]


def write(parts: list[Any], changes: dict[str, Any]) -> tuple[float, list[bytes]]:
    import pyarrow.parquet as pq

    from skywitness.store import lake

    opts: dict[str, Any] = {
        "compression": "zstd",
        "compression_level": lake.ZSTD_LEVEL,
        "row_group_size": lake.ROW_GROUP_ROWS,
        "use_dictionary": lake.DICTIONARY_COLUMNS,
        "write_statistics": lake.STATISTICS_COLUMNS,
        "column_encoding": lake.COLUMN_ENCODINGS,
        "store_schema": False,
        **changes,
    }
    files = []
    cpu = time.thread_time()
    for part in parts:
        sink = io.BytesIO()
        pq.write_table(part, sink, **opts)
        files.append(sink.getvalue())
    return time.thread_time() - cpu, files


def read_back(files: list[bytes], parts: list[Any]) -> str:
    import duckdb
    import pyarrow as pa
    import pyarrow.parquet as pq

    same = all(
        pq.read_table(pa.BufferReader(f)).equals(p) for f, p in zip(files, parts, strict=True)
    )
    with tempfile.TemporaryDirectory() as tmp:
        for i, f in enumerate(files):
            (Path(tmp) / f"{i}.parquet").write_bytes(f)
        con = duckdb.connect()
        n = con.execute(f"SELECT count(*) FROM read_parquet('{tmp}/*.parquet')").fetchone()
        con.close()
    rows = sum(p.num_rows for p in parts)
    return f"{'same rows' if same else 'ROWS DIFFER'}, duckdb {'ok' if n and n[0] == rows else n}"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--repeat", type=int, default=5)
    args = ap.parse_args()
    parts = day_files()
    print(f"{sum(p.num_rows for p in parts):,} rows in {len(parts)} day files; "
          f"load average {' '.join(f'{v:.2f}' for v in os.getloadavg())}")  # fmt: skip
    cases = variants()
    best: dict[str, float] = {}
    files: dict[str, list[bytes]] = {}
    for _ in range(args.repeat):
        for name, changes in cases.items():
            cpu, files[name] = write(parts, changes)
            best[name] = min(best.get(name, float("inf")), cpu)
    base = best[next(iter(cases))]
    print(f"\n{'(best of ' + str(args.repeat) + ')':44} {'CPU s':>6} {'vs lake':>8} {'MB':>7}")
    for name in cases:
        size = sum(len(f) for f in files[name]) / 1e6
        print(f"{name:44} {best[name]:6.3f} {best[name] / base:7.2f}x {size:7.2f}  "
              f"{read_back(files[name], parts)}")  # fmt: skip
    print(f"load average at end {' '.join(f'{v:.2f}' for v in os.getloadavg())}")


if __name__ == "__main__":
    main()
