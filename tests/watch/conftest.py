"""Shared fixtures for the watch tests: the quickstart sample as states and as a store."""

from __future__ import annotations

from pathlib import Path

import pyarrow as pa
import pytest

from skywitness.flights import build_flights
from skywitness.store import Store, load_traffic_json

QUICKSTART = "traffic-trajectories/collections/quickstart.json.gz"
#: Window length used by the real-data tests: 300 s keeps the incremental flight rebuilds few
#: (the property under test, identical alerts whatever the chunking, holds for any length).
TEST_STEP_S = 300.0


@pytest.fixture(scope="session")
def quickstart_states(shared_data: Path) -> pa.Table:
    states = load_traffic_json(shared_data / QUICKSTART)
    return states.sort_by([("timestamp", "ascending"), ("icao24", "ascending")])


@pytest.fixture(scope="session")
def quickstart_store(tmp_path_factory: pytest.TempPathFactory, quickstart_states: pa.Table) -> Path:
    """A store holding the quickstart states (through the store's ingest path) and flights."""
    ddir = tmp_path_factory.mktemp("store")
    with Store(ddir) as store:
        ingest = store.begin_ingest("quickstart.json.gz", "0" * 64, "traffic-json", None)
        store.write_batch(ingest, quickstart_states)
        store.finish_ingest(ingest, {"read": quickstart_states.num_rows})
        store.replace_flights(build_flights(store.states()), replace_all=True)
    return ddir
