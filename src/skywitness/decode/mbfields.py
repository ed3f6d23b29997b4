"""Comm-B MB fields of BDS 4,0 / 5,0 / 6,0 by code: each field's value for every code, looked up.

Every field of these registers is a status bit followed by its value bits (ICAO Doc 9871).
Read together, status bit on top, a field is one code of at most 13 bits, so its value for
every code fits a small table: the field's scale applied once, to MB words holding each code,
with NaN where the status bit is 0. Decoding a column of MB words is then a shift, a mask and a
lookup, and ``commb.infer``'s range tests are lookups of tables made from these values.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import cache

import numpy as np

from ..model import B1, F8, U8
from .bits import I8, PAYLOAD_BITS, me

# Scales (ICAO Doc 9871).
_ALT_FT = 16  # BDS 4,0 selected altitude, ft per step
_BARO_HPA = 0.1
_BARO_BASE_HPA = 800.0
_ANGLE_90 = 90.0 / 512.0  # deg per step, 10-bit track / heading
_ROLL_DEG = 45.0 / 256.0
_TRACK_RATE_DEG_S = 8.0 / 256.0
_SPEED_2KT = 2
MACH_STEP = 2.048 / 512.0
_VRATE_STEP = 32  # ft/min


def twos(sign: I8, value: I8, width: int) -> I8:
    """Sign bit + ``width``-bit value field read as a ``width + 1``-bit two's complement."""
    return np.where(sign == 1, value - (1 << width), value)


def _gated(status: I8, value: I8 | np.ndarray) -> F8:
    out: F8 = np.where(status == 1, value, np.nan)
    return out


@dataclass(frozen=True)
class MBField:
    """Bits ``first`` (the status bit) to ``last`` of the MB field, and their value in an MB
    word (``scale``: NaN where the status bit is 0)."""

    first: int
    last: int
    scale: Callable[[U8], F8]

    def codes(self, word: U8) -> I8:
        """The field's code (status bit and value bits) in each MB word."""
        return me(word, self.first, self.last)

    def known(self, codes: I8) -> B1:
        """Whether the status bit of each code is set."""
        out: B1 = codes >= 1 << (self.last - self.first)
        return out

    def table(self) -> F8:
        """The field's value for every code."""
        return _table(self)

    def values(self, word: U8) -> F8:
        """The field's value in each MB word; NaN where its status bit is 0."""
        out: F8 = self.table()[self.codes(word)]
        return out


@cache
def _table(field: MBField) -> F8:
    width = field.last - field.first + 1
    every = np.arange(1 << width, dtype=np.uint64) << np.uint64(PAYLOAD_BITS - field.last)
    return field.scale(every)


SELECTED_MCP = MBField(1, 13, lambda w: _gated(me(w, 1, 1), me(w, 2, 13) * _ALT_FT))
SELECTED_FMS = MBField(14, 26, lambda w: _gated(me(w, 14, 14), me(w, 15, 26) * _ALT_FT))
BARO = MBField(27, 39, lambda w: _gated(me(w, 27, 27), me(w, 28, 39) * _BARO_HPA + _BARO_BASE_HPA))

ROLL = MBField(1, 11, lambda w: _gated(me(w, 1, 1), twos(me(w, 2, 2), me(w, 3, 11), 9) * _ROLL_DEG))
TRACK = MBField(
    12,
    23,
    lambda w: _gated(me(w, 12, 12), twos(me(w, 13, 13), me(w, 14, 23), 10) * _ANGLE_90 % 360.0),
)
GROUNDSPEED = MBField(24, 34, lambda w: _gated(me(w, 24, 24), me(w, 25, 34) * _SPEED_2KT))
TRACK_RATE = MBField(
    35,
    45,
    lambda w: _gated(me(w, 35, 35), twos(me(w, 36, 36), me(w, 37, 45), 9) * _TRACK_RATE_DEG_S),
)
TAS = MBField(46, 56, lambda w: _gated(me(w, 46, 46), me(w, 47, 56) * _SPEED_2KT))

HEADING = MBField(
    1, 12, lambda w: _gated(me(w, 1, 1), twos(me(w, 2, 2), me(w, 3, 12), 10) * _ANGLE_90 % 360.0)
)
IAS = MBField(13, 23, lambda w: _gated(me(w, 13, 13), me(w, 14, 23)))
MACH = MBField(24, 34, lambda w: _gated(me(w, 24, 24), me(w, 25, 34) * MACH_STEP))
VRATE_BARO = MBField(
    35, 45, lambda w: _gated(me(w, 35, 35), twos(me(w, 36, 36), me(w, 37, 45), 9) * _VRATE_STEP)
)
VRATE_INERTIAL = MBField(
    46, 56, lambda w: _gated(me(w, 46, 46), twos(me(w, 47, 47), me(w, 48, 56), 9) * _VRATE_STEP)
)
