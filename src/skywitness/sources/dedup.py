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

A copy may come in behind newer frames (a feed resending a block a quarter of a second later,
as the beastblackbox capture does; a slower receiver): the first copies of the last
``late_s`` + window before the newest time read so far are kept as context, so such a copy is
merged whichever step it comes in. A frame more than ``late_s`` behind the newest time read
before it is never merged (nor kept as context): how the input is cut into steps changes
nothing either way. Inside a step the earliest copy is kept; copies of one frame that come in
out of time order more than a step apart can still both be kept.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from ..model import LONG_FRAME_BYTES, MODEAC_FRAME_BYTES, FrameBatch, RejectReason
from ..model.frames import FRAME_ITEM, frame_items
from ..runs import run_heads, run_starts, run_stops
from ..stats import IngestStats

DEFAULT_WINDOW_S = 0.1
#: How far behind the newest time read a copy may come in and still be merged, s.
DEFAULT_LATE_S = 1.0


#: Odd 64-bit multiplier (golden ratio) mixing the second key word into the first.
_MIX = np.uint64(0x9E3779B97F4A7C15)


def _keys(
    head: npt.NDArray[np.uint64], batch: FrameBatch, rows: npt.NDArray[np.intp]
) -> npt.NDArray[np.uint64]:
    """Two words per frame, equal iff the frames are equal: the context's ``head`` (kept from
    earlier batches) then those of ``batch``'s ``rows``, written into one array (no second
    copy joining them)."""
    m = head.shape[0]
    out = np.empty((m + rows.size, 2), dtype=np.uint64)
    out[:m] = head
    k = out[m:].view(np.uint8)  # (n, 16): the frame's 14 bytes, its length, a zero
    k[:, LONG_FRAME_BYTES + 1] = 0
    # gathered straight into the key rows (``clip``: the rows are valid, and numpy buffers
    # a ``raise`` take's output), as one item per row where the data allows it
    items = frame_items(batch.data)
    if items is None:
        np.take(batch.data, rows, axis=0, out=k[:, :LONG_FRAME_BYTES], mode="clip")
    else:
        np.take(items, rows, out=k[:, :LONG_FRAME_BYTES].view(FRAME_ITEM)[:, 0], mode="clip")
    np.take(batch.length, rows, out=k[:, LONG_FRAME_BYTES], mode="clip")
    return out


def _sort_runs(
    keys: npt.NDArray[np.uint64], t: npt.NDArray[np.float64]
) -> tuple[npt.NDArray[np.intp], npt.NDArray[np.bool_]]:
    """Order grouping equal frames into runs, each in time order (ties: input order), and the
    run starts. Sorting on one mixed 64-bit word is half the work of three keys; a mixing
    collision (two different frames on one word) is caught and sorted again on full keys.
    For one second word the mixed word is one-to-one in the first, so two frames of one mixed
    word differ iff their second words do: the check gathers that column only (a gather of
    the two-word rows cost ~1.8 ms of 72k, a third of the step's dedup)."""
    h = keys[:, 0] ^ (keys[:, 1] * _MIX)
    order, hs = _by_word_then_time(h, t)
    new_run = run_heads(hs)
    second = keys[:, 1][order]
    if ((second[1:] != second[:-1]) & ~new_run[1:]).any():
        order = np.lexsort((t, keys[:, 1], keys[:, 0]))
        ks = keys[order]
        new_run = run_heads(ks[:, 0]) | run_heads(ks[:, 1])
    return order, new_run


def _by_word_then_time(
    h: npt.NDArray[np.uint64], t: npt.NDArray[np.float64]
) -> tuple[npt.NDArray[np.intp], npt.NDArray[np.uint64]]:
    """``np.lexsort((t, h))`` (and ``h`` in that order) by one sort of values, not two of
    indices: each row's rank in
    time order (ties: input order; the rows come nearly in time order, which a stable sort
    takes fast) packed under the high bits of its word, and those sorted. Where two different
    words share their high bits (~1e-5 a step) the packed order could interleave their runs:
    then the lexsort itself. (The rank fits the low bits: its view as ``int64`` is its value.)"""
    n = h.size
    bits = max(n - 1, 1).bit_length()
    mask = np.uint64((1 << bits) - 1)
    by_t = np.argsort(t, kind="stable")
    rank = np.empty(n, dtype=np.uint64)
    rank[by_t] = np.arange(n, dtype=np.uint64)
    packed = (h & ~mask) | rank
    packed.sort()  # distinct values: any sort gives the one order
    order: npt.NDArray[np.intp] = by_t[(packed & mask).view(np.int64)]
    hs = h[order]
    high = packed & ~mask
    if ((high[1:] == high[:-1]) & (hs[1:] != hs[:-1])).any():
        order = np.lexsort((t, h))
        return order, h[order]
    return order, hs


def _window_heads(
    ts: npt.NDArray[np.float64], new_run: npt.NDArray[np.bool_], window_s: float
) -> npt.NDArray[np.bool_]:
    """Kept first copies: each run's first row, then the first row more than ``window_s``
    after the previous kept one, and so on (rows sorted by run, then time).

    A row more than ``window_s`` after the row before it in its run is kept whatever came
    before it (the last kept copy is no later than that row), so the chain is followed only
    inside clusters (rows each within the window of the one before) that span more than the
    window: few, where most frames recur seconds apart."""
    n = ts.size
    if n == 0:
        return new_run.copy()
    gap = np.empty(n, dtype=np.bool_)
    gap[0] = True
    np.greater(ts[1:] - ts[:-1], window_s, out=gap[1:])
    return _chain_heads(ts, new_run | gap, window_s)


def _chain_heads(
    ts: npt.NDArray[np.float64], new_run: npt.NDArray[np.bool_], window_s: float
) -> npt.NDArray[np.bool_]:
    """``_window_heads`` by following the chain of kept copies in every run that spans more
    than the window."""
    n = ts.size
    first = new_run.copy()
    if n == 0:
        return first
    starts = np.flatnonzero(new_run)
    ends = run_stops(starts, n)  # one past each run's last row
    # Only runs spanning more than the window hold more than one kept copy.
    long_runs = ts[ends - 1] - ts[starts] > window_s
    if not long_runs.any():
        return first
    # Rows of long runs (each run's rows contiguous), listed run by run without a pass over
    # all n rows: for each, the first later row of its run beyond its window, by one search
    # of times moved apart by run (each run's times less its first, plus its number times more
    # than any run spans: one float key, half the cost of complex (run, time) keys).
    lr = np.flatnonzero(long_runs)
    a, z = starts[lr], ends[lr]
    size = z - a
    rows_end = np.cumsum(size)
    rows = np.arange(rows_end[-1]) + np.repeat(a - (rows_end - size), size)
    end = np.repeat(z, size)
    t0 = ts[a]
    span = float((ts[z - 1] - t0).max()) + window_s + 1.0
    key = ts[rows] + np.repeat(np.arange(lr.size) * span - t0, size)
    at = np.searchsorted(key, key + window_s, side="right")
    # rows of one run are contiguous, so a position in ``rows`` maps back inside the run
    nxt = np.maximum(np.minimum(np.append(rows, n)[at], end), rows + 1)  # always moves on
    # The search used moved times (rounded); the rule is t' - t > window: fix the last-ulp
    # differences.
    while True:
        back = (nxt - 1 > rows) & (ts[np.minimum(nxt - 1, n - 1)] - ts[rows] > window_s)
        fwd = (nxt < end) & (ts[np.minimum(nxt, n - 1)] - ts[rows] <= window_s)
        if not (back.any() or fwd.any()):
            break
        nxt = nxt - back + fwd
    nxt_of = np.full(n, n, dtype=np.int64)
    nxt_of[rows] = nxt
    # Follow the chain from each long run's start; only the live heads move each step.
    cur, stop = a, z
    while cur.size:
        cur = nxt_of[cur]
        more = cur < stop
        cur, stop = cur[more], stop[more]
        first[cur] = True
    return first


class Deduplicator:
    """Vectorised duplicate merging; state (recent first copies) carries across batches."""

    def __init__(
        self,
        window_s: float = DEFAULT_WINDOW_S,
        stats: IngestStats | None = None,
        late_s: float = DEFAULT_LATE_S,
    ):
        self.window_s = window_s
        self.late_s = late_s
        self._newest = -np.inf  # the newest time read so far
        self.stats = stats
        self._copies: _Copies | None = None
        #: for frames of the last output batch heard by several receivers: output row → the
        #: receiver ids that heard it (first copy's receiver first); frames heard once are absent
        self.last_receivers: dict[int, tuple[int, ...]] = {}
        #: the rows of the last input batch that were kept (the output batch's rows)
        self.last_kept = np.zeros(0, dtype=np.intp)
        #: Mode A/C replies the last ``filter(modeac=False)`` left out
        self.last_modeac = 0
        self._prev_keys = np.zeros((0, 2), dtype=np.uint64)
        self._prev_t = np.zeros(0, dtype=np.float64)

    @property
    def last_copies(self) -> npt.NDArray[np.int64]:
        """For each frame of the last output batch, how many copies were merged into it
        within that batch (1 = heard once); worked out when asked (``serve`` never does)."""
        if self._copies is None:
            return np.zeros(0, dtype=np.int64)
        return self._copies.of_kept()

    def filter(
        self, batch: FrameBatch, order: npt.NDArray[np.intp] | None = None, *, modeac: bool = True
    ) -> FrameBatch:
        """The frames of ``batch`` that are not copies; ``order``: the batch's rows are to be
        taken in this order (``gather.merge_unordered``; the output, ``last_kept`` and
        ``last_receivers`` are then of the rows so ordered, the one copy made the output's);
        ``modeac=False``: the Mode A/C replies (never merged) are left out of the output too,
        their number in ``last_modeac``."""
        n = len(batch)
        t_in = batch.timestamp if order is None else batch.timestamp[order]
        length = batch.length if order is None else batch.length[order]
        timed = np.isfinite(t_in)
        # the newest time read before each frame: a frame further behind it is never merged
        before = _newest_before(t_in, timed, self._newest)
        if n:
            self._newest = max(float(before[-1]), float(t_in[-1]) if timed[-1] else -np.inf)
        frame = length != MODEAC_FRAME_BYTES  # Mode A/C replies are never merged
        merged = frame & (t_in >= before - self.late_s)
        eligible = np.flatnonzero(merged if timed.all() else merged & timed)
        src = eligible if order is None else order[eligible]  # the same rows, of ``batch``
        m = self._prev_t.shape[0]
        keys = _keys(self._prev_keys, batch, src)
        t = np.empty(m + eligible.shape[0], dtype=np.float64)
        t[:m] = self._prev_t
        np.take(t_in, eligible, out=t[m:], mode="clip")
        by_run, new_run = _sort_runs(keys, t)
        ts = t[by_run]
        first = _window_heads(ts, new_run, self.window_s)
        dup = ~first
        # back to batch rows: rows from the previous batches (by_run < m) are context only
        is_new = by_run >= m
        dup_rows = eligible[by_run[dup & is_new] - m]
        keep = np.ones(n, dtype=np.bool_)
        keep[dup_rows] = False
        # first copies a frame not yet too late could still be a copy of stay as context
        if ts.size:
            live = first & (ts >= self._newest - self.late_s - self.window_s)
            # (``np.take`` of rows: numpy's 2-D fancy index is ~7x slower for two words a row)
            self._prev_keys, self._prev_t = np.take(keys, by_run[live], axis=0), ts[live]
        ndup = int(dup_rows.size)
        if ndup and self.stats is not None:
            # DUPLICATE describes the traffic, not bad input: never fatal in strict mode
            self.stats.reject(RejectReason.DUPLICATE, batch.source, count=ndup)
        self.last_modeac = 0
        if not modeac:
            self.last_modeac = n - int(np.count_nonzero(frame))
            keep &= frame
        kept = np.flatnonzero(keep)
        self.last_kept = kept
        self._copies = _Copies(first, by_run, is_new, m, eligible, n, kept)
        self.last_receivers = {}
        # (one test of the whole column first: most feeds name no receiver, and then the
        # gather of the eligible rows' ids is not needed)
        if ndup and batch.receiver.any() and batch.receiver[src].any():
            rx = batch.receiver if order is None else batch.receiver[order]
            self.last_receivers = _receivers(rx, eligible, by_run, first, is_new, m, kept)
        return batch.take(kept if order is None else order[kept])


def _newest_before(t: npt.NDArray[np.float64], timed: npt.NDArray[np.bool_], prev: float) -> (
    npt.NDArray[np.float64]
):  # fmt: skip
    """For each row, the newest of ``prev`` and the times ``t`` (where ``timed``) before it:
    one running maximum, without a copy of the column with ``prev`` in front."""
    n = t.shape[0]
    out = np.empty(n, dtype=np.float64)
    if n:
        run = np.maximum.accumulate(t[:-1] if timed.all() else np.where(timed, t, -np.inf)[:-1])
        out[0] = prev
        np.maximum(run, prev, out=out[1:])
    return out


@dataclass(frozen=True, slots=True)
class _Copies:
    """What ``Deduplicator.filter`` knows of one batch's copies (rows sorted by run)."""

    first: npt.NDArray[np.bool_]  # kept first copies
    by_run: npt.NDArray[np.intp]  # the sorted rows (context rows below ``m``)
    is_new: npt.NDArray[np.bool_]  # rows of the batch (not context)
    m: int  # context rows
    eligible: npt.NDArray[np.intp]  # batch rows of the sorted batch rows
    n: int  # rows in the batch
    kept: npt.NDArray[np.intp]  # batch rows kept

    def of_kept(self) -> npt.NDArray[np.int64]:
        """Copies per kept row: the rows up to the next kept one (same run by construction)."""
        heads = np.flatnonzero(self.first)
        copies = np.ones(self.by_run.size, dtype=np.int64)
        copies[heads] = np.diff(np.append(heads, self.by_run.size))
        row_copies = np.ones(self.n, dtype=np.int64)
        fr = self.first & self.is_new
        row_copies[self.eligible[self.by_run[fr] - self.m]] = copies[fr]
        out: npt.NDArray[np.int64] = row_copies[self.kept]
        return out


def _receivers(
    receiver: npt.NDArray[np.uint64],
    eligible: npt.NDArray[np.intp],
    order: npt.NDArray[np.intp],
    first: npt.NDArray[np.bool_],
    is_new: npt.NDArray[np.bool_],
    m: int,
    kept: npt.NDArray[np.intp],
) -> dict[int, tuple[int, ...]]:
    """Which receivers heard each merged frame of this batch (rows sorted as in ``filter``)."""
    head = np.maximum.accumulate(np.where(first, np.arange(order.size), 0))
    mine = is_new & is_new[head]  # copies of a frame first heard in this batch
    rows = np.flatnonzero(mine)
    rx = receiver[eligible[order[rows] - m]]
    heads = head[rows]
    out: dict[int, tuple[int, ...]] = {}
    start = run_starts(heads)
    for a, b in zip(start.tolist(), run_stops(start, rows.size).tolist(), strict=True):
        heard = tuple(dict.fromkeys(int(r) for r in rx[a:b] if r))
        if len(heard) > 1:
            batch_row = eligible[order[heads[a]] - m]
            out[int(np.searchsorted(kept, batch_row))] = heard
    return out
