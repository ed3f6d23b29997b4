"""Command output files: Parquet written through ``pyarrow.parquet``'s engine without importing
``pyarrow.parquet`` (start-up) is the public writer's file, byte for byte."""

from __future__ import annotations

import gzip
import json
from pathlib import Path

import duckdb
import pyarrow as pa
import pyarrow.parquet as pq

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
