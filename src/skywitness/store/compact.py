"""Compaction: merge a day's small Parquet files into files of at most ``MAX_FILE_ROWS`` rows,
atomically and crash-safely.

A day's small files (under half the bound) are merged in path order, as many as fit in one
file of ``MAX_FILE_ROWS`` rows; files already that large are left alone, so compacting again
changes nothing, memory is bounded by one output file (~100 MB of Parquet, not a whole
globe-history day of ~100 M rows), and every file stays under the 2 GB that Spark's
``binaryFile`` reads (``spark flights`` hands each states file to one task whole).

Each merge is journalled in ``compactions``: ``writing`` (new file being written; a crash
abandons it), then one catalogue transaction swaps the file entries and sets ``swapping`` (a
crash after that only has old files left to delete), then ``done``. Files of an ingest still
running are left alone, so removing an interrupted file ingest stays possible.
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

#: State vectors in one compacted file at most (~100 MB of Parquet at ~26 bytes a row; also
#: ``spark.ingest``'s file size): well under Spark's 2 GB ``binaryFile`` limit.
MAX_FILE_ROWS = 4_000_000


def _now() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None)


def compact_day(
    con: duckdb.DuckDBPyConnection, lake: Path, day: date, max_rows: int = MAX_FILE_ROWS
) -> dict[str, Any]:
    """Merge the day's small files (of finished ingests) into sorted files of at most
    ``max_rows`` rows each; say what was done."""
    require_writer()
    files = con.execute(
        "SELECT f.path, f.rows FROM files f LEFT JOIN ingests i ON f.ingest_id = i.id "
        "WHERE f.day = ? AND coalesce(i.status, '') <> 'running' ORDER BY f.path",
        [day],
    ).fetchall()
    out: dict[str, Any] = {"day": iso_day(day), "files_before": len(files)}
    merged = [g for g in merge_groups(files, max_rows) if len(g) > 1]
    rows = size = 0
    for group in merged:
        n, b = _merge(con, lake, day, group)
        rows, size = rows + n, size + b
    out["files_after"] = len(files) - sum(len(g) - 1 for g in merged)
    if merged:
        out.update(rows=rows, bytes=size)
    return out


def merge_groups(files: list[tuple[str, int]], max_rows: int) -> list[list[str]]:
    """The small files (under half of ``max_rows``), in the order given, cut into runs of at most
    ``max_rows`` rows together: each run becomes one file."""
    groups: list[list[str]] = []
    total = max_rows + 1  # no run open yet
    for path, n in files:
        if n >= max_rows // 2:
            continue
        if total + n > max_rows:
            groups.append([])
            total = 0
        groups[-1].append(path)
        total += n
    return groups


def _merge(
    con: duckdb.DuckDBPyConnection, lake: Path, day: date, old: list[str]
) -> tuple[int, int]:
    """One journalled merge of ``old`` (paths under ``lake``) into one new sorted file. The
    writer check repeats ``compact_day``'s on purpose: every function that writes SQL makes it
    itself (tests/test_catalog_writer.py), so a later caller cannot skip it."""
    require_writer()
    tables = [pq.read_table(lake / rel, schema=STATE_SCHEMA) for rel in old]
    merged = pa.concat_tables(tables)
    del tables
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
    return merged.num_rows, size
