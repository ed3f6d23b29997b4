"""The question an investigation asks: which aircraft, where, when — from options or TOML.

A ``Question`` is plain data (no I/O): it round-trips through ``as_dict`` / ``from_dict`` so the
manifest can record it and ``verify --rerun`` can ask it again. ``load_toml`` reads the same
keys from a file (``[aircraft]``, ``[where]``, ``[when]`` tables or flat keys).
"""

from __future__ import annotations

import tomllib
from dataclasses import asdict, dataclass, field, fields
from datetime import datetime
from pathlib import Path
from typing import Any

from ..errors import SkywitnessError
from ..store.timeutil import iso_z, parse_time

#: Classifications a question may ask for (identify's labels).
CLASSES = ("military", "government", "police", "civil")


@dataclass(frozen=True)
class Sequence:
    """ "Seen in ``first``, then in ``then`` within ``hours``": places as airport codes,
    ISO 3166 alpha-2 country codes or GeoJSON file paths."""

    first: str
    then: str
    hours: float

    def describe(self) -> str:
        return f"seen in {self.first}, then in {self.then} within {self.hours:g} h"


@dataclass(frozen=True)
class Question:
    """Which aircraft (all lists OR-ed within, AND-ed across), where, when."""

    icao24: tuple[str, ...] = ()
    registration: tuple[str, ...] = ()
    callsign: tuple[str, ...] = ()  # globs, e.g. AFR*
    operator: str = ""  # substring of the operator name or its ICAO designator
    registry_country: tuple[str, ...] = ()  # ISO 3166 alpha-2 of the address block
    classes: tuple[str, ...] = ()  # military / government / police / civil
    watchlist: bool = False  # only aircraft on an imported watchlist
    airports: tuple[str, ...] = ()  # a flight departs from or arrives at one of these
    countries: tuple[str, ...] = ()  # ... or at an airport in one of these (alpha-2)
    geofences: tuple[str, ...] = ()  # ... or flies through one of these GeoJSON areas
    sequence: Sequence | None = None
    since: datetime | None = None
    until: datetime | None = None
    text: str = field(default="", compare=False)  # the question in the asker's words

    def __post_init__(self) -> None:
        bad = [c for c in self.classes if c not in CLASSES]
        if bad:
            raise SkywitnessError(f"unknown classification {bad[0]!r} (one of {CLASSES})")
        for cc in (*self.registry_country, *self.countries):
            if len(cc) != 2 or not cc.isalpha():
                raise SkywitnessError(f"not an ISO 3166 alpha-2 country code: {cc!r}")
        if self.since and self.until and self.until <= self.since:
            raise SkywitnessError("--until must be after --since")

    @property
    def places(self) -> tuple[str, ...]:
        """Every place the question names (for the coverage statement)."""
        seq = (self.sequence.first, self.sequence.then) if self.sequence else ()
        return tuple(dict.fromkeys((*self.airports, *self.countries, *self.geofences, *seq)))

    def as_dict(self) -> dict[str, Any]:
        """JSON-ready form (times as ISO 8601 Z)."""
        d = asdict(self)
        d["since"], d["until"] = iso_z(self.since) or None, iso_z(self.until) or None
        for k, v in d.items():
            if isinstance(v, tuple):
                d[k] = list(v)
        return d

    def describe(self) -> str:
        """The question restated in words, from its constraints."""
        who: list[str] = []
        if self.classes:
            who.append(" or ".join(self.classes))
        if self.registry_country:
            who.append("registered in " + "/".join(self.registry_country))
        if self.operator:
            who.append(f"operated by {self.operator}")
        if self.watchlist:
            who.append("on a watchlist")
        ids = [*self.icao24, *self.registration, *self.callsign]
        subject = "aircraft " + ", ".join(ids) if ids else "aircraft"
        parts = [" ".join([subject, *(f"({w})" for w in who)])]
        where = [*self.airports, *self.countries, *(Path(g).name for g in self.geofences)]
        if where:
            parts.append("flying from or to " + ", ".join(where))
        if self.sequence:
            parts.append(self.sequence.describe())
        if self.since or self.until:
            parts.append(f"between {iso_z(self.since) or '…'} and {iso_z(self.until) or '…'}")
        return "; ".join(parts)


def _tuple(value: Any, *, upper: bool = False, lower: bool = False) -> tuple[str, ...]:
    items = [value] if isinstance(value, str) else list(value or [])
    out = []
    for item in items:
        for part in str(item).split(","):
            p = part.strip()
            if p:
                out.append(p.upper() if upper else p.lower() if lower else p)
    return tuple(out)


def _time(value: Any, *, end: bool = False) -> datetime | None:
    if value is None or value == "":
        return None
    try:
        return parse_time(value, end=end)
    except ValueError as exc:
        raise SkywitnessError(str(exc)) from exc


def parse_sequence(value: Any) -> Sequence | None:
    """A sequence from ``"A,B,HOURS"`` text or a mapping ``{first, then, hours}``."""
    if value is None or value == "" or value == {}:
        return None
    if isinstance(value, dict):
        first, then, hours = value.get("first"), value.get("then"), value.get("hours")
    else:
        parts = [p.strip() for p in str(value).split(",")]
        if len(parts) != 3:
            raise SkywitnessError(f"a sequence is PLACE_A,PLACE_B,HOURS, not {value!r}")
        first, then, hours = parts
    try:
        h = float(hours)  # type: ignore[arg-type]
    except (TypeError, ValueError) as exc:
        raise SkywitnessError(f"sequence hours must be a number, not {hours!r}") from exc
    if not first or not then or h <= 0:
        raise SkywitnessError("a sequence needs two places and hours > 0")
    return Sequence(str(first), str(then), h)


def from_dict(d: dict[str, Any]) -> Question:
    """A question from plain values (TOML tables flattened, or ``as_dict`` output)."""
    flat: dict[str, Any] = {}
    for k, v in d.items():
        if k in ("aircraft", "where", "when") and isinstance(v, dict):
            flat.update(v)
        else:
            flat[k] = v
    known = {f.name for f in fields(Question)} | {"military", "government"}
    unknown = sorted(set(flat) - known)
    if unknown:
        raise SkywitnessError(f"unknown question key(s): {', '.join(unknown)}")
    classes = list(_tuple(flat.get("classes"), lower=True))
    classes += [c for c in ("military", "government") if flat.get(c)]
    return Question(
        icao24=_tuple(flat.get("icao24"), lower=True),
        registration=_tuple(flat.get("registration"), upper=True),
        callsign=_tuple(flat.get("callsign"), upper=True),
        operator=str(flat.get("operator") or ""),
        registry_country=_tuple(flat.get("registry_country"), upper=True),
        classes=tuple(dict.fromkeys(classes)),
        watchlist=bool(flat.get("watchlist", False)),
        airports=_tuple(flat.get("airports"), upper=True),
        countries=_tuple(flat.get("countries"), upper=True),
        geofences=_tuple(flat.get("geofences")),
        sequence=parse_sequence(flat.get("sequence")),
        since=_time(flat.get("since")),
        until=_time(flat.get("until"), end=True),
        text=str(flat.get("text") or ""),
    )


def load_toml(path: str | Path) -> Question:
    """A question from a TOML file; SkywitnessError naming the file when it cannot be read."""
    p = Path(path)
    try:
        doc = tomllib.loads(p.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise SkywitnessError(f"cannot read question file {p}: {exc}") from exc
    try:
        return from_dict(doc)
    except SkywitnessError as exc:
        raise SkywitnessError(f"{p}: {exc}") from exc
