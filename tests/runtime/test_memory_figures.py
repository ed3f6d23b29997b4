"""``/api/stats`` ``memory``: each allocator's figure moves with what it holds."""

from __future__ import annotations

import duckdb
import numpy as np
import pyarrow as pa

from skywitness.runtime.memory import memory_figures


def test_each_figure_follows_its_allocator() -> None:
    con = duckdb.connect()
    before = memory_figures(con)
    assert set(before) == {"rss_mb", "arrow_mb", "duckdb_mb", "heap_used_mb", "heap_free_mb",
                           "python_blocks"}  # fmt: skip
    held_np = np.ones(64 * 2**20 // 8)  # 64 MB from malloc (numpy)
    held_pa = pa.allocate_buffer(32 * 2**20)  # 32 MB from Arrow's pool
    con.execute("CREATE TABLE t AS SELECT range AS x FROM range(4000000)")
    after = memory_figures(con)
    for k in ("rss_mb", "heap_used_mb", "arrow_mb", "duckdb_mb"):
        assert isinstance(after[k], float), k
    assert after["heap_used_mb"] - before["heap_used_mb"] >= 63  # type: ignore[operator]
    assert after["arrow_mb"] - (before["arrow_mb"] or 0.0) >= 31.9  # type: ignore[operator]
    assert after["duckdb_mb"] > before["duckdb_mb"]  # type: ignore[operator]
    assert after["rss_mb"] - before["rss_mb"] >= 60  # type: ignore[operator]
    del held_np, held_pa
    assert memory_figures(None)["duckdb_mb"] is None
