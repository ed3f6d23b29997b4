"""Store reads behind the API (one DuckDB cursor, the caller holds the service's read lock),
and the pure GeoJSON track builder.
"""

from __future__ import annotations

import math
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import duckdb
import numpy as np
import pyarrow as pa

from ..store import FlightFilter
from ..store.catalog import first
from ..store.flightdb import query_flights
from ..store.store import CATALOG_FILE
from ..store.trackruns import TRACK_GAP_S, run_starts
from ..timeutil import iso_z


def track_table(
    con: duckdb.DuckDBPyConnection, icao24: str, since: datetime, until: datetime
) -> pa.Table:
    """Positioned state vectors of one aircraft in [since, until), by time."""
    sql = (
        "SELECT epoch_ms(timestamp) / 1000.0 AS t, latitude, longitude, altitude, onground "
        "FROM states WHERE icao24 = ? AND date >= ? AND date <= ? AND timestamp >= ? "
        "AND timestamp < ? AND latitude IS NOT NULL AND longitude IS NOT NULL ORDER BY timestamp"
    )
    params = [icao24, since.astimezone(UTC).date(), until.astimezone(UTC).date(), since, until]
    try:
        return con.sql(sql, params=params).to_arrow_table()
    except duckdb.Error as exc:
        # an empty lake has a states view over no files: no positions, not an error
        if "states" in str(exc) or "No files" in str(exc):
            return pa.table(
                {"t": [], "latitude": [], "longitude": [], "altitude": [], "onground": []}
            )
        raise


def _clean(values: list[Any], digits: int) -> list[Any]:
    return [None if v is None or (isinstance(v, float) and math.isnan(v)) else round(v, digits)
            for v in values]  # fmt: skip


def track_geojson(
    table: pa.Table, icao24: str, since: float, until: float, max_points: int
) -> dict[str, Any]:
    """GeoJSON of a track: ``observed`` runs split at silences, ``gap`` lines bridging them."""
    n = table.num_rows
    t_all = np.asarray(table.column("t").to_numpy(zero_copy_only=False), dtype=np.float64)
    # silences are found on every point, before thinning, so thinning never invents a gap
    starts = run_starts(t_all)
    idx = np.arange(n)
    truncated = n > max_points
    if truncated:
        even = np.linspace(0, n - 1, max_points).round().astype(np.int64)
        idx = np.unique(np.concatenate([even, starts, starts - 1]))
    t = t_all[idx]
    sel = pa.array(idx)
    lat = _clean(table.column("latitude").take(sel).to_pylist(), 6)
    lon = _clean(table.column("longitude").take(sel).to_pylist(), 6)
    alt = _clean(table.column("altitude").take(sel).to_pylist(), 0)
    og = table.column("onground").take(sel).to_pylist()
    times = [round(float(x), 3) for x in t]
    cuts = np.searchsorted(idx, starts)  # positions in the kept points where a run starts
    bounds = [0, *cuts.tolist(), len(times)]
    features: list[dict[str, Any]] = []

    def feature(kind: str, a: int, b: int) -> dict[str, Any]:
        return {
            "type": "Feature",
            "geometry": {
                "type": "LineString",
                "coordinates": [[lon[i], lat[i]] for i in range(a, b)],
            },
            "properties": {
                "kind": kind,
                "icao24": icao24,
                "times": times[a:b],
                "altitudes": alt[a:b],
                "onground": og[a:b],
            },
        }

    for k in range(len(bounds) - 1):
        a, b = bounds[k], bounds[k + 1]
        if k > 0:
            features.append(feature("gap", a - 1, a + 1))
        if b > a:
            features.append(feature("observed", a, b))
    return {
        "type": "FeatureCollection",
        "properties": {
            "icao24": icao24,
            "since": since,
            "until": until,
            "points": len(times),
            "truncated": bool(truncated),
            "gap_s": TRACK_GAP_S,
        },
        "features": features,
    }


def flights_table(con: duckdb.DuckDBPyConnection, flt: FlightFilter) -> pa.Table:
    return query_flights(con, flt)


#: The catalogue's sums, and (``_STORE_SQL``) the stored flights too: one query, as
#: ``/api/stats`` runs it at every poll (a monitor polls twice a second) and DuckDB's cost per
#: query is most of a cheap one's; three queries took ~3.7 ms, this one ~1.7.
_FILES_SQL = "SELECT coalesce(sum(rows), 0), coalesce(sum(bytes), 0), max(max_ts) FROM files"
_STORE_SQL = (
    "SELECT coalesce(sum(rows), 0), coalesce(sum(bytes), 0), max(max_ts), "
    "(SELECT count(*) FROM flights) FROM files"
)


def store_sums(con: duckdb.DuckDBPyConnection) -> tuple[int, int, Any, int]:
    """The catalogue's rows, Parquet bytes, newest ``max_ts`` and stored flights (one query)."""
    try:
        row = first(con.execute(_STORE_SQL).fetchall())
        flights = int(row[3]) if row else 0
    except duckdb.CatalogException:  # no flights stored yet: no table
        row, flights = first(con.execute(_FILES_SQL).fetchall()), 0
    if row is None:
        return 0, 0, None, flights
    return int(row[0]), int(row[1]), row[2], flights


class StoreSums:
    """``store_sums`` kept until the catalogue writer's next write: the ``files`` and
    ``flights`` tables change only in its jobs (``require_writer``) and its ``writes`` count
    rises before a job's caller wakes, so a poll after a write re-reads (~0.4 ms a poll
    saved; tests/api/test_store_info.py)."""

    def __init__(self) -> None:
        self._key = -1
        self._sums: tuple[int, int, Any, int] = (0, 0, None, 0)

    def get(self, con: duckdb.DuckDBPyConnection, writes: int) -> tuple[int, int, Any, int]:
        """The sums as of ``writes`` (read before calling: a write during the query
        makes the next call re-read)."""
        if writes != self._key:
            self._sums, self._key = store_sums(con), writes
        return self._sums


def store_info(
    con: duckdb.DuckDBPyConnection, data_dir: str, sums: tuple[int, int, Any, int] | None = None
) -> dict[str, Any]:
    """Size, rows and flights of the store, cheaply (catalogue sums, no lake scan);
    ``sums``: ``store_sums(con)`` already read (``StoreSums``)."""
    rows, size, last, flights = store_sums(con) if sums is None else sums
    catalog = Path(data_dir) / CATALOG_FILE
    return {
        "data_dir": data_dir,
        "size_bytes": size + (catalog.stat().st_size if catalog.exists() else 0),
        "rows": rows,
        "flights": flights,
        # newest stored state vector (catalogue, UTC): where History opens without live data
        "last": iso_z(last) if last is not None else None,
    }
