"""The catalogue's schema is made in one transaction: a writer stopped part-way (here a
statement that fails after the first tables) leaves no table behind, so a reader never meets
a catalogue with ``ingests`` and without ``batches`` (CI's kill -9 of ``ingest`` met one)."""

from __future__ import annotations

import duckdb
import pytest

from skywitness.store import catalog
from skywitness.store.catalog_writer import CatalogWriter
from skywitness.store.recovery import SCHEMA_TABLES


def _tables(con: duckdb.DuckDBPyConnection) -> list[str]:
    rows = con.execute("SELECT table_name FROM duckdb_tables() ORDER BY 1").fetchall()
    return [r[0] for r in rows]


def test_schema_cut_short_leaves_nothing(monkeypatch: pytest.MonkeyPatch) -> None:
    con = duckdb.connect(":memory:")
    broken = (*catalog.DDL[:6], "CREATE TABLE oops AS SELECT * FROM no_such_table")
    monkeypatch.setattr(catalog, "DDL", broken)
    writer = CatalogWriter(con)
    try:
        with pytest.raises(duckdb.Error):
            writer.run(catalog.ensure_schema)
        assert _tables(con) == []
        monkeypatch.undo()
        writer.run(catalog.ensure_schema)  # the next open makes it whole
        assert set(SCHEMA_TABLES) <= set(_tables(con))
        rows = con.execute("SELECT value FROM meta WHERE key = 'schema_version'").fetchall()
        assert rows == [(catalog.SCHEMA_VERSION,)]
        writer.run(catalog.ensure_schema)  # again: nothing changes, one version row
        assert con.execute("SELECT count(*) FROM meta").fetchall() == [(1,)]
    finally:
        writer.close()


class _NoCommit:
    """A cursor whose COMMIT fails (a full disk: the WAL cannot be written)."""

    def __init__(self, con: duckdb.DuckDBPyConnection) -> None:
        self._con = con

    def execute(self, sql: str, *args: object) -> duckdb.DuckDBPyConnection:
        if sql == "COMMIT":
            raise duckdb.IOException("No space left on device")
        return self._con.execute(sql, *args)


def test_a_complete_catalogue_opens_without_a_commit() -> None:
    """The usual open makes nothing, so it commits nothing: a full disk still opens it."""
    complete, fresh = (
        CatalogWriter(duckdb.connect(":memory:")),
        CatalogWriter(duckdb.connect(":memory:")),
    )
    try:
        complete.run(catalog.ensure_schema)
        complete.run(lambda c: catalog.ensure_schema(_NoCommit(c)))  # type: ignore[arg-type]
        with pytest.raises(duckdb.IOException):  # a fresh one needs its commit
            fresh.run(lambda c: catalog.ensure_schema(_NoCommit(c)))  # type: ignore[arg-type]
    finally:
        complete.close()
        fresh.close()
