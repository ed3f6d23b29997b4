"""SBS-1 / BaseStation CSV (port 30003) -> Observations (kind SBS).

``MSG,<type>,sess,aircraft,HEX,flight,date_gen,time_gen,date_log,time_log,callsign,altitude,
groundspeed,track,lat,lon,vrate,squawk,alert,emergency,spi,onground``. Values are already decoded
(no CRC). The generated date/time is the row time. BaseStation writes *local* time by convention
but most decoders (dump1090, readsb) write UTC, so dates are read as UTC unless a ``tz`` (IANA
name, e.g. ``Europe/Paris``) is given. Altitude/vertical rate with an ``H`` suffix (readsb
``--sbs-gnss``) are geometric. Onground ``-1`` (or ``1``) is on ground, ``0`` airborne.
Other record types (SEL, ID, AIR, STA, CLK) carry no state and are passed over; an empty line is
a keep-alive.
"""

from __future__ import annotations

import math
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from ..model import Observations, PositionSource, RejectReason, SourceKind
from ..stats import IngestStats
from .records import ObsRows, icao_of, num, squawk_code
from .textio import LineParser

OTHER_RECORDS = frozenset({"SEL", "ID", "AIR", "STA", "CLK"})
_MIN_FIELDS = 10  # through time_log: anything shorter is not an SBS record


class SbsParser(LineParser[Observations]):
    """BaseStation ``MSG`` lines (already decoded) as observations."""

    def __init__(
        self, stats: IngestStats, name: str, *, tz: str | None = None, live: bool = False
    ) -> None:
        super().__init__(stats, name, live=live)
        self.tz = ZoneInfo(tz) if tz else None
        self._midnight: dict[str, float] = {}

    def parse_lines(
        self, lines: list[bytes], first: int, arrival: float | None
    ) -> list[Observations]:
        rows = ObsRows()
        for k, raw in enumerate(lines):
            if not raw.strip():
                continue
            no = first + k
            self.stats.frames += 1
            try:
                text = raw.decode("utf-8")
            except UnicodeDecodeError:
                self.stats.reject(RejectReason.BAD_ENCODING, self.name, line=no)
                continue
            f = text.split(",")
            if f[0] in OTHER_RECORDS:
                continue
            why = self._row(f, rows)
            if why:
                self.stats.reject(RejectReason.BAD_LINE, self.name, line=no, detail=why)
        if not len(rows):
            return []
        self.stats.sources[self.name] += len(rows)
        return [rows.build(self.name)]

    def _row(self, f: list[str], rows: ObsRows) -> str:
        if f[0] != "MSG" or len(f) < _MIN_FIELDS:
            return "not an SBS MSG record"
        addr = icao_of(f[4])
        if addr is None or len(f[4].lstrip("~")) != 6:
            return "bad hex ident"
        t = self._time(f[6], f[7])
        if t is None:
            return "bad date/time"
        f = f + [""] * (22 - len(f))
        alt, geo = _alt(f[11])
        vr = num(f[16].rstrip("H"))
        lat, lon = num(f[14]), num(f[15])
        has_pos = not (math.isnan(lat) or math.isnan(lon)) and not (lat == 0 and lon == 0)
        og = f[21].strip()
        rows.add(
            t,
            addr[0],
            non_icao=addr[1],
            callsign=f[10],
            lat=lat if has_pos else math.nan,
            lon=lon if has_pos else math.nan,
            alt=alt,
            geo=geo,
            gs=num(f[12]),
            track=num(f[13]),
            vr=vr,
            squawk=squawk_code(f[17]),
            onground=1 if og in ("-1", "1") else (0 if og == "0" else -1),
            kind=SourceKind.SBS,
            possrc=PositionSource.OTHER if has_pos else PositionSource.UNKNOWN,
        )
        return ""

    def _time(self, date: str, tod: str) -> float | None:
        date, tod = date.strip(), tod.strip()
        if self.tz is not None:
            try:
                naive = datetime.fromisoformat(f"{date.replace('/', '-')}T{tod}")
            except ValueError:
                return None
            return naive.replace(tzinfo=self.tz).astimezone(UTC).timestamp()
        day = self._midnight.get(date)
        if day is None:
            try:
                y, m, d = (int(x) for x in date.replace("-", "/").split("/"))
                day = datetime(y, m, d, tzinfo=UTC).timestamp()
            except ValueError:
                return None
            self._midnight[date] = day
        try:
            h, mi, s = tod.split(":")
            secs = int(h) * 3600 + int(mi) * 60 + float(s)
        except ValueError:
            return None
        if not 0 <= secs < 86401:
            return None
        return day + secs


def _alt(text: str) -> tuple[float, float]:
    """(baro ft, geometric ft): an ``H`` suffix marks a GNSS height."""
    text = text.strip()
    if text.endswith("H"):
        return math.nan, num(text[:-1])
    return num(text), math.nan
