"""Airports as the tracker's surface places (see ``track/places.py``), from airportsdata."""

from __future__ import annotations

import numpy as np

from ..flights import AirportIndex
from ..model import F8
from ..track.places import SURFACE_PLACE_MAX_NM

M_PER_NM = 1852.0


class AirportPlaces:
    """``nearest_nm`` over every airport in airportsdata (loaded once, on first use)."""

    def __init__(self, index: AirportIndex | None = None) -> None:
        self._index = index

    def nearest_nm(self, lat: F8, lon: F8) -> F8:
        if self._index is None:
            self._index = AirportIndex.default()
        _, metres = self._index.nearest(lat, lon, SURFACE_PLACE_MAX_NM * M_PER_NM)
        out: F8 = np.asarray(metres, dtype=np.float64) / M_PER_NM
        return out
