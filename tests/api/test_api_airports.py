"""``/api/airports``: the airports of a map view with their runways, for the web map."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from skywitness.api.places import airports_in, parse_bbox
from skywitness.flights.airports import AirportIndex, load_runways

ZURICH = (47.40, 8.45, 47.52, 8.65)  # south, west, north, east


@pytest.fixture(scope="module")
def runways(shared_data: Path) -> Any:
    return load_runways(shared_data / "ourairports" / "runways.csv.gz")


def test_airports_in_a_view_with_runways(runways: Any) -> None:
    out = airports_in(AirportIndex.default(), runways, ZURICH)
    lszh = next(a for a in out["airports"] if a["icao"] == "LSZH")
    assert out["airports"][0]["icao"] == "LSZH"  # airports with runways come first
    assert (lszh["iata"], lszh["country"]) == ("ZRH", "CH")
    # the three paved runways (OurAirports rows with both thresholds; the grass strip too)
    idents = sorted((r[4], r[5]) for r in lszh["runways"])
    assert ("10", "28") in idents and ("14", "32") in idents and ("16", "34") in idents
    r14 = next(r for r in lszh["runways"] if r[4] == "14")
    assert r14[:4] == [47.483101, 8.53473, 47.4613, 8.56446]


def test_airports_without_runways_and_limits() -> None:
    out = airports_in(AirportIndex.default(), None, (45.8, 5.9, 47.8, 10.5), limit=1)  # CH
    assert out["count"] == 1 and out["truncated"] is True
    assert out["airports"][0]["runways"] == []
    # a view across the antimeridian: Fiji's Nadi (NFFN, 177.4 E) and Apia (NSFA, 172 W)
    across = airports_in(AirportIndex.default(), None, (-20.0, 170.0, -10.0, -170.0))
    icaos = {a["icao"] for a in across["airports"]}
    assert {"NFFN", "NSFA"} <= icaos
    with pytest.raises(ValueError, match="south,west,north,east"):
        parse_bbox("1,2,3")
    with pytest.raises(ValueError, match="out of range"):
        parse_bbox("50,8,40,9")


def test_endpoint(get: Any) -> None:
    body = get("/api/airports?bbox=55.8,37.2,56.1,37.7")
    assert "UUEE" in {a["icao"] for a in body["airports"]}
    get("/api/airports?bbox=oops", status=400)
    get("/api/airports?bbox=55.8,37.2,56.1,37.7&limit=0", status=400)
