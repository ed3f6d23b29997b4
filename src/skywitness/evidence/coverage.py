"""The coverage statement: what the stored data could have shown at the places and times asked.

For each place (the question's, plus the airports of the matching flights) it counts the state
vectors of *every* aircraft inside it during the window, per source, and the hours that hold any
data — so "not seen there" reads against "the receivers there saw N aircraft in those hours".
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import numpy as np

from ..store import Store, iso_z
from ..timeutil import from_unix
from .places import Place

SECONDS_PER_HOUR = 3600


@dataclass
class PlaceCoverage:
    place: str  # label, e.g. "Maiquetia ... (SVMI)" or "Venezuela"
    kind: str  # airport | country | geofence | store
    since: datetime | None
    until: datetime | None
    rows: int = 0
    aircraft: int = 0
    by_source: dict[str, int] = field(default_factory=dict)
    hours_with_data: int = 0
    hours_total: int = 0
    first: datetime | None = None
    last: datetime | None = None

    def sentence(self) -> str:
        """One plain sentence for the report and the terminal."""
        if self.since is None and self.until is None:
            when = "over the whole stored period"
        else:
            when = (
                f"between {iso_z(self.since) or 'the start'} and {iso_z(self.until) or 'the end'}"
            )
        where = {"store": "In the whole store", "airport": f"At {self.place}"}.get(
            self.kind, f"In {self.place}"
        )
        if self.rows == 0:
            return (
                f"{where} {when}: no state vectors at all from any source — nothing could "
                "have been seen there with the data held."
            )
        srcs = ", ".join(f"{s} {n:,}" for s, n in sorted(self.by_source.items()))
        hours = f"{self.hours_with_data} of {self.hours_total} hours" if self.hours_total else ""
        return (
            f"{where} {when}: {self.rows:,} state vectors of {self.aircraft} aircraft "
            f"(by source: {srcs}); data in {hours}, from {iso_z(self.first)} to "
            f"{iso_z(self.last)}."
        )

    def as_dict(self) -> dict[str, Any]:
        return {
            "place": self.place,
            "kind": self.kind,
            "since": iso_z(self.since) or None,
            "until": iso_z(self.until) or None,
            "rows": self.rows,
            "aircraft": self.aircraft,
            "by_source": dict(sorted(self.by_source.items())),
            "hours_with_data": self.hours_with_data,
            "hours_total": self.hours_total,
            "first": iso_z(self.first) or None,
            "last": iso_z(self.last) or None,
        }


def summarise(
    ts_s: Any,
    icao: Any,
    source: Any,
    *,
    place: str,
    kind: str,
    since: datetime | None,
    until: datetime | None,
) -> PlaceCoverage:
    """Coverage from the unix-second times, addresses and sources inside a place (pure)."""
    cov = PlaceCoverage(place, kind, since, until)
    if since is not None and until is not None:
        cov.hours_total = int(np.ceil((until - since).total_seconds() / SECONDS_PER_HOUR))
    n = int(np.asarray(ts_s).shape[0])
    if n == 0:
        return cov
    ts = np.asarray(ts_s, dtype=np.float64)
    cov.rows = n
    cov.aircraft = int(np.unique(np.asarray(icao, dtype=object).astype(str)).shape[0])
    names, counts = np.unique(np.asarray(source, dtype=object).astype(str), return_counts=True)
    cov.by_source = {str(s): int(c) for s, c in zip(names, counts, strict=True)}
    cov.hours_with_data = int(np.unique(np.floor(ts / SECONDS_PER_HOUR)).shape[0])
    cov.first = from_unix(float(ts.min()))
    cov.last = from_unix(float(ts.max()))
    if since is None or until is None:
        span = (float(ts.max()) - float(ts.min())) / SECONDS_PER_HOUR
        cov.hours_total = max(cov.hours_with_data, int(np.ceil(span)))
    return cov


def _window_rows(
    store: Store,
    since: datetime | None,
    until: datetime | None,
    bbox: tuple[float, float, float, float] | None,
) -> dict[str, Any]:
    where: list[str] = ["latitude IS NOT NULL"]
    params: list[Any] = []
    if since is not None:
        where += ["date >= ?", "timestamp >= ?"]
        params += [since.date(), since]
    if until is not None:
        where += ["date <= ?", "timestamp < ?"]
        params += [until.date(), until]
    if bbox is not None:
        where.append("longitude BETWEEN ? AND ? AND latitude BETWEEN ? AND ?")
        params += [bbox[0], bbox[2], bbox[1], bbox[3]]
    sql = (
        "SELECT epoch(timestamp) AS t, icao24, coalesce(source, '') AS source, latitude, "
        f"longitude FROM states WHERE {' AND '.join(where)}"
    )
    return dict(store.connection.execute(sql, params).fetchnumpy())


def place_coverage(
    store: Store, place: Place, since: datetime | None, until: datetime | None
) -> PlaceCoverage:
    """Every aircraft's state vectors inside ``place`` during the window, summarised."""
    cols = _window_rows(store, since, until, place.bbox())
    lat = np.asarray(cols["latitude"], dtype=np.float64)
    lon = np.asarray(cols["longitude"], dtype=np.float64)
    inside = place.contains(lat, lon) if lat.size else np.zeros(0, dtype=np.bool_)
    return summarise(
        np.asarray(cols["t"])[inside],
        np.asarray(cols["icao24"])[inside],
        np.asarray(cols["source"])[inside],
        place=place.label,
        kind=place.kind,
        since=since,
        until=until,
    )


def store_coverage(store: Store, since: datetime | None, until: datetime | None) -> PlaceCoverage:
    """The whole store's state vectors during the window (when no place was asked)."""
    cols = _window_rows(store, since, until, None)
    return summarise(
        cols["t"],
        cols["icao24"],
        cols["source"],
        place="store",
        kind="store",
        since=since,
        until=until,
    )
