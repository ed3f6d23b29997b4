"""Known surface places (airports) that resolve a surface position with no other reference.

A surface CPR pair fixes latitude up to the hemisphere and longitude up to a multiple of 90°:
eight candidates, thousands of kilometres apart. Aircraft on the surface are at airports, so
the candidate next to a known airport is the position — no receiver location needed. The
tracker takes any object with ``nearest_nm``; the runtime passes one built on airportsdata.
"""

from __future__ import annotations

from typing import Protocol

import numpy as np

from ..decode import cpr
from ..model import F8

#: A surface candidate further than this from every known place is not taken, NM. Large
#: airports spread a few NM from their reference point; the next candidate is > 1000 NM away.
SURFACE_PLACE_MAX_NM = 8.0

#: Quadrant centres used to enumerate the eight surface candidates (lat, lon), deg.
_QUADRANTS = tuple((lat, lon) for lat in (45.0, -45.0) for lon in (-135.0, -45.0, 45.0, 135.0))


class Places(Protocol):
    """Where aircraft can be on the surface."""

    def nearest_nm(self, lat: F8, lon: F8) -> F8:
        """Distance to the nearest place, NM; NaN where none is within reach."""
        ...


def surface_by_places(
    lat_even: F8, lon_even: F8, lat_odd: F8, lon_odd: F8, latest_is_odd: F8, places: Places
) -> tuple[F8, F8]:
    """Surface global decode choosing, among the eight candidates, the one at a known place."""
    n = lat_even.shape[0]
    best_lat = np.full(n, np.nan)
    best_lon = np.full(n, np.nan)
    best_d = np.full(n, np.inf)
    for q_lat, q_lon in _QUADRANTS:
        la, lo = cpr.surface_global(
            lat_even, lon_even, lat_odd, lon_odd, latest_is_odd,
            np.full(n, q_lat), np.full(n, q_lon),
        )  # fmt: skip
        d = places.nearest_nm(la, lo)
        better = np.isfinite(d) & (d < best_d) & (d <= SURFACE_PLACE_MAX_NM)
        best_lat[better], best_lon[better], best_d[better] = la[better], lo[better], d[better]
    return best_lat, best_lon
