"""History jobs over the store: ingest sources with provenance, then keep flights current.

``ingest`` runs sources → decode → track into the store, one ingest record per source (file
SHA-256, format, counts), with the emitter categories the aircraft transmit as identity facts
(``identify.adsb_facts``); afterwards only the aircraft and days it touched have their flights
recomputed: from the state vectors it still holds in memory when the lake has no others of
that window (``FLIGHTS_IN_MEMORY_ROWS``), else from the lake. ``flights=False`` (a bulk load,
``ingest --no-flights``) stores the rows alone and says which window's flights are left to
``rebuild_flights``, which recomputes flights over a window, a chunk of aircraft at a time.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING

import pyarrow as pa
import pyarrow.compute as pc

from ..identify.adsb_facts import PendingCategories
from ..identify.store_schema import ensure_schema as ensure_identity_schema
from ..sources import open_source
from ..stats import IngestStats
from ..store import IngestRecord, Provenance, Store, ingest_tables
from ..store.flightdb import keep_flights_of
from ..store.recovery import clear_derived, ingest_extent
from ..store.schema import canonicalize
from ..store.writer import DEFAULT_FLUSH_ROWS, DEFAULT_FLUSH_SECONDS
from .pipeline import ProgressHook, RunOptions, track_tables

if TYPE_CHECKING:  # the flights stage loads on use: ``ingest --no-flights`` never builds one
    from ..flights.infer import RunwayAwareInference

Window = tuple[datetime, datetime]
EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
#: Aircraft per flight-rebuild chunk: bounds memory on a large lake.
REBUILD_AIRCRAFT_PER_CHUNK = 2_000
#: Flights are recomputed from this long before the first new state vector, so a flight in
#: progress when the new data starts is rebuilt whole.
REBUILD_MARGIN = timedelta(days=1)
#: State vectors an ingest keeps in memory to build its flights from without reading them back
#: (~135 bytes a row: at most ~0.7 GB); a larger ingest rebuilds its flights from the lake.
#: Reading them back costs CPU and saves no memory at these sizes (the ingest's peak is the
#: gate's and the writer's): a 2.28M-row states file, held (this limit) against read back
#: (2M), 2.85 against 3.40 CPU-s, 925 against 924 MB peak RSS (bench/RESULTS.md).
FLIGHTS_IN_MEMORY_ROWS = 5_000_000


@dataclass
class Extent:
    """Which aircraft and times a stream of state-vector tables held, and the tables
    themselves while they number at most ``keep_rows`` rows (None beyond)."""

    aircraft: set[str] = field(default_factory=set)
    first: datetime | None = None
    last: datetime | None = None
    keep_rows: int = FLIGHTS_IN_MEMORY_ROWS
    tables: list[pa.Table] | None = field(default_factory=list)
    rows: int = 0

    def watch(self, tables: Iterable[pa.Table]) -> Iterator[pa.Table]:
        """Pass ``tables`` through, noting their aircraft and time range."""
        for t in tables:
            if t.num_rows:
                self.aircraft.update(pc.unique(t.column("icao24")).to_pylist())
                lo, hi = (_utc(v.as_py()) for v in pc.min_max(_ms(t)).values())
                self.first = lo if self.first is None else min(self.first, lo)
                self.last = hi if self.last is None else max(self.last, hi)
                self.rows += t.num_rows
                if self.tables is not None:
                    self.tables = [*self.tables, t] if self.rows <= self.keep_rows else None
            yield t


def _ms(table: pa.Table) -> pa.ChunkedArray:
    return pc.cast(table.column("timestamp"), pa.int64())


def _utc(ms: int) -> datetime:
    """Unix ms as a UTC datetime (a timestamp scalar's ``as_py`` would load pandas)."""
    return EPOCH + timedelta(milliseconds=ms)


def _held_states(store: Store, extent: Extent, ingest_id: int, window: Window) -> pa.Table | None:
    """The state vectors of ``window`` that the lake holds for ``extent``'s aircraft, when
    they are exactly the rows this ingest stored and still has in memory: no file of another
    ingest overlaps the window, and this ingest's files hold as many rows as the tables. None
    otherwise (read them from the lake)."""
    if extent.tables is None:
        return None
    others, own = _lake_rows(store, ingest_id, window)
    if others:
        return None
    # texts kept dictionary-encoded (the states gate's): the flights read them so
    states = (
        canonicalize(pa.concat_tables(extent.tables), dictionaries=True) if extent.tables else None
    )
    rows = states.num_rows if states is not None else 0
    return states if states is not None and rows == own else None


def _lake_rows(store: Store, ingest_id: int, window: Window) -> tuple[int, int]:
    """(files of other ingests overlapping ``window``, rows this ingest's files hold)."""
    since, until = (w.astimezone(UTC).replace(tzinfo=None) for w in window)
    row = store.connection.execute(
        "SELECT count(*) FILTER (WHERE ingest_id IS DISTINCT FROM ? AND min_ts < ? "
        "AND max_ts >= ?), coalesce(sum(rows) FILTER (WHERE ingest_id = ?), 0) FROM files",
        [ingest_id, until, since, ingest_id],
    ).fetchone()
    return (int(row[0]), int(row[1])) if row else (1, 0)


def others_overlap(store: Store, ingest_id: int, window: Window) -> bool:
    """Whether a file of another ingest than ``ingest_id`` holds rows of ``window``."""
    return _lake_rows(store, ingest_id, window)[0] > 0


@dataclass
class IngestOutcome:
    """One source's ingest record, its reader counts and what it added."""

    record: IngestRecord
    stats: IngestStats
    extent: Extent
    flights: int = 0  # flights stored by the rebuild that followed
    #: the window whose flights were left to ``flights rebuild`` (``flights=False``), else None
    flights_owed: Window | None = None


def open_history(data_dir: str | Path) -> Store:
    """The store, with the identity tables ready (the catalogue holds both) and the flights of
    any ingest a crash left without them rebuilt (``store.recovery`` says which)."""
    store = Store(data_dir)
    store.write(ensure_identity_schema)
    for d in store.recovery.derived:
        ingest_id = int(str(d["id"]))
        extent = store.write(partial(ingest_extent, lake=store.lake, ingest_id=ingest_id))
        if extent is not None:
            first_t, last_t, aircraft = extent
            since = first_t.replace(tzinfo=UTC) - REBUILD_MARGIN
            until = last_t.replace(tzinfo=UTC) + REBUILD_MARGIN
            _, d["rebuilt"] = rebuild_flights(store, since=since, until=until, icao24s=aircraft)
        store.write(partial(clear_derived, ingest_id=ingest_id))
    return store


def ingest(
    store: Store,
    specs: Sequence[str],
    opts: RunOptions,
    *,
    progress: ProgressHook | None = None,
    stop: threading.Event | None = None,
    flush: tuple[int, float] = (DEFAULT_FLUSH_ROWS, DEFAULT_FLUSH_SECONDS),
    flights: bool = True,
) -> list[IngestOutcome]:
    """Ingest each source as its own record; returns what each added (duplicates add nothing).
    ``flights=False``: the flights of the aircraft and days touched are not recomputed (nor
    owed to a recovery): each outcome's ``flights_owed`` is the window to rebuild."""
    outcomes: list[IngestOutcome] = []
    for spec in specs:
        stats = IngestStats(strict=opts.strict)
        if os.path.isfile(spec):
            fmt = open_source(spec, opts.fmt, IngestStats()).format
            provenance = Provenance.of_file(spec, fmt)
        else:
            provenance = Provenance(spec, None, opts.fmt)
        extent = Extent() if flights else Extent(keep_rows=0, tables=None)
        # the emitter categories heard, stored as identity facts with the rows
        categories = PendingCategories(Path(spec).name if os.path.isfile(spec) else spec)
        tables = extent.watch(
            track_tables(
                [spec], opts, stats, progress=progress, stop=stop, on_categories=categories.add
            )
        )
        record = ingest_tables(
            store,
            tables,
            provenance,
            stats=stats,
            flush_rows=flush[0],
            flush_seconds=flush[1],
            derived=flights,
            facts=categories.take,
        )
        outcome = IngestOutcome(record, stats, extent)
        outcomes.append(outcome)
        if outcome.record.status != "duplicate" and extent.first and extent.last:
            window = (extent.first - REBUILD_MARGIN, extent.last + REBUILD_MARGIN)
            if not flights:
                outcome.flights_owed = window
                continue
            _, outcome.flights = rebuild_flights(
                store,
                since=window[0],
                until=window[1],
                icao24s=sorted(extent.aircraft),
                states=_held_states(store, extent, record.id, window),
            )
        extent.tables = None  # their flights are built
        if outcome.record.status != "duplicate" and flights:
            # its flights are stored
            store.write(partial(clear_derived, ingest_id=outcome.record.id))
    return outcomes


def rebuild_flights(
    store: Store,
    *,
    since: datetime | None = None,
    until: datetime | None = None,
    icao24s: Sequence[str] | None = None,
    states: pa.Table | None = None,
    inference: RunwayAwareInference | None = None,
) -> tuple[int, int]:
    """Recompute the flights of the aircraft seen in the window (or of ``icao24s``);
    returns (aircraft, flights stored). ``states``: every state vector the lake holds for
    ``icao24s`` in the window, when the caller has them (the lake is then not read).
    ``inference``: the store's (``airport_inference`` of its runways), when a caller that
    rebuilds many times built it once."""
    from ..flights import airport_inference
    from ..flights.stage import build_all
    from ..identify.kinds import aircraft_kinds

    # built once: airports moved onto their runways, the runway index
    inference = inference or airport_inference(store.table("runways"), None)
    if states is not None and icao24s is not None:
        # one step of the one flights stage, with the kinds the identity store knows
        kinds = aircraft_kinds(store.connection, list(icao24s))
        flights = build_all(states, inference, kinds=kinds)
        store.replace_flights(flights, icao24s=list(icao24s), since=since, until=until)
        return len(icao24s), flights.num_rows
    if icao24s is None:
        where, params = ["true"], []
        if since is not None:
            where.append("timestamp >= ?")
            params.append(since)
        if until is not None:
            where.append("timestamp < ?")
            params.append(until)
        rows = store.connection.execute(
            f"SELECT DISTINCT icao24 FROM states WHERE {' AND '.join(where)} ORDER BY 1", params
        ).fetchall()
        aircraft = [r[0] for r in rows]
    else:
        aircraft = list(icao24s)
    stored = 0
    for i in range(0, len(aircraft), REBUILD_AIRCRAFT_PER_CHUNK):
        chunk = aircraft[i : i + REBUILD_AIRCRAFT_PER_CHUNK]
        # in the lake's order: the build sorts by (aircraft, time) itself, stably
        states = store.states(icao24=chunk, since=since, until=until, ordered=False)
        # one step of the one flights stage, with the kinds the identity store knows
        kinds = aircraft_kinds(store.connection, chunk)
        flights = build_all(states, inference, kinds=kinds)
        store.replace_flights(flights, icao24s=chunk, since=since, until=until)
        stored += flights.num_rows
    if since is None and until is None and icao24s is None and aircraft:
        # aircraft no longer in the lake keep no stale flights after a full rebuild
        store.write(lambda con: keep_flights_of(con, aircraft))
    return len(aircraft), stored
