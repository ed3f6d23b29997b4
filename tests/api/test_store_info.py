"""``/api/stats``' store figures (``api.reads.store_info``): one query, with or without a
flights table (none until the first flights are stored), kept until the next catalogue write
(``StoreSums``)."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import duckdb
import pytest

from skywitness.api.reads import StoreSums, store_info, store_sums
from skywitness.store import Store


def test_store_info_before_and_after_the_first_flights(tmp_path: Path) -> None:
    store = Store(tmp_path)
    con = store.connection.cursor()
    got = store_info(con, str(tmp_path))
    assert (got["rows"], got["flights"], got["last"]) == (0, 0, None)
    assert got["size_bytes"] == (tmp_path / "catalog.duckdb").stat().st_size
    con.execute("CREATE TABLE flights AS SELECT * FROM range(3) t(x)")
    assert store_info(con, str(tmp_path))["flights"] == 3
    store.close()


def test_store_sums_kept_until_the_next_write(tmp_path: Path) -> None:
    """``/api/stats`` keeps the sums until the catalogue writer's next write, and the poll
    after a write (``Store.write`` returned) sees it."""
    store = Store(tmp_path)
    con = store.connection.cursor()
    sums = StoreSums()
    assert sums.get(con, store.writes) == (0, 0, None, 0) == store_sums(con)
    store.write(lambda c: c.execute("CREATE TABLE flights AS SELECT * FROM range(3) t(x)"))
    assert sums.get(con, store.writes) == (0, 0, None, 3)
    last = datetime(2025, 2, 5, 12, 30)
    entry = ["a.parquet", last.date(), 1, 0, 7, 1234, None, last, None]
    store.write(lambda c: c.execute("INSERT INTO files VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)", entry))
    assert sums.get(con, store.writes) == (7, 1234, last, 3) == store_sums(con)
    # no writer job, no re-read: the kept answer (the catalogue changes only in writer jobs)
    con.execute("INSERT INTO flights VALUES (9)")
    assert sums.get(con, store.writes)[3] == 3 and store_sums(con)[3] == 4
    failed = store.writes
    with pytest.raises(duckdb.Error):  # a failed job counts too: it may have written
        store.write(lambda c: c.execute("SELECT * FROM no_such_table"))
    assert store.writes == failed + 1 and sums.get(con, store.writes)[3] == 4
    store.close()
