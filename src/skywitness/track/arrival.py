"""The order rows came in, which decides how the tracker takes them, so that how the input is
cut into steps changes nothing (tests/track/test_chunk_invariance.py).

A batch is tracked sorted by (aircraft, time), a fixed number of array passes. Rows that came
in out of time order would be tracked differently in one step (sorted into place) than in two
(the older one after the newer): ``arrival_passes`` cuts such a batch into passes taken in turn,
so that a row is always tracked after every row of its aircraft that came before it. An
aircraft is lost when ``lost_after_s`` passed, on the clock of every row come in so far (the
newest time), since its newest row (``lost_before``): the rule a step's end applies
(``Tracker.expire``), applied row by row inside a step too.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import numpy.typing as npt

from ..model import F8
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
    first = np.ones(n, dtype=np.bool_)
    first[1:] = k[1:] != k[:-1]
    base = c[np.maximum.accumulate(np.where(first, np.arange(n), 0))]
    out = np.empty(n, dtype=np.int64)
    out[o] = c - base
    return out


def lost_before(
    key: npt.NDArray[Any],
    t: F8,
    arrival: I8,
    seen: F8,
    clock: float,
    lost_after_s: float,
    in_order: str,
) -> npt.NDArray[np.bool_]:
    """For rows sorted by (``key``, time, ``arrival``): whether the row's aircraft was lost just
    before it came in: the newest time of all rows come in before it (and ``clock``, the
    tracker's before this batch), or its own, is more than ``lost_after_s`` past the newest of
    its aircraft's earlier rows (``seen``: each row's aircraft's carried last-seen time, -inf
    for one not known). ``in_order``: "time" where all rows came in time order, none before
    ``clock`` (the newest time is then the row's own), "aircraft" where each aircraft's did,
    "" otherwise."""
    n = t.shape[0]
    newest = t
    if in_order != "time":
        by_arrival = np.argsort(arrival)
        newest = np.empty(n)
        newest[by_arrival] = np.maximum.accumulate(np.r_[clock, t[by_arrival]])[:-1]
    o = None if in_order else np.lexsort((arrival, key))
    k, tt = (key, t) if o is None else (key[o], t[o])
    first = np.ones(n, dtype=np.bool_)
    first[1:] = k[1:] != k[:-1]
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
    out: npt.NDArray[np.bool_] = np.isfinite(before) & (
        np.maximum(t, newest) - before > lost_after_s
    )
    return out
