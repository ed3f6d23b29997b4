"""The aircraft codes of the incremental ``FlightBuilder`` (``incremental``) forgotten with their
aircraft: its code dict (icao24 -> code) and the per-code arrays would otherwise grow by one
entry per address ever seen, for as long as a service runs (#17 item 12).

A code is free once its aircraft holds nothing (no row, no flight in progress, no cut flight's
summary, no recall summary) and its last point is ``FORGET_CODE_S`` of data time behind the
newest point of any aircraft (it was forgotten ``FINAL_SILENCE_S`` after its last point; the
mark that makes its older points late is kept as long again). When at least
``FORGET_MIN_CODES`` codes and half of all are free, the kept rows are compacted and the codes
renumbered, in their order (a build's aircraft order is the order of first appearance in its
window, ``point_order.window_codes``, never the codes' values, so the flights are the same): a
cost of the codes and rows held, once per as many aircraft forgotten. A point of a freed aircraft
then comes as a new aircraft's: one more than ``FORGET_CODE_S`` older than the newest point is
no longer counted late but built, and its flight is final at once (``FINAL_SILENCE_S``).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import numpy.typing as npt

from .rowarrays import NEVER
from .segment import GROUND_SPLIT_GAP_S

if TYPE_CHECKING:
    from .incremental import FlightBuilder

I8 = npt.NDArray[np.int64]
B1 = npt.NDArray[np.bool_]

#: An aircraft's code is freed this long (data time) after its last point, s: twice
#: ``incremental.FINAL_SILENCE_S`` (6 h), after which it is forgotten.
FORGET_CODE_S = 2 * GROUND_SPLIT_GAP_S
#: Free codes at least before the codes are renumbered (and at least half of all).
FORGET_MIN_CODES = 4096


def _silent(b: FlightBuilder) -> B1:
    """Per code: whether its aircraft was forgotten and last heard ``FORGET_CODE_S`` before
    the newest point (``newest`` NEVER, ``accept`` one past its last)."""
    silent: B1 = (b._newest == NEVER) & (b._accept < b._now - round(FORGET_CODE_S * 1000))
    return silent


def free_codes(b: FlightBuilder) -> B1:
    """Per code: whether its aircraft holds nothing and was last heard ``FORGET_CODE_S``
    before the newest point (``_silent``)."""
    free = _silent(b)
    free[b._k_code[b._k_alive]] = False
    free[b._l_code] = False
    if b._settled is not None and len(b._settled):
        free[np.fromiter(b._settled.by_code, dtype=np.int64)] = False
    if b._bridges is not None:
        free &= ~b._bridges.has(np.arange(free.shape[0], dtype=np.int64))
    return free


def forget_codes(b: FlightBuilder) -> int:
    """Free the codes of aircraft forgotten long enough (``free_codes``) once at least
    ``FORGET_MIN_CODES`` and half of all are free: rows held compacted, codes renumbered in
    order; the codes freed."""
    n = len(b._code)
    if n == 0 or b._now == NEVER:
        return 0
    # the silent codes bound the free ones: below the bar, no pass over the rows held (a
    # step's every call, ~20 million rows at 100,000 frames/s)
    silent = int(np.count_nonzero(_silent(b)))
    if silent < FORGET_MIN_CODES or 2 * silent < n:
        return 0
    free = free_codes(b)
    count = int(free.sum())
    if count == 0 or count < FORGET_MIN_CODES or 2 * count < n:
        return 0
    b._compact(force=True)  # no row of a freed code left (dead rows keep their codes)
    keep = np.flatnonzero(~free)
    new = np.full(n, -1, dtype=np.int64)
    new[keep] = np.arange(keep.shape[0], dtype=np.int64)
    b._names = b._names[keep]
    b._code = {str(a): i for i, a in enumerate(b._names.tolist())}
    b._newest, b._accept = b._newest[keep], b._accept[keep]
    b._kept, b._quiet_tried = b._kept[keep], b._quiet_tried[keep]
    b._held, b._oldest = b._held[keep], b._oldest[keep]
    b._k_code, b._l_code = new[b._k_code], new[b._l_code]
    if b._settled is not None:
        b._settled.by_code = {int(new[c]): s for c, s in b._settled.by_code.items()}
    if b._bridges is not None:
        b._bridges.renumber(keep)
    if b._parking is not None:
        b._parking.renumber(keep)
    b.codes_freed += count
    return count
