"""An in-memory working catalogue: a fresh DuckDB with the catalogue's schema and, when a store
is given, its reference tables (runways, identity facts, ingests...) copied from a read-only
attach of its catalogue. Engines that read the states and flights elsewhere (Spark) answer
through it with the embedded queries (``load_into`` puts the rows they read there); the
store's own catalogue is never written. A table the schema has is filled, keeping its keys (so
the working catalogue takes the same writes as the store's); others are copied as they are."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import duckdb
import pyarrow as pa

from .catalog import ensure_schema
from .catalog_writer import CatalogWriter, require_writer
from .store import CATALOG_FILE


def working_catalogue(
    catalog_dir: Path | None,
    skip: frozenset[str] = frozenset(),
    schema: Callable[[duckdb.DuckDBPyConnection], object] | None = None,
) -> duckdb.DuckDBPyConnection:
    """The working catalogue of the store in ``catalog_dir`` (None: the empty schema), without
    the tables named in ``skip``; ``schema``: more of the schema to create first (a writer
    job: the identity tables, say)."""
    con = duckdb.connect(":memory:")
    con.execute("SET TimeZone = 'UTC'")
    catalog = catalog_dir / CATALOG_FILE if catalog_dir is not None else None
    writer = CatalogWriter(con, name="working-catalogue")
    try:
        writer.run(ensure_schema)
        if schema is not None:
            writer.run(schema)
        if catalog is not None and catalog.exists():
            writer.run(lambda c: _copy_tables(c, catalog, skip))
    finally:
        writer.close()
    return con


def _copy_tables(con: duckdb.DuckDBPyConnection, catalog: Path, skip: frozenset[str]) -> None:
    require_writer()
    con.execute(f"ATTACH '{catalog}' AS cat (READ_ONLY)")
    try:
        names = con.execute(
            "SELECT table_name FROM duckdb_tables() WHERE database_name = 'cat'"
        ).fetchall()
        mine = "SELECT table_name FROM duckdb_tables() WHERE database_name = current_database()"
        have = {n for (n,) in con.execute(mine).fetchall()}
        for (name,) in names:
            if name in skip:
                continue
            if name in have:
                con.execute(f'DELETE FROM "{name}"')
                con.execute(f'INSERT INTO "{name}" BY NAME SELECT * FROM cat."{name}"')
            else:
                con.execute(f'CREATE OR REPLACE TABLE "{name}" AS SELECT * FROM cat."{name}"')
    finally:
        con.execute("DETACH cat")


def load_into(
    con: duckdb.DuckDBPyConnection, name: str, table: pa.Table, *, with_date: bool = False
) -> None:
    """Replace table ``name`` of a working catalogue with ``table``; ``with_date``: plus the
    UTC day of its ``timestamp`` as ``date``, the way the lake's states view shows them."""
    writer = CatalogWriter(con, name="working-catalogue")
    try:
        writer.run(lambda c: _replace(c, name, table, with_date))
    finally:
        writer.close()


def _replace(con: duckdb.DuckDBPyConnection, name: str, table: pa.Table, with_date: bool) -> None:
    require_writer()
    con.register("_incoming", table)
    try:
        day = ", CAST(timezone('UTC', timestamp) AS DATE) AS date" if with_date else ""
        con.execute(f'CREATE OR REPLACE TABLE "{name}" AS SELECT *{day} FROM _incoming')
    finally:
        con.unregister("_incoming")
