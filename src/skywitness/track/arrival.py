"""The order rows came in, which decides how the tracker takes them, so that how the input is
cut into steps changes nothing (tests/track/test_chunk_invariance.py).

A batch is tracked sorted by (aircraft, time), a fixed number of array passes. Rows that came
in out of time order would be tracked differently in one step (sorted into place) than in two
(the older one after the newer): ``arrival_passes`` cuts such a batch into passes taken in turn,
so that a row is always tracked after every row of its aircraft that came before it; an
aircraft is lost before a row more than ``lost_after_s`` newer than the newest of its rows
come in before it (``lost_before``), whichever step those came in. (A step's end also loses
the aircraft unheard for ``lost_after_s`` before the step's newest time, ``Tracker.expire``:
rows of other aircraft that came in more than that out of time order can still be cut
differently; a states document is tracked in time order, ``IngestStep``.)
"""

from __future__ import annotations

from typing import Any

import numpy as np
import numpy.typing as npt

from ..model import F8
from ..runs import run_heads
from .groups import I8


def arrival_passes(key: npt.NDArray[Any], t: F8, arrival: I8) -> I8 | None:
    """For rows sorted by (aircraft ``key``, time, ``arrival``: each row's place in the input):
    each row's pass, the number of times its aircraft's rows went back in time before it, in
    arrival order (0 for rows that never did); None when none did (one pass)."""
    n = key.shape[0]
    if n < 2 or not ((key[1:] == key[:-1]) & (arrival[1:] < arrival[:-1])).any():
        return None
    o = np.lexsort((arrival, key))  # each aircraft's rows in arrival order
    k, tt = key[o], t[o]
    back = np.zeros(n, dtype=np.int64)
    back[1:] = (k[1:] == k[:-1]) & (tt[1:] < tt[:-1])
    c = np.cumsum(back)
    first = run_heads(k)
    base = c[np.maximum.accumulate(np.where(first, np.arange(n), 0))]
    out = np.empty(n, dtype=np.int64)
    out[o] = c - base
    return out


def lost_before(
    key: npt.NDArray[Any],
    t: F8,
    arrival: I8,
    seen: F8,
    lost_after_s: float,
    one_pass: bool,
) -> npt.NDArray[np.bool_]:
    """For rows sorted by (``key``, time, ``arrival``): whether the row's aircraft was lost just
    before it came in: its time is more than ``lost_after_s`` past the newest of its aircraft's
    rows come in before it (``seen``: each row's aircraft's carried last-seen time, -inf for
    one not known). ``one_pass``: each aircraft's rows came in time order."""
    n = t.shape[0]
    o = None if one_pass else np.lexsort((arrival, key))
    k, tt = (key, t) if o is None else (key[o], t[o])
    first = run_heads(k)
    if o is None:  # in time order: the newest earlier row is the previous one
        own = np.r_[-np.inf, tt[:-1]]
    else:  # the running maximum of each aircraft's times, by rank (exact)
        rank = np.empty(n, dtype=np.int64)
        by_t = np.argsort(tt, kind="stable")
        rank[by_t] = np.arange(n)
        gid = np.cumsum(first) - 1
        top = np.maximum.accumulate(rank + gid * n) - gid * n
        own = np.r_[-np.inf, tt[by_t][top][:-1]]
    own[first] = -np.inf
    if o is not None:
        back = np.empty(n)
        back[o] = own
        own = back
    before = np.maximum(own, seen)
    out: npt.NDArray[np.bool_] = np.isfinite(before) & (t - before > lost_after_s)
    return out
