"""Classification (military / government / police / civil) with reasons and their sources.

Reasons, each naming the source behind it: the aircraft DB's military flag, a watchlist entry
(plane-alert-db class Mil/Gov/Pol/Civ), a military address block, the operator designator of
the callsign (RFF, RCH, ...) and state callsign patterns (SPAR01). The strongest class wins, in
the order military > police > government > civil; an aircraft with no reason is civil.
``classify_many`` does the same over whole arrays for filters.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import IntEnum, IntFlag
from typing import Any

import numpy as np
import numpy.typing as npt
import pyarrow as pa

from ..model import B1, U1
from .blocks import military_block
from .operators import builtin_operators, callsign_pattern, designators

U2 = npt.NDArray[np.uint16]


class Classification(IntEnum):
    """Ordered by precedence: the highest class with a reason wins."""

    CIVIL = 0
    GOVERNMENT = 1
    POLICE = 2
    MILITARY = 3

    @property
    def label(self) -> str:
        return self.name.lower()


class ReasonKind(IntFlag):
    NONE = 0
    DB_FLAG = 1
    WATCHLIST = 2
    MILITARY_BLOCK = 4
    OPERATOR_DESIGNATOR = 8
    CALLSIGN_PATTERN = 16

    @property
    def label(self) -> str:
        return (self.name or "none").lower()


#: plane-alert-db ``#CMPG`` values -> class.
WATCHLIST_CLASSES: dict[str, Classification] = {
    "mil": Classification.MILITARY,
    "gov": Classification.GOVERNMENT,
    "pol": Classification.POLICE,
    "civ": Classification.CIVIL,
}

_BY_LABEL = {c.label: c for c in Classification}


@dataclass(frozen=True, slots=True)
class Reason:
    classification: str  # military | government | police | civil
    kind: str  # ReasonKind label
    detail: str
    source: str


def decide(reasons: list[Reason]) -> str:
    """The winning class label of a list of reasons ("civil" when empty)."""
    best = max((_BY_LABEL[r.classification] for r in reasons), default=Classification.CIVIL)
    return best.label


@dataclass(slots=True)
class ClassifyResult:
    classification: U1  # Classification per row
    reasons: U2  # ReasonKind bits per row
    watchlisted: B1


def _db_classes(con: Any, hexes: npt.NDArray[np.str_]) -> tuple[U1, U2, B1]:
    """Per unique address: class and reason bits from DB flags and watchlists."""
    n = hexes.shape[0]
    klass = np.zeros(n, dtype=np.uint8)
    bits = np.zeros(n, dtype=np.uint16)
    listed = np.zeros(n, dtype=np.bool_)
    if con is None or n == 0:
        return klass, bits, listed
    con.register("_classify_q", pa.table({"icao24": hexes.tolist(), "i": np.arange(n)}))
    try:
        rows = con.execute(
            """SELECT q.i, f.field, lower(f.value) AS value FROM aircraft_facts f
               JOIN _classify_q q USING (icao24)
               WHERE f.valid_until IS NULL AND f.field IN ('flag_military', 'watchlist_class')"""
        ).fetchnumpy()
    finally:
        con.unregister("_classify_q")
    idx = rows["i"].astype(np.int64)
    fields = rows["field"].astype(str)
    values = rows["value"].astype(str)
    mil = (fields == "flag_military") & (values == "1")
    klass[idx[mil]] = Classification.MILITARY
    bits[idx[mil]] |= np.uint16(ReasonKind.DB_FLAG)
    wl = fields == "watchlist_class"
    listed[idx[wl]] = True
    bits[idx[wl]] |= np.uint16(ReasonKind.WATCHLIST)
    for label, cls in WATCHLIST_CLASSES.items():
        sel = idx[wl & (values == label)]
        klass[sel] = np.maximum(klass[sel], cls)
    return klass, bits, listed


def classify_many(
    con: Any, icao24: npt.ArrayLike, callsign: npt.ArrayLike | None = None
) -> ClassifyResult:
    """Vectorised classification of rows (address as int or hex text, optional callsign)."""
    from .address import parse_icao24_array

    addr, valid = parse_icao24_array(icao24)
    n = addr.shape[0]
    klass = np.zeros(n, dtype=np.uint8)
    bits = np.zeros(n, dtype=np.uint16)
    mil = military_block(addr) & valid
    klass[mil] = Classification.MILITARY
    bits[mil] |= np.uint16(ReasonKind.MILITARY_BLOCK)
    uniq, inverse = np.unique(addr[valid], return_inverse=True)
    hexes = np.array([f"{a:06x}" for a in uniq.tolist()], dtype="<U6")
    u_class, u_bits, u_listed = _db_classes(con, hexes)
    where = np.flatnonzero(valid)
    klass[where] = np.maximum(klass[where], u_class[inverse])
    bits[where] |= u_bits[inverse]
    listed = np.zeros(n, dtype=np.bool_)
    listed[where] = u_listed[inverse]
    if callsign is not None:
        cs = np.asarray(callsign).astype(str)
        desig = designators(cs)
        table = builtin_operators()
        for code in np.unique(desig):
            op = table.get(str(code))
            if op is None or not op.klass:
                continue
            sel = desig == code
            klass[sel] = np.maximum(klass[sel], _BY_LABEL[op.klass])
            bits[sel] |= np.uint16(ReasonKind.OPERATOR_DESIGNATOR)
        for c in np.unique(cs):
            hit = callsign_pattern(str(c))
            if hit is not None:
                sel = cs == c
                klass[sel] = np.maximum(klass[sel], _BY_LABEL[hit[0]])
                bits[sel] |= np.uint16(ReasonKind.CALLSIGN_PATTERN)
    return ClassifyResult(klass, bits, listed)
