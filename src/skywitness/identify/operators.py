"""Callsign -> operator: ICAO three-letter designators and a few state callsign patterns.

Built in: only ``data/state_operators.csv``, a small hand-written list of state (military,
government, police) designators, because no permissively licensed full designator list was
available (tar1090-db's operators list states no licence). The full list is an import:
``skywitness db import-aircraft operators.csv --kind operators`` (see ``importer``); ``lookup``
prefers imported rows and falls back to the built-in ones.
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Any

import numpy as np
import numpy.typing as npt

from ..model import Str

STATE_OPERATORS_RESOURCE = "state_operators.csv"
BUILTIN_OPERATORS_SOURCE = "builtin:state_operators (ICAO Doc 8585 designators, hand-written)"
CALLSIGN_PATTERNS_SOURCE = "builtin:callsign_patterns"

#: An ICAO flight identification: designator (3 letters) + flight number starting with a digit.
_ICAO_FLIGHT_ID = re.compile(r"^([A-Z]{3})([0-9][0-9A-Z]{0,4})$")

#: State callsigns that do not use a three-letter designator (pattern, class, meaning).
CALLSIGN_PATTERNS: tuple[tuple[str, str, str], ...] = (
    (r"^SPAR\d{1,3}$", "military", "SPAR: US Air Force special air resources (VIP transport)"),
    (r"^NAVY\d{1,4}$", "military", "NAVY: US Navy"),
    (r"^ARMY\d{1,4}$", "military", "ARMY: US Army"),
    (r"^EXEC1F$", "government", "EXEC1F: US executive flight (President's family)"),
)


@dataclass(frozen=True, slots=True)
class Operator:
    designator: str
    name: str
    country: str  # ISO alpha-2 (built-in) or country name (imported lists)
    telephony: str
    klass: str  # military | government | police | "" (unknown / civil)
    source: str


@cache
def builtin_operators() -> dict[str, Operator]:
    text = resources.files("skywitness").joinpath("data", STATE_OPERATORS_RESOURCE)
    body = "".join(ln for ln in io.StringIO(text.read_text("utf-8")) if not ln.startswith("#"))
    return {
        r["designator"]: Operator(
            r["designator"],
            r["name"],
            r["iso2"],
            r["telephony"],
            r["class"],
            BUILTIN_OPERATORS_SOURCE,
        )
        for r in csv.DictReader(io.StringIO(body))
    }


def designator_of(callsign: str) -> str:
    """The three-letter designator of an ICAO flight id ("RCH123" -> "RCH"); "" when none."""
    m = _ICAO_FLIGHT_ID.match(callsign.strip().upper())
    return m.group(1) if m else ""


def designators(callsigns: npt.ArrayLike) -> Str:
    """``designator_of`` over an array of callsigns."""
    arr: npt.NDArray[Any] = np.char.upper(np.char.strip(np.asarray(callsigns).astype(str)))
    if arr.size == 0:
        return np.zeros(0, dtype="<U3")
    uniq, inverse = np.unique(arr, return_inverse=True)
    out = np.array([designator_of(str(c)) for c in uniq], dtype="<U3")
    return out[inverse.ravel()]


def callsign_pattern(callsign: str) -> tuple[str, str] | None:
    """(class, meaning) of the first state callsign pattern matching, or None."""
    cs = callsign.strip().upper()
    for pattern, klass, meaning in CALLSIGN_PATTERNS:
        if re.match(pattern, cs):
            return klass, meaning
    return None


def lookup(designator: str, con: Any = None) -> Operator | None:
    """Operator of a designator: imported list (``con``: DuckDB) first, then built-in."""
    code = designator.strip().upper()
    if not code:
        return None
    builtin = builtin_operators().get(code)
    if con is not None:
        from .store_schema import imported_operator  # local: keeps duckdb use out of pure paths

        row = imported_operator(con, code)
        if row is not None:
            return Operator(
                code,
                row.get("name", ""),
                row.get("country", ""),
                row.get("telephony", ""),
                builtin.klass if builtin else "",
                row["_source"],
            )
    return builtin
