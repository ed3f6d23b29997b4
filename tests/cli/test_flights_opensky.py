"""``flights --format opensky``: OpenSky's /flights JSON, as tools written for OpenSky read it."""

from __future__ import annotations

import contextlib
import io
import json
from pathlib import Path

from skywitness.cli.flights_cmd import OPENSKY_FIELDS
from skywitness.cli.main import main


def test_opensky_flights_json(shared_data: Path, tmp_path: Path) -> None:
    trace = shared_data / "traffic-trajectories" / "readsb" / "trace_full_ac671b.json"
    data = str(tmp_path / "d")
    assert main(["ingest", str(trace), "--data-dir", data, "-q"]) == 0
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        assert main(["flights", "--data-dir", data, "--format", "opensky"]) == 0
    flights = json.loads(out.getvalue())
    assert len(flights) == 4 and all(tuple(f) == OPENSKY_FIELDS for f in flights)
    # the trace starts airborne over Belize (2025-02-04T21:13:42Z) and lands at MSP
    assert flights[0] == {
        "icao24": "ac671b", "firstSeen": 1738703622, "estDepartureAirport": None,
        "lastSeen": 1738718117, "estArrivalAirport": "KMSP", "callsign": "DAL1812 ",
        "estDepartureAirportHorizDistance": None, "estDepartureAirportVertDistance": None,
        "estArrivalAirportHorizDistance": 285, "estArrivalAirportVertDistance": 0,
        "departureAirportCandidatesCount": 0, "arrivalAirportCandidatesCount": 1,
    }  # fmt: skip
    assert [f["callsign"] for f in flights] == ["DAL1812 ", "DAL2418 ", "DAL1615 ", "DAL2927 "]
