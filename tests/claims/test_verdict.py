"""The verdict logic (pure): coverage x fitting flights -> supported / contradicted / not
checkable, and which flights fit a claim's action, places and days."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

from skywitness.claims import Claim, Who
from skywitness.claims.verdict import CONTRADICTED, NOT_CHECKABLE, SUPPORTED, decide, fits
from skywitness.evidence.coverage import PlaceCoverage

DAY = date(2019, 9, 20)
COUNTRY = {"SVMI": "VE", "UUWW": "RU", "SVMC": "VE"}


def claim(**kw: Any) -> Claim:
    base: dict[str, Any] = {
        "sentence": "s",
        "published": date(2019, 9, 25),
        "first_day": DAY,
        "last_day": DAY,
    }
    return Claim(**{**base, **kw})


def cov(place: str, rows: int, kind: str = "airport") -> PlaceCoverage:
    t = datetime(2019, 9, 20, tzinfo=UTC)
    hours = 24 if rows else 0
    return PlaceCoverage(
        place,
        kind,
        t,
        t.replace(day=21),
        rows=rows,
        aircraft=min(rows, 3),
        hours_with_data=hours,
        hours_total=24,
    )


def t(h: int, day: int = 20) -> datetime:
    return datetime(2019, 9, day, h, tzinfo=UTC)


def flight(dep: str, arr: str, off: datetime, on: datetime, icao: str = "1551e0") -> dict[str, Any]:
    return {
        "icao24": icao,
        "estDepartureAirport": dep,
        "estArrivalAirport": arr,
        "firstSeen": off,
        "lastSeen": on,
        "takeoff_time": off,
        "landing_time": on,
    }


def test_supported_whatever_the_coverage() -> None:
    c = claim(action="landed", destination=("SVMI",), count=2)
    v = decide(c, ["a flight"], 1, [cov("SVMI", 0)])
    assert v.verdict == SUPPORTED
    assert v.reasons == (
        "1 flight(s) of 1 aircraft fit the claim",
        "the sentence says 2 aircraft: 1 seen",
    )
    assert v.flights == ("a flight",)


def test_was_at_says_what_it_presumes() -> None:
    v = decide(claim(action="was_at", at=("SVMI",)), ["a flight"], 1, [cov("SVMI", 3)])
    assert v.reasons[1].startswith("was at: an aircraft that arrived before the day")


def test_contradicted_only_when_every_airport_was_covered() -> None:
    c = claim(action="landed", destination=("SVMI", "SVFM"))
    v = decide(c, [], 0, [cov("SVMI", 10), cov("SVFM", 4)])
    assert v.verdict == CONTRADICTED
    assert v.reasons[1].startswith("At SVMI between 2019-09-20T00:00:00Z")
    assert v.reasons[0].endswith("in the window (coverage below)")  # every hour held data
    thin = cov("SVFM", 4)
    thin.hours_with_data, thin.hours_total = 5, 24
    partial = decide(c, [], 0, [cov("SVMI", 10), thin])
    assert partial.verdict == CONTRADICTED
    assert partial.reasons[0].endswith(
        "; at SVFM data in 5 of 24 hours: an aircraft there only in the other hours would not "
        "have been seen"
    )
    blind = decide(c, [], 0, [cov("SVMI", 10), cov("SVFM", 0)])
    assert blind.verdict == NOT_CHECKABLE
    assert "no state vectors at all at SVFM" in blind.reasons[0]


def test_no_aircraft_database_no_contradiction() -> None:
    c = claim(action="landed", destination=("SVMI",), who=Who(types=("IL62",)))
    v = decide(c, [], 0, [cov("SVMI", 10)], unknown=("type",))
    assert v.verdict == NOT_CHECKABLE
    assert v.reasons[0].startswith("no matching flight, but the store holds no type of any")
    assert decide(c, ["a flight"], 1, [cov("SVMI", 10)], ("type",)).verdict == SUPPORTED


def test_a_country_or_no_place_is_not_checkable() -> None:
    c = claim(action="landed", destination=("VE",))
    v = decide(c, [], 0, [cov("Venezuela", 500, kind="country")])
    assert v.verdict == NOT_CHECKABLE and "whole country" in v.reasons[0]
    nowhere = decide(claim(action="flew"), [], 0, [])
    assert nowhere.verdict == NOT_CHECKABLE and "names no place" in nowhere.reasons[0]


def test_fits_by_action_place_and_day() -> None:
    flights = [
        flight("UUWW", "SVMI", t(5), t(17)),  # 0: Moscow -> Caracas on the 20th
        flight("SVMI", "SVMC", t(15), t(16), "0d8198"),  # 1: leaves Caracas
        flight("UUWW", "SVMI", t(5, 19), t(17, 19), "154073"),  # 2: lands a day early
    ]
    cf = COUNTRY.get
    assert fits(claim(action="landed", destination=("SVMI",)), flights, lambda c: cf(c, "")) == [0]
    assert fits(claim(action="departed", origin=("SVMI",)), flights, lambda c: cf(c, "")) == [1]
    assert fits(claim(action="landed", destination=("VE",)), flights, lambda c: cf(c, "")) == [0, 1]
    assert fits(claim(action="flew", at=("SVMI",)), flights, lambda c: cf(c, "")) == [0, 1]
    both = claim(action="flew", origin=("UUWW",), destination=("SVMI",))
    assert fits(both, flights, lambda c: cf(c, "")) == [0]


def test_was_at_counts_a_stay_until_the_next_departure() -> None:
    later = date(2019, 9, 25)
    at = claim(action="was_at", at=("SVMI",), first_day=later, last_day=later)
    arrived = flight("UUWW", "SVMI", t(5), t(17))
    assert fits(at, [arrived], lambda c: COUNTRY.get(c, "")) == [0]
    left = flight("SVMI", "UUWW", t(9, 22), t(20, 22))  # left SVMI on the 22nd
    assert fits(at, [arrived, left], lambda c: COUNTRY.get(c, "")) == []
    before = claim(
        action="was_at", at=("SVMI",), first_day=date(2019, 9, 19), last_day=date(2019, 9, 19)
    )
    assert fits(before, [arrived], lambda c: COUNTRY.get(c, "")) == []
