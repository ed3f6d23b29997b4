"""The plausibility gate of resolved positions: a position is accepted when it is reachable
from the aircraft's previous accepted one at a believable speed. A sequential fix-up runs only
for the aircraft where the vectorised check rejected something, so that a rejected position
never becomes a reference (readsb's speed check, same idea); and the CPR local decode it shares
with ``positions``.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt

from ..decode import cpr
from ..model import B1, F8
from ..runs import run_heads
from .groups import I8, dist_nm, dist_nm_one, pick, prev_index

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


@dataclass(frozen=True, slots=True)
class References:
    """How each row's position was decoded locally: its reference kind (``REF_*``) and the
    reference position (deg; NaN for a row not decoded locally)."""

    kind: npt.NDArray[np.int8]
    lat: F8
    lon: F8

    @classmethod
    def none(cls, n: int) -> References:
        """``n`` rows with positions given, none decoded locally."""
        return cls(np.full(n, REF_NONE, dtype=np.int8), np.full(n, np.nan), np.full(n, np.nan))


def gate_allowed_nm(dt: F8, both_surface: B1) -> F8:
    speed = np.where(both_surface, SURFACE_MAX_SPEED_KT, AIR_MAX_SPEED_KT)
    out: F8 = speed * (np.abs(dt) + GATE_SLACK_S) / 3600.0 + GATE_SLACK_NM
    return out


def gate_allowed_nm_one(dt: float, both_surface: bool) -> float:
    """``gate_allowed_nm`` of one row, bit for bit (the same IEEE operations), without
    numpy's scalar overhead: for the fix-up walk."""
    speed = SURFACE_MAX_SPEED_KT if both_surface else AIR_MAX_SPEED_KT
    return speed * (abs(dt) + GATE_SLACK_S) / 3600.0 + GATE_SLACK_NM


def local_decode(yz: Any, xz: Any, odd: Any, sfc: B1, r_lat: F8, r_lon: F8) -> tuple[F8, F8]:
    la_a, lo_a = cpr.airborne_local(yz, xz, odd, r_lat, r_lon)
    if not sfc.any():
        return la_a, lo_a
    la_s, lo_s = cpr.surface_local(yz, xz, odd, r_lat, r_lon)
    return np.where(sfc, la_s, la_a), np.where(sfc, lo_s, lo_a)


#: The carried "last rejected unambiguous fix" of ``gate_carrying``'s walk: columns (table
#: names) and the blank of each (none held).
REJECTED_COLUMNS: dict[str, tuple[str, Any]] = {
    "rej_lat": ("f8", np.nan),
    "rej_lon": ("f8", np.nan),
    "rej_t": ("f8", np.nan),
    "rej_sfc": ("?", False),
}


def gate_carrying(
    t: F8,
    g: I8,
    gstart: I8,
    lat: F8,
    lon: F8,
    resolved: B1,
    sfc: B1,
    kind_global: B1,
    refs: References,
    cpr_lat: Any,
    cpr_lon: Any,
    cpr_odd: Any,
    carry: dict[str, npt.NDArray[Any]],
) -> tuple[B1, dict[str, npt.NDArray[Any]]]:
    """Accept resolved positions that are reachable from the previous accepted one; and per
    group (``REJECTED_COLUMNS``) the last rejected unambiguous fix its walk holds at the
    group's end: carried to the next batch (``carry``'s, blank where it has
    none), so that two agreeing fixes either side of a step's end restart the aircraft's
    reference as they do inside one step."""
    ng = carry["lat"].shape[0]
    rej = {
        name: carry[name].copy() if name in carry else np.full(ng, blank, dtype=dtype)
        for name, (dtype, blank) in REJECTED_COLUMNS.items()
    }
    # an accepted position clears it: with no rejection, every group with a position does
    heard = g[resolved]
    for name, (_, blank) in REJECTED_COLUMNS.items():
        rej[name][heard] = blank
    prev = prev_index(resolved, gstart)
    p_lat = pick(lat, prev, carry["lat"][g])
    p_lon = pick(lon, prev, carry["lon"][g])
    p_t = pick(t, prev, carry["pos_t"][g])
    p_sfc = pick(sfc, prev, carry["pos_sfc"][g])
    fail = resolved & np.isfinite(p_lat) & _too_far(p_lat, p_lon, p_t, p_sfc, lat, lon, t, sfc)
    ok: B1 = resolved & ~fail
    if not fail.any():
        return ok, rej
    # A row decoded against its own reference that is the previous row's position as it stands
    # (or the carried one): re-decoded against that row once it is accepted it gives the same
    # position (the local decode is exact arithmetic), so it needs no walk either.
    own = refs.kind == REF_OWN
    same_ref = own & (refs.lat == p_lat) & (refs.lon == p_lon)
    _fix_up(t, g, lat, lon, resolved, fail, sfc, kind_global, refs, same_ref, cpr_lat, cpr_lon,
            cpr_odd, carry, ok, rej)  # fmt: skip
    return ok, rej


def _too_far(p_lat: F8, p_lon: F8, p_t: F8, p_sfc: B1, lat: F8, lon: F8, t: F8, sfc: B1) -> B1:
    """The whole-array check: each position farther from its reference (``p_*``) than the
    speed gate allows."""
    out: B1 = dist_nm(p_lat, p_lon, lat, lon) > gate_allowed_nm(t - p_t, p_sfc & sfc)
    return out


def gate_given(t: F8, g: I8, lat: F8, lon: F8) -> B1:
    """``gate_carrying`` of fresh aircraft (nothing carried in) whose every row has a given
    finite position (resolved, airborne, unambiguous, not decoded against a reference), over
    rows of sorted groups ``g``: the same verdicts, the whole-array check made on each row and
    the row before it as slices (the reference of a row is then the row before it in its
    group), not through ``prev_index`` and gathers of a row each; the fix-up walks the failing
    groups alone, as ``gate_carrying``'s."""
    m = t.shape[0]
    fail = np.zeros(m, dtype=np.bool_)
    if m > 1:
        sfc = np.zeros(m - 1, dtype=np.bool_)
        far = _too_far(lat[:-1], lon[:-1], t[:-1], sfc, lat[1:], lon[1:], t[1:], sfc)
        np.logical_and(far, g[1:] == g[:-1], out=fail[1:])  # the first of a group: no reference
    ok: B1 = ~fail
    if not fail.any():
        return ok
    yes, cpr = np.ones(m, dtype=np.bool_), np.full(m, -1, dtype=np.int32)
    ng = int(g[-1]) + 1
    carry = {"lat": np.full(ng, np.nan), "lon": np.full(ng, np.nan),
             "pos_t": np.full(ng, -np.inf), "pos_sfc": np.zeros(ng, dtype=np.bool_)}  # fmt: skip
    rej = {
        name: np.full(ng, blank, dtype=dtype) for name, (dtype, blank) in REJECTED_COLUMNS.items()
    }
    _fix_up(t, g, lat, lon, yes, fail, ~yes, yes, References.none(m), ~yes, cpr, cpr,
            cpr.astype(np.int8), carry, ok, rej)  # fmt: skip
    return ok


def _fix_up(
    t: F8, g: I8, lat: F8, lon: F8, resolved: B1, fail: B1, sfc: B1, kind_global: B1,
    refs: References, same_ref: B1, cpr_lat: Any, cpr_lon: Any, cpr_odd: Any,
    carry: dict[str, npt.NDArray[Any]], ok: B1, rej_end: dict[str, npt.NDArray[Any]],
) -> None:  # fmt: skip
    """``gate_carrying``'s sequential fix-up: ``ok``, ``lat`` and ``lon`` corrected in place for the
    aircraft (``g``: sorted groups) with a failure, from their first row and the last rejected
    fix ``carry`` holds; ``rej_end`` gets the one held at each such group's end."""
    # A row that passed the whole-array check against the row before it, when that row was
    # accepted as it stood, is accepted as it stands: only the stretches after a rejection, and
    # rows re-decoded against another reference than they were decoded with, are walked one
    # at a time.
    ref_kind = refs.kind
    plain = ~fail & ((ref_kind != REF_OWN) | same_ref)
    for grp, rows, stops in _walk_spans(g, fail, resolved, plain):
        n_rows, n_stops, at = len(rows), len(stops), 0  # ``stops[at]``: the first at or after ``j``
        a_lat, a_lon = float(carry["lat"][grp]), float(carry["lon"][grp])
        a_t, a_sfc = float(carry["pos_t"][grp]), bool(carry["pos_sfc"][grp])
        rej: tuple[float, float, float, bool] | None = None  # last rejected global fix
        if "rej_lat" in carry and not np.isnan(carry["rej_lat"][grp]):
            rej = (float(carry["rej_lat"][grp]), float(carry["rej_lon"][grp]),
                   float(carry["rej_t"][grp]), bool(carry["rej_sfc"][grp]))  # fmt: skip
        synced = True  # the anchor is what the whole-array check compared against
        j = 0
        while j < n_rows:
            while at < n_stops and stops[at] < j:
                at += 1
            if synced and (at == n_stops or stops[at] != j):  # row ``j`` is plain
                k = stops[at] if at < n_stops else n_rows
                r = rows[k - 1]
                a_lat, a_lon, a_t, a_sfc = float(lat[r]), float(lon[r]), float(t[r]), bool(sfc[r])
                # rows accepted as they stand: an accepted position clears the held rejected
                # fix, as each does one at a time below (only one carried in from the last
                # batch can be held here: one rejected in this walk leaves it unsynced)
                rej = None
                j = k
                continue
            r = rows[j]
            j += 1
            la, lo = float(lat[r]), float(lon[r])
            as_stood = True  # the row's position is the one the whole-array check used
            if ref_kind[r] == REF_OWN:
                # Re-decode against the last *accepted* position, never a rejected one.
                age_max = SURFACE_LOCAL_REF_MAX_S if sfc[r] else AIR_LOCAL_REF_MAX_S
                if np.isnan(a_lat) or t[r] - a_t > age_max:
                    ok[r], synced = False, False
                    continue
                if a_lat != refs.lat[r] or a_lon != refs.lon[r]:  # else: the same position
                    la, lo = _redecode(r, a_lat, a_lon, sfc, cpr_lat, cpr_lon, cpr_odd)
                    as_stood = la == lat[r] and lo == lon[r]
                    lat[r], lon[r] = la, lo
                if np.isnan(la):
                    ok[r], synced = False, False
                    continue
            t_r, sfc_r = float(t[r]), bool(sfc[r])
            good = math.isnan(a_lat) or dist_nm_one(a_lat, a_lon, la, lo) <= gate_allowed_nm_one(
                t_r - a_t, a_sfc and sfc_r
            )
            if not good and kind_global[r] and rej is not None:
                # Two consecutive unambiguous fixes agreeing with each other but not with the
                # reference: the reference was wrong; start again from them.
                good = dist_nm_one(rej[0], rej[1], la, lo) <= gate_allowed_nm_one(
                    t_r - rej[2], rej[3] and sfc_r
                )
            ok[r] = good
            synced = good and as_stood
            if good:
                a_lat, a_lon, a_t, a_sfc = la, lo, t_r, sfc_r
                rej = None
            elif kind_global[r]:
                rej = (la, lo, t_r, sfc_r)
        held = rej if rej is not None else (np.nan, np.nan, np.nan, False)
        for name, value in zip(REJECTED_COLUMNS, held, strict=True):
            rej_end[name][grp] = value


def _walk_spans(g: I8, fail: B1, resolved: B1, plain: B1) -> list[tuple[int, list[int], list[int]]]:
    """``_fix_up``'s groups: each failing group of the sorted ``g`` once (without
    ``np.unique``, which imports ``numpy.ma``, ~7 ms of an ingest's start-up), its resolved rows
    and the positions among them that are not ``plain`` (need a walk), for all groups by one
    search each (not a search per group and per stretch)."""
    failed = g[fail]
    grps = failed[run_heads(failed)]
    all_rows = np.flatnonzero(resolved)
    g_rows = g[all_rows]
    g_lo, g_hi = np.searchsorted(g_rows, grps), np.searchsorted(g_rows, grps, side="right")
    walk = np.flatnonzero(~plain[all_rows])
    w_lo, w_hi = np.searchsorted(walk, g_lo), np.searchsorted(walk, g_hi)
    spans = zip(grps.tolist(), g_lo.tolist(), g_hi.tolist(), w_lo.tolist(), w_hi.tolist(),
                strict=True)  # fmt: skip
    return [
        (grp, all_rows[a:b].tolist(), (walk[wa:wb] - a).tolist()) for grp, a, b, wa, wb in spans
    ]


def _redecode(
    r: int, a_lat: float, a_lon: float, sfc: B1, cpr_lat: Any, cpr_lon: Any, cpr_odd: Any
) -> tuple[float, float]:
    """Row ``r``'s position decoded locally against (``a_lat``, ``a_lon``): ``local_decode``
    of that one row (``cpr.local_one``, bit for bit)."""
    return cpr.local_one(int(cpr_lat[r]), int(cpr_lon[r]), int(cpr_odd[r]), a_lat, a_lon,
                         bool(sfc[r]))  # fmt: skip
