"""Position resolution for a sorted batch: CPR pairing, global/local decode, plausibility gate.

Pure core over arrays of rows sorted by (aircraft, time). Fast path fully vectorised; a small
sequential fix-up runs only for the aircraft where the gate rejected something, so that a
rejected position never becomes a reference (readsb's speed check, same idea).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt

from ..decode import cpr
from ..model import B1, F8, CprKind
from .groups import I8, dist_nm, ffill_index, pick, prev_index
from .places import Places, surface_by_places
from .table import CPR_CLASSES

#: Max age of the other half of an airborne even/odd pair, s (DO-260B / readsb: 10 s).
AIR_PAIR_MAX_S = 10.0
#: Surface pair max age, s: 50 s when moving slowly (<= 25 kt), else 25 s (as readsb).
SURFACE_PAIR_MAX_S = 25.0
SURFACE_PAIR_SLOW_MAX_S = 50.0
SURFACE_SLOW_KT = 25.0
#: Max age of an aircraft's own position used as a local-decode reference, s. Airborne zones
#: are 360 NM wide: at 1000 kt an aircraft moves 17 NM in 60 s, far inside half a zone.
AIR_LOCAL_REF_MAX_S = 60.0
#: Surface zones are 90 NM: a taxiing or just-landed aircraft stays within 45 NM for minutes.
SURFACE_LOCAL_REF_MAX_S = 300.0
#: Plausibility gate: fastest believable ground speed, kt. Surface 180 kt, not 100: rollout
#: after touchdown is reported in surface messages at up to ~160 kt.
AIR_MAX_SPEED_KT = 1000.0
SURFACE_MAX_SPEED_KT = 180.0
#: Slack for timestamp noise between receivers, s, and for CPR quantisation/jitter, NM.
GATE_SLACK_S = 1.0
GATE_SLACK_NM = 0.5
#: Local-decode reference kinds per row.
REF_NONE, REF_OWN, REF_RECEIVER = 0, 1, 2


@dataclass(slots=True)
class Resolved:
    """Per-row results (sorted order) and per-group CPR memory to carry to the next batch."""

    lat: F8  # accepted position, NaN where none
    lon: F8
    ok: B1  # position accepted by the gate
    surface: B1  # row is a surface position message
    implausible: B1  # resolved, but rejected by the gate
    bad: B1  # a decode was possible (pair or reference) but failed
    waiting: int  # unresolved for want of a pair or reference (not an error)
    cpr_end: dict[str, npt.NDArray[Any]]  # per group: air0_lat, air0_lon, air0_t, ...


def _gate_allowed_nm(dt: F8, both_surface: B1) -> F8:
    speed = np.where(both_surface, SURFACE_MAX_SPEED_KT, AIR_MAX_SPEED_KT)
    out: F8 = speed * (np.abs(dt) + GATE_SLACK_S) / 3600.0 + GATE_SLACK_NM
    return out


def resolve(
    t: F8,
    g: I8,
    ng: int,
    cpr_kind: npt.NDArray[np.uint8],
    cpr_odd: npt.NDArray[np.int8],
    cpr_lat: npt.NDArray[np.int32],
    cpr_lon: npt.NDArray[np.int32],
    given_lat: F8,
    given_lon: F8,
    groundspeed: F8,
    carry: dict[str, npt.NDArray[Any]],
    reference: tuple[float, float] | None,
    places: Places | None = None,
) -> Resolved:
    """Resolve every position row of a batch sorted by (group, time); ``g`` is each row's
    group (0..ng-1) and ``carry`` holds per-group state (table columns). Only the position
    rows are worked on."""
    n = t.shape[0]
    is_cpr = (cpr_kind != CprKind.NONE) & (cpr_lat >= 0) & (cpr_lon >= 0) & (cpr_odd >= 0)
    given = ~is_cpr & np.isfinite(given_lat) & np.isfinite(given_lon)
    p = np.flatnonzero(is_cpr | given)
    gp = g[p]
    start = np.ones(p.shape[0], dtype=np.bool_)
    start[1:] = gp[1:] != gp[:-1]
    gstart = np.maximum.accumulate(np.where(start, np.arange(p.shape[0]), 0)) if p.size else p
    gend = np.full(ng, -1, dtype=np.int64)
    if p.size:
        gend = np.searchsorted(gp, np.arange(ng), side="right") - 1
        gend[(gend < 0) | (gp[np.maximum(gend, 0)] != np.arange(ng))] = -1
    sub = _resolve_rows(
        t[p],
        gp,
        gstart,
        gend,
        cpr_kind[p],
        cpr_odd[p],
        cpr_lat[p],
        cpr_lon[p],
        given_lat[p],
        given_lon[p],
        groundspeed[p],
        carry,
        reference,
        places,
    )
    lat = np.full(n, np.nan)
    lon = np.full(n, np.nan)
    ok = np.zeros(n, dtype=np.bool_)
    surface = np.zeros(n, dtype=np.bool_)
    implausible = np.zeros(n, dtype=np.bool_)
    bad = np.zeros(n, dtype=np.bool_)
    lat[p], lon[p], ok[p], surface[p] = sub.lat, sub.lon, sub.ok, sub.surface
    implausible[p], bad[p] = sub.implausible, sub.bad
    return Resolved(lat, lon, ok, surface, implausible, bad, sub.waiting, sub.cpr_end)


def _resolve_rows(
    t: F8,
    g: I8,
    gstart: I8,
    gend: I8,
    cpr_kind: npt.NDArray[np.uint8],
    cpr_odd: npt.NDArray[np.int8],
    cpr_lat: npt.NDArray[np.int32],
    cpr_lon: npt.NDArray[np.int32],
    given_lat: F8,
    given_lon: F8,
    groundspeed: F8,
    carry: dict[str, npt.NDArray[Any]],
    reference: tuple[float, float] | None,
    places: Places | None = None,
) -> Resolved:
    n = t.shape[0]
    is_cpr = (cpr_kind != CprKind.NONE) & (cpr_lat >= 0) & (cpr_lon >= 0) & (cpr_odd >= 0)
    sfc = is_cpr & (cpr_kind == CprKind.SURFACE)
    odd = cpr_odd == 1
    given = ~is_cpr & np.isfinite(given_lat) & np.isfinite(given_lon)
    cls = np.where(sfc, 2, 0) + odd.astype(np.int64)
    cls[~is_cpr] = -1

    # Pairing: latest message of each class at or before every row (this batch, then carried).
    ff = [ffill_index(cls == c, gstart) for c in range(4)]
    cpr_end: dict[str, npt.NDArray[Any]] = {}
    for c, name in enumerate(CPR_CLASSES):
        at_end = np.where(gend >= 0, ff[c][np.maximum(gend, 0)], -1) if n else gend
        cpr_end[name + "_lat"] = pick(cpr_lat, at_end, carry[name + "_lat"])
        cpr_end[name + "_lon"] = pick(cpr_lon, at_end, carry[name + "_lon"])
        cpr_end[name + "_t"] = pick(t, at_end, carry[name + "_t"])
    p_lat = np.full(n, -1, dtype=np.int64)
    p_lon = np.full(n, -1, dtype=np.int64)
    p_t = np.full(n, -np.inf)
    for c, name in enumerate(CPR_CLASSES):
        rows = cls == (c ^ 1)  # rows whose partner class is c
        if not rows.any():
            continue
        idx = ff[c][rows]
        gi = g[rows]
        p_lat[rows] = pick(cpr_lat, idx, carry[name + "_lat"][gi])
        p_lon[rows] = pick(cpr_lon, idx, carry[name + "_lon"][gi])
        p_t[rows] = pick(t, idx, carry[name + "_t"][gi])
    slow = groundspeed <= SURFACE_SLOW_KT
    window = np.where(sfc, np.where(slow, SURFACE_PAIR_SLOW_MAX_S, SURFACE_PAIR_MAX_S), 0.0)
    window = np.where(is_cpr & ~sfc, AIR_PAIR_MAX_S, window)
    paired = is_cpr & (p_lat >= 0) & (t - p_t <= window)
    e_lat = np.where(odd, p_lat, cpr_lat)
    e_lon = np.where(odd, p_lon, cpr_lon)
    o_lat = np.where(odd, cpr_lat, p_lat)
    o_lon = np.where(odd, cpr_lon, p_lon)

    lat = np.where(given, given_lat, np.nan)
    lon = np.where(given, given_lon, np.nan)
    kind_global = given.copy()  # "global": unambiguous without a reference
    air_pair = np.flatnonzero(paired & ~sfc)
    if air_pair.size:
        la, lo = cpr.airborne_global(
            e_lat[air_pair], e_lon[air_pair], o_lat[air_pair], o_lon[air_pair], odd[air_pair]
        )
        lat[air_pair], lon[air_pair] = la, lo
        kind_global[air_pair] = np.isfinite(la)
    sfc_pair = np.flatnonzero(paired & sfc)
    if sfc_pair.size:
        # Quadrant reference: own position, else the receiver, else own airborne position.
        gi = g[sfc_pair]
        r_lat, r_lon = carry["lat"][gi].copy(), carry["lon"][gi].copy()
        if reference is not None:
            miss = np.isnan(r_lat)
            r_lat[miss], r_lon[miss] = reference
        miss = np.isnan(r_lat)
        r_lat[miss], r_lon[miss] = carry["air_lat"][gi][miss], carry["air_lon"][gi][miss]
        known = np.isfinite(lat)
        idx = ffill_index(known, gstart)[sfc_pair]
        r_lat, r_lon = pick(lat, idx, r_lat), pick(lon, idx, r_lon)
        la, lo = cpr.surface_global(
            e_lat[sfc_pair],
            e_lon[sfc_pair],
            o_lat[sfc_pair],
            o_lon[sfc_pair],
            odd[sfc_pair],
            r_lat,
            r_lon,
        )
        if places is not None:
            # no reference at all: the candidate at a known airport (track/places.py)
            blind = np.flatnonzero(np.isnan(r_lat))
            if blind.size:
                rows = sfc_pair[blind]
                la[blind], lo[blind] = surface_by_places(
                    e_lat[rows], e_lon[rows], o_lat[rows], o_lon[rows], odd[rows], places
                )
        lat[sfc_pair], lon[sfc_pair] = la, lo
        kind_global[sfc_pair] = np.isfinite(la)

    # Local decode against the aircraft's latest position (this batch or carried), repeated
    # while it resolves more rows (chains of single-parity messages).
    ref_kind = np.zeros(n, dtype=np.int8)
    for _ in range(4):
        todo = is_cpr & np.isnan(lat)
        if not todo.any():
            break
        known = np.isfinite(lat)
        idx = prev_index(known, gstart)
        gi = g
        r_lat = pick(lat, idx, carry["lat"][gi])
        r_lon = pick(lon, idx, carry["lon"][gi])
        r_t = pick(t, idx, carry["pos_t"][gi])
        age = t - r_t
        use = (
            todo
            & np.isfinite(r_lat)
            & (age <= np.where(sfc, SURFACE_LOCAL_REF_MAX_S, AIR_LOCAL_REF_MAX_S))
        )
        rk = np.where(use, REF_OWN, REF_NONE).astype(np.int8)
        if reference is not None:
            rcv = todo & sfc & ~use
            r_lat = np.where(rcv, reference[0], r_lat)
            r_lon = np.where(rcv, reference[1], r_lon)
            rk[rcv] = REF_RECEIVER
            use = use | rcv
        rows = np.flatnonzero(use)
        if rows.size == 0:
            break
        la, lo = _local(
            cpr_lat[rows], cpr_lon[rows], cpr_odd[rows], sfc[rows], r_lat[rows], r_lon[rows]
        )
        lat[rows], lon[rows] = la, lo
        ref_kind[rows] = rk[rows]
        if not np.isfinite(la).any():
            break
    resolved = np.isfinite(lat)
    attempted = paired | (ref_kind != REF_NONE)
    bad = is_cpr & ~resolved & attempted
    waiting = int(np.count_nonzero(is_cpr & ~resolved & ~attempted))

    ok = _gate(
        t,
        g,
        gstart,
        lat,
        lon,
        resolved,
        sfc,
        kind_global,
        ref_kind,
        cpr_lat,
        cpr_lon,
        cpr_odd,
        carry,
    )
    implausible = resolved & ~ok
    out_lat = np.where(ok, lat, np.nan)
    out_lon = np.where(ok, lon, np.nan)
    return Resolved(out_lat, out_lon, ok, sfc, implausible, bad, waiting, cpr_end)


def _local(yz: Any, xz: Any, odd: Any, sfc: B1, r_lat: F8, r_lon: F8) -> tuple[F8, F8]:
    la_a, lo_a = cpr.airborne_local(yz, xz, odd, r_lat, r_lon)
    if not sfc.any():
        return la_a, lo_a
    la_s, lo_s = cpr.surface_local(yz, xz, odd, r_lat, r_lon)
    return np.where(sfc, la_s, la_a), np.where(sfc, lo_s, lo_a)


def _gate(
    t: F8,
    g: I8,
    gstart: I8,
    lat: F8,
    lon: F8,
    resolved: B1,
    sfc: B1,
    kind_global: B1,
    ref_kind: npt.NDArray[np.int8],
    cpr_lat: Any,
    cpr_lon: Any,
    cpr_odd: Any,
    carry: dict[str, npt.NDArray[Any]],
) -> B1:
    """Accept resolved positions that are reachable from the previous accepted one."""
    prev = prev_index(resolved, gstart)
    p_lat = pick(lat, prev, carry["lat"][g])
    p_lon = pick(lon, prev, carry["lon"][g])
    p_t = pick(t, prev, carry["pos_t"][g])
    p_sfc = pick(sfc, prev, carry["pos_sfc"][g])
    has_prev = np.isfinite(p_lat)
    d = dist_nm(p_lat, p_lon, lat, lon)
    fail = resolved & has_prev & (d > _gate_allowed_nm(t - p_t, p_sfc & sfc))
    ok: B1 = resolved & ~fail
    if not fail.any():
        return ok
    _fix_up(t, g, lat, lon, resolved, fail, sfc, kind_global, ref_kind, cpr_lat, cpr_lon, cpr_odd,
            carry, ok)  # fmt: skip
    return ok


def _fix_up(
    t: F8, g: I8, lat: F8, lon: F8, resolved: B1, fail: B1, sfc: B1, kind_global: B1,
    ref_kind: npt.NDArray[np.int8], cpr_lat: Any, cpr_lon: Any, cpr_odd: Any,
    carry: dict[str, npt.NDArray[Any]], ok: B1,
) -> None:  # fmt: skip
    """``_gate``'s sequential fix-up: ``ok``, ``lat`` and ``lon`` corrected in place for the
    aircraft (``g``: sorted groups) with a failure, from their first row."""
    # A row that
    # passed the whole-array check against the row before it, when that row was accepted as
    # it stood, is accepted as it stands: only the stretches after a rejection, and rows
    # re-decoded against their own reference, are walked one at a time.
    plain = ~fail & (ref_kind != REF_OWN)
    for grp in np.unique(g[fail]).tolist():
        lo_hi = np.searchsorted(g, [grp, grp + 1])
        span = np.arange(lo_hi[0], lo_hi[1])
        rows = span[resolved[span]]
        stops = np.flatnonzero(~plain[rows])  # positions in ``rows`` that need a walk
        a_lat, a_lon = float(carry["lat"][grp]), float(carry["lon"][grp])
        a_t, a_sfc = float(carry["pos_t"][grp]), bool(carry["pos_sfc"][grp])
        rej: tuple[float, float, float, bool] | None = None  # last rejected global fix
        synced = True  # the anchor is what the whole-array check compared against
        j = 0
        while j < rows.shape[0]:
            if synced and plain[rows[j]]:
                at = int(np.searchsorted(stops, j))
                k = int(stops[at]) if at < stops.shape[0] else rows.shape[0]
                r = int(rows[k - 1])
                a_lat, a_lon, a_t, a_sfc = float(lat[r]), float(lon[r]), float(t[r]), bool(sfc[r])
                j = k
                continue
            r = int(rows[j])
            j += 1
            la, lo = float(lat[r]), float(lon[r])
            if ref_kind[r] == REF_OWN:
                # Re-decode against the last *accepted* position, never a rejected one.
                synced = False
                age_max = SURFACE_LOCAL_REF_MAX_S if sfc[r] else AIR_LOCAL_REF_MAX_S
                if np.isnan(a_lat) or t[r] - a_t > age_max:
                    ok[r] = False
                    continue
                la_a, lo_a = _local(
                    cpr_lat[r : r + 1],
                    cpr_lon[r : r + 1],
                    cpr_odd[r : r + 1],
                    sfc[r : r + 1],
                    np.array([a_lat]),
                    np.array([a_lon]),
                )
                la, lo = float(la_a[0]), float(lo_a[0])
                lat[r], lon[r] = la, lo
                if np.isnan(la):
                    ok[r] = False
                    continue
            good = np.isnan(a_lat) or bool(
                dist_nm(a_lat, a_lon, la, lo)
                <= _gate_allowed_nm(np.array(t[r] - a_t), np.array(a_sfc and sfc[r]))
            )
            if not good and kind_global[r] and rej is not None:
                # Two consecutive unambiguous fixes agreeing with each other but not with the
                # reference: the reference was wrong; start again from them.
                good = bool(
                    dist_nm(rej[0], rej[1], la, lo)
                    <= _gate_allowed_nm(np.array(t[r] - rej[2]), np.array(rej[3] and sfc[r]))
                )
            ok[r] = good
            synced = good and ref_kind[r] != REF_OWN
            if good:
                a_lat, a_lon, a_t, a_sfc = la, lo, float(t[r]), bool(sfc[r])
                rej = None
            elif kind_global[r]:
                rej = (la, lo, float(t[r]), bool(sfc[r]))
