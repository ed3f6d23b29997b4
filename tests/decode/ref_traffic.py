"""Test helpers for the traffic samples: load the rs1090/jet1090 JSON lines and explain each
disagreement with our decode (a second oracle or a documented quirk of the reference)."""

from __future__ import annotations

import gzip
import json
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from skywitness.model import Messages

from .reference import Agreement, Disagreement, _ours, equal, register_reason

#: traffic/rs1090 JSON key -> our Messages column.
TRAFFIC_FIELDS: dict[str, str] = {
    "icao24": "icao24",
    "df": "df",
    "bds": "bds",
    "altitude": "altitude",
    "callsign": "callsign",
    "squawk": "squawk",
    "groundspeed": "groundspeed",
    "track": "track",
    "vertical_rate": "vertical_rate",
    "lat_cpr": "cpr_lat",
    "lon_cpr": "cpr_lon",
    "parity": "cpr_odd",
    # Beyond the required list: checked too, so that scaling errors cannot hide.
    "IAS": "ias",
    "TAS": "tas",
    "Mach": "mach",
    "heading": "heading",
    "roll": "roll",
    "track_rate": "track_rate",
    "selected_mcp": "selected_altitude",
    "selected_altitude": "selected_altitude",
    "barometric_setting": "baro_setting",
    "vrate_barometric": "vertical_rate",
    "geo_minus_baro": "geo_minus_baro",
    "NUCp": "nuc_p",
    "NACp": "nac_p",
}
REQUIRED = (
    "icao24",
    "df",
    "bds",
    "altitude",
    "callsign",
    "squawk",
    "groundspeed",
    "track",
    "vertical_rate",
    "lat_cpr",
    "lon_cpr",
    "parity",
)


# --- traffic (rs1090 / jet1090) JSON lines ----------------------------------------------------


@dataclass
class TrafficRef:
    frames: list[str]
    timestamps: list[float]
    records: list[dict[str, Any]]  # flattened reference values in our vocabulary
    candidates: list[set[int]]  # registers the reference offers (several = ambiguous)


def _norm_traffic(key: str, value: Any) -> Any:
    if key == "icao24":
        return int(value, 16)
    if key == "df":
        return int(value)
    if key == "bds":
        return int(value, 16)
    if key == "squawk":
        return int(value)
    if key == "parity":
        return 1 if value == "odd" else 0
    return value


def traffic_record(d: dict[str, Any]) -> tuple[dict[str, Any], set[int]]:
    """One rs1090 result dict as reference values in our vocabulary, and its registers."""
    nested = {k: v for k, v in d.items() if isinstance(v, dict) and "bds" in v}
    flat = {k: v for k, v in d.items() if not isinstance(v, dict)}
    cand = {int(v["bds"], 16) for v in nested.values()}
    if "bds" in flat:
        cand.add(int(flat["bds"], 16))
    if len(nested) == 1:
        flat.update(next(iter(nested.values())))
    rec = {}
    for key, value in flat.items():
        if key == "df" and not str(value).isdigit():
            continue  # rs1090 names DF19/22/24 ("ExtendedSquitterMilitary"): we reject those
        if key in TRAFFIC_FIELDS and value is not None:
            rec[key] = _norm_traffic(key, value)
    if flat.get("source") == "GNSS" and "altitude" in rec:
        rec["geoaltitude"] = rec.pop("altitude")
    return rec, cand


def traffic_from_dicts(
    frames: list[str], stamps: list[float], dicts: list[dict[str, Any]]
) -> TrafficRef:
    pairs = [traffic_record(d) for d in dicts]
    return TrafficRef(frames, stamps, [p[0] for p in pairs], [p[1] for p in pairs])


def load_traffic(path: Path) -> TrafficRef:
    with gzip.open(path, "rt") as fh:
        dicts = [json.loads(line) for line in fh]
    frames = [d["frame"] for d in dicts]
    stamps = [float(d["timestamp"]) for d in dicts]
    return traffic_from_dicts(frames, stamps, dicts)


def compare_traffic(ref: TrafficRef, msg: Messages, why: Callable[..., str]) -> Agreement:
    out = Agreement()
    for i, rec in enumerate(ref.records):
        for key, value in rec.items():
            column = "geoaltitude" if key == "geoaltitude" else TRAFFIC_FIELDS[key]
            ours = _ours(msg, column, i)
            out.total[key] += 1
            if equal(value, ours):
                out.agree[key] += 1
            else:
                reason = why(ref, msg, i, key, value, ours)
                out.disagreements.append(Disagreement(i, ref.frames[i], key, value, ours, reason))
    return out


# --- reasons for disagreements with the traffic reference (rs1090) --------------------------

#: Our column -> pyModeS 3 result key, for the tie-breaking second oracle.
_PMS_KEYS: dict[str, tuple[str, ...]] = {
    "altitude": ("altitude",),
    "squawk": ("squawk",),
    "callsign": ("callsign",),
    "bds": ("bds",),
    "groundspeed": ("groundspeed",),
    "track": ("track", "true_track"),
    "vertical_rate": ("vertical_rate", "baro_vertical_rate"),
    "selected_mcp": ("selected_altitude_mcp",),
    "barometric_setting": ("baro_pressure_setting",),
}


def _pms_value(frame: str, key: str) -> tuple[bool, Any]:
    import pyModeS

    d = pyModeS.decode(frame)
    for k in _PMS_KEYS.get(key, ()):
        if k in d:
            v = d[k]
            if key == "squawk" and v is not None:
                v = int(v)
            if key == "bds" and v is not None:
                v = int(v.replace(",", ""), 16)
            if key == "callsign" and v is not None:
                v = v.rstrip(" _") or None
            return True, v
    return key in _PMS_KEYS, None


def _rs_value(frame: str, key: str) -> Any:
    import rs1090

    d: dict[str, Any] = dict(rs1090.decode(frame))  # nested messages merged in below
    for v in list(d.values()):
        if isinstance(v, dict):
            d.update(v)
    value = d.get(key)
    return None if value is None else _norm_traffic(key, value)


def _mb(frame: str) -> int:
    return int(frame[8:22], 16)


def traffic_reason(ref: TrafficRef, msg: Messages, i: int, key: str, value: Any, ours: Any) -> str:
    """Why rs1090 (the traffic reference) and we differ on one value; checked, not assumed."""
    frame = ref.frames[i]
    ref_bds = ref.records[i].get("bds")
    ours_bds = _ours(msg, "bds", i)
    if ref_bds is not None and ref_bds != ours_bds and int(msg.df[i]) in (20, 21):
        why = register_reason(
            frame, ref_bds, ours_bds, bool(msg.bds_ambiguous[i]), _ours(msg, "altitude", i)
        )
        if why != "UNEXPLAINED":
            return why if key == "bds" else f"register differs: {why}"
    if key == "bds" and value == 0x21:
        return "rs1090 infers BDS 2,1 (registration), a register we do not infer"
    selected = key in ("selected_mcp", "selected_altitude") and ours is not None
    if selected and round(ours / 100) * 100 == value:
        return "rs1090 rounds selected altitude to 100 ft; we keep the encoded 16/32 ft steps"
    if key == "groundspeed" and int(msg.bds[i]) == 0x06:
        mov = (int(frame[8:10], 16) & 0x7) << 4 | int(frame[10], 16)
        if 13 <= mov <= 38 and value == 2 + (mov - 13) * 0.25:
            return (
                "rs1090 uses 0.25 kt steps for surface movement codes 13-38 "
                "(DO-260B: 0.5 kt, 2-15 kt)"
            )
    if key == "vrate_barometric" and value == 0:
        sign_and_rate = (_mb(frame) >> 11) & 0x3FF  # MB bits 36-45
        if sign_and_rate == 0x3FF:
            return "rs1090 reads the all-ones rate (-1 step = -32 ft/min) as 0"
    if key == "altitude" and value == 0 and ours is not None and ours < 0:
        return "rs1090 clamps negative altitudes to 0"
    if _rs_value(frame, key) == ours or equal(_rs_value(frame, key), ours):
        return "the reference was made by an older rs1090; rs1090 0.7 decodes it as we do"
    has, pms = _pms_value(frame, key)
    if has and (pms == ours or (pms is not None and ours is not None and equal(pms, ours))):
        return "rs1090 differs; pyModeS 3 decodes it as we do"
    return "UNEXPLAINED"


def ambiguity_summary(ref: TrafficRef, msg: Messages) -> str:
    """How Comm-B rows the reference left ambiguous or unassigned came out here."""
    commb = np.isin(msg.df, (20, 21))
    ref_multi = np.array([len(c) > 1 for c in ref.candidates])
    ref_none = np.array([len(c) == 0 for c in ref.candidates])
    ours_amb = msg.bds_ambiguous
    ours_none = (msg.bds == 0) & ~ours_amb

    def n(mask: np.ndarray) -> int:
        return int((commb & mask).sum())

    single = ~ours_amb & ~ours_none
    return (
        f"  Comm-B rows {int(commb.sum())}: reference several registers {n(ref_multi)} "
        f"(ours ambiguous {n(ref_multi & ours_amb)}, ours single {n(ref_multi & single)}); "
        f"reference none {n(ref_none)} (ours none {n(ref_none & ours_none)}, ours ambiguous "
        f"{n(ref_none & ours_amb)}, ours single {n(ref_none & single)}); "
        f"ours ambiguous in total {n(ours_amb)}"
    )
