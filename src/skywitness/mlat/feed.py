"""Multilateration over frame batches: receivers by id or source, windows, decode, tracker.

``MlatFeed`` takes ``FrameBatch``es from any number of sources (one Beast file or stream per
receiver, matched by name, or one stream with 0xe3 receiver ids, matched by id), holds them for
``HOLD_S`` seconds so the copies of one transmission from every receiver are together, and
processes whole windows of ``WINDOW_S``: one copy of each transmission goes through the normal
decoder and ``Tracker`` (as the deduplicator would leave it), the engine solves positions, and
the accepted fixes go into the same tracker as ``SourceKind.MLAT`` observations, so they never
override an ADS-B position of the same aircraft and time (the tracker's trust order), and come
out with ``position_source = "mlat"``. ``position_error`` (m, 95 % radius) is attached to the
state rows whose position came from a fix.
"""

from __future__ import annotations

import re
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import numpy.typing as npt
import pyarrow as pa

from ..decode import decode_batch
from ..errors import InputError
from ..model import F8, FrameBatch, Observations, PositionSource, SourceKind
from ..stats import IngestStats
from ..track import Tracker
from ..track.state_vectors import StateVectors
from .engine import Decoded, Engine, MlatFixes
from .receivers import ReceiverSite

I8 = npt.NDArray[np.int64]
#: Seconds of frames processed at once: at least WINDOW_S, longer (at most MAX_WINDOW_S) until
#: a window holds MIN_WINDOW_FRAMES frames. The clock solution of a window converts the next
#: window's times: over 5 s its rate error (< 1e-9) moves them by < 5 ns.
WINDOW_S = 1.0
MAX_WINDOW_S = 5.0
MIN_WINDOW_FRAMES = 4000
#: Frames are held this long (s, network time of the newest frame) before their window is done.
HOLD_S = 2.0
#: A receiver silent for this long (s) no longer holds the others back.
STALE_RECEIVER_S = 10.0
ERROR_COLUMN = "position_error"
MLAT_SOURCE = "mlat"


@dataclass(slots=True)
class _Held:
    rx: I8
    local: F8
    coarse: F8
    frames: FrameBatch

    def take(self, idx: I8) -> _Held:
        return _Held(self.rx[idx], self.local[idx], self.coarse[idx], self.frames.take(idx))


class MlatFeed:
    """Receivers' frames in, state vectors (with mlat positions) out."""

    def __init__(self, sites: tuple[ReceiverSite, ...], tracker: Tracker, stats: IngestStats):
        self.sites = sites
        self.engine = Engine(sites)
        self.tracker = tracker
        self.stats = stats
        self.by_id = {s.id: i for i, s in enumerate(sites) if s.id}
        self.by_name = {s.name: i for i, s in enumerate(sites)}
        self.by_source = {s.source: i for i, s in enumerate(sites) if s.source}
        self.counters: Counter[str] = Counter()
        self._held: list[_Held] = []
        self._latest = np.full(len(sites), -np.inf)
        self.clock: Callable[[], float] = time.monotonic
        self._heard_wall = np.full(len(sites), self.clock())
        self._stream_time: dict[str, float] = {}
        self._errors: dict[int, float] = {}  # icao -> error (m) of its latest fix
        self.fixes: list[MlatFixes] = []  # every accepted fix, when ``keep_fixes``
        self.keep_fixes = False
        #: a batch no receiver matches is an error (files); live feeds only count it
        self.strict_receivers = True

    def receiver_index(self, batch: FrameBatch) -> I8:
        """Site index of each frame: by 0xe3 id, else by its feed, else by the feed's file
        name up to the first "." or "--" (``rx1--1568988274.5.beast`` is ``rx1``; -1: none)."""
        out = np.full(len(batch), -1, dtype=np.int64)
        ids = batch.receiver
        for rid in np.unique(ids).tolist():
            sel = ids == rid
            if rid and rid in self.by_id:
                out[sel] = self.by_id[rid]
            elif not rid and batch.source in self.by_source:
                out[sel] = self.by_source[batch.source]
            elif not rid:
                stem = re.split(r"--|\.", Path(batch.source).name)[0]
                if stem in self.by_name:
                    out[sel] = self.by_name[stem]
        return out

    def feed(self, batch: FrameBatch) -> list[pa.Table]:
        """Add a batch; returns the state tables of the windows completed."""
        return [sv.to_arrow() for sv in self.feed_states(batch)]

    def finish(self) -> list[pa.Table]:
        """The windows still held, and the tracker's last rows, as state tables."""
        return [sv.to_arrow() for sv in self.finish_states()]

    def feed_states(self, batch: FrameBatch) -> list[StateVectors]:
        """Add a batch; returns the state vectors of the windows completed."""
        rx = self.receiver_index(batch)
        unknown = int(np.count_nonzero(rx < 0))
        if unknown:
            self.counters["frames_unknown_receiver"] += unknown
            if unknown == len(batch) and self.strict_receivers:
                raise InputError(
                    batch.source,
                    "no receiver in the receivers file matches this source "
                    "(no 0xe3 id listed there, and no receiver named after the file)",
                )
        timed = (batch.ticks != 0) & (rx >= 0) & (batch.length > 2)
        self.counters["frames_untimed"] += int(np.count_nonzero(~timed & (rx >= 0)))
        keep = np.flatnonzero(timed)
        if keep.size:
            fb = batch.take(keep)
            r = rx[keep]
            self._heard_wall[np.unique(r)] = self.clock()
            prev = self._stream_time.get(batch.source)
            local, coarse = self.engine.clocks(r, fb.ticks, fb.timestamp, prev)
            self._stream_time[batch.source] = float(coarse[-1])
            self._held.append(_Held(r, local, coarse, fb))
        return self._drain(final=False)

    def finish_states(self) -> list[StateVectors]:
        out = self._drain(final=True)
        final = self.tracker.flush()
        if len(final):
            out.append(self._with_errors(final))
        return out

    def _drain(self, *, final: bool) -> list[StateVectors]:
        if not self._held:
            return []
        h = self._held[0] if len(self._held) == 1 else _concat(self._held)
        out: list[StateVectors] = []
        while len(h.rx):
            # network times move with every clock solution: recomputed per window
            est = self.engine.network_time(h.rx, h.local, h.coarse)
            start = float(np.nanmin(est))
            end = _window_end(est, start)
            if not final and end > self._watermark(h.rx, est) - HOLD_S:
                break
            now = est < end
            out.extend(self._window(h.take(np.flatnonzero(now))))
            h = h.take(np.flatnonzero(~now))
        self._held = [h] if len(h.rx) else []
        return out

    def _watermark(self, rx: I8, est: F8) -> float:
        """Network time up to which every receiver still expected has delivered its frames.

        A receiver stops holding the others back once it is silent for ``STALE_RECEIVER_S``
        of wall time, or its newest frame is that much older (in data time) than the newest
        of all (a file that ended, a feed that went away). One never heard holds them back
        for ``STALE_RECEIVER_S`` of wall time from the start (feeds connect one by one)."""
        latest = np.full(len(self.sites), -np.inf)
        np.maximum.at(latest, rx, est)
        seen = latest > -np.inf
        self._latest[seen] = np.maximum(self._latest[seen], latest[seen])
        now = self.clock()
        newest = float(np.max(self._latest))
        wall_fresh = now - self._heard_wall <= STALE_RECEIVER_S
        data_fresh = ~np.isfinite(self._latest) | (self._latest >= newest - STALE_RECEIVER_S)
        active = wall_fresh & data_fresh
        return float(np.min(self._latest[active])) if active.any() else newest

    def _window(self, h: _Held) -> list[StateVectors]:
        states: list[StateVectors] = []

        def decode(rows: I8, times: F8) -> Decoded:
            reps = h.frames.take(rows)
            reps.timestamp = times
            msgs = decode_batch(reps)
            self.stats.accepted += int(np.count_nonzero(msgs.reject == 0))
            order = np.argsort(times, kind="stable")
            states.append(self.tracker.update(msgs.take(order), reps.source or "mlat"))
            lat = np.full(rows.shape[0], np.nan)
            lon = np.full(rows.shape[0], np.nan)
            lat[order], lon[order] = self.tracker.last_positions
            tc = msgs.typecode
            airborne = (msgs.df == 17) & (tc >= 9) & (tc <= 18)
            return Decoded(
                icao24=np.where(msgs.reject == 0, msgs.icao24, 0).astype(np.uint32),
                adsb_position=airborne & np.isfinite(lat),
                lat=lat,
                lon=lon,
                altitude_ft=msgs.altitude,
            )

        fixes = self.engine.process(h.rx, h.local, h.coarse, h.frames.data, h.frames.length, decode)
        if len(fixes):
            for icao, err in zip(fixes.icao24.tolist(), fixes.error_m.tolist(), strict=True):
                self._errors[int(icao)] = float(err)
            # one tracker update per receiver count: the rows' source says "mlat (K receivers)"
            for k in np.unique(fixes.receivers).tolist():
                part = np.flatnonzero(fixes.receivers == k)
                states.append(self.tracker.update_observations(observations(fixes, part)))
            if self.keep_fixes:
                self.fixes.append(fixes)
        return [self._with_errors(sv) for sv in states if len(sv)]

    def _with_errors(self, sv: StateVectors) -> StateVectors:
        """``position_error`` on the rows placed by multilateration: the latest fix's."""
        err = np.full(len(sv), np.nan)
        mlat = np.flatnonzero(np.asarray(sv.position_source) == PositionSource.MLAT.label)
        for i in mlat.tolist():
            err[i] = self._errors.get(int(sv.icao24[i]), np.nan)
        sv.position_error = err
        return sv


def _window_end(est: F8, start: float) -> float:
    """End of the window from ``start``: ``WINDOW_S``, longer (up to ``MAX_WINDOW_S``) while it
    holds fewer than ``MIN_WINDOW_FRAMES`` frames: each window costs a fixed ~10 ms."""
    end = start + WINDOW_S
    if est.shape[0] > MIN_WINDOW_FRAMES:
        nth = float(np.partition(est, MIN_WINDOW_FRAMES)[MIN_WINDOW_FRAMES])
        end = max(end, min(nth, start + MAX_WINDOW_S))
    elif est.shape[0]:
        end = max(end, min(float(np.nanmax(est)) + 1e-6, start + MAX_WINDOW_S))
    return end


def _concat(parts: list[_Held]) -> _Held:
    return _Held(
        np.concatenate([p.rx for p in parts]),
        np.concatenate([p.local for p in parts]),
        np.concatenate([p.coarse for p in parts]),
        FrameBatch.concat([p.frames for p in parts]),
    )


def mlat_source(receivers: int) -> str:
    """The ``source`` of state rows placed by multilateration."""
    return f"{MLAT_SOURCE} ({receivers} receivers)"


def observations(fx: MlatFixes, rows: I8) -> Observations:
    """Fixes ``rows`` (all with one receiver count) as tracker observations: kind MLAT,
    position source MLAT, source "mlat (K receivers)"."""
    n = rows.shape[0]
    k = int(fx.receivers[rows[0]]) if n else 0
    obs = Observations.empty(n, source=mlat_source(k))
    obs.timestamp = fx.timestamp[rows]
    obs.icao24 = fx.icao24[rows].astype(np.uint32)
    obs.latitude = fx.lat[rows]
    obs.longitude = fx.lon[rows]
    obs.kind = np.full(n, int(SourceKind.MLAT), dtype=np.uint8)
    obs.position_source = np.full(n, int(PositionSource.MLAT), dtype=np.uint8)
    obs.position_error = fx.error_m[rows]
    return obs
