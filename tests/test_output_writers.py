"""Command output files: Parquet written through ``pyarrow.parquet``'s engine without importing
``pyarrow.parquet`` (start-up) is the public writer's file, byte for byte."""

from __future__ import annotations

import gzip
import json
from pathlib import Path

import duckdb
import pyarrow as pa
import pyarrow.parquet as pq

from skywitness.cli.main import main
from skywitness.output import open_writer, parquet_file_writer, parquet_options
from skywitness.runtime.pipeline import RunOptions, decode_tables
from skywitness.stats import IngestStats


def test_engine_writer_is_the_public_writer(shared_data: Path, tmp_path: Path) -> None:
    src = shared_data / "traffic-raw-frames" / "tutorial.jsonl.gz"
    table = pa.concat_tables(list(decode_tables([str(src)], RunOptions(), IngestStats())))
    options = parquet_options(table.schema)
    ours, public = tmp_path / "ours.parquet", tmp_path / "public.parquet"
    writer = parquet_file_writer(str(ours), table.schema, **options)
    writer.write_table(table)
    writer.close()
    with pq.ParquetWriter(str(public), table.schema, **options) as w:
        w.write_table(table)
    assert ours.read_bytes() == public.read_bytes()
    assert pq.read_table(ours).equals(table)


def test_parquet_output_reads_back(tmp_path: Path) -> None:
    table = pa.table({"a": pa.array([1, None, 3]), "s": pa.array(["x", "y", None])})
    out = tmp_path / "o.parquet"
    writer = open_writer(str(out), table.schema)
    writer.write(table)
    writer.close()
    assert pq.read_table(out).equals(table)


def test_decode_parquet_reads_back_as_plain_strings(shared_data: Path, tmp_path: Path) -> None:
    """The decode output's label columns are dictionary-encoded in memory and written as
    such (decode.dictcols); the file reads back, in pyarrow and DuckDB, with plain string
    columns and the same values."""
    src = shared_data / "traffic-raw-frames" / "tutorial.jsonl.gz"
    tables = list(decode_tables([str(src)], RunOptions(), IngestStats()))
    schema = tables[0].schema
    coded = [f.name for f in schema if pa.types.is_dictionary(f.type)]
    assert coded == ["reject", "kind", "bds", "squawk", "modeac", "source", "cpr_kind"]
    out = tmp_path / "d.parquet"
    writer = open_writer(str(out), schema)
    for t in tables:
        writer.write(t)
    writer.close()
    back = pq.read_table(out)
    plain = [pa.field(f.name, pa.string()) if f.name in coded else f for f in schema]
    assert back.schema == pa.schema(plain)
    whole = pa.concat_tables(tables)
    for name in schema.names:
        assert back.column(name).to_pylist() == whole.column(name).to_pylist(), name
    # every DF17 frame of the file (its first 5 bits, read here from the hex) is ADS-B
    with gzip.open(src) as fh:
        frames = [json.loads(line)["frame"] for line in fh]
    assert back.column("kind").to_pylist().count("adsb") == 30_900
    assert sum(int(f[:2], 16) >> 3 in (17, 18) for f in frames) == 30_900
    described = duckdb.sql(f"DESCRIBE SELECT * FROM '{out}'")
    assert described is not None
    types = {r[0]: r[1] for r in described.fetchall()}
    assert {types[c] for c in coded} == {"VARCHAR"}


def test_times_written_delta_encoded(shared_data: Path, tmp_path: Path) -> None:
    """Time columns are written DELTA_BINARY_PACKED (smaller and cheaper to write than PLAIN,
    issue 18); pyarrow and DuckDB read back the same instants, nulls included."""
    src = shared_data / "traffic-raw-frames" / "tutorial.jsonl.gz"
    tables = list(decode_tables([str(src)], RunOptions(), IngestStats()))
    out = tmp_path / "d.parquet"
    writer = open_writer(str(out), tables[0].schema)
    for t in tables:
        writer.write(t)
    writer.close()
    meta = pq.ParquetFile(out).metadata
    names = meta.schema.names
    for g in range(meta.num_row_groups):
        col = meta.row_group(g).column(names.index("timestamp"))
        assert "DELTA_BINARY_PACKED" in col.encodings
        assert "PLAIN" not in col.encodings
    whole = pa.concat_tables(tables).column("timestamp")
    assert pq.read_table(out, columns=["timestamp"]).column(0).equals(whole)
    rel = duckdb.sql(f"SELECT epoch_us(timestamp) FROM '{out}'")
    assert rel is not None
    rows = rel.fetchall()
    ticks = whole.cast(pa.int64()).to_pylist()
    assert [r[0] for r in rows] == ticks
    with gzip.open(src) as fh:
        assert len(ticks) == sum(1 for _ in fh) == 71_939  # one row per frame of the file

    ts = pa.array([0, None, 1_700_000_000_000, 1_699_999_999_000, None], pa.timestamp("ms", "UTC"))
    small = pa.table({"timestamp": ts, "x": pa.array([1.5, None, 2.0, 3.0, 4.0])})
    path = tmp_path / "s.parquet"
    w = open_writer(str(path), small.schema)
    w.write(small)
    w.close()
    assert pq.read_table(path).equals(small)


def _codecs(path: Path) -> dict[str, set[str]]:
    meta = pq.ParquetFile(path).metadata
    out: dict[str, set[str]] = {}
    for g in range(meta.num_row_groups):
        for c in range(meta.num_columns):
            col = meta.row_group(g).column(c)
            out.setdefault(col.path_in_schema, set()).add(col.compression)
    return out


def test_decode_output_codecs(shared_data: Path, tmp_path: Path) -> None:
    """``decode -o x.parquet``: frames and times zstd, the other columns snappy (issue 18:
    cheaper to write), the same values back in pyarrow and DuckDB; other command output (a
    ``track`` file) stays zstd throughout."""
    src = shared_data / "traffic-raw-frames" / "tutorial.jsonl.gz"
    out = tmp_path / "d.parquet"
    assert main(["decode", "-q", "-o", str(out), str(src)]) == 0
    codecs = _codecs(out)
    assert codecs.pop("frame") == codecs.pop("timestamp") == {"ZSTD"}
    assert len(codecs) == 41
    assert set().union(*codecs.values()) == {"SNAPPY"}
    tables = list(decode_tables([str(src)], RunOptions(), IngestStats()))
    whole = pa.concat_tables(tables)
    back = pq.read_table(out)
    for name in whole.schema.names:
        assert back.column(name).to_pylist() == whole.column(name).to_pylist(), name
    rel = duckdb.sql(f"SELECT count(*), count(altitude), sum(altitude) FROM '{out}'")
    assert rel is not None
    n = rel.fetchall()[0]
    alt = whole.column("altitude")
    assert n == (71_939, len(alt) - alt.null_count, sum(v for v in alt.to_pylist() if v))

    states = tmp_path / "s.parquet"
    assert main(["track", "-q", "-o", str(states), str(src)]) == 0
    assert set().union(*_codecs(states).values()) == {"ZSTD"}
