"""The gazetteer: the names a sentence may use for places, operators and aircraft types.

Built from data already installed or shipped, nothing downloaded:

- airports and cities: ``airportsdata`` (ICAO and IATA codes, names, cities, countries);
- countries: ``countryinfo`` (names, other spellings, demonyms), plus ``data/claim_aliases.csv``
  (short forms such as "U.S.", demonyms it lacks, common names of state operators);
- state operators: ``data/state_operators.csv`` (names -> state, class, ICAO designator) and,
  when a store is given, operators imported into it (``operator_facts``);
- aircraft types: ``data/claim_types.csv`` (common names -> ICAO type designators) and the type
  designators of an imported aircraft DB (``aircraft_facts``).

Lookups are by folded word tuples (``text.phrase_key``). Building reads files; every lookup is
pure. ``Gazetteer.default()`` (no store) is built once per process.
"""

from __future__ import annotations

import csv
import io
import json
import re
from collections import defaultdict
from dataclasses import dataclass, field
from functools import cache
from importlib import resources
from typing import Any

import numpy as np

from ..flights import AirportIndex
from ..identify.blocks import blocks
from ..identify.operators import builtin_operators
from .lexicon import split_words as _split
from .text import phrase_key

#: A code airportsdata lists that is an ICAO location indicator (not a local FAA-style id).
_ICAO_LIKE = re.compile(r"^[A-Z]{4}$")
#: Airports within this distance of a city's airports with an IATA code count as the city's
#: ("Caracas" -> SVMI, SVCS and SVFM La Carlota, 21 km from Maiquetia), metres.
CITY_RADIUS_M = 25_000.0
#: Words of airport names that do not tell one airport from another.
_GENERIC = frozenset(
    _split(
        "airport airports international intl regional municipal county field air base force afb "
        "airfield airstrip aerodrome national domestic city memorial the de del la le las los el "
        "of and san santa saint st new north south east west lake island river bay port mount "
        "fort valley park heliport station naval army airpark executive general jetport metro "
        "metropolitan industrial downtown central municipality aeroporto aeropuerto aeroport "
        "internacional internacionale airbase military landing strip area"
    )
)
ALIASES_SOURCE = "builtin:claim_aliases (hand-written, see data/claim_aliases.csv)"
TYPES_SOURCE = "builtin:claim_types (ICAO Doc 8643 type designators, hand-written)"


@dataclass(frozen=True)
class AirportInfo:
    icao: str
    iata: str
    name: str
    city: str
    country: str
    tz: str = ""  # IANA time zone


@dataclass(frozen=True)
class OperatorName:
    """A name for a state operator: its state, class and (when it names one) ICAO designator."""

    name: str
    iso2: str
    klass: str
    designator: str
    source: str


@dataclass(frozen=True)
class TypeName:
    pattern: re.Pattern[str]
    typecodes: tuple[str, ...]
    name: str


@dataclass
class Gazetteer:
    countries: dict[tuple[str, ...], str] = field(default_factory=dict)  # name -> iso2
    demonyms: dict[tuple[str, ...], str] = field(default_factory=dict)  # adjective -> iso2
    country_names: dict[str, str] = field(default_factory=dict)  # iso2 -> name
    capitals: dict[str, tuple[str, ...]] = field(default_factory=dict)  # iso2 -> city key
    capital_points: dict[tuple[str, ...], tuple[str, float, float]] = field(default_factory=dict)
    airport_aliases: dict[tuple[str, ...], tuple[str, ...]] = field(default_factory=dict)
    designators: frozenset[str] = frozenset()  # operator designators known (callsign prefixes)
    operators: dict[tuple[str, ...], OperatorName] = field(default_factory=dict)
    cities: dict[tuple[str, ...], tuple[str, ...]] = field(default_factory=dict)  # -> ICAO
    airport_words: dict[tuple[str, ...], tuple[str, ...]] = field(default_factory=dict)
    airports: dict[str, AirportInfo] = field(default_factory=dict)  # ICAO -> info
    iata: dict[str, str] = field(default_factory=dict)  # IATA -> ICAO
    types: list[TypeName] = field(default_factory=list)
    typecodes: frozenset[str] = frozenset()  # designators known to an imported aircraft DB
    longest: int = 1  # words in the longest phrase

    @staticmethod
    def default() -> Gazetteer:
        """Built from the installed and shipped data only (no store)."""
        return _default()

    def phrase(self, key: tuple[str, ...]) -> list[tuple[str, Any]]:
        """Every entry a phrase names: ("operator", OperatorName), ("country", iso2),
        ("demonym", iso2), ("city", icao codes), ("airport", icao codes)."""
        out: list[tuple[str, Any]] = []
        if key in self.operators:
            out.append(("operator", self.operators[key]))
        if key in self.countries:
            out.append(("country", self.countries[key]))
        if key in self.demonyms:
            out.append(("demonym", self.demonyms[key]))
        if key in self.airport_aliases:  # a hand-written name wins over a town's
            return [*out, ("airport", self.airport_aliases[key])]
        if key in self.cities:
            out.append(("city", self.cities[key]))
        if key in self.airport_words:
            out.append(("airport", self.airport_words[key]))
        return out

    def state_designators(self, iso2: str, klass: str) -> list[str]:
        """Built-in state operator designators of a state and class ("RFF (Russian ...)")."""
        return [
            f"{o.designator} ({o.name})"
            for o in builtin_operators().values()
            if o.country == iso2 and (not klass or o.klass == klass)
        ]

    def near(
        self, codes: tuple[str, ...], point: tuple[float, float] | None = None
    ) -> tuple[str, ...]:
        """ICAO-coded airports within CITY_RADIUS_M of those of ``codes`` with an IATA code
        (and of ``point``, a city centre, when given)."""
        idx = AirportIndex.default()
        hubs = [(a.lat, a.lon) for a in (idx.lookup(c) for c in codes) if a and a.iata]
        hubs += [point] if point else []
        if not hubs:
            return ()
        lat = np.array([h[0] for h in hubs])
        lon = np.array([h[1] for h in hubs])
        _, ai, _ = idx.within(lat, lon, CITY_RADIUS_M)
        near = {str(idx.icao[i]) for i in ai}
        return tuple(sorted(c for c in near if _ICAO_LIKE.match(c) and c in self.airports))


def address_block(iso2: str) -> str:
    """ "140000-157fff" style text of a state's ICAO address block(s) ("" when none)."""
    return ", ".join(
        f"{b.start:06x}-{b.end:06x}" for b in blocks() if b.iso2 == iso2 and b.kind == "state"
    )


def _csv_rows(name: str) -> list[dict[str, str]]:
    text = resources.files("skywitness").joinpath("data", name).read_text("utf-8")
    body = "".join(ln for ln in io.StringIO(text) if not ln.startswith("#"))
    return list(csv.DictReader(io.StringIO(body)))


def _add_countries(g: Gazetteer) -> None:
    from ..web.basemap import countries_dir

    for path in sorted(countries_dir().glob("*.json")):
        doc = json.loads(path.read_text(encoding="utf-8"))
        iso2 = str((doc.get("ISO") or {}).get("alpha2") or "").upper()
        if len(iso2) != 2:
            continue
        g.country_names[iso2] = str(doc.get("name") or iso2)
        if doc.get("capital"):
            g.capitals[iso2] = phrase_key(str(doc["capital"]))
            ll = doc.get("capital_latlng") or []
            if len(ll) == 2:
                g.capital_points[g.capitals[iso2]] = (iso2, float(ll[0]), float(ll[1]))
        names = [doc.get("name"), *(doc.get("altSpellings") or [])]
        for n in names:
            key = phrase_key(str(n or ""))
            if key and len("".join(key)) > 3:  # codes such as "DE", "USA" only from aliases
                g.countries.setdefault(key, iso2)
        dem = str(doc.get("demonym") or "")
        if dem:
            g.demonyms.setdefault(phrase_key(dem), iso2)
            g.demonyms.setdefault(phrase_key(dem + "s"), iso2)


def _add_aliases(g: Gazetteer) -> None:
    for r in _csv_rows("claim_aliases.csv"):
        key = phrase_key(r["phrase"])
        if r["kind"] == "country":
            g.countries[key] = r["iso2"]
        elif r["kind"] == "demonym":
            g.demonyms[key] = r["iso2"]
        elif r["kind"] == "airport":
            g.airport_aliases[key] = tuple(r["target"].split())
        else:
            g.operators[key] = OperatorName(
                r["note"], r["iso2"], r["class"], r["target"], ALIASES_SOURCE
            )
    g.designators = frozenset(builtin_operators())
    for op in builtin_operators().values():
        key = phrase_key(op.name)
        g.operators.setdefault(key, OperatorName(op.name, op.country, op.klass, "", op.source))


def _add_airports(g: Gazetteer) -> None:
    import airportsdata

    table: dict[str, Any] = dict(airportsdata.load("ICAO"))
    cities: dict[tuple[str, ...], list[str]] = defaultdict(list)
    words: dict[tuple[str, ...], list[str]] = defaultdict(list)
    for icao, r in table.items():
        if not _ICAO_LIKE.match(icao):
            continue
        name, city = str(r.get("name") or ""), str(r.get("city") or "")
        g.airports[icao] = AirportInfo(
            icao, str(r.get("iata") or ""), name, city, r["country"], str(r.get("tz") or "")
        )
        if r.get("iata"):
            g.iata.setdefault(str(r["iata"]), icao)
        if city:
            for part in re.split(r"[,/]", city):  # "Toulouse/Blagnac": the town and its part
                cities[phrase_key(part)].append(icao)
        notable = bool(r.get("iata")) or bool(re.search(r"air ?base|afb|air force", name, re.I))
        if notable:
            city_words = set(phrase_key(city))
            own = [w for w in phrase_key(name) if w not in _GENERIC and w not in city_words]
            for i, w in enumerate(own):
                if len(w) >= 5 and not w.isdigit():
                    words[(w,)].append(icao)
                if i + 1 < len(own):
                    words[(w, own[i + 1])].append(icao)
    for key in g.capital_points:  # a capital whose airports list another town ("Lima")
        cities.setdefault(key, [])
    g.cities = {k: tuple(sorted(v)) for k, v in cities.items() if k}
    g.airport_words = {k: tuple(sorted(set(v))) for k, v in words.items()}


def _add_types(g: Gazetteer) -> None:
    for r in _csv_rows("claim_types.csv"):
        pat = re.compile(rf"(?<![\w-])(?:{r['pattern']})(?![\w-])", re.IGNORECASE)
        g.types.append(TypeName(pat, tuple(r["typecodes"].split()), r["name"]))


def build_gazetteer(con: Any = None) -> Gazetteer:
    """The gazetteer from the installed data; with a store connection, its imported operators
    and aircraft type designators too."""
    g = Gazetteer()
    _add_countries(g)
    _add_aliases(g)
    _add_airports(g)
    _add_types(g)
    if con is not None:
        _add_store(g, con)
    g.longest = max(len(k) for d in (g.countries, g.operators, g.cities) for k in d)
    return g


def _add_store(g: Gazetteer, con: Any) -> None:
    """Imported operator names (``operator_facts``) and type designators (``aircraft_facts``)."""
    import duckdb

    try:
        types = con.execute(
            "SELECT DISTINCT value FROM aircraft_facts WHERE field = 'typecode'"
        ).fetchall()
        g.typecodes = frozenset(str(t[0]).upper() for t in types if t[0])
    except duckdb.Error:  # no aircraft DB imported
        pass
    try:
        ops = con.execute(
            "SELECT designator, max(value) FILTER (WHERE field = 'name'), "
            "max(value) FILTER (WHERE field = 'country'), max(source) "
            "FROM operator_facts GROUP BY designator"
        ).fetchall()
    except duckdb.Error:
        return
    g.designators = g.designators | {str(d) for d, *_ in ops}
    for designator, name, country, source in ops:
        key = phrase_key(str(name or ""))
        if len(key) >= 2 and key not in g.operators:  # one-word names are too often words
            iso2 = g.countries.get(phrase_key(str(country or "")), "")
            g.operators[key] = OperatorName(str(name), iso2, "", str(designator), str(source))


@cache
def _default() -> Gazetteer:
    return build_gazetteer()
