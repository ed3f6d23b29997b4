"""Shared test fixtures: where the real data lives (``../shared/data`` beside the checkout), and
the stores more than one test folder reads (built by ``tests/fixtures.py``)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
SHARED_DATA = Path(os.environ.get("SKYWITNESS_SHARED_DATA", REPO.parent / "shared" / "data"))
TEST_DATA = REPO / "tests" / "data"
ARTIFACTS = REPO / "test-artifacts"


@pytest.fixture(scope="session")
def shared_data() -> Path:
    if not SHARED_DATA.is_dir():
        raise RuntimeError(f"real test data not found at {SHARED_DATA}; set SKYWITNESS_SHARED_DATA")
    return SHARED_DATA


@pytest.fixture(scope="session")
def afr_store(tmp_path_factory: pytest.TempPathFactory, shared_data: Path) -> Path:
    """A store with the real AFR34ZG LFPG -> LFBO flight of 2024-07-06 (claims, evidence)."""
    from tests.fixtures import afr_store as build

    return build(tmp_path_factory.mktemp("afr") / "data", shared_data)


@pytest.fixture(scope="session")
def shared_clients() -> Path:
    """Other projects' real clients (tar1090's web page), for tests only: ``../shared/clients``."""
    clients = SHARED_DATA.parent / "clients"
    if not clients.is_dir():
        raise RuntimeError(f"shared test clients not found at {clients}")
    return clients


@pytest.fixture(scope="session")
def artifacts() -> Path:
    ARTIFACTS.mkdir(exist_ok=True)
    return ARTIFACTS
