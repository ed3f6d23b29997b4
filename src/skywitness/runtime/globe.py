"""Ingest a readsb globe-history day archive into the store: streamed, filtered, resumable.

Each trace is decoded once, column-wise with many others (``sources.trace_bytes``; the general
``sources.readsb.trace_observations`` for a document of another shape), its callsign and squawk
carried forward along the trace, and stored as it is: trace points are already readsb's tracked
state vectors, so they are not re-tracked or thinned. Traces are written in batches; each batch
commits its rows, its traces' identity (``store.traces``), legs and identity facts (the head's,
``identify.trace_facts``; the points' emitter category, ``identify.adsb_facts``) in one
transaction, so an interrupted ingest resumes by skipping exactly the traces already stored. A
batch's rows are put in the lake's order (day, icao24, time) as whole traces, and its flights are
built from it in memory when they can be (``runtime.globe_flights``). Unreadable members are
counted and named, the rest of the day is stored. The ingest record is opened with the first
batch: an archive that yields nothing leaves no record (and the caller exits non-zero).
The reading (``trace_batches``) and a batch's rows (``batch_rows``) need no store: ``spark
ingest`` runs them in its tasks (``spark.globe``).
"""

from __future__ import annotations

import threading
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime

import numpy as np
import orjson
import pyarrow as pa
import pyarrow.compute as pc

from ..identify.adsb_facts import record_adsb_facts
from ..identify.store_schema import ensure_schema as ensure_identity_schema
from ..identify.trace_facts import record_trace_facts, trace_facts
from ..model import Observations, RejectReason
from ..sources.globe import (
    GlobeInput,
    GlobeReader,
    TraceDoc,
    trace_documents,
    wanted_members,
)
from ..sources.only import OnlyFilter
from ..sources.readsb import trace_observations
from ..sources.records import obs_concat, obs_take
from ..sources.tarstream import TarProblem
from ..sources.trace_bytes import observations, read_points
from ..stats import IngestStats
from ..store import Store
from ..store.catalog import set_ingest_sha256
from ..store.schema import canonicalize
from ..store.traces import ensure_trace_tables, record_traces, stored_trace_keys
from ..track.ingest_step import EmitterCategories
from .globe_batch import (
    Pending,
    Trace,
    carry_forward,
    lake_order,
    lake_rows,
    legs_table,
    run_columns,
    source_column,
    trace_end,
    trace_start,
)
from .globe_flights import GlobeFlights
from .records import observations_table

#: Trace points per committed batch: bounds memory (~200 B a point in flight) and the work an
#: interruption loses.
BATCH_POINTS = 500_000
FORMAT = "globe"
#: Inflated trace bytes decoded together (one column-wise read for many traces), ~50k points.
GROUP_BYTES = 8 << 20


@dataclass
class GlobeOutcome:
    """What one archive ingest did."""

    archive: str
    ingest_id: int | None = None
    traces: int = 0  # stored now
    kept: int = 0  # read and kept so far (stored, or in the batch being written)
    already: int = 0  # skipped: stored by an earlier ingest
    grown: int = 0  # stored before, with new points since: only those stored
    filtered: int = 0  # left out by --only
    points: int = 0  # trace points stored
    legs: int = 0
    facts: int = 0
    flights: int = 0
    problems: list[TarProblem] = field(default_factory=list)
    stats: IngestStats = field(default_factory=IngestStats)
    aircraft: Counter[str] = field(default_factory=Counter)  # icao24 -> points stored
    first: float | None = None
    last: float | None = None
    interrupted: bool = False

    @property
    def skipped(self) -> int:
        """Members or parts that could not be read."""
        return len(self.problems)


GlobeProgress = Callable[[GlobeReader, GlobeOutcome], None]


def ingest_globe(
    store: Store,
    inp: GlobeInput,
    only: OnlyFilter | None = None,
    *,
    stop: threading.Event | None = None,
    progress: GlobeProgress | None = None,
    batch_points: int = BATCH_POINTS,
    rebuild: bool = True,
) -> GlobeOutcome:
    """Store every trace of ``inp`` that ``only`` keeps and no earlier ingest stored."""
    only = only or OnlyFilter()
    con = store.connection
    store.write(ensure_identity_schema)  # catalogue writes: jobs of its one writer thread
    store.write(ensure_trace_tables)
    done = stored_trace_keys(con)
    out = GlobeOutcome(inp.name)
    out.problems += [TarProblem(m, 0, "part missing from the series") for m in inp.missing]
    flights = GlobeFlights(store) if rebuild else None
    run = ArchiveRun(GlobeReader(inp), out, only, done, batch_points, stop, progress)
    for batch in trace_batches(run):
        _flush(store, inp, run.reader, batch, out, flights)
    if progress is not None:
        progress(run.reader, out)
    _finish(store, run.reader, out)
    if flights is not None and out.aircraft and out.first is not None and out.last is not None:
        out.flights = flights.finish(dict(out.aircraft), out.first, out.last)
    return out


def trace_batches(run: ArchiveRun, share: Callable[[str], bool] | None = None) -> Iterator[Pending]:
    """Read ``run``'s archive: each batch of kept traces once it holds ``batch_points`` (the
    caller stores it before the next is read), then the last one (possibly empty). Unreadable
    members are named in ``run.out.problems``; ``run.done`` grows with every trace kept.
    ``share``: the member names this reader takes (the others passed over unread), when
    several read one archive (``spark.globe``)."""
    out, only = run.out, run.only
    want = wanted_members(only.keep_address) if only.active else None
    if share is not None:
        want = share if want is None else _both(want, share)
    members = run.reader.members(want)
    for item in trace_documents(members, only.keep_address):
        if isinstance(item, TarProblem):
            out.problems.append(item)
        elif _stored(item, run.done):
            out.already += 1
        else:
            run.group.append(item)
            run.group_bytes += len(item.data)
        if run.group_bytes >= GROUP_BYTES:
            yield from run.decode()
        run.tick()
        if out.interrupted:
            break
    if not out.interrupted:
        yield from run.decode()
    yield run.pending


def _both(a: Callable[[str], bool], b: Callable[[str], bool]) -> Callable[[str], bool]:
    return lambda name: a(name) and b(name)


def _stored(item: TraceDoc, done: dict[tuple[str, float], float]) -> bool:
    """Whether an earlier ingest stored the whole trace (told before its points are read)."""
    start = trace_start(item.doc)
    last = done.get((item.icao, start))
    end = start + item.split.last_dt if item.split is not None else trace_end(item.doc, start)
    return last is not None and end <= last


@dataclass
class ArchiveRun:
    """One archive's ingest in progress: the traces read and not yet decoded (``group``) and
    the batch being filled (``pending``)."""

    reader: GlobeReader
    out: GlobeOutcome
    only: OnlyFilter
    done: dict[tuple[str, float], float]
    batch_points: int
    stop: threading.Event | None = None
    progress: GlobeProgress | None = None
    pending: Pending = field(default_factory=Pending)
    group: list[TraceDoc] = field(default_factory=list)
    group_bytes: int = 0

    def tick(self) -> None:
        """Report progress; note an interruption asked for."""
        if self.progress is not None:
            self.progress(self.reader, self.out)
        if self.stop is not None and self.stop.is_set():
            self.out.interrupted = True

    def decode(self) -> Iterator[Pending]:
        """Decode the group (its points read together, column-wise) and take each trace; the
        batch is handed out whenever it holds ``batch_points``. An interruption leaves the rest
        of the group unstored (a resumed ingest reads it again)."""
        group, self.group, self.group_bytes = self.group, [], 0
        out = self.out
        for item, obs, bad in decode_group(group, out.problems):
            take_trace(item, obs, bad, self.pending, out, self.only, self.done)
            if self.pending.points >= self.batch_points:
                yield self.pending
                self.pending = Pending()
            self.tick()
            if out.interrupted:
                return


def decode_group(
    group: list[TraceDoc], problems: list[TarProblem]
) -> Iterator[tuple[TraceDoc, Observations | None, list[str]]]:
    """Each trace of ``group`` decoded: (trace, its points, the points refused and why). The
    points of the plain shape are read together, column-wise; a trace of another shape goes to
    the general decoder, which names what is wrong; broken JSON is named in ``problems``."""
    for item, cols in zip(group, read_points([_span(d) for d in group]), strict=True):
        obs = None if cols is None else observations(item.doc, cols, item.member)
        bad: list[str] = []
        if obs is None:
            try:
                obs, bad = trace_observations(item.full(), item.member)
            except orjson.JSONDecodeError as e:
                problems.append(TarProblem(item.member, 0, f"broken JSON: {e}"))
                continue
        yield item, obs, bad


def _span(item: TraceDoc) -> tuple[bytes, int, int]:
    """Where a trace's points lie in its document (none for one not split)."""
    return (item.data, item.split.start, item.split.end) if item.split else (b"", 0, 0)


def take_trace(
    item: TraceDoc,
    obs: Observations | None,
    bad: list[str],
    pending: Pending,
    out: GlobeOutcome,
    only: OnlyFilter,
    done: dict[tuple[str, float], float],
) -> None:
    key = (item.icao, trace_start(item.doc))
    last = done.get(key)
    if last is not None and obs is not None and float(obs.timestamp.max()) <= last:
        out.already += 1  # the same trace twice in one archive
        return
    if obs is not None and last is not None:  # a trace that grew: its new points only
        obs = obs_take(obs, np.flatnonzero(obs.timestamp > last))
        out.grown += 1
    out.stats.frames += len(bad) + (len(obs) if obs is not None else 0)
    for why in bad:
        out.stats.reject(RejectReason.BAD_RECORD, item.member, detail=why)
    if obs is None or not len(obs):
        if last is None:
            out.problems.append(TarProblem(item.member, 0, bad[0] if bad else "no points"))
        return
    if not only.keep_trace(item.icao, item.doc, obs):
        out.filtered += 1
        return
    done[key] = float(obs.timestamp.max())
    out.kept += 1
    facts = [] if item.icao.startswith("~") else trace_facts(item.icao, item.doc)
    cats = EmitterCategories().note(obs.icao24, obs.category, ~obs.non_icao)
    pending.docs.append(Trace(item.member, item.icao, key[1], done[key], facts, cats))
    pending.obs.append(carry_forward(obs))
    pending.points += len(obs)


def _flush(
    store: Store,
    inp: GlobeInput,
    reader: GlobeReader,
    pending: Pending,
    out: GlobeOutcome,
    flights: GlobeFlights | None = None,
) -> None:
    if not pending.obs:
        return
    obs, table = batch_rows(pending, inp.name, out.stats)
    if out.ingest_id is None:
        out.ingest_id = store.begin_ingest(archive_spec(inp), None, FORMAT, reader.total_bytes)
    ingest_id = out.ingest_id
    table = canonicalize(table, stats=out.stats, source=f"ingest #{ingest_id}")
    traces = pa.table(
        {
            "icao24": [d.icao for d in pending.docs],
            "trace_start": [d.start for d in pending.docs],
            "archive": [inp.name] * len(pending.docs),
            "member": [d.member for d in pending.docs],
            "points": [len(o) for o in pending.obs],
            "ingest_id": [ingest_id] * len(pending.docs),
            "last_point": [d.last for d in pending.docs],
        }
    )
    legs = legs_table(pending, inp.name, ingest_id)
    facts = [f for d in pending.docs for f in d.facts]
    cats = {a: c for d in pending.docs for a, c in d.categories.items()}
    stamp = datetime.now(UTC).replace(tzinfo=None)
    added = [0]

    def on_commit(c: object) -> None:  # runs in the catalogue writer's commit transaction
        record_traces(c, traces, legs)
        added[0] = record_trace_facts(c, facts, inp.name, stamp)
        added[0] += record_adsb_facts(c, cats, inp.name, stamp)

    stored = store.write_batch(ingest_id, table, stats=out.stats, on_commit=on_commit)
    out.traces += len(pending.docs)
    out.points += stored
    out.legs += legs.num_rows
    out.facts += added[0]
    out.stats.accepted += stored
    if stored:
        counts = pc.value_counts(table.column("icao24"))
        out.aircraft.update(
            dict(
                zip(
                    counts.field("values").to_pylist(),
                    counts.field("counts").to_pylist(),
                    strict=True,
                )
            )
        )
        lo, hi = float(obs.timestamp.min()), float(obs.timestamp.max())
        out.first = lo if out.first is None else min(out.first, lo)
        out.last = hi if out.last is None else max(out.last, hi)
        if flights is not None:
            flights.batch(ingest_id, table, counts.field("values").to_pylist(), lo, hi)


def batch_rows(pending: Pending, name: str, stats: IngestStats) -> tuple[Observations, pa.Table]:
    """A batch's points in the lake's order as rows (each row's source ``name:member``), the
    non-ICAO ones counted and left out; with its observations (for their time span)."""
    lake_order(pending)
    obs = obs_concat(pending.obs, name)
    # the lake keeps whole ms: a document timed finer (a ``timestamp`` of 4+ decimals) is
    # rounded here, once, rather than refused by the store's cast
    obs.timestamp = np.round(obs.timestamp * 1e3) / 1e3
    names = [f"{name}:{d.member}" for d in pending.docs]
    sources = np.repeat(np.arange(len(pending.docs)), [len(o) for o in pending.obs])
    obs, sources = lake_rows(obs, sources)
    anon = obs.non_icao
    if anon.any():  # the lake keeps ICAO addresses only, as the tracker's output does
        stats.reject(RejectReason.NON_ICAO, name, count=int(anon.sum()))
        keep = np.flatnonzero(~anon)
        obs, sources = obs_take(obs, keep), sources[keep]
    return obs, observations_table(obs, source_column(names, sources), run_columns(obs))


def archive_spec(inp: GlobeInput) -> str:
    if inp.folder is not None:
        return str(inp.folder)
    return " + ".join(str(p) for p in inp.parts)


def _finish(store: Store, reader: GlobeReader, out: GlobeOutcome) -> None:
    if out.ingest_id is None:
        return
    note = "; ".join(f"{p.name or 'offset ' + str(p.offset)}: {p.what}" for p in out.problems[:20])
    if len(out.problems) > 20:
        note += f"; … {len(out.problems) - 20:,} more"
    counts = {
        "read": out.stats.frames,
        "accepted": out.stats.accepted,
        "rejected": dict(out.stats.rejected),
    }
    status = "interrupted" if out.interrupted else "done"
    store.finish_ingest(out.ingest_id, counts, status=status, note=note)
    sha = reader.sha256()
    if sha is not None and not out.interrupted:
        ingest_id = out.ingest_id
        store.write(lambda c: set_ingest_sha256(c, ingest_id, sha))
