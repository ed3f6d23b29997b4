"""flights stage: state vectors -> flights (segmentation, airport inference, gap bridging)."""

from .airports import AirportIndex, load_runways
from .builder import airport_inference, build_flights, ground_stays
from .incremental import FlightBuilder
from .schema import FLIGHT_SCHEMA, RUNWAY_SCHEMA

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
