"""Synthetic tracks shared by the flights and live-service tests."""

from __future__ import annotations

import pyarrow as pa

from tests.watch.helpers import T0, states

#: EBBR runway 25R's threshold and 07L's (its other end), from OurAirports.
EBBR_25R = (50.912601, 4.502630)
EBBR_07L = (50.898899, 4.455660)


def brussels_departure(icao24: str = "44a001") -> pa.Table:
    """A take-off roll on EBBR 25R (36 s on the ground) and a straight climb-out (8 min)."""
    (la0, lo0), (la1, lo1) = EBBR_25R, EBBR_07L

    def at(f: float) -> dict[str, float]:
        return {"latitude": la0 + (la1 - la0) * f, "longitude": lo0 + (lo1 - lo0) * f}

    rows = [
        {"t": T0 + 3 * k, "icao24": icao24, "onground": True, "groundspeed": 20.0 + 12 * k,
         "track": 245.0, **at(0.7 * k / 11)}
        for k in range(12)
    ] + [
        {"t": T0 + 36 + 6 * k, "icao24": icao24, "onground": False,
         "altitude": 500.0 + 300 * k, "groundspeed": 180.0 + k, "track": 245.0,
         **at(0.7 + 0.12 * k)}
        for k in range(1, 80)
    ]  # fmt: skip
    return states(rows)
