"""ISA atmosphere helpers for plausibility checks: calibrated airspeed from Mach and pressure
altitude, vectorised.

CAS depends only on Mach and static pressure, and a Mode S altitude *is* a pressure altitude
(ISA), so no temperature is needed: a BDS 6,0 IAS/Mach pair can be checked against the altitude
of the same reply.
"""

from __future__ import annotations

import numpy as np

from ..model import F8

FT_M = 0.3048  # m per ft
KT_MS = 0.514444  # m/s per kt
_P0_PA = 101325.0
_T0_K = 288.15
_LAPSE_K_M = 0.0065
_TROPOPAUSE_M = 11000.0
_T_TROPOPAUSE_K = 216.65
_G = 9.80665
_R = 287.05287
_GAMMA = 1.4
_A0_MS = 340.294  # speed of sound at sea level, ISA


def pressure_pa(altitude_ft: F8) -> F8:
    """ISA static pressure at a pressure altitude, Pa (troposphere and lower stratosphere)."""
    h = altitude_ft * FT_M
    trop = _P0_PA * ((_T0_K - _LAPSE_K_M * np.minimum(h, _TROPOPAUSE_M)) / _T0_K) ** (
        _G / (_R * _LAPSE_K_M)
    )
    above = np.exp(-_G / (_R * _T_TROPOPAUSE_K) * np.maximum(h - _TROPOPAUSE_M, 0.0))
    out: F8 = trop * above
    return out


def mach_to_cas_kt(mach: F8, altitude_ft: F8) -> F8:
    """Calibrated airspeed (kt) of a Mach number at a pressure altitude (subsonic formula)."""
    p = pressure_pa(altitude_ft)
    qc = p * ((1.0 + 0.2 * mach**2) ** 3.5 - 1.0)
    cas = _A0_MS * np.sqrt(5.0 * ((qc / _P0_PA + 1.0) ** (2.0 / 7.0) - 1.0))
    out: F8 = cas / KT_MS
    return out
