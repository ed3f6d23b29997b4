"""``Observations``: already-decoded state reports (SBS, readsb JSON, traces, OpenSky) in the
canonical vocabulary and units."""

from __future__ import annotations

from dataclasses import dataclass, field, fields
from typing import Any

import numpy as np

from .arrays import B1, F8, I1, I2, U1, U4, Str, filled
from .codes import PositionSource, SourceKind


@dataclass(slots=True)
class Observations:
    """Already-decoded state reports in canonical names and units, one row per report.

    Produced by SBS, readsb ``aircraft.json``/trace and OpenSky readers. Units are converted at
    the reader (the boundary), once: ft, kt, ft/min, degrees, unix seconds UTC.
    """

    timestamp: F8
    icao24: U4
    non_icao: B1
    callsign: Str  # "" when none
    latitude: F8
    longitude: F8
    altitude: F8
    geoaltitude: F8
    groundspeed: F8
    track: F8
    vertical_rate: F8
    squawk: I2  # decimal digits of the octal code, -1 none
    onground: I1  # -1 unknown
    kind: U1  # SourceKind for these values
    position_source: U1  # PositionSource
    #: ADS-B emitter category the report gives (readsb's "A3"), as ``Messages.category``
    #: (TC * 8 + CA); -1 unknown
    category: I1
    new_leg: B1 = field(default_factory=lambda: np.zeros(0, dtype=np.bool_))  # trace flag 2
    #: 95 % horizontal radius of the position, m (multilateration); NaN unknown
    position_error: F8 = field(default_factory=lambda: np.zeros(0))
    source: str = ""

    def __len__(self) -> int:
        return int(self.timestamp.shape[0])

    @classmethod
    def empty(cls, n: int, source: str = "") -> Observations:
        nan = np.nan
        return cls(
            timestamp=filled(np.float64, n, nan),
            icao24=filled(np.uint32, n, 0),
            non_icao=filled(np.bool_, n, False),
            callsign=filled("<U8", n, ""),
            latitude=filled(np.float64, n, nan),
            longitude=filled(np.float64, n, nan),
            altitude=filled(np.float64, n, nan),
            geoaltitude=filled(np.float64, n, nan),
            groundspeed=filled(np.float64, n, nan),
            track=filled(np.float64, n, nan),
            vertical_rate=filled(np.float64, n, nan),
            squawk=filled(np.int16, n, -1),
            onground=filled(np.int8, n, -1),
            kind=filled(np.uint8, n, int(SourceKind.OTHER)),
            position_source=filled(np.uint8, n, int(PositionSource.UNKNOWN)),
            category=filled(np.int8, n, -1),
            new_leg=filled(np.bool_, n, False),
            position_error=filled(np.float64, n, np.nan),
            source=source,
        )

    def take(self, index: Any) -> Observations:
        """Rows ``index`` (positions, a slice or a mask), same source; an optional column the
        batch leaves empty (``_OPTIONAL``) stays empty, every other column is taken."""
        cols: dict[str, Any] = {}
        for f in fields(Observations):
            if f.name == "source":
                continue
            values = getattr(self, f.name)
            if f.name in _OPTIONAL and len(values) != len(self):
                continue  # absent: the default (empty)
            cols[f.name] = values[index]
        return Observations(**cols, source=self.source)

    @staticmethod
    def concat(batches: list[Observations]) -> Observations:
        """``batches`` as one, rows in order, named after the first batch's source (the live
        tracker keeps each row's own source beside it: ``track.row_sources``). A batch without
        the optional ``new_leg``/``position_error`` (empty) is filled as ``empty`` fills."""
        if not batches:
            return Observations.empty(0)
        if len(batches) == 1:
            return batches[0]
        cols: dict[str, Any] = {}
        for f in fields(Observations):
            if f.name == "source":
                continue
            parts = [getattr(b, f.name) for b in batches]
            if f.name in _OPTIONAL:
                sized = [len(p) == len(b) for p, b in zip(parts, batches, strict=True)]
                if not any(sized):
                    continue  # none has it: the default (empty)
                dtype, fill = _OPTIONAL[f.name]
                parts = [p if ok else filled(dtype, len(b), fill)
                         for p, b, ok in zip(parts, batches, sized, strict=True)]  # fmt: skip
            cols[f.name] = np.concatenate(parts)
        return Observations(**cols, source=batches[0].source)


#: The columns a batch may leave empty (``Observations.concat``): dtype and fill value.
_OPTIONAL: dict[str, tuple[Any, Any]] = {
    "new_leg": (np.bool_, False),
    "position_error": (np.float64, np.nan),
}


#: Canonical state-vector columns, in order, as written to Parquet/CSV/JSON (traffic's names).
