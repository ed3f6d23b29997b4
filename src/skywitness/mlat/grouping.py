"""One transmission, many receptions: group identical frames heard by several receivers.

Copies of one transmission carry the same bytes and arrive within milliseconds (300 km is 1 ms
of flight), so frames are grouped by their bytes and split wherever two copies in time order
are further apart than the row's window: ``window_s`` for most frames (on the network timebase,
where receptions of one transmission are within a few ms), ``unique_window_s`` for ADS-B
position frames, whose bytes change with every transmission (CPR position, parity), so that
receivers not yet in sync (whose wall-clock times may be off by a second) still meet. A
receiver appearing twice in a group keeps its first copy (a duplicate, counted). Pure numpy.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from ..model import F8, U1

I8 = npt.NDArray[np.int64]
#: Spread of one transmission's receptions on the network timebase, s (600 km of path).
GROUP_WINDOW_S = 0.002
#: Spread allowed for unique (ADS-B position) frames, s: the receivers' wall-clock anchoring.
UNIQUE_WINDOW_S = 1.5
_MIX = np.uint64(0x9E3779B97F4A7C15)


@dataclass(slots=True)
class Groups:
    """Rows of a frame window arranged by transmission."""

    order: I8  # row indices sorted by group (members of a group are contiguous, time order)
    group: I8  # group number of each entry of ``order``
    start: I8  # first entry (into ``order``) of each group
    size: I8  # members per group
    duplicates: int  # copies dropped (a receiver twice in a group)

    def __len__(self) -> int:
        return int(self.start.shape[0])

    @property
    def first(self) -> I8:
        """The earliest row of each group (its representative)."""
        out: I8 = self.order[self.start]
        return out


def frame_keys(data: U1, length: U1) -> npt.NDArray[np.uint64]:
    """Two 64-bit words per frame, equal iff the frames are equal."""
    k = np.zeros((data.shape[0], 16), dtype=np.uint8)
    k[:, :14] = data
    k[:, 14] = length
    return np.ascontiguousarray(k).view(np.uint64)


def group(
    data: U1,
    length: U1,
    t: F8,
    rx: I8,
    unique: npt.NDArray[np.bool_],
    *,
    window_s: float = GROUP_WINDOW_S,
    unique_window_s: float = UNIQUE_WINDOW_S,
) -> Groups:
    """Group rows by bytes and time; ``unique`` marks rows that get the wide window."""
    n = t.shape[0]
    keys = frame_keys(data, length)
    order = np.lexsort((t, keys[:, 1], keys[:, 0]))
    ks, ts = keys[order], t[order]
    new = np.ones(n, dtype=np.bool_)
    if n > 1:
        same = (ks[1:, 0] == ks[:-1, 0]) & (ks[1:, 1] == ks[:-1, 1])
        win = np.where(unique[order][1:], unique_window_s, window_s)
        new[1:] = ~same | (ts[1:] - ts[:-1] > win)
    g = np.cumsum(new) - 1
    # a receiver twice in one group: keep its first copy
    r = rx[order]
    by = np.lexsort((np.arange(n), r, g))
    dup_sorted = np.zeros(n, dtype=np.bool_)
    dup_sorted[1:] = (g[by][1:] == g[by][:-1]) & (r[by][1:] == r[by][:-1])
    dup = np.zeros(n, dtype=np.bool_)
    dup[by] = dup_sorted
    order, g = order[~dup], g[~dup]
    _, start, size = np.unique(g, return_index=True, return_counts=True)
    gnum = np.repeat(np.arange(start.shape[0]), size)
    return Groups(order, gnum, start.astype(np.int64), size.astype(np.int64), int(dup.sum()))


def pairs_within(groups: Groups, member: npt.NDArray[np.bool_]) -> tuple[I8, I8]:
    """Every pair of entries (indices into ``groups.order``) of one group, both ``member``."""
    idx = np.flatnonzero(member)
    g = groups.group[idx]
    firsts: list[I8] = []
    seconds: list[I8] = []
    for d in range(1, int(groups.size.max(initial=1))):
        if d >= idx.shape[0]:
            break
        ok = g[d:] == g[:-d]
        firsts.append(idx[:-d][ok])
        seconds.append(idx[d:][ok])
    if not firsts:
        empty = np.zeros(0, dtype=np.int64)
        return empty, empty
    return np.concatenate(firsts), np.concatenate(seconds)
