"""Airports and runways: positions, elevations, code lookup and a vectorised spatial index.

Airports come from the ``airportsdata`` package (ICAO key, IATA code, country, elevation ft);
runway thresholds from an OurAirports ``runways.csv(.gz)`` the user imports (``load_runways``,
in ``runway_table``, which also gives each airport's longest runway and its surface).
Spatial queries work on whole arrays of query points: airports are kept sorted by 1-degree grid
cell and each query takes ``searchsorted`` windows over the cell rows it touches, so a batch of
queries is a few numpy calls.
"""

from __future__ import annotations

import functools
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt
import pyarrow as pa
import pyarrow.compute as pc

from .rowarrays import run_heads
from .runway_table import has_thresholds as has_thresholds
from .runway_table import load_runways as load_runways
from .runway_table import runway_lengths

F8 = npt.NDArray[np.float64]
I8 = npt.NDArray[np.int64]

#: When runways are known, an airport listed between these distances from the centroid of its
#: open runways is moved there (m). airportsdata (20240101..20260905) puts every Belgian airport
#: and Luxembourg's 24-42 km from their runways (EBBR 42 km), and a few replaced airports
#: (ZPPP, OPGD) at the old site; no correct listing is 5 km off. Beyond 50 km the two sources
#: name different places with one code (small strips' local codes, 60-13,000 km apart): left.
RUNWAY_OFFSET_MIN_M = 5_000.0
RUNWAY_OFFSET_MAX_M = 50_000.0
MOVED_CACHE_SIZE = 4  # runways tables whose moved index is kept per AirportIndex

EARTH_RADIUS_M = 6_371_008.8
M_PER_DEG_LAT = np.pi * EARTH_RADIUS_M / 180.0  # metres per degree of latitude
FT_PER_M = 1.0 / 0.3048


def haversine_m(lat1: Any, lon1: Any, lat2: Any, lon2: Any) -> Any:
    """Great-circle distance in metres (arrays broadcast)."""
    p1, p2 = np.radians(lat1), np.radians(lat2)
    dp = p2 - p1
    dl = np.radians(np.asarray(lon2) - np.asarray(lon1))
    a = np.sin(dp / 2) ** 2 + np.cos(p1) * np.cos(p2) * np.sin(dl / 2) ** 2
    return 2 * EARTH_RADIUS_M * np.arcsin(np.sqrt(np.clip(a, 0.0, 1.0)))


def bearing_deg(lat1: Any, lon1: Any, lat2: Any, lon2: Any) -> Any:
    """Initial true bearing from point 1 to point 2, degrees 0..360."""
    p1, p2 = np.radians(lat1), np.radians(lat2)
    dl = np.radians(np.asarray(lon2) - np.asarray(lon1))
    y = np.sin(dl) * np.cos(p2)
    x = np.cos(p1) * np.sin(p2) - np.sin(p1) * np.cos(p2) * np.cos(dl)
    return np.degrees(np.arctan2(y, x)) % 360.0


def angle_diff_deg(a: Any, b: Any) -> Any:
    """Absolute difference of two directions, degrees 0..180."""
    return np.abs((np.asarray(a) - np.asarray(b) + 180.0) % 360.0 - 180.0)


@dataclass(frozen=True, slots=True)
class Airport:
    icao: str
    iata: str
    name: str
    country: str  # ISO 3166 alpha-2
    lat: float
    lon: float
    elevation_ft: float


class AirportIndex:
    """All airports as arrays sorted by grid cell, with ICAO/IATA lookup and radius queries."""

    def __init__(self, records: Mapping[str, Any]) -> None:
        items = list(records.values())
        self._set(
            icao=np.array([str(r["icao"]) for r in items], dtype=object),
            iata=np.array([str(r.get("iata") or "") for r in items], dtype=object),
            name=np.array([str(r.get("name") or "") for r in items], dtype=object),
            country=np.array([str(r.get("country") or "") for r in items], dtype=object),
            lat=np.array([float(r["lat"]) for r in items], dtype=np.float64),
            lon=np.array([float(r["lon"]) for r in items], dtype=np.float64),
            elevation_ft=np.array([float(r.get("elevation") or 0.0) for r in items]),
            lid=np.array([str(r.get("lid") or "") for r in items], dtype=object),
        )

    def _set(self, **cols: npt.NDArray[Any]) -> None:
        """Fill the index from column arrays (any order): sorted by grid cell, stable."""
        cell = _cells(cols["lat"], cols["lon"])
        order = np.argsort(cell, kind="stable")
        self.icao = cols["icao"][order]
        self.iata = cols["iata"][order]
        self.name = cols["name"][order]
        self.country = cols["country"][order]
        self.lat = np.asarray(cols["lat"][order], dtype=np.float64)
        self.lon = np.asarray(cols["lon"][order], dtype=np.float64)
        self.elevation_ft = np.asarray(cols["elevation_ft"][order], dtype=np.float64)
        # a national location identifier (the FAA's "72S"), which OurAirports uses as ident
        # where an airport has no ICAO code
        lid = cols.get("lid")
        self.lid = lid[order] if lid is not None else np.full(cell.shape[0], "", dtype=object)
        self.cell = cell[order]
        self._moved: dict[tuple[int, float, float], tuple[pa.Table, AirportIndex, dict[str, float]]]
        self._moved = {}
        self._icao_set: pa.Array | None = None
        self._lid_set: pa.Array | None = None

    @functools.cached_property
    def _by_icao(self) -> dict[str, int]:
        # (on first use: an ingest's flights look airports up by array, ~5 ms of every one)
        return {str(c): i for i, c in enumerate(self.icao)}

    @functools.cached_property
    def _by_code(self) -> dict[str, int]:
        by_code = {str(c): i for i, c in enumerate(self.iata) if c}
        return by_code | self._by_icao  # an ICAO key wins over a clashing IATA code

    @classmethod
    def from_arrays(cls, **cols: npt.NDArray[Any]) -> AirportIndex:
        """An index from columns icao, iata, name, country, lat, lon, elevation_ft (and,
        optionally, lid)."""
        out = cls.__new__(cls)
        out._set(**cols)
        return out

    def __len__(self) -> int:
        return int(self.lat.shape[0])

    @staticmethod
    def default() -> AirportIndex:
        """The airportsdata table (loaded once per process, on first use)."""
        return _default_index()

    def index_of(self, icao: str) -> int:
        """Position of an ICAO key, or -1."""
        return self._by_icao.get(icao.upper(), -1)

    def indices_of(self, idents: pa.Array | pa.ChunkedArray) -> I8:
        """Positions of many ICAO keys at once (-1 where unknown), matched case-insensitively."""
        if self._icao_set is None:
            self._icao_set = pa.array([str(c).upper() for c in self.icao], pa.string())
        upper = pc.utf8_upper(pc.cast(idents, pa.string()))
        found = pc.index_in(upper, value_set=self._icao_set)
        return np.asarray(pc.fill_null(found, -1).to_numpy(zero_copy_only=False), dtype=np.int64)

    def indices_of_ident(self, idents: pa.Array | pa.ChunkedArray) -> I8:
        """``indices_of``, and where no ICAO key matches, the airport with that national
        location identifier (OurAirports' ident of an airport without ICAO code)."""
        out = self.indices_of(idents)
        miss = out < 0
        if miss.any():
            if self._lid_set is None:
                self._lid_set = pa.array([str(c).upper() or None for c in self.lid], pa.string())
            upper = pc.utf8_upper(pc.cast(idents, pa.string()))
            found = pc.fill_null(pc.index_in(upper, value_set=self._lid_set), -1)
            by_lid = np.asarray(found.to_numpy(zero_copy_only=False), dtype=np.int64)
            out = np.where(miss, by_lid, out)
        return out

    def lookup(self, code: str) -> Airport | None:
        """An airport by ICAO key or IATA code (case-insensitive)."""
        i = self._by_code.get(code.strip().upper(), -1)
        if i < 0:
            return None
        return Airport(
            icao=str(self.icao[i]),
            iata=str(self.iata[i]),
            name=str(self.name[i]),
            country=str(self.country[i]),
            lat=float(self.lat[i]),
            lon=float(self.lon[i]),
            elevation_ft=float(self.elevation_ft[i]),
        )

    def moved_to_runways(
        self,
        runways: pa.Table,
        min_offset_m: float = RUNWAY_OFFSET_MIN_M,
        max_offset_m: float = RUNWAY_OFFSET_MAX_M,
    ) -> tuple[AirportIndex, dict[str, float]]:
        """A copy in which every airport listed between ``min_offset_m`` and ``max_offset_m``
        from the centroid of its open runways' midpoints (RUNWAY_SCHEMA rows) sits at that
        centroid; and the moved airports' ICAO keys with the metres they moved. ``self`` when
        none moves. Cached per runways table (by identity; the table is held so that its id
        stays its own): every flights build and live step asks again with the same table."""
        key = (id(runways), min_offset_m, max_offset_m)
        hit = self._moved.get(key)
        if hit is not None and hit[0] is runways:
            return hit[1], dict(hit[2])
        out, moved = self._move_to_runways(runways, min_offset_m, max_offset_m)
        if len(self._moved) >= MOVED_CACHE_SIZE:
            self._moved.pop(next(iter(self._moved)))
        self._moved[key] = (runways, out, moved)
        return out, dict(moved)

    def _move_to_runways(
        self, runways: pa.Table, min_offset_m: float, max_offset_m: float
    ) -> tuple[AirportIndex, dict[str, float]]:
        mid_lat, mid_lon, apt = _runway_midpoints(runways, self)
        n = len(self)
        count = np.bincount(apt, minlength=n).astype(np.float64)
        has = count > 0
        lat = np.bincount(apt, weights=mid_lat, minlength=n)[has] / count[has]
        lon = np.bincount(apt, weights=mid_lon, minlength=n)[has] / count[has]
        # runways of one airport either side of the antimeridian: their mean is meaningless
        lo = np.full(n, np.inf)
        hi = np.full(n, -np.inf)
        np.minimum.at(lo, apt, mid_lon)
        np.maximum.at(hi, apt, mid_lon)
        idx = np.flatnonzero(has)
        off = np.asarray(haversine_m(self.lat[idx], self.lon[idx], lat, lon), dtype=np.float64)
        move = (off > min_offset_m) & (off <= max_offset_m) & (hi[idx] - lo[idx] < 1.0)
        if not move.any():
            return self, {}
        new_lat, new_lon = self.lat.copy(), self.lon.copy()
        new_lat[idx[move]], new_lon[idx[move]] = lat[move], lon[move]
        out = AirportIndex.from_arrays(
            icao=self.icao,
            iata=self.iata,
            name=self.name,
            country=self.country,
            lat=new_lat,
            lon=new_lon,
            elevation_ft=self.elevation_ft,
            lid=self.lid,
        )
        moved = {str(self.icao[i]): float(d) for i, d in zip(idx[move], off[move], strict=True)}
        return out, moved

    def within(self, qlat: F8, qlon: F8, radius_m: F8 | float) -> tuple[I8, I8, F8]:
        """All (query, airport) pairs closer than ``radius_m``: (query idx, airport idx, metres).

        Airports are sorted by 1-degree grid cell; each query scans, for each row of cells its
        radius touches, the one contiguous run of cells it spans in longitude.
        """
        qlat = np.asarray(qlat, dtype=np.float64)
        qlon = np.asarray(qlon, dtype=np.float64)
        radius = np.broadcast_to(np.asarray(radius_m, dtype=np.float64), qlat.shape)
        ok = np.isfinite(qlat) & np.isfinite(qlon) & (radius >= 0)
        q = np.flatnonzero(ok)
        dlat = radius[q] / M_PER_DEG_LAT
        r0 = np.floor(np.clip(qlat[q] - dlat, -90, 89.999)).astype(np.int64)
        r1 = np.floor(np.clip(qlat[q] + dlat, -90, 89.999)).astype(np.int64)
        pole = np.minimum(np.abs(qlat[q]) + dlat, 90.0)
        cos = np.cos(np.radians(pole))
        dlon = np.where(cos > 1e-6, radius[q] / (M_PER_DEG_LAT * np.maximum(cos, 1e-6)), 360.0)
        lo_lon = qlon[q] - dlon
        hi_lon = qlon[q] + dlon
        full = (dlon >= 180.0) | (lo_lon < -180.0) | (hi_lon >= 180.0)  # wraps: whole row
        c0 = np.where(full, 0, np.floor(lo_lon + 180.0)).astype(np.int64)
        c1 = np.where(full, 359, np.floor(hi_lon + 180.0)).astype(np.int64)
        nrows = r1 - r0 + 1
        qr = np.repeat(np.arange(q.shape[0]), nrows)
        row = r0[qr] + (np.arange(qr.shape[0]) - (np.cumsum(nrows) - nrows)[qr]) + 90
        lo = np.searchsorted(self.cell, row * 360 + c0[qr], side="left")
        hi = np.searchsorted(self.cell, row * 360 + c1[qr], side="right")
        counts = hi - lo
        pr = np.repeat(np.arange(qr.shape[0]), counts)
        ai = lo[pr] + (np.arange(pr.shape[0]) - (np.cumsum(counts) - counts)[pr])
        qi = q[qr[pr]]
        dist = haversine_m(qlat[qi], qlon[qi], self.lat[ai], self.lon[ai])
        keep = dist <= radius[qi]
        return qi[keep], ai[keep].astype(np.int64), np.asarray(dist[keep], dtype=np.float64)

    def nearest(self, qlat: F8, qlon: F8, radius_m: float) -> tuple[I8, F8]:
        """Nearest airport within ``radius_m`` per query: (airport idx or -1, metres or NaN)."""
        n = np.asarray(qlat).shape[0]
        best = np.full(n, -1, dtype=np.int64)
        dist = np.full(n, np.nan)
        qi, ai, d = self.within(qlat, qlon, radius_m)
        if qi.size:
            order = np.lexsort((d, qi))
            qi, ai, d = qi[order], ai[order], d[order]
            first = run_heads(qi)
            best[qi[first]] = ai[first]
            dist[qi[first]] = d[first]
        return best, dist


def _cells(lat: F8, lon: F8) -> I8:
    """1-degree grid cell keys: row (latitude) major, so a row's cells are contiguous."""
    row = np.clip(np.floor(np.asarray(lat, dtype=np.float64)) + 90, 0, 179).astype(np.int64)
    col = np.clip(np.floor(np.asarray(lon, dtype=np.float64)) + 180, 0, 359).astype(np.int64)
    return np.asarray(row * 360 + col, dtype=np.int64)


@functools.lru_cache(maxsize=1)
def _default_index() -> AirportIndex:
    import airportsdata

    from .airport_table import airportsdata_columns

    cols = airportsdata_columns(Path(airportsdata.__file__).parent / "airports.csv")
    if cols is None:  # a table ``load`` would de-duplicate: its own reading, row by row
        return AirportIndex(airportsdata.load("ICAO"))
    return AirportIndex.from_arrays(**cols)


def _runway_midpoints(runways: pa.Table, airports: AirportIndex) -> tuple[F8, F8, I8]:
    """Midpoints of the open runways with both thresholds whose airport is in ``airports``:
    (lat, lon, airport index)."""
    runways = runways.filter(pc.invert(pc.fill_null(runways["closed"], False)))
    apt = airports.indices_of(runways["airport_ident"])

    def col(name: str) -> F8:
        return np.asarray(
            runways[name].to_numpy(zero_copy_only=False).astype(np.float64), dtype=np.float64
        )

    la = (col("le_latitude_deg") + col("he_latitude_deg")) / 2.0
    lo = (col("le_longitude_deg") + col("he_longitude_deg")) / 2.0
    keep = (apt >= 0) & np.isfinite(la) & np.isfinite(lo)
    return la[keep], lo[keep], apt[keep]


class RunwayIndex:
    """Open runways with both thresholds, grouped by airport (index into an AirportIndex),
    and the longest open runway of each airport (``longest_ft``; ``longest_paved_ft`` of the
    runways not known to be unpaved; NaN: none known)."""

    def __init__(self, runways: pa.Table, airports: AirportIndex) -> None:
        runways = runways.filter(pc.invert(pc.fill_null(runways["closed"], False)))
        self.longest_ft, self.longest_paved_ft = runway_lengths(runways, airports)
        runways = runways.filter(has_thresholds(runways))
        apt = airports.indices_of(runways["airport_ident"])
        keep = apt >= 0
        order = np.argsort(apt[keep], kind="stable")
        self.airport = apt[keep][order]

        def col(name: str) -> F8:
            a = runways[name].to_numpy(zero_copy_only=False).astype(np.float64)
            return np.asarray(a[keep][order], dtype=np.float64)

        self.le_lat, self.le_lon = col("le_latitude_deg"), col("le_longitude_deg")
        self.he_lat, self.he_lon = col("he_latitude_deg"), col("he_longitude_deg")
        self.heading = np.asarray(
            bearing_deg(self.le_lat, self.le_lon, self.he_lat, self.he_lon), dtype=np.float64
        )
        self.start = np.searchsorted(self.airport, np.arange(len(airports)), side="left")
        self.count = np.searchsorted(self.airport, np.arange(len(airports)), side="right") - (
            self.start
        )

    def has_runways(self, airport_idx: I8) -> npt.NDArray[np.bool_]:
        return np.asarray(self.count[airport_idx] > 0)

    def distance(self, lat: F8, lon: F8, airport_idx: I8, track: F8 | None = None) -> tuple[F8, F8]:
        """Per (point, airport) pair: metres to the nearest runway centre line of that airport,
        and the track's misalignment with that runway in degrees (0..90; NaN without track).

        Pairs whose airport has no runways get NaN for both.
        """
        d, mis, _ = self.geometry(lat, lon, airport_idx, track)
        return d, mis

    def geometry(
        self, lat: F8, lon: F8, airport_idx: I8, track: F8 | None = None
    ) -> tuple[F8, F8, F8]:
        """``distance`` and, third, the metres to the farther end of that nearest runway (where
        a takeoff roll on it began at the earliest)."""
        n = lat.shape[0]
        counts = self.count[airport_idx]
        pi = np.repeat(np.arange(n, dtype=np.int64), counts)
        starts = np.cumsum(counts) - counts
        ri = self.start[airport_idx][pi] + (np.arange(pi.shape[0]) - starts[pi])
        # local flat projection around the query point: good to metres over a few km
        coslat = np.cos(np.radians(lat[pi]))
        ax = (self.le_lon[ri] - lon[pi]) * coslat * M_PER_DEG_LAT
        ay = (self.le_lat[ri] - lat[pi]) * M_PER_DEG_LAT
        bx = (self.he_lon[ri] - lon[pi]) * coslat * M_PER_DEG_LAT
        by = (self.he_lat[ri] - lat[pi]) * M_PER_DEG_LAT
        vx, vy = bx - ax, by - ay
        seg2 = np.maximum(vx * vx + vy * vy, 1e-9)
        u = np.clip(-(ax * vx + ay * vy) / seg2, 0.0, 1.0)
        d = np.hypot(ax + u * vx, ay + u * vy)
        far = np.maximum(np.hypot(ax, ay), np.hypot(bx, by))
        mis = np.full(pi.shape[0], np.nan)
        if track is not None:
            diff = angle_diff_deg(track[pi], self.heading[ri])
            mis = np.minimum(diff, 180.0 - diff)
        out_d = np.full(n, np.nan)
        out_m = np.full(n, np.nan)
        out_f = np.full(n, np.nan)
        if pi.size:
            # nearest runway per pair: sort by (pair, distance) and take the first of each pair
            order = np.lexsort((d, pi))
            first = order[run_heads(pi[order])]
            out_d[pi[first]] = d[first]
            out_m[pi[first]] = mis[first]
            out_f[pi[first]] = far[first]
        return out_d, out_m, out_f
