"""Per-field trust: which rows may set a field, given the SourceKind of fresher values.

A value from a less trusted kind does not overwrite a value of a more trusted kind set less
than ``fresh_s`` before it (readsb's ``accept_data``). Vectorised over the rows of a sorted
batch that carry the field: kinds are processed from the most trusted down, each against the
forward-filled time of the accepted rows of higher kinds (and the carried value).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np
import numpy.typing as npt

from ..model import F8, SourceKind
from .groups import I8, last_at, pick, prev_in

if TYPE_CHECKING:
    from .batch import Batch

Arr = npt.NDArray[Any]

#: How long a trusted value stays fresh against less trusted kinds, s.
TRUST_FRESH_S: dict[str, float] = {
    "position": 15.0,
    "callsign": 60.0,
    "squawk": 15.0,
    "altitude": 15.0,
    "geoaltitude": 15.0,
    "groundspeed": 15.0,
    "track": 15.0,
    "vertical_rate": 15.0,
    "onground": 15.0,
}


#: Fields whose Mode S (address/parity) values need confirming by a repeat.
CONFIRMED_FIELDS = ("squawk", "callsign")
#: Baro altitude older than this is not used to turn geo-minus-baro into a GNSS height, s.
GEO_FROM_BARO_MAX_AGE_S = 15.0


def present(values: npt.NDArray[Any]) -> I8:
    """Sorted indices of rows carrying a value (NaN, "" and negative codes are missing)."""
    if values.dtype.kind == "f":
        mask = np.isfinite(values)
    elif values.dtype.kind == "U":
        n = values.shape[0]
        if n and values.flags.c_contiguous:
            # First code point non-zero: much faster than comparing strings.
            mask = values.view(np.uint32).reshape(n, -1)[:, 0] != 0
        else:
            mask = values != ""
    else:
        mask = values >= 0
    return _where(mask)


def _where(mask: npt.NDArray[np.bool_]) -> I8:
    """``np.flatnonzero`` of a 1-D mask without its ``ravel`` and dispatch wrappers (a few µs a
    call; ``accept`` makes ~40 a step)."""
    out: I8 = mask.nonzero()[0]
    return out


def accept(
    h: I8,
    kind: npt.NDArray[np.uint8],
    t: F8,
    g: I8,
    carry_kind: npt.NDArray[np.uint8],
    carry_t: F8,
    fresh_s: float,
) -> I8:
    """Of the rows ``h`` carrying a value, those whose value is accepted into the state."""
    if h.shape[0] == 0:
        return h
    gh, th = g[h], t[h]
    cth = carry_t[gh]
    # Out-of-order rows never overwrite a newer value from an earlier batch.
    keep = th >= cth
    if not keep.all():
        h, gh, th, cth = h[keep], gh[keep], th[keep], cth[keep]
    kh, ckh = kind[h], carry_kind[gh]
    kinds = _where(np.bincount(kh) != 0)
    if kinds.shape[0] <= 1 and not (kinds.shape[0] and (ckh > kinds[0]).any()):
        return h
    ok = np.ones(h.shape[0], dtype=np.bool_)
    for k in kinds[::-1].tolist():
        # each row of kind k against the last accepted row of a higher kind before it in its
        # group (a search over those rows: no passes over all rows per kind), or the carried
        rk = _where(kh == k)
        last_hi = np.where(ckh[rk] > k, cth[rk], -np.inf)
        hi = _where(ok & (kh > k))
        if hi.shape[0]:
            p = np.searchsorted(hi, rk) - 1
            idx = hi[np.maximum(p, 0)]
            inside = (p >= 0) & (gh[idx] == gh[rk])  # rows sorted by group
            last_hi = np.where(inside, np.maximum(last_hi, th[idx]), last_hi)
        ok[rk[th[rk] - last_hi <= fresh_s]] = False
    out: I8 = h[ok]
    return out


def confirmed(
    h: I8, vals: Arr, kind: Arr, g: Arr, first_w: I8, we: I8, w: I8, carry_raw: Arr
) -> tuple[I8, Arr]:
    """Of the rows ``h`` with a value, those that may be used: verified kinds always;
    address/parity (Mode S) ones only when the previous value heard was the same (a corrupted
    reply with a plausible address must not change a squawk or callsign on its own). Also
    returns the last value heard per written-back group."""
    prev = pick(vals, prev_in(h, g), carry_raw[g[h]])
    now = vals[h]
    ok = (kind[h] != SourceKind.MODE_S) | (now == prev)
    raw = pick(vals, last_at(h, we, first_w), carry_raw[w])
    out: I8 = h[ok]
    return out, raw


def geo_from_baro(b: Batch, g: Arr, gstart: Arr, alt_rows: I8, carry: dict[str, Arr]) -> F8:
    """GNSS height from TC 19's geo-minus-baro difference and the current baro altitude."""
    geo = b.geoaltitude
    rows = np.flatnonzero(np.isfinite(b.geo_minus_baro) & np.isnan(geo))
    if rows.size == 0:
        return geo
    gi = g[rows]
    i = last_at(alt_rows, rows, gstart[rows])
    alt = pick(b.altitude, i, carry["altitude"][gi])
    alt_t = pick(b.t, i, carry["altitude_t"][gi])
    fresh = b.t[rows] - alt_t <= GEO_FROM_BARO_MAX_AGE_S
    geo = geo.copy()
    geo[rows] = np.where(fresh, alt + b.geo_minus_baro[rows], np.nan)
    return geo
