"""Raw captures on Spark are decoded a task per file and tracked per aircraft over several tasks
(``spark.by_aircraft``), and give row for row the state vectors, and per file the read,
accepted and rejected counts by reason, of the embedded ingest (one tracker over the whole
file): the St Petersburg Beast capture and dump1090's SBS output of it, read in small chunks so
that each aircraft's rows come in many pieces."""

from __future__ import annotations

import json
from collections import defaultdict
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc
import pytest

from skywitness.runtime.pipeline import RunOptions, track_tables
from skywitness.spark.by_aircraft import PIECES, _file_pieces, tracked_aircraft
from skywitness.spark.ingest import RECORDS_DIR, spark_ingest
from skywitness.stats import IngestStats
from skywitness.store.schema import conform
from tests.runtime.test_emitter_categories import BEAST
from tests.spark.test_equivalence import KEY, lake_states
from tests.spark.test_globe import archive

__all__ = ["archive"]  # the fixture: test_globe's day archive, with its corrupt member

#: The two files are of the same capture: rows of one aircraft at one time differ by source.
ROWS = [*KEY, ("source", "ascending")]

SBS = "beastblackbox-example/beast_decoded_sbs.txt.gz"
DUMP1090 = "traffic-raw-frames/sample_dump1090.bin"
TUTORIAL = "traffic-raw-frames/tutorial.jsonl.gz"
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


def _in_process(path: str, opts: RunOptions) -> pa.Table:
    """The two stages without Spark: stage 1's pieces grouped by (file, aircraft) in a dict,
    each group tracked by stage 2's function."""
    groups: dict[int, list[tuple[Any, ...]]] = defaultdict(list)
    for piece in _file_pieces(path, opts, IngestStats(), {}):
        groups[piece[0]].append((path, *piece))
    track = tracked_aircraft(opts, _Drop(), _Drop())
    tables = [
        track(pa.Table.from_pylist([dict(zip(PIECES.names, r, strict=True)) for r in rows],
                                   schema=PIECES)).drop_columns(["date"])
        for rows in groups.values()
    ]  # fmt: skip
    return conform(pa.concat_tables(tables)).sort_by(ROWS)


class _Drop:
    def add(self, value: object) -> None:
        pass


@pytest.mark.parametrize(
    ("name", "batch_size"),
    [(BEAST, 7), (BEAST, 65536), (SBS, 400), (DUMP1090, 400), (TUTORIAL, 400), (TUTORIAL, 65536)],
)
def test_per_aircraft_tracking_gives_the_embedded_rows(
    shared_data: Path, name: str, batch_size: int
) -> None:
    """Whatever the chunk size (7 frames: chunks of only rejected frames too), the real
    captures' rows tracked per aircraft are the embedded ones."""
    opts = RunOptions(batch_size=batch_size)
    path = str(shared_data / name)
    expected = _embedded(path, opts)[0].sort_by(ROWS)
    got = _in_process(path, opts)
    assert got.num_rows == expected.num_rows > 0
    assert got.equals(expected)


def _sbs(hexid: str, s: int, fields: str, msg: int = 3) -> str:
    t = (datetime(2018, 4, 3, 19, tzinfo=UTC) + timedelta(seconds=s)).strftime(
        "%Y/%m/%d,%H:%M:%S.000"
    )
    return f"MSG,{msg},1,1,{hexid},1,{t},{t},{fields}"


def test_an_aircraft_expired_on_another_aircrafts_clock(tmp_path: Path) -> None:
    """Rows out of time order across aircraft: AAAAAA heard until t=100 s, then CCCCCC at 165 s
    and BBBBBB at 170 s, then AAAAAA at 150 s. Read two rows a chunk, the embedded tracker
    loses AAAAAA at the end of the step whose clock is 170 s (``Tracker.expire``: 70 s unheard)
    and takes its 150 s row as a new aircraft's, with no callsign; tracked apart, the aircraft's
    own rows (100 → 150 s: 50 s) would not lose it. Stage 2 expires it on the steps' clocks
    (``expire_at``), so the row is the embedded one: without a callsign."""
    lines = [_sbs("AAAAAA", 0, "SWA123,,,,,,,,,,,0", msg=1)]
    lines += [
        _sbs("AAAAAA", s, f",33000,,,{50 + s / 1000:.3f},10.000,,,,,,0") for s in range(0, 101, 5)
    ]
    lines += [_sbs("CCCCCC", 165, ",20000,,,52.000,12.000,,,,,,0"),
              _sbs("BBBBBB", 170, ",20000,,,51.000,11.000,,,,,,0"),
              _sbs("AAAAAA", 150, ",33000,,,50.200,10.200,,,,,,0"),
              _sbs("BBBBBB", 175, ",20000,,,51.001,11.001,,,,,,0")]  # fmt: skip
    path = tmp_path / "out_of_order.sbs"
    path.write_text("\n".join(lines) + "\n")
    opts = RunOptions(batch_size=2)
    expected = _embedded(str(path), opts)[0].sort_by(ROWS)
    got = _in_process(str(path), opts)
    assert got.equals(expected)
    row = got.filter(pc.equal(got.column("latitude"), 50.2)).to_pylist()
    assert len(row) == 1 and row[0]["icao24"] == "aaaaaa" and row[0]["callsign"] is None


def test_a_capture_and_a_globe_archive_in_one_ingest(
    spark: Any, archive: Path, shared_data: Path, tmp_path: Path
) -> None:
    """A raw capture (tracked per aircraft) and a globe-history archive (spread by trace
    member, ``spark.globe``) in one run: the union of the rows each gives alone, a record each,
    the archive's corrupt member named as when it is ingested alone."""
    beast = str(shared_data / BEAST)
    both = spark_ingest(spark, [str(archive), beast], tmp_path / "both")
    alone = spark_ingest(spark, [str(archive)], tmp_path / "alone")
    expected = pa.concat_tables(
        [lake_states(tmp_path / "alone"), _embedded(beast, RunOptions())[0]]
    )
    assert lake_states(tmp_path / "both").sort_by(ROWS).equals(expected.sort_by(ROWS))
    assert both.files == 2 and both.problems == alone.problems != []
    assert len(list((tmp_path / "both" / RECORDS_DIR).glob("*.json"))) == 2
