"""``track --receivers`` of a states document: its rows reach the tracker in time order, as
the ingest step gives them (``IngestStep.step`` with ``track_states``), whatever the
document's own order."""

from __future__ import annotations

from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from skywitness.runtime.mlat_tables import mlat_track_tables
from skywitness.runtime.pipeline import RunOptions
from skywitness.stats import IngestStats
from skywitness.store import load_traffic_json

QUICKSTART = "traffic-trajectories/collections/quickstart.json.gz"
ORDER = [("icao24", "ascending"), ("timestamp", "ascending")]


def _tracked(path: Path) -> pa.Table:
    tables = list(mlat_track_tables([str(path)], RunOptions(), IngestStats(), ()))
    t = pa.concat_tables(tables)
    return t.take(pc.sort_indices(t, ORDER))


def test_a_document_out_of_time_order_tracks_as_in_time_order(
    shared_data: Path, tmp_path: Path
) -> None:
    """The collection as given is flight by flight: 3944ee's rows of 12:13:34-12:26:48 come
    after later ones. Taken in that order the tracker dropped them."""
    doc = load_traffic_json(shared_data / QUICKSTART)
    as_given, in_time = tmp_path / "given.parquet", tmp_path / "time.parquet"
    pq.write_table(doc, as_given)
    pq.write_table(doc.take(pc.sort_indices(doc, [("timestamp", "ascending")])), in_time)
    given, timed = _tracked(as_given), _tracked(in_time)
    assert given.num_rows == timed.num_rows == 284_505
    # (each row names its file: ``source``)
    assert given.drop(["source"]).equals(timed.drop(["source"]))
    early = pc.filter(given, pc.equal(given.column("icao24"), "3944ee")).column("timestamp")
    assert pc.min(early).as_py().isoformat() == "2021-10-07T12:13:34+00:00"
