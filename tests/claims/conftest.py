"""The Caracas scenario in a store (built once per session): the simulated capture, and the
tar1090-db aircraft DB and operator list from ../shared/data (types, registrations, operator
names: the gazetteer reads the last two from the store)."""

from __future__ import annotations

from pathlib import Path

import pytest

from skywitness.identify import import_aircraft
from skywitness.runtime.history import ingest, open_history
from skywitness.runtime.pipeline import RunOptions
from skywitness.simulate import load_builtin, simulate, write_capture


@pytest.fixture(scope="session")
def caracas_store(tmp_path_factory: pytest.TempPathFactory, shared_data: Path) -> Path:
    root = tmp_path_factory.mktemp("claims")
    capture = root / "caracas.jsonl"
    write_capture(simulate(load_builtin("caracas")), str(capture))
    store = open_history(root / "data")
    try:
        ingest(store, [str(capture)], RunOptions())
        db = shared_data / "tar1090-db" / "aircraft_from_shards.csv.gz"
        import_aircraft(store.connection, db, "tar1090")
        ops = shared_data / "tar1090-db" / "operators.json"
        import_aircraft(store.connection, ops, "operators")
    finally:
        store.close()
    return root / "data"


#: Where the AFR34ZG sample was received from: Paris CDG (surface positions need it).
CDG_REFERENCE = (49.0097, 2.5479)


@pytest.fixture(scope="session")
def afr_store(tmp_path_factory: pytest.TempPathFactory, shared_data: Path) -> Path:
    """A store with the real AFR34ZG LFPG -> LFBO flight of 2024-07-06 (traffic's sample)."""
    data = tmp_path_factory.mktemp("afr") / "data"
    store = open_history(data)
    try:
        sample = shared_data / "traffic-raw-frames" / "full_flight_short.jsonl.gz"
        ingest(store, [str(sample)], RunOptions(reference=CDG_REFERENCE))
    finally:
        store.close()
    return data
