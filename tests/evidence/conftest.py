"""Fixtures for the evidence tests: the demo scenario and the AFR34ZG flight in stores (built
once per session), and a ``cli`` runner for the investigate / verify commands."""

from __future__ import annotations

import argparse
import io
from collections.abc import Iterator
from contextlib import redirect_stdout
from pathlib import Path

import numpy as np
import pyarrow as pa
import pytest

from skywitness.cli import investigate_cmd
from skywitness.decode import decode_batch
from skywitness.errors import SkywitnessError
from skywitness.identify import import_aircraft
from skywitness.runtime.history import ingest, open_history, rebuild_flights
from skywitness.runtime.pipeline import RunOptions
from skywitness.simulate import load_builtin, simulate, write_capture
from skywitness.stats import IngestStats
from skywitness.store import Provenance, ingest_tables
from skywitness.track import Tracker

#: Where the AFR34ZG sample was received from: Paris CDG (surface positions need it).
CDG_REFERENCE = (49.0097, 2.5479)


def _demo_tables(stats: IngestStats) -> Iterator[pa.Table]:
    """The caracas scenario tracked receiver by receiver, each receiver's position the surface
    reference (surface CPR is ambiguous by 90 degrees of longitude): ingesting the written
    capture as a file does not (yet) find the Moscow departure airports."""
    scenario = load_builtin("caracas")
    refs = {i + 1: (r.lat, r.lon) for i, r in enumerate(scenario.receivers)}
    tracker = Tracker(rate_s=1.0, stats=stats)
    for batch in simulate(scenario):
        stats.frames += len(batch)
        msgs = decode_batch(batch)
        for rx in np.unique(batch.receiver).tolist():
            tracker.reference = refs.get(int(rx))
            states = tracker.update(msgs.take(np.flatnonzero(batch.receiver == rx)), batch.source)
            if len(states):
                yield states.to_arrow()
    final = tracker.flush()
    if len(final):
        yield final.to_arrow()


@pytest.fixture(scope="session")
def demo_store(tmp_path_factory: pytest.TempPathFactory, shared_data: Path) -> Path:
    """A store holding the simulated caracas capture (provenance: the written .jsonl) and the
    tar1090-db aircraft DB and plane-alert-db watchlist from ../shared/data."""
    root = tmp_path_factory.mktemp("demo")
    capture = root / "caracas.jsonl"
    write_capture(simulate(load_builtin("caracas")), str(capture))
    store = open_history(root / "data")
    try:
        stats = IngestStats()
        ingest_tables(store, _demo_tables(stats), Provenance.of_file(capture, "jsonl"), stats=stats)
        rebuild_flights(store)
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
