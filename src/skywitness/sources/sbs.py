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
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any
from zoneinfo import ZoneInfo

import numpy as np
import numpy.typing as npt
import pyarrow as pa

from ..decode.hexio import bool_column, numpy_of
from ..model import Observations, PositionSource, RejectReason, SourceKind
from ..runs import distinct
from ..stats import IngestStats
from ..timeutil import parse_local
from .columns import mapped, read_strings, rows_at, spans
from .records import ObsRows, icao_of, num, squawk_code
from .textio import LineParser

OTHER_RECORDS = frozenset({"SEL", "ID", "AIR", "STA", "CLK"})
_MIN_FIELDS = 10  # through time_log: anything shorter is not an SBS record
_NAMES = [f"c{i}" for i in range(22)]  # a full MSG record, as the column-wise path reads it
_USED = (0, 4, 6, 7, 10, 11, 12, 13, 14, 15, 16, 17, 21)
#: Groundspeed, track, latitude, longitude: read as numbers by the CSV reader itself (what
#: ``num`` gives; a value that is not a number sends the block line by line).
_FLOATS = ("c12", "c13", "c14", "c15")
#: The columns read through ``mapped`` (few distinct values), dictionary-encoded by the reader.
_DICTS = ("c0", "c4", "c6", "c10", "c11", "c16", "c17", "c21")


class SbsParser(LineParser[Observations]):
    """BaseStation ``MSG`` lines (already decoded) as observations."""

    def __init__(
        self, stats: IngestStats, name: str, *, tz: str | None = None, live: bool = False
    ) -> None:
        super().__init__(stats, name, live=live)
        self.tz = ZoneInfo(tz) if tz else None
        self._midnight: dict[str, float] = {}
        self._memo: dict[str, dict[Any, Any]] = {}  # per column: ``mapped``'s results

    def _mapped(
        self, tbl: pa.Table, name: str, fn: Callable[[Any], Any], dtype: npt.DTypeLike
    ) -> npt.NDArray[Any]:
        return mapped(tbl.column(name), fn, dtype, self._memo.setdefault(name, {}))

    def parse_block(
        self, block: bytes, first: int, arrival: float | None
    ) -> list[Observations] | None:
        if self.tz is not None:
            return None
        tbl = read_strings(
            block,
            _NAMES,
            [_NAMES[i] for i in _USED],
            quoting=False,
            floats=_FLOATS,
            dicts=_DICTS,
        )
        if tbl is None:  # a value Arrow cannot read (as a number where one is expected)
            return None
        kind = self._mapped(tbl, "c0", _record_kind, np.int8)
        if not (kind == 1).all():
            if (kind < 0).any():
                return None
            self.stats.frames += tbl.num_rows
            tbl = tbl.filter(bool_column(kind == 1))
            self.stats.frames -= tbl.num_rows
        return self.counted(self._columns(tbl))

    def _columns(self, tbl: pa.Table) -> Observations | None:
        """Clean ``MSG`` rows column-wise; None when any row needs the line-by-line path."""
        n = tbl.num_rows
        addr = self._mapped(tbl, "c4", _packed_address, np.int64)
        day = self._mapped(tbl, "c6", self._day, np.float64)
        if (addr < 0).any() or np.isnan(day).any():
            return None
        hms = _time_of_day(tbl.column("c7"))
        if hms is None:
            return None
        secs = hms
        if not ((secs >= 0) & (secs < 86401)).all():
            return None
        floats = []
        for name in _FLOATS:
            f = numpy_of(tbl.column(name), np.nan).astype(np.float64)
            floats.append(np.where(np.isfinite(f), f, np.nan))  # num(): NaN/inf -> NaN
        gs, track, lat, lon = floats
        has_pos = np.isfinite(lat) & np.isfinite(lon) & ~((lat == 0) & (lon == 0))
        has_pos &= (np.abs(lat) <= 90) & (np.abs(lon) <= 180)
        alt = self._mapped(tbl, "c11", _alt, np.float64).reshape(n, 2)
        og = self._mapped(tbl, "c21", _onground, np.int8)
        return Observations(
            timestamp=day + secs,
            icao24=(addr >> 1).astype(np.uint32),
            non_icao=(addr & 1).astype(np.bool_),
            callsign=self._mapped(tbl, "c10", _callsign, "<U8"),
            latitude=np.where(has_pos, lat, np.nan),
            longitude=np.where(has_pos, lon, np.nan),
            altitude=alt[:, 0],
            geoaltitude=alt[:, 1],
            groundspeed=gs,
            track=track,
            vertical_rate=self._mapped(tbl, "c16", _vrate, np.float64),
            squawk=self._mapped(tbl, "c17", squawk_code, np.int16),
            onground=og,
            kind=np.full(n, SourceKind.SBS, dtype=np.uint8),
            position_source=np.where(has_pos, PositionSource.OTHER, PositionSource.UNKNOWN).astype(
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
            if not raw.strip():
                continue
            no = first + k
            text = self.line_text(raw, no)
            if text is None:
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
        vr = _vrate(f[16])
        lat, lon = num(f[14]), num(f[15])
        has_pos = not (math.isnan(lat) or math.isnan(lon)) and not (lat == 0 and lon == 0)
        return rows.add(
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
            onground=_onground(f[21]),
            kind=SourceKind.SBS,
            possrc=PositionSource.OTHER if has_pos else PositionSource.UNKNOWN,
        )

    def _time(self, date: str, tod: str) -> float | None:
        date, tod = date.strip(), tod.strip()
        if self.tz is not None:
            try:
                return parse_local(f"{date.replace('/', '-')}T{tod}", self.tz).timestamp()
            except ValueError:
                return None
        day = self._day(date)
        if math.isnan(day):
            return None
        try:
            h, mi, s = tod.split(":")
            secs = int(h) * 3600 + int(mi) * 60 + float(s)
        except ValueError:
            return None
        if not 0 <= secs < 86401:
            return None
        return day + secs

    def _day(self, date: str) -> float:
        """Unix time of the UTC midnight starting ``date`` (``Y/M/D``); NaN when not a date."""
        date = date.strip()
        day = self._midnight.get(date)
        if day is None:
            try:
                y, m, d = (int(x) for x in date.replace("-", "/").split("/"))
                day = datetime(y, m, d, tzinfo=UTC).timestamp()
            except (ValueError, OverflowError):  # not a date, or a year of 30 digits
                return math.nan
            self._midnight[date] = day
        return day


def _time_of_day(col: pa.ChunkedArray) -> npt.NDArray[np.float64] | None:
    """Seconds of ``HH:MM:SS[.f...]`` values, as ``int(h) * 3600 + int(m) * 60 + float(s)``;
    None unless every value has that exact shape (up to 9 decimals). ``float(s)`` is the
    whole number of its digits over a power of ten: both exact, so the one division is
    correctly rounded, as Python's parse of the text is."""
    sp = spans(col)
    if sp is None:
        return None
    data, start, size = sp
    out = np.zeros(start.shape[0], dtype=np.float64)
    for width in distinct(size):
        if not 8 <= width <= 18 or width == 9:  # no "HH:MM:SS." with nothing after the dot
            return None
        sel = np.flatnonzero(size == width)
        ch = rows_at(data, start[sel], width)
        marks = (ch[:, 2] == ord(":")) & (ch[:, 5] == ord(":"))
        if width > 8:
            marks &= ch[:, 8] == ord(".")
        places = [0, 1, 3, 4, 6, 7, *range(9, width)]
        digits = ch[:, places] - np.uint8(ord("0"))  # a non-digit wraps above 9
        if not (marks.all() and (digits <= 9).all()):
            return None
        d = [digits[:, k].astype(np.int64) for k in range(len(places))]
        hm = (d[0] * 10 + d[1]) * 3600 + (d[2] * 10 + d[3]) * 60
        whole = d[4]  # the seconds' digits as one integer (< 2**53)
        for k in range(5, len(d)):
            whole = whole * 10 + d[k]
        sec = whole / float(10 ** (width - 9)) if width > 8 else whole.astype(np.float64)
        out[sel] = hm.astype(np.float64) + sec
    return out


def _record_kind(text: str) -> int:
    """1 a MSG record, 0 another known record (no state), -1 anything else."""
    return 1 if text == "MSG" else (0 if text in OTHER_RECORDS else -1)


def _packed_address(text: str) -> int:
    """``icao_of`` with the SBS 6-digit rule, packed as ``address << 1 | non_icao``; -1 bad."""
    addr = icao_of(text)
    if addr is None or len(text.lstrip("~")) != 6:
        return -1
    return addr[0] << 1 | int(addr[1])


def _callsign(text: str) -> str:
    return text.strip()[:8]


def _vrate(text: str) -> float:
    return num(text.rstrip("H"))


def _onground(text: str) -> int:
    og = text.strip()
    return 1 if og in ("-1", "1") else (0 if og == "0" else -1)


def _alt(text: str) -> tuple[float, float]:
    """(baro ft, geometric ft): an ``H`` suffix marks a GNSS height."""
    text = text.strip()
    if text.endswith("H"):
        return math.nan, num(text[:-1])
    return num(text), math.nan
