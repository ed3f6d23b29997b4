"""Test helpers for the pyModeS test data: golden_v2.json (pyModeS v2), the EHS reference decode
(an independent ground decoder) and pyModeS 3 as a frame-by-frame oracle, with checked reasons."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from skywitness.model import Messages

from .reference import (
    Cmp,
    RecordRef,
    _close,
    _flight_level,
    _floor_eq,
    _low_bits,
    _ours,
    _trunc_angle,
    equal,
    register_reason,
)

EHS_SPEC: dict[str, tuple[str, Cmp]] = {
    "ICAO": ("icao24", equal),
    "ALTITUDE": ("altitude", equal),
    "CALLSIGN": ("callsign", equal),
    "BDS": ("bds", equal),
    "IAS": ("ias", equal),
    "MACH": ("mach", _close(0.0005)),
    "HDG": ("heading", _trunc_angle),
    "TT": ("track", _trunc_angle),
    "TR": ("track_rate", _close(1e-6)),
    "RA": ("roll", _close(1e-4)),  # printed with 6 significant digits
    "TAS": ("tas", equal),
    "MCP": ("selected_altitude", _flight_level),
    "FMS": ("selected_altitude", _flight_level),
    "QNH": ("baro_setting", _floor_eq),
}


def load_ehs(path: Path) -> RecordRef:
    """``ehs_20160310_with_reference.csv``: DF20 frames and an independent decoder's values.

    Its units: MCP/FMS in flight levels, MACH in thousandths, HDG/TT in whole degrees
    (truncated), QNH in whole hPa (truncated).
    """
    import csv

    frames, records, cands, icao = [], [], [], []
    with path.open(newline="") as fh:
        for row in csv.reader(fh):
            frames.append(row[2].lower())
            icao.append(int(row[3], 16))
            tokens = row[4].split()
            rec: dict[str, Any] = {"ICAO": int(row[3], 16)}
            bds = [t for t in tokens if t.startswith("BDS")]
            kv = dict(zip(tokens[::2], tokens[1::2], strict=False))
            if "CALLSIGN" in tokens:
                rec["CALLSIGN"] = tokens[tokens.index("CALLSIGN") + 1]
                kv = dict(zip(tokens[2::2], tokens[3::2], strict=False))
            rec["ALTITUDE"] = int(kv["ALTITUDE"])
            for key in ("IAS", "TAS", "HDG", "TT", "QNH"):
                if key in kv:
                    rec[key] = int(kv[key])
            for key in ("TR", "RA"):
                if key in kv:
                    rec[key] = float(kv[key])
            if "MACH" in kv:
                rec["MACH"] = int(kv["MACH"]) / 1000
            if "MCP" in kv:
                rec["MCP"] = int(kv["MCP"])
            elif "FMS" in kv:
                rec["FMS"] = int(kv["FMS"])
            if bds:
                rec["BDS"] = int(bds[0][3:], 16)
            records.append(rec)
            cands.append({int(b[3:], 16) for b in bds})
    return RecordRef(frames, records, EHS_SPEC, cands, icao)


GOLDEN_SPEC: dict[str, tuple[str, Cmp]] = {
    "df": ("df", equal),
    "icao": ("icao24", equal),
    "bds": ("bds", equal),
    "typecode": ("typecode", equal),
    "category": ("category", _low_bits),
    "altitude": ("altitude", equal),
    "squawk": ("squawk", equal),
    "callsign": ("callsign", equal),
    "cpr_format": ("cpr_odd", equal),
    "groundspeed": ("groundspeed", _floor_eq),
    "track": ("track", equal),
    "vertical_rate": ("vertical_rate", equal),
    "baro_vertical_rate": ("vertical_rate", equal),
    "indicated_airspeed": ("ias", equal),
    "true_airspeed": ("tas", equal),
    "mach": ("mach", equal),
    "magnetic_heading": ("heading", equal),
    "roll": ("roll", equal),
    "true_track": ("track", equal),
    "track_rate": ("track_rate", equal),
    "baro_pressure_setting": ("baro_setting", equal),
    "selected_altitude_mcp": ("selected_altitude", equal),
}
#: Meteorological registers pyModeS v2 also proposed; we do not infer them (too many false hits).
METEO = {0x44, 0x45}


def load_golden(path: Path) -> RecordRef:
    """``golden_v2.json``: pyModeS v2's decode of 600 frames (callsigns padded with ``_``,
    ground speed as a whole number, category as the 3-bit CA field)."""
    data = json.loads(path.read_text())
    frames, records, cands = [], [], []
    for frame, d in data.items():
        rec: dict[str, Any] = {}
        cand: set[int] = set()
        for key, value in d.items():
            if value is None or key not in GOLDEN_SPEC:
                continue
            if key == "icao":
                value = int(value, 16)
            elif key == "squawk":
                value = int(value)
            elif key == "callsign":
                value = value.rstrip("_")
            elif key == "bds":
                cand = {int(b[3:], 16) for b in value.split(",")}
                kept = cand - METEO
                if len(kept) != 1:
                    continue  # several registers: compared by ambiguity_agreement()
                value = next(iter(kept))
            rec[key] = value
        if "selected_altitude_mcp" not in rec and "selected_altitude_fms" in d:
            rec["selected_altitude_mcp"] = d["selected_altitude_fms"]
        frames.append(frame)
        records.append(rec)
        cands.append(cand)
    return RecordRef(frames, records, GOLDEN_SPEC, cands)


def ambiguity_agreement(ref: RecordRef, msg: Messages) -> tuple[int, int, int]:
    """Rows where the reference offers several registers: (rows, ours ambiguous, ours one)."""
    rows = amb = one = 0
    for i, cand in enumerate(ref.candidates):
        kept = cand - METEO
        if len(kept) < 2:
            continue
        rows += 1
        if msg.bds_ambiguous[i]:
            amb += 1
        elif int(msg.bds[i]) in kept:
            one += 1
    return rows, amb, one


def ehs_reason(ref: RecordRef, msg: Messages, i: int, key: str, value: Any, ours: Any) -> str:
    rec = ref.records[i]
    ours_bds = _ours(msg, "bds", i)
    altitude = _ours(msg, "altitude", i)
    if "BDS" in rec and rec["BDS"] != ours_bds:
        why = register_reason(
            ref.frames[i], rec["BDS"], ours_bds, bool(msg.bds_ambiguous[i]), altitude
        )
        return why if key == "BDS" else f"register differs: {why}"
    return "UNEXPLAINED"


# --- pyModeS 3 as a frame-by-frame oracle ------------------------------------------------------

#: pyModeS 3 key -> our column.
PMS_FIELDS: dict[str, str] = {
    "df": "df",
    "icao": "icao24",
    "typecode": "typecode",
    "altitude": "altitude",
    "squawk": "squawk",
    "callsign": "callsign",
    "cpr_format": "cpr_odd",
    "cpr_lat": "cpr_lat",
    "cpr_lon": "cpr_lon",
    "nuc_p": "nuc_p",
    "groundspeed": "groundspeed",
    "track": "track",
    "true_track": "track",
    "vertical_rate": "vertical_rate",
    "baro_vertical_rate": "vertical_rate",
    "geo_minus_baro": "geo_minus_baro",
    "indicated_airspeed": "ias",
    "true_airspeed": "tas",
    "mach": "mach",
    "magnetic_heading": "heading",
    "roll": "roll",
    "track_rate": "track_rate",
    "baro_pressure_setting": "baro_setting",
    "selected_altitude_mcp": "selected_altitude",
    "bds": "bds",
}


def pymodes_records(frames: list[str]) -> RecordRef:
    """pyModeS 3.x decode of each frame, in our vocabulary (its first Comm-B candidate is kept
    only when it has a single one: with several it is ambiguous, as ours may be)."""
    import pyModeS

    spec: dict[str, tuple[str, Cmp]] = {k: (v, equal) for k, v in PMS_FIELDS.items()}
    spec["groundspeed"] = ("groundspeed", _close(1.0))  # pyModeS 3 truncates TC 19 speeds
    records, cands = [], []
    for frame in frames:
        d = pyModeS.decode(frame)
        rec: dict[str, Any] = {}
        cand: set[int] = set()
        for key, value in d.items():
            if value is None or key not in PMS_FIELDS:
                continue
            if key == "icao":
                value = int(value, 16)
            elif key == "squawk":
                value = int(value)
            elif key == "callsign":
                value = value.rstrip(" _") or None
            elif key == "bds":
                cand = {int(b.replace(",", ""), 16) for b in d.get("bds_candidates", [value])}
                if len(cand) > 1:
                    continue
                value = int(value.replace(",", ""), 16)
            if value is not None:
                rec[key] = value
        if len(cand) > 1:
            # pyModeS picked the first of several registers: its fields are a guess.
            rec = {k: v for k, v in rec.items() if k in ("df", "icao", "altitude", "squawk")}
        records.append(rec)
        cands.append(cand)
    return RecordRef(frames, records, spec, cands)


def pymodes_reason(ref: RecordRef, msg: Messages, i: int, key: str, value: Any, ours: Any) -> str:
    """Why pyModeS 3 and we differ on one value (checked)."""
    if int(msg.df[i]) == 19 and int(msg.reject[i]) == 4:
        return "DF19 (military extended squitter) is not decoded: rejected as UNSUPPORTED_DF"
    if key == "icao" and int(msg.df[i]) in (0, 4, 5, 11) and len(ref.frames[i]) == 28:
        return (
            "short reply in a 14-byte buffer: pyModeS 3 takes the AP over 112 bits, we (and "
            "rs1090) over the first 56"
        )
    ref_bds = ref.records[i].get("bds")
    ours_bds = _ours(msg, "bds", i)
    if ref_bds is not None and ref_bds != ours_bds:
        why = register_reason(
            ref.frames[i], ref_bds, ours_bds, bool(msg.bds_ambiguous[i]), _ours(msg, "altitude", i)
        )
        return why if key == "bds" else f"register differs: {why}"
    return "UNEXPLAINED"
