"""Pairwise clock filters: the offset and drift between every two receivers, from sync points.

A sync point is one ADS-B position message heard by receivers ``a`` and ``b`` (``a < b``). With
the decoded position, the propagation time to each receiver is known, so each receiver's clock
reading of the *transmission* instant is ``e = local - range / c``, and ``m = e_a - e_b`` is the
offset of clock ``a`` from clock ``b`` at that instant. Each pair keeps an exponentially weighted
least-squares line ``m = A + B (x - x0)`` over its measurements, ``x`` being clock ``a``'s
transmission time: the weights fall by ``e`` every ``time_constant_s`` of clock time, so the line
follows slow changes of the crystals' rates. ``B`` is the drift (dimensionless, 1e-6 = 1 ppm).

Outliers: once a pair has a line, a measurement further than ``GATE_SIGMAS`` standard deviations
(never less than ``MIN_GATE_S``) from its prediction is rejected and counted; a pair that rejects
``RESET_MIN`` in a row (a receiver restart, a clock step), or gets nothing for ``STALE_S`` (its
line cannot be extrapolated over the gap), is started again. A pair is started from a robust
fit of its first ``START_MIN`` or more measurements (two rounds of least squares, each dropping
points further than 5 median absolute deviations), held across batches until they are in.
Pure numpy: every step is a few array passes over the measurements (``np.bincount`` sums per
pair); Python loops run only to start a pair.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from ..model import F8
from ..runs import run_starts, run_stops

I8 = npt.NDArray[np.int64]

#: Measurements are weighted down by e every this many seconds of clock time.
TIME_CONSTANT_S = 20.0
#: Gate for a new measurement, standard deviations of the pair's prediction residuals.
GATE_SIGMAS = 5.0
#: Smallest gate, s (timestamp quantisation and jitter of good receivers are tens of ns).
MIN_GATE_S = 0.4e-6
#: Largest residual standard deviation of a pair that counts as in sync, s.
MAX_SYNC_SIGMA_S = 1.5e-6
#: Measurements (effective, after weighting) a pair needs before it counts as in sync.
MIN_SYNC_POINTS = 6.0
#: A pair unheard for this long (clock seconds) is no longer in sync.
STALE_S = 60.0
#: A pair rejecting this many measurements in a row restarts (a receiver restart, a clock step).
RESET_MIN = 5
#: Most measurements held for a pair waiting to start.
PENDING_MAX = 64
#: Measurements used to start a pair, at least.
START_MIN = 4
#: Floor on a pair's residual variance, s^2 (keeps weights finite for perfect clocks).
MIN_VARIANCE_S2 = (10e-9) ** 2


@dataclass(slots=True)
class PairState:
    """Per-pair arrays, indexed by ``a * n + b`` (only ``a < b`` used)."""

    started: npt.NDArray[np.bool_]
    x0: F8  # origin of the regressor (clock a seconds)
    m0: F8  # origin of the measurement (s)
    s0: F8  # sum of weights
    s1: F8  # sum w u
    s2: F8  # sum w u^2
    sy: F8  # sum w y
    s1y: F8  # sum w u y
    a: F8  # fitted offset at x0 (relative to m0)
    b: F8  # fitted drift
    var: F8  # residual variance of predictions, s^2
    last: F8  # last regressor value (clock a s)
    accepted: I8
    rejected: I8
    resets: I8
    bad_run: I8  # rejections in a row since the last accepted measurement

    @classmethod
    def empty(cls, size: int) -> PairState:
        def f() -> F8:
            return np.zeros(size)

        def i() -> I8:
            return np.zeros(size, dtype=np.int64)

        return cls(
            np.zeros(size, dtype=np.bool_), f(), f(), f(), f(), f(), f(), f(), f(), f(), f(),
            f(), i(), i(), i(), i(),
        )  # fmt: skip


class PairFilters:
    """Offset/drift lines for every receiver pair of an ``n``-receiver network."""

    def __init__(self, n: int, *, time_constant_s: float = TIME_CONSTANT_S) -> None:
        self.n = n
        self.time_constant_s = time_constant_s
        self.state = PairState.empty(n * n)
        #: measurements of pairs without a line yet, until START_MIN are in
        self._pending: dict[int, tuple[F8, F8]] = {}

    def predict(self, pair: I8, x: F8) -> F8:
        """Predicted offset (s) of each pair at clock-a time ``x``."""
        st = self.state
        out: F8 = st.m0[pair] + st.a[pair] + st.b[pair] * (x - st.x0[pair])
        return out

    def in_sync(self, now_a: F8 | None = None) -> npt.NDArray[np.bool_]:
        """Per pair index: a line good enough to convert times with."""
        st = self.state
        ok = st.started & (st.s0 >= MIN_SYNC_POINTS) & (st.var <= MAX_SYNC_SIGMA_S**2)
        if now_a is not None:
            ok &= now_a - st.last <= STALE_S
        out: npt.NDArray[np.bool_] = ok
        return out

    def add(self, a: I8, b: I8, x: F8, m: F8) -> tuple[int, int]:
        """Add measurements ``m`` (s) of pairs ``(a, b)``, ``a < b``, at clock-a times ``x``.

        Returns (accepted, rejected) counts; measurements held to start a pair count as
        neither."""
        if a.shape[0] == 0:
            return 0, 0
        pair = a * self.n + b
        order = np.lexsort((x, pair))
        pair, x, m = pair[order], x[order], m[order]
        st = self.state
        # a line unfed for STALE_S cannot be extrapolated over the gap: start it again
        stale = st.started[pair] & (x - st.last[pair] > STALE_S)
        if stale.any():
            gone = np.unique(pair[stale])
            st.started[gone] = False
            st.resets[gone] += 1
        fresh = ~st.started[pair]
        started = self._begin(pair[fresh], x[fresh], m[fresh]) if fresh.any() else 0
        keep = ~fresh
        pair, x, m = pair[keep], x[keep], m[keep]
        if pair.shape[0] == 0:
            return started, 0
        res = m - self.predict(pair, x)
        gate = np.maximum(GATE_SIGMAS * np.sqrt(st.var[pair]), MIN_GATE_S)
        ok = np.abs(res) <= gate
        restart = self._bad_runs(pair, ok)
        if restart.size:
            # RESET_MIN rejections in a row: the clock stepped; start again from them
            st.started[restart] = False
            st.resets[restart] += 1
            redo = np.isin(pair, restart) & ~ok
            ok &= ~np.isin(pair, restart)
            self._begin(pair[redo], x[redo], m[redo])
        size = self.n * self.n
        bad = ~ok & ~np.isin(pair, restart)
        st.rejected += np.bincount(pair[bad], minlength=size)
        self._update(pair[ok], x[ok], m[ok], res[ok])
        return started + int(np.count_nonzero(ok)), int(np.count_nonzero(bad))

    def _bad_runs(self, pair: I8, ok: npt.NDArray[np.bool_]) -> I8:
        """Pairs whose rejections in a row (across batches) reach RESET_MIN; updates the runs.
        ``pair`` is sorted, each pair's rows in time order."""
        st = self.state
        starts = run_starts(pair)
        ends = run_stops(starts, pair.shape[0])
        idx = np.arange(pair.shape[0])
        last_ok = np.maximum.reduceat(np.where(ok, idx, -1), starts)
        p = pair[starts]
        trailing = ends - np.maximum(last_ok + 1, starts)
        run = np.where(last_ok >= starts, trailing, st.bad_run[p] + trailing)
        st.bad_run[p] = run
        out: I8 = p[run >= RESET_MIN]
        st.bad_run[out] = 0
        return out

    def _begin(self, pair: I8, x: F8, m: F8) -> int:
        """Hold measurements of pairs without a line until START_MIN of them (within STALE_S)
        are in, then start the line. Returns how many measurements started lines."""
        used = 0
        starts = run_starts(pair)
        ends = run_stops(starts, pair.shape[0])
        for i, j in zip(starts.tolist(), ends.tolist(), strict=True):
            p = int(pair[i])
            old = self._pending.pop(p, None)
            xs, ms = x[i:j], m[i:j]
            if old is not None:
                recent = old[0] >= xs[0] - STALE_S
                xs = np.concatenate([old[0][recent], xs])[-PENDING_MAX:]
                ms = np.concatenate([old[1][recent], ms])[-PENDING_MAX:]
            if xs.shape[0] >= START_MIN and self._start_one(p, xs, ms):
                used += xs.shape[0]
            else:
                self._pending[p] = (xs, ms)
        return used

    def _start_one(self, p: int, xs: F8, ms: F8) -> bool:
        """A robust first line for pair ``p`` from its measurements; False when they do not
        agree on one (too few left after dropping outliers)."""
        st = self.state
        x0, m0 = float(xs[-1]), float(np.median(ms))
        u, y = xs - x0, ms - m0
        keep = np.ones(u.shape[0], dtype=np.bool_)
        coef = np.zeros(2)
        for _ in range(2):
            if np.count_nonzero(keep) < START_MIN or np.ptp(u[keep]) <= 0:
                break
            coef = np.polyfit(u[keep], y[keep], 1)
            r = y - np.polyval(coef, u)
            mad = float(np.median(np.abs(r[keep]))) * 1.4826
            keep = np.abs(r) <= max(5.0 * mad, MIN_GATE_S)
        if np.count_nonzero(keep) < START_MIN:
            return False
        r = y - np.polyval(coef, u)
        w = np.exp(u / self.time_constant_s) * keep
        st.started[p] = True
        st.x0[p], st.m0[p] = x0, m0
        st.s0[p], st.s1[p], st.s2[p] = w.sum(), (w * u).sum(), (w * u * u).sum()
        st.sy[p], st.s1y[p] = (w * y).sum(), (w * u * y).sum()
        st.var[p] = max(float(np.mean(r[keep] ** 2)), MIN_VARIANCE_S2)
        st.last[p] = x0
        st.bad_run[p] = 0
        st.accepted[p] += int(np.count_nonzero(keep))
        st.rejected[p] += int(np.count_nonzero(~keep))
        self._fit(np.array([p]))
        return True

    def _update(self, pair: I8, x: F8, m: F8, res: F8) -> None:
        """Fold accepted measurements into the pairs' weighted sums and refit."""
        if pair.shape[0] == 0:
            return
        st = self.state
        size = self.n * self.n
        touched = np.unique(pair)
        new_last = np.maximum(st.last, np.full(size, -np.inf))
        np.maximum.at(new_last, pair, x)
        # Re-centre on each touched pair's newest time, decaying the old sums.
        p = touched
        delta = new_last[p] - st.x0[p]
        decay = np.exp(-(new_last[p] - st.last[p]) / self.time_constant_s)
        s0, s1, s2, sy, s1y = st.s0[p], st.s1[p], st.s2[p], st.sy[p], st.s1y[p]
        shift_m = st.a[p] + st.b[p] * delta  # new m0 offset: the line at the new origin
        s2 = s2 - 2 * delta * s1 + delta * delta * s0
        s1y = s1y - delta * sy
        s1 = s1 - delta * s0
        s1y = s1y - shift_m * s1
        sy = sy - shift_m * s0
        st.s0[p], st.s1[p], st.s2[p] = s0 * decay, s1 * decay, s2 * decay
        st.sy[p], st.s1y[p] = sy * decay, s1y * decay
        st.x0[p] = new_last[p]
        st.m0[p] = st.m0[p] + shift_m
        st.last[p] = new_last[p]
        u = x - st.x0[pair]
        y = m - st.m0[pair]
        w = np.exp(u / self.time_constant_s)
        st.s0 += np.bincount(pair, w, minlength=size)
        st.s1 += np.bincount(pair, w * u, minlength=size)
        st.s2 += np.bincount(pair, w * u * u, minlength=size)
        st.sy += np.bincount(pair, w * y, minlength=size)
        st.s1y += np.bincount(pair, w * u * y, minlength=size)
        # prediction residual variance, exponentially averaged over measurements
        cnt = np.bincount(pair, minlength=size)[p]
        ss = np.bincount(pair, res * res, minlength=size)[p]
        alpha = 1.0 - np.exp(-cnt / np.maximum(st.s0[p], 1.0))
        st.var[p] = np.maximum((1 - alpha) * st.var[p] + alpha * ss / cnt, MIN_VARIANCE_S2)
        st.accepted += np.bincount(pair, minlength=size)
        self._fit(p)

    def _fit(self, p: I8) -> None:
        st = self.state
        s0, s1, s2, sy, s1y = st.s0[p], st.s1[p], st.s2[p], st.sy[p], st.s1y[p]
        det = s0 * s2 - s1 * s1
        good = det > 1e-12 * np.maximum(s0 * s2, 1e-300)
        b = np.where(good, (s0 * s1y - s1 * sy) / np.where(good, det, 1.0), st.b[p])
        a = (sy - b * s1) / np.maximum(s0, 1e-300)
        st.a[p], st.b[p] = a, b
