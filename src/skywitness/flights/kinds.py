"""Aircraft kinds for the flights stage: what an aircraft can do without landing.

A kind (glider, helicopter, light piston, turboprop, jet, military high-performance...) comes
from the ADS-B emitter category (``TC * 8 + CA`` codes, as the tracker keeps them) or from the
aircraft database (ICAO type designator and type description such as ``L2J``, ``H1T``;
``GLID`` for gliders). The stage is given a per-icao24 mapping (``Kinds``) by its callers,
built from the identity store (``identify.kinds``), so that the bulk and live paths, given the
same mapping, build the same flights. Unknown aircraft keep the speed classes the stage used
before (``UNKNOWN``): a kind only ever refines them.

Per kind: the longest time it can stay airborne (endurance: a silence longer than that ends a
flight), its fastest ground speed and climb/descent rate (could it have landed and taken off
again in a gap?), and for an estimated end the steepest descent it flies to land and the
shortest runway, and whether paved, it can use (which airports the end may name). A
departure's climb is not bounded by kind: the straight line from the runway is often much
shorter than the path flown (a 737 turning back over Spokane is seen 8,900 ft above KGEG
19 km away).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from enum import IntEnum
from typing import Any

import numpy as np
import numpy.typing as npt

I1 = npt.NDArray[np.int8]
F8 = npt.NDArray[np.float64]


class Kind(IntEnum):
    """Aircraft kind, as stored in a per-aircraft int8 array (0: unknown)."""

    UNKNOWN = 0
    GLIDER = 1
    LIGHTER_THAN_AIR = 2  # balloons, airships
    HELICOPTER = 3
    PISTON = 4  # light aircraft: piston, electric, ultralight, gyrocopter
    TURBOPROP = 5
    JET = 6
    MILITARY = 7  # high performance (emitter category A6: > 5 g and > 400 kt)


#: Longest flight without landing per kind, s (index: ``Kind``; UNKNOWN: NaN, by speed).
#: Gliders fly in daylight; helicopters carry fuel for a few hours (the longest-range ones
#: about 5 h); light pistons up to about 10 h; turboprops 12 h; jets the longest routes.
KIND_ENDURANCE_S: F8 = 3600.0 * np.array([np.nan, 14.0, 72.0, 5.0, 10.0, 12.0, 20.0, 20.0])
#: Fastest ground speed per kind, kt (tailwind included; UNKNOWN: NaN, the observed speed).
KIND_SPEED_KT: F8 = np.array([np.nan, 150.0, 60.0, 170.0, 220.0, 350.0, 600.0, 700.0])
#: Fastest sustained climb/descent per kind, ft/min (UNKNOWN: NaN, from the speed).
KIND_RATE_FPM: F8 = np.array([np.nan, 800.0, 1000.0, 2000.0, 1200.0, 2500.0, 4000.0, 6000.0])
#: Steepest descent per kind towards the airport of an estimated arrival, ft per metre
#: (UNKNOWN: NaN, by speed). A jet "can go down or slow down, not both": planned at 3 NM per
#: 1,000 ft (0.18 ft/m) plus the distance to slow down, so at most about 3.5 degrees (0.2);
#: light aircraft and turboprops 5 degrees (0.3); gliders with airbrakes, balloons and
#: fighters steeper; helicopters anything.
KIND_ARRIVAL_SLOPE: F8 = np.array([np.nan, 0.45, 0.45, 1.0, 0.3, 0.3, 0.2, 0.45])
#: Shortest runway per kind, ft (UNKNOWN: NaN, by speed). The shortest-field business jets
#: need about 3,000 ft; helicopters, gliders, balloons and light aircraft none to speak of
#: (fields, helipads); turboprops include short-field types (Twin Otter).
KIND_MIN_RUNWAY_FT: F8 = np.array([np.nan, 0.0, 0.0, 0.0, 0.0, 1_000.0, 3_000.0, 3_000.0])
#: 1 where the kind needs a hard (paved) runway: jets (UNKNOWN: NaN, by speed).
KIND_PAVED: F8 = np.array([np.nan, 0.0, 0.0, 0.0, 0.0, 0.0, 1.0, 1.0])

#: Emitter category codes (TC * 8 + CA) -> kind. TC 4 is set A, 3 set B, 2 set C, 1 set D.
_EMITTER: dict[int, Kind] = {
    4 * 8 + 1: Kind.PISTON,  # A1 light (< 15,500 lb)
    4 * 8 + 6: Kind.MILITARY,  # A6 high performance
    4 * 8 + 7: Kind.HELICOPTER,  # A7 rotorcraft
    3 * 8 + 1: Kind.GLIDER,  # B1 glider / sailplane
    3 * 8 + 2: Kind.LIGHTER_THAN_AIR,  # B2
    3 * 8 + 4: Kind.PISTON,  # B4 ultralight / hang glider
}
_DESCRIPTION = re.compile(r"^([LSAHGTB])([0-9C-])([PTJER-])$")
_ENGINE = {"P": Kind.PISTON, "E": Kind.PISTON, "T": Kind.TURBOPROP, "J": Kind.JET}
_TYPES = {"GLID": Kind.GLIDER, "BALL": Kind.LIGHTER_THAN_AIR, "SHIP": Kind.LIGHTER_THAN_AIR}
# words of a type name (tar1090-db's long descriptions) that say the kind
_NAMED = (
    ("HELICOPTER", Kind.HELICOPTER),
    ("SAILPLANE", Kind.GLIDER),
    ("GLIDER", Kind.GLIDER),
    ("BALLOON", Kind.LIGHTER_THAN_AIR),
    ("AIRSHIP", Kind.LIGHTER_THAN_AIR),
)

#: icao24 (lowercase) -> ``Kind`` (int): what callers hand the stage.
Kinds = Mapping[str, int]


def kind_of_emitter(code: int) -> Kind:
    """The kind an ADS-B emitter category code (TC * 8 + CA; -1 unknown) says (A2-A5 are
    weight classes: a jet or a turboprop, unknown here)."""
    return _EMITTER.get(int(code), Kind.UNKNOWN)


def kind_of_type(typecode: str | None, description: str | None) -> Kind:
    """The kind an ICAO type designator (``GLID``, ``BALL``...) and a type description say
    (an ICAO one such as ``L2J``, ``H1T``, ``G1P``, or a name such as "AIRBUS HELICOPTERS
    EC-145")."""
    by_type = _TYPES.get((typecode or "").strip().upper(), Kind.UNKNOWN)
    return by_type if by_type != Kind.UNKNOWN else kind_of_description(description)


def kind_of_description(description: str | None) -> Kind:
    """The kind an ICAO type description (``L2J``: landplane, 2 engines, jet; ``H1T``
    helicopter; ``G1P`` gyrocopter) or, failing that, a type name that names its kind
    (helicopter, glider, sailplane, balloon, airship) says."""
    text = (description or "").strip().upper()
    m = _DESCRIPTION.match(text)
    if m is None:
        for word, kind in _NAMED:
            if word in text:
                return kind
        return Kind.UNKNOWN
    if m.group(1) == "H":
        return Kind.HELICOPTER
    if m.group(1) == "B":
        return Kind.LIGHTER_THAN_AIR
    if m.group(1) == "G":
        return Kind.PISTON  # gyrocopter
    return _ENGINE.get(m.group(3), Kind.UNKNOWN)


def kinds_of(icao24: npt.NDArray[Any] | Iterable[str], kinds: Kinds | None) -> I1:
    """Kind code per aircraft of ``icao24`` (6-hex strings), 0 where ``kinds`` has none."""
    names = list(icao24)
    if not kinds:
        return np.zeros(len(names), dtype=np.int8)
    return np.array([kinds.get(str(a).lower(), 0) for a in names], dtype=np.int8)


def per_kind(table: F8, kind: I1 | None, n: int) -> F8:
    """``table``'s value for each of ``n`` kinds (NaN: unknown kind, or no kinds)."""
    if kind is None:
        return np.full(n, np.nan)
    return table[np.clip(kind, 0, table.shape[0] - 1)]
