"""Compaction: merge a day's small Parquet files into one, atomically and crash-safely.

Journal in ``compactions``: ``writing`` (new file being written; a crash abandons it), then
one catalogue transaction swaps the file entries and sets ``swapping`` (a crash after that only
has old files left to delete), then ``done``. Files of an ingest still running are left alone,
so removing an interrupted file ingest stays possible.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import duckdb
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from ..timeutil import iso_day
from .catalog import first
from .catalog_writer import require_writer
from .lake import fsync_dir, partition_dir, write_atomic
from .schema import STATE_SCHEMA


def _now() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None)


def compact_day(con: duckdb.DuckDBPyConnection, lake: Path, day: date) -> dict[str, Any]:
    """Merge the day's files (of finished ingests) into one sorted file; say what was done."""
    require_writer()
    files = con.execute(
        "SELECT f.path, f.rows FROM files f LEFT JOIN ingests i ON f.ingest_id = i.id "
        "WHERE f.day = ? AND coalesce(i.status, '') <> 'running' ORDER BY f.path",
        [day],
    ).fetchall()
    if len(files) < 2:
        return {"day": iso_day(day), "files_before": len(files), "files_after": len(files)}
    old = [str(r[0]) for r in files]
    tables = [pq.read_table(lake / rel, schema=STATE_SCHEMA) for rel in old]
    merged = pa.concat_tables(tables)
    merged = merged.take(
        pc.sort_indices(merged, sort_keys=[("icao24", "ascending"), ("timestamp", "ascending")])
    )
    row = first(con.execute("SELECT nextval('compaction_id_seq')").fetchall())
    assert row is not None
    cid = int(row[0])
    final = partition_dir(lake, day) / f"part-c{cid:08d}.parquet"
    rel_new = str(final.relative_to(lake))
    con.execute(
        "INSERT INTO compactions VALUES (?, ?, ?, ?, 'writing', ?, NULL)",
        [cid, day, rel_new, old, _now()],
    )
    size = write_atomic(merged, final)
    ts = merged.column("timestamp")
    con.execute("BEGIN TRANSACTION")
    con.execute("DELETE FROM files WHERE list_contains(?, path)", [old])
    con.execute(
        "INSERT INTO files VALUES (?, ?, NULL, NULL, ?, ?, ?, ?, ?)",
        [
            rel_new,
            day,
            merged.num_rows,
            size,
            pc.min(ts).as_py().replace(tzinfo=None),
            pc.max(ts).as_py().replace(tzinfo=None),
            _now(),
        ],
    )
    con.execute("UPDATE compactions SET state = 'swapping' WHERE id = ?", [cid])
    con.execute("COMMIT")
    for rel in old:
        (lake / rel).unlink(missing_ok=True)
    fsync_dir(final.parent)
    con.execute("UPDATE compactions SET state = 'done', finished = ? WHERE id = ?", [_now(), cid])
    return {
        "day": iso_day(day),
        "files_before": len(old),
        "files_after": 1,
        "rows": merged.num_rows,
        "bytes": size,
    }
