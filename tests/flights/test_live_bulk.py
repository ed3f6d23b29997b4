"""Issue 11 acceptance: the live path (``FlightBuilder`` fed in time slices, as a receiver
feeds it) gives the same flights as the bulk build, on every shared real trajectory file."""

from __future__ import annotations

import itertools
from pathlib import Path

import numpy as np
import pyarrow as pa
import pytest

from skywitness.flights import FlightBuilder, build_flights
from tests.conftest import SHARED_DATA

from .truth import load_any, trajectory_files

SHARED_TRAJECTORIES = SHARED_DATA / "traffic-trajectories"
FILES = [str(p.relative_to(SHARED_TRAJECTORIES)) for p in trajectory_files(SHARED_TRAJECTORIES)]
SLICE_S = 1800  # half an hour of data per update


@pytest.mark.parametrize("name", FILES)
def test_live_equals_bulk(trajectories: Path, runways: pa.Table, name: str) -> None:
    states = load_any(trajectories / name)
    ms = np.asarray(states["timestamp"].cast(pa.int64()).to_numpy())
    order = np.argsort(ms, kind="stable")
    states, ms = states.take(pa.array(order)), ms[order]
    builder = FlightBuilder(runways)
    edges = np.arange(ms[0], ms[-1] + SLICE_S * 1000, SLICE_S * 1000)
    for lo, hi in itertools.pairwise(edges):
        a, b = np.searchsorted(ms, [lo, hi])
        if b > a:
            builder.update(states.slice(int(a), int(b - a)))
    bulk = build_flights(states, runways=runways)
    live = builder.flights()
    assert live.num_rows == bulk.num_rows > 0
    assert live.equals(bulk.sort_by([("icao24", "ascending"), ("firstSeen", "ascending")]))
