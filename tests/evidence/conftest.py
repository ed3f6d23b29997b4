"""Fixtures for the evidence tests: the demo scenario and the AFR34ZG flight in stores (built
once per session), and a ``cli`` runner for the investigate / verify commands."""

from __future__ import annotations

import argparse
import io
from contextlib import redirect_stdout
from pathlib import Path

import pytest

from skywitness.cli import investigate_cmd
from skywitness.errors import SkywitnessError
from skywitness.identify import import_aircraft
from skywitness.runtime.history import ingest, open_history
from skywitness.runtime.pipeline import RunOptions
from skywitness.simulate import load_builtin, simulate, write_capture

#: Where the AFR34ZG sample was received from: Paris CDG (surface positions need it).
CDG_REFERENCE = (49.0097, 2.5479)


@pytest.fixture(scope="session")
def demo_store(tmp_path_factory: pytest.TempPathFactory, shared_data: Path) -> Path:
    """A store holding the simulated caracas capture (provenance: the written .jsonl) and the
    tar1090-db aircraft DB and plane-alert-db watchlist from ../shared/data."""
    root = tmp_path_factory.mktemp("demo")
    capture = root / "caracas.jsonl"
    write_capture(simulate(load_builtin("caracas")), str(capture))
    store = open_history(root / "data")
    try:
        ingest(store, [str(capture)], RunOptions())  # surface positions resolved at airports
        # the identities' registrations, types and watchlist entries, each with its source
        db = shared_data / "tar1090-db" / "aircraft_from_shards.csv.gz"
        import_aircraft(store.connection, db, "tar1090")
        import_aircraft(
            store.connection, shared_data / "plane-alert-db" / "plane-alert-db.csv", "planealert"
        )
    finally:
        store.close()
    return root / "data"


@pytest.fixture(scope="session")
def afr_store(tmp_path_factory: pytest.TempPathFactory, shared_data: Path) -> Path:
    """A store with the real AFR34ZG LFPG -> LFBO flight of 2024-07-06."""
    data = tmp_path_factory.mktemp("afr") / "data"
    store = open_history(data)
    try:
        sample = shared_data / "traffic-raw-frames" / "full_flight_short.jsonl.gz"
        ingest(store, [str(sample)], RunOptions(reference=CDG_REFERENCE))
    finally:
        store.close()
    return data


def cli(argv: list[str]) -> tuple[int, str]:
    """Run ``skywitness <argv>`` for the investigate/verify commands: (exit code, stdout)."""
    parser = argparse.ArgumentParser(prog="skywitness")
    investigate_cmd.register(parser.add_subparsers(dest="command"))
    args = parser.parse_args(argv)
    buf = io.StringIO()
    investigate_cmd.out.file = buf
    try:
        with redirect_stdout(buf):
            code = int(args.func(args))
    except SkywitnessError as exc:
        buf.write(f"skywitness: error: {exc}\n")
        code = 1
    return code, buf.getvalue()
