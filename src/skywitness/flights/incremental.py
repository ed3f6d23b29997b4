"""Incremental flight building: new state vectors recompute only the aircraft (and the recent
flights of each) they touch.

For an aircraft receiving points from time ``t`` on, flights that started before the flight
preceding the one in progress at ``t`` cannot change: their boundaries lie in ground stays or
gaps the new points do not reach. Everything from there on is rebuilt, for all affected
aircraft in one vectorised ``build_flights`` call, and compared with what was there.
"""

from __future__ import annotations

import itertools

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from ..model import STATE_COLUMNS, RejectReason
from ..stats import IngestStats
from .airports import AirportIndex
from .builder import _inference, build_flights
from .infer import AirportInference
from .schema import FLIGHT_SCHEMA

TS = pa.timestamp("ms", tz="UTC")
_TYPES: dict[str, pa.DataType] = {
    "timestamp": TS,
    "icao24": pa.string(),
    "callsign": pa.string(),
    "squawk": pa.string(),
    "onground": pa.bool_(),
    "source": pa.string(),
    "position_source": pa.string(),
}


def canonical_states(table: pa.Table) -> pa.Table:
    """The STATE_COLUMNS of ``table`` with canonical types (absent columns as nulls), rows
    without time or address left out, icao24 lowercase."""
    cols = {}
    for name in STATE_COLUMNS:
        typ = _TYPES.get(name, pa.float64())
        if name in table.column_names:
            cols[name] = pc.cast(table[name], typ)
        else:
            cols[name] = pa.nulls(table.num_rows, typ)
    cols["icao24"] = pc.utf8_lower(cols["icao24"])
    out = pa.table(cols)
    ok = pc.and_(pc.is_valid(out["timestamp"]), pc.is_valid(out["icao24"]))
    return out.filter(ok)


class FlightBuilder:
    """Keeps state vectors and flights per aircraft; ``update`` returns what changed."""

    def __init__(
        self,
        runways: pa.Table | None = None,
        *,
        airports: AirportIndex | None = None,
        inference: AirportInference | None = None,
    ) -> None:
        self._inference = inference or _inference(runways, airports)
        self._states: dict[str, pa.Table] = {}
        self._flights: dict[str, pa.Table] = {}

    def flights(self) -> pa.Table:
        """All current flights, by icao24 then firstSeen."""
        if not self._flights:
            return FLIGHT_SCHEMA.empty_table()
        return pa.concat_tables([self._flights[k] for k in sorted(self._flights)])

    def update(
        self, states: pa.Table, stats: IngestStats | None = None
    ) -> tuple[pa.Table, list[str]]:
        """Add state vectors; return (new or changed flights, ids of flights that vanished)."""
        new = canonical_states(states)
        lost = states.num_rows - new.num_rows
        if stats is not None and lost:
            stats.reject(RejectReason.BAD_RECORD, "flights", count=lost, detail="no time or icao24")
        if new.num_rows == 0:
            return FLIGHT_SCHEMA.empty_table(), []
        new = new.sort_by([("icao24", "ascending"), ("timestamp", "ascending")])
        icao = new["icao24"].to_numpy(zero_copy_only=False)
        starts = np.flatnonzero(np.r_[True, icao[1:] != icao[:-1]])
        bounds = np.r_[starts, icao.shape[0]]
        windows: list[pa.Table] = []
        since: dict[str, int] = {}
        for a, b in itertools.pairwise(bounds):
            key = str(icao[a])
            part = new.slice(int(a), int(b - a))
            old = self._states.get(key)
            merged = part if old is None else pa.concat_tables([old, part])
            merged = merged.sort_by([("timestamp", "ascending")])
            self._states[key] = merged
            t_min = pc.min(part["timestamp"]).cast(pa.int64()).as_py()
            start = self._window_start(key, t_min)
            since[key] = start
            ts = merged["timestamp"].cast(pa.int64())
            windows.append(merged.filter(pc.greater_equal(ts, start)))
        rebuilt = build_flights(pa.concat_tables(windows), inference=self._inference)
        return self._merge(rebuilt, since)

    def _window_start(self, key: str, t_min_ms: int) -> int:
        """Earliest firstSeen (ms) that new points from ``t_min_ms`` on may change."""
        old = self._flights.get(key)
        if old is None or old.num_rows == 0:
            return -(2**62)
        first = old["firstSeen"].cast(pa.int64()).to_numpy()
        j = int(np.searchsorted(first, t_min_ms, side="right")) - 1  # flight in progress
        return int(first[j - 1]) if j >= 1 else -(2**62)

    def _merge(self, rebuilt: pa.Table, since: dict[str, int]) -> tuple[pa.Table, list[str]]:
        changed: list[pa.Table] = []
        removed: list[str] = []
        rb_icao = rebuilt["icao24"].to_numpy(zero_copy_only=False)
        for key, start in since.items():
            fresh = rebuilt.filter(pa.array(rb_icao == key))
            old = self._flights.get(key, FLIGHT_SCHEMA.empty_table())
            old_first = old["firstSeen"].cast(pa.int64()).to_numpy()
            keep = old.filter(pa.array(old_first < start))
            redo = old.filter(pa.array(old_first >= start))
            before = {r["flight_id"]: r for r in redo.to_pylist()}
            rows = fresh.to_pylist()
            mask = [before.get(r["flight_id"]) != r for r in rows]
            if any(mask):
                changed.append(fresh.filter(pa.array(mask)))
            ids = {r["flight_id"] for r in rows}
            removed.extend(sorted(i for i in before if i not in ids))
            self._flights[key] = pa.concat_tables([keep, fresh])
        out = pa.concat_tables(changed) if changed else FLIGHT_SCHEMA.empty_table()
        return out, removed
