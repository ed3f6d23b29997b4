"""``parquet_columns`` (the ``decode`` output's column-wise Parquet writer) writes files that
read back, in pyarrow and DuckDB, as the same columns and values as Arrow's own writer's file
of the same tables (issue 18): on the decode output of every shared sample format, and on
random tables of every supported type (nulls anywhere, several chunks of any length, sliced
arrays, per-chunk dictionaries, all-null columns)."""

from __future__ import annotations

from pathlib import Path

import duckdb
import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from skywitness import thrift_compact
from skywitness.output import ParquetWriter
from skywitness.parquet_columns import ColumnParquetFile, supported
from skywitness.runtime.pipeline import RunOptions, decode_tables
from skywitness.stats import IngestStats

#: Every shared sample of a format ``decode`` reads, with the format (frames and SBS).
SAMPLES = (
    ("beastblackbox-example/ulss7-beast-bin-utc--1522782148.136310917--.log", "beast"),
    ("beastblackbox-example/beast_decoded_dump1090.txt.gz", "avr"),
    ("beastblackbox-example/beast_decoded_sbs.txt.gz", "sbs"),
    ("pymodes-tests/sample_data_adsb.csv", "hex"),
    ("pymodes-tests/sample_data_commb_df20.csv", "hex"),
    ("pymodes-tests/ehs_20160310_with_reference.csv", "auto"),
    ("traffic-raw-frames/tutorial.jsonl.gz", "jsonl"),
    ("traffic-raw-frames/full_flight_short.jsonl.gz", "jsonl"),
)


def _duck(query: str) -> list[tuple[object, ...]]:
    return duckdb.connect().execute(query).fetchall()


def _write(path: Path, tables: list[pa.Table], columnwise: bool) -> None:
    writer = ParquetWriter(path, tables[0].schema, columnwise=columnwise)
    for t in tables:
        writer.write(t)
    writer.close()


@pytest.mark.parametrize(("name", "fmt"), SAMPLES)
def test_decode_output_reads_back_as_arrows_writer_gives_it(
    shared_data: Path, tmp_path: Path, name: str, fmt: str
) -> None:
    tables = list(decode_tables([str(shared_data / name)], RunOptions(fmt=fmt), IngestStats()))
    assert tables and supported(tables[0].schema)
    ours, arrow = tmp_path / "ours.parquet", tmp_path / "arrow.parquet"
    _write(ours, tables, columnwise=True)
    _write(arrow, tables, columnwise=False)
    back, expected = pq.read_table(ours), pq.read_table(arrow)
    assert back.schema.equals(expected.schema)
    assert back.equals(expected)
    assert back.num_rows == sum(t.num_rows for t in tables)
    # DuckDB reads the same rows and values
    assert _duck(f"SELECT * FROM '{ours}'") == _duck(f"SELECT * FROM '{arrow}'")
    # the statistics Arrow was asked for (times and the address) are the same
    ours_meta, arrow_meta = pq.ParquetFile(ours).metadata, pq.ParquetFile(arrow).metadata
    names = back.schema.names
    for col in ("timestamp", "icao24"):
        i = names.index(col)
        mine = [
            ours_meta.row_group(g).column(i).statistics for g in range(ours_meta.num_row_groups)
        ]
        if ours_meta.num_row_groups == arrow_meta.num_row_groups:
            theirs = [
                arrow_meta.row_group(g).column(i).statistics
                for g in range(arrow_meta.num_row_groups)
            ]
            for a, b in zip(mine, theirs, strict=True):
                assert (a.min, a.max, a.null_count) == (b.min, b.max, b.null_count)


LABELS = ["", "a", "bb", "ccc", "dddd", "é", "airborne", "surface"]


@st.composite
def tables(draw: st.DrawFn) -> list[pa.Table]:
    """Tables of one schema (the decode output's column types) in several chunks."""
    sizes = draw(st.lists(st.integers(0, 40), min_size=1, max_size=4))
    cols: dict[str, list[pa.Array]] = {}
    dict_names = draw(st.lists(st.sampled_from(LABELS), min_size=1, max_size=6, unique=True))
    for n in sizes:

        def nulls(n: int = n) -> list[bool]:
            return draw(st.lists(st.booleans(), min_size=n, max_size=n))

        mask = nulls()
        ints = draw(
            st.lists(
                st.one_of(st.integers(0, 255), st.integers(-(1 << 62), 1 << 62)),
                min_size=n,
                max_size=n,
            )
        )
        small = draw(st.lists(st.integers(0, 31), min_size=n, max_size=n))
        floats = draw(st.lists(st.floats(allow_nan=False), min_size=n, max_size=n))
        texts = draw(st.lists(st.text(max_size=12), min_size=n, max_size=n))
        fixed = draw(
            st.lists(st.text("0123456789abcdef", min_size=6, max_size=6), min_size=n, max_size=n)
        )
        times = draw(st.lists(st.integers(0, 1 << 52), min_size=n, max_size=n))
        bools = draw(st.lists(st.booleans(), min_size=n, max_size=n))
        codes = draw(st.lists(st.integers(0, len(dict_names) - 1), min_size=n, max_size=n))
        m = pa.array(mask, type=pa.bool_()) if n else None
        # a dictionary of its own in some chunks (the writer joins them)
        names = dict_names if draw(st.booleans()) else list(reversed(dict_names))
        part = {
            "timestamp": pa.array(times, pa.timestamp("us", tz="UTC"), mask=m),
            "ms": pa.array(times, pa.timestamp("ms"), mask=nulls()),
            "big": pa.array(ints, pa.int64(), mask=nulls()),
            "small": pa.array(small, pa.int64(), mask=nulls()),
            "allnull": pa.nulls(n, pa.int64()),
            "float": pa.array(floats, pa.float64(), mask=nulls()),
            "text": pa.array(texts, pa.string(), mask=nulls()),
            "icao24": pa.array(fixed, pa.string(), mask=nulls()),
            "bool": pa.array(bools, pa.bool_(), mask=nulls()),
            "label": pa.DictionaryArray.from_arrays(
                pa.array(codes, pa.int8(), mask=nulls()), pa.array(names, pa.string())
            ),
        }
        cut = draw(st.integers(0, min(n, 3)))  # a slice: arrays with an offset
        for k, arr in part.items():
            cols.setdefault(k, []).append(arr.slice(cut))
    return [pa.table({k: v[i] for k, v in cols.items()}) for i in range(len(sizes))]


def _plain(table: pa.Table) -> pa.Table:
    """Dictionary columns as the plain strings a Parquet reader gives."""
    return pa.table(
        {
            n: (c.cast(pa.string()) if pa.types.is_dictionary(c.type) else c)
            for n, c in zip(table.column_names, table.columns, strict=True)
        }
    )


@settings(max_examples=60, deadline=None)
@given(tables())
def test_random_tables_read_back(
    tmp_path_factory: pytest.TempPathFactory, parts: list[pa.Table]
) -> None:
    path = tmp_path_factory.mktemp("pq") / "t.parquet"
    whole = pa.concat_tables(parts)
    with open(path, "wb") as fh:
        w = ColumnParquetFile(fh, whole.schema, ("icao24",))
        w.write_row_group(whole)  # several chunks in one row group
        for p in parts:  # and a row group a part
            w.write_row_group(p)
        w.close()
    back = pq.read_table(path)
    expected = _plain(pa.concat_tables([whole, *parts]))
    assert back.schema.equals(expected.schema)
    assert back.equals(expected)
    assert _duck(f"SELECT count(*), count(text), count(label) FROM '{path}'")[0] == (
        expected.num_rows,
        expected.num_rows - expected.column("text").null_count,
        expected.num_rows - expected.column("label").null_count,
    )
    meta = pq.ParquetFile(path).metadata
    for g in range(meta.num_row_groups):  # statistics as Arrow computes them
        group = back.slice(
            sum(meta.row_group(j).num_rows for j in range(g)), meta.row_group(g).num_rows
        )
        for name in ("timestamp", "icao24"):
            stats = meta.row_group(g).column(back.schema.names.index(name)).statistics
            col = group.column(name)
            assert stats.null_count == col.null_count
            values = [v for v in col.to_pylist() if v is not None]
            if values:
                assert (stats.min, stats.max) == (min(values), max(values))


def test_unsupported_types_are_refused() -> None:
    schema = pa.schema([("x", pa.int32())])
    assert not supported(schema)
    with pytest.raises(TypeError):
        ColumnParquetFile(open("/dev/null", "wb"), schema)  # noqa: SIM115


def test_thrift_compact_encoding_of_known_values() -> None:
    """Short and long field headers, zigzag varints, binary, bool and list forms."""
    enc = thrift_compact.encode
    assert enc({1: ("i32", 1)}) == bytes([0x15, 0x02, 0x00])
    assert enc({1: ("i64", -1)}) == bytes([0x16, 0x01, 0x00])
    assert enc({20: ("i32", 300)}) == bytes([0x05, 0x28, 0xD8, 0x04, 0x00])
    assert enc({1: ("bool", True), 2: ("bool", False)}) == bytes([0x11, 0x12, 0x00])
    assert enc({4: ("bin", b"ab")}) == bytes([0x48, 0x02, 0x61, 0x62, 0x00])
    assert enc({2: ("list_i32", [0, 3])}) == bytes([0x29, 0x25, 0x00, 0x06, 0x00])
    long = enc({2: ("list_i32", list(range(15)))})
    assert long[:3] == bytes([0x29, 0xF5, 0x0F])
    assert thrift_compact.varint(1 << 35) == bytes([0x80, 0x80, 0x80, 0x80, 0x80, 0x01])
    assert np.uint8(enc({1: ("struct", {})})[0]) == 0x1C
