"""``Tracker``: the one per-aircraft state, updated a whole batch at a time.

Each batch is sorted by (aircraft, time) and cut into segments (one per aircraft, split where
it went unheard for ``lost_after_s``). Every field is forward-filled inside a segment with
``np.maximum.accumulate`` over row indices, starting from the state carried in an
``AircraftTable`` slot, so the work per batch is a fixed number of array passes; Python loops
run only per aircraft (slot lookup, events) and in the rare position fix-up.
"""

from __future__ import annotations

from collections import Counter
from typing import Any

import numpy as np
import numpy.typing as npt

from ..model import F8, Messages, Observations, RejectReason
from ..stats import IngestStats
from . import fields as fld
from .address_filter import AddressFilter, message_keys, sort_order
from .batch import Batch, from_messages, from_observations
from .changes import detect
from .events import Event, EventKind
from .groups import I8, last_at, pick, prev_in
from .places import Places
from .positions import resolve
from .receiver import receiver_fields
from .snapshot import AircraftSnapshot, snapshot_of
from .state_vectors import POSITION_SOURCE_LABELS, StateVectors, icao24_hex
from .table import CPR_CLASSES, SCALAR_FIELDS, AircraftTable

Arr = npt.NDArray[Any]


class Tracker:
    """Streaming tracker: ``update``/``update_observations`` per batch, ``flush`` at the end."""

    def __init__(
        self,
        *,
        rate_s: float = 1.0,
        reference: tuple[float, float] | None = None,
        places: Places | None = None,
        stats: IngestStats | None = None,
        lost_after_s: float = 60.0,
    ) -> None:
        self.rate_s = rate_s
        self.reference = reference
        #: known surface places (airports) that resolve surface positions with no reference
        self.places = places
        self.stats = stats
        self.lost_after_s = lost_after_s
        self.address_filter = AddressFilter()
        #: Position bookkeeping in readsb's spirit: global / local / waiting / rejected counts.
        self.counters: Counter[str] = Counter()
        self._table = AircraftTable()
        self._events: list[Event] = []
        self._last_positions: tuple[F8, F8] = (np.zeros(0), np.zeros(0))
        self._sources: list[str] = [""]  # the table keeps source names as indices
        self._source_ids: dict[str, int] = {"": 0}
        self._held: list[StateVectors] = []  # final rows of expired aircraft, not yet returned

    def __len__(self) -> int:
        return len(self._table)

    def _source_id(self, source: str) -> int:
        sid = self._source_ids.get(source)
        if sid is None:
            sid = self._source_ids[source] = len(self._sources)
            self._sources.append(source)
        return sid

    @property
    def last_positions(self) -> tuple[F8, F8]:
        """(latitude, longitude) per row of the last batch given to ``update``: the position
        that row contributed (NaN where none was accepted)."""
        return self._last_positions

    def update(self, msgs: Messages, source: str) -> StateVectors:
        """Consume decoded messages of one source; returns the new state-vector rows."""
        af = self.address_filter
        usable = af.usable(msgs)
        self.counters["modeac_or_no_address"] += int(
            np.count_nonzero((msgs.reject == 0) & (msgs.icao24 == 0))
        )
        untimed = usable & ~np.isfinite(msgs.timestamp)
        if untimed.any():
            # Without a time nothing can be paired, gated or expired: counted, not tracked.
            usable &= ~untimed
            if self.stats is not None:
                n_bad = int(np.count_nonzero(untimed))
                self.stats.reject(RejectReason.BAD_TIMESTAMP, source, count=n_bad)
        rows = np.flatnonzero(usable)
        keys = message_keys(msgs)[rows]
        t = msgs.timestamp[rows]
        order = sort_order(keys, t)
        rows, keys = rows[order], keys[order]
        ok = af.accept_sorted(keys, msgs.address_verified[rows], t[order])
        unknown = int(np.count_nonzero(~ok))
        if self.stats is not None and unknown:
            self.stats.reject(RejectReason.UNKNOWN_ADDRESS, source, count=unknown)
        rows, keys = rows[ok], keys[ok]
        sv, lat, lon = self._ingest(from_messages(msgs, rows, keys), source)
        sv = self._with_held(sv)
        out_lat = np.full(len(msgs), np.nan)
        out_lon = np.full(len(msgs), np.nan)
        out_lat[rows], out_lon[rows] = lat, lon
        self._last_positions = (out_lat, out_lon)
        return sv

    def update_observations(self, obs: Observations) -> StateVectors:
        """Consume already-decoded reports (SBS, readsb, OpenSky) through the same gates."""
        b = from_observations(obs)
        timed = np.isfinite(b.t)
        keep = np.flatnonzero((b.key != 0) & timed)
        if self.stats is not None:
            n_untimed = int(np.count_nonzero(~timed))
            self.stats.reject(RejectReason.BAD_TIMESTAMP, obs.source, count=n_untimed)
            n_bad = len(obs) - keep.shape[0] - n_untimed
            self.stats.reject(RejectReason.BAD_RECORD, obs.source, count=n_bad)
        b = b.take(keep)
        b = b.take(sort_order(b.key, b.t))
        sv, _, _ = self._ingest(b, obs.source)
        return self._with_held(sv)

    def addresses(self) -> list[int]:
        """Keys of the aircraft currently known (24-bit address; bit 24 for non-ICAO)."""
        return list(self._table.slot)

    def events(self) -> list[Event]:
        """Drain the events produced so far, in time order."""
        out = sorted(self._events, key=lambda e: e.timestamp)
        self._events = []
        return out

    def columns(self) -> tuple[dict[str, Arr], Arr, list[str]]:
        """The per-aircraft state as columns for a fast copy (live maps, APIs): the table's
        columns (views — copy what you keep, and call from the tracker's thread), the slots of
        the aircraft known now, and the source names that ``source`` columns index."""
        return self._table.cols, self._table.active_slots(), list(self._sources)

    def snapshot(self) -> list[AircraftSnapshot]:
        """Read-only copies of the current state of every known aircraft."""
        cols = self._table.cols
        return [snapshot_of(cols, s) for s in sorted(self._table.active_slots().tolist())]

    def flush(self) -> StateVectors:
        """Rows for aircraft updated since their last emitted row (call at end of input)."""
        cols = self._table.cols
        slots = self._table.active_slots()
        slots = np.sort(slots[cols["pending"][slots]])
        sv = self._with_held(self._rows_from_table(slots))
        cols["pending"][slots] = False
        if self.rate_s > 0:
            cols["emit_bucket"][slots] = np.floor(cols["last_update"][slots] / self.rate_s)
        return sv

    def _with_held(self, sv: StateVectors) -> StateVectors:
        """Prepend the final rows of aircraft expired since the last call."""
        if not self._held:
            return sv
        held, self._held = self._held, []
        return StateVectors.concat([*held, sv])

    def expire(self, now: float) -> None:
        """LOST events for aircraft unheard for ``lost_after_s`` before ``now``; forget them.

        Their unemitted final state is returned by the next ``update``/``flush``."""
        slots = self._table.active_slots()
        last = self._table.cols["last_seen"][slots]
        gone = slots[last < now - self.lost_after_s]
        if gone.size:
            self._lost(gone)

    def _lost(self, slots: npt.NDArray[np.int64]) -> None:
        cols = self._table.cols
        hexes = icao24_hex(cols["key"][slots])
        for s, h in zip(slots.tolist(), hexes.tolist(), strict=True):
            last = float(cols["last_seen"][s])
            self._events.append(
                Event(EventKind.LOST, last + self.lost_after_s, h, {"last_seen": last})
            )
        pending = slots[cols["pending"][slots]]
        if pending.size:
            self._held.append(self._rows_from_table(np.sort(pending)))
        self._table.release(slots)

    def _rows_from_table(self, slots: npt.NDArray[np.int64]) -> StateVectors:
        return self._table.rows(slots, self._sources)

    # -- the batch core -------------------------------------------------------------------

    def _ingest(self, b: Batch, source: str) -> tuple[StateVectors, F8, F8]:
        """Core over a batch sorted by (key, time); returns rows and per-row positions."""
        n = b.t.shape[0]
        if n == 0:
            return StateVectors.empty(), np.zeros(0), np.zeros(0)
        t, key, kind = b.t, b.key, b.kind
        new_key = np.ones(n, dtype=np.bool_)
        new_key[1:] = key[1:] != key[:-1]
        cut = new_key.copy()
        cut[1:] |= t[1:] - t[:-1] > self.lost_after_s
        starts = np.flatnonzero(cut)
        g = np.cumsum(cut) - 1
        gstart = starts[g]
        ends = np.append(starts[1:] - 1, n - 1)
        ng = starts.shape[0]
        first_seg = new_key[starts]
        last_seg = np.append(new_key[starts[1:]], True)

        # Carried state: the slot of known, not expired aircraft for each first segment.
        table, cols = self._table, self._table.cols
        known = table.lookup(key[starts[first_seg]].tolist())
        stale = (known > 0) & (t[starts[first_seg]] - cols["last_seen"][known] > self.lost_after_s)
        if stale.any():
            self._lost(known[stale])
            known[stale] = 0
        carry_slot = np.zeros(ng, dtype=np.int64)
        carry_slot[first_seg] = known
        carry = table.gather(carry_slot)

        # Scalar fields: accepted row indices per field.
        updated = np.zeros(n, dtype=np.bool_)
        acc: dict[str, I8] = {}
        values: dict[str, Arr] = {}
        raw_end: dict[str, Arr] = {}
        w = np.flatnonzero(last_seg)
        we = ends[w]
        for name in SCALAR_FIELDS:
            vals = getattr(b, name)
            if name == "geoaltitude":
                vals = fld.geo_from_baro(b, g, gstart, acc["altitude"], carry)
            values[name] = vals
            h = fld.present(vals)
            if name in fld.CONFIRMED_FIELDS:
                h, raw_end[name] = fld.confirmed(
                    h, vals, kind, g, starts[w], we, w, carry[name + "_raw"]
                )
            k = b.onground_kind if name == "onground" else kind
            a = fld.accept(
                h, k, t, g, carry[name + "_k"], carry[name + "_t"], fld.TRUST_FRESH_S[name]
            )
            acc[name] = a
            updated[a] = True

        # Positions.
        res = resolve(
            t,
            g,
            ng,
            b.cpr_kind,
            b.cpr_odd,
            b.cpr_lat,
            b.cpr_lon,
            b.lat,
            b.lon,
            b.groundspeed,
            carry,
            self.reference,
            self.places,
        )
        pos = fld.accept(
            np.flatnonzero(res.ok),
            kind,
            t,
            g,
            carry["pos_k"],
            carry["pos_t"],
            fld.TRUST_FRESH_S["position"],
        )
        updated[pos] = True
        self._count(res.implausible, res.bad, res.waiting, pos, source)

        # Emission: the first update of each aircraft in each rate_s bucket.
        upd = np.flatnonzero(updated)
        if self.rate_s > 0:
            bucket = np.floor(t / self.rate_s)
            prev_b = pick(bucket, prev_in(upd, g), carry["emit_bucket"][g[upd]])
            e = upd[bucket[upd] > prev_b]
        else:
            bucket = t
            e = upd
        # A segment followed by a loss also emits its last update (its final state).
        lost_g = np.flatnonzero(~last_seg)
        if lost_g.size and upd.size:
            lu = last_at(upd, ends[lost_g], starts[lost_g])
            le = last_at(e, ends[lost_g], starts[lost_g])
            e = np.union1d(e, lu[(lu >= 0) & (lu > le)])
        ge, first_e = g[e], gstart[e]
        at = {name: last_at(acc[name], e, first_e) for name in SCALAR_FIELDS}
        vals_at = {name: pick(values[name], at[name], carry[name][ge]) for name in SCALAR_FIELDS}
        i_pos = last_at(pos, e, first_e)
        lat_e = pick(res.lat, i_pos, carry["lat"][ge])
        psrc_e = pick(b.pos_src, i_pos, carry["pos_src"][ge])
        sv = StateVectors(
            timestamp=t[e],
            icao24=key[e],
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
            source=np.full(e.shape[0], source),
            position_source=np.where(np.isfinite(lat_e), POSITION_SOURCE_LABELS[psrc_e], ""),
        )

        hexes = icao24_hex(key[starts])
        self._events.extend(
            detect(
                t,
                g,
                hexes,
                starts,
                ends,
                carry_slot == 0,
                ~last_seg,
                acc,
                values,
                carry,
                pos,
                res.lat,
                res.lon,
                self.lost_after_s,
            )
        )

        # Write back the state at the end of each aircraft's last segment.
        first_w = starts[w]
        out: dict[str, Arr] = {"key": key[we]}
        for name in SCALAR_FIELDS:
            i = last_at(acc[name], we, first_w)
            out[name] = pick(values[name], i, carry[name][w])
            out[name + "_t"] = pick(t, i, carry[name + "_t"][w])
            k = b.onground_kind if name == "onground" else kind
            out[name + "_k"] = pick(k, i, carry[name + "_k"][w])
        for name in fld.CONFIRMED_FIELDS:
            out[name + "_raw"] = raw_end[name]
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
        out["last_seen"] = t[we]
        last_upd = last_at(upd, we, first_w)
        last_emit = last_at(e, we, first_w)
        out["last_update"] = pick(t, last_upd, carry["last_update"][w])
        out["emit_bucket"] = pick(bucket, last_emit, carry["emit_bucket"][w])
        out["pending"] = np.where(last_upd >= 0, last_upd > last_emit, carry["pending"][w])
        out["source"] = np.where(last_upd >= 0, self._source_id(source), carry["source"][w])
        wkeys = key[we]
        slots = table.lookup(wkeys.tolist())
        fresh = slots == 0
        if fresh.any():
            slots[fresh] = table.allocate(wkeys[fresh].tolist())
        table.scatter(slots, out)

        if self.stats is not None:
            self.stats.aircraft.update(wkeys.tolist())
        self.expire(float(np.max(t)))
        lat_rows = np.full(n, np.nan)
        lon_rows = np.full(n, np.nan)
        lat_rows[pos], lon_rows[pos] = res.lat[pos], res.lon[pos]
        return sv, lat_rows, lon_rows

    def _count(
        self,
        implausible: Arr,
        bad: Arr,
        waiting: int,
        pos: Arr,
        source: str,
    ) -> None:
        n_imp, n_bad = int(np.count_nonzero(implausible)), int(np.count_nonzero(bad))
        self.counters["position_implausible"] += n_imp
        self.counters["position_bad"] += n_bad
        self.counters["position_waiting"] += waiting
        self.counters["position_accepted"] += int(pos.shape[0])
        if self.stats is not None:
            self.stats.reject(RejectReason.IMPLAUSIBLE_POSITION, source, count=n_imp)
            self.stats.reject(RejectReason.BAD_POSITION, source, count=n_bad)
            self.stats.positions += int(pos.shape[0])
