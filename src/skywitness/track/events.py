"""Tracker events: what changed about an aircraft (first seen, callsign, squawk, takeoff...)."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any


class EventKind(StrEnum):
    FIRST_SEEN = "first_seen"
    POSITION = "position"  # first position of an aircraft (or the first after it was lost)
    CALLSIGN_CHANGE = "callsign_change"
    SQUAWK_CHANGE = "squawk_change"
    TAKEOFF_GROUND_TO_AIR = "takeoff_ground_to_air"
    LANDING_AIR_TO_GROUND = "landing_air_to_ground"
    LOST = "lost"


#: Squawk codes with a meaning of their own (ICAO Annex 10): the ``alert`` field of the event.
SPECIAL_SQUAWKS: dict[str, str] = {"7500": "hijack", "7600": "radio_failure", "7700": "emergency"}


@dataclass(frozen=True, slots=True)
class Event:
    """One event: ``timestamp`` unix s UTC, ``icao24`` 6 hex digits ('~' prefix: non-ICAO)."""

    kind: EventKind
    timestamp: float
    icao24: str
    fields: dict[str, Any] = field(default_factory=dict)
