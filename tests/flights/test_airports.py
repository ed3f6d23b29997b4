"""Airports (airportsdata) lookup and spatial index, OurAirports runways."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pyarrow as pa

from skywitness.flights import RUNWAY_SCHEMA, AirportIndex, build_flights
from skywitness.flights.airports import RunwayIndex, has_thresholds, haversine_m
from tests.flights.tracks import brussels_departure


def test_lookup_icao_and_iata() -> None:
    idx = AirportIndex.default()
    cdg = idx.lookup("CDG")
    assert cdg is not None and cdg.icao == "LFPG" and cdg.country == "FR"
    assert cdg.elevation_ft == 392.0
    lfpg = idx.lookup("lfpg")
    assert lfpg == cdg
    assert idx.lookup("GEG") is not None and idx.lookup("GEG").icao == "KGEG"  # type: ignore[union-attr]
    assert idx.lookup("ZZZZZ") is None
    assert len(idx) == 28298


def test_within_and_nearest() -> None:
    idx = AirportIndex.default()
    # Le Bourget's centre: CDG and four airfields within 25 km (Orly is 28 km away)
    qi, ai, d = idx.within(np.array([48.969444]), np.array([2.441389]), 25_000.0)
    names = {str(idx.icao[a]) for a in ai}
    assert names == {"LFFE", "LFPA", "LFPB", "LFPG", "LFPH", "LFPL"}
    assert np.all(d <= 25_000.0) and np.all(qi == 0)
    near, dist = idx.nearest(
        np.array([48.969444, 0.0, np.nan]), np.array([2.441389, -30.0, 0.0]), 5000
    )
    assert str(idx.icao[near[0]]) == "LFPB" and dist[0] < 1000
    assert near[1:].tolist() == [-1, -1]


def test_load_runways(runways: pa.Table) -> None:
    assert runways.schema == RUNWAY_SCHEMA
    # every runway with both thresholds (a centre line) or a length (which aircraft fit)
    assert runways.num_rows == 47892
    assert pa.compute.sum(has_thresholds(runways)).as_py() == 15536
    strip = runways.filter(pa.compute.equal(runways["airport_ident"], "03WA")).to_pylist()
    assert [(r["length_ft"], r["surface"], r["le_latitude_deg"]) for r in strip] == [
        (2800.0, "GRAVEL", None)
    ]
    lfpg = runways.filter(pa.compute.equal(runways["airport_ident"], "LFPG"))
    assert sorted(lfpg["le_ident"].to_pylist()) == ["08H", "08L", "08R", "09L", "09R"]


def test_runway_centre_line_distance(runways: pa.Table) -> None:
    apts = AirportIndex.default()
    rwy = RunwayIndex(runways, apts)
    lfpg = apts.index_of("LFPG")
    # on the 09L threshold, then 1 km north of the 09L/27R centre line's middle, along and across
    lat = np.array([49.02470016479492, 49.0257 + 1000 / 111_195])
    lon = np.array([2.5248899459838867, 2.5433])
    d, mis = rwy.distance(lat, lon, np.array([lfpg, lfpg]), np.array([85.3, 175.3]))
    assert d[0] < 1.0
    assert 950 < d[1] < 1010
    assert mis[0] < 1.0 and 89.0 < mis[1] <= 90.0


def test_within_matches_brute_force() -> None:
    idx = AirportIndex.default()
    rng = np.random.default_rng(7)
    qlat = np.r_[rng.uniform(-89.9, 89.9, 300), 89.5, -89.5, 52.0, 0.0]
    qlon = np.r_[rng.uniform(-180.0, 179.99, 300), 10.0, -150.0, 179.9, -179.95]
    radius = np.r_[rng.uniform(0, 400_000, 300), 300_000.0, 300_000.0, 250_000.0, 500_000.0]
    qi, ai, _ = idx.within(qlat, qlon, radius)
    got = set(zip(qi.tolist(), ai.tolist(), strict=True))

    full = haversine_m(qlat[:, None], qlon[:, None], idx.lat[None, :], idx.lon[None, :])
    want = {(int(a), int(b)) for a, b in zip(*np.nonzero(full <= radius[:, None]), strict=True)}
    assert got == want
    assert len(want) > 1000


def test_airports_listed_far_from_their_runways_move_onto_them(runways: pa.Table) -> None:
    idx = AirportIndex.default()
    moved_idx, moved = idx.moved_to_runways(runways)
    assert len(moved) == 42 and len(moved_idx) == len(idx)
    # every Belgian airport and Luxembourg's are listed 12-42 km off in airportsdata
    belgian = sorted(k for k in moved if k.startswith("EB"))
    assert len(belgian) == 15 and "ELLX" in moved
    assert round(moved["EBBR"]) == 42419 and round(moved["ELLX"]) == 29002
    bru = moved_idx.lookup("BRU")
    assert bru is not None and bru.icao == "EBBR" and bru.elevation_ft == 175.0
    # Brussels Airport's reference point (AIP Belgium): 50°54'05"N 004°29'04"E
    assert haversine_m(bru.lat, bru.lon, 50.90139, 4.48444) < 1_000
    # airports listed where their runways are stay; codes naming two places (> 50 km) stay
    assert "LFPG" not in moved and moved_idx.lookup("LFPG") == idx.lookup("LFPG")
    assert "KX04" not in moved and moved_idx.lookup("KX04") == idx.lookup("KX04")
    # the spatial index follows: the runway midpoint of 07L/25R finds EBBR, not before
    near, _ = moved_idx.nearest(np.array([50.9058]), np.array([4.4791]), 5_000.0)
    assert str(moved_idx.icao[near[0]]) == "EBBR"
    before, _ = idx.nearest(np.array([50.9058]), np.array([4.4791]), 5_000.0)
    assert before[0] == -1
    # nothing to move: the same index back
    assert idx.moved_to_runways(runways.slice(0, 0)) == (idx, {})


def test_a_brussels_departure_is_found_once_runways_are_known(runways: pa.Table) -> None:
    without = build_flights(brussels_departure()).to_pylist()[0]
    assert without["estDepartureAirport"] is None  # airportsdata's EBBR is 42 km south-west
    flight = build_flights(brussels_departure(), runways=runways).to_pylist()[0]
    assert flight["estDepartureAirport"] == "EBBR" and flight["departure_observed"]
    assert flight["estDepartureAirportHorizDistance"] < 1.0  # m from the runway centre line
    assert flight["departure_confidence"] > 0.99


def test_longest_runways_and_their_surfaces(runways: pa.Table) -> None:
    """OurAirports lengths and surfaces: which aircraft an airport can take (issue 11, class
    8: a Boeing 737 is not bound for Spangle Field's 2,800 ft of gravel)."""
    apts = AirportIndex.default()
    rwy = RunwayIndex(runways, apts)
    at = {c: apts.index_of(c) for c in ("KGEG", "03WA", "WT04", "LFFZ", "LFAB", "K72S", "LFPG")}
    got = {c: (rwy.longest_ft[i], rwy.longest_paved_ft[i]) for c, i in at.items()}
    assert got == {
        "KGEG": (11002.0, 11002.0),
        "03WA": (2800.0, 0.0),  # GRAVEL
        "WT04": (2500.0, 0.0),  # Turf
        "LFFZ": (3117.0, 0.0),  # "Unpaved"
        "LFAB": (2690.0, 2690.0),  # "UNK": an unknown surface rules nothing out
        "K72S": (2807.0, 2807.0),  # listed under its FAA identifier 72S, ASPH-G
        "LFPG": (13829.0, 13829.0),
    }


def test_default_index_read_whole_is_the_one_of_airportsdata_load(tmp_path: Path) -> None:
    """The default index, read by Arrow's CSV reader, holds exactly what ``AirportIndex`` of
    ``airportsdata.load("ICAO")`` (the per-airport reading) holds; a table with a repeated
    key is left to ``load``'s own reading."""
    import airportsdata

    from skywitness.flights.airport_table import airportsdata_columns

    fast = AirportIndex.default()
    slow = AirportIndex(airportsdata.load("ICAO"))
    for name in ("icao", "iata", "name", "country", "lat", "lon", "elevation_ft", "lid", "cell"):
        a, b = getattr(fast, name), getattr(slow, name)
        assert a.dtype == b.dtype and a.tolist() == b.tolist(), name
    assert fast._by_code == slow._by_code
    csv = Path(airportsdata.__file__).parent / "airports.csv"
    lines = csv.read_text(encoding="utf8").splitlines()
    (tmp_path / "twice.csv").write_text("\n".join([*lines[:3], lines[2]]), encoding="utf8")
    assert airportsdata_columns(tmp_path / "twice.csv") is None
    assert airportsdata_columns(csv) is not None
