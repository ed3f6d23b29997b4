"""Watch rules: parse and validate a TOML rules file, with errors naming file, line and field.

``tomllib`` reports syntax errors with a line, but semantic errors (unknown field, bad value) need
the line found in the text: ``_locate`` scans the ``[[rule]]`` / ``[[notifier]]`` tables and their
``key =`` lines once, so every error can point at the line that holds the field.
"""

from __future__ import annotations

import difflib
import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from .. import bounded
from ..errors import ConfigError
from ..flights import AirportIndex
from ..identify.filter import CLASSES, IdentityQuery
from ..identify.identity import Identity
from .events import KIND_BY_LABEL, WatchKind
from .geo import Geofence, load_geojson
from .notifiers import NOTIFIERS

IDENTITY_FIELDS = (
    "icao24",
    "registration",
    "operator",
    "registry_country",
    "type",
    "classification",
    "watchlist",
    "watchlist_category",
    "watchlist_tag",
)
RULE_FIELDS = (
    "name",
    "event",
    *IDENTITY_FIELDS,
    "airport",
    "country",
    "area",
    "hours",
    "days",
    "cooldown",
    "once_per",
    "notify",
)
AREA_FIELDS = ("circle", "polygon", "geojson", "name")
CIRCLE_FIELDS = ("lat", "lon", "radius_nm")
NOTIFIER_KINDS = tuple(NOTIFIERS)
NOTIFIER_FIELDS = ("name", "kind", "path", "url", "urls", "title", "max_entries", "timeout_s")
TOP_FIELDS = ("rule", "notifier")
DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
DAY_NAMES = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
ONCE_PER = ("flight", "aircraft", "none")
DEFAULT_COOLDOWN_S = 0.0
_DURATION = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*(s|m|h|d)?\s*$")
_UNIT_S = {"s": 1.0, "m": 60.0, "h": 3600.0, "d": 86400.0, None: 1.0}
_HOURS = re.compile(r"^(\d{1,2}):(\d{2})\s*-\s*(\d{1,2}):(\d{2})$")


@dataclass(frozen=True)
class Rule:
    """One rule; empty matcher tuples mean "any"."""

    name: str
    line: int
    events: frozenset[WatchKind]
    icao24: frozenset[str] = frozenset()
    # identity matchers: the meanings of docs/filters.md (``identify.filter.IdentityQuery``)
    registration: tuple[str, ...] = ()  # fnmatch patterns, upper case
    operator: tuple[str, ...] = ()  # ICAO designator or part of the operator's name
    registry_country: tuple[str, ...] = ()  # ISO 3166 alpha-2 or country name, upper case
    type: tuple[str, ...] = ()  # ICAO type designator patterns
    classification: frozenset[str] = frozenset()
    watchlist: tuple[str, ...] = ()  # globs: a list's name, category or tag
    watchlist_category: tuple[str, ...] = ()
    watchlist_tag: tuple[str, ...] = ()
    airport: frozenset[str] = frozenset()  # ICAO codes (IATA resolved)
    country: frozenset[str] = frozenset()  # airport country, ISO alpha-2
    fence: int = -1  # index into RuleSet.fences
    hours: tuple[tuple[int, int], ...] = ()  # UTC seconds-of-day ranges [start, end)
    days: frozenset[int] = frozenset()  # 0 = Monday, UTC
    cooldown_s: float = DEFAULT_COOLDOWN_S
    once_per: str = "flight"
    notify: tuple[str, ...] = ()  # notifier names; empty = all

    @property
    def has_identity(self) -> bool:
        return any(getattr(self, f) for f in IDENTITY_FIELDS)

    @property
    def identity_query(self) -> IdentityQuery:
        """The rule's identity matchers as the shared query (docs/filters.md), icao24 aside."""
        return IdentityQuery(
            registration=self.registration,
            operator=self.operator,
            registry_country=self.registry_country,
            typecode=self.type,
            classes=tuple(sorted(self.classification)),
            watchlist=self.watchlist,
            watchlist_category=self.watchlist_category,
            watchlist_tag=self.watchlist_tag,
        )

    def identity_matches(self, ident: Identity) -> bool:
        """Whether ``ident`` satisfies every identity matcher of the rule."""
        if self.icao24 and ident.icao24 not in self.icao24:
            return False
        return self.identity_query.matches(ident)


@dataclass(frozen=True)
class NotifierConfig:
    name: str
    kind: str
    options: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class RuleSet:
    rules: tuple[Rule, ...]
    fences: tuple[Geofence, ...] = ()
    notifiers: tuple[NotifierConfig, ...] = ()


class _Lines:
    """Line numbers of tables and keys, found by scanning the text."""

    _HEADER = re.compile(r"^\s*(\[\[?)\s*([A-Za-z0-9_.\-\"' ]+?)\s*\]\]?\s*(#.*)?$")
    _KEY = re.compile(r"^\s*([A-Za-z0-9_\-]+|\"[^\"]*\")\s*(\.\s*[A-Za-z0-9_\-]+\s*)*=")

    def __init__(self, text: str) -> None:
        self.tables: dict[tuple[str, int], int] = {}
        self.keys: dict[tuple[str, int, str], int] = {}
        count: dict[str, int] = {}
        section, idx, prefix = "", 0, ""
        for n, line in enumerate(text.splitlines(), start=1):
            if m := self._HEADER.match(line):
                path = m.group(2).replace(" ", "").replace('"', "")
                top, _, rest = path.partition(".")
                if m.group(1) == "[[" and not rest:
                    idx = count.get(top, 0)
                    count[top] = idx + 1
                    section, prefix = top, ""
                    self.tables[(top, idx)] = n
                else:
                    section, idx = top, max(count.get(top, 1) - 1, 0)
                    prefix = rest
                    if rest:
                        self.keys.setdefault((section, idx, rest), n)
                continue
            if m := self._KEY.match(line):
                key = re.sub(r"\s+", "", line.split("=", 1)[0]).replace('"', "")
                full = f"{prefix}.{key}" if prefix else key
                self.keys.setdefault((section, idx, full), n)

    def of(self, section: str, idx: int, key: str = "") -> int:
        while key:
            if (section, idx, key) in self.keys:
                return self.keys[(section, idx, key)]
            key = key.rpartition(".")[0]
        return self.tables.get((section, idx), 1)


class _Parser:
    def __init__(self, path: str, text: str, base: Path) -> None:
        self.path, self.lines, self.base = path, _Lines(text), base
        self.fences: list[Geofence] = []
        self.section, self.idx = "", 0
        self._airports: AirportIndex | None = None

    def fail(self, key: str, msg: str) -> ConfigError:
        line = self.lines.of(self.section, self.idx, key)
        return ConfigError(f"{self.path}: line {line}: {msg}")

    def unknown(self, table: dict[str, Any], allowed: tuple[str, ...], prefix: str = "") -> None:
        for key in table:
            if key not in allowed:
                close = difflib.get_close_matches(key, allowed, n=1)
                where = f"{prefix}.{key}" if prefix else key
                near = f"{prefix}.{close[0]}" if prefix and close else (close[0] if close else "")
                hint = f" (did you mean '{near}'?)" if near else ""
                raise self.fail(where, f"unknown field '{where}'{hint}")

    def strings(self, table: dict[str, Any], key: str) -> tuple[str, ...]:
        v = table.get(key, [])
        items = [v] if isinstance(v, str) else v
        if not isinstance(items, list) or not all(isinstance(s, str) and s.strip() for s in items):
            raise self.fail(key, f"field '{key}' must be a string or a list of non-empty strings")
        return tuple(s.strip() for s in items)

    def choice(self, table: dict[str, Any], key: str, allowed: tuple[str, ...]) -> tuple[str, ...]:
        out = tuple(s.lower() for s in self.strings(table, key))
        for s in out:
            if s not in allowed:
                close = difflib.get_close_matches(s, allowed, n=1)
                hint = f" (did you mean '{close[0]}'?)" if close else ""
                raise self.fail(key, f"field '{key}': unknown value '{s}'{hint}")
        return out

    def airports(self) -> AirportIndex:
        if self._airports is None:
            self._airports = AirportIndex.default()
        return self._airports

    def duration(self, value: Any, key: str) -> float:
        if isinstance(value, int | float) and not isinstance(value, bool) and value >= 0:
            return float(value)
        m = _DURATION.match(value) if isinstance(value, str) else None
        if m is None:
            raise self.fail(key, f"field '{key}' must be seconds or a duration like '30m', '2h'")
        return float(m.group(1)) * _UNIT_S[m.group(2)]

    def hours(self, table: dict[str, Any]) -> tuple[tuple[int, int], ...]:
        out = []
        for s in self.strings(table, "hours"):
            m = _HOURS.match(s)
            if m is None or int(m.group(1)) > 24 or int(m.group(3)) > 24:
                raise self.fail(
                    "hours", f"field 'hours': '{s}' is not a UTC range like '22:00-06:00'"
                )
            h1, m1, h2, m2 = (int(g) for g in m.groups())
            if m1 > 59 or m2 > 59:
                raise self.fail("hours", f"field 'hours': '{s}' has minutes above 59")
            out.append((h1 * 3600 + m1 * 60, h2 * 3600 + m2 * 60))
        return tuple(out)

    def area(self, value: Any, rule_name: str) -> int:
        if not isinstance(value, dict):
            raise self.fail("area", "field 'area' must be a table (circle, polygon or geojson)")
        self.unknown(value, AREA_FIELDS, "area")
        given = [k for k in ("circle", "polygon", "geojson") if k in value]
        if len(given) != 1:
            raise self.fail("area", "field 'area' needs exactly one of circle, polygon, geojson")
        name = str(value.get("name", rule_name))
        kind = given[0]
        try:
            if kind == "circle":
                c = value["circle"]
                if not isinstance(c, dict):
                    raise ValueError("circle must be a table {lat, lon, radius_nm}")
                self.unknown(c, CIRCLE_FIELDS, "area.circle")
                missing = [k for k in CIRCLE_FIELDS if k not in c]
                if missing:
                    raise ValueError(f"circle misses {', '.join(missing)}")
                fence = Geofence.make_circle(
                    name, float(c["lat"]), float(c["lon"]), float(c["radius_nm"])
                )
            elif kind == "polygon":
                fence = Geofence.make_polygons(name, [[value["polygon"]]])
            else:
                p = Path(str(value["geojson"]))
                fence = load_geojson(name, p if p.is_absolute() else self.base / p)
        except (ValueError, TypeError) as exc:
            raise self.fail(f"area.{kind}", f"field 'area.{kind}': {exc}") from exc
        self.fences.append(fence)
        return len(self.fences) - 1

    def rule(self, table: Any, names: set[str]) -> Rule:
        if not isinstance(table, dict):
            raise self.fail("", "[[rule]] must be a table")
        self.unknown(table, RULE_FIELDS)
        name = table.get("name")
        if not isinstance(name, str) or not name.strip():
            raise self.fail("name", "field 'name' is required (a non-empty string)")
        if name in names:
            raise self.fail("name", f"duplicate rule name '{name}'")
        names.add(name)
        if "event" not in table:
            raise self.fail("", f"rule '{name}': field 'event' is required")
        events = frozenset(
            KIND_BY_LABEL[e] for e in self.choice(table, "event", tuple(KIND_BY_LABEL))
        )
        airports = []
        for code in self.strings(table, "airport"):
            apt = self.airports().lookup(code)
            if apt is None:
                raise self.fail("airport", f"field 'airport': unknown airport '{code}'")
            airports.append(apt.icao)
        flight_kinds = {
            WatchKind.TAKEOFF,
            WatchKind.LANDING,
            WatchKind.DEPARTURE,
            WatchKind.ARRIVAL,
        }
        if (airports or "country" in table) and not events <= flight_kinds:
            raise self.fail(
                "airport" if airports else "country",
                "airport/country apply to takeoff, landing, departure and arrival events only",
            )
        fence = self.area(table["area"], name) if "area" in table else -1
        if events & {WatchKind.ENTER, WatchKind.LEAVE} and fence < 0:
            raise self.fail("event", "events 'enter'/'leave' need an 'area'")
        once = self.choice(table, "once_per", ONCE_PER) if "once_per" in table else ("flight",)
        return Rule(
            name=name,
            line=self.lines.of(self.section, self.idx),
            events=events,
            icao24=frozenset(s.lower() for s in self.strings(table, "icao24")),
            registration=tuple(s.upper() for s in self.strings(table, "registration")),
            operator=tuple(s.upper() for s in self.strings(table, "operator")),
            registry_country=tuple(s.upper() for s in self.strings(table, "registry_country")),
            type=tuple(s.upper() for s in self.strings(table, "type")),
            classification=frozenset(self.choice(table, "classification", CLASSES)),
            watchlist=tuple(s.lower() for s in self.strings(table, "watchlist")),
            watchlist_category=tuple(s.lower() for s in self.strings(table, "watchlist_category")),
            watchlist_tag=tuple(s.lower() for s in self.strings(table, "watchlist_tag")),
            airport=frozenset(airports),
            country=frozenset(s.upper() for s in self.strings(table, "country")),
            fence=fence,
            hours=self.hours(table),
            days=frozenset(DAYS.index(d[:3]) for d in self.choice(table, "days", DAYS + DAY_NAMES)),
            cooldown_s=self.duration(table.get("cooldown", DEFAULT_COOLDOWN_S), "cooldown"),
            once_per=once[0] if len(once) == 1 else self._one("once_per"),
            notify=self.strings(table, "notify"),
        )

    def _one(self, key: str) -> str:
        raise self.fail(key, f"field '{key}' takes one value")

    def notifier(self, table: Any, names: set[str]) -> NotifierConfig:
        if not isinstance(table, dict):
            raise self.fail("", "[[notifier]] must be a table")
        self.unknown(table, NOTIFIER_FIELDS)
        kind = self.choice(table, "kind", NOTIFIER_KINDS) if "kind" in table else ()
        if len(kind) != 1:
            raise self.fail("kind", f"field 'kind' is required: one of {', '.join(NOTIFIER_KINDS)}")
        name = str(table.get("name", kind[0]))
        if name in names:
            raise self.fail("name", f"duplicate notifier name '{name}'")
        names.add(name)
        need = NOTIFIERS[kind[0]].needs
        if need and need not in table:
            raise self.fail("", f"notifier '{name}' ({kind[0]}) needs field '{need}'")
        if kind[0] == "webhook":
            try:
                url = urlsplit(str(table["url"]))
                host, _port = url.hostname, url.port  # ValueError: a bad port, an open [IPv6
            except ValueError as exc:
                raise self.fail("url", f"notifier '{name}': url {exc}") from exc
            if url.scheme not in ("http", "https") or not host:
                raise self.fail(
                    "url", f"notifier '{name}': url must be http:// or https://HOST/..."
                )
        opts = {k: v for k, v in table.items() if k not in ("name", "kind")}
        if "path" in opts:
            p = Path(str(opts["path"]))
            opts["path"] = str(p if p.is_absolute() else self.base / p)
        return NotifierConfig(name, kind[0], opts)


def parse_rules(text: str, path: str = "<rules>", base: Path | None = None) -> RuleSet:
    """Parse and validate rules text; ConfigError names the file, line and field."""
    try:
        doc = bounded.parse(tomllib.loads, text)
    except tomllib.TOMLDecodeError as exc:
        m = re.search(r"\(at line (\d+), column (\d+)\)", str(exc))
        where = f"line {m.group(1)}: " if m else ""
        msg = re.sub(r"\s*\(at line \d+, column \d+\)", "", str(exc))
        raise ConfigError(f"{path}: {where}TOML syntax error: {msg}") from exc
    except ValueError as exc:  # nested too deep
        raise ConfigError(f"{path}: TOML {exc}") from exc
    p = _Parser(path, text, base or Path("."))
    p.unknown(doc, TOP_FIELDS)
    rules_raw, notes_raw = doc.get("rule", []), doc.get("notifier", [])
    if not isinstance(rules_raw, list) or not isinstance(notes_raw, list):
        raise ConfigError(f"{path}: line 1: use [[rule]] and [[notifier]] tables")
    names: set[str] = set()
    rules = []
    for i, r in enumerate(rules_raw):
        p.section, p.idx = "rule", i
        rules.append(p.rule(r, names))
    notifiers = []
    nnames: set[str] = set()
    for i, n in enumerate(notes_raw):
        p.section, p.idx = "notifier", i
        notifiers.append(p.notifier(n, nnames))
    for i, r in enumerate(rules):
        for name in r.notify:
            if name not in nnames:
                p.section, p.idx = "rule", i
                raise p.fail("notify", f"rule '{r.name}': no notifier named '{name}'")
    return RuleSet(tuple(rules), tuple(p.fences), tuple(notifiers))


def load_rules(path: str | Path) -> RuleSet:
    """Read and validate a rules file (relative GeoJSON/output paths are from its folder)."""
    p = Path(path)
    try:
        text = bounded.read_text(p, bounded.MAX_CONFIG_BYTES)
    except (OSError, ValueError) as exc:
        raise ConfigError(f"{p}: cannot read rules file: {exc}") from exc
    return parse_rules(text, str(p), p.parent)
