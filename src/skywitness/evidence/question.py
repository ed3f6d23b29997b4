"""The question an investigation asks: which flights (the filters of docs/filters.md, shared
with ``flights`` and ``/api/flights``), through which areas and in which order.

A ``Question`` is plain data (no I/O): it round-trips through ``as_dict`` / ``from_dict`` so the
manifest can record it and ``verify --rerun`` can ask it again. ``load_toml`` reads the same
keys from a file (``[aircraft]``, ``[where]``, ``[when]`` tables or flat keys); a ``[claim]``
table (``skywitness check``: how a sentence was read) is skipped.
"""

from __future__ import annotations

import tomllib
from dataclasses import asdict, dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from .. import bounded
from ..errors import SkywitnessError
from ..flights.query import BY_KEY, FlightQuery, build_query, query_dict
from ..store.flightdb import values
from ..timeutil import iso_z

#: Old question keys (manifests and TOML files written before docs/filters.md) -> keys now.
OLD_KEYS = {"classes": "class", "airports": "via", "countries": "via_country"}


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
    """Which flights (the filters of docs/filters.md), through which areas, in which order."""

    query: FlightQuery = field(default_factory=FlightQuery)
    geofences: tuple[str, ...] = ()  # flies through one of these GeoJSON areas
    sequence: Sequence | None = None
    text: str = field(default="", compare=False)  # the question in the asker's words

    @property
    def since(self) -> datetime | None:
        return self.query.flights.since

    @property
    def until(self) -> datetime | None:
        return self.query.flights.until

    @property
    def places(self) -> tuple[str, ...]:
        """Every place the question names (for the coverage statement)."""
        f = self.query.flights
        named = [
            *values(f.origin),
            *values(f.destination),
            *values(f.via),
            *values(f.origin_country),
            *values(f.destination_country),
            *values(f.via_country),
            *self.geofences,
        ]
        if self.sequence:
            named += [self.sequence.first, self.sequence.then]
        return tuple(dict.fromkeys(named))

    def as_dict(self) -> dict[str, Any]:
        """JSON-ready form (filters by their docs/filters.md keys, times as ISO 8601 Z)."""
        d: dict[str, Any] = query_dict(self.query)
        d["geofences"] = list(self.geofences)
        d["sequence"] = asdict(self.sequence) if self.sequence else None
        d["text"] = self.text
        return d

    def describe(self) -> str:
        """The question restated in words, from its constraints."""
        d = query_dict(self.query)
        who: list[str] = []
        if d.get("class"):
            who.append(" or ".join(d["class"]))
        if d.get("registry_country"):
            who.append("registered in " + "/".join(d["registry_country"]))
        if d.get("operator"):
            who.append("operated by " + " or ".join(d["operator"]))
        if d.get("type"):
            who.append("of type " + "/".join(d["type"]))
        if d.get("watchlist"):
            lists = [w for w in d["watchlist"] if w != "*"]
            who.append("on watchlist " + "/".join(lists) if lists else "on a watchlist")
        ids = [*d.get("icao24", ()), *d.get("registration", ()), *d.get("callsign", ())]
        subject = "aircraft " + ", ".join(ids) if ids else "aircraft"
        parts = [" ".join([subject, *(f"({w})" for w in who)])]
        for key, words in _PLACE_WORDS:
            if d.get(key):
                parts.append(f"{words} " + ", ".join(d[key]))
        if self.geofences:
            parts.append("through " + ", ".join(Path(g).name for g in self.geofences))
        if self.sequence:
            parts.append(self.sequence.describe())
        if self.since or self.until:
            parts.append(f"between {iso_z(self.since) or '…'} and {iso_z(self.until) or '…'}")
        if d.get("min_confidence") is not None:
            parts.append(f"confidence at least {d['min_confidence']:g}")
        return "; ".join(parts)


_PLACE_WORDS = (
    ("from", "from"),
    ("from_country", "from"),
    ("to", "to"),
    ("to_country", "to"),
    ("via", "flying from or to"),
    ("via_country", "flying from or to"),
)


def _tuple(value: Any) -> tuple[str, ...]:
    if value is not None and not isinstance(value, str | list | tuple):
        raise SkywitnessError(f"expected a text or a list of texts, got {value!r}")
    items = [value] if isinstance(value, str) else list(value or [])
    return tuple(p.strip() for item in items for p in str(item).split(",") if p.strip())


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
    """A question from plain values (TOML tables flattened, or ``as_dict`` output); filter
    keys are those of docs/filters.md (old keys: ``OLD_KEYS``)."""
    flat: dict[str, Any] = {}
    for k, v in d.items():
        if k == "claim":  # how `check` read a sentence (docs/claims.md): not a filter
            continue
        if k in ("aircraft", "where", "when") and isinstance(v, dict):
            flat.update(v)
        else:
            flat[k] = v
    filters: dict[str, Any] = {}
    for k, v in flat.items():
        key = OLD_KEYS.get(k, k)
        if key in BY_KEY and BY_KEY[key].kind == "list" and key in filters:
            v = [*_tuple(filters[key]), *_tuple(v)]
        if key in BY_KEY:
            filters[key] = v
    unknown = sorted(set(flat) - set(BY_KEY) - set(OLD_KEYS) - {"geofences", "sequence", "text"})
    if unknown:
        raise SkywitnessError(f"unknown question key(s): {', '.join(unknown)}")
    return Question(
        query=build_query(filters),
        geofences=_tuple(flat.get("geofences")),
        sequence=parse_sequence(flat.get("sequence")),
        text=str(flat.get("text") or ""),
    )


def load_toml(path: str | Path) -> Question:
    """A question from a TOML file; SkywitnessError naming the file when it cannot be read."""
    p = Path(path)
    try:
        doc = bounded.parse(tomllib.loads, bounded.read_text(p, bounded.MAX_CONFIG_BYTES))
    except (OSError, ValueError) as exc:  # TOMLDecodeError, UnicodeDecodeError: ValueErrors
        raise SkywitnessError(f"cannot read question file {p}: {exc}") from exc
    try:
        return from_dict(doc)
    except SkywitnessError as exc:
        raise SkywitnessError(f"{p}: {exc}") from exc
