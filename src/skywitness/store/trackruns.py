"""Where a track is cut into observed runs: a silence longer than ``TRACK_GAP_S`` between two
positions. Every drawing of a track (the map's GeoJSON, the GeoJSON and KML exports, readsb
traces) cuts it here, so a straight line is never drawn across a silence as if observed: the
silence is drawn as an ``estimated`` segment instead.
"""

from __future__ import annotations

import itertools

import numpy as np
import numpy.typing as npt

#: A silence longer than this splits a track into runs, s.
TRACK_GAP_S = 600.0


def run_starts(t: npt.NDArray[np.float64], gap_s: float = TRACK_GAP_S) -> npt.NDArray[np.int64]:
    """Indices (into ascending times ``t``) of the points that start a run after a silence;
    the first point is not listed."""
    if t.shape[0] < 2:
        return np.zeros(0, dtype=np.int64)
    return (np.flatnonzero(np.diff(t) > gap_s) + 1).astype(np.int64)


def run_bounds(t: npt.NDArray[np.float64], gap_s: float = TRACK_GAP_S) -> list[tuple[int, int]]:
    """``[start, end)`` of each run of ``t``."""
    cuts = [0, *run_starts(t, gap_s).tolist(), int(t.shape[0])]
    return [(a, b) for a, b in itertools.pairwise(cuts) if b > a]
