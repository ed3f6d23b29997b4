"""The batched writer thread: flush by rows, by seconds, on stop; errors surface to the caller."""

from __future__ import annotations

import time
from pathlib import Path

import pyarrow as pa
import pytest

from skywitness.errors import SkywitnessError
from skywitness.store import Store, Writer
from skywitness.store.lake import parquet_files

from .conftest import synthetic_states


def test_flush_by_rows_and_on_stop(store: Store) -> None:
    t = synthetic_states(25_000, days=1)
    ingest_id = store.begin_ingest("live", None, "test", None)
    with Writer(store, ingest_id, flush_rows=10_000, flush_seconds=3600) as w:
        for i in range(0, 25_000, 5_000):
            w.append(t.slice(i, 5_000))
    # 10,000 + 10,000 by rows, the last 5,000 flushed by stop()
    assert (w.batches, w.rows_appended, w.rows_stored) == (3, 25_000, 25_000)
    assert len(parquet_files(store.lake)) == 3
    assert store.states().num_rows == 25_000


def test_flush_by_seconds(store: Store) -> None:
    t = synthetic_states(1_000, days=1)
    ingest_id = store.begin_ingest("live", None, "test", None)
    w = Writer(store, ingest_id, flush_rows=1_000_000, flush_seconds=0.2).start()
    w.append(t)
    deadline = time.monotonic() + 10
    while w.batches == 0 and time.monotonic() < deadline:
        time.sleep(0.02)
    assert w.batches == 1  # written while the writer is still running
    assert store.states().num_rows == 1_000
    w.stop()
    assert w.batches == 1


def test_errors_surface(tmp_path: Path) -> None:
    with Store(tmp_path) as s:
        ingest_id = s.begin_ingest("live", None, "test", None)
    ro = Store(tmp_path, read_only=True)
    w = Writer(ro, ingest_id).start()
    w.append(synthetic_states(10, days=1))
    with pytest.raises(SkywitnessError, match=r"store writer failed: .*read-only"):
        w.stop()
    with pytest.raises(SkywitnessError, match="before start"):
        Writer(ro, ingest_id).append(synthetic_states(10, days=1))
    ro.close()


def test_mixed_producers_in_one_batch(store: Store) -> None:
    """Tables with other column orders, dictionary strings or missing columns share a batch."""
    t = synthetic_states(100, days=1)
    reordered = t.select(["icao24", "timestamp", "latitude", "longitude"])
    dictionary = t.set_column(1, "icao24", t.column("icao24").dictionary_encode())
    ingest_id = store.begin_ingest("live", None, "test", None)
    with Writer(store, ingest_id, flush_rows=1_000) as w:
        w.append(reordered)
        w.append(dictionary)
    assert (w.batches, w.rows_stored) == (1, 200)
    got = store.states()
    assert got.num_rows == 200
    assert got.column("callsign").null_count == 100


def test_back_pressure_bounds_the_queue(store: Store) -> None:
    t = synthetic_states(1_000, days=1)
    ingest_id = store.begin_ingest("live", None, "test", None)
    w = Writer(store, ingest_id, flush_rows=1_000, max_pending_rows=2_000).start()
    worst = 0
    for _ in range(20):
        w.append(t)
        worst = max(worst, w.rows_appended - w._rows_taken)
    w.stop()
    assert worst <= 3_000  # never more than the bound plus the table being appended
    assert (w.rows_stored, store.states().num_rows) == (20_000, 20_000)


def test_dictionary_texts_written_as_they_are(store: Store) -> None:
    """Tables whose texts are dictionary-encoded (the states gate's) share a batch encoded,
    each with its own dictionary; the lake gives the same texts back, plain."""
    t = synthetic_states(200, days=1)
    enc = t
    for name in ("icao24", "callsign"):
        i = t.column_names.index(name)
        enc = enc.set_column(i, name, t.column(name).dictionary_encode())
    ingest_id = store.begin_ingest("live", None, "test", None)
    with Writer(store, ingest_id, flush_rows=1_000) as w:
        w.append(enc.slice(0, 120))
        w.append(enc.slice(120))
    assert (w.batches, w.rows_stored) == (1, 200)
    got = store.states()
    assert got.column("icao24").type == pa.string()
    order = [("icao24", "ascending"), ("timestamp", "ascending")]
    for name in ("icao24", "callsign", "timestamp"):
        assert got.sort_by(order).column(name).equals(t.sort_by(order).column(name)), name
