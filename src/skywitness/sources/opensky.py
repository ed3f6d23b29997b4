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

from ..model import Observations, PositionSource, RejectReason, SourceKind
from ..stats import IngestStats
from .records import FPM_PER_MPS, FT_PER_M, KT_PER_MPS, ObsRows, icao_of, num, squawk_code
from .textio import LineParser

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
    rows.add(
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
    return ""


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
        if addr is None:
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
