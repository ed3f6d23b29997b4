"""Opening the catalogue: ``connect_catalog`` (the one way a process opens ``catalog.duckdb``)
and ``read_catalog`` (a read-only connection to the catalogue alone).

``read_catalog`` is for queries of the catalogue's tables (``flights``, the identity helper's
aircraft tables) that need neither the lake's ``states`` view nor the recovery diagnosis a
read-only ``Store`` makes: a ``skywitness flights --icao24`` query starts with DuckDB loaded
and nothing else of the store (no pyarrow; issue 18: start-up < 0.2 s).
"""

from __future__ import annotations

from pathlib import Path

import duckdb

from ..errors import SkywitnessError

CATALOG_FILE = "catalog.duckdb"


def connect_catalog(data_dir: Path, *, read_only: bool) -> duckdb.DuckDBPyConnection:
    """A connection to ``data_dir``'s catalogue, its session time zone UTC; SkywitnessError
    naming the store when it cannot be opened (read-only file system, locked, damaged)."""
    try:
        con = duckdb.connect(str(data_dir / CATALOG_FILE), read_only=read_only)
    except (duckdb.Error, OSError) as exc:
        raise SkywitnessError(f"cannot open store {data_dir}: {exc}") from exc
    con.execute("SET TimeZone = 'UTC'")
    return con


def read_catalog(data_dir: str | Path) -> duckdb.DuckDBPyConnection:
    """A read-only connection to the catalogue of the store at ``data_dir``."""
    ddir = Path(data_dir)
    if not (ddir / CATALOG_FILE).exists():
        raise SkywitnessError(f"no store at {ddir} (no {CATALOG_FILE})")
    return connect_catalog(ddir, read_only=True)


def without_worker_threads(con: duckdb.DuckDBPyConnection) -> None:
    """Run the catalogue's queries on the calling thread alone (``threads=1``), for a batch
    command that keeps freed memory (``alloc.keep_freed_memory``): DuckDB's worker threads
    call glibc's ``malloc_trim`` after their tasks, which hands every free page of the heap
    (numpy's and Arrow's freed buffers kept for reuse) back to the kernel, to be faulted in
    again (bench/RESULTS.md: a globe-history ingest's minor faults and system time more than
    halved). Its queries (the catalogue's, the flights' read of the lake's rows back) then
    take no more CPU, but longer on a many-core machine."""
    con.execute("SET threads = 1")
