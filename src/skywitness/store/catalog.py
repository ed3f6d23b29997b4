"""The DuckDB catalogue: its tables (ingests, batches, files, compactions, alerts, meta) and views.

The catalogue is the truth about which Parquet files hold committed rows; the ``batches`` and
``compactions`` tables are the journal that lets a reopened store undo what a crash left half
done. Times in these tables are naive TIMESTAMPs holding UTC. Other stages add their own tables
(``flights``, ``runways``, the identity helper's ``aircraft`` tables) on the same connection.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import duckdb

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
    for stmt in DDL:
        con.execute(stmt)
    if not con.execute("SELECT 1 FROM meta WHERE key = 'schema_version'").fetchall():
        con.execute("INSERT INTO meta VALUES ('schema_version', ?)", [SCHEMA_VERSION])


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
