"""Memory of flights forgotten in the air, so that the live builder can bridge an ocean gap.

The incremental ``FlightBuilder`` forgets an aircraft silent for ``FINAL_SILENCE_S`` (6 h); an
aircraft crossing an ocean out of coverage is silent longer (9-10 h), and would come back as a
new flight with an unknown departure, where the bulk build bridges the gap. For each aircraft
forgotten while its last flight was still airborne, ``BridgeMemory`` keeps a summary (the
flight's id and firstSeen, and its last point: what ``gaps.same_flight`` needs) for
``BRIDGE_RECALL_S``; when the aircraft comes back airborne and ``same_flight`` says it could not
have landed in between, the builder recalls the flight's rows (``Recall``, an I/O adapter such
as a store's Parquet lake) and rebuilds it with the new points. A pure object over numpy
arrays indexed by the builder's aircraft codes: O(1) per remembered aircraft.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
import pyarrow as pa

from .airports import AirportIndex
from .builder import segment_points
from .gaps import same_flight
from .rowarrays import run_heads
from .segment import points_from_table

F8 = npt.NDArray[np.float64]
I8 = npt.NDArray[np.int64]
B1 = npt.NDArray[np.bool_]
I1 = npt.NDArray[np.int8]

BRIDGE_RECALL_S = 24 * 3600.0  # a flight forgotten in the air is recalled up to this long, s
NONE_MS = -(2**62)  # ms: no summary for the aircraft

#: (icao24, since_ms, until_ms) -> that aircraft's state vectors with since <= t <= until (ms),
#: in canonical columns (``STATE_COLUMNS``); an empty table when there are none.
Recall = Callable[[str, int, int], pa.Table]


class BridgeMemory:
    """Per aircraft code: the summary of its flight forgotten in the air, if any."""

    def __init__(self) -> None:
        self.last_ms = np.zeros(0, dtype=np.int64)  # the flight's last point; NONE_MS: none
        self.first_ms = np.zeros(0, dtype=np.int64)  # the flight's firstSeen
        self.fid = np.zeros(0, dtype=object)  # flight_id (None: none)
        # the last point: lat, lon (deg), alt (ft), gs (kt); NaN where unknown
        self.point = np.zeros((0, 4), dtype=np.float64)

    def __len__(self) -> int:
        """Aircraft with a summary."""
        return int((self.last_ms > NONE_MS).sum())

    def _grow(self, n: int) -> None:
        more = n - self.last_ms.shape[0]
        if more > 0:
            self.last_ms = np.r_[self.last_ms, np.full(more, NONE_MS, dtype=np.int64)]
            self.first_ms = np.r_[self.first_ms, np.zeros(more, dtype=np.int64)]
            self.fid = np.r_[self.fid, np.full(more, None, dtype=object)]
            self.point = np.r_[self.point, np.full((more, 4), np.nan)]

    def remember(self, code: I8, fid: list[str], first_ms: I8, last_ms: I8, point: F8) -> None:
        """Summaries of the flights ``fid`` of aircraft ``code``; ``point``: (n, 4) last
        points as lat, lon, alt, gs."""
        if code.size == 0:
            return
        self._grow(int(code.max()) + 1)
        self.last_ms[code] = last_ms
        self.first_ms[code] = first_ms
        self.fid[code] = np.array(fid, dtype=object)
        self.point[code] = point

    def has(self, code: I8) -> B1:
        """True where aircraft ``code`` has a summary."""
        ok = code < self.last_ms.shape[0]
        out = np.zeros(code.shape[0], dtype=bool)
        out[ok] = self.last_ms[code[ok]] > NONE_MS
        return out

    def renumber(self, keep: I8) -> None:
        """Keep the codes ``keep`` (ascending) only, renumbered 0, 1, ... in their order."""
        keep = keep[keep < self.last_ms.shape[0]]
        self.last_ms, self.first_ms = self.last_ms[keep], self.first_ms[keep]
        self.fid, self.point = self.fid[keep], self.point[keep]

    def forget(self, code: I8) -> None:
        code = code[code < self.last_ms.shape[0]]
        self.last_ms[code] = NONE_MS
        self.fid[code] = None

    def expire(self, now_ms: int) -> None:
        """Drop the summaries whose last point is more than BRIDGE_RECALL_S before ``now_ms``."""
        old = (self.last_ms > NONE_MS) & (self.last_ms < now_ms - round(BRIDGE_RECALL_S * 1000))
        if old.any():
            self.forget(np.flatnonzero(old))

    def bridged(
        self,
        airports: AirportIndex,
        code: I8,
        t_ms: I8,
        lat: F8,
        lon: F8,
        alt: F8,
        gs: F8,
        *,
        kind: I1 | None = None,
    ) -> B1:
        """True where the first new point (airborne) of aircraft ``code`` at ``t_ms`` continues
        its remembered flight: within BRIDGE_RECALL_S, and ``same_flight`` says it could not
        have landed and taken off again in between (for an aircraft of ``kind``, if known)."""
        out = self.has(code)
        if not out.any():
            return out
        c = code[out]
        last = self.last_ms[c]
        p = self.point[c]
        ok = (t_ms[out] > last) & (t_ms[out] - last <= round(BRIDGE_RECALL_S * 1000))
        same = same_flight(
            airports,
            last / 1e3, p[:, 0], p[:, 1], p[:, 2], p[:, 3],
            t_ms[out] / 1e3, lat[out], lon[out], alt[out], gs[out],
            kind=None if kind is None else kind[out],
        )  # fmt: skip
        out[out] = ok & same
        return out


@dataclass(slots=True)
class FirstPoints:
    """The first point (in time) of each aircraft in a table, and whether it is airborne."""

    row: I8  # row of the table
    lat: F8
    lon: F8
    alt: F8
    gs: F8
    airborne: B1


def first_points(table: pa.Table, airports: AirportIndex) -> FirstPoints:
    """First point per aircraft of ``table`` (canonical columns), airborne as the bulk build
    would judge it on these points alone (ground state with noise removal)."""
    p = points_from_table(table)
    g = segment_points(p, airports).ground
    first = np.flatnonzero(run_heads(p.ac)) if len(p) else p.row
    return FirstPoints(
        p.row[first], p.lat[first], p.lon[first], p.alt[first], p.gs[first], g[first] == 0
    )
