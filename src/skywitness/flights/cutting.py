"""The cut half of the incremental ``FlightBuilder`` (``incremental``): which flights in progress
are cut (``settle``, ``settled``) and when. A long flight in progress is cut once its aircraft
holds ``settle_rows`` rows, or ``SPAN_MIN_ROWS`` spanning ``SETTLE_SPAN_S`` of data time (an
aircraft heard every few seconds), and again each time they double, its cut rows ending the
builder's ``late_s`` (``LATE_S`` by default) before the aircraft's newest point; the aircraft
within ``BATCH_NUM / BATCH_DEN`` of their own cut's rows are cut in the same step as one that is
due (a cut's check is a build, whose cost is mostly fixed: on the 5M-frame Beast feed, 11
aircraft, the steps that cut halved and the flights stage's CPU fell by ~20 %; the cuts are
checked, so the flights are the same), the rows of the aircraft one step cuts bounded
(``CUT_ROWS``, ``CUT_SPREAD``: the others cut in the steps after). An aircraft gone quiet (its
newest point ``quiet_s`` (``QUIET_S``) behind the newest of any aircraft: out of coverage, or
landed and switched off) is cut once per quiet spell, whatever it holds, at the latest settled
rows of its airborne part (ending by its newest point and its flight's last airborne point): the
same cut, summary and check (the cut is made only where it gives the flight's row back), only
later rows held back from being late. Its flights before are then final and every row before the
cut released: the aircraft holds its last airborne minutes, landing and taxi until
``FINAL_SILENCE_S`` forgets it, not its last two flights. (Not less: until then a later ground
stay with a longer silence would move the batch segmentation's cut after points still to come,
so its landed flight's rows may still change and its ground rows are needed.)"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import numpy.typing as npt
import pyarrow as pa
import pyarrow.compute as pc

from .rowarrays import ALWAYS as ALWAYS
from .rowarrays import NEVER
from .rowarrays import last_le as _last_le

if TYPE_CHECKING:
    from .incremental import FlightBuilder

I8 = npt.NDArray[np.int64]

#: Points up to this much older than the aircraft's newest merge exactly (a builder's
#: ``late_s``; the live flights stage's is shorter, ``runtime.flight_steps.LIVE_LATE_S``), s.
LATE_S = 600.0
QUIET_S = LATE_S  # an aircraft this far behind the newest point of any is quiet, s
#: Aircraft within this fraction (BATCH_NUM / BATCH_DEN) of their cut's rows are cut along with
#: one that is due: a cut's check is a build, whose cost is mostly fixed, so one build checks
#: the cuts of several aircraft instead of one build per aircraft on steps apart.
BATCH_NUM, BATCH_DEN = 3, 4
#: An aircraft whose rows held span this much data time is due for a cut too, however few
#: rows (an aircraft heard once every few seconds, 60,000 in play, would hold its whole flight
#: up to ``settle_rows``: ~55 minutes, every step rebuilding it), s; for a builder of another
#: ``late_s``, in the same proportion to it.
SETTLE_SPAN_S = 2 * LATE_S
#: ... if it holds at least this many rows (a sparse aircraft costs little; each try a build;
#: a short-haul shuttle, its last flights held, is left to its quiet cut).
SPAN_MIN_ROWS = 300
#: A cut flight is cut again once its aircraft's rows held reach this multiple
#: (RECUT_NUM / RECUT_DEN) of those it kept at its last cut (a failed try: again once they
#: grew by half).
RECUT_NUM, RECUT_DEN = 2, 1
#: Rows held by the aircraft whose flights one step cuts, at most: ``CUT_ROWS``, or the rows
#: held over ``CUT_SPREAD`` where more (at least one aircraft a step). The cut's check builds
#: them all at once: ``serve`` started beside 20,000 airborne aircraft sees them all reach
#: their first cut together (and each cut's next, ~10 minutes later), and a check over ~20M
#: rows took a step of up to 174 s and ~10 GB in the flights child, its backlog in serve past
#: ``runtime.workers.PENDING_MAX_ROWS`` (rows dropped). The aircraft left over stay due: they
#: are cut in the next steps, the due ones with most rows first (the cuts are checked, so the
#: flights are the same whenever they are cut). The bound grows with the rows held because
#: every aircraft must be cut again each ~10 minutes of data (its rows doubled): a fixed 1M a
#: step (a step a 60 s window) cut too few of 20,000 aircraft and their rows grew unbounded.
CUT_ROWS = 1_000_000
CUT_SPREAD = 5
#: Rows held by the aircraft a step would cut, at least, before a cut due by its span alone is
#: made (one due by ``settle_rows`` is made whatever the others hold), and by the aircraft gone
#: quiet before their cut (their rows cost memory, not steps). A cut's check is a build whose
#: cost is mostly fixed (~15 ms a step on the 5M-frame Beast feed, 11 aircraft), about what
#: rebuilding ~30,000 held rows costs a step: below that, holding the rows a little longer is
#: cheaper than cutting them. Without it the live stage's short horizon
#: (``runtime.flight_steps.LIVE_LATE_S``) cut a few aircraft nearly every step there (276 cut
#: steps of 371, the stage's CPU 1.6x that of the 10-minute horizon's), and looked for quiet
#: aircraft to cut every 2 minutes of data (76 quiet cuts' builds in 3 h of quickstart's 213
#: aircraft, now 3). Many aircraft in play are due by many more rows than this every step:
#: their cuts are as before.
CUT_MIN_ROWS = 30_000


def cut(b: FlightBuilder, aff: I8) -> None:
    """Cut the long flights in progress of ``aff`` (``settle``), and the flights in
    progress of aircraft gone quiet (``_quiet``): rows before the cut dropped, the flights
    before final, older points late from then on."""
    if b._settled is None:
        return
    # (the rows held per aircraft before this step's cuts: a copy, cuts drop rows)
    held = b._held.copy()
    h, k, span = held[aff], b._kept[aff], b._newest[aff] - b._oldest[aff]
    span_ms = round(SETTLE_SPAN_S / LATE_S * b._late_ms)
    long = (span >= span_ms) & (h >= SPAN_MIN_ROWS)
    by_rows = h >= b._settle_rows
    due = (by_rows | long) & (h * RECUT_DEN >= RECUT_NUM * k)
    want = aff[due]
    if want.size:  # a cut's check is one build however many aircraft: those nearly due too
        near = span * BATCH_DEN >= span_ms * BATCH_NUM
        near = (h * BATCH_DEN >= b._settle_rows * BATCH_NUM) | (near & (h >= SPAN_MIN_ROWS))
        pick = np.flatnonzero(near & (h * BATCH_DEN * RECUT_DEN >= RECUT_NUM * k * BATCH_NUM))
        budget = max(CUT_ROWS, b.retained_rows() // CUT_SPREAD)
        if int(h[pick].sum()) < CUT_MIN_ROWS and not (by_rows & due).any():
            pick = pick[:0]  # span-due only, too few rows to pay for the cut's build: later
        want = aff[pick[within_budget(h[pick], due[pick], budget)]]
    # no cut (none settled yet, or not checked): tried again once the rows grew by half
    _cut_at(b, want, b._newest[want] - b._late_ms, held, quiet=False)
    quiet = _quiet(b, held)
    if quiet.size:
        b.quiet_cuts += _cut_at(b, quiet, b._newest[quiet], held, quiet=True)


def within_budget(held: I8, due: npt.NDArray[np.bool_], budget: int) -> I8:
    """Indices of the aircraft (``held`` rows each) cut in one step: the due ones with most
    rows first, then the nearly due, as long as their rows stay within ``budget`` (at least
    one aircraft), in index order."""
    order = np.lexsort((-held, ~due))
    n = max(1, int(np.searchsorted(np.cumsum(held[order]), budget, side="right")))
    return np.sort(order[:n])


def _quiet(b: FlightBuilder, held: I8) -> I8:
    """Aircraft with rows held whose newest point is ``QUIET_S`` behind the newest of any
    aircraft, not tried since that point came: each is tried once per quiet spell. Looked
    for once per ``QUIET_S`` of data time (when the newest point enters the next such span),
    so that the aircraft gone quiet meanwhile are cut in one go (a cut's check is a build),
    once they hold ``CUT_MIN_ROWS`` (a quiet aircraft's rows cost memory, not steps: it has no
    new rows to rebuild)."""
    if b._quiet_ms is None or b._now // b._quiet_ms == b._quiet_span:
        return np.zeros(0, dtype=np.int64)
    b._quiet_span = b._now // b._quiet_ms
    quiet = (
        (b._newest > NEVER)
        & (b._newest < b._now - b._quiet_ms)
        & (b._quiet_tried != b._newest)
        & (held > 0)
    )
    codes = np.flatnonzero(quiet)
    if int(held[codes].sum()) < CUT_MIN_ROWS:  # not worth a build yet: looked at again later
        return codes[:0]
    b._quiet_tried[codes] = b._newest[codes]
    return codes


def _cut_at(b: FlightBuilder, want: I8, hi: I8, held: I8, *, quiet: bool) -> int:
    """Cut the flights in progress of aircraft ``want`` where their cut rows end by ``hi``
    (ms per aircraft of ``want``; ``quiet``: also by the flight's last airborne point, the
    aircraft's newest points may be on the ground); the cuts made."""
    if want.size == 0:
        return 0
    assert b._settled is not None
    order = np.lexsort((b._l_first, b._l_code))
    lc = b._l_code[order]
    j = _last_le(lc, b._l_first[order], want, np.full(want.shape[0], ALWAYS))
    want, hi, j = want[j >= 0], hi[j >= 0], j[j >= 0]
    if want.size == 0:
        return 0
    at = np.flatnonzero(b._k_alive & np.isin(b._k_code, want))
    if at.size == 0:
        return 0
    rows = pa.concat_tables(b._rows(at))
    flights = b._live.take(pa.array(order[j]))
    if quiet:  # a landed aircraft's last rows are on the ground: cut in its approach
        la = pc.fill_null(flights["last_airborne"].cast(pa.int64()), NEVER)
        hi = np.minimum(hi, np.asarray(la.to_numpy(), dtype=np.int64))
    cuts = b._settled.cut(rows, b._k_code[at], b._k_ms[at], flights, hi, b._build_tallied)
    if not quiet:
        b._kept[want] = held[want] * 3 * RECUT_DEN // (2 * RECUT_NUM)
    if not cuts:
        return 0
    b.cuts += len(cuts)
    bound = np.full(len(b._code), NEVER, dtype=np.int64)
    first = np.full(len(b._code), NEVER, dtype=np.int64)
    for c in cuts:
        bound[c.code], first[c.code] = c.cut_ms, c.first_ms
        b._accept[c.code] = max(int(b._accept[c.code]), c.accept_ms)
        b._kept[c.code] = c.kept
    # the oldest row left of a cut aircraft is its cut row (held: the cut was found in them)
    b._drop(b._k_ms < bound[b._k_code], b._l_first < first[b._l_code], oldest=bound)
    return len(cuts)
