"""Compaction merges a day's files into one and keeps the rows identical."""

from __future__ import annotations

from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc

from skywitness.store import Provenance, Store, ingest_tables
from skywitness.store.lake import parquet_files

SORT = [("icao24", "ascending"), ("timestamp", "ascending"), ("latitude", "ascending")]


def test_compact_keeps_rows_identical(tmp_path: Path, quickstart: pa.Table) -> None:
    with Store(tmp_path) as store:
        # many small batches, as a live feed writes them
        rec = ingest_tables(
            store,
            [quickstart.slice(i, 40_000) for i in range(0, quickstart.num_rows, 40_000)],
            Provenance("live", None, "test"),
            flush_rows=40_000,
        )
        assert rec.rows_stored == 284_505
        before = store.states()
        n_files = len(parquet_files(store.lake))
        assert n_files == 8  # 7 batches of 40,000 rows and one of 4,505, one day
        done = store.compact()
        assert done == [
            {
                "day": "2021-10-07",
                "files_before": 8,
                "files_after": 1,
                "rows": 284_505,
                "bytes": done[0]["bytes"],
            }
        ]
        files = parquet_files(store.lake)
        assert [f.name for f in files] == ["part-c00000001.parquet"]
        after = store.states()
        assert after.take(pc.sort_indices(after, sort_keys=SORT)).equals(
            before.take(pc.sort_indices(before, sort_keys=SORT))
        )
        assert store.info()["files"] == 1
        assert store.compact() == []  # nothing left to merge
    with Store(tmp_path) as again:
        assert again.recovery.clean
        assert again.states().num_rows == 284_505


def test_compact_interrupted_after_swap_finishes(tmp_path: Path, quickstart: pa.Table) -> None:
    with Store(tmp_path) as store:
        parts = [quickstart.slice(i, 100_000) for i in range(0, quickstart.num_rows, 100_000)]
        ingest_tables(store, parts, Provenance("live", None, "t"), flush_rows=100_000)
        old = [r[0] for r in store.connection.execute("SELECT path FROM files").fetchall()]
        store.compact()
        # simulate a crash between the catalogue swap and the deletion of the old files
        import pyarrow.parquet as pq

        pq.write_table(quickstart.slice(0, 10), store.lake / old[0])
        store.connection.execute(
            "UPDATE compactions SET state = 'swapping', old_paths = ?", [old[:1]]
        )
    with Store(tmp_path) as store:
        assert store.recovery.compactions_fixed == 1
        assert not (store.lake / old[0]).exists()
        assert store.states().num_rows == 284_505
