"""track stage: the one per-aircraft state, state vectors and events.

The names below are loaded on first use (PEP 562): ``decode`` needs only the address filter,
not the tracker and everything it brings (start-up, issue 18).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ..lazy import lazy_attr

if TYPE_CHECKING:
    from ..model import NON_ICAO_FLAG
    from .address_filter import ADDRESS_WINDOW_S, AddressFilter
    from .events import EMERGENCY_SQUAWKS, Event, EventKind
    from .snapshot import AircraftSnapshot
    from .state_vectors import StateVectors, icao24_hex, state_schema
    from .tracker import Tracker

#: Each public name and the submodule that defines it.
_WHERE = {
    "ADDRESS_WINDOW_S": "address_filter",
    "AddressFilter": "address_filter",
    "EMERGENCY_SQUAWKS": "events",
    "Event": "events",
    "EventKind": "events",
    "AircraftSnapshot": "snapshot",
    "NON_ICAO_FLAG": "state_vectors",  # (defined in ``model``, where ``decode`` gets it)
    "StateVectors": "state_vectors",
    "icao24_hex": "state_vectors",
    "state_schema": "state_vectors",
    "Tracker": "tracker",
}


def __getattr__(name: str) -> Any:
    return lazy_attr(__name__, _WHERE, globals(), name)


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
