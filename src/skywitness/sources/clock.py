"""Receiver clocks: turn Beast/AVR timestamps (12 MHz counter or GPS time of day) into unix time.

A 12 MHz counter says nothing about the wall clock, so it is anchored: the first frame gets a
*base* time (given by the caller, embedded in the file name, the arrival time for live feeds or
the file's mtime) and later frames add ``(ticks - first_ticks) / 12e6`` seconds. A counter that
jumps backwards (receiver restart) is re-anchored on the previous frame's time; a live feed whose
counter lags arrival time by more than ``LIVE_RESYNC_S`` is re-anchored (forward) on arrival; a
counter running ahead of arrival is a burst or a fast replay and is kept, so time never goes back.

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

from ..model import F8, U8

#: Counter rate of dump1090/readsb Beast timestamps, ticks per second.
TICKS_PER_S = 12e6
#: readsb's marker for synthetic (MLAT result) frames: "MLAT" in the low bytes, not a time.
MLAT_MAGIC_TICKS = 0xFF004D4C4154
#: A counter going back more than this is a receiver restart, s.
RESET_BACKWARDS_S = 1.0
#: Live feeds: re-anchor when the counter and arrival time disagree by more than this, s.
LIVE_RESYNC_S = 5.0
SECONDS_PER_DAY = 86400.0
_NS_BITS = 30
_NS_MASK = (1 << _NS_BITS) - 1
CLOCK_MODES = ("auto", "12mhz", "gps")

# unix seconds 2001..2033 with an optional fraction, not inside a longer digit run
_UNIX_IN_NAME = re.compile(r"(?<![\d.])(1\d{9})(\.\d+)?(?!\d)")
_DATE_IN_NAME = re.compile(
    r"(?<!\d)(20\d\d)-?([01]\d)-?([0-3]\d)[T_ -]?([0-2]\d)[:h-]?([0-5]\d)[:m-]?([0-5]\d)(?!\d)"
)


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

    def __init__(self, base: float | None = None, *, mode: str = "auto", live: bool = False):
        if mode not in CLOCK_MODES:
            raise ValueError(f"clock mode {mode!r} not in {CLOCK_MODES}")
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

    @property
    def is_gps(self) -> bool:
        return self.mode == "gps"

    def convert(self, ticks: U8, arrival: float | None = None) -> F8:
        """Unix seconds for each tick value; invalid ticks (0, MLAT marker) take the previous
        frame's time."""
        n = ticks.shape[0]
        out = np.full(n, np.nan, dtype=np.float64)
        if n == 0:
            return out
        valid = (ticks != 0) & (ticks != MLAT_MAGIC_TICKS)
        vi = np.flatnonzero(valid)
        if vi.size:
            tv = ticks[vi]
            if not self.decided:
                self._decide(tv)
            if self.mode == "gps":
                out[vi] = self._gps(tv, arrival)
            else:
                out[vi] = self._counter(tv, arrival)
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
    def _counter(self, tv: U8, arrival: float | None) -> F8:
        t64 = tv.astype(np.int64)
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
            # restart: the frame after a reset is placed at the previous frame's time
            at = float(out[j - 1]) if j > 0 else self._last_time
            self._anchor(int(t64[j]), at)
            out[j:] = self._anchor_time + (t64[j:] - int(t64[j])) / TICKS_PER_S
        if self.live and arrival is not None:
            for _ in range(4):
                # A counter lagging arrival is re-anchored (forward). One running ahead is a
                # burst or a fast replay and is kept, so time is not pulled back, unless it got
                # there by a jump between two frames (a different receiver clock).
                step = np.diff(out, prepend=self._last_time if self._last_ticks else out[0])
                ahead = (out - arrival > LIVE_RESYNC_S) & (step > LIVE_RESYNC_S)
                bad = np.flatnonzero((out - arrival < -LIVE_RESYNC_S) | ahead)
                if bad.size == 0:
                    break
                j = int(bad[0])
                self._anchor(int(t64[j]), arrival)
                out[j:] = self._anchor_time + (t64[j:] - int(t64[j])) / TICKS_PER_S
        self._last_ticks = int(t64[-1])
        return out

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
