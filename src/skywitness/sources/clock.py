"""Receiver clocks: turn Beast/AVR timestamps (12 MHz counter or GPS time of day) into unix time.

A 12 MHz counter says nothing about the wall clock, so it is anchored: the first frame gets a
*base* time (given by the caller, embedded in the file name or the file's mtime) and later frames
add ``(ticks - first_ticks) / 12e6`` seconds. A counter that jumps backwards (receiver restart) is
re-anchored on the previous frame's time.

One implausible timestamp never becomes the clock: a frame whose counter jumps by more than
``SPIKE_S`` away from both neighbours while they agree (a flipped bit) is rejected
(``implausible``, counted BAD_TIMESTAMP by the readers), and a backward jump that returns to the
counter of the frame before the previous one is the end of such a spike, not a restart (this
catches a spike that ended the previous chunk, whose time was already given).

Live feeds are anchored on the system clock, as readsb does: each chunk's newest plausible frame
is placed at its arrival time and the others by their counter distance to it, so a counter that
runs fast or jumps cannot move positions into the future. Frames more than ``LIVE_SPREAD_S`` from
the chunk's median counter are implausible. ``drift_s`` reports how far the free-running counter
has moved from the system clock since the feed started (a receiver's crystal, or a replay).
A replay served faster than real time (``simulate --serve --speed 10``) is read with
``anchor="counter"``: the counter's rate is trusted; a counter lagging arrival by more than
``LIVE_RESYNC_S`` is re-anchored forward, one that jumps ahead between two frames too.

GPS-format timestamps (Radarcape, readsb ``--net-beast-reduce``) hold 18 bits of seconds of day and
30 bits of nanoseconds; the day is the one nearest the base (or arrival) time, and a fall of more
than half a day is a midnight rollover. ``mode="auto"`` tells them apart: a nanosecond field of
1e9 or more proves a 12 MHz counter; a seconds field that steps while every nanosecond field
stays below 1e9 proves GPS time; until then the counter is read as 12 MHz.
"""

from __future__ import annotations

import math
import re
from datetime import UTC, datetime

import numpy as np
import numpy.typing as npt

from ..model import F8, U8

#: Counter rate of dump1090/readsb Beast timestamps, ticks per second.
TICKS_PER_S = 12e6
#: readsb's marker for synthetic (MLAT result) frames: "MLAT" in the low bytes, not a time.
MLAT_MAGIC_TICKS = 0xFF004D4C4154
#: A counter going back more than this is a receiver restart, s.
RESET_BACKWARDS_S = 1.0
#: A counter step larger than this away from both neighbours (that agree) is a spike, s.
SPIKE_S = 1.0
#: Live feeds: frames of one chunk further than this from its median counter are implausible, s.
LIVE_SPREAD_S = 30.0
#: Live feeds anchored on the counter: re-anchor when counter and arrival disagree by this, s.
LIVE_RESYNC_S = 5.0
#: How a live feed's 12 MHz counter becomes time: "system" (arrival time, as readsb does) or
#: "counter" (trust the counter's rate: a replay served faster than real time).
LIVE_ANCHORS = ("system", "counter")
SECONDS_PER_DAY = 86400.0
_NS_BITS = 30
_NS_MASK = (1 << _NS_BITS) - 1
CLOCK_MODES = ("auto", "12mhz", "gps")

# unix seconds 2001..2033 with an optional fraction, not inside a longer digit run
_UNIX_IN_NAME = re.compile(r"(?<![\d.])(1\d{9})(\.\d+)?(?!\d)")
_DATE_IN_NAME = re.compile(
    r"(?<!\d)(20\d\d)-?([01]\d)-?([0-3]\d)[T_ -]?([0-2]\d)[:h-]?([0-5]\d)[:m-]?([0-5]\d)(?!\d)"
)


def isolated_jumps(ticks: npt.NDArray[np.int64], before: int | None) -> npt.NDArray[np.bool_]:
    """Frames whose counter jumps more than ``SPIKE_S`` from both neighbours while the
    neighbours stay close to each other (a flipped bit, not a restart or a gap). ``before`` is
    the counter of the frame before ``ticks[0]`` (None at the start). Pure.

    One difference pass over the counters finds the frames with a jump on both sides (none, as
    a read almost always has); the neighbour test runs on those alone (48-bit counters: the
    int64 sums of two steps are exact)."""
    n = ticks.shape[0]
    k = 0 if before is None else 1
    out = np.zeros(n, dtype=np.bool_)
    if n + k < 3:
        return out
    ext = ticks if before is None else np.concatenate((np.array([before], dtype=np.int64), ticks))
    d = np.diff(ext)  # d[i] = ext[i + 1] - ext[i]
    jump = int(SPIKE_S * TICKS_PER_S)
    big = np.abs(d) > jump
    both = big[:-1] & big[1:]  # ext[i + 1] jumps from ext[i] and to ext[i + 2]
    if not both.any():
        return out
    i = np.flatnonzero(both)
    dp, dn = d[i], d[i + 1]
    spike = np.abs(dp + dn) * 8 < np.minimum(np.abs(dp), np.abs(dn))
    out[i[spike] + 1 - k] = True  # ext index i + 1 is ticks index i + 1 - k
    return out


def _rows(a: U8, rows: npt.NDArray[np.intp]) -> U8:
    """``a[rows]``; ``a`` itself where ``rows`` are all of its rows (the usual read, every
    frame timed: no gather)."""
    return a if rows.shape[0] == a.shape[0] else a[rows]


def time_from_name(name: str) -> float | None:
    """A unix time embedded in a file name (``...--1522782148.136310917--.log``,
    ``capture_20240706_064309.bin``), else None. Dates in names are read as UTC."""
    base = name.replace("\\", "/").rsplit("/", 1)[-1]
    m = _UNIX_IN_NAME.search(base)
    if m:
        return float(m.group(1) + (m.group(2) or ""))
    d = _DATE_IN_NAME.search(base)
    if d:
        try:
            y, mo, dd, h, mi, se = (int(x) for x in d.groups())
            return datetime(y, mo, dd, h, mi, se, tzinfo=UTC).timestamp()
        except ValueError:
            return None
    return None


class TickClock:
    """Stateful converter from raw receiver ticks to unix seconds (one per stream/receiver)."""

    def __init__(
        self,
        base: float | None = None,
        *,
        mode: str = "auto",
        live: bool = False,
        anchor: str = "system",
    ):
        if mode not in CLOCK_MODES:
            raise ValueError(f"clock mode {mode!r} not in {CLOCK_MODES}")
        if anchor not in LIVE_ANCHORS:
            raise ValueError(f"live clock {anchor!r} not in {LIVE_ANCHORS}")
        self.anchor = anchor
        self.base = base
        self.mode = mode
        self.live = live
        self.decided = mode != "auto"
        self._anchor_ticks: int | None = None
        self._anchor_time = math.nan
        self._last_ticks: int | None = None
        self._last_time = math.nan
        self._day_start: float | None = None
        self._last_tod: float | None = None
        self._before_last: int | None = None  # counter of the frame before the last one
        #: Frames of the last ``convert`` whose timestamp is implausible (to be rejected).
        self.implausible: npt.NDArray[np.bool_] = np.zeros(0, dtype=np.bool_)
        #: Live 12 MHz feeds: counter time minus system time, s (None until known).
        self.drift_s: float | None = None
        self._drift_anchor: tuple[int, float] | None = None

    @property
    def is_gps(self) -> bool:
        return self.mode == "gps"

    def convert(self, ticks: U8, arrival: float | None = None) -> F8:
        """Unix seconds for each tick value; invalid ticks (0, MLAT marker) take the previous
        frame's time."""
        n = ticks.shape[0]
        out = np.full(n, np.nan, dtype=np.float64)
        self.implausible = np.zeros(n, dtype=np.bool_)
        if n == 0:
            return out
        valid = (ticks != 0) & (ticks != MLAT_MAGIC_TICKS)
        vi = np.flatnonzero(valid)
        t64: npt.NDArray[np.int64] | None = None  # the valid counters as int64 (not GPS)
        if vi.size:
            if not self.decided:
                self._decide(ticks[vi])
            if self.mode != "gps":
                t64 = _rows(ticks, vi).astype(np.int64)
                spikes = isolated_jumps(t64, self._last_ticks)
                if spikes.any():
                    self.implausible[vi[spikes]] = True
                    valid[vi[spikes]] = False
                    vi, t64 = vi[~spikes], t64[~spikes]
        if vi.size:
            if t64 is None:
                out[vi] = self._gps(_rows(ticks, vi), arrival)
            elif self.live and arrival is not None and self.anchor == "system":
                t, far = self._live_counter(t64, arrival)
                out[vi] = t
                if far.any():
                    self.implausible[vi[far]] = True
                    valid[vi[far]] = False
                    out[vi[far]] = np.nan
                    vi = vi[~far]
            else:
                out[vi] = self._counter(t64, arrival)
        # frames without a usable timestamp inherit the previous frame's time
        if vi.size < n:
            prev_time = (
                self._last_time
                if not math.isnan(self._last_time)
                else (
                    arrival
                    if arrival is not None
                    else (self.base if self.base is not None else math.nan)
                )
            )
            pos = np.where(valid, np.arange(n), -1)
            np.maximum.accumulate(pos, out=pos)
            filled = np.where(pos >= 0, out[np.maximum(pos, 0)], prev_time)
            out = np.where(valid, out, filled)
        if vi.size:
            self._last_time = float(out[vi[-1]])
        return out

    # -- 12 MHz counter -------------------------------------------------------------------
    def _counter(self, t64: npt.NDArray[np.int64], arrival: float | None) -> F8:
        if self._anchor_ticks is None:
            start = self.base if self.base is not None else arrival
            self._anchor(int(t64[0]), math.nan if start is None else start)
        anchor = self._anchor_ticks if self._anchor_ticks is not None else int(t64[0])
        out = self._anchor_time + (t64 - anchor) / TICKS_PER_S
        prev = np.empty_like(t64)
        prev[0] = self._last_ticks if self._last_ticks is not None else t64[0]
        prev[1:] = t64[:-1]
        resets = np.flatnonzero(t64 < prev - int(RESET_BACKWARDS_S * TICKS_PER_S))
        for j in resets.tolist():
            p2 = int(t64[j - 2]) if j >= 2 else (self._last_ticks if j == 1 else self._before_last)
            if p2 is not None and 0 <= int(t64[j]) - p2 < (int(prev[j]) - p2) // 8:
                continue  # back in line with the frame before a spike: the anchor holds
            # restart: the frame after a reset is placed at the previous frame's time
            at = float(out[j - 1]) if j > 0 else self._last_time
            self._anchor(int(t64[j]), at)
            out[j:] = self._anchor_time + (t64[j:] - int(t64[j])) / TICKS_PER_S
        if self.live and arrival is not None:
            self._follow_arrival(t64, out, arrival)
        self._before_last = int(t64[-2]) if t64.shape[0] > 1 else self._last_ticks
        self._last_ticks = int(t64[-1])
        return out

    def _follow_arrival(self, t64: npt.NDArray[np.int64], out: F8, arrival: float) -> None:
        """Counter-anchored live feed: a counter lagging arrival is re-anchored (forward). One
        running ahead is a burst or a fast replay and is kept, so time is not pulled back,
        unless it got there by a jump between two frames (a different receiver clock)."""
        for _ in range(4):
            step = np.diff(out, prepend=self._last_time if self._last_ticks else out[0])
            lag = out - arrival
            ahead = (lag > LIVE_RESYNC_S) & (step > LIVE_RESYNC_S)
            bad = np.flatnonzero((lag < -LIVE_RESYNC_S) | ahead)
            if bad.size == 0:
                break
            j = int(bad[0])
            self._anchor(int(t64[j]), arrival)
            out[j:] = self._anchor_time + (t64[j:] - int(t64[j])) / TICKS_PER_S

    def _live_counter(
        self, t64: npt.NDArray[np.int64], arrival: float
    ) -> tuple[F8, npt.NDArray[np.bool_]]:
        """Live: the chunk's newest plausible frame (``t64``: counters) at ``arrival``, the
        others by counter distance; (times, frames too far from the chunk's median counter)."""
        med = _median_int(t64)
        far = np.abs(t64 - med) > int(LIVE_SPREAD_S * TICKS_PER_S)
        if far.all():  # the median fell between clusters: the frame nearest it is the centre
            centre = int(t64[int(np.argmin(np.abs(t64 - med)))])
            far = np.abs(t64 - centre) > int(LIVE_SPREAD_S * TICKS_PER_S)
        ref = int(t64[~far].max())
        out = arrival + (t64 - ref) / TICKS_PER_S
        back = self._last_ticks is not None and ref < self._last_ticks - int(
            RESET_BACKWARDS_S * TICKS_PER_S
        )
        if self._drift_anchor is None or back:
            self._drift_anchor = (ref, arrival)  # first chunk, or the receiver restarted
        t0, a0 = self._drift_anchor
        self.drift_s = round(a0 + (ref - t0) / TICKS_PER_S - arrival, 3)
        self._before_last, self._last_ticks = self._last_ticks, ref
        return out, far

    def _anchor(self, ticks: int, at: float) -> None:
        self._anchor_ticks = ticks
        self._anchor_time = at

    # -- GPS time of day ------------------------------------------------------------------
    def _gps(self, tv: U8, arrival: float | None) -> F8:
        tod = (tv >> np.uint64(_NS_BITS)).astype(np.float64) + (tv & np.uint64(_NS_MASK)).astype(
            np.float64
        ) * 1e-9
        ref = arrival if (self.live and arrival is not None) else None
        if ref is not None:
            # live: the day nearest the arrival time, frame by frame (rollover included)
            day = np.round((ref - tod) / SECONDS_PER_DAY) * SECONDS_PER_DAY
            self._last_tod = float(tod[-1])
            return day + tod
        if self._day_start is None:
            start = self.base if self.base is not None else arrival
            if start is None:
                return np.full(tv.shape[0], np.nan)
            self._day_start = round((start - float(tod[0])) / SECONDS_PER_DAY) * SECONDS_PER_DAY
        prev = np.empty_like(tod)
        prev[0] = self._last_tod if self._last_tod is not None else tod[0]
        prev[1:] = tod[:-1]
        wraps = np.cumsum(tod < prev - SECONDS_PER_DAY / 2)
        out = self._day_start + wraps * SECONDS_PER_DAY + tod
        self._day_start += float(wraps[-1]) * SECONDS_PER_DAY
        self._last_tod = float(tod[-1])
        return out

    def _decide(self, tv: U8) -> None:
        ns = tv & np.uint64(_NS_MASK)
        secs = tv >> np.uint64(_NS_BITS)
        if (ns >= 1_000_000_000).any() or (secs >= SECONDS_PER_DAY).any():
            self.mode, self.decided = "12mhz", True
        elif np.unique(secs).size > 1:
            self.mode, self.decided = "gps", True
            self._anchor_ticks = None


def _median_int(a: npt.NDArray[np.int64]) -> int:
    """``int(np.median(a))`` (``a`` not empty) by one partition: ``np.median``'s set-up costs
    more than the work on a live read's ~20 counters."""
    n = a.shape[0]
    k = n // 2
    if n & 1:
        return int(np.partition(a, k)[k])
    part = np.partition(a, (k - 1, k))
    return int((float(part[k - 1]) + float(part[k])) / 2)
