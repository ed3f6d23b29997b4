"""Scenario files: the aircraft, their routes and the receivers of a simulation, read from TOML.

A scenario is plain data, validated once when loaded; every problem is a ``ConfigError`` naming
the file, the line and the field. Airports come from the ``airportsdata`` package (position,
elevation). Everything a scenario produces carries its ``label``, which always starts with
"simulated" so simulated traffic can never pass for real.

Shape (``scenarios/caracas.toml`` is a full example)::

    name = "example"
    start = 2019-09-20T04:00:00Z   # scenario clock origin (UTC)
    seed = 1                       # optional: jitter, loss and noise are repeatable

    [[receivers]]
    name = "moscow"
    lat = 55.75
    lon = 37.62
    radius_nm = 250
    altitude_ft = 800              # optional: antenna height above sea level (line of sight)
    noise_db = 1.0                 # optional: signal level jitter, dB (1 sigma)
    loss = 0.02                    # optional: fraction of frames not heard

    [[aircraft]]
    icao24 = "1551e0"
    registration = "RA-86496"
    type = "IL62"
    callsign = "RSD370"
    operator = "Russian Federation Air Force"   # optional
    category = "A5"                # optional: ADS-B emitter category A0..A7 (default A3)
    squawk = "1000"                # optional
    cruise_altitude_ft = 35000
    cruise_speed_kt = 460
    route = [
        { airport = "UUWW", depart = 2019-09-20T05:10:00Z },  # off-block time (UTC)
        { airport = "SVMI", ground_min = 90 },                # leaves 90 min after arriving
        { airport = "UUWW" },
    ]
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass
from datetime import datetime
from functools import cache
from pathlib import Path
from typing import Any, NoReturn

import airportsdata

from .. import bounded
from ..errors import ConfigError
from ..timeutil import parse_iso
from ..tomllines import KeyLines
from .flightpath import Airport, FlightPlan, PlanError, Stop, plan_flight

LABEL = "simulated"
#: Squawk sent when a scenario gives none (ICAO conspicuity code used across Europe).
DEFAULT_SQUAWK = "1000"
DEFAULT_CATEGORY = "A3"
DEFAULT_ANTENNA_FT = 100.0
#: Highest altitude the 25-ft (Q-bit) code carries.
MAX_ALTITUDE_FT = 50_000.0
MIN_CRUISE_SPEED_KT = 100.0
#: Subsonic velocity fields carry at most 1,022 kt per component; airliners stay well below.
MAX_CRUISE_SPEED_KT = 650.0
MAX_RADIUS_NM = 500.0

_CALLSIGN_RE = re.compile(r"^[A-Z0-9]{1,8}$")
_ICAO_RE = re.compile(r"^[0-9a-fA-F]{6}$")
_SQUAWK_RE = re.compile(r"^[0-7]{4}$")
_CATEGORY_RE = re.compile(r"^A[0-7]$")
_TOML_LINE_RE = re.compile(r"at line (\d+)")


@dataclass(frozen=True, slots=True)
class AircraftSpec:
    icao24: int
    registration: str
    type: str
    callsign: str
    operator: str
    category: str  # ADS-B emitter category "A0".."A7" (A3 large, A5 heavy)
    squawk: str  # 4 octal digits
    cruise_altitude_ft: float
    cruise_speed_kt: float  # ground speed in cruise (no wind is modelled)
    route: tuple[Stop, ...]
    plan: FlightPlan  # the legs and phases flown (built and checked when loaded)


@dataclass(frozen=True, slots=True)
class Receiver:
    name: str
    lat: float  # deg
    lon: float  # deg
    radius_nm: float
    altitude_ft: float = DEFAULT_ANTENNA_FT  # antenna height above sea level
    noise_db: float = 0.0  # signal jitter, 1 sigma
    loss: float = 0.0  # fraction of frames not heard


@dataclass(frozen=True, slots=True)
class Scenario:
    name: str
    description: str
    label: str
    start: float  # unix s UTC: time zero of the receivers' 12 MHz counters
    seed: int
    aircraft: tuple[AircraftSpec, ...]
    receivers: tuple[Receiver, ...]
    source: str = ""  # where it was loaded from

    @property
    def end(self) -> float:
        """Unix s when the last transponder goes off."""
        return max(leg.end for a in self.aircraft for leg in a.plan.legs)


@cache
def _airports() -> dict[str, Any]:
    """The airportsdata table, read on first use (it takes a moment), never at import."""
    table: dict[str, Any] = airportsdata.load("ICAO")
    return table


def airport(code: str) -> Airport | None:
    """The airport with this ICAO code, or None when airportsdata does not know it."""
    row = _airports().get(code.upper())
    if row is None:
        return None
    return Airport(
        icao=str(row["icao"]),
        name=str(row["name"]),
        lat=float(row["lat"]),
        lon=float(row["lon"]),
        elevation_ft=float(row["elevation"]),
    )


class _Reader:
    """Validates one parsed TOML document, raising ConfigError with file, line and field."""

    def __init__(self, source: str, text: str) -> None:
        self.source = source
        self.loc = KeyLines(text)

    def fail(self, table: str | None, index: int, key: str, message: str, nth: int = 0) -> NoReturn:
        line = self.loc.line(table, index, key, nth)
        field = key if table is None else f"{table}[{index}].{key}"
        raise ConfigError(f"{self.source}, line {line}: {field}: {message}")

    def get(
        self,
        d: dict[str, Any],
        table: str | None,
        index: int,
        key: str,
        kind: type | tuple[type, ...],
        default: Any = ...,
    ) -> Any:
        if key not in d:
            if default is ...:
                self.fail(table, index, key, "missing")
            return default
        value = d[key]
        # bool is an int in Python, but never a valid number here
        if isinstance(value, bool) and bool not in (kind if isinstance(kind, tuple) else (kind,)):
            self.fail(table, index, key, f"expected {_kind_name(kind)}, got {value!r}")
        if not isinstance(value, kind):
            self.fail(table, index, key, f"expected {_kind_name(kind)}, got {value!r}")
        return value

    def number(
        self,
        d: dict[str, Any],
        table: str | None,
        index: int,
        key: str,
        lo: float,
        hi: float,
        default: Any = ...,
    ) -> float:
        value = float(self.get(d, table, index, key, (int, float), default))
        if not lo <= value <= hi:
            self.fail(table, index, key, f"{value:g} is outside {lo:g}..{hi:g}")
        return value

    def time(self, value: Any, table: str | None, index: int, key: str, nth: int = 0) -> float:
        if isinstance(value, str):
            try:
                value = parse_iso(value)
            except ValueError:
                self.fail(table, index, key, f"not an ISO 8601 time: {value!r}", nth)
        if not isinstance(value, datetime):
            self.fail(table, index, key, f"expected a UTC date-time, got {value!r}", nth)
        if value.tzinfo is None:
            self.fail(table, index, key, "give a UTC offset or Z", nth)
        return value.timestamp()


def _kind_name(kind: type | tuple[type, ...]) -> str:
    kinds = kind if isinstance(kind, tuple) else (kind,)
    names = {int: "a number", float: "a number", str: "text", list: "a list", dict: "a table"}
    return " or ".join(sorted({names.get(k, k.__name__) for k in kinds}))


def _receiver(r: _Reader, d: Any, i: int) -> Receiver:
    t = "receivers"
    if not isinstance(d, dict):
        r.fail(t, i, "name", "each receiver must be a table")
    name = r.get(d, t, i, "name", str).strip()
    if not name:
        r.fail(t, i, "name", "empty")
    return Receiver(
        name=name,
        lat=r.number(d, t, i, "lat", -90.0, 90.0),
        lon=r.number(d, t, i, "lon", -180.0, 180.0),
        radius_nm=r.number(d, t, i, "radius_nm", 1.0, MAX_RADIUS_NM),
        altitude_ft=r.number(d, t, i, "altitude_ft", 0.0, 30_000.0, DEFAULT_ANTENNA_FT),
        noise_db=r.number(d, t, i, "noise_db", 0.0, 20.0, 0.0),
        loss=r.number(d, t, i, "loss", 0.0, 0.95, 0.0),
    )


def _stop(r: _Reader, d: Any, i: int, k: int, last: bool, nth_depart: int) -> Stop:
    t = "aircraft"
    if not isinstance(d, dict):
        r.fail(t, i, "route", f'stop {k + 1} must be a table like {{ airport = "UUWW" }}')
    code = d.get("airport")
    if not isinstance(code, str):
        r.fail(t, i, "route", f'stop {k + 1} needs airport = "ICAO"')
    ap = airport(code)
    if ap is None:
        r.fail(t, i, "airport", f"unknown airport {code!r} (not in airportsdata)", k)
    unknown = set(d) - {"airport", "depart", "ground_min"}
    if unknown:
        r.fail(t, i, "airport", f"stop {k + 1}: unknown keys {sorted(unknown)}", k)
    has_dep, has_ground = "depart" in d, "ground_min" in d
    if last and (has_dep or has_ground):
        r.fail(t, i, "airport", f"the last stop ({code}) cannot have a departure", k)
    if has_dep and has_ground:
        r.fail(t, i, "airport", f"stop {k + 1}: give depart or ground_min, not both", k)
    if k == 0 and not has_dep:
        r.fail(t, i, "airport", "the first stop needs depart = <UTC date-time>", k)
    if not last and not (has_dep or has_ground):
        r.fail(t, i, "airport", f"stop {k + 1} ({code}) needs depart or ground_min", k)
    depart = r.time(d["depart"], t, i, "depart", nth_depart) if has_dep else None
    ground = None
    if has_ground:
        g = d["ground_min"]
        if isinstance(g, bool) or not isinstance(g, (int, float)) or not 1 <= g <= 10_000:
            r.fail(t, i, "airport", f"stop {k + 1}: ground_min must be 1..10000, got {g!r}", k)
        ground = float(g) * 60.0
    return Stop(airport=ap, depart=depart, ground_s=ground)


def _aircraft(r: _Reader, d: Any, i: int) -> AircraftSpec:
    t = "aircraft"
    if not isinstance(d, dict):
        r.fail(t, i, "icao24", "each aircraft must be a table")
    icao = r.get(d, t, i, "icao24", str)
    if not _ICAO_RE.match(icao) or int(icao, 16) == 0:
        r.fail(t, i, "icao24", f"expected 6 hex digits, got {icao!r}")
    callsign = r.get(d, t, i, "callsign", str).strip().upper()
    if not _CALLSIGN_RE.match(callsign):
        r.fail(t, i, "callsign", f"expected 1-8 letters/digits, got {callsign!r}")
    squawk = r.get(d, t, i, "squawk", str, DEFAULT_SQUAWK)
    if not _SQUAWK_RE.match(squawk):
        r.fail(t, i, "squawk", f"expected 4 octal digits, got {squawk!r}")
    category = r.get(d, t, i, "category", str, DEFAULT_CATEGORY).upper()
    if not _CATEGORY_RE.match(category):
        r.fail(t, i, "category", f"expected A0..A7, got {category!r}")
    route_raw = r.get(d, t, i, "route", list)
    if len(route_raw) < 2:
        r.fail(t, i, "route", "a route needs at least two airports")
    stops: list[Stop] = []
    for k, s in enumerate(route_raw):
        nth = sum(1 for e in route_raw[:k] if isinstance(e, dict) and "depart" in e)
        stops.append(_stop(r, s, i, k, last=k == len(route_raw) - 1, nth_depart=nth))
    route = tuple(stops)
    for k in range(1, len(route)):
        if route[k].airport.icao == route[k - 1].airport.icao:
            r.fail(t, i, "airport", f"stop {k + 1} repeats {route[k].airport.icao}", k)
    altitude = r.number(d, t, i, "cruise_altitude_ft", 1_000.0, MAX_ALTITUDE_FT)
    speed = r.number(d, t, i, "cruise_speed_kt", MIN_CRUISE_SPEED_KT, MAX_CRUISE_SPEED_KT)
    try:
        plan = plan_flight(route, altitude, speed)
    except PlanError as exc:
        r.fail(t, i, "airport", f"stop {exc.stop + 1}: {exc}", exc.stop)
    return AircraftSpec(
        icao24=int(icao, 16),
        registration=r.get(d, t, i, "registration", str).strip(),
        type=r.get(d, t, i, "type", str).strip().upper(),
        callsign=callsign,
        operator=r.get(d, t, i, "operator", str, "").strip(),
        category=category,
        squawk=squawk,
        cruise_altitude_ft=altitude,
        cruise_speed_kt=speed,
        route=route,
        plan=plan,
    )


def parse_scenario(text: str, source: str = "<scenario>") -> Scenario:
    """Validate a scenario's TOML text (ConfigError names file, line and field)."""
    try:
        doc = bounded.parse(tomllib.loads, text)
    except tomllib.TOMLDecodeError as exc:
        m = _TOML_LINE_RE.search(str(exc))
        where = f"{source}, line {m.group(1)}" if m else source
        raise ConfigError(f"{where}: not valid TOML ({exc})") from exc
    except ValueError as exc:  # nested too deep
        raise ConfigError(f"{source}: not valid TOML ({exc})") from exc
    r = _Reader(source, text)
    known = {"name", "description", "label", "start", "seed", "aircraft", "receivers"}
    for key in doc:
        if key not in known:
            r.fail(None, 0, key, f"unknown key (expected one of {sorted(known)})")
    label = r.get(doc, None, 0, "label", str, LABEL)
    if not label.startswith(LABEL):
        r.fail(None, 0, "label", f"must start with {LABEL!r}: simulated traffic says so")
    if "start" not in doc:
        r.fail(None, 0, "start", "missing (UTC date-time, e.g. 2019-09-20T04:00:00Z)")
    start = r.time(doc["start"], None, 0, "start")
    seed = r.get(doc, None, 0, "seed", int, 0)
    receivers_raw = r.get(doc, None, 0, "receivers", list)
    aircraft_raw = r.get(doc, None, 0, "aircraft", list)
    if not receivers_raw:
        r.fail(None, 0, "receivers", "at least one receiver is needed")
    if not aircraft_raw:
        r.fail(None, 0, "aircraft", "at least one aircraft is needed")
    receivers = tuple(_receiver(r, d, i) for i, d in enumerate(receivers_raw))
    aircraft = tuple(_aircraft(r, d, i) for i, d in enumerate(aircraft_raw))
    names = [x.name for x in receivers]
    for i, name in enumerate(names):
        if name in names[:i]:
            r.fail("receivers", i, "name", f"{name!r} is also receivers[{names.index(name)}]")
    seen: dict[int, int] = {}
    for i, a in enumerate(aircraft):
        if a.icao24 in seen:
            r.fail("aircraft", i, "icao24", f"{a.icao24:06x} is also aircraft[{seen[a.icao24]}]")
        seen[a.icao24] = i
        if a.plan.legs[0].start < start:
            r.fail("aircraft", i, "depart", "the transponder would start before the scenario")
    return Scenario(
        name=r.get(doc, None, 0, "name", str, Path(source).stem),
        description=r.get(doc, None, 0, "description", str, ""),
        label=label,
        start=start,
        seed=seed,
        aircraft=aircraft,
        receivers=receivers,
        source=source,
    )


def load_scenario(path: str | Path) -> Scenario:
    """Read and validate a scenario file."""
    p = Path(path)
    try:
        text = p.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{p}: cannot read scenario ({exc})") from exc
    return parse_scenario(text, str(p))
