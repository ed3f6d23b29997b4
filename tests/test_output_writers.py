"""Command output files: Parquet written through ``pyarrow.parquet``'s engine without importing
``pyarrow.parquet`` (start-up) is the public writer's file, byte for byte."""

from __future__ import annotations

from pathlib import Path

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
