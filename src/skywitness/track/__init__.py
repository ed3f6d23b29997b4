"""track stage: the one per-aircraft state, state vectors and events."""

from .address_filter import ADDRESS_WINDOW_S, AddressFilter
from .events import EMERGENCY_SQUAWKS, Event, EventKind
from .snapshot import AircraftSnapshot
from .state_vectors import NON_ICAO_FLAG, StateVectors, icao24_hex, state_schema
from .tracker import Tracker

__all__ = [
    "ADDRESS_WINDOW_S",
    "EMERGENCY_SQUAWKS",
    "NON_ICAO_FLAG",
    "AddressFilter",
    "AircraftSnapshot",
    "Event",
    "EventKind",
    "StateVectors",
    "Tracker",
    "icao24_hex",
    "state_schema",
]
