"""The array passes of ``Tracker``'s batch core, as pure functions over a batch sorted by
(aircraft, time) and the state carried from earlier batches (``carry``: ``AircraftTable``
columns gathered per segment): cutting into segments, accepting each field's values, choosing
the rows emitted as state vectors, and the state written back per aircraft.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt

from ..model import F8
from ..runs import run_heads, run_stops
from . import fields as fld
from .batch import Batch
from .groups import I8, distinct_ms, last_at, pick, prev_in
from .positions import Resolved
from .receiver import receiver_fields
from .state_vectors import POSITION_SOURCE_LABELS, StateVectors, stored_ms
from .table import CPR_CLASSES, SCALAR_FIELDS

Arr = npt.NDArray[Any]
Carry = dict[str, Arr]


@dataclass(slots=True)
class Segments:
    """A batch cut into segments: one per aircraft, split where it went unheard too long."""

    g: I8  # each row's segment
    gstart: I8  # each row's segment's first row
    starts: I8  # each segment's first row
    ends: I8  # each segment's last row
    first_seg: npt.NDArray[np.bool_]  # the segment is its aircraft's first in the batch
    last_seg: npt.NDArray[np.bool_]  # ... its aircraft's last (else a loss follows it)
    w: I8  # the last segments
    we: I8  # their last rows

    @property
    def count(self) -> int:
        return int(self.starts.shape[0])


def segments(key: Arr, t: F8, lost: npt.NDArray[np.bool_]) -> Segments:
    """``lost``: the row's aircraft was lost just before it (``arrival.lost_before``); no
    segments for no rows."""
    new_key = run_heads(key)
    cut = new_key | lost
    starts = np.flatnonzero(cut)
    g = np.cumsum(cut) - 1
    ends = run_stops(starts, t.shape[0]) - 1
    first_seg = new_key[starts]
    last_seg = np.ones_like(first_seg)  # the last, and each one the next aircraft's follows
    last_seg[:-1] = first_seg[1:]
    w = np.flatnonzero(last_seg)
    return Segments(g, starts[g], starts, ends, first_seg, last_seg, w, ends[w])


@dataclass(slots=True)
class Fields:
    """Each scalar field's accepted rows and values, and the rows that updated anything."""

    acc: dict[str, I8]
    values: dict[str, Arr]
    raw_end: dict[str, Arr]  # confirmed fields: the last raw value, to carry
    updated: npt.NDArray[np.bool_]


def accept_fields(b: Batch, s: Segments, carry: Carry) -> Fields:
    """Scalar fields: accepted row indices per field."""
    t, kind = b.t, b.kind
    f = Fields({}, {}, {}, np.zeros(t.shape[0], dtype=np.bool_))
    for name in SCALAR_FIELDS:
        vals = getattr(b, name)
        if name == "geoaltitude":
            vals = fld.geo_from_baro(b, s.g, s.gstart, f.acc["altitude"], carry)
        f.values[name] = vals
        h = fld.present(vals)
        if name in fld.CONFIRMED_FIELDS:
            h, f.raw_end[name] = fld.confirmed(
                h, vals, kind, s.g, s.starts[s.w], s.we, s.w, carry[name + "_raw"]
            )
        k = b.onground_kind if name == "onground" else kind
        a = fld.accept(
            h, k, t, s.g, carry[name + "_k"], carry[name + "_t"], fld.TRUST_FRESH_S[name]
        )
        f.acc[name] = a
        f.updated[a] = True
    return f


def emitted(t: F8, s: Segments, upd: I8, carry: Carry, rate_s: float) -> tuple[I8, F8]:
    """The first update of each aircraft in each ``rate_s`` bucket, and each row's bucket; a
    segment followed by a loss also emits its last update (its final state). Rate-limited
    (``rate_s`` > 0), a row in the same stored millisecond as the aircraft's previous emitted
    row is not emitted (see ``distinct_ms``)."""
    if rate_s > 0:
        bucket = np.floor(t / rate_s)
        # against the latest bucket updated before: the previous update's (rows of a segment
        # are in time order), never below the carried one (a step of rows older than what the
        # aircraft's earlier steps gave emits nothing a whole step of them would not)
        carried_b = carry["emit_bucket"][s.g[upd]]
        prev_b = np.maximum(pick(bucket, prev_in(upd, s.g), carried_b), carried_b)
        e = upd[bucket[upd] > prev_b]
    else:
        bucket = t
        e = upd
    lost_g = np.flatnonzero(~s.last_seg)
    if lost_g.size and upd.size:
        lu = last_at(upd, s.ends[lost_g], s.starts[lost_g])
        le = last_at(e, s.ends[lost_g], s.starts[lost_g])
        e = np.union1d(e, lu[(lu >= 0) & (lu > le)])
    if rate_s <= 0:  # every update asked for, even two in one millisecond
        return e, bucket
    return distinct_ms(e, t, s.g, carry["emit_ms"]), bucket


def state_rows(
    b: Batch,
    s: Segments,
    f: Fields,
    res: Resolved,
    pos: I8,
    e: I8,
    carry: Carry,
    source: str | Arr,
) -> StateVectors:
    """The state vectors of the emitted rows ``e``: each field's latest accepted value.
    ``source``: the batch's source, or each emitted row's (rows of several sources)."""
    ge, first_e = s.g[e], s.gstart[e]
    at = {name: last_at(f.acc[name], e, first_e) for name in SCALAR_FIELDS}
    vals_at = {name: pick(f.values[name], at[name], carry[name][ge]) for name in SCALAR_FIELDS}
    i_pos = last_at(pos, e, first_e)
    lat_e = pick(res.lat, i_pos, carry["lat"][ge])
    psrc_e = pick(b.pos_src, i_pos, carry["pos_src"][ge])
    return StateVectors(
        timestamp=b.t[e],
        icao24=b.key[e],
        callsign=vals_at["callsign"],
        latitude=lat_e,
        longitude=pick(res.lon, i_pos, carry["lon"][ge]),
        altitude=vals_at["altitude"],
        geoaltitude=vals_at["geoaltitude"],
        groundspeed=vals_at["groundspeed"],
        track=vals_at["track"],
        vertical_rate=vals_at["vertical_rate"],
        squawk=vals_at["squawk"],
        onground=vals_at["onground"],
        source=np.full(e.shape[0], source) if isinstance(source, str) else source,
        position_source=np.where(np.isfinite(lat_e), POSITION_SOURCE_LABELS[psrc_e], ""),
    )


def carried_out(
    b: Batch, s: Segments, f: Fields, res: Resolved, pos: I8, carry: Carry
) -> dict[str, Arr]:
    """The state at the end of each aircraft's last segment: fields, position, CPR halves,
    receiver fields, first and last seen (the emission columns are ``emission_out``'s)."""
    t, kind, w, we = b.t, b.kind, s.w, s.we
    first_w = s.starts[w]
    out: dict[str, Arr] = {"key": b.key[we]}
    for name in SCALAR_FIELDS:
        i = last_at(f.acc[name], we, first_w)
        out[name] = pick(f.values[name], i, carry[name][w])
        out[name + "_t"] = pick(t, i, carry[name + "_t"][w])
        k = b.onground_kind if name == "onground" else kind
        out[name + "_k"] = pick(k, i, carry[name + "_k"][w])
    for name in fld.CONFIRMED_FIELDS:
        out[name + "_raw"] = f.raw_end[name]
    i = last_at(pos, we, first_w)
    out["lat"] = pick(res.lat, i, carry["lat"][w])
    out["lon"] = pick(res.lon, i, carry["lon"][w])
    out["pos_t"] = pick(t, i, carry["pos_t"][w])
    out["pos_k"] = pick(kind, i, carry["pos_k"][w])
    out["pos_src"] = pick(b.pos_src, i, carry["pos_src"][w])
    out["pos_err"] = pick(b.pos_err, i, carry["pos_err"][w])
    out["pos_sfc"] = pick(res.surface, i, carry["pos_sfc"][w])
    i = last_at(pos[~res.surface[pos]], we, first_w)
    out["air_lat"] = pick(res.lat, i, carry["air_lat"][w])
    out["air_lon"] = pick(res.lon, i, carry["air_lon"][w])
    for c in CPR_CLASSES:
        for suffix in ("_lat", "_lon", "_t"):
            out[c + suffix] = res.cpr_end[c + suffix][w]
    receiver_fields(b, out, carry, w, first_w, we)
    fs = carry["first_seen"][w]
    out["first_seen"] = np.where(np.isnan(fs), t[first_w], fs)
    out["last_seen"] = np.maximum(t[we], carry["last_seen"][w])  # a step of late rows
    for name in res.rej_end:
        out[name] = res.rej_end[name][w]
    return out


def emission_out(
    out: dict[str, Arr],
    t: F8,
    s: Segments,
    upd: I8,
    e: I8,
    bucket: F8,
    carry: Carry,
    source_id: int | I8,
) -> None:
    """Into ``out``: each aircraft's last update, emission bucket, whether an update is still
    unemitted, and the source of its last update (``source_id``: the batch's, or each
    row's)."""
    w, we = s.w, s.we
    first_w = s.starts[w]
    last_upd = last_at(upd, we, first_w)
    last_emit = last_at(e, we, first_w)
    out["last_update"] = pick(t, last_upd, carry["last_update"][w])
    # the latest bucket with an update, emitted or not (``emitted`` compares with it)
    out["emit_bucket"] = np.maximum(pick(bucket, last_upd, carry["emit_bucket"][w]),
                                    carry["emit_bucket"][w])  # fmt: skip
    # only the last emitted row's stored millisecond is kept: round those rows, not all
    out["emit_ms"] = (
        np.where(last_emit >= 0, stored_ms(t[np.maximum(last_emit, 0)]), carry["emit_ms"][w])
        if t.shape[0]
        else carry["emit_ms"][w].copy()
    )
    # an update in the millisecond of the last emitted row is that row's instant, not a
    # state still to emit (``Tracker.flush`` would store the instant twice)
    new_ms = stored_ms(out["last_update"]) != out["emit_ms"]
    out["pending"] = np.where(last_upd >= 0, (last_upd > last_emit) & new_ms, carry["pending"][w])
    if isinstance(source_id, int):
        out["source"] = np.where(last_upd >= 0, source_id, carry["source"][w])
    else:
        out["source"] = pick(source_id, last_upd, carry["source"][w])
