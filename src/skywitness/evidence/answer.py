"""The answer in plain language: each flight's departure, arrival and gaps, observed or estimated.

Pure functions over a ``query.Result``: the one-paragraph answer (uncertainty stated), the
rows of the flights table (terminal and report), and the longest coverage gap of each flight.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from ..flights.segment import AIR_GAP_S
from ..timeutil import from_unix, short_z
from .coverage import PlaceCoverage
from .places import Outlines, airport_label
from .positions_text import mlat_text
from .query import Match, Result

#: Rough ocean boxes (min_lon, min_lat, max_lon, max_lat), degrees, to name where a gap lay
#: when its midpoint is on no country outline.
OCEANS = (
    ("the North Atlantic", (-80.0, 0.0, 0.0, 70.0)),
    ("the South Atlantic", (-70.0, -60.0, 20.0, 0.0)),
    ("the Indian Ocean", (20.0, -60.0, 120.0, 25.0)),
    ("the Pacific", (120.0, -60.0, 180.0, 65.0)),
    ("the Pacific", (-180.0, -60.0, -80.0, 65.0)),
)


@dataclass(frozen=True)
class Gap:
    """The longest silence of a flight: last position before it, first after, seconds."""

    start: datetime
    end: datetime
    lat0: float
    lon0: float
    lat1: float
    lon1: float

    @property
    def seconds(self) -> float:
        return (self.end - self.start).total_seconds()


def hhmm(moment: datetime | None) -> str:
    return short_z(moment, "minute") if moment else "—"


def day_time(moment: datetime | None) -> str:
    return short_z(moment, "date-minute") if moment else "—"


def duration(seconds: float) -> str:
    minutes = round(seconds / 60)
    return f"{minutes // 60} h {minutes % 60} min" if minutes >= 60 else f"{minutes} min"


def _deg(lat: float, lon: float) -> str:
    return f"{abs(lat):.1f}°{'N' if lat >= 0 else 'S'} {abs(lon):.1f}°{'E' if lon >= 0 else 'W'}"


def longest_gap(positions: pa.Table, flight: dict[str, Any]) -> Gap | None:
    """The flight's longest interval between positions, when longer than AIR_GAP_S."""
    t = positions.filter(
        pc.and_(
            pc.equal(positions.column("icao24"), str(flight["icao24"])),
            pc.is_valid(positions.column("latitude")),
        )
    )
    if t.num_rows < 2:
        return None
    ts = t.column("timestamp").cast(pa.timestamp("ms")).to_numpy().astype(np.int64) / 1000.0
    dt = np.diff(ts)
    i = int(np.argmax(dt))
    if dt[i] <= AIR_GAP_S:
        return None
    lat = t.column("latitude").to_numpy()
    lon = t.column("longitude").to_numpy()
    return Gap(
        from_unix(float(ts[i])),
        from_unix(float(ts[i + 1])),
        float(lat[i]),
        float(lon[i]),
        float(lat[i + 1]),
        float(lon[i + 1]),
    )


def gap_region(gap: Gap, outlines: Outlines) -> str:
    """ "over the North Atlantic" etc. when the gap's midpoint is on no country outline
    ("" when it is on land, or when no outlines were given)."""
    lat, lon = (gap.lat0 + gap.lat1) / 2, (gap.lon0 + gap.lon1) / 2
    if not outlines.countries or outlines.on_land(lat, lon):
        return ""
    for name, (x0, y0, x1, y1) in OCEANS:
        if x0 <= lon <= x1 and y0 <= lat <= y1:
            return f" over {name}"
    return " over open water"


def aircraft_label(m: Match) -> str:
    i, f = m.identity, m.flight
    parts = [str(f["icao24"])]
    if i.registration:
        parts.append(i.registration)
    if f.get("callsign"):
        parts.append(str(f["callsign"]))
    return " ".join(parts)


def departure_text(f: dict[str, Any]) -> str:
    where = airport_label(str(f.get("estDepartureAirport") or "")) or "an unknown airport"
    if f.get("takeoff_time") is not None and f.get("departure_observed"):
        return f"left {where} at {day_time(f['takeoff_time'])}, observed"
    return f"first seen {day_time(f['firstSeen'])}, departure from {where} estimated"


def arrival_text(f: dict[str, Any]) -> str:
    code = str(f.get("estArrivalAirport") or "")
    where = airport_label(code) or "an unknown airport"
    if f.get("landing_time") is not None and f.get("arrival_observed"):
        return f"landed at {where} at {day_time(f['landing_time'])}, observed"
    if f.get("arrival_window_start") is not None:
        return (
            f"arrived {where} between {day_time(f['arrival_window_start'])} and "
            f"{hhmm(f['arrival_window_end'])}, estimated"
        )
    if code:
        return f"last seen {day_time(f['lastSeen'])}, arrival at {where} estimated"
    return f"last seen {day_time(f['lastSeen'])}, arrival airport unknown"


def gap_text(f: dict[str, Any], gap: Gap | None, outlines: Outlines) -> str:
    n = int(f.get("gaps_bridged") or 0)
    if gap is None and not n:
        return "no coverage gap"
    if gap is None:
        return (
            f"out of coverage for {duration(float(f['longest_gap_s'] or 0))} ({n} gap(s) bridged)"
        )
    return (
        f"out of coverage{gap_region(gap, outlines)} for {duration(gap.seconds)}, from "
        f"{hhmm(gap.start)} at {_deg(gap.lat0, gap.lon0)} to {hhmm(gap.end)} at "
        f"{_deg(gap.lat1, gap.lon1)}: the track there is estimated ({n} gap(s) bridged)"
    )


def describe(m: Match, positions: pa.Table, outlines: Outlines) -> str:
    """One flight in one sentence, observed and estimated parts named."""
    i = m.identity
    who = f"{aircraft_label(m)} ({i.classification}"
    who += f", registered in {i.country}" if i.country else ""
    who += f", {i.operator}" if i.operator else ""
    f = m.flight
    gap = longest_gap(positions, f)
    how = mlat_text(positions, f)
    return f"{who}) {departure_text(f)}; {arrival_text(f)}; {gap_text(f, gap, outlines)}{how}."


def paragraph(result: Result, coverage: list[PlaceCoverage]) -> str:
    """The answer in one paragraph; for no match, what could have been seen."""
    n = len(result.matches)
    if n == 0:
        cov = " ".join(c.sentence() for c in coverage)
        return (
            f"No flight matches the question ({result.candidates} flight(s) in the store "
            f"overlap the time asked). Coverage: {cov}"
        )
    aircraft = len({m.flight["icao24"] for m in result.matches})
    head = f"{n} flight{'s' if n != 1 else ''} of {aircraft} aircraft match. "
    return head + " ".join(describe(m, result.positions, result.outlines) for m in result.matches)


def flight_rows(result: Result) -> list[dict[str, str]]:
    """The flights table: aircraft, departure, arrival, how each end is known, gaps."""
    rows = []
    for m in result.matches:
        f = m.flight
        dep_t = f.get("takeoff_time") or f["firstSeen"]
        if f.get("landing_time") is not None:
            arr_t = day_time(f["landing_time"])
        elif f.get("arrival_window_start") is not None:
            arr_t = f"{day_time(f['arrival_window_start'])}–{hhmm(f['arrival_window_end'])}"
        else:
            arr_t = f"last seen {day_time(f['lastSeen'])}"
        dep_how = "observed" if f.get("departure_observed") else "estimated"
        arr_how = "observed" if f.get("arrival_observed") else "estimated"
        gap_s = float(f.get("longest_gap_s") or 0)
        n = int(f.get("gaps_bridged") or 0)
        rows.append(
            {
                "aircraft": f"{aircraft_label(m)} ({m.identity.classification})",
                "departure": f"{f.get('estDepartureAirport') or '?'} {day_time(dep_t)}",
                "arrival": f"{f.get('estArrivalAirport') or '?'} {arr_t}",
                "how": f"dep {dep_how}, arr {arr_how}",
                "gaps": f"{n} ({duration(gap_s)} longest)" if n else "0",
            }
        )
    return rows
