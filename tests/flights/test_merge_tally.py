"""The merge of a cut flight with its summary takes the words and top speed of the flight's
rows from its build (``builder.FlightTally``) instead of counting them again: every step's
changes are those of the count over the window's rows (the tally left out), and the tally is
what the build's flights hold."""

from __future__ import annotations

import itertools
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
import pytest

from skywitness.flights import FlightBuilder
from skywitness.flights.builder import FlightTally, airport_inference, build_flights_tallied
from skywitness.flights.settled import SettledFlights

from .test_settle import WINDOW_S
from .truth import load_any


def _steps(states: pa.Table, builder: FlightBuilder) -> list[tuple[pa.Table, list[str]]]:
    ms = np.asarray(states["timestamp"].cast(pa.int64()).to_numpy())
    order = np.argsort(ms, kind="stable")
    states, ms = states.take(pa.array(order)), ms[order]
    edges = np.arange(ms[0], ms[-1] + WINDOW_S * 1000 + 1, WINDOW_S * 1000)
    out = []
    for lo, hi in itertools.pairwise(edges):
        a, b = np.searchsorted(ms, [lo, hi])
        if b > a:
            out.append(builder.update(states.slice(int(a), int(b - a))))
    return out


@pytest.mark.parametrize("name", ["liguria.json.gz", "trace_full_ac671b.json"])
def test_steps_with_the_tally_are_those_without(
    trajectories: Path, runways: pa.Table, name: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    states = load_any(next(trajectories.rglob(name)))
    by_rows = 0  # merges that counted the window's rows
    merged = SettledFlights._merged

    def counting(self: SettledFlights, *a: Any) -> pa.Table:
        nonlocal by_rows
        by_rows += 1
        return merged(self, *a)

    monkeypatch.setattr(SettledFlights, "_merged", counting)
    tallied = FlightBuilder(runways, settle_rows=100)
    got = _steps(states, tallied)
    with_tally, by_rows = by_rows, 0
    plain = FlightBuilder(runways, settle_rows=100)
    build = plain._build
    monkeypatch.setattr(plain, "_build_tallied", lambda w, codes=None: (build(w, codes), None))
    want = _steps(states, plain)
    assert plain.cuts == tallied.cuts > 0
    # the tally taken on most merges (the window's rows counted for the cuts' checks)
    assert with_tally < by_rows // 2
    assert len(got) == len(want)
    for (c1, r1), (c2, r2) in zip(got, want, strict=True):
        assert c1.equals(c2) and r1 == r2


def test_the_tally_of_a_build(quickstart: pa.Table, runways: pa.Table) -> None:
    """Per flight: its callsigns with their rows in first-seen order, its top speed, and
    whether it is its aircraft's first; the flights those of ``build_flights``."""
    states = quickstart.slice(0, 20_000)
    flights, tally = build_flights_tallied(states, airport_inference(runways, None), None)
    assert isinstance(tally, FlightTally) and len(tally.callsigns) == flights.num_rows
    icao = flights["icao24"].to_pylist()
    first = [i == 0 or a != icao[i - 1] for i, a in enumerate(icao)]  # its aircraft's first
    assert 0 < tally.leads.sum() <= sum(first)
    assert not (tally.leads & ~np.array(first)).any()
    speed = states.group_by("icao24").aggregate([("groundspeed", "max")]).to_pylist()
    top = {r["icao24"]: r["groundspeed_max"] for r in speed}
    assert all(v <= top[a] for v, a in zip(tally.vmax.tolist(), icao, strict=True))
    for i, row in enumerate(flights.to_pylist()):
        assert list(tally.callsigns[i]) == row["callsigns"]
        assert list(tally.sources[i]) == row["sources"]
        assert sum(tally.callsigns[i].values()) <= row["n_positions"]
        if tally.callsigns[i]:
            most = max(tally.callsigns[i].values())
            assert tally.callsigns[i][row["callsign"]] == most
