"""flights stage: state vectors -> flights (segmentation, airport inference, gap bridging).

The names below are loaded on first use (PEP 562): a light submodule (the schema, the query)
must not pull in the airport index and pyarrow.compute (start-up, issue 18).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ..lazy import lazy_attr

if TYPE_CHECKING:
    from .airports import AirportIndex, load_runways
    from .builder import airport_inference, build_flights, ground_stays
    from .incremental import FlightBuilder
    from .schema import FLIGHT_SCHEMA, RUNWAY_SCHEMA

#: Each public name and the submodule that defines it.
_WHERE = {
    "AirportIndex": "airports",
    "load_runways": "airports",
    "airport_inference": "builder",
    "build_flights": "builder",
    "ground_stays": "builder",
    "FlightBuilder": "incremental",
    "FLIGHT_SCHEMA": "schema",
    "RUNWAY_SCHEMA": "schema",
}


def __getattr__(name: str) -> Any:
    return lazy_attr(__name__, _WHERE, globals(), name)


__all__ = [
    "FLIGHT_SCHEMA",
    "RUNWAY_SCHEMA",
    "AirportIndex",
    "FlightBuilder",
    "airport_inference",
    "build_flights",
    "ground_stays",
    "load_runways",
]
