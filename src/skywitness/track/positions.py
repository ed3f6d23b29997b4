"""Position resolution for a sorted batch: CPR pairing, global/local decode, plausibility gate.

Pure core over arrays of rows sorted by (aircraft, time). Fast path fully vectorised; a small
sequential fix-up runs only for the aircraft where the gate rejected something, so that a
rejected position never becomes a reference (readsb's speed check, same idea): the gate and the
local decode are ``position_gate``'s.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt

from ..decode import cpr
from ..model import B1, F8, CprKind
from ..runs import run_heads
from .groups import I8, ffill_index, pick, prev_index
from .places import Places, surface_by_places
from .position_gate import (
    AIR_LOCAL_REF_MAX_S,
    REF_NONE,
    REF_OWN,
    REF_RECEIVER,
    SURFACE_LOCAL_REF_MAX_S,
    References,
    gate_carrying,
    local_decode,
)
from .table import CPR_CLASSES

#: Max age of the other half of an airborne even/odd pair, s (DO-260B / readsb: 10 s).
AIR_PAIR_MAX_S = 10.0
#: Surface pair max age, s: 50 s when moving slowly (<= 25 kt), else 25 s (as readsb).
SURFACE_PAIR_MAX_S = 25.0
SURFACE_PAIR_SLOW_MAX_S = 50.0
SURFACE_SLOW_KT = 25.0


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
    rej_end: dict[str, npt.NDArray[Any]]  # per group: the gate's last rejected fix (rej_lat ...)


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
    start = run_heads(gp)
    gstart = np.maximum.accumulate(np.where(start, np.arange(p.shape[0]), 0)) if p.size else p
    gend = np.full(ng, -1, dtype=np.int64)
    if p.size:
        gend = np.searchsorted(gp, np.arange(ng), side="right") - 1
        gend[(gend < 0) | (gp[np.maximum(gend, 0)] != np.arange(ng))] = -1
    r = _Rows.of(t[p], gp, gstart, gend, cpr_kind[p], cpr_odd[p], cpr_lat[p], cpr_lon[p])
    sub = _resolve_rows(r, given_lat[p], given_lon[p], groundspeed[p], carry, reference, places)
    lat = np.full(n, np.nan)
    lon = np.full(n, np.nan)
    ok = np.zeros(n, dtype=np.bool_)
    surface = np.zeros(n, dtype=np.bool_)
    implausible = np.zeros(n, dtype=np.bool_)
    bad = np.zeros(n, dtype=np.bool_)
    lat[p], lon[p], ok[p], surface[p] = sub.lat, sub.lon, sub.ok, sub.surface
    implausible[p], bad[p] = sub.implausible, sub.bad
    return Resolved(lat, lon, ok, surface, implausible, bad, sub.waiting, sub.cpr_end, sub.rej_end)


def _resolve_rows(
    r: _Rows,
    given_lat: F8,
    given_lon: F8,
    groundspeed: F8,
    carry: dict[str, npt.NDArray[Any]],
    reference: tuple[float, float] | None,
    places: Places | None,
) -> Resolved:
    is_cpr, sfc = r.is_cpr, r.sfc
    cpr_end, pair = _pairs(r, groundspeed, carry)
    given = ~is_cpr & np.isfinite(given_lat) & np.isfinite(given_lon)
    lat = np.where(given, given_lat, np.nan)
    lon = np.where(given, given_lon, np.nan)
    kind_global = given.copy()  # "global": unambiguous without a reference
    _global(r, pair, lat, lon, kind_global, carry, reference, places)
    refs = _local_passes(r, lat, lon, carry, reference)
    resolved = np.isfinite(lat)
    attempted = pair.paired | (refs.kind != REF_NONE)
    bad = is_cpr & ~resolved & attempted
    waiting = int(np.count_nonzero(is_cpr & ~resolved & ~attempted))
    ok, rej_end = gate_carrying(
        r.t,
        r.g,
        r.gstart,
        lat,
        lon,
        resolved,
        sfc,
        kind_global,
        refs,
        r.cpr_lat,
        r.cpr_lon,
        r.cpr_odd,
        carry,
    )
    implausible = resolved & ~ok
    out_lat = np.where(ok, lat, np.nan)
    out_lon = np.where(ok, lon, np.nan)
    return Resolved(out_lat, out_lon, ok, sfc, implausible, bad, waiting, cpr_end, rej_end)


@dataclass(slots=True)
class _Rows:
    """A batch's position rows (sorted by group, time) and their CPR classes."""

    t: F8
    g: I8
    gstart: I8
    gend: I8
    cpr_odd: npt.NDArray[np.int8]
    cpr_lat: npt.NDArray[np.int32]
    cpr_lon: npt.NDArray[np.int32]
    is_cpr: B1
    sfc: B1  # a surface CPR message
    odd: Any  # odd parity (bool)
    cls: I8  # CPR_CLASSES index, -1 for a row that is not CPR

    @classmethod
    def of(
        cls,
        t: F8,
        g: I8,
        gstart: I8,
        gend: I8,
        cpr_kind: npt.NDArray[np.uint8],
        cpr_odd: npt.NDArray[np.int8],
        cpr_lat: npt.NDArray[np.int32],
        cpr_lon: npt.NDArray[np.int32],
    ) -> _Rows:
        is_cpr = (cpr_kind != CprKind.NONE) & (cpr_lat >= 0) & (cpr_lon >= 0) & (cpr_odd >= 0)
        sfc = is_cpr & (cpr_kind == CprKind.SURFACE)
        odd = cpr_odd == 1
        klass = np.where(sfc, 2, 0) + odd.astype(np.int64)
        klass[~is_cpr] = -1
        return cls(t, g, gstart, gend, cpr_odd, cpr_lat, cpr_lon, is_cpr, sfc, odd, klass)


@dataclass(slots=True)
class _Pair:
    """Each CPR row's even and odd halves (its own and its partner's) and whether the partner
    is recent enough to decode the pair."""

    paired: B1
    e_lat: Any
    e_lon: Any
    o_lat: Any
    o_lon: Any


def _pairs(
    r: _Rows, groundspeed: F8, carry: dict[str, npt.NDArray[Any]]
) -> tuple[dict[str, npt.NDArray[Any]], _Pair]:
    """Pairing: latest message of each class at or before every row (this batch, then
    carried); and each group's latest of each class, to carry to the next batch."""
    n = r.t.shape[0]
    ff = [ffill_index(r.cls == c, r.gstart) for c in range(4)]
    cpr_end: dict[str, npt.NDArray[Any]] = {}
    for c, name in enumerate(CPR_CLASSES):
        at_end = np.where(r.gend >= 0, ff[c][np.maximum(r.gend, 0)], -1) if n else r.gend
        cpr_end[name + "_lat"] = pick(r.cpr_lat, at_end, carry[name + "_lat"])
        cpr_end[name + "_lon"] = pick(r.cpr_lon, at_end, carry[name + "_lon"])
        cpr_end[name + "_t"] = pick(r.t, at_end, carry[name + "_t"])
    p_lat = np.full(n, -1, dtype=np.int64)
    p_lon = np.full(n, -1, dtype=np.int64)
    p_t = np.full(n, -np.inf)
    for c, name in enumerate(CPR_CLASSES):
        rows = r.cls == (c ^ 1)  # rows whose partner class is c
        if not rows.any():
            continue
        idx = ff[c][rows]
        gi = r.g[rows]
        p_lat[rows] = pick(r.cpr_lat, idx, carry[name + "_lat"][gi])
        p_lon[rows] = pick(r.cpr_lon, idx, carry[name + "_lon"][gi])
        p_t[rows] = pick(r.t, idx, carry[name + "_t"][gi])
    slow = groundspeed <= SURFACE_SLOW_KT
    window = np.where(r.sfc, np.where(slow, SURFACE_PAIR_SLOW_MAX_S, SURFACE_PAIR_MAX_S), 0.0)
    window = np.where(r.is_cpr & ~r.sfc, AIR_PAIR_MAX_S, window)
    paired = r.is_cpr & (p_lat >= 0) & (r.t - p_t <= window)
    odd = r.odd
    pair = _Pair(
        paired,
        np.where(odd, p_lat, r.cpr_lat),
        np.where(odd, p_lon, r.cpr_lon),
        np.where(odd, r.cpr_lat, p_lat),
        np.where(odd, r.cpr_lon, p_lon),
    )
    return cpr_end, pair


def _global(
    r: _Rows,
    pair: _Pair,
    lat: F8,
    lon: F8,
    kind_global: B1,
    carry: dict[str, npt.NDArray[Any]],
    reference: tuple[float, float] | None,
    places: Places | None,
) -> None:
    """Global decode of the recent pairs, into ``lat``/``lon`` (``kind_global`` where it
    gave a position)."""
    e_lat, e_lon, o_lat, o_lon, odd = pair.e_lat, pair.e_lon, pair.o_lat, pair.o_lon, r.odd
    air_pair = np.flatnonzero(pair.paired & ~r.sfc)
    if air_pair.size:
        la, lo = cpr.airborne_global(
            e_lat[air_pair], e_lon[air_pair], o_lat[air_pair], o_lon[air_pair], odd[air_pair]
        )
        lat[air_pair], lon[air_pair] = la, lo
        kind_global[air_pair] = np.isfinite(la)
    sfc_pair = np.flatnonzero(pair.paired & r.sfc)
    if not sfc_pair.size:
        return
    # Quadrant reference: own position, else the receiver, else own airborne position.
    gi = r.g[sfc_pair]
    r_lat, r_lon = carry["lat"][gi].copy(), carry["lon"][gi].copy()
    if reference is not None:
        miss = np.isnan(r_lat)
        r_lat[miss], r_lon[miss] = reference
    miss = np.isnan(r_lat)
    r_lat[miss], r_lon[miss] = carry["air_lat"][gi][miss], carry["air_lon"][gi][miss]
    known = np.isfinite(lat)
    idx = ffill_index(known, r.gstart)[sfc_pair]
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


def _local_passes(
    r: _Rows,
    lat: F8,
    lon: F8,
    carry: dict[str, npt.NDArray[Any]],
    reference: tuple[float, float] | None,
) -> References:
    """Local decode against the aircraft's latest position (this batch or carried), repeated
    while it resolves more rows (chains of single-parity messages); into ``lat``/``lon``.
    Each row's reference kind (``REF_*``) and position."""
    t, sfc, is_cpr = r.t, r.sfc, r.is_cpr
    ref_kind = np.zeros(t.shape[0], dtype=np.int8)
    ref_lat, ref_lon = np.full(t.shape[0], np.nan), np.full(t.shape[0], np.nan)
    for _ in range(4):
        todo = is_cpr & np.isnan(lat)
        if not todo.any():
            break
        known = np.isfinite(lat)
        idx = prev_index(known, r.gstart)
        gi = r.g
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
        la, lo = local_decode(
            r.cpr_lat[rows], r.cpr_lon[rows], r.cpr_odd[rows], sfc[rows], r_lat[rows], r_lon[rows]
        )
        lat[rows], lon[rows] = la, lo
        ref_kind[rows] = rk[rows]
        ref_lat[rows], ref_lon[rows] = r_lat[rows], r_lon[rows]
        if not np.isfinite(la).any():
            break
    return References(ref_kind, ref_lat, ref_lon)
