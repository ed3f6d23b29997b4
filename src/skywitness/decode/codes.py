"""The Mode S code tables, vectorised: altitude codes (AC13, AC12, Gillham), identity (squawk)
codes and the 6-bit callsign character set.

All functions take int64 columns of raw field values and return whole columns; invalid codes
become NaN (altitudes), -1 (squawks) or ``#`` characters (callsigns), never exceptions. The
13-bit altitude and identity codes are decoded once, for every code, into tables that the
column functions look up.
"""

from __future__ import annotations

from functools import cache

import numpy as np
import numpy.typing as npt

from ..model import B1, F8, Str
from .bits import I8

#: ICAO 6-bit character set for aircraft identification; ``#`` marks invalid codes.
CHARSET = "#ABCDEFGHIJKLMNOPQRSTUVWXYZ##### ###############0123456789######"
CALLSIGN_CHARS = 8
_SPACE = 32
#: Q-bit altitude: ft per step and offset, ft.
_Q_STEP_FT = 25
_Q_OFFSET_FT = 1000


def _bit(code: I8, pos: int, width: int) -> I8:
    """Bit ``pos`` (0 = most significant) of a ``width``-bit code column."""
    return (code >> (width - 1 - pos)) & 1


def _gray_to_binary(g: I8) -> I8:
    n = g.copy()
    for s in (8, 4, 2, 1):
        n ^= n >> s
    return n


def gillham(ac13: I8) -> F8:
    """Gillham (Q=0, 100 ft) altitude of AC13 codes, ft; NaN where the code is illegal.

    AC13 bit order: C1 A1 C2 A2 C4 A4 M B1 Q B2 D2 B4 D4. The 500 ft ring is the Gray code
    D2 D4 A1 A2 A4 B1 B2 B4, the 100 ft ring the Gray code C1 C2 C4 (1..5 valid, 7 means 5).
    """

    def b(pos: int) -> I8:
        return _bit(ac13, pos, 13)

    gc500 = (
        (b(10) << 7)
        | (b(12) << 6)
        | (b(1) << 5)
        | (b(3) << 4)
        | (b(5) << 3)
        | (b(7) << 2)
        | (b(9) << 1)
        | b(11)
    )
    gc100 = (b(0) << 2) | (b(2) << 1) | b(4)
    n500 = _gray_to_binary(gc500)
    n100 = _gray_to_binary(gc100)
    bad = (n100 == 0) | (n100 == 5) | (n100 == 6)
    n100 = np.where(n100 == 7, 5, n100)
    # The 100 ft ring runs backwards in odd 500 ft bands.
    n100 = np.where(n500 % 2 == 1, 6 - n100, n100)
    alt = (n500 * 500 + n100 * 100 - 1300).astype(np.float64)
    alt[bad] = np.nan
    return alt


def altitude_ac13(ac13: I8) -> F8:
    """Altitude of 13-bit AC fields (DF0/4/16/20), ft; NaN for 0, metric (M=1) or illegal."""
    out: F8 = _ac13_table()[ac13]
    return out


@cache
def _ac13_table() -> F8:
    """``_altitude_ac13`` of every code: a field's altitude is then one lookup."""
    return _altitude_ac13(np.arange(1 << 13, dtype=np.int64))


def _altitude_ac13(ac13: I8) -> F8:
    m = _bit(ac13, 6, 13)
    q = _bit(ac13, 8, 13)
    n25 = ((ac13 >> 2) & 0x7E0) | ((ac13 >> 1) & 0x10) | (ac13 & 0xF)
    alt = np.where(q == 1, (n25 * _Q_STEP_FT - _Q_OFFSET_FT).astype(np.float64), np.nan)
    gray = (q == 0) & (m == 0) & (ac13 != 0)
    if gray.any():
        alt[gray] = gillham(ac13[gray])
    # Metric altitudes (M=1) are not decoded: no receiver in the field reports them reliably.
    alt[(m == 1) | (ac13 == 0)] = np.nan
    return alt


def ac12_to_ac13(ac12: I8) -> I8:
    """ADS-B 12-bit altitude field to the 13-bit AC layout (insert M=0 after A4)."""
    return ((ac12 & 0xFC0) << 1) | (ac12 & 0x3F)


def altitude_ac12(ac12: I8) -> F8:
    """Altitude of 12-bit ADS-B altitude fields (TC 9-18), ft; NaN when unavailable."""
    return altitude_ac13(ac12_to_ac13(ac12))


def squawk_id13(id13: I8) -> npt.NDArray[np.int16]:
    """13-bit identity fields (C1 A1 C2 A2 C4 A4 X B1 D1 B2 D2 B4 D4) as squawk digits (7700)."""
    out: npt.NDArray[np.int16] = _id13_table()[id13]
    return out


@cache
def _id13_table() -> npt.NDArray[np.int16]:
    """``_squawk_id13`` of every code."""
    return _squawk_id13(np.arange(1 << 13, dtype=np.int64))


def _squawk_id13(id13: I8) -> npt.NDArray[np.int16]:
    def b(pos: int) -> I8:
        return _bit(id13, pos, 13)

    a = (b(5) << 2) | (b(3) << 1) | b(1)
    bb = (b(11) << 2) | (b(9) << 1) | b(7)
    c = (b(4) << 2) | (b(2) << 1) | b(0)
    d = (b(12) << 2) | (b(10) << 1) | b(8)
    out: npt.NDArray[np.int16] = (a * 1000 + bb * 100 + c * 10 + d).astype(np.int16)
    return out


def squawk_modea(code: I8) -> npt.NDArray[np.int16]:
    """Mode A codes in Beast/readsb nibble form (0xABCD, one octal digit per nibble)."""
    digits = ((code >> 12) & 7) * 1000 + ((code >> 8) & 7) * 100 + ((code >> 4) & 7) * 10
    out: npt.NDArray[np.int16] = (digits + (code & 7)).astype(np.int16)
    return out


@cache
def _charset_codepoints() -> npt.NDArray[np.uint32]:
    return np.array([ord(c) for c in CHARSET], dtype=np.uint32)


@cache
def _valid_chars() -> B1:
    return np.array([c != "#" for c in CHARSET], dtype=np.bool_)


def char_indices(bits48: I8) -> I8:
    """``(n, 8)`` 6-bit character indices of 48-bit identification fields."""
    shifts = np.arange(CALLSIGN_CHARS - 1, -1, -1, dtype=np.int64) * 6
    return (bits48[:, None] >> shifts[None, :]) & 0x3F


def callsign_valid(bits48: I8) -> B1:
    """True where every character of the identification field is in the character set."""
    ok: B1 = np.asarray(_valid_chars()[char_indices(bits48)].all(axis=1), dtype=np.bool_)
    return ok


def callsigns(bits48: I8) -> Str:
    """Identification fields as strings, trailing spaces removed (``#`` for invalid codes)."""
    idx = char_indices(bits48)
    cps = _charset_codepoints()[idx]
    # Trailing spaces become NUL, which numpy's fixed-width strings drop.
    space = idx == _SPACE
    trailing = np.logical_and.accumulate(space[:, ::-1], axis=1)[:, ::-1]
    cps[trailing] = 0
    out: Str = np.ascontiguousarray(cps).view(f"<U{CALLSIGN_CHARS}").reshape(-1)
    return out


#: Emitter category sets by identification type code: TC 4 is set A ... TC 1 set D.
_CATEGORY_SETS = {4: "A", 3: "B", 2: "C", 1: "D"}


def emitter_category(code: int) -> str | None:
    """The ``category`` code of ``Messages`` (type code * 8 + CA) as readsb and tar1090 write
    it ("A5": set A, heavy); None for a negative (unknown) code."""
    if code < 0:
        return None
    tc, ca = (code & 0xFF) >> 3, code & 7
    return f"{_CATEGORY_SETS.get(tc, '?')}{ca}"


_SET_TYPE_CODES = {v: k for k, v in _CATEGORY_SETS.items()}


def category_code(text: object) -> int:
    """The ``category`` code (type code * 8 + CA) of a category as readsb and tar1090 write it
    (``"A3"``, ``"b1"``); -1 for anything else (absent, not text, another set or digit)."""
    if not isinstance(text, str) or len(text) != 2:
        return -1
    tc = _SET_TYPE_CODES.get(text[0].upper())
    if tc is None or not "0" <= text[1] <= "7":
        return -1
    return tc * 8 + int(text[1])


def informative_category(code: int) -> bool:
    """Whether a ``category`` code says something: sets A to C (type codes 4 to 2) with a
    category other than 0 ("no information"); set D (type code 1) is reserved."""
    return code >= 0 and 2 <= (code & 0xFF) >> 3 <= 4 and code & 7 != 0
