"""The identity tables in the DuckDB catalogue, and the read queries over them.

Facts are kept long and temporal, one row per (address, field, source) value and validity span:
``aircraft_facts(icao24, field, value, source, source_version, imported_at, valid_until)``;
``valid_until`` is NULL while the source still says so, and is set when a newer import of that
source stops saying it — so the history of what each source said is never lost. Operators are
kept the same way in ``operator_facts``. Times are naive TIMESTAMPs in UTC.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import duckdb
import pyarrow as pa

#: Default trust of each kind when two sources disagree (higher wins).
#: ``adsb``: what the aircraft transmits about itself (its emitter category), which no
#: database says.
KIND_PRIORITY: dict[str, int] = {
    "generic": 40,
    "tar1090": 30,
    "opensky": 20,
    "planealert": 10,
    "adsb": 5,
}

#: Fields shown as columns of the wide ``aircraft`` view.
WIDE_FIELDS: tuple[str, ...] = (
    "registration",
    "typecode",
    "description",
    "operator",
    "operator_icao",
    "owner",
    "flag_military",
    "flag_interesting",
    "flag_pia",
    "flag_ladd",
)

_DDL = [
    """CREATE TABLE IF NOT EXISTS aircraft_facts (
        icao24 VARCHAR NOT NULL, field VARCHAR NOT NULL, value VARCHAR NOT NULL,
        source VARCHAR NOT NULL, source_version VARCHAR NOT NULL,
        imported_at TIMESTAMP NOT NULL, valid_until TIMESTAMP)""",
    """CREATE TABLE IF NOT EXISTS operator_facts (
        designator VARCHAR NOT NULL, field VARCHAR NOT NULL, value VARCHAR NOT NULL,
        source VARCHAR NOT NULL, source_version VARCHAR NOT NULL,
        imported_at TIMESTAMP NOT NULL, valid_until TIMESTAMP)""",
    """CREATE TABLE IF NOT EXISTS aircraft_sources (
        source VARCHAR PRIMARY KEY, kind VARCHAR NOT NULL, priority INTEGER NOT NULL)""",
    """CREATE TABLE IF NOT EXISTS aircraft_imports (
        source VARCHAR NOT NULL, kind VARCHAR NOT NULL, path VARCHAR NOT NULL,
        source_version VARCHAR NOT NULL, sha256 VARCHAR NOT NULL, imported_at TIMESTAMP NOT NULL,
        rows_read BIGINT, rows_rejected BIGINT, keys BIGINT, facts_added BIGINT,
        facts_retired BIGINT, facts_unchanged BIGINT, seconds DOUBLE)""",
    """CREATE OR REPLACE VIEW aircraft_current AS
        SELECT icao24, field, value, source, source_version, imported_at FROM (
            SELECT f.*, row_number() OVER (PARTITION BY f.icao24, f.field
                ORDER BY s.priority DESC, f.imported_at DESC, f.source) AS rank_
            FROM aircraft_facts f JOIN aircraft_sources s USING (source)
            WHERE f.valid_until IS NULL)
        WHERE rank_ = 1""",
    "CREATE OR REPLACE VIEW aircraft AS SELECT icao24, "
    + ", ".join(f"max(value) FILTER (WHERE field = '{f}') AS {f}" for f in WIDE_FIELDS)
    + " FROM aircraft_current GROUP BY icao24",
    """CREATE OR REPLACE VIEW aircraft_watchlist AS
        SELECT icao24, source AS list,
            max(value) FILTER (WHERE field = 'watchlist_category') AS category,
            max(value) FILTER (WHERE field = 'watchlist_class') AS class,
            max(value) FILTER (WHERE field = 'watchlist_tags') AS tags,
            max(value) FILTER (WHERE field = 'link') AS link,
            max(source_version) AS source_version
        FROM aircraft_facts
        WHERE valid_until IS NULL AND source IN
            (SELECT source FROM aircraft_sources WHERE kind = 'planealert')
        GROUP BY icao24, source""",
]


def ensure_schema(con: Any) -> None:
    """Create the identity tables and views if missing (idempotent)."""
    for stmt in _DDL:
        con.execute(stmt)


def has_schema(con: Any) -> bool:
    return relation_exists(con, "aircraft_facts")


def relation_exists(con: Any, name: str) -> bool:
    """Whether the catalogue has a table or view called ``name``."""
    rows = con.execute(
        "SELECT count(*) FROM information_schema.tables WHERE table_name = ?", [name]
    ).fetchall()  # all: a pending result would block the caller's next statement
    return bool(rows and rows[0][0])


def missing_relation(con: Any, exc: duckdb.Error, *names: str) -> bool:
    """Whether ``exc`` is DuckDB saying one of ``names`` does not exist, and it does not: a
    catalogue without those tables yet, which is no error. Any other failure (a wrong column,
    a bad query) is a bug and must not read as "nothing known"."""
    return isinstance(exc, duckdb.CatalogException) and not all(
        relation_exists(con, n) for n in names
    )


def merge_facts(
    con: Any,
    facts: list[tuple[str, str, str]],
    source: str,
    kind: str,
    version: str,
    stamp: dt.datetime,
) -> int:
    """Merge (icao24, field, value) ``facts`` of one source, given outside an import (a trace's
    head, what the aircraft transmits), into ``aircraft_facts``; returns the facts added. The
    last value per (icao24, field) counts; a value that changes retires the earlier one
    (``valid_until``), as an import does; one already current is not written again."""
    if not facts:
        return 0
    con.execute(
        "INSERT INTO aircraft_sources VALUES (?, ?, ?) ON CONFLICT (source) DO NOTHING",
        [source, kind, KIND_PRIORITY[kind]],
    )
    cols = list(zip(*facts, strict=True))
    table = pa.table({"icao24": cols[0], "field": cols[1], "value": cols[2]})
    con.register("_new_facts", table)
    try:
        con.execute(
            """CREATE OR REPLACE TEMP TABLE _nf AS SELECT icao24, field, last(value) AS value
               FROM _new_facts GROUP BY icao24, field"""
        )
        con.execute(
            """UPDATE aircraft_facts AS f SET valid_until = ?
               WHERE f.source = ? AND f.valid_until IS NULL AND EXISTS (SELECT 1 FROM _nf n
                   WHERE n.icao24 = f.icao24 AND n.field = f.field AND n.value <> f.value)""",
            [stamp, source],
        )
        added = con.execute(
            """INSERT INTO aircraft_facts
               SELECT n.icao24, n.field, n.value, ?, ?, ?, NULL FROM _nf n
               WHERE NOT EXISTS (SELECT 1 FROM aircraft_facts f WHERE f.source = ?
                   AND f.valid_until IS NULL AND f.icao24 = n.icao24 AND f.field = n.field
                   AND f.value = n.value)""",
            [source, version, stamp, source],
        ).fetchone()
    finally:
        con.unregister("_new_facts")
        con.execute("DROP TABLE IF EXISTS _nf")
    return int(added[0]) if added else 0


FactRow = tuple[str, str, str, str, int, str]


def current_facts(con: Any, icao24: str) -> list[FactRow]:
    """(field, value, source, source_version, priority, kind) of every source's current say on
    one address, most trusted first per field. Empty when the catalogue has no identity tables."""
    return current_facts_many(con, [icao24]).get(icao24, [])


def current_facts_many(con: Any, icao24s: list[str]) -> dict[str, list[FactRow]]:
    """``current_facts`` for many addresses in one query: address -> rows."""
    if not icao24s:
        return {}
    con.register("_facts_q", pa.table({"icao24": icao24s}))
    try:
        rows = con.execute(
            """SELECT f.icao24, f.field, f.value, f.source, f.source_version, s.priority,
                      s.kind, f.imported_at
               FROM aircraft_facts f JOIN aircraft_sources s USING (source)
               WHERE f.icao24 IN (SELECT icao24 FROM _facts_q) AND f.valid_until IS NULL"""
        ).fetchall()
    except duckdb.Error as exc:
        if missing_relation(con, exc, "aircraft_facts", "aircraft_sources"):
            return {}
        raise
    finally:
        con.unregister("_facts_q")
    # Sorted here, not in SQL: most trusted source first, then the most recent import.
    rows.sort(key=lambda r: (r[0], r[1], -r[5], -r[7].timestamp(), r[3]))
    out: dict[str, list[FactRow]] = {}
    for icao, fld, value, src, ver, prio, kind, _ in rows:
        out.setdefault(str(icao), []).append(
            (str(fld), str(value), str(src), str(ver), int(prio), str(kind))
        )
    return out


def fact_history(con: Any, icao24: str) -> list[tuple[Any, ...]]:
    """Every value any source ever gave for an address, oldest first."""
    rows: list[tuple[Any, ...]] = con.execute(
        """SELECT field, value, source, source_version, imported_at, valid_until
           FROM aircraft_facts WHERE icao24 = ? ORDER BY field, source, imported_at""",
        [icao24],
    ).fetchall()
    return rows


def addresses_for_registration(con: Any, registration: str) -> list[str]:
    """Addresses whose current registration (any source) is ``registration`` (dashes ignored)."""
    key = registration.strip().upper().replace("-", "")
    rows = con.execute(
        """SELECT DISTINCT icao24 FROM aircraft_facts
           WHERE field = 'registration' AND valid_until IS NULL
             AND replace(upper(value), '-', '') = ? ORDER BY icao24""",
        [key],
    ).fetchall()
    return [str(r[0]) for r in rows]


def imported_operator(con: Any, designator: str) -> dict[str, str] | None:
    """Current fields of an imported operator designator (most recent import wins), or None."""
    try:
        rows = con.execute(
            """SELECT field, value, source, source_version FROM operator_facts
               WHERE designator = ? AND valid_until IS NULL ORDER BY imported_at""",
            [designator],
        ).fetchall()
    except duckdb.Error as exc:
        if missing_relation(con, exc, "operator_facts"):
            return None
        raise
    if not rows:
        return None
    out = {str(f): str(v) for f, v, _, _ in rows}
    out["_source"] = f"{rows[-1][2]} {rows[-1][3]}"
    return out
