"""OpenSky historical database exports (pyopensky/traffic Parquet of ``state_vectors``): the
hand-written ``tests/data/opensky_states.csv`` rows written as Parquet the way pyopensky saves
them (times as unix seconds, or as timestamps), read with the same values as the CSV reader.
Before, every row of such a file was rejected as bad_timestamp and 0 rows were stored."""

from __future__ import annotations

import argparse
from pathlib import Path

import pyarrow as pa
import pyarrow.csv as pcsv
import pyarrow.parquet as pq
import pytest

from skywitness.cli import ingest_cmd
from skywitness.model import StateRows
from skywitness.runtime.history import open_history
from skywitness.sources import open_source
from skywitness.sources.records import FPM_PER_MPS, FT_PER_M, KT_PER_MPS
from skywitness.sources.states import observations_from_states
from skywitness.stats import IngestStats

DATA = Path(__file__).resolve().parents[1] / "data"


def _export(tmp: Path, *, timestamps: bool) -> Path:
    t = pcsv.read_csv(
        DATA / "opensky_states.csv",
        convert_options=pcsv.ConvertOptions(
            column_types={"squawk": pa.string(), "icao24": pa.string(), "callsign": pa.string()}
        ),
    ).drop_columns(["hour"])
    if timestamps:
        for name in ("time", "lastposupdate", "lastcontact"):
            us = pa.compute.cast(pa.compute.multiply(t[name].cast(pa.float64()), 1e6), pa.int64())
            i = t.column_names.index(name)
            t = t.set_column(i, name, us.cast(pa.timestamp("us", tz="UTC")))
    path = tmp / f"opensky_{'ts' if timestamps else 's'}.parquet"
    pq.write_table(t, path)
    return path


@pytest.mark.parametrize("timestamps", [False, True])
def test_opensky_parquet_export_values(tmp_path: Path, timestamps: bool) -> None:
    stats = IngestStats()
    src = open_source(str(_export(tmp_path, timestamps=timestamps)), stats=stats)
    (rows,) = list(src)  # one document: one chunk of state rows, as reports below
    assert isinstance(rows, StateRows) and src.format == "states"
    o = observations_from_states(rows.table, rows.source)
    assert len(o) == 2 and stats.rejected == {"bad_record": 1}  # the "zz" address
    assert o.timestamp.tolist() == [1654034399.5, 1654034390.0]  # last position / last contact
    assert o.altitude[0] == pytest.approx(10668.0 * FT_PER_M) == pytest.approx(35000.0)
    assert o.geoaltitude[0] == pytest.approx(36000.0)
    assert o.groundspeed[0] == pytest.approx(231.5 * KT_PER_MPS) == pytest.approx(450.0, abs=0.01)
    assert o.vertical_rate[0] == pytest.approx(-5.2 * FPM_PER_MPS)
    assert o.track[0] == 270.0 and o.latitude[0] == 53.3021 and o.longitude[0] == -6.2312
    assert o.callsign[0] == "RYR1AB" and o.squawk[0] == 2104
    assert o.onground.tolist() == [0, 1]


def test_opensky_parquet_ingests_rows(tmp_path: Path) -> None:
    parser = argparse.ArgumentParser()
    ingest_cmd.register(parser.add_subparsers())
    data = tmp_path / "data"
    args = parser.parse_args(
        ["ingest", "--quiet", "--data-dir", str(data), str(_export(tmp_path, timestamps=False))]
    )
    assert args.func(args) == 0
    with open_history(data) as store:
        rows = store.connection.execute(
            "SELECT icao24, epoch(timestamp), altitude FROM states ORDER BY icao24"
        ).fetchall()
    assert rows[0][:2] == ("4ca7b5", 1654034399.5) and rows[0][2] == pytest.approx(35000.0)
    assert [r[0] for r in rows] == ["4ca7b5", "4ca7b6"]
