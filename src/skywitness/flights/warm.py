"""Warm start of the flights stage from a store: continue the stored flights, never copy them.

A stage that starts empty (``serve`` restarted, ``watch --replay --since`` in the middle of the
data) would see the flights in progress from their middle on and build truncated copies of them
under new ids ("? ~16:27Z -> SVMI" beside the stored "UUWW -> SVMI"). ``warm_start`` chooses,
per aircraft, where the stage must start so that it rebuilds the stored flights whole, with the
same ids, exactly as the incremental builder itself keeps its window: from the flight before the
first stored flight still in progress at the window start ``W`` (an aircraft whose stored
flights all ended before ``W``: from its last one; one with none: from ``W``). Flights that ended
more than ``FINAL_SILENCE_S`` before ``W`` are final and not read. The stored flights those rows
rebuild are named (``supersedes``): the first step reports the ones it does not give again as
removed, so the store holds each flight once.

For ``serve``, ``W`` is ``window_s`` before the newest stored state vector (shorter when that
window holds more than ``max_rows``, so that the start stays bounded); for a replay it is the
replay's start, and only rows before it are read.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

import numpy as np
import numpy.typing as npt
import pyarrow as pa
import pyarrow.compute as pc

from ..store import Store
from ..store.catalog import table_exists
from .incremental import FINAL_SILENCE_S

log = logging.getLogger(__name__)

#: Stored data the live stage is warmed with, s of data time before the newest.
WARM_S = FINAL_SILENCE_S
#: Most state vectors read for a warm start (~100 bytes each in memory, and again as Arrow IPC
#: on their way to the flights child), and the shortest window.
WARM_MAX_ROWS = 2_000_000
WARM_MIN_S = 600.0


@dataclass
class WarmStart:
    """The rows to feed the stage first and the stored flight ids they rebuild."""

    states: pa.Table
    supersedes: list[str] = field(default_factory=list)


def _utc(t: datetime) -> datetime:
    return t.replace(tzinfo=UTC) if t.tzinfo is None else t.astimezone(UTC)


def _window(store: Store, window_s: float, max_rows: int) -> tuple[datetime, datetime] | None:
    """(W, newest) for a live warm start; None when the store holds no state vectors."""
    con = store.connection
    newest = con.execute("SELECT max(max_ts) FROM files").fetchall()[0][0]
    if newest is None:
        return None
    newest = _utc(newest)
    since = newest - timedelta(seconds=window_s)
    found = con.execute(
        "SELECT coalesce(sum(rows), 0) FROM files WHERE max_ts >= ?", [since.replace(tzinfo=None)]
    )
    estimate = int(found.fetchall()[0][0])
    if estimate > max_rows:
        window_s = max(window_s * max_rows / estimate, WARM_MIN_S)
        since = newest - timedelta(seconds=window_s)
        log.info(
            "warm start of the flights with the last %.0f s only (%d rows)", window_s, estimate
        )
    return since, newest


def _stored(store: Store, since: datetime, until: datetime | None) -> pa.Table:
    """Stored flights (flight_id, icao24, firstSeen, lastSeen) that may still matter at
    ``since``: ended at most FINAL_SILENCE_S before it (and begun before ``until``)."""
    con = store.connection
    if not table_exists(con, "flights"):
        return pa.table({"flight_id": [], "icao24": [], "firstSeen": [], "lastSeen": []})
    where, params = ['"lastSeen" >= ?'], [since - timedelta(seconds=FINAL_SILENCE_S)]
    if until is not None:
        where.append('"firstSeen" < ?')
        params.append(until)
    sql = (
        'SELECT flight_id, icao24, "firstSeen", "lastSeen" FROM flights WHERE '
        + " AND ".join(where)
        + ' ORDER BY icao24, "firstSeen"'
    )
    return con.sql(sql, params=params).to_arrow_table()


def starts(flights: pa.Table, since: datetime) -> dict[str, datetime]:
    """Per aircraft with stored ``flights`` (by icao24 then firstSeen), where its rows must be
    read from: the firstSeen of the flight before its first flight still in progress at
    ``since`` (or of its last flight when all ended before), never later than ``since``."""
    out: dict[str, datetime] = {}
    rows = flights.to_pylist()
    by: dict[str, list[dict[str, object]]] = {}
    for r in rows:
        by.setdefault(str(r["icao24"]), []).append(r)
    for icao, fl in by.items():
        last = [_utc(r["lastSeen"]) for r in fl]  # type: ignore[arg-type]
        first = [_utc(r["firstSeen"]) for r in fl]  # type: ignore[arg-type]
        k = next((i for i, t in enumerate(last) if t >= since), len(fl))
        j = max(k - 1, 0)
        out[icao] = min(first[j], since)
    return out


def warm_start(
    store: Store,
    *,
    until: datetime | None = None,
    window_s: float = WARM_S,
    max_rows: int = WARM_MAX_ROWS,
) -> WarmStart | None:
    """The warm start of a stage over ``store``: for ``serve`` (``until`` None) the newest
    ``window_s`` of data, for a replay starting at ``until`` the rows before it that the
    flights in progress then need; None when there is nothing to read."""
    if until is None:
        window = _window(store, window_s, max_rows)
        if window is None:
            return None
        since = window[0]
    else:
        since = _utc(until)
    end = _utc(until) if until is not None else None
    stored = _stored(store, since, end)
    start = starts(stored, since)
    parts = [store.states(since=since, until=end)] if end is None or end > since else []
    early = {a: t for a, t in start.items() if t < since}
    if early:  # the flights in progress at ``since`` of these aircraft, whole
        lo = min(early.values())
        rows = store.states(icao24=sorted(early), since=lo, until=since)
        ms = _ms(rows["timestamp"])
        at = pc.index_in(rows["icao24"], value_set=pa.array(sorted(early), pa.string()))
        bound = np.array([_ms_of(early[a]) for a in sorted(early)], dtype=np.int64)
        parts.insert(0, rows.filter(pa.array(ms >= bound[np.asarray(at.to_numpy())])))
    rows = pa.concat_tables(parts) if parts else None
    if rows is None or rows.num_rows == 0:
        return None
    rows = rows.sort_by([("icao24", "ascending"), ("timestamp", "ascending")])
    seen = set(pc.unique(rows["icao24"]).to_pylist())
    first = _ms(stored["firstSeen"]) if stored.num_rows else np.zeros(0, np.int64)
    ids, icao = stored["flight_id"].to_pylist(), stored["icao24"].to_pylist()
    supersedes = [
        str(fid)
        for fid, a, f in zip(ids, icao, first.tolist(), strict=True)
        if a in seen and f >= _ms_of(start[a])
    ]
    return WarmStart(rows, supersedes)


def _ms(col: pa.ChunkedArray) -> npt.NDArray[np.int64]:
    ts = col.cast(pa.timestamp("ms", tz="UTC")).cast(pa.int64())
    return np.asarray(ts.to_numpy(), dtype=np.int64)


def _ms_of(t: datetime) -> int:
    return round(t.timestamp() * 1000)
