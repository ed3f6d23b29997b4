"""The states gate's shortcuts give the general code's answers: ``position_gate.gate_given``
(the speed gate of rows with given positions, its whole-array check on neighbouring rows) the
verdicts of ``gate_carrying`` with nothing carried in, and ``states_gate._emitted``'s integer
millisecond check the rows of ``groups.distinct_ms``; on real collections, spoofed and noisy."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from skywitness.store import load_traffic_json
from skywitness.store.lake import icao_keys
from skywitness.store.schema import canonicalize
from skywitness.track import states_gate
from skywitness.track.position_gate import References, gate_carrying, gate_given

NOISY = "traffic-trajectories/noisy"


def _sorted_positions(path: Path) -> tuple[np.ndarray, ...]:
    """(t, aircraft group, lat, lon, ms) of the rows with a position, by (aircraft, time)."""
    t = canonicalize(load_traffic_json(path))
    key = icao_keys(t.column("icao24"))
    ms = t.column("timestamp").cast("int64").to_numpy()
    lat = t.column("latitude").to_numpy(zero_copy_only=False)
    lon = t.column("longitude").to_numpy(zero_copy_only=False)
    keep = np.isfinite(lat) & np.isfinite(lon)
    order = np.lexsort((ms[keep], key[keep]))
    key, ms = key[keep][order], ms[keep][order]
    g = np.cumsum(np.r_[True, key[1:] != key[:-1]]) - 1
    return ms / 1000.0, g, lat[keep][order], lon[keep][order], ms


@pytest.mark.parametrize(
    ("name", "rejected"), [("noisy_spoofing.json.gz", 29), ("noisy_time_issue.json.gz", 27)]
)
def test_gate_given_is_gate_carrying_of_fresh_aircraft(  # counts: gate_carrying's too
    shared_data: Path, name: str, rejected: int
) -> None:
    t, g, lat, lon, _ = _sorted_positions(shared_data / NOISY / name)
    m, ng = t.shape[0], int(g[-1]) + 1
    gstart = np.maximum.accumulate(np.where(np.r_[True, g[1:] != g[:-1]], np.arange(m), 0))
    carry = {"lat": np.full(ng, np.nan), "lon": np.full(ng, np.nan),
             "pos_t": np.full(ng, -np.inf), "pos_sfc": np.zeros(ng, dtype=np.bool_)}  # fmt: skip
    yes, cpr = np.ones(m, dtype=np.bool_), np.full(m, -1, dtype=np.int32)
    want, _ = gate_carrying(t, g, gstart, lat.copy(), lon.copy(), yes, ~yes, yes,
                            References.none(m), cpr, cpr, cpr.astype(np.int8), carry)  # fmt: skip
    got = gate_given(t, g, lat.copy(), lon.copy())
    assert np.array_equal(got, want)
    assert int(np.count_nonzero(~got)) == rejected


def test_emitted_whole_ms_as_distinct_ms(
    shared_data: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Rows of one aircraft in the same millisecond (several reports a second; 4d20cd twice
    at 2019-10-05 19:47:08): the integer check keeps the rows ``distinct_ms`` keeps (forced by
    ``EXACT_MS`` = 0)."""
    path = shared_data / "traffic-trajectories/onground/zurich_airport.json.gz"
    t, g, _, _, ms = _sorted_positions(path)
    every = np.ones(t.shape[0], dtype=np.bool_)
    some = every.copy()
    some[::3] = False
    for updated in (every, some):
        for rate_s in (0.0, 1.0, 5.0):
            fast = states_gate._emitted(updated, t, ms, g, rate_s)
            with monkeypatch.context() as mp:
                mp.setattr(states_gate, "EXACT_MS", 0)
                slow = states_gate._emitted(updated, t, ms, g, rate_s)
            assert np.array_equal(fast, slow)
    assert states_gate._emitted(every, t, ms, g, 1.0).shape[0] < t.shape[0]  # some dropped
