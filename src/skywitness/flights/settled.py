"""The settled prefixes of an incremental builder's flights in progress (``settle``): which
flights are cut where, the seeds a step builds them from and the merge of each step's
rebuild with their summaries. ``incremental.FlightBuilder`` holds one ``SettledFlights`` and
drops the rows and flights a cut says."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
import numpy.typing as npt
import pyarrow as pa

from .columns import table_words
from .point_order import point_order
from .rowarrays import NEVER, floats_of, run_heads
from .rowarrays import ms_of as _ms
from .settle import (
    DEPARTURE_COLUMNS,
    FAST_SEED_KT,
    Settled,
    Sorted,
    combined,
    find_cuts,
    is_fast,
    merge,
    seed_row,
    seed_rows,
    tally,
)
from .spans import Spans, span_stats, span_words
from .tablediff import diff_flights

if TYPE_CHECKING:
    from .builder import FlightTally

I8 = npt.NDArray[np.int64]
F8 = npt.NDArray[np.float64]
#: Seeds of a step (1-row tables) handed over as they are up to this many, else as one table.
SEED_CHUNKS = 16
#: ``build_flights`` of a window, and its flights' tally where it has one
Build = Callable[[pa.Table], "tuple[pa.Table, FlightTally | None]"]


@dataclass(slots=True)
class Cut:
    """A cut made: the aircraft, its flight in progress (kept) and the time rows before which
    are dropped (with the flights before that one) and points before which are late."""

    code: int
    fid: str
    first_ms: int
    cut_ms: int
    accept_ms: int
    kept: int  # rows held after the cut


class SettledFlights:
    """Summaries of the flights in progress that were cut, by aircraft code."""

    def __init__(self) -> None:
        self.by_code: dict[int, Settled] = {}
        # the last merge's departure rows as one table, and the summaries' rows it was made
        # of: the next step's merge mostly wants the same (a concatenation and 14 columns
        # combined, ~0.2 ms a step, saved)
        self._dep_parts: list[pa.Table] = []
        self._dep: pa.Table | None = None

    def __len__(self) -> int:
        return len(self.by_code)

    def tables(self) -> list[pa.Table]:
        """The Arrow tables the summaries hold (for ``FlightBuilder.held_bytes``)."""
        out = []
        for s in self.by_code.values():
            out += [s.seed, s.dep_fast] + ([s.dep] if s.dep is not None else [])
        return out + ([self._dep] if self._dep is not None else [])

    def _departures(self, parts: list[pa.Table]) -> pa.Table:
        """``settle.combined(parts)``, the last one again where ``parts`` are the same."""
        same = len(parts) == len(self._dep_parts) and all(
            a is b for a, b in zip(parts, self._dep_parts, strict=True)
        )
        if not same or self._dep is None:
            self._dep_parts, self._dep = parts, combined(parts)
        return self._dep

    def forget(self, codes: I8, fids: list[str]) -> None:
        """The flights ``fids`` (of aircraft ``codes``) are final: their summaries go."""
        for c, f in zip(codes.tolist(), fids, strict=True):
            s = self.by_code.get(c)
            if s is not None and s.fid == f:
                del self.by_code[c]

    def seeds(self, aff: I8, ws: I8) -> tuple[list[pa.Table], I8, I8]:
        """The seeds of the aircraft ``aff`` whose step rebuilds a cut flight (window start
        ``ws`` per code at or before the cut): tables, codes, times."""
        if not self.by_code:
            return [], np.zeros(0, np.int64), np.zeros(0, np.int64)
        got = [(c, s) for c in aff.tolist() if (s := self.by_code.get(c)) and ws[c] <= s.cut_ms]
        codes = np.array([c for c, _ in got], dtype=np.int64)
        seeds = [s.seed for _, s in got]
        if len(seeds) > SEED_CHUNKS:  # one chunk: a window of thousands of 1-row chunks is
            # slow to slice and group (a build in groups: ~1 s a step at 10,000 aircraft)
            seeds = [pa.concat_tables(seeds).combine_chunks()]
        return seeds, codes, np.array([s.cut_ms for _, s in got], np.int64)

    def merge(self, window: pa.Table, w_code: I8, w_ms: I8, rebuilt: pa.Table, r_code: I8,
              seeded: I8, tally: FlightTally | None = None) -> tuple[pa.Table, I8]:  # fmt: skip
        """``rebuilt`` (of aircraft ``r_code``) with each seeded flight (the one starting at
        its seed) merged with its summary (the merged rows last), and the aircraft of its
        rows; ``tally``: the build's of ``rebuilt``'s flights."""
        if seeded.size == 0:
            return rebuilt, r_code
        cut = np.full(int(max(r_code.max(initial=0), seeded.max())) + 2, NEVER, np.int64)
        cut[seeded] = [self.by_code[c].cut_ms for c in seeded.tolist()]
        is_t = _ms(rebuilt["firstSeen"]) == cut[np.where(r_code >= 0, r_code, -1)]
        t_idx = np.flatnonzero(is_t)
        every = t_idx.size == rebuilt.num_rows  # every flight a seeded one's (a live step's)
        tails = rebuilt if every else rebuilt.take(pa.array(t_idx))
        if tally is not None and tally.leads[t_idx].all():
            # each tail its aircraft's first rows in the window: the rows the merge counts
            # are the tail flight's own, counted by its build
            settled = [self.by_code[c] for c in r_code[t_idx].tolist()]
            cs = [tally.callsigns[i] for i in t_idx.tolist()]
            src = [tally.sources[i] for i in t_idx.tolist()]
            merged = merge(tails, settled, cs, src, tally.vmax[t_idx], self._departures)
        else:
            merged = self._merged(window, w_code, w_ms, tails, r_code[t_idx])
        if every:
            return merged, r_code
        rest = rebuilt.filter(pa.array(~is_t))
        return pa.concat_tables([rest, merged]), np.concatenate((r_code[~is_t], r_code[t_idx]))

    def _merged(
        self, window: pa.Table, w_code: I8, w_ms: I8, tails: pa.Table, t_code: I8
    ) -> pa.Table:
        """The merged rows of ``tails`` (seeded flights of aircraft ``t_code``): each one's
        tail rows are the first ``n_positions`` of its aircraft's rows in the window by time
        (then window order, as ``Sorted``), whose words and top speed ``merge`` adds to the
        summary's. Words are coded over the window's columns as they are and the codes put in
        that order (no copy of the rows)."""
        size = int(max(t_code.max(initial=0), w_code.max(initial=0))) + 1
        tailed = np.zeros(size, dtype=bool)  # (a lookup: ``np.isin`` sorts, ~3x the cost)
        tailed[t_code] = True
        sel = np.flatnonzero(tailed[w_code])
        # by aircraft then time, ties in window order (a stable sort)
        order = point_order(w_ms, w_code, sel, int(w_code.max(initial=0)) + 1)
        assert order is not None  # (with ``sel`` given, never None)
        code = w_code[order]
        new = run_heads(code)
        start = np.maximum.accumulate(np.where(new, np.arange(code.shape[0]), 0))
        jt = np.full(size, -1, np.int64)
        jt[t_code] = np.arange(t_code.shape[0])
        nt = np.zeros(size, np.int64)
        nt[t_code] = np.asarray(tails["n_positions"].to_numpy(), np.int64)
        rank = np.arange(code.shape[0]) - start
        group = np.where(rank < nt[code], jt[code], -1)
        k = t_code.shape[0]
        cw, cwords = table_words(window, "callsign")  # (coded once: the build's)
        sw, swords = table_words(window, "source")
        cs = tally(cw[order], cwords, group, k)
        src = tally(sw[order], swords, group, k)
        vmax = np.full(k, np.nan)
        gs = floats_of(window["groundspeed"])[order]
        np.fmax.at(vmax, group[group >= 0], gs[group >= 0])
        settled = [self.by_code[c] for c in t_code.tolist()]
        return merge(tails, settled, cs, src, vmax, self._departures)

    def cut(
        self,
        rows: pa.Table,
        code: I8,
        ms: I8,
        flights: pa.Table,
        hi_ms: I8,
        build: Build,
    ) -> list[Cut]:
        """Cut the flights in progress ``flights`` (one per aircraft, ascending code) whose
        held rows are ``rows`` (aircraft ``code``, times ``ms``, in held order): where a cut
        is found and gives the flight's row back, its summary is kept and the cut returned.
        ``hi_ms`` per aircraft: the cut rows end by then; ``build``: ``build_flights`` (and
        the tally of its flights, ``builder.build_flights_tallied``)."""
        s = Sorted.of(rows, code, ms)
        firsts = s.firsts()
        ac = s.aircraft()
        f_codes = s.code[firsts]
        first_ms = _ms(flights["firstSeen"])
        last_ms = _ms(flights["lastSeen"])
        fa_ms = _ms(flights["first_airborne"])
        old = np.array([c in self.by_code for c in f_codes.tolist()], dtype=bool)
        # first cut: from the flight's first row (its time held by one row only)
        before = np.bincount(ac, weights=s.ms < first_ms[ac], minlength=firsts.shape[0])
        at = np.bincount(ac, weights=s.ms == first_ms[ac], minlength=firsts.shape[0])
        lo = np.where(old, firsts, firsts + before.astype(np.int64))
        ok = old | (at == 1)
        hi = np.where(ok, np.minimum(hi_ms, last_ms), NEVER)
        pairs = zip(f_codes.tolist(), old.tolist(), strict=True)
        coslat = np.array([self.by_code[c].coslat if o else 2.0 for c, o in pairs])
        fa = np.where(old, NEVER, fa_ms)  # (a later cut's rows are all its middle)
        cuts, ends = find_cuts(s, lo, hi, fa, coslat)
        pick = np.flatnonzero(cuts >= 0)
        if pick.size == 0:
            return []
        spans = Spans.of(lo[pick], cuts[pick])
        olds = [self.by_code.get(c) for c in f_codes[pick].tolist()]
        vmax0 = np.array([np.nan if x is None else x.vmax for x in olds])
        got = span_stats(s, spans, fa[pick], vmax0)
        seeds = seed_rows(s.table, cuts[pick], got.vmax)
        words = zip(pick.tolist(), span_words(s, spans), strict=True)
        new = [self._summary(s, int(ends[i]), int(lo[i]), int(cuts[i]), flights.slice(int(i), 1),
                             olds[j], got.at(j), seeds.slice(j, 1), *w)
               for j, (i, w) in enumerate(words)]  # fmt: skip
        first = [not bool(old[i]) for i in pick.tolist()]  # fast departures known of the rest
        fast_dep = self._fast_departures(s, new, first, pick, cuts, build)
        new_codes = [int(f_codes[i]) for i in pick.tolist()]
        keep = self._checked(
            s, new, first, new_codes, fast_dep, flights.take(pa.array(pick)), build
        )
        out = []
        for i, summary, good in zip(pick.tolist(), new, keep, strict=True):
            if not good or summary is None:
                continue
            c = int(f_codes[i])
            # a copy of its seed row: a slice would keep the step's table of seeds alive for as
            # long as any one of its summaries lives (hours, a landed aircraft's)
            summary.seed = summary.seed.take(pa.array([0]))
            self.by_code[c] = summary
            kept = int(firsts[i] + s.sizes()[i] - cuts[i])
            out.append(Cut(c, summary.fid, int(first_ms[i]), summary.cut_ms,
                           summary.accept_ms, kept))  # fmt: skip
        return out

    def _summary(
        self,
        s: Sorted,
        end: int,
        lo: int,
        c: int,
        flight: pa.Table,
        old: Settled | None,
        got: tuple[float, int, float, float],
        seed: pa.Table,
        cs: dict[str, int],
        src: dict[str, int],
    ) -> Settled | None:
        """The summary of the flight ``flight`` cut at row ``c`` (its held rows from ``lo``
        before the cut: the first ones, or those after its last cut ``old``, whose callsigns
        and sources are ``cs`` and ``src``; ``got``: their ``SpanStats``, the top speed with
        ``old``'s; ``end``: the last row making ``c`` a cut; ``seed``: row ``c`` as the seed)."""
        vmax, gaps, longest, cos = got
        accept = int(s.ms[end]) + 1
        if old is not None:
            callsigns = dict(old.callsigns)
            for w, n in cs.items():
                callsigns[w] = callsigns.get(w, 0) + n
            return Settled(
                old.fid, int(s.ms[c]), accept, old.dep, old.dep_fast, vmax, old.n + (c - lo),
                old.bridged + gaps, max(old.longest, longest), min(old.coslat, cos), callsigns,
                list(dict.fromkeys([*old.sources, *src])), seed,
            )  # fmt: skip
        stop = s.start[c] + int(s.sizes()[s.aircraft()[c]])
        upto = s.ms[lo:stop] <= int(_ms(flight["lastSeen"])[0])
        top = float(np.fmax.reduce(np.r_[np.nan, s.floats("groundspeed")[lo:stop][upto]]))
        if not is_fast(vmax) and is_fast(top) and not flight["departure_observed"][0].as_py():
            return None  # fast only after the cut: the slow departure is not known
        # an observed departure is named from its ground points, whatever the speed
        either = is_fast(vmax) or bool(flight["departure_observed"][0].as_py())
        dep = flight.select(list(DEPARTURE_COLUMNS))
        return Settled(
            str(flight["flight_id"][0]), int(s.ms[c]), accept,
            None if either else dep, dep, vmax, c - lo, gaps, longest, cos, cs, list(src), seed,
        )  # fmt: skip

    def _fast_departures(
        self,
        s: Sorted,
        new: list[Settled | None],
        first: list[bool],
        pick: I8,
        cuts: I8,
        build: Build,
    ) -> dict[int, pa.Table]:
        """For first cuts of slow flights: the departure columns as they read once the flight
        is fast (a seed as fast as nothing flies put at the cut, all held rows kept)."""
        need = [j for j, x in enumerate(new) if x is not None and x.dep is not None and first[j]]
        if not need:
            return {}
        codes = s.code[cuts[pick[need]]]
        seeds = [seed_row(s.table.slice(int(cuts[pick[j]]), 1), FAST_SEED_KT) for j in need]
        sel = np.flatnonzero(np.isin(s.code, codes))
        out, _ = build(pa.concat_tables([*seeds, s.table.take(pa.array(sel))]))
        got: dict[int, pa.Table] = {}
        fids = out["flight_id"].to_pylist()
        for j in need:
            x = new[j]
            assert x is not None
            if x.fid in fids:
                row = out.slice(fids.index(x.fid), 1)
                got[j] = row.select(list(DEPARTURE_COLUMNS))
        return got

    def _checked(
        self,
        s: Sorted,
        new: list[Settled | None],
        first: list[bool],
        new_codes: list[int],
        fast_dep: dict[int, pa.Table],
        flights: pa.Table,
        build: Build,
    ) -> list[bool]:
        """Whether each summary, merged with the rebuild from its seed, gives its flight's
        row (``flights``, one per summary) back; fills in the fast departures."""
        ok = [
            x is not None and (x.dep is None or not first[j] or j in fast_dep)
            for j, x in enumerate(new)
        ]
        trial = SettledFlights()
        icao: dict[str, int] = {}
        seeds, codes, cut_ms = [], [], []
        for j, x in enumerate(new):
            if not ok[j] or x is None:
                continue
            if x.dep is not None and first[j]:
                x.dep_fast = fast_dep[j]
            c = new_codes[j]
            icao[str(x.seed["icao24"][0])] = c
            trial.by_code[c] = x
            seeds.append(x.seed)
            codes.append(c)
            cut_ms.append(x.cut_ms)
        if not seeds:
            return ok
        s_code = s.code
        cut = np.full(int(s_code.max()) + 1, 2**62, np.int64)
        cut[codes] = cut_ms
        sel = np.flatnonzero(s.ms >= cut[s_code])
        # one chunk (the seeds are one each): the build's columns are then one array each
        window = pa.concat_tables([*seeds, s.table.take(pa.array(sel))]).combine_chunks()
        w_code = np.concatenate((np.array(codes, np.int64), s_code[sel]))
        w_ms = np.concatenate((np.array(cut_ms, np.int64), s.ms[sel]))
        rebuilt, tally = build(window)
        r_code = np.array([icao.get(a, -1) for a in rebuilt["icao24"].to_pylist()], np.int64)
        seeded = np.array(codes, np.int64)
        merged, _ = trial.merge(window, w_code, w_ms, rebuilt, r_code, seeded, tally)
        fids = {x.fid for x in trial.by_code.values()}
        want = flights.filter(pa.array([f in fids for f in flights["flight_id"].to_pylist()]))
        got = merged.filter(pa.array([f in fids for f in merged["flight_id"].to_pylist()]))
        if want.num_rows == len(fids) and want.equals(got):
            # every row given back value for value, in order (what every cut on the Beast
            # feed does): no row by row comparison as Python values (~1 ms a check)
            return ok
        changed, removed = diff_flights(want, got)
        bad = set(changed["flight_id"].to_pylist()) | set(removed)
        bad |= set(fids) - set(got["flight_id"].to_pylist())
        for j, x in enumerate(new):
            if ok[j] and x is not None and x.fid in bad:
                ok[j] = False
        return ok
