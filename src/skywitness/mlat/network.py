"""One timebase for the whole network: per-receiver offset and rate from the pairwise lines.

At an instant ("now", given in the reference receiver's clock) every in-sync pair says how far
clock ``a`` is ahead of clock ``b`` (``O_ab``) and how fast that changes (``B_ab``). Weighted
least squares over the pair graph gives each receiver's offset ``o_r = clock_r - clock_ref`` and
log rate ``l_r = log(d clock_r / d clock_ref)`` (``l_b - l_a = log(1 - B_ab)``), the reference
being the receiver with the most pairs in sync. A pair's line is evaluated at clock ``a``'s
reading of "now", which itself depends on ``o_a``: three rounds settle it (each shrinks the error
by the drift, ~1e-4). Receivers outside the reference's connected part of the graph, or whose
pairs disagree with the solution by more than ``MAX_RECEIVER_RESIDUAL_S``, are out of sync and
are not used. A pair's weight falls with the age of its line (``AGE_SCALE_S``). Each receiver's
timing variance is split out of the pairs' residual variances (``var_ab = v_a + v_b``, least
squares), plus the square of its pairs' disagreement with the solution, so a noisy or poorly
synchronised receiver weighs less in a fix and widens its stated error.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from ..model import F8
from .pairs import MIN_VARIANCE_S2, STALE_S, PairFilters

B1 = npt.NDArray[np.bool_]
#: A receiver whose pairs disagree with the network by more than this (RMS, s) is dropped.
MAX_RECEIVER_RESIDUAL_S = 1.0e-6
#: Age of a pair's line (s since its last point) at which its variance counts double.
AGE_SCALE_S = 10.0
#: Rounds of "evaluate the lines at each clock's now, solve".
ROUNDS = 3


@dataclass(slots=True)
class ClockSolution:
    """Every receiver's clock against the reference at one instant."""

    reference: int  # receiver index, -1 when nothing is in sync
    now_ref: float  # the instant, in the reference clock's seconds
    local_now: F8  # each receiver's clock reading at that instant (s)
    rate: F8  # d clock_r / d clock_ref
    synced: B1  # usable for fixes
    residual: F8  # RMS disagreement of the receiver's pairs with the solution, s (NaN: none)
    sigma: F8  # timing standard deviation of one arrival at the receiver, s
    pairs: npt.NDArray[np.int64]  # pairs in sync per receiver

    def to_reference(self, rx: npt.NDArray[np.int64], local: F8) -> F8:
        """Arrival times (receiver clocks) on the reference clock."""
        out: F8 = self.now_ref + (local - self.local_now[rx]) / self.rate[rx]
        return out

    @classmethod
    def none(cls, n: int) -> ClockSolution:
        nan = np.full(n, np.nan)
        return cls(
            -1,
            np.nan,
            nan.copy(),
            np.ones(n),
            np.zeros(n, dtype=np.bool_),
            nan.copy(),
            nan.copy(),
            np.zeros(n, dtype=np.int64),
        )


def _component(adj: B1, root: int) -> B1:
    seen = np.zeros(adj.shape[0], dtype=np.bool_)
    seen[root] = True
    frontier = seen.copy()
    while frontier.any():
        nxt = adj[frontier].any(axis=0) & ~seen
        seen |= nxt
        frontier = nxt
    return seen


def _lsq_graph(
    n: int, a: npt.NDArray[np.int64], b: npt.NDArray[np.int64], val: F8, w: F8, ref: int
) -> F8:
    """Minimise sum w (x_a - x_b - val)^2 with x_ref = 0 (dense normal equations)."""
    lap = np.zeros((n, n))
    rhs = np.zeros(n)
    np.add.at(lap, (a, a), w)
    np.add.at(lap, (b, b), w)
    np.add.at(lap, (a, b), -w)
    np.add.at(lap, (b, a), -w)
    np.add.at(rhs, a, w * val)
    np.add.at(rhs, b, -w * val)
    lap[ref, :] = 0.0
    lap[:, ref] = 0.0
    lap[ref, ref] = 1.0
    rhs[ref] = 0.0
    # receivers with no pairs keep x = 0 (they are marked out of sync by the caller)
    empty = np.diag(lap) == 0
    lap[empty, empty] = 1.0
    out: F8 = np.asarray(np.linalg.solve(lap, rhs), dtype=np.float64)
    return out


def solve_network(
    filters: PairFilters,
    local_guess: F8,
    reference_now: float,
    jitter_floor_s: F8,
    exclude: B1 | None = None,
) -> ClockSolution:
    """Solve the network at one instant.

    ``local_guess``: each receiver's clock reading at the instant, roughly (from its anchored
    wall time; NaN for a receiver not heard yet); ``reference_now`` is unused for receivers
    other than the reference, whose reading defines the instant. ``jitter_floor_s``: the least
    timing standard deviation of each receiver (its clock kind)."""
    n = filters.n
    st = filters.state
    ia, ib = np.divmod(np.arange(n * n), n)
    upper = ia < ib
    sync = filters.in_sync() & upper
    sync &= np.isfinite(local_guess[ia]) & np.isfinite(local_guess[ib])
    if exclude is not None:
        sync &= ~exclude[ia] & ~exclude[ib]
    # stale pairs: unheard for long, measured on clock a
    age = np.maximum(local_guess[ia] - st.last, 0.0)
    sync &= age <= STALE_S
    p = np.flatnonzero(sync)
    if p.size == 0:
        return ClockSolution.none(n)
    a, b = ia[p], ib[p]
    counts = np.bincount(a, minlength=n) + np.bincount(b, minlength=n)
    ref = int(np.argmax(counts))
    adj = np.zeros((n, n), dtype=np.bool_)
    adj[a, b] = adj[b, a] = True
    comp = _component(adj, ref)
    keep = comp[a] & comp[b]
    p, a, b = p[keep], a[keep], b[keep]
    # a line evaluated AGE_SCALE_S after its last point is as good as one with twice the variance
    var = st.var[p] * (1.0 + (age[p] / AGE_SCALE_S) ** 2)
    w = 1.0 / var
    logr = _lsq_graph(n, a, b, -np.log1p(-st.b[p]), w, ref)
    # Seed offsets from the guesses, then settle them by evaluating each line at clock a's now.
    local = local_guess.copy()
    local[ref] = local_guess[ref] if np.isfinite(local_guess[ref]) else reference_now
    offs = np.zeros(n)
    for _ in range(ROUNDS):
        obs = filters.predict(p, local[a])
        offs = _lsq_graph(n, a, b, obs, w, ref)
        local = np.where(comp, local[ref] + offs, local_guess)
    obs = filters.predict(p, local[a])
    res = obs - (offs[a] - offs[b])
    ss = np.bincount(a, res * res, minlength=n) + np.bincount(b, res * res, minlength=n)
    cnt = np.bincount(a, minlength=n) + np.bincount(b, minlength=n)
    rms = np.where(cnt > 0, np.sqrt(ss / np.maximum(cnt, 1)), np.nan)
    synced = comp & (cnt > 0) & (np.nan_to_num(rms, nan=np.inf) <= MAX_RECEIVER_RESIDUAL_S)
    synced[ref] = bool(cnt[ref] > 0)
    # a receiver's timing: its arrival jitter, plus how far its pairs disagree with the network
    jitter = _receiver_sigma(n, a, b, var, jitter_floor_s)
    sigma = np.sqrt(jitter**2 + np.nan_to_num(rms, nan=0.0) ** 2)
    return ClockSolution(
        reference=ref,
        now_ref=float(local[ref]),
        local_now=local,
        rate=np.exp(logr),
        synced=synced,
        residual=rms,
        sigma=sigma,
        pairs=cnt.astype(np.int64),
    )


def _receiver_sigma(
    n: int, a: npt.NDArray[np.int64], b: npt.NDArray[np.int64], var: F8, floor: F8
) -> F8:
    """Per-receiver arrival standard deviation from pair variances: var_ab = v_a + v_b."""
    m = np.zeros((a.shape[0], n))
    rows = np.arange(a.shape[0])
    m[rows, a] = 1.0
    m[rows, b] = 1.0
    v, *_ = np.linalg.lstsq(m, var, rcond=None)
    # a receiver in one pair only cannot be told from its partner: give it half the pair
    half = np.full(n, np.nan)
    np.fmax.at(half, a, var / 2)
    np.fmax.at(half, b, var / 2)
    single = (np.bincount(a, minlength=n) + np.bincount(b, minlength=n)) < 2
    v = np.where(single, half, v)
    out: F8 = np.sqrt(np.maximum(np.nan_to_num(v, nan=MIN_VARIANCE_S2), floor**2))
    return out
