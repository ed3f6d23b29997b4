"""Merge identical frames heard by several receivers (or delivered twice) within a short window.

A Mode S frame is a duplicate when the same bytes were kept less than ``window_s`` seconds
earlier; the window runs from the first (kept) copy, so a frame the aircraft really repeats
(DF11 all-call replies) is kept again once the window has passed. Mode A/C replies carry no
address (identical codes from different aircraft are common) and frames without a time are
never merged. The kept copy is the earliest; ``last_copies`` gives, for each frame of the last
output batch, how many copies were merged into it within that batch (1 = heard once). Merged
copies are counted in ``stats.rejected["duplicate"]`` (a tally, not a strict-mode error).

The default window (0.1 s) is far above the microsecond-to-millisecond spread of one reception
seen by several receivers/feeds and below the repetition period of real replies.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

from ..model import FrameBatch, RejectReason
from ..stats import IngestStats

DEFAULT_WINDOW_S = 0.1


def _keys(batch: FrameBatch) -> npt.NDArray[np.uint64]:
    k = np.zeros((len(batch), 16), dtype=np.uint8)
    k[:, :14] = batch.data
    k[:, 14] = batch.length
    return k.view(np.uint64)  # (n, 2): two words per frame, equal iff the frames are equal


class Deduplicator:
    """Vectorised duplicate merging; state (recent first copies) carries across batches."""

    def __init__(self, window_s: float = DEFAULT_WINDOW_S, stats: IngestStats | None = None):
        self.window_s = window_s
        self.stats = stats
        self.last_copies = np.zeros(0, dtype=np.int64)
        self._prev_keys = np.zeros((0, 2), dtype=np.uint64)
        self._prev_t = np.zeros(0, dtype=np.float64)

    def filter(self, batch: FrameBatch) -> FrameBatch:
        n = len(batch)
        eligible = np.flatnonzero(np.isfinite(batch.timestamp) & (batch.length != 2))
        m = self._prev_t.shape[0]
        keys = np.concatenate((self._prev_keys, _keys(batch)[eligible]))
        t = np.concatenate((self._prev_t, batch.timestamp[eligible]))
        order = np.lexsort((t, keys[:, 1], keys[:, 0]))
        ks, ts = keys[order], t[order]
        new_run = np.ones(order.size, dtype=np.bool_)
        new_run[1:] = (ks[1:] != ks[:-1]).any(axis=1)
        run = np.cumsum(new_run) - 1
        first = np.zeros(order.size, dtype=np.bool_)  # a kept first copy (group start)
        dup = np.zeros(order.size, dtype=np.bool_)
        copies = np.ones(order.size, dtype=np.int64)
        todo = np.arange(order.size)
        while todo.size:
            r = run[todo]
            head = np.ones(todo.size, dtype=np.bool_)
            head[1:] = r[1:] != r[:-1]
            start = todo[head][np.cumsum(head) - 1]  # group start of each pending row
            within = ts[todo] - ts[start] <= self.window_s
            first[todo[head]] = True
            merged = todo[within & ~head]
            dup[merged] = True
            np.add.at(copies, start[within & ~head], 1)
            todo = todo[~within]
        # back to batch rows: rows from the previous batches (order < m) are context only
        is_new = order >= m
        dup_rows = eligible[order[dup & is_new] - m]
        keep = np.ones(n, dtype=np.bool_)
        keep[dup_rows] = False
        row_copies = np.ones(n, dtype=np.int64)
        fr = first & is_new
        row_copies[eligible[order[fr] - m]] = copies[fr]
        # group starts still inside the window of the newest time stay as context
        if ts.size:
            horizon = float(ts.max())
            live = first & (ts >= horizon - self.window_s)
            self._prev_keys, self._prev_t = ks[live], ts[live]
        ndup = int(dup_rows.size)
        if ndup and self.stats is not None:
            # DUPLICATE describes the traffic, not bad input: never fatal in strict mode
            self.stats.reject(RejectReason.DUPLICATE, batch.source, count=ndup)
        kept = np.flatnonzero(keep)
        self.last_copies = row_copies[kept]
        return batch.take(kept)
