"""Child process for the crash tests: ingests a Parquet file slowly until the parent kills it.

Usage: python _crash_child.py DATA_DIR PARQUET_FILE live|file
Prints "batch N" after each committed batch so the parent knows when to SIGKILL.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

import pyarrow.parquet as pq

from skywitness.store import Provenance, Store, Writer

CHUNK_ROWS = 50_000
FLUSH_ROWS = 100_000


def main() -> None:
    data_dir, path, mode = Path(sys.argv[1]), Path(sys.argv[2]), sys.argv[3]
    store = Store(data_dir)
    prov = Provenance.of_file(path, "parquet")
    sha = prov.sha256 if mode == "file" else None
    ingest_id = store.begin_ingest(prov.source, sha, prov.format, prov.size)
    table = pq.read_table(path)
    writer = Writer(store, ingest_id, flush_rows=FLUSH_ROWS, flush_seconds=3600).start()
    seen = 0
    for offset in range(0, table.num_rows, CHUNK_ROWS):
        writer.append(table.slice(offset, CHUNK_ROWS))
        while writer.batches == seen and writer.rows_appended - writer.rows_stored >= FLUSH_ROWS:
            time.sleep(0.001)  # wait for the flush so the parent sees progress batch by batch
        if writer.batches != seen:
            seen = writer.batches
            print(f"batch {seen}", flush=True)
    writer.stop()
    print("finished", flush=True)


if __name__ == "__main__":
    main()
