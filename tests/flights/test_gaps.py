"""Acceptance 3: gap bridging on real flights.

A real flight with 30 minutes of cruise cut out stays one flight with one more bridged gap; an
approach to Orly and a climb-out from Le Bourget of the same airframe 50 minutes apart (the
landing and takeoff cut out) are two flights, each end estimated at its airport; the same two
sides only 12 minutes apart (less than a turnaround) stay one flight.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pytest

from skywitness.flights import AirportIndex, build_flights
from skywitness.flights.gaps import same_flight
from skywitness.store import load_traffic_json

from ._load import load_trace

CUT_S = 1800  # 30 minutes of cruise removed


def _cut(states: pa.Table, start_s: float, length_s: float) -> pa.Table:
    ts = states["timestamp"].cast("int64").to_numpy() / 1000
    t0 = ts.min() + start_s
    return states.filter(pa.array((ts < t0) | (ts >= t0 + length_s)))


def test_thirty_minutes_of_cruise_removed_is_one_flight(trajectories: Path) -> None:
    states, _ = load_trace(trajectories / "readsb" / "trace_full_ac671b.json")
    leg1 = states.slice(0, 770)  # DAL1812, Belize -> Minneapolis
    whole = build_flights(leg1)
    cut = _cut(leg1, 7000, CUT_S)
    removed = leg1.filter(pc.invert(pc.is_in(leg1["timestamp"], cut["timestamp"])))
    assert removed.num_rows == 98
    assert pc.min(removed["altitude"]).as_py() >= 35000  # cruise
    flights = build_flights(cut)
    assert whole.num_rows == flights.num_rows == 1
    d = flights.to_pydict()
    assert d["gaps_bridged"] == [whole["gaps_bridged"][0].as_py() + 1] == [2]
    assert d["longest_gap_s"][0] > CUT_S
    assert d["estArrivalAirport"] == ["KMSP"]
    assert d["n_positions"][0] == cut.num_rows


def test_cruise_gap_on_porto_zurich(trajectories: Path) -> None:
    states = load_traffic_json(trajectories / "noisy" / "noisy_time_issue.json.gz")
    flights = build_flights(_cut(states, 3600, CUT_S))
    d = flights.to_pydict()
    assert flights.num_rows == 1
    assert (d["estDepartureAirport"], d["estArrivalAirport"]) == (["LPPR"], ["LSZH"])
    assert d["gaps_bridged"] == [1]
    assert round(d["longest_gap_s"][0]) == 1801


def _stitched(quickstart: pa.Table, runways: pa.Table, gap_s: float) -> pa.Table:
    flights = build_flights(quickstart, runways=runways).to_pylist()
    a = next(f for f in flights if f["arrival_observed"] and f["estArrivalAirport"] == "LFPO")
    b = next(
        f
        for f in flights
        if f["departure_observed"]
        and f["estDepartureAirport"] == "LFPB"
        and f["icao24"] != a["icao24"]
    )
    ts = quickstart["timestamp"]

    def part(f: dict[str, Any], lo: object, hi: object) -> pa.Table:
        m = pc.and_(
            pc.equal(quickstart["icao24"], f["icao24"]),
            pc.and_(
                pc.greater_equal(ts, pa.scalar(lo, ts.type)), pc.less(ts, pa.scalar(hi, ts.type))
            ),
        )
        return quickstart.filter(m)

    side1 = part(a, a["firstSeen"], a["landing_time"])  # up to touchdown, airborne only
    side2 = part(b, b["takeoff_time"], b["lastSeen"])  # from liftoff, airborne only
    t1 = side1["timestamp"].cast("int64").to_numpy()[-1]
    t2 = side2["timestamp"].cast("int64").to_numpy()[0]
    shift = t1 + int(gap_s * 1000) - t2
    side2 = side2.set_column(
        0, "timestamp", pa.array(side2["timestamp"].cast("int64").to_numpy() + shift).cast(ts.type)
    )
    side2 = side2.set_column(1, "icao24", pa.array([a["icao24"]] * side2.num_rows))
    return pa.concat_tables([side1, side2])


def test_gap_hiding_a_landing_gives_two_flights(quickstart: pa.Table, runways: pa.Table) -> None:
    flights = build_flights(_stitched(quickstart, runways, 50 * 60), runways=runways)
    d = flights.to_pydict()
    assert flights.num_rows == 2
    assert d["estArrivalAirport"][0] == "LFPO"
    assert d["arrival_observed"][0] is False
    assert d["estDepartureAirport"][1] == "LFPB"
    assert d["departure_observed"][1] is False
    assert d["gaps_bridged"] == [0, 0]


def test_first_points_without_position_do_not_bridge_a_gap(
    quickstart: pa.Table, runways: pa.Table
) -> None:
    # the same stitched pair, but the first five state vectors after the gap carry no position
    # (an altitude or velocity message came first): the gap is judged on the nearest points
    # that have one, and the landing it hides still splits the flight
    states = _stitched(quickstart, runways, 50 * 60)
    ms = states["timestamp"].cast("int64").to_numpy()
    after = int(np.argmax(np.diff(ms))) + 1
    blank = np.zeros(states.num_rows, dtype=bool)
    blank[after : after + 5] = True
    for name in ("latitude", "longitude"):
        col = states[name].to_numpy(zero_copy_only=False).astype(np.float64)
        i = states.column_names.index(name)
        states = states.set_column(
            i, name, pa.array(np.where(blank, np.nan, col), from_pandas=True)
        )
    flights = build_flights(states, runways=runways)
    assert flights.num_rows == 2 and flights["gaps_bridged"].to_pylist() == [0, 0]
    assert flights["estArrivalAirport"][0].as_py() == "LFPO"


def test_gap_shorter_than_a_turnaround_is_bridged(quickstart: pa.Table, runways: pa.Table) -> None:
    flights = build_flights(_stitched(quickstart, runways, 12 * 60), runways=runways)
    d = flights.to_pydict()
    assert flights.num_rows == 1
    assert d["gaps_bridged"] == [1]


@pytest.mark.parametrize(
    ("case", "expected"),
    [
        # 450 kt over the North Atlantic, 2 h gap covering 900 NM: kept flying
        ((0, 50.0, -30.0, 37000, 450, 7200, 50.0, -5.0, 37000, 450), True),
        # lost time in mid-Atlantic, no airport within reach of a landing: still one flight
        ((0, 45.0, -40.0, 37000, 450, 3000, 45.0, -39.5, 37000, 450), True),
        # lost four hours near Spokane at 8,000 ft: could have landed at KGEG
        ((0, 47.47, -117.03, 8450, 270, 14400, 47.53, -117.28, 11275, 340), False),
    ],
)
def test_same_flight_rule(case: tuple[float, ...], expected: bool) -> None:
    t1, lat1, lon1, alt1, gs1, t2, lat2, lon2, alt2, gs2 = (
        np.array([v], dtype=np.float64) for v in case
    )
    got = same_flight(AirportIndex.default(), t1, lat1, lon1, alt1, gs1, t2, lat2, lon2, alt2, gs2)
    assert got.tolist() == [expected]


def test_landing_inside_a_gap_gives_a_window(trajectories: Path, runways: pa.Table) -> None:
    """DAL2927 MSP -> DEN with its last 15 airborne minutes missing: the arrival airport is still
    observed (it is seen on the ground at KDEN) but the landing time is a window, not a time."""
    states, _ = load_trace(trajectories / "readsb" / "trace_full_ac671b.json")
    leg4 = states.slice(1806)
    landing = build_flights(leg4, runways=runways)["landing_time"][0].as_py().timestamp()
    ts = leg4["timestamp"].cast("int64").to_numpy() / 1000
    cut = leg4.filter(pa.array((ts < landing - 900) | (ts >= landing)))
    d = build_flights(cut, runways=runways).to_pydict()
    assert d["estArrivalAirport"] == ["KDEN"] and d["arrival_observed"] == [True]
    assert d["landing_time"] == [None]
    kept = ts[(ts < landing - 900) | (ts >= landing)]
    start, end = d["arrival_window_start"][0].timestamp(), d["arrival_window_end"][0].timestamp()
    assert start == pytest.approx(kept[kept < landing - 900][-1], abs=1e-3)
    assert end == pytest.approx(landing, abs=1e-3)
    assert d["gaps_bridged"] == [0]
