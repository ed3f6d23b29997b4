"""``AddressFilter``: accept address/parity replies only from aircraft heard recently with CRC.

DF0/4/5/16/20/21 carry no address of their own: the decoder recovers one from the parity, and
any corrupted frame yields *some* address. Like readsb's icao filter, such a message is kept
only when its address was heard in a CRC-verified DF11/17/18 within ``window_s`` before it.
Vectorised per batch: verified rows earlier in the same batch count too, in time order, not
row order (a DF17 later in the batch does not vouch for an earlier DF4). Frames without a time
(AVR ``*HEX;`` from files) are judged in frame order over a window counted in frames.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

from ..model import B1, F8, NON_ICAO_FLAG, U4, Messages, RejectReason
from ..runs import run_tails
from ..stats import IngestStats

#: How long a verified address vouches for AP-recovered ones, s (readsb: 60 s).
ADDRESS_WINDOW_S = 60.0
#: Without times, how many (untimed) frames a verified address vouches for: 60 s of a busy
#: receiver (~1,700 frames/s); order is all such a file keeps of time.
ADDRESS_WINDOW_FRAMES = 100_000
#: Prune remembered addresses when the table grows past this many entries.
_PRUNE_AT = 8192


def message_keys(msgs: Messages) -> U4:
    """Tracker keys of messages: the address, bit 24 set for non-ICAO ones."""
    flag = np.where(msgs.non_icao, NON_ICAO_FLAG, 0).astype(np.uint32)
    key: U4 = (msgs.icao24 & np.uint32(0xFFFFFF)) | flag
    return key


def sort_order(key: U4, t: F8) -> npt.NDArray[np.int64]:
    """Row order by (key, time, row): one sort of (key, rank in time) packed in 64-bit words,
    the rank being the row itself when times are already ordered (numpy's stable argsort of
    uint32 keys, or a lexsort, cost ~3x as much)."""
    n = t.shape[0]
    if key.dtype.kind != "u" or key.dtype.itemsize > 4 or n >= 1 << 32:
        return np.lexsort((t, key))
    if n < 2 or bool(np.all(t[1:] >= t[:-1])):
        by_t, rank = None, np.arange(n, dtype=np.uint64)
    else:
        by_t = np.argsort(t, kind="stable")
        rank = np.empty(n, dtype=np.uint64)
        rank[by_t] = np.arange(n, dtype=np.uint64)
    packed = (key.astype(np.uint64) << np.uint64(32)) | rank
    packed.sort()  # distinct values: any sort gives the one order
    rows = (packed & np.uint64(0xFFFFFFFF)).view(np.int64)
    out: npt.NDArray[np.int64] = rows if by_t is None else by_t[rows]
    return out


def _last_verified(a: U4, t: F8, vi: npt.NDArray[np.intp]) -> tuple[B1, F8]:
    """For rows sorted by (key ``a``, time ``t``) with verified rows ``vi``: whether a verified
    row of the same key comes at or before each row, and its time (else -inf). Each verified
    row's key and time are repeated over the rows up to the next verified one: a row is in
    its group when that key is its own (the rows are sorted by key). ~1.5x cheaper than two
    running maxima of row numbers and a gather (issue 18)."""
    n = a.shape[0]
    counts = np.diff(np.concatenate(([0], vi, [n])))  # rows from each verified one (and before)
    head = int(counts[0])  # rows before the first verified one: none of theirs precedes
    in_group: B1 = np.repeat(np.concatenate((a[:1], a[vi])), counts) == a
    in_group[:head] = False
    times = np.repeat(np.concatenate(([-np.inf], t[vi])), counts)
    last_t: F8 = np.where(in_group, times, -np.inf)
    return in_group, last_t


class AddressFilter:
    """Stateful, streaming: remembers the last verified time of each key (pruned)."""

    def __init__(self, window_s: float = ADDRESS_WINDOW_S) -> None:
        self.window_s = window_s
        self._last: dict[int, float] = {}
        self._latest = -np.inf
        self._by_order: AddressFilter | None = None  # the same rule over untimed frames
        self._untimed = 0  # untimed frames judged so far (their "clock")

    def __len__(self) -> int:
        return len(self._last)

    def accept(self, key: U4, verified: B1, timestamp: F8) -> B1:
        """Mask of rows to keep, any row order; verified rows are always kept and remembered.

        Rows without a time (AVR ``*HEX;`` lines from a file) are judged in frame order: a
        verified address vouches for the next ``ADDRESS_WINDOW_FRAMES`` untimed frames."""
        timed = np.isfinite(timestamp)
        if timed.all():
            return self._accept_timed(key, verified, timestamp)
        ok: B1 = np.empty(key.shape[0], dtype=np.bool_)
        rows = np.flatnonzero(~timed)
        if self._by_order is None:
            self._by_order = AddressFilter(ADDRESS_WINDOW_FRAMES)
        seq = self._untimed + np.arange(rows.size, dtype=np.float64)
        self._untimed += rows.size
        ok[rows] = self._by_order.accept(key[rows], verified[rows], seq)
        rows = np.flatnonzero(timed)
        ok[rows] = self._accept_timed(key[rows], verified[rows], timestamp[rows])
        return ok

    def _accept_timed(self, key: U4, verified: B1, timestamp: F8) -> B1:
        order = sort_order(key, timestamp)
        ok_sorted = self.accept_sorted(key[order], verified[order], timestamp[order])
        ok: B1 = np.empty(key.shape[0], dtype=np.bool_)
        ok[order] = ok_sorted
        return ok

    def accept_sorted(self, a: U4, v: B1, t: F8) -> B1:
        """``accept`` for rows already sorted by (key, time)."""
        n = a.shape[0]
        if n == 0:
            return np.zeros(0, dtype=np.bool_)
        vi = np.flatnonzero(v)
        if vi.size == n:
            ok: B1 = np.ones(n, dtype=np.bool_)
        else:
            in_group, last_t = _last_verified(a, t, vi)
            need = ~v & ~in_group  # carried times matter only where no verified row precedes
            if self._last and need.any():
                rows = np.flatnonzero(need)
                keys, inv = np.unique(a[rows], return_inverse=True)
                get = self._last.get
                carried = np.array([get(k, -np.inf) for k in keys.tolist()], dtype=np.float64)
                last_t[rows] = carried[inv]
            ok = v | (t - last_t <= self.window_s)
        if vi.size:
            # Last verified time per key: the last verified row of each key.
            av = a[vi]
            end = run_tails(av)
            self._last.update(zip(av[end].tolist(), t[vi][end].tolist(), strict=True))
        latest = float(t.max())  # (the finite times' maximum, unless some is NaN or inf)
        if not np.isfinite(latest):
            finite = t[np.isfinite(t)]
            latest = float(finite.max()) if finite.size else -np.inf
        self._latest = max(self._latest, latest)
        if len(self._last) > _PRUNE_AT:
            self.prune(self._latest)
        return ok

    def prune(self, now: float) -> None:
        """Forget keys not verified within the window before ``now``."""
        cutoff = now - self.window_s
        self._last = {k: t for k, t in self._last.items() if t >= cutoff}

    def usable(self, msgs: Messages) -> B1:
        """Rows the filter judges: not rejected by decode and with an address."""
        out: B1 = (msgs.reject == 0) & (msgs.icao24 != 0)
        return out

    def filter(self, msgs: Messages, stats: IngestStats | None = None, source: str = "") -> B1:
        """Mask of usable rows of ``msgs`` with a known address; counts UNKNOWN_ADDRESS."""
        usable = self.usable(msgs)
        ok = np.zeros(len(msgs), dtype=np.bool_)
        if usable.any():
            rows = np.flatnonzero(usable)
            ok[rows] = self.accept(
                message_keys(msgs)[rows], msgs.address_verified[rows], msgs.timestamp[rows]
            )
        unknown = int(np.count_nonzero(usable & ~ok))
        if stats is not None and unknown:
            stats.reject(RejectReason.UNKNOWN_ADDRESS, source, count=unknown)
        return ok

    def apply(self, msgs: Messages) -> B1:
        """Mark unknown-address rows in place (``reject = UNKNOWN_ADDRESS``), for the decode
        output that keeps every frame; returns the mask of kept rows. Counting is the caller's
        (it counts ``msgs.reject``)."""
        usable = self.usable(msgs)
        ok = self.filter(msgs)
        msgs.reject[usable & ~ok] = int(RejectReason.UNKNOWN_ADDRESS)
        return ok
