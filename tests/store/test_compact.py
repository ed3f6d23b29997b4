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


def test_compaction_bounds_each_file(tmp_path: Path, quickstart: pa.Table) -> None:
    """A day larger than ``max_rows`` becomes several files of at most that many rows (memory
    bounded by one file; Spark's ``binaryFile`` reads files up to 2 GB); files already half
    that large are left alone, so compacting again changes nothing. Rows are kept exactly."""
    import functools

    from skywitness.store.compact import compact_day

    with Store(tmp_path) as store:
        parts = [quickstart.slice(i, 40_000) for i in range(0, quickstart.num_rows, 40_000)]
        ingest_tables(store, parts, Provenance("live", None, "t"), flush_rows=40_000)
        before = store.states()
        (day,) = store.days()
        bounded = functools.partial(compact_day, lake=store.lake, day=day, max_rows=100_000)
        done = store.write(bounded)
        # 7 files of 40,000 and one of 4,505: runs of 2, 2, 2 and 40,000 + 4,505
        assert {k: done[k] for k in ("files_before", "files_after", "rows")} == {
            "files_before": 8,
            "files_after": 4,
            "rows": 284_505,
        }
        rows = [r[0] for r in store.connection.execute("SELECT rows FROM files").fetchall()]
        assert sorted(rows) == [44_505, 80_000, 80_000, 80_000]
        again = store.write(bounded)
        assert again == {"day": "2021-10-07", "files_before": 4, "files_after": 4}
        after = store.states()
        assert after.take(pc.sort_indices(after, sort_keys=SORT)).equals(
            before.take(pc.sort_indices(before, sort_keys=SORT))
        )
    with Store(tmp_path) as reopened:
        assert reopened.recovery.clean and reopened.states().num_rows == 284_505


def test_merge_groups_cut_small_files_into_bounded_runs() -> None:
    from skywitness.store.compact import merge_groups

    # b and big are half the bound or more: left alone; a + c + d would be 115 rows
    files = [("a", 40), ("b", 60), ("big", 50), ("c", 30), ("d", 45), ("e", 20)]
    assert merge_groups(files, 100) == [["a", "c"], ["d", "e"]]
    assert merge_groups([], 100) == []
