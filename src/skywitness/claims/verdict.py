"""The verdict on a claim: which flights fit it, and supported / contradicted / not checkable.

Pure functions. ``fits`` keeps the flights (rows of the flights table, as the investigation
returned them) that did what the claim says, where and when it says; ``decide`` weighs those
against the coverage of the claim's places (``evidence.coverage.PlaceCoverage``):

- **supported**: at least one flight fits;
- **contradicted**: none fits, and every place of the claim is an airport that holds state
  vectors in the window (the receivers saw traffic there: the aircraft would have been seen);
- **not checkable**: none fits, and some place has no data in the window, or is a whole country
  (its coverage is never complete), or the claim names no place at all, or asks for a type or
  registration while the store holds no aircraft database.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from ..evidence.coverage import PlaceCoverage
from .claim import Claim
from .lexicon import DEPARTED, LANDED, WAS_AT

SUPPORTED, CONTRADICTED, NOT_CHECKABLE = "supported", "contradicted", "not checkable"
VERDICTS = (SUPPORTED, CONTRADICTED, NOT_CHECKABLE)


@dataclass(frozen=True)
class Verdict:
    verdict: str
    reasons: tuple[str, ...] = ()
    flights: tuple[str, ...] = field(default=())  # one line per fitting flight


def _in(code: Any, places: tuple[str, ...], country_of: Callable[[str], str]) -> bool:
    if not code:
        return False
    return str(code) in places or country_of(str(code)) in places


def arrival_time(f: dict[str, Any]) -> datetime:
    t = f.get("landing_time") or f.get("arrival_window_start") or f["lastSeen"]
    return t if isinstance(t, datetime) else f["lastSeen"]


def departure_time(f: dict[str, Any]) -> datetime:
    t = f.get("takeoff_time") or f["firstSeen"]
    return t if isinstance(t, datetime) else f["firstSeen"]


def _when_ok(
    c: Claim,
    f: dict[str, Any],
    flights: list[dict[str, Any]],
    lo: datetime,
    hi: datetime,
    country_of: Callable[[str], str],
) -> bool:
    """The flight did what the claim says inside the window. "Was at" a place: arrived there
    before the window ended and did not leave before it began, or left it during the window
    (so it was there)."""
    if c.action == WAS_AT and c.at:
        if _in(f.get("estDepartureAirport"), c.at, country_of) and lo <= departure_time(f) < hi:
            return True
        if not _in(f.get("estArrivalAirport"), c.at, country_of) or arrival_time(f) >= hi:
            return False
        arrived = arrival_time(f)
        left = [
            g for g in flights
            if g["icao24"] == f["icao24"] and arrived < departure_time(g) < lo
        ]  # fmt: skip
        return not left
    if c.action == LANDED:
        return lo <= arrival_time(f) < hi
    if c.action == DEPARTED:
        return lo <= departure_time(f) < hi
    return bool(f["lastSeen"] >= lo and f["firstSeen"] < hi)


def fits(c: Claim, flights: list[dict[str, Any]], country_of: Callable[[str], str]) -> list[int]:
    """Indexes of the flights that did what the claim says, from/to/at its places, in its
    window ("landed": the arrival in it; "departed": the departure; "flew": any overlap)."""
    bounds = c.event_window()
    out = []
    for i, f in enumerate(flights):
        dep, arr = f.get("estDepartureAirport"), f.get("estArrivalAirport")
        if c.origin and not _in(dep, c.origin, country_of):
            continue
        if c.destination and not _in(arr, c.destination, country_of):
            continue
        if (
            c.at
            and c.action != WAS_AT
            and not (_in(dep, c.at, country_of) or _in(arr, c.at, country_of))
        ):
            continue
        if bounds is not None and not _when_ok(c, f, flights, *bounds, country_of):
            continue
        out.append(i)
    return out


def decide(
    c: Claim,
    fitting: list[str],
    aircraft: int,
    coverage: list[PlaceCoverage],
    unknown: tuple[str, ...] = (),
) -> Verdict:
    """The verdict from the fitting flights (one line each, ``aircraft`` distinct) and the
    coverage of the claim's places (in the order of ``Claim.places``). ``unknown``: the
    aircraft facts the claim asks for that the store cannot tell (no aircraft database)."""
    if fitting:
        reasons = [f"{len(fitting)} flight(s) of {aircraft} aircraft fit the claim"]
        if c.count is not None and aircraft < c.count:
            reasons.append(f"the sentence says {c.count} aircraft: {aircraft} seen")
        if c.action == WAS_AT:
            reasons.append(
                "was at: an aircraft that arrived before the day and was not seen leaving counts "
                "as still there (a departure out of coverage would not show)"
            )
        return Verdict(SUPPORTED, tuple(reasons), tuple(fitting))
    if unknown:
        return Verdict(
            NOT_CHECKABLE,
            (f"no matching flight, but the store holds no {' or '.join(unknown)} of any "
             "aircraft: import an aircraft database (skywitness db import-aircraft) to check",),
        )  # fmt: skip
    if not c.places:
        return Verdict(
            NOT_CHECKABLE,
            ("no matching flight, and the sentence names no place: an absence can only be "
             "shown where receivers covered a named place",),
        )  # fmt: skip
    blind = [p for p in coverage if p.rows == 0]
    if blind:
        names = ", ".join(p.place for p in blind)
        return Verdict(
            NOT_CHECKABLE,
            (f"no matching flight, and no state vectors at all at {names} in the window: "
             "data from a receiver covering it then would be needed",
             *(p.sentence() for p in coverage)),
        )  # fmt: skip
    wide = [p for p in coverage if p.kind != "airport"]
    if wide:
        names = ", ".join(p.place for p in wide)
        return Verdict(
            NOT_CHECKABLE,
            (f"no matching flight, but {names} is a whole country and the data covers only "
             "part of it: name an airport to check an absence",
             *(p.sentence() for p in coverage)),
        )  # fmt: skip
    head = ("no matching aircraft, while the receivers saw traffic at every place of the "
            "claim in the window (coverage below)")  # fmt: skip
    thin = min(coverage, key=lambda p: p.hours_with_data / max(p.hours_total, 1))
    if thin.hours_with_data < thin.hours_total:
        head += (
            f"; at {thin.place} data in {thin.hours_with_data} of {thin.hours_total} hours: an "
            "aircraft there only in the other hours would not have been seen"
        )
    return Verdict(CONTRADICTED, (head, *(p.sentence() for p in coverage)))
