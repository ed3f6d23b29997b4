"""Fixtures for the identity tests: real-sample addresses and a catalogue with imported DBs."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import duckdb
import pytest

from skywitness.identify.importer import import_aircraft

from ._samples import raw_frame_icao24s, trajectory_callsigns


@pytest.fixture(scope="session")
def trajectories(shared_data: Path) -> dict[str, set[str]]:
    return trajectory_callsigns(shared_data)


@pytest.fixture(scope="session")
def sample_icao24s(shared_data: Path, trajectories: dict[str, set[str]]) -> list[str]:
    return sorted(set(trajectories) | raw_frame_icao24s(shared_data))


@pytest.fixture(scope="session")
def catalog(tmp_path_factory: pytest.TempPathFactory, shared_data: Path) -> Path:
    """A data dir whose catalog.duckdb holds tar1090-db and plane-alert-db (imported once)."""
    ddir = tmp_path_factory.mktemp("data")
    con = duckdb.connect(str(ddir / "catalog.duckdb"))
    import_aircraft(con, shared_data / "tar1090-db" / "aircraft_from_shards.csv.gz", "tar1090")
    import_aircraft(con, shared_data / "plane-alert-db" / "plane-alert-db.csv", "planealert")
    con.close()
    return ddir


@pytest.fixture()
def catalog_con(catalog: Path) -> Any:
    con = duckdb.connect(str(catalog / "catalog.duckdb"), read_only=True)
    yield con
    con.close()
