"""What the incremental ``FlightBuilder`` (``incremental``) keeps of an aircraft after a step:
per aircraft the rows from the flight before the one in progress at its newest point less the
builder's ``late_s`` (older flights are final, their rows dropped, points older than what is
kept are late), and of an aircraft with no flight its last ``GROUND_ONLY_KEEP_S`` of rows (a
vehicle or a parked transponder); and the earliest flight a step's new points may change."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import numpy.typing as npt

from .rowarrays import NEVER, first_of, last_le
from .segment import GROUND_SPLIT_GAP_S

if TYPE_CHECKING:
    from .incremental import FlightBuilder

I8 = npt.NDArray[np.int64]

GROUND_ONLY_KEEP_S = GROUND_SPLIT_GAP_S  # 6 h of rows kept for an aircraft with no flight, s


def sorted_live(b: FlightBuilder) -> tuple[I8, I8]:
    """The builder's flights that may still change, by aircraft code then firstSeen (ms)."""
    order = np.lexsort((b._l_first, b._l_code))
    return b._l_code[order], b._l_first[order]


def window_start(b: FlightBuilder, aff: I8, t_min: I8) -> I8:
    """Per aircraft, the earliest firstSeen (ms) that new points from ``t_min`` on may
    change: that of the flight before the one in progress at ``t_min``."""
    lc, lf = sorted_live(b)
    j = last_le(lc, lf, aff, t_min)  # flight in progress
    return first_of(lc, lf, j - 1, aff)


def retain(b: FlightBuilder, aff: I8) -> None:
    """Drop the rows and finalise the flights of ``aff`` that no accepted point can change
    any more."""
    lc, lf = sorted_live(b)
    newest = b._newest[aff]
    j = last_le(lc, lf, aff, newest - b._late_ms)
    keep_from = first_of(lc, lf, j - 1, aff)
    accept_from = np.where(keep_from > NEVER, first_of(lc, lf, j, aff), NEVER)
    flightless = np.bincount(lc, minlength=len(b._code))[aff] == 0
    cap = newest - round(GROUND_ONLY_KEEP_S * 1000)
    keep_from = np.where(flightless, cap, keep_from)
    accept_from = np.where(flightless, cap, accept_from)
    bound = np.full(len(b._code), NEVER, dtype=np.int64)
    bound[aff] = keep_from
    # rows held before the bound (a row dropped before leaves ``_accept`` past NEVER, so the
    # dropped rows need not be looked at): only then a pass over the rows held
    dropped = keep_from > b._oldest[aff]
    # late points need the dropped rows only if something before the window is gone
    gone = dropped | (b._accept[aff] > NEVER)
    b._accept[aff] = np.where(gone, np.maximum(b._accept[aff], accept_from), NEVER)
    drop = b._k_ms < bound[b._k_code] if dropped.any() else None
    b._drop(drop, b._l_first < bound[b._l_code])
