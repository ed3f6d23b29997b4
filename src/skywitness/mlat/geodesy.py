"""WGS84 geodesy for multilateration: geodetic <-> ECEF, local east/north/up frames, distances.

All functions are vectorised over numpy arrays. Latitude/longitude in degrees, heights in metres
above the WGS84 ellipsoid, ECEF coordinates in metres. ``ecef_to_llh`` uses Bowring's method with
two refinements, exact to well under a millimetre from the Earth's centre region to orbit heights.
"""

from __future__ import annotations

import numpy as np

from ..model import F8

#: WGS84 semi-major axis, m, and flattening.
WGS84_A_M = 6_378_137.0
WGS84_F = 1.0 / 298.257223563
WGS84_B_M = WGS84_A_M * (1.0 - WGS84_F)
WGS84_E2 = WGS84_F * (2.0 - WGS84_F)  # first eccentricity squared
WGS84_EP2 = WGS84_E2 / (1.0 - WGS84_E2)  # second eccentricity squared
#: Speed of the 1090 MHz signal in air near the ground, m/s (vacuum c / refractive index 1.0003).
C_AIR_M_S = 299_792_458.0 / 1.0003
M_PER_FT = 0.3048


def llh_to_ecef(lat_deg: F8 | float, lon_deg: F8 | float, height_m: F8 | float) -> F8:
    """ECEF (x, y, z) in metres, shape ``(..., 3)``, of geodetic positions."""
    la = np.radians(np.asarray(lat_deg, dtype=np.float64))
    lo = np.radians(np.asarray(lon_deg, dtype=np.float64))
    h = np.asarray(height_m, dtype=np.float64)
    sin_la = np.sin(la)
    n = WGS84_A_M / np.sqrt(1.0 - WGS84_E2 * sin_la * sin_la)
    x = (n + h) * np.cos(la) * np.cos(lo)
    y = (n + h) * np.cos(la) * np.sin(lo)
    z = (n * (1.0 - WGS84_E2) + h) * sin_la
    out: F8 = np.stack(np.broadcast_arrays(x, y, z), axis=-1)
    return out


def ecef_to_llh(xyz: F8) -> tuple[F8, F8, F8]:
    """Geodetic (latitude deg, longitude deg, height m) of ECEF points ``(..., 3)``."""
    p3 = np.asarray(xyz, dtype=np.float64)
    x, y, z = p3[..., 0], p3[..., 1], p3[..., 2]
    p = np.hypot(x, y)
    lon = np.arctan2(y, x)
    # Bowring's parametric-latitude start, then two Newton-like refinements.
    beta = np.arctan2(z * WGS84_A_M, p * WGS84_B_M)
    lat = np.arctan2(
        z + WGS84_EP2 * WGS84_B_M * np.sin(beta) ** 3,
        p - WGS84_E2 * WGS84_A_M * np.cos(beta) ** 3,
    )
    for _ in range(2):
        beta = np.arctan2((1.0 - WGS84_F) * np.sin(lat), np.cos(lat))
        lat = np.arctan2(
            z + WGS84_EP2 * WGS84_B_M * np.sin(beta) ** 3,
            p - WGS84_E2 * WGS84_A_M * np.cos(beta) ** 3,
        )
    sin_la, cos_la = np.sin(lat), np.cos(lat)
    n = WGS84_A_M / np.sqrt(1.0 - WGS84_E2 * sin_la * sin_la)
    # height: the better-conditioned of the two formulas away from the poles / equator
    h = np.where(
        np.abs(cos_la) > 0.1,
        p / np.where(np.abs(cos_la) > 0.1, cos_la, 1.0) - n,
        z / np.where(np.abs(sin_la) > 1e-12, sin_la, 1.0) - n * (1.0 - WGS84_E2),
    )
    return np.degrees(lat), np.degrees(lon), h


def enu_basis(lat_deg: F8 | float, lon_deg: F8 | float) -> F8:
    """Rows east, north, up (unit ECEF vectors) at each position: shape ``(..., 3, 3)``."""
    la = np.radians(np.asarray(lat_deg, dtype=np.float64))
    lo = np.radians(np.asarray(lon_deg, dtype=np.float64))
    sl, cl, so, co = np.sin(la), np.cos(la), np.sin(lo), np.cos(lo)
    zero = np.zeros_like(sl)
    east = np.stack(np.broadcast_arrays(-so, co, zero), axis=-1)
    north = np.stack(np.broadcast_arrays(-sl * co, -sl * so, cl), axis=-1)
    up = np.stack(np.broadcast_arrays(cl * co, cl * so, sl), axis=-1)
    out: F8 = np.stack([east, north, up], axis=-2)
    return out


def horizontal_error_m(lat1: F8, lon1: F8, lat2: F8, lon2: F8) -> F8:
    """Horizontal distance, m, between two sets of positions on the ellipsoid surface (the
    chord at height 0; exact to centimetres at the few-km distances it is used for)."""
    a = llh_to_ecef(lat1, lon1, 0.0)
    b = llh_to_ecef(lat2, lon2, 0.0)
    out: F8 = np.linalg.norm(a - b, axis=-1)
    return out
