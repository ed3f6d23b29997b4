"""Raw captures on Spark are decoded a task per file and tracked per aircraft over several tasks
(``spark.by_aircraft``), and give row for row the state vectors, and per file the read,
accepted and rejected counts by reason, of the embedded ingest (one tracker over the whole
file): the St Petersburg Beast capture and dump1090's SBS output of it, read in small chunks so
that each aircraft's rows come in many pieces."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pyarrow as pa

from skywitness.runtime.pipeline import RunOptions, track_tables
from skywitness.spark.ingest import RECORDS_DIR, spark_ingest
from skywitness.stats import IngestStats
from skywitness.store.schema import conform
from tests.runtime.test_emitter_categories import BEAST
from tests.spark.test_equivalence import KEY, lake_states

#: The two files are of the same capture: rows of one aircraft at one time differ by source.
ROWS = [*KEY, ("source", "ascending")]

SBS = "beastblackbox-example/beast_decoded_sbs.txt.gz"
#: Frames per chunk: the capture (~16,000 frames) comes in some forty chunks.
SMALL_CHUNKS = 400


def _embedded(path: str, opts: RunOptions) -> tuple[pa.Table, IngestStats]:
    stats = IngestStats()
    table = conform(pa.concat_tables(list(track_tables([path], opts, stats)))).sort_by(KEY)
    return table, stats


def test_a_raw_capture_tracked_per_aircraft_over_several_tasks(
    spark: Any, shared_data: Path, tmp_path: Path
) -> None:
    opts = RunOptions(batch_size=SMALL_CHUNKS)
    paths = [str(shared_data / BEAST), str(shared_data / SBS)]
    report = spark_ingest(spark, paths, tmp_path, opts)
    embedded = {p: _embedded(p, opts) for p in paths}
    expected = pa.concat_tables([t for t, _ in embedded.values()]).sort_by(ROWS)
    assert report.files == 2
    assert report.aircraft_tasks >= 2 and report.aircraft_groups >= 20
    got = lake_states(tmp_path).sort_by(ROWS)
    assert got.num_rows == expected.num_rows == report.rows > 0
    assert got.equals(expected)
    records = {
        r["path"]: r
        for r in (json.loads(f.read_text()) for f in (tmp_path / RECORDS_DIR).glob("*.json"))
    }
    for path, (table, stats) in embedded.items():
        record = records[path]
        assert record["read"] == stats.frames > 0
        assert record["accepted"] == stats.accepted
        assert record["stored"] == table.num_rows
        assert record["rejected"] == dict(stats.rejected)
    assert records[paths[0]]["rejected"]  # the capture has frames rejected, by reason
