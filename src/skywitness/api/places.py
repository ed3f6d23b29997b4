"""``/api/airports``: the airports (and, where imported, runways) in a map view, so the web map
draws them when zoomed in, offline. The airports are the flights stage's own (airportsdata,
moved onto their runways when ``db import-runways`` was run): the map shows where flights are
attributed, not a second list.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
from fastapi import APIRouter, HTTPException

from ..flights.airports import AirportIndex, has_thresholds
from ..runtime.service import Service

#: Most airports in one answer (the map asks only when zoomed in).
AIRPORTS_MAX = 2000


def parse_bbox(text: str) -> tuple[float, float, float, float]:
    """``south,west,north,east`` in degrees; west > east crosses the antimeridian."""
    try:
        s, w, n, e = (float(x) for x in text.split(","))
    except ValueError as exc:
        raise ValueError(f"bbox must be south,west,north,east in degrees: {text!r}") from exc
    if not (-90 <= s <= n <= 90 and -180 <= w <= 180 and -180 <= e <= 180):
        raise ValueError(f"bbox out of range (south <= north, |lon| <= 180): {text!r}")
    return s, w, n, e


def in_bbox(lat: Any, lon: Any, bbox: tuple[float, float, float, float]) -> Any:
    s, w, n, e = bbox
    inside_lon = (lon >= w) & (lon <= e) if w <= e else (lon >= w) | (lon <= e)
    return (lat >= s) & (lat <= n) & inside_lon


def airports_in(
    index: AirportIndex,
    runways: pa.Table | None,
    bbox: tuple[float, float, float, float],
    limit: int = AIRPORTS_MAX,
) -> dict[str, Any]:
    """The airports of ``index`` inside ``bbox`` (those with runways first, then by ICAO key),
    each with its runways' threshold pairs ``[le_lat, le_lon, he_lat, he_lon, le, he]``."""
    idx = np.flatnonzero(in_bbox(index.lat, index.lon, bbox))
    by_airport: dict[str, list[list[Any]]] = {}
    if runways is not None and runways.num_rows and idx.size:
        keys = pa.array([str(index.icao[i]) for i in idx])
        open_ = pc.invert(pc.fill_null(runways["closed"], False))
        rows = runways.filter(pc.and_(open_, pc.is_in(runways["airport_ident"], keys)))
        rows = rows.filter(has_thresholds(rows))  # a strip known by its length only: no line
        cols = {name: rows[name].to_pylist() for name in rows.column_names}
        for k, ident in enumerate(cols["airport_ident"]):
            by_airport.setdefault(ident, []).append(
                [cols["le_latitude_deg"][k], cols["le_longitude_deg"][k],
                 cols["he_latitude_deg"][k], cols["he_longitude_deg"][k],
                 cols["le_ident"][k], cols["he_ident"][k]]
            )  # fmt: skip
    order = sorted(
        idx.tolist(), key=lambda i: (str(index.icao[i]) not in by_airport, index.icao[i])
    )
    out = [
        {
            "icao": str(index.icao[i]),
            "iata": str(index.iata[i]) or None,
            "name": str(index.name[i]),
            "country": str(index.country[i]),
            "lat": round(float(index.lat[i]), 6),
            "lon": round(float(index.lon[i]), 6),
            "elevation_ft": round(float(index.elevation_ft[i])),
            "runways": by_airport.get(str(index.icao[i]), []),
        }
        for i in order[:limit]
    ]
    return {"count": len(out), "truncated": len(order) > limit, "airports": out}


class _MovedIndex:
    """The airport index moved onto the service's runways, built once per runways table (the
    table is replaced as a whole by ``db import-runways``)."""

    def __init__(self) -> None:
        self._key: pa.Table | None = None
        self._index: AirportIndex | None = None

    def get(self, runways: pa.Table | None) -> AirportIndex:
        if self._index is None or runways is not self._key:
            base = AirportIndex.default()
            self._index = base if runways is None else base.moved_to_runways(runways)[0]
            self._key = runways
        return self._index


def router(service: Service) -> APIRouter:
    r = APIRouter()
    moved = _MovedIndex()

    @r.get("/api/airports", summary="airports and runways in a map view (bbox)")
    def airports(bbox: str, limit: int = AIRPORTS_MAX) -> Any:
        try:
            box = parse_bbox(bbox)
        except ValueError as exc:
            raise HTTPException(400, str(exc)) from exc
        if not 1 <= limit <= AIRPORTS_MAX:
            raise HTTPException(400, f"limit must be 1..{AIRPORTS_MAX}")
        runways = service.runways
        return airports_in(moved.get(runways), runways, box, limit)

    return r
