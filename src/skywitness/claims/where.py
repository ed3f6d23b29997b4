"""Where a claim happened: each place named in the sentence resolved to airport codes (a city
to its airports, a country to its own, with the choice written to the notes), and the time zone
whose local days the claim's dates speak of."""

from __future__ import annotations

from collections import defaultdict

from .gazetteer import CITY_RADIUS_M, Gazetteer
from .lexicon import (
    AREA,
    AT,
    DEPARTED,
    DESTINATION,
    FLEW,
    LANDED,
    ORIGIN,
    WAS_AT,
)
from .scan import Item, next_kind
from .text import phrase_key

#: The places whose local days a date speaks of, by action ("landed on the 20th": there).
_DAY_PLACES = {
    LANDED: (DESTINATION, AT, AREA, ORIGIN),
    DEPARTED: (ORIGIN, AT, AREA, DESTINATION),
    WAS_AT: (AT, AREA, DESTINATION, ORIGIN),
    FLEW: (ORIGIN, DESTINATION, AT, AREA),
}


def time_zone(action: str, where: dict[str, list[str]], g: Gazetteer) -> tuple[str, str]:
    """The time zone of the days: the one of the place the action happens at, when all its
    airports share one; else UTC. With the reason, for the notes."""
    codes = next((where[r] for r in _DAY_PLACES[action] if where.get(r)), [])
    zones = {g.airports[c].tz for c in codes if c in g.airports and g.airports[c].tz}
    if codes and len(zones) == 1 and all(c in g.airports for c in codes):
        tz = zones.pop()
        return tz, f"the days are local to {', '.join(codes)} ({tz})"
    if codes:
        return "UTC", f"the days are UTC days ({', '.join(codes)}: no single time zone)"
    return "UTC", "the days are UTC days (no place)"


def resolve_places(
    items: list[Item], roles: dict[int, str], g: Gazetteer, notes: list[str]
) -> dict[str, list[str]]:
    """Each place as airport codes or a country code, by role; the narrower place wins."""
    countries_named = {items[i].value for i in roles if items[i].kind in ("country", "demonym")}
    out: dict[str, list[str]] = defaultdict(list)
    for i in sorted(roles):
        it, role = items[i], roles[i]
        codes = _place_codes(items, i, g, countries_named, notes)
        if not codes:
            continue
        if role == AREA:
            notes.append(
                f'over "{it.text}": flights passing through {", ".join(codes)} (a country\'s '
                "outline; 30 nm around an airport)"
            )
        country = g.airports[codes[0]].country if codes[0] in g.airports else ""
        prev = out[role]
        if (
            it.kind in ("airport", "code")
            and prev
            and all(p in g.airports and g.airports[p].country == country for p in prev)
        ):
            notes.append(f'"{it.text}" names the airport: {", ".join(codes)} only')
            prev.clear()
        if prev and all(len(p) == 2 for p in prev) and country in prev:
            prev.remove(country)  # "Caracas, Venezuela": the city says more
        if len(codes[0]) == 2 and any(
            g.airports.get(p, None) and g.airports[p].country == codes[0] for p in prev
        ):
            continue  # the country of a place already named
        prev.extend(c for c in codes if c not in prev)
    return out


def _place_codes(
    items: list[Item], i: int, g: Gazetteer, countries: set[str], notes: list[str]
) -> list[str]:
    it = items[i]
    if it.kind == "code":
        a = g.airports.get(it.value)
        notes.append(f'"{it.text}": {it.value}' + (f" {a.name} ({a.country})" if a else ""))
        return [str(it.value)]
    if it.kind in ("country", "demonym"):
        nxt = next_kind(items, i, ("placenoun",), 2)
        if nxt is not None and nxt.value == "capital" and it.value in g.capitals:
            city = g.capitals[it.value]
            codes = list(g.cities.get(city, ()))
            if codes:
                notes.append(f'"{it.text} capital": {" ".join(city).title()}')
                return _city(" ".join(city).title(), codes, g, {it.value}, notes)
        notes.append(
            f'"{it.text}": the airports of {g.country_names.get(it.value, it.value)} ({it.value})'
        )
        return [str(it.value)]
    if it.kind == "city":
        return _city(it.text, list(it.value), g, countries, notes)
    cands = list(it.value)
    if len(cands) > 1 and countries:
        cands = [c for c in cands if g.airports[c].country in countries] or cands
    names = ", ".join(f"{c} {g.airports[c].name} ({g.airports[c].country})" for c in cands)
    notes.append(
        f'"{it.text}": {names}' + (" (all of them: the name is shared)" if len(cands) > 1 else "")
    )
    return cands


def _city(
    text: str, codes: list[str], g: Gazetteer, countries: set[str], notes: list[str]
) -> list[str]:
    by_country: dict[str, list[str]] = defaultdict(list)
    for c in codes:
        by_country[g.airports[c].country].append(c)
    capital = g.capital_points.get(phrase_key(text))
    if capital is not None and not any(
        g.airports[c].country == capital[0] for c in g.near((), capital[1:])
    ):
        capital = None  # an outdated capital entry (no airport of that state near it)
    if capital is not None:
        by_country.setdefault(capital[0], [])
    named = [cc for cc in by_country if cc in countries]

    def weight(cc: str) -> tuple[int, int, int, str]:
        is_capital = int(capital is not None and capital[0] == cc)
        iata = sum(1 for c in by_country[cc] if g.airports[c].iata)
        return (is_capital, iata, len(by_country[cc]), cc)

    chosen = named[0] if named else max(by_country, key=weight)
    others = [cc for cc in sorted(by_country) if cc != chosen]
    picked = sorted(by_country[chosen])
    centre = capital[1:] if capital is not None and capital[0] == chosen else None
    near = g.near(tuple(picked), centre)
    extra = [c for c in near if c not in picked and g.airports[c].country == chosen]
    all_codes = picked + extra
    desc = ", ".join(f"{c} {g.airports[c].name}" for c in all_codes)
    note = f'"{text}": {desc}'
    if extra:
        note += f" ({', '.join(extra)}: within {CITY_RADIUS_M / 1000:g} km of its airports)"
    if others:
        why = (
            "the country named"
            if named
            else "its capital"
            if centre is not None
            else "the most airports with an IATA code"
        )
        note += f"; also a town in {', '.join(others)}, not chosen ({why})"
    notes.append(note)
    return all_codes
