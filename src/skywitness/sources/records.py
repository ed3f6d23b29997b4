"""Row collector for the already-decoded readers (SBS, readsb JSON, traces, OpenSky): rows are
appended as plain values, then turned into one ``Observations`` column batch per feed.

Also the shared vocabulary: readsb/tar1090 ``type`` strings to ``SourceKind``/``PositionSource``,
unit conversions from SI, and lenient number/squawk parsing.
"""

from __future__ import annotations

import math
import re
from dataclasses import replace
from typing import Any

import numpy as np
import numpy.typing as npt

from ..model import (
    F8,
    MAX_GROUNDSPEED_KT,
    FrameBatch,
    Observations,
    PositionSource,
    RejectReason,
    SourceKind,
)
from ..stats import IngestStats

#: Metres to feet.
FT_PER_M = 1.0 / 0.3048
#: Metres per second to knots.
KT_PER_MPS = 3600.0 / 1852.0
#: Metres per second to feet per minute.
FPM_PER_MPS = 60.0 / 0.3048

#: Plausible row times, unix s (the epoch .. 2100-01-01): outside, a value is not a time.
MIN_TIME_S = 0.0
MAX_TIME_S = 4102444800.0
#: Altitude range of Mode S (Gillham/25 ft codes) and GNSS heights in practice, ft.
MIN_ALTITUDE_FT, MAX_ALTITUDE_FT = -2000.0, 130000.0
#: Largest vertical rate ADS-B encodes (511 * 64), ft/min.
MAX_VERTICAL_RATE_FPM = 32704.0
_HEX_ADDRESS = re.compile(r"~?[0-9a-fA-F]{1,6}")

#: readsb ``type`` / trace ``source_type`` -> (kind, position source, non-ICAO address).
READSB_TYPES: dict[str, tuple[SourceKind, PositionSource, bool]] = {
    "adsb_icao": (SourceKind.ADSB, PositionSource.ADSB, False),
    "adsb_icao_nt": (SourceKind.ADSB, PositionSource.ADSB, False),
    "adsb_other": (SourceKind.ADSB, PositionSource.ADSB, True),
    "adsr_icao": (SourceKind.ADSR, PositionSource.ADSR, False),
    "adsr_other": (SourceKind.ADSR, PositionSource.ADSR, True),
    "tisb_icao": (SourceKind.TISB, PositionSource.TISB, False),
    "tisb_trackfile": (SourceKind.TISB, PositionSource.TISB, True),
    "tisb_other": (SourceKind.TISB, PositionSource.TISB, True),
    "adsc": (SourceKind.ADSC, PositionSource.ADSC, False),
    "mlat": (SourceKind.MLAT, PositionSource.MLAT, False),
    "mode_s": (SourceKind.MODE_S, PositionSource.OTHER, False),
    "other": (SourceKind.OTHER, PositionSource.OTHER, False),
    "unknown": (SourceKind.OTHER, PositionSource.OTHER, False),
}
_DEFAULT_TYPE = (SourceKind.OTHER, PositionSource.OTHER, False)


def readsb_type(name: Any) -> tuple[SourceKind, PositionSource, bool]:
    return READSB_TYPES.get(name, _DEFAULT_TYPE) if isinstance(name, str) else _DEFAULT_TYPE


def num(v: Any) -> float:
    """A finite float or NaN (None, strings that are not numbers, bools, NaN/inf)."""
    if isinstance(v, bool) or v is None:
        return math.nan
    if isinstance(v, int | float):
        f = float(v)
    elif isinstance(v, str):
        try:
            f = float(v)
        except ValueError:
            return math.nan
    else:
        return math.nan
    return f if math.isfinite(f) else math.nan


def squawk_code(v: Any) -> int:
    """Squawk as its 4 octal digits read as a decimal number; -1 when missing or not octal."""
    if v is None or isinstance(v, bool):
        return -1
    s = str(v).strip()
    if isinstance(v, float):
        s = str(int(v)) if v.is_integer() else ""
    if not s or len(s) > 4 or not s.isdigit() or any(c in "89" for c in s):
        return -1
    return int(s)


def icao_of(text: Any) -> tuple[int, bool] | None:
    """(address, non_icao) from ``abc123`` / ``~abc123``; None when not a 24-bit hex address."""
    if not isinstance(text, str):
        return None
    s = text.strip()
    # plain hex digits only: int(s, 16) alone also takes "-1", "+ff", "f_f" (a negative address
    # then overflowed the uint32 column and killed the reader)
    if _HEX_ADDRESS.fullmatch(s) is None:
        return None
    non_icao = s.startswith("~")
    return int(s[1:] if non_icao else s, 16), non_icao


def implausible(t: float, alt: float, geo: float, gs: float, vr: float) -> str:
    """Why a decoded row's values are outside physical ranges ("" when they are not)."""
    if not MIN_TIME_S <= t <= MAX_TIME_S:  # NaN fails too
        return "time out of range"
    if not math.isnan(gs) and not 0.0 <= gs <= MAX_GROUNDSPEED_KT:
        return "ground speed out of range"
    for v in (alt, geo):
        if not math.isnan(v) and not MIN_ALTITUDE_FT <= v <= MAX_ALTITUDE_FT:
            return "altitude out of range"
    if not math.isnan(vr) and abs(vr) > MAX_VERTICAL_RATE_FPM * 2:
        return "vertical rate out of range"
    return ""


def implausible_rows(obs: Observations) -> npt.NDArray[np.bool_]:
    """Rows of ``obs`` with a value ``implausible`` would refuse, or a position off the globe
    (vectorised)."""
    bad = implausible_values(
        obs.timestamp, obs.groundspeed, obs.altitude, obs.geoaltitude, obs.vertical_rate
    )
    return bad | off_globe(obs.latitude, obs.longitude)


def off_globe(lat: F8, lon: F8) -> npt.NDArray[np.bool_]:
    """Rows with a latitude beyond +-90 or a longitude beyond +-180 deg (NaN: no position)."""
    with np.errstate(invalid="ignore"):
        out: npt.NDArray[np.bool_] = (np.abs(lat) > 90.0) | (np.abs(lon) > 180.0)
    return out


def implausible_values(t: F8, gs: F8, alt: F8, geo: F8, vr: F8) -> npt.NDArray[np.bool_]:
    """Rows whose time (unix s), ground speed, altitudes or vertical rate ``implausible`` would
    refuse (NaN: no value, never refused but for the time)."""
    with np.errstate(invalid="ignore"):
        bad = ~((t >= MIN_TIME_S) & (t <= MAX_TIME_S))
        bad |= (gs < 0) | (gs > MAX_GROUNDSPEED_KT)
        for a in (alt, geo):
            bad |= (a < MIN_ALTITUDE_FT) | (a > MAX_ALTITUDE_FT)
        bad |= np.abs(vr) > MAX_VERTICAL_RATE_FPM * 2
    out: npt.NDArray[np.bool_] = bad
    return out


def drop_bad_times(batch: FrameBatch, stats: IngestStats, name: str) -> FrameBatch:
    """``batch`` without frames whose time is known but not a time (before the unix epoch, after
    2100, infinite), each counted BAD_TIMESTAMP; NaN (no time, e.g. an AVR file's ``*`` lines)
    passes. (The epoch, not 1990: ``--start-time`` may place a capture anywhere.)"""
    t = batch.timestamp
    with np.errstate(invalid="ignore"):
        bad = ~np.isnan(t) & ~((t >= 0.0) & (t <= MAX_TIME_S))
    n = int(bad.sum())
    if n == 0:
        return batch
    stats.reject(RejectReason.BAD_TIMESTAMP, name, count=n, detail="time out of range")
    stats.sources[name] -= n
    return batch.take(np.flatnonzero(~bad))


def drop_implausible(obs: Observations, stats: IngestStats, name: str) -> Observations:
    """``obs`` without the rows ``implausible_rows`` finds, each counted BAD_RECORD: applied by
    every ``Source`` to every decoded reader's output (row and columnar paths alike)."""
    bad = implausible_rows(obs)
    n = int(np.count_nonzero(bad))
    if n == 0:
        return obs
    stats.reject(RejectReason.BAD_RECORD, name, count=n, detail="value out of physical range")
    stats.sources[name] -= n
    return obs_take(obs, np.flatnonzero(~bad))


class ObsRows:
    """Append-only rows, converted to ``Observations`` by ``build``."""

    def __init__(self) -> None:
        self._parts: list[Observations] = []  # whole column chunks (trace documents)
        self._part_rows = 0
        self._reset()

    def _reset(self) -> None:
        self.t: list[float] = []
        self.icao: list[int] = []
        self.non_icao: list[bool] = []
        self.callsign: list[str] = []
        self.lat: list[float] = []
        self.lon: list[float] = []
        self.alt: list[float] = []
        self.geo: list[float] = []
        self.gs: list[float] = []
        self.track: list[float] = []
        self.vr: list[float] = []
        self.squawk: list[int] = []
        self.onground: list[int] = []
        self.kind: list[int] = []
        self.possrc: list[int] = []
        self.new_leg: list[bool] = []
        self.category: list[int] = []

    def __len__(self) -> int:
        return len(self.t) + self._part_rows

    def extend(self, obs: Observations) -> None:
        """Append already-built columns (kept in order after the rows added so far)."""
        if self.t:
            self._parts.append(self._build_rows(obs.source))
            self._part_rows += len(self.t)
            self._reset()
        self._parts.append(obs)
        self._part_rows += len(obs)

    def add(
        self,
        t: float,
        icao: int,
        *,
        non_icao: bool = False,
        callsign: str = "",
        lat: float = math.nan,
        lon: float = math.nan,
        alt: float = math.nan,
        geo: float = math.nan,
        gs: float = math.nan,
        track: float = math.nan,
        vr: float = math.nan,
        squawk: int = -1,
        onground: int = -1,
        kind: int = SourceKind.OTHER,
        possrc: int = PositionSource.UNKNOWN,
        new_leg: bool = False,
        category: int = -1,
    ) -> str:
        """Append one row; returns "" (a reason would name a row that cannot be a record; values
        outside physical ranges are refused for every reader alike by ``drop_implausible``)."""
        if math.isnan(lat) or math.isnan(lon) or abs(lat) > 90 or abs(lon) > 180:
            lat = lon = math.nan
            possrc = PositionSource.UNKNOWN
        self.t.append(t)
        self.icao.append(icao)
        self.non_icao.append(non_icao)
        self.callsign.append(callsign.strip()[:8])
        self.lat.append(lat)
        self.lon.append(lon)
        self.alt.append(alt)
        self.geo.append(geo)
        self.gs.append(gs)
        self.track.append(track)
        self.vr.append(vr)
        self.squawk.append(squawk)
        self.onground.append(onground)
        self.kind.append(int(kind))
        self.possrc.append(int(possrc))
        self.new_leg.append(new_leg)
        self.category.append(category)
        return ""

    def build(self, source: str) -> Observations:
        if not self._parts:
            return self._build_rows(source)
        parts = self._parts + ([self._build_rows(source)] if self.t else [])
        return obs_concat(parts, source)

    def _build_rows(self, source: str) -> Observations:
        f8 = np.float64
        return Observations(
            timestamp=np.array(self.t, dtype=f8),
            icao24=np.array(self.icao, dtype=np.uint32),
            non_icao=np.array(self.non_icao, dtype=np.bool_),
            callsign=np.array(self.callsign, dtype="<U8"),
            latitude=np.array(self.lat, dtype=f8),
            longitude=np.array(self.lon, dtype=f8),
            altitude=np.array(self.alt, dtype=f8),
            geoaltitude=np.array(self.geo, dtype=f8),
            groundspeed=np.array(self.gs, dtype=f8),
            track=np.array(self.track, dtype=f8),
            vertical_rate=np.array(self.vr, dtype=f8),
            squawk=np.array(self.squawk, dtype=np.int16),
            onground=np.array(self.onground, dtype=np.int8),
            kind=np.array(self.kind, dtype=np.uint8),
            position_source=np.array(self.possrc, dtype=np.uint8),
            new_leg=np.array(self.new_leg, dtype=np.bool_),
            category=np.array(self.category, dtype=np.int8),
            source=source,
        )


def obs_take(obs: Observations, index: npt.NDArray[Any]) -> Observations:
    """Rows ``index`` of ``obs`` (``Observations.take``: every column, the optional
    ``new_leg``/``position_error`` too when the batch has them)."""
    return obs.take(index)


def obs_concat(parts: list[Observations], source: str) -> Observations:
    """One ``Observations`` of ``parts`` in order, named ``source`` (``Observations.concat``)."""
    return replace(Observations.concat(parts), source=source)
