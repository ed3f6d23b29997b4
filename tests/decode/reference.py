"""Test helpers: compare our decode with reference decodes, field by field.

The generic part: per-field tallies (``Agreement``), the comparison loop over reference records
(``compare_records``) and the checked explanations of Comm-B register disagreements, shared by
``ref_traffic`` (rs1090) and ``ref_pymodes`` (pyModeS, EHS). Also used by ``bench/decode.py``.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from skywitness.decode import decode_batch, frames_from_hex
from skywitness.model import Messages

FLOAT_TOL = 0.01


@dataclass
class Disagreement:
    row: int
    frame: str
    key: str
    ref: Any
    ours: Any
    reason: str  # "category | detail"

    @property
    def category(self) -> str:
        return self.reason.split(" | ")[0]

    @property
    def detail(self) -> str:
        parts = self.reason.split(" | ", 1)
        return f"({parts[1]})" if len(parts) > 1 else ""


@dataclass
class Agreement:
    """Per-field tallies of one comparison."""

    total: Counter[str] = field(default_factory=Counter)
    agree: Counter[str] = field(default_factory=Counter)
    disagreements: list[Disagreement] = field(default_factory=list)

    def ratio(self, key: str) -> float:
        return self.agree[key] / self.total[key] if self.total[key] else 1.0

    def overall(self, keys: Iterable[str] | None = None) -> float:
        ks = list(self.total) if keys is None else [k for k in keys if k in self.total]
        tot = sum(self.total[k] for k in ks)
        return sum(self.agree[k] for k in ks) / tot if tot else 1.0

    def unexplained(self) -> list[Disagreement]:
        return [d for d in self.disagreements if d.category == "UNEXPLAINED"]

    def report(self, title: str) -> str:
        lines = [f"== {title}: field agreement (agree/total) =="]
        for key in sorted(self.total):
            tally = f"{self.agree[key]:7d}/{self.total[key]:<7d}"
            lines.append(f"  {key:20s} {tally} {100 * self.ratio(key):8.3f}%")
        reasons = Counter((d.key, d.category) for d in self.disagreements)
        if reasons:
            lines.append("  disagreements by field and reason:")
            for (key, reason), count in sorted(reasons.items()):
                ex = next(d for d in self.disagreements if d.key == key and d.category == reason)
                lines.append(f"    {key:18s} x{count:<6d} {reason}")
                lines.append(
                    f"{'':30s}e.g. {ex.frame}: ref={ex.ref!r} ours={ex.ours!r} {ex.detail}".rstrip()
                )
        return "\n".join(lines)


def _ours(msg: Messages, column: str, i: int) -> Any:
    v = getattr(msg, column)[i]
    if isinstance(v, np.floating):
        return None if np.isnan(v) else float(v)
    if isinstance(v, np.str_):
        return str(v) or None
    if isinstance(v, np.bool_):
        return bool(v)
    iv = int(v)
    if column in ("squawk", "cpr_lat", "cpr_lon", "cpr_odd", "nuc_p", "nac_p") and iv < 0:
        return None
    if column == "bds" and iv == 0:
        return None
    return iv


def equal(ref: Any, ours: Any) -> bool:
    if ours is None:
        return False
    if isinstance(ref, float) or isinstance(ours, float):
        return math.isclose(float(ref), float(ours), abs_tol=FLOAT_TOL)
    return bool(ref == ours)


def decode_hex(frames: list[str], stamps: list[float] | None = None) -> Messages:
    return decode_batch(frames_from_hex(frames, stamps))


# --- comparators and record comparison -------------------------------------------------------

Cmp = Callable[[Any, Any], bool]


def _trunc_angle(ref: Any, ours: Any) -> bool:
    """Whole degrees of a signed angle truncated towards zero, then wrapped into 0..360."""
    if ours is None:
        return False
    whole = math.floor(ours) if ours < 180 else math.ceil(ours) % 360
    return bool(whole == ref)


def _floor_eq(ref: Any, ours: Any) -> bool:
    return ours is not None and math.floor(ours + 1e-9) == ref


def _flight_level(ref: Any, ours: Any) -> bool:
    return ours is not None and round(ours / 100) == ref


def _close(tol: float) -> Cmp:
    return lambda ref, ours: ours is not None and math.isclose(ref, ours, abs_tol=tol)


def _low_bits(ref: Any, ours: Any) -> bool:
    return ours is not None and ours % 8 == ref


@dataclass
class RecordRef:
    """Frames with expected values, each ``{ref_key: value}``, and how to compare each key."""

    frames: list[str]
    records: list[dict[str, Any]]
    spec: dict[str, tuple[str, Cmp]]
    candidates: list[set[int]]
    icao: list[int] = field(default_factory=list)


def compare_records(ref: RecordRef, msg: Messages, why: Callable[..., str]) -> Agreement:
    out = Agreement()
    for i, rec in enumerate(ref.records):
        for key, value in rec.items():
            column, cmp = ref.spec[key]
            ours = _ours(msg, column, i)
            out.total[key] += 1
            if cmp(value, ours):
                out.agree[key] += 1
            else:
                out.disagreements.append(
                    Disagreement(
                        i, ref.frames[i], key, value, ours, why(ref, msg, i, key, value, ours)
                    )
                )
    return out


# --- checked reasons for Comm-B register disagreements --------------------------------------


def _payload(frame: str) -> int:
    return int(frame[8:22], 16)


def _as60(frame: str, altitude: float | None) -> tuple[bool, str]:
    """Is the BDS 6,0 reading physically consistent? (IAS vs Mach at the altitude, two rates)."""
    from pyModeS.decoder.bds import bds60

    from skywitness.decode.aero import mach_to_cas_kt

    d = bds60.decode_bds60(_payload(frame))
    ias, mach = d.get("indicated_airspeed"), d.get("mach")
    vb, vi = d.get("baro_vertical_rate"), d.get("inertial_vertical_rate")
    notes = []
    ok = True
    if ias is not None and mach is not None and altitude is not None:
        cas = float(mach_to_cas_kt(np.array([mach]), np.array([altitude]))[0])
        notes.append(f"IAS {ias} kt vs CAS {cas:.0f} kt of Mach {mach:.3f} at {altitude:.0f} ft")
        ok &= abs(ias - cas) <= 20
    elif ias is not None and mach is not None:
        lo, hi = mach_to_cas_kt(np.array([mach, mach]), np.array([51000.0, -1000.0]))
        notes.append(
            f"IAS {ias} kt vs CAS {lo:.0f}..{hi:.0f} kt of Mach {mach:.3f} (-1000..51000 ft)"
        )
        ok &= lo - 20 <= ias <= hi + 20
    if vb is not None and vi is not None:
        notes.append(f"baro/inertial rates {vb}/{vi} ft/min")
        ok &= abs(vb - vi) <= 2000
    return ok and bool(notes), "; ".join(notes)


def _as50(frame: str) -> tuple[bool, str]:
    from pyModeS.decoder.bds import bds50

    p = _payload(frame)
    d = bds50.decode_bds50(p)
    return bds50.is_bds50(p), ", ".join(f"{k} {v:g}" for k, v in d.items())


def register_reason(
    frame: str, ref_bds: int | None, ours: int | None, ambiguous: bool, altitude: float | None
) -> str:
    """A checked explanation of why the reference's register differs from ours."""
    if ambiguous:
        return "several of 4,0/5,0/6,0 fit and no consistency check separates them: left empty"
    if ref_bds == 0x50 and ours == 0x60:
        ok60, why60 = _as60(frame, altitude)
        ok50, why50 = _as50(frame)
        if ok60 and not ok50:
            return (
                "reference register 5,0 is wrong: the 6,0 reading is physically consistent, "
                f"the 5,0 reading fails the 5,0 checks | 6,0: {why60}; 5,0: {why50}"
            )
    if ref_bds == 0x60 and ours != 0x60:
        ok60, why60 = _as60(frame, altitude)
        if not ok60:
            return f"not 6,0: IAS/Mach/altitude or its two vertical rates disagree | {why60}"
    if ref_bds == 0x40 and ours == 0x17:
        mcp = ((_payload(frame) >> 43) & 0xFFF) * 16
        if mcp > 51000:
            return f"not 4,0: its selected altitude would be above 51,000 ft; 1,7 fits | {mcp} ft"
    return "UNEXPLAINED"
