"""Catalogue tables of the traces an archive ingest stored, and of their legs.

``stored_traces``: one row per trace stored, keyed by the trace's identity (address and the
trace's own start time, ``timestamp`` in the document), with the archive and member it came
from, the ingest that last stored points of it, how many points are stored and the time of the
last one. It is written in the same transaction that commits the trace's rows
(``Store.write_batch(on_commit=...)``), so after any interruption a trace is either listed here
and stored, or neither: a resumed ingest skips exactly the listed ones, and of a trace that has
grown since (a feeder's globe history of today) stores only the points after ``last_point``.

``trace_legs``: the points where readsb started a new leg (trace ``flags & 2``: readsb's own
judgement that a new flight began, e.g. after a landing or a long gap). The flights stage can
split an aircraft's flights at these times: ``SELECT timestamp FROM trace_legs WHERE icao24 = ?``.
"""

from __future__ import annotations

from typing import Any

import pyarrow as pa

from .catalog_writer import require_writer

_DDL = (
    """CREATE TABLE IF NOT EXISTS stored_traces (
        icao24 VARCHAR NOT NULL, trace_start DOUBLE NOT NULL, archive VARCHAR NOT NULL,
        member VARCHAR NOT NULL, points BIGINT NOT NULL, ingest_id BIGINT NOT NULL,
        last_point DOUBLE NOT NULL, PRIMARY KEY (icao24, trace_start))""",
    """CREATE TABLE IF NOT EXISTS trace_legs (
        icao24 VARCHAR NOT NULL, timestamp TIMESTAMP NOT NULL, archive VARCHAR NOT NULL,
        ingest_id BIGINT NOT NULL)""",
)

TraceKey = tuple[str, float]


def ensure_trace_tables(con: Any) -> None:
    require_writer()
    for stmt in _DDL:
        con.execute(stmt)


def stored_trace_keys(con: Any) -> dict[TraceKey, float]:
    """(icao24, trace start unix s) -> unix s of the last point stored, of every trace."""
    rows = con.execute("SELECT icao24, trace_start, last_point FROM stored_traces").fetchall()
    return {(str(a), float(t)): float(last) for a, t, last in rows}


def record_traces(con: Any, traces: pa.Table, legs: pa.Table) -> None:
    """Insert ``traces`` (icao24, trace_start, archive, member, points, ingest_id, last_point;
    a trace already listed gets its new points added) and ``legs`` (icao24, timestamp, archive,
    ingest_id); ``con`` is the committing transaction's cursor (the catalogue writer's)."""
    require_writer()
    con.register("_new_traces", traces)
    con.register("_new_legs", legs)
    try:
        con.execute(
            """INSERT INTO stored_traces SELECT * FROM _new_traces
               ON CONFLICT (icao24, trace_start) DO UPDATE SET
                   archive = excluded.archive, member = excluded.member,
                   points = stored_traces.points + excluded.points,
                   ingest_id = excluded.ingest_id, last_point = excluded.last_point"""
        )
        con.execute("INSERT INTO trace_legs SELECT * FROM _new_legs")
    finally:
        con.unregister("_new_traces")
        con.unregister("_new_legs")
