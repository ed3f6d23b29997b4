"""The Caracas scenario in a store (built once per session): the simulated capture, and the
tar1090-db aircraft DB and operator list from ../shared/data (types, registrations, operator
names: the gazetteer reads the last two from the store). The AFR34ZG store is the one of
tests/conftest.py."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.fixtures import caracas_store as build_caracas


@pytest.fixture(scope="session")
def caracas_store(tmp_path_factory: pytest.TempPathFactory, shared_data: Path) -> Path:
    tar1090 = shared_data / "tar1090-db"
    return build_caracas(
        tmp_path_factory.mktemp("claims"),
        [(tar1090 / "aircraft_from_shards.csv.gz", "tar1090"),
         (tar1090 / "operators.json", "operators")],
    )  # fmt: skip
