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
from typing import NamedTuple

import numpy as np

from ..model import B1, F8, U1, U8, Messages
from .aero import mach_to_cas_kt
from .bits import I8, PAYLOAD_BITS, me
from .codes import callsign_valid, callsigns
from .mbfields import (
    BARO,
    GROUNDSPEED,
    HEADING,
    IAS,
    MACH,
    MACH_STEP,
    ROLL,
    SELECTED_FMS,
    SELECTED_MCP,
    TAS,
    TRACK,
    TRACK_RATE,
    VRATE_BARO,
    VRATE_INERTIAL,
)

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


def _bits(*numbers: int) -> np.uint64:
    """MB bits (numbered from 1) as they lie in a right-aligned 56-bit word."""
    return np.uint64(sum(1 << (PAYLOAD_BITS - b) for b in numbers))


class _Status(NamedTuple):
    """The status bits of a register's fields and, apart, all their value bits."""

    status: np.uint64
    values: np.uint64


def _status(*fields: tuple[int, int]) -> _Status:
    """Fields given as (status bit, last value bit); the value bits follow the status bit."""
    return _Status(
        _bits(*(first for first, _ in fields)),
        _bits(*(b for first, last in fields for b in range(first + 1, last + 1))),
    )


_STATUS_40 = _status((1, 13), (14, 26), (27, 39), (48, 51), (54, 56))
_RESERVED_40 = _bits(*range(40, 48), 52, 53)
_STATUS_50 = _status((1, 11), (12, 23), (24, 34), (35, 45), (46, 56))
_STATUS_60 = _status((1, 12), (13, 23), (24, 34), (35, 45), (46, 56))
#: BDS 1,7: bit 7 (2,0 supported) set, bits 25-56 zero; 0,5 (bit 1) only with 0,8 (bit 4).
_BDS17_SHAPE = _bits(7, *range(25, 57))
_BDS17_SET = _bits(7)
_BDS17_POSITION = _bits(1, 4)
_BDS17_NO_IDENT = _bits(1)


def _wrong_status(word: U8, fields: _Status) -> B1:
    """A field's status bit 0 but its value bits not all zero: this register cannot be the
    one sent."""
    # Adding all ones to a field's value bits carries into the bit above them, its status bit,
    # exactly when the value is not zero; the status bits lie outside ``values``, so no carry
    # goes further and one addition tests every field of the register.
    carried = word & fields.values
    carried += fields.values
    carried &= fields.status
    carried &= ~word
    bad: B1 = carried != 0
    return bad


class _Implausible(NamedTuple):
    """Per field code: whether the value is out of the range a real reply gives."""

    selected_mcp: B1
    selected_fms: B1
    roll: B1
    groundspeed: B1
    tas: B1
    ias: B1
    ias_slow: B1  # too slow to be airborne (checked against the reply's altitude)
    mach: B1
    vrate_baro: B1
    vrate_inertial: B1


@cache
def _implausible() -> _Implausible:
    # NaN (status bit 0) compares false: a field not reported is never out of range.
    tas, ias, mach = TAS.table(), IAS.table(), MACH.table()
    return _Implausible(
        selected_mcp=SELECTED_MCP.table() > _MAX_SELECTED_ALT_FT,
        selected_fms=SELECTED_FMS.table() > _MAX_SELECTED_ALT_FT,
        roll=np.abs(ROLL.table()) > _MAX_ROLL_DEG,
        groundspeed=GROUNDSPEED.table() > _MAX_GS_KT,
        tas=(tas > _MAX_TAS_KT) | (tas < _MIN_TAS_KT),
        ias=(ias > _MAX_IAS_KT) | (ias == 0),
        ias_slow=ias < _MIN_AIRBORNE_IAS_KT,
        mach=(mach > _MAX_MACH) | (mach == 0),
        vrate_baro=np.abs(VRATE_BARO.table()) > _MAX_VRATE_FT_MIN,
        vrate_inertial=np.abs(VRATE_INERTIAL.table()) > _MAX_VRATE_FT_MIN,
    )


def _is_bds10(w: U8) -> B1:
    ovc = me(w, 15, 15)
    subnet = me(w, 17, 23)
    ok: B1 = (me(w, 1, 8) == 0x10) & (me(w, 10, 14) == 0)
    ok &= ~((ovc == 1) & (subnet < 5)) & ~((ovc == 0) & (subnet > 4))
    return ok


def _is_bds17(w: U8) -> B1:
    # Capability report: BDS 2,0 support is mandatory, the trailing 32 bits are zero, and an
    # extended squitter that sends airborne positions (0,5) also sends identification (0,8).
    ok: B1 = ((w & _BDS17_SHAPE) == _BDS17_SET) & ((w & _BDS17_POSITION) != _BDS17_NO_IDENT)
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
    limits = _implausible()
    bad = (
        _wrong_status(w, _STATUS_40)
        | ((w & _RESERVED_40) != 0)
        | limits.selected_mcp[SELECTED_MCP.codes(w)]
        | limits.selected_fms[SELECTED_FMS.codes(w)]
    )
    ok: B1 = ~bad
    return ok


def _is_bds50(w: U8) -> B1:
    limits = _implausible()
    gs, tas = GROUNDSPEED.codes(w), TAS.codes(w)
    bad = (
        _wrong_status(w, _STATUS_50)
        | limits.roll[ROLL.codes(w)]
        | limits.groundspeed[gs]
        | limits.tas[tas]
    )
    bad |= np.abs(TAS.table()[tas] - GROUNDSPEED.table()[gs]) > _MAX_TAS_GS_DIFF_KT
    ok: B1 = ~bad
    return ok


def _is_bds60(w: U8, altitude: F8) -> B1:
    limits = _implausible()
    ias, mach = IAS.codes(w), MACH.codes(w)
    bad = (
        _wrong_status(w, _STATUS_60)
        | limits.ias[ias]
        | limits.mach[mach]
        | limits.vrate_baro[VRATE_BARO.codes(w)]
        | limits.vrate_inertial[VRATE_INERTIAL.codes(w)]
    )
    # Nothing flies at walking pace: a slow IAS only on the ground, not high in the air.
    bad |= limits.ias_slow[ias] & (altitude > _SURELY_AIRBORNE_FT)
    # IAS and Mach describe one flight condition: the Mach gives a CAS at the reply's pressure
    # altitude (DF20), or somewhere in the range aircraft fly when the altitude is unknown.
    # Only rows still in the running pay for the atmosphere maths.
    check = np.flatnonzero(~bad & IAS.known(ias) & MACH.known(mach))
    wc = w[check]
    ias_c, raw_mach, alt_c = me(wc, 14, 23), me(wc, 25, 34), altitude[check]
    known = ~np.isnan(alt_c)
    cas = mach_to_cas_kt((raw_mach * MACH_STEP).astype(np.float64), np.where(known, alt_c, 0.0))
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
    mach = np.arange(1024, dtype=np.float64) * MACH_STEP
    top = np.full(1024, _ALT_RANGE_FT[1])
    bottom = np.full(1024, _ALT_RANGE_FT[0])
    lo = mach_to_cas_kt(mach, top) - _MAX_IAS_CAS_DIFF_KT
    hi = mach_to_cas_kt(mach, bottom) + _MAX_IAS_CAS_DIFF_KT
    return lo, hi


def _turn_inconsistent(w: U8) -> B1:
    """Read as 5,0, the track rate is far from what the roll angle and TAS give."""
    rate, roll, tas = TRACK_RATE.values(w), ROLL.values(w), TAS.values(w)
    known = ~np.isnan(rate) & ~np.isnan(roll) & (tas > 0)
    expected = _TURN_DEG_S_KT * np.tan(np.radians(roll)) / np.maximum(tas, 1)
    off: B1 = known & (np.abs(rate - expected) > _MAX_TURN_RESIDUAL_DEG_S)
    return off


def _vrates_inconsistent(w: U8) -> B1:
    """Read as 6,0, the barometric and inertial vertical rates disagree wildly."""
    split = np.abs(VRATE_BARO.values(w) - VRATE_INERTIAL.values(w))
    off: B1 = split > _MAX_VRATE_SPLIT_FT_MIN  # NaN (a rate not reported) compares false
    return off


#: Register of an MB word by which of 4,0 / 5,0 / 6,0 fit it (1 + 2 + 4), and whether several do.
_REGISTER_OF_FIT = np.array([0, 0x40, 0x50, 0, 0x60, 0, 0, 0], dtype=np.uint8)
_SEVERAL_FIT = np.array([False, False, False, True, False, True, True, True])


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
    both = np.flatnonzero(is50 & is60)
    if both.size:
        off50 = _turn_inconsistent(w[both])
        off60 = _vrates_inconsistent(w[both])
        is60[both[off60 & ~off50]] = False
        is50[both[off50 & ~off60]] = False
    fit = is40.view(np.uint8) | (is50.view(np.uint8) << 1) | (is60.view(np.uint8) << 2)
    bds[free] = _REGISTER_OF_FIT[fit]
    ambiguous[free] = _SEVERAL_FIT[fit]
    return bds, ambiguous


def decode_commb(msg: Messages, rows: I8, word: U8) -> None:
    """Infer the register of ``rows`` (MB words in ``word``) and fill its fields in place.

    Needs the rows' altitude already decoded (DF20 header) for the BDS 6,0 consistency check.
    """
    bds, ambiguous = infer(word, msg.altitude[rows])
    msg.bds[rows] = bds
    msg.bds_ambiguous[rows] = ambiguous
    for code, fn in ((0x20, _bds20), (0x40, _bds40), (0x50, _bds50), (0x60, _bds60)):
        sel = np.flatnonzero(bds == code)
        if sel.size:
            fn(msg, rows[sel], word[sel])


def _bds20(msg: Messages, rows: I8, w: U8) -> None:
    msg.callsign[rows] = callsigns(me(w, 9, 56))


def _bds40(msg: Messages, rows: I8, w: U8) -> None:
    mcp, fms = SELECTED_MCP.values(w), SELECTED_FMS.values(w)
    # The MCP/FCU value is what the crew dialled; FMS only when no MCP value is reported.
    msg.selected_altitude[rows] = np.where(np.isnan(mcp), fms, mcp)
    msg.baro_setting[rows] = BARO.values(w)


def _bds50(msg: Messages, rows: I8, w: U8) -> None:
    msg.roll[rows] = ROLL.values(w)
    msg.track[rows] = TRACK.values(w)
    msg.groundspeed[rows] = GROUNDSPEED.values(w)
    msg.track_rate[rows] = TRACK_RATE.values(w)
    msg.tas[rows] = TAS.values(w)


def _bds60(msg: Messages, rows: I8, w: U8) -> None:
    msg.heading[rows] = HEADING.values(w)
    msg.ias[rows] = IAS.values(w)
    msg.mach[rows] = MACH.values(w)
    # Barometric rate, as ADS-B reports it most often; the inertial one is its fallback.
    vrb, vri = VRATE_BARO.values(w), VRATE_INERTIAL.values(w)
    msg.vertical_rate[rows] = np.where(np.isnan(vrb), vri, vrb)
