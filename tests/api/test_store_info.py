"""``/api/stats``' store figures (``api.reads.store_info``): one query, with or without a
flights table (none until the first flights are stored)."""

from __future__ import annotations

from pathlib import Path

from skywitness.api.reads import store_info
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
