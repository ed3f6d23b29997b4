"""Acceptance 1: the readsb trace of N899DN splits into readsb's own four legs, every observed
landing named (KMSP, KMSP, KDEN) and the unobserved one at Spokane estimated (KGEG).

The Spokane ends are estimates: last seen 37 km east of KGEG at 8,450 ft, descending at 272 kt
on a track of 256 degrees, and first seen again climbing out west of it. Airstrips lie closer
and straighter ahead (Paradise Air Ranch WA62, 23.6 km, 18 degrees off the track; Silverbird
WT04 behind the departure); what rules them out for a Boeing 737 is their runways (2,700 ft
and 2,500 ft of turf), which OurAirports lists. Without runway data nothing does, and
geometry names the airstrips: an airport's lacking an IATA code only breaks ties (issue 11,
class 8; Spangle Field 03WA, 20.7 km dead ahead, is too steep a descent for a jet: 5 degrees).
"""

from __future__ import annotations

import itertools
from pathlib import Path

import numpy as np
import pyarrow as pa
import pytest

from skywitness.flights import build_flights

from ._load import load_trace


@pytest.fixture(scope="module")
def trace(trajectories: Path) -> tuple[pa.Table, list[int]]:
    return load_trace(trajectories / "readsb" / "trace_full_ac671b.json")


@pytest.mark.parametrize("with_runways", [True, False])
def test_four_legs_as_readsb_splits_them(
    trace: tuple[pa.Table, list[int]], runways: pa.Table, with_runways: bool
) -> None:
    states, legs = trace
    assert legs == [770, 1332, 1806]
    flights = build_flights(states, runways=runways if with_runways else None)
    d = flights.to_pydict()
    starts = np.cumsum([0, *d["n_positions"]])
    assert starts.tolist() == [0, 770, 1332, 1806, 2500]
    assert d["callsign"] == ["DAL1812", "DAL2418", "DAL1615", "DAL2927"]
    spokane = ("KGEG", "KGEG") if with_runways else ("WA62", "WT04")
    assert d["estDepartureAirport"] == [None, "KMSP", spokane[1], "KMSP"]
    assert d["departure_observed"] == [False, True, False, True]
    assert d["estArrivalAirport"] == ["KMSP", spokane[0], "KMSP", "KDEN"]
    assert d["arrival_observed"] == [True, False, True, True]
    # landing = first "ground" point after the last airborne one, takeoff = first airborne one
    ts = states["timestamp"].cast("int64").to_numpy() / 1000
    og = states["onground"].to_numpy(zero_copy_only=False).astype(bool)
    for k, (a, b) in enumerate(itertools.pairwise(starts)):
        air = np.flatnonzero(~og[a:b]) + a
        land = d["landing_time"][k]
        if d["arrival_observed"][k]:
            assert land.timestamp() == pytest.approx(ts[air[-1] + 1], abs=1e-3)
        else:
            assert land is None
            # the estimated arrival carries a window starting at the last position
            assert d["arrival_window_start"][k].timestamp() == pytest.approx(ts[b - 1], abs=1e-3)
        take = d["takeoff_time"][k]
        if d["departure_observed"][k]:
            assert take.timestamp() == pytest.approx(ts[air[0]], abs=1e-3)
        else:
            assert take is None
    # the estimated Spokane arrival: horizontal and vertical distance as OpenSky reports them
    horiz, vert = (36925, 1849) if with_runways else (23590, 1859)
    assert round(d["estArrivalAirportHorizDistance"][1]) == horiz
    assert round(d["estArrivalAirportVertDistance"][1]) == vert
    assert all(0.0 < c <= 1.0 for c in d["confidence"])
    assert d["flight_id"][0] == "ac671b-20250204T211342.619Z"
