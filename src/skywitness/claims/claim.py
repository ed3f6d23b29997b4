"""A claim as read from a sentence: who, did what, where, when — and the question it asks.

``Claim.question()`` is the investigation ``Question`` (``evidence.question``): the aircraft
constraints, every place of the claim (OR-ed) and the window to search. What a question cannot
say — the action, each place's role (from / to / at), the claimed window of the event itself and
the number of aircraft — is kept in the ``[claim]`` table of the TOML (``to_toml``), which
``investigate`` skips and ``check`` reads back (``from_toml``), so an edited file keeps both.
"""

from __future__ import annotations

import json
import tomllib
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime, time, timedelta, tzinfo
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from .. import bounded
from ..errors import SkywitnessError
from ..evidence.question import Question, from_dict
from ..flights.query import query_dict
from ..timeutil import iso_day, iso_z, parse_day
from .lexicon import ACTIONS, AREA, AT, DESTINATION, ORIGIN, WAS_AT

#: "was at" on a day: flights to or from the place in this many days before it are asked for
#: (an aircraft is at an airport from its arrival until its next departure).
STAY_LOOKBACK_DAYS = 7


@dataclass(frozen=True)
class Who:
    registry_country: tuple[str, ...] = ()
    operator: str = ""
    classes: tuple[str, ...] = ()
    types: tuple[str, ...] = ()
    registration: tuple[str, ...] = ()
    callsign: tuple[str, ...] = ()
    icao24: tuple[str, ...] = ()

    def empty(self) -> bool:
        return not any(getattr(self, f) for f in self.__dataclass_fields__)


@dataclass(frozen=True)
class Claim:
    """What the sentence says, each part resolved to codes; ``notes``: every choice made."""

    sentence: str
    published: date
    who: Who = field(default_factory=Who)
    count: int | None = None  # aircraft claimed ("two planes"): None when not said
    action: str = "flew"
    origin: tuple[str, ...] = ()  # airports (ICAO) or countries (alpha-2) it left
    destination: tuple[str, ...] = ()  # ... it went to
    at: tuple[str, ...] = ()  # ... it was at (either end of a flight, or staying)
    over: tuple[str, ...] = ()  # areas it flew through: countries' outlines, airports' 30 nm
    first_day: date | None = None  # the claimed event's window, whole UTC days
    last_day: date | None = None
    notes: tuple[str, ...] = ()
    language: str = "en"
    tz: str = "UTC"  # the time zone the days are local to (IANA name)

    def __post_init__(self) -> None:
        if self.action not in ACTIONS:
            raise SkywitnessError(f"unknown action {self.action!r} (one of {ACTIONS})")
        zone(self.tz)

    def event_window(self) -> tuple[datetime, datetime] | None:
        """The claimed days as UTC times: local midnight of the first day to local midnight
        after the last."""
        if self.first_day is None or self.last_day is None:
            return None
        z = zone(self.tz)
        lo = datetime.combine(self.first_day, time(), z).astimezone(UTC)
        hi = datetime.combine(self.last_day + timedelta(days=1), time(), z).astimezone(UTC)
        return lo, hi

    @property
    def places(self) -> tuple[str, ...]:
        """The airports and countries where a flight starts, ends or stays (not the areas)."""
        return tuple(dict.fromkeys((*self.origin, *self.destination, *self.at)))

    def roles(self) -> dict[str, tuple[str, ...]]:
        return {ORIGIN: self.origin, DESTINATION: self.destination, AT: self.at, AREA: self.over}

    def search_window(self) -> tuple[datetime | None, datetime | None]:
        """The times to search: the claimed window, or for "was at" the days before it too."""
        win = self.event_window()
        if win is None:
            return None, None
        if self.action == WAS_AT:
            return win[0] - timedelta(days=STAY_LOOKBACK_DAYS), win[1]
        return win

    def filters(self) -> dict[str, list[str]]:
        """The claim as the filters of docs/filters.md (the question's keys), empty ones out:
        who, and each place by its role (an airport or a country)."""
        w = self.who

        def split(places: tuple[str, ...], key: str) -> list[tuple[str, list[str]]]:
            return [
                (key, [p for p in places if len(p) != 2]),
                (f"{key}_country", [p for p in places if len(p) == 2]),
            ]

        pairs: list[tuple[str, list[str]]] = [
            ("registry_country", list(w.registry_country)),
            ("operator", [w.operator] if w.operator else []),
            ("class", list(w.classes)),
            ("type", list(w.types)),
            ("registration", list(w.registration)),
            ("callsign", list(w.callsign)),
            ("icao24", list(w.icao24)),
            *split(self.origin, "from"),
            *split(self.destination, "to"),
            *split(self.at, "via"),
        ]
        return {k: v for k, v in pairs if v}

    def question(self) -> Question:
        since, until = self.search_window()
        return from_dict(
            {
                "text": self.sentence,
                **self.filters(),
                "geofences": list(self.over),
                "since": since,
                "until": until,
            }
        )


#: Largest count a claim may state ("1,000 flights" is plausible; 1e400 is not a count).
MAX_CLAIM_COUNT = 1_000_000

#: Question keys by TOML table (the rest of docs/filters.md's keys go flat at the top).
_WHO_KEYS = ("registry_country", "operator", "class", "type", "registration", "callsign", "icao24")


def zone(name: str) -> tzinfo:
    """An IANA time zone; SkywitnessError naming it when unknown."""
    if name == "UTC":
        return UTC
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError, OSError) as exc:  # OSError: a name too long
        raise SkywitnessError(f"unknown time zone {name!r} (an IANA name such as UTC)") from exc


def _value(v: Any) -> str:
    if isinstance(v, datetime):
        return iso_z(v)
    if isinstance(v, date):
        return iso_day(v)
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, int):
        return str(v)
    if isinstance(v, list | tuple):
        return "[" + ", ".join(_value(x) for x in v) + "]"
    # a JSON string is a TOML basic string once DEL, which JSON leaves bare, is escaped too
    return json.dumps(str(v), ensure_ascii=False).replace("\x7f", "\\u007f")


def to_toml(c: Claim) -> str:
    """The investigation TOML of the claim, its ``[claim]`` table included (the notes are not:
    they say how the sentence was read, and an edited file is no longer that reading)."""
    filters = c.filters()
    lines = [f"# skywitness check: {_value(c.sentence)[1:-1]}", f"text = {_value(c.sentence)}"]
    lines += ["", "[aircraft]"]
    lines += [f"{k} = {_value(v)}" for k, v in filters.items() if k in _WHO_KEYS]
    lines += ["", "[where]"]
    lines += [f"{k} = {_value(v)}" for k, v in filters.items() if k not in _WHO_KEYS]
    if c.over:
        lines.append(f"geofences = {_value(list(c.over))}")
    since, until = c.search_window()
    lines += ["", "[when]"]
    if since is not None and until is not None:
        lines += [f"since = {iso_z(since)}", f"until = {iso_z(until)}  # exclusive"]
    lines += ["", "[claim]  # how the sentence was read; `investigate` skips this table"]
    lines += [f"published = {iso_day(c.published)}", f"action = {_value(c.action)}"]
    if c.first_day is not None and c.last_day is not None:
        lines += [f"first_day = {iso_day(c.first_day)}", f"last_day = {iso_day(c.last_day)}"]
    lines.append(f"time_zone = {_value(c.tz)}  # the days are local to it")
    if c.count is not None:
        lines.append(f"count = {c.count}")
    lines.append(f"language = {_value(c.language)}")
    return "\n".join(lines) + "\n"


def _day(v: Any, what: str) -> date | None:
    if v is None:
        return None
    if isinstance(v, date):
        return v
    try:
        return parse_day(str(v))
    except ValueError as exc:
        raise SkywitnessError(f"{what}: not a date: {v!r}") from exc


def _count(v: Any, what: str) -> int | None:
    """A claimed count: None, or a whole number 0..``MAX_CLAIM_COUNT``."""
    if v is None:
        return None
    if isinstance(v, bool) or not isinstance(v, int | float | str):
        raise SkywitnessError(f"{what}: not a number: {v!r}")
    try:
        n = float(v)
    except ValueError as exc:
        raise SkywitnessError(f"{what}: not a number: {v!r}") from exc
    if not (0 <= n <= MAX_CLAIM_COUNT) or n != int(n):
        raise SkywitnessError(f"{what}: {v!r} is not a whole number 0..{MAX_CLAIM_COUNT:,}")
    return int(n)


def from_toml(text: str, where: str = "claim TOML") -> Claim:
    """A claim back from ``to_toml`` output (possibly edited); SkywitnessError naming what is
    wrong. The question's tables are authoritative: the ``[claim]`` table adds to them."""
    try:
        doc = bounded.parse(tomllib.loads, text)
    except ValueError as exc:  # TOMLDecodeError, or nested too deep for the parser
        raise SkywitnessError(f"{where}: {exc}") from exc
    extra = doc.get("claim") or {}
    try:
        q = from_dict(doc)
    except SkywitnessError as exc:
        raise SkywitnessError(f"{where}: {exc}") from exc
    published = _day(extra.get("published"), f"{where}: claim.published")
    if published is None:
        raise SkywitnessError(f"{where}: the [claim] table needs published = YYYY-MM-DD")
    d = query_dict(q.query)

    def got(*keys: str) -> tuple[str, ...]:
        return tuple(str(v).upper() for k in keys for v in d.get(k) or ())

    first = _day(extra.get("first_day"), f"{where}: claim.first_day")
    last = _day(extra.get("last_day"), f"{where}: claim.last_day")
    claim = Claim(
        sentence=q.text,
        published=published,
        who=Who(
            registry_country=got("registry_country"),
            operator=",".join(d.get("operator") or ()),
            classes=tuple(str(c) for c in d.get("class") or ()),
            types=got("type"),
            registration=got("registration"),
            callsign=got("callsign"),
            icao24=tuple(str(v) for v in d.get("icao24") or ()),
        ),
        count=_count(extra.get("count"), f"{where}: claim.count"),
        action=str(extra.get("action") or "flew"),
        origin=got("from", "from_country"),
        destination=got("to", "to_country"),
        at=got("via", "via_country"),
        over=q.geofences,
        first_day=first,
        last_day=last,
        notes=tuple(str(n) for n in extra.get("notes") or ()),
        language=str(extra.get("language") or "en"),
        tz=str(extra.get("time_zone") or "UTC"),
    )
    return _with_window(claim, q)


def _with_window(c: Claim, q: Question) -> Claim:
    """A [when] edited by hand wins over the [claim] days (derived from it): its days, in the
    claim's time zone ("was at": without the look-back)."""
    if q.since is None or q.until is None or c.search_window() == (q.since, q.until):
        return c
    z = zone(c.tz)
    since = q.since + timedelta(days=STAY_LOOKBACK_DAYS) if c.action == WAS_AT else q.since
    first = since.astimezone(z).date()
    last = (q.until - timedelta(microseconds=1)).astimezone(z).date()
    return replace(c, first_day=first, last_day=max(first, last))
