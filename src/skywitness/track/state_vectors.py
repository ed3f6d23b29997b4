"""``StateVectors``: the tracker's output rows, as columns in ``model.STATE_COLUMNS`` order."""

from __future__ import annotations

from dataclasses import dataclass, field, fields
from typing import Any

import numpy as np
import pyarrow as pa

from ..decode.hexio import address_column, address_digits
from ..decode.squawktext import code_digits, squawk_column
from ..model import (
    B1,
    F8,
    I1,
    I2,
    NON_ICAO_FLAG,
    STATE_COLUMNS,
    STATE_SCHEMA,
    U4,
    PositionSource,
    Str,
)

POSITION_SOURCE_LABELS: Str = np.array([p.label for p in PositionSource])


def icao24_hex(keys: Any) -> Str:
    """Tracker keys (uint32) as lowercase hex strings, vectorised: '3c6444', '~3c6444'. The
    address's digits (``address_digits``) are widened into the string array's own UCS-4 codes
    (a cast of byte strings to str cost 3x the rest)."""
    k = np.asarray(keys, dtype=np.uint32)
    codes = np.zeros((k.shape[0], 7), dtype=np.uint32)  # six digits and a NUL pad
    codes[:, :6] = address_digits(k)
    out: Str = codes.view("<U7").ravel()
    non = (k & NON_ICAO_FLAG) != 0
    if non.any():
        out[non] = np.char.add("~", out[non])
    return out


def stored_ms(t: Any) -> F8:
    """Unix seconds as the store keeps them: whole milliseconds (``timestamp[ms]``), as float.
    Two rows of one aircraft in the same millisecond are one stored instant."""
    out: F8 = np.round(np.asarray(t, dtype=np.float64) * 1000.0)
    return out


def squawk_strings(squawk: Any) -> Str:
    """Squawk codes (octal digits as decimal, -1 none) as 4-char strings, "" where missing."""
    sq = np.asarray(squawk).astype(np.int64)
    out: Str = code_digits(sq).view("S4").ravel().astype("<U4")
    out[sq < 0] = ""
    return out


@dataclass(slots=True)
class StateVectors:
    """One row per emitted aircraft state; every field forward-filled to the row's time.

    Missing values: NaN floats, "" strings, -1 for ``onground`` (1 on ground, 0 airborne).
    ``icao24`` holds tracker keys (24-bit address, bit 24 = non-ICAO); ``icao24_hex()`` renders.
    """

    timestamp: F8  # unix s UTC
    icao24: U4
    callsign: Str
    latitude: F8
    longitude: F8
    altitude: F8  # ft barometric
    geoaltitude: F8  # ft
    groundspeed: F8  # kt
    track: F8  # deg
    vertical_rate: F8  # ft/min
    squawk: I2  # octal digits as decimal, -1 none
    onground: I1
    source: Str
    position_source: Str  # PositionSource label ("" before the first position)
    #: m, 95 % radius of a multilateration position (NaN otherwise); filled by ``mlat``, the
    #: tracker leaves it empty (length 0 reads as all NaN)
    position_error: F8 = field(default_factory=lambda: np.zeros(0))

    def __len__(self) -> int:
        return int(self.timestamp.shape[0])

    def icao24_hex(self) -> Str:
        return icao24_hex(self.icao24)

    def squawk_str(self) -> Str:
        """Squawk as 4-char strings, "" where missing."""
        return squawk_strings(self.squawk)

    @classmethod
    def empty(cls) -> StateVectors:
        f8 = np.zeros(0, dtype=np.float64)
        return cls(
            timestamp=f8,
            icao24=np.zeros(0, dtype=np.uint32),
            callsign=np.zeros(0, dtype="<U8"),
            latitude=f8,
            longitude=f8,
            altitude=f8,
            geoaltitude=f8,
            groundspeed=f8,
            track=f8,
            vertical_rate=f8,
            squawk=np.zeros(0, dtype=np.int16),
            onground=np.zeros(0, dtype=np.int8),
            source=np.zeros(0, dtype="<U1"),
            position_source=np.zeros(0, dtype="<U5"),
        )

    def errors(self) -> F8:
        """``position_error`` at full length (NaN where not set)."""
        if self.position_error.shape[0] == len(self):
            return self.position_error
        return np.full(len(self), np.nan)

    @staticmethod
    def concat(parts: list[StateVectors]) -> StateVectors:
        parts = [p for p in parts if len(p)]
        if not parts:
            return StateVectors.empty()
        names = [f.name for f in fields(parts[0]) if f.name != "position_error"]
        out = StateVectors(**{k: np.concatenate([getattr(p, k) for p in parts]) for k in names})
        if any(p.position_error.shape[0] for p in parts):
            out.position_error = np.concatenate([p.errors() for p in parts])
        return out

    def take(self, index: Any) -> StateVectors:
        out = StateVectors(
            **{
                f.name: getattr(self, f.name)[index]
                for f in fields(self)
                if f.name != "position_error"
            }
        )
        if self.position_error.shape[0]:
            out.position_error = self.position_error[index]
        return out

    def to_arrow(self) -> pa.Table:
        """Arrow table with the canonical columns: timestamp[ms, UTC], nulls for missing.

        Columns are built from numpy buffers: any ``pa.array`` call imports pandas when it is
        installed (~0.25 s of start-up for every ``skywitness track``), and this is faster.
        """
        n = len(self)
        ms = stored_ms(self.timestamp).astype(np.int64)
        on = self.onground
        cols: dict[str, pa.Array] = {
            "timestamp": _from_numpy(pa.timestamp("ms", tz="UTC"), ms, None),
            "icao24": _icao24_column(self.icao24),
            "callsign": _strings(self.callsign),
            "squawk": squawk_column(np.asarray(self.squawk), empty_nulls=True),
            "onground": pa.Array.from_buffers(pa.bool_(), n, [_bitmap(on >= 0), _packed(on == 1)]),
            "source": _strings(np.asarray(self.source).astype(str), nulls=False),
            "position_source": _strings(self.position_source),
        }
        for name in STATE_COLUMNS:
            if name not in cols:
                v = self.errors() if name == "position_error" else getattr(self, name)
                a = np.ascontiguousarray(v, dtype=np.float64)
                cols[name] = _from_numpy(pa.float64(), a, _bitmap(~np.isnan(a)))
        return pa.Table.from_arrays([cols[c] for c in STATE_COLUMNS], schema=state_schema())


def _icao24_column(keys: U4) -> pa.Array:
    """``_strings(icao24_hex(keys))``, the same buffers: ICAO addresses straight from their
    digits (``address_column``), without the numpy strings between (~0.3 ms a step of 2,700
    rows, a third of ``to_arrow``); the general path where a key is non-ICAO."""
    k = np.asarray(keys, dtype=np.uint32)
    if k.shape[0] == 0 or bool((k >> np.uint32(24)).any()):
        return _strings(icao24_hex(k))
    return address_column(k)


def _packed(bits: B1) -> pa.Buffer:
    return pa.py_buffer(np.packbits(bits, bitorder="little"))


def _bitmap(valid: B1) -> pa.Buffer | None:
    """Arrow validity bitmap; None when every value is valid."""
    return None if bool(valid.all()) else _packed(valid)


def _from_numpy(typ: pa.DataType, values: Any, validity: pa.Buffer | None) -> pa.Array:
    return pa.Array.from_buffers(typ, len(values), [validity, pa.py_buffer(values)])


def _strings(values: Str, *, nulls: bool = True) -> pa.Array:
    """Arrow strings from a numpy str array ("" is null when ``nulls``), read off its fixed-width
    UCS-4 buffer (numpy's own str -> bytes cast is ~50x slower)."""
    v = np.ascontiguousarray(np.asarray(values).astype(str))
    n = v.shape[0]
    width = v.dtype.itemsize // 4
    codes = v.view(np.uint32).reshape(n, width)
    if codes.size and int(codes.max()) >= 0x80:  # non-ASCII (a file name): the general path
        return pa.array(v, mask=(v == "") if nulls else None, type=pa.string())
    lens = np.strings.str_len(v).astype(np.int64)
    chars = codes[np.arange(width)[None, :] < lens[:, None]].astype(np.uint8)
    offsets = np.zeros(n + 1, dtype=np.int32)
    np.cumsum(lens, out=offsets[1:])
    validity = _bitmap(lens > 0) if nulls else None
    return pa.Array.from_buffers(
        pa.string(), n, [validity, pa.py_buffer(offsets), pa.py_buffer(chars)]
    )


def state_schema() -> pa.Schema:
    """Arrow schema of ``StateVectors.to_arrow()`` (for writers opened before the first rows):
    the one ``model.STATE_SCHEMA``."""
    return STATE_SCHEMA
