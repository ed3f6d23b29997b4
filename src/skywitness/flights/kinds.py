"""Aircraft kinds for the flights stage: what an aircraft can do without landing.

A kind (``identify.kinds.Kind``: glider, helicopter, light piston, turboprop, jet, military
high-performance...) comes from the ADS-B emitter category or from the aircraft database
(``identify.kinds``). The stage is given a per-icao24 mapping (``Kinds``) by its callers,
built from the identity store (``identify.kinds``; the live paths add the categories they hear,
``learn_kinds``), so that the bulk and live paths, given the same mapping, build the same
flights. Unknown aircraft keep the speed classes the stage used
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

from collections.abc import Iterable, Mapping
from typing import Any

import numpy as np
import numpy.typing as npt

from ..identify.kinds import Kind as Kind

I1 = npt.NDArray[np.int8]
F8 = npt.NDArray[np.float64]


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

#: icao24 (lowercase) -> ``Kind`` (int): what callers hand the stage.
Kinds = Mapping[str, int]


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
