"""Each receiver's own clock in seconds, and a rough wall-clock time for every frame.

``local``: a 12 MHz counter becomes seconds since the receiver's first frame (48-bit wrap
handled); GPS time of day (seconds << 30 | ns) becomes seconds since the first frame's midnight
(rollovers counted). ``coarse``: a wall-clock time good to the anchoring of the receiver's first
frame (the time its source gave it, or for a receiver first seen inside a merged 0xe3 stream the
time of the frame just before it); clock sync later replaces it with the network time.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

from ..model import F8, U8
from ..runs import run_starts
from .receivers import ClockKind, ReceiverSite

I8 = npt.NDArray[np.int64]
TICKS_PER_S = 12e6
_WRAP = 1 << 48
_NS_BITS = 30
DAY_S = 86400.0


class Timebase:
    """Per-receiver clock state: counter base, day count, wall-clock anchor."""

    def __init__(self, sites: tuple[ReceiverSite, ...]) -> None:
        n = len(sites)
        self.gps = np.array([s.clock is ClockKind.GPS for s in sites], dtype=np.bool_)
        self.base = np.full(n, -1, dtype=np.int64)  # first counter value (12 MHz)
        self.last_raw = np.zeros(n, dtype=np.int64)  # last counter / ns-of-day value
        self.wraps = np.zeros(n, dtype=np.int64)  # counter wraps / midnights passed
        self.anchor_local = np.full(n, np.nan)
        self.anchor_coarse = np.full(n, np.nan)

    def local(self, rx: I8, ticks: U8) -> F8:
        """Seconds on each frame's receiver clock (frames of one receiver in stream order)."""
        raw = _raw(ticks, self.gps[rx])
        out = np.empty(rx.shape[0])
        order = np.argsort(rx, kind="stable")
        rs = rx[order]
        cuts = run_starts(rs)[1:]
        for run in np.split(order, cuts):
            if run.size == 0:
                continue
            r = int(rx[run[0]])
            v = raw[run]
            period = int(DAY_S * 1e9) if self.gps[r] else _WRAP
            if self.base[r] < 0:
                self.base[r] = 0 if self.gps[r] else int(v[0])
                self.last_raw[r] = int(v[0])
            prev = np.concatenate([[self.last_raw[r]], v[:-1]])
            back = np.cumsum(v < prev - period // 2) + self.wraps[r]
            full = v + back * period - self.base[r]
            out[run] = full * (1e-9 if self.gps[r] else 1.0 / TICKS_PER_S)
            self.wraps[r] = int(back[-1])
            self.last_raw[r] = int(v[-1])
        return out

    def coarse(self, rx: I8, local: F8, given: F8, previous: float | None = None) -> F8:
        """Rough wall-clock time of each frame (one stream's frames, in stream order).

        A receiver's first frame is anchored on the wall-clock time of the frame before it in
        the stream (in a merged 0xe3 stream the source's own times follow whichever receiver
        came first and are no use), on ``previous`` (the stream's last time so far) for a first
        row, and on ``given`` (the source's time) for the stream's very first frame."""
        out: F8 = self.anchor_coarse[rx] + (local - self.anchor_local[rx])
        new = np.flatnonzero(np.isnan(out))
        for i in new.tolist():
            r = int(rx[i])
            if not np.isnan(self.anchor_local[r]):
                out[i] = self.anchor_coarse[r] + (local[i] - self.anchor_local[r])
                continue
            at = float(out[i - 1]) if i > 0 else float(given[i]) if previous is None else previous
            if self.gps[r] and np.isfinite(at):
                # GPS: the day is the one nearest the anchor time
                at = round((at - float(local[i])) / DAY_S) * DAY_S + float(local[i])
            self.anchor_local[r] = float(local[i])
            self.anchor_coarse[r] = at
            out[i] = at
        late = np.isnan(out)
        out[late] = self.anchor_coarse[rx[late]] + (local[late] - self.anchor_local[rx[late]])
        return out


def _raw(ticks: U8, gps: npt.NDArray[np.bool_]) -> I8:
    t = ticks.astype(np.uint64)
    ns = (t >> np.uint64(_NS_BITS)).astype(np.int64) * 1_000_000_000 + (
        t & np.uint64((1 << _NS_BITS) - 1)
    ).astype(np.int64)
    out: I8 = np.where(gps, ns, t.astype(np.int64))
    return out
