"""``Tracker``: the one per-aircraft state, updated a whole batch at a time.

Each batch is sorted by (aircraft, time) and cut into segments (one per aircraft, split where
it went unheard for ``lost_after_s``). Every field is forward-filled inside a segment with
``np.maximum.accumulate`` over row indices, starting from the state carried in an
``AircraftTable`` slot, so the work per batch is a fixed number of array passes; Python loops
run only per aircraft (slot lookup, events) and in the rare position fix-up. Rows are taken
in the order they came in (``arrival``): where an aircraft's rows go back in time the batch is
tracked in passes, so that how the input is cut into batches changes nothing.
"""

from __future__ import annotations

from collections import Counter
from typing import Any

import numpy as np
import numpy.typing as npt

from ..model import F8, U4, Messages, Observations, RejectReason
from ..runs import run_starts, run_stops
from ..stats import IngestStats
from . import batch_core as core
from . import fields as fld
from .address_filter import AddressFilter, message_keys, sort_order
from .arrival import arrival_passes, lost_before
from .batch import Batch, from_messages, from_observations
from .changes import detect
from .events import Event, EventKind
from .places import Places
from .positions import resolve
from .rejects import count_by_source, count_unusable
from .row_sources import RowSources
from .snapshot import AircraftSnapshot, snapshot_of
from .state_vectors import StateVectors, icao24_hex, stored_ms
from .table import AircraftTable

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

    def update(
        self, msgs: Messages, source: str, row_sources: RowSources | None = None
    ) -> StateVectors:
        """Consume decoded messages of one source (or of several: ``row_sources`` names each
        row's, which its state vectors carry); returns the new state-vector rows."""
        self.counters["modeac_or_no_address"] += int(
            np.count_nonzero((msgs.reject == 0) & (msgs.icao24 == 0))
        )
        rows, keys, untimed, unknown = self.admitted(msgs)
        # Without a time nothing can be paired, gated or expired: counted, not tracked.
        self._reject(RejectReason.BAD_TIMESTAMP, untimed, source, row_sources)
        self._reject(RejectReason.UNKNOWN_ADDRESS, unknown, source, row_sources)
        sid = self._row_source_ids(row_sources, rows)
        b = from_messages(msgs, rows, keys)
        sv, lat, lon = self._ingest_passes(b, rows, source, sid)
        sv = self._with_held(sv)
        out_lat = np.full(len(msgs), np.nan)
        out_lon = np.full(len(msgs), np.nan)
        out_lat[rows], out_lon[rows] = lat, lon
        self._last_positions = (out_lat, out_lon)
        return sv

    def admitted(self, msgs: Messages) -> tuple[Arr, U4, Arr, Arr]:
        """The rows of ``msgs`` that ``update`` tracks (sorted by key and time) and their keys,
        and the rows it rejects for no time and for an unknown address; the address filter
        remembers the verified addresses (``spark.by_aircraft`` reads a step's clock here)."""
        af = self.address_filter
        usable = af.usable(msgs)
        untimed = usable & ~np.isfinite(msgs.timestamp)
        usable &= ~untimed
        rows = np.flatnonzero(usable)
        keys = message_keys(msgs)[rows]
        t = msgs.timestamp[rows]
        order = sort_order(keys, t)
        rows, keys = rows[order], keys[order]
        ok = af.accept_sorted(keys, msgs.address_verified[rows], t[order])
        return rows[ok], keys[ok], np.flatnonzero(untimed), rows[~ok]

    def update_observations(
        self, obs: Observations, row_sources: RowSources | None = None
    ) -> StateVectors:
        """Consume already-decoded reports (SBS, readsb, OpenSky) through the same gates (of
        several sources: ``row_sources`` names each row's, which its state vectors carry)."""
        b, keep, timed = self.observed(obs)
        if self.stats is not None:
            count_unusable(self.stats, obs, keep, ~timed, row_sources)
        b = b.take(keep)
        order = sort_order(b.key, b.t)
        rows = keep[order]
        sid = self._row_source_ids(row_sources, rows)
        sv, _, _ = self._ingest_passes(b.take(order), rows, obs.source, sid)
        return self._with_held(sv)

    @staticmethod
    def observed(obs: Observations) -> tuple[Batch, Arr, npt.NDArray[np.bool_]]:
        """The reports as tracker rows, the rows ``update_observations`` tracks (an address
        and a time), and which rows have a time."""
        b = from_observations(obs)
        timed = np.isfinite(b.t)
        return b, np.flatnonzero((b.key != 0) & timed), timed

    def _reject(
        self, reason: RejectReason, rows: Arr, source: str, row_sources: RowSources | None
    ) -> None:
        """``rows`` (of a chunk) rejected for ``reason``, counted under each row's source."""
        if self.stats is None or rows.shape[0] == 0:
            return
        if row_sources is None:
            self.stats.reject(reason, source, count=int(rows.shape[0]))
        else:
            count_by_source(self.stats, reason, row_sources.code[rows], row_sources.names)

    def _row_source_ids(
        self, row_sources: RowSources | None, rows: npt.NDArray[np.int64]
    ) -> npt.NDArray[np.int64] | None:
        """The source of each of ``rows`` as an index of ``_sources``; None when the chunk is
        of one source."""
        if row_sources is None:
            return None
        ids = np.array([self._source_id(n) for n in row_sources.names], dtype=np.int64)
        return ids[row_sources.code[rows]]

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
        cols["emit_ms"][slots] = stored_ms(cols["last_update"][slots])
        if self.rate_s > 0:
            last_b = np.floor(cols["last_update"][slots] / self.rate_s)
            cols["emit_bucket"][slots] = np.maximum(cols["emit_bucket"][slots], last_b)
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

    def _ingest_passes(
        self,
        b: Batch,
        arrival: npt.NDArray[np.int64],
        source: str,
        sid: Arr | None,
    ) -> tuple[StateVectors, F8, F8]:
        """``_ingest`` over a batch sorted by (key, time, ``arrival``: each row's place in the
        input), one pass at a time (``arrival_passes``) where an aircraft's rows went back in
        time: a row is tracked after every row of its aircraft that arrived before it, as a
        step of its own would track it."""
        n = b.t.shape[0]
        if n == 0:
            return StateVectors.empty(), np.zeros(0), np.zeros(0)
        slots, seen = self._seen(b.key)
        passes = arrival_passes(b.key, b.t, arrival)
        lost = lost_before(b.key, b.t, arrival, seen, self.lost_after_s, passes is None)
        if passes is None:
            out = self._ingest(b, source, sid, lost, slots)
        else:
            lat, lon = np.full(n, np.nan), np.full(n, np.nan)
            parts: list[StateVectors] = []
            by_pass = np.argsort(passes, kind="stable")  # each pass's rows stay sorted
            ends = np.cumsum(np.bincount(passes))
            for a, z in zip([0, *ends[:-1].tolist()], ends.tolist(), strict=True):
                sel = by_pass[a:z]
                sv, la, lo = self._ingest(
                    b.take(sel), source, None if sid is None else sid[sel], lost[sel]
                )
                parts.append(sv)
                lat[sel], lon[sel] = la, lo
            out = StateVectors.concat(parts), lat, lon
        self.expire(float(np.max(b.t)))
        return out

    def _seen(self, key: Arr) -> tuple[npt.NDArray[np.int64], F8]:
        """Each aircraft's slot (0: not known; ``key`` sorted), and each row's aircraft's
        last-seen time (-inf for one not known)."""
        n = key.shape[0]
        starts = run_starts(key)
        slots = self._table.lookup(key[starts].tolist())
        seen = self._table.cols["last_seen"][slots]
        out: F8 = np.repeat(seen, run_stops(starts, n) - starts)
        return slots, out

    def _ingest(
        self,
        b: Batch,
        source: str,
        sid: npt.NDArray[np.int64] | None,
        lost: Arr,
        slots: npt.NDArray[np.int64] | None = None,
    ) -> tuple[StateVectors, F8, F8]:
        """Core over a batch sorted by (key, time); returns rows and per-row positions.
        ``sid``: each row's source (an index of ``_sources``) where the rows are of several;
        ``lost``: the row's aircraft was lost just before it (``arrival.lost_before``);
        ``slots``: each aircraft's table slot, when looked up already."""
        n = b.t.shape[0]
        t, key = b.t, b.key
        s = core.segments(key, t, lost)
        carry_slot, carry = self._carry(key, s, lost, slots)
        f = core.accept_fields(b, s, carry)
        res = resolve(t, s.g, s.count, b.cpr_kind, b.cpr_odd, b.cpr_lat, b.cpr_lon, b.lat,
                      b.lon, b.groundspeed, carry, self.reference, self.places)  # fmt: skip
        pos = fld.accept(
            np.flatnonzero(res.ok),
            b.kind,
            t,
            s.g,
            carry["pos_k"],
            carry["pos_t"],
            fld.TRUST_FRESH_S["position"],
        )
        f.updated[pos] = True
        self._count(res.implausible, res.bad, res.waiting, pos, source, sid)
        upd = np.flatnonzero(f.updated)
        e, bucket = core.emitted(t, s, upd, carry, self.rate_s)
        # the source names of the emitted rows only (a merged chunk's rows are many more)
        row_source = source if sid is None else np.array(self._sources)[sid[e]]
        finals = self._carried_finals(s, upd, carry_slot, carry)
        sv = core.state_rows(b, s, f, res, pos, e, carry, row_source)
        if len(finals):  # (mostly none: no copy of the step's rows then)
            sv = StateVectors.concat([finals, sv])
        hexes = icao24_hex(key[s.starts])
        self._events.extend(
            detect(t, s.g, hexes, s.starts, s.ends, carry_slot == 0, ~s.last_seg, f.acc,
                   f.values, carry, pos, res.lat, res.lon, self.lost_after_s)
        )  # fmt: skip
        # Write back the state at the end of each aircraft's last segment.
        out = core.carried_out(b, s, f, res, pos, carry)
        core.emission_out(out, t, s, upd, e, bucket, carry,
                          self._source_id(source) if sid is None else sid)  # fmt: skip
        wkeys = key[s.we]
        table = self._table
        slots = table.lookup(wkeys.tolist())
        fresh = slots == 0
        if fresh.any():
            slots[fresh] = table.allocate(wkeys[fresh].tolist())
        table.scatter(slots, out)
        if self.stats is not None:
            self.stats.aircraft.update(wkeys.tolist())
        lat_rows = np.full(n, np.nan)
        lon_rows = np.full(n, np.nan)
        lat_rows[pos], lon_rows[pos] = res.lat[pos], res.lon[pos]
        return sv, lat_rows, lon_rows

    def _carried_finals(
        self, s: core.Segments, upd: Arr, carry_slot: npt.NDArray[np.int64], carry: dict[str, Arr]
    ) -> StateVectors:
        """The unemitted final state of known aircraft lost inside this batch before any update
        of theirs in it: read from the table before the batch overwrites their slots (the state
        an ``expire`` at an earlier step's end would have returned)."""
        gone = np.flatnonzero((carry_slot > 0) & ~s.last_seg & carry["pending"])
        if gone.size == 0:
            return StateVectors.empty()
        updated = np.zeros(s.count, dtype=np.bool_)
        updated[s.g[upd]] = True
        gone = gone[~updated[gone]]
        return self._rows_from_table(np.sort(carry_slot[gone]))

    def _carry(
        self, key: Arr, s: core.Segments, lost: Arr, slots: npt.NDArray[np.int64] | None
    ) -> tuple[npt.NDArray[np.int64], dict[str, Arr]]:
        """Carried state: the slot of known, not expired aircraft for each first segment
        (an expired one is lost now), and the slots' columns per segment (``slots``: each
        aircraft's, when looked up already)."""
        table = self._table
        firsts = s.starts[s.first_seg]
        known = table.lookup(key[firsts].tolist()) if slots is None else slots.copy()
        stale = (known > 0) & lost[firsts]
        if stale.any():
            self._lost(known[stale])
            known[stale] = 0
        carry_slot = np.zeros(s.count, dtype=np.int64)
        carry_slot[s.first_seg] = known
        return carry_slot, table.gather(carry_slot)

    def _count(
        self,
        implausible: Arr,
        bad: Arr,
        waiting: int,
        pos: Arr,
        source: str,
        sid: Arr | None,
    ) -> None:
        """Position counters, and the gate's rejects under each row's source (``sid``: each
        row's index of ``_sources``, where the rows are of several)."""
        n_imp, n_bad = int(np.count_nonzero(implausible)), int(np.count_nonzero(bad))
        self.counters["position_implausible"] += n_imp
        self.counters["position_bad"] += n_bad
        self.counters["position_waiting"] += waiting
        self.counters["position_accepted"] += int(pos.shape[0])
        if self.stats is None:
            return
        self.stats.positions += int(pos.shape[0])
        for reason, mask in ((RejectReason.IMPLAUSIBLE_POSITION, implausible),
                             (RejectReason.BAD_POSITION, bad)):  # fmt: skip
            if sid is None:
                self.stats.reject(reason, source, count=int(np.count_nonzero(mask)))
            else:
                count_by_source(self.stats, reason, sid[mask], self._sources)
