"""The DuckDB catalogue: its tables (ingests, batches, files, compactions, alerts, meta) and views.

The catalogue is the truth about which Parquet files hold committed rows; the ``batches`` and
``compactions`` tables are the journal that lets a reopened store undo what a crash left half
done. Times in these tables are naive TIMESTAMPs holding UTC. Other stages add their own tables
(``flights``, ``runways``, the identity helper's ``aircraft`` tables) in the same catalogue.

The functions here that write are jobs of the catalogue writer thread (``Store.write``): each
checks that it runs there (``require_writer``).
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

import duckdb

from .catalog_writer import require_writer

if TYPE_CHECKING:  # only an annotation here: the catalogue's readers load without pyarrow
    import pyarrow as pa

SCHEMA_VERSION = "1"

DDL: tuple[str, ...] = (
    "CREATE SEQUENCE IF NOT EXISTS ingest_id_seq START 1",
    "CREATE SEQUENCE IF NOT EXISTS compaction_id_seq START 1",
    "CREATE SEQUENCE IF NOT EXISTS alert_id_seq START 1",
    """CREATE TABLE IF NOT EXISTS meta (key VARCHAR, value VARCHAR)""",
    """CREATE TABLE IF NOT EXISTS ingests (
        id BIGINT, source VARCHAR, sha256 VARCHAR, format VARCHAR, size_bytes BIGINT,
        started TIMESTAMP, finished TIMESTAMP,
        status VARCHAR,            -- running | done | interrupted | failed
        rows_read BIGINT, rows_accepted BIGINT, rows_rejected BIGINT,
        rejected VARCHAR,          -- JSON object: reason label -> count
        rows_stored BIGINT, note VARCHAR)""",
    # rows a live ingest's writer had received, noted every ``Writer.journal_s`` s: after a
    # kill, what it received less what it committed is the unflushed loss recovery reports
    "ALTER TABLE ingests ADD COLUMN IF NOT EXISTS rows_received BIGINT",
    """CREATE TABLE IF NOT EXISTS batches (
        ingest_id BIGINT, seq INTEGER, rows BIGINT,
        state VARCHAR,             -- writing | committed | lost | removed
        started TIMESTAMP, committed TIMESTAMP)""",
    """CREATE TABLE IF NOT EXISTS files (
        path VARCHAR,              -- relative to the lake root
        day DATE, ingest_id BIGINT, batch_seq INTEGER, rows BIGINT, bytes BIGINT,
        min_ts TIMESTAMP, max_ts TIMESTAMP, created TIMESTAMP)""",
    """CREATE TABLE IF NOT EXISTS compactions (
        id BIGINT, day DATE, new_path VARCHAR, old_paths VARCHAR[],
        state VARCHAR,             -- writing | swapping | done | abandoned
        started TIMESTAMP, finished TIMESTAMP)""",
    # ingests whose derived work (flights) is not built yet: written when the ingest starts,
    # cleared once its flights are stored; what is left after a crash is redone (recovery)
    """CREATE TABLE IF NOT EXISTS derived_pending (ingest_id BIGINT, created TIMESTAMP)""",
    """CREATE TABLE IF NOT EXISTS alerts (
        id BIGINT, time TIMESTAMP, icao24 VARCHAR, rule VARCHAR, message VARCHAR,
        details VARCHAR)""",
)

_STATES_EMPTY = """SELECT * FROM (SELECT
    NULL::TIMESTAMPTZ AS timestamp, NULL::VARCHAR AS icao24, NULL::VARCHAR AS callsign,
    NULL::DOUBLE AS latitude, NULL::DOUBLE AS longitude, NULL::DOUBLE AS altitude,
    NULL::DOUBLE AS geoaltitude, NULL::DOUBLE AS groundspeed, NULL::DOUBLE AS track,
    NULL::DOUBLE AS vertical_rate, NULL::VARCHAR AS squawk, NULL::BOOLEAN AS onground,
    NULL::VARCHAR AS source, NULL::VARCHAR AS position_source, NULL::DOUBLE AS position_error,
    NULL::DATE AS date) WHERE false"""


def ensure_schema(con: duckdb.DuckDBPyConnection) -> None:
    """Create what the catalogue lacks, in one transaction: a writer killed meanwhile leaves
    every table or none (a reader of a catalogue cut short between two CREATEs met
    ``ingests`` without ``batches``)."""
    require_writer()
    con.execute("BEGIN TRANSACTION")
    try:
        before = _schema_size(con)
        for stmt in DDL:
            con.execute(stmt)
        made = _schema_size(con) != before
        if not con.execute("SELECT 1 FROM meta WHERE key = 'schema_version'").fetchall():
            con.execute("INSERT INTO meta VALUES ('schema_version', ?)", [SCHEMA_VERSION])
            made = True
        # nothing made (the usual open): no commit, which would write the WAL (a full disk
        # must still open a complete catalogue)
        con.execute("COMMIT" if made else "ROLLBACK")
    except duckdb.Error:
        with contextlib.suppress(duckdb.Error):  # a failed COMMIT has ended it already
            con.execute("ROLLBACK")
        raise


def _schema_size(con: duckdb.DuckDBPyConnection) -> tuple[Any, ...] | None:
    """How much schema the catalogue has (its columns and sequences): ``DDL`` only adds."""
    return first(
        con.execute(
            "SELECT (SELECT count(*) FROM duckdb_columns() WHERE NOT internal), "
            "(SELECT count(*) FROM duckdb_sequences())"
        ).fetchall()
    )


def first(rows: list[tuple[Any, ...]]) -> tuple[Any, ...] | None:
    """The first row of a fully fetched result (DuckDB wants results read to the end)."""
    return rows[0] if rows else None


def sql_quote(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def states_view_sql(lake: Path, has_files: bool) -> str:
    """The body of the ``states`` view: the lake's Parquet files with ``date`` from the path."""
    if not has_files:
        return _STATES_EMPTY
    pattern = sql_quote(str(lake / "states" / "*" / "*.parquet"))
    return (
        f"SELECT * FROM read_parquet({pattern}, hive_partitioning = true, "
        "hive_types = {'date': 'DATE'}, union_by_name = true)"
    )


def table_exists(con: duckdb.DuckDBPyConnection, name: str) -> bool:
    rows = con.execute(
        "SELECT 1 FROM duckdb_tables() WHERE table_name = ? AND NOT temporary", [name]
    ).fetchall()
    return bool(rows)


def create_states_view(con: duckdb.DuckDBPyConnection, body: str) -> None:
    """(Re)create the ``states`` view with ``body`` (``states_view_sql``)."""
    require_writer()
    con.execute(f"CREATE OR REPLACE VIEW states AS {body}")


def begin_ingest(con: duckdb.DuckDBPyConnection, values: list[Any]) -> int:
    """Insert a ``running`` ingest (source, sha256, format, size_bytes, started); its id."""
    require_writer()
    row = first(
        con.execute(
            "INSERT INTO ingests (id, source, sha256, format, size_bytes, started, status, "
            "rows_stored) VALUES (nextval('ingest_id_seq'), ?, ?, ?, ?, ?, 'running', 0) "
            "RETURNING id",
            values,
        ).fetchall()
    )
    assert row is not None
    return int(row[0])


def finish_ingest(
    con: duckdb.DuckDBPyConnection, ingest_id: int, values: list[Any], note: str
) -> None:
    """Close an ingest: ``values`` are (finished, status, rows_read, rows_accepted,
    rows_rejected, rejected JSON); rows_stored is counted from its files."""
    require_writer()
    stored = first(
        con.execute(
            "SELECT coalesce(sum(rows), 0) FROM files WHERE ingest_id = ?", [ingest_id]
        ).fetchall()
    )
    con.execute(
        "UPDATE ingests SET finished = ?, status = ?, rows_read = ?, rows_accepted = ?, "
        "rows_rejected = ?, rejected = ?, rows_stored = ?, note = ? WHERE id = ?",
        [*values, int(stored[0]) if stored else 0, note, ingest_id],
    )


def note_received(con: duckdb.DuckDBPyConnection, ingest_id: int, rows: int) -> None:
    """Journal that ingest ``ingest_id``'s writer has received ``rows`` rows so far."""
    require_writer()
    con.execute("UPDATE ingests SET rows_received = ? WHERE id = ?", [rows, ingest_id])


def has_column(con: duckdb.DuckDBPyConnection, table: str, column: str) -> bool:
    """Whether ``table`` has ``column`` (a store made before the column was added may not)."""
    rows = con.execute(
        "SELECT 1 FROM duckdb_columns() WHERE table_name = ? AND column_name = ?",
        [table, column],
    ).fetchall()
    return bool(rows)


def begin_batch(
    con: duckdb.DuckDBPyConnection,
    seqs: dict[int, int],
    ingest_id: int,
    rows: int,
    started: datetime,
) -> int:
    """Journal the next batch of an ingest as ``writing``; its sequence number (``seqs``: the
    last one per ingest, kept by the caller)."""
    require_writer()
    if ingest_id not in seqs:
        r = first(
            con.execute(
                "SELECT coalesce(max(seq), 0) FROM batches WHERE ingest_id = ?", [ingest_id]
            ).fetchall()
        )
        seqs[ingest_id] = int(r[0]) if r else 0
    seqs[ingest_id] += 1
    seq = seqs[ingest_id]
    con.execute(
        "INSERT INTO batches VALUES (?, ?, ?, 'writing', ?, NULL)",
        [ingest_id, seq, rows, started],
    )
    return seq


def commit_batch(
    con: duckdb.DuckDBPyConnection,
    entries: list[list[Any]],
    ingest_id: int,
    seq: int,
    committed: datetime,
    on_commit: Callable[[duckdb.DuckDBPyConnection], None] | None = None,
) -> None:
    """One transaction: register the batch's files, mark it ``committed`` and run
    ``on_commit`` (a failure there rolls it all back: the batch stays ``writing``, recovery
    removes it)."""
    require_writer()
    con.execute("BEGIN TRANSACTION")
    con.executemany("INSERT INTO files VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)", entries)
    con.execute(
        "UPDATE batches SET state = 'committed', committed = ? WHERE ingest_id = ? AND seq = ?",
        [committed, ingest_id, seq],
    )
    if on_commit is not None:
        try:
            on_commit(con)
        except BaseException:
            con.execute("ROLLBACK")
            raise
    con.execute("COMMIT")


def set_ingest_sha256(con: duckdb.DuckDBPyConnection, ingest_id: int, sha256: str) -> None:
    """Record the SHA-256 of what an ingest read, once known (after its last byte)."""
    require_writer()
    con.execute("UPDATE ingests SET sha256 = ? WHERE id = ?", [sha256, ingest_id])


def replace_table(con: duckdb.DuckDBPyConnection, name: str, table: pa.Table) -> None:
    """Replace a whole reference table (``name`` an identifier) with ``table``."""
    require_writer()
    incoming = table  # noqa: F841  (read by DuckDB's replacement scan)
    con.execute(f"CREATE OR REPLACE TABLE {name} AS SELECT * FROM incoming")
