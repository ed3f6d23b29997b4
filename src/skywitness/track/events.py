"""The one event vocabulary: every kind of event skywitness reports, each defined once.

Who reports which (one definition each):

- the tracker, per aircraft from its state: ``seen`` (first state vector, or the first after it
  was lost), ``position`` (its first position), ``callsign`` and ``squawk`` (a change; a squawk
  in ``EMERGENCY_SQUAWKS`` names its meaning in ``alert``), ``onground`` (the ground/air flag
  changed: a state change, not a takeoff or landing) and ``lost``;
- the flights stage (``flights.stage``), per flight: ``takeoff`` and ``landing`` at the flight's
  ``takeoff_time`` / ``landing_time`` (the only definition of those times), ``departure`` and
  ``arrival`` when the airports are known (``watch/flight_events.py``);
- the watch, from state vectors: ``enter`` / ``leave`` (a geofence) and ``emergency`` (the squawk
  changed to one of ``EMERGENCY_SQUAWKS``); it reports ``seen`` and ``lost`` on its own data-time
  windows with the meanings above.

Watch rules name these labels (docs/rules.md); the live stream's ``aircraft`` messages carry
the tracker's (docs/api.md).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import IntEnum
from typing import Any

#: Squawk codes with a meaning of their own (ICAO Annex 10).
EMERGENCY_SQUAWKS: dict[str, str] = {"7500": "hijack", "7600": "radio_failure", "7700": "emergency"}


class EventKind(IntEnum):
    SEEN = 0  # first state vector of an aircraft (or the first after it was lost)
    TAKEOFF = 1  # a flight's observed ground -> air transition, at its takeoff_time
    LANDING = 2  # a flight's observed air -> ground transition, at its landing_time
    DEPARTURE = 3  # a flight's departure airport is known (observed or estimated)
    ARRIVAL = 4  # a flight's arrival airport is known (observed or estimated)
    ENTER = 5  # position moved from outside to inside a geofence
    LEAVE = 6  # position moved from inside to outside a geofence
    EMERGENCY = 7  # squawk changed to one of EMERGENCY_SQUAWKS
    LOST = 8  # no state vector for the lost timeout
    POSITION = 9  # first position of an aircraft (or the first after it was lost)
    CALLSIGN = 10  # callsign changed
    SQUAWK = 11  # squawk changed
    ONGROUND = 12  # the ground/air flag of the state changed

    @property
    def label(self) -> str:
        return self.name.lower()


KIND_BY_LABEL: dict[str, EventKind] = {k.label: k for k in EventKind}


@dataclass(frozen=True, slots=True)
class Event:
    """One tracker event: ``timestamp`` unix s UTC, ``icao24`` 6 hex digits ('~' prefix:
    non-ICAO), ``fields`` its details."""

    kind: EventKind
    timestamp: float
    icao24: str
    fields: dict[str, Any] = field(default_factory=dict)
