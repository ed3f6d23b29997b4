"""Arrow tables for the ``decode`` command: one record per frame or observation.

Converts the columnar ``Messages`` / ``Observations`` into Arrow with nulls for missing values,
frames as hex and addresses as 6 lowercase hex digits (the canonical ``icao24``).
"""

from __future__ import annotations

from functools import cache

import numpy as np
import numpy.typing as npt
import pyarrow as pa

from ..decode.hexio import address_column, hex_column, text_column
from ..model import FrameBatch, Messages, Observations, PositionSource, RejectReason, SourceKind

_REJECT_LABELS = pa.array([r.label for r in RejectReason], type=pa.string())
_KIND_LABELS = pa.array([k.name.lower() for k in SourceKind], type=pa.string())
_POS_LABELS = pa.array([p.label for p in PositionSource], type=pa.string())
_BDS_LABELS = pa.array([f"{i:02x}" for i in range(256)], type=pa.string())

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


def hex_addresses(icao: npt.NDArray[np.uint32]) -> npt.NDArray[np.str_]:
    """Vectorised 6-digit lowercase hex of 24-bit addresses."""
    digits = np.array(list("0123456789abcdef"), dtype="<U1")
    shifts = np.arange(20, -1, -4, dtype=np.uint32)
    nibbles = (icao[:, None] >> shifts[None, :]) & 0xF
    chars = digits[nibbles]
    return np.ascontiguousarray(chars).view("<U6").ravel()


def frame_hex(frames: FrameBatch) -> pa.Array:
    """Each frame's payload as lowercase hex (only its real bytes)."""
    return hex_column(frames.data, frames.length)


def timestamps(ts: npt.NDArray[np.float64], unit: str = "us") -> pa.Array:
    scale = {"ms": 1e3, "us": 1e6}[unit]
    mask = ~np.isfinite(ts)
    ints = np.where(mask, 0, np.round(ts * scale)).astype(np.int64)
    return pa.array(ints, type=pa.timestamp(unit, tz="UTC"), mask=mask)


def _nullable_float(a: npt.NDArray[np.float64]) -> pa.Array:
    return pa.array(a, type=pa.float64(), mask=np.isnan(a))


def _nullable_int(a: npt.NDArray[np.integer], missing: int = -1) -> pa.Array:
    return pa.array(a.astype(np.int64), type=pa.int64(), mask=a == missing)


def _nullable_bool(a: npt.NDArray[np.int8]) -> pa.Array:
    return pa.array(a == 1, type=pa.bool_(), mask=a < 0)


def _nullable_str(a: npt.NDArray[np.str_]) -> pa.Array:
    return text_column(a)


def _labels(
    names: pa.Array, codes: npt.NDArray[np.integer], null: npt.NDArray[np.bool_] | None = None
) -> pa.Array:
    """``names[codes]`` as a string column (null where ``null``), taken in Arrow."""
    return names.take(pa.array(codes.astype(np.int32), mask=null))


@cache
def _four_digit_labels() -> pa.Array:
    return pa.array([f"{i:04d}" for i in range(10000)], type=pa.string())


def squawks(codes: npt.NDArray[np.int16]) -> pa.Array:
    """Identity codes as 4-char strings ("7700"); -1 → null."""
    missing = codes < 0
    return _labels(_four_digit_labels(), np.where(missing, 0, codes), missing)


def messages_table(frames: FrameBatch, msgs: Messages) -> pa.Table:
    """The ``decode`` output: frame, address, reject reason and every decoded field."""
    cols: dict[str, pa.Array] = {
        "timestamp": timestamps(msgs.timestamp),
        "frame": frame_hex(frames),
        "df": _nullable_int(msgs.df),
        "icao24": address_column(msgs.icao24, msgs.icao24 == 0),
        "address_verified": pa.array(msgs.address_verified),
        "non_icao": pa.array(msgs.non_icao),
        "reject": _labels(_REJECT_LABELS, msgs.reject, msgs.reject == 0),
        "kind": _labels(_KIND_LABELS, msgs.kind),
        "bds": _labels(_BDS_LABELS, msgs.bds, msgs.bds == 0),
        "bds_ambiguous": pa.array(msgs.bds_ambiguous),
        "callsign": _nullable_str(msgs.callsign),
        "squawk": squawks(msgs.squawk),
        "modeac": squawks(msgs.modeac),
        "signal": _nullable_float(frames.signal.astype(np.float64)),
        "source": pa.repeat(pa.scalar(frames.source, pa.string()), len(frames)),
    }
    for name in _FLOAT_FIELDS:
        cols[name] = _nullable_float(getattr(msgs, name))
    for name in _INT_FIELDS:
        cols[name] = _nullable_int(getattr(msgs, name))
    for name in _BOOL_FIELDS:
        cols[name] = _nullable_bool(getattr(msgs, name))
    cols["cpr_kind"] = pa.array(
        np.array(["", "airborne", "surface"], dtype=object)[msgs.cpr_kind],
        type=pa.string(),
        mask=msgs.cpr_kind == 0,
    )
    return pa.table(cols)


def message_schema() -> pa.Schema:
    return messages_table(FrameBatch.empty(), Messages.empty(0)).schema


def observations_table(obs: Observations) -> pa.Table:
    """Already-decoded reports (SBS, readsb, OpenSky) in the canonical columns."""
    return pa.table(
        {
            "timestamp": timestamps(obs.timestamp),
            "icao24": address_column(obs.icao24),
            "non_icao": pa.array(obs.non_icao),
            "callsign": _nullable_str(obs.callsign),
            "latitude": _nullable_float(obs.latitude),
            "longitude": _nullable_float(obs.longitude),
            "altitude": _nullable_float(obs.altitude),
            "geoaltitude": _nullable_float(obs.geoaltitude),
            "groundspeed": _nullable_float(obs.groundspeed),
            "track": _nullable_float(obs.track),
            "vertical_rate": _nullable_float(obs.vertical_rate),
            "squawk": squawks(obs.squawk),
            "onground": _nullable_bool(obs.onground),
            "kind": _labels(_KIND_LABELS, obs.kind),
            "position_source": _labels(_POS_LABELS, obs.position_source),
            "source": pa.repeat(pa.scalar(obs.source, pa.string()), len(obs)),
        }
    )


def observation_schema() -> pa.Schema:
    return observations_table(Observations.empty(0)).schema
