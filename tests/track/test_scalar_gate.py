"""The fix-up walk's one-row distance and gate (``groups.dist_nm_one``,
``position_gate.gate_allowed_nm_one``) give bit for bit what the array functions give: the
walk accepts and rejects exactly the rows the whole-array check would."""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from skywitness.track.groups import dist_nm, dist_nm_one
from skywitness.track.position_gate import gate_allowed_nm, gate_allowed_nm_one

LAT = st.floats(-90, 90, allow_nan=False)
LON = st.floats(-180, 180, allow_nan=False)


@settings(max_examples=500, deadline=None)
@given(LAT, LON, LAT, LON)
def test_dist_one_is_dist_nm(lat1: float, lon1: float, lat2: float, lon2: float) -> None:
    assert dist_nm_one(lat1, lon1, lat2, lon2) == float(dist_nm(lat1, lon1, lat2, lon2))


def test_dist_one_is_dist_nm_on_short_hops_and_the_antimeridian() -> None:
    rng = np.random.default_rng(7)
    n = 100_000
    lat1, lon1 = rng.uniform(-89, 89, n), rng.uniform(-180, 180, n)
    lat2, lon2 = lat1 + rng.normal(0, 0.3, n), lon1 + rng.normal(0, 0.3, n)
    lon2[::5] += 359.9  # across the antimeridian
    want = dist_nm(lat1, lon1, lat2, lon2)
    cols = (lat1.tolist(), lon1.tolist(), lat2.tolist(), lon2.tolist())
    got = [dist_nm_one(*row) for row in zip(*cols, strict=True)]
    assert np.array_equal(np.array(got), want)


@given(st.floats(-1e6, 1e6, allow_nan=False), st.booleans())
def test_gate_one_is_gate_allowed_nm(dt: float, both_surface: bool) -> None:
    want = float(gate_allowed_nm(np.array([dt]), np.array([both_surface]))[0])
    assert gate_allowed_nm_one(dt, both_surface) == want
