"""Fixtures for the simulator tests: a short two-aircraft scenario, simulated once per session."""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from skywitness.decode import decode_batch
from skywitness.model import FrameBatch, Messages
from skywitness.simulate import Scenario, parse_scenario, simulate

#: Two short legs in opposite corners of the CPR grid: north-east (Moscow -> St Petersburg)
#: and south-west (Sao Paulo -> Rio de Janeiro), each with receivers at both ends, no loss.
SHORT_TOML = """
name = "short"
start = 2020-01-01T00:00:00Z
seed = 7

[[receivers]]
name = "sheremetyevo"
lat = 55.97
lon = 37.41
radius_nm = 250
altitude_ft = 600

[[receivers]]
name = "pulkovo"
lat = 59.80
lon = 30.26
radius_nm = 250
altitude_ft = 600

[[receivers]]
name = "guarulhos"
lat = -23.43
lon = -46.47
radius_nm = 250
altitude_ft = 2700

[[receivers]]
name = "galeao"
lat = -22.81
lon = -43.25
radius_nm = 250
altitude_ft = 100

[[aircraft]]
icao24 = "151dc8"
registration = "RA-73160"
type = "A321"
callsign = "AFL36"
category = "A3"
squawk = "4312"
cruise_altitude_ft = 33000
cruise_speed_kt = 440
route = [
    { airport = "UUEE", depart = 2020-01-01T00:05:00Z },
    { airport = "ULLI" },
]

[[aircraft]]
icao24 = "e48a1f"
registration = "PR-XBA"
type = "A320"
callsign = "TAM3300"
category = "A3"
squawk = "7613"
cruise_altitude_ft = 24000
cruise_speed_kt = 400
route = [
    { airport = "SBGR", depart = 2020-01-01T00:20:00Z },
    { airport = "SBGL" },
]
"""


@dataclass(frozen=True)
class Run:
    scenario: Scenario
    frames: FrameBatch
    msgs: Messages


@pytest.fixture(scope="session")
def short_scenario() -> Scenario:
    return parse_scenario(SHORT_TOML, "short.toml")


@pytest.fixture(scope="session")
def short_run(short_scenario: Scenario) -> Run:
    frames = FrameBatch.concat(list(simulate(short_scenario)))
    return Run(short_scenario, frames, decode_batch(frames))
