"""Arrow tables for the ``decode`` command: one record per frame or observation.

Converts the columnar ``Messages`` / ``Observations`` into Arrow with nulls for missing values,
frames as hex and addresses as 6 lowercase hex digits (the canonical ``icao24``).
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Mapping

import numpy as np
import numpy.typing as npt
import pyarrow as pa

from ..decode.dictcols import coded, same_value
from ..decode.hexio import (
    address_column,
    bool_column,
    fixed_width_column,
    hex_column,
    labels,
    null_column,
    numeric_column,
    repeated,
    string_array,
    text_column,
)
from ..decode.squawktext import last_digits, squawk_column
from ..model import FrameBatch, Messages, Observations, PositionSource, RejectReason, SourceKind

# Columns are built from numpy buffers (decode.hexio): ``pa.array`` imports pandas when it is
# installed (~0.3 s of start-up for every ``decode``).
_REJECT_LABELS = string_array([r.label for r in RejectReason])
_KIND_LABELS = string_array([k.name.lower() for k in SourceKind])
_POS_LABELS = string_array([p.label for p in PositionSource])
_BDS_LABELS = string_array([f"{i:02x}" for i in range(256)])
_CPR_LABELS = string_array(["", "airborne", "surface"])

#: Messages columns written as floats (NaN → null).
_FLOAT_FIELDS = (
    "altitude",
    "geoaltitude",
    "groundspeed",
    "track",
    "vertical_rate",
    "heading",
    "ias",
    "tas",
    "mach",
    "roll",
    "track_rate",
    "selected_altitude",
    "baro_setting",
)
#: Messages integer code columns written as nullable ints (-1 → null).
_INT_FIELDS = (
    "typecode",
    "category",
    "emergency",
    "cpr_odd",
    "cpr_lat",
    "cpr_lon",
    "nuc_p",
    "adsb_version",
    "nic_supplement",
    "nac_p",
    "sil",
)
#: -1/0/1 columns written as nullable booleans.
_BOOL_FIELDS = ("onground", "alert", "spi")


def frame_hex(frames: FrameBatch) -> pa.Array:
    """Each frame's payload as lowercase hex (only its real bytes): the input's own text
    when the source kept it (``FrameBatch.text``, the same strings)."""
    if frames.text is not None:
        return frames.text
    return hex_column(frames.data, frames.length)


def timestamps(ts: npt.NDArray[np.float64], unit: str = "us") -> pa.Array:
    scale = {"ms": 1e3, "us": 1e6}[unit]
    mask = ~np.isfinite(ts)
    scaled = np.multiply(ts, scale)
    np.round(scaled, out=scaled)  # in place: one temporary fewer (issue 18)
    if mask.any():  # (most sources: every frame has a time)
        scaled = np.where(mask, 0.0, scaled)
    return numeric_column(scaled.astype(np.int64), pa.timestamp(unit, tz="UTC"), mask)


def _nullable_float(a: npt.NDArray[np.float64]) -> pa.Array:
    return numeric_column(np.asarray(a, dtype=np.float64), pa.float64(), np.isnan(a))


def _signal(signal: npt.NDArray[np.float32]) -> pa.Array:
    """The frames' signal levels as float64 (NaN -> null); not widened when none is known
    (text formats carry none: the column is all null)."""
    null = np.isnan(signal)
    if null.shape[0] and bool(null.all()):
        return null_column(null.shape[0], pa.float64())
    return numeric_column(signal.astype(np.float64), pa.float64(), null)


def _nullable_int(a: npt.NDArray[np.integer], missing: int = -1) -> pa.Array:
    null = a == missing
    if null.shape[0] and bool(null.all()):  # no widening copy for a field no frame carried
        return null_column(null.shape[0], pa.int64())
    return numeric_column(a.astype(np.int64), pa.int64(), null)


def _nullable_bool(a: npt.NDArray[np.int8]) -> pa.Array:
    return bool_column(a == 1, a < 0)


def _nullable_str(a: npt.NDArray[np.str_]) -> pa.Array:
    return text_column(a)


#: Every identity code (4 octal digits, "0000".."7777") as text, in octal order: the
#: dictionary of the decode output's squawk columns.
_OCTAL_DIGITS = (np.arange(4096)[:, None] >> np.array([9, 6, 3, 0]) & 7).astype(np.uint8)
_OCTAL_LABELS = fixed_width_column(_OCTAL_DIGITS + ord("0"))
#: An identity code read as a decimal number (7700) -> its index in ``_OCTAL_LABELS``; -1
#: for a number that is not 4 octal digits.
_OCTAL_INDEX = np.full(10_000, -1, dtype=np.int16)
_OCTAL_INDEX[_OCTAL_DIGITS.astype(np.int32) @ np.array([1000, 100, 10, 1])] = np.arange(4096)


@functools.cache
def _decimal_labels() -> pa.Array:
    return squawk_column(np.arange(10_000, dtype=np.int16))


def identity_codes(codes: npt.NDArray[np.int16]) -> pa.DictionaryArray:
    """``squawk_column(codes)`` as a dictionary-encoded column: over every 4-octal-digit code (a
    decoded identity code always is one), else over "0000".."9999" (a code past 9999 by its
    last four digits, as ``squawk_column``)."""
    missing = codes < 0
    if missing.all():  # (Mode A/C codes: absent from every frame of most captures)
        return coded(_OCTAL_LABELS, np.zeros(codes.shape[0], dtype=np.int16), missing)
    values = last_digits(codes)
    idx = np.take(_OCTAL_INDEX, values)  # (indexing by an array costs ~2x np.take)
    if not bool((idx < 0).any()):
        return coded(_OCTAL_LABELS, idx, missing)
    return coded(_decimal_labels(), values, missing)


def messages_table(frames: FrameBatch, msgs: Messages) -> pa.Table:
    """The ``decode`` output: frame, address, reject reason and every decoded field. Label
    and code columns are dictionary-encoded (``decode.dictcols``: the same strings)."""
    cols: dict[str, pa.Array] = {
        "timestamp": timestamps(msgs.timestamp),
        "frame": frame_hex(frames),
        "df": _nullable_int(msgs.df),
        "icao24": address_column(msgs.icao24, msgs.icao24 == 0),
        "address_verified": bool_column(msgs.address_verified),
        "non_icao": bool_column(msgs.non_icao),
        "reject": coded(_REJECT_LABELS, msgs.reject, msgs.reject == 0),
        "kind": coded(_KIND_LABELS, msgs.kind),
        "bds": coded(_BDS_LABELS, msgs.bds, msgs.bds == 0),
        "bds_ambiguous": bool_column(msgs.bds_ambiguous),
        "callsign": _nullable_str(msgs.callsign),
        "squawk": identity_codes(msgs.squawk),
        "modeac": identity_codes(msgs.modeac),
        "signal": _signal(frames.signal),
        "source": same_value(string_array([frames.source]), len(frames)),
    }
    for name in _FLOAT_FIELDS:
        cols[name] = _nullable_float(getattr(msgs, name))
    for name in _INT_FIELDS:
        cols[name] = _nullable_int(getattr(msgs, name))
    for name in _BOOL_FIELDS:
        cols[name] = _nullable_bool(getattr(msgs, name))
    cols["cpr_kind"] = coded(_CPR_LABELS, msgs.cpr_kind, msgs.cpr_kind == 0)
    return _table(cols)


def _table(cols: dict[str, pa.Array]) -> pa.Table:
    return pa.Table.from_arrays(list(cols.values()), names=list(cols))


def message_schema() -> pa.Schema:
    return messages_table(FrameBatch.empty(), Messages.empty(0)).schema


def kind_column(kind: npt.NDArray[np.uint8]) -> pa.Array:
    """``SourceKind`` codes as the stored ``kind`` labels."""
    return labels(_KIND_LABELS, kind)


def position_source_column(possrc: npt.NDArray[np.uint8]) -> pa.Array:
    """``PositionSource`` codes as the stored ``position_source`` labels."""
    return labels(_POS_LABELS, possrc)


def observations_table(
    obs: Observations, source: pa.Array | None = None, built: Mapping[str, pa.Array] | None = None
) -> pa.Table:
    """Already-decoded reports (SBS, readsb, OpenSky) in the canonical columns; ``source``
    each row's source (``obs.source`` on every row when None); ``built`` columns of ``obs``
    the caller made cheaper, by name (a globe batch's callsign, icao24, squawk, kind and
    position source, from their runs: ``runtime.globe_batch.run_columns``), used as given."""
    given = built or {}
    makers: dict[str, Callable[[], pa.Array]] = {
        "timestamp": lambda: timestamps(obs.timestamp),
        "icao24": lambda: address_column(obs.icao24),
        "non_icao": lambda: bool_column(obs.non_icao),
        "callsign": lambda: _nullable_str(obs.callsign),
        "latitude": lambda: _nullable_float(obs.latitude),
        "longitude": lambda: _nullable_float(obs.longitude),
        "altitude": lambda: _nullable_float(obs.altitude),
        "geoaltitude": lambda: _nullable_float(obs.geoaltitude),
        "groundspeed": lambda: _nullable_float(obs.groundspeed),
        "track": lambda: _nullable_float(obs.track),
        "vertical_rate": lambda: _nullable_float(obs.vertical_rate),
        "squawk": lambda: squawk_column(obs.squawk),
        "onground": lambda: _nullable_bool(obs.onground),
        "kind": lambda: kind_column(obs.kind),
        "position_source": lambda: position_source_column(obs.position_source),
        "source": lambda: repeated(obs.source, len(obs)) if source is None else source,
    }
    return _table({name: given[name] if name in given else make() for name, make in makers.items()})


def observation_schema() -> pa.Schema:
    return observations_table(Observations.empty(0)).schema
