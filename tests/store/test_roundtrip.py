"""Store roundtrip of the quickstart sample: exact rows back, readable by DuckDB and pyarrow."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import duckdb
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.dataset as ds
import pyarrow.parquet as pq

from skywitness.store import STATE_SCHEMA, IngestRecord, Provenance, Store, ingest_tables

from .conftest import QUICKSTART_ROWS

SORT = [("icao24", "ascending"), ("timestamp", "ascending"), ("latitude", "ascending")]


def _sorted(t: pa.Table) -> pa.Table:
    return t.take(pc.sort_indices(t, sort_keys=SORT))


def _ingest(store: Store, table: pa.Table, path: Path) -> IngestRecord:
    return ingest_tables(store, [table], Provenance.of_file(path, "traffic-json"))


def test_quickstart_roundtrip(store: Store, quickstart: pa.Table, quickstart_path: Path) -> None:
    assert quickstart.num_rows == QUICKSTART_ROWS
    rec = _ingest(store, quickstart, quickstart_path)
    assert rec.status == "done"
    assert (rec.rows_read, rec.rows_accepted, rec.rows_stored) == (QUICKSTART_ROWS,) * 3
    assert rec.sha256 == "0ef1a97f6b96c31a58e2d9cf58af01a90016eb97472f37718dcba3913c682403"
    files = sorted((store.lake / "states").glob("date=*/*.parquet"))
    assert [f.parent.name for f in files] == ["date=2021-10-07"]

    # DuckDB, with no skywitness code, reading the lake directly
    glob = str(store.lake / "states" / "*" / "*.parquet")
    con = duckdb.connect()
    row = con.execute(
        f"SELECT count(*), count(DISTINCT icao24) FROM read_parquet('{glob}', "
        "hive_partitioning = true) WHERE date = '2021-10-07'"
    ).fetchone()
    assert row == (QUICKSTART_ROWS, 213)

    # pyarrow.dataset with hive partitioning; types are the canonical ones
    dataset = ds.dataset(store.lake / "states", format="parquet", partitioning="hive")
    back = dataset.to_table()
    assert back.num_rows == QUICKSTART_ROWS
    assert back.schema.field("timestamp").type == pa.timestamp("ms", tz="UTC")
    assert back.drop_columns(["date"]).schema == STATE_SCHEMA
    assert _sorted(back.drop_columns(["date"])).equals(_sorted(quickstart))

    # each file sorted by icao24, timestamp; zstd
    for f in files:
        t = pq.read_table(f)
        assert t.equals(t.take(pc.sort_indices(t, sort_keys=SORT[:2])))
        meta = pq.ParquetFile(f).metadata
        assert meta.row_group(0).column(0).compression == "ZSTD"
        # min/max statistics where queries filter (time, address, callsign, the bbox), so
        # DuckDB and Spark skip row groups; none elsewhere (they cost writing CPU)
        group = meta.row_group(0)
        with_stats = {
            group.column(i).path_in_schema
            for i in range(group.num_columns)
            if group.column(i).is_stats_set
        }
        assert with_stats == {"timestamp", "icao24", "callsign", "latitude", "longitude"}
        ts = group.column(0).statistics
        assert ts.has_min_max and ts.min <= ts.max
        # times as steps (smaller and cheaper to write than PLAIN); read back exactly above
        assert "DELTA_BINARY_PACKED" in group.column(0).encodings
        assert "PLAIN" not in group.column(0).encodings

    # the store's own query
    got = store.states()
    assert got.schema == STATE_SCHEMA
    assert _sorted(got).equals(_sorted(quickstart))


def test_reingest_adds_nothing(store: Store, quickstart: pa.Table, quickstart_path: Path) -> None:
    first = _ingest(store, quickstart, quickstart_path)
    again = _ingest(store, quickstart, quickstart_path)
    assert again.status == "duplicate"
    assert again.id == first.id
    assert "already ingested on" in again.note and "nothing added" in again.note
    info = store.info()
    assert info["rows"] == QUICKSTART_ROWS
    assert info["ingests"] == {"done": 1}
    assert store.states().num_rows == QUICKSTART_ROWS


def test_states_filters_and_info(store: Store, quickstart: pa.Table, quickstart_path: Path) -> None:
    _ingest(store, quickstart, quickstart_path)
    one = store.states(icao24="0101DE")
    assert one.num_rows == 1290
    assert one.column("icao24").unique().to_pylist() == ["0101de"]
    since = datetime(2021, 10, 7, 13, 0, tzinfo=UTC)
    until = datetime(2021, 10, 7, 13, 30, tzinfo=UTC)
    window = store.states(since=since, until=until)
    ms = pc.cast(quickstart.column("timestamp"), pa.int64())
    expected = pc.sum(
        pc.and_(
            pc.greater_equal(ms, int(since.timestamp() * 1000)),
            pc.less(ms, int(until.timestamp() * 1000)),
        )
    ).as_py()
    assert window.num_rows == expected
    box = store.states(bbox=(2.3, 48.9, 2.6, 49.1))
    assert box.num_rows > 0
    assert pc.min(box.column("longitude")).as_py() >= 2.3
    assert pc.max(box.column("latitude")).as_py() <= 49.1
    info = store.info()
    assert info["rows"] == QUICKSTART_ROWS
    assert info["aircraft"] == 213
    assert info["days"] == 1
    assert info["first"] == pc.min(quickstart.column("timestamp")).as_py()
    assert info["last"] == pc.max(quickstart.column("timestamp")).as_py()
    assert info["recovery"] == "store was closed cleanly: nothing lost"


def test_read_only_open_sees_the_lake(
    tmp_path: Path, quickstart: pa.Table, quickstart_path: Path
) -> None:
    with Store(tmp_path) as s:
        _ingest(s, quickstart, quickstart_path)
    with Store(tmp_path, read_only=True) as ro:
        assert ro.states(icao24="0101de").num_rows == 1290
        assert ro.info()["rows"] == QUICKSTART_ROWS


def test_bad_rows_counted_not_stored(store: Store) -> None:
    t = pa.table(
        {
            "timestamp": pa.array(
                [1_633_608_773_000, None, 1_633_608_774_000, 1_633_608_775_000]
            ).cast(pa.timestamp("ms", tz="UTC")),
            "icao24": ["3C6444", "3c6444", "~123456", "xyz"],
        }
    )
    rec = ingest_tables(store, [t], Provenance("test", None, "arrow"))
    assert rec.rows_stored == 1
    assert rec.rejected == {"bad_record": 1, "bad_timestamp": 1, "non_icao": 1}
    assert store.states().column("icao24").to_pylist() == ["3c6444"]


def test_states_unordered_are_the_same_rows_in_the_lake_order(
    store: Store, quickstart: pa.Table, quickstart_path: Path, tmp_path: Path
) -> None:
    """``states(ordered=False)`` (what the flights rebuild reads) gives the rows of the sorted
    read, in the lake's order: each day's file in turn, each file by (icao24, time)."""
    _ingest(store, quickstart, quickstart_path)
    ms = pc.cast(quickstart.column("timestamp"), pa.int64())
    later = pc.cast(pc.add(ms, 86_400_000), pa.timestamp("ms", tz="UTC"))
    shifted = quickstart.set_column(0, "timestamp", later)
    pq.write_table(shifted, tmp_path / "later.parquet")
    _ingest(store, shifted, tmp_path / "later.parquet")
    sorted_read = store.states()
    lake = store.states(ordered=False)
    assert lake.schema == STATE_SCHEMA
    assert _sorted(lake).equals(_sorted(sorted_read))
    assert not lake.equals(sorted_read)  # the other order: both days of an aircraft apart
    day = pc.floor_temporal(lake.column("timestamp"), unit="day")
    keys = pa.table({"day": day, "icao24": lake["icao24"], "timestamp": lake["timestamp"]})
    in_order = [("day", "ascending"), ("icao24", "ascending"), ("timestamp", "ascending")]
    assert pc.sort_indices(keys, sort_keys=in_order).to_pylist() == list(range(lake.num_rows))
