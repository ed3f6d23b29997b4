"""OpenSky state vectors -> Observations: the dataset CSV and the REST ``/states/all`` JSON.

Units are SI at OpenSky and converted here, once: m -> ft, m/s -> kt (velocity), m/s -> ft/min
(vertical rate). A row's time is when its values were measured: the last position update when
the row has a position, else the last contact, else the snapshot time (CSV ``time``, REST
``time``). Kind is ``SourceKind.OTHER`` (already decoded, quality unknown); REST
``position_source`` 0 ADS-B, 1 ASTERIX, 2 MLAT, 3 FLARM maps to adsb/other/mlat/other.

CSV columns are found by the header names (``time,icao24,lat,lon,velocity,heading,vertrate,
callsign,onground,alert,spi,squawk,baroaltitude,geoaltitude,lastposupdate,lastcontact``).
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import numpy.typing as npt

from ..model import Observations, PositionSource, RejectReason, SourceKind
from ..stats import IngestStats
from .columns import mapped, numbers, read_strings
from .records import FPM_PER_MPS, FT_PER_M, KT_PER_MPS, ObsRows, icao_of, num, squawk_code
from .textio import LineParser, split_lines

CSV_REQUIRED = ("icao24",)
CSV_COLUMNS = (
    "time", "icao24", "lat", "lon", "velocity", "heading", "vertrate", "callsign", "onground",
    "alert", "spi", "squawk", "baroaltitude", "geoaltitude", "lastposupdate", "lastcontact",
)  # fmt: skip
REST_POSITION_SOURCE = {
    0: PositionSource.ADSB,
    1: PositionSource.OTHER,
    2: PositionSource.MLAT,
    3: PositionSource.OTHER,
}
_TRUE = frozenset({"true", "1", "t", "yes"})
_FALSE = frozenset({"false", "0", "f", "no"})


#: The numeric CSV columns (SI units, converted where the rows are built).
_NUMBERS = (
    "time", "lat", "lon", "velocity", "heading", "vertrate", "baroaltitude", "geoaltitude",
    "lastposupdate", "lastcontact",
)  # fmt: skip


def _packed_address(text: str) -> int:
    """``icao_of`` packed as ``address << 1 | non_icao``; -1 when not an address."""
    addr = icao_of(text.strip().strip('"'))
    return -1 if addr is None else addr[0] << 1 | int(addr[1])


def _callsign(text: str) -> str:
    return text.strip().strip('"').strip()[:8]


def _bool(v: Any) -> int:
    if isinstance(v, bool):
        return int(v)
    s = str(v).strip().lower() if v is not None else ""
    return 1 if s in _TRUE else (0 if s in _FALSE else -1)


def _row(
    rows: ObsRows,
    addr: tuple[int, bool],
    *,
    snapshot: float,
    posupdate: float,
    contact: float,
    lat: float,
    lon: float,
    callsign: Any,
    baro_m: float,
    geo_m: float,
    vel_mps: float,
    track: float,
    vr_mps: float,
    squawk: Any,
    onground: int,
    possrc: PositionSource,
) -> str:
    has_pos = not (math.isnan(lat) or math.isnan(lon))
    t = posupdate if has_pos and not math.isnan(posupdate) else contact
    if math.isnan(t):
        t = snapshot
    if math.isnan(t):
        return "no time"
    return rows.add(
        t,
        addr[0],
        non_icao=addr[1],
        callsign=callsign if isinstance(callsign, str) else "",
        lat=lat,
        lon=lon,
        alt=baro_m * FT_PER_M,
        geo=geo_m * FT_PER_M,
        gs=vel_mps * KT_PER_MPS,
        track=track,
        vr=vr_mps * FPM_PER_MPS,
        squawk=squawk_code(squawk),
        onground=onground,
        kind=SourceKind.OTHER,
        possrc=possrc if has_pos else PositionSource.UNKNOWN,
    )


def rest_rows(doc: Any, rows: ObsRows, arrival: float | None = None) -> list[str]:
    """Append one row per REST state vector; reasons for unusable records."""
    if not isinstance(doc, dict) or "states" not in doc:
        return ["not an OpenSky states document"]
    states = doc.get("states") or []  # null when no aircraft
    if not isinstance(states, list):
        return ["states is not a list"]
    snapshot = num(doc.get("time"))
    bad: list[str] = []
    for s in states:
        if not isinstance(s, list) or len(s) < 17:
            bad.append("state vector is not a list of >= 17 values")
            continue
        addr = icao_of(s[0])
        if addr is None:
            bad.append("bad icao24")
            continue
        ps = num(s[16])
        why = _row(
            rows,
            addr,
            snapshot=snapshot,
            posupdate=num(s[3]),
            contact=num(s[4]),
            lon=num(s[5]),
            lat=num(s[6]),
            baro_m=num(s[7]),
            onground=_bool(s[8]) if s[8] is not None else -1,
            vel_mps=num(s[9]),
            track=num(s[10]),
            vr_mps=num(s[11]),
            geo_m=num(s[13]),
            squawk=s[14],
            callsign=s[1],
            possrc=REST_POSITION_SOURCE.get(int(ps), PositionSource.OTHER)
            if not math.isnan(ps)
            else PositionSource.OTHER,
        )
        if why:
            bad.append(why)
    return bad


class OpenskyCsvParser(LineParser[Observations]):
    """Streaming reader of OpenSky dataset CSV (header row first)."""

    def __init__(self, stats: IngestStats, name: str, *, live: bool = False) -> None:
        super().__init__(stats, name, live=live)
        self._cols: dict[str, int] | None = None

    def parse_block(
        self, block: bytes, first: int, arrival: float | None
    ) -> list[Observations] | None:
        if self._cols is None:  # the header (or the default columns) line by line first
            head, sep, rest = block.partition(b"\n")
            out = self.parse_lines(split_lines(head + sep), first, arrival)
            if not rest:
                return out
            count = rest.count(b"\n") + (0 if rest.endswith(b"\n") else 1)
            return out + self.parse_blocks(rest, first + 1, count, arrival)
        return self.counted(self._columns(block))

    def _columns(self, block: bytes) -> Observations | None:
        """Clean rows column-wise (the per-line rules applied to whole columns); None when
        any row needs the line-by-line path."""
        cols = self._cols or {}
        if not all(c in cols for c in CSV_COLUMNS):
            return None
        names = [f"c{i}" for i in range(max(cols.values()) + 1)]
        tbl = read_strings(block, names, [names[cols[c]] for c in CSV_COLUMNS])
        if tbl is None:
            return None

        def col(name: str) -> Any:
            return tbl.column(names[cols[name]])

        f: dict[str, npt.NDArray[np.float64]] = {}
        for name in _NUMBERS:
            v = numbers(col(name))
            if v is None:
                return None
            f[name] = np.where(np.isfinite(v), v, np.nan)  # num(): NaN/inf -> NaN
        addr = mapped(col("icao24"), _packed_address, np.int64)
        if (addr < 0).any():
            return None
        lat, lon = f["lat"], f["lon"]
        has = ~(np.isnan(lat) | np.isnan(lon))
        t = np.where(has & ~np.isnan(f["lastposupdate"]), f["lastposupdate"], f["lastcontact"])
        t = np.where(np.isnan(t), f["time"], t)
        if np.isnan(t).any():
            return None
        ok = has & (np.abs(lat) <= 90) & (np.abs(lon) <= 180)  # as ObsRows.add
        n = t.shape[0]
        return Observations(
            timestamp=t,
            icao24=(addr >> 1).astype(np.uint32),
            non_icao=(addr & 1).astype(np.bool_),
            callsign=mapped(col("callsign"), _callsign, "<U8"),
            latitude=np.where(ok, lat, np.nan),
            longitude=np.where(ok, lon, np.nan),
            altitude=f["baroaltitude"] * FT_PER_M,
            geoaltitude=f["geoaltitude"] * FT_PER_M,
            groundspeed=f["velocity"] * KT_PER_MPS,
            track=f["heading"],
            vertical_rate=f["vertrate"] * FPM_PER_MPS,
            squawk=mapped(col("squawk"), squawk_code, np.int16),
            onground=mapped(col("onground"), _bool, np.int8),
            kind=np.full(n, SourceKind.OTHER, dtype=np.uint8),
            position_source=np.where(ok, PositionSource.OTHER, PositionSource.UNKNOWN).astype(
                np.uint8
            ),
            new_leg=np.zeros(n, dtype=np.bool_),
            category=np.full(n, -1, dtype=np.int8),
            source=self.name,
        )

    def parse_lines(
        self, lines: list[bytes], first: int, arrival: float | None
    ) -> list[Observations]:
        rows = ObsRows()
        for k, raw in enumerate(lines):
            no = first + k
            if not raw.strip():
                continue
            try:
                text = raw.decode("utf-8-sig")
            except UnicodeDecodeError:
                self.stats.frames += 1
                self.stats.reject(RejectReason.BAD_ENCODING, self.name, line=no)
                continue
            f = [x.strip().strip('"') for x in text.split(",")]
            if self._cols is None:
                if "icao24" in f:
                    self._cols = {name: i for i, name in enumerate(f)}
                    continue
                self._cols = {name: i for i, name in enumerate(CSV_COLUMNS)}
            self.stats.frames += 1
            why = self._row(f, rows)
            if why:
                self.stats.reject(RejectReason.BAD_LINE, self.name, line=no, detail=why)
        if not len(rows):
            return []
        self.stats.sources[self.name] += len(rows)
        return [rows.build(self.name)]

    def _row(self, f: list[str], rows: ObsRows) -> str:
        cols = self._cols or {}

        def get(name: str) -> str:
            i = cols.get(name)
            return f[i] if i is not None and i < len(f) else ""

        addr = icao_of(get("icao24"))
        if addr is None or len(get("icao24").lstrip("~")) != 6:  # the dataset writes all 6 digits
            return "bad icao24"
        lat, lon = num(get("lat")), num(get("lon"))
        return _row(
            rows,
            addr,
            snapshot=num(get("time")),
            posupdate=num(get("lastposupdate")),
            contact=num(get("lastcontact")),
            lat=lat,
            lon=lon,
            callsign=get("callsign"),
            baro_m=num(get("baroaltitude")),
            geo_m=num(get("geoaltitude")),
            vel_mps=num(get("velocity")),
            track=num(get("heading")),
            vr_mps=num(get("vertrate")),
            squawk=get("squawk"),
            onground=_bool(get("onground")),
            possrc=PositionSource.OTHER,
        )
