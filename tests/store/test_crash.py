"""Hard kill (SIGKILL) during an ingest: the store reopens consistent and says what was lost."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

import pyarrow.parquet as pq
import pytest

from skywitness.store import Provenance, Store, ingest_tables
from skywitness.store.lake import parquet_files, partition_dir, temp_files

from .conftest import synthetic_states

N_ROWS = 1_000_000
CHILD = Path(__file__).with_name("_crash_child.py")
KILL_AFTER_BATCHES = 3


def _kill_mid_ingest(data_dir: Path, src: Path, mode: str) -> None:
    proc = subprocess.Popen(
        [sys.executable, str(CHILD), str(data_dir), str(src), mode],
        stdout=subprocess.PIPE,
        text=True,
    )
    assert proc.stdout is not None
    for line in proc.stdout:
        assert line != "finished\n", "the ingest finished before it could be killed"
        if line == f"batch {KILL_AFTER_BATCHES}\n":
            break
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    assert proc.returncode == -signal.SIGKILL


def _consistent(store: Store) -> None:
    """Catalogue and disk agree: every file registered exists and vice versa, no temp files."""
    on_disk = {str(p.relative_to(store.lake)) for p in parquet_files(store.lake)}
    catalog = {r[0] for r in store.connection.execute("SELECT path FROM files").fetchall()}
    assert on_disk == catalog
    assert temp_files(store.lake) == []
    rows = store.connection.execute("SELECT coalesce(sum(rows), 0) FROM files").fetchall()[0][0]
    assert store.states().num_rows == rows
    assert store.connection.execute(
        "SELECT count(*) FROM batches WHERE state = 'writing'"
    ).fetchall() == [(0,)]


@pytest.fixture(scope="module")
def big_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A large synthetic state-vector file (unique icao24+timestamp rows, three days)."""
    src = tmp_path_factory.mktemp("crash") / "big.parquet"
    pq.write_table(synthetic_states(N_ROWS), src)
    return src


def test_kill_during_file_ingest_then_reingest(tmp_path: Path, big_file: Path) -> None:
    src = big_file
    data = tmp_path / "data"
    _kill_mid_ingest(data, src, "file")
    with Store(data) as store:
        rep = store.recovery
        assert not rep.clean
        assert len(rep.interrupted_ingests) == 1
        ing = rep.interrupted_ingests[0]
        # at least the batches announced before the kill were committed, then removed
        removed = ing["rows_removed"]
        assert ing["from_file"] and isinstance(removed, int)
        assert removed >= KILL_AFTER_BATCHES * 100_000
        assert len(rep.lost_batches) <= 1  # at most the batch in flight
        assert "interrupted" in rep.summary() and "ingest it again" in rep.summary()
        _consistent(store)
        assert store.states().num_rows == 0
        assert store.ingests()[0].status == "interrupted"
        # ingesting the same file again completes, without duplicates
        rec = ingest_tables(store, [pq.read_table(src)], Provenance.of_file(src, "parquet"))
        assert rec.status == "done" and rec.rows_stored == N_ROWS
        _consistent(store)
        n, distinct = store.connection.execute(
            "SELECT count(*), count(DISTINCT (icao24, timestamp)) FROM states"
        ).fetchall()[0]
        assert n == distinct == N_ROWS
    with Store(data) as again:
        assert again.recovery.clean


def test_kill_during_live_ingest_keeps_committed_batches(tmp_path: Path, big_file: Path) -> None:
    src = big_file
    data = tmp_path / "data"
    _kill_mid_ingest(data, src, "live")
    with Store(data) as store:
        rep = store.recovery
        ing = rep.interrupted_ingests[0]
        assert not ing["from_file"] and ing["rows_removed"] == 0
        kept = ing["rows_kept"]
        assert isinstance(kept, int) and kept >= KILL_AFTER_BATCHES * 100_000
        assert len(rep.lost_batches) <= 1
        _consistent(store)
        assert store.states().num_rows == ing["rows_kept"]


def test_simulated_crash_states_are_undone(tmp_path: Path) -> None:
    """A batch journalled ``writing`` whose file was renamed but not registered, a temp file
    and a compaction interrupted while writing: all undone, the lost rows reported exactly."""
    data = tmp_path / "data"
    t = synthetic_states(30_000, days=1)
    with Store(data) as store:
        ingest_id = store.begin_ingest("live", None, "test", None)
        assert store.write_batch(ingest_id, t) == 30_000
        con = store.connection
        con.execute("INSERT INTO batches VALUES (?, 2, 1234, 'writing', now(), NULL)", [ingest_id])
        day_dir = partition_dir(store.lake, store.days()[0])
        pq.write_table(t.slice(0, 1234), day_dir / f"part-{ingest_id:08d}-000002.parquet")
        (day_dir / ".part-x.parquet.tmp").write_bytes(b"half a file")
        con.execute(
            "INSERT INTO compactions VALUES (99, ?, 'states/x/part-c00000099.parquet', [], "
            "'writing', now(), NULL)",
            [store.days()[0]],
        )
    with Store(data) as store:
        rep = store.recovery
        assert rep.lost_batches == [{"ingest_id": ingest_id, "seq": 2, "rows": 1234}]
        assert rep.rows_lost == 1234
        assert rep.temp_files_removed == 1
        assert rep.compactions_fixed == 1
        assert rep.interrupted_ingests[0]["rows_kept"] == 30_000
        assert "batch 2 of ingest #1 (1,234 rows)" in rep.summary()
        _consistent(store)
        assert store.states().num_rows == 30_000
