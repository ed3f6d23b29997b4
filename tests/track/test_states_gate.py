"""Already-tracked states gated column-wise (``track.states_gate``), on the real quickstart
collection (284,505 state vectors of 213 aircraft) with known faults injected."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pytest

from skywitness.stats import IngestStats
from skywitness.store import load_traffic_json
from skywitness.store.schema import canonicalize
from skywitness.track.states_gate import gate_states


@pytest.fixture(scope="module")
def quick(shared_data: Path) -> pa.Table:
    t = load_traffic_json(shared_data / "traffic-trajectories/collections/quickstart.json.gz")
    return canonicalize(t)


def _sorted(t: pa.Table) -> pa.Table:
    return t.take(pc.sort_indices(t, [("icao24", "ascending"), ("timestamp", "ascending")]))


def test_clean_input_passes_whole(quick: pa.Table) -> None:
    stats = IngestStats()
    out = gate_states(quick, stats=stats)
    assert out.num_rows == quick.num_rows == 284505
    assert not stats.rejected
    assert out.equals(quick)


def test_faults_are_counted(quick: pa.Table) -> None:
    t = _sorted(quick)
    lat = t.column("latitude").to_numpy(zero_copy_only=False).copy()
    lon = t.column("longitude").to_numpy(zero_copy_only=False).copy()
    has = np.flatnonzero(np.isfinite(lat))
    spike, bad = int(has[5000]), int(has[9000])
    lat[spike] += 5.0  # 300 NM away for one report, then back
    lat[bad] = 123.0  # out of range
    t = t.set_column(3, "latitude", pa.array(lat, mask=np.isnan(lat)))
    t = t.set_column(4, "longitude", pa.array(lon, mask=np.isnan(lon)))
    nulls = t.column("latitude").null_count
    # rows 100-102 given again, first: those copies are kept, the later originals dropped,
    # so every row after 102 keeps its index
    t = pa.concat_tables([t.slice(100, 3), t])
    assert spike > 102 and bad > 102
    stats = IngestStats()
    out = gate_states(t, stats=stats)
    assert out.num_rows == 284505
    assert stats.rejected == {"duplicate": 3, "implausible_position": 1, "bad_position": 1}
    got = out.column("latitude")
    assert not got[spike].is_valid and not got[bad].is_valid
    assert got.null_count == nulls + 2
    assert out.slice(0, 3).equals(t.slice(0, 3))


def test_relocation_is_kept() -> None:
    ms = np.arange(6, dtype=np.int64) * 10_000
    t = pa.table(
        {
            "timestamp": pa.array(ms, pa.timestamp("ms", tz="UTC")),
            "icao24": ["abc123"] * 6,
            "latitude": [48.0, 48.01, 48.02, 52.0, 52.01, 52.02],  # a jump, then steady
            "longitude": [2.0] * 6,
            "onground": [False] * 6,
        }
    )
    stats = IngestStats()
    out = gate_states(t, stats=stats)
    assert out.column("latitude").null_count == 0 and not stats.rejected
