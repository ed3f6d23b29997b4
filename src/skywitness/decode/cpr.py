"""Compact Position Reporting (CPR) math: vectorised encode, global and local decode.

Pure functions over numpy arrays (17-bit encoded values in, degrees out, NaN where a position
cannot be resolved). Airborne zones span 360°, surface zones 90° (four times the resolution,
and four longitude solutions 90° apart that a reference position disambiguates). Formulas from
ICAO Doc 9871 / DO-260B §A.1.7, as implemented by dump1090 and readsb.
"""

from __future__ import annotations

import bisect
import math
from typing import Any

import numpy as np
import numpy.typing as npt

F8 = npt.NDArray[np.float64]
I8 = npt.NDArray[np.int64]

#: Number of latitude zones between equator and pole.
NZ = 15
#: Scale of the 17-bit encoded fractions.
CPR_SCALE = 131072.0  # 2**17
AIRBORNE_SPAN_DEG = 360.0
SURFACE_SPAN_DEG = 90.0


def _nl_transitions() -> F8:
    """Latitudes (deg, ascending) where NL drops from 59 to 58, ..., from 2 to 1."""
    n = np.arange(59, 1, -1, dtype=np.float64)  # NL values 59..2, transitions ascend
    a = 1.0 - np.cos(np.pi / (2.0 * NZ))
    b = 1.0 - np.cos(2.0 * np.pi / n)
    out: F8 = np.degrees(np.arccos(np.sqrt(a / b)))
    return out


#: Transition latitudes (deg): NL(lat) = 59 - number of transitions <= |lat|.
NL_TRANSITIONS_DEG: F8 = _nl_transitions()


def nl(lat: Any) -> I8:
    """Number of longitude zones at each latitude (1..59), vectorised."""
    a = np.abs(np.asarray(lat, dtype=np.float64))
    out: I8 = 59 - np.searchsorted(NL_TRANSITIONS_DEG, a, side="right").astype(np.int64)
    return out


def _f(x: Any) -> F8:
    return np.asarray(x, dtype=np.float64)


def _wrap_lon(lon: F8) -> F8:
    """Normalise longitudes to [-180, 180)."""
    out: F8 = lon - np.floor((lon + 180.0) / 360.0) * 360.0
    return out


def _global(
    lat_even: Any,
    lon_even: Any,
    lat_odd: Any,
    lon_odd: Any,
    latest_is_odd: Any,
    span: float,
    ref_lat: F8 | None = None,
) -> tuple[F8, F8]:
    """Shared global decode; for the surface, the hemisphere nearest ``ref_lat`` and the
    first-quadrant longitude (the caller picks the quadrant)."""
    le, lo = _f(lat_even) / CPR_SCALE, _f(lat_odd) / CPR_SCALE
    ne, no = _f(lon_even), _f(lon_odd)
    odd = np.asarray(latest_is_odd, dtype=bool)
    dlat_e, dlat_o = span / 60.0, span / 59.0
    j = np.floor(59.0 * le - 60.0 * lo + 0.5)
    rlat_e = dlat_e * (np.mod(j, 60.0) + le)
    rlat_o = dlat_o * (np.mod(j, 59.0) + lo)
    if span == AIRBORNE_SPAN_DEG:
        rlat_e = np.where(rlat_e >= 270.0, rlat_e - 360.0, rlat_e)
        rlat_o = np.where(rlat_o >= 270.0, rlat_o - 360.0, rlat_o)
    elif ref_lat is not None:
        # Surface latitude solutions are rlat and rlat - 90: keep the one nearer the
        # reference, before the NL check (NL depends on |lat|).
        south = np.abs(rlat_o - 90.0 - ref_lat) < np.abs(rlat_o - ref_lat)
        rlat_e = np.where(south, rlat_e - 90.0, rlat_e)
        rlat_o = np.where(south, rlat_o - 90.0, rlat_o)
    nl_e, nl_o = nl(rlat_e), nl(rlat_o)
    bad = (nl_e != nl_o) | (np.abs(rlat_e) > 90.0) | (np.abs(rlat_o) > 90.0)
    nl_used = nl_o  # equal to nl_e where the decode is valid
    m = np.floor((ne * (nl_used - 1) - no * nl_used) / CPR_SCALE + 0.5)
    ni = np.where(odd, np.maximum(nl_used - 1, 1), np.maximum(nl_used, 1)).astype(np.float64)
    frac = np.where(odd, no, ne) / CPR_SCALE
    lon = (span / ni) * (np.mod(m, ni) + frac)
    lat = np.where(odd, rlat_o, rlat_e)
    lat = np.where(bad, np.nan, lat)
    lon = np.where(bad, np.nan, lon)
    return lat, lon


def airborne_global(
    lat_even: Any, lon_even: Any, lat_odd: Any, lon_odd: Any, latest_is_odd: Any
) -> tuple[F8, F8]:
    """Globally unambiguous airborne position from an even/odd pair (NaN on zone mismatch).

    The result is the position of the latest message of the pair (odd where ``latest_is_odd``).
    """
    lat, lon = _global(lat_even, lon_even, lat_odd, lon_odd, latest_is_odd, AIRBORNE_SPAN_DEG)
    return lat, _wrap_lon(lon)


def surface_global(
    lat_even: Any,
    lon_even: Any,
    lat_odd: Any,
    lon_odd: Any,
    latest_is_odd: Any,
    ref_lat: Any,
    ref_lon: Any,
) -> tuple[F8, F8]:
    """Surface position from an even/odd pair; of the 8 solutions, the one nearest the reference.

    The reference (receiver or last known position) needs only be within 45° of longitude and
    in the right hemisphere.
    """
    rlat, rlon = _f(ref_lat), _f(ref_lon)
    lat, lon = _global(lat_even, lon_even, lat_odd, lon_odd, latest_is_odd, SURFACE_SPAN_DEG, rlat)
    lon = lon + np.floor((rlon - lon + 45.0) / 90.0) * 90.0
    bad = np.isnan(rlat) | np.isnan(rlon)
    lat = np.where(bad, np.nan, lat)
    lon = np.where(bad, np.nan, _wrap_lon(lon))
    return lat, lon


def _local(
    cpr_lat: Any, cpr_lon: Any, odd: Any, ref_lat: Any, ref_lon: Any, span: float
) -> tuple[F8, F8]:
    o = np.asarray(odd, dtype=np.int64)
    yz, xz = _f(cpr_lat) / CPR_SCALE, _f(cpr_lon) / CPR_SCALE
    rlat, rlon = _f(ref_lat), _f(ref_lon)
    dlat = span / (60.0 - o)
    # floor(q) and q - floor(q) from one quotient: np.mod and floor(x/d) can disagree by one
    # zone in floating point when x is a multiple of d.
    q = rlat / dlat
    j = np.floor(q) + np.floor(0.5 + (q - np.floor(q)) - yz)
    lat = dlat * (j + yz)
    ni = np.maximum(nl(lat) - o, 1).astype(np.float64)
    dlon = span / ni
    q = rlon / dlon
    m = np.floor(q) + np.floor(0.5 + (q - np.floor(q)) - xz)
    lon = dlon * (m + xz)
    bad = (np.abs(lat) > 90.0) | np.isnan(rlat) | np.isnan(rlon)
    return np.where(bad, np.nan, lat), np.where(bad, np.nan, _wrap_lon(lon))


#: ``NL_TRANSITIONS_DEG`` as Python floats, for ``local_one``.
_NL_TRANSITIONS = NL_TRANSITIONS_DEG.tolist()


def local_one(
    cpr_lat: float, cpr_lon: float, odd: int, ref_lat: float, ref_lon: float, surface: bool
) -> tuple[float, float]:
    """``airborne_local`` (``surface_local`` where ``surface``) of one message, bit for bit:
    the same IEEE operations in the same order on Python floats (floor, ``bisect`` for NL),
    without numpy's per-call cost (~50 µs on one-row arrays): for a sequential walk."""
    if math.isnan(ref_lat) or math.isnan(ref_lon):
        return math.nan, math.nan
    span = SURFACE_SPAN_DEG if surface else AIRBORNE_SPAN_DEG
    yz, xz = float(cpr_lat) / CPR_SCALE, float(cpr_lon) / CPR_SCALE
    dlat = span / (60.0 - odd)
    q = ref_lat / dlat
    fq = float(math.floor(q))
    lat = dlat * ((fq + float(math.floor(0.5 + (q - fq) - yz))) + yz)
    if abs(lat) > 90.0:
        return math.nan, math.nan
    ni = float(max(59 - bisect.bisect_right(_NL_TRANSITIONS, abs(lat)) - odd, 1))
    dlon = span / ni
    q = ref_lon / dlon
    fq = float(math.floor(q))
    lon = dlon * ((fq + float(math.floor(0.5 + (q - fq) - xz))) + xz)
    return lat, lon - float(math.floor((lon + 180.0) / 360.0)) * 360.0


def airborne_local(
    cpr_lat: Any, cpr_lon: Any, odd: Any, ref_lat: Any, ref_lon: Any
) -> tuple[F8, F8]:
    """Airborne position from one message and a reference within 180 NM (half a zone)."""
    return _local(cpr_lat, cpr_lon, odd, ref_lat, ref_lon, AIRBORNE_SPAN_DEG)


def surface_local(
    cpr_lat: Any, cpr_lon: Any, odd: Any, ref_lat: Any, ref_lon: Any
) -> tuple[F8, F8]:
    """Surface position from one message and a reference within 45 NM (half a zone)."""
    return _local(cpr_lat, cpr_lon, odd, ref_lat, ref_lon, SURFACE_SPAN_DEG)


def _encode(lat: Any, lon: Any, odd: Any, span: float) -> tuple[I8, I8]:
    la, lo = _f(lat), _f(lon)
    o = np.asarray(odd, dtype=np.int64)
    dlat = span / (60.0 - o)
    q = la / dlat
    yz = np.floor(CPR_SCALE * (q - np.floor(q)) + 0.5)
    # NL of the latitude the receiver will decode, not of the exact one.
    rlat = dlat * (yz / CPR_SCALE + np.floor(q))
    dlon = span / np.maximum(nl(rlat) - o, 1)
    q = lo / dlon
    xz = np.floor(CPR_SCALE * (q - np.floor(q)) + 0.5)
    mask = 0x1FFFF
    return yz.astype(np.int64) & mask, xz.astype(np.int64) & mask


def encode_airborne(lat: Any, lon: Any, odd: Any) -> tuple[I8, I8]:
    """17-bit airborne CPR (cpr_lat, cpr_lon) of positions in degrees, even (0) or odd (1)."""
    return _encode(lat, lon, odd, AIRBORNE_SPAN_DEG)


def encode_surface(lat: Any, lon: Any, odd: Any) -> tuple[I8, I8]:
    """17-bit surface CPR (cpr_lat, cpr_lon): 90° zones, about 1.3 m resolution."""
    return _encode(lat, lon, odd, SURFACE_SPAN_DEG)
