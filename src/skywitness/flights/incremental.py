"""Incremental flight building with bounded memory: new state vectors recompute only the
aircraft (and the recent flights of each) they touch, and only the rows still needed are kept.

For an aircraft receiving points from time ``t`` on, flights that started before the flight
preceding the one in progress at ``t`` cannot change: their boundaries lie in ground stays or
gaps the new points do not reach. Everything from there on is rebuilt, for all affected
aircraft in one vectorised ``build_flights`` call, and compared with what was there.

Retention: of a row only the columns the stage reads (``rowarrays.FLIGHT_COLUMNS``); per
aircraft only the rows from the flight before the one in progress at ``newest - late_s`` are
kept (the flight in progress and the last completed one); older flights are final (their rows,
one per flight, stay for ``flights()``). A long flight in progress is cut (``settle``,
``settled``: once its aircraft holds ``settle_rows`` rows, or rows spanning ``SETTLE_SPAN_S``,
and again each time they double, nearly due ones along with one that is due, ``cutting``):
its rows before a settled point more than ``late_s`` old are replaced by a summary that each
step merges with the rebuild from that point (the bulk build's row, checked when cut), and the
flights before it made final; the rows held and the rows rebuilt per step are then bounded by
the aircraft's recent rows, not the flight's length. An aircraft gone quiet (``quiet_s`` of
data time behind the newest point of any) is cut once too, at its last settled airborne rows
(``cutting``): it holds its last minutes, not its last two flights, until it is forgotten; its
points older than that cut are late from then on (the ``late_s`` merge guarantee holds for
points that come within ``quiet_s`` of data time of the aircraft's newest). Points arriving too
late (older than the retained flights, or a cut, allow) are counted as rejects, never merged
into a window that lacks their context. An aircraft silent for ``FINAL_SILENCE_S`` is forgotten
(its flights final; 12 h after its last point its code is given back, ``forget``), and one with
no flight keeps only its last ``GROUND_ONLY_KEEP_S`` of rows (a vehicle or a parked
transponder). With a ``spill`` the rows of a quiet aircraft after its quiet cut are parked
out of memory until it is heard again (``parking``). With a ``recall`` (the aircraft's stored
rows, e.g. from the store's lake, ``recalling``), a forgotten flight that ended in the air is
remembered for ``BRIDGE_RECALL_S``
(24 h, O(1) per aircraft, ``bridge``): when the aircraft comes back airborne where
``same_flight`` says it could not have landed in between (an ocean crossing out of coverage),
its rows are recalled and the flight is live again, rebuilt with the new points under its old
id. With ``keep_final=False`` (a live service with a store, which holds what was
passed on) a finished flight's row is handed over once (``take_finished_rows``) and then
dropped, unless a recall may bring it back: memory then holds the flights in progress, not
every flight of the run. Within these horizons the result is the one an unbounded builder gives
(equal to the bulk build on the tests); beyond them it differs where bulk joins a flight to
points after 6 h of silence (a landing hidden in a long gap, an ocean gap bridged without
``recall`` or after more than 24 h, parked points of the evening before a takeoff first seen
airborne) or to a ground-only stretch of more than 6 h before a takeoff. A kind learned
(``learn_kinds``) after a flight was cut judges its rows from the cut on only, as it judges
only the flights it rebuilds.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt
import pyarrow as pa
import pyarrow.compute as pc

from ..model import RejectReason
from ..stats import IngestStats
from . import builds, cutting, forget, recalling, retain
from .airports import AirportIndex
from .bridge import BridgeMemory, Recall
from .builder import FlightTally, airport_inference
from .builds import build_in_groups
from .chunks import compacted, hold, release
from .cutting import ALWAYS, LATE_S, QUIET_S
from .infer import AirportInference
from .kinds import Kinds
from .parking import Parking, RowSpill
from .point_order import AircraftCodes, grown_names, window_codes
from .rowarrays import NEVER, buffer_bytes, flight_states, held_texts, run_heads, where_rows
from .rowarrays import ms_of as _ms
from .schema import empty_flights
from .segment import GROUND_SPLIT_GAP_S
from .settle import SETTLE_ROWS
from .settled import SettledFlights
from .tablediff import diff_flights as _diff

I8 = npt.NDArray[np.int64]
F8 = npt.NDArray[np.float64]
B1 = npt.NDArray[np.bool_]

FINAL_SILENCE_S = GROUND_SPLIT_GAP_S  # 6 h: an aircraft silent this long is forgotten, s
MAX_CHUNKS = 32  # kept-row tables (one per update) beyond which the younger half are merged
FINAL_COMPACT = 64  # final flight tables merged into one beyond this many
FEW_ROWS = 64  # aircraft codes of at most this many rows looked up row by row (``_codes``)


class FlightBuilder:
    """Keeps recent state vectors and flights per aircraft; ``update`` returns what changed.

    ``late_s``: points up to this much older than their aircraft's newest merge exactly
    (``cutting.LATE_S``, 10 minutes, by default; the rows held per aircraft and rebuilt per
    step grow with it); ``quiet_s``: an aircraft this far behind the newest point of any is
    cut as quiet (None: never).

    ``late`` counts points left out because they were older than the retained flights allow;
    ``rebuilt_rows`` the state vectors run through ``build_flights`` so far (the cost);
    ``recalls`` the flights forgotten in the air brought back through ``recall``; ``cuts``
    the cuts made of flights in progress (``settle``); ``spill``: where the rows of quiet
    aircraft are parked (``parking``; None: they stay held).
    """

    def __init__(
        self,
        runways: pa.Table | None = None,
        *,
        airports: AirportIndex | None = None,
        inference: AirportInference | None = None,
        recall: Recall | None = None,
        kinds: Kinds | None = None,
        keep_final: bool = True,
        settle_rows: int | None = SETTLE_ROWS,
        late_s: float = LATE_S,
        quiet_s: float | None = QUIET_S,
        spill: RowSpill | None = None,
    ) -> None:
        self._inference = inference or airport_inference(runways, airports)
        self._keep_final = keep_final  # False: finished flights are handed over, then dropped
        # icao24 -> aircraft kind (None: by speed only, as bulk without); a copy: learned into
        self._kinds: dict[str, int] | None = dict(kinds) if kinds else None
        self._recall = recall  # rows of flights forgotten in the air (None: never recalled)
        self._bridges = BridgeMemory() if recall is not None else None
        self._code: dict[str, int] = {}  # icao24 -> aircraft code (index of the arrays below)
        self._names = np.zeros(0, dtype=object)  # icao24 by code
        self._newest = np.zeros(0, dtype=np.int64)  # ms, newest point per code (NEVER: none)
        self._accept = np.zeros(0, dtype=np.int64)  # ms, points older than this are late
        # kept rows: the tables of past updates, with a flag per row (compacted now and then,
        # so that an update costs its own rows, not all rows held)
        self._chunks: list[pa.Table] = []
        self._k_code = np.zeros(0, dtype=np.int64)  # per kept row
        self._k_ms = np.zeros(0, dtype=np.int64)
        self._k_alive = np.zeros(0, dtype=bool)
        self._held = np.zeros(0, dtype=np.int64)  # per code: rows held (``chunks.hold``)
        self._oldest = np.zeros(0, dtype=np.int64)  # per code: ms of the oldest (ALWAYS: none)
        self._live = empty_flights()  # flights that may still change
        self._l_code = np.zeros(0, dtype=np.int64)  # per live flight
        self._l_first = np.zeros(0, dtype=np.int64)
        self._final: list[pa.Table] = []
        self._finished: list[pa.Table] = []  # flights made final since they were last taken
        self._now = NEVER  # ms, newest point seen of any aircraft
        # flights in progress cut (``settle``): their rows before the cut replaced by a summary
        self._settled = SettledFlights() if settle_rows is not None else None
        self._settle_rows = settle_rows or 0
        self._late_ms = round(late_s * 1000)  # points this much older than the newest merge
        self._quiet_ms = None if quiet_s is None else round(quiet_s * 1000)  # None: never
        self._kept = np.zeros(0, dtype=np.int64)  # per code: rows held after its last cut
        self._quiet_tried = np.zeros(0, dtype=np.int64)  # per code: newest ms when tried quiet
        self._quiet_span = NEVER  # newest ms // quiet_ms when quiet aircraft were last looked for
        self._parking = Parking(spill) if spill is not None else None
        self.late = 0
        self.cuts = 0
        self.quiet_cuts = 0
        self.rebuilt_rows = 0
        self.recalls = 0
        self.codes_freed = 0  # codes of aircraft forgotten, given back (``forget``)

    @property
    def inference(self) -> AirportInference:
        """The airport inference the flights are built with (airports on their runways)."""
        return self._inference

    def learn_kinds(self, kinds: Kinds) -> None:
        """Kinds learned while running (an emitter category first heard): the next updates
        judge those aircraft by them."""
        if kinds:
            self._kinds = {**(self._kinds or {}), **kinds}

    def flights(self) -> pa.Table:
        """All current flights (final and still changing), by icao24 then firstSeen; with
        ``keep_final=False`` the final ones only while a recall may bring them back."""
        out = pa.concat_tables([*self._final, self._live])
        return out.sort_by([("icao24", "ascending"), ("firstSeen", "ascending")])

    def retained_rows(self) -> int:
        """State vectors held in memory (all aircraft)."""
        return int(self._held.sum())

    def retained_rows_of(self, icao24: str) -> int:
        """State vectors held in memory for one aircraft."""
        code = self._code.get(icao24)
        return 0 if code is None else int(self._held[code])

    def retained_rows_quiet(self) -> int:
        """State vectors held for aircraft quiet for ``quiet_s`` (landed, or out of coverage)."""
        quiet_ms = self._quiet_ms if self._quiet_ms is not None else round(QUIET_S * 1000)
        quiet = (self._newest > NEVER) & (self._newest < self._now - quiet_ms)
        return int(self._held[quiet].sum())

    def held_bytes(self) -> int:
        """Bytes of the Arrow buffers the builder keeps alive (rows held, flights, summaries
        of cut flights; a buffer shared by several tables once, a slice's whole buffer)."""
        tables = [*self._chunks, self._live, *self._final, *self._finished]
        if self._settled is not None:
            tables += self._settled.tables()
        return buffer_bytes(tables)

    def parked_rows(self) -> int:
        """State vectors of quiet aircraft parked out of memory (``parking``)."""
        return self._parking.rows if self._parking is not None else 0

    def remembered(self) -> int:
        """Flights forgotten in the air whose summaries are kept for a recall."""
        return len(self._bridges) if self._bridges is not None else 0

    def update(
        self, states: pa.Table, stats: IngestStats | None = None
    ) -> tuple[pa.Table, list[str]]:
        """Add state vectors; return (new or changed flights, ids of flights that vanished)."""
        new = flight_states(states)
        lost = states.num_rows - new.num_rows
        if stats is not None and lost:
            stats.reject(RejectReason.BAD_RECORD, "flights", count=lost, detail="no time or icao24")
        if new.num_rows == 0:
            return empty_flights(), []
        new = held_texts(new)
        code, ms = self._codes(new["icao24"]), _ms(new["timestamp"])
        late = ms < self._accept[code]
        if late.any():
            self.late += int(late.sum())
            if stats is not None:
                stats.reject(
                    RejectReason.BAD_TIMESTAMP,
                    "flights",
                    count=int(late.sum()),
                    detail="older than the flights kept for the aircraft",
                )
            new, code, ms = new.filter(pa.array(~late)), code[~late], ms[~late]
            if new.num_rows == 0:
                return empty_flights(), []
        self._now = max(self._now, int(ms.max()))
        aff = np.unique(code)
        if self._parking is not None:
            self._parking.unpark(self, aff)
        if self._bridges is not None:
            recalling.recall_flights(self, new, code, ms)
        t_min = np.full(len(self._code), ALWAYS, dtype=np.int64)
        np.minimum.at(t_min, code, ms)
        ws = np.full(len(self._code), ALWAYS, dtype=np.int64)  # window start per code
        ws[aff] = retain.window_start(self, aff, t_min[aff])
        at = np.flatnonzero(self._k_alive & (self._k_ms >= ws[self._k_code]))
        seeds, seeded, seed_ms = (
            self._settled.seeds(aff, ws) if self._settled is not None else ([], at[:0], at[:0])
        )
        window = pa.concat_tables([*seeds, *self._rows(at), new])
        if window.num_rows <= builds.BUILD_ROWS:
            # one chunk (the seeds, slices of the rows held and the new rows are ~20): every
            # column the build and the merge read is then one array (~0.1 ms a live step)
            window = window.combine_chunks()
        self.rebuilt_rows += window.num_rows
        w_code = np.concatenate((seeded, self._k_code[at], code))
        coded = window_codes(w_code, self._names)  # (the window's addresses not encoded)
        if self._settled is not None and seeded.size:
            rebuilt, tally = self._build_tallied(window, coded)
            w_ms = np.concatenate((seed_ms, self._k_ms[at], ms))
            r_code = self._codes(rebuilt["icao24"])
            merge = self._settled.merge(window, w_code, w_ms, rebuilt, r_code, seeded, tally)
            rebuilt, r_code = merge
        else:
            rebuilt = self._build(window, coded)
            r_code = self._codes(rebuilt["icao24"])
        redo = self._l_first >= ws[self._l_code]
        changed, removed = _diff(where_rows(self._live, redo), rebuilt)
        self._live = pa.concat_tables([where_rows(self._live, ~redo), rebuilt])
        self._live = self._live.combine_chunks()  # small; filters on many chunks are slow
        self._l_code = np.concatenate((self._l_code[~redo], r_code))
        self._l_first = np.concatenate((self._l_first[~redo], _ms(rebuilt["firstSeen"])))
        hold(self, new, code, ms)
        np.maximum.at(self._newest, code, ms)
        retain.retain(self, aff)
        self._forget()
        cutting.cut(self, aff)
        if self._parking is not None:
            self._parking.park(self)
        self._compact()
        forget.forget_codes(self)
        return changed, removed

    def _build(self, window: pa.Table, codes: AircraftCodes | None = None) -> pa.Table:
        return build_in_groups(window, self._inference, self._kinds, codes)

    def _build_tallied(
        self, window: pa.Table, codes: AircraftCodes | None = None
    ) -> tuple[pa.Table, FlightTally | None]:
        return builds.build_in_groups_tallied(window, self._inference, self._kinds, codes)

    def _rows(self, idx: I8, *, copy: bool = False) -> list[pa.Table]:
        """Kept rows at flat indices ``idx`` (ascending), one table per chunk touched: a run
        of a chunk's rows as a slice of it unless ``copy`` (rows to keep: a slice would pin
        the chunk's dropped rows)."""
        if idx.size == 0:
            return []
        offsets = np.cumsum([0, *(c.num_rows for c in self._chunks)])
        chunk = np.searchsorted(offsets, idx, side="right") - 1
        cuts = np.flatnonzero(run_heads(chunk))
        out = []
        for a, b in zip(cuts.tolist(), [*cuts[1:].tolist(), idx.shape[0]], strict=True):
            c, lo, hi = int(chunk[a]), int(idx[a]), int(idx[b - 1])
            if not copy and hi - lo == b - a - 1:  # a run of rows (ascending, distinct): a slice
                out.append(self._chunks[c].slice(lo - int(offsets[c]), b - a))
            else:
                out.append(self._chunks[c].take(pa.array(idx[a:b] - offsets[c])))
        return out

    def _compact(self, force: bool = False) -> None:
        """The kept rows' chunks without their dropped rows where half are dropped, the younger
        half merged where there are many (``chunks.compacted``; ``force``: every dropped row)."""
        got = compacted(self._chunks, self._k_alive, MAX_CHUNKS, force=force)
        if got is not None:
            self._chunks, keep = got
            self._k_code, self._k_ms = self._k_code[keep], self._k_ms[keep]
            self._k_alive = self._k_alive[keep]

    def _codes(self, icao: pa.ChunkedArray) -> I8:
        """Aircraft code per row (new aircraft get the next codes, in order of appearance); a
        loop over distinct aircraft only, or over the rows where they are few (a step's
        flights: no encoding, ~4x cheaper)."""
        if len(icao) <= FEW_ROWS and not icao.null_count:
            got = [self._code.setdefault(s, len(self._code)) for s in icao.to_pylist()]
            self._grow()
            return np.array(got, dtype=np.int64)
        enc = pc.dictionary_encode(icao).combine_chunks()
        lut = np.array(
            [self._code.setdefault(s, len(self._code)) for s in enc.dictionary.to_pylist()],
            dtype=np.int64,
        )
        self._grow()
        idx = np.asarray(enc.indices.to_numpy(zero_copy_only=False), dtype=np.int64)
        return lut[idx] if lut.size else idx

    def _grow(self) -> None:
        """Per-code arrays for the codes given out since."""
        grow = len(self._code) - self._newest.shape[0]
        if grow > 0:
            self._names = grown_names(self._names, self._code)
            self._newest = np.concatenate((self._newest, np.full(grow, NEVER, dtype=np.int64)))
            self._accept = np.concatenate((self._accept, np.full(grow, NEVER, dtype=np.int64)))
            self._kept = np.concatenate((self._kept, np.zeros(grow, dtype=np.int64)))
            self._held = np.concatenate((self._held, np.zeros(grow, dtype=np.int64)))
            self._oldest = np.concatenate((self._oldest, np.full(grow, ALWAYS, dtype=np.int64)))
            never = np.full(grow, NEVER, dtype=np.int64)
            self._quiet_tried = np.concatenate((self._quiet_tried, never))
            if self._parking is not None:
                self._parking.grow(len(self._code))

    def _forget(self) -> None:
        """Forget aircraft silent for FINAL_SILENCE_S: their flights are final."""
        cutoff = self._now - round(FINAL_SILENCE_S * 1000)
        silent = (self._newest > NEVER) & (self._newest < cutoff)
        if self._bridges is not None:
            if silent.any():
                recalling.remember(self, silent)
            self._bridges.expire(self._now)
        if not silent.any():
            return
        if self._parking is not None:
            self._parking.drop(silent)
        none = np.full(len(self._code), ALWAYS, dtype=np.int64)  # (no row left)
        self._drop(silent[self._k_code], silent[self._l_code], none)
        # a point of a forgotten aircraft is accepted only after its last one (a new flight)
        self._accept[silent] = self._newest[silent] + 1
        self._newest[silent] = NEVER

    def take_finished(self) -> list[str]:
        """Ids of the flights made final (no new point can change them; one forgotten in the
        air may still be recalled) since the last call."""
        ids: list[str] = self.take_finished_rows()["flight_id"].to_pylist()
        return ids

    def take_finished_rows(self) -> pa.Table:
        """The rows (``FLIGHT_SCHEMA``) of the flights made final since the last call (of this
        or ``take_finished``), as they were made final."""
        out, self._finished = self._finished, []
        return pa.concat_tables(out) if out else empty_flights()

    def _drop(self, rows: B1 | None, flights: B1, oldest: I8 | None = None) -> None:
        """Drop rows held (None: none; ``oldest``: see ``chunks.release``), finalise flights."""
        if rows is not None:
            release(self, rows, oldest)
        if flights.any():
            done = self._live.filter(pa.array(flights))
            if self._settled is not None and len(self._settled):
                self._settled.forget(self._l_code[flights], done["flight_id"].to_pylist())
            self._finished.append(done)
            self._final.append(done)
            keep = ~flights
            self._live = self._live.filter(pa.array(keep))
            self._l_code, self._l_first = self._l_code[keep], self._l_first[keep]
            if not self._keep_final:
                self._final = recalling.recallable(self)
            elif len(self._final) > FINAL_COMPACT:
                self._final = [pa.concat_tables(self._final).combine_chunks()]
