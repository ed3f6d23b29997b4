"""Fixtures for the store tests: the quickstart sample as a canonical table, fresh stores."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pyarrow as pa
import pytest

from skywitness.store import STATE_SCHEMA, Store, load_traffic_json

QUICKSTART_ROWS = 284_505


@pytest.fixture(scope="session")
def quickstart_path(shared_data: Path) -> Path:
    return shared_data / "traffic-trajectories" / "collections" / "quickstart.json.gz"


@pytest.fixture(scope="session")
def quickstart(quickstart_path: Path) -> pa.Table:
    return load_traffic_json(quickstart_path)


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    s = Store(tmp_path / "data")
    yield s
    s.close()


def synthetic_states(n: int, *, seed: int = 0, aircraft: int = 500, days: int = 3) -> pa.Table:
    """``n`` state vectors with unique (icao24, timestamp), spread over ``days`` UTC days."""
    rng = np.random.default_rng(seed)
    ac = np.arange(n) % aircraft
    ts_ms = 1_633_046_400_000 + (np.arange(n) // aircraft) * 1000 * max(
        1, 86_400 * days // (n // aircraft + 1)
    )
    icao = np.array([f"{0x3C0000 + a:06x}" for a in range(aircraft)])[ac]
    return pa.table(
        {
            "timestamp": pa.array(ts_ms, pa.int64()).cast(STATE_SCHEMA.field("timestamp").type),
            "icao24": icao,
            "callsign": np.array([f"TST{a:04d}" for a in range(aircraft)])[ac],
            "latitude": rng.uniform(40, 55, n),
            "longitude": rng.uniform(-5, 15, n),
            "altitude": rng.uniform(0, 40_000, n).round(),
            "geoaltitude": pa.nulls(n, pa.float64()),
            "groundspeed": rng.uniform(100, 500, n).round(),
            "track": rng.uniform(0, 360, n),
            "vertical_rate": rng.uniform(-2000, 2000, n).round(),
            "squawk": pa.array(["1000"] * n),
            "onground": rng.uniform(size=n) < 0.1,
            "source": pa.array(["synthetic"] * n),
            "position_source": pa.array(["adsb"] * n),
            "position_error": pa.nulls(n, pa.float64()),
        }
    ).cast(STATE_SCHEMA)
