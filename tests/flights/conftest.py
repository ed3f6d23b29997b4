"""Fixtures for the flights tests: the OurAirports runways and loaded sample files."""

from __future__ import annotations

from pathlib import Path

import pyarrow as pa
import pytest

from skywitness.flights import load_runways
from skywitness.store import load_traffic_json


@pytest.fixture(scope="session")
def runways(shared_data: Path) -> pa.Table:
    return load_runways(shared_data / "ourairports" / "runways.csv.gz")


@pytest.fixture(scope="session")
def trajectories(shared_data: Path) -> Path:
    return shared_data / "traffic-trajectories"


@pytest.fixture(scope="session")
def quickstart(trajectories: Path) -> pa.Table:
    return load_traffic_json(trajectories / "collections" / "quickstart.json.gz")
