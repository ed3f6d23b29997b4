"""Issue 11, classes 3 and 7 by aircraft kind: a helicopter's endurance ends its flight, a
glider's performance keeps a gap bridged; kinds come from the aircraft database (tar1090-db,
FlightAware's ICAO type descriptions) or the ADS-B emitter category, and the live builder given
the same kinds builds the same flights as the bulk one."""

from __future__ import annotations

import csv
import gzip
import lzma
from datetime import UTC, datetime
from pathlib import Path

import duckdb
import pyarrow as pa
import pyarrow.compute as pc
import pytest

from skywitness.flights import FlightBuilder, build_flights
from skywitness.flights.stage import FlightStage
from skywitness.identify.adsb_facts import record_adsb_facts
from skywitness.identify.importer import import_aircraft
from skywitness.identify.kinds import (
    Kind,
    aircraft_kinds,
    kind_of_category,
    kind_of_emitter,
    kind_of_type,
    resolve_kind,
)
from skywitness.store import load_traffic_json

TS = pa.timestamp("ms", tz="UTC")
BY = [("icao24", "ascending"), ("firstSeen", "ascending")]
REGA = "4b43ac"  # HB-ZQI, Rega's Airbus Helicopters EC145 (tar1090-db: EC45)
GLIDER = "ddb18b"  # F-CIJO over the Cevennes (a FLARM address: in no registry)
B1_GLIDER = 3 * 8 + 1  # emitter category B1 (TC 3, CA 1): glider / sailplane


def _at(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


def _ms(table: pa.Table) -> list[int]:
    return table["timestamp"].cast(pa.int64()).to_pylist()  # type: ignore[no-any-return]


def _tar1090_rows(shared_data: Path, addresses: set[str]) -> dict[str, dict[str, str]]:
    path = shared_data / "tar1090-db" / "aircraft_from_shards.csv.gz"
    with gzip.open(path, "rt", newline="") as f:
        return {r["icao24"]: r for r in csv.DictReader(f) if r["icao24"] in addresses}


def _rega_then_parked(trajectories: Path, hours: float) -> pa.Table:
    """Rega's EC145 flight over St. Gallen (last heard airborne 12:09:50), then the address
    parked at Zurich ``hours`` later (SWR's 4b17fd ground points, re-addressed, as REGA1)."""
    rega = load_traffic_json(trajectories / "ambulances" / "rega_sg.json.gz")
    z = load_traffic_json(trajectories / "onground" / "zurich_airport.json.gz")
    parked = z.filter(pc.equal(z["icao24"], "4b17fd"))
    shift = _ms(rega)[-1] + round(hours * 3600_000) - _ms(parked)[0]
    ms = pa.array([t + shift for t in _ms(parked)]).cast(TS)
    parked = parked.set_column(0, "timestamp", ms)
    for name, value in (("icao24", REGA), ("callsign", "REGA1")):
        i = parked.schema.get_field_index(name)
        parked = parked.set_column(i, name, pa.array([value] * parked.num_rows, pa.string()))
    return pa.concat_tables([rega, parked])


def test_kinds_from_types_and_emitter_categories() -> None:
    assert kind_of_type("EC45", "AIRBUS HELICOPTERS EC-145") == Kind.HELICOPTER
    assert kind_of_type("B739", "L2J") == Kind.JET
    assert kind_of_type("AT76", "L2T") == Kind.TURBOPROP
    assert kind_of_type("C172", "L1P") == Kind.PISTON
    assert kind_of_type("GLID", None) == Kind.GLIDER
    assert kind_of_type("B739", "BOEING 737-900") == Kind.UNKNOWN
    assert kind_of_emitter(B1_GLIDER) == Kind.GLIDER
    assert kind_of_emitter(4 * 8 + 7) == Kind.HELICOPTER  # A7 rotorcraft
    assert kind_of_emitter(4 * 8 + 3) == Kind.UNKNOWN  # A3 large: a jet or a turboprop
    assert kind_of_emitter(-1) == Kind.UNKNOWN


def test_helicopter_endurance_ends_the_flight(
    trajectories: Path, runways: pa.Table, shared_data: Path
) -> None:
    """Class 3 by kind: HB-ZQI last heard airborne at 12:09:50; the address is next seen
    parked at Zurich 5.5 hours later. By its speed alone (a slow aircraft: 10 h) that ground
    point was its landing; an EC145 (tar1090-db's type) cannot stay up 5.5 hours (5 h), so
    the flight ends airborne, its arrival estimated (Dubendorf, LSMD) with a window."""
    states = _rega_then_parked(trajectories, 5.5)
    row = _tar1090_rows(shared_data, {REGA})[REGA]
    assert (row["registration"], row["typecode"]) == ("HB-ZQI", "EC45")
    kind = kind_of_type(row["typecode"], row["description"])
    assert kind == Kind.HELICOPTER
    by_speed = build_flights(states, runways=runways).to_pylist()
    assert [(f["estArrivalAirport"], f["arrival_observed"]) for f in by_speed] == [("LSZH", True)]
    flights = build_flights(states, runways=runways, kinds={REGA: kind}).to_pylist()
    assert len(flights) == 1
    f = flights[0]
    assert (f["estArrivalAirport"], f["arrival_observed"], f["landing_time"]) == (
        "LSMD",
        False,
        None,
    )
    assert f["lastSeen"] == f["last_airborne"] == f["arrival_window_start"]
    assert f["lastSeen"] == _at("2019-05-23 12:09:50")
    assert f["n_positions"] == 1080  # rega_sg's rows, none of the parked ones


def test_glider_gap_bridged_by_kind(trajectories: Path, runways: pa.Table) -> None:
    """Class 7 by kind: F-CIJO's track without its ground speeds (a source that gives
    positions only). An aircraft of unknown speed is assumed an airliner (250 kt, 3,000
    ft/min) that could have landed in its 27- and 28-minute gaps: 3 flights. Known as a glider
    (emitter category B1: at most 150 kt and 800 ft/min) it could not: one flight, Florac to
    Florac, its three gaps bridged, as with its speeds."""
    states = load_traffic_json(trajectories / "gliders" / "cevennes.json.gz")
    positions = states.drop_columns(["groundspeed"])
    split = build_flights(positions, runways=runways).to_pydict()
    assert split["n_positions"] == [608, 196, 597]
    kinds = {GLIDER: int(kind_of_emitter(B1_GLIDER))}
    d = build_flights(positions, runways=runways, kinds=kinds).to_pydict()
    assert d["n_positions"] == [states.num_rows] == [1401]
    assert (d["estDepartureAirport"], d["estArrivalAirport"]) == (["LFNL"], ["LFNL"])
    assert d["gaps_bridged"] == [3]


@pytest.mark.parametrize("case", ["helicopter", "glider"])
def test_live_equals_bulk_with_kinds(trajectories: Path, runways: pa.Table, case: str) -> None:
    """The live builder, fed 10-minute chunks and given the same kinds, builds the bulk's
    flights (the stage's optional ``kinds`` reaches both paths)."""
    if case == "helicopter":
        states, kinds = _rega_then_parked(trajectories, 5.5), {REGA: int(Kind.HELICOPTER)}
    else:
        states = load_traffic_json(trajectories / "gliders" / "cevennes.json.gz")
        states, kinds = states.drop_columns(["groundspeed"]), {GLIDER: int(Kind.GLIDER)}
    states = states.sort_by("timestamp")
    bulk = build_flights(states, runways=runways, kinds=kinds).sort_by(BY)
    live = FlightBuilder(runways, kinds=kinds)
    ms = _ms(states)
    step = 600_000
    for start in range(ms[0], ms[-1] + 1, step):
        chunk = states.filter(pa.array([start <= t < start + step for t in ms]))
        if chunk.num_rows:
            live.update(chunk)
    assert live.flights().equals(bulk)
    stage = FlightStage(runways, kinds=kinds)  # the stage passes them on
    assert stage.step(states).changed.sort_by(BY).equals(bulk)


def test_kinds_from_the_identity_store(tmp_path: Path, shared_data: Path) -> None:
    """``aircraft_kinds`` over a catalogue with tar1090-db imported (type names) and
    FlightAware's row for N899DN (ICAO description): the EC145 and EC135 by their names, the
    Boeing 737-900 of the readsb trace (ac671b, B739) by its description L2J; an A320 of
    unknown kind (D-AIBD: tar1090-db names it an "AIRBUS A-319" only) is left out."""
    con = duckdb.connect(str(tmp_path / "catalog.duckdb"))
    import_aircraft(con, shared_data / "tar1090-db" / "aircraft_from_shards.csv.gz", "tar1090")
    fa = shared_data / "flightaware-aircraft-db" / "flightaware-20250514.csv.xz"
    with lzma.open(fa, "rt", newline="") as f:
        rows = [r for r in csv.reader(f) if r[0] in ("icao24", "AC671B", "4B43AC")]
    sub = tmp_path / "flightaware.csv"
    with sub.open("w", newline="") as f:
        csv.writer(f).writerows(rows)
    assert rows == [["icao24", "r", "t", "desc"], ["AC671B", "N899DN", "B739", "L2J"]]
    import_aircraft(con, sub, "tar1090", source="flightaware")
    kinds = aircraft_kinds(con, ["ac671b", "4b43ac", "39ac45", "3c6444"])
    assert kinds == {
        "ac671b": int(Kind.JET),
        "4b43ac": int(Kind.HELICOPTER),
        "39ac45": int(Kind.HELICOPTER),
    }
    every = aircraft_kinds(con)
    assert {a: every[a] for a in kinds} == kinds
    assert aircraft_kinds(con, []) == {}
    assert aircraft_kinds(duckdb.connect(), ["ac671b"]) == {}  # no identity tables yet
    # emitter categories as transmitted (source adsb): N899DN's A3 (its readsb trace) and an
    # A1 for the EC145 leave their type kinds; the glider, in no database, is known by its B1;
    # the A319's A3 (a weight class) gives it no kind
    stamp = datetime(2026, 1, 1)
    cats = {"ac671b": "A3", "4b43ac": "A1", GLIDER: "B1", "3c6444": "A3"}
    assert record_adsb_facts(con, cats, "test", stamp) == 4
    assert record_adsb_facts(con, cats, "test", stamp) == 0  # already current: not rewritten
    assert aircraft_kinds(con, [*kinds, GLIDER, "3c6444"]) == {**kinds, GLIDER: int(Kind.GLIDER)}


def test_which_kind_wins() -> None:
    """A decisive category (B1, B2, A7) wins over the type; the type wins over set A's weight
    and performance classes; those count only where no type gives a kind."""
    assert resolve_kind(int(Kind.JET), "B1") == Kind.GLIDER
    assert resolve_kind(int(Kind.PISTON), "B2") == Kind.LIGHTER_THAN_AIR
    assert resolve_kind(int(Kind.PISTON), "A7") == Kind.HELICOPTER
    assert resolve_kind(int(Kind.HELICOPTER), "A1") == Kind.HELICOPTER
    assert resolve_kind(int(Kind.JET), "A6") == Kind.JET
    assert resolve_kind(0, "A6") == Kind.MILITARY
    assert resolve_kind(0, "B4") == Kind.PISTON
    assert resolve_kind(0, "A3") == Kind.UNKNOWN
    assert resolve_kind(int(Kind.TURBOPROP), None) == Kind.TURBOPROP
    assert kind_of_category("b1") == Kind.GLIDER
    assert kind_of_category("X1") == kind_of_category(None) == Kind.UNKNOWN
