"""Comm-B (DF20/21) MB-field decoding: register (BDS) inference and field values, vectorised.

A Comm-B reply does not say which register it carries. Registers with an identifier byte
(1,0 / 2,0 / 3,0) or a fixed shape (1,7) are recognised first; the others (4,0 / 5,0 / 6,0) by
status-bit consistency (a field whose status bit is 0 must be all zeros), zero reserved bits
and plausible ranges, as in ICAO Doc 9871 and pyModeS's ``infer``. When more than one of
4,0 / 5,0 / 6,0 fits, the row is marked ``bds_ambiguous`` and no field is filled: a wrong
register would give confidently wrong speeds, and the tracker can do without them.
"""

from __future__ import annotations

from functools import cache

import numpy as np

from ..model import B1, F8, U1, U8, Messages
from .aero import mach_to_cas_kt
from .bits import I8, PAYLOAD_BITS, me
from .codes import callsign_valid, callsigns

# Range limits of the heuristic validators.
_MAX_ROLL_DEG = 35.0
_MAX_GS_KT = 600
_MAX_TAS_KT = 600
_MAX_TAS_GS_DIFF_KT = 200
_MIN_TAS_KT = 80  # below this no aircraft that answers Comm-B flies
_MAX_IAS_CAS_DIFF_KT = 20  # BDS 6,0 IAS vs the CAS its Mach gives at the reply's altitude
_ALT_RANGE_FT = (-1000.0, 51000.0)  # where aircraft fly (highest certified civil ceiling)
_MAX_SELECTED_ALT_FT = 51000
_MIN_AIRBORNE_IAS_KT = 60
_SURELY_AIRBORNE_FT = 15000  # above the highest airports (about 14,500 ft)
# Tie-breakers when both 5,0 and 6,0 fit (measured on the traffic samples: true 5,0 frames stay
# within 0.4 deg/s of the coordinated-turn rate, true 6,0 baro/inertial rates within 900 ft/min
# for 99.9 %; the misread register is far off in most cases).
_MAX_TURN_RESIDUAL_DEG_S = 1.0
_MAX_VRATE_SPLIT_FT_MIN = 2000
_TURN_DEG_S_KT = np.degrees(9.80665 / 0.514444)  # rate = this * tan(roll) / TAS(kt)
_MAX_IAS_KT = 500
_MAX_MACH = 1.0
_MAX_VRATE_FT_MIN = 6000
_ACAS3_RESERVED_LIMIT = 48  # BDS 3,0 ARA bits 16-22 stay below this
_TTI_RESERVED = 3
# Scales (ICAO Doc 9871).
_ALT_FT = 16  # BDS 4,0 selected altitude, ft per step
_BARO_HPA = 0.1
_BARO_BASE_HPA = 800.0
_ANGLE_90 = 90.0 / 512.0  # deg per step, 10-bit track / heading
_ROLL_DEG = 45.0 / 256.0
_TRACK_RATE_DEG_S = 8.0 / 256.0
_SPEED_2KT = 2
_MACH_STEP = 2.048 / 512.0
_VRATE_STEP = 32  # ft/min


def _wrong_status(word: U8, status: int, first: int, last: int) -> B1:
    """Status bit 0 but its value bits not all zero: this register cannot be the one sent."""
    bit = np.uint64(1 << (PAYLOAD_BITS - status))  # the bits as they lie in the word
    values = np.uint64(((1 << (last - first + 1)) - 1) << (PAYLOAD_BITS - last))
    bad: B1 = ((word & bit) == 0) & ((word & values) != 0)
    return bad


def _twos(sign: I8, value: I8, width: int) -> I8:
    """Sign bit + ``width``-bit value field read as a ``width + 1``-bit two's complement."""
    return np.where(sign == 1, value - (1 << width), value)


def _is_bds10(w: U8) -> B1:
    ovc = me(w, 15, 15)
    subnet = me(w, 17, 23)
    ok: B1 = (me(w, 1, 8) == 0x10) & (me(w, 10, 14) == 0)
    ok &= ~((ovc == 1) & (subnet < 5)) & ~((ovc == 0) & (subnet > 4))
    return ok


def _is_bds17(w: U8) -> B1:
    # Capability report: BDS 2,0 support is mandatory, the trailing 32 bits are zero, and an
    # extended squitter that sends airborne positions (0,5) also sends identification (0,8).
    ok: B1 = (me(w, 7, 7) == 1) & (me(w, 25, 56) == 0)
    ok &= ~((me(w, 1, 1) == 1) & (me(w, 4, 4) == 0))
    return ok


def _is_bds20(w: U8) -> B1:
    ok: B1 = (me(w, 1, 8) == 0x20) & callsign_valid(me(w, 9, 56))
    return ok


def _is_bds30(w: U8) -> B1:
    ok: B1 = (
        (me(w, 1, 8) == 0x30)
        & (me(w, 16, 22) < _ACAS3_RESERVED_LIMIT)
        & (me(w, 29, 30) != _TTI_RESERVED)
    )
    return ok


def _is_bds40(w: U8) -> B1:
    bad = (
        _wrong_status(w, 1, 2, 13)
        | _wrong_status(w, 14, 15, 26)
        | _wrong_status(w, 27, 28, 39)
        | _wrong_status(w, 48, 49, 51)
        | _wrong_status(w, 54, 55, 56)
        | (me(w, 40, 47) != 0)
        | (me(w, 52, 53) != 0)
        | ((me(w, 1, 1) == 1) & (me(w, 2, 13) * _ALT_FT > _MAX_SELECTED_ALT_FT))
        | ((me(w, 14, 14) == 1) & (me(w, 15, 26) * _ALT_FT > _MAX_SELECTED_ALT_FT))
    )
    ok: B1 = ~bad
    return ok


def _is_bds50(w: U8) -> B1:
    bad = (
        _wrong_status(w, 1, 2, 11)
        | _wrong_status(w, 12, 13, 23)
        | _wrong_status(w, 24, 25, 34)
        | _wrong_status(w, 35, 36, 45)
        | _wrong_status(w, 46, 47, 56)
    )
    roll = _twos(me(w, 2, 2), me(w, 3, 11), 9) * _ROLL_DEG
    gs = me(w, 25, 34) * _SPEED_2KT
    tas = me(w, 47, 56) * _SPEED_2KT
    has_gs = me(w, 24, 24) == 1
    has_tas = me(w, 46, 46) == 1
    has_roll = me(w, 1, 1) == 1
    bad |= has_roll & (np.abs(roll) > _MAX_ROLL_DEG)
    bad |= has_gs & (gs > _MAX_GS_KT)
    bad |= has_tas & ((tas > _MAX_TAS_KT) | (tas < _MIN_TAS_KT))
    bad |= has_gs & has_tas & (np.abs(tas - gs) > _MAX_TAS_GS_DIFF_KT)
    ok: B1 = ~bad
    return ok


def _is_bds60(w: U8, altitude: F8) -> B1:
    bad = (
        _wrong_status(w, 1, 2, 12)
        | _wrong_status(w, 13, 14, 23)
        | _wrong_status(w, 24, 25, 34)
        | _wrong_status(w, 35, 36, 45)
        | _wrong_status(w, 46, 47, 56)
    )
    has_ias = me(w, 13, 13) == 1
    has_mach = me(w, 24, 24) == 1
    ias = me(w, 14, 23)
    mach = me(w, 25, 34) * _MACH_STEP
    bad |= has_ias & ((ias > _MAX_IAS_KT) | (ias == 0))
    # Nothing flies at walking pace: a slow IAS only on the ground, not high in the air.
    bad |= has_ias & (ias < _MIN_AIRBORNE_IAS_KT) & (altitude > _SURELY_AIRBORNE_FT)
    bad |= has_mach & ((mach > _MAX_MACH) | (mach == 0))
    vrb = _twos(me(w, 36, 36), me(w, 37, 45), 9) * _VRATE_STEP
    vri = _twos(me(w, 47, 47), me(w, 48, 56), 9) * _VRATE_STEP
    bad |= (me(w, 35, 35) == 1) & (np.abs(vrb) > _MAX_VRATE_FT_MIN)
    bad |= (me(w, 46, 46) == 1) & (np.abs(vri) > _MAX_VRATE_FT_MIN)
    # IAS and Mach describe one flight condition: the Mach gives a CAS at the reply's pressure
    # altitude (DF20), or somewhere in the range aircraft fly when the altitude is unknown.
    # Only rows still in the running pay for the atmosphere maths.
    check = np.flatnonzero(~bad & has_ias & has_mach)
    ias_c, raw_mach, alt_c = ias[check], me(w[check], 25, 34), altitude[check]
    known = ~np.isnan(alt_c)
    cas = mach_to_cas_kt((raw_mach * _MACH_STEP).astype(np.float64), np.where(known, alt_c, 0.0))
    lo_table, hi_table = _cas_bounds()
    off = np.where(
        known,
        np.abs(ias_c - cas) > _MAX_IAS_CAS_DIFF_KT,
        (ias_c < lo_table[raw_mach]) | (ias_c > hi_table[raw_mach]),
    )
    bad[check[off]] = True
    ok: B1 = ~bad
    return ok


@cache
def _cas_bounds() -> tuple[F8, F8]:
    """Per 10-bit Mach code: the lowest and highest IAS it allows where aircraft fly."""
    mach = np.arange(1024, dtype=np.float64) * _MACH_STEP
    top = np.full(1024, _ALT_RANGE_FT[1])
    bottom = np.full(1024, _ALT_RANGE_FT[0])
    lo = mach_to_cas_kt(mach, top) - _MAX_IAS_CAS_DIFF_KT
    hi = mach_to_cas_kt(mach, bottom) + _MAX_IAS_CAS_DIFF_KT
    return lo, hi


def _turn_inconsistent(w: U8) -> B1:
    """Read as 5,0, the track rate is far from what the roll angle and TAS give."""
    rate = _twos(me(w, 36, 36), me(w, 37, 45), 9) * _TRACK_RATE_DEG_S
    roll = _twos(me(w, 2, 2), me(w, 3, 11), 9) * _ROLL_DEG
    tas = me(w, 47, 56) * _SPEED_2KT
    known = (me(w, 1, 1) == 1) & (me(w, 35, 35) == 1) & (me(w, 46, 46) == 1) & (tas > 0)
    expected = _TURN_DEG_S_KT * np.tan(np.radians(roll)) / np.maximum(tas, 1)
    off: B1 = known & (np.abs(rate - expected) > _MAX_TURN_RESIDUAL_DEG_S)
    return off


def _vrates_inconsistent(w: U8) -> B1:
    """Read as 6,0, the barometric and inertial vertical rates disagree wildly."""
    vrb = _twos(me(w, 36, 36), me(w, 37, 45), 9) * _VRATE_STEP
    vri = _twos(me(w, 47, 47), me(w, 48, 56), 9) * _VRATE_STEP
    known = (me(w, 35, 35) == 1) & (me(w, 46, 46) == 1)
    off: B1 = known & (np.abs(vrb - vri) > _MAX_VRATE_SPLIT_FT_MIN)
    return off


def infer(word: U8, altitude: F8) -> tuple[U1, B1]:
    """Register of each MB word (0x10, 0x17, 0x20, 0x30, 0x40, 0x50, 0x60; 0 none) and whether
    several of 4,0 / 5,0 / 6,0 fitted (then the register is left 0). ``altitude`` is the reply's
    own altitude (DF20), NaN where unknown."""
    n = word.shape[0]
    bds = np.zeros(n, dtype=np.uint8)
    ambiguous = np.zeros(n, dtype=np.bool_)
    ident = me(word, 1, 8)
    # Identifier registers are exclusive: a valid 1,0 is never a valid 2,0. 1,7 has no
    # identifier byte but a fixed shape, checked on every row (it is cheap).
    for code, test in ((0x10, _is_bds10), (0x20, _is_bds20), (0x30, _is_bds30)):
        idx = np.flatnonzero(ident == code)
        bds[idx[test(word[idx])]] = code
    bds[(bds == 0) & (word != 0) & _is_bds17(word)] = 0x17
    free = np.flatnonzero((bds == 0) & (word != 0))
    w = word[free]
    is40 = _is_bds40(w)
    is50 = _is_bds50(w)
    is60 = _is_bds60(w, altitude[free])
    both = is50 & is60
    if both.any():
        off50 = _turn_inconsistent(w)
        off60 = _vrates_inconsistent(w)
        is60 &= ~(both & off60 & ~off50)
        is50 &= ~(both & off50 & ~off60)
    count = is40.astype(np.int8) + is50.astype(np.int8) + is60.astype(np.int8)
    single = count == 1
    bds[free[single & is40]] = 0x40
    bds[free[single & is50]] = 0x50
    bds[free[single & is60]] = 0x60
    ambiguous[free[count > 1]] = True
    return bds, ambiguous.astype(np.bool_)


def decode_commb(msg: Messages, rows: I8, word: U8) -> None:
    """Infer the register of ``rows`` (MB words in ``word``) and fill its fields in place.

    Needs the rows' altitude already decoded (DF20 header) for the BDS 6,0 consistency check.
    """
    bds, ambiguous = infer(word, msg.altitude[rows])
    msg.bds[rows] = bds
    msg.bds_ambiguous[rows] = ambiguous
    for code, fn in ((0x20, _bds20), (0x40, _bds40), (0x50, _bds50), (0x60, _bds60)):
        sel = bds == code
        if sel.any():
            fn(msg, rows[sel], word[sel])


def _gated(status: I8, value: I8 | np.ndarray) -> np.ndarray:
    return np.where(status == 1, value, np.nan)


def _bds20(msg: Messages, rows: I8, w: U8) -> None:
    msg.callsign[rows] = callsigns(me(w, 9, 56))


def _bds40(msg: Messages, rows: I8, w: U8) -> None:
    mcp = _gated(me(w, 1, 1), me(w, 2, 13) * _ALT_FT)
    fms = _gated(me(w, 14, 14), me(w, 15, 26) * _ALT_FT)
    # The MCP/FCU value is what the crew dialled; FMS only when no MCP value is reported.
    msg.selected_altitude[rows] = np.where(np.isnan(mcp), fms, mcp)
    msg.baro_setting[rows] = _gated(me(w, 27, 27), me(w, 28, 39) * _BARO_HPA + _BARO_BASE_HPA)


def _bds50(msg: Messages, rows: I8, w: U8) -> None:
    msg.roll[rows] = _gated(me(w, 1, 1), _twos(me(w, 2, 2), me(w, 3, 11), 9) * _ROLL_DEG)
    track = _twos(me(w, 13, 13), me(w, 14, 23), 10) * _ANGLE_90 % 360.0
    msg.track[rows] = _gated(me(w, 12, 12), track)
    msg.groundspeed[rows] = _gated(me(w, 24, 24), me(w, 25, 34) * _SPEED_2KT)
    rate = _twos(me(w, 36, 36), me(w, 37, 45), 9) * _TRACK_RATE_DEG_S
    msg.track_rate[rows] = _gated(me(w, 35, 35), rate)
    msg.tas[rows] = _gated(me(w, 46, 46), me(w, 47, 56) * _SPEED_2KT)


def _bds60(msg: Messages, rows: I8, w: U8) -> None:
    heading = _twos(me(w, 2, 2), me(w, 3, 12), 10) * _ANGLE_90 % 360.0
    msg.heading[rows] = _gated(me(w, 1, 1), heading)
    msg.ias[rows] = _gated(me(w, 13, 13), me(w, 14, 23))
    msg.mach[rows] = _gated(me(w, 24, 24), me(w, 25, 34) * _MACH_STEP)
    # Barometric rate, as ADS-B reports it most often; the inertial one is its fallback.
    vrb = _gated(me(w, 35, 35), _twos(me(w, 36, 36), me(w, 37, 45), 9) * _VRATE_STEP)
    vri = _gated(me(w, 46, 46), _twos(me(w, 47, 47), me(w, 48, 56), 9) * _VRATE_STEP)
    msg.vertical_rate[rows] = np.where(np.isnan(vrb), vri, vrb)
