"""``cpr.local_one`` (the gate's fix-up walk re-decodes one row at a time) gives bit for bit
what the array local decodes give, airborne and surface, odd and even, references anywhere
(zone edges and the poles included), and NaN where they give NaN."""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from skywitness.decode import cpr


def _arrays(
    c_lat: int, c_lon: int, odd: int, r_lat: float, r_lon: float, sfc: bool
) -> tuple[float, float]:
    f = cpr.surface_local if sfc else cpr.airborne_local
    la, lo = f(np.array([c_lat]), np.array([c_lon]), np.array([odd]), np.array([r_lat]),
               np.array([r_lon]))  # fmt: skip
    return float(la[0]), float(lo[0])


def _same(a: tuple[float, float], b: tuple[float, float]) -> bool:
    return all((x == y) or (np.isnan(x) and np.isnan(y)) for x, y in zip(a, b, strict=True))


@settings(max_examples=1000, deadline=None)
@given(
    st.integers(0, (1 << 17) - 1),
    st.integers(0, (1 << 17) - 1),
    st.integers(0, 1),
    st.floats(-90, 90, allow_nan=False),
    st.floats(-180, 180, allow_nan=False),
    st.booleans(),
)
def test_local_one_is_the_array_decode(
    c_lat: int, c_lon: int, odd: int, r_lat: float, r_lon: float, sfc: bool
) -> None:
    want = _arrays(c_lat, c_lon, odd, r_lat, r_lon, sfc)
    assert _same(cpr.local_one(c_lat, c_lon, odd, r_lat, r_lon, sfc), want)


def test_local_one_on_real_like_positions_and_missing_references() -> None:
    rng = np.random.default_rng(3)
    n = 20_000
    lat, lon = rng.uniform(-89.9, 89.9, n), rng.uniform(-180, 180, n)
    odd = rng.integers(0, 2, n)
    sfc = rng.random(n) < 0.3
    c_lat, c_lon = np.zeros(n, dtype=np.int64), np.zeros(n, dtype=np.int64)
    for s, span in ((False, cpr.AIRBORNE_SPAN_DEG), (True, cpr.SURFACE_SPAN_DEG)):
        m = sfc == s
        c_lat[m], c_lon[m] = cpr._encode(lat[m], lon[m], odd[m], span)
    c_lat, c_lon = c_lat % (1 << 17), c_lon % (1 << 17)
    r_lat, r_lon = lat + rng.normal(0, 0.2, n), lon + rng.normal(0, 0.2, n)
    r_lat[::97] = np.nan
    r_lon[::89] = np.nan
    for i in range(n):
        args = (int(c_lat[i]), int(c_lon[i]), int(odd[i]), float(r_lat[i]), float(r_lon[i]),
                bool(sfc[i]))  # fmt: skip
        assert _same(cpr.local_one(*args), _arrays(*args)), args
