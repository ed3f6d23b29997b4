"""The multilateration engine: frames of several receivers in, position fixes out.

One ``process`` call handles a window of frames (all receivers, any order):

1. each frame's receiver clock reading (``timebase``) and its network time (the clock solution
   of the previous window; the anchored wall clock for receivers not in sync yet);
2. copies of one transmission are grouped (``grouping``); the caller decodes one copy of each
   (``decode`` callback: address, altitude and, for ADS-B position frames, the position);
3. every ADS-B airborne position heard by two or more receivers is a sync point for each pair
   (``pairs``), and the network is solved (``network``);
4. every other transmission of an aircraft with no ADS-B position of its own in the last
   ``ADSB_RECENT_S`` seconds, heard by >= 4 receivers in sync (>= 3 with its Mode S altitude),
   is solved (``solver``), and passed through that aircraft's tracking filter (``tracking``).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from ..model import F8, U1, U8
from ..runs import run_heads
from .geodesy import C_AIR_M_S, M_PER_FT, ecef_to_llh, llh_to_ecef
from .grouping import Groups, group, pairs_within
from .network import ClockSolution, solve_network
from .pairs import PairFilters
from .receivers import ClockKind, ReceiverSite
from .solver import REASONS, Fixes, solve
from .timebase import Timebase
from .tracking import TrackFilter

I8 = npt.NDArray[np.int64]
B1 = npt.NDArray[np.bool_]
#: An aircraft that sent an ADS-B position this recently is not multilaterated, s.
ADSB_RECENT_S = 30.0
#: Mode S altitude older than this is not used as a constraint, s.
ALTITUDE_MAX_AGE_S = 15.0
#: Least timing standard deviation per clock kind, s (12 MHz: the 83 ns step / sqrt(12)).
JITTER_FLOOR_S = {ClockKind.COUNTER_12MHZ: 24e-9, ClockKind.GPS: 10e-9}
#: What is known of an aircraft (ADS-B seen, altitude, track) is dropped after this long, s.
FORGET_S = 600.0
#: Most receivers used in one fix (the earliest copies).
MAX_RECEIVERS = 12


@dataclass(slots=True)
class Decoded:
    """What the caller decoded from each group's representative frame."""

    icao24: npt.NDArray[np.uint32]  # 0: no address
    adsb_position: B1  # an ADS-B airborne position frame with a resolved position
    lat: F8  # its position (NaN elsewhere)
    lon: F8
    altitude_ft: F8  # barometric altitude carried by the frame (NaN: none)


@dataclass(slots=True)
class MlatFixes:
    """Accepted multilateration positions, one per solved transmission."""

    timestamp: F8  # unix s
    icao24: npt.NDArray[np.uint32]
    lat: F8
    lon: F8
    altitude_ft: F8  # the Mode S altitude used (NaN: solved height only)
    height_m: F8  # solved geodetic height
    error_m: F8  # 95 % horizontal radius
    receivers: npt.NDArray[np.int64]

    def __len__(self) -> int:
        return int(self.timestamp.shape[0])

    @classmethod
    def empty(cls) -> MlatFixes:
        z = np.zeros(0)
        return cls(z, z.astype(np.uint32), z, z, z, z, z, z.astype(np.int64))


DecodeFn = Callable[[I8, F8], Decoded]


class Engine:
    """Stateful multilateration over a receiver network (one per feed set)."""

    def __init__(self, sites: tuple[ReceiverSite, ...], *, track: bool = True) -> None:
        self.sites = sites
        self.n = len(sites)
        self.ecef = np.array([s.ecef for s in sites]).reshape(self.n, 3)
        self.timebase = Timebase(sites)
        self.filters = PairFilters(self.n)
        self.floor = np.array([JITTER_FLOOR_S[s.clock] for s in sites])
        self.solution = ClockSolution.none(self.n)
        self.tracker = TrackFilter() if track else None
        self.counters: Counter[str] = Counter()
        self.last_local = np.full(self.n, np.nan)
        self.last_est = np.full(self.n, np.nan)
        self._adsb_seen: dict[int, float] = {}
        self._altitude: dict[int, tuple[float, float]] = {}
        self._ref_anchor: tuple[int, float, float] | None = None  # (ref, local, unix)
        self._forgot_at = -np.inf

    def clock_stats(self) -> list[dict[str, object]]:
        """Per-receiver clock sync for /api/stats: offset (s) and drift (ppm) against the
        reference receiver, RMS residual of its pairs (ns), pairs in sync, used for fixes."""
        sol = self.solution
        out: list[dict[str, object]] = []
        for i, site in enumerate(self.sites):
            synced = bool(sol.synced[i])
            offset = float(sol.local_now[i] - sol.now_ref) if sol.reference >= 0 else None
            out.append(
                {
                    "receiver": site.name,
                    "id": site.id,
                    "clock": site.clock.label,
                    "reference": i == sol.reference,
                    "synced": synced,
                    "offset_s": offset if offset is not None and np.isfinite(offset) else None,
                    "drift_ppm": round((float(sol.rate[i]) - 1.0) * 1e6, 4),
                    "residual_ns": _ns(sol.residual[i]),
                    "sigma_ns": _ns(sol.sigma[i]),
                    "pairs_in_sync": int(sol.pairs[i]),
                }
            )
        return out

    # -- times ------------------------------------------------------------------------------
    def network_time(self, rx: I8, local: F8, coarse: F8) -> F8:
        """Wall-clock time on the network timebase where the receiver is in sync."""
        sol = self.solution
        if sol.reference < 0 or self._ref_anchor is None:
            return coarse
        _, a_local, a_unix = self._ref_anchor
        t_ref = sol.to_reference(rx, local)
        out: F8 = np.where(sol.synced[rx], a_unix + (t_ref - a_local), coarse)
        return out

    def _set_reference(self) -> None:
        sol = self.solution
        ref = sol.reference
        if self._ref_anchor is not None and self._ref_anchor[0] == ref:
            return
        a_local = float(self.timebase.anchor_local[ref])
        a_unix = float(self.timebase.anchor_coarse[ref])
        self._ref_anchor = (ref, a_local, a_unix)

    # -- one window -------------------------------------------------------------------------
    def clocks(
        self, rx: I8, ticks: U8, given_t: F8, previous: float | None = None
    ) -> tuple[F8, F8]:
        """(receiver clock s, anchored wall-clock s) of one stream's frames in stream order;
        ``previous``: that stream's last wall-clock time so far. Call once per frame."""
        local = self.timebase.local(rx, ticks)
        return local, self.timebase.coarse(rx, local, given_t, previous)

    def process(
        self, rx: I8, local: F8, coarse: F8, data: U1, length: U1, decode: DecodeFn
    ) -> MlatFixes:
        """Handle one window of frames (from ``clocks``); ``decode`` is called once with the
        representative rows of the groups and their network times, and must return a
        ``Decoded`` for them (in that order)."""
        if rx.shape[0] == 0:
            return MlatFixes.empty()
        est = self.network_time(rx, local, coarse)
        df17 = (data[:, 0] >> 3) == 17
        tc = data[:, 4] >> 3
        unique = df17 & (tc >= 9) & (tc <= 18)
        groups = group(data, length, est, rx, unique)
        self.counters["frames"] += int(rx.shape[0])
        self.counters["duplicates"] += groups.duplicates
        info = decode(groups.first, est[groups.first])
        self._remember(groups, info, est)
        self._sync(groups, info, rx, local)
        last = np.full(self.n, -1)
        np.maximum.at(last, rx, np.arange(rx.shape[0]))
        heard = last >= 0
        self.last_local[heard] = local[last[heard]]
        self.last_est[heard] = est[last[heard]]
        now = float(np.nanmax(est))
        guess = self._local_now(now)
        self.solution = solve_network(self.filters, guess, float(guess[0]), self.floor)
        if self.solution.reference >= 0:
            self._set_reference()
        self._forget(now)
        return self._fixes(groups, info, rx, local, est)

    def _forget(self, now: float) -> None:
        """Drop what is known of aircraft unheard for ``FORGET_S`` (bounded memory when live)."""
        if now - self._forgot_at < FORGET_S:
            return
        self._forgot_at = now
        old = now - FORGET_S
        self._adsb_seen = {k: t for k, t in self._adsb_seen.items() if t >= old}
        self._altitude = {k: v for k, v in self._altitude.items() if v[0] >= old}
        if self.tracker is not None:
            self.tracker.forget_before(now)

    def _local_now(self, now: float) -> F8:
        out: F8 = self.last_local + (now - self.last_est)
        return out

    def _remember(self, groups: Groups, info: Decoded, est: F8) -> None:
        t = est[groups.first]
        for i in np.flatnonzero(info.adsb_position).tolist():
            self._adsb_seen[int(info.icao24[i])] = float(t[i])
        has_alt = np.flatnonzero(np.isfinite(info.altitude_ft) & (info.icao24 != 0))
        for i in has_alt.tolist():
            self._altitude[int(info.icao24[i])] = (float(t[i]), float(info.altitude_ft[i]))

    # -- clock sync -------------------------------------------------------------------------
    def _sync(self, groups: Groups, info: Decoded, rx: I8, local: F8) -> None:
        ok = info.adsb_position & np.isfinite(info.lat) & np.isfinite(info.altitude_ft)
        ok &= groups.size >= 2
        member = ok[groups.group]
        if not member.any():
            return
        gi = groups.group
        pos = llh_to_ecef(info.lat, info.lon, info.altitude_ft * M_PER_FT)
        rows = groups.order
        rng = np.linalg.norm(pos[gi] - self.ecef[rx[rows]], axis=1)
        e = local[rows] - rng / C_AIR_M_S  # transmission time on each receiver's clock
        i, j = pairs_within(groups, member)
        ra, rb = rx[rows[i]], rx[rows[j]]
        swap = ra > rb
        a = np.where(swap, rb, ra)
        b = np.where(swap, ra, rb)
        ea = np.where(swap, e[j], e[i])
        eb = np.where(swap, e[i], e[j])
        acc, rej = self.filters.add(a, b, ea, ea - eb)
        self.counters["sync_points"] += int(np.count_nonzero(ok))
        self.counters["sync_accepted"] += acc
        self.counters["sync_rejected"] += rej

    # -- fixes ------------------------------------------------------------------------------
    def _candidates(self, groups: Groups, info: Decoded, est: F8) -> I8:
        t = est[groups.first]
        cand = []
        for g in np.flatnonzero((info.icao24 != 0) & ~info.adsb_position).tolist():
            seen = self._adsb_seen.get(int(info.icao24[g]))
            if seen is None or t[g] - seen > ADSB_RECENT_S:
                cand.append(g)
        return np.array(cand, dtype=np.int64)

    def _fixes(self, groups: Groups, info: Decoded, rx: I8, local: F8, est: F8) -> MlatFixes:
        sol = self.solution
        if sol.reference < 0:
            return MlatFixes.empty()
        cand = self._candidates(groups, info, est)
        if cand.size == 0:
            return MlatFixes.empty()
        rows = groups.order
        synced = sol.synced[rx[rows]]
        keep_g = np.zeros(len(groups), dtype=np.bool_)
        keep_g[cand] = True
        use = synced & keep_g[groups.group]
        cnt = np.bincount(groups.group[use], minlength=len(groups))
        alt = self._altitudes(groups, info, est)
        enough = (cnt >= 4) | ((cnt >= 3) & np.isfinite(alt))
        sel = np.flatnonzero(enough & keep_g)
        self.counters["fix_candidates"] += int(cand.size)
        self.counters["fix_too_few_receivers"] += int(cand.size - sel.size)
        if sel.size == 0:
            return MlatFixes.empty()
        k = min(int(cnt[sel].max()), MAX_RECEIVERS)
        pos_in = np.full(len(groups), -1, dtype=np.int64)
        pos_in[sel] = np.arange(sel.size)
        e = np.flatnonzero(use & (pos_in[groups.group] >= 0))
        ge = groups.group[e]
        new = run_heads(ge)
        at = np.arange(e.shape[0])
        slot = at - np.maximum.accumulate(np.where(new, at, 0))
        fit = slot < k
        e, slot = e[fit], slot[fit]
        fi = pos_in[groups.group[e]]
        r = rx[rows[e]]
        n_fix = sel.size
        sites = np.zeros((n_fix, k, 3))
        times = np.zeros((n_fix, k))
        sigma = np.ones((n_fix, k))
        mask = np.zeros((n_fix, k), dtype=np.bool_)
        sites[fi, slot] = self.ecef[r]
        times[fi, slot] = sol.to_reference(r, local[rows[e]])
        sigma[fi, slot] = sol.sigma[r]
        mask[fi, slot] = True
        t_fix = est[groups.first[sel]]
        icao = info.icao24[sel]
        start = self._starts(icao, t_fix)
        alt_m = alt[sel] * M_PER_FT
        fx = solve(sites, times, sigma, mask, alt_m, start)
        for code, n_bad in enumerate(np.bincount(fx.reason, minlength=len(REASONS)).tolist()):
            if code:
                self.counters["fix_refused_" + REASONS[code]] += n_bad
        return self._track(fx, icao, t_fix, alt[sel], mask.sum(axis=1))

    def _altitudes(self, groups: Groups, info: Decoded, est: F8) -> F8:
        t = est[groups.first]
        out = info.altitude_ft.copy()
        for g in np.flatnonzero(~np.isfinite(out) & (info.icao24 != 0)).tolist():
            last = self._altitude.get(int(info.icao24[g]))
            if last is not None and abs(t[g] - last[0]) <= ALTITUDE_MAX_AGE_S:
                out[g] = last[1]
        return out

    def _starts(self, icao: npt.NDArray[np.uint32], t: F8) -> F8:
        """The tracking filter's prediction where there is a track; NaN rows: search."""
        start = np.full((icao.shape[0], 3), np.nan)
        if self.tracker is not None:
            for i in range(icao.shape[0]):
                p = self.tracker.predict(int(icao[i]), float(t[i]))
                if p is not None:
                    start[i] = p
        return start

    def _track(self, fx: Fixes, icao: npt.NDArray[np.uint32], t: F8, alt: F8, k: I8) -> MlatFixes:
        ok = np.flatnonzero(fx.ok)
        self.counters["fixes_solved"] += int(ok.size)
        out_pos = fx.ecef[ok].copy()
        out_err = fx.error_m[ok].copy()
        keep = np.ones(ok.size, dtype=np.bool_)
        if self.tracker is not None:
            order = np.argsort(t[ok], kind="stable")
            for j in order.tolist():
                i = int(ok[j])
                res = self.tracker.update(
                    int(icao[i]), float(t[i]), fx.ecef[i], float(fx.error_m[i])
                )
                if res is None:
                    keep[j] = False
                else:
                    out_pos[j], out_err[j] = res
            self.counters["fix_rejected_by_track"] += int(np.count_nonzero(~keep))
        ok, out_pos, out_err = ok[keep], out_pos[keep], out_err[keep]
        lat, lon, hgt = ecef_to_llh(out_pos)
        self.counters["fixes"] += int(ok.size)
        return MlatFixes(
            timestamp=t[ok],
            icao24=icao[ok],
            lat=lat,
            lon=lon,
            altitude_ft=alt[ok],
            height_m=hgt,
            error_m=out_err,
            receivers=k[ok].astype(np.int64),
        )


def _ns(seconds: float) -> float | None:
    return round(float(seconds) * 1e9, 1) if np.isfinite(seconds) else None
