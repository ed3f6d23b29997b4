"""The newest stored state vectors, to seed the live flight builder when ``serve`` starts.

The live builder keeps an aircraft's flights open for 6 h of silence; a service that starts
with an empty builder would end every flight in progress at the restart and begin a new one
with an unknown departure. Fed the last ``SEED_S`` of stored data first, it rebuilds those
flights (same ids: a flight's id is its aircraft and first time) and continues them. A store
holding more than ``SEED_MAX_ROWS`` in that window (a global feed) is seeded with a
proportionally shorter window, so that the start stays bounded.
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime, timedelta

import pyarrow as pa

from ..flights.incremental import FINAL_SILENCE_S
from ..store import Store

log = logging.getLogger(__name__)

#: Stored data fed to the live flight builder at start, s of data time before the newest.
SEED_S = FINAL_SILENCE_S
#: Most state vectors read for the seed (~100 bytes each in memory, and again as Arrow IPC on
#: their way to the flights child), and the shortest window.
SEED_MAX_ROWS = 2_000_000
SEED_MIN_S = 600.0


def _naive_utc(t: datetime) -> datetime:
    return t.astimezone(UTC).replace(tzinfo=None) if t.tzinfo is not None else t


def seed_states(
    store: Store, window_s: float = SEED_S, max_rows: int = SEED_MAX_ROWS
) -> pa.Table | None:
    """The state vectors of the last ``window_s`` before the newest stored one (None when the
    store holds none); shorter when that window holds more than ``max_rows``."""
    con = store.connection
    newest = con.execute("SELECT max(max_ts) FROM files").fetchall()[0][0]
    if newest is None:
        return None
    newest = _naive_utc(newest)
    since = newest - timedelta(seconds=window_s)
    found = con.execute("SELECT coalesce(sum(rows), 0) FROM files WHERE max_ts >= ?", [since])
    estimate = int(found.fetchall()[0][0])
    if estimate > max_rows:
        window_s = max(window_s * max_rows / estimate, SEED_MIN_S)
        since = newest - timedelta(seconds=window_s)
        log.info("seeding live flights with the last %.0f s only (%d rows)", window_s, estimate)
    return store.states(since=since.replace(tzinfo=UTC))
