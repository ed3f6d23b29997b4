"""CPR math: exact values from real frames, and encode→decode round trips (hypothesis)."""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from skywitness.decode import cpr

EARTH_M_PER_DEG = 111_195.0  # metres per degree of great circle (mean radius 6371 km)
NM_DEG = 1.0 / 60.0  # degrees of latitude per nautical mile


def _err_m(lat: float, lon: float, lat2: float, lon2: float) -> float:
    dlon = (lon2 - lon + 180.0) % 360.0 - 180.0
    return float(np.hypot(lat2 - lat, dlon * np.cos(np.radians(lat))) * EARTH_M_PER_DEG)


def _near_nl_transition(lat: float, span: float) -> bool:
    """Within one even/odd latitude quantum of an NL transition (a legitimate mismatch)."""
    quantum = span / 59.0 / cpr.CPR_SCALE
    return bool(np.min(np.abs(cpr.NL_TRANSITIONS_DEG - abs(lat))) <= 2 * quantum)


def test_nl_table() -> None:
    lats = np.array([0.0, 10.47047129, 10.47047131, -45.0, 86.99, 87.0, 89.9, 90.0])
    assert cpr.nl(lats).tolist() == [59, 59, 58, 42, 2, 1, 1, 1]
    # Table values of dump1090's cprNLFunction (first and last transitions).
    assert abs(cpr.NL_TRANSITIONS_DEG[0] - 10.47047130) < 1e-8
    assert abs(cpr.NL_TRANSITIONS_DEG[-1] - 87.0) < 1e-9


def test_airborne_global_real_pair() -> None:
    # First airborne pair of 393322 (full_flight_short, 0.6 s apart) and rs1090's positions.
    lat, lon = cpr.airborne_global(21761, 36398, 3922, 35457, np.array([True, False]))
    assert abs(lat[0] - 48.99613719875529) < 1e-9 and abs(lon[0] - 2.5627778705797697) < 1e-9
    assert abs(lat[1] - 48.99613952636719) < 1e-9 and abs(lon[1] - 2.563335712139423) < 1e-9
    # An odd frame near the NL 48/47 boundary: its pair is refused globally (zone mismatch in
    # the data), local decode against a nearby reference gives rs1090's value.
    lat, lon = cpr.airborne_local(117029, 30115, 1, 48.16, 2.12)
    assert abs(lat - 48.15982624635858) < 1e-9 and abs(lon - 2.120854304387019) < 1e-9


def test_surface_local_real() -> None:
    # First frame of full_flight_short: CDG apron, BDS 0,6 even, lat_cpr 87891, lon_cpr 15100.
    lat, lon = cpr.surface_local(87891, 15100, 0, 49.0097, 2.5479)  # LFPG reference point
    assert abs(lat - 49.00583267211914) < 1e-9 and abs(lon - 2.5735473632812496) < 1e-9
    lat_cpr, lon_cpr = cpr.encode_surface(49.00583267211914, 2.5735473632812496, 0)
    assert (int(lat_cpr), int(lon_cpr)) == (87891, 15100)


lat_st = st.floats(min_value=-89.0, max_value=89.0, allow_nan=False)
lon_st = st.floats(min_value=-180.0, max_value=179.999999, allow_nan=False)


@settings(max_examples=400, deadline=None)
@given(lat=lat_st, lon=lon_st, latest_odd=st.booleans())
def test_airborne_global_round_trip(lat: float, lon: float, latest_odd: bool) -> None:
    le, ne = cpr.encode_airborne(lat, lon, 0)
    lo, no = cpr.encode_airborne(lat, lon, 1)
    dlat, dlon = cpr.airborne_global(le, ne, lo, no, latest_odd)
    if np.isnan(dlat):
        assert _near_nl_transition(lat, cpr.AIRBORNE_SPAN_DEG)
        return
    # Quantum: 6°/2**17 of latitude (5.1 m); longitude zones are at least as wide in metres
    # except above 80° where NL is small; half a quantum each way, plus float slack.
    bound = 5.1 if abs(lat) < 80 else 30.0
    assert _err_m(lat, lon, float(dlat), float(dlon)) < bound


@settings(max_examples=400, deadline=None)
@given(
    lat=lat_st,
    lon=lon_st,
    latest_odd=st.booleans(),
    off_lat=st.floats(-20.0, 20.0),
    off_lon=st.floats(-40.0, 40.0),
)
def test_surface_global_round_trip(
    lat: float, lon: float, latest_odd: bool, off_lat: float, off_lon: float
) -> None:
    le, ne = cpr.encode_surface(lat, lon, 0)
    lo, no = cpr.encode_surface(lat, lon, 1)
    ref_lat = float(np.clip(lat + off_lat, -90.0, 90.0))
    dlat, dlon = cpr.surface_global(le, ne, lo, no, latest_odd, ref_lat, lon + off_lon)
    if np.isnan(dlat):
        assert _near_nl_transition(lat, cpr.SURFACE_SPAN_DEG)
        return
    bound = 1.3 if abs(lat) < 80 else 8.0
    assert _err_m(lat, lon, float(dlat), float(dlon)) < bound


@settings(max_examples=400, deadline=None)
@given(
    lat=st.floats(-80.0, 80.0),
    lon=lon_st,
    odd=st.integers(0, 1),
    dist_nm=st.floats(0.0, 175.0),
    bearing=st.floats(0.0, 2 * np.pi),
)
def test_airborne_local_round_trip(
    lat: float, lon: float, odd: int, dist_nm: float, bearing: float
) -> None:
    ref_lat = lat + dist_nm * np.cos(bearing) * NM_DEG
    ref_lon = lon + dist_nm * np.sin(bearing) * NM_DEG / np.cos(np.radians(lat))
    yz, xz = cpr.encode_airborne(lat, lon, odd)
    dlat, dlon = cpr.airborne_local(yz, xz, odd, ref_lat, ref_lon)
    assert _err_m(lat, lon, float(dlat), float(dlon)) < 5.1


@settings(max_examples=400, deadline=None)
@given(
    lat=st.floats(-80.0, 80.0),
    lon=lon_st,
    odd=st.integers(0, 1),
    dist_nm=st.floats(0.0, 43.0),
    bearing=st.floats(0.0, 2 * np.pi),
)
def test_surface_local_round_trip(
    lat: float, lon: float, odd: int, dist_nm: float, bearing: float
) -> None:
    ref_lat = lat + dist_nm * np.cos(bearing) * NM_DEG
    ref_lon = lon + dist_nm * np.sin(bearing) * NM_DEG / np.cos(np.radians(lat))
    yz, xz = cpr.encode_surface(lat, lon, odd)
    dlat, dlon = cpr.surface_local(yz, xz, odd, ref_lat, ref_lon)
    assert _err_m(lat, lon, float(dlat), float(dlon)) < 1.3


def test_vectorised_shapes_and_invalid() -> None:
    lats = np.array([10.0, 45.0, -33.0])
    lons = np.array([-170.0, 2.0, 151.0])
    le, ne = cpr.encode_airborne(lats, lons, np.zeros(3, dtype=np.int64))
    lo, no = cpr.encode_airborne(lats, lons, np.ones(3, dtype=np.int64))
    dlat, dlon = cpr.airborne_global(le, ne, lo, no, np.array([True, False, True]))
    assert np.allclose(dlat, lats, atol=1e-4) and np.allclose(dlon, lons, atol=1e-4)
    # Surface without a reference cannot be resolved.
    s_lat, _ = cpr.surface_global(le, ne, lo, no, True, np.nan, np.nan)
    assert np.isnan(s_lat).all()
